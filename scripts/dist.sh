#!/usr/bin/env bash
# Builds the static Linux server and its release archive:
#
#   scripts/dist.sh              dist/notes-lsp-<version>-x86_64-unknown-linux-musl.tar.gz
#                                (notes-lsp, README.md, LICENSE in one folder) and .tar.gz.sha256
#   scripts/dist.sh --bin-only   only the binary; its path is the last line printed
#
# The binary is a release build for x86_64-unknown-linux-musl: statically linked, it runs on
# any x86-64 Linux (any libc, Alpine too). Needs rustup (the musl target is added when
# missing) and musl-gcc for the C of tree-sitter and mimalloc (Debian/Ubuntu: musl-tools,
# installed with apt when missing). Builds in $CARGO_TARGET_DIR (default target/); takes
# about as long as `cargo build --release` (all dependencies, once).
set -euo pipefail

TARGET=x86_64-unknown-linux-musl
bin_only=
case ${1:-} in
  --bin-only) bin_only=1 ;;
  "") ;;
  *) echo "usage: scripts/dist.sh [--bin-only]" >&2; exit 2 ;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
say() { printf 'dist: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    say "need root for: $*"
    return 1
  fi
}

if ! rustup target list --installed | grep -qx "$TARGET"; then
  say "adding the Rust target $TARGET"
  rustup target add "$TARGET" >&2
fi
if ! command -v musl-gcc >/dev/null 2>&1; then
  say "installing musl-tools (musl-gcc)"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >&2
fi

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { say "no version in Cargo.toml"; exit 1; }

# Symbols stripped: the binary is a third of the size. The profile is the release one, so
# the dependencies built here serve every later run. Relocations packed (RELR, which musl's
# static-PIE start-up applies): 13 KB instead of a 1.3 MiB table read at every start, 1 MiB
# less resident (docs/performance.md, "The shipped binary"); a link argument of the binary
# alone, so the dependencies' builds stay as they are.
start=$(date +%s)
CC_x86_64_unknown_linux_musl=musl-gcc CARGO_PROFILE_RELEASE_STRIP=symbols \
  cargo rustc --release --locked --target "$TARGET" --bin notes-lsp \
  -- -C link-arg=-Wl,-z,pack-relative-relocs >&2
say "cargo rustc --release --target $TARGET: $(($(date +%s) - start)) s"

target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
bin="$target_dir/$TARGET/release/notes-lsp"
say "$("$bin" --version), $(stat -c %s "$bin") bytes"
if [ -n "$bin_only" ]; then
  printf '%s\n' "$bin"
  exit 0
fi

name="notes-lsp-$version-$TARGET"
mkdir -p dist
stage=$(mktemp -d "${TMPDIR:-/tmp}/notes-lsp-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
install -m 755 "$bin" "$stage/$name/notes-lsp"
install -m 644 README.md LICENSE "$stage/$name/"
# Reproducible: fixed order, owner and times (the commit's), so one commit gives one archive.
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  -C "$stage" -cf - "$name" | gzip -n -9 >"dist/$name.tar.gz"
(cd dist && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
say "dist/$name.tar.gz: $(stat -c %s "dist/$name.tar.gz") bytes"
say "dist/$name.tar.gz.sha256: $(cut -d' ' -f1 "dist/$name.tar.gz.sha256")"
printf '%s\n' "$repo/dist/$name.tar.gz"
