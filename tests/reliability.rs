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

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use notes_lsp::analysis::Analysis;
use notes_lsp::config::Config;
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

// ---------------------------------------------------------------------------------------------
// malformed protocol input

/// The error a malformed message must earn (code and id), if any.
type ExpectedError = Option<(i64, Value)>;

/// Each case: what is sent, and the error it must earn (code and id), if any. After each, a
/// valid request must be answered exactly as before.
#[test]
fn malformed_input_gets_protocol_errors_and_the_server_keeps_serving() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/m.md", NOTE);
    let expected = symbols_of(&mut c, &doc.uri);
    let valid_note = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let mut garbage = Vec::new();
    let mut rng = XorShift::new(7);
    for _ in 0..20_000 {
        // Random bytes, but never the letters that could spell a header.
        let b = (rng.next() % 256) as u8;
        garbage.push(if b.is_ascii_alphabetic() { b'.' } else { b });
    }
    let too_long = {
        let mut v = format!("Content-Length: {}\r\n\r\n", valid_note.len() + 100).into_bytes();
        v.extend_from_slice(valid_note);
        v
    };
    let too_short = {
        let mut v = format!("Content-Length: {}\r\n\r\n", valid_note.len() - 10).into_bytes();
        v.extend_from_slice(valid_note);
        v
    };
    let long_header = format!(
        "X-Long: {}\r\nContent-Length: 2\r\n\r\n{{}}",
        "a".repeat(100_000)
    );
    let cases: Vec<(&str, Vec<u8>, ExpectedError)> = vec![
        (
            "a body that is not JSON",
            framed(br#"{"jsonrpc": "2.0", "id": 99, "method": "#),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a body that is not UTF-8",
            framed(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\xfe\"}"),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a JSON array (a batch)",
            framed(b"[1,2,3]"),
            Some((INVALID_REQUEST, Value::Null)),
        ),
        (
            "a request whose method is a number",
            framed(br#"{"jsonrpc":"2.0","id":"bad-1","method":7}"#),
            Some((INVALID_REQUEST, json!("bad-1"))),
        ),
        (
            "JSON-RPC 1.0",
            framed(br#"{"jsonrpc":"1.0","id":"bad-2","method":"shutdown"}"#),
            Some((INVALID_REQUEST, json!("bad-2"))),
        ),
        (
            "nesting deeper than the JSON parser allows",
            framed(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes()),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a header line without a colon",
            b"this is not a header\r\n\r\n".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "no Content-Length",
            b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a Content-Length that is not a number",
            b"Content-Length: ten\r\n\r\n{}".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "an absurd Content-Length (no waiting for the bytes, no allocation)",
            b"Content-Length: 99999999999999999999999\r\n\r\n{}".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a Content-Length over the limit",
            b"Content-Length: 300000000\r\n\r\n{\"jsonrpc\":".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a Content-Length longer than the body (the next message is not swallowed)",
            too_long,
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "a Content-Length shorter than the body",
            too_short,
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            "an empty body",
            b"Content-Length: 0\r\n\r\n".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        (
            // Found by the fuzzer: the body is the first bytes of the next message's header.
            "a 5-byte Content-Length with nothing after it",
            b"Content-Length: 5\r\n\r\n".to_vec(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        ("binary garbage", garbage, Some((PARSE_ERROR, Value::Null))),
        (
            "a 100 KB header line",
            long_header.into_bytes(),
            Some((PARSE_ERROR, Value::Null)),
        ),
        // Accepted: what tower-lsp's own codec rejects (and then stops reading).
        (
            "more than two headers, in any case, an odd charset",
            {
                let mut v = format!(
                    "content-length: {}\r\nX-One: 1\r\nX-Two: 2\r\nContent-Type: text/json; \
                     charset=latin1\r\n\r\n",
                    valid_note.len()
                )
                .into_bytes();
                v.extend_from_slice(valid_note);
                v
            },
            None,
        ),
        (
            "bare line feeds and blank lines between messages",
            {
                let mut v = format!("\r\n\nContent-Length: {}\n\n", valid_note.len()).into_bytes();
                v.extend_from_slice(valid_note);
                v
            },
            None,
        ),
    ];
    for (what, bytes, error) in cases {
        c.write_raw(&bytes);
        let after = symbols_of(&mut c, &doc.uri);
        assert_eq!(after, expected, "after {what}");
        if let Some((code, id)) = error {
            let got = c.wait_message(&format!("the error for {what}"), |m| {
                m.get("method").is_none() && error_code(m) == Some(code) && m["id"] == id
            });
            assert!(got["error"]["message"].is_string(), "{what}: {got}");
        }
        assert!(c.is_running(), "the server died after {what}");
    }
    c.wait_log(&["malformed message"]);
    c.shutdown_and_exit();
}

#[test]
fn requests_before_initialize_and_after_shutdown_are_refused() {
    let mut c = Client::spawn();
    let r = c.request_raw(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///x.md"}}),
    );
    assert_eq!(error_code(&r), Some(SERVER_NOT_INITIALIZED), "{r}");
    c.initialize(caps_default());
    let doc = c.open("file:///notes/s.md", NOTE);
    let r = c.request_raw("initialize", json!({"capabilities": {}}));
    assert_eq!(
        error_code(&r),
        Some(INVALID_REQUEST),
        "a second initialize: {r}"
    );
    let r = c.request_raw("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null, "{r}");
    for method in [
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/hover",
        "shutdown",
    ] {
        let r = c.request_raw(
            method,
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(error_code(&r), Some(INVALID_REQUEST), "{method}: {r}");
    }
    // Notifications after shutdown are dropped; exit still ends the process with 0.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc.uri, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    c.notify("exit", Value::Null);
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn unknown_methods_and_bad_params_get_their_errors() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/p.md", NOTE);
    let expected = symbols_of(&mut c, &doc.uri);
    let r = c.request_raw("notes/noSuchMethod", json!({}));
    assert_eq!(error_code(&r), Some(METHOD_NOT_FOUND), "{r}");
    // Without the environment variable the test hooks do not exist.
    let r = c.request_raw("notes-lsp/debugPanic", json!({"where": "handler"}));
    assert_eq!(error_code(&r), Some(METHOD_NOT_FOUND), "{r}");
    // Unknown notifications, `$/` or not, are ignored.
    c.notify("$/noSuchNotification", json!({"x": 1}));
    c.notify("notes/noSuchNotification", json!([1, 2]));
    let bad: Vec<(&str, Value)> = vec![
        ("textDocument/documentSymbol", Value::Null),
        ("textDocument/documentSymbol", json!(5)),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": 5}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": "one", "character": 0}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": -1, "character": 0}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": 4294967296u64, "character": 0}}),
        ),
        (
            "textDocument/completion",
            json!({"textDocument": {"uri": doc.uri}}),
        ),
        ("workspace/symbol", json!({"query": 7})),
        (
            "textDocument/rename",
            json!({"textDocument": {"uri": doc.uri}}),
        ),
    ];
    for (method, params) in bad {
        let r = c.request_raw(method, params.clone());
        assert_eq!(
            error_code(&r),
            Some(INVALID_PARAMS),
            "{method} with {params}: {r}"
        );
    }
    // The largest positions the protocol allows are clamped, not refused.
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/prepareRename",
    ] {
        let mut params = json!({
            "textDocument": {"uri": doc.uri},
            "position": {"line": u32::MAX, "character": u32::MAX},
        });
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        let r = c.request_raw(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
    }
    assert_eq!(symbols_of(&mut c, &doc.uri), expected);
    c.shutdown_and_exit();
}

#[test]
fn misused_text_sync_is_logged_and_no_edit_is_lost() {
    let mut c = hooks();
    // didChange for a document never opened: ignored, logged.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": "file:///notes/never.md", "version": 2},
            "contentChanges": [{"text": "# Never"}],
        }),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": "file:///notes/never.md"}}),
    );
    // didOpen twice: the second text wins.
    let mut doc = c.open("file:///notes/twice.md", "# First\n");
    doc = {
        let d = c.open(&doc.uri, "# Second\n\n## Part\n");
        assert_eq!(server_text(&mut c, &d.uri), d.text);
        d
    };
    // Ill-formed params: dropped with a warning.
    c.notify("textDocument/didChange", json!({"textDocument": 5}));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc.uri, "version": 3}, "contentChanges": "oops"}),
    );
    // A version that goes backwards is still applied, in the order sent.
    doc.version = 10;
    let ev = doc.insert(doc.text.len(), "### Q1?\n");
    c.change(&doc, vec![ev]);
    doc.version = 4;
    let ev = doc.insert(doc.text.len(), "### Q2?\n");
    c.change(&doc, vec![ev]);
    // A range whose end comes before its start is an insertion at its start.
    doc.version = 5;
    c.change(
        &doc,
        vec![json!({
            "range": {"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 0}},
            "text": "X",
        })],
    );
    doc.text.insert(2, 'X');
    assert_eq!(server_text(&mut c, &doc.uri), doc.text);
    let fresh = c.open("file:///notes/twice-fresh.md", &doc.text);
    assert_eq!(symbols_of(&mut c, &doc.uri), symbols_of(&mut c, &fresh.uri));
    c.wait_log(&[
        "never.md which is not open",
        "already open",
        "ill-formed params",
        "goes from version 10 to 4",
        "ends before it starts",
    ]);
    c.shutdown_and_exit();
}

