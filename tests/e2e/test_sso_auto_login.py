"""A resolution that finds its SSO token missing or expired logs in by
itself when a person can be asked (a controlling terminal, no --no-prompt),
as aws-vault does, and then gives the credentials; parallel runs that find
the token expired at once open one browser tab and make one login.

The browser is `xdg-open` on PATH: a stand-in that records each URL it is
given and opens it as a browser would (the fake portal approves at once and
redirects to rolectl's loopback listener). Each rolectl runs under a
pseudo-terminal of its own, as under a shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Sandbox, parse_process_json, rolectl_path
from fake_sso import FakeSso, RoleCreds, write_token
from test_moto_mfa import _make_controlling_tty
from test_sso import (ACCOUNT, PORTAL_KEY, PORTAL_SECRET, PORTAL_TOKEN, ROLE, SESSION,
                      SESSION_CONFIG, START_URL, env_for, session_token, token_file)

BROWSER = r'''#!{python}
import os, sys, urllib.request
with open({log!r}, "a") as log:
    log.write(sys.argv[1] + "\n")
# Detached, as a browser is: xdg-open returns at once.
if os.fork() == 0:
    os.setsid()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
    opener.open(sys.argv[1], timeout=30).read()
'''


@pytest.fixture
def sso():
    server = FakeSso()
    server.add_role(ACCOUNT, ROLE, RoleCreds(PORTAL_KEY, PORTAL_SECRET, PORTAL_TOKEN))
    server.device_grants = {(ACCOUNT, ROLE)}
    yield server
    server.stop()


@pytest.fixture
def home(sandbox: Sandbox, sso: FakeSso, rolectl_bin, tmp_path: Path) -> Sandbox:
    sandbox.write_config(SESSION_CONFIG)
    bin_dir = tmp_path / "browser-bin"
    bin_dir.mkdir()
    opener = bin_dir / "xdg-open"
    opener.write_text(BROWSER.format(python=sys.executable, log=str(tmp_path / "opened.log")))
    opener.chmod(0o755)
    sandbox.opened = tmp_path / "opened.log"
    sandbox.path = f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return sandbox


def start_under_terminal(home: Sandbox, sso: FakeSso, *args: str) -> tuple[subprocess.Popen, int]:
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [str(rolectl_path()), *args], stdin=slave, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=home.env(env_for(sso, PATH=home.path)),
        cwd=str(home.home), start_new_session=True, preexec_fn=_make_controlling_tty)
    os.close(slave)
    return proc, master


def finish(proc: subprocess.Popen, master: int) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    return proc.returncode, out.decode(), err.decode()


def opened(home: Sandbox) -> list[str]:
    return home.opened.read_text().splitlines() if home.opened.exists() else []


def test_an_expired_token_starts_a_login_and_the_credentials_follow(home, sso):
    expired = session_token(sso, hours=-1, refreshable=False)
    write_token(home.home, SESSION, expired)
    status, out, err = finish(*start_under_terminal(
        home, sso, "--profile", "dev", "export", "--format", "process"))
    assert status == 0, err
    # stdout holds the credentials alone; the login spoke on stderr.
    creds = parse_process_json(out)
    assert creds["AccessKeyId"] == PORTAL_KEY
    assert 'the SSO session of profile "dev" needs a login' in err
    assert f"Successfully logged into Start URL: {START_URL}" in err
    # One browser tab, at the portal's authorize page (the session has
    # registration scopes: the authorization code flow).
    [url] = opened(home)
    assert url.startswith(f"{sso.url}/authorize?")
    token = json.loads(token_file(home).read_text())
    assert token["accessToken"] != expired["accessToken"] and "refreshToken" in token
    [call] = sso.portal_calls()
    assert call.headers["x-amz-sso_bearer_token"] == token["accessToken"]
    assert token["accessToken"] not in out + err and PORTAL_SECRET not in err


def test_parallel_runs_with_an_expired_token_open_one_tab(home, sso):
    write_token(home.home, SESSION, session_token(sso, hours=-1, refreshable=False))
    runs = [start_under_terminal(home, sso, "--profile", "dev", "credential-process")
            for _ in range(4)]
    results = [finish(proc, master) for proc, master in runs]
    assert all(status == 0 for status, _, _ in results), results
    assert {parse_process_json(out)["AccessKeyId"] for _, out, _ in results} == {PORTAL_KEY}
    assert len(opened(home)) == 1, opened(home)
    assert len(sso.seen("POST", "/token")) == 1, "one authorization code exchanged"
    assert len(sso.portal_calls()) == 1, "the others used the cached credentials"


def test_without_a_person_no_login_is_started(home, sso):
    """No terminal (or --no-prompt): exit 3 with what to run, no browser."""
    write_token(home.home, SESSION, session_token(sso, hours=-1, refreshable=False))
    r = home.run(["--profile", "dev", "export"], env=env_for(sso, PATH=home.path))
    assert r.status == 3, str(r)
    assert "rolectl sso login --profile dev" in r.stderr
    status, _, err = finish(*start_under_terminal(
        home, sso, "--no-prompt", "--profile", "dev", "export"))
    assert status == 3, err
    assert opened(home) == [] and sso.seen("POST", "/token") == []
