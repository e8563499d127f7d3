//! Misuse and the lifecycle: unopened documents, bad requests, out-of-range positions,
//! close, shutdown and exit.

use super::*;

// ---------------------------------------------------------------------------------------------
// robustness

#[test]
fn changes_and_requests_for_unopened_documents() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/open.md", NOTE);
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": "file:///notes/never-opened.md", "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "text": "# hello\n",
            }],
        }),
    );
    let r = c.request_raw(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///notes/never-opened.md"}}),
    );
    assert!(
        r.get("error").is_some(),
        "a request for an unopened document is an error response: {r}"
    );
    for method in ["textDocument/foldingRange", "textDocument/hover"] {
        let r = c.request_raw(
            method,
            json!({
                "textDocument": {"uri": "file:///notes/never-opened.md"},
                "position": {"line": 0, "character": 0},
            }),
        );
        assert!(r.get("error").is_some(), "{method}: {r}");
    }
    // The server is still there and answers for the open document.
    let symbols = c.document_symbols(&doc.uri);
    assert_eq!(names(&symbols), ["Python interview notes"]);
    c.shutdown_and_exit();
}

#[test]
fn malformed_and_unknown_requests_get_error_responses() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/m.md", NOTE);
    let r = c.request_raw("textDocument/documentSymbol", json!({"nope": 1}));
    assert!(r.get("error").is_some(), "{r}");
    let r = c.request_raw("notes/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], json!(-32601), "{r}");
    // Ill-formed notifications are ignored.
    c.notify("textDocument/didChange", json!({"textDocument": 5}));
    c.notify("textDocument/didOpen", json!({}));
    assert_eq!(
        names(&c.document_symbols(&doc.uri)),
        ["Python interview notes"]
    );
    c.shutdown_and_exit();
}