/// LSP's (line, character) → byte offset with the server's documented clamping: a line past
/// the end is the end of the text, a column past the line's end is the line's end, a column
/// inside a character (UTF-16 surrogate pair, UTF-8 sequence) is the character's start.
fn clamped_offset(text: &str, line: u64, character: u64, enc: Enc) -> usize {
    let mut starts = vec![0];
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
        i += 1;
    }
    let Some(&start) = starts.get(line as usize) else {
        return text.len();
    };
    let end = starts.get(line as usize + 1).copied().unwrap_or(text.len());
    let content = text[start..end].trim_end_matches(['\n', '\r']);
    let mut col = 0u64;
    for (at, ch) in content.char_indices() {
        let w = match enc {
            Enc::Utf8 => ch.len_utf8(),
            Enc::Utf16 => ch.len_utf16(),
        } as u64;
        if col + w > character {
            return start + at;
        }
        col += w;
    }
    start + content.len()
}

fn check_clamping(caps: Value) {
    let mut c = Client::spawn_with_env(&[("NOTES_LSP_TEST_HOOKS", "1")]);
    c.initialize(caps);
    let enc = c.enc;
    let text = "# Ünïcode 😀 notes\r\n\r\n## 中文 section\rlone cr line\n### Q? 🐍🐍\n\nend";
    let mut doc = c.open("file:///notes/clamp.md", text);
    let mut rng = XorShift::new(42);
    for step in 0..60 {
        let lines = doc.text.split(['\n']).count() as u64 + 1;
        let pos = |rng: &mut XorShift| {
            let line = match rng.below(6) {
                0 => u32::MAX as u64,
                1 => lines + rng.below(5) as u64,
                _ => rng.below(lines as usize + 1) as u64,
            };
            let character = match rng.below(5) {
                0 => u32::MAX as u64,
                1 => 1000 + rng.below(10) as u64,
                _ => rng.below(24) as u64,
            };
            (line, character)
        };
        let (a, b) = (pos(&mut rng), pos(&mut rng));
        let insert = ["x", "😀", "\r\n", "中", "", "# H?\n", "\r"][rng.below(7)];
        let (s, e) = (
            clamped_offset(&doc.text, a.0, a.1, enc),
            clamped_offset(&doc.text, b.0, b.1, enc),
        );
        let (s, e) = (s, e.max(s));
        doc.text.replace_range(s..e, insert);
        doc.version += 1;
        c.change(
            &doc,
            vec![json!({
                "range": {"start": {"line": a.0, "character": a.1},
                          "end": {"line": b.0, "character": b.1}},
                "text": insert,
            })],
        );
        if step % 10 == 9 {
            assert_eq!(
                server_text(&mut c, &doc.uri),
                doc.text,
                "{enc:?} after step {step}"
            );
        }
    }
    // Requests at positions out of range or inside a character are answered, not refused.
    for (line, character) in [(0, 10), (0, 11), (0, 1000), (999, 0), (u32::MAX, u32::MAX)] {
        for method in ["textDocument/hover", "textDocument/completion"] {
            let r = c.request_raw(
                method,
                json!({"textDocument": {"uri": doc.uri},
                       "position": {"line": line, "character": character}}),
            );
            assert!(
                r.get("error").is_none(),
                "{enc:?} {method} at {line}:{character}: {r}"
            );
        }
    }
    c.shutdown_and_exit();
}

