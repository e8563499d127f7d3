#!/usr/bin/env bash
# Checks the acceptance figures on the two seed notes in ../shared/seeds (present in CI and
# on developer machines, not in a user's clone, so this is a script rather than a cargo test):
#   advanced-python.md: no errors, all 73 headings in the outline, nothing from inside fences;
#   python-basics.md: the three empty questions are unanswered-question, and the tab-broken
#   decorator sample is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-../shared/seeds}
if [ ! -d "$seeds" ]; then
  echo "check-seeds: $seeds not found; nothing to check"
  exit 0
fi
cargo build -q --example outline
outline=${CARGO_TARGET_DIR:-target}/debug/examples/outline
pass=0 fail=0
expect() { # description, expected, actual
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected $2, got $3"; fi
}
adv=$($outline "$seeds/advanced-python.md")
expect "advanced-python headings" 73 "$(grep -c '^heading ' <<<"$adv")"
expect "advanced-python python-syntax errors" 0 "$(grep -c ' python-syntax ' <<<"$adv" || true)"
fenced_comment_headings=$(grep -cE '^heading [0-9]+ 1 section (Uncommenting|Create|Print)' <<<"$adv" || true)
expect "advanced-python headings taken from inside fences" 0 "$fenced_comment_headings"
basics=$($outline "$seeds/python-basics.md")
expect "python-basics unanswered questions" 3 "$(grep -c ' unanswered-question ' <<<"$basics")"
grep -q '^diagnostic 382 unanswered-question' <<<"$basics"; expect "empty question at line 382" 0 $?
grep -q '^diagnostic 384 unanswered-question' <<<"$basics"; expect "empty question at line 384" 0 $?
grep -q '^diagnostic 402 unanswered-question' <<<"$basics"; expect "empty question at line 402" 0 $?
decorator=$(grep -cE '^diagnostic 3(39|4[0-9]|5[0-2]) guessed-python-syntax' <<<"$basics" || true)
expect "tab-broken decorator sample reported" 1 "$decorator"
echo "seeds: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
