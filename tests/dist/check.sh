#!/usr/bin/env bash
# Checks what scripts/dist.sh and scripts/package-vscode.sh made:
#
#   tests/dist/check.sh dist/notes-lsp-<version>-x86_64-unknown-linux-musl.tar.gz \
#     [editors/vscode/notes-lsp-linux-x64.vsix]
#
# The archive: its .sha256 matches, it holds notes-lsp, README.md and LICENSE in one folder,
# the binary is statically linked (no interpreter, no shared library), names this version
# and commit, and runs `check` and an LSP session with an empty environment. The .vsix: it
# is for linux-x64, carries that same binary as an executable server/notes-lsp, and its
# extension.js picks it with nothing on PATH and notesLsp.path unset.
# Prints one line per check and ends with "dist: N passed, M failed"; exits nonzero if
# anything failed. Needs tar, readelf, unzip, node, python3; git for the commit.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
archive=${1:?usage: tests/dist/check.sh ARCHIVE.tar.gz [VSIX]}
vsix=${2:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/notes-lsp-dist-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; [ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/     /'; }
check() { # check NAME COMMAND...: passes when COMMAND exits 0
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}
finish() {
  printf 'dist: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
  exit
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)
name="notes-lsp-$version-x86_64-unknown-linux-musl"
if [ "$(basename "$archive")" = "$name.tar.gz" ]; then
  ok "the archive is named $name.tar.gz"
else
  fail "the archive is named $name.tar.gz" "it is $(basename "$archive")"
fi
check "$name.tar.gz.sha256 matches" sh -c "cd '$(dirname "$archive")' && sha256sum -c '$name.tar.gz.sha256'"

listing=$(tar -tzvf "$archive" 2>&1) || { fail "the archive unpacks" "$listing"; finish; }
names=$(tar -tzf "$archive" | sort | tr '\n' ' ')
expected="$name/ $name/LICENSE $name/README.md $name/notes-lsp "
if [ "$names" = "$expected" ]; then ok "it holds $name/{notes-lsp,README.md,LICENSE}"; else fail "it holds $name/{notes-lsp,README.md,LICENSE}" "$names"; fi
if printf '%s\n' "$listing" | grep -Eq "^-rwxr-xr-x .* $name/notes-lsp$"; then ok "notes-lsp is executable in the archive"; else fail "notes-lsp is executable in the archive" "$listing"; fi
tar -xzf "$archive" -C "$work" || { fail "the archive unpacks"; finish; }
bin="$work/$name/notes-lsp"

headers=$(readelf -lW "$bin" 2>&1)
dynamic=$(readelf -dW "$bin" 2>&1)
if printf '%s\n' "$headers" | grep -q 'INTERP'; then
  fail "statically linked: no program interpreter" "$(printf '%s\n' "$headers" | grep -A1 INTERP)"
else
  ok "statically linked: no program interpreter"
fi
if printf '%s\n' "$dynamic" | grep -q '(NEEDED)'; then
  fail "statically linked: no shared library needed" "$(printf '%s\n' "$dynamic" | grep NEEDED)"
else
  ok "statically linked: no shared library needed"
fi
if printf '%s\n' "$dynamic" | grep -q '(RELR)'; then
  ok "relocations packed (DT_RELR)"
else
  fail "relocations packed (DT_RELR)" "$(printf '%s\n' "$dynamic" | grep -E 'REL|FLAGS')"
fi
printf '     %s\n' "$(file -b "$bin" 2>/dev/null || readelf -hW "$bin" | grep Type)"

got=$(env -i "$bin" --version 2>&1)
printf '     %s\n' "$got"
commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || true)
if [ -n "$commit" ]; then
  pattern="^notes-lsp $version \\($commit(-dirty)? [0-9]{4}-[0-9]{2}-[0-9]{2}\\)$"
else
  pattern="^notes-lsp $version \\("
fi
if printf '%s\n' "$got" | grep -Eq "$pattern"; then
  ok "--version names $version and the commit ${commit:-(no git here)}"
else
  fail "--version names $version and the commit ${commit:-(no git here)}" "$got"
fi

# Rust's allocations go to mimalloc, not musl's malloc: `--version` allocates only in Rust
# (tree-sitter is not touched), and mimalloc's statistics at exit count the pages it gave.
stats=$(env -i MIMALLOC_SHOW_STATS=1 "$bin" --version 2>&1 >/dev/null)
pages=$(printf '%s\n' "$stats" | sed -n 's/^ *pages *: *\([0-9][0-9]*\) .*/\1/p' | head -n 1)
if [ "${pages:-0}" -gt 0 ]; then
  ok "Rust's allocations go to mimalloc (--version: $pages pages at its peak)"
else
  fail "Rust's allocations go to mimalloc (--version: $pages pages at its peak)" "$stats"
fi

notes="$work/notes"
mkdir -p "$notes"
printf '# Python\n\n## What is a closure?\n\nA function that keeps its scope.\n\n```python\ndef f(:\n    pass\n```\n' >"$notes/broken.md"
out=$(cd "$work" && env -i "$bin" check notes 2>&1)
status=$?
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q 'error\[python-syntax\]' \
  && printf '%s\n' "$out" | grep -q 'notes/broken.md:8:'; then
  ok "\`notes-lsp check\` with an empty environment finds the broken sample (exit 1)"
else
  fail "\`notes-lsp check\` with an empty environment finds the broken sample (exit 1)" "exit $status: $out"
fi
printf '# Python\n\n## What is a closure?\n\nA function that keeps its scope.\n' >"$notes/broken.md"
check "\`notes-lsp check\` of a clean note exits 0" env -i "$bin" check "$notes"
if out=$(python3 "$here/lsp_smoke.py" "$bin" 2>&1); then
  ok "an LSP session over stdio: initialize, diagnostics, shutdown, exit 0"
  printf '%s\n' "$out" | sed 's/^/     /'
else
  fail "an LSP session over stdio: initialize, diagnostics, shutdown, exit 0" "$out"
fi

if [ -n "$vsix" ]; then
  zlisting=$(unzip -Z "$vsix" 2>&1) || { fail "the .vsix is a zip" "$zlisting"; finish; }
  if printf '%s\n' "$zlisting" | grep -Eq '^-rwxr-xr-x .* extension/server/notes-lsp$'; then
    ok "the .vsix holds extension/server/notes-lsp, executable"
  else
    fail "the .vsix holds extension/server/notes-lsp, executable" "$(printf '%s\n' "$zlisting" | grep server/ || echo 'no server/ in it')"
  fi
  if unzip -p "$vsix" extension.vsixmanifest | grep -q 'TargetPlatform="linux-x64"'; then
    ok "the .vsix is for linux-x64 (TargetPlatform in extension.vsixmanifest)"
  else
    fail "the .vsix is for linux-x64 (TargetPlatform in extension.vsixmanifest)"
  fi
  unzip -q "$vsix" -d "$work/vsix" || { fail "the .vsix unzips"; finish; }
  server="$work/vsix/extension/server/notes-lsp"
  check "its server is the archive's binary, byte for byte" cmp "$server" "$bin"
  got=$("$server" --version 2>&1)
  if printf '%s\n' "$got" | grep -Eq "$pattern"; then ok "its server answers --version: $got"; else fail "its server answers --version" "$got"; fi
  check "the packaged extension.js picks server/notes-lsp with an empty PATH and notesLsp.path unset" \
    node -e '
      const ext = process.argv[1];
      const chosen = require(ext + "/extension.js").chooseServer("", { extensionPath: ext, env: { PATH: "" } });
      const want = require("path").join(ext, "server", "notes-lsp");
      if (chosen.found !== want || chosen.source !== "bundled") {
        console.error(JSON.stringify(chosen)); process.exit(1);
      }' "$work/vsix/extension"
fi

finish
