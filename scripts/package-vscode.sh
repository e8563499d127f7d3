#!/usr/bin/env bash
# Packages the VS Code extension with its server inside, for one platform:
#
#   scripts/package-vscode.sh [--target VSCODE-TARGET] [--server PATH/TO/notes-lsp]
#
# writes editors/vscode/notes-lsp-<target>.vsix (default target linux-x64) holding
# server/notes-lsp, which the extension runs when notesLsp.path is not set. The path of the
# .vsix is the last line printed.
#
# Without --server the server is built here, which this machine can do for:
#   linux-x64, alpine-x64   the static x86_64-unknown-linux-musl binary of scripts/dist.sh
# Other targets take a server built on (or for) that platform, passed with --server:
#   linux-arm64, alpine-arm64
#       cargo build --release --locked --target aarch64-unknown-linux-musl on an arm64 Linux
#       with musl-tools, or cross-compiled (cargo zigbuild, or a musl cross gcc as
#       CC_aarch64_unknown_linux_musl and as the target's linker)
#   darwin-x64, darwin-arm64
#       cargo build --release --locked on a Mac (x86_64-apple-darwin, aarch64-apple-darwin)
#   win32-x64
#       cargo build --release --locked on Windows (x86_64-pc-windows-msvc); --server is the .exe
# then e.g. `scripts/package-vscode.sh --target darwin-arm64 --server notes-lsp`. (Today the
# sample sandbox in src/run/sandbox.rs uses Linux system calls unconditionally, so the
# darwin and win32 servers do not build until it is confined to Linux.)
#
# Needs node >= 20 and npm (for `npm ci` and @vscode/vsce).
set -euo pipefail

vscode_target=linux-x64
server=
while [ $# -gt 0 ]; do
  case $1 in
    --target) vscode_target=${2:?--target needs a value}; shift 2 ;;
    --server) server=${2:?--server needs a path}; shift 2 ;;
    *) echo "usage: scripts/package-vscode.sh [--target VSCODE-TARGET] [--server PATH]" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ext="$repo/editors/vscode"
say() { printf 'package-vscode: %s\n' "$*" >&2; }

case $vscode_target in
  linux-x64 | alpine-x64) exe=notes-lsp ;;
  linux-arm64 | alpine-arm64 | linux-armhf | darwin-x64 | darwin-arm64) exe=notes-lsp ;;
  win32-x64 | win32-arm64) exe=notes-lsp.exe ;;
  *) say "unknown VS Code target '$vscode_target'"; exit 2 ;;
esac

if [ -z "$server" ]; then
  case $vscode_target in
    linux-x64 | alpine-x64) server=$("$repo/scripts/dist.sh" --bin-only | tail -n 1) ;;
    *) say "this machine does not build the $vscode_target server: pass --server (see the top of this script)"; exit 2 ;;
  esac
fi
[ -f "$server" ] || { say "no server at $server"; exit 1; }
case $server in /*) ;; *) server="$PWD/$server" ;; esac

cd "$ext"
npm ci --no-audit --no-fund >&2
# The server goes in server/ for the time of the packaging only, so a plain
# `vsce package` of the folder (tests/vscode/check.sh) stays server-free.
rm -rf server
trap 'rm -rf "$ext/server"' EXIT
mkdir server
install -m 755 "$server" "server/$exe"
vsix="$ext/notes-lsp-$vscode_target.vsix"
rm -f "$vsix"
npx @vscode/vsce package --target "$vscode_target" --out "$vsix" >&2
say "$vsix: $(stat -c %s "$vsix") bytes, server $(stat -c %s "server/$exe") bytes"
printf '%s\n' "$vsix"
