//! Malformed protocol input, misused text sync, positions out of range, protocol corners.

use super::*;

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
