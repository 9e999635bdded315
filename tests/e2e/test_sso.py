"""IAM Identity Center profiles, against the loopback fake of fake_sso.py
and, differentially, the pinned botocore of the venv (its SSOProvider given
JSONFileCache(~/.aws/cli/cache), as the AWS CLI v2 wires it).

Every profile here reads its token from ~/.aws/sso/cache (as `aws sso
login` leaves it) and calls GetRoleCredentials at AWS_ENDPOINT_URL_SSO (the
fake); a role on top is assumed against moto, signed with the credentials
the portal gave (a moto user's keys)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import subprocess
import urllib.error
import urllib.parse
from pathlib import Path

import pytest

from conftest import VENV_BIN, Moto, Sandbox, parse_process_json, trust_policy
from fake_sso import FakeSso, RoleCreds, now, sso_cache_key, token_key, utc, write_token
from fakes import cache_leftovers, run

ACCOUNT = "123456789012"
ROLE = "ReadOnly"
SESSION = "corp"
START_URL = "https://d-9067000000.awsapps.com/start"
PORTAL_KEY = "ASIAPORTALEXAMPLE0001"
PORTAL_SECRET = "portalSecret/K7MDENG/bPxRfiCYEXAMPLEKEY"
PORTAL_TOKEN = "portal-session-token-EXAMPLE"


@pytest.fixture
def sso():
    server = FakeSso()
    server.add_role(ACCOUNT, ROLE, RoleCreds(PORTAL_KEY, PORTAL_SECRET, PORTAL_TOKEN))
    yield server
    server.stop()


@pytest.fixture
def home(sandbox: Sandbox, sso: FakeSso, rolectl_bin) -> Sandbox:
    return sandbox


def env_for(sso: FakeSso, **extra) -> dict:
    env = {"AWS_ENDPOINT_URL_SSO": sso.url, "AWS_ENDPOINT_URL_SSO_OIDC": sso.url}
    env.update(extra)
    return env


SESSION_CONFIG = f"""[profile dev]
sso_session = {SESSION}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = us-east-1

