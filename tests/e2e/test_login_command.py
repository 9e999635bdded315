"""`rolectl login` (console credentials, as `aws login`) against the fake
Sign-In of fake_signin.py, the test acting as the browser; the files it
writes are then read by the AWS CLI (`aws configure get`), the CLI's own
ConfigFileWriter (the same edit of the same file) and botocore's
LoginProvider (botocore[crt]), and used and refreshed by rolectl."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from conftest import VENV_BIN, Sandbox, parse_process_json, rolectl_path
from fake_signin import CLIENT_ID, CROSS_DEVICE_ID, FakeSignin, public_jwk, utc
from fakes import run

SESSION = "arn:aws:iam::123456789012:user/alice"

CONFIG = """# my settings
[default]
region = eu-west-1

[profile console]
region = us-east-1
output = json
; a comment kept

[profile other]
aws_access_key_id = AKIAOTHER
"""


@pytest.fixture
def signin():
    server = FakeSignin()
    server.login_session = SESSION
    yield server
    server.stop()


@pytest.fixture
def home(sandbox: Sandbox, rolectl_bin) -> Sandbox:
    sandbox.write_config(CONFIG)
    sandbox.config.chmod(0o640)
    return sandbox


def env_for(signin: FakeSignin, **extra) -> dict:
    return {"AWS_ENDPOINT_URL_SIGNIN": signin.url, **extra}


def token_path(home: Sandbox):
    return home.aws / "login" / "cache" / f"{hashlib.sha256(SESSION.encode()).hexdigest()}.json"


def start(home: Sandbox, signin: FakeSignin, *args, env=None):
    p = subprocess.Popen([str(rolectl_path()), *args], env=home.env(env or env_for(signin)),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=str(home.home), text=True)
    return p


def authorize_line(p, signin: FakeSignin) -> tuple[str, list[str]]:
    seen = []
    for line in p.stderr:
        seen.append(line)
        if line.startswith(f"{signin.url}/v1/authorize?"):
            return line.strip(), seen
    raise AssertionError("no authorize URL printed:\n" + "".join(seen))


def browser(url: str) -> str:
    """Opens the URL at the fake (which approves at once) and follows its
    redirect to rolectl's loopback listener; returns the Location."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(url, timeout=10)
        raise AssertionError("the fake must redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.read()
        location = redirect.headers["Location"]
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(location, timeout=10) as page:
        assert page.status == 200
    return location


def login(home, signin, *args, stdin: str = ""):
    p = start(home, signin, "--profile", "console", "login", "--no-browser", *args)
    if stdin:
        p.stdin.write(stdin)
        p.stdin.flush()
    url, before = authorize_line(p, signin)
    location = browser(url)
    out, err = p.communicate(timeout=30)
    return p.returncode, out, "".join(before) + url + "\n" + err, location


def cli_writer(original: str, section: str, values: dict) -> str:
    """What the AWS CLI's ConfigFileWriter (`aws login`'s) makes of `original`."""
    code = r"""
import json, sys, tempfile, os
from awscli.customizations.configure.writer import ConfigFileWriter
text, section, values = json.loads(sys.stdin.read())
path = os.path.join(tempfile.mkdtemp(), "config")
open(path, "w").write(text)
ConfigFileWriter().update_config({"__section__": section, **values}, path)
sys.stdout.write(open(path).read())
"""
    done = subprocess.run([str(VENV_BIN / "python"), "-c", code], input=json.dumps([original, section, values]),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


BOTOCORE_LOGIN = r"""
import json, sys
import botocore.session
session = botocore.session.Session(profile=sys.argv[1])
creds = session.get_credentials().get_frozen_credentials()
print(json.dumps({"access_key": creds.access_key, "secret_key": creds.secret_key, "token": creds.token}))
"""


def botocore(home: Sandbox, env: dict) -> dict:
    # The login provider needs the CRT (conftest turns it off for the rest).
    done = subprocess.run([str(VENV_BIN / "python"), "-c", BOTOCORE_LOGIN, "console"],
                          env=home.env({**env, "BOTO_DISABLE_CRT": None}), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60, cwd=str(home.home))
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def code_grants(signin: FakeSignin) -> list[dict]:
    return [json.loads(r.body) for r in signin.calls() if json.loads(r.body).get("grantType") == "authorization_code"]


def refreshes(signin: FakeSignin) -> list[dict]:
    return [json.loads(r.body) for r in signin.calls() if json.loads(r.body).get("grantType") == "refresh_token"]


def dpop_jwk_of(pem: str) -> dict:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return public_jwk(key)


def assert_no_secrets(text: str, signin: FakeSignin, token: dict | None = None):
    for s in (signin.login_creds["secretAccessKey"], signin.login_creds["sessionToken"], "PRIVATE KEY"):
        assert s not in text
    if token:
        assert token["refreshToken"] not in text and token["idToken"] not in text


def test_login_writes_the_clis_files_which_botocore_the_cli_and_rolectl_use(home, signin):
    status, out, err, location = login(home, signin)
    assert status == 0, err
    assert f"Updated profile console to use {SESSION} credentials." in out
    # The browser's request: the CLI's parameters; the loopback redirect.
    (auth,) = signin.authorized
    assert auth["client_id"] == CLIENT_ID and auth["code_challenge_method"] == "SHA-256"
    assert auth["redirect_uri"] == location.split("?")[0]
    assert auth["redirect_uri"].startswith("http://127.0.0.1:")
    # The code grant: the CLI's body, in its order; its proof's key is the session's.
    (grant,) = code_grants(signin)
    assert list(grant) == ["clientId", "grantType", "code", "codeVerifier", "redirectUri"]
    assert len(grant["codeVerifier"]) == 64
    # The token file: the CLI's keys in its order, 0600, the new key in it.
    path = token_path(home)
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    token = json.loads(text)
    assert text == json.dumps(token), "json.dumps' separators, as JSONFileCache writes"
    assert list(token) == ["accessToken", "tokenType", "clientId", "refreshToken", "idToken", "dpopKey"]
    assert list(token["accessToken"]) == ["accessKeyId", "secretAccessKey", "sessionToken", "accountId",
                                          "expiresAt"]
    assert token["accessToken"]["accountId"] == "123456789012"
    assert token["clientId"] == CLIENT_ID and token["tokenType"] == "aws_sigv4"
    assert token["dpopKey"].startswith("-----BEGIN EC PRIVATE KEY-----\n")
    assert dpop_jwk_of(token["dpopKey"]) == signin.bound_jwks[-1]
    left = _dt.datetime.fromisoformat(token["accessToken"]["expiresAt"].replace("Z", "+00:00")) \
        - _dt.datetime.now(_dt.timezone.utc)
    assert _dt.timedelta(minutes=13) < left <= _dt.timedelta(minutes=15)
    assert_no_secrets(out + err, signin, token)
    assert grant["codeVerifier"] not in out + err and grant["code"] not in out + err
    # The config: exactly the CLI's own edit of the same file, its mode kept.
    assert home.config.read_text() == cli_writer(CONFIG, "profile console", {"login_session": SESSION})
    assert home.config.stat().st_mode & 0o777 == 0o640
    got = home.aws_cli(["configure", "get", "login_session", "--profile", "console"])
    assert (got.status, got.stdout.strip()) == (0, SESSION), str(got)
    # botocore's LoginProvider uses the file as it is: no call.
    calls = len(signin.calls())
    assert botocore(home, env_for(signin))["access_key"] == signin.login_creds["accessKeyId"]
    r = run(home, "--profile", "console", "export", "--format", "process", env=env_for(signin))
    assert r.status == 0, str(r)
    assert parse_process_json(r.stdout)["AccessKeyId"] == signin.login_creds["accessKeyId"]
    assert len(signin.calls()) == calls
    # Near its end rolectl refreshes it with a proof of the login's key
    # (the fake binds the refresh token to the key the login proved).
    token["accessToken"]["expiresAt"] = utc(_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=2))
    path.write_text(json.dumps(token))
    signin.login_creds = {**signin.login_creds, "accessKeyId": "ASIAREFRESHED0000002"}
    r = run(home, "--profile", "console", "export", "--format", "process", env=env_for(signin))
    assert r.status == 0, str(r)
    assert len(refreshes(signin)) == 1
    assert signin.proofs[-1]["header"]["jwk"] == signin.bound_jwks[-1]


def test_each_login_makes_a_new_key(home, signin):
    for _ in range(2):
        status, _, err, _ = login(home, signin)
        assert status == 0, err
    first, second = signin.bound_jwks
    assert first != second
    assert dpop_jwk_of(json.loads(token_path(home).read_text())["dpopKey"]) == second
    # The second login found login_session already there: the line is kept, not doubled.
    assert home.config.read_text().count("login_session") == 1


def test_a_callback_with_another_state_is_refused(home, signin):
    p = start(home, signin, "--profile", "console", "login", "--no-browser")
    url, _ = authorize_line(p, signin)
    redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"][0]
    try:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            f"{redirect}?code=stolen&state=not-the-one", timeout=10)
    except urllib.error.HTTPError as e:
        assert e.code == 400
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1 and "state" in err, err
    assert "rolectl login" in err
    assert code_grants(signin) == []
    assert not token_path(home).exists()
    assert home.config.read_text() == CONFIG


