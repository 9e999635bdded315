#!/usr/bin/env bash
# Runs every test of the workspace: installs what is missing, checks format
# and lints, starts the local peers on 127.0.0.1, runs the tests, builds and
# checks the release artefacts (scripts/release.sh), runs the end-to-end
# tests (the Windows build under Wine among them), checks that
# scripts/bench.sh runs (its short mode: not its numbers), builds and runs
# the fuzz targets for a short while, and stops the peers.
set -euo pipefail
cd "$(dirname "$0")/.."

# Nothing in a test may reach instance metadata or a real AWS endpoint.
export AWS_EC2_METADATA_DISABLED=true
# awscrt is in the venv for botocore's login provider only; the peers sign
# as the AWS CLI does without it.
export BOTO_DISABLE_CRT=true
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE \
  AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL \
  AWS_ENDPOINT_URL_STS AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI || true
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}

say() { printf '\n==> %s\n' "$*" >&2; }

say "setting up tools"
scripts/setup.sh

say "cargo fmt --check"
cargo fmt --all --check
rustfmt --check --edition 2021 fuzz/fuzz_targets/*.rs

say "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

say "building for wasm32-unknown-unknown"
cargo build -p rolectl-wasm --target wasm32-unknown-unknown

say "starting peers"
trap 'scripts/peers.sh stop' EXIT
eval "$(scripts/peers.sh start)"
export ROLECTL_PYTHON="$PWD/.venv/bin/python"
export PATH="$PWD/.venv/bin:$PATH"

say "cargo test"
cargo test --workspace --all-targets
cargo test --workspace --doc
scripts/test-npm.sh

say "release artefacts (scripts/release.sh: static Linux, Windows, macOS, npm; checked)"
scripts/release.sh

say "end-to-end tests (tests/e2e: rolectl against moto, the AWS CLI, boto3 and local fakes; rolectl.exe of the release under Wine)"
# The corpus tests run the parser's aws_cli_view example beside the command.
cargo build -p rolectl-cli
cargo build -p rolectl-config-parser --example aws_cli_view
.venv/bin/python -m pytest tests/e2e -q

say "scripts/bench.sh --quick (that the benchmark runs; its numbers are not checked)"
scripts/bench.sh --quick

say "fuzzing each target for ${FUZZ_SECONDS}s"
# A failing or empty `fuzz list` would run the loop zero times and still end
# with "all tests passed": both stop the script.
targets=$(cd fuzz && cargo +nightly fuzz list) || { echo "cargo +nightly fuzz list failed" >&2; exit 1; }
[ -n "$targets" ] || { echo "cargo +nightly fuzz list printed no fuzz target" >&2; exit 1; }
for target in $targets; do
  say "fuzz target $target"
  (cd fuzz && cargo +nightly fuzz build "$target")
  (cd fuzz && cargo +nightly fuzz run "$target" -- -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048) \
    > "fuzz/last-$target.log" 2>&1 || { tail -40 "fuzz/last-$target.log"; echo "fuzz target $target crashed" >&2; exit 1; }
  tail -1 "fuzz/last-$target.log"
done

say "all tests passed"
