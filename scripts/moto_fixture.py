"""Creates the AWS CLI role guide's example on a local moto server and
writes a matching config and credentials file: user `user1` with an access
key, role `marketingadmin` that trusts it. Used by demo.sh and bench.sh.

usage: moto_fixture.py MOTO_URL DIR   (prints the role ARN)
"""
import json
import sys
import urllib.request
from pathlib import Path

import boto3

ALLOW_STS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]})


def reset_auth(url, count):
    req = urllib.request.Request(f"{url}/moto-api/reset-auth", data=count.encode(),
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()


def main():
    url, out = sys.argv[1], Path(sys.argv[2])
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    reset_auth(url, "inf")
    try:
        user = iam.create_user(UserName="user1")["User"]
        iam.put_user_policy(UserName="user1", PolicyName="allow-sts", PolicyDocument=ALLOW_STS)
        key = iam.create_access_key(UserName="user1")["AccessKey"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}]})
        role = iam.create_role(RoleName="marketingadmin", AssumeRolePolicyDocument=trust)["Role"]
        iam.put_role_policy(RoleName="marketingadmin", PolicyName="allow-sts",
                            PolicyDocument=ALLOW_STS)
    finally:
        reset_auth(url, "0")
    out.mkdir(parents=True, exist_ok=True)
    (out / "config").write_text(
        "[profile marketingadmin]\n"
        f"role_arn = {role['Arn']}\n"
        "source_profile = user1\n"
        "role_session_name = demo\n"
        "region = us-east-1\n")
    (out / "credentials").write_text(
        "[user1]\n"
        f"aws_access_key_id = {key['AccessKeyId']}\n"
        f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    print(role["Arn"])


if __name__ == "__main__":
    main()
