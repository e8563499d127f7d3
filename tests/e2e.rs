//! End-to-end tests: the real `notes-lsp --stdio` binary, spoken to over JSON-RPC.
//!
//! Each test starts its own server. Waits are bounded by `common::TIMEOUT` (a guard against
//! hangs, not a performance assertion).

mod common;

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

// ---------------------------------------------------------------------------------------------
// one note, opened

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

#[test]
fn diagnostics_go_out_before_an_outline_asked_for_right_after_opening() {
    // Both wait for the note's first parse; whichever took its lock first used to answer
    // first, and a big outline then held up the diagnostics in the client's reader.
    let mut c = start(caps_default());
    let text = NOTE.repeat(30);
    for round in 0..5 {
        let uri = format!("file:///notes/opened-{round}.md");
        c.open(&uri, &text);
        let symbols = c.document_symbols(&uri);
        assert!(!symbols.as_array().unwrap().is_empty(), "{symbols}");
        assert!(
            c.received(|m| m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == json!(uri)),
            "round {round}: the outline came before the diagnostics"
        );
    }
}

#[test]
fn did_open_publishes_exact_diagnostics_with_the_version() {
    let mut c = start(caps_default());
    let uri = "file:///notes/python-interview.md";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 7, "text": NOTE}}),
    );
    let params = c.wait_for_diagnostics(uri, |_| true);
    assert_eq!(params["version"], json!(7), "{params}");
    let diags = params["diagnostics"].as_array().unwrap();
    assert_eq!(
        short_keys(diags),
        expected_open_diagnostics(NOTE),
        "{params:#}"
    );
    // The message reads like a compiler's: CPython says "expected ':'", the placeholder
    // "Expected `:`, found newline".
    let py = diags[0]["message"].as_str().unwrap().to_lowercase();
    assert!(py.contains("expected") && py.contains(':'), "{py}");
    let q = &diags[1];
    assert_eq!(
        q["range"]["end"],
        json!({"line": 13, "character": "### What is a decorator?".len()})
    );
    assert!(
        q["message"]
            .as_str()
            .unwrap()
            .contains("What is a decorator?"),
        "{q}"
    );
    let j = &diags[2];
    assert_eq!(j["message"], json!("key must be a string"), "{j}");
    assert_eq!(j["range"]["end"], json!({"line": 33, "character": 1}));
    for d in diags {
        assert!(d["code"].is_string(), "codes are strings: {d}");
    }
    c.shutdown_and_exit();
}

