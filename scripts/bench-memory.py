#!/usr/bin/env python3
"""Measures the server's resident memory with big notes open and after they are closed.

A workspace of COPIES copies of NOTE (default: the corpus's 474 KB sudheerj README) is indexed,
then 1, 20 and all COPIES of them are opened (each waited for until its diagnostics are out)
and closed again, then all of them are opened and closed CYCLES times. RSS and its anonymous
part (the heap and the threads' stacks; the rest is the binary's and the libraries' pages,
shared with the page cache) are read from /proc after each step, once the server has gone
quiet and the threads that did the step's work have left (what the system sees of it a few
seconds later: the memory given back is what counts).

usage: scripts/bench-memory.py [--copies 50] [--cycles 20] [BINARY] [NOTE]
  defaults: target/release/notes-lsp, ../shared/corpus/sudheerj__javascript-interview-questions/README.md
stdlib only; prints a table, then one JSON object.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--copies", type=int, default=50)
ap.add_argument("--cycles", type=int, default=20)
ap.add_argument("binary", nargs="?", default="target/release/notes-lsp")
ap.add_argument("note", nargs="?",
                default="../shared/corpus/sudheerj__javascript-interview-questions/README.md")
args = ap.parse_args()

uri_of = lambda p: "file://" + urllib.parse.quote(str(p))
text = Path(args.note).read_text()
ws = Path(tempfile.mkdtemp(prefix="notes-lsp-mem."))
paths = []
for i in range(args.copies):
    p = ws / f"copy-{i:02}.md"
    p.write_text(text)
    paths.append(p)

proc = subprocess.Popen([args.binary, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=open(os.environ.get("BENCH_STDERR", os.devnull), "w"))
cond = threading.Condition()
messages = []
last_message = [time.perf_counter()]


def reader():
    f = proc.stdout
    while True:
        length = None
        while True:
            line = f.readline()
            if not line:
                return
            line = line.strip()
            if not line:
                break
            k, _, v = line.partition(b":")
            if k.lower() == b"content-length":
                length = int(v)
        msg = json.loads(f.read(length))
        with cond:
            if "method" in msg and "id" in msg:  # the server's own requests
                send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            else:
                messages.append(msg)
            last_message[0] = time.perf_counter()
            cond.notify_all()


send_lock = threading.Lock()


def send(msg):
    data = json.dumps(msg).encode()
    with send_lock:
        proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
        proc.stdin.flush()


def wait(pred, timeout=300):
    deadline = time.time() + timeout
    with cond:
        while True:
            for i, m in enumerate(messages):
                if pred(m):
                    del messages[i]
                    return m
            left = deadline - time.time()
            if left <= 0:
                raise SystemExit("timed out")
            cond.wait(left)


def status_kb(key):
    for line in open(f"/proc/{proc.pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])


idle_threads = [None]


def settle():
    """Waits until the server has sent nothing for 0.5 s, its RSS stopped moving and its
    thread count is back to what it was when idle (the blocking threads that did the work
    leave after tokio's keep-alive; at most 60 s). Returns (RSS, anonymous RSS) in KiB."""
    prev = None
    deadline = time.time() + 60
    while True:
        time.sleep(0.25)
        rss = status_kb("VmRSS")
        with cond:
            quiet = time.perf_counter() - last_message[0] > 0.5
        idle = idle_threads[0] is None or status_kb("Threads") <= idle_threads[0]
        if (quiet and idle and prev is not None and abs(rss - prev) < 256) or time.time() > deadline:
            return rss, status_kb("RssAnon")
        prev = rss


threading.Thread(target=reader, daemon=True).start()
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "processId": os.getpid(), "rootUri": uri_of(ws),
    "workspaceFolders": [{"uri": uri_of(ws), "name": "ws"}],
    "capabilities": {"window": {"workDoneProgress": True}}}})
wait(lambda m: m.get("id") == 1)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end")
version = [0]


def open_notes(n):
    version[0] += 1
    for p in paths[:n]:
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri_of(p), "languageId": "markdown", "version": version[0], "text": text}}})
    for p in paths[:n]:
        u = uri_of(p)
        wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
             and m["params"]["uri"] == u and m["params"].get("version") == version[0])


def close_notes(n):
    for p in paths[:n]:
        send({"jsonrpc": "2.0", "method": "textDocument/didClose",
              "params": {"textDocument": {"uri": uri_of(p)}}})


mib = lambda kb: round(kb / 1024, 1)
# The thread count when idle: the fewest over 5 s (the threads that indexed leave meanwhile).
fewest = status_kb("Threads")
for _ in range(20):
    time.sleep(0.25)
    fewest = min(fewest, status_kb("Threads"))
idle_threads[0] = fewest
rows = []
base, base_anon = settle()
rows.append(("indexed", 0, (base, base_anon)))
for n in sorted({1, min(20, args.copies), args.copies}):
    open_notes(n)
    rows.append((f"{n} open", n, settle()))
    close_notes(n)
    rows.append((f"{n} closed", 0, settle()))
cycles = []
for _ in range(args.cycles):
    open_notes(args.copies)
    opened = settle()
    close_notes(args.copies)
    cycles.append((opened, settle()))
peak = status_kb("VmHWM")
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
wait(lambda m: m.get("id") == 2)
send({"jsonrpc": "2.0", "method": "exit"})
proc.wait(timeout=10)
shutil.rmtree(ws)

size = len(text.encode())
print(f"{args.copies} copies of {Path(args.note).name} ({size / 1024:.0f} KiB), "
      f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
print("| step | RSS MiB | anonymous MiB | beyond indexed, per open note (× its text) |")
print("|---|---|---|---|")
for name, n, (rss, anon) in rows:
    per = f"{(rss - base) * 1024 / n / size:.2f}" if n else ""
    print(f"| {name} | {mib(rss)} | {mib(anon)} | {per} |")
if cycles:
    (o0, c0), (o1, c1) = cycles[0], cycles[-1]
    print(f"| {len(cycles)} cycles of {args.copies} open/closed: first, last | "
          f"{mib(o0[0])} / {mib(c0[0])}, {mib(o1[0])} / {mib(c1[0])} | "
          f"{mib(o0[1])} / {mib(c0[1])}, {mib(o1[1])} / {mib(c1[1])} | |")
    closed_anon = [c[1] for _, c in cycles]
    print(f"closed, anonymous: {mib(min(closed_anon))}-{mib(max(closed_anon))} MiB over the cycles, "
          f"{max(closed_anon) / base_anon:.3f}x indexed at most")
print(json.dumps({
    "note_bytes": size, "copies": args.copies,
    "rss_mib": {name: mib(rss) for name, _, (rss, _) in rows},
    "anon_mib": {name: mib(anon) for name, _, (_, anon) in rows},
    "cycles_open_closed_mib": [[mib(a[0]), mib(b[0])] for a, b in cycles],
    "cycles_open_closed_anon_mib": [[mib(a[1]), mib(b[1])] for a, b in cycles],
    "peak_mib": mib(peak),
}))
