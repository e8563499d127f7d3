#!/usr/bin/env bash
# End-to-end test of the extension in a real VS Code: code-server (VS Code's workbench and
# server, from npm) shown in Debian's Chromium, driven headless by playwright-core.
#
#   tests/vscode/real.sh [PATH/TO/notes-lsp]
#   tests/vscode/real.sh --bundled PATH/TO/notes-lsp-linux-x64.vsix
#
# The server binary is the argument, else $NOTES_LSP_BIN, else target/debug/notes-lsp; it is
# given to the extension as notesLsp.path. With --bundled, the .vsix of
# scripts/package-vscode.sh is installed as a user would: notesLsp.path unset and no notes-lsp
# on code-server's PATH, so only the server inside the .vsix can answer, and the extension's
# output channel must say it runs that one.
# scripts/install-editor-test-deps.sh installs code-server, playwright-core and Chromium; this
# script finds them under $NOTES_LSP_EDITOR_DEPS (default ~/.cache/notes-lsp), or takes
# $CODE_SERVER, $PLAYWRIGHT_CORE (the package's folder) and $CHROMIUM.
#
# It packages editors/vscode into a .vsix (or takes $NOTES_LSP_VSIX), installs it into a fresh code-server, opens a copy
# of tests/vscode/workspace/ and checks in the window what a user would see (ui.js). Screenshots
# go to $NOTES_LSP_ARTIFACTS/vscode (default target/editor-artifacts/vscode).
# Prints one line per check and ends with "vscode-real: N passed, M failed"; exits nonzero if
# anything failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
deps=${NOTES_LSP_EDITOR_DEPS:-$HOME/.cache/notes-lsp}
# Keep in step with scripts/install-editor-test-deps.sh.
code_server=${CODE_SERVER:-$deps/code-server-4.100.3/node_modules/.bin/code-server}
playwright=${PLAYWRIGHT_CORE:-$deps/playwright-core-1.65.2/node_modules/playwright-core}
chromium=${CHROMIUM:-/usr/bin/chromium}
artifacts=${NOTES_LSP_ARTIFACTS:-$repo/target/editor-artifacts}/vscode