#[test]
fn document_symbols_nest_questions_under_sections_with_samples() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/outline.md", NOTE);
    let symbols = c.document_symbols(&doc.uri);
    check_symbol_ranges(&symbols, None, true);

    assert_eq!(names(&symbols), ["Python interview notes"], "{symbols:#}");
    let title = &symbols[0];
    assert!(detail(title).starts_with("section"), "{title}");
    let topics = children(title);
    assert_eq!(names(topics), ["Functions", "Config files"]);

    let functions = &topics[0];
    assert!(detail(functions).starts_with("section"), "{functions}");
    assert_eq!(
        functions["range"]["start"],
        json!({"line": line_of(NOTE, "## Functions"), "character": 0})
    );
    // The selection is the title text after `## `.
    assert_eq!(
        functions["selectionRange"],
        json!({"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 12}})
    );
    let questions = children(functions);
    assert_eq!(
        names(questions),
        [
            "How do you give a parameter a default value?",
            "What is a decorator?",
            "How do you reverse a list in place?",
        ]
    );
    for q in questions.as_array().unwrap() {
        assert!(detail(q).starts_with("question"), "{q}");
        assert_ne!(
            q["kind"], functions["kind"],
            "questions and sections have different kinds"
        );
    }

    // Samples are children of the question that holds them.
    let broken = children(&questions[0]);
    assert_eq!(broken.as_array().unwrap().len(), 1, "{:#}", questions[0]);
    assert!(broken[0]["name"].as_str().unwrap().contains("python"));
    assert!(
        detail(&broken[0]).contains("does not parse"),
        "{}",
        broken[0]
    );
    assert_eq!(
        broken[0]["range"]["start"],
        json!({"line": nth_line_equal(NOTE, "```python", 0), "character": 0})
    );
    assert_eq!(
        broken[0]["range"]["end"]["line"],
        json!(nth_line_equal(NOTE, "```", 0))
    );
    assert!(
        detail(&questions[0]).contains("1 sample"),
        "{}",
        questions[0]
    );
    assert!(detail(&questions[0]).contains("broken"), "{}", questions[0]);

    assert!(children(&questions[1]).as_array().unwrap().is_empty());

    let valid = children(&questions[2]);
    assert_eq!(valid.as_array().unwrap().len(), 1);
    assert!(!detail(&valid[0]).contains("not parse"), "{}", valid[0]);
    assert!(
        !detail(&questions[2]).contains("broken"),
        "{}",
        questions[2]
    );

    let config = &topics[1];
    let json_q = children(config);
    assert_eq!(names(json_q), ["What does a minimal package.json need?"]);
    let json_sample = children(&json_q[0]);
    assert!(json_sample[0]["name"].as_str().unwrap().contains("json"));
    assert!(detail(&json_sample[0]).contains("does not parse"));
    c.shutdown_and_exit();
}

#[test]
fn folding_ranges_cover_sections_and_code_blocks() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/folds.md", NOTE);
    let folds = c.folding_ranges(&doc.uri);
    let mut got: Vec<(u64, u64, Option<String>)> = folds
        .as_array()
        .expect("folding ranges")
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
                f["kind"].as_str().map(str::to_string),
            )
        })
        .collect();
    got.sort();
    let region = || Some("region".to_string());
    let fence = |n| nth_line_equal(NOTE, "```", n);
    let last = NOTE.lines().count() as u64 - 1;
    let mut want = vec![
        (0, last, region()),
        (line_of(NOTE, "## Functions"), fence(1), region()),
        (line_of(NOTE, "### How do you give"), fence(0), region()),
        (line_of(NOTE, "```python"), fence(0), None),
        (line_of(NOTE, "### How do you reverse"), fence(1), region()),
        (nth_line_equal(NOTE, "```python", 1), fence(1), None),
        (line_of(NOTE, "## Config files"), last, region()),
        (line_of(NOTE, "### What does a minimal"), last, region()),
        (line_of(NOTE, "```json"), last, None),
    ];
    want.sort();
    assert_eq!(got, want, "{folds}");
    c.shutdown_and_exit();
}

#[test]
fn hover_on_a_question_previews_its_answer_and_samples() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/hover.md", NOTE);
    let line = line_of(NOTE, "### How do you give") as u32;
    let hover = c.hover(&doc.uri, line, 8);
    let value = hover["contents"]["value"].as_str().expect("markup hover");
    assert_eq!(hover["contents"]["kind"], json!("markdown"));
    assert!(
        value.contains("Write `name=value` in the signature; the default is evaluated once."),
        "{value}"
    );
    assert!(value.contains("sample"), "{value}");
    assert!(value.contains("does not parse"), "{value}");
    assert_eq!(
        hover["range"],
        json!({"start": {"line": line, "character": 4}, "end": {"line": line, "character": 48}})
    );

    // On the valid sample's question: the sample parses.
    let line = line_of(NOTE, "### How do you reverse") as u32;
    let value = c.hover(&doc.uri, line, 0)["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        value.contains("`list.reverse()` mutates the list"),
        "{value}"
    );
    assert!(value.contains("1 sample"), "{value}");
    assert!(!value.contains("not parse"), "{value}");

    // Past the end of the file: an answer (null or a hover), not an error.
    for (line, ch) in [(1000, 0), (1000, 1000), (u32::MAX / 2, 5)] {
        let r = c.request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": line, "character": ch}}),
        );
        assert!(r.get("error").is_none(), "hover at {line}:{ch}: {r}");
    }
    // Past the end of a line: clamped to the line's end, still on the heading.
    let line = line_of(NOTE, "### What is a decorator?") as u32;
    let hover = c.hover(&doc.uri, line, 5000);
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("What is a decorator?"), "{hover}");
    c.shutdown_and_exit();
}

// ---------------------------------------------------------------------------------------------
// editing

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

