#!/usr/bin/env python3
"""Writes a big workspace of notes made from real ones, for measuring the server at scale.

The corpus's notes are cut into sections at their ATX headings (fences respected); each
generated note is a title line and a run of consecutive sections of one corpus note, so it
reads like a real note (questions, answers, samples, links). Note sizes vary around
BYTES/NOTES (a few notes are much bigger, as in real repositories); the same seed writes
the same workspace.

usage: scripts/gen-workspace.py OUT [--notes 50000] [--folders 50] [--bytes 84000000]
                                    [--corpus ../shared/corpus] [--seed 1]
stdlib only. OUT must not exist or be empty.
"""
import argparse
import random
import re
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--notes", type=int, default=50000)
ap.add_argument("--folders", type=int, default=50)
ap.add_argument("--bytes", type=int, default=84_000_000, help="total size to aim for")
ap.add_argument("--corpus", default=str(Path(__file__).resolve().parent.parent / "../shared/corpus"))
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()

out = Path(args.out)
if out.exists() and any(out.iterdir()):
    sys.exit(f"{out} is not empty")
corpus = Path(args.corpus)
sources = sorted(corpus.rglob("*.md"))
if not sources:
    sys.exit(f"no notes under {corpus}")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")


def sections(text):
    """The note cut before each ATX heading outside a fence."""
    out, cur, fence = [], [], None
    for line in text.splitlines(keepends=True):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and not line.strip()[len(m.group(1)):].strip():
            fence = None
        elif fence is None and HEADING.match(line) and cur:
            out.append("".join(cur))
            cur = []
        cur.append(line)
    if cur:
        out.append("".join(cur))
    return out


pieces = []  # per source: its sections
for path in sources:
    try:
        s = sections(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, OSError):
        continue
    if s:
        pieces.append((path.relative_to(corpus), s))
# Sources picked in proportion to their number of sections, as a section at random would be.
weights = [len(s) for _, s in pieces]

rng = random.Random(args.seed)
mean = args.bytes / args.notes
written = 0
per_folder = -(-args.notes // args.folders)
for i in range(args.notes):
    folder = out / f"topic-{i // per_folder:02}"
    if i % per_folder == 0:
        folder.mkdir(parents=True, exist_ok=True)
    # Sizes spread as in real note collections: mostly small, a long tail.
    target = min(rng.lognormvariate(0, 0.9) * mean / 1.39, 400_000)
    src, secs = rng.choices(pieces, weights)[0]
    start = rng.randrange(len(secs))
    body = [f"# Note {i}: {src.parent.name or src.stem}\n\n"]
    size = len(body[0])
    j = start
    # Whole sections, stopping before one that would pass the target (but at least one).
    while size < target:
        n = len(secs[j].encode())
        if len(body) > 1 and size + n > target:
            break
        body.append(secs[j])
        size += n
        j = (j + 1) % len(secs)
        if j == start:
            break
    text = "".join(body)
    if not text.endswith("\n"):
        text += "\n"
    (folder / f"note-{i:05}.md").write_text(text, encoding="utf-8")
    written += len(text.encode())
print(f"{args.notes} notes in {min(args.folders, -(-args.notes // per_folder))} folders, "
      f"{written / 1e6:.1f} MB, in {out}")
