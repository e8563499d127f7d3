#!/usr/bin/env bash
# Checks the layers (tests/layers.rs): `note` imports nothing above it, `codes`, `parallel`
# and `config` are leaves, only `server` names LSP types, no circle between files or
# top-level modules. Then prints what each top-level module imports.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -q --test layers
cargo test -q --test layers -- --exact print_the_module_graph --nocapture | grep ' imports '
