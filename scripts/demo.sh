#!/usr/bin/env bash
# The main job end to end, with no AWS account: starts a local STS (moto) on
# 127.0.0.1, creates the AWS CLI role guide's example in it (user `user1`,
# role `marketingadmin` trusting it), writes a config like the guide's into
# a temporary directory, and runs rolectl against it: explain, whoami,
# export, exec, then the same again from the cache. Stops moto at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh venv
cargo build -q --release -p rolectl-cli
export PATH=${CARGO_TARGET_DIR:-$PWD/target}/release:$PATH

work=$(mktemp -d)
export ROLECTL_PEERS_DIR=$work/peers
trap 'scripts/peers.sh stop; rm -rf "$work"' EXIT
eval "$(scripts/peers.sh start)"
.venv/bin/python scripts/moto_fixture.py "$ROLECTL_MOTO_URL" "$work" >/dev/null

# Only the local STS is ever called; instance metadata is never asked.
for v in $(env | grep -o '^AWS_[A-Z_]*'); do unset "$v"; done
export HOME=$work/home AWS_CONFIG_FILE=$work/config AWS_SHARED_CREDENTIALS_FILE=$work/credentials
export AWS_ENDPOINT_URL_STS=$ROLECTL_MOTO_URL AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME"

show() { printf '\n$ %s\n' "$*"; "$@"; }

echo "== $AWS_CONFIG_FILE"
cat "$AWS_CONFIG_FILE"
show rolectl --profile marketingadmin explain
show rolectl --profile marketingadmin whoami
show rolectl --profile marketingadmin export --format env
# shellcheck disable=SC2016 # the child expands them, not this script
child='echo "child sees $AWS_ACCESS_KEY_ID in $AWS_REGION, expiring $AWS_CREDENTIAL_EXPIRATION"'
printf "\n$ rolectl --profile marketingadmin exec -- sh -c '%s'\n" "$child"
rolectl --profile marketingadmin exec -- sh -c "$child"
echo
echo "== again: served from the cache shared with the AWS CLI (no STS call)"
show rolectl --profile marketingadmin --debug export --format env-no-export
show rolectl cache list
