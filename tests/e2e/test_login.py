"""Console login sessions (`login_session`, `aws login`) against the fake
Sign-In of fake_signin.py and, differentially, botocore's LoginProvider
(botocore[crt]: awscrt, pinned in tests/peers/requirements.txt) on the same
files; a role on top is assumed against moto."""

from __future__ import annotations

import datetime as _dt
import json
import subprocess

import pytest

from conftest import VENV_BIN, Moto, Sandbox, parse_process_json, rolectl_path, trust_policy
from fake_signin import CLIENT_ID, FakeSignin, key_pem, new_key, session_file, utc
from fakes import cache_leftovers, run

SESSION = "arn:aws:iam::123456789012:user/alice"
ACCOUNT = "123456789012"
OLD = {"accessKeyId": "ASIAOLDLOGINKEY00001", "secretAccessKey": "oldLoginSecret",
       "sessionToken": "oldLoginSessionToken"}
NEW = {"accessKeyId": "ASIANEWLOGINKEY00002", "secretAccessKey": "newLoginSecret",
       "sessionToken": "newLoginSessionToken"}

CONFIG = f"""[profile console]
login_session = {SESSION}
region = us-east-1
"""


@pytest.fixture
def signin():
    server = FakeSignin()
    yield server
    server.stop()


@pytest.fixture
def home(sandbox: Sandbox, signin: FakeSignin, rolectl_bin) -> Sandbox:
    sandbox.write_config(CONFIG)
    return sandbox


def login_dir(home: Sandbox):
    return home.aws / "login" / "cache"


def write_session(home: Sandbox, signin: FakeSignin, minutes_left: float, creds=OLD,
                  key=None, hands_out=NEW, cache_dir=None) -> dict:
    key = key or new_key()
    token = {
        "accessToken": {**creds, "accountId": ACCOUNT,
                        "expiresAt": utc(_dt.datetime.now(_dt.timezone.utc)
                                         + _dt.timedelta(minutes=minutes_left))},
        "tokenType": "aws_sigv4",
        "refreshToken": signin.session(key, hands_out),
        "idToken": "header.payload.signature",
        "clientId": CLIENT_ID,
        "dpopKey": key_pem(key),
        "signInRegion": "us-east-1",
    }
    session_file(cache_dir or login_dir(home), SESSION, token)
    return token


def token_path(home: Sandbox, cache_dir=None):
    import hashlib
    return (cache_dir or login_dir(home)) / f"{hashlib.sha256(SESSION.encode()).hexdigest()}.json"


def env_for(signin: FakeSignin, **extra) -> dict:
    return {"AWS_ENDPOINT_URL_SIGNIN": signin.url, **extra}


def export(home, signin, **extra):
    return run(home, "--profile", "console", "export", "--format", "process", env=env_for(signin, **extra))


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
                          env=home.env({**env, "BOTO_DISABLE_CRT": None}), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=60, cwd=str(home.home))
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_a_live_session_is_used_as_cached_without_a_call(home, signin):
    write_session(home, signin, minutes_left=30)
    r = export(home, signin)
    assert r.status == 0, str(r)
    out = parse_process_json(r.stdout)
    assert (out["AccessKeyId"], out["SecretAccessKey"], out["SessionToken"]) == (
        OLD["accessKeyId"], OLD["secretAccessKey"], OLD["sessionToken"])
    assert signin.calls() == []
    assert home.cache_files() == [], "login credentials are not put in the CLI cache"


def test_a_session_with_5_minutes_left_is_refreshed_with_a_dpop_proof_and_written_back(home, signin):
    old = write_session(home, signin, minutes_left=4)
    r = export(home, signin)
    assert r.status == 0, str(r)
    out = parse_process_json(r.stdout)
    assert out["AccessKeyId"] == NEW["accessKeyId"]
    (call,) = signin.calls()
    assert json.loads(call.body) == {"clientId": CLIENT_ID, "refreshToken": old["refreshToken"],
                                     "grantType": "refresh_token"}
    (proof,) = signin.proofs
    assert proof["payload"]["htu"] == f"{signin.url}/v1/token"
    new = json.loads(token_path(home).read_text())
    assert list(new) == list(old), "the file keeps its fields and their order"
    assert list(new["accessToken"]) == ["accessKeyId", "secretAccessKey", "sessionToken",
                                        "accountId", "expiresAt"]
    assert new["accessToken"]["accessKeyId"] == NEW["accessKeyId"]
    assert new["accessToken"]["accountId"] == ACCOUNT
    assert new["refreshToken"] != old["refreshToken"]
    assert (new["dpopKey"], new["idToken"], new["clientId"]) == (
        old["dpopKey"], old["idToken"], old["clientId"])
    assert token_path(home).stat().st_mode & 0o777 == 0o600
    for secret in (old["refreshToken"], new["refreshToken"], NEW["secretAccessKey"], "PRIVATE KEY"):
        assert secret not in r.stderr
    # A second refresh has a proof of its own (a fresh jti; the fake refuses a reused one).
    write_session(home, signin, minutes_left=4)
    again = export(home, signin)
    assert again.status == 0, str(again)
    assert len(signin.proofs) == 2


