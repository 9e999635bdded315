"""Shared fixtures and helpers of the end-to-end tests.

Every run of rolectl (or of the AWS CLI) gets an environment built here from
nothing: HOME in a per-test temporary directory, the config, credentials and
cache files under it, instance metadata disabled, and no AWS_* variable
inherited from the shell. Tests send traffic only to 127.0.0.1.

Peers: `scripts/test.sh` (or `eval "$(scripts/peers.sh start)"`) starts two
moto_server instances and exports ROLECTL_MOTO_URL (SigV4 and IAM checks on)
and ROLECTL_MOTO_NOAUTH_URL (no auth). A test that needs a peer that is not
there fails; nothing here skips.

Import from other test files with `from conftest import ...`.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
ACCOUNT = "123456789012"

# The pytest process itself (boto3 used for IAM setup) must not read the
# shell's AWS settings either.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["BOTO_DISABLE_CRT"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
for _name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


# ---------------------------------------------------------------------------
# The binary and running it


def rolectl_path() -> Path:
    """The rolectl binary: $ROLECTL_BIN, else target/debug/rolectl."""
    return Path(os.environ.get("ROLECTL_BIN") or REPO / "target" / "debug" / "rolectl")


@pytest.fixture(scope="session")
def rolectl_bin() -> Path:
    path = rolectl_path()
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: build it first with `cargo build -p rolectl-cli`")
    return path


class Run(NamedTuple):
    status: int
    stdout: str
    stderr: str


def clean_env(home: Path | str, extra: Mapping[str, str | None] | None = None,
              sts_url: str | None = None) -> dict[str, str]:
    """An environment built from nothing for a run with HOME=`home`.

    The config and credentials files are `home/.aws/config` and
    `home/.aws/credentials`; the default cache directory is then
    `home/.aws/cli/cache`. `sts_url` sets AWS_ENDPOINT_URL_STS. In `extra`, a
    value of None removes the variable.
    """
    home = Path(home)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TMPDIR": str(home),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        # awscrt is in the venv for botocore's login provider only: the AWS
        # CLI and botocore sign as they do without it (the CRT signer orders
        # presigned query parameters differently).
        "BOTO_DISABLE_CRT": "true",
    }
    if sts_url is not None:
        env["AWS_ENDPOINT_URL_STS"] = sts_url
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_rolectl(args: Iterable[str], env: Mapping[str, str | None] | None = None,
                input: str | bytes | None = None, home: Path | str | None = None,
                sts_url: str | None = None, timeout: float = 60,
                binary: Path | str | None = None) -> Run:
    """Runs rolectl with `args` in a clean environment for HOME=`home` (see
    clean_env; `env` adds or removes variables) and returns (status, stdout,
    stderr) as text. stdin is `input` (empty when None: never the terminal)."""
    if home is None:
        raise ValueError("run_rolectl needs home= (use the `sandbox` fixture)")
    binary = binary or rolectl_path()
    if isinstance(input, str):
        input = input.encode()
    done = subprocess.run(
        [str(binary), *args],
        env=clean_env(home, env, sts_url),
        input=input or b"",
        capture_output=True,
        timeout=timeout,
        cwd=str(home),
    )
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
               done.stderr.decode("utf-8", "replace"))


@dataclass
class Sandbox:
    """A per-test HOME with `.aws/config`, `.aws/credentials` and the cache
    directory `.aws/cli/cache` (the default of rolectl and the AWS CLI)."""

    home: Path
    sts_url: str | None = None

    @property
    def aws(self) -> Path:
        return self.home / ".aws"

    @property
    def config(self) -> Path:
        return self.aws / "config"

    @property
    def credentials(self) -> Path:
        return self.aws / "credentials"

    @property
    def cache_dir(self) -> Path:
        return self.aws / "cli" / "cache"

    def write_config(self, text: str) -> Path:
        self.aws.mkdir(parents=True, exist_ok=True)
        self.config.write_text(text)
        return self.config

    def write_credentials(self, text: str) -> Path:
        self.aws.mkdir(parents=True, exist_ok=True)
        self.credentials.write_text(text)
        return self.credentials

    def env(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
        return clean_env(self.home, extra, self.sts_url)

    def run(self, args: Iterable[str], env: Mapping[str, str | None] | None = None,
            input: str | bytes | None = None, timeout: float = 60) -> Run:
        return run_rolectl(args, env=env, input=input, home=self.home,
                           sts_url=self.sts_url, timeout=timeout)

    def cache_files(self) -> list[Path]:
        """The cache entries (`*.json`) now in the cache directory."""
        if not self.cache_dir.is_dir():
            return []
        return sorted(self.cache_dir.glob("*.json"))

    def aws_cli(self, args: Iterable[str], env: Mapping[str, str | None] | None = None,
                timeout: float = 60) -> Run:
        """The AWS CLI v1 of the venv, in the same clean environment."""
        done = subprocess.run(
            [str(VENV_BIN / "aws"), *args],
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            cwd=str(self.home),
        )
        return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))

    def python(self, code: str, env: Mapping[str, str | None] | None = None,
               timeout: float = 60) -> Run:
        """The venv's python (boto3, botocore) running `code`, same environment."""
        done = subprocess.run(
            [str(VENV_BIN / "python"), "-c", code],
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            cwd=str(self.home),
        )
        return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
                   done.stderr.decode("utf-8", "replace"))


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """A fresh HOME for one test (no STS endpoint set: see `moto_sandbox`)."""
    home = tmp_path / "home"
    home.mkdir()
    return Sandbox(home=home)


