"""Instance metadata (IMDS) and container credentials as the base of a role
profile, against loopback servers of the tests' own (fakes.py): the IMDSv2
token flow, the v1 fallbacks, the switches that turn IMDS off, a metadata
service that never answers, the container endpoint's authorization token
(from the environment and from a file re-read at each run), and the hosts
the container endpoint refuses without connecting.

rolectl assumes the role at a fake STS; the test checks that the AssumeRole
call was signed with the base credentials the source served."""

from __future__ import annotations

import json

import pytest

from conftest import Sandbox
from fakes import (  # noqa: F401  (fixtures)
    CONTAINER_KEY,
    CONTAINER_SECRET,
    CONTAINER_TOKEN,
    IMDS_KEY,
    IMDS_SECRET,
    IMDS_TOKEN,
    IMDS_V2_TOKEN,
    SESSION,
    FakeContainer,
    FakeImds,
    FakeSts,
    SilentListener,
    assert_clean_failure,
    assert_no_secrets,
    box,
    role_profile_config,
    run,
    signed_with,
    sts,
)

PROFILE = "role"

# A guard against hangs, not a benchmark: the timeout is 1 s per request.
BOUNDED = 8.0


def imds_env(endpoint: str, **extra) -> dict:
    env = {
        "AWS_EC2_METADATA_DISABLED": None,
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint.rstrip("/") + "/",
    }
    env.update(extra)
    return env


def assumed_with(sts: FakeSts, key: str, token: str):
    calls = sts.calls("AssumeRole")
    assert len(calls) == 1, [c.form() for c in calls]
    call = calls[0]
    assert signed_with(call) == key, call.headers.get("authorization")
    assert call.headers.get("x-amz-security-token") == token
    assert call.form().get("RoleSessionName") == SESSION


def exported(sts: FakeSts, r) -> dict:
    assert r.status == 0, str(r)
    out = json.loads(r.stdout)
    assert out["AccessKeyId"] == sts.issued[-1]["AccessKeyId"], str(r)
    assert "panicked" not in r.stderr
    return out


@pytest.fixture
def imds_box(box: Sandbox) -> Sandbox:
    box.write_config(role_profile_config(PROFILE, "credential_source = Ec2InstanceMetadata"))
    return box


# ---------------------------------------------------------------- IMDS


@pytest.mark.parametrize("v1_disabled", [None, "true"])
def test_imds_v2_token_flow(imds_box, sts, v1_disabled):
    with FakeImds("v2") as imds:
        env = imds_env(imds.url, AWS_EC2_METADATA_V1_DISABLED=v1_disabled)
        r = run(imds_box, "--profile", PROFILE, "export", env=env)
    exported(sts, r)
    assert imds.problems == [], imds.problems
    seen = [(q.method, q.path) for q in imds.requests]
    assert seen == [
        ("PUT", FakeImds.TOKEN_PATH),
        ("GET", FakeImds.ROLES_PATH),
        ("GET", FakeImds.ROLES_PATH + "ec2-instance-role"),
    ], seen
    for q in imds.requests[1:]:
        assert q.headers.get("x-aws-ec2-metadata-token") == IMDS_V2_TOKEN
    assumed_with(sts, IMDS_KEY, IMDS_TOKEN)
    assert_no_secrets(r, [IMDS_SECRET, IMDS_TOKEN, IMDS_V2_TOKEN])


