"""Long-term keys in the OS keychain against a real Secret Service
(Debian's gnome-keyring daemon on a private bus under dbus-run-session,
unlocked by the test) and moto: keys added, listed and used as a role's
source (the AssumeRole signed with them), imported from a credentials file
(the rest of the file byte-identical), rotated through moto's IAM (the old
key deleted, the new one working); a locked keyring and no D-Bus are clear
errors that write nothing. The secret is never in any output or file."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import ACCOUNT, Sandbox, parse_process_json, trust_policy
from fakes import LoopbackServer, Reply, Request, signed_with

PASSWORD = "keyring-test-password"

SESSION_SCRIPT = r"""
set -eu
printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
echo "$DBUS_SESSION_BUS_ADDRESS"
# Hold the bus open until the test closes stdin.
cat >/dev/null
"""


class SecretService:
    def __init__(self, root: Path):
        self.root = root
        self.run_dir = root / "run"
        self.run_dir.mkdir(parents=True)
        self.run_dir.chmod(0o700)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(root),
            "XDG_RUNTIME_DIR": str(self.run_dir),
            "XDG_DATA_HOME": str(root / "data"),
            "KEYRING_PASSWORD": PASSWORD,
        }
        for tool in ("dbus-run-session", "gnome-keyring-daemon", "dbus-send"):
            if shutil.which(tool) is None:
                pytest.fail(f"{tool} is missing: scripts/setup.sh installs it")
        self.proc = subprocess.Popen(
            ["dbus-run-session", "--", "sh", "-c", SESSION_SCRIPT], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.address = self.proc.stdout.readline().decode().strip()
        if not self.address:
            err = self.proc.stderr.read().decode()
            pytest.fail(f"the Secret Service did not start: {err}")

    @property
    def env(self) -> dict[str, str]:
        return {"DBUS_SESSION_BUS_ADDRESS": self.address, "XDG_RUNTIME_DIR": str(self.run_dir)}

    def lock(self) -> None:
        done = subprocess.run(
            ["dbus-send", "--session", "--dest=org.freedesktop.secrets", "--type=method_call",
             "--print-reply", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
             "array:objpath:/org/freedesktop/secrets/collection/login"],
            env={**os.environ, **self.env}, capture_output=True, timeout=20)
        assert done.returncode == 0, done.stderr

    def stop(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def keyring(tmp_path):
    service = SecretService(tmp_path / "keyring")
    yield service
    service.stop()


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_secret_nowhere(secret: str, root: Path, *outputs: str) -> None:
    for text in outputs:
        assert secret not in text
    for name, data in tree(root).items():
        assert secret.encode() not in data, f"the secret is in {name}"


class Setup:
    def __init__(self, moto, box: Sandbox, keyring: SecretService, unique: str,
                 policy: str | None = None):
        self.moto = moto
        self.box = box
        self.keyring = keyring
        extra = {} if policy is None else {"policy": policy}
        self.user = moto.create_user(f"kc-user-{unique}", **extra)
        self.role_arn = moto.create_role(f"kc-role-{unique}", trust_policy(self.user.arn))
        self.config = (f"[profile app]\nrole_arn = {self.role_arn}\nsource_profile = user1\n"
                       "[profile user1]\nregion = us-east-1\n")
        box.write_config(self.config)

    def run(self, args, input=None, env=None):
        return self.box.run(args, input=input, env={**self.keyring.env, **(env or {})})

    def add(self, profile="user1", key_id=None, secret=None):
        key_id = key_id or self.user.access_key_id
        secret = secret or self.user.secret_access_key
        return self.run(["keys", "add", profile], input=f"{key_id}\n{secret}\n")


@pytest.fixture
def kc(moto, moto_sandbox, keyring, unique) -> Setup:
    return Setup(moto, moto_sandbox, keyring, unique)


def test_keys_added_listed_and_used_as_a_role_source(kc):
    added = kc.add()
    assert added.status == 0, added.stderr
    assert kc.user.access_key_id in added.stderr and "Secret Service" in added.stderr
    listed = kc.run(["keys", "list"])
    assert (listed.status, listed.stdout) == (0, f"user1  {kc.user.access_key_id}\n")

    # The files hold no keys for user1: the keychain's are used.
    explained = kc.run(["--profile", "app", "explain"])
    assert explained.status == 0, explained.stderr
    assert f'Keys of profile "user1" in the keychain, key id {kc.user.access_key_id}' \
        in explained.stdout, explained.stdout
    exported = kc.run(["--profile", "app", "export"])
    assert exported.status == 0, exported.stderr
    assert parse_process_json(exported.stdout)["AccessKeyId"].startswith("ASIA")
    [call] = kc.moto.assume_role_calls(kc.role_arn)
    assert call.access_key_id == kc.user.access_key_id
    assert_secret_nowhere(kc.user.secret_access_key, kc.box.home, added.stdout, added.stderr,
                          listed.stdout, explained.stdout, exported.stderr)


def test_rolectl_keychain_true_wins_over_keys_in_the_files(kc):
    assert kc.add().status == 0
    # Keys in the file that moto does not know: with the profile key, the
    # keychain's are used all the same.
    kc.box.write_credentials("[user1]\naws_access_key_id = AKIDNOTINMOTO0000\n"
                             "aws_secret_access_key = wrong\n")
    kc.box.write_config(kc.config + "rolectl_keychain = true\n")
    r = kc.run(["--profile", "app", "--no-cache", "export"])
    assert r.status == 0, r.stderr
    [call] = kc.moto.assume_role_calls(kc.role_arn)
    assert call.access_key_id == kc.user.access_key_id
    # Removed: the profile key now says what to do.
    assert kc.run(["keys", "remove", "user1"]).status == 0
    assert kc.run(["keys", "list"]).stdout == ""
    r = kc.run(["--profile", "app", "--no-cache", "export"])
    assert r.status == 1
    assert "rolectl keys add user1" in r.stderr, r.stderr


def test_import_moves_the_keys_out_of_the_credentials_file(kc):
    original = (
        "# team keys\n[other]\naws_access_key_id = AKIDOTHER00000000\n"
        "aws_secret_access_key = other-secret\n\n"
        f"[user1]\n# rotated monthly\naws_access_key_id = {kc.user.access_key_id}\n"
        f"aws_secret_access_key = {kc.user.secret_access_key}\nregion = us-east-1\n"
        "[last]\noutput = json\n")
    path = kc.box.write_credentials(original)
    r = kc.run(["keys", "import", "user1"])
    assert r.status == 0, r.stderr
    kept = "".join(line for line in original.splitlines(keepends=True)
                   if kc.user.access_key_id not in line and kc.user.secret_access_key not in line)
    assert path.read_text() == kept
    [backup] = [p for p in path.parent.iterdir() if p.name.startswith("credentials.rolectl-backup-")]
    assert backup.read_text() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert kc.run(["keys", "list"]).stdout == f"user1  {kc.user.access_key_id}\n"
    exported = kc.run(["--profile", "app", "export"])
    assert exported.status == 0, exported.stderr
    [call] = kc.moto.assume_role_calls(kc.role_arn)
    assert call.access_key_id == kc.user.access_key_id
    assert kc.user.secret_access_key not in r.stdout + r.stderr


ROTATE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*",
    "Action": ["sts:*", "iam:CreateAccessKey", "iam:DeleteAccessKey"]}]})


def test_rotate_replaces_the_key_through_iam(moto, moto_sandbox, keyring, unique):
    kc = Setup(moto, moto_sandbox, keyring, unique, policy=ROTATE_POLICY)
    assert kc.add().status == 0
    env = {"AWS_ENDPOINT_URL_IAM": moto.url}
    r = kc.run(["keys", "rotate", "user1"], env=env)
    assert r.status == 0, r.stderr
    [line] = kc.run(["keys", "list"]).stdout.splitlines()
    profile, new_id = line.split()
    assert profile == "user1" and new_id != kc.user.access_key_id
    assert f"old key {kc.user.access_key_id} deleted" in r.stderr
    [create] = moto.calls("CreateAccessKey")[-1:]
    assert create.access_key_id == kc.user.access_key_id
    [delete] = moto.calls("DeleteAccessKey", AccessKeyId=kc.user.access_key_id)
    assert delete.access_key_id == new_id
    # The new key works; the old one is gone.
    exported = kc.run(["--profile", "app", "export"])
    assert exported.status == 0, exported.stderr
    [call] = moto.assume_role_calls(kc.role_arn)
    assert call.access_key_id == new_id
    old = kc.box.run(["whoami"], env={"AWS_ACCESS_KEY_ID": kc.user.access_key_id,
                                     "AWS_SECRET_ACCESS_KEY": kc.user.secret_access_key})
    assert old.status == 1 and "InvalidClientTokenId" in old.stderr, old
    assert_secret_nowhere(kc.user.secret_access_key, kc.box.home, r.stdout, r.stderr)


class SessionOnlyIam(LoopbackServer):
    """IAM for the MFA rotation: moto's IAM knows no GetSessionToken
    session (its access control finds only assumed roles), so this fake
    takes the IAM calls and refuses any not signed with a session (a key
    with its session token), as an MFA-only policy does."""

    def respond(self, req: Request):
        form = req.form()
        if not (signed_with(req) and req.headers.get("x-amz-security-token")):
            return Reply(403, b"<ErrorResponse><Error><Code>AccessDenied</Code>"
                              b"<Message>MFA required</Message></Error></ErrorResponse>")
        if form.get("Action") == "CreateAccessKey":
            return Reply(200, b"<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey>"
                              b"<AccessKeyId>AKIAROTATEDBYFAKE000</AccessKeyId>"
                              b"<SecretAccessKey>rotatedSecret/wJalrXUtnFEMI/K7MDENG0</SecretAccessKey>"
                              b"</AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>")
        return Reply(200, b"<DeleteAccessKeyResponse></DeleteAccessKeyResponse>")


def test_rotate_with_mfa_signs_both_iam_calls_with_an_mfa_session(moto, moto_sandbox, keyring,
                                                                   unique):
    kc = Setup(moto, moto_sandbox, keyring, unique)
    serial = f"arn:aws:iam::123456789012:mfa/{kc.user.name}"
    kc.box.write_config(kc.config + f"mfa_serial = {serial}\n")
    assert kc.add().status == 0
    with SessionOnlyIam() as iam:
        env = {"AWS_ENDPOINT_URL_IAM": iam.url}
        # No one may be asked for the code: exit 3, nothing called, nothing changed.
        r = kc.run(["--no-prompt", "keys", "rotate", "user1"], env=env)
        assert r.status == 3 and serial in r.stderr, r
        assert moto.calls("GetSessionToken", SerialNumber=serial) == [] and iam.seen() == []
        r = kc.run(["--mfa-code", "123456", "keys", "rotate", "user1"], env=env)
        assert r.status == 0, r.stderr
        # One GetSessionToken at moto, signed with the old key, with the code...
        [session] = moto.calls("GetSessionToken", SerialNumber=serial)
        assert session.params["TokenCode"] == "123456"
        assert session.access_key_id == kc.user.access_key_id
        # ...and both IAM calls signed with that one session.
        create, delete = iam.seen("POST")
        assert [create.form()["Action"], delete.form()["Action"]] == \
            ["CreateAccessKey", "DeleteAccessKey"]
        assert delete.form()["AccessKeyId"] == kc.user.access_key_id
        assert signed_with(create) == signed_with(delete) != kc.user.access_key_id
        assert create.headers["x-amz-security-token"] == delete.headers["x-amz-security-token"]
    [line] = kc.run(["keys", "list"]).stdout.splitlines()
    assert line.split() == ["user1", "AKIAROTATEDBYFAKE000"]
    assert "123456" not in r.stdout + r.stderr
    assert_secret_nowhere(kc.user.secret_access_key, kc.box.home, r.stdout, r.stderr)


def test_a_locked_keyring_is_a_clear_error_and_writes_nothing(kc):
    assert kc.add().status == 0
    kc.keyring.lock()
    before = tree(kc.box.home)
    for args, input in ((["keys", "add", "p2"], "AKIDLOCKEDTEST000\nlocked-secret\n"),
                        (["--profile", "app", "export"], None),
                        (["keys", "list"], None)):
        r = kc.run(args, input=input)
        assert r.status == 1, r
        assert r.stdout == ""
        assert "The OS keychain (Secret Service over D-Bus) is locked" in r.stderr, r.stderr
        assert "unlock" in r.stderr
    assert tree(kc.box.home) == before
    assert kc.moto.assume_role_calls(kc.role_arn) == []


def test_without_d_bus_a_clear_error_and_nothing_written(sandbox, tmp_path):
    empty = tmp_path / "no-bus"
    empty.mkdir(mode=0o700)
    before = tree(sandbox.home)
    r = sandbox.run(["keys", "add", "p"], input="AKIDNOBUSTEST0000\nno-bus-secret\n",
                    env={"DBUS_SESSION_BUS_ADDRESS": None, "XDG_RUNTIME_DIR": str(empty)})
    assert r.status == 1, r
    assert "The OS keychain (Secret Service over D-Bus) cannot be reached" in r.stderr, r.stderr
    assert "dbus-run-session" in r.stderr
    assert "no-bus-secret" not in r.stderr
    assert tree(sandbox.home) == before