def test_remote_login_reads_the_pasted_code(home, signin):
    p = start(home, signin, "--profile", "console", "login", "--remote")
    url, _ = authorize_line(p, signin)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["client_id"] == [CROSS_DEVICE_ID]
    assert query["redirect_uri"] == [signin.confirmation_url()]
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as page:
        pasted = page.read().decode()
    out, err = p.communicate(pasted + "\n", timeout=30)
    assert p.returncode == 0, err
    (grant,) = code_grants(signin)
    assert grant["clientId"] == CROSS_DEVICE_ID and grant["redirectUri"] == signin.confirmation_url()
    assert json.loads(token_path(home).read_text())["clientId"] == CROSS_DEVICE_ID
    assert pasted not in out + err


def test_a_pasted_code_of_another_login_is_refused(home, signin):
    p = start(home, signin, "--profile", "console", "login", "--remote")
    authorize_line(p, signin)
    forged = base64.b64encode(b"state=another&code=signin-code-x").decode()
    out, err = p.communicate(forged + "\n", timeout=30)
    assert p.returncode == 1 and "state" in err, err
    assert code_grants(signin) == [] and not token_path(home).exists()


def test_a_profile_without_a_region_gets_the_one_asked_for(home, signin):
    # The profile ends the file, comments after it: the CLI's writer puts
    # new keys one line past the last option there.
    original = "[default]\noutput = text\n[profile console]\noutput = json\n# one\n# two\n"
    home.write_config(original)
    status, out, err, _ = login(home, signin, stdin="ap-south-1\n")
    assert status == 0, err
    expected = cli_writer(original, "profile console", {"login_session": SESSION, "region": "ap-south-1"})
    assert home.config.read_text() == expected
    assert "region = ap-south-1\n# two" in expected


