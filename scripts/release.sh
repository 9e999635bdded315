#!/usr/bin/env bash
# Builds the release artefacts into dist/ (or $ROLECTL_DIST) and checks them:
#
#   rolectl-VERSION-x86_64-unknown-linux-musl.tar.gz   static Linux binary
#   rolectl-VERSION-x86_64-pc-windows-gnu.zip          rolectl.exe
#   rolectl-VERSION-aarch64-apple-darwin.tar.gz        macOS, Apple silicon
#   rolectl-VERSION-x86_64-apple-darwin.tar.gz         macOS, Intel
#   rolectl-VERSION.tgz                                the npm package
#   SHA256SUMS
#
# Each binary is a cargo `--release` build of rolectl-cli, once per target:
# the Windows one with Debian's mingw, the others with cargo-zigbuild and
# zig (pinned in tests/peers/requirements.txt, in .venv). The Windows build
# is also the one tests/e2e/test_windows_wine.py runs. The macOS builds
# link no Apple framework (rustls, no Keychain), which is what lets them be
# cross-built here.
#
# Then checks them: SHA256SUMS verifies, each binary is an executable of its
# OS and architecture (static ELF, PE x86-64, Mach-O arm64 / x86_64), the
# Linux one runs (`--version` names the version and the commit, `explain`
# reads a config), and the npm tarball installs into an empty project and
# loads in Node. Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target_dir=${CARGO_TARGET_DIR:-$root/target}
dist=${ROLECTL_DIST:-$root/dist}
# cargo-zigbuild, and zig through `python3 -m ziglang`.
export PATH="$root/.venv/bin:$PATH"

say() { printf '==> %s\n' "$*" >&2; }
fail() { echo "release: $*" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=12 HEAD)
command -v cargo-zigbuild >/dev/null 2>&1 || fail "cargo-zigbuild is missing; run scripts/setup.sh"
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || fail "x86_64-w64-mingw32-gcc is missing; run scripts/setup.sh"

linux=x86_64-unknown-linux-musl
windows=x86_64-pc-windows-gnu
macs=(aarch64-apple-darwin x86_64-apple-darwin)

build() {
  local how=$1 target=$2
  say "cargo $how --release --target $target"
  local start=$SECONDS
  cargo "$how" --quiet --release --locked -p rolectl-cli --target "$target"
  echo "release: $target built in $((SECONDS - start)) s" >&2
}
build zigbuild "$linux"
build build "$windows"
for target in "${macs[@]}"; do build zigbuild "$target"; done

