#!/usr/bin/env bash
# Builds the npm package `rolectl` into crates/wasm/pkg/: the wasm module
# (cargo profile `wasm-release`, then wasm-bindgen at the exact version the
# workspace pins, then npm binaryen's `wasm-opt -Oz`), the JS glue, the Node
# and browser entry points, the TypeScript types, package.json and README.
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

cargo build --quiet --profile wasm-release -p rolectl-wasm --target wasm32-unknown-unknown
wasm="$target/wasm32-unknown-unknown/wasm-release/rolectl_wasm.wasm"

rm -rf "$out"
mkdir -p "$out/web"
wasm-bindgen --target web --out-dir "$out/web" --out-name rolectl "$wasm"
"$tools/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/web/rolectl_bg.wasm" -o "$out/web/rolectl_bg.opt.wasm"
mv "$out/web/rolectl_bg.opt.wasm" "$out/web/rolectl_bg.wasm"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" "$src/package.json" > "$out/package.json"
cp "$src/README.md" "$src/node.js" "$src/node.d.ts" "$src/browser.js" "$src/browser.d.ts" "$out/"

wasm_bytes=$(stat -c %s "$out/web/rolectl_bg.wasm")
wasm_gz=$(gzip -9 -c "$out/web/rolectl_bg.wasm" | wc -c)
echo "build-npm: $out (rolectl $version): rolectl_bg.wasm $wasm_bytes bytes, $wasm_gz gzipped" >&2