def test_a_new_profile_and_a_missing_config_file(home, signin):
    home.config.unlink()
    p = start(home, signin, "login", "--no-browser")
    p.stdin.write("\n")
    p.stdin.flush()
    url, _ = authorize_line(p, signin)
    browser(url)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert home.config.read_text() == f"[default]\nlogin_session = {SESSION}\nregion = us-east-1\n"
    assert home.config.stat().st_mode & 0o777 == 0o600, "a new config file is the user's only"
    assert "--profile" not in out


def test_a_profile_with_other_credentials_is_refused_before_the_browser(home, signin):
    home.write_config(CONFIG + "\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
                      "source_profile = other\n")
    r = run(home, "--profile", "admin", "login", "--no-browser", env=env_for(signin))
    assert r.status == 1, str(r)
    assert "Profile 'admin' is already configured with Assume Role credentials" in r.stderr
    assert signin.requests == []


def test_an_expired_code_is_the_clis_message_and_nothing_is_written(home, signin):
    signin.refuse_code = "AUTHCODE_EXPIRED"
    status, out, err, _ = login(home, signin)
    assert status == 1, err
    assert "due to an expired authorization code" in err and "rolectl login" in err
    assert not token_path(home).exists()
    assert home.config.read_text() == CONFIG


def test_no_prompt_refuses_to_start_a_login(home, signin):
    r = run(home, "--no-prompt", "--profile", "console", "login", env=env_for(signin))
    assert r.status == 3, str(r)
    assert "--no-prompt" in r.stderr and "rolectl login" in r.stderr
    assert signin.requests == [] and home.config.read_text() == CONFIG


