#!/usr/bin/env bash
# Times rolectl against its peers in one run, on this machine, with no AWS
# account: a local moto (started here) for STS, the AWS CLI v1 and boto3
# from the project's venv, and botocore reading a generated config.
#   1. `rolectl export --format process` with a warm cache  vs  boto3 resolving
#      the same profile from the same cache (the CLI's JSONFileCache wired in)
#   2. `rolectl whoami`  vs  `aws sts get-caller-identity` (one call to moto each)
#   3. `rolectl eks-token` with a warm token cache  vs  `aws eks get-token`
#      (same profile and cached role credentials; no network for either)
#   4. `rolectl lint` and `rolectl explain` on 10,000 role profiles  vs  a
#      Python process reading the same files with botocore (Session.full_config)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-30}

scripts/setup.sh venv
cargo build -q --release -p rolectl-cli
rolectl=${CARGO_TARGET_DIR:-$PWD/target}/release/rolectl
python=$PWD/.venv/bin/python

work=$(mktemp -d)
export ROLECTL_PEERS_DIR=$work/peers
trap 'scripts/peers.sh stop; rm -rf "$work"' EXIT
eval "$(scripts/peers.sh start)"
"$python" scripts/moto_fixture.py "$ROLECTL_MOTO_URL" "$work/aws" >/dev/null
mkdir -p "$work/big"
cargo run -q --release -p rolectl-config-parser --example gen_config -- "$work/big"

# Everything talks to the local moto only; nothing reaches instance metadata.
for v in $(env | grep -o '^AWS_[A-Z_]*'); do unset "$v"; done
export HOME=$work/home AWS_CONFIG_FILE=$work/aws/config AWS_SHARED_CREDENTIALS_FILE=$work/aws/credentials
export AWS_ENDPOINT_URL_STS=$ROLECTL_MOTO_URL AWS_EC2_METADATA_DISABLED=true AWS_PROFILE=marketingadmin
mkdir -p "$HOME"

boto3_export=$(cat <<'PY'
import os, boto3
from botocore.utils import JSONFileCache
session = boto3.Session()
provider = session._session.get_component("credential_provider").get_provider("assume-role")
provider.cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
c = session.get_credentials().get_frozen_credentials()
print(c.access_key)
PY
)
"$rolectl" export >/dev/null   # warms the shared cache
[ "$("$python" -c "$boto3_export")" = "$("$rolectl" export --format env | sed -n 's/^export AWS_ACCESS_KEY_ID=//p')" ] \
  || { echo "bench: boto3 and rolectl do not read the same cached credentials" >&2; exit 1; }

j() { "$python" -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@"; }

echo "== export, warm cache (profile marketingadmin)"
"$python" scripts/bench_commands.py "$runs" \
  "rolectl export --format process=$(j "$rolectl" export --format process)" \
  "boto3 + JSONFileCache=$(j "$python" -c "$boto3_export")"

echo "== whoami: one GetCallerIdentity call to moto"
"$python" scripts/bench_commands.py "$((runs / 3 + 1))" \
  "rolectl whoami=$(j "$rolectl" whoami)" \
  "aws sts get-caller-identity=$(j "$PWD/.venv/bin/aws" sts get-caller-identity)"

echo "== EKS token, warm (kubectl runs this before every command)"
"$python" scripts/bench_commands.py "$runs" \
  "rolectl eks-token=$(j "$rolectl" --region us-east-1 eks-token --cluster-name bench)" \
  "aws eks get-token=$(j "$PWD/.venv/bin/aws" --region us-east-1 eks get-token --cluster-name bench)"

echo "== 10,000 role profiles"
ls -l "$work/big" | awk 'NR>1 {s+=$5} END {printf "  config + credentials: %d bytes\n", s}'
botocore_read=$(cat <<'PY'
import awscli, botocore.session
s = botocore.session.Session()
print(len(s.full_config["profiles"]))
PY
)
export AWS_CONFIG_FILE=$work/big/config AWS_SHARED_CREDENTIALS_FILE=$work/big/credentials
profile=$(sed -n 's/^\[profile \(role[^]]*\)\]$/\1/p' "$work/big/config" | tail -1)
"$python" scripts/bench_commands.py "$runs" \
  "rolectl lint=$(j "$rolectl" lint)" \
  "botocore Session.full_config=$(j "$python" -c "$botocore_read")"
"$python" scripts/bench_commands.py "$runs" \
  "rolectl explain --profile $profile=$(j "$rolectl" explain --profile "$profile" --no-cache)" \
  "botocore Session.full_config=$(j "$python" -c "$botocore_read")"
