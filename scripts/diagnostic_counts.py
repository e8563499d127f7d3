#!/usr/bin/env python3
"""Counts what `notes-lsp check --format json` reports over a folder, by code.

    python3 scripts/diagnostic_counts.py BINARY FOLDER [--code CODE] [--files N] [--sample N]

Prints the total, then one line per code (most first); with --code, that code's findings
per file (the N files with most) and, with --sample N, N of its findings spread evenly
over the list, for reading by hand. `check` exits 1 when it finds something; that is not
a failure here.
"""

import argparse
import collections
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("folder")
    ap.add_argument("--code")
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--sample", type=int, default=0)
    args = ap.parse_args()
    run = subprocess.run(
        [args.binary, "check", "--format", "json", args.folder],
        capture_output=True,
        text=True,
    )
    if run.returncode not in (0, 1):
        sys.exit(f"check exited {run.returncode}: {run.stderr.strip()}")
    found = json.loads(run.stdout)
    by_code = collections.Counter(d["code"] for d in found)
    print(f"{len(found)} diagnostics")
    for code, n in by_code.most_common():
        print(f"{code} {n}")
    if not args.code:
        return
    mine = [d for d in found if d["code"] == args.code]
    per_file = collections.Counter(d["path"] for d in mine)
    print(f"\n{args.code} by file ({len(per_file)} files):")
    for path, n in per_file.most_common(args.files):
        print(f"{n:6} {path}")
    if args.sample and mine:
        print(f"\n{args.sample} of the {len(mine)} {args.code} findings:")
        step = max(1, len(mine) // args.sample)
        for d in mine[::step][: args.sample]:
            line = d["range"]["start"]["line"] + 1
            print(f"{d['path']}:{line}: {d['message']}")


if __name__ == "__main__":
    main()
