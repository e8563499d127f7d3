//! Positions: columns after characters outside the BMP and in CRLF notes, in both encodings.

use super::*;

// ---------------------------------------------------------------------------------------------
// positions: CRLF, characters outside the BMP

/// A note with emoji before each error, on the same line.
const EMOJI_NOTE: &str = r#"## Generators 🐍

### Why are 🐍 generators lazy? 🤔

### How do you test a pet's name?

```python
pets = ["🐍", "🐈"]
if pets[0] == "🐍🐍"
    print("two snakes 🐍")
```

### What does the pet record look like?

```json
{"pet": "🐍 Monty", "age": 3,}
```
"#;

fn check_columns(caps: Value, crlf: bool) {
    let text = if crlf {
        EMOJI_NOTE.replace('\n', "\r\n")
    } else {
        EMOJI_NOTE.to_string()
    };
    let mut c = start(caps);
    let enc = c.enc;
    let mut doc = c.open("file:///notes/emoji.md", &text);
    let diags = c.diagnostics_for_version(&doc.uri, 1);

    let if_line = "if pets[0] == \"🐍🐍\"";
    let q_line = "### Why are 🐍 generators lazy? 🤔";
    let json_line = "{\"pet\": \"🐍 Monty\", \"age\": 3,}";
    let w = |s: &str| u64::from(col_width(s, enc));
    let want = vec![
        (
            "unanswered-question".to_string(),
            INFORMATION,
            line_of(&text, q_line),
            4,
            line_of(&text, q_line),
            w(q_line),
        ),
        (
            "python-syntax".to_string(),
            ERROR,
            line_of(&text, if_line),
            w(if_line),
            0,
            0,
        ),
        (
            "json-syntax".to_string(),
            ERROR,
            line_of(&text, json_line),
            w(&json_line[..json_line.len() - 1]),
            line_of(&text, json_line),
            w(json_line),
        ),
    ];
    let mut got: Vec<_> = diags.iter().map(diag_key).collect();
    // The end of a Python error depends on the checker; only its start is the contract.
    got[1].4 = 0;
    got[1].5 = 0;
    assert_eq!(got, want, "{enc:?} crlf={crlf}: {diags:#?}");

    // Outline and hover ranges use the same columns.
    let q_lineno = line_of(&text, q_line);
    let title_range = json!({
        "start": {"line": q_lineno, "character": 4},
        "end": {"line": q_lineno, "character": w(q_line)},
    });
    let symbols = c.document_symbols(&doc.uri);
    let q = &children(&symbols[0])[0];
    assert_eq!(q["name"], json!("Why are 🐍 generators lazy? 🤔"));
    assert_eq!(q["selectionRange"], title_range, "{enc:?} crlf={crlf}");
    let hover = c.hover(&doc.uri, q_lineno as u32, w("### Why are 🐍 gen") as u32);
    assert_eq!(hover["range"], title_range, "{enc:?} crlf={crlf}: {hover}");
    // Inside the emoji (between its UTF-16 surrogates or UTF-8 bytes): clamped, no error.
    let r = c.request_raw(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": doc.uri},
            "position": {"line": q_lineno, "character": w("### Why are ") + 1},
        }),
    );
    assert!(r.get("error").is_none(), "{r}");
    // Folding works on lines, whatever ends them.
    let folds = c.folding_ranges(&doc.uri);
    let fence = json!({
        "startLine": line_of(&text, "```python"),
        "endLine": line_of(&text, "    print(\"two snakes") + 1,
    });
    assert!(
        folds.as_array().unwrap().contains(&fence),
        "{enc:?} crlf={crlf}: no fold {fence} in {folds}"
    );

    // An edit sent in the same encoding, after the emoji: add the missing colon.
    let at = doc.find(if_line) + if_line.len();
    doc.edit(&mut c, at..at, ":");
    let diags = c.diagnostics_for_version(&doc.uri, 2);
    let codes: Vec<_> = diags.iter().map(|d| diag_key(d).0).collect();
    assert_eq!(
        codes,
        ["unanswered-question", "json-syntax"],
        "{enc:?} crlf={crlf}: {diags:#?}"
    );
    // And delete the trailing comma, which sits after an emoji too.
    let at = doc.find("3,}") + 1;
    doc.edit(&mut c, at..at + 1, "");
    let diags = c.diagnostics_for_version(&doc.uri, 3);
    let codes: Vec<_> = diags.iter().map(|d| diag_key(d).0).collect();
    assert_eq!(codes, ["unanswered-question"], "{enc:?} crlf={crlf}");
    c.shutdown_and_exit();
}

#[test]
fn columns_after_emoji_in_utf16() {
    check_columns(caps_default(), false);
}

#[test]
fn columns_after_emoji_in_utf8() {
    check_columns(caps_utf8(), false);
}

#[test]
fn columns_in_a_crlf_note_in_utf16() {
    check_columns(caps_default(), true);
}

#[test]
fn columns_in_a_crlf_note_in_utf8() {
    check_columns(caps_utf8(), true);
}
