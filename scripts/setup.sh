#!/usr/bin/env bash
# Installs what the tests need and is not there yet: the Python venv with the
# pinned peers (and cargo-zigbuild with zig for the release builds), the
# wasm32 target and the release targets (Windows, static Linux, macOS),
# mingw and Wine for the Windows tests, and cargo-fuzz. Safe to run again.
# `scripts/setup.sh venv` sets up the venv alone.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }

# Python peers. The venv is rebuilt when the pinned requirements change.
req=tests/peers/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "creating .venv from $req"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

# `setup.sh venv`: the Python peers only (the demo and the benchmarks).
[ "${1:-}" = venv ] && exit 0

# wasm32 for the npm package; the release targets of scripts/release.sh.
installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown x86_64-pc-windows-gnu x86_64-unknown-linux-musl \
  aarch64-apple-darwin x86_64-apple-darwin; do
  if ! grep -qx "$target" <<<"$installed_targets"; then
    say "adding the $target target"
    rustup target add "$target"
  fi
done

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain for cargo-fuzz"
  rustup toolchain install nightly --profile minimal
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# The npm package (scripts/build-npm.sh, scripts/test-npm.sh): wasm-bindgen-cli
# at exactly the version the workspace pins, Node and npm, Debian's chromium
# for the browser test, and the npm tools pinned in
# crates/wasm/tests/package-lock.json (wasm-opt, esbuild, playwright-core,
# typescript, the AWS SDK packages compared with).
wasm_bindgen=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen (about 3 minutes)"
  # Not --locked: the registry lacks one version its lockfile pins.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen"
fi

apt_packages=()
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
# The OS keychain tests: a real Secret Service (gnome-keyring's daemon) on a
# private session bus (dbus-run-session), locked with dbus-send; without
# the recommended desktop packages (2.3 MB in all).
keychain_packages=()
command -v gnome-keyring-daemon >/dev/null 2>&1 || keychain_packages+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || keychain_packages+=(dbus-daemon)
command -v dbus-send >/dev/null 2>&1 || keychain_packages+=(dbus-bin)
apt_updated=
if [ ${#apt_packages[@]} -gt 0 ] || [ ${#keychain_packages[@]} -gt 0 ]; then
  apt-get update
  apt_updated=1
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "installing ${apt_packages[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${apt_packages[@]}"
fi
if [ ${#keychain_packages[@]} -gt 0 ]; then
  say "installing ${keychain_packages[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${keychain_packages[@]}"
fi

# The Windows build's linker and C compiler (mingw), and Wine to run
# rolectl.exe (tests/e2e/test_windows_wine.py). Without recommends: no
# fonts, X or sound, which a console program under Wine does not need.
apt_packages=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || apt_packages+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || apt_packages+=(wine64)
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "installing ${apt_packages[*]} (apt-get)"
  [ -n "$apt_updated" ] || apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${apt_packages[@]}"
fi

npm_dir=crates/wasm/tests
npm_stamp=$npm_dir/node_modules/.package-lock.sha256
npm_want=$(sha256sum "$npm_dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  say "npm ci in $npm_dir"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --silent)
  echo "$npm_want" > "$npm_stamp"
fi
