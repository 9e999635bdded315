"""`rolectl serve` and `rolectl exec --server`: a container credentials
endpoint on 127.0.0.1 that SDKs (boto3, the AWS CLI v1) use to sign their
calls to moto, refreshing from the shared cache or STS, refusing every
request that is not a well-formed GET of `/` with this server's Host and
token, and sharing one resolution among concurrent requests."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import VENV_BIN, assumed_role_arn, rolectl_path

FORMATS = {
    "env": "export {name}={value}",
    "env-no-export": "{name}={value}",
    "fish": 'set -gx {name} "{value}"',
    "powershell": '$Env:{name}="{value}"',
    "windows-cmd": "set {name}={value}",
}


class Server:
    """A running `rolectl serve` and what it printed."""

    def __init__(self, sandbox, args=(), env=None, global_args=()):
        self.proc = subprocess.Popen(
            [str(rolectl_path()), "--profile", "marketingadmin", *global_args, "serve", *args],
            env=sandbox.env(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=str(sandbox.home))
        self.lines = [self.proc.stdout.readline().decode() for _ in range(2)]
        if not all(self.lines):
            self.proc.kill()
            raise AssertionError(f"serve printed {self.lines!r}: {self.proc.stderr.read()!r}")
        # Whatever the shell style: the URL on the first line, the token on the second.
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", self.lines[0])
        token = re.search(r"\b[0-9a-f]{64}\b", self.lines[1])
        assert url and token, self.lines
        self.url, self.port, self.token = url.group(0), int(url.group(1)), token.group(0)

    def stop(self) -> str:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        return self.proc.stderr.read().decode()

    def raw(self, data: bytes, pause: float = 0, timeout: float = 15) -> bytes:
        """Sends `data` (a byte at a time, `pause` seconds apart, if pause)
        and returns everything the server answers until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            try:
                if pause:
                    for b in data:
                        s.sendall(bytes([b]))
                        time.sleep(pause)
                else:
                    s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            out = b""
            try:
                while chunk := s.recv(65536):
                    out += chunk
            except ConnectionResetError:
                pass
            return out

    def get(self, path="/", method="GET", host=None, token="default", extra=b"") -> tuple[int, bytes]:
        host = host if host is not None else f"127.0.0.1:{self.port}"
        token = self.token if token == "default" else token
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n".encode()
        if token is not None:
            head += f"Authorization: {token}\r\n".encode()
        answer = self.raw(head + extra + b"\r\n")
        return status_of(answer), answer.split(b"\r\n\r\n", 1)[-1]


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:100]
    return int(answer[9:12])


@pytest.fixture
def server(role_guide, moto_sandbox):
    s = Server(moto_sandbox)
    yield s
    s.stop()


CHILD = r"""
import json, os, subprocess, sys
import boto3
names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
         "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"]
out = {"env": {n: os.environ.get(n) for n in names}}
session = boto3.Session()
out["boto3_method"] = session.get_credentials().method
out["boto3"] = session.client("sts", region_name="us-east-1").get_caller_identity()["Arn"]
cli = subprocess.run([sys.argv[1], "sts", "get-caller-identity", "--output", "json",
                      "--region", "us-east-1"], capture_output=True, text=True)
out["cli"] = json.loads(cli.stdout)["Arn"] if cli.returncode == 0 else cli.stderr
print(json.dumps(out))
sys.exit(7)
"""