[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

LEGACY_CONFIG = f"""[profile old]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
"""


def session_token(sso: FakeSso, hours: float = 8, refreshable: bool = True) -> dict:
    token = sso.issue_token((ACCOUNT, ROLE))
    out = {"startUrl": START_URL, "region": "us-east-1", "accessToken": token,
           "expiresAt": utc(now() + _dt.timedelta(hours=hours))}
    if refreshable:
        client_id, secret = sso.register_client()
        out.update({"clientId": client_id, "clientSecret": secret,
                    "registrationExpiresAt": utc(now() + _dt.timedelta(days=90)),
                    "refreshToken": sso.issue_refresh_token(client_id, (ACCOUNT, ROLE))})
    return out


BOTOCORE_SSO = r"""
import json, os, sys
import botocore.session
from botocore.utils import JSONFileCache
profile = sys.argv[1]
session = botocore.session.Session(profile=profile)
cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
# As the AWS CLI v2 wires it: the SSO and assume-role providers share the CLI cache.
resolver = session.get_component("credential_provider")
resolver.get_provider("sso").cache = cache
resolver.get_provider("assume-role").cache = cache
creds = session.get_credentials().get_frozen_credentials()
print(json.dumps({"access_key": creds.access_key, "secret_key": creds.secret_key,
                  "token": creds.token}))
"""


def botocore(home: Sandbox, profile: str, env: dict) -> dict:
    done = subprocess.run([str(VENV_BIN / "python"), "-c", BOTOCORE_SSO, profile],
                          env=home.env(env), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=60, cwd=str(home.home))
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def export(home: Sandbox, profile: str, env: dict):
    return run(home, "--profile", profile, "export", "--format", "process", env=env)


def request_shape(r) -> tuple:
    path, _, query = r.path.partition("?")
    return (r.method, path, query, r.headers.get("x-amz-sso_bearer_token"))


# ---------------------------------------------------------------------------
# The sso-session form and the legacy form


def test_sso_session_profile_gets_the_portals_credentials_and_caches_them_as_botocore(home, sso):
    home.write_config(SESSION_CONFIG)
    token = session_token(sso)
    write_token(home.home, SESSION, token)
    r = export(home, "dev", env_for(sso))
    assert r.status == 0, str(r)
    out = parse_process_json(r.stdout)
    assert (out["AccessKeyId"], out["SecretAccessKey"], out["SessionToken"]) == (
        PORTAL_KEY, PORTAL_SECRET, PORTAL_TOKEN)
    calls = sso.portal_calls()
    assert [request_shape(c) for c in calls] == [
        ("GET", "/federation/credentials", f"role_name={ROLE}&account_id={ACCOUNT}",
         token["accessToken"])]
    # botocore's key and entry format, 0600.
    key = sso_cache_key(ACCOUNT, ROLE, session=SESSION)
    entry_path = home.cache_dir / f"{key}.json"
    entry = json.loads(entry_path.read_text())
    assert list(entry) == ["ProviderType", "Credentials"]
    assert entry["ProviderType"] == "sso"
    assert list(entry["Credentials"]) == ["AccessKeyId", "SecretAccessKey", "SessionToken",
                                          "Expiration", "AccountId"]
    assert entry["Credentials"]["Expiration"].endswith("Z")
    assert entry_path.stat().st_mode & 0o777 == 0o600
    # A second run is served from the cache.
    again = export(home, "dev", env_for(sso))
    assert again.status == 0, str(again)
    assert len(sso.portal_calls()) == 1


def test_the_legacy_form_reads_the_token_of_its_start_url(home, sso):
    home.write_config(LEGACY_CONFIG)
    token = session_token(sso, refreshable=False)
    write_token(home.home, START_URL, token)
    r = export(home, "old", env_for(sso))
    assert r.status == 0, str(r)
    assert parse_process_json(r.stdout)["AccessKeyId"] == PORTAL_KEY
    assert (home.cache_dir / f"{sso_cache_key(ACCOUNT, ROLE, start_url=START_URL)}.json").exists()


def test_aws_endpoint_url_sends_the_portal_call_there_too(home, sso):
    home.write_config(SESSION_CONFIG)
    write_token(home.home, SESSION, session_token(sso))
    r = export(home, "dev", {"AWS_ENDPOINT_URL": sso.url, "AWS_ENDPOINT_URL_STS": None})
    assert r.status == 0, str(r)
    assert len(sso.portal_calls()) == 1


# ---------------------------------------------------------------------------
# Differential: botocore and rolectl, same files, same requests


@pytest.mark.parametrize("form", ["session", "legacy"])
def test_botocore_uses_rolectls_entry_and_rolectl_uses_botocores(home, sso, form):
    config, profile, name = {
        "session": (SESSION_CONFIG, "dev", SESSION),
        "legacy": (LEGACY_CONFIG, "old", START_URL),
    }[form]
    home.write_config(config)
    write_token(home.home, name, session_token(sso, refreshable=False))
    # rolectl first: botocore then makes no call.
    r = export(home, profile, env_for(sso))
    assert r.status == 0, str(r)
    assert len(sso.portal_calls()) == 1
    got = botocore(home, profile, env_for(sso))
    assert (got["access_key"], got["secret_key"], got["token"]) == (
        PORTAL_KEY, PORTAL_SECRET, PORTAL_TOKEN)
    assert len(sso.portal_calls()) == 1, "botocore used rolectl's entry"
    # botocore first (empty cache): rolectl then makes no call, and both
    # made the same request.
    for p in home.cache_dir.glob("*.json"):
        p.unlink()
    botocore(home, profile, env_for(sso))
    assert len(sso.portal_calls()) == 2
    r = export(home, profile, env_for(sso))
    assert r.status == 0, str(r)
    assert parse_process_json(r.stdout)["AccessKeyId"] == PORTAL_KEY
    calls = sso.portal_calls()
    assert len(calls) == 2, "rolectl used botocore's entry"
    assert request_shape(calls[0]) == request_shape(calls[1])


# ---------------------------------------------------------------------------
# A role chain on top of an SSO profile, against moto


def test_a_role_on_an_sso_profile_is_assumed_with_the_portals_credentials(
        home, sso, moto: Moto, unique):
    # The portal hands out credentials of a moto role session, so that moto
    # checks the signature and the session token of the AssumeRole call.
    user = moto.create_user(f"sso-user-{unique}")
    sso_role = f"sso-role-{unique}"
    sso_role_arn = moto.create_role(sso_role, trust_policy(user.arn))
    role_arn = moto.create_role(
        f"sso-chain-{unique}",
        trust_policy(f"arn:aws:sts::{ACCOUNT}:assumed-role/{sso_role}/portal"))
    import boto3
    portal = boto3.client("sts", endpoint_url=moto.url, region_name="us-east-1",
                          aws_access_key_id=user.access_key_id,
                          aws_secret_access_key=user.secret_access_key).assume_role(
        RoleArn=sso_role_arn, RoleSessionName="portal")["Credentials"]
    sso.add_role(ACCOUNT, ROLE, RoleCreds(portal["AccessKeyId"], portal["SecretAccessKey"],
                                          portal["SessionToken"]))
    home.write_config(SESSION_CONFIG + f"""
[profile admin]
role_arn = {role_arn}
role_session_name = sso-chain
source_profile = dev
""")
    write_token(home.home, SESSION, session_token(sso))
    r = export(home, "admin", env_for(sso, AWS_ENDPOINT_URL_STS=moto.url))
    assert r.status == 0, str(r)
    out = parse_process_json(r.stdout)
    assert out["AccessKeyId"] != portal["AccessKeyId"]
    calls = moto.assume_role_calls(role_arn)
    assert [c.access_key_id for c in calls] == [portal["AccessKeyId"]]
    assert calls[0].header("X-Amz-Security-Token") == portal["SessionToken"]
    assert len(sso.portal_calls()) == 1


# ---------------------------------------------------------------------------
# Failures: a clear error, what to run, exit 1, nothing cached, no token shown


def assert_sso_failure(r, home, token: str, *mentions, status: int = 3):
    # A login needs a person, and these runs have no terminal: exit 3.
    assert r.status == status, str(r)
    assert r.stdout == "", str(r)
    for m in mentions:
        assert m in r.stderr, f"{m!r} not in\n{r}"
    assert token not in r.stderr and token not in r.stdout, str(r)
    assert "panicked" not in r.stderr
    assert [p for p in cache_leftovers(home) if p.endswith(".json")] == [], cache_leftovers(home)


def test_an_expired_token_without_refresh_says_to_log_in(home, sso):
    home.write_config(SESSION_CONFIG)
    token = session_token(sso, hours=-1, refreshable=False)
    write_token(home.home, SESSION, token)
    r = export(home, "dev", env_for(sso))
    assert_sso_failure(r, home, token["accessToken"], "rolectl sso login --profile dev",
                       "aws sso login", 'profile "dev"', "expired")
    assert sso.portal_calls() == [], "no call with an expired token"


def test_an_expired_legacy_token_says_to_log_in(home, sso):
    home.write_config(LEGACY_CONFIG)
    token = session_token(sso, hours=-1, refreshable=False)
    write_token(home.home, START_URL, token)
    r = export(home, "old", env_for(sso))
    assert_sso_failure(r, home, token["accessToken"], "rolectl sso login --profile old", "legacy form")
    assert sso.portal_calls() == []


def test_a_revoked_token_is_a_401_that_says_to_log_in(home, sso):
    home.write_config(SESSION_CONFIG)
    token = session_token(sso, refreshable=False)
    write_token(home.home, SESSION, token)
    sso.revoke(token["accessToken"])
    r = export(home, "dev", env_for(sso))
    assert_sso_failure(r, home, token["accessToken"], "expired or is otherwise invalid",
                       "rolectl sso login --profile dev")
    assert len(sso.portal_calls()) == 1


def test_a_missing_token_says_to_log_in(home, sso):
    home.write_config(SESSION_CONFIG)
    r = export(home, "dev", env_for(sso))
    assert_sso_failure(r, home, "no-token-was-ever-written", f"Token for {SESSION} does not exist",
                       f"{token_key(SESSION)}.json", "rolectl sso login --profile dev")


def test_an_unreachable_portal_is_a_clear_error(home, sso):
    home.write_config(SESSION_CONFIG)
    token = session_token(sso)
    write_token(home.home, SESSION, token)
    dead = FakeSso()
    url = dead.url
    dead.stop()
    r = export(home, "dev", {"AWS_ENDPOINT_URL_SSO": url})
    assert_sso_failure(r, home, token["accessToken"], url, "GetRoleCredentials", 'profile "dev"',
                       status=1)


# ---------------------------------------------------------------------------
# Reports


def test_explain_profiles_and_cache_list_know_sso(home, sso):
    home.write_config(SESSION_CONFIG)
    write_token(home.home, SESSION, session_token(sso))
    r = run(home, "--profile", "dev", "explain", env=env_for(sso))
    assert r.status == 0, str(r)
    for text in [f"role {ROLE} in account {ACCOUNT}", f'sso-session "{SESSION}"', START_URL,
                 f"{token_key(SESSION)}.json", "refreshed through SSO OIDC",
                 "The SSO token has 7h", "it can be refreshed"]:
        assert text in r.stdout, f"{text!r} not in\n{r}"
    r = run(home, "profiles", "--format", "json")
    assert r.status == 0, str(r)
    kinds = {p["name"]: p["kind"] for p in json.loads(r.stdout)}
    assert kinds["dev"] == "sso", r.stdout
    assert export(home, "dev", env_for(sso)).status == 0
    r = run(home, "cache", "list", "--format", "json")
    rows = json.loads(r.stdout)
    assert [(row["kind"], row["account_id"], row["role_name"]) for row in rows] == [
        ("sso", ACCOUNT, ROLE)], r.stdout
    r = run(home, "--profile", "dev", "cache", "clear")
    assert r.status == 0, str(r)
    assert home.cache_files() == []
    # The token is the login's, never the cache's to delete.
    assert (home.aws / "sso" / "cache" / f"{token_key(SESSION)}.json").exists()


# ---------------------------------------------------------------------------
# Refresh through SSO OIDC CreateToken inside botocore's 15-minute window


BOTOCORE_TOKEN = r"""
import json, sys
import botocore.session
from botocore.tokens import SSOTokenProvider
session = botocore.session.Session(profile=sys.argv[1])
token = SSOTokenProvider(session).load_token().get_frozen_token()
print(json.dumps({"token": token.token}))
"""


def botocore_token(home: Sandbox, profile: str, env: dict) -> str:
    done = subprocess.run([str(VENV_BIN / "python"), "-c", BOTOCORE_TOKEN, profile],
                          env=home.env(env), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=60, cwd=str(home.home))
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)["token"]


