#!/usr/bin/env python3
"""Times documentSymbol, foldingRange and hover round trips over LSP on one note.

usage: lsp_requests.py [--reps N] [--out FILE.json] NOTE.md -- SERVER ARGS...

Complements ../shared/bench/lspdrive.py (which times edits, diagnostics and documentSymbol)
with the other requests an editor sends while one reads a big note; it drives the server
with lspdrive's own client, imported from the benchmark kit (BENCH_KIT, default
../shared/bench next to this repository).
"""
import argparse
import json
import os
import sys
import tempfile
import types
from pathlib import Path

KIT = Path(os.environ.get("BENCH_KIT", Path(__file__).resolve().parents[2] / "shared" / "bench"))
sys.path.insert(0, str(KIT))
import lspdrive  # noqa: E402  (the kit's stdlib-only client)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("server", nargs=argparse.REMAINDER)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    cmd = args.server[1:] if args.server[:1] == ["--"] else args.server
    path = Path(args.file).resolve()
    text = path.read_text(encoding="utf-8")
    opts = types.SimpleNamespace(settings=None, parse_helper=None, verbose=False,
                                 request_timeout=120.0, root_uri=path.parent.as_uri(),
                                 root=str(path.parent))
    c = lspdrive.Client(cmd, opts, os.path.join(tempfile.gettempdir(), f"lsp-requests-{os.getpid()}.stderr"))
    uri = path.as_uri()
    caps = {"general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                             "foldingRange": {}, "hover": {"contentFormat": ["markdown"]},
                             "publishDiagnostics": {"versionSupport": True}}}
    c.request("initialize", {"processId": os.getpid(), "rootUri": opts.root_uri, "capabilities": caps,
                             "workspaceFolders": [{"uri": opts.root_uri, "name": path.parent.name}]})
    c.notify("initialized", {})
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown",
                                                       "version": 1, "text": text}})
    doc = {"textDocument": {"uri": uri}}
    # Hover on heading lines spread over the note (as a reader moves through it).
    lines = text.split("\n")
    heads = [i for i, l in enumerate(lines) if l.startswith("#")] or [0]
    out = {"file": str(path), "server_cmd": cmd}
    for name, method, params in [
        ("document_symbol_ms", "textDocument/documentSymbol", lambda k: doc),
        ("folding_range_ms", "textDocument/foldingRange", lambda k: doc),
        ("hover_ms", "textDocument/hover", lambda k: {**doc, "position": {
            "line": heads[(k * 7919) % len(heads)], "character": 3}}),
    ]:
        c.request(method, params(0))  # warm: the first request waits for the open's parse
        times = []
        for k in range(args.reps):
            _, ms = c.request(method, params(k))
            times.append(ms)
        out[name] = lspdrive.stats(times)
    try:
        c.request("shutdown", None, timeout=10)
        c.notify("exit", None)
    except Exception as e:  # noqa: BLE001
        out["shutdown_note"] = repr(e)
    c.close_stdin()
    c.proc.wait(timeout=10)
    s = json.dumps(out, indent=1)
    print(s)
    if args.out:
        Path(args.out).write_text(s + "\n")


if __name__ == "__main__":
    sys.exit(main())
