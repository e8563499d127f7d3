#!/usr/bin/env python3
"""Stated outputs against the real interpreters, over real notes.

    python3 scripts/run_differential.py target/debug/examples/runnote ../shared/corpus [--list]

`runnote --json` runs every sample of the notes that states an output, through the harness
and the sandbox, and says what became of each stated output. This script checks that from
outside, with the interpreters alone:

1. The harness: each script sample is run again by the plain interpreter (`python3 FILE`;
   JavaScript as a classic script, `vm.runInThisContext`, as a browser runs a <script>, and
   as plain `node FILE`); what the harness says it printed should be what the interpreter
   printed.
2. The verdicts: each stated output is looked for in what the interpreter printed, spacing
   and quote marks aside. A mismatch whose stated text is there is a possible false alarm; a
   match that is not there, a possible false match; a remark or unstable output that is not
   there, a possible miss. These are listed for reading (`--list`), not decided here.
3. Finding: lines of Python and JavaScript fences that look like stated outputs (a comment
   after `print(...)` / `console.log(...)`, `# Output`, `>>>`) but are not among the stated
   outputs found: possible misses, counted by kind, listed with `--list`.

Prints the counts; exits 1 when the harness disagrees with the interpreter alone on a sample
both ran to the end, unless all its stated outputs were judged unstable (a clock, the global
object).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

TIMEOUT = 20
JS_CLASSIC = (
    "const vm = require('vm'); const fs = require('fs');"
    "vm.runInThisContext(fs.readFileSync(process.argv[1], 'utf8'), {filename: process.argv[1]});"
)


def run(argv, cwd):
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": cwd,
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "NO_COLOR": "1",
    }
    try:
        p = subprocess.run(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("utf-8", "replace")
    return p.returncode, p.stdout.decode("utf-8", "replace")


def reference(sample):
    """What the plain interpreter prints: {how: (exit code or None on timeout, stdout)}."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="run-diff-") as d:
        if sample["lang"] == "Python":
            f = os.path.join(d, "sample.py")
            Path(f).write_text(sample["source"], encoding="utf-8")
            out["python3"] = run(["python3", f], d)
        else:
            f = os.path.join(d, "sample.js")
            Path(f).write_text(sample["source"], encoding="utf-8")
            out["classic script"] = run(["node", "-e", JS_CLASSIC, f], d)
            out["node FILE"] = run(["node", f], d)
    return out


def norm(s):
    """Quote marks aside, commas as spaces, spacing collapsed (none inside brackets); a
    console's brackets and a Python tuple's parentheses read alike."""
    s = re.sub(r"['\"`]", "", s).replace(",", " ")
    s = s.replace("(", "[").replace(")", "]")
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"([\[{]) | ([\]}])", lambda m: m.group(1) or m.group(2), s)


def unstacked(printed):
    """Without the frames of a logged error's stack (`    at f (file:1:2)`): where the
    sample ran, which the harness leaves out as notes do."""
    return "".join(l for l in printed.splitlines(True) if not re.match(r"\s+at \S", l))


def found_in(stated, printed):
    """Whether the stated text is in what was printed, spacing and quotes aside, not inside a
    longer number or word (`300` is not in `3000`)."""
    s, p = norm(stated), norm(printed)
    if not s:
        return False
    return re.search(r"(?<![\w.])" + re.escape(s) + r"(?![\w])", p) is not None


FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
PY_TAGS = {"python", "py", "python3", "pycon", "ipython"}
JS_TAGS = {"js", "javascript", "jsx", "node", "mjs"}
CANDIDATES = [
    ("print(...) # comment", "Python", re.compile(r"^\s*print\(.*\)\s*#\s*\S")),
    ("# Output/# => line", "Python", re.compile(r"#\s*(output|out|result|prints?|=>|->|输出|结果)\b", re.I)),
    (">>> prompt", "Python", re.compile(r"^\s*>>> ")),
    ("console.log(...) // comment", "JavaScript", re.compile(r"console\.(log|info|warn|error)\(.*\)\s*;?\s*//\s*\S")),
    ("// Output/// => line", "JavaScript", re.compile(r"//\s*(output|prints?|logs?|=>|->|输出)\b", re.I)),
]


