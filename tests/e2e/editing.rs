//! Editing: typing one character at a time, hundreds of unawaited edits in order.

use super::*;

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
