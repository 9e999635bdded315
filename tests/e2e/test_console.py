"""`rolectl console`: the AWS federation flow against a federation endpoint
of the tests' own on loopback (ROLECTL_FEDERATION_ENDPOINT), which checks
the `Session` JSON it receives against the credentials rolectl resolved
(read back with `rolectl export` from the same cache) and answers a token.

- role credentials go straight to getSigninToken, with SessionDuration =
  their time left (moto's role and a fake STS);
- long-term keys first get a federated user's credentials: GetCallerIdentity,
  then GetFederationToken with Name, Policy and DurationSeconds, seen on
  moto's wire, and no SessionDuration;
- the login URL's parts; --destination; the browser through a fake
  `xdg-open` on PATH (never a real one);
- every failure of the federation endpoint is one clear sentence naming
  the profile and the endpoint, in bounded time, with no secret in it;
- the partitions' hosts, checked dry (a --debug line of a run that stops
  at STS, with every proxy variable at a silent listener, so nothing can
  leave the machine) and in the unit tests of `federation.rs`.
"""

from __future__ import annotations

import json
import os
import stat
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ACCOUNT, Sandbox, trust_policy, unique_name
from fakes import (  # noqa: F401  (fixtures)
    ROLE_ARN,
    SOURCE_KEY,
    SOURCE_SECRET,
    STS_NS,
    FakeSts,
    LoopbackServer,
    Reply,
    SilentListener,
    STALL,
    assert_no_secrets,
    box,
    role_profile_config,
    run,
    signed_with,
    sts,
)

ENDPOINT_VAR = "ROLECTL_FEDERATION_ENDPOINT"
# Characters that must be percent-encoded in the login URL.
TOKEN = "SigninT0ken+/=with-odd_chars.~" + "x" * 40
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


class FakeFederation(LoopbackServer):
    """The federation endpoint at `<url>/federation`: records each
    getSigninToken and answers `{"SigninToken": TOKEN}`, or `reply`."""

    def __init__(self, reply=None):
        self.reply = reply
        super().__init__()
        self.base = f"{self.url}/federation"

    def respond(self, req):
        if self.reply is not None:
            return self.reply
        parts = urllib.parse.urlsplit(req.path)
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        if req.method != "GET" or parts.path != "/federation" or query.get("Action") != "getSigninToken":
            return Reply(400, b'{"message":"not getSigninToken"}', "application/json")
        return Reply(200, json.dumps({"SigninToken": TOKEN}).encode(), "application/json")

    def calls(self) -> list[dict]:
        """Each getSigninToken's query: the parameters in order, and the
        Session JSON parsed (its member order kept)."""
        out = []
        for req in self.seen("GET"):
            pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(req.path).query,
                                           keep_blank_values=True)
            params = dict(pairs)
            out.append({"names": [k for k, _ in pairs], "params": params,
                        "session": json.loads(params.get("Session", "null"))})
        return out


@pytest.fixture
def fed():
    server = FakeFederation()
    yield server
    server.stop()


def exported(sandbox: Sandbox, profile: str, env=None) -> dict:
    r = run(sandbox, "--profile", profile, "export", env=env)
    assert r.status == 0, str(r)
    return json.loads(r.stdout)


def login_parts(url: str):
    parts = urllib.parse.urlsplit(url.strip())
    return parts, urllib.parse.parse_qsl(parts.query, keep_blank_values=True)