def candidates(path):
    """(line, kind) of lines in Python and JavaScript fences that look like stated outputs."""
    lang, fence = None, None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for i, line in enumerate(lines, 1):
        m = FENCE.match(line)
        if fence is None and m:
            tag = m.group(2).lower()
            fence = m.group(1)
            lang = "Python" if tag in PY_TAGS else "JavaScript" if tag in JS_TAGS else None
            continue
        if fence is not None and line.strip().startswith(fence) and not line.strip()[len(fence):].strip():
            fence, lang = None, None
            continue
        if lang is None:
            continue
        for kind, klang, rx in CANDIDATES:
            if klang == lang and rx.search(line):
                yield i, kind
                break


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    listing = "--list" in sys.argv
    if len(args) < 2:
        sys.exit(__doc__)
    runnote, paths = args[0], args[1:]
    out = subprocess.run([runnote, "--json", *paths], capture_output=True, text=True, check=True)
    samples = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

    harness = Counter()
    disagree = []
    judged = Counter()
    to_read = []
    for s in samples:
        if s["mode"] != "script" or s["end"] != "Finished":
            harness["not compared (a session, or the harness run did not finish)"] += 1
            continue
        ref = reference(s)
        finished = {k: v for k, v in ref.items() if v[0] is not None}
        same = [k for k, (_, printed) in finished.items() if unstacked(printed) == s["printed"]]
        if same:
            harness["same output as " + " / ".join(sorted(same))] += 1
        elif not finished:
            harness["the interpreter alone did not finish in %d s" % TIMEOUT] += 1
        elif all(st["verdict"] in ("Unstable", "NotRun") for st in s["stated"]):
            # A clock, the global object: what cannot be the same twice, and is not judged.
            harness["different, its outputs judged unstable"] += 1
        else:
            harness["different"] += 1
            disagree.append((s, ref))
        real = next(iter(ref.values()))[1]
        for st in s["stated"]:
            v = st["verdict"]
            there = found_in(st["text"], real)
            key = f"{v}, stated text {'in' if there else 'not in'} the interpreter's output"
            judged[key] += 1
            if (v == "Mismatch" and there) or (v == "Matched" and not there) or (
                v in ("Remark", "Unstable") and not there
            ):
                to_read.append((key, s, st))

    print(f"samples: {len(samples)}")
    print("harness against the interpreter alone:")
    for k, n in sorted(harness.items()):
        print(f"  {n:4}  {k}")
    print("stated outputs:")
    for k, n in sorted(judged.items()):
        print(f"  {n:4}  {k}")

    found = {(s["path"], st["line"]) for s in samples for st in s["stated"]}
    sample_lines = {}
    for s in samples:
        sample_lines.setdefault(s["path"], []).append((s["line"], s["end_line"]))
    misses = Counter()
    missed = []
    files = []
    for p in paths:
        pp = Path(p)
        files += sorted(pp.rglob("*.md")) if pp.is_dir() else [pp]
    for f in files:
        for line, kind in candidates(f):
            path = str(f)
            if (path, line) in found:
                misses[kind + ": found"] += 1
            elif any(a <= line <= b for a, b in sample_lines.get(path, [])):
                misses[kind + ": in a sample that was run, not a stated output"] += 1
                missed.append((kind, path, line, "in a run sample"))
            else:
                misses[kind + ": in a sample not run"] += 1
                missed.append((kind, path, line, "sample not run"))
    print("lines that look like stated outputs:")
    for k, n in sorted(misses.items()):
        print(f"  {n:4}  {k}")

    if listing:
        for s, ref in disagree:
            print(f"\n== harness differs: {s['path']}:{s['line']}")
            print(f"harness: {s['printed'][:500]!r}")
            for k, (code, printed) in ref.items():
                print(f"{k} (exit {code}): {printed[:500]!r}")
        for key, s, st in to_read:
            print(f"\n== {key}: {s['path']}:{st['line']} [{st['how']}]")
            print(f"stated: {st['text']!r} {st['detail']!r}")
            print(f"printed: {s['printed'][:300]!r}")
        for kind, path, line, where in missed:
            text = Path(path).read_text(encoding="utf-8").splitlines()[line - 1]
            print(f"\n== not found ({kind}, {where}): {path}:{line}\n{text.strip()[:200]}")
    sys.exit(1 if disagree else 0)


if __name__ == "__main__":
    main()
