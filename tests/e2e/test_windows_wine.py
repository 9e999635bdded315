"""rolectl.exe, the Windows build of scripts/release.sh
(x86_64-pc-windows-gnu), under Wine against the local moto: the home is
%USERPROFILE% (set inside Windows by the test launcher), the cache is the
AWS CLI's, shared with botocore and with the Linux rolectl, two processes
lock and replace an entry atomically, `exec` runs the command as a child
and ends with its status, and credential_process is split as botocore
splits it on Windows.

Wine, mingw and the .exe must be there (scripts/setup.sh installs Wine and
mingw, scripts/release.sh builds the .exe): without them these tests fail.
Test-only helpers built here with mingw (tests/windows/): a
bcryptprimitives.dll that Wine 8 lacks (Rust's std needs its ProcessPrng),
installed into the test prefix only, and a launcher that sets USERPROFILE
inside Windows, since Wine replaces it with its own."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pytest

from conftest import REPO, Run, Sandbox, botocore_credentials, clean_env, parse_process_json

WINDOWS_TARGET = "x86_64-pc-windows-gnu"
MINGW_GCC = "x86_64-w64-mingw32-gcc"
HELPERS = REPO / "tests" / "windows"
FORMATS = ["process", "env", "env-no-export", "fish", "powershell", "windows-cmd"]


def windows_exe() -> Path:
    """$ROLECTL_WINDOWS_EXE, else the release build of scripts/release.sh."""
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    return Path(os.environ.get("ROLECTL_WINDOWS_EXE")
                or target / WINDOWS_TARGET / "release" / "rolectl.exe")


def windows_path(path: Path | str) -> str:
    """The path as a Windows program under Wine names it (drive Z: is /)."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


def find_tool(name: str, *fallbacks: str) -> str:
    for candidate in (shutil.which(name), *fallbacks):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"{name} is missing: scripts/setup.sh installs it (Debian's wine64 and "
                f"gcc-mingw-w64-x86-64)")


@dataclass
class Wine:
    """A Wine prefix with the test helpers, its wineserver kept running."""

    wine: str
    env: dict[str, str]
    launcher: str
    exe: Path

    def command(self, args: Iterable[str], home: Path, exe: Path | None = None) -> list[str]:
        line = subprocess.list2cmdline([windows_path(exe or self.exe), *args])
        # HOME is dropped: the home must come from USERPROFILE.
        return [self.wine, self.launcher, f"USERPROFILE={windows_path(home)}", "HOME=",
                "--", line]

    def environ(self, home: Path, env: Mapping[str, str | None] | None = None,
                sts_url: str | None = None) -> dict[str, str]:
        # The files are found from the home: no AWS_CONFIG_FILE and friends.
        base = clean_env(home, {"AWS_CONFIG_FILE": None,
                                "AWS_SHARED_CREDENTIALS_FILE": None}, sts_url)
        base.update(self.env)
        for name, value in (env or {}).items():
            if value is None:
                base.pop(name, None)
            else:
                base[name] = value
        return base

    def run(self, args: Iterable[str], sandbox: Sandbox,
            env: Mapping[str, str | None] | None = None, input: str | None = None,
            exe: Path | None = None, sts_url: str | None = None, timeout: float = 60) -> Run:
        done = subprocess.run(
            self.command(args, sandbox.home, exe),
            env=self.environ(sandbox.home, env, sts_url or sandbox.sts_url),
            input=(input or "").encode(), capture_output=True, timeout=timeout,
            cwd=str(sandbox.home))
        return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))

    def start(self, args: Iterable[str], sandbox: Sandbox, sts_url: str,
              out: Path) -> subprocess.Popen:
        with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
            return subprocess.Popen(
                self.command(args, sandbox.home),
                env=self.environ(sandbox.home, None, sts_url),
                stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                cwd=str(sandbox.home))