def test_boto3_and_the_aws_cli_in_the_child_sign_with_served_credentials(
        role_guide, moto_sandbox, moto):
    shadowing = {"AWS_PROFILE": "marketingadmin", "AWS_ACCESS_KEY_ID": "AKIASHADOW",
                 "AWS_SECRET_ACCESS_KEY": "shadow", "AWS_SESSION_TOKEN": "shadow"}
    # --profile: rolectl itself ignores the keys of its environment (as the AWS CLI does).
    done = moto_sandbox.run(["--profile", "marketingadmin", "exec", "--server", "--",
                             str(VENV_BIN / "python"), "-c", CHILD,
                             str(VENV_BIN / "aws")], env=shadowing)
    assert done.status == 7, done.stderr  # the child's own exit status
    out = json.loads(done.stdout)
    env = out["env"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert env[name] is None, f"the child inherited {name}"
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert len(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) == 64
    assert out["boto3_method"] == "container-role"
    prefix = assumed_role_arn(role_guide.role_name, "")
    assert out["boto3"].startswith(prefix), out
    assert out["cli"] == out["boto3"], out
    # Both SDKs' credentials came from one resolution, kept in the shared cache.
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    assert len(moto_sandbox.cache_files()) == 1


def test_the_container_json_and_a_stale_entry_refreshed(role_guide, moto_sandbox, moto, server):
    status, body = server.get()
    assert status == 200, body
    first = json.loads(body)
    assert list(first) == ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"]
    expiry = datetime.strptime(first["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
    assert timedelta(minutes=50) < expiry - datetime.utcnow() < timedelta(minutes=61)
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    # The cache entry goes stale (less than 15 minutes left): the next
    # request gets fresh credentials from STS.
    [entry_file] = moto_sandbox.cache_files()
    entry = json.loads(entry_file.read_text())
    assert entry["Credentials"]["AccessKeyId"] == first["AccessKeyId"]
    soon = datetime.now(timezone.utc) + timedelta(minutes=5)
    entry["Credentials"]["Expiration"] = soon.isoformat()
    entry_file.write_text(json.dumps(entry))
    status, body = server.get()
    assert status == 200, body
    second = json.loads(body)
    assert second["AccessKeyId"] != first["AccessKeyId"]
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 2
    # And a fresh entry is served as it is.
    status, body = server.get()
    assert json.loads(body) == second
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 2
    stderr = server.stop()
    assert first["SecretAccessKey"] not in stderr and second["Token"] not in stderr


def test_every_other_request_is_refused(server):
    port = server.port
    assert server.get(token=None)[0] == 401
    assert server.get(token="0" * 64)[0] == 403
    assert server.get(token=server.token[:-1])[0] == 403
    assert server.get(path="/other")[0] == 404
    assert server.get(method="POST")[0] == 405
    assert server.get(method="PUT")[0] == 405
    assert server.get(host=f"evil.example:{port}")[0] == 421
    assert server.get(host=f"127.0.0.1:{port + 1}")[0] == 421
    assert server.get(host="127.0.0.1")[0] == 421
    assert server.get(host=f"localhost:{port}")[0] == 200
    assert server.get(extra=b"Content-Length: 5\r\n")[0] == 413
    # Refusals carry no credentials.
    for code, body in [server.get(token=None), server.get(path="/x")]:
        assert b"AccessKeyId" not in body and b"ASIA" not in body


def test_slow_and_huge_requests_are_cut_off(server):
    start = time.monotonic()
    # A byte every 0.25 s: the headers would take 15 s; the server stops at 5.
    slow = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"X-Pad: {'a' * 20}\r\n\r\n").encode()
    answer = server.raw(slow, pause=0.25)
    elapsed = time.monotonic() - start
    assert status_of(answer) == 408
    assert elapsed < 12, elapsed
    huge = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: {server.token}\r\nX-Pad: {'a' * 20000}\r\n\r\n").encode()
    answer = server.raw(huge)
    assert status_of(answer) == 431
    # The server still answers afterwards.
    assert server.get()[0] == 200


def test_twenty_concurrent_cold_requests_make_one_assume_role(role_guide, moto, server):
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: server.get(), range(20)))
    assert [s for s, _ in answers] == [200] * 20
    assert len({body for _, body in answers}) == 1
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