@pytest.mark.parametrize("token_mode", ["403", "404", "405", "stall"])
def test_imds_v1_fallback(imds_box, sts, token_mode):
    with FakeImds(token_mode) as imds:
        # With two attempts allowed, these answers still end the token
        # request at once (botocore's _fetch_metadata_token).
        env = imds_env(imds.url, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
        r = run(imds_box, "--profile", PROFILE, "export", env=env)
    exported(sts, r)
    assert r.elapsed < BOUNDED, str(r)
    assert imds.problems == [], imds.problems
    assert [q.method for q in imds.requests] == ["PUT", "GET", "GET"]
    for q in imds.requests[1:]:
        assert "x-aws-ec2-metadata-token" not in q.headers
    assumed_with(sts, IMDS_KEY, IMDS_TOKEN)


@pytest.mark.parametrize("token_mode", ["403", "stall"])
def test_imds_v1_disabled_refuses_the_fallback(imds_box, sts, token_mode):
    with FakeImds(token_mode) as imds:
        env = imds_env(imds.url, AWS_EC2_METADATA_V1_DISABLED="true")
        r = run(imds_box, "--profile", PROFILE, "export", env=env)
    assert_clean_failure(r, imds_box, mentions=[f'"{PROFILE}"', "Ec2InstanceMetadata"])
    assert r.elapsed < BOUNDED, str(r)
    assert [q.method for q in imds.requests] == ["PUT"], "no IMDSv1 request may follow"
    assert sts.requests == []


def test_imds_token_request_answered_400_is_an_error(imds_box, sts):
    # botocore raises BadIMDSRequestError on 400: no IMDSv1 fallback, no
    # credentials from this source.
    with FakeImds("400") as imds:
        r = run(imds_box, "--profile", PROFILE, "export", env=imds_env(imds.url))
    assert_clean_failure(r, imds_box, mentions=[f'"{PROFILE}"', "Ec2InstanceMetadata", "400"])
    assert [q.method for q in imds.requests] == ["PUT"]
    assert sts.requests == []


def test_imds_disabled_sends_nothing(imds_box, sts):
    with FakeImds("v2") as imds:
        env = imds_env(imds.url, AWS_EC2_METADATA_DISABLED="true")
        r = run(imds_box, "--profile", PROFILE, "export", env=env)
    assert_clean_failure(r, imds_box, mentions=[f'"{PROFILE}"', "Ec2InstanceMetadata"])
    assert imds.connections == 0 and imds.requests == []
    assert sts.requests == []


def test_imds_that_never_answers_fails_in_about_a_second(imds_box, sts):
    with SilentListener() as imds:
        r = run(imds_box, "--profile", PROFILE, "export", env=imds_env(imds.url), timeout=60)
    assert_clean_failure(r, imds_box, mentions=[f'"{PROFILE}"', "Ec2InstanceMetadata"])
    assert r.elapsed < BOUNDED, str(r)
    assert imds.connections >= 1, "the listener was never asked"
    assert sts.requests == []


# ---------------------------------------------------------------- container

AUTH = "Basic Y29udGFpbmVyOnRva2VuLWZyb20tZW52"


@pytest.fixture
def ecs_box(box: Sandbox) -> Sandbox:
    box.write_config(role_profile_config(PROFILE, "credential_source = EcsContainer"))
    return box


def test_container_token_from_the_environment(ecs_box, sts):
    with FakeContainer(AUTH) as ecs:
        env = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + FakeContainer.PATH,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH,
        }
        r = run(ecs_box, "--profile", PROFILE, "export", env=env)
    exported(sts, r)
    assert ecs.auth_seen == [AUTH]
    assumed_with(sts, CONTAINER_KEY, CONTAINER_TOKEN)
    assert_no_secrets(r, [AUTH, CONTAINER_SECRET, CONTAINER_TOKEN])


def test_container_wrong_token_is_an_error_without_the_token(ecs_box, sts):
    with FakeContainer("the-right-one") as ecs:
        env = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + FakeContainer.PATH,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH,
        }
        r = run(ecs_box, "--profile", PROFILE, "export", env=env)
    assert_clean_failure(r, ecs_box, mentions=["401"], secrets=[AUTH, "the-right-one"])
    assert ecs.auth_seen == [AUTH], "a 401 is not retried"
    assert sts.requests == []


def test_container_token_file_is_read_at_each_run(ecs_box, sts, tmp_path):
    token_file = tmp_path / "token"
    with FakeContainer(None) as ecs:
        env = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + FakeContainer.PATH,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
            # The file wins over the variable, as in botocore.
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "not-this-one",
        }
        for token in ["token-one-Zm9v", "token-two-YmFy"]:
            token_file.write_text(token)
            ecs.expected_auth = token
            r = run(ecs_box, "--profile", PROFILE, "--no-cache", "export", env=env)
            exported(sts, r)
            assert_no_secrets(r, [token, CONTAINER_SECRET])
    assert ecs.auth_seen == ["token-one-Zm9v", "token-two-YmFy"]
    for call in sts.calls("AssumeRole"):
        assert signed_with(call) == CONTAINER_KEY


def test_container_host_not_allowed_example_com(ecs_box, sts):
    # Refused by the rules before any connection: nothing reaches example.com.
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"}
    r = run(ecs_box, "--profile", PROFILE, "export", env=env)
    assert_clean_failure(r, ecs_box, mentions=["http://example.com/creds", "not allowed"])
    assert r.elapsed < 3, str(r)
    assert sts.requests == []


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.0.0.1"])
def test_container_host_not_allowed_is_never_connected_to(ecs_box, sts, host):
    # Spellings of 127.0.0.1 that an HTTP client would connect to but
    # botocore's host check refuses: the listener must see no connection.
    with SilentListener() as listener:
        url = f"http://{host}:{listener.port}/creds"
        r = run(ecs_box, "--profile", PROFILE, "export",
                env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}, timeout=30)
    assert_clean_failure(r, ecs_box, mentions=[url, "not allowed"])
    assert listener.connections == 0
    assert sts.requests == []
