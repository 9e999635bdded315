#!/usr/bin/env bash
# Tests the npm package `rolectl` as users get it: builds it
# (scripts/build-npm.sh), packs it with `npm pack`, installs the tarball into
# an empty project, and runs the Node tests (node --test) and the headless
# Chromium test against it, and compares explain and lint with the rolectl
# command's JSON. Needs the moto peers of scripts/peers.sh
# (ROLECTL_MOTO_URL, ROLECTL_MOTO_NOAUTH_URL): without them the tests fail.
# Then measures the package against the AWS SDK (scripts/bench-npm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

: "${ROLECTL_MOTO_URL:?is not set: run through scripts/test.sh, or eval \"\$(scripts/peers.sh start)\" first}"
: "${ROLECTL_MOTO_NOAUTH_URL:?is not set: run through scripts/test.sh, or eval \"\$(scripts/peers.sh start)\" first}"

scripts/build-npm.sh
# The rolectl command, whose explain and lint JSON the package must match.
cargo build --quiet -p rolectl-cli
export ROLECTL_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/rolectl"

work=$(mktemp -d "${TMPDIR:-/tmp}/rolectl-npm.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd crates/wasm/pkg && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/rolectl-*.tgz)
echo "test-npm: packed $(basename "$tarball") ($(stat -c %s "$tarball") bytes)" >&2

# An empty project, as a user's: the tarball must install on its own.
mkdir "$work/app"
(cd "$work/app" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund --offline "$tarball")

export ROLECTL_INSTALL_DIR="$work/app"
# One file at a time: the files open and close moto's auth window for their setup.
node --test --test-concurrency=1 --test-reporter=spec crates/wasm/tests/*.test.mjs

scripts/bench-npm.sh
