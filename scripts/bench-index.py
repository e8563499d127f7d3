#!/usr/bin/env python3
"""Measures workspace indexing over the real binary: time from `initialized` to the end of
the indexing progress, the CPU time the server used meanwhile (user + system, all threads:
what the machine's load does not change), peak resident memory of the server (when indexing
ends, and at the end: after the question index and the symbol table are built), and how long
requests wait while indexing runs (documentSymbol on an open note, sent every 20 ms) and,
for comparison at the same load, after it (the same requests, as many up to 500, with
nothing indexing), then `workspace/symbol`: p50 and max over 20 queries, and each of seven
abbreviations and typos apart.

usage: scripts/bench-index.py [BINARY] [FOLDER]
  defaults: target/release/notes-lsp, ../shared/corpus
stdlib only; prints one JSON object.
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/notes-lsp"
folder = Path(sys.argv[2] if len(sys.argv) > 2 else "../shared/corpus").resolve()
uri_of = lambda p: "file://" + urllib.parse.quote(str(p))

proc = subprocess.Popen([binary, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL)
lock = threading.Lock()
messages = []
cond = threading.Condition(lock)


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
        body = f.read(length)
        msg = json.loads(body)
        with cond:
            messages.append((time.perf_counter(), msg))
            cond.notify_all()


def send(msg):
    data = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
    proc.stdin.flush()


def wait(pred, timeout=120):
    deadline = time.time() + timeout
    with cond:
        while True:
            for t, m in messages:
                if pred(m):
                    return t, m
            left = deadline - time.time()
            if left <= 0:
                raise SystemExit("timed out")
            cond.wait(left)


def cpu_seconds():
    try:
        fields = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def peak_rss_kb():
    try:
        for line in open(f"/proc/{proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None


threading.Thread(target=reader, daemon=True).start()
next_id = [0]


def request(method, params):
    next_id[0] += 1
    send({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params})
    return next_id[0]


# Answer the server's own requests (progress creation, watcher registration).
def answer_server_requests():
    answered = set()
    while proc.poll() is None:
        with cond:
            pending = [m for _, m in messages if "method" in m and "id" in m and m["id"] not in answered]
        for m in pending:
            answered.add(m["id"])
            send({"jsonrpc": "2.0", "id": m["id"], "result": None})
        time.sleep(0.005)


threading.Thread(target=answer_server_requests, daemon=True).start()
note = next(folder.rglob("*.md"))
files = sum(1 for _ in folder.rglob("*.md"))
i = request("initialize", {
    "processId": os.getpid(),
    "rootUri": uri_of(folder),
    "workspaceFolders": [{"uri": uri_of(folder), "name": folder.name}],
    "capabilities": {"window": {"workDoneProgress": True},
                     "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}},
})
wait(lambda m: m.get("id") == i)
text = note.read_text()
start = time.perf_counter()
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
    "uri": uri_of(note), "languageId": "markdown", "version": 1, "text": text}}})

waits = []
done = threading.Event()


def probe():
    t0 = time.perf_counter()
    rid = request("textDocument/documentSymbol", {"textDocument": {"uri": uri_of(note)}})
    t1, _ = wait(lambda m, rid=rid: m.get("id") == rid)
    return (t1 - t0) * 1e3


def prober():
    while not done.is_set():
        waits.append(probe())
        time.sleep(0.02)


threading.Thread(target=prober, daemon=True).start()
end_t, _ = wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end",
                timeout=300)
done.set()
cpu = cpu_seconds()
rss = peak_rss_kb()
time.sleep(1.0)  # let the post-indexing republish finish: measure the request alone
idle_waits = []
for _ in range(min(len(waits), 500)):
    idle_waits.append(probe())
    time.sleep(0.02)
idle_waits.sort()
sym_ms = []
queries = ["closure", "gil", "virtual dom", "kubernetes pod", "promise", "hoisting", "docker",
           "event loop", "decorator", "linked list", "sql join", "gradient", "css grid",
           "binary search", "react hooks", "terraform", "overfitting", "git rebase",
           "garbage collection", "ansible"]
# Abbreviations and typos, which no title holds by its words' prefixes.
more_queries = ["vdom", "evtlp", "wiaclo", "clsoure", "pyhton", "kubernets", "javscript promise"]
more_ms = []
for query in queries + more_queries:
    t0 = time.perf_counter()
    rid = request("workspace/symbol", {"query": query})
    t1, sym = wait(lambda m, rid=rid: m.get("id") == rid)
    (sym_ms if len(sym_ms) < len(queries) else more_ms).append((t1 - t0) * 1e3)
# The high-water mark once the question index and the symbol table are built too.
rss_end = peak_rss_kb()
request("shutdown", None)
send({"jsonrpc": "2.0", "method": "exit"})
proc.wait(timeout=10)
waits.sort()
print(json.dumps({
    "folder": str(folder),
    "markdown_files": files,
    "index_seconds": round(end_t - start, 3),
    "index_cpu_seconds": round(cpu, 2) if cpu is not None else None,
    "peak_rss_mib": round(rss / 1024, 1) if rss else None,
    "peak_rss_mib_at_the_end": round(rss_end / 1024, 1) if rss_end else None,
    "requests_during_indexing": len(waits),
    "request_wait_ms_p50": round(statistics.median(waits), 2) if waits else None,
    "request_wait_ms_p99": round(waits[int(0.99 * (len(waits) - 1))], 2) if waits else None,
    "request_wait_ms_max": round(waits[-1], 2) if waits else None,
    "idle_request_wait_ms_p50": round(statistics.median(idle_waits), 2) if idle_waits else None,
    "idle_request_wait_ms_p99": (round(idle_waits[int(0.99 * (len(idle_waits) - 1))], 2)
                                 if idle_waits else None),
    "workspace_symbol_ms_p50": round(statistics.median(sym_ms), 2),
    "workspace_symbol_ms_max": round(max(sym_ms), 2),
    "workspace_symbol_ms_sql_join": round(sym_ms[queries.index("sql join")], 2),
    "workspace_symbol_abbreviations_typos_ms": {q: round(t, 2) for q, t in zip(more_queries, more_ms)},
    "load_average": os.getloadavg()[0],
}, indent=1))
