"""Many rolectl processes for one cold profile at once: the per-key lock
makes one of them call STS (and ask for the MFA code); the others wait and
read the entry it stored."""

from __future__ import annotations

import os
import select
import subprocess
import time

from conftest import ACCOUNT, parse_process_json, rolectl_path
from test_moto_mfa import _make_controlling_tty

N = 50
CODE = "271828"


def _start_all(sandbox, args, stdin, tmp_path, **popen):
    procs = []
    for i in range(N):
        out = open(tmp_path / f"out-{i}", "wb")
        err = open(tmp_path / f"err-{i}", "wb")
        procs.append(subprocess.Popen(
            [str(rolectl_path()), *args], stdin=stdin, stdout=out, stderr=err,
            env=sandbox.env(), cwd=str(sandbox.home), **popen))
        out.close()
        err.close()
    return procs


def _wait_all(procs, timeout=60):
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in procs:
                other.kill()
            raise AssertionError("a rolectl process did not finish in time") from None
    return [proc.returncode for proc in procs]


def _outputs(tmp_path, name):
    return [(tmp_path / f"{name}-{i}").read_text() for i in range(N)]


def test_fifty_cold_credential_process_runs_make_one_assume_role(
        role_guide, moto_sandbox, moto, tmp_path):
    procs = _start_all(moto_sandbox, ["--profile", "marketingadmin", "credential-process"],
                       subprocess.DEVNULL, tmp_path)
    statuses = _wait_all(procs)
    errors = _outputs(tmp_path, "err")
    assert statuses == [0] * N, [e for e in errors if e]
    assert errors == [""] * N
    outputs = _outputs(tmp_path, "out")
    assert len(set(outputs)) == 1, "the runs printed different credentials"
    assert parse_process_json(outputs[0])["AccessKeyId"].startswith("ASIA")
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    assert len(moto_sandbox.cache_files()) == 1


def _read_ready(masters, transcripts, wait):
    ready, _, _ = select.select([m for m in masters if m is not None], [], [], wait)
    for fd in ready:
        i = masters.index(fd)
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the process ended and closed its terminal
            chunk = b""
        if chunk:
            transcripts[i] += chunk
        else:
            masters[i] = None


def test_fifty_cold_runs_with_mfa_ask_for_one_code(role_guide, moto_sandbox, moto, tmp_path):
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{role_guide.user.name}"
    moto_sandbox.write_config(role_guide.config_text(f"mfa_serial = {serial}\n"))
    prompt = f"Enter MFA code for {serial}: ".encode()
    # Each process has a pseudo-terminal of its own as its controlling
    # terminal: one of them asks there, the others wait for its entry.
    ptys = [os.openpty() for _ in range(N)]
    procs = []
    for i, (_, slave) in enumerate(ptys):
        out = open(tmp_path / f"out-{i}", "wb")
        err = open(tmp_path / f"err-{i}", "wb")
        procs.append(subprocess.Popen(
            [str(rolectl_path()), "--profile", "marketingadmin", "credential-process"],
            stdin=slave, stdout=out, stderr=err, env=moto_sandbox.env(),
            cwd=str(moto_sandbox.home), start_new_session=True,
            preexec_fn=_make_controlling_tty))
        out.close()
        err.close()
        os.close(slave)
    masters = [m for m, _ in ptys]
    transcripts = [b""] * N
    try:
        deadline = time.monotonic() + 30
        asking = []
        while not asking:
            assert time.monotonic() < deadline, "no process asked for the MFA code"
            _read_ready(masters, transcripts, 0.02)
            asking = [i for i, t in enumerate(transcripts) if prompt in t]
            finished = [i for i, p in enumerate(procs) if p.poll() is not None]
            assert not finished, f"processes {finished} ended before any code was given"
        # Give the others time to (wrongly) ask as well.
        stop = time.monotonic() + 0.5
        while time.monotonic() < stop:
            _read_ready(masters, transcripts, 0.05)
        asking = [i for i, t in enumerate(transcripts) if prompt in t]
        assert len(asking) == 1, f"{len(asking)} processes asked for a code"
        [first] = asking
        os.write(ptys[first][0], CODE.encode() + b"\n")
        statuses = _wait_all(procs)
        _read_ready(masters, transcripts, 0)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for master, _ in ptys:
            os.close(master)
    errors = _outputs(tmp_path, "err")
    assert statuses == [0] * N, [e for e in errors if e]
    assert errors == [""] * N, [e for e in errors if e]
    assert [t for i, t in enumerate(transcripts) if i != first] == [b""] * (N - 1)
    outputs = _outputs(tmp_path, "out")
    assert len(set(outputs)) == 1, "the runs printed different credentials"
    [call] = moto.assume_role_calls(role_guide.role_arn)
    assert call.params["SerialNumber"] == serial
    assert call.params["TokenCode"] == CODE