_counter = itertools.count()


def unique_name(prefix: str) -> str:
    """An IAM name no other test or run on the shared moto uses."""
    return f"{prefix}-{os.getpid()}-{time.time_ns() % 10**12:x}-{next(_counter)}"


@pytest.fixture
def unique() -> str:
    """A suffix unique to this test in this run."""
    return unique_name("t")


# ---------------------------------------------------------------------------
# moto


def peer_url(var: str) -> str:
    url = os.environ.get(var, "").rstrip("/")
    if not url:
        pytest.fail(f"{var} is not set: run the tests through ./scripts/test.sh, or "
                    f'eval "$(scripts/peers.sh start)" first')
    host = urllib.parse.urlsplit(url).hostname
    if host != "127.0.0.1":
        pytest.fail(f"{var}={url}: the tests only talk to 127.0.0.1")
    return url


def http(method: str, url: str, body: bytes | None = None,
         headers: Mapping[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class User:
    name: str
    arn: str
    access_key_id: str
    secret_access_key: str


@dataclass
class Recorded:
    """One request moto recorded: headers, decoded body and its form fields."""

    method: str
    url: str
    headers: dict[str, str]
    body: str
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    @property
    def action(self) -> str | None:
        return self.params.get("Action")

    @property
    def access_key_id(self) -> str | None:
        """The access key id of the SigV4 Authorization header (None: unsigned)."""
        auth = self.header("Authorization") or ""
        match = re.search(r"Credential=([^/,\s]+)/", auth)
        return match.group(1) if match else None


def trust_policy(principal: str | None = None, action: str = "sts:AssumeRole",
                 condition: dict | None = None, federated: str | None = None) -> str:
    """A trust policy letting `principal` (an ARN) or a `federated` provider
    call `action`, with an optional IAM `condition` block."""
    statement: dict = {"Effect": "Allow", "Action": action}
    statement["Principal"] = {"Federated": federated} if federated else {"AWS": principal}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


ALLOW_STS = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]})


