//! Completion, document links and workspace symbols.

use super::*;

#[test]
fn completion_offers_anchors_and_note_paths() {
    let ws = Ws::new("completion");
    let mut c = indexed(&ws, Value::Null);
    let mut adv = open_note(&mut c, &ws, "advanced.md");

    // After `](#`: this note's anchors.
    let end = adv.text.len();
    adv.edit(&mut c, end..end, "\nSee [x](#");
    let p = position_of(&adv.text, adv.text.len(), c.enc);
    let items = c.request("textDocument/completion", tdp(&adv.uri, p));
    let got = labels(&items);
    for slug in [
        "advanced-python",
        ASYNC_SLUG,
        "5-what-is-the-difference-between-a-thread-and-a-process",
    ] {
        assert!(got.contains(&slug.to_string()), "{slug} not in {got:?}");
    }
    assert!(!got.contains(&GIL_SLUG.to_string()), "{got:?}");

    // After `](python.md#2-wh`: python.md's anchors, replacing what was typed.
    let end = adv.text.len();
    adv.edit(&mut c, end - 1..end, "python.md#2-wh");
    let p = position_of(&adv.text, adv.text.len(), c.enc);
    let items = c.request("textDocument/completion", tdp(&adv.uri, p));
    let got = labels(&items);
    for slug in [
        "concurrency",
        THREAD_SLUG,
        GIL_SLUG,
        "decorators",
        "contents",
    ] {
        assert!(got.contains(&slug.to_string()), "{slug} not in {got:?}");
    }
    let gil = items
        .get("items")
        .unwrap_or(&items)
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["filterText"] == GIL_SLUG)
        .unwrap();
    assert_eq!(gil["label"], GIL_TITLE, "{gil}");
    assert_eq!(gil["detail"], format!("python.md#{GIL_SLUG}"), "{gil}");
    let te = &gil["textEdit"];
    assert_eq!(te["newText"], GIL_SLUG);
    let (l, ch) = (u64::from(p.0), u64::from(p.1));
    assert_eq!(range_key(&te["range"]), (l, ch - 4, l, ch), "{te}");

    // After `](`: the other notes, by relative path; not this note, the ignored draft or
    // the file that is not UTF-8.
    let end = adv.text.len();
    let hash = adv.text.rfind("python.md#").unwrap();
    adv.edit(&mut c, hash..end, "");
    let p = position_of(&adv.text, adv.text.len(), c.enc);
    let items = c.request("textDocument/completion", tdp(&adv.uri, p));
    let got: BTreeSet<String> = labels(&items).into_iter().collect();
    assert_eq!(
        got,
        ["python.md", "topics/threads.md"]
            .into_iter()
            .map(String::from)
            .collect(),
        "{items}"
    );

    // From the subfolder: `../` paths, and anchors of a note reached through `../`.
    let mut threads = open_note(&mut c, &ws, "topics/threads.md");
    let end = threads.text.len();
    threads.edit(&mut c, end..end, "\nAlso [x](");
    let p = position_of(&threads.text, threads.text.len(), c.enc);
    let items = c.request("textDocument/completion", tdp(&threads.uri, p));
    let got: BTreeSet<String> = labels(&items).into_iter().collect();
    assert_eq!(
        got,
        ["../advanced.md", "../python.md"]
            .into_iter()
            .map(String::from)
            .collect(),
        "{items}"
    );
    let end = threads.text.len();
    threads.edit(&mut c, end..end, "../python.md#");
    let p = position_of(&threads.text, threads.text.len(), c.enc);
    let items = c.request("textDocument/completion", tdp(&threads.uri, p));
    assert!(
        !items.is_null(),
        "no completion after `](../python.md#` in a subfolder note"
    );
    let got = labels(&items);
    assert!(got.contains(&GIL_SLUG.to_string()), "{got:?}");

    // Outside a link destination: nothing.
    let (l, ch) = at(&adv.text, "CPython the", 3, c.enc);
    let items = c.request("textDocument/completion", tdp(&adv.uri, (l, ch)));
    assert!(
        items.is_null() || labels(&items).is_empty(),
        "completion in prose: {items}"
    );
    c.shutdown_and_exit();
}