#[test]
fn typing_a_fix_one_character_at_a_time() {
    for caps in [caps_default(), caps_utf8()] {
        let mut c = start(caps);
        let mut doc = c.open("file:///notes/typing.md", NOTE);
        let first = c.diagnostics_for_version(&doc.uri, 1);
        assert_eq!(short_keys(&first), expected_open_diagnostics(NOTE));

        // Answer the decorator question, with emoji (two UTF-16 units, four UTF-8 bytes) and
        // a typo corrected with backspaces, so later columns on the line differ by encoding.
        let heading = "### What is a decorator?\n\n";
        let at = doc.find(heading) + heading.len();
        let answer = "A decorator 🎁 wraps a functoin\u{8}\u{8}\u{8}ion and returns a \
                      replacement ✨ (`@functools.cache` is one).\n\n";
        type_text(&mut c, &mut doc, at, answer);
        // The missing colon.
        let def = "def greet(name, greeting=\"hello\")";
        let at = doc.find(def) + def.len();
        type_text(&mut c, &mut doc, at, ":");

        let final_version = doc.version;
        assert_eq!(
            final_version as usize,
            1 + answer.chars().count() + 1,
            "one version per keystroke"
        );
        let diags = c.diagnostics_for_version(&doc.uri, final_version);
        assert_eq!(
            short_keys(&diags),
            vec![(
                "json-syntax".to_string(),
                ERROR,
                nth_line_equal(&doc.text, "}", 0),
                0
            )],
            "{diags:#?}\ntext:\n{}",
            doc.text
        );
        let symbols = c.document_symbols(&doc.uri);
        let questions = children(&children(&symbols[0])[0]);
        assert_eq!(questions[1]["name"], json!("What is a decorator?"));
        assert!(
            !detail(&questions[0]).contains("broken"),
            "{}",
            questions[0]
        );
        c.shutdown_and_exit();
    }
}

/// The fixed text a random edit may insert.
const SNIPPETS: &[&str] = &[
    "\n## Iterators\n",
    "\n### Why is a generator lazy? ",
    "\n```python\n",
    "\n```\n",
    "\n```json\n{\"a\": 1,}\n```\n",
    "def f(:\n",
    "print('🐍'\n",
    "\n**Is this a bold question?**\n",
    "👨‍👩‍👧",
    "🎉 ",
    "\n    indented = (\n",
    "\n- item one\n- item two\n",
    "[link](#functions)",
    "\n# Title\n",
];

/// Single characters a random edit may insert.
const CHARS: &[char] = &[
    'a', 'e', 'x', ' ', ' ', '\n', '\n', '#', '`', '?', ':', '(', ')', '"', '=', '-', '*', 'é',
    '中', '🐍', '\t', '>',
];

/// A random edit on `doc`'s local text: the change event, already applied locally. With
/// `crlf`, inserted line breaks are `\r\n`.
fn random_change(rng: &mut XorShift, doc: &mut Doc, crlf: bool) -> Value {
    // Character boundaries, end included, except between the CR and LF of a CRLF: LSP
    // positions cannot name that place.
    let bytes = doc.text.as_bytes();
    let bounds: Vec<usize> = doc
        .text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(doc.text.len()))
        .filter(|&b| !(b > 0 && bytes[b - 1] == b'\r' && bytes.get(b) == Some(&b'\n')))
        .collect();
    let at = bounds[rng.below(bounds.len())];
    let roll = rng.below(100);
    let breaks = |s: &str| {
        if crlf {
            s.replace('\n', "\r\n")
        } else {
            s.to_string()
        }
    };
    if roll < 38 || doc.text.is_empty() {
        let ch = CHARS[rng.below(CHARS.len())];
        doc.insert(at, &breaks(&ch.to_string()))
    } else if roll < 48 {
        doc.insert(at, &breaks(SNIPPETS[rng.below(SNIPPETS.len())]))
    } else if roll < 90 {
        // One character (a CRLF counts as one).
        let i = bounds.partition_point(|&b| b <= at).min(bounds.len() - 1);
        let (from, to) = if at == doc.text.len() {
            (bounds[bounds.len() - 2], at)
        } else {
            (at, bounds[i])
        };
        doc.replace(from..to, "")
    } else {
        // A short range, possibly across lines, replaced by a character or nothing.
        let i = bounds.partition_point(|&b| b < at);
        let to = bounds[(i + 1 + rng.below(8)).min(bounds.len() - 1)];
        let with = if rng.below(2) == 0 { "" } else { "?" };
        doc.replace(at..to, with)
    }
}

