#!/usr/bin/env python3
"""Compares fenced code blocks as notes-lsp sees them (examples/fences.rs) with markdown-it
(scripts/fence_reference.mjs): where each starts, its last line, whether it is closed.

usage: fence_differential.py REFERENCE.jsonl HERE.jsonl
Prints the counts and the differences; exits 1 if a fence is closed in one and not in the
other, ends elsewhere, or is one markdown-it sees and notes-lsp does not. Fences only
notes-lsp sees are listed, not failed: tree-sitter-md reads a task-list box (`- [ ] ```go`)
as a marker and the fence after it as a fence, where CommonMark reads a paragraph.
"""
import json
import sys


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            out[(o["file"], o["start"])] = (o["last"], o["closed"])
    return out


def main():
    ref, here = load(sys.argv[1]), load(sys.argv[2])
    only_ref = sorted(set(ref) - set(here))
    only_here = sorted(set(here) - set(ref))
    differ = sorted(k for k in set(ref) & set(here) if ref[k] != here[k])
    unclosed_ref = sum(1 for v in ref.values() if not v[1])
    unclosed_here = sum(1 for v in here.values() if not v[1])
    print(f"fences: markdown-it {len(ref)} ({unclosed_ref} unclosed), "
          f"notes-lsp {len(here)} ({unclosed_here} unclosed); "
          f"only markdown-it {len(only_ref)}, only notes-lsp {len(only_here)}, "
          f"different end or closing {len(differ)}")
    for k in only_ref[:20]:
        print(f"  only markdown-it: {k[0]}:{k[1]} (last {ref[k][0]}, closed {ref[k][1]})")
    for k in only_here[:20]:
        print(f"  only notes-lsp: {k[0]}:{k[1]} (last {here[k][0]}, closed {here[k][1]})")
    for k in differ[:20]:
        print(f"  {k[0]}:{k[1]}: markdown-it last {ref[k][0]} closed {ref[k][1]}, "
              f"notes-lsp last {here[k][0]} closed {here[k][1]}")
    sys.exit(1 if only_ref or differ else 0)


if __name__ == "__main__":
    main()
