#!/usr/bin/env bash
# Times the profile file parser against botocore (the AWS CLI's reader) on the
# same generated files: a config with 10,000 role profiles and a credentials
# file (written by the config-parser crate's `gen_config` example). Runs the
# criterion bench `parse`, then prints both throughputs in MB/s and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${ROLECTL_PYTHON:-$PWD/.venv/bin/python}
target=${CARGO_TARGET_DIR:-$PWD/target}
measure=${BENCH_SECONDS:-5}
[ -x "$python" ] || { echo "bench-parser: no Python with botocore at $python (run scripts/setup.sh)" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo run -q --release -p rolectl-config-parser --example gen_config -- "$dir"

# botocore: load_config (the config file, as the CLI reads it) and
# raw_config_parse (the credentials file); median of several runs.
botocore_line=$("$python" - "$dir/config" "$dir/credentials" <<'PY'
import os, statistics, sys, time
import awscli  # the AWS CLI then loads the botocore it ships
import botocore
from botocore.configloader import load_config, raw_config_parse

config, credentials = sys.argv[1], sys.argv[2]
size = os.path.getsize(config) + os.path.getsize(credentials)
runs = []
for _ in range(7):
    start = time.perf_counter()
    profiles = load_config(config)["profiles"]
    creds = raw_config_parse(credentials)
    runs.append(time.perf_counter() - start)
assert len(profiles) == 10002 and len(creds) == 101, (len(profiles), len(creds))
median = statistics.median(runs)
print(f"{size} {median * 1e9:.0f} {botocore.__version__}")
PY
)
read -r bytes botocore_ns botocore_version <<<"$botocore_line"

cargo bench -q -p rolectl-config-parser --bench parse -- --warm-up-time 1 --measurement-time "$measure" >&2

median_ns() {
  "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"])' \
    "$target/criterion/parse/$1/new/estimates.json"
}
rust_ns=$(median_ns config_and_credentials)
rust_drop_ns=$(median_ns config_and_credentials_with_drop)

"$python" - "$bytes" "$botocore_ns" "$botocore_version" "$rust_ns" "$rust_drop_ns" <<'PY'
import sys
size, boto_ns, version, rust_ns, drop_ns = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
mbps = lambda ns: size / (ns / 1e9) / 1e6
print(f"input: {size} bytes (config with 10,000 role profiles + credentials)")
print(f"botocore {version} load_config + raw_config_parse: median {boto_ns / 1e6:.1f} ms, {mbps(boto_ns):.2f} MB/s")
print(f"rolectl-config-parser parse + merge:  median {rust_ns / 1e6:.2f} ms, {mbps(rust_ns):.1f} MB/s")
print(f"  including freeing the result:       median {drop_ns / 1e6:.2f} ms, {mbps(drop_ns):.1f} MB/s")
print(f"ratio: {boto_ns / rust_ns:.0f}x faster than botocore ({boto_ns / drop_ns:.0f}x including the free)")
PY