#[test]
fn positions_out_of_range_or_inside_a_character_are_clamped_in_utf16() {
    check_clamping(caps_default());
}

#[test]
fn positions_out_of_range_or_inside_a_character_are_clamped_in_utf8() {
    check_clamping(caps_utf8());
}

// ---------------------------------------------------------------------------------------------
// panics

#[test]
fn a_panic_in_a_handler_is_an_internal_error_and_the_server_keeps_serving() {
    let mut c = hooks();
    let doc = c.open("file:///notes/panic.md", NOTE);
    let expected = symbols_of(&mut c, &doc.uri);
    for _ in 0..3 {
        let r = c.request_raw("notes-lsp/debugPanic", json!({"where": "handler"}));
        assert_eq!(error_code(&r), Some(INTERNAL_ERROR), "{r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("debugPanic"),
            "{r}"
        );
        assert_eq!(symbols_of(&mut c, &doc.uri), expected);
    }
    c.shutdown_and_exit();
}

#[test]
fn a_panic_on_a_blocking_thread_holding_the_note_is_an_error_and_the_note_still_works() {
    let mut c = hooks();
    let mut doc = c.open("file:///notes/blocking-panic.md", NOTE);
    c.diagnostics_for_version(&doc.uri, 1);
    let r = c.request_raw(
        "notes-lsp/debugPanic",
        json!({"where": "blocking", "uri": doc.uri}),
    );
    assert_eq!(error_code(&r), Some(INTERNAL_ERROR), "{r}");
    // The note's lock was held when the panic struck (poisoned): edits and requests go on.
    let at = doc.find("### Why use generators?");
    doc.edit(&mut c, at..at, "### Added?\n\nYes.\n\n");
    let diags = c.diagnostics_for_version(&doc.uri, 2);
    assert!(!diags.is_empty());
    assert_eq!(server_text(&mut c, &doc.uri), doc.text);
    let fresh = c.open("file:///notes/blocking-panic-fresh.md", &doc.text);
    assert_eq!(symbols_of(&mut c, &doc.uri), symbols_of(&mut c, &fresh.uri));
    c.shutdown_and_exit();
}

// ---------------------------------------------------------------------------------------------
// cancellation and overload

#[test]
fn a_slow_request_is_cancelled_and_others_are_answered_meanwhile() {
    let mut c = hooks();
    let doc = c.open("file:///notes/slow.md", NOTE);
    let slow = c.send_request("notes-lsp/debugSleep", json!({"ms": 600_000}));
    // Answered while the slow one runs.
    symbols_of(&mut c, &doc.uri);
    cancel(&mut c, &slow);
    let r = c.wait_response(&slow);
    assert_eq!(error_code(&r), Some(REQUEST_CANCELLED), "{r}");
    // Cancelling what is finished or unknown is harmless.
    cancel(&mut c, &slow);
    cancel(&mut c, &json!("no-such-request"));
    symbols_of(&mut c, &doc.uri);
    c.shutdown_and_exit();
}