def token_file(home: Sandbox) -> Path:
    return home.aws / "sso" / "cache" / f"{token_key(SESSION)}.json"


def test_a_token_inside_the_refresh_window_is_refreshed_and_written_back(home, sso):
    home.write_config(SESSION_CONFIG)
    old = session_token(sso, hours=0.1)
    write_token(home.home, SESSION, old)
    r = export(home, "dev", env_for(sso))
    assert r.status == 0, str(r)
    calls = sso.token_calls()
    assert len(calls) == 1
    body = json.loads(calls[0].body)
    assert (body["clientId"], body["clientSecret"], body["grantType"], body["refreshToken"]) == (
        old["clientId"], old["clientSecret"], "refresh_token", old["refreshToken"])
    new = json.loads(token_file(home).read_text())
    # botocore's SSOTokenProvider format: its keys in its order.
    assert list(new) == ["startUrl", "region", "accessToken", "expiresAt", "clientId",
                         "clientSecret", "registrationExpiresAt", "refreshToken"]
    assert new["accessToken"] != old["accessToken"]
    assert (new["clientId"], new["clientSecret"], new["registrationExpiresAt"]) == (
        old["clientId"], old["clientSecret"], old["registrationExpiresAt"])
    assert new["refreshToken"] != old["refreshToken"]
    assert token_file(home).stat().st_mode & 0o777 == 0o600
    # The portal was asked with the new token.
    assert [c.headers["x-amz-sso_bearer_token"] for c in sso.portal_calls()] == [new["accessToken"]]
    for secret in (old["accessToken"], new["accessToken"], old["refreshToken"], old["clientSecret"]):
        assert secret not in r.stderr and secret not in r.stdout
    # botocore uses the refreshed token as it is: no second refresh.
    assert botocore_token(home, "dev", env_for(sso)) == new["accessToken"]
    assert len(sso.token_calls()) == 1