/// Diagnostics with the document's own uri replaced, so two documents' can be compared.
fn without_uri(diags: &[Value], uri: &str) -> Value {
    let s = serde_json::to_string(diags).unwrap();
    serde_json::from_str(&s.replace(uri, "<uri>")).unwrap()
}

/// A longer starting note for the random edits: emoji and CJK text, several fences.
fn ordering_seed() -> String {
    let mut text = NOTE.to_string();
    text.push_str(
        "\n## Strings 🧵\n\n### Why does `len(\"🐍\")` return 1?\n\nPython counts code points: \
         `\"🐍\"` is one, but UTF-16 needs two units.\n\n```python\ns = \"中文🐍\"\nprint(len(s), \
         s.encode(\"utf-16-le\"))\n```\n\n**What does `str.casefold()` do?**\n\nLike `lower()`, \
         but more aggressive: `\"ß\".casefold() == \"ss\"`.\n",
    );
    text
}

#[test]
fn hundreds_of_unawaited_edits_are_applied_in_order() {
    for (seed, caps, crlf) in [
        (0x5eed_1234_u64, caps_default(), false),
        (0xfeed_beef, caps_utf8(), false),
        (0xc0ff_ee11, caps_default(), true),
    ] {
        let mut c = start(caps);
        let uri = "file:///notes/ordering.md";
        let seed_text = if crlf {
            ordering_seed().replace('\n', "\r\n")
        } else {
            ordering_seed()
        };
        let mut doc = c.open(uri, &seed_text);
        let mut rng = XorShift::new(seed);
        // Mid-stream requests: each must see every edit sent before it.
        let mut checkpoints: Vec<(String, Value)> = Vec::new();
        for i in 0..500 {
            let mut changes = vec![random_change(&mut rng, &mut doc, crlf)];
            if rng.below(20) == 0 {
                // Now and then two changes in one notification, applied in sequence.
                changes.push(random_change(&mut rng, &mut doc, crlf));
            }
            doc.version += 1;
            c.change(&doc, changes);
            if i % 125 == 124 {
                let symbols = c.document_symbols(uri);
                checkpoints.push((doc.text.clone(), symbols));
            }
        }
        let final_version = doc.version;
        let symbols = c.document_symbols(uri);
        let folds = c.folding_ranges(uri);
        // Every publication is for a newer version than the last; the final one comes.
        let mut versions = Vec::new();
        let diags = loop {
            let p = c.wait_for_diagnostics(uri, |_| true);
            let v = p["version"]
                .as_i64()
                .expect("diagnostics carry the version");
            versions.push(v);
            if v == final_version {
                break p["diagnostics"].as_array().unwrap().clone();
            }
        };
        assert!(
            versions.windows(2).all(|w| w[0] < w[1]),
            "publications went back in version: {versions:?}"
        );
        check_symbol_ranges(&symbols, None, false);

        // A fresh document with the final text must get the same answers.
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        let fresh = c.open("file:///notes/fresh.md", &doc.text);
        let fresh_diags = c.diagnostics_for_version(&fresh.uri, 1);
        assert_eq!(
            without_uri(&diags, uri),
            without_uri(&fresh_diags, &fresh.uri),
            "diagnostics after 500 edits differ from a fresh open of the same text (seed \
             {seed:#x}); final text:\n{}",
            doc.text
        );
        assert_eq!(
            symbols,
            c.document_symbols(&fresh.uri),
            "symbols differ (seed {seed:#x}); final text:\n{}",
            doc.text
        );
        assert_eq!(
            folds,
            c.folding_ranges(&fresh.uri),
            "folds differ (seed {seed:#x})"
        );
        for (n, (text, symbols)) in checkpoints.iter().enumerate() {
            let uri = format!("file:///notes/checkpoint-{n}.md");
            c.open(&uri, text);
            assert_eq!(
                symbols,
                &c.document_symbols(&uri),
                "a documentSymbol request sent after edit {} did not see exactly the edits \
                 before it (seed {seed:#x}); text:\n{text}",
                125 * (n + 1)
            );
        }
        // The random edits did reach the interesting cases.
        assert!(
            doc.text.contains("```")
                && doc.text.contains("\n#")
                && doc.text.chars().any(|c| c as u32 > 0xFFFF),
            "the final text has fences, headings and characters outside the BMP:\n{}",
            doc.text
        );
        assert_eq!(final_version, 501);
        c.shutdown_and_exit();
    }
}

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