#[test]
fn a_note_busy_in_a_long_parse_holds_up_neither_other_notes_nor_text_sync() {
    let mut c = hooks();
    let busy = c.open("file:///notes/busy.md", NOTE);
    let mut other = c.open(
        "file:///notes/other.md",
        "# Other\n\nSee [closures](busy.md#what-is-a-closure).\n\n### Is it?\n\nYes.\n",
    );
    c.diagnostics_for_version(&busy.uri, 1);
    c.diagnostics_for_version(&other.uri, 1);
    // As if `busy` were in a parse that never ends.
    let hold = c.send_request(
        "notes-lsp/debugHoldNote",
        json!({"uri": busy.uri, "ms": 600_000}),
    );
    wait_holding(&mut c, &busy.uri);
    // A request on the busy note waits; cancelling it answers it.
    let waiting = c.send_request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": busy.uri}}),
    );
    // Text sync and requests on the other note go on, including those that look across the
    // workspace (hover, definition, completion, diagnostics).
    let at = other.find("### Is it?");
    other.edit(&mut c, at..at, "## Added\n\n");
    let diags = c.diagnostics_for_version(&other.uri, 2);
    assert!(
        diags.iter().all(|d| d["code"] != "broken-link"),
        "{diags:?}"
    );
    let symbols = symbols_of(&mut c, &other.uri);
    assert_eq!(children_names(&symbols[0]), ["Added"], "{symbols}");
    assert_eq!(
        children_names(&symbols[0]["children"][0]),
        ["Is it?"],
        "{symbols}"
    );
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/references",
    ] {
        let mut params =
            json!({"textDocument": {"uri": other.uri}, "position": {"line": 2, "character": 8}});
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        let r = c.request_raw(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
    }
    let r = c.request_raw("workspace/symbol", json!({"query": "closure"}));
    assert!(r.get("error").is_none(), "{r}");
    // Edits to the busy note are queued, in order, without waiting.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": busy.uri, "version": 2},
               "contentChanges": [{"text": "# Replaced\n"}]}),
    );
    symbols_of(&mut c, &other.uri);
    cancel(&mut c, &waiting);
    let r = c.wait_response(&waiting);
    assert_eq!(error_code(&r), Some(REQUEST_CANCELLED), "{r}");
    cancel(&mut c, &hold);
    c.shutdown_and_exit();
}

fn children_names(symbol: &Value) -> Vec<String> {
    symbol["children"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_flood_of_requests_is_answered_or_cancelled_never_queued_forever() {
    let mut c = hooks_with(&[("NOTES_LSP_MAX_PENDING_REQUESTS", "16")]);
    let busy = c.open("file:///notes/flood.md", NOTE);
    let mut other = c.open("file:///notes/calm.md", "# Calm\n");
    c.diagnostics_for_version(&busy.uri, 1);
    let hold = c.send_request(
        "notes-lsp/debugHoldNote",
        json!({"uri": busy.uri, "ms": 600_000}),
    );
    wait_holding(&mut c, &busy.uri);
    let ids: Vec<Value> = (0..300)
        .map(|_| {
            c.send_request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": busy.uri}}),
            )
        })
        .collect();
    // Text sync is read and applied meanwhile.
    other.edit(&mut c, 7..7, "\n## Still here\n");
    // Those over the bound are refused at once; the rest wait on the busy note until
    // cancelled. Every request gets an answer.
    let mut refused = 0;
    let mut waiting = Vec::new();
    for id in &ids {
        // Refusals come first; cancel what is still waiting after them.
        let pending_ok = c
            .wait_message_within(Duration::from_millis(300), |m| {
                m.get("method").is_none() && &m["id"] == id
            })
            .map(|r| {
                assert_eq!(error_code(&r), Some(REQUEST_FAILED), "{r}");
                refused += 1;
            });
        if pending_ok.is_none() {
            waiting.push(id.clone());
        }
    }
    assert!(refused >= 250, "{refused} refused");
    assert!(!waiting.is_empty());
    for id in &waiting {
        cancel(&mut c, id);
    }
    for id in &waiting {
        let r = c.wait_response(id);
        assert_eq!(error_code(&r), Some(REQUEST_CANCELLED), "{r}");
    }
    assert_eq!(
        server_text(&mut c, &other.uri),
        other.text,
        "the edit made during the flood"
    );
    symbols_of(&mut c, &other.uri);
    cancel(&mut c, &hold);
    c.shutdown_and_exit();
}

#[test]
fn edits_sent_while_a_note_is_busy_are_all_applied_in_order() {
    let mut c = hooks();
    let mut doc = c.open("file:///notes/edits.md", NOTE);
    let hold = c.send_request(
        "notes-lsp/debugHoldNote",
        json!({"uri": doc.uri, "ms": 1500}),
    );
    wait_holding(&mut c, &doc.uri);
    let mut rng = XorShift::new(3);
    for i in 0..60 {
        let at = rng.below(doc.text.len() + 1);
        let at = (0..=at)
            .rev()
            .find(|&a| doc.text.is_char_boundary(a))
            .unwrap();
        let piece = ["x", "\n", "# H\n", "```\n", "😀", "?"][i % 6];
        doc.edit(&mut c, at..at, piece);
    }
    let r = c.wait_response(&hold);
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(server_text(&mut c, &doc.uri), doc.text);
    let v = doc.version;
    c.diagnostics_for_version(&doc.uri, v);
    let fresh = c.open("file:///notes/edits-fresh.md", &doc.text);
    assert_eq!(symbols_of(&mut c, &doc.uri), symbols_of(&mut c, &fresh.uri));
    c.shutdown_and_exit();
}

// ---------------------------------------------------------------------------------------------
// hostile notes

fn full() -> bool {
    std::env::var("NOTES_LSP_HOSTILE_FULL").is_ok_and(|v| v == "1")
}

/// Hostile notes by name: (name, text). Sizes are the issue's where a debug build parses them
/// in seconds, and a tenth of them otherwise (all of them with `NOTES_LSP_HOSTILE_FULL=1`).
fn hostile_notes() -> Vec<(&'static str, String)> {
    let big = if full() { 20_000_000 } else { 2_000_000 };
    let fences = if full() { 100_000 } else { 20_000 };
    let unit = "## Section\n\n### What is x?\n\nSome answer text.\n\n```python\ndef f(x):\n    \
                return x\n```\n\n- a list\n- of items\n\n";
    vec![
        ("big sectioned note", unit.repeat(big / unit.len())),
        (
            "big note without headings",
            "A line of prose that goes on.\n\n".repeat(big / 31),
        ),
        ("5 MB single line", "word ".repeat(1_000_000) + "\n"),
        (
            "100,000 nested block quotes",
            ">".repeat(100_000) + " deep\n",
        ),
        ("100,000 nested list items", "- ".repeat(100_000) + "item\n"),
        (
            "100,000 nested ordered lists",
            "1. ".repeat(100_000) + "x\n",
        ),
        (
            "deep quote on many lines",
            (0..2_000).map(|i| ">".repeat(i % 200) + " x\n").collect(),
        ),
        ("code fences", "```python\nx = (\n```\n".repeat(fences)),
        (
            "thousands of unclosed fences",
            (0..5_000)
                .map(|i| {
                    format!(
                        "{}\n# H{i}\n",
                        ["```", "~~~", "````", "```py", "~~~~"][i % 5]
                    )
                })
                .collect(),
        ),
        (
            "an HTML comment never closed, before thousands of headings",
            "<!--\n".to_string() + &"# H\n\ntext\n\n".repeat(5_000),
        ),
        (
            "a script block never closed, before thousands of headings",
            "<script>\n".to_string() + &"## H\n\ntext\n\n".repeat(5_000),
        ),
        (
            "NUL bytes",
            "# Q?\n\0\0\0\n```python\nx = '\0'\n```\n\0".repeat(5_000),
        ),
        (
            "every line ending mixed",
            "# A\r\nb\rc\n\r\n```py\r\nx = (\r```\n\r> q\r\n- l\r".repeat(10_000),
        ),
        (
            "a 100,000-line Python sample",
            format!("```python\n{}```\n", "x = 1\n".repeat(100_000)),
        ),
        (
            "a 100,000-line sample in a list",
            format!(
                "- item\n\n  ```python\n{}  ```\n",
                "  x = 1\n".repeat(100_000)
            ),
        ),
        (
            "Python nested 100,000 deep",
            [
                "-".repeat(100_000) + "1",
                "not ".repeat(100_000) + "1",
                "lambda: ".repeat(100_000) + "1",
                "1 + ".repeat(100_000) + "1",
                "a".to_string() + &".b".repeat(100_000),
                "a".to_string() + &"()".repeat(100_000),
                "2 ** ".repeat(100_000) + "1",
                "(".repeat(100_000),
                "f'{".repeat(100_000),
                "[".repeat(50_000) + &"]".repeat(50_000),
            ]
            .iter()
            .map(|e| format!("```python\nx = {e}\n```\n\n"))
            .collect(),
        ),
        (
            "Python nested 3,000 deep (checked on a bigger stack)",
            format!("```python\nx = {}1\n```\n", "1 + ".repeat(3_000)),
        ),
        (
            "deep JSON",
            format!("```json\n{}\n```\n", "[".repeat(100_000)),
        ),
        ("1,000,000 emphasis markers", "*".repeat(1_000_000) + "x\n"),
        ("1,000,000 brackets", "[".repeat(1_000_000) + "\n"),
        ("1,000,000 emoji on a line", "😀".repeat(1_000_000) + "\n"),
    ]
}

/// Runs `f` on a thread with the stack of a tokio blocking thread (2 MiB), as the server
/// does, failing (not hanging) after a generous bound.
fn on_small_stack<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("a thread");
    rx.recv_timeout(Duration::from_secs(600))
        .unwrap_or_else(|e| panic!("{what}: no result in 10 minutes ({e}) or a panic"))
}