def test_without_the_disk_cache_concurrent_requests_still_share_one_resolution(
        role_guide, moto_sandbox, moto):
    # No cache file to fall back on: only the server's single flight and its
    # copy in memory keep this at one AssumeRole.
    s = Server(moto_sandbox, ["--port", "0"], global_args=["--no-cache"])
    try:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: s.get(), range(20)))
        assert [status for status, _ in answers] == [200] * 20
        assert len({body for _, body in answers}) == 1
        assert s.get()[1] == answers[0][1]
        assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
        assert moto_sandbox.cache_files() == []
    finally:
        s.stop()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_variables_in_each_shell_style(role_guide, moto_sandbox, fmt):
    s = Server(moto_sandbox, ["--format", fmt, "--port", "0"])
    try:
        want = [FORMATS[fmt].format(name="AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                    value=f"http://127.0.0.1:{s.port}/") + "\n",
                FORMATS[fmt].format(name="AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                    value=s.token) + "\n"]
        assert s.lines == want
    finally:
        s.stop()


def _listening_addresses(port: int) -> list[str]:
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, p = local.rsplit(":", 1)
            if int(p, 16) == port and state == "0A":
                out.append(address)
    return out


def test_the_server_listens_on_loopback_only_and_a_fixed_port(role_guide, moto_sandbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    s = Server(moto_sandbox, ["--port", str(port)])
    try:
        assert s.port == port
        assert _listening_addresses(port) == ["0100007F"]
        # The port is taken now: a second server says so and stops.
        done = moto_sandbox.run(["--profile", "marketingadmin", "serve", "--port", str(port)])
        assert done.status == 1
        assert f"127.0.0.1:{port}" in done.stderr
    finally:
        s.stop()


def test_signals_reach_the_child_and_its_status_is_rolectls(role_guide, moto_sandbox, tmp_path):
    ready = tmp_path / "ready"
    child = (
        "import signal, sys, time, pathlib\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        f"pathlib.Path({str(ready)!r}).write_text('x')\n"
        "time.sleep(30)\n"
        "sys.exit(1)\n")
    proc = subprocess.Popen(
        [str(rolectl_path()), "--profile", "marketingadmin", "exec", "--server", "--",
         str(VENV_BIN / "python"), "-c", child],
        env=moto_sandbox.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=str(moto_sandbox.home))
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 42


def test_a_missing_command_and_a_missing_profile(role_guide, moto_sandbox):
    done = moto_sandbox.run(["--profile", "marketingadmin", "exec", "--server", "--",
                             "/nonexistent/cmd"])
    assert done.status == 127
    done = moto_sandbox.run(["--profile", "nope", "exec", "--server", "--", "true"])
    assert done.status == 1
    assert '"nope"' in done.stderr or "nope" in done.stderr


def test_a_default_profile_with_keys_is_warned_about(role_guide, moto_sandbox):
    # An SDK in the child would use [default] before the server: say so.
    moto_sandbox.write_credentials(role_guide.credentials_text()
                                   + "[default]\naws_access_key_id = AKIADEFAULT\n"
                                   "aws_secret_access_key = x\n")
    done = moto_sandbox.run(["--profile", "marketingadmin", "exec", "--server", "--", "true"])
    assert done.status == 0, done.stderr
    assert "warning: the default profile has credentials of its own (static-keys)" in done.stderr
    moto_sandbox.write_credentials(role_guide.credentials_text())
    done = moto_sandbox.run(["--profile", "marketingadmin", "exec", "--server", "--", "true"])
    assert done.status == 0 and done.stderr == "", done.stderr


def test_the_mfa_prompt_is_on_rolectls_terminal_once_for_concurrent_requests(
        role_guide, moto_sandbox, moto):
    from conftest import ACCOUNT
    from test_moto_mfa import PtyRun

    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{role_guide.user.name}"
    moto_sandbox.write_config(role_guide.config_text(f"mfa_serial = {serial}\n"))
    prompt = f"Enter MFA code for {serial}: ".encode()
    run = PtyRun(moto_sandbox, ["--profile", "marketingadmin", "serve"])
    try:
        lines = [run.proc.stdout.readline().decode() for _ in range(2)]
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", lines[0]).group(1))
        token = lines[1].strip().split("=", 1)[1]
        request = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Authorization: {token}\r\n\r\n").encode()

        def get(_):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(request)
                out = b""
                while chunk := s.recv(65536):
                    out += chunk
                return out

        with ThreadPoolExecutor(5) as pool:
            answers = pool.map(get, range(5))
            run.read_until(prompt)
            run.wait_for_echo_off()
            time.sleep(0.3)
            os.write(run.master, b"123456\n")
            answers = list(answers)
        assert all(status_of(a) == 200 for a in answers), answers
        assert len({a.split(b"\r\n\r\n", 1)[1] for a in answers}) == 1
        assert run.transcript.count(prompt) == 1, run.transcript
        [call] = moto.assume_role_calls(role_guide.role_arn)
        assert call.params["SerialNumber"] == serial and call.params["TokenCode"] == "123456"
    finally:
        run.proc.terminate()
        run.finish()
