#!/usr/bin/env python3
"""Starts a notes-lsp binary over stdio the way an editor does and checks that it serves.

usage: lsp_smoke.py SERVER

initialize (prints the server's name and version), opens a note with a broken Python sample,
waits for a python-syntax diagnostic on the sample's line, then shutdown and exit: the server
must exit 0. Exits nonzero with the reason on any failure.
"""
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

NOTE = "# Notes\n\n## What does this print?\n\n```python\ndef f(:\n    pass\n```\n"


def main():
    server = sys.argv[1]
    folder = Path(tempfile.mkdtemp(prefix="notes-lsp-smoke-"))
    note = folder / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    proc = subprocess.Popen([server, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={})
    timer = threading.Timer(30, proc.kill)
    timer.start()

    def send(msg):
        body = json.dumps(msg).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def receive():
        length = None
        while True:
            line = proc.stdout.readline()
            if not line:
                sys.exit("the server closed its stdout")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(proc.stdout.read(length))

    def wait_for(pred):
        while True:
            msg = receive()
            if "id" in msg and "method" in msg:  # a request from the server: answer it
                send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif pred(msg):
                return msg

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}}})
    init = wait_for(lambda m: m.get("id") == 1)
    info = init["result"].get("serverInfo", {})
    print(f"serverInfo: {info.get('name')} {info.get('version')}")
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    uri = note.as_uri()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "markdown", "version": 1, "text": NOTE}}})
    diags = wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                     and m["params"]["uri"] == uri and m["params"]["diagnostics"])
    found = [(d["code"], d["range"]["start"]["line"]) for d in diags["params"]["diagnostics"]]
    print(f"diagnostics: {found}")
    if ("python-syntax", 5) not in found:
        sys.exit(f"expected python-syntax on line 5 (0-based), got {found}")
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    wait_for(lambda m: m.get("id") == 2)
    send({"jsonrpc": "2.0", "method": "exit"})
    code = proc.wait(timeout=10)
    timer.cancel()
    if code != 0:
        sys.exit(f"the server exited with {code}")
    print("exit 0 after shutdown")


if __name__ == "__main__":
    main()
