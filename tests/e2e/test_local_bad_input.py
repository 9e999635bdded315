"""Bad input never gets further than one clear error.

For each case: exit status 1 (2 for a usage error), an error on stderr that
names the profile (and `file:line:column` for a problem in a file), nothing
on stdout, no cache entry written, no secret of the files, the environment
or the fake STS's answers in any output, and no panic.

The STS failures run against the fake STS of fakes.py, each fault on its
own: HTML, an empty or cut-off body, a body of 5 MB, XML with a DTD or
entities, credentials without a secret or already expired, throttling that
never ends, and a server that never answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from conftest import Sandbox
from fakes import (  # noqa: F401  (fixtures)
    ROLE_ARN,
    SOURCE_KEY,
    SOURCE_SECRET,
    FakeSts,
    StsMode,
    assert_clean_failure,
    box,
    role_profile_config,
    run,
    sts,
)

ACCOUNT = "123456789012"
MFA = f"arn:aws:iam::{ACCOUNT}:mfa/alice"

BASE = f"""[profile src]
aws_access_key_id = {SOURCE_KEY}
aws_secret_access_key = {SOURCE_SECRET}

"""


def role(name: str, extra: str = "", arn: str = ROLE_ARN, source: str = "source_profile = src") -> str:
    return f"[profile {name}]\nrole_arn = {arn}\n{source}\n{extra}\n"


@dataclass
class Case:
    id: str
    config: str | bytes = ""
    args: list = field(default_factory=lambda: ["--profile", "role", "export"])
    env: dict = field(default_factory=dict)
    credentials: str | bytes | None = None
    status: int = 1
    # Substrings of stderr; `{config}`, `{credentials}`, `{tmp}` are filled in.
    mentions: list = field(default_factory=list)
    # Files to create under tmp before the run: name -> bytes, or None for a directory.
    files: dict = field(default_factory=dict)


CASES = [
    # --- the files themselves
    Case("config-file-is-a-directory",
         args=["--config-file", "{tmp}/adir", "--profile", "role", "export"],
         files={"adir": None}, mentions=["{tmp}/adir", "directory"]),
    Case("AWS_CONFIG_FILE-is-a-directory",
         env={"AWS_CONFIG_FILE": "{tmp}/adir"},
         files={"adir": None}, mentions=["{tmp}/adir", "directory", "AWS_CONFIG_FILE"]),
    Case("credentials-file-is-a-directory",
         config=BASE + role("role"), env={"AWS_SHARED_CREDENTIALS_FILE": "{tmp}/adir"},
         files={"adir": None}, mentions=["{tmp}/adir", "directory"]),
    Case("config-not-utf8",
         config=(BASE + role("role")).encode() + b"region = caf\xe9\n",
         mentions=["{config}:9:13", "UTF-8"]),
    Case("config-utf16",
         config="\ufeff[profile role]\nregion = eu-west-1\n".encode("utf-16"),
         mentions=["{config}:1:1", "UTF-8"]),
    Case("credentials-not-utf8",
         config=role("role", source="source_profile = creds"),
         credentials=b"[creds]\naws_access_key_id = AKIA\xff\xfe\n",
         mentions=["{credentials}:2:25", "UTF-8"]),
    Case("syntax-unclosed-section", config=BASE + role("role") + "[profile broken\nx = 1\n",
         mentions=["{config}:9:1", "]"]),
    Case("syntax-no-equals", config=BASE + "[profile role]\nrole_arn\n",
         mentions=["{config}:6:1", "="]),
    Case("syntax-property-before-section", config="region = us-east-1\n" + BASE + role("role"),
         mentions=["{config}:1:1"]),
    # The AWS CLI reads an indented line after a header as a key line: one
    # without '=' (or ':') is refused there, at its first character.
    Case("syntax-indented-line-without-equals", config=BASE + "[profile role]\n  stray\n",
         mentions=["{config}:6:3", "'='"]),
    Case("syntax-empty-key", config=BASE + "[profile role]\n= value\n",
         mentions=["{config}:6:1"]),
    Case("syntax-in-credentials-file", config=role("role", source="source_profile = creds"),
         credentials=f"[creds]\naws_access_key_id = {SOURCE_KEY}\naws_secret_access_key\n",
         mentions=["{credentials}:3:1"]),
    # --- the chain
    Case("source-profile-cycle",
         config=role("role", source="source_profile = other") + role("other", source="source_profile = role"),
         mentions=["role -> other -> role", "{config}:"]),
    Case("source-profile-missing", config=role("role", source="source_profile = nope"),
         mentions=['"nope"', '"role"', "{config}:3:"]),
    Case("source-profile-missing-deeper",
         config=BASE + role("role", source="source_profile = mid") + role("mid", source="source_profile = gone"),
         mentions=['"gone"', '"mid"', "{config}:"]),
    Case("both-source-profile-and-credential-source",
         config=BASE + role("role", "credential_source = Environment"), mentions=['"role"']),
    Case("unknown-credential-source",
         config=role("role", source="credential_source = Laptop"), mentions=['"role"', "Laptop"]),
    # --- values
    *[
        Case(f"duration-seconds-{label}", config=BASE + role("role", f"duration_seconds = {value}"),
             mentions=['"role"', "duration_seconds", "{config}:8:"])
        for label, value in [("text", "abc"), ("too-short", "899"), ("too-long", "43201"),
                             ("negative", "-3600"), ("float", "3600.5")]
    ],
    Case("role-arn-too-short", config=BASE + role("role", arn="notanarn"), mentions=['"role"', "role_arn"]),
    Case("mfa-serial-too-short", config=BASE + role("role", "mfa_serial = x"),
         args=["--profile", "role", "--mfa-code", "123456", "export"], mentions=['"role"', "mfa_serial"]),
    *[
        Case(f"mfa-code-{label}", config=BASE + role("role", f"mfa_serial = {MFA}"),
             args=["--profile", "role", "--mfa-code", code, "export"], mentions=['"role"', MFA])
        for label, code in [("too-short", "12"), ("letters", "12345a"), ("too-long", "1234567")]
    ],
    Case("web-identity-token-file-missing",
         config=f"[profile role]\nrole_arn = {ROLE_ARN}\nweb_identity_token_file = {{tmp}}/missing-token\n",
         mentions=['"role"', "{tmp}/missing-token"]),
    Case("web-identity-token-file-empty",
         config=f"[profile role]\nrole_arn = {ROLE_ARN}\nweb_identity_token_file = {{tmp}}/empty-token\n",
         files={"empty-token": b""}, mentions=['"role"']),
    Case("web-identity-token-file-is-a-directory",
         config=f"[profile role]\nrole_arn = {ROLE_ARN}\nweb_identity_token_file = {{tmp}}/tokdir\n",
         files={"tokdir": None}, mentions=['"role"', "{tmp}/tokdir"]),
    # --- which profile
    Case("AWS_PROFILE-names-a-missing-profile", config=BASE + role("role"), args=["export"],
         env={"AWS_PROFILE": "nosuch"}, mentions=["nosuch", "AWS_PROFILE"]),
    Case("AWS_DEFAULT_PROFILE-names-a-missing-profile", config=BASE + role("role"), args=["export"],
         env={"AWS_DEFAULT_PROFILE": "nosuch"}, mentions=["nosuch", "AWS_DEFAULT_PROFILE"]),
    Case("--profile-names-a-missing-profile", config=BASE + role("role"),
         args=["--profile", "nosuch", "export"], mentions=["nosuch", "--profile"]),
    # --- usage
    Case("exec-without-command", config=BASE + role("role"), args=["--profile", "role", "exec"],
         status=2, mentions=["exec"]),
    Case("exec-with-only-a-double-dash", config=BASE + role("role"),
         args=["--profile", "role", "exec", "--"], status=2, mentions=["exec"]),
    Case("unknown-export-format", config=BASE + role("role"),
         args=["--profile", "role", "export", "--format", "yaml"], status=2, mentions=["yaml"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(box: Sandbox, sts: FakeSts, tmp_path, case: Case):
    tmp = tmp_path / "inputs"
    tmp.mkdir()
    for name, content in case.files.items():
        if content is None:
            (tmp / name).mkdir()
        else:
            (tmp / name).write_bytes(content)

    def fill(text: str) -> str:
        return text.format(tmp=tmp, config=box.config, credentials=box.credentials)

    config = case.config if isinstance(case.config, bytes) else fill(case.config).encode()
    box.aws.mkdir(parents=True, exist_ok=True)
    box.config.write_bytes(config)
    if case.credentials is not None:
        creds = case.credentials if isinstance(case.credentials, bytes) else case.credentials.encode()
        box.credentials.write_bytes(creds)
    env = {k: fill(v) for k, v in case.env.items()}
    r = run(box, *[fill(a) for a in case.args], env=env, timeout=30)
    assert_clean_failure(r, box, status=case.status, mentions=[fill(m) for m in case.mentions])
    assert sts.requests == [], "bad input must not reach STS"


# ---------------------------------------------------------------- STS faults

ROLE_CONFIG = role_profile_config("role")

STS_FAULTS = [
    # mode, substrings of stderr, bound on the number of AssumeRole calls
    (StsMode.HTML, ["AssumeRole", "html"], 1),
    (StsMode.EMPTY, ["AssumeRole", "empty"], 1),
    (StsMode.CUT_OFF, ["AssumeRole"], 3),
    (StsMode.HUGE, ["AssumeRole", "larger than"], 1),
    (StsMode.DTD, ["AssumeRole"], 1),
    (StsMode.ENTITIES, ["AssumeRole"], 1),
    (StsMode.NO_SECRET, ["AssumeRole", "SecretAccessKey"], 1),
    (StsMode.EXPIRED, ["expired"], 1),
    (StsMode.THROTTLE,
     ["An error occurred (Throttling) when calling the AssumeRole operation (reached max retries: 2): Rate exceeded"],
     3),
]


@pytest.mark.parametrize("mode,mentions,max_calls", STS_FAULTS, ids=[f[0] for f in STS_FAULTS])
def test_sts_fault(box: Sandbox, sts: FakeSts, mode, mentions, max_calls):
    sts.mode = mode
    box.write_config(ROLE_CONFIG)
    r = run(box, "--profile", "role", "export", timeout=60)
    assert_clean_failure(r, box, mentions=[*mentions, '"role"'], secrets=sts.secrets)
    assert "root:x:0:0" not in r.stderr, "an external entity was resolved"
    calls = sts.calls("AssumeRole")
    assert 1 <= len(calls) <= max_calls, len(calls)
    if mode == StsMode.THROTTLE:
        assert len(calls) == 3, "throttling is retried twice"
    assert r.elapsed < 20, str(r)


def test_sts_that_never_answers(box: Sandbox, sts: FakeSts):
    sts.mode = StsMode.STALL
    box.write_config(ROLE_CONFIG)
    r = run(box, "--profile", "role", "export", timeout=120)
    assert_clean_failure(r, box, mentions=["AssumeRole", '"role"'], secrets=sts.secrets)
    # A guard against a hang, not a benchmark: 3 attempts of at most 10 s each.
    assert r.elapsed < 45, str(r)
    assert 1 <= len(sts.calls("AssumeRole")) <= 3