@pytest.fixture(scope="session")
def wine(tmp_path_factory) -> Wine:
    exe = windows_exe()
    if not exe.is_file():
        pytest.fail(f"{exe} is missing: build it with scripts/release.sh "
                    f"(or cargo build --release -p rolectl-cli --target {WINDOWS_TARGET})")
    wine64 = find_tool("wine64", "/usr/lib/wine/wine64")
    wineserver = find_tool("wineserver", "/usr/lib/wine/wineserver")
    gcc = find_tool(MINGW_GCC)
    root = tmp_path_factory.mktemp("wine")
    prefix = root / "prefix"
    env = {
        "WINEPREFIX": str(prefix),
        "WINEDEBUG": "-all",
        # No Mono or Gecko installer: rolectl needs neither.
        "WINEDLLOVERRIDES": "mscoree,mshtml=",
        "WINEARCH": "win64",
    }
    boot_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root), **env}
    helpers = root / "helpers"
    helpers.mkdir()
    subprocess.run([gcc, "-O2", "-shared", "-o", str(helpers / "bcryptprimitives.dll"),
                    str(HELPERS / "bcryptprimitives.c"), str(HELPERS / "bcryptprimitives.def"),
                    "-ladvapi32"], check=True)
    subprocess.run([gcc, "-O2", "-municode", "-o", str(helpers / "launch.exe"),
                    str(HELPERS / "launch.c")], check=True)
    boot = subprocess.run([wine64, "wineboot", "-i"], env=boot_env, capture_output=True,
                          timeout=300)
    system32 = prefix / "drive_c" / "windows" / "system32"
    assert system32.is_dir(), f"wineboot made no prefix: {boot.stderr.decode()[-2000:]}"
    shutil.copy(helpers / "bcryptprimitives.dll", system32 / "bcryptprimitives.dll")
    # One wineserver for the whole session instead of one per run.
    subprocess.run([wineserver, "-p"], env=boot_env, check=True)
    try:
        yield Wine(wine64, {**env}, windows_path(helpers / "launch.exe"), exe)
    finally:
        subprocess.run([wineserver, "-k"], env=boot_env)


def git_commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_version_names_the_version_and_the_commit(wine, sandbox):
    r = wine.run(["--version"], sandbox)
    assert r.status == 0, r
    version = re.search(r'^version = "(.*)"$', (REPO / "Cargo.toml").read_text(), re.M)[1]
    assert r.stdout == f"rolectl {version} ({git_commit()})\n", r