/// Hostile notes `which` (by index), in process on a 2 MiB stack: parsed, analyzed,
/// converted to LSP, edited in the middle (incrementally equal to a fresh parse), dropped.
fn parse_analyze_and_edit(which: std::ops::Range<usize>) {
    let notes = hostile_notes();
    assert!(which.end <= notes.len());
    for (name, text) in notes.into_iter().take(which.end).skip(which.start) {
        let started = Instant::now();
        let (len, chunks) = on_small_stack(name, move || {
            let mut note = Note::new(&text);
            let a = Analysis::of(&note);
            let _ = to_proto::document_symbols(&note, &a, Encoding::Utf16);
            let _ = to_proto::folding_ranges(&note, &a);
            let _ = to_proto::diagnostics(&note, &a, &Config::default(), Encoding::Utf16);
            let mut mid = text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid -= 1;
            }
            let _ = to_proto::hover(&note, &a, mid, Encoding::Utf8);
            note.edit(mid..mid, "\n# Inserted?\n");
            let mut model = text.clone();
            model.insert_str(mid, "\n# Inserted?\n");
            assert_eq!(note.text(), model, "{name}");
            assert_eq!(
                Analysis::of(&note),
                Analysis::of(&Note::new(&model)),
                "{name}: incremental vs fresh"
            );
            let chunks = note.chunk_count();
            drop(note);
            (model.len(), chunks)
        });
        eprintln!(
            "{name}: {len} bytes, {chunks} chunks, {:.1?}",
            started.elapsed()
        );
    }
}

#[test]
fn hostile_big_notes_parse_analyze_and_edit_on_a_small_stack() {
    parse_analyze_and_edit(0..3);
}

#[test]
fn hostile_nesting_and_structure_parse_analyze_and_edit_on_a_small_stack() {
    parse_analyze_and_edit(3..13);
}

