"""`rolectl cache-process -- CMD ...` and `rolectl_process_cache = true`:
a credential_process helper that counts its runs (under a lock of its own)
is run once for repeated and for 20 parallel cold calls, again once its
cached output is near its Expiration, every time when it prints no
Expiration, and a failing helper's stderr is shown with nothing cached."""

from __future__ import annotations

import hashlib
import json
import shlex
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from conftest import Sandbox, rolectl_path

SECRET = "helperSecretKey/EXAMPLE+0123456789abcdef"
TOKEN = "helperSessionTokenEXAMPLE"

HELPER = r'''
import fcntl, json, os, sys, time
count_file = sys.argv[1]
mode = sys.argv[2]
with open(count_file + ".lock", "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    n = int(open(count_file).read()) if os.path.exists(count_file) else 0
    with open(count_file, "w") as f:
        f.write(str(n + 1))
# Slow enough that parallel callers overlap while it runs.
time.sleep(float(os.environ.get("HELPER_SLEEP", "0")))
if mode == "fail":
    sys.stderr.write("saml helper: the IdP refused the login (HTTP 401)\n")
    sys.exit(3)
out = {"Version": 1, "AccessKeyId": "ASIAHELPER" + str(n + 1),
       "SecretAccessKey": "@SECRET@", "SessionToken": "@TOKEN@"}
if mode != "no-expiration":
    out["Expiration"] = mode
print(json.dumps(out))
'''.replace("@SECRET@", SECRET).replace("@TOKEN@", TOKEN)


def expiration(minutes: int) -> str:
    at = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Helper:
    def __init__(self, box: Sandbox, tmp_path):
        self.box = box
        self.script = tmp_path / "helper.py"
        self.script.write_text(HELPER)
        self.counter = tmp_path / "runs"

    def argv(self, mode: str) -> list[str]:
        return [sys.executable, str(self.script), str(self.counter), mode]

    def command(self, mode: str) -> str:
        return shlex.join(self.argv(mode))

    def key(self, mode: str) -> str:
        return "rolectl-process-" + hashlib.sha1(self.command(mode).encode()).hexdigest()

    @property
    def runs(self) -> int:
        return int(self.counter.read_text()) if self.counter.exists() else 0

    def entry(self, mode: str):
        return self.box.cache_dir / f"{self.key(mode)}.json"

    def call(self, mode: str, env=None):
        return self.box.run(["cache-process", "--", *self.argv(mode)], env=env)


@pytest.fixture
def helper(sandbox: Sandbox, tmp_path) -> Helper:
    return Helper(sandbox, tmp_path)


def test_repeated_calls_run_the_helper_once(helper):
    mode = expiration(60)
    first = helper.call(mode)
    assert (first.status, first.stderr) == (0, ""), first.stderr
    assert json.loads(first.stdout)["AccessKeyId"] == "ASIAHELPER1"
    for _ in range(3):
        again = helper.call(mode)
        assert (again.status, again.stdout, again.stderr) == (0, first.stdout, "")
    assert helper.runs == 1
    entry = helper.entry(mode)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert entry.read_text() == first.stdout
    # cache list names the entry without a secret.
    listed = helper.box.run(["cache", "list"])
    assert listed.status == 0, listed.stderr
    assert helper.key(mode) in listed.stdout and "credential_process" in listed.stdout
    assert SECRET not in listed.stdout and TOKEN not in listed.stdout


def test_twenty_parallel_cold_calls_run_the_helper_once(helper):
    mode = expiration(60)
    env = {"HELPER_SLEEP": "0.5"}
    with ThreadPoolExecutor(20) as pool:
        runs = list(pool.map(lambda _: helper.call(mode, env=env), range(20)))
    assert [r.status for r in runs] == [0] * 20, [r.stderr for r in runs]
    assert len({r.stdout for r in runs}) == 1
    assert helper.runs == 1


def test_an_expired_entry_runs_the_helper_again(helper):
    mode = expiration(60)
    assert helper.call(mode).status == 0
    entry = helper.entry(mode)
    old = json.loads(entry.read_text())
    # Inside the 15-minute margin: as good as expired.
    old["Expiration"] = expiration(10)
    entry.write_text(json.dumps(old))
    again = helper.call(mode)
    assert again.status == 0, again.stderr
    assert json.loads(again.stdout)["AccessKeyId"] == "ASIAHELPER2"
    assert helper.runs == 2
    assert json.loads(entry.read_text())["AccessKeyId"] == "ASIAHELPER2"


def test_output_without_expiration_is_never_cached(helper):
    for n in (1, 2, 3):
        run = helper.call("no-expiration")
        assert run.status == 0, run.stderr
        assert json.loads(run.stdout)["AccessKeyId"] == f"ASIAHELPER{n}"
    assert helper.runs == 3
    assert helper.box.cache_files() == []


def test_a_failing_helper_shows_its_stderr_and_caches_nothing(helper):
    run = helper.call("fail")
    assert run.status == 1
    assert run.stdout == ""
    assert "the IdP refused the login (HTTP 401)" in run.stderr
    assert "exit code 3" in run.stderr and "Nothing was cached" in run.stderr
    assert helper.box.cache_files() == []
    assert helper.call("fail").status == 1
    assert helper.runs == 2


def test_the_profile_key_caches_its_own_credential_process(helper):
    mode = expiration(60)
    box = helper.box
    box.write_config(
        f"[profile saml]\ncredential_process = {helper.command(mode)}\n"
        "rolectl_process_cache = true\n"
        f"[profile wrapped]\ncredential_process = {rolectl_path()} cache-process -- "
        f"{helper.command(mode)}\n")
    first = box.run(["--profile", "saml", "export"])
    assert first.status == 0, first.stderr
    second = box.run(["--profile", "saml", "export"])
    assert second.stdout == first.stdout
    assert helper.runs == 1
    # The same key as cache-process: the wrapped profile reuses the entry.
    assert box.cache_files() == [helper.entry(mode)]
    wrapped = box.run(["--profile", "wrapped", "export"])
    assert wrapped.status == 0, wrapped.stderr
    assert json.loads(wrapped.stdout)["AccessKeyId"] == "ASIAHELPER1"
    assert helper.runs == 1

    explained = box.run(["--profile", "saml", "explain"])
    assert explained.status == 0, explained.stderr
    assert f"cache {helper.key(mode)}: fresh" in explained.stdout, explained.stdout
    # Before the first run, the miss runs the command; no STS call is made.
    missing = box.run(["--profile", "saml", "explain"], env={"HOME": str(box.home / "elsewhere")})
    assert f"cache {helper.key(mode)}: no entry, so the command is run" in missing.stdout, missing
    listed = box.run(["cache", "list"])
    assert "(profile saml)" in listed.stdout, listed.stdout

    cleared = box.run(["--profile", "saml", "cache", "clear"])
    assert cleared.status == 0, cleared.stderr
    assert box.cache_files() == []
    assert box.run(["--profile", "saml", "export"]).status == 0
    assert helper.runs == 2


def test_the_profile_key_never_caches_output_without_expiration(helper):
    helper.box.write_config(
        f"[profile p]\ncredential_process = {helper.command('no-expiration')}\n"
        "rolectl_process_cache = true\n")
    for _ in range(2):
        assert helper.box.run(["--profile", "p", "export"]).status == 0
    assert helper.runs == 2
    assert helper.box.cache_files() == []
