#!/usr/bin/env python3
"""Times notes-lsp over LSP on a note that mixes sample languages (scripts/gen-mixed.py's):
cold open to the first diagnostics, keystrokes typed inside samples of each language and in
the prose between them (each to the diagnostics of its version), and the server's memory.

usage: scripts/bench-mixed.py [--keys 10] [--samples 4] [--pages] [--out FILE.json] [NOTE.md] [-- BINARY]
  defaults: a fresh 1 MiB note from scripts/gen-mixed.py (seed 1), target/release/notes-lsp

For each language (tag family) present, KEYS one-character insertions are typed as a word at
the end of one line, in each of SAMPLES samples spread over the note (a different sample, so
a different chunk, each time a word is done); prose likewise in answer paragraphs. Each edit
waits for the publishDiagnostics of its version. RSS is the server's VmRSS once the open's
diagnostics are out and it has gone quiet, and its VmHWM at the end.

Drives the server with the benchmark kit's stdlib client (BENCH_KIT, default ../shared/bench
beside this repository), like scripts/lsp_requests.py.
"""
import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = Path(os.environ.get("BENCH_KIT", HERE.parents[1] / "shared" / "bench"))
sys.path.insert(0, str(KIT))
import lspdrive  # noqa: E402  (the kit's stdlib-only client)

spec = importlib.util.spec_from_file_location("binary_pages", HERE / "binary-pages.py")
binary_pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(binary_pages)

spec = importlib.util.spec_from_file_location("gen_mixed", HERE / "gen-mixed.py")
gen_mixed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_mixed)
FAMILY = {tag: fam for fam, (_, tags) in gen_mixed.WEIGHTS.items() for tag in tags}
CHECKED = [f for f in gen_mixed.WEIGHTS if f and f not in ("html", "css", "xml")]


def sites(lines):
    """Per family, the lines inside its fences that have text; "prose" the paragraphs."""
    out, fam, in_fence = {}, None, False
    for i, l in enumerate(lines):
        if l.startswith("```"):
            if in_fence:
                in_fence = False
            else:
                in_fence, fam = True, FAMILY.get(l[3:].strip().lower())
            continue
        if in_fence:
            if fam in CHECKED and l.strip():
                out.setdefault(fam, []).append(i)
        elif l and l[0].isupper() and l.endswith("."):
            out.setdefault("prose", []).append(i)
    return out


def rss_kb(pid, key="VmRSS"):
    return lspdrive.proc_status_kb(pid, key)


