"""`rolectl eks-token`: the ExecCredential of `aws eks get-token` (AWS CLI
v1) for the same credentials, region and cluster, its signature recomputed
by botocore's query signer (moto answers 500 to any query-signed request, so
it cannot judge), `--role-arn` with the CLI's session name, and the cached
token served again without signing or calling STS."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from conftest import VENV_BIN, assumed_role_arn, trust_policy

CLUSTER = "prod-cluster"
REGION = "eu-west-1"
TOKEN_ARGS = ["--profile", "marketingadmin", "--region", REGION, "eks-token",
              "--cluster-name", CLUSTER]
CLI_ARGS = ["--profile", "marketingadmin", "--region", REGION, "eks", "get-token",
            "--cluster-name", CLUSTER]


def decode(token: str) -> str:
    assert token.startswith("k8s-aws-v1."), token
    body = token[len("k8s-aws-v1."):]
    assert "=" not in body
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def query(url: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def eks_files(sandbox):
    return [p for p in sandbox.cache_files() if p.name.startswith("rolectl-eks-")]


def role_entry(sandbox) -> dict:
    [entry] = [p for p in sandbox.cache_files() if re.fullmatch(r"[0-9a-f]{40}\.json", p.name)]
    return json.loads(entry.read_text())["Credentials"]


def test_the_same_exec_credential_as_the_aws_cli(role_guide, moto_sandbox):
    mine = moto_sandbox.run(TOKEN_ARGS)
    assert mine.status == 0, mine.stderr
    # The AWS CLI reads the role credentials rolectl cached: same keys.
    theirs = moto_sandbox.aws_cli(CLI_ARGS)
    assert theirs.status == 0, theirs.stderr
    a, b = json.loads(mine.stdout), json.loads(theirs.stdout)
    # Byte for byte the same layout once the time-dependent values are set aside.
    assert mine.stdout.replace(a["status"]["token"], "T").replace(
        a["status"]["expirationTimestamp"], "E") == theirs.stdout.replace(
        b["status"]["token"], "T").replace(b["status"]["expirationTimestamp"], "E")
    assert list(a) == ["kind", "apiVersion", "spec", "status"]
    assert a["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    expires = datetime.strptime(a["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    delta = expires.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(minutes=13) < delta <= timedelta(minutes=14)
    url_a, url_b = decode(a["status"]["token"]), decode(b["status"]["token"])
    sa, sb = urllib.parse.urlsplit(url_a), urllib.parse.urlsplit(url_b)
    assert (sa.scheme, sa.netloc, sa.path) == (sb.scheme, sb.netloc, sb.path)
    assert sa.netloc == urllib.parse.urlsplit(moto_sandbox.sts_url).netloc
    qa, qb = query(url_a), query(url_b)
    assert [k for k, _ in qa] == [k for k, _ in qb]
    assert [k for k, _ in qa] == [
        "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
        "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"]
    varying = {"X-Amz-Date", "X-Amz-Signature"}
    da = {k: v for k, v in qa if k not in varying}
    db = {k: v for k, v in qb if k not in varying}
    # The credential scope's date is the signing day (the same day here, bar midnight).
    da["X-Amz-Credential"] = re.sub(r"/\d{8}/", "/D/", da["X-Amz-Credential"])
    db["X-Amz-Credential"] = re.sub(r"/\d{8}/", "/D/", db["X-Amz-Credential"])
    assert da == db
    assert da["X-Amz-Expires"] == "60" and da["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    assert da["X-Amz-Credential"].endswith(f"/D/{REGION}/sts/aws4_request")
    assert da["X-Amz-Credential"].startswith(role_entry(moto_sandbox)["AccessKeyId"] + "/")


BOTOCORE_PRESIGN = r"""
import datetime, sys
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
base, cluster, region, date, ak, sk, token = sys.argv[1:]
when = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
botocore.auth.get_current_datetime = lambda *a, **k: when
request = AWSRequest(method="GET", url=base + "/?Action=GetCallerIdentity&Version=2011-06-15",
                     headers={"x-k8s-aws-id": cluster})
