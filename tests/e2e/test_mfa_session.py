"""rolectl's MFA session against moto: three roles with the same
`mfa_serial` cost one prompt on the terminal and one GetSessionToken (with
the long-term keys, SerialNumber and TokenCode); each role is then assumed
with the session's key and no MFA parameters. The session is cached beside
the role entries under a key of its own; `cache clear` removes it; a role
whose source has no long-term keys asks for its own code, with a warning.

moto's GetSessionToken hands out a fixed key that its own auth check then
refuses, so these tests use the instance without auth; the signing key is
read from the Authorization header moto recorded.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import ACCOUNT, parse_process_json, trust_policy
from test_moto_mfa import PtyRun

CODE = "271828"
PREFIX = "rolectl-mfa-session-"


class Setup:
    def __init__(self, moto_noauth, sandbox, unique):
        self.moto = moto_noauth
        self.sandbox = sandbox
        sandbox.sts_url = moto_noauth.url
        self.serial = f"arn:aws:iam::{ACCOUNT}:mfa/alice-{unique}"
        self.key_id = f"AKIDMFA{unique.replace('-', '').upper()}"
        self.secret = f"long-term-secret-{unique}"
        self.roles = {}
        for n in (1, 2, 3):
            name = f"mfa-session-r{n}-{unique}"
            self.roles[f"r{n}"] = moto_noauth.create_role(
                name, trust_policy(f"arn:aws:iam::{ACCOUNT}:root"))
        sandbox.write_credentials(
            f"[base]\naws_access_key_id = {self.key_id}\n"
            f"aws_secret_access_key = {self.secret}\n")
        # Each of the three ways to ask for it: r1's profile key, r2 by
        # --mfa-session, r3 by ROLECTL_MFA_SESSION. One session serves them.
        config = ""
        for profile, arn in self.roles.items():
            config += (f"[profile {profile}]\nrole_arn = {arn}\nsource_profile = base\n"
                       f"mfa_serial = {self.serial}\n")
            if profile == "r1":
                config += "rolectl_mfa_session = true\n"
        sandbox.write_config(config)

    def args(self, profile, *command):
        flag = ["--mfa-session"] if profile == "r2" else []
        return [*flag, "--profile", profile, *(command or ["export"])]

    def env(self, profile):
        return {"ROLECTL_MFA_SESSION": "1"} if profile == "r3" else {}

    def session_files(self):
        return [p for p in self.sandbox.cache_files() if p.name.startswith(PREFIX)]

    def session_calls(self):
        return self.moto.calls("GetSessionToken", SerialNumber=self.serial)

    def assume_calls(self, profile):
        return self.moto.assume_role_calls(self.roles[profile])

    def run_pty(self, profile):
        sandbox = self.sandbox

        class WithEnv:
            home = sandbox.home

            @staticmethod
            def env():
                return sandbox.env(self.env(profile))

        return PtyRun(WithEnv, self.args(profile))


@pytest.fixture
def mfa(moto_noauth, sandbox, unique, rolectl_bin) -> Setup:
    return Setup(moto_noauth, sandbox, unique)


def test_three_roles_one_prompt_one_get_session_token(mfa):
    prompt = f"Enter MFA code for {mfa.serial}: ".encode()
    outputs = {}
    for n, profile in enumerate(["r1", "r2", "r3"]):
        run = mfa.run_pty(profile)
        if n == 0:
            run.read_until(prompt)
            run.wait_for_echo_off()
            os.write(run.master, CODE.encode() + b"\n")
        status, out, err = run.finish()
        assert (status, err) == (0, ""), err
        # One prompt in all: the first run's.
        assert run.transcript.strip() == (prompt.strip() if n == 0 else b""), run.transcript
        outputs[profile] = parse_process_json(out)

    # One GetSessionToken: the long-term keys, the serial, the code typed.
    [call] = mfa.session_calls()
    assert call.access_key_id == mfa.key_id
    assert call.params["TokenCode"] == CODE
    assert call.params["DurationSeconds"] == "43200"
    # The session cached beside the role entries, 0600, without the
    # long-term secret, under rolectl's own key.
    [session_file] = mfa.session_files()
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    text = session_file.read_text()
    assert mfa.secret not in text
    session = json.loads(text)
    assert session["MfaSession"] == {"SerialNumber": mfa.serial, "AccessKeyId": mfa.key_id,
                                     "DurationSeconds": 43200}
    session_key_id = session["Credentials"]["AccessKeyId"]
    assert session_key_id != mfa.key_id

    # Three AssumeRole calls, signed with the session's key, no MFA parameters.
    for profile in ("r1", "r2", "r3"):
        [assume] = mfa.assume_calls(profile)
        assert assume.access_key_id == session_key_id, assume.headers
        assert "SerialNumber" not in assume.params, assume.params
        assert "TokenCode" not in assume.params, assume.params
        assert assume.header("X-Amz-Security-Token") == session["Credentials"]["SessionToken"]
    # Each role's entry (the AWS CLI's key) and the session: four files.
    assert len(mfa.sandbox.cache_files()) == 4

    # A second run of each asks nothing and calls nothing.
    for profile in ("r1", "r2", "r3"):
        run = mfa.run_pty(profile)
        status, out, err = run.finish()
        assert (status, err, run.transcript) == (0, "", b""), (err, run.transcript)
        assert parse_process_json(out)["AccessKeyId"] == outputs[profile]["AccessKeyId"]
    assert len(mfa.session_calls()) == 1
    assert all(len(mfa.assume_calls(p)) == 1 for p in ("r1", "r2", "r3"))


def test_a_new_role_with_the_cached_session_asks_nothing(mfa):
    status, _, err = mfa.sandbox.run(["--mfa-code", CODE, *mfa.args("r1")])
    assert (status, err) == (0, ""), err
    # r2 has no entry of its own yet: the session serves it, no code needed
    # (stdin is empty: a prompt would fail the run).
    status, out, err = mfa.sandbox.run(mfa.args("r2"))
    assert (status, err) == (0, ""), err
    assert len(mfa.session_calls()) == 1
    [assume] = mfa.assume_calls("r2")
    assert "SerialNumber" not in assume.params

    # explain shows the step and that the cached session would serve it.
    status, out, err = mfa.sandbox.run(mfa.args("r3", "explain", "--format", "json"),
                                       env=mfa.env("r3"))
    assert status == 0, err
    steps = json.loads(out)["steps"]
    assert [s["kind"] for s in steps] == ["static-keys", "mfa-session", "assume-role"]
    assert steps[1]["cache"]["status"] == "fresh"
    assert steps[1]["cache"]["key"].startswith(PREFIX)
    assert steps[1]["access_key_id"] == mfa.key_id
    assert steps[2]["cache"]["status"] == "missing"


def test_cache_clear_removes_the_session_too(mfa):
    for profile in ("r1", "r2"):
        status, _, err = mfa.sandbox.run(["--mfa-code", CODE, *mfa.args(profile)],
                                         env=mfa.env(profile))
        assert (status, err) == (0, ""), err
    assert len(mfa.session_files()) == 1

    # cache list shows the session sensibly, never a secret.
    status, out, err = mfa.sandbox.run(["cache", "list"])
    assert status == 0, err
    [line] = [l for l in out.splitlines() if l.startswith(PREFIX)]
    assert f"MFA session for {mfa.serial} (keys {mfa.key_id})" in line
    status, out, err = mfa.sandbox.run(["cache", "list", "--format", "json"])
    [row] = [r for r in json.loads(out) if r["key"].startswith(PREFIX)]
    assert row["kind"] == "mfa-session" and row["serial_number"] == mfa.serial
    assert "SecretAccessKey" not in out and mfa.secret not in out

    # --profile: that profile's role entry and its chain's session (even
    # without the switch on this run); r2's entry stays.
    status, _, err = mfa.sandbox.run(["--profile", "r2", "cache", "clear"])
    assert status == 0, err
    assert "Removed 2 cached entries" in err
    names = [p.name for p in mfa.sandbox.cache_files()]
    assert len(names) == 1 and not names[0].startswith(PREFIX), names

    # Without --profile: everything, the session included.
    status, _, err = mfa.sandbox.run(["--mfa-code", CODE, *mfa.args("r3")], env=mfa.env("r3"))
    assert status == 0, err
    assert len(mfa.session_files()) == 1
    status, _, err = mfa.sandbox.run(["cache", "clear"])
    assert status == 0, err
    assert mfa.sandbox.cache_files() == []


def test_a_role_chain_without_long_term_keys_asks_its_own_code_with_a_warning(mfa):
    # top's source is the role r1: GetSessionToken cannot be had for it.
    top_arn = mfa.moto.create_role(f"mfa-session-top-{mfa.key_id.lower()}",
                                   trust_policy(f"arn:aws:iam::{ACCOUNT}:root"))
    config = mfa.sandbox.config.read_text().replace("rolectl_mfa_session = true\n", "")
    mfa.sandbox.write_config(config + f"[profile top]\nrole_arn = {top_arn}\n"
                             f"source_profile = r1\nmfa_serial = {mfa.serial}\n")
    status, out, err = mfa.sandbox.run(["--mfa-code", CODE, "--profile", "top", "export"],
                                       env={"ROLECTL_MFA_SESSION": "1"})
    assert status == 0, err
    assert err == ('warning: No MFA session for profile "top": its source is the role of '
                   'profile "r1" (role chaining), not long-term keys, so its MFA code is '
                   "asked for this role alone.\n")
    # top is assumed as the AWS CLI assumes it: with its serial and code,
    # signed with r1's role credentials...
    [assume] = mfa.moto.assume_role_calls(top_arn)
    assert assume.params["SerialNumber"] == mfa.serial
    assert assume.params["TokenCode"] == CODE
    # ...while r1 below it, whose source is long-term keys, used the session.
    [session_call] = mfa.session_calls()
    assert session_call.access_key_id == mfa.key_id
    [r1] = mfa.assume_calls("r1")
    assert "SerialNumber" not in r1.params
    assert assume.access_key_id != mfa.key_id


def test_a_web_identity_source_asks_the_roles_own_code(mfa, unique):
    token_file = mfa.sandbox.home / "token.jwt"
    token_file.write_text(f"eyJ.mfa-session.{unique}")
    web_arn = mfa.moto.create_role(f"mfa-session-web-{unique}", trust_policy(
        federated="accounts.google.com", action="sts:AssumeRoleWithWebIdentity"))
    mfa.sandbox.write_config(
        f"[profile web]\nrole_arn = {web_arn}\nweb_identity_token_file = {token_file}\n"
        f"[profile top]\nrole_arn = {mfa.roles['r1']}\nsource_profile = web\n"
        f"mfa_serial = {mfa.serial}\nrolectl_mfa_session = true\n")
    status, _, err = mfa.sandbox.run(["--mfa-code", CODE, "--profile", "top", "export"])
    assert status == 0, err
    assert "its source is a web identity role, not long-term keys" in err
    assert mfa.session_calls() == []
    [assume] = mfa.assume_calls("r1")
    assert assume.params["SerialNumber"] == mfa.serial
    assert assume.params["TokenCode"] == CODE
    assert mfa.session_files() == []