#[test]
fn hostile_samples_and_lines_parse_analyze_and_edit_on_a_small_stack() {
    parse_analyze_and_edit(13..hostile_notes().len());
}

/// The server with hostile notes open: each gets diagnostics and answers, and a small note
/// is answered in between.
#[test]
fn hostile_notes_in_the_server() {
    let mut c = start(caps_default());
    let small = c.open("file:///notes/small.md", NOTE);
    let expected = symbols_of(&mut c, &small.uri);
    for (i, (name, text)) in hostile_notes().into_iter().enumerate() {
        // The server-side cases stay small enough for a debug build's answers to come
        // within the hang detector's bound.
        if text.len() > 2_500_000 || name.contains("big") {
            continue;
        }
        let doc = c.open(&format!("file:///notes/hostile-{i}.md"), &text);
        assert_eq!(
            symbols_of(&mut c, &small.uri),
            expected,
            "while {name} is parsed"
        );
        c.diagnostics_for_version(&doc.uri, 1);
        symbols_of(&mut c, &doc.uri);
        c.folding_ranges(&doc.uri);
        let r = c.request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": 0, "character": 3}}),
        );
        assert!(r.get("error").is_none(), "{name}: {r}");
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": doc.uri}}),
        );
        assert!(c.is_running(), "the server died on {name}");
    }
    c.shutdown_and_exit();
}

// ---------------------------------------------------------------------------------------------
// the command line

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "notes-lsp-rel-{}-{name}-{}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempDir(dir.canonicalize().expect("canonical"))
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `notes-lsp` with `args` in `cwd`, failing after a generous bound (a hang detector).
fn run_cli(args: &[&str], cwd: &Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("notes-lsp starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("notes-lsp {args:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code(),
        String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn check_survives_hostile_files_and_does_not_follow_symlink_loops() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("check");
    dir.write("notes/ok.md", "# Fine\n\n### Is it?\n\nYes.\n");
    dir.write("notes/latin1.md", b"# Caf\xe9\n\ntext\n");
    dir.write("notes/nul.md", "# N\0L\n\n```python\nx = '\0'\n```\n");
    dir.write(
        "notes/deep.md",
        format!("```python\nx = {}1\n```\n", "-".repeat(100_000)),
    );
    dir.write("notes/endings.md", "# A\r\nb\rc\n\r\n```py\r\nx = (\r```\n");
    // Loops: a folder linking to itself and to its parent, and two links to each other.
    symlink(dir.0.join("notes"), dir.0.join("notes/self")).unwrap();
    symlink(&dir.0, dir.0.join("notes/up")).unwrap();
    symlink(dir.0.join("notes/b.md"), dir.0.join("notes/a.md")).unwrap();
    symlink(dir.0.join("notes/a.md"), dir.0.join("notes/b.md")).unwrap();
    let (code, out, err) = run_cli(&["check", "--format", "json", "notes"], &dir.0);
    assert_eq!(code, Some(2), "unreadable latin1.md: exit 2\n{out}\n{err}");
    assert!(err.contains("latin1.md"), "{err}");
    let items: Vec<Value> = serde_json::from_str(&out).expect("a JSON array");
    let paths: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|d| d["path"].as_str()).collect();
    for p in ["notes/nul.md", "notes/deep.md", "notes/endings.md"] {
        assert!(paths.contains(p), "{p} not reported: {paths:?}");
    }
    assert!(
        paths
            .iter()
            .all(|p| !p.contains("self/") && !p.contains("up/")),
        "a symlink was followed: {paths:?}"
    );
    let deep = items.iter().find(|d| d["path"] == "notes/deep.md").unwrap();
    assert!(
        deep["message"].as_str().unwrap().contains("too complex"),
        "{deep}"
    );
}

// ---------------------------------------------------------------------------------------------
// safety

/// A note whose samples would leave traces if anything ran them.
fn booby_trapped(marker: &Path) -> String {
    let m = marker.display();
    format!(
        "# Traps\n\n```python\nopen('{m}-py', 'w').write('ran')\n```\n\n```pycon\n>>> import os\n\
         >>> os.system('touch {m}-pycon')\n```\n\n```bash\ntouch {m}-sh\n```\n\n    import os\n    \
         os.system('touch {m}-indented')\n\n```json\n{{\"x\": \"$(touch {m}-json)\"}}\n```\n"
    )
}

fn traces(marker: &Path) -> Vec<PathBuf> {
    ["py", "pycon", "sh", "indented", "json"]
        .iter()
        .map(|s| PathBuf::from(format!("{}-{s}", marker.display())))
        .filter(|p| p.exists())
        .collect()
}

/// Names, sizes and modification times of everything under `dir`, symlinks not followed.
fn tree(dir: &Path) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            out.push((e.path(), meta.len(), meta.modified().ok()));
            if meta.is_dir() {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn samples_are_never_run_and_the_server_reads_only_the_workspace_and_writes_nothing() {
    use std::os::unix::fs::symlink;
    let outside = TempDir::new("outside");
    outside.write(
        "secret.md",
        "# Outside\n\n### What is the outsider secret question?\n\nx\n",
    );
    let ws = TempDir::new("ws");
    let marker = ws.0.join("trace");
    ws.write("traps.md", booby_trapped(&marker));
    ws.write(
        "inside.md",
        "# Inside\n\n### What is the insider question?\n\ny\n",
    );
    symlink(outside.0.join("secret.md"), ws.0.join("link.md")).unwrap();
    symlink(&outside.0, ws.0.join("outdir")).unwrap();
    // A FIFO named like a note: reading it would block forever.
    let fifo = ws.0.join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");

    // The command line checks the traps without running them.
    let (code, out, err) = run_cli(&["check", "."], &ws.0);
    assert!(code.is_some(), "{out}\n{err}");
    assert_eq!(traces(&marker), Vec::<PathBuf>::new(), "a sample ran");

    let before = tree(&ws.0);
    let uri = |p: &Path| format!("file://{}", p.display());
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": uri(&ws.0), "name": "ws"}],
        "capabilities": {
            "window": {"workDoneProgress": true},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
        },
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let found = |c: &mut Client, q: &str| -> Vec<String> {
        let r = c.request("workspace/symbol", json!({"query": q}));
        r.as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["location"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    assert!(!found(&mut c, "insider question").is_empty());
    assert!(
        found(&mut c, "outsider secret").is_empty(),
        "a file outside the workspace was read through a symlink"
    );
    let doc = c.open(&uri(&ws.0.join("traps.md")), &booby_trapped(&marker));
    c.diagnostics_for_version(&doc.uri, 1);
    symbols_of(&mut c, &doc.uri);
    // File events naming the FIFO, the symlink, a path that climbs out, and a real new note:
    // the real one is indexed (nothing before it blocked), the others are not read.
    ws.write(
        "new.md",
        "# New\n\n### What is the newcomer question?\n\nz\n",
    );
    let climbing = format!("{}/../{}/secret.md", ws.0.display(), {
        outside.0.file_name().unwrap().to_str().unwrap()
    });
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&fifo), "type": 2},
            {"uri": uri(&ws.0.join("link.md")), "type": 1},
            {"uri": format!("file://{climbing}"), "type": 1},
            {"uri": uri(&ws.0.join("outdir/secret.md")), "type": 1},
            {"uri": uri(&ws.0.join("new.md")), "type": 1},
        ]}),
    );
    let deadline = Instant::now() + TIMEOUT;
    while found(&mut c, "newcomer question").is_empty() {
        assert!(Instant::now() < deadline, "new.md was never indexed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        found(&mut c, "outsider secret").is_empty(),
        "a file outside the workspace was read"
    );
    c.shutdown_and_exit();
    assert_eq!(traces(&marker), Vec::<PathBuf>::new(), "a sample ran");
    let mut after = tree(&ws.0);
    after.retain(|(p, ..)| !p.ends_with("new.md"));
    assert_eq!(before, after, "the server changed the workspace");
}

