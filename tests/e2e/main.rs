//! End-to-end tests: the real `notes-lsp --stdio` binary, spoken to over JSON-RPC.
//!
//! Each test starts its own server. Waits are bounded by `common::TIMEOUT` (a guard against
//! hangs, not a performance assertion).
//!
//! This file holds the note, the helpers and `initialize`; `opened.rs` one note opened
//! (diagnostics, symbols, folding, hover); `editing.rs` typing and unawaited edits;
//! `positions.rs` columns after emoji and in CRLF notes; `robustness.rs` misuse and the
//! lifecycle.

#[path = "../common/mod.rs"]
mod common;

mod editing;
mod opened;
mod positions;
mod robustness;

use common::*;
use serde_json::{Value, json};

/// A note in the style of clean interview notes: a `#` title, `##` topics, `###` questions.
/// Line 9 (0-based) has a Python syntax error (a `def` without its colon); "What is a
/// decorator?" has no answer; the second sample is valid; the JSON has a trailing comma.
const NOTE: &str = r#"# Python interview notes

## Functions

### How do you give a parameter a default value?

Write `name=value` in the signature; the default is evaluated once.

```python
def greet(name, greeting="hello")
    return f"{greeting}, {name}"
```

### What is a decorator?

### How do you reverse a list in place?

`list.reverse()` mutates the list; slicing makes a copy.

```python
xs = [3, 1, 2]
xs.reverse()
print(xs[::-1])
```

## Config files

### What does a minimal package.json need?

```json
{
  "name": "demo",
  "version": "1.0.0",
}
```
"#;

const ERROR: u64 = 1;
const INFORMATION: u64 = 3;

/// 0-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    u64::from(position_of(text, at, Enc::Utf8).0)
}

/// 0-based line of the `n`th (0-based) line that is exactly `line`.
fn nth_line_equal(text: &str, line: &str, n: usize) -> u64 {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_end_matches('\r') == line)
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}th line {line:?}"))
        .0 as u64
}

fn pos_key(p: &Value) -> (u64, u64) {
    (
        p["line"].as_u64().expect("line"),
        p["character"].as_u64().expect("character"),
    )
}

fn contains(outer: &Value, inner: &Value) -> bool {
    pos_key(&outer["start"]) <= pos_key(&inner["start"])
        && pos_key(&inner["end"]) <= pos_key(&outer["end"])
}

/// Checks LSP's and VS Code's rules for a symbol tree: start ≤ end, selectionRange inside
/// range, and (when `nested` is set) each child inside its parent.
fn check_symbol_ranges(symbols: &Value, parent: Option<&Value>, nested: bool) {
    for s in symbols.as_array().expect("an array of symbols") {
        let range = &s["range"];
        assert!(
            pos_key(&range["start"]) <= pos_key(&range["end"]),
            "range ends before it starts: {s}"
        );
        assert!(
            contains(range, &s["selectionRange"]),
            "selectionRange is not inside range: {s}"
        );
        if let (Some(p), true) = (parent, nested) {
            assert!(
                contains(p, range),
                "{:?} ({range}) is not inside its parent's range {p}",
                s["name"]
            );
        }
        if let Some(children) = s.get("children").filter(|c| !c.is_null()) {
            check_symbol_ranges(children, Some(range), nested);
        }
    }
}

fn names(symbols: &Value) -> Vec<&str> {
    symbols
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| s["name"].as_str().expect("a name"))
        .collect()
}

fn children(symbol: &Value) -> &Value {
    static EMPTY: Value = Value::Array(Vec::new());
    match symbol.get("children") {
        Some(c) if !c.is_null() => c,
        _ => &EMPTY,
    }
}

fn detail(symbol: &Value) -> &str {
    symbol["detail"].as_str().unwrap_or("")
}

fn is_true_or_object(v: &Value) -> bool {
    v == &json!(true) || v.is_object()
}

fn expected_open_diagnostics(text: &str) -> Vec<(String, u64, u64, u64)> {
    let def_line = "def greet(name, greeting=\"hello\")";
    vec![
        // CPython and the placeholder both point just after the `)`: where `:` is expected.
        (
            "python-syntax".into(),
            ERROR,
            line_of(text, def_line),
            def_line.len() as u64,
        ),
        (
            "unanswered-question".into(),
            INFORMATION,
            line_of(text, "### What is a decorator?"),
            4,
        ),
        (
            "json-syntax".into(),
            ERROR,
            // serde_json stops at the `}` after the trailing comma.
            nth_line_equal(text, "}", 0),
            0,
        ),
    ]
}

fn short_keys(diags: &[Value]) -> Vec<(String, u64, u64, u64)> {
    diags
        .iter()
        .map(|d| {
            let (code, sev, line, ch, _, _) = diag_key(d);
            (code, sev, line, ch)
        })
        .collect()
}

/// Types `s` at byte `at`, one character per didChange, with backspaces written as `\u{8}`.
/// Returns the cursor after typing.
fn type_text(c: &mut Client, doc: &mut Doc, mut at: usize, s: &str) -> usize {
    for ch in s.chars() {
        if ch == '\u{8}' {
            let prev = doc.text[..at]
                .chars()
                .next_back()
                .expect("something to delete");
            let from = at - prev.len_utf8();
            doc.edit(c, from..at, "");
            at = from;
        } else {
            let mut buf = [0; 4];
            doc.edit(c, at..at, ch.encode_utf8(&mut buf));
            at += ch.len_utf8();
        }
    }
    at
}

// ---------------------------------------------------------------------------------------------
// initialize

fn check_common_capabilities(result: &Value) {
    let caps = &result["capabilities"];
    let sync = &caps["textDocumentSync"];
    let change = if sync.is_object() {
        assert_eq!(sync["openClose"], json!(true), "openClose: {sync}");
        &sync["change"]
    } else {
        sync
    };
    assert_eq!(change, &json!(2), "incremental sync: {sync}");
    assert!(is_true_or_object(&caps["documentSymbolProvider"]), "{caps}");
    assert!(is_true_or_object(&caps["foldingRangeProvider"]), "{caps}");
    assert!(is_true_or_object(&caps["hoverProvider"]), "{caps}");
    assert_eq!(result["serverInfo"]["name"], json!("notes-lsp"));
    assert_eq!(result["serverInfo"]["version"], json!(notes_lsp::VERSION));
}

#[test]
fn initialize_negotiates_utf8_when_offered() {
    let mut c = Client::spawn();
    let result = c.initialize(caps_utf8());
    assert_eq!(
        result["capabilities"]["positionEncoding"],
        json!("utf-8"),
        "{result}"
    );
    check_common_capabilities(&result);
    c.shutdown_and_exit();
}

#[test]
fn initialize_prefers_utf8_wherever_it_is_in_the_list() {
    let mut c = Client::spawn();
    let result = c.initialize(json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}));
    assert_eq!(result["capabilities"]["positionEncoding"], json!("utf-8"));
    c.shutdown_and_exit();
}

#[test]
fn initialize_falls_back_to_utf16() {
    for caps in [
        caps_default(),
        json!({}),
        json!({"general": {"positionEncodings": ["utf-16"]}}),
        json!({"general": {"positionEncodings": ["utf-32"]}}),
    ] {
        let mut c = Client::spawn();
        let result = c.initialize(caps.clone());
        assert_eq!(
            result["capabilities"]["positionEncoding"],
            json!("utf-16"),
            "offered {caps}: {result}"
        );
        check_common_capabilities(&result);
        c.shutdown_and_exit();
    }
}
