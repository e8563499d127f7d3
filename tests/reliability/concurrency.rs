//! Panics, cancellation and overload, edits racing requests, other notes republished.

use super::*;

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