def test_botocore_and_rolectl_refresh_alike_and_use_each_others_session(home, signin):
    # botocore refreshes first: rolectl then uses its file with no call.
    write_session(home, signin, minutes_left=4)
    got = botocore(home, env_for(signin))
    assert got["access_key"] == NEW["accessKeyId"]
    assert len(signin.calls()) == 1
    by_botocore_text = token_path(home).read_text()
    r = export(home, signin)
    assert r.status == 0, str(r)
    assert parse_process_json(r.stdout)["AccessKeyId"] == NEW["accessKeyId"]
    assert len(signin.calls()) == 1, "rolectl used botocore's refreshed session"
    # rolectl refreshes the same kind of file: the same request and proof
    # shape, the same file text but for the new values.
    write_session(home, signin, minutes_left=4)
    assert export(home, signin).status == 0
    assert len(signin.calls()) == 2
    by_rolectl_text = token_path(home).read_text()
    b, o = json.loads(by_botocore_text), json.loads(by_rolectl_text)
    assert list(b) == list(o) and list(b["accessToken"]) == list(o["accessToken"])
    assert by_rolectl_text == json.dumps(o) and by_botocore_text == json.dumps(b)
    first, second = signin.calls()
    assert list(json.loads(first.body)) == list(json.loads(second.body))
    p1, p2 = signin.proofs
    assert p1["header"].keys() == p2["header"].keys() and list(p1["payload"]) == list(p2["payload"])
    # botocore then uses rolectl's refreshed file with no call.
    got = botocore(home, env_for(signin))
    assert got["access_key"] == NEW["accessKeyId"]
    assert len(signin.calls()) == 2


def test_aws_login_cache_directory_is_where_the_session_is(home, signin):
    elsewhere = home.home / "elsewhere"
    write_session(home, signin, minutes_left=30, cache_dir=elsewhere)
    r = export(home, signin, AWS_LOGIN_CACHE_DIRECTORY="$HOME/elsewhere")
    assert r.status == 0, str(r)
    assert parse_process_json(r.stdout)["AccessKeyId"] == OLD["accessKeyId"]


def test_a_role_on_a_login_session_is_assumed_with_its_credentials(home, signin, moto: Moto, unique):
    user = moto.create_user(f"login-user-{unique}")
    first = f"login-first-{unique}"
    first_arn = moto.create_role(first, trust_policy(user.arn))
    import boto3
    c = boto3.client("sts", endpoint_url=moto.url, region_name="us-east-1",
                     aws_access_key_id=user.access_key_id,
                     aws_secret_access_key=user.secret_access_key).assume_role(
        RoleArn=first_arn, RoleSessionName="console")["Credentials"]
    role_arn = moto.create_role(
        f"login-chain-{unique}", trust_policy(f"arn:aws:sts::{ACCOUNT}:assumed-role/{first}/console"))
    creds = {"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
             "sessionToken": c["SessionToken"]}
    write_session(home, signin, minutes_left=30, creds=creds)
    home.write_config(CONFIG + f"\n[profile admin]\nrole_arn = {role_arn}\nsource_profile = console\n")
    r = run(home, "--profile", "admin", "export", "--format", "process",
            env=env_for(signin, AWS_ENDPOINT_URL_STS=moto.url))
    assert r.status == 0, str(r)
    calls = moto.assume_role_calls(role_arn)
    assert [x.access_key_id for x in calls] == [c["AccessKeyId"]]


def assert_login_failure(r, home, *mentions, secrets=()):
    assert r.status == 1, str(r)
    assert r.stdout == ""
    for m in mentions:
        assert m in r.stderr, f"{m!r} not in\n{r}"
    for s in secrets:
        assert s not in r.stderr
    assert "panicked" not in r.stderr
    assert [p for p in cache_leftovers(home) if p.endswith(".json")] == []


@pytest.mark.parametrize("code,words", [
    ("TOKEN_EXPIRED", "Your session has expired or credentials have changed"),
    ("USER_CREDENTIALS_CHANGED", "Your session has expired or credentials have changed"),
    ("INSUFFICIENT_PERMISSIONS", "signin:CreateOAuth2Token"),
])
def test_refusals_are_the_clis_messages(home, signin, code, words):
    old = write_session(home, signin, minutes_left=-1)
    signin.refuse = code
    r = export(home, signin)
    assert_login_failure(r, home, words, 'profile "console"',
                         secrets=(old["refreshToken"], OLD["secretAccessKey"]))
    if code != "INSUFFICIENT_PERMISSIONS":
        assert "rolectl login --profile console" in r.stderr
    assert json.loads(token_path(home).read_text()) == old, "nothing written"


def test_a_proof_from_another_key_is_refused(home, signin):
    key, other = new_key(), new_key()
    old = write_session(home, signin, minutes_left=1, key=key)
    # The file's key is not the one the session was issued for.
    token = json.loads(token_path(home).read_text())
    token["dpopKey"] = key_pem(other)
    token_path(home).write_text(json.dumps(token))
    r = export(home, signin)
    assert_login_failure(r, home, "ValidationException", "Invalid DPoP proof",
                         secrets=(old["refreshToken"],))
    assert signin.proofs == []


def test_a_missing_session_says_to_log_in(home, signin):
    r = export(home, signin)
    assert_login_failure(r, home, f"Unable to load a existing login session for session {SESSION}",
                         "rolectl login --profile console", "aws login")


def test_parallel_runs_refresh_once(home, signin):
    write_session(home, signin, minutes_left=2)
    procs = [subprocess.Popen([str(rolectl_path()), "--profile", "console", "export", "--format", "process"],
                              env=home.env(env_for(signin)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=str(home.home)) for _ in range(5)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len(signin.calls()) == 1


def test_explain_and_profiles_know_login_sessions(home, signin):
    r = run(home, "--profile", "console", "explain", env=env_for(signin))
    assert r.status == 0, str(r)
    assert f"Console login session {SESSION}" in r.stdout and "DPoP" in r.stdout, r.stdout
    r = run(home, "profiles", "--format", "json")
    assert {p["name"]: p["kind"] for p in json.loads(r.stdout)}["console"] == "login"
