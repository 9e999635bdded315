#!/usr/bin/env bash
# Measures the npm package (crates/wasm/pkg, built by scripts/build-npm.sh
# when missing) against @aws-sdk/client-sts + fromTemporaryCredentials in
# one run: gzipped size after wasm-opt -Oz and esbuild, and Node import
# time of each (BENCH_RUNS fresh processes, median). No network.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f crates/wasm/pkg/web/rolectl_bg.wasm ]; then
  scripts/build-npm.sh
fi
node crates/wasm/tests/bench.mjs "$PWD/crates/wasm/pkg"
