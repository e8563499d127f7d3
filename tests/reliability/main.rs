//! Reliability: the server never dies, never hangs the editor, never loses an edit.
//!
//! Malformed protocol input, misuse of text sync, positions out of range, injected panics
//! (test hooks enabled with `NOTES_LSP_TEST_HOOKS=1`), slow and cancelled requests, floods,
//! hostile notes (huge, deeply nested, NUL bytes, every line ending, deeply nested Python), and
//! the safety rules (samples are never run; only files under the workspace folders are read;
//! nothing is written; `check` does not follow symlink loops).
//!
//! Every wait is bounded ([`common::TIMEOUT`] for each answer, a generous hang detector, not a
//! performance assertion). Hostile notes are generated at a size a debug build handles in
//! seconds; `NOTES_LSP_HOSTILE_FULL=1` uses the full sizes (20 MB notes, 100,000 fences).
//!
//! This file holds the helpers; `protocol.rs` malformed input, text sync and positions;
//! `concurrency.rs` panics, cancellation, overload and edits racing requests; `hostile.rs`
//! hostile notes; `safety.rs` the command line over hostile files and the safety rules.

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod hostile;
mod protocol;
mod safety;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use notes_lsp::analysis::Analysis;
use notes_lsp::config::{Config, OutlineSamples};
use notes_lsp::note::{Encoding, Note};
use notes_lsp::server::to_proto;
use serde_json::{Value, json};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INTERNAL_ERROR: i64 = -32603;
const SERVER_NOT_INITIALIZED: i64 = -32002;
const REQUEST_CANCELLED: i64 = -32800;
const REQUEST_FAILED: i64 = -32803;

const NOTE: &str = "# Python\n\n## Functions\n\n### What is a closure?\n\nA function that keeps \
its scope.\n\n```python\ndef outer():\n    x = 1\n    def inner():\n        return x\n    \
return inner\n```\n\n### Why use generators?\n\n";

fn hooks() -> Client {
    hooks_with(&[])
}

/// A server with the test hooks and `vars`, initialized (UTF-16).
fn hooks_with(vars: &[(&str, &str)]) -> Client {
    let mut env = vec![("NOTES_LSP_TEST_HOOKS", "1")];
    env.extend_from_slice(vars);
    let mut c = Client::spawn_with_env(&env);
    c.initialize(caps_default());
    c
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_code(resp: &Value) -> Option<i64> {
    resp.get("error").and_then(|e| e["code"].as_i64())
}

fn symbols_of(c: &mut Client, uri: &str) -> Value {
    c.document_symbols(uri)
}

/// The server's text of `uri` (test hook).
fn server_text(c: &mut Client, uri: &str) -> String {
    let r = c.request("notes-lsp/debugText", json!({"uri": uri}));
    r.as_str().expect("a string").to_string()
}

/// Waits for the `holding <uri>` log line of `notes-lsp/debugHoldNote`.
fn wait_holding(c: &mut Client, uri: &str) {
    let want = format!("holding {uri}");
    c.wait_message("the note to be held", |m| {
        m["method"] == "window/logMessage" && m["params"]["message"] == want.as_str()
    });
}

fn cancel(c: &mut Client, id: &Value) {
    c.notify("$/cancelRequest", json!({"id": id}));
}