bundled=
if [ "${1:-}" = --bundled ]; then
  bundled=1
  NOTES_LSP_VSIX=${2:?usage: tests/vscode/real.sh --bundled PATH/TO/notes-lsp-linux-x64.vsix}
  case $NOTES_LSP_VSIX in /*) ;; *) NOTES_LSP_VSIX="$PWD/$NOTES_LSP_VSIX" ;; esac
  bin=
else
  bin=${1:-${NOTES_LSP_BIN:-$repo/target/debug/notes-lsp}}
  case $bin in
    /*) ;;
    *) bin="$PWD/$bin" ;;
  esac
fi

die() {
  printf 'tests/vscode/real.sh: %s\n' "$*" >&2
  echo "vscode-real: 0 passed, 1 failed"
  exit 2
}
[ -n "$bundled" ] || { [ -x "$bin" ] && [ ! -d "$bin" ]; } || die "no executable notes-lsp at $bin (build it with 'cargo build', or pass its path)"
[ -x "$code_server" ] || die "code-server not found at $code_server; run scripts/install-editor-test-deps.sh"
[ -f "$playwright/package.json" ] || die "playwright-core not found at $playwright; run scripts/install-editor-test-deps.sh"
[ -x "$chromium" ] || die "Chromium not found at $chromium; run scripts/install-editor-test-deps.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/notes-lsp-vscode-real.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    # code-server runs in its own process group (setsid): stop all of it.
    kill -TERM -- "-$server_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server_pid" 2>/dev/null
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# code-server, its extensions and Chromium write nothing outside the scratch folder.
export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
  XDG_CACHE_HOME="$scratch/cache" XDG_STATE_HOME="$scratch/state"
user_data="$scratch/user-data"
extensions="$scratch/extensions"
workspace="$scratch/notes"
mkdir -p "$user_data/User" "$user_data/Machine" "$extensions" "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
rm -f "$artifacts"/*.png
cp -R "$here/workspace" "$workspace"

echo "# code-server $("$code_server" --version 2>/dev/null | grep -E '^[0-9]' | head -n 1)"
echo "# $("$chromium" --version 2>/dev/null | head -n 1)"
echo "# playwright-core $(node -p 'require(process.argv[1]).version' "$playwright/package.json")"
echo "# server: ${bin:-the one inside $NOTES_LSP_VSIX}"

# The .vsix, as a user would build it (editors/vscode/README.md), unless given.
if [ -n "${NOTES_LSP_VSIX:-}" ]; then
  vsix=$NOTES_LSP_VSIX
  [ -f "$vsix" ] || die "no .vsix at $vsix"
else
  vsix="$scratch/notes-lsp.vsix"
  (
    cd "$repo/editors/vscode" \
      && npm ci --no-audit --no-fund >"$scratch/npm-ci.log" 2>&1 \
      && npx @vscode/vsce package --out "$vsix" >"$scratch/vsce.log" 2>&1
  ) || { cat "$scratch/npm-ci.log" "$scratch/vsce.log" 2>/dev/null | tail -20 >&2; die "could not package editors/vscode"; }
fi
if ! "$code_server" --user-data-dir "$user_data" --extensions-dir "$extensions" \
  --install-extension "$vsix" >"$scratch/install.log" 2>&1; then
  tail -20 "$scratch/install.log" >&2
  die "code-server --install-extension failed"
fi

# The extension host does not inherit this PATH, so the server's full path; a remote window
# takes a machine-overridable setting from Machine/settings.json.
# With --bundled, notesLsp.path stays unset (null is left out).
settings=$(node -e '
  console.log(JSON.stringify({
    "notesLsp.path": process.argv[1] || undefined,
    "notesLsp.logLevel": "info",
    "security.workspace.trust.enabled": false,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "editor.hover.delay": 300,
    "editor.stickyScroll.enabled": false,
    "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
    "chat.commandCenter.enabled": false,
    "workbench.colorTheme": "Default Light Modern"
  }, null, 2));' "$bin")
printf '%s\n' "$settings" >"$user_data/User/settings.json"
printf '%s\n' "$settings" >"$user_data/Machine/settings.json"

# With --bundled, code-server (and so the extension host) gets a PATH without notes-lsp.
server_path=$PATH
if [ -n "$bundled" ]; then
  server_path=
  IFS=: read -r -a dirs <<<"$PATH"
  for dir in "${dirs[@]}"; do
    [ -n "$dir" ] && [ ! -e "$dir/notes-lsp" ] && server_path="$server_path${server_path:+:}$dir"
  done
  if PATH=$server_path command -v notes-lsp >/dev/null 2>&1; then die "notes-lsp is still on PATH"; fi
fi

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
PATH=$server_path setsid "$code_server" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry \
  --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$user_data" --extensions-dir "$extensions" "$workspace" \
  >"$scratch/code-server.log" 2>&1 </dev/null &
server_pid=$!
for _ in $(seq 600); do
  grep -q 'HTTP server listening' "$scratch/code-server.log" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q 'HTTP server listening' "$scratch/code-server.log"; then
  tail -20 "$scratch/code-server.log" >&2
  die "code-server did not start"
fi

# The first line of the output channel says which server runs.
if [ -n "$bundled" ]; then
  expect_server="Using the server bundled with the extension, $extensions/"
else
  expect_server="Using the server from notesLsp.path, $bin: notes-lsp "
fi
NOTES_LSP_URL="http://127.0.0.1:$port/?folder=$workspace" \
  NOTES_LSP_WORKSPACE="$workspace" \
  NOTES_LSP_EXPECT_SERVER="$expect_server" NOTES_LSP_LOGS="$user_data/logs" \
  NOTES_LSP_ARTIFACTS="$artifacts" \
  PLAYWRIGHT_CORE="$playwright" CHROMIUM="$chromium" \
  timeout 600 node "$here/ui.js"
status=$?
if [ "$status" -ne 0 ]; then
  # What the server and the extension host said, for whoever reads a failed run.
  find "$user_data/logs" -name '*Notes LSP*' -o -name 'exthost.log' 2>/dev/null | while read -r f; do
    echo "# --- $f"
    tail -30 "$f"
  done
  [ "$status" -eq 124 ] && echo "tests/vscode/real.sh: the UI checks did not finish within 600 s" >&2
fi
exit "$status"