botocore.auth.SigV4QueryAuth(Credentials(ak, sk, token), "sts", region, expires=60).add_auth(request)
print(request.prepare().url)
"""


def test_the_signature_is_botocores_for_the_same_time(role_guide, moto_sandbox):
    done = moto_sandbox.run(TOKEN_ARGS)
    assert done.status == 0, done.stderr
    url = decode(json.loads(done.stdout)["status"]["token"])
    params = dict(query(url))
    creds = role_entry(moto_sandbox)
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-c", BOTOCORE_PRESIGN, moto_sandbox.sts_url, CLUSTER, REGION,
         params["X-Amz-Date"], creds["AccessKeyId"], creds["SecretAccessKey"],
         creds["SessionToken"]],
        env=moto_sandbox.env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # The whole URL, signature and parameter order included.
    assert url == out.stdout.strip()


def test_a_repeated_call_is_served_from_the_cache(role_guide, moto_sandbox, moto):
    first = moto_sandbox.run(TOKEN_ARGS)
    assert first.status == 0, first.stderr
    [entry] = eks_files(moto_sandbox)
    assert entry.stat().st_mode & 0o777 == 0o600
    # A token that is not the one just signed proves the second answer is the file's.
    stored = json.loads(entry.read_text())
    token = json.loads(first.stdout)["status"]["token"]
    assert stored["RolectlEksToken"]["Token"] == token
    stored["RolectlEksToken"]["Token"] = "k8s-aws-v1.from-the-cache"
    entry.write_text(json.dumps(stored))
    second = moto_sandbox.run(TOKEN_ARGS)
    assert second.status == 0, second.stderr
    assert json.loads(second.stdout)["status"] == {
        "expirationTimestamp": json.loads(first.stdout)["status"]["expirationTimestamp"],
        "token": "k8s-aws-v1.from-the-cache"}
    # A token close to its end is signed again.
    stored["RolectlEksToken"]["UsableUntil"] = (
        datetime.now(timezone.utc) + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry.write_text(json.dumps(stored))
    third = moto_sandbox.run(TOKEN_ARGS)
    assert json.loads(third.stdout)["status"]["token"].startswith("k8s-aws-v1.aHR0")
    # Another cluster is another entry; the AWS CLI's cache entry is untouched.
    other = moto_sandbox.run(TOKEN_ARGS[:-1] + ["other"])
    assert other.status == 0, other.stderr
    assert len(eks_files(moto_sandbox)) == 2
    assert len(moto.assume_role_calls(role_guide.role_arn)) == 1
    # `cache list` shows the tokens as such (never the token); `cache clear` removes them.
    listed = moto_sandbox.run(["cache", "list", "--format", "json"])
    assert listed.status == 0, listed.stderr
    rows = json.loads(listed.stdout)
    kinds = sorted(r.get("kind", "role") for r in rows)
    assert kinds == ["eks-token", "eks-token", "role"], rows
    assert "k8s-aws-v1" not in listed.stdout
    text = moto_sandbox.run(["cache", "list"])
    assert f"EKS token for cluster {CLUSTER}" in text.stdout, text.stdout
    assert "unusable" not in text.stdout
    # `cache clear --profile` removes the profile's tokens with its roles' entries.
    moto_sandbox.write_config(role_guide.config_text() + "[profile other]\nregion = us-east-1\n"
                              f"role_arn = {role_guide.role_arn}\nsource_profile = user1\n"
                              "role_session_name = other\n")
    assert moto_sandbox.run(["--profile", "other", "--region", REGION, "eks-token",
                             "--cluster-name", CLUSTER]).status == 0
    assert len(eks_files(moto_sandbox)) == 3
    cleared = moto_sandbox.run(["--profile", "marketingadmin", "cache", "clear"])
    assert cleared.status == 0, cleared.stderr
    left = [json.loads(p.read_text()) for p in moto_sandbox.cache_files()]
    assert [e.get("RolectlEksToken", {}).get("Profile") for e in left].count("other") == 1
    assert not any(e.get("RolectlEksToken", {}).get("Profile") == "marketingadmin" for e in left)
    assert moto_sandbox.run(["cache", "clear"]).status == 0
    assert moto_sandbox.cache_files() == []


def test_no_cache_writes_no_token(role_guide, moto_sandbox):
    done = moto_sandbox.run(["--no-cache", *TOKEN_ARGS])
    assert done.status == 0, done.stderr
    assert eks_files(moto_sandbox) == []


def test_role_arn_assumes_the_role_as_the_cli_does(moto, moto_sandbox, role_guide, unique):
    moto_sandbox.write_config(role_guide.config_text("role_session_name = eks-src\n"))
    source = assumed_role_arn(role_guide.role_name, "eks-src")
    cluster_role = moto.create_role(f"eks-{unique}", trust_policy(source))
    args = TOKEN_ARGS + ["--role-arn", cluster_role]
    first = moto_sandbox.run(args)
    assert first.status == 0, first.stderr
    calls = moto.calls("AssumeRole", RoleArn=cluster_role)
    assert len(calls) == 1
    assert calls[0].params["RoleSessionName"] == "EKSGetTokenAuth"
    assert "DurationSeconds" not in calls[0].params
    source_key = role_entry(moto_sandbox)["AccessKeyId"]
    assert calls[0].access_key_id == source_key
    params = dict(query(decode(json.loads(first.stdout)["status"]["token"])))
    signer = params["X-Amz-Credential"].split("/")[0]
    assert signer.startswith("ASIA") and signer not in (source_key, role_guide.user.access_key_id)
    # Cached: no second AssumeRole, the same token.
    second = moto_sandbox.run(args)
    assert second.stdout == first.stdout
    assert len(moto.calls("AssumeRole", RoleArn=cluster_role)) == 1
    # Without --role-arn: another entry, signed with the profile's own role.
    plain = moto_sandbox.run(TOKEN_ARGS)
    plain_signer = dict(query(decode(json.loads(plain.stdout)["status"]["token"])))[
        "X-Amz-Credential"].split("/")[0]
    assert plain_signer == source_key


def test_a_denied_role_arn_is_the_cli_sentence(moto, moto_sandbox, role_guide, unique):
    nobody = moto.create_role(f"eks-deny-{unique}", trust_policy(
        f"arn:aws:iam::123456789012:user/someone-else-{unique}"))
    done = moto_sandbox.run(TOKEN_ARGS + ["--role-arn", nobody])
    assert done.status == 1
    assert "An error occurred (AccessDenied) when calling the AssumeRole operation" in done.stderr
    assert done.stdout == ""
    assert eks_files(moto_sandbox) == []


@pytest.mark.parametrize("exec_info", [
    None,
    "",
    '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "spec": {}}',
    '{"apiVersion": "client.authentication.k8s.io/v1beta1"}',
    '{"apiVersion": "client.authentication.k8s.io/v1alpha1"}',
    '{"apiVersion": "client.authentication.k8s.io/v2"}',
    "{not json",
])
def test_api_version_and_messages_as_the_cli(role_guide, moto_sandbox, exec_info):
    env = {"KUBERNETES_EXEC_INFO": exec_info}
    mine = moto_sandbox.run(TOKEN_ARGS, env=env)
    theirs = moto_sandbox.aws_cli(CLI_ARGS, env=env)
    assert mine.status == theirs.status == 0, (mine.stderr, theirs.stderr)
    assert json.loads(mine.stdout)["apiVersion"] == json.loads(theirs.stdout)["apiVersion"]
    assert mine.stderr == theirs.stderr
    # Served from the cache, the apiVersion still follows the variable.
    again = moto_sandbox.run(TOKEN_ARGS, env=env)
    assert again.stdout == mine.stdout and again.stderr == mine.stderr


def test_a_token_is_not_reused_past_its_credentials(sandbox, tmp_path):
    # credential_process keys that end in 5 minutes: the presigned URL dies
    # with them, so the cached token is not handed out beyond that.
    soon = (datetime.now(timezone.utc) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    script = tmp_path / "creds.py"
    script.write_text("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'ASIAPROCESS',"
                      f" 'SecretAccessKey': 's', 'SessionToken': 't', 'Expiration': '{soon}'}}))\n")
    sandbox.write_config(f"[profile p]\ncredential_process = {VENV_BIN / 'python'} {script}\n")
    args = ["--profile", "p", "--region", REGION, "eks-token", "--cluster-name", CLUSTER]
    done = sandbox.run(args)
    assert done.status == 0, done.stderr
    [entry] = eks_files(sandbox)
    usable = json.loads(entry.read_text())["RolectlEksToken"]["UsableUntil"]
    assert usable == soon
    # The printed expiry is still the AWS CLI's: 14 minutes after signing.
    printed = json.loads(done.stdout)["status"]["expirationTimestamp"]
    assert printed > soon
