#!/usr/bin/env bash
# Installs what the tests need and is not there yet: the Python venv with the
# pinned peers, the wasm32 target and cargo-fuzz. Safe to run again.
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

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain for cargo-fuzz"
  rustup toolchain install nightly --profile minimal
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
