"""Many rolectl processes for one cold profile at once: the per-key lock
makes one of them call STS (and ask for the MFA code); the others wait and
read the entry it stored."""

from __future__ import annotations

import subprocess
import time

from conftest import ACCOUNT, parse_process_json, rolectl_path

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


def test_fifty_cold_runs_with_mfa_ask_for_one_code(role_guide, moto_sandbox, moto, tmp_path):
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{role_guide.user.name}"
    moto_sandbox.write_config(role_guide.config_text(f"mfa_serial = {serial}\n"))
    prompt = f"Enter MFA code for {serial}: "
    # No controlling terminal (a new session): the prompt goes to stderr and
    # the code is read from stdin, each process with its own pipe.
    procs = _start_all(moto_sandbox, ["--profile", "marketingadmin", "credential-process"],
                       subprocess.PIPE, tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        asking = []
        while not asking:
            assert time.monotonic() < deadline, "no process asked for the MFA code"
            asking = [i for i, text in enumerate(_outputs(tmp_path, "err")) if prompt in text]
            finished = [i for i, p in enumerate(procs) if p.poll() is not None]
            assert not finished, f"processes {finished} ended before any code was given"
            time.sleep(0.02)
        # Give the others time to (wrongly) ask as well.
        time.sleep(0.5)
        asking = [i for i, text in enumerate(_outputs(tmp_path, "err")) if prompt in text]
        assert len(asking) == 1, f"{len(asking)} processes asked for a code"
        [first] = asking
        procs[first].stdin.write(CODE.encode() + b"\n")
        procs[first].stdin.close()
        # Every other stdin is closed: a process that asked now would fail.
        for i, proc in enumerate(procs):
            if i != first:
                proc.stdin.close()
        statuses = _wait_all(procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    errors = _outputs(tmp_path, "err")
    assert statuses == [0] * N, [e for e in errors if e]
    assert errors[first] == prompt, errors[first]
    assert [e for i, e in enumerate(errors) if i != first] == [""] * (N - 1)
    outputs = _outputs(tmp_path, "out")
    assert len(set(outputs)) == 1, "the runs printed different credentials"
    [call] = moto.assume_role_calls(role_guide.role_arn)
    assert call.params["SerialNumber"] == serial
    assert call.params["TokenCode"] == CODE
