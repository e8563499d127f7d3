//! One note, opened: its diagnostics, symbols, folding ranges and hover.

use super::*;

#[test]
fn diagnostics_go_out_before_an_outline_asked_for_right_after_opening() {
    // Both wait for the note's first parse; whichever took its lock first used to answer
    // first, and a big outline then held up the diagnostics in the client's reader. The
    // outline waits at most 200 ms for them (server/direct.rs): an answer sooner than that
    // must come after them; on a machine so loaded that the analysis takes longer, the
    // outline may go first, as promised.
    let mut c = start(caps_default());
    let text = NOTE.repeat(30);
    for round in 0..5 {
        let uri = format!("file:///notes/opened-{round}.md");
        let sent = std::time::Instant::now();
        c.open(&uri, &text);
        let symbols = c.document_symbols(&uri);
        let waited = sent.elapsed();
        assert!(!symbols.as_array().unwrap().is_empty(), "{symbols}");
        assert!(
            c.received(|m| m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == json!(uri))
                || waited >= std::time::Duration::from_millis(200),
            "round {round}: the outline came before the diagnostics, {waited:?} after the open"
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

    // A sample that parses is counted in the detail, not listed (by default).
    assert!(children(&questions[2]).as_array().unwrap().is_empty());
    assert_eq!(
        detail(&questions[2]),
        "question · 1 sample",
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
fn the_outline_lists_every_sample_or_none_as_the_settings_say() {
    let mut c = start(caps_default());
    let doc = c.open("file:///notes/outline-all.md", NOTE);
    // The samples listed under the first question (broken) and the third (parses).
    let listed = |symbols: &Value| {
        let questions = children(&children(&symbols[0])[0]).clone();
        (
            children(&questions[0]).clone(),
            children(&questions[2]).clone(),
        )
    };
    let count =
        |(b, v): &(Value, Value)| (b.as_array().unwrap().len(), v.as_array().unwrap().len());
    assert_eq!(count(&listed(&c.document_symbols(&doc.uri))), (1, 0));
    for (which, want) in [("all", (1, 1)), ("none", (0, 0)), ("broken", (1, 0))] {
        c.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"notesLsp": {"outline": {"samples": which}}}}),
        );
        // The setting takes effect once the notification is handled: ask until it has.
        let mut symbols = c.document_symbols(&doc.uri);
        for _ in 0..100 {
            if count(&listed(&symbols)) == want {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            symbols = c.document_symbols(&doc.uri);
        }
        let (broken, valid) = listed(&symbols);
        assert_eq!(
            count(&(broken.clone(), valid.clone())),
            want,
            "{which}: {symbols:#}"
        );
        if want.1 == 1 {
            assert_eq!(valid[0]["name"], json!("python sample"));
            assert_eq!(detail(&valid[0]), "parses");
        }
        if want.0 == 1 {
            assert!(detail(&broken[0]).starts_with("does not parse"), "{broken}");
        }
    }
    c.shutdown_and_exit();
}

/// `1. ### What is ...`: a heading opening an ordered list item is numbered by it, a question
/// like `### 1. What is ...` (an unordered item's heading is not).
#[test]
fn headings_opening_ordered_list_items_are_questions() {
    let mut c = start(caps_default());
    let text = "# JavaScript\n\n1. ### What is a prototype chain\n\n   Objects inherit along it.\n\n2. ### What is JSON\n\n   A text format.\n\n- ### Further reading\n\n  Links.\n";
    let doc = c.open("file:///notes/list-questions.md", text);
    let symbols = c.document_symbols(&doc.uri);
    let items = children(&symbols[0]);
    assert_eq!(
        names(items),
        [
            "What is a prototype chain",
            "What is JSON",
            "Further reading"
        ],
        "{symbols:#}"
    );
    assert_eq!(detail(&items[0]), "question");
    assert_eq!(detail(&items[1]), "question");
    assert_eq!(detail(&items[2]), "section");
    assert_ne!(items[0]["kind"], items[2]["kind"]);
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