def assert_login_url(url: str, fed: FakeFederation, destination: str):
    assert url.endswith("\n") and url.count("\n") == 1, repr(url)
    parts, query = login_parts(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", f"127.0.0.1:{fed.port}", "/federation")
    assert query == [("Action", "login"), ("Issuer", "rolectl"), ("Destination", destination),
                     ("SigninToken", TOKEN)]
    # Encoded, not merely present: '+' would read as a space, '&' and '='
    # would cut the token.
    raw = parts.query
    assert "SigninToken=SigninT0ken%2B%2F%3Dwith-odd_chars.~" in raw, raw
    assert "Destination=" + urllib.parse.quote(destination, safe="-_.~") in raw, raw


def assert_session_is(call: dict, creds: dict):
    assert list(call["session"]) == ["sessionId", "sessionKey", "sessionToken"]
    assert call["session"] == {"sessionId": creds["AccessKeyId"],
                               "sessionKey": creds["SecretAccessKey"],
                               "sessionToken": creds["SessionToken"]}


def seconds_left(expiration: str) -> float:
    at = datetime.fromisoformat(expiration.replace("Z", "+00:00"))
    return (at - datetime.now(timezone.utc)).total_seconds()


# --------------------------------------------------------------------------
# Role credentials


def test_role_credentials_go_straight_to_getsignintoken(role_guide, moto, moto_sandbox, fed):
    moto_sandbox.write_config(role_guide.config_text("region = eu-west-1\n"))
    env = {ENDPOINT_VAR: fed.base}
    r = run(moto_sandbox, "--profile", "marketingadmin", "--debug", "console", "--print", env=env)
    assert r.status == 0, str(r)
    creds = exported(moto_sandbox, "marketingadmin", env)  # the cached role credentials
    [call] = fed.calls()
    assert call["names"] == ["Action", "SessionDuration", "Session"]
    assert_session_is(call, creds)
    # The console session lasts as long as the credentials (moto's 1 h role session).
    duration = int(call["params"]["SessionDuration"])
    assert abs(duration - seconds_left(creds["Expiration"])) <= 5, (duration, creds["Expiration"])
    assert 3500 < duration <= 3600
    assert_login_url(r.stdout, fed,
                     "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    # No federation token for a role, and nothing secret in the --debug log.
    assert not [c for c in moto.calls("GetFederationToken")
                if c.access_key_id == role_guide.user.access_key_id]
    assert "getSigninToken at " + fed.base in r.stderr
    assert_no_secrets(r, [creds["SecretAccessKey"], creds["SessionToken"], TOKEN,
                          role_guide.user.secret_access_key])
    assert "SigninToken=" not in r.stderr and "Session=" not in r.stderr


def test_destination_and_a_profile_without_region(box, sts, fed):
    box.write_config(role_profile_config())
    env = {ENDPOINT_VAR: fed.base}
    r = run(box, "--profile", "role", "console", "--print", env=env)
    assert r.status == 0, str(r)
    assert_login_url(r.stdout, fed, "https://console.aws.amazon.com/")
    creds = exported(box, "role", env)
    [call] = fed.calls()
    assert_session_is(call, creds)
    dest = "https://eu-central-1.console.aws.amazon.com/s3/buckets?region=eu-central-1&tab=objects"
    r = run(box, "--profile", "role", "console", "--print", "--destination", dest, env=env)
    assert r.status == 0, str(r)
    assert_login_url(r.stdout, fed, dest)
    assert len(sts.calls()) == 1  # the second run used the cache


@pytest.mark.parametrize("expires_in,expected", [
    (timedelta(hours=30), "43200"),   # held to getSigninToken's 12 hours
    (None, None),                     # no expiry known: no SessionDuration
])
def test_session_duration_follows_the_credentials(sandbox, fed, expires_in, expected):
    env = {ENDPOINT_VAR: fed.base, "AWS_ACCESS_KEY_ID": "ASIAENVEXAMPLE00001",
           "AWS_SECRET_ACCESS_KEY": "envSecret/abc", "AWS_SESSION_TOKEN": "envToken/xyz=="}
    if expires_in is not None:
        at = datetime.now(timezone.utc) + expires_in
        env["AWS_CREDENTIAL_EXPIRATION"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    r = run(sandbox, "console", "--print", env=env)
    assert r.status == 0, str(r)
    [call] = fed.calls()
    assert call["params"].get("SessionDuration") == expected
    assert call["session"] == {"sessionId": "ASIAENVEXAMPLE00001", "sessionKey": "envSecret/abc",
                               "sessionToken": "envToken/xyz=="}


# --------------------------------------------------------------------------
# Long-term keys: GetFederationToken first


FED_KEY = "ASIAFEDERATED000001"
FED_SECRET = "fedSecret/wJalrXUtnFEMIK7MDENG+bPxRfiCY"
FED_TOKEN = "fedToken/IQoJb3JpZ2luX2VjEJr//////////wEaDM=="


class FederatingSts(FakeSts):
    """A fake STS for an IAM user: GetCallerIdentity (the user's ARN) and
    GetFederationToken (fixed credentials, or `error` as an STS error)."""

    def __init__(self, user_arn: str, error: str | None = None):
        self.user_arn = user_arn
        self.error = error
        super().__init__()

    def respond(self, req):
        action = req.form().get("Action")
        if action == "GetCallerIdentity":
            body = (f'<GetCallerIdentityResponse xmlns="{STS_NS}"><GetCallerIdentityResult>'
                    f"<Arn>{self.user_arn}</Arn><UserId>AIDAEXAMPLE</UserId>"
                    f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
                    "</GetCallerIdentityResponse>")
            return Reply(200, body.encode())
        if action == "GetFederationToken" and self.error:
            body = (f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>Sender</Type>'
                    f"<Code>AccessDenied</Code><Message>{self.error}</Message></Error>"
                    "<RequestId>1</RequestId></ErrorResponse>")
            return Reply(403, body.encode())
        if action == "GetFederationToken":
            name = req.form().get("Name")
            expiration = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = (f'<GetFederationTokenResponse xmlns="{STS_NS}"><GetFederationTokenResult>'
                    f"<Credentials><AccessKeyId>{FED_KEY}</AccessKeyId>"
                    f"<SecretAccessKey>{FED_SECRET}</SecretAccessKey>"
                    f"<SessionToken>{FED_TOKEN}</SessionToken><Expiration>{expiration}</Expiration>"
                    f"</Credentials><FederatedUser><Arn>arn:aws:sts::{ACCOUNT}:federated-user/{name}</Arn>"
                    f"<FederatedUserId>{ACCOUNT}:{name}</FederatedUserId></FederatedUser>"
                    "<PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult>"
                    "</GetFederationTokenResponse>")
            return Reply(200, body.encode())
        return super().respond(req)


STATIC_CONFIG = "[profile static]\nregion = {region}\n"
STATIC_CREDENTIALS = (f"[static]\naws_access_key_id = {SOURCE_KEY}\n"
                      f"aws_secret_access_key = {SOURCE_SECRET}\n")


def test_long_term_keys_get_a_federation_token_first(sandbox, fed):
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/engineering/a-user-name-longer-than-thirty-two"
    with FederatingSts(user_arn) as fake:
        sandbox.sts_url = fake.url
        sandbox.write_config(STATIC_CONFIG.format(region="eu-west-1"))
        sandbox.write_credentials(STATIC_CREDENTIALS)
        r = run(sandbox, "--profile", "static", "console", "--print", env={ENDPOINT_VAR: fed.base})
        assert r.status == 0, str(r)
        actions = [q.form().get("Action") for q in fake.seen("POST")]
        assert actions == ["GetCallerIdentity", "GetFederationToken"]
        federation = fake.seen("POST")[1]
        assert signed_with(federation) == SOURCE_KEY
        assert federation.form() == {
            "Action": "GetFederationToken", "Version": "2011-06-15",
            "Name": "a-user-name-longer-than-thirty-t",  # the user's name, cut to 32
            "Policy": ALLOW_ALL, "DurationSeconds": "3600"}
    [call] = fed.calls()
    # A federation token's console session is the token's: no SessionDuration.
    assert call["names"] == ["Action", "Session"]
    assert_session_is(call, {"AccessKeyId": FED_KEY, "SecretAccessKey": FED_SECRET,
                             "SessionToken": FED_TOKEN})
    assert_login_url(r.stdout, fed,
                     "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    assert_no_secrets(r, [SOURCE_SECRET, FED_SECRET, FED_TOKEN])


def test_long_term_keys_on_moto(moto, moto_sandbox, fed):
    # moto checks the signature and the user's policy (sts:*) and answers
    # its fixed federation credentials.
    name = unique_name("console-user-with-a-long-name")
    user = moto.create_user(name)
    moto_sandbox.write_config("[profile static]\nregion = us-west-2\n")
    moto_sandbox.write_credentials(f"[static]\naws_access_key_id = {user.access_key_id}\n"
                                   f"aws_secret_access_key = {user.secret_access_key}\n")
    r = run(moto_sandbox, "--profile", "static", "console", "--print", env={ENDPOINT_VAR: fed.base})
    assert r.status == 0, str(r)
    [call] = [c for c in moto.calls("GetFederationToken") if c.access_key_id == user.access_key_id]
    assert call.params["Name"] == name[:32]
    assert call.params["Policy"] == ALLOW_ALL
    assert call.params["DurationSeconds"] == "3600"
    [got] = fed.calls()
    assert "SessionDuration" not in got["params"]
    # moto's GetFederationToken credentials, not the user's keys.
    assert got["session"]["sessionId"] == "AKIAIOSFODNN7EXAMPLE"
    assert got["session"]["sessionKey"] == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    assert got["session"]["sessionToken"].startswith("AQoDYXdzEPT//////////wEXAMPLE")
    assert_login_url(r.stdout, fed,
                     "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2")
    assert_no_secrets(r, [user.secret_access_key])


def test_a_refused_federation_token_is_sts_s_own_error(sandbox, fed):
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/alice"
    with FederatingSts(user_arn, error="Not allowed to federate") as fake:
        sandbox.sts_url = fake.url
        sandbox.write_config(STATIC_CONFIG.format(region="eu-west-1"))
        sandbox.write_credentials(STATIC_CREDENTIALS)
        r = run(sandbox, "--profile", "static", "console", "--print", env={ENDPOINT_VAR: fed.base})
    assert r.status == 1, str(r)
    assert r.stdout == ""
    assert ("An error occurred (AccessDenied) when calling the GetFederationToken operation: "
            'Not allowed to federate (profile "static")') in r.stderr
    assert fed.calls() == []
    assert_no_secrets(r, [SOURCE_SECRET])


# --------------------------------------------------------------------------
# The federation endpoint's failures


@pytest.mark.parametrize("reply,says", [
    (Reply(500, b"Internal trouble", "text/plain"), "answered HTTP 500 with a body starting with \"Internal trouble\""),
    (Reply(200, b"<!DOCTYPE html><html><title>Hotel Wi-Fi</title></html>", "text/html"),
     "answered an HTML page instead of getSigninToken's JSON"),
    (Reply(200, b'{"Message":"no token today"}', "application/json"),
     "answered JSON without a SigninToken (members: Message)"),
    (Reply(200, b"SigninToken=abc", "text/plain"), "answered something that is not JSON"),
    (Reply(302, b"", "text/plain", headers={"Location": "https://example.com/"}),
     "answered HTTP 302 with an empty body"),
    (Reply(200, b'{"SigninToken":"' + b"x" * 200_000 + b'"}', "application/json"),
     "answered more than 64 KiB"),
])
def test_federation_errors_are_clear(box, sts, reply, says):
    box.write_config(role_profile_config())
    with FakeFederation(reply) as fed:
        r = run(box, "--profile", "role", "console", "--print", env={ENDPOINT_VAR: fed.base})
        assert len(fed.seen()) == 1
    assert r.status == 1, str(r)
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1, r.stderr
    assert (f"error: The federation endpoint {fed.base} (getSigninToken for profile \"role\") "
            f"{says}") in r.stderr, r.stderr
    assert r.stderr.rstrip().endswith("no console sign-in URL was made.")
    assert_no_secrets(r, sts.secrets + [SOURCE_SECRET])


def test_an_endpoint_that_never_answers_takes_bounded_time(box, sts):
    box.write_config(role_profile_config())
    with SilentListener() as silent:
        base = f"{silent.url}/federation"
        r = run(box, "--profile", "role", "console", "--print", env={ENDPOINT_VAR: base})
        assert silent.connections == 1
    assert r.status == 1, str(r)
    assert r.elapsed < 20, str(r)
    assert f"The federation endpoint {base} (getSigninToken for profile \"role\") failed: no answer within 10 s" in r.stderr
    assert_no_secrets(r, sts.secrets)


def test_an_unreachable_endpoint_is_said(box, sts):
    box.write_config(role_profile_config())
    with SilentListener() as closed:
        base = f"{closed.url}/federation"
    r = run(box, "--profile", "role", "console", "--print", env={ENDPOINT_VAR: base})
    assert r.status == 1, str(r)
    assert f"The federation endpoint {base} (getSigninToken for profile \"role\") failed: it could not be reached" in r.stderr
    assert "Session=" not in r.stderr and "getSigninToken&" not in r.stderr
    assert_no_secrets(r, sts.secrets)


def test_bad_settings_are_refused_before_any_call(box, sts, fed):
    box.write_config(role_profile_config())
    r = run(box, "--profile", "role", "console", "--print", "--destination", "s3",
            env={ENDPOINT_VAR: fed.base})
    assert r.status == 2, str(r)
    assert '--destination "s3" cannot be used: it must be an absolute https:// URL' in r.stderr
    r = run(box, "--profile", "role", "console", "--print", env={ENDPOINT_VAR: "signin.example.com"})
    assert r.status == 1, str(r)
    assert (f'{ENDPOINT_VAR}="signin.example.com" cannot be used as the federation endpoint: '
            "it must start with https://") in r.stderr
    assert sts.calls() == [] and fed.calls() == []


# --------------------------------------------------------------------------
# Partitions (dry: no traffic can leave the machine)


@pytest.mark.parametrize("region,signin,console", [
    ("eu-west-1", "https://signin.aws.amazon.com/federation",
     "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"),
    ("cn-north-1", "https://signin.amazonaws.cn/federation",
     "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1"),
    ("us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation",
     "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"),
])
def test_the_partition_picks_the_hosts(sandbox, region, signin, console):
    # Long-term keys, and an STS that refuses GetFederationToken: the run
    # ends before getSigninToken. Every proxy variable points at a silent
    # listener besides, so that even a broken build reaches no real host.
    with FederatingSts(f"arn:aws:iam::{ACCOUNT}:user/alice", error="stop here") as fake, \
            SilentListener() as proxy:
        sandbox.sts_url = fake.url
        sandbox.write_config(STATIC_CONFIG.format(region=region))
        sandbox.write_credentials(STATIC_CREDENTIALS)
        proxies = {v: proxy.url for v in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
                                           "http_proxy", "ALL_PROXY", "all_proxy")}
        r = run(sandbox, "--profile", "static", "--debug", "console", "--print",
                env={ENDPOINT_VAR: None, **proxies})
        assert proxy.connections == 0
    assert r.status == 1, str(r)
    partition = {"eu": "aws", "cn": "aws-cn", "us": "aws-us-gov"}[region[:2]]
    assert (f"debug: console: partition {partition}, federation endpoint {signin}, "
            f"destination {console}\n") in r.stderr, r.stderr
    assert "GetFederationToken operation: stop here" in r.stderr


# --------------------------------------------------------------------------
# The browser


def fake_opener(sandbox: Sandbox, status: int = 0):
    """A `bin` directory with an `xdg-open` that records its arguments."""
    bin_dir = sandbox.home / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = sandbox.home / "opened.json"
    script = bin_dir / "xdg-open"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        "print('xdg-open says: ' + ' '.join(sys.argv[1:]))\n"
        "print('xdg-open complains: ' + ' '.join(sys.argv[1:]), file=sys.stderr)\n"
        f"sys.exit({status})\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    path = f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return record, path


def test_without_print_the_browser_gets_the_url(box, sts, fed):
    box.write_config(role_profile_config())
    record, path = fake_opener(box)
    r = run(box, "--profile", "role", "console", env={ENDPOINT_VAR: fed.base, "PATH": path})
    assert r.status == 0, str(r)
    assert r.stdout == "" and TOKEN not in r.stderr, str(r)
    [url] = json.loads(record.read_text())
    assert_login_url(url + "\n", fed, "https://console.aws.amazon.com/")


def test_a_browser_that_fails_is_said_without_the_url(box, sts, fed):
    box.write_config(role_profile_config())
    record, path = fake_opener(box, status=3)
    r = run(box, "--profile", "role", "console", env={ENDPOINT_VAR: fed.base, "PATH": path})
    assert r.status == 1, str(r)
    assert record.exists()
    assert r.stdout == ""
    assert ('The browser could not be opened for profile "role" (xdg-open ended with exit status: 3); '
            "run rolectl console --print") in r.stderr
    assert TOKEN not in r.stderr and urllib.parse.quote(TOKEN, safe="") not in r.stderr
    assert_no_secrets(r, sts.secrets)
