"""Runs `rolectl lint --format json` on every case of tests/corpus and prints
what it finds: the count of findings per severity and code, the cases with
errors, and the keys of `unknown-key` findings grouped by the tool that
reads them (other tools' keys are not typos), so that lint can be taught
which tool reads each key.

    .venv/bin/python tests/e2e/corpus_lint.py [--json] [ROLECTL]

ROLECTL defaults to $ROLECTL_BIN, else target/debug/rolectl. Nothing here
talks to the network: lint reads files only.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"

# Keys other tools keep in the AWS config and credentials files, by tool:
# (prefix or exact key name) -> tool.
OTHER_TOOLS = [
    ("granted_", "granted (common-fate)"),
    ("azure_", "aws-azure-login"),
    ("x_principal_arn", "saml2aws"),
    ("x_security_token_expires", "saml2aws"),
    ("aws_saml_url", "aws-okta"),
    ("saml_auth_url", "aws-runas"),
    ("saml_username", "aws-runas"),
    ("saml_provider", "aws-runas"),
    ("web_identity_auth_url", "aws-runas"),
    ("web_identity_client_id", "aws-runas"),
    ("web_identity_redirect_uri", "aws-runas"),
    ("web_identity_username", "aws-runas"),
    ("session_token_duration", "aws-runas"),
    ("credentials_duration", "aws-runas"),
    ("jump_role_arn", "aws-runas"),
    ("federated_username", "aws-runas"),
    ("include_profile", "aws-vault"),
    ("mfa_process", "aws-vault"),
    ("web_identity_token_process", "aws-vault"),
    ("source_identity", "aws-vault"),
    ("mfa_token_provider", "unidentified MFA helper (a command that prints a code)"),
    ("mfa_path", "awscli-plugin-passtotp"),
    ("awsume_", "awsume"),
    ("autoawsume", "awsume"),
    ("sso_auto_populated", "aws-sso-util"),
    ("leapp_", "leapp"),
]

KEY_IN_MESSAGE = re.compile(r'[Kk]ey "([^"]+)"')


def tool_of(key: str) -> str | None:
    for pattern, tool in OTHER_TOOLS:
        if key == pattern or (pattern.endswith("_") and key.startswith(pattern)):
            return tool
    return None


def lint(rolectl: str, case: Path, home: str) -> list[dict]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, var in (("config", "AWS_CONFIG_FILE"), ("credentials", "AWS_SHARED_CREDENTIALS_FILE")):
        path = case / name
        env[var] = str(path) if path.exists() else os.path.join(home, f"no-{name}")
    done = subprocess.run([rolectl, "lint", "--format", "json"], env=env, cwd=home,
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    if "panicked" in done.stderr.decode("utf-8", "replace"):
        raise SystemExit(f"rolectl lint panicked on {case.name}:\n{done.stderr.decode()}")
    try:
        return json.loads(done.stdout)
    except ValueError:
        # A file lint cannot read at all: one finding of its own.
        return [{"code": "unreadable", "severity": "error",
                 "message": done.stderr.decode("utf-8", "replace").strip()}]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rolectl", nargs="?",
                        default=os.environ.get("ROLECTL_BIN") or str(REPO / "target/debug/rolectl"))
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()

    per_code = collections.Counter()
    errors = collections.defaultdict(list)
    unknown = collections.Counter()
    by_tool = collections.defaultdict(collections.Counter)
    cases = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory() as home:
        for case in cases:
            for finding in lint(args.rolectl, case, home):
                code, severity = finding.get("code"), finding.get("severity")
                per_code[f"{severity}[{code}]"] += 1
                if severity == "error":
                    errors[case.name].append(f"{finding.get('line')}: {code}")
                if code == "unknown-key":
                    match = KEY_IN_MESSAGE.search(finding.get("message", ""))
                    key = match.group(1) if match else "?"
                    tool = tool_of(key)
                    if tool:
                        by_tool[tool][key] += 1
                    else:
                        unknown[key] += 1

    other = sum(sum(keys.values()) for keys in by_tool.values())
    total_unknown = other + sum(unknown.values())
    summary = {
        "cases": len(cases),
        "findings_per_code": dict(sorted(per_code.items())),
        "cases_with_errors": dict(sorted(errors.items())),
        "unknown_key_findings": total_unknown,
        "unknown_key_other_tools": other,
        "other_tool_keys": {tool: dict(sorted(keys.items())) for tool, keys in sorted(by_tool.items())},
        "unknown_keys_not_attributed": dict(sorted(unknown.items())),
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(f"{len(cases)} corpus cases")
    print("findings per code:")
    for code, count in sorted(per_code.items()):
        print(f"  {count:5d}  {code}")
    print(f"cases with errors: {len(errors)}")
    for case, found in sorted(errors.items()):
        print(f"  {case}: {', '.join(found)}")
    print(f"unknown-key findings: {total_unknown}, of which other tools' keys: {other}")
    for tool, keys in sorted(by_tool.items()):
        print(f"  {tool}: " + ", ".join(f"{k} ({n})" for k, n in sorted(keys.items())))
    print("  not attributed: " + ", ".join(f"{k} ({n})" for k, n in sorted(unknown.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
