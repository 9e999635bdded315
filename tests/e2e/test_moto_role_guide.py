"""The AWS CLI role guide's example against moto with SigV4 and IAM checks:
`user1` with keys in the credentials file, `[profile marketingadmin]` with
`role_arn` and `source_profile = user1`."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

from conftest import (ACCOUNT, assumed_role_arn, botocore_credentials, parse_process_json,
                      trust_policy)

PROFILE = ["--profile", "marketingadmin"]


def test_whoami_prints_the_assumed_role_arn_as_the_aws_cli_does(role_guide, moto_sandbox, moto):
    status, out, err = moto_sandbox.run([*PROFILE, "whoami"])
    assert (status, err) == (0, ""), err
    identity = json.loads(out)
    assert list(identity) == ["UserId", "Account", "Arn"], out
    assert identity["Account"] == ACCOUNT
    prefix = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_guide.role_name}/"
    assert identity["Arn"].startswith(prefix), identity
    session = identity["Arn"][len(prefix):]
    assert session and identity["UserId"].endswith(":" + session), identity
    # The AWS CLI's own layout: 4-space indent, final newline.
    assert out == json.dumps(identity, indent=4) + "\n"
    # One AssumeRole, then GetCallerIdentity signed with the session's key.
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    [entry] = moto_sandbox.cache_files()
    session_key = json.loads(entry.read_text())["Credentials"]["AccessKeyId"]
    calls = [c for c in moto.calls("GetCallerIdentity") if c.access_key_id == session_key]
    assert len(calls) == 1


def _reference(creds: dict, fmt: str) -> str:
    """What `aws configure export-credentials --format fmt` (CLI v2) prints
    for `creds` (its formatter classes, rewritten here)."""
    if fmt == "process":
        body = {"Version": 1, "AccessKeyId": creds["access_key"],
                "SecretAccessKey": creds["secret_key"]}
        if creds["token"] is not None:
            body["SessionToken"] = creds["token"]
        if creds["expiry"] is not None:
            body["Expiration"] = creds["expiry"]
        return json.dumps(body, indent=2, separators=(",", ": ")) + "\n"
    line = {
        "env": "export {}={}",
        "env-no-export": "{}={}",
        "fish": 'set -gx {} "{}"',
        "powershell": '$Env:{}="{}"',
        "windows-cmd": "set {}={}",
    }[fmt]
    pairs = [("AWS_ACCESS_KEY_ID", creds["access_key"]),
             ("AWS_SECRET_ACCESS_KEY", creds["secret_key"]),
             ("AWS_SESSION_TOKEN", creds["token"]),
             ("AWS_CREDENTIAL_EXPIRATION", creds["expiry"])]
    return "".join(line.format(k, v) + "\n" for k, v in pairs if v is not None)


FORMATS = ["process", "env", "env-no-export", "fish", "powershell", "windows-cmd"]
LINE_SHAPES = {
    "env": "export {name}={value}",
    "env-no-export": "{name}={value}",
    "fish": 'set -gx {name} "{value}"',
    "powershell": '$Env:{name}="{value}"',
    "windows-cmd": "set {name}={value}",
}


def test_export_every_format_matches_the_aws_cli_reading_the_same_cache(
        role_guide, moto_sandbox, moto):
    outputs = {}
    for fmt in FORMATS:
        status, out, err = moto_sandbox.run([*PROFILE, "export", "--format", fmt])
        assert (status, err) == (0, ""), f"{fmt}: {err}"
        outputs[fmt] = out
    # One AssumeRole for all six runs: the first one's entry served the rest.
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1

    creds = parse_process_json(outputs["process"])
    assert list(creds) == ["Version", "AccessKeyId", "SecretAccessKey", "SessionToken",
                           "Expiration"], outputs["process"]
    assert creds["Version"] == 1
    assert creds["AccessKeyId"].startswith("ASIA")
    assert outputs["process"] == json.dumps(creds, indent=2) + "\n"
    expiry = dt.datetime.fromisoformat(creds["Expiration"])
    assert expiry.utcoffset() == dt.timedelta(0), creds["Expiration"]
    left = expiry - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(minutes=55) < left <= dt.timedelta(hours=1, minutes=1), left

    values = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
              "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
              "AWS_SESSION_TOKEN": creds["SessionToken"],
              "AWS_CREDENTIAL_EXPIRATION": creds["Expiration"]}
    for fmt, shape in LINE_SHAPES.items():
        expected = "".join(shape.format(name=k, value=v) + "\n" for k, v in values.items())
        assert outputs[fmt] == expected, fmt

    # botocore (as the AWS CLI wires it: JSONFileCache on the same directory)
    # reads rolectl's entry and sees the same credentials and expiry string,
    # without an STS call of its own.
    reference = botocore_credentials(moto_sandbox, "marketingadmin")
    assert reference["access_key"] == creds["AccessKeyId"]
    assert reference["expiry"] == creds["Expiration"]
    for fmt in FORMATS:
        assert outputs[fmt] == _reference(reference, fmt), fmt
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1


def test_exec_env_shows_the_credentials_and_not_aws_profile(role_guide, moto_sandbox):
    env = {"AWS_PROFILE": "marketingadmin"}
    status, out, err = moto_sandbox.run(["--region", "eu-west-1", "exec", "--", "env"], env=env)
    assert (status, err) == (0, ""), err
    seen = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    status, exported, err = moto_sandbox.run(["export"], env=env)
    assert status == 0, err
    creds = parse_process_json(exported)
    assert seen["AWS_ACCESS_KEY_ID"] == creds["AccessKeyId"]
    assert seen["AWS_SECRET_ACCESS_KEY"] == creds["SecretAccessKey"]
    assert seen["AWS_SESSION_TOKEN"] == creds["SessionToken"]
    assert seen["AWS_CREDENTIAL_EXPIRATION"] == creds["Expiration"]
    assert seen["AWS_REGION"] == "eu-west-1"
    assert seen["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert "AWS_PROFILE" not in seen, out
    # The rest of the environment passes through.
    assert seen["HOME"] == str(moto_sandbox.home)


def test_exec_passes_the_exit_status_through(role_guide, moto_sandbox):
    status, out, err = moto_sandbox.run([*PROFILE, "exec", "--", "sh", "-c", "exit 7"])
    assert status == 7, err


def test_second_run_is_served_from_the_cache_and_no_cache_calls_sts(
        role_guide, moto_sandbox, moto):
    status, first, err = moto_sandbox.run([*PROFILE, "export"])
    assert status == 0, err
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    status, second, err = moto_sandbox.run([*PROFILE, "export"])
    assert status == 0, err
    assert second == first
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    entries = moto_sandbox.cache_files()
    before = {p.name: p.read_bytes() for p in entries}

    status, third, err = moto_sandbox.run([*PROFILE, "--no-cache", "export"])
    assert status == 0, err
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 2
    assert parse_process_json(third)["AccessKeyId"] != parse_process_json(first)["AccessKeyId"]
    # --no-cache neither reads nor writes the cache.
    assert {p.name: p.read_bytes() for p in moto_sandbox.cache_files()} == before


def test_cache_entry_is_0600_in_a_0700_directory(role_guide, moto_sandbox):
    status, out, err = moto_sandbox.run([*PROFILE, "export"])
    assert status == 0, err
    mode = stat.S_IMODE(os.stat(moto_sandbox.cache_dir).st_mode)
    assert mode == 0o700, oct(mode)
    entries = moto_sandbox.cache_files()
    assert len(entries) == 1, entries
    assert stat.S_IMODE(os.stat(entries[0]).st_mode) == 0o600
    # The AWS CLI's entry format: the STS answer's Credentials.
    entry = json.loads(entries[0].read_text())
    assert entry["Credentials"]["AccessKeyId"] == parse_process_json(out)["AccessKeyId"]
    # No temporary file left behind.
    assert sorted(p.name for p in moto_sandbox.cache_dir.iterdir()
                  if not p.name.endswith(".lock")) == [entries[0].name]


def test_denied_role_prints_the_sts_error_and_caches_nothing(moto, moto_sandbox, unique):
    user = moto.create_user(f"user1-{unique}")
    other = moto.create_user(f"other-{unique}")
    role_name = f"denied-{unique}"
    role_arn = moto.create_role(role_name, trust_policy(other.arn))
    moto_sandbox.write_credentials(
        f"[user1]\naws_access_key_id = {user.access_key_id}\n"
        f"aws_secret_access_key = {user.secret_access_key}\n")
    moto_sandbox.write_config(
        f"[profile marketingadmin]\nrole_arn = {role_arn}\nsource_profile = user1\n"
        "role_session_name = denied-session\n")
    # moto's wording (real STS adds " on resource: <role arn>").
    message = f"User: {user.arn} is not authorized to perform: sts:AssumeRole"
    expected = f"An error occurred (AccessDenied) when calling the AssumeRole operation: {message}"
    for command in (["export"], ["whoami"], ["credential-process"]):
        status, out, err = moto_sandbox.run([*PROFILE, *command])
        assert status == 1, (command, err)
        assert out == "", command
        assert err == f"error: {expected} (profile \"marketingadmin\")\n", err
        assert moto_sandbox.cache_files() == [], command
        assert user.secret_access_key not in err
    # The AWS CLI says the same for the same profile.
    status, out, err = moto_sandbox.aws_cli(["sts", "get-caller-identity", *PROFILE],
                                            env={"AWS_DEFAULT_REGION": "us-east-1"})
    assert status != 0
    assert err.strip() == expected, err
    assert len(moto.assume_role_calls(role_arn)) == 4