def quiet(pid, settle=0.5, limit=10.0):
    """Waits until the server's CPU time stops moving for `settle` s."""
    end = time.time() + limit
    last = lspdrive.proc_cpu_s(pid)
    while time.time() < end:
        time.sleep(settle)
        cur = lspdrive.proc_cpu_s(pid)
        if cur == last:
            return
        last = cur


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("note", nargs="?")
    ap.add_argument("--keys", type=int, default=10)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pages", action="store_true")
    ap.add_argument("--out")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    cmd = cmd or [str(HERE.parent / "target" / "release" / "notes-lsp")]
    cmd = cmd if len(cmd) > 1 else cmd + ["--stdio"]
    if args.note:
        path = Path(args.note).resolve()
    else:
        d = Path(tempfile.mkdtemp(prefix="notes-lsp-mixed."))
        path = d / "mixed-1mib.md"
        subprocess.run([sys.executable, HERE / "gen-mixed.py", path], check=True)
    text = path.read_text(encoding="utf-8")
    doc = lspdrive.Doc(text)
    r = random.Random(args.seed)

    opts = types.SimpleNamespace(settings=None, parse_helper=None, verbose=False,
                                 request_timeout=120.0, root_uri=path.parent.as_uri(),
                                 root=str(path.parent))
    c = lspdrive.Client(cmd, opts, os.path.join(tempfile.gettempdir(), f"bench-mixed-{os.getpid()}.stderr"))
    pid = c.proc.pid
    uri = path.as_uri()
    caps = {"general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}}}
    c.request("initialize", {"processId": os.getpid(), "rootUri": opts.root_uri, "capabilities": caps,
                             "workspaceFolders": [{"uri": opts.root_uri, "name": path.parent.name}]})
    c.notify("initialized", {})
    rss_before = rss_kb(pid)
    t0 = lspdrive.now()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown",
                                                       "version": 1, "text": text}})
    got = c.wait_publish(lspdrive.norm_uri(uri), t0, 1, 60)
    if got is None:
        sys.exit("no diagnostics for the open within 60 s")
    out = {"note": str(path), "bytes": len(text.encode()), "server_cmd": cmd,
           "open_to_first_diagnostics_ms": round((got[0] - t0) * 1000, 2),
           "open_diagnostics": got[1]}
    quiet(pid)
    out["rss_before_open_mib"] = round(rss_before / 1024, 1)
    out["rss_open_mib"] = round(rss_kb(pid) / 1024, 1)
    # Anonymous memory (the heap) apart from the binary's pages read so far (the grammars'
    # tables are mapped from the file and count in RSS once touched).
    out["rss_open_anon_mib"] = round(rss_kb(pid, "RssAnon") / 1024, 1)
    out["rss_open_file_mib"] = round(rss_kb(pid, "RssFile") / 1024, 1)

    if args.pages:
        print("after the open:")
        binary_pages.report(pid)
        binary_pages.clear_refs(pid)

    where = sites(doc.lines)
    version, idx = 1, got[2]
    out["keystroke_ms"] = {}
    order = [f for f in CHECKED if f in where] + ["prose"]
    for fam in order:
        lines = where.get(fam, [])
        if not lines:
            continue
        picks = [lines[(k * len(lines)) // args.samples + r.randrange(max(1, len(lines) // args.samples))]
                 for k in range(min(args.samples, len(lines)))]
        times = []
        for ln in picks:
            for _ in range(args.keys):
                line = doc.lines[ln]
                col = lspdrive.u16len(line)
                ch = r.choice("abcdefghijklmnopqrstuvwxyz ")
                doc.lines[ln] = line + ch
                version += 1
                pos = {"line": ln, "character": col}
                t = lspdrive.now()
                c.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": {"start": pos, "end": pos}, "text": ch}]})
                got = c.wait_publish(lspdrive.norm_uri(uri), t, version, 10, idx)
                if got is None:
                    sys.exit(f"no diagnostics for version {version} ({fam}) within 10 s")
                times.append((got[0] - t) * 1000)
                idx = got[2]
        out["keystroke_ms"][fam] = lspdrive.stats(times)
    allk = [v for v in out["keystroke_ms"].values()]
    quiet(pid)
    out["rss_after_edits_mib"] = round(rss_kb(pid) / 1024, 1)
    out["hwm_mib"] = round(rss_kb(pid, "VmHWM") / 1024, 1)
    out["server_cpu_s"] = lspdrive.proc_cpu_s(pid)
    if args.pages:
        print("after the edits (Referenced: touched by the keystrokes):")
        binary_pages.report(pid)
    try:
        c.request("shutdown", None, timeout=10)
        c.notify("exit", None)
    except Exception as e:  # noqa: BLE001
        out["shutdown_note"] = repr(e)
    c.close_stdin()
    c.proc.wait(timeout=10)

    print(f"{path.name}: {out['bytes']} bytes; open → first diagnostics "
          f"{out['open_to_first_diagnostics_ms']} ms ({out['open_diagnostics']} diagnostics); "
          f"RSS {out['rss_before_open_mib']} MiB before open, {out['rss_open_mib']} open "
          f"({out['rss_open_anon_mib']} anonymous, {out['rss_open_file_mib']} file), "
          f"{out['rss_after_edits_mib']} after the edits, peak {out['hwm_mib']}; CPU {out['server_cpu_s']:.2f} s")
    print("| typing in | edits | keystroke → diagnostics ms p50 | p99 | max |")
    print("|---|---|---|---|---|")
    for fam, s in out["keystroke_ms"].items():
        print(f"| {fam} | {s['n']} | {s['median']:.2f} | {s['p99']:.2f} | {s['max']:.2f} |")
    every = sorted(x for v in allk for x in [v["median"]])
    print(f"worst p50 over the languages {every[-1]:.2f} ms")
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
