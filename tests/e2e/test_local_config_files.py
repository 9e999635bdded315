"""Config files the AWS CLI reads, read the same way by rolectl.

One test per class of real files that rolectl used to refuse or misread:
indentation, quoted profile names, the AWS CLI's own sections, repeated
sections (which the AWS CLI refuses), other tools' keys, and a role setting
out of range. Where the pinned AWS CLI can say how it reads the file
(`aws configure get`), it is asked too. Every run goes to the fake STS of
fakes.py on 127.0.0.1."""

from __future__ import annotations

import json

from conftest import Sandbox
from fakes import (  # noqa: F401  (fixtures)
    ROLE_ARN,
    SOURCE_KEY,
    SOURCE_SECRET,
    FakeSts,
    assert_clean_failure,
    box,
    run,
    signed_with,
    sts,
)

KEYS = f"[src]\naws_access_key_id = {SOURCE_KEY}\naws_secret_access_key = {SOURCE_SECRET}\n"


def lint_codes(box: Sandbox) -> list[tuple[str, str, int]]:
    r = run(box, "lint", "--format", "json")
    findings = json.loads(r.stdout)
    return [(f["code"], f["severity"], f["line"]) for f in findings]


def exported(box: Sandbox, profile: str, sts: FakeSts) -> dict:
    r = run(box, "--profile", profile, "export", "--format", "process")
    assert r.status == 0, str(r)
    calls = sts.calls()
    assert len(calls) == 1 and signed_with(calls[0]) == SOURCE_KEY, calls
    return json.loads(r.stdout)


def test_an_indented_file_resolves_and_lints_without_errors(box: Sandbox, sts: FakeSts):
    box.write_config(
        "  # a comment on the first line\n"
        "[profile role]\n"
        f"    role_arn = {ROLE_ARN}\n"
        "    source_profile = src\n"
        "    # a comment under a key, not part of its value\n"
        "    region = us-east-1\n"
    )
    box.write_credentials(KEYS)
    creds = exported(box, "role", sts)
    assert creds["AccessKeyId"].startswith("ASIA")
    assert sts.calls()[0].form()["RoleArn"] == ROLE_ARN
    codes = lint_codes(box)
    assert {c for c, _, _ in codes} <= {"indented-line", "indented-comment"}, codes
    assert all(severity == "warning" for _, severity, _ in codes), codes
    # The AWS CLI reads the region without the comment under it.
    got = box.aws_cli(["configure", "get", "region", "--profile", "role"])
    assert got.stdout.strip() == "us-east-1", got
    r = run(box, "--profile", "role", "explain", "--format", "json")
    assert json.loads(r.stdout)["region"] == "us-east-1", r.stdout


def test_a_quoted_profile_name_is_found(box: Sandbox, sts: FakeSts):
    box.write_config(
        f'[profile "my role"]\nrole_arn = {ROLE_ARN}\nsource_profile = src\n'
        f'[profile "personal"]\nregion = eu-west-1\n'
    )
    box.write_credentials(KEYS)
    exported(box, "my role", sts)
    got = box.aws_cli(["configure", "get", "region", "--profile", "personal"])
    assert got.stdout.strip() == "eu-west-1", got
    r = run(box, "profiles", "--format", "json")
    names = {p["name"] for p in json.loads(r.stdout)}
    assert {"my role", "personal"} <= names, r.stdout


def test_the_aws_clis_own_sections_get_no_profile_advice(box: Sandbox):
    box.write_config("[plugins]\ncli_legacy_plugin_path = /opt\n[preview]\ncloudfront = true\n[foo]\nx = 1\n")
    codes = lint_codes(box)
    assert codes == [("missing-profile-prefix", "warning", 5)], codes


def test_a_repeated_section_is_a_lint_error_and_a_warning_on_every_run(box: Sandbox, sts: FakeSts):
    box.write_config(
        f"[profile role]\nrole_arn = {ROLE_ARN}\n[profile role]\nsource_profile = src\n"
    )
    box.write_credentials(KEYS)
    # The AWS CLI will not start with this file.
    cli = box.aws_cli(["configure", "get", "region", "--profile", "role"])
    assert cli.status != 0 and "Unable to parse config file" in cli.stderr, cli
    r = run(box, "lint")
    assert r.status == 1, str(r)
    assert f"{box.config}:3:1: error[duplicate-section]" in r.stdout, r.stdout
    assert "will not start" in r.stdout
    # rolectl reads it as the SDKs do, and says so on each run.
    r = run(box, "--profile", "role", "export")
    assert r.status == 0, str(r)
    assert f"{box.config}:3:1: warning[duplicate-section]" in r.stderr, r.stderr
    assert len(sts.calls()) == 1


def test_other_tools_keys_name_the_tool(box: Sandbox):
    box.write_config(
        "[profile a]\nregion = us-east-1\ngranted_sso_start_url = https://example.awsapps.com/start\n"
        "azure_tenant_id = x\nregoin = y\n"
    )
    r = run(box, "lint", "--format", "json")
    findings = {f["line"]: f for f in json.loads(r.stdout)}
    assert findings[3]["code"] == "ignored-key" and "granted" in findings[3]["message"], findings
    assert findings[4]["code"] == "ignored-key" and "aws-azure-login" in findings[4]["message"]
    # A typo is still one.
    assert findings[5]["code"] == "unknown-key" and '"region"' in findings[5]["message"]


def test_explain_shows_a_chain_with_a_duration_out_of_range(box: Sandbox, sts: FakeSts):
    box.write_config(
        f"[profile role]\nrole_arn = {ROLE_ARN}\nsource_profile = src\nduration_seconds = 43210\n"
    )
    box.write_credentials(KEYS)
    r = run(box, "--profile", "role", "explain")
    assert r.status == 0, str(r)
    assert "AssumeRole" in r.stdout and "43210" in r.stdout, r.stdout
    assert "before any STS call" in r.stdout, r.stdout
    r = run(box, "--profile", "role", "export")
    assert_clean_failure(r, box, mentions=["43210", f"{box.config}:4:1"])
    assert sts.calls() == []


def test_a_control_character_in_role_arn_stops_before_the_call(box: Sandbox, sts: FakeSts):
    box.write_config(f"[profile role]\nrole_arn = {ROLE_ARN}\x00x\nsource_profile = src\n")
    box.write_credentials(KEYS)
    r = run(box, "--profile", "role", "export")
    assert_clean_failure(r, box, mentions=[f"{box.config}:2:1", "U+0000", "RoleArn"])
    assert sts.calls() == []