#[test]
fn document_links_have_targets() {
    let ws = Ws::new("document-links");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let threads = open_note(&mut c, &ws, "topics/threads.md");
    let py_uri = ws.uri("python.md");
    let line1 = |text: &str, needle: &str| line_of(text, needle) + 1;

    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": adv.uri}}),
    );
    let got: BTreeSet<((u64, u64, u64, u64), String)> = links
        .as_array()
        .unwrap_or_else(|| panic!("document links: {links}"))
        .iter()
        .map(|l| {
            (
                range_key(&l["range"]),
                l["target"].as_str().expect("a target").to_string(),
            )
        })
        .collect();
    let url = "https://docs.python.org/3/glossary.html#term-global-interpreter-lock";
    let expected: BTreeSet<((u64, u64, u64, u64), String)> = [
        (
            format!("[the GIL answer](python.md#{GIL_SLUG})"),
            format!("{py_uri}#L{}", line1(PYTHON, GIL_TITLE)),
        ),
        (
            "[concurrency](python.md#concurrency)".to_string(),
            format!("{py_uri}#L{}", line1(PYTHON, "## Concurrency")),
        ),
        // The anchor is missing: the note itself.
        ("[a typo](python.md#concurency)".to_string(), py_uri.clone()),
        (
            "[a lost note](missing.md)".to_string(),
            ws.uri("missing.md"),
        ),
        (
            format!("[async](#{ASYNC_SLUG})"),
            format!("{}#L{}", adv.uri, line1(&adv.text, "## Async IO")),
        ),
        (url.to_string(), url.to_string()),
    ]
    .into_iter()
    .map(|(needle, target)| (range_of(&adv.text, &needle, c.enc), target))
    .collect();
    assert_eq!(got, expected, "{links}");

    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": threads.uri}}),
    );
    let targets: BTreeSet<&str> = links
        .as_array()
        .expect("document links")
        .iter()
        .map(|l| l["target"].as_str().expect("a target"))
        .collect();
    let expected = [
        format!("{py_uri}#L{}", line1(PYTHON, GIL_TITLE)),
        format!("{}#L{}", adv.uri, line1(ADVANCED, "## Async IO")),
    ];
    assert_eq!(
        targets,
        expected.iter().map(String::as_str).collect(),
        "`../` targets are resolved to the notes' own URIs: {links}"
    );
    c.shutdown_and_exit();
}

#[test]
fn workspace_symbols_find_questions_fuzzily() {
    let ws = Ws::new("symbols");
    let mut c = indexed(&ws, Value::Null);
    let py_uri = ws.uri("python.md");

    let found = c.request("workspace/symbol", json!({"query": "gil"}));
    let first = &found[0];
    assert_eq!(first["name"], GIL_TITLE, "{found}");
    assert_eq!(first["location"]["uri"], py_uri);
    assert_eq!(
        range_key(&first["location"]["range"]),
        range_of(PYTHON, GIL_TITLE, c.enc)
    );
    assert_eq!(first["kind"], 11, "a question is an interface symbol");
    let container = first["containerName"].as_str().unwrap_or_default();
    assert!(
        container.contains("python.md") && container.contains("Concurrency"),
        "{container}"
    );
    // The ignored draft asks the same question; it must not show up.
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["location"]["uri"]
                .as_str()
                .unwrap_or_default()
                .contains("drafts")),
        "{found}"
    );

    // Misspelled.
    let found = c.request("workspace/symbol", json!({"query": "concurency"}));
    assert_eq!(found[0]["name"], "Concurrency", "{found}");
    assert_eq!(found[0]["location"]["uri"], py_uri);
    assert_eq!(found[0]["kind"], 3, "a section is a namespace symbol");

    // Several words, from an unopened note in a subfolder.
    let found = c.request("workspace/symbol", json!({"query": "start thread"}));
    assert_eq!(found[0]["name"], "How do you start a thread?", "{found}");
    assert_eq!(found[0]["location"]["uri"], ws.uri("topics/threads.md"));

    let found = c.request("workspace/symbol", json!({"query": "zzqxv"}));
    assert_eq!(found, json!([]));
    c.shutdown_and_exit();
}
