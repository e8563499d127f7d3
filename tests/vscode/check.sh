#!/usr/bin/env bash
# Builds the VS Code extension (.vsix) from editors/vscode and checks what is in it.
#
#   tests/vscode/check.sh
#
# Needs node >= 20, npm, unzip and the npm registry (for `npm ci`). With $NOTES_LSP_VSIX_OUT set,
# the .vsix is kept there (tests/vscode/real.sh installs it into a real VS Code).
# Prints one line per check and ends with "vscode: N passed, M failed";
# exits nonzero if anything failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ext="$repo/editors/vscode"
work=$(mktemp -d "${TMPDIR:-/tmp}/notes-lsp-vscode.XXXXXX")
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
  printf 'vscode: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
  exit
}

for tool in node npm unzip; do
  command -v "$tool" >/dev/null 2>&1 || { fail "$tool is installed (scripts/install-editor-test-deps.sh)"; finish; }
done

cd "$ext" || { fail "editors/vscode exists"; finish; }

check "node --check extension.js" node --check extension.js

if out=$(npm ci --no-audit --no-fund 2>&1); then
  ok "npm ci"
else
  fail "npm ci" "$(printf '%s\n' "$out" | tail -20)"
  finish
fi

vsix="$work/notes-lsp.vsix"
if out=$(npx @vscode/vsce package --out "$vsix" 2>&1) && [ -f "$vsix" ]; then
  ok "npx @vscode/vsce package"
else
  fail "npx @vscode/vsce package" "$(printf '%s\n' "$out" | tail -20)"
  finish
fi

if [ -n "${NOTES_LSP_VSIX_OUT:-}" ]; then cp "$vsix" "$NOTES_LSP_VSIX_OUT"; fi

unzip -q "$vsix" -d "$work/unpacked" || { fail "the .vsix unzips"; finish; }
listing=$(unzip -Z1 "$vsix")
in_package() { printf '%s\n' "$listing" | grep -qxF "$1"; }

unzip -p "$vsix" extension/package.json >"$work/package.json"

# manifest NAME JS-EXPRESSION: the expression, over the packaged package.json as `m`, is true
manifest() {
  local name=$1 expr=$2
  check "manifest: $name" node -e '
    const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    let ok = false;
    try { ok = (('"$expr"')); } catch (err) { console.error(String(err)); }
    if (!ok) { console.error("not true of the packaged package.json: " + process.argv[2]); process.exit(1); }
  ' "$work/package.json" "$expr"
}
manifest "activates on onLanguage:markdown" 'm.activationEvents.includes("onLanguage:markdown")'
for key in notesLsp.path notesLsp.trace.server notesLsp.logLevel notesLsp.diagnostics \
  notesLsp.features.outline notesLsp.features.folding notesLsp.run notesLsp.outline.samples; do
  manifest "contributes setting $key" "m.contributes.configuration.properties[\"$key\"] !== undefined"
done
manifest "notesLsp.path defaults to empty (the bundled server, else PATH)" 'm.contributes.configuration.properties["notesLsp.path"].default === ""'
manifest "notesLsp.trace.server is off/messages/verbose" \
  'JSON.stringify(m.contributes.configuration.properties["notesLsp.trace.server"].enum) === "[\"off\",\"messages\",\"verbose\"]"'
manifest "engines.vscode, publisher, license MIT, repository" \
  'm.engines.vscode && m.publisher && m.license === "MIT" && m.repository'
manifest "notesLsp.run is unset (null) by default: nothing runs, .notes-lsp.toml applies" \
  'm.contributes.configuration.properties["notesLsp.run"].default === null'
manifest "notesLsp.run is machine-scoped: a workspace's settings cannot name the interpreters" \
  'm.contributes.configuration.properties["notesLsp.run"].scope === "machine"'
manifest "notesLsp.outline.samples is broken/all/none, unset (null) by default: .notes-lsp.toml applies" \
  'JSON.stringify(m.contributes.configuration.properties["notesLsp.outline.samples"].enum) === "[\"broken\",\"all\",\"none\",null]" && m.contributes.configuration.properties["notesLsp.outline.samples"].default === null'
manifest "notesLsp.diagnostics knows output-mismatch and run-error" \
  '["output-mismatch", "run-error"].every(c => m.contributes.configuration.properties["notesLsp.diagnostics"].propertyNames.enum.includes(c))'
manifest "depends on vscode-languageclient 9" '/^[\^~]?9\./.test(m.dependencies["vscode-languageclient"])'

main=$(node -e 'const m = require(process.argv[1]); console.log(require("path").posix.normalize(m.main))' "$work/package.json")
if in_package "extension/$main"; then ok "main file $main is in the package"; else fail "main file $main is in the package"; fi
if in_package "extension/node_modules/vscode-languageclient/package.json"; then
  ok "node_modules/vscode-languageclient is in the package"
else
  fail "node_modules/vscode-languageclient is in the package"
fi
if in_package "extension/LICENSE.txt" || in_package "extension/LICENSE"; then ok "LICENSE is in the package"; else fail "LICENSE is in the package"; fi
if printf '%s\n' "$listing" | grep -q '^extension/node_modules/@vscode/vsce/'; then
  fail "devDependencies (@vscode/vsce) are left out of the package"
else
  ok "devDependencies (@vscode/vsce) are left out of the package"
fi
check "packaged vscode-languageclient/node loads with all its dependencies" \
  node "$here/load-packaged.js" "$work/unpacked/extension"

# The extension's own logic, with fakes for the vscode API, run against the packaged extension.js.
if out=$(NOTES_LSP_EXTENSION_JS="$work/unpacked/extension/$main" node --test "$here/extension.test.js" 2>&1); then
  ok "unit tests of the packaged extension.js (node --test: $(printf '%s\n' "$out" | grep -E '^# pass' | sed 's/# //'))"
else
  fail "unit tests of the packaged extension.js (node --test)" "$out"
fi

finish
