#!/usr/bin/env python3
"""Compares the anchors notes-lsp gives headings with github-slugger's (GitHub's published
rules), heading by heading, over the notes given.

    python3 scripts/slug_differential.py REF.jsonl OURS.jsonl [--show N]

REF.jsonl from `node scripts/slug_reference.mjs FILES...`, OURS.jsonl from
`cargo run --example slugs FILES...`. Headings are matched by file and line; a heading one
side finds and the other does not is counted apart. Exits 1 on any different anchor.
"""
import json
import sys


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            out[(o["file"], o["line"])] = o
    return out


def main():
    ref, ours = load(sys.argv[1]), load(sys.argv[2])
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 20
    both = sorted(set(ref) & set(ours))
    diff = [k for k in both if ref[k]["anchor"] != ours[k]["anchor"]]
    print(f"headings: {len(both)} on both sides, {len(set(ref) - set(ours))} only in the "
          f"reference, {len(set(ours) - set(ref))} only here")
    print(f"different anchors: {len(diff)}")
    for k in diff[:show]:
        print(f"  {k[0]}:{k[1]}: {ref[k]['source']!r}\n    github: {ref[k]['anchor']!r}\n"
              f"    here:   {ours[k]['anchor']!r}")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
