"""Role profiles beyond the guide's example, against moto: credential_source,
a chain of three roles, session names, external ids, durations, and web
identity (on the moto instance without auth)."""

from __future__ import annotations

import datetime as dt
import json

from conftest import ACCOUNT, assumed_role_arn, parse_process_json, trust_policy


def _keys(user) -> str:
    return (f"aws_access_key_id = {user.access_key_id}\n"
            f"aws_secret_access_key = {user.secret_access_key}\n")


def test_credential_source_environment(moto, moto_sandbox, unique):
    user = moto.create_user(f"envuser-{unique}")
    role_name = f"envrole-{unique}"
    role_arn = moto.create_role(role_name, trust_policy(user.arn))
    moto_sandbox.write_config(
        f"[profile envrole]\nrole_arn = {role_arn}\ncredential_source = Environment\n"
        "role_session_name = from-env\n")
    env = {"AWS_ACCESS_KEY_ID": user.access_key_id,
           "AWS_SECRET_ACCESS_KEY": user.secret_access_key}
    status, out, err = moto_sandbox.run(["--profile", "envrole", "whoami"], env=env)
    assert (status, err) == (0, ""), err
    assert json.loads(out)["Arn"] == assumed_role_arn(role_name, "from-env")
    [call] = moto.assume_role_calls(role_arn)
    assert call.access_key_id == user.access_key_id
    assert call.params["RoleSessionName"] == "from-env"

    # Without the keys in the environment the profile has no source.
    status, out, err = moto_sandbox.run(["--profile", "envrole", "--no-cache", "export"])
    assert status == 1 and out == "", err
    assert "envrole" in err, err
    assert len(moto.assume_role_calls(role_arn)) == 1


def test_chain_of_three_roles_each_signed_with_the_previous_session(
        moto, moto_sandbox, unique):
    user = moto.create_user(f"chainuser-{unique}")
    names = [f"chain{i}-{unique}" for i in (1, 2, 3)]
    sessions = ["first-session", "second-session", "Session_Maria_Garcia"]
    arns = [moto.create_role(names[0], trust_policy(user.arn))]
    # Each next role trusts only the exact session of the one before it.
    for i in (1, 2):
        arns.append(moto.create_role(
            names[i], trust_policy(assumed_role_arn(names[i - 1], sessions[i - 1]))))
    moto_sandbox.write_credentials("[user1]\n" + _keys(user))
    moto_sandbox.write_config(
        f"[profile one]\nrole_arn = {arns[0]}\nsource_profile = user1\n"
        f"role_session_name = {sessions[0]}\n\n"
        f"[profile two]\nrole_arn = {arns[1]}\nsource_profile = one\n"
        f"role_session_name = {sessions[1]}\n\n"
        f"[profile three]\nrole_arn = {arns[2]}\nsource_profile = two\n"
        f"role_session_name = {sessions[2]}\n")
    status, out, err = moto_sandbox.run(["--profile", "three", "whoami"])
    assert (status, err) == (0, ""), err
    identity = json.loads(out)
    # role_session_name is the session's name in the ARN.
    assert identity["Arn"] == assumed_role_arn(names[2], "Session_Maria_Garcia")
    assert identity["Arn"].endswith("/Session_Maria_Garcia")

    calls = [moto.assume_role_calls(arn) for arn in arns]
    assert [len(c) for c in calls] == [1, 1, 1], calls
    first, second, third = (c[0] for c in calls)
    assert [c.params["RoleSessionName"] for c in (first, second, third)] == sessions
    assert first.access_key_id == user.access_key_id
    # The second and third calls are signed with session keys (ASIA...), each
    # a different one, carrying that session's token.
    assert second.access_key_id.startswith("ASIA"), second.headers
    assert third.access_key_id.startswith("ASIA"), third.headers
    assert len({first.access_key_id, second.access_key_id, third.access_key_id}) == 3
    assert second.header("X-Amz-Security-Token") and third.header("X-Amz-Security-Token")
    assert second.header("X-Amz-Security-Token") != third.header("X-Amz-Security-Token")
    # Which session each key belongs to: the profiles one and two resolve
    # to those very sessions (from the cache the chain filled, as the AWS
    # CLI fills it: an entry for every role of the chain).
    for profile, call, arn in (("one", second, arns[0]), ("two", third, arns[1])):
        status, out, err = moto_sandbox.run(["--profile", profile, "export"])
        assert status == 0, err
        assert parse_process_json(out)["AccessKeyId"] == call.access_key_id, profile
        assert len(moto.assume_role_calls(arn)) == 1, profile