@pytest.mark.parametrize("answer,replaced", [("n", False), ("y", True)])
def test_a_profile_on_another_session_is_replaced_only_when_the_person_says_so(home, signin, answer, replaced):
    old = "arn:aws:iam::123456789012:user/bob"
    original = CONFIG.replace("output = json\n", f"output = json\nlogin_session = {old}\n")
    home.write_config(original)
    status, out, err, _ = login(home, signin, stdin=answer + "\n")
    assert status == 0, err
    assert f"Profile console is already configured to use session {old}" in err
    assert f"to use {SESSION} instead? (y/n)" in err
    assert token_path(home).exists() == replaced
    if replaced:
        assert home.config.read_text() == cli_writer(original, "profile console", {"login_session": SESSION})
        assert f"login_session = {SESSION}\n" in home.config.read_text()
    else:
        assert home.config.read_text() == original


def write_session_file(home: Sandbox, session: str) -> Path:
    from fake_signin import key_pem, new_key, session_file
    creds = {"accessKeyId": "ASIALOGINKEY00000001", "secretAccessKey": "s", "sessionToken": "t"}
    token = {"accessToken": {**creds, "accountId": "123456789012",
                             "expiresAt": utc(_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=10))},
             "tokenType": "aws_sigv4", "clientId": CLIENT_ID, "refreshToken": "r", "idToken": "a.b.c",
             "dpopKey": key_pem(new_key())}
    return session_file(home.aws / "login" / "cache", session, token)


def test_logout_removes_the_profiles_session_file_only(home, signin):
    home.write_config(CONFIG.replace("output = json\n", f"output = json\nlogin_session = {SESSION}\n"))
    mine = write_session_file(home, SESSION)
    other = write_session_file(home, "arn:aws:iam::123456789012:user/bob")
    r = run(home, "--profile", "console", "logout")
    assert r.status == 0, str(r)
    assert "Removed cached login credentials for profile 'console'." in r.stdout
    assert not mine.exists() and other.exists()
    r = run(home, "--profile", "other", "logout")
    assert r.status == 0 and "warning: no login session found for profile 'other'" in r.stderr, str(r)
    assert other.exists()


def test_logout_all_removes_every_login_session_and_nothing_else(home, signin):
    a = write_session_file(home, SESSION)
    b = write_session_file(home, "arn:aws:iam::123456789012:user/bob")
    unrelated = home.aws / "login" / "cache" / "notes.json"
    unrelated.write_text('{"accessToken": "an SSO-shaped token, not login credentials"}')
    sso_token = home.aws / "sso" / "cache" / "x.json"
    sso_token.parent.mkdir(parents=True)
    sso_token.write_text('{"accessToken": "t", "expiresAt": "2030-01-01T00:00:00Z"}')
    r = run(home, "logout", "--all")
    assert r.status == 0, str(r)
    assert r.stdout.startswith("Removed 2 cached login credentials.")
    assert not a.exists() and not b.exists() and unrelated.exists() and sso_token.exists()
    r = run(home, "logout", "--all")
    assert r.stdout == "No cached login session tokens found.\n", str(r)