class Moto:
    """One moto_server peer: IAM setup (inside its auth window) and the
    request recording. The instance is shared by every test of the run (and
    by the Rust tests): give everything a unique name and filter the
    recording by it."""

    _window_lock = threading.RLock()

    def __init__(self, url: str, auth: bool):
        self.url = url
        self.auth = auth
        self._window_depth = 0
        self._parsed: list[Recorded] = []
        self._parsed_bytes = 0
        self._parsed_tail = b""
        status, _ = (0, b"")
        try:
            status, _ = http("GET", f"{url}/moto-api/", timeout=10)
        except OSError as error:
            pytest.fail(f"moto at {url} cannot be reached: {error}")
        if status != 200:
            pytest.fail(f"moto at {url} answered {status} to GET /moto-api/")

    def _reset_auth(self, count: str) -> None:
        status, body = http("POST", f"{self.url}/moto-api/reset-auth", count.encode(),
                            {"Content-Type": "text/plain"})
        assert status == 200, f"reset-auth {count}: {status} {body!r}"

    @contextlib.contextmanager
    def setup_window(self):
        """Opens moto's unauthenticated window (auth instance only) for IAM
        setup and closes it again whatever happens. Nests."""
        with self._window_lock:
            if self.auth and self._window_depth == 0:
                self._reset_auth("inf")
            self._window_depth += 1
            try:
                yield
            finally:
                self._window_depth -= 1
                if self.auth and self._window_depth == 0:
                    self._reset_auth("0")

    def iam(self):
        import boto3

        return boto3.client("iam", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                            aws_secret_access_key="setup-secret")

    def create_user(self, name: str, policy: str = ALLOW_STS) -> User:
        """A user with one access key and an inline policy (all of sts:*)."""
        with self.setup_window():
            iam = self.iam()
            arn = iam.create_user(UserName=name)["User"]["Arn"]
            key = iam.create_access_key(UserName=name)["AccessKey"]
            iam.put_user_policy(UserName=name, PolicyName="allow-sts", PolicyDocument=policy)
        return User(name, arn, key["AccessKeyId"], key["SecretAccessKey"])

    def create_role(self, name: str, trust: str, policy: str = ALLOW_STS,
                    max_session_duration: int = 43200) -> str:
        """A role with trust policy `trust` and an inline policy; its ARN."""
        with self.setup_window():
            iam = self.iam()
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust,
                                  MaxSessionDuration=max_session_duration)["Role"]["Arn"]
            iam.put_role_policy(RoleName=name, PolicyName="allow-sts", PolicyDocument=policy)
        return arn

    def recording(self) -> list[Recorded]:
        """Every request recorded so far (all tests, all runs of this peer).
        moto only appends to its recording, so lines parsed before are kept
        and only the new ones are parsed."""
        status, body = http("GET", f"{self.url}/moto-api/recorder/download-recording")
        assert status == 200, f"download-recording: {status}"
        if len(body) < self._parsed_bytes or not body.startswith(self._parsed_tail):
            self._parsed, self._parsed_bytes, self._parsed_tail = [], 0, b""  # reset
        complete = body.rfind(b"\n") + 1  # a last line still being written waits
        for line in body[self._parsed_bytes:complete].decode("utf-8", "replace").splitlines():
            recorded = self._parse_line(line)
            if recorded is not None:
                self._parsed.append(recorded)
        if complete > self._parsed_bytes:
            self._parsed_bytes = complete
            self._parsed_tail = body[:min(complete, 256)]
        return list(self._parsed)

    @staticmethod
    def _parse_line(line: str) -> Recorded | None:
        try:
            entry = json.loads(line)
        except ValueError:
            return None
        raw = entry.get("body") or ""
        text = (base64.b64decode(raw).decode("utf-8", "replace")
                if entry.get("body_encoded") else raw)
        params = {}
        if text and "=" in text and not text.lstrip().startswith(("{", "<")):
            params = {k: v[0] for k, v in urllib.parse.parse_qs(
                text, keep_blank_values=True).items()}
        url = entry.get("url") or ""
        query = urllib.parse.urlsplit(url).query
        if query:
            for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items():
                params.setdefault(k, v[0])
        return Recorded(entry.get("method") or "", url, dict(entry.get("headers") or {}),
                        text, params)

    def calls(self, action: str, **params: str) -> list[Recorded]:
        """The recorded requests of `action` whose form fields equal `params`."""
        return [r for r in self.recording() if r.action == action
                and all(r.params.get(k) == v for k, v in params.items())]

    def assume_role_calls(self, role_arn: str) -> list[Recorded]:
        return self.calls("AssumeRole", RoleArn=role_arn)


