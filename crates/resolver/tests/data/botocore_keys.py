"""Prints botocore_keys.json: the cache keys the AWS CLI's own credential
fetchers compute (`_cache_key`), for the parameters of each row.

`import awscli` first: the AWS CLI then loads the botocore it ships
(awscli/botocore), which is the one whose keys matter for its cache.
"""
import json

import awscli  # noqa: F401  (selects the AWS CLI's botocore)
from botocore import credentials

TOKEN = "header.payload.sig"
ROWS = [
    ("AssumeRole", "arn:aws:iam::123456789012:role/role1", {}),
    ("AssumeRole", "arn:aws:iam::123456789012:role/role1", {"RoleSessionName": "my-session"}),
    ("AssumeRole", "arn:aws:iam::222222222222:role/role2",
     {"RoleSessionName": "my-session", "ExternalId": "ext-123", "DurationSeconds": 1800}),
    ("AssumeRole", "arn:aws:iam::123456789012:role/admin",
     {"SerialNumber": "arn:aws:iam::123456789012:mfa/alice"}),
    ("AssumeRole", "arn:aws:iam::123456789012:role/admin",
     {"SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "ExternalId": "\u00fcn\u00efc\u00f6d\u00e9",
      "RoleSessionName": "sess-\U0001F600"}),
    ("AssumeRole", "arn:aws:iam::123456789012:role/admin",
     {"Policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
      "RoleSessionName": "p"}),
    ("AssumeRoleWithWebIdentity", "arn:aws:iam::1:role/web", {}),
    ("AssumeRoleWithWebIdentity", "arn:aws:iam::1:role/web", {"RoleSessionName": "pod"}),
    ("AssumeRoleWithWebIdentity", "arn:aws:iam::1:role/web", {"RoleSessionName": "pod"}, "tok\n"),
]


def key(row):
    operation, role_arn, extra = row[:3]
    if operation == "AssumeRole":
        fetcher = credentials.AssumeRoleCredentialFetcher(
            lambda *a, **k: None, None, role_arn, extra_args=extra
        )
        return None, fetcher._cache_key
    token = row[3] if len(row) > 3 else TOKEN
    fetcher = credentials.AssumeRoleWithWebIdentityCredentialFetcher(
        lambda *a, **k: None, lambda: token, role_arn, extra_args=extra
    )
    return token, fetcher._cache_key


out = []
for row in ROWS:
    token, k = key(row)
    entry = {"operation": row[0], "role_arn": row[1], "extra_args": row[2]}
    if token is not None:
        entry["web_identity_token"] = token
    entry["key"] = k
    out.append(entry)
print(json.dumps(out, indent=2, ensure_ascii=False))