#[cfg(unix)]
#[test]
fn hostile_ignore_and_settings_files_neither_hang_nor_abort() {
    use std::os::unix::fs::symlink;
    let ws = TempDir::new("hostile");
    ws.write(
        "note.md",
        "# Note\n\n### What is the steadfast question?\n\nx\n",
    );
    std::fs::create_dir_all(ws.0.join("sub")).unwrap();
    ws.write(
        "sub/deep.md",
        "# Deep\n\n### What is the deeper question?\n\ny\n",
    );
    for fifo in [".gitignore", ".notes-lsp.toml"] {
        let made = Command::new("mkfifo").arg(ws.0.join(fifo)).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    symlink("/dev/zero", ws.0.join(".ignore")).unwrap();
    symlink("/dev/zero", ws.0.join("sub/.gitignore")).unwrap();

    // `check` walks the folder (the ignore files not applied, and said so) and names the
    // settings file it could not read.
    let (code, out, err) = run_cli(&["check", "."], &ws.0);
    assert_eq!(code, Some(2), "{out}\n{err}");
    assert!(err.contains("checked 2 files"), "{out}\n{err}");
    for name in [".gitignore", ".ignore", "sub/.gitignore", ".notes-lsp.toml"] {
        assert!(err.contains(name), "{name} not reported:\n{err}");
    }
    // Named, a FIFO, a link to /dev/zero and a folder named like a note exit 2 at once.
    let made = Command::new("mkfifo").arg(ws.0.join("pipe.md")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    symlink("/dev/zero", ws.0.join("zero.md")).unwrap();
    std::fs::create_dir_all(ws.0.join("dir.md")).unwrap();
    for named in ["pipe.md", "zero.md", "dir.md"] {
        let (code, out, err) = run_cli(&["check", named], &ws.0);
        assert_eq!(code, Some(2), "{named}: {out}\n{err}");
        assert!(err.contains(named), "{named}: {err}");
    }

    let uri = |p: &Path| format!("file://{}", p.display());
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": uri(&ws.0), "name": "ws"}],
        "capabilities": {"window": {"workDoneProgress": true}},
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    for q in ["steadfast question", "deeper question"] {
        let r = c.request("workspace/symbol", json!({"query": q}));
        assert!(!r.as_array().unwrap().is_empty(), "{q}: {r}");
    }
    c.shutdown_and_exit();
}

#[test]
fn protocol_corners_get_the_answers_the_spec_gives() {
    let mut c = start(caps_default());
    // A `$/` request is answered -32601 with its own id; the reserved method too, with its id.
    let id = c.send_request("$/notes-lsp/whatever", json!({}));
    let r = c.wait_response(&id);
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let id = c.send_request("$/notes-lsp/malformedMessage", json!({}));
    let r = c.wait_response(&id);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // A didChange sent with an id is refused and not applied.
    let doc = c.open(
        "file:///notes/corner.md",
        "# One\n\n### What is a corner?\n\nx\n",
    );
    c.diagnostics_for_version(&doc.uri, 1);
    let id = c.send_request(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc.uri, "version": 2},
               "contentChanges": [{"text": "# Changed\n"}]}),
    );
    let r = c.wait_response(&id);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let symbols = c.document_symbols(&doc.uri);
    assert_eq!(
        symbols[0]["name"], "One",
        "the refused change was applied: {symbols}"
    );
    // A URI sent with a raw space and `ü` is taken (and answered percent-encoded).
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///notes/my notes ü.md", "languageId": "markdown",
               "version": 1, "text": "# Raw\n\n### Why raw?\n"}}),
    );
    let d = c.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"]
            .as_str()
            .is_some_and(|u| u.contains("my%20notes%20%C3%BC.md"))
    });
    assert!(!d["diagnostics"].as_array().unwrap().is_empty(), "{d}");
    // Idle, `exit` after `shutdown` ends the process at once (no grace period to sit out).
    let started = Instant::now();
    c.shutdown_and_exit();
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "exit took {:?}",
        started.elapsed()
    );
}

