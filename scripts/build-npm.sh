#!/usr/bin/env bash
# Builds the npm package `rolectl` into crates/wasm/pkg/: two wasm modules,
# the full one (entry `rolectl`) and the resolve-only one (entry
# `rolectl/resolve`), each with cargo profile `wasm-release`, then
# wasm-bindgen at the exact version the workspace pins, then npm binaryen's
# `wasm-opt -Oz`; the JS glue, the Node and browser entry points of both,
# the TypeScript types, package.json and README.
# Respects CARGO_TARGET_DIR (default: the workspace's target/). Needs the
# tools scripts/setup.sh installs (wasm32 target, wasm-bindgen-cli, the npm
# tools in crates/wasm/tests/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
src=crates/wasm/npm
out=crates/wasm/pkg
tools=crates/wasm/tests/node_modules/.bin

want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "build-npm: wasm-bindgen $want is needed (found '${have:-none}'); run scripts/setup.sh" >&2
  exit 1
fi
if [ ! -x "$tools/wasm-opt" ]; then
  echo "build-npm: $tools/wasm-opt is missing; run scripts/setup.sh (npm ci in crates/wasm/tests)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/web"
wasm="$target/wasm32-unknown-unknown/wasm-release/rolectl_wasm.wasm"
# One module per entry: `rolectl` (every export) and `rolectl/resolve`
# (rolectl-wasm without its `full` feature: no parseConfig, lint, explain).
# Each build relinks only rolectl-wasm; the dependencies are shared.
module() { # name, cargo feature arguments...
  local name=$1
  shift
  cargo build --quiet --profile wasm-release -p rolectl-wasm --target wasm32-unknown-unknown "$@"
  wasm-bindgen --target web --out-dir "$out/web" --out-name "$name" "$wasm"
  "$tools/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/web/${name}_bg.wasm" -o "$out/web/${name}_bg.opt.wasm"
  mv "$out/web/${name}_bg.opt.wasm" "$out/web/${name}_bg.wasm"
}
module rolectl
module rolectl_resolve --no-default-features

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" "$src/package.json" > "$out/package.json"
cp LICENSE "$src/README.md" "$src/node.js" "$src/node.d.ts" "$src/browser.js" "$src/browser.d.ts" "$out/"
mkdir -p "$out/resolve"
cp "$src/resolve/node.js" "$src/resolve/node.d.ts" "$src/resolve/browser.js" "$src/resolve/browser.d.ts" "$out/resolve/"

for name in rolectl rolectl_resolve; do
  bytes=$(stat -c %s "$out/web/${name}_bg.wasm")
  gz=$(gzip -9 -c "$out/web/${name}_bg.wasm" | wc -c)
  echo "build-npm: $out (rolectl $version): ${name}_bg.wasm $bytes bytes, $gz gzipped" >&2
done
