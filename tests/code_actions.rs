//! `textDocument/codeAction` through the real binary: quick fixes carry the diagnostics they
//! fix, applying one removes its diagnostic, `only` filters by kind, and the fix-all action
//! leaves no fixable diagnostic. Edits are applied client-side the way an editor would.

mod common;

use common::*;
use serde_json::{Value, json};

/// A messy note (UTF-16 columns matter: an emoji before the broken link).
const NOTE: &str = "# Notes 🐍\n\n- [Sets](#set)\n\n## Sets\n\nUnique items:\n\n```\ndef unique(items):\n    return set(items)\n```\n\n### How do you loop?\n\n```python\nfor x in range(3):\n    print x\n```\n\n### How do you stop?\n\n```python\nwhile True:\n    break\n\n## Leftovers\n\nDone.\n";

/// Byte offset of an LSP position in `text`.
fn offset_of(text: &str, pos: &Value, enc: Enc) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as u32;
    let start = if line == 0 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 1)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let mut w = 0;
    for (i, ch) in text[start..].char_indices() {
        if w >= col || ch == '\n' || ch == '\r' {
            return start + i;
        }
        w += col_width(ch.encode_utf8(&mut [0; 4]), enc);
    }
    text.len()
}

/// Applies a WorkspaceEdit's edits for `doc` and sends them as one change.
fn apply(c: &mut Client, doc: &mut Doc, edit: &Value) {
    let edits = edit["changes"][&doc.uri]
        .as_array()
        .expect("edits for the doc")
        .clone();
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(&doc.text, &e["range"]["start"], doc.enc),
                offset_of(&doc.text, &e["range"]["end"], doc.enc),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    // Sent last edit first, so earlier positions stay valid (as LSP clients do).
    let events: Vec<Value> = ranges
        .into_iter()
        .map(|(s, e, t)| doc.replace(s..e, &t))
        .collect();
    doc.version += 1;
    c.change(doc, events);
}

fn code_actions(
    c: &mut Client,
    doc: &Doc,
    range: Value,
    diags: &[Value],
    only: Option<Value>,
) -> Vec<Value> {
    let mut context = json!({"diagnostics": diags, "triggerKind": 1});
    if let Some(o) = only {
        context["only"] = o;
    }
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc.uri}, "range": range, "context": context}),
    )
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn codes(diags: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn run(caps: Value) {
    let mut c = start(caps);
    let uri = "file:///notes/actions.md";
    let mut doc = c.open(uri, NOTE);
    let diags = c.diagnostics_for_version(uri, 1);
    assert_eq!(
        codes(&diags),
        [
            "broken-link",
            "missing-language",
            "python-syntax",
            "python-syntax",
            "unclosed-fence"
        ],
        "{diags:#?}"
    );

    // The quick fix at the missing-language hint carries that diagnostic and tags the fence.
    let hint = diags
        .iter()
        .find(|d| d["code"] == "missing-language")
        .unwrap()
        .clone();
    let actions = code_actions(&mut c, &doc, hint["range"].clone(), &diags, None);
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().contains("Tag"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["diagnostics"], json!([hint]), "{fix:#}");
    assert_eq!(fix["isPreferred"], json!(true));
    apply(&mut c, &mut doc, &fix["edit"]);
    assert!(doc.text.contains("```python\ndef unique"), "{}", doc.text);
    let after = c.diagnostics_for_version(uri, doc.version);
    assert_eq!(
        codes(&after),
        [
            "broken-link",
            "python-syntax",
            "python-syntax",
            "unclosed-fence"
        ]
    );

    // The broken link after an emoji: the fix points it at the heading.
    let link = after
        .iter()
        .find(|d| d["code"] == "broken-link")
        .unwrap()
        .clone();
    let actions = code_actions(
        &mut c,
        &doc,
        link["range"].clone(),
        &after,
        Some(json!(["quickfix"])),
    );
    assert!(
        actions.iter().all(|a| a["kind"] == "quickfix"),
        "{actions:#?}"
    );
    let fix = actions
        .iter()
        .find(|a| a["diagnostics"] == json!([link]))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    apply(&mut c, &mut doc, &fix["edit"]);
    assert!(doc.text.contains("[Sets](#sets)"), "{}", doc.text);
    let after = c.diagnostics_for_version(uri, doc.version);
    assert!(!codes(&after).contains(&"broken-link".to_string()));

    // `only: source` gives the source actions and fix-all, no quick fixes.
    let start = json!({"line": 0, "character": 0});
    let actions = code_actions(
        &mut c,
        &doc,
        json!({"start": start, "end": start}),
        &after,
        Some(json!(["source"])),
    );
    assert!(
        actions
            .iter()
            .all(|a| a["kind"].as_str().unwrap().starts_with("source")),
        "{actions:#?}"
    );
    let all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll.notes-lsp")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    apply(&mut c, &mut doc, &all["edit"]);
    let after = c.diagnostics_for_version(uri, doc.version);
    assert!(after.is_empty(), "{after:#?}\n{}", doc.text);
    assert!(doc.text.contains("    print(x)\n"));
    assert!(
        doc.text.contains("    break\n```\n\n## Leftovers"),
        "{}",
        doc.text
    );

    // Nothing left to fix: no fix-all action.
    let actions = code_actions(
        &mut c,
        &doc,
        json!({"start": start, "end": start}),
        &after,
        Some(json!(["source.fixAll"])),
    );
    assert!(actions.is_empty(), "{actions:#?}");
    c.shutdown_and_exit();
}

#[test]
fn code_actions_fix_diagnostics_in_utf16() {
    run(caps_default());
}

#[test]
fn code_actions_fix_diagnostics_in_utf8() {
    run(caps_utf8());
}

#[test]
fn capabilities_list_the_action_kinds() {
    let mut c = Client::spawn();
    let caps = c.initialize(caps_default());
    let kinds = &caps["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert_eq!(
        kinds,
        &json!([
            "quickfix",
            "refactor.rewrite",
            "source",
            "source.fixAll.notes-lsp"
        ])
    );
    c.shutdown_and_exit();
}
