"""Helpers that never hang a tool, against moto: `mfa_process` (aws-vault's
key) gives the code without a prompt and its TokenCode reaches STS; a
failing, slow or silent one is a clear error with no call made. With
`--no-prompt`, ROLECTL_NO_PROMPT=1 or no terminal at all, a step that needs a
person (an MFA code, an MFA session's code, an SSO login) fails at once with
exit status 3 and one line naming the command that provides it; `warm`
fills the cache for three roles of one device with one code."""

from __future__ import annotations

import os
import shlex
import sys

import pytest

from conftest import ACCOUNT, parse_process_json, trust_policy
from test_moto_mfa import PtyRun

CODE = "602214"


def python_command(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


@pytest.fixture
def mfa_role(role_guide, moto_sandbox):
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{role_guide.user.name}"

    def write(extra: str = ""):
        moto_sandbox.write_config(role_guide.config_text(f"mfa_serial = {serial}\n{extra}"))

    write()
    return role_guide, moto_sandbox, serial, write


# ---------------------------------------------------------------------------
# mfa_process


def test_mfa_process_gives_the_token_code_to_sts(mfa_role, moto):
    guide, box, serial, write = mfa_role
    command = python_command("print('  " + CODE + "  ')")
    write(f"mfa_process = {command}\n")
    r = box.run(["--profile", "marketingadmin", "export"])
    assert (r.status, r.stderr) == (0, ""), r.stderr
    assert parse_process_json(r.stdout)["AccessKeyId"].startswith("ASIA")
    [call] = moto.assume_role_calls(guide.role_arn)
    assert call.params["SerialNumber"] == serial
    assert call.params["TokenCode"] == CODE
    assert CODE not in r.stdout


@pytest.mark.parametrize("script, env, says", [
    ("import sys; sys.stderr.write('otp: no secret for this account\\n'); sys.exit(4)", {},
     ["exit code 4", "otp: no secret for this account"]),
    ("import time; time.sleep(60)", {"ROLECTL_MFA_PROCESS_TIMEOUT": "1"},
     ["did not finish within 1 s"]),
    ("print('   ')", {}, ["printed no code"]),
], ids=["failing", "slow", "empty"])
def test_a_broken_mfa_process_is_a_clear_error(mfa_role, moto, script, env, says):
    guide, box, serial, write = mfa_role
    write(f"mfa_process = {python_command(script)}\n")
    r = box.run(["--profile", "marketingadmin", "export"], env=env)
    assert r.status == 1, r
    assert r.stdout == ""
    assert serial in r.stderr and 'profile "marketingadmin"' in r.stderr, r.stderr
    for text in says:
        assert text in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert moto.assume_role_calls(guide.role_arn) == []
    assert box.cache_files() == []


# ---------------------------------------------------------------------------
# --no-prompt


def assert_needs_person(r, *mentions):
    assert r.status == 3, r
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for m in mentions:
        assert m in lines[0], lines[0]


def test_no_prompt_and_no_terminal_stop_at_the_mfa_code(mfa_role, moto):
    guide, box, serial, _ = mfa_role
    hint = "rolectl --profile marketingadmin export"
    # No terminal at all: the default.
    r = box.run(["--profile", "marketingadmin", "export"])
    assert_needs_person(r, serial, hint, "there is no terminal")
    r = box.run(["--no-prompt", "--profile", "marketingadmin", "export"])
    assert_needs_person(r, serial, hint, "--no-prompt")
    # A terminal is there, but ROLECTL_NO_PROMPT says no one may be asked.
    run = PtyRun(type("Box", (), {"home": box.home,
                                  "env": staticmethod(lambda: box.env({"ROLECTL_NO_PROMPT": "1"}))}),
                 ["--profile", "marketingadmin", "export"])
    status, out, err = run.finish()
    assert run.transcript == b"", run.transcript
    assert_needs_person(type(r)(status, out, err), serial, hint, "ROLECTL_NO_PROMPT")
    assert moto.assume_role_calls(guide.role_arn) == []


def test_no_prompt_stops_at_the_mfa_session(moto_noauth, sandbox, unique):
    sandbox.sts_url = moto_noauth.url
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/np-{unique}"
    arn = moto_noauth.create_role(f"np-{unique}", trust_policy(f"arn:aws:iam::{ACCOUNT}:root"))
    sandbox.write_credentials("[base]\naws_access_key_id = AKIDNOPROMPT\n"
                              "aws_secret_access_key = long-term-secret\n")
    sandbox.write_config(f"[profile r]\nrole_arn = {arn}\nsource_profile = base\n"
                         f"mfa_serial = {serial}\nrolectl_mfa_session = true\n")
    r = sandbox.run(["--no-prompt", "--profile", "r", "export"])
    assert_needs_person(r, serial, "rolectl --profile r export", "rolectl warm r")
    assert moto_noauth.calls("GetSessionToken", SerialNumber=serial) == []


def test_no_prompt_stops_at_an_sso_login(sandbox):
    sandbox.write_config(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
        "sso_role_name = ReadOnly\n[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")
    r = sandbox.run(["--no-prompt", "--profile", "dev", "export"])
    assert_needs_person(r, "rolectl sso login --profile dev", "--no-prompt")


# ---------------------------------------------------------------------------
# warm


def test_warm_asks_once_for_three_roles_of_one_device(moto_noauth, sandbox, unique):
    sandbox.sts_url = moto_noauth.url
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/warm-{unique}"
    config = ""
    roles = {}
    for n in (1, 2, 3):
        roles[f"r{n}"] = moto_noauth.create_role(
            f"warm-r{n}-{unique}", trust_policy(f"arn:aws:iam::{ACCOUNT}:root"))
        config += (f"[profile r{n}]\nrole_arn = {roles[f'r{n}']}\nsource_profile = base\n"
                   f"mfa_serial = {serial}\n")
    sandbox.write_config(config)
    sandbox.write_credentials(f"[base]\naws_access_key_id = AKIDWARM{n}\n"
                              "aws_secret_access_key = long-term-secret\n")
    prompt = f"Enter MFA code for {serial}: ".encode()
    run = PtyRun(sandbox, ["warm", "r1", "r2", "r3"])
    run.read_until(prompt)
    run.wait_for_echo_off()
    os.write(run.master, CODE.encode() + b"\n")
    status, out, err = run.finish()
    assert status == 0, err
    assert run.transcript.count(b"Enter MFA code") == 1, run.transcript
    for profile in roles:
        assert f'Profile "{profile}": credentials cached until' in err, err
    [session] = moto_noauth.calls("GetSessionToken", SerialNumber=serial)
    assert session.params["TokenCode"] == CODE
    for arn in roles.values():
        assert len(moto_noauth.assume_role_calls(arn)) == 1
    # A tool started afterwards gets every role without a prompt.
    for profile in roles:
        r = sandbox.run(["--no-prompt", "--profile", profile, "export"])
        assert r.status == 0, r.stderr
    assert all(len(moto_noauth.assume_role_calls(a)) == 1 for a in roles.values())


def test_no_prompt_refuses_to_start_an_sso_login(sandbox):
    sandbox.write_config(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
        "sso_role_name = ReadOnly\n[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")
    r = sandbox.run(["--no-prompt", "sso", "login", "--profile", "dev"],
                    env={"AWS_ENDPOINT_URL_SSO_OIDC": "http://127.0.0.1:9"})
    assert_needs_person(r, "https://corp.awsapps.com/start", "--no-prompt", "rolectl sso login")


def test_warm_types_a_device_code_once_where_no_session_is_possible(moto_noauth, sandbox, unique):
    # The roles' source is a role: no MFA session; the code typed once is
    # used for each role of the device.
    sandbox.sts_url = moto_noauth.url
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/warm2-{unique}"
    root = f"arn:aws:iam::{ACCOUNT}:root"
    hop = moto_noauth.create_role(f"warm2-hop-{unique}", trust_policy(root))
    config = f"[profile hop]\nrole_arn = {hop}\nsource_profile = base\n"
    roles = {}
    for n in (1, 2):
        roles[f"m{n}"] = moto_noauth.create_role(f"warm2-m{n}-{unique}", trust_policy(root))
        config += (f"[profile m{n}]\nrole_arn = {roles[f'm{n}']}\nsource_profile = hop\n"
                   f"mfa_serial = {serial}\n")
    sandbox.write_config(config)
    sandbox.write_credentials("[base]\naws_access_key_id = AKIDWARMHOP\n"
                              "aws_secret_access_key = long-term-secret\n")
    run = PtyRun(sandbox, ["warm", "m1", "m2"])
    run.read_until(f"Enter MFA code for {serial}: ".encode())
    run.wait_for_echo_off()
    os.write(run.master, CODE.encode() + b"\n")
    status, out, err = run.finish()
    assert status == 0, err
    assert run.transcript.count(b"Enter MFA code") == 1, run.transcript
    for arn in roles.values():
        [call] = moto_noauth.assume_role_calls(arn)
        assert call.params["TokenCode"] == CODE
