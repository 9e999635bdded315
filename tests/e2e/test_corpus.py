"""The corpus differential: config and credentials files (tests/corpus: real
ones from public repositories and ones written in their shapes; sources in
tests/corpus/SOURCES.md) read by the pinned botocore (corpus_botocore.py)
and by rolectl's parser (the `aws_cli_view` example of
rolectl-config-parser), then every role profile of the corpus resolved by
both against a loopback fake STS, call for call.

- `test_reads_as_the_aws_cli[case]`: both read the files, or both refuse
  them; then the same profile names, keys and values, `sso-session` and
  `services` sections (sub-properties as nested maps). Where botocore
  refuses a file that the cross-SDK rules read (duplicate sections or keys,
  a byte order mark), rolectl may read it if it warns that the AWS CLI
  will not start with it.
- `test_same_chain_as_the_aws_cli[case:profile]`: the AWS CLI's credential
  chain (botocore with the CLI's cache wiring, MFA prompt answering 123456)
  and `rolectl export --mfa-code 123456` make the same STS calls (action,
  every parameter, signing key and region) and both succeed or both fail;
  where botocore succeeds, `rolectl explain` shows the same role ARNs.
  Each role profile runs as written and, where its chain ends in a profile
  without credentials (kept in a credentials file the corpus does not
  have), once more with static keys for that profile added, so that the
  calls are made. Programs named by `credential_process` are never run:
  PATH is an empty directory. Profiles whose chain reaches AWS IAM Identity
  Center (SSO) are left out (SSO_LEFT_OUT). Where the CLI refuses for want
  of a region, rolectl must make the calls the CLI makes in us-east-1
  (COMPATIBILITY.md: no region at all).

`corpus_lint.py` prints what `rolectl lint` finds on the corpus.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, VENV_BIN, run_rolectl
from fakes import FakeSts, signed_with

CORPUS = REPO / "tests" / "corpus"
BOTOCORE = Path(__file__).resolve().parent / "corpus_botocore.py"
MFA_CODE = "123456"

# Where rolectl knowingly differs from the AWS CLI on a corpus file: case ->
# why. Each entry is written in crates/resolver/COMPATIBILITY.md.
PARSE_EXCEPTIONS: dict[str, str] = {}

# (case, profile, source) -> why rolectl's STS calls or outcome differ from
# the AWS CLI's (source: see role_profiles).
CHAIN_EXCEPTIONS: dict[tuple[str, str, str | None], str] = {}


def view_path() -> Path:
    return Path(os.environ.get("ROLECTL_AWS_CLI_VIEW")
                or REPO / "target" / "debug" / "examples" / "aws_cli_view")


def cases() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir()
                  if p.is_dir() and ((p / "config").exists() or (p / "credentials").exists()))


def file_args(case: str) -> list[str]:
    args = []
    for name in ("config", "credentials"):
        path = CORPUS / case / name
        if path.exists():
            args += [f"--{name}", str(path)]
    return args


@functools.lru_cache(maxsize=None)
def botocore_views() -> dict:
    """botocore's view of every case, in one run of the venv's python."""
    done = subprocess.run([str(VENV_BIN / "python"), str(BOTOCORE), "--corpus", str(CORPUS)],
                          capture_output=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"})
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def rolectl_view(case: str) -> dict:
    binary = view_path()
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is missing: build it with "
                    "`cargo build -p rolectl-config-parser --examples`")
    done = subprocess.run([str(binary), *file_args(case)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_corpus_size():
    assert len(cases()) >= 45, cases()


def disagreement(case: str, boto: dict, ours: dict) -> str | None:
    """How rolectl's reading of `case` differs from the AWS CLI's, if it does."""
    if not boto["ok"]:
        # A warning that the AWS CLI refuses the file (botocore raises
        # ConfigParseError; DiagnosticCode::aws_cli_refuses) lets rolectl
        # read it as the SDKs do.
        warned = [w for w in ours.get("warnings", []) if w["refused_by_aws_cli"]]
        if ours["ok"] and not warned:
            return (f"the AWS CLI refuses {case} ({boto['error']}) but rolectl reads it "
                    f"without saying so: warnings {ours.get('warnings')}")
        return None
    if not ours["ok"]:
        return (f"rolectl refuses {case}, which the AWS CLI reads: "
                f"{ours['location']}: {ours['error']}")
    for key in ("profiles", "sso_sessions", "services"):
        if ours[key] != boto[key]:
            return f"{key} of {case} differ:\n  AWS CLI: {boto[key]}\n  rolectl: {ours[key]}"
    return None


@pytest.mark.parametrize("case", cases())
def test_reads_as_the_aws_cli(case: str):
    boto = botocore_views()[case]
    ours = rolectl_view(case)
    problem = disagreement(case, boto, ours)
    if case in PARSE_EXCEPTIONS:
        assert problem, f"{case} now reads as the AWS CLI: remove it from PARSE_EXCEPTIONS"
        return
    assert problem is None, problem
    if boto["ok"]:
        for key in ("profiles", "sso_sessions", "services"):
            assert ours[key] == boto[key]


# ---------------------------------------------------------------------------
# Chains


def is_sso(profile: dict) -> bool:
    return "sso_start_url" in profile or "sso_session" in profile


def terminus(profiles: dict, name: str) -> str | None:
    """The profile at the end of botocore's source_profile chain from role
    profile `name` (None: the chain ends in credential_source or nothing)."""
    seen = {name}
    source = profiles[name].get("source_profile")
    while isinstance(source, str) and source not in seen:
        seen.add(source)
        profile = profiles.get(source, {})
        following = profile.get("source_profile")
        if "role_arn" in profile and isinstance(following, str) and not (
                following == source and "aws_access_key_id" in profile):
            source = following
            continue
        return source
    return None


def reaches_sso(profiles: dict, name: str) -> bool:
    """Whether botocore's chain from role profile `name` ends at a profile
    whose credentials come from SSO."""
    return is_sso(profiles.get(terminus(profiles, name) or "", {}))


CREDENTIAL_KEYS = ("aws_access_key_id", "credential_process", "web_identity_token_file",
                   "credential_source", "role_arn", "sso_start_url", "sso_session")


def needs_source_keys(case: str, profiles: dict, name: str) -> str | None:
    """The profile that ends `name`'s chain without any credentials of its
    own, when keys for it can be added to the credentials file (it is not a
    section there already)."""
    end = terminus(profiles, name)
    if end is None or any(key in profiles.get(end, {}) for key in CREDENTIAL_KEYS):
        return None
    credentials = CORPUS / case / "credentials"
    if credentials.exists() and re.search(rf"^\s*\[\s*{re.escape(end)}\s*\]",
                                          credentials.read_text(errors="replace"), re.M):
        return None
    return end


def role_profiles() -> tuple[list[tuple[str, str, str | None]], list[tuple[str, str]]]:
    """(case, profile, source) of every role profile botocore sees in the
    corpus, once as written (source None) and, where its chain ends in a
    profile without credentials, once more with static keys for that
    profile (`source`) added to the credentials file; and the (case,
    profile) left out because their chain reaches SSO."""
    chains, sso = [], []
    for case, view in botocore_views().items():
        if not view["ok"]:
            continue
        profiles = view["profiles"]
        for name, profile in sorted(profiles.items()):
            if not isinstance(profile.get("role_arn"), str):
                continue
            if reaches_sso(profiles, name):
                sso.append((case, name))
                continue
            chains.append((case, name, None))
            source = needs_source_keys(case, profiles, name)
            if source is not None:
                chains.append((case, name, source))
    return chains, sso


CHAINS, SSO_EXCLUDED = role_profiles()

GENERATED_SESSION = re.compile(r"^(botocore-session|rolectl)-\d+$")


def calls(sts: FakeSts) -> list[dict]:
    """Each STS request: its form fields (a generated session name as
    <generated>), the signing access key id and the signing region."""
    out = []
    for request in sts.seen("POST"):
        form = request.form()
        form.pop("Version", None)
        if GENERATED_SESSION.match(form.get("RoleSessionName", "")):
            form["RoleSessionName"] = "<generated>"
        auth = request.headers.get("authorization", "")
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", auth)
        out.append({"params": form, "signed_with": signed_with(request),
                    "region": scope.group(1) if scope else None})
    return out


def isolated_env(home: Path) -> dict:
    """HOME in the test's directory and PATH an empty directory there, so
    that no program a corpus file names is ever run."""
    empty = home / "empty-path"
    empty.mkdir(exist_ok=True)
    return {"PATH": str(empty)}


SOURCE_KEY = "AKIACORPUSSOURCE0001"
SOURCE_SECRET = "corpusSourceSecret/wJalrXUtnFEMIK7MDENGbP"


def chain_files(case: str, source: str | None, home: Path) -> dict[str, Path]:
    """The case's files; with `source`, a copy of its credentials file with
    static keys for profile `source` added at the end."""
    files = {name: CORPUS / case / name for name in ("config", "credentials")
             if (CORPUS / case / name).exists()}
    if source is not None:
        text = files["credentials"].read_bytes() if "credentials" in files else b""
        added = f"\n[{source}]\naws_access_key_id = {SOURCE_KEY}\n" \
                f"aws_secret_access_key = {SOURCE_SECRET}\n"
        files["credentials"] = home / "credentials-with-source"
        files["credentials"].write_bytes(text + added.encode())
    return files


def botocore_chain(files: dict, profile: str, home: Path,
                   region: str | None = None) -> tuple[dict, list[dict]]:
    with FakeSts() as sts:
        env = {"HOME": str(home), "LANG": "C.UTF-8", **isolated_env(home)}
        args = [a for name, path in files.items() for a in (f"--{name}", str(path))]
        if region is not None:
            args += ["--region", region]
        done = subprocess.run(
            [str(VENV_BIN / "python"), str(BOTOCORE), *args, "--resolve", profile,
             "--sts", sts.url, "--cache-dir", str(home / "botocore-cache")],
            capture_output=True, timeout=120, env=env, cwd=str(home), stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout), calls(sts)


def rolectl_env(files: dict, home: Path) -> dict:
    env = isolated_env(home)
    for name, var in (("config", "AWS_CONFIG_FILE"), ("credentials", "AWS_SHARED_CREDENTIALS_FILE")):
        env[var] = str(files[name]) if name in files else str(home / f"no-{name}")
    return env


def rolectl_chain(files: dict, profile: str, home: Path) -> tuple[dict, list[dict]]:
    with FakeSts() as sts:
        run = run_rolectl(["--profile", profile, "--no-cache", "--mfa-code", MFA_CODE,
                           "export", "--format", "process"],
                          env=rolectl_env(files, home), home=home, sts_url=sts.url, timeout=120)
        assert "panicked" not in run.stderr, run.stderr
        outcome = {"ok": run.status == 0, "error": run.stderr.strip()}
        if run.status == 0:
            outcome["access_key"] = json.loads(run.stdout)["AccessKeyId"]
        return outcome, calls(sts)


def explained_roles(files: dict, profile: str, home: Path) -> list[str]:
    run = run_rolectl(["--profile", profile, "explain", "--format", "json"],
                      env=rolectl_env(files, home), home=home)
    assert run.status == 0, run.stderr
    steps = json.loads(run.stdout)["steps"]
    # "AssumeRole <arn>, session name <name>[, ...]" or "..., a generated session name"
    words = re.compile(r"^AssumeRole (.*), (?:session name |a generated session name)")
    return [words.match(s["description"]).group(1) for s in steps
            if s["kind"] == "assume-role" and not s.get("skipped")]


def test_chains_were_found():
    assert len(CHAINS) >= 40, CHAINS


# Role profiles whose chain ends in AWS IAM Identity Center (SSO): rolectl
# does not execute SSO yet, so they are left out of the chain differential.
SSO_LEFT_OUT = [
    ("035-sdkgo-shared-config", "source_sso_creds"),
    ("037-sdkgo-credential-source", "assume_sso_and_static"),
    ("037-sdkgo-credential-source", "source_sso_creds"),
]


def test_sso_profiles_left_out_are_listed():
    assert SSO_EXCLUDED == SSO_LEFT_OUT


@pytest.mark.parametrize("case,profile,source", CHAINS,
                         ids=[f"{c}:{p}" + (f"+keys:{s}" if s else "") for c, p, s in CHAINS])
def test_same_chain_as_the_aws_cli(case: str, profile: str, source: str | None,
                                   tmp_path: Path, rolectl_bin):
    home = tmp_path / "home"
    home.mkdir()
    files = chain_files(case, source, home)
    theirs, their_calls = botocore_chain(files, profile, home)
    ours, our_calls = rolectl_chain(files, profile, home)
    if not their_calls and theirs.get("error", "").startswith("NoRegionError"):
        # COMPATIBILITY.md: with no region at all the CLI refuses; rolectl
        # calls the global endpoint signed for us-east-1, so it must make
        # the calls the CLI makes in us-east-1.
        theirs, their_calls = botocore_chain(files, profile, home, region="us-east-1")
    if (case, profile, source) in CHAIN_EXCEPTIONS:
        assert (ours["ok"], our_calls) != (theirs["ok"], their_calls), \
            f"{case}:{profile} now resolves as the AWS CLI: remove it from CHAIN_EXCEPTIONS"
        return
    assert our_calls == their_calls, f"STS calls of {case}:{profile}"
    assert ours["ok"] == theirs["ok"], (
        f"{case}:{profile}: the AWS CLI {'resolves it' if theirs['ok'] else 'fails: ' + theirs['error']}"
        f"; rolectl {'resolves it' if ours['ok'] else 'fails: ' + ours['error']}")
    if theirs["ok"]:
        assert ours["access_key"] == theirs["access_key"]
        roles = [c["params"]["RoleArn"] for c in their_calls if "RoleArn" in c["params"]]
        assert explained_roles(files, profile, home) == roles
        if source is not None:
            assert their_calls[0]["signed_with"] == SOURCE_KEY, their_calls