#[cfg(unix)]
#[test]
fn the_server_leaves_when_the_client_process_named_in_initialize_is_gone() {
    let mut parent = Command::new("sleep")
        .arg("600")
        .spawn()
        .expect("sleep starts");
    let mut c = Client::spawn();
    c.initialize_with(json!({"processId": parent.id(), "rootUri": null, "capabilities": {}}));
    let _ = parent.kill();
    let _ = parent.wait();
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

/// Hovers, definitions and renames sent while typing, none awaited: each is answered
/// without an error, from one version of the note (indices of one version never meet
/// another's headings).
#[test]
fn requests_racing_edits_read_one_version() {
    let mut c = start(caps_default());
    let mut text = String::from("# Top\n\n- [to b](#b-heading) and [to a](#a-heading)\n\n");
    for i in 0..40 {
        text.push_str(&format!("## H{i} heading\n\nBody {i}.\n\n"));
    }
    text.push_str("## A heading\n\nA.\n\n## B heading\n\nB.\n");
    let mut doc = c.open("file:///notes/race.md", &text);
    c.diagnostics_for_version(&doc.uri, 1);
    let mut rng = XorShift::new(21);
    let mut ids = Vec::new();
    let mut answers = Vec::new();
    for round in 0..300 {
        // Insert or drop a heading near the top, which renumbers every heading below.
        let at = doc.find("## ");
        if rng.below(2) == 0 || !doc.text[at..].starts_with("## H") {
            doc.edit(&mut c, at..at, &format!("## H new {round}\n\nx\n\n"));
        } else {
            // The section: its heading line, a blank line, its body line and a blank line.
            let end = at + doc.text[at..].find("\n\n## ").unwrap() + 2;
            doc.edit(&mut c, at..end, "");
        }
        let link = doc.find("[to b]") + 2;
        let heading = doc.find("## B heading") + 4;
        let at_link = doc.pos(link);
        let at_heading = doc.pos(heading);
        let params = |pos: &Value| json!({"textDocument": {"uri": doc.uri}, "position": pos});
        ids.push(c.send_request("textDocument/hover", params(&at_link)));
        ids.push(c.send_request("textDocument/definition", params(&at_link)));
        ids.push(c.send_request("textDocument/prepareRename", params(&at_heading)));
        let mut rename = params(&at_heading);
        rename["newName"] = json!(format!("B heading {round}"));
        ids.push(c.send_request("textDocument/rename", rename));
        // At most about 60 outstanding (the server refuses work beyond 128 in flight).
        if ids.len() >= 60 {
            for id in ids.drain(..40) {
                answers.push((id.clone(), c.wait_response(&id)));
            }
        }
    }
    for id in ids.drain(..) {
        answers.push((id.clone(), c.wait_response(&id)));
    }
    let mut answered = 0;
    for (id, r) in &answers {
        assert!(r.get("error").is_none(), "request {id} failed: {r}");
        answered += usize::from(!r["result"].is_null());
    }
    // Most come back with an answer (a request overtaken by an edit may come back empty).
    assert!(
        answered * 2 > answers.len(),
        "{answered} of {} answered",
        answers.len()
    );
    c.shutdown_and_exit();
}

/// Another open note's "also asked" follows this one: when it is opened, and when its
/// questions move to other lines.
#[test]
fn cross_note_duplicates_follow_the_other_note() {
    let mut c = start(caps_default());
    let a = c.open(
        "file:///notes/a.md",
        "# A\n\n### What is a closure in Python?\n\nA function and its cells.\n",
    );
    let first = c.diagnostics_for_version(&a.uri, 1);
    assert!(
        first.iter().all(|d| d["code"] != "duplicate-question"),
        "{first:?}"
    );
    let mut b = c.open(
        "file:///notes/b.md",
        "# B\n\n### What is a closure in Python?\n\nSame question.\n",
    );
    c.diagnostics_for_version(&b.uri, 1);
    let related_line = |c: &mut Client| -> Value {
        let p = c.wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == json!("file:///notes/a.md")
                && p["diagnostics"]
                    .as_array()
                    .is_some_and(|ds| ds.iter().any(|d| d["code"] == "duplicate-question"))
        });
        let d = p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "duplicate-question")
            .unwrap()
            .clone();
        d["relatedInformation"][0]["location"]["range"]["start"]["line"].clone()
    };
    // Opening b republished a with the duplicate, pointing at b's line 3.
    assert_eq!(related_line(&mut c), json!(2));
    // Lines inserted above b's question: a's related location follows.
    b.edit(&mut c, 4..4, "\nIntro.\n\nMore.\n");
    assert_eq!(related_line(&mut c), json!(6));
    c.shutdown_and_exit();
}