def test_rolectl_reads_a_token_botocore_refreshed_and_writes_the_same_shape(home, sso, tmp_path):
    home.write_config(SESSION_CONFIG)
    write_token(home.home, SESSION, session_token(sso, hours=0.1))
    fresh = botocore_token(home, "dev", env_for(sso))
    assert len(sso.token_calls()) == 1
    by_botocore = json.loads(token_file(home).read_text())
    assert by_botocore["accessToken"] == fresh
    r = export(home, "dev", env_for(sso))
    assert r.status == 0, str(r)
    assert len(sso.token_calls()) == 1, "rolectl used botocore's refreshed token"
    assert [c.headers["x-amz-sso_bearer_token"] for c in sso.portal_calls()] == [fresh]
    # The same refresh by rolectl writes the file botocore wrote, byte for
    # byte but for the new tokens and the expiry.
    write_token(home.home, SESSION, session_token(sso, hours=0.1))
    for p in home.cache_dir.glob("*.json"):
        p.unlink()
    assert export(home, "dev", env_for(sso)).status == 0
    by_rolectl = json.loads(token_file(home).read_text())
    assert list(by_rolectl) == list(by_botocore)
    import re
    for written in (by_botocore, by_rolectl):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", written["expiresAt"]), written["expiresAt"]
    raw = token_file(home).read_text()
    assert raw == json.dumps(by_rolectl), "json.dumps's separators"