@pytest.fixture(scope="session")
def moto() -> Moto:
    """The moto peer with SigV4 signatures and IAM policies checked."""
    return Moto(peer_url("ROLECTL_MOTO_URL"), auth=True)


@pytest.fixture(scope="session")
def moto_noauth() -> Moto:
    """The moto peer without auth (AssumeRoleWithWebIdentity)."""
    return Moto(peer_url("ROLECTL_MOTO_NOAUTH_URL"), auth=False)


@pytest.fixture
def moto_sandbox(sandbox: Sandbox, moto: Moto) -> Sandbox:
    """`sandbox` with AWS_ENDPOINT_URL_STS at the auth moto."""
    sandbox.sts_url = moto.url
    return sandbox


@dataclass
class RoleGuide:
    """The AWS CLI role guide's example: user `user1` with keys in the
    credentials file, `[profile marketingadmin]` with `role_arn` and
    `source_profile = user1`; names unique to the test."""

    user: User
    role_name: str
    role_arn: str

    def credentials_text(self) -> str:
        return (f"[user1]\naws_access_key_id = {self.user.access_key_id}\n"
                f"aws_secret_access_key = {self.user.secret_access_key}\n")

    def config_text(self, extra: str = "") -> str:
        return (f"[profile marketingadmin]\nrole_arn = {self.role_arn}\n"
                f"source_profile = user1\n{extra}")


@pytest.fixture
def role_guide(moto: Moto, moto_sandbox: Sandbox, unique: str) -> RoleGuide:
    """A fresh user and role on the auth moto (the role trusts the user) and
    the guide's config and credentials written into `moto_sandbox`."""
    user = moto.create_user(f"user1-{unique}")
    role_name = f"marketingadmin-{unique}"
    role_arn = moto.create_role(role_name, trust_policy(user.arn))
    guide = RoleGuide(user, role_name, role_arn)
    moto_sandbox.write_credentials(guide.credentials_text())
    moto_sandbox.write_config(guide.config_text())
    return guide


def assumed_role_arn(role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session_name}"


def parse_process_json(text: str) -> dict:
    """The `process` format output as a dict (fails the test if not JSON)."""
    try:
        return json.loads(text)
    except ValueError as error:
        raise AssertionError(f"not JSON ({error}): {text!r}") from None


BOTOCORE_READ = r"""
import json, sys
import botocore.session
from botocore.credentials import JSONFileCache
profile, cache_dir = sys.argv[1], sys.argv[2]
session = botocore.session.Session(profile=profile)
# As awscli wires it: the assume-role provider reads and writes this cache.
provider = session.get_component("credential_provider").get_provider("assume-role")
provider.cache = JSONFileCache(cache_dir)
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
expiry = getattr(creds, "_expiry_time", None)
print(json.dumps({"access_key": frozen.access_key, "secret_key": frozen.secret_key,
                  "token": frozen.token,
                  "expiry": expiry.isoformat() if expiry is not None else None}))
"""


def botocore_credentials(sandbox: Sandbox, profile: str, cache_dir: Path | None = None,
                         env: Mapping[str, str | None] | None = None) -> dict:
    """The credentials botocore (the venv's, as the AWS CLI wires its
    JSONFileCache) resolves for `profile` in `sandbox`: access_key,
    secret_key, token, and expiry as `credentials._expiry_time.isoformat()`."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", BOTOCORE_READ, profile,
         str(cache_dir or sandbox.cache_dir)],
        env=sandbox.env(env), stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        cwd=str(sandbox.home))
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)
