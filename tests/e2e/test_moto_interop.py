"""rolectl next to the AWS CLI v1 and boto3 of the venv, against moto: one
shared cache directory, and rolectl as a `credential_process`."""

from __future__ import annotations

import json

from conftest import assumed_role_arn, parse_process_json, rolectl_path

PROFILE = ["--profile", "marketingadmin"]
# The AWS CLI insists on a region for STS; rolectl's cache key has none.
CLI_ENV = {"AWS_DEFAULT_REGION": "us-east-1"}


def _cache_key_ids(sandbox) -> list[str]:
    return [json.loads(p.read_text())["Credentials"]["AccessKeyId"]
            for p in sandbox.cache_files()]


def test_rolectl_reuses_the_aws_cli_cache_entry(role_guide, moto_sandbox, moto):
    status, out, err = moto_sandbox.aws_cli(["sts", "get-caller-identity", *PROFILE],
                                            env=CLI_ENV)
    assert status == 0, err
    cli_identity = json.loads(out)
    assert cli_identity["Arn"].startswith(
        assumed_role_arn(role_guide.role_name, "botocore-session-")), out
    # The CLI honours AWS_ENDPOINT_URL_STS: its AssumeRole reached moto.
    [call] = moto.assume_role_calls(role_guide.role_arn)
    assert call.header("User-Agent").startswith("aws-cli/"), call.headers
    [cli_key] = _cache_key_ids(moto_sandbox)

    status, out, err = moto_sandbox.run([*PROFILE, "export"])
    assert (status, err) == (0, ""), err
    assert parse_process_json(out)["AccessKeyId"] == cli_key
    status, out, err = moto_sandbox.run([*PROFILE, "whoami"])
    assert status == 0, err
    assert json.loads(out)["Arn"] == cli_identity["Arn"]
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    assert _cache_key_ids(moto_sandbox) == [cli_key]


def test_aws_cli_reuses_the_rolectl_cache_entry(role_guide, moto_sandbox, moto):
    status, out, err = moto_sandbox.run([*PROFILE, "export"])
    assert (status, err) == (0, ""), err
    key = parse_process_json(out)["AccessKeyId"]
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1

    status, out, err = moto_sandbox.aws_cli(["sts", "get-caller-identity", *PROFILE],
                                            env=CLI_ENV)
    assert status == 0, err
    assert json.loads(out)["Arn"].startswith(
        assumed_role_arn(role_guide.role_name, "rolectl-")), out
    # No AssumeRole of its own: its GetCallerIdentity is signed with
    # rolectl's session key.
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    signed = [c for c in moto.calls("GetCallerIdentity") if c.access_key_id == key]
    assert len(signed) == 1
    assert signed[0].header("User-Agent").startswith("aws-cli/")
    assert _cache_key_ids(moto_sandbox) == [key]


BOTO3_WHOAMI = r"""
import json, boto3
session = boto3.Session(profile_name="viarolectl")
creds = session.get_credentials().get_frozen_credentials()
identity = session.client("sts", region_name="us-east-1").get_caller_identity()
print(json.dumps({"key": creds.access_key, "arn": identity["Arn"]}))
"""


def test_boto3_uses_rolectl_as_credential_process(role_guide, moto_sandbox, moto):
    moto_sandbox.write_config(role_guide.config_text(
        f"\n[profile viarolectl]\n"
        f"credential_process = {rolectl_path()} credential-process --profile marketingadmin\n"))
    status, out, err = moto_sandbox.python(BOTO3_WHOAMI)
    assert status == 0, err
    answer = json.loads(out)
    assert answer["arn"].startswith(assumed_role_arn(role_guide.role_name, "rolectl-")), answer
    assert answer["key"].startswith("ASIA")
    [call] = moto.assume_role_calls(role_guide.role_arn)
    assert call.access_key_id == role_guide.user.access_key_id
    signed = [c for c in moto.calls("GetCallerIdentity") if c.access_key_id == answer["key"]]
    assert len(signed) == 1 and "Boto3/" in signed[0].header("User-Agent")
    # rolectl cached the role's credentials where both read them.
    assert _cache_key_ids(moto_sandbox) == [answer["key"]]


def test_credential_process_refuses_to_call_itself(moto_sandbox):
    moto_sandbox.write_config(
        "[profile loop]\n"
        f"credential_process = {rolectl_path()} credential-process --profile loop\n")
    status, out, err = moto_sandbox.run(["--profile", "loop", "credential-process"], timeout=20)
    assert status == 1, err
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") >= 1, err
    # It names the profile and the loop, found at the first nesting: the
    # inner rolectl sees that the outer one resolves the same profile.
    assert '"loop"' in err and "(loop -> loop)" in err, err
    assert "panicked" not in err
    assert moto_sandbox.cache_files() == []