def test_outside_the_window_no_refresh_is_made(home, sso):
    home.write_config(SESSION_CONFIG)
    write_token(home.home, SESSION, session_token(sso, hours=0.5))
    assert export(home, "dev", env_for(sso)).status == 0
    assert sso.token_calls() == []


def test_a_refused_refresh_of_a_live_token_goes_on_with_it(home, sso):
    home.write_config(SESSION_CONFIG)
    old = session_token(sso, hours=0.1)
    write_token(home.home, SESSION, old)
    sso.refuse_refresh = "invalid_grant"
    r = export(home, "dev", env_for(sso))
    assert r.status == 0, str(r)
    assert "could not be refreshed" in r.stderr and "InvalidGrantException" in r.stderr, str(r)
    assert json.loads(token_file(home).read_text()) == old, "the token file is left alone"
    assert [c.headers["x-amz-sso_bearer_token"] for c in sso.portal_calls()] == [old["accessToken"]]


def test_a_refused_refresh_of_an_expired_token_says_to_log_in(home, sso):
    home.write_config(SESSION_CONFIG)
    old = session_token(sso, hours=-0.1)
    write_token(home.home, SESSION, old)
    sso.refuse_refresh = "invalid_grant"
    r = export(home, "dev", env_for(sso))
    assert_sso_failure(r, home, old["accessToken"], "InvalidGrantException",
                       "rolectl sso login --profile dev")
    assert old["refreshToken"] not in r.stderr
    assert sso.portal_calls() == []


def test_a_wrong_client_secret_is_refused_by_the_fake(home, sso):
    home.write_config(SESSION_CONFIG)
    old = session_token(sso, hours=-0.1)
    old["clientSecret"] = "not-the-clients-secret"
    write_token(home.home, SESSION, old)
    r = export(home, "dev", env_for(sso))
    assert_sso_failure(r, home, old["accessToken"], "InvalidClientException")


def test_an_expired_registration_is_not_refreshed(home, sso):
    home.write_config(SESSION_CONFIG)
    old = session_token(sso, hours=-0.1)
    old["registrationExpiresAt"] = utc(now() - _dt.timedelta(days=1))
    write_token(home.home, SESSION, old)
    r = export(home, "dev", env_for(sso))
    assert_sso_failure(r, home, old["accessToken"], "rolectl sso login --profile dev")
    assert sso.token_calls() == []


