"""`mfa_serial` under a real pseudo-terminal: the prompt is written to the
controlling terminal, the code is read with echo off, and SerialNumber and
TokenCode reach STS (moto, which does not check the code itself)."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import termios
import time

from conftest import ACCOUNT, parse_process_json, rolectl_path

CODE = "493017"


def _make_controlling_tty() -> None:
    # In the child, after setsid (start_new_session): stdin is the pty's
    # slave; make it the controlling terminal, so /dev/tty is the pty.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyRun:
    """rolectl with a pseudo-terminal as its controlling terminal (and
    stdin); stdout and stderr are pipes of their own."""

    def __init__(self, sandbox, args):
        self.master, self.slave = os.openpty()
        self.transcript = b""
        assert self.echo_on(), "a new pseudo-terminal echoes"
        self.proc = subprocess.Popen(
            [str(rolectl_path()), *args], stdin=self.slave, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=sandbox.env(), cwd=str(sandbox.home),
            start_new_session=True, preexec_fn=_make_controlling_tty)

    def read_until(self, wanted: bytes, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while wanted not in self.transcript:
            left = deadline - time.monotonic()
            assert left > 0 and self.proc.poll() is None, (
                f"no {wanted!r} on the terminal; it shows {self.transcript!r}, "
                f"exit status {self.proc.poll()}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                self.transcript += os.read(self.master, 4096)

    def echo_on(self) -> bool:
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def wait_for_echo_off(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.echo_on():
            assert time.monotonic() < deadline, "echo was never turned off for the MFA code"
            time.sleep(0.005)

    def finish(self, timeout: float = 20) -> tuple[int, str, str]:
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"rolectl did not finish; terminal: {self.transcript!r}, "
                                 f"stderr: {err!r}") from None
        while select.select([self.master], [], [], 0)[0]:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.transcript += chunk
        os.close(self.master)
        os.close(self.slave)
        return self.proc.returncode, out.decode(), err.decode()


def test_mfa_prompt_on_the_terminal_without_echo(role_guide, moto_sandbox, moto):
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{role_guide.user.name}"
    moto_sandbox.write_config(role_guide.config_text(f"mfa_serial = {serial}\n"))
    prompt = f"Enter MFA code for {serial}: ".encode()

    run = PtyRun(moto_sandbox, ["--profile", "marketingadmin", "export"])
    run.read_until(prompt)
    assert run.transcript.startswith(prompt), run.transcript
    run.wait_for_echo_off()
    os.write(run.master, CODE.encode() + b"\n")
    status, out, err = run.finish()
    assert (status, err) == (0, ""), err
    creds = parse_process_json(out)
    # The code typed was never shown: not on the terminal, not in any output.
    assert CODE.encode() not in run.transcript, run.transcript
    assert CODE not in out
    assert run.transcript.strip() == prompt.strip(), run.transcript

    [call] = moto.assume_role_calls(role_guide.role_arn)
    assert call.params["SerialNumber"] == serial
    assert call.params["TokenCode"] == CODE
    assert call.access_key_id == role_guide.user.access_key_id

    # The second run is a cache hit: it asks nothing and needs no input.
    again = PtyRun(moto_sandbox, ["--profile", "marketingadmin", "export"])
    status, out2, err2 = again.finish(timeout=15)
    assert (status, err2) == (0, ""), err2
    assert again.transcript == b"", again.transcript
    assert parse_process_json(out2)["AccessKeyId"] == creds["AccessKeyId"]
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


def test_mfa_terminal_echo_is_restored(role_guide, moto_sandbox):
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{role_guide.user.name}"
    moto_sandbox.write_config(role_guide.config_text(f"mfa_serial = {serial}\n"))
    run = PtyRun(moto_sandbox, ["--profile", "marketingadmin", "--no-cache", "export"])
    run.read_until(f"Enter MFA code for {serial}: ".encode())
    run.wait_for_echo_off()
    os.write(run.master, CODE.encode() + b"\n")
    deadline = time.monotonic() + 15
    while run.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    # Echo is back on once the code is read (the slave is still open here).
    assert run.echo_on(), "rolectl left the terminal with echo off"
    status, out, err = run.finish()
    assert (status, err) == (0, ""), err
    assert CODE.encode() not in run.transcript
