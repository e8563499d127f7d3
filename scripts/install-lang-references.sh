#!/usr/bin/env bash
# Installs the compilers scripts/lang_differential.py judges samples against, and nothing
# that is already there: gcc and g++ (C, C++), javac 17 or newer (Java), gofmt (Go), bash,
# php -l (PHP), ruby -c (Ruby), Mono's C# compiler (mcs, whose --parse runs its parser alone).
# Debian packages, through apt. Rust's reference is the toolchain's own rustc (its parser
# alone, through RUSTC_BOOTSTRAP=1 -Z parse-crate-root-only). Safe to run again and again.
set -euo pipefail

say() { printf 'install-lang-references: %s\n' "$*"; }

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

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v gofmt >/dev/null 2>&1 || missing+=(golang-go)
command -v bash >/dev/null 2>&1 || missing+=(bash)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v ruby >/dev/null 2>&1 || missing+=(ruby)
command -v mcs >/dev/null 2>&1 || missing+=(mono-mcs)
if [ ${#missing[@]} -eq 0 ]; then
  say "all present: $(gcc -dumpfullversion), $(javac -version 2>&1), gofmt, bash ${BASH_VERSION}," \
    "$(php -r 'echo "php ", PHP_VERSION;'), $(ruby -e 'print "ruby ", RUBY_VERSION'), $(rustc --version), $(mcs --version)"
  exit 0
fi
say "installing ${missing[*]}"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