def test_a_cold_profile_is_assumed_once_and_shared_with_the_aws_cli_and_linux(
        wine, role_guide, moto_sandbox, moto):
    profile = ["--profile", "marketingadmin"]
    first = wine.run([*profile, "credential-process"], moto_sandbox)
    assert first.status == 0 and first.stderr == "", first
    creds = parse_process_json(first.stdout)
    assert creds["AccessKeyId"].startswith("ASIA")
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    # Written under %USERPROFILE%\.aws\cli\cache, as the AWS CLI names it.
    assert len(moto_sandbox.cache_files()) == 1
    # botocore, wired as the AWS CLI wires it, takes the entry as its own.
    theirs = botocore_credentials(moto_sandbox, "marketingadmin")
    assert (theirs["access_key"], theirs["secret_key"], theirs["token"]) == (
        creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    # Every export format, byte for byte what the Linux rolectl prints from
    # the same entry (pinned against the AWS CLI by the other tests).
    for fmt in FORMATS:
        windows = wine.run([*profile, "export", "--format", fmt], moto_sandbox)
        linux = moto_sandbox.run([*profile, "export", "--format", fmt])
        assert windows.status == 0 and linux.status == 0, (fmt, windows, linux)
        assert windows.stdout == linux.stdout, fmt
        assert creds["SecretAccessKey"] in windows.stdout
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


def test_an_entry_the_aws_cli_wrote_under_userprofile_is_a_hit(
        wine, role_guide, moto_sandbox, moto):
    # botocore calls STS itself here, and needs a region for it.
    moto_sandbox.write_config(role_guide.config_text("region = us-east-1\n"))
    theirs = botocore_credentials(moto_sandbox, "marketingadmin")
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    r = wine.run(["--profile", "marketingadmin", "export"], moto_sandbox)
    assert r.status == 0, r
    ours = parse_process_json(r.stdout)
    assert (ours["AccessKeyId"], ours["SecretAccessKey"], ours["SessionToken"]) == (
        theirs["access_key"], theirs["secret_key"], theirs["token"])
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


def test_exec_runs_the_command_with_the_credentials_and_ends_with_its_status(
        wine, role_guide, moto_sandbox, moto):
    # cmd expands the variables; AWS_PROFILE is removed for the command, so
    # cmd leaves its name as it is.
    r = wine.run(["--profile", "marketingadmin", "exec", "--", "cmd", "/c", "echo",
                  "%AWS_ACCESS_KEY_ID%", "%AWS_PROFILE%&", "exit", "7"], moto_sandbox,
                 env={"AWS_PROFILE": "marketingadmin"})
    assert r.status == 7, r
    key, profile = r.stdout.split()
    assert key.startswith("ASIA") and profile == "%AWS_PROFILE%", r
    ok = wine.run(["--profile", "marketingadmin", "exec", "--", "cmd", "/c", "exit", "0"],
                  moto_sandbox)
    assert ok.status == 0, ok
    missing = wine.run(["--profile", "marketingadmin", "exec", "--", "no-such-command"],
                       moto_sandbox)
    assert missing.status == 127, missing
    assert "The command `no-such-command` could not be run" in missing.stderr
    served = wine.run(["--profile", "marketingadmin", "exec", "--server", "--", "cmd", "/c",
                       "echo", "%AWS_CONTAINER_CREDENTIALS_FULL_URI%&", "exit", "5"],
                      moto_sandbox)
    assert served.status == 5, served
    assert served.stdout.startswith("http://127.0.0.1:"), served
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


def test_credential_process_is_split_as_botocore_splits_it_on_windows(
        wine, role_guide, moto_sandbox, moto, tmp_path):
    bin_dir = tmp_path / "bin dir"
    bin_dir.mkdir()
    shutil.copy(wine.exe, bin_dir / "rolectl.exe")
    # Quotes around the part with the space, backslashes outside them: a
    # POSIX split would drop those backslashes.
    directory, name = windows_path(bin_dir / "rolectl.exe").rsplit("\\", 1)
    command = f'"{directory}"\\{name} --profile "marketingadmin" credential-process'
    moto_sandbox.write_config(role_guide.config_text()
                              + f"[profile viaprocess]\ncredential_process = {command}\n")
    r = wine.run(["--profile", "viaprocess", "export"], moto_sandbox)
    assert r.status == 0, r
    via = parse_process_json(r.stdout)
    direct = parse_process_json(wine.run(["--profile", "marketingadmin", "export"],
                                         moto_sandbox).stdout)
    assert via["AccessKeyId"] == direct["AccessKeyId"]
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


class DelayingProxy:
    """Forwards each request to moto after a pause, so that two processes
    started together are both waiting for the cache lock or both inside STS
    (the pause widens the window; nothing is asserted about time)."""

    def __init__(self, upstream: str, pause: float):
        parts = urllib.parse.urlsplit(upstream)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(proxy.pause)
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                conn.request("POST", self.path, body, dict(self.headers.items()))
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection",
                                            "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.pause = pause
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_two_processes_refresh_an_expired_entry_once_and_replace_it_atomically(
        wine, role_guide, moto_sandbox, moto, tmp_path):
    args = ["--profile", "marketingadmin", "credential-process"]
    assert wine.run(args, moto_sandbox).status == 0
    [entry] = moto_sandbox.cache_files()
    # The entry, expired, as the AWS CLI writes it (offset form).
    stored = json.loads(entry.read_text())
    stored["Credentials"]["Expiration"] = "2020-01-01T00:00:00+00:00"
    entry.write_text(json.dumps(stored))
    old_text = entry.read_text()
    old_inode = entry.stat().st_ino
    proxy = DelayingProxy(moto.url, pause=2.0)
    try:
        with open(entry, "rb") as old:
            procs = [wine.start(args, moto_sandbox, proxy.url, tmp_path / f"out-{i}")
                     for i in range(2)]
            statuses = [p.wait(timeout=120) for p in procs]
            # Replaced by a rename: whoever had the old entry open still
            # reads all of it.
            assert old.read().decode() == old_text
    finally:
        proxy.stop()
    outputs = [(tmp_path / f"out-{i}").read_text() for i in range(2)]
    errors = [(tmp_path / f"out-{i}.err").read_text() for i in range(2)]
    assert statuses == [0, 0], errors
    assert outputs[0] == outputs[1], "the two runs printed different credentials"
    fresh = parse_process_json(outputs[0])
    assert fresh["AccessKeyId"] != stored["Credentials"]["AccessKeyId"]
    # One refresh for both: the cold run's call and one more.
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 2
    assert entry.stat().st_ino != old_inode
    assert json.loads(entry.read_text())["Credentials"]["AccessKeyId"] == fresh["AccessKeyId"]
    left = sorted(p.name for p in moto_sandbox.cache_dir.iterdir())
    assert left == [f".{entry.stem}.lock", entry.name], left


def test_cache_list_and_clear(wine, role_guide, moto_sandbox, moto):
    assert wine.run(["--profile", "marketingadmin", "export"], moto_sandbox).status == 0
    [entry] = moto_sandbox.cache_files()
    listed = wine.run(["cache", "list", "--format", "json"], moto_sandbox)
    assert listed.status == 0, listed
    rows = json.loads(listed.stdout)
    assert [row["key"] for row in rows] == [entry.stem], rows
    cleared = wine.run(["cache", "clear"], moto_sandbox)
    assert cleared.status == 0, cleared
    assert moto_sandbox.cache_files() == []


def test_explain_and_lint_read_the_files_under_userprofile(wine, sandbox):
    sandbox.write_config("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
                         "source_profile = base\n")
    sandbox.write_credentials("[base]\naws_access_key_id = AKIAEXAMPLE\n"
                              "aws_secret_access_key = example\n")
    config = windows_path(sandbox.config)
    explained = wine.run(["--profile", "dev", "explain"], sandbox)
    linux = sandbox.run(["--profile", "dev", "explain"])
    assert explained.status == 0, explained
    assert f"{config}:1:1" in explained.stdout, explained
    # The same chain as on Linux, with the Windows paths.
    home_linux, home_windows = str(sandbox.home), windows_path(sandbox.home)
    assert explained.stdout == linux.stdout.replace(
        home_linux + "/.aws/config", home_windows + "\\.aws\\config").replace(
        home_linux + "/.aws/credentials", home_windows + "\\.aws\\credentials")
    sandbox.write_config("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n")
    linted = wine.run(["lint"], sandbox)
    assert linted.status == 1, linted
    assert linted.stdout.startswith(f"{config}:2:1: error[role-without-source]: "), linted


def test_completions_for_powershell_are_the_linux_ones(wine, sandbox):
    # PowerShell itself is not in CI: the script is compared with the one
    # the Linux build prints (the same clap_complete generator).
    windows = wine.run(["completions", "powershell"], sandbox)
    linux = sandbox.run(["completions", "powershell"])
    assert windows.status == 0 and linux.status == 0, (windows, linux)
    assert "Register-ArgumentCompleter -Native -CommandName 'rolectl'" in windows.stdout
    assert windows.stdout == linux.stdout


def test_an_mfa_code_with_no_console_is_a_clear_error_without_a_prompt(wine, sandbox):
    # Under the test there is no console: rolectl.exe must not wait for a
    # code, nor print the prompt; it stops at once with exit 3 and says
    # which command provides the code, and nothing reaches STS.
    serial = "arn:aws:iam::123456789012:mfa/dev"
    sandbox.write_config("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
                         f"source_profile = base\nmfa_serial = {serial}\n")
    sandbox.write_credentials("[base]\naws_access_key_id = AKIAEXAMPLE\n"
                              "aws_secret_access_key = example\n")
    done = wine.run(["--profile", "dev", "export"], sandbox, sts_url="http://127.0.0.1:9")
    assert done.status == 3, done
    assert done.stdout == "" and "Enter MFA code" not in done.stderr, done
    assert serial in done.stderr and "rolectl --profile dev export" in done.stderr, done