def test_parallel_cold_runs_make_one_refresh_and_one_portal_call_per_role(home, sso):
    # Two roles of one sso-session: their credentials have two cache keys,
    # the token one file, refreshed once.
    home.write_config(SESSION_CONFIG + f"""
[profile dev2]
sso_session = {SESSION}
sso_account_id = {ACCOUNT}
sso_role_name = Admin
""")
    sso.add_role(ACCOUNT, "Admin", RoleCreds("ASIAPORTALADMIN00002", "adminSecret", "adminToken"))
    token = session_token(sso, hours=0.1)
    write_token(home.home, SESSION, token)
    with sso.lock:
        sso.refresh_grants[token["refreshToken"]].add((ACCOUNT, "Admin"))
    from conftest import rolectl_path
    procs = [subprocess.Popen([str(rolectl_path()), "--profile", profile, "export", "--format", "process"],
                              env=home.env(env_for(sso)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=str(home.home))
             for _ in range(4) for profile in ("dev", "dev2")]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert {json.loads(o)["AccessKeyId"] for o, _ in outs} == {PORTAL_KEY, "ASIAPORTALADMIN00002"}
    assert len(sso.token_calls()) == 1
    assert len(sso.portal_calls()) == 2


# ---------------------------------------------------------------------------
# rolectl sso login / logout (the device authorization flow)


def sso_login(home: Sandbox, sso: FakeSso, *args, profile="dev"):
    return run(home, "--profile", profile, "sso", "login", "--no-browser", "--use-device-code",
               *args, env=env_for(sso))


def test_sso_login_writes_the_token_the_profile_then_uses(home, sso):
    home.write_config(SESSION_CONFIG)
    sso.device_grants = {(ACCOUNT, ROLE)}
    r = sso_login(home, sso)
    assert r.status == 0, str(r)
    assert f"Successfully logged into Start URL: {START_URL}" in r.stdout
    assert f"{sso.url}/device" in r.stderr and "ABCD-EFGH" in r.stderr
    assert sso.registrations[-1]["scopes"] == ["sso:account:access"]
    assert sso.registrations[-1]["clientType"] == "public"
    token = json.loads(token_file(home).read_text())
    assert list(token) == ["startUrl", "region", "accessToken", "expiresAt", "clientId",
                           "clientSecret", "registrationExpiresAt", "refreshToken"]
    assert (token["startUrl"], token["region"]) == (START_URL, "us-east-1")
    assert token_file(home).stat().st_mode & 0o777 == 0o600
    assert token["accessToken"] not in r.stdout + r.stderr
    r = export(home, "dev", env_for(sso))
    assert r.status == 0, str(r)
    assert [c.headers["x-amz-sso_bearer_token"] for c in sso.portal_calls()] == [token["accessToken"]]
    # botocore reads the token rolectl wrote.
    assert botocore_token(home, "dev", env_for(sso)) == token["accessToken"]


def test_sso_login_of_a_legacy_profile_keys_the_token_by_start_url(home, sso):
    home.write_config(LEGACY_CONFIG)
    r = sso_login(home, sso, profile="old")
    assert r.status == 0, str(r)
    token = json.loads((home.aws / "sso" / "cache" / f"{token_key(START_URL)}.json").read_text())
    assert "refreshToken" not in token, "no registration scopes: no refresh token"
    assert "scopes" not in sso.registrations[-1]


def test_sso_login_honours_slow_down(home, sso):
    home.write_config(SESSION_CONFIG)
    sso.slow_downs = 1
    sso.pending_polls = 0
    r = sso_login(home, sso, "--sso-session", SESSION)
    assert r.status == 0, str(r)
    assert sso.slow_down_violations == 0, "polled again within 5 seconds of slow_down"


def test_an_expired_device_code_is_a_clear_error(home, sso):
    home.write_config(SESSION_CONFIG)
    sso.expire_device = True
    r = sso_login(home, sso)
    assert r.status == 1, str(r)
    assert "device code expired" in r.stderr and "rolectl sso login" in r.stderr, str(r)
    assert not token_file(home).exists()


def test_parallel_logins_make_one_device_authorization(home, sso):
    home.write_config(SESSION_CONFIG)
    from conftest import rolectl_path
    procs = [subprocess.Popen([str(rolectl_path()), "--profile", "dev", "sso", "login", "--no-browser",
                               "--use-device-code"],
                              env=home.env(env_for(sso)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=str(home.home)) for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len(sso.seen("POST", "/device_authorization")) == 1


def test_sso_logout_removes_tokens_and_sso_credentials_only(home, sso):
    home.write_config(SESSION_CONFIG)
    write_token(home.home, SESSION, session_token(sso))
    assert export(home, "dev", env_for(sso)).status == 0
    other = home.cache_dir / "0123456789abcdef0123456789abcdef01234567.json"
    other.write_text('{"Credentials": {}}')
    registration = home.aws / "sso" / "cache" / "botocore-client-id-us-east-1.json"
    registration.write_text('{"clientId": "c", "clientSecret": "s"}')
    r = run(home, "sso", "logout", env=env_for(sso))
    assert r.status == 0, str(r)
    assert not token_file(home).exists()
    assert [p.name for p in home.cache_files()] == [other.name]
    assert registration.exists()


def test_sso_logout_revokes_each_token_at_the_portal_first(home, sso):
    """As the CLI v2: Logout with the token as bearer, at the portal of the
    token's region, before its file is removed; a token without a region is
    removed with no call."""
    home.write_config(SESSION_CONFIG)
    token = session_token(sso)
    write_token(home.home, SESSION, token)
    legacy = dict(session_token(sso), startUrl="https://other.awsapps.com/start")
    del legacy["region"]
    write_token(home.home, "https://other.awsapps.com/start", legacy)
    r = run(home, "sso", "logout", env=env_for(sso))
    assert r.status == 0, str(r)
    (call,) = sso.seen("POST", "/logout")
    assert call.headers["x-amz-sso_bearer_token"] == token["accessToken"]
    assert token["accessToken"] not in sso.tokens, "the fake revoked it"
    assert legacy["accessToken"] in sso.tokens, "no region: no call"
    assert list((home.aws / "sso" / "cache").glob("*.json")) == []
    assert token["accessToken"] not in r.stdout + r.stderr


def test_a_refused_logout_still_removes_the_token(home, sso):
    home.write_config(SESSION_CONFIG)
    token = session_token(sso)
    sso.revoke(token["accessToken"])
    write_token(home.home, SESSION, token)
    r = run(home, "sso", "logout", env=env_for(sso))
    assert r.status == 0, str(r)
    assert len(sso.seen("POST", "/logout")) == 1
    assert not token_file(home).exists()
    assert token["accessToken"] not in r.stdout + r.stderr


def test_an_unreachable_portal_stops_the_logout_and_keeps_the_token(home, sso):
    home.write_config(SESSION_CONFIG)
    token = session_token(sso)
    write_token(home.home, SESSION, token)
    dead = FakeSso()
    url = dead.url
    dead.stop()
    r = run(home, "sso", "logout", env={"AWS_ENDPOINT_URL_SSO": url})
    assert r.status == 1, str(r)
    assert "Logout" in r.stderr and "rolectl sso logout" in r.stderr and str(token_file(home)) in r.stderr
    assert token_file(home).exists()
    assert token["accessToken"] not in r.stdout + r.stderr


def test_sso_login_with_scopes_uses_the_authorization_code_flow_with_pkce(home, sso):
    """The test is the browser: it opens the printed URL at the fake, which
    approves at once and redirects to rolectl's loopback listener."""
    import urllib.request
    home.write_config(SESSION_CONFIG)
    sso.device_grants = {(ACCOUNT, ROLE)}
    from conftest import rolectl_path
    p = subprocess.Popen([str(rolectl_path()), "--profile", "dev", "sso", "login", "--no-browser"],
                         env=home.env(env_for(sso)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=str(home.home), text=True)
    url = None
    for line in p.stderr:
        if line.startswith(f"{sso.url}/authorize?"):
            url = line.strip()
            break
    assert url, "no authorize URL printed"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(url, timeout=10)
        raise AssertionError("the fake must redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        location = redirect.headers["Location"]
    assert location.startswith("http://127.0.0.1:") and "/oauth/callback?" in location
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(location, timeout=10) as page:
        assert page.status == 200
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert f"Successfully logged into Start URL: {START_URL}" in out
    reg = sso.registrations[-1]
    assert reg["grantTypes"] == ["authorization_code", "refresh_token"]
    # Registered without the port (any loopback port then), as the CLI does.
    assert reg["redirectUris"] == ["http://127.0.0.1/oauth/callback"] and reg["issuerUrl"] == START_URL
    assert location.split("?")[0] != reg["redirectUris"][0]
    token = json.loads(token_file(home).read_text())
    assert "refreshToken" in token
    assert sso.seen("POST", "/device_authorization") == []
    r = export(home, "dev", env_for(sso))
    assert r.status == 0, str(r)


def test_a_callback_with_another_state_is_refused(home, sso):
    import urllib.request
    home.write_config(SESSION_CONFIG)
    from conftest import rolectl_path
    p = subprocess.Popen([str(rolectl_path()), "--profile", "dev", "sso", "login", "--no-browser"],
                         env=home.env(env_for(sso)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=str(home.home), text=True)
    for line in p.stderr:
        if line.startswith(f"{sso.url}/authorize?"):
            redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(line.strip()).query)["redirect_uri"][0]
            break
    forged = f"{redirect}?code=stolen&state=not-the-one"
    try:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(forged, timeout=10)
    except urllib.error.HTTPError as e:
        assert e.code == 400
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1 and "state" in err, err
    assert not token_file(home).exists()
    assert [r for r in sso.seen("POST", "/token")] == []


# ---------------------------------------------------------------------------
# The client registration cache of `sso login`, as the CLI v2 keeps it


def registration_file(home: Sandbox, scopes=("sso:account:access",)) -> Path:
    """The CLI v2's key: SHA-1 of json.dumps({tool, startUrl, region,
    scopes, session_name}, sort_keys=True)."""
    args = {"tool": "botocore", "startUrl": START_URL, "region": "us-east-1",
            "scopes": list(scopes) if scopes is not None else None, "session_name": SESSION}
    key = hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()
    return home.aws / "sso" / "cache" / f"{key}.json"


def test_two_logins_register_one_client_cached_in_the_clis_file(home, sso):
    home.write_config(SESSION_CONFIG)
    for _ in range(2):
        r = sso_login(home, sso)
        assert r.status == 0, str(r)
    assert len(sso.registrations) == 1, "the second login used the cached registration"
    path = registration_file(home)
    text = path.read_text()
    reg = json.loads(text)
    assert text == json.dumps(reg), "json.dumps' separators, as JSONFileCache writes"
    assert list(reg) == ["clientId", "clientSecret", "expiresAt", "scopes"]
    assert reg["scopes"] == ["sso:account:access"]
    assert reg["expiresAt"].endswith("Z") and "." not in reg["expiresAt"]
    assert path.stat().st_mode & 0o777 == 0o600
    token = json.loads(token_file(home).read_text())
    assert token["clientId"] == reg["clientId"]
    assert reg["clientSecret"] not in r.stdout + r.stderr


def test_an_expiring_registration_is_registered_anew(home, sso):
    home.write_config(SESSION_CONFIG)
    assert sso_login(home, sso).status == 0
    path = registration_file(home)
    reg = json.loads(path.read_text())
    # 14 minutes left: inside the CLI's 15-minute window, so not used.
    reg["expiresAt"] = (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(reg))
    r = sso_login(home, sso)
    assert r.status == 0, str(r)
    assert len(sso.registrations) == 2
    new = json.loads(path.read_text())
    assert new["clientId"] != reg["clientId"]
    assert json.loads(token_file(home).read_text())["clientId"] == new["clientId"]


def test_a_device_registration_is_not_used_for_the_authorization_code_flow(home, sso):
    """Both flows share the key; each uses only a registration of its own
    grant (the CLI's `_is_registration_for_auth_code`)."""
    import urllib.request
    home.write_config(SESSION_CONFIG)
    assert sso_login(home, sso).status == 0
    from conftest import rolectl_path
    p = subprocess.Popen([str(rolectl_path()), "--profile", "dev", "sso", "login", "--no-browser"],
                         env=home.env(env_for(sso)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=str(home.home), text=True)
    url = next(line.strip() for line in p.stderr if line.startswith(f"{sso.url}/authorize?"))

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    try:
        urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({})).open(url, timeout=10)
    except urllib.error.HTTPError as redirect:
        location = redirect.headers["Location"]
    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(location, timeout=10).read()
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert len(sso.registrations) == 2
    reg = json.loads(registration_file(home).read_text())
    assert list(reg) == ["clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"]
    assert reg["grantTypes"] == ["authorization_code", "refresh_token"]