say "packing into $dist"
rm -rf "$dist"
mkdir -p "$dist"
stage=$(mktemp -d "${TMPDIR:-/tmp}/rolectl-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT
for target in "$linux" "${macs[@]}"; do
  name=rolectl-$version-$target
  mkdir "$stage/$name"
  cp "$target_dir/$target/release/rolectl" README.md LICENSE "$stage/$name/"
  tar -C "$stage" --owner=0 --group=0 -czf "$dist/$name.tar.gz" "$name"
done
name=rolectl-$version-$windows
mkdir "$stage/$name"
cp "$target_dir/$windows/release/rolectl.exe" "$stage/$name/"
sed 's/$/\r/' LICENSE > "$stage/$name/LICENSE.txt"
# CRLF line ends for Notepad.
sed 's/$/\r/' README.md > "$stage/$name/README.txt"
(cd "$stage" && python3 -m zipfile -c "$dist/$name.zip" "$name")

scripts/build-npm.sh
(cd crates/wasm/pkg && npm pack --silent --pack-destination "$dist" >/dev/null)
[ -f "$dist/rolectl-$version.tgz" ] || fail "npm pack made no rolectl-$version.tgz"

(cd "$dist" && sha256sum -- *.tar.gz *.zip *.tgz > SHA256SUMS)

say "checking the artefacts"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"
check="$stage/check"
mkdir "$check"
for archive in "$dist"/*.tar.gz; do tar -C "$check" -xzf "$archive"; done
(cd "$check" && python3 -m zipfile -e "$dist/rolectl-$version-$windows.zip" .)
# Every archive carries the licence beside the binary.
for dir in "$check"/rolectl-*; do
  [ -f "$dir/LICENSE" ] || [ -f "$dir/LICENSE.txt" ] || fail "$(basename "$dir") has no LICENSE"
done
python3 - "$check" "$version" <<'EOF'
# Each binary is an executable for its OS and CPU, read off its header.
import struct, sys
from pathlib import Path
check, version = Path(sys.argv[1]), sys.argv[2]

def elf_static_x86_64(b):
    assert b[:4] == b"\x7fELF" and b[4] == 2, "not a 64-bit ELF"
    assert struct.unpack_from("<H", b, 18)[0] == 62, "not x86-64"
    phoff, = struct.unpack_from("<Q", b, 32)
    phentsize, phnum = struct.unpack_from("<HH", b, 54)
    types = [struct.unpack_from("<I", b, phoff + i * phentsize)[0] for i in range(phnum)]
    assert 3 not in types, "has a program interpreter: not static"  # PT_INTERP
    assert 2 not in types, "has a dynamic section: not static"      # PT_DYNAMIC

def pe_x86_64(b):
    assert b[:2] == b"MZ", "not an MZ executable"
    pe, = struct.unpack_from("<I", b, 0x3C)
    assert b[pe:pe + 4] == b"PE\0\0", "no PE header"
    assert struct.unpack_from("<H", b, pe + 4)[0] == 0x8664, "not x86-64"
    assert struct.unpack_from("<H", b, pe + 24)[0] == 0x20B, "not PE32+"
    assert struct.unpack_from("<H", b, pe + 24 + 68)[0] == 3, "not a console program"

def macho(cpu, signed):
    def check(b):
        assert b[:4] == b"\xcf\xfa\xed\xfe", "not a 64-bit Mach-O"
        assert struct.unpack_from("<I", b, 4)[0] == cpu, f"CPU type is not {cpu:#x}"
        assert struct.unpack_from("<I", b, 12)[0] == 2, "not an executable (MH_EXECUTE)"
        ncmds, = struct.unpack_from("<I", b, 16)
        offset, commands = 32, set()
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", b, offset)
            commands.add(cmd)
            offset += size
        # Apple silicon runs no arm64 program without a signature (ad hoc will do).
        assert not signed or 0x1D in commands, "no code signature (LC_CODE_SIGNATURE)"
    return check

expected = {
    "x86_64-unknown-linux-musl/rolectl": elf_static_x86_64,
    "x86_64-pc-windows-gnu/rolectl.exe": pe_x86_64,
    "aarch64-apple-darwin/rolectl": macho(0x0100000C, signed=True),
    "x86_64-apple-darwin/rolectl": macho(0x01000007, signed=False),
}
for path, check_header in expected.items():
    target, name = path.split("/")
    binary = check / f"rolectl-{version}-{target}" / name
    try:
        check_header(binary.read_bytes())
    except AssertionError as error:
        sys.exit(f"release: {binary.name} of {target}: {error}")
    print(f"release: {target}: {binary.stat().st_size} bytes, header checked", file=sys.stderr)
EOF

bin="$check/rolectl-$version-$linux/rolectl"
got=$("$bin" --version)
[ "$got" = "rolectl $version ($commit)" ] || fail "the Linux binary says '$got', not 'rolectl $version ($commit)'"
mkdir -p "$check/home/.aws"
printf '[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n' \
  > "$check/home/.aws/config"
printf '[base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n' \
  > "$check/home/.aws/credentials"
env -i HOME="$check/home" AWS_EC2_METADATA_DISABLED=true "$bin" --profile dev explain \
  | grep -q 'AssumeRole arn:aws:iam::123456789012:role/dev' || fail "the Linux binary's explain failed"

mkdir "$check/app"
(cd "$check/app" && npm init -y >/dev/null &&
  npm install --silent --no-audit --no-fund --offline "$dist/rolectl-$version.tgz" &&
  node --input-type=module -e "
    import { version } from 'rolectl';
    if (version() !== '$version') { console.error('the package says', version()); process.exit(1); }
  ") || fail "the npm tarball does not install and load in an empty project"

say "release $version ($commit) in $dist"
(cd "$dist" && ls -l -- *.tar.gz *.zip *.tgz SHA256SUMS) >&2
