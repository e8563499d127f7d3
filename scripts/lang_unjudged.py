#!/usr/bin/env python3
"""Figures for the sample checkers no reference compiler can judge (Kotlin, Swift: none ships
with Debian).

Usage:
    python3 scripts/lang_unjudged.py CHECKER --lang kotlin|swift [--corpus DIR] [--show N]
        [--max-flagged N]

CHECKER is `target/release/examples/langcheck` (see scripts/lang_differential.py). Without a
reference, the corpus samples the checker flags are printed for a person to judge (a quiz's
wrong answer is broken on purpose), and the mutants counted are the ones broken whatever the
language allows: a bracket dropped outside strings and comments (the brackets no longer pair),
a string's quote dropped (a literal left open). Figures are printed for the samples used while
writing the rules (tuning) and for the others, held out by a hash of their text (one in two:
every Kotlin and Swift sample of the corpus is in one note each).
"""

import argparse
import hashlib
import os
import random
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lang_differential  # noqa: E402
from lang_differential import code_mask, extract, pct, run_checker  # noqa: E402

TAGS = {"kotlin": {"kotlin", "kt"}, "swift": {"swift"}}


def drop_bracket(src, rng):
    mask = code_mask(src, "c")
    spots = [i for i, c in enumerate(src) if c in "(){}[]" and mask[i]]
    if not spots:
        return None
    i = rng.choice(spots)
    return src[:i] + src[i + 1:]


def drop_quote(src, rng):
    mask = code_mask(src, "c")
    # Only a string's opening quote: the rest of its line is then an open literal.
    spots = [i for i, c in enumerate(src) if c == '"' and mask[i]
             and not src.startswith('"""', max(0, i - 2)) and i + 1 < len(src)
             and not mask[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    return src[:i] + src[i + 1:]


def held_out(src):
    return hashlib.sha1(src.encode()).digest()[0] % 2 == 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checker", nargs="+")
    ap.add_argument("--lang", required=True, choices=sorted(TAGS))
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "shared", "corpus"))
    ap.add_argument("--per-base", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, help="flagged tuning samples to print")
    ap.add_argument("--max-flagged", type=int, metavar="N",
                    help="exit 1 when more than N corpus samples are flagged (CI's threshold: "
                         "the count last judged by hand, docs/languages.md)")
    args = ap.parse_args()
    cmd = args.checker if len(args.checker) > 1 else shlex.split(args.checker[0])
    lang = args.lang
    lang_differential.TAGS[lang] = TAGS[lang]
    rows = extract(cmd, os.path.abspath(args.corpus), lang)
    sources = sorted({r["src"] for r in rows})
    rng = random.Random(args.seed)
    mutants = []
    seen = set(sources)
    for src in sources:
        made = 0
        for _ in range(args.per_base * 3):
            if made >= args.per_base:
                break
            op, fn = rng.choice([("drop-bracket", drop_bracket), ("drop-quote", drop_quote)])
            m = fn(src, rng)
            if m is None or m in seen:
                continue
            seen.add(m)
            mutants.append((src, op, m))
            made += 1
    ours = run_checker(cmd, lang, sources + [m[2] for m in mutants])
    base, mut = ours[:len(sources)], ours[len(sources):]
    print(f"== {lang}: {len(rows)} samples tagged {'/'.join(sorted(TAGS[lang]))} in the corpus, "
          f"{len(sources)} distinct; no reference compiler (none in Debian)")
    flagged_total = 0
    for split in ("tuning", "held-out"):
        idx = [i for i, s in enumerate(sources) if held_out(s) == (split == "held-out")]
        flagged = [i for i in idx if not base[i].get("ok")]
        flagged_total += len(flagged)
        mids = [k for k, m in enumerate(mutants) if held_out(m[0]) == (split == "held-out")]
        found = [k for k in mids if not mut[k].get("ok")]
        by_op = {}
        for k in mids:
            f, t = by_op.get(mutants[k][1], (0, 0))
            by_op[mutants[k][1]] = (f + (not mut[k].get("ok")), t + 1)
        print(f"-- {split}: {len(idx)} distinct samples; checker flags {len(flagged)}")
        print(f"   surely broken mutants found: {len(found)}/{len(mids)} = "
              f"{pct(len(found), len(mids))} (" + ", ".join(
                  f"{op} {f}/{t}" for op, (f, t) in sorted(by_op.items())) + ")")
        if args.show and split == "tuning":
            for i in flagged[:args.show]:
                print("   ---\n      " + sources[i].replace("\n", "\n      ").rstrip())
                print(f"      checker: {base[i]}")
            missed = [k for k in mids if mut[k].get("ok")]
            for k in missed[:args.show]:
                print(f"   --- missed {mutants[k][1]}\n      "
                      + mutants[k][2].replace("\n", "\n      ").rstrip())
    if args.max_flagged is not None and flagged_total > args.max_flagged:
        print(f"FAIL: {flagged_total} corpus samples flagged, more than the {args.max_flagged} "
              "judged by hand")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