#[test]
fn positions_past_the_end_of_a_line_or_the_file_are_clamped() {
    let mut c = start(caps_default());
    let text = "## Decorators\n\n### What is a decorator\n\nA wrapper 🎁 around a function.\n";
    let mut doc = c.open("file:///notes/clamp.md", text);
    let first = c.diagnostics_for_version(&doc.uri, 1);
    assert!(first.is_empty(), "{first:?}");

    // `?` at character 10 000 of the heading line: LSP says that means the line's end.
    doc.version += 1;
    c.change(
        &doc,
        vec![json!({
            "range": {"start": {"line": 2, "character": 10000},
                      "end": {"line": 2, "character": 10000}},
            "text": "?",
        })],
    );
    doc.text = doc.text.replace("decorator\n", "decorator?\n");
    let symbols = c.document_symbols(&doc.uri);
    let q = &children(&symbols[0])[0];
    assert_eq!(q["name"], json!("What is a decorator?"), "{symbols:#}");
    assert!(detail(q).starts_with("question"), "{q}");

    // An insertion at a line past the end of the file lands at the end of the file.
    doc.version += 1;
    c.change(
        &doc,
        vec![json!({
            "range": {"start": {"line": 999, "character": 3},
                      "end": {"line": 1200, "character": 0}},
            "text": "\n### Why wrap at all?\n",
        })],
    );
    doc.text.push_str("\n### Why wrap at all?\n");
    let diags = c.diagnostics_for_version(&doc.uri, 3);
    assert_eq!(
        short_keys(&diags),
        vec![(
            "unanswered-question".to_string(),
            INFORMATION,
            line_of(&doc.text, "### Why wrap"),
            4
        )]
    );

    // A range whose end is inside a surrogate pair or past the line does not break anything.
    doc.version += 1;
    c.change(
        &doc,
        vec![json!({
            "range": {"start": {"line": 4, "character": 11},
                      "end": {"line": 4, "character": 11}},
            "text": "x",
        })],
    );
    let r = c.request_raw(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    c.diagnostics_for_version(&doc.uri, 4);
    c.shutdown_and_exit();
}

#[test]
fn did_close_clears_diagnostics_and_forgets_the_document() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/close.md", NOTE);
    assert_eq!(c.diagnostics_for_version(&doc.uri, 1).len(), 3);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    let p = c.wait_for_diagnostics(&doc.uri, |p| {
        p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    assert!(p["diagnostics"].as_array().unwrap().is_empty());
    let r = c.request_raw(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    assert!(r.get("error").is_some(), "{r}");
    c.shutdown_and_exit();
}

#[test]
fn shutdown_then_exit_ends_the_process_with_status_zero() {
    let c = start(caps_default());
    c.shutdown_and_exit();
}

#[test]
fn a_child_symbol_lies_inside_its_parent_even_with_trailing_spaces() {
    let mut c = start(caps_default());
    // The last heading of the note ends in two spaces (common when typing).
    let text = "## Generators\n\nThey yield values lazily.\n\n### Why are they lazy?  \n";
    let doc = c.open("file:///notes/trailing.md", text);
    let symbols = c.document_symbols(&doc.uri);
    let q = &children(&symbols[0])[0];
    assert_eq!(q["name"], json!("Why are they lazy?"));
    // LSP: a symbol's range excludes leading and trailing whitespace.
    assert_eq!(
        q["range"]["end"],
        json!({"line": 4, "character": "### Why are they lazy?".len()}),
        "{symbols:#}"
    );
    check_symbol_ranges(&symbols, None, true);
    c.shutdown_and_exit();
}

#[test]
fn opening_and_closing_a_fence_hides_and_restores_headings() {
    let mut c = start(caps_default());
    let mut doc = c.open("file:///notes/fence.md", NOTE);
    c.diagnostics_for_version(&doc.uri, 1);
    let before = c.document_symbols(&doc.uri);

    // A tilde fence opened under the first question swallows every heading after it (the
    // backtick fences below cannot close it).
    let at = doc.find("Write `name=value`");
    type_text(&mut c, &mut doc, at, "~~~\n");
    let v = doc.version;
    let diags = c.diagnostics_for_version(&doc.uri, v);
    let codes: Vec<_> = diags.iter().map(|d| diag_key(d).0).collect();
    assert_eq!(codes, ["unclosed-fence"], "{diags:#?}");
    assert_eq!(diags[0]["severity"], json!(2));
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": line_of(&doc.text, "~~~\nWrite"), "character": 0})
    );
    assert!(
        diags[0]["message"].as_str().unwrap().contains("4 headings"),
        "{diags:#?}"
    );
    let symbols = c.document_symbols(&doc.uri);
    assert_eq!(
        names(children(&symbols[0])),
        ["Functions"],
        "the later headings are inside the fence now"
    );
    let functions = &children(&symbols[0])[0];
    assert_eq!(names(children(functions)), [NOTE_FIRST_QUESTION]);

    // Close it again after the first line of the answer: the headings come back.
    let at = doc.find("~~~\nWrite") + 4;
    let end = at + doc.text[at..].find('\n').unwrap() + 1;
    type_text(&mut c, &mut doc, end, "~~~\n");
    let v = doc.version;
    let diags = c.diagnostics_for_version(&doc.uri, v);
    assert_eq!(
        short_keys(&diags),
        expected_open_diagnostics(&doc.text),
        "{diags:#?}"
    );
    let after = c.document_symbols(&doc.uri);
    assert_eq!(names(children(&after[0])), ["Functions", "Config files"]);
    let fresh = c.open("file:///notes/fence-fresh.md", &doc.text);
    assert_eq!(after, c.document_symbols(&fresh.uri));
    assert_ne!(after, before, "the note has two more lines");
    c.shutdown_and_exit();
}

const NOTE_FIRST_QUESTION: &str = "How do you give a parameter a default value?";

#[test]
fn an_empty_document_has_empty_answers() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/empty.md", "");
    assert!(c.diagnostics_for_version(&doc.uri, 1).is_empty());
    assert_eq!(c.document_symbols(&doc.uri), json!([]));
    assert_eq!(c.folding_ranges(&doc.uri), json!([]));
    let r = c.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc.uri}, "position": {"line": 3, "character": 9}}),
    );
    assert_eq!(r.get("result"), Some(&Value::Null), "{r}");
    c.shutdown_and_exit();
}

#[test]
fn a_full_text_change_replaces_the_document() {
    let mut c = start(caps_default());
    let mut doc = c.open("file:///notes/full.md", NOTE);
    assert_eq!(c.diagnostics_for_version(&doc.uri, 1).len(), 3);
    doc.version += 1;
    c.change(
        &doc,
        vec![json!({"text": "## Sets\n\n### How is a set different from a list?\n"})],
    );
    let diags = c.diagnostics_for_version(&doc.uri, 2);
    assert_eq!(
        short_keys(&diags),
        vec![("unanswered-question".to_string(), INFORMATION, 2, 4)]
    );
    c.shutdown_and_exit();
}

#[test]
fn exit_without_shutdown_exits_with_status_one() {
    // LSP: "The server should exit with success code 0 if the shutdown request has been
    // received before; otherwise with error code 1."
    let mut c = start(caps_default());
    c.notify("exit", Value::Null);
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[test]
fn the_server_ends_when_its_input_closes() {
    let mut c = start(caps_default());
    c.open("file:///notes/eof.md", NOTE);
    c.close_stdin();
    // Bounded: `wait_exit` fails the test if the process lingers.
    c.wait_exit();
}