def test_external_id_is_sent_and_checked_by_the_trust_policy(moto, moto_sandbox, unique):
    user = moto.create_user(f"extuser-{unique}")
    role_name = f"extrole-{unique}"
    external_id = f"ext-{unique}"
    # moto evaluates `sts:ExternalId` conditions of trust policies
    # (moto/iam/access_control.py, format_incoming_conditional_values).
    role_arn = moto.create_role(role_name, trust_policy(
        user.arn, condition={"StringEquals": {"sts:ExternalId": external_id}}))
    moto_sandbox.write_credentials("[user1]\n" + _keys(user))
    moto_sandbox.write_config(
        f"[profile right]\nrole_arn = {role_arn}\nsource_profile = user1\n"
        f"external_id = {external_id}\nrole_session_name = right\n\n"
        f"[profile wrong]\nrole_arn = {role_arn}\nsource_profile = user1\n"
        f"external_id = not-{external_id}\nrole_session_name = wrong\n")
    status, out, err = moto_sandbox.run(["--profile", "right", "whoami"])
    assert (status, err) == (0, ""), err
    assert json.loads(out)["Arn"] == assumed_role_arn(role_name, "right")
    [call] = moto.calls("AssumeRole", RoleArn=role_arn, RoleSessionName="right")
    assert call.params["ExternalId"] == external_id

    denied = ("error: An error occurred (AccessDenied) when calling the AssumeRole operation: "
              f"User: {user.arn} is not authorized to perform: sts:AssumeRole (profile \"wrong\")\n")
    # (moto lets a call without any ExternalId through such a policy, unlike
    # AWS, so only the wrong id is checked for denial.)
    status, out, err = moto_sandbox.run(["--profile", "wrong", "export"])
    assert (status, out, err) == (1, "", denied)
    [wrong] = moto.calls("AssumeRole", RoleArn=role_arn, RoleSessionName="wrong")
    assert wrong.params["ExternalId"] == f"not-{external_id}"
    assert len(moto_sandbox.cache_files()) == 1


def test_duration_seconds_is_sent_and_reflected_in_expiration(role_guide, moto_sandbox, moto):
    moto_sandbox.write_config(role_guide.config_text("duration_seconds = 1800\n"))
    before = dt.datetime.now(dt.timezone.utc)
    status, out, err = moto_sandbox.run(["--profile", "marketingadmin", "export"])
    after = dt.datetime.now(dt.timezone.utc)
    assert status == 0, err
    expiry = dt.datetime.fromisoformat(parse_process_json(out)["Expiration"])
    slack = dt.timedelta(seconds=2)
    span = dt.timedelta(seconds=1800)
    assert before + span - slack <= expiry <= after + span + slack, (before, expiry)
    [call] = moto.assume_role_calls(role_guide.role_arn)
    assert call.params["DurationSeconds"] == "1800"


def _web_role(moto_noauth, unique):
    role_name = f"webrole-{unique}"
    role_arn = moto_noauth.create_role(role_name, trust_policy(
        federated="accounts.google.com", action="sts:AssumeRoleWithWebIdentity"))
    return role_name, role_arn


def _check_web_identity_call(moto_noauth, role_arn, token, session):
    [call] = moto_noauth.calls("AssumeRoleWithWebIdentity", RoleArn=role_arn)
    assert call.params["WebIdentityToken"] == token
    assert call.params["RoleSessionName"] == session
    assert call.params["Version"] == "2011-06-15"
    # AssumeRoleWithWebIdentity is not signed.
    assert call.header("Authorization") is None, call.headers
    assert call.header("X-Amz-Security-Token") is None


def test_web_identity_token_file_in_a_profile(moto_noauth, sandbox, unique):
    sandbox.sts_url = moto_noauth.url
    role_name, role_arn = _web_role(moto_noauth, unique)
    token = f"eyJ.profile-token.{unique}"
    token_file = sandbox.home / "token.jwt"
    token_file.write_text(token)
    sandbox.write_config(
        f"[profile web]\nrole_arn = {role_arn}\nweb_identity_token_file = {token_file}\n"
        "role_session_name = web-profile-session\n")
    status, out, err = sandbox.run(["--profile", "web", "whoami"])
    assert (status, err) == (0, ""), err
    assert json.loads(out)["Arn"] == assumed_role_arn(role_name, "web-profile-session")
    _check_web_identity_call(moto_noauth, role_arn, token, "web-profile-session")
    status, out, err = sandbox.run(["--profile", "web", "export"])
    assert status == 0, err
    assert parse_process_json(out)["AccessKeyId"].startswith("ASIA")


def test_web_identity_from_the_environment(moto_noauth, sandbox, unique):
    sandbox.sts_url = moto_noauth.url
    role_name, role_arn = _web_role(moto_noauth, unique)
    token = f"eyJ.env-token.{unique}"
    token_file = sandbox.home / "env-token.jwt"
    token_file.write_text(token)
    env = {"AWS_ROLE_ARN": role_arn, "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
           "AWS_ROLE_SESSION_NAME": "web-env-session"}
    # No config or credentials file at all.
    status, out, err = sandbox.run(["whoami"], env=env)
    assert (status, err) == (0, ""), err
    assert json.loads(out)["Arn"] == assumed_role_arn(role_name, "web-env-session")
    assert json.loads(out)["Account"] == ACCOUNT
    _check_web_identity_call(moto_noauth, role_arn, token, "web-env-session")
