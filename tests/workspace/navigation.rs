//! Hover, definition, references and rename across notes.

use super::*;

#[test]
fn hover_on_a_term_explains_it_from_another_note() {
    let ws = Ws::new("term-hover");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let (line, ch) = at(&adv.text, "GIL serializes", 1, c.enc);
    let h = c.hover(&adv.uri, line, ch);
    let md = hover_text(&h);
    assert!(
        md.contains("mutex in CPython"),
        "the GIL's explanation from python.md: {md}"
    );
    assert!(
        md.contains("python.md"),
        "a breadcrumb naming python.md: {md}"
    );
    assert!(
        md.contains(GIL_TITLE),
        "the breadcrumb ends at the question: {md}"
    );
    assert!(
        !md.contains("Draft."),
        "the ignored draft is not a source: {md}"
    );

    // A definition line (`**Concurrency** refers to ...`) explains a term too.
    let (line, ch) = at(&adv.text, "**concurrency** without", 4, c.enc);
    let md = hover_text(&c.hover(&adv.uri, line, ch));
    assert!(
        md.contains("refers to making progress on several tasks"),
        "the definition line from python.md: {md}"
    );
    assert!(md.contains("python.md › "), "{md}");

    // A word nobody explains has no hover.
    let (line, ch) = at(&adv.text, "bytecode, so", 2, c.enc);
    assert_eq!(c.hover(&adv.uri, line, ch), Value::Null);
    c.shutdown_and_exit();
}

#[test]
fn hover_on_links_and_headings() {
    let ws = Ws::new("link-hover");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let py = open_note(&mut c, &ws, "python.md");

    // A link previews the section it points at.
    let (line, ch) = at(&adv.text, "[the GIL answer]", 3, c.enc);
    let md = hover_text(&c.hover(&adv.uri, line, ch));
    assert!(md.contains(GIL_TITLE), "{md}");
    assert!(
        md.contains("mutex in CPython"),
        "a preview of the answer: {md}"
    );
    assert!(md.contains("python.md"), "{md}");

    // Same-note link.
    let (line, ch) = at(&adv.text, "[async]", 2, c.enc);
    let md = hover_text(&c.hover(&adv.uri, line, ch));
    assert!(md.contains("Async IO — event loops"), "{md}");
    assert!(md.contains("An event loop runs coroutines"), "{md}");

    // A broken link says what is wrong.
    let (line, ch) = at(&adv.text, "[a typo]", 2, c.enc);
    let md = hover_text(&c.hover(&adv.uri, line, ch));
    assert!(md.contains("concurency"), "{md}");
    assert!(
        md.contains("`#concurrency`"),
        "suggests the closest heading: {md}"
    );

    // A heading says how many links point at it: python.md's table of contents and its
    // decorator answer, advanced.md and topics/threads.md; not the ignored draft.
    let (line, ch) = at(&py.text, GIL_TITLE, 3, c.enc);
    let md = hover_text(&c.hover(&py.uri, line, ch));
    assert!(md.contains("mutex in CPython"), "{md}");
    assert!(md.contains("4 links point here"), "{md}");

    // A question asked elsewhere says where.
    let (line, ch) = at(&py.text, "1. What is the difference", 3, c.enc);
    let md = hover_text(&c.hover(&py.uri, line, ch));
    let adv_line = line_of(&adv.text, "### 5. What is the difference") + 1;
    assert!(
        md.contains(&format!("Also asked in advanced.md:{adv_line}")),
        "names advanced.md and the line there: {md}"
    );
    c.shutdown_and_exit();
}

/// A link's preview is read from the note it points at when the hover asks: from the file
/// as it is then, also when it changed on disk after it was indexed and nobody said so (the
/// heading found again by its anchor, its lines moved).
#[test]
fn a_link_previews_the_file_as_it_is_now() {
    let ws = Ws::new("preview-now");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let (line, ch) = at(&adv.text, "[the GIL answer]", 3, c.enc);
    let md = hover_text(&c.hover(&adv.uri, line, ch));
    assert!(md.contains("mutex in CPython"), "{md}");
    assert!(md.contains(GIL_TITLE), "{md}");
    let changed = PYTHON.replace("mutex in CPython", "lock inside CPython");
    ws.write("python.md", &format!("A line.\n\nAnother.\n\n{changed}"));
    let md = hover_text(&c.hover(&adv.uri, line, ch));
    assert!(
        md.contains("lock inside CPython"),
        "the file as it is now: {md}"
    );
    assert!(!md.contains("mutex in CPython"), "{md}");
    assert!(md.contains(GIL_TITLE), "{md}");
    c.shutdown_and_exit();
}

#[test]
fn definition_follows_links_across_notes_and_folders() {
    let ws = Ws::new("definition");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let threads = open_note(&mut c, &ws, "topics/threads.md");
    let py_uri = ws.uri("python.md");
    let gil_title = range_of(PYTHON, GIL_TITLE, c.enc);

    let (line, ch) = at(&adv.text, "(python.md#2-what", 4, c.enc);
    let d = c.request("textDocument/definition", tdp(&adv.uri, (line, ch)));
    assert_eq!(single_location(&d), (py_uri.clone(), gil_title), "{d}");

    // Within the note.
    let (line, ch) = at(&adv.text, "[async]", 1, c.enc);
    let d = c.request("textDocument/definition", tdp(&adv.uri, (line, ch)));
    assert_eq!(
        single_location(&d),
        (
            adv.uri.clone(),
            range_of(&adv.text, "Async IO — event loops", c.enc)
        ),
        "{d}"
    );

    // Up out of a subfolder, and into a sibling note.
    let (line, ch) = at(&threads.text, "[the GIL]", 2, c.enc);
    let d = c.request("textDocument/definition", tdp(&threads.uri, (line, ch)));
    assert_eq!(single_location(&d), (py_uri.clone(), gil_title), "{d}");
    let (line, ch) = at(&threads.text, "[event loops]", 2, c.enc);
    let d = c.request("textDocument/definition", tdp(&threads.uri, (line, ch)));
    assert_eq!(
        single_location(&d).0,
        adv.uri,
        "../advanced.md resolves to the open advanced.md: {d}"
    );

    // Broken links and plain text go nowhere.
    for needle in ["[a typo]", "[a lost note]", "CPython the"] {
        let (line, ch) = at(&adv.text, needle, 2, c.enc);
        let d = c.request("textDocument/definition", tdp(&adv.uri, (line, ch)));
        assert!(
            d.is_null() || d.as_array().is_some_and(Vec::is_empty),
            "{needle}: {d}"
        );
    }
    c.shutdown_and_exit();
}

#[test]
fn references_to_a_heading_come_from_the_whole_workspace() {
    let ws = Ws::new("references");
    let mut c = indexed(&ws, Value::Null);
    let py = open_note(&mut c, &ws, "python.md");
    let (line, ch) = at(&py.text, GIL_TITLE, 5, c.enc);
    let refs = c.request(
        "textDocument/references",
        json!({
            "textDocument": {"uri": py.uri},
            "position": pos_json((line, ch)),
            "context": {"includeDeclaration": false},
        }),
    );
    let expected: BTreeSet<(String, u64)> = [
        (py.uri.clone(), line_of(PYTHON, "- [The GIL]")),
        (py.uri.clone(), line_of(PYTHON, "A callable that takes")),
        (
            ws.uri("advanced.md"),
            line_of(ADVANCED, "Read [the GIL answer]"),
        ),
        (
            ws.uri("topics/threads.md"),
            line_of(THREADS, "See [the GIL]"),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(locations(&refs), expected, "{refs}");
    // The ranges are the links themselves.
    let adv_ref = refs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["uri"] == ws.uri("advanced.md"))
        .unwrap();
    assert_eq!(
        range_key(&adv_ref["range"]),
        range_of(
            ADVANCED,
            &format!("[the GIL answer](python.md#{GIL_SLUG})"),
            c.enc
        )
    );

    let with_decl = c.request(
        "textDocument/references",
        json!({
            "textDocument": {"uri": py.uri},
            "position": pos_json((line, ch)),
            "context": {"includeDeclaration": true},
        }),
    );
    let mut expected_decl = expected.clone();
    expected_decl.insert((py.uri.clone(), u64::from(line)));
    assert_eq!(locations(&with_decl), expected_decl, "{with_decl}");

    // A heading nobody links to has none.
    let (line, ch) = at(&py.text, "3. What is a decorator?", 3, c.enc);
    let none = c.request(
        "textDocument/references",
        json!({
            "textDocument": {"uri": py.uri},
            "position": pos_json((line, ch)),
            "context": {"includeDeclaration": false},
        }),
    );
    assert_eq!(none, json!([]));
    c.shutdown_and_exit();
}

#[test]
fn renaming_a_heading_rewrites_every_link_to_it() {
    let ws = Ws::new("rename");
    let mut c = indexed(&ws, Value::Null);
    let mut py = open_note(&mut c, &ws, "python.md");
    let mut adv = open_note(&mut c, &ws, "advanced.md");
    let threads_uri = ws.uri("topics/threads.md");
    c.diagnostics_for_version(&py.uri, 1);
    let before = c.diagnostics_for_version(&adv.uri, 1);
    assert_eq!(with_code(&before, "broken-link").len(), 2, "{before:?}");

    let (line, ch) = at(&py.text, GIL_TITLE, 7, c.enc);
    let prep = c.request("textDocument/prepareRename", tdp(&py.uri, (line, ch)));
    assert_eq!(prep["placeholder"], GIL_TITLE, "{prep}");
    assert_eq!(
        range_key(&prep["range"]),
        range_of(&py.text, GIL_TITLE, c.enc)
    );
    // Not on a heading: nothing to rename.
    let (l, ch2) = at(&py.text, "The GIL is a mutex", 5, c.enc);
    let none = c.request_raw("textDocument/prepareRename", tdp(&py.uri, (l, ch2)));
    assert!(
        none.get("error").is_some() || none["result"].is_null(),
        "{none}"
    );

    let new_title = "2. What does the GIL do?";
    let new_slug = "2-what-does-the-gil-do";
    assert_eq!(github_slug(new_title), new_slug);
    let edit = c.request(
        "textDocument/rename",
        json!({
            "textDocument": {"uri": py.uri},
            "position": pos_json((line, ch)),
            "newName": new_title,
        }),
    );
    let changes = edit["changes"]
        .as_object()
        .unwrap_or_else(|| panic!("a WorkspaceEdit with changes: {edit}"));
    let files: BTreeSet<&str> = changes.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [py.uri.as_str(), adv.uri.as_str(), threads_uri.as_str()]
            .into_iter()
            .collect(),
        "the ignored draft is not edited: {edit}"
    );
    let count = |uri: &str| changes[uri].as_array().map_or(0, Vec::len);
    assert_eq!(count(&py.uri), 3, "title and two links: {edit}");
    assert_eq!(count(&adv.uri), 1, "{edit}");
    assert_eq!(count(&threads_uri), 1, "{edit}");

    // Apply the edit as a client would: open documents through didChange, the closed one
    // on disk with a watched-file event.
    for doc in [&mut py, &mut adv] {
        let edits = changes[doc.uri.as_str()].as_array().unwrap().clone();
        let events: Vec<Value> = byte_edits(&doc.text, &edits, c.enc)
            .into_iter()
            .map(|(r, new)| doc.replace(r, &new))
            .collect();
        doc.version += 1;
        c.change(doc, events);
    }
    let threads_text = ws.read("topics/threads.md");
    let mut new_threads = threads_text.clone();
    for (r, new) in byte_edits(
        &threads_text,
        changes[threads_uri.as_str()].as_array().unwrap(),
        c.enc,
    ) {
        new_threads.replace_range(r, &new);
    }
    ws.write("topics/threads.md", &new_threads);
    watched(&mut c, &ws, &[("topics/threads.md", 2)]);

    assert!(
        py.text
            .contains(&format!("### {new_title}\n\nThe GIL is a mutex")),
        "{}",
        py.text
    );
    assert!(
        py.text.contains(&format!("- [The GIL](#{new_slug})")),
        "{}",
        py.text
    );
    assert!(py.text.contains(&format!("[GIL](#{new_slug}).")));
    assert!(!py.text.contains(GIL_SLUG), "{}", py.text);
    assert!(
        adv.text
            .contains(&format!("[the GIL answer](python.md#{new_slug})")),
        "{}",
        adv.text
    );
    assert_eq!(
        new_threads,
        THREADS.replace(GIL_SLUG, new_slug),
        "only the anchor changes"
    );
    // The draft on disk is untouched (it is ignored).
    assert_eq!(ws.read("drafts/secret.md"), SECRET);

    let py_diags = c.diagnostics_for_version(&py.uri, 2);
    assert_eq!(with_code(&py_diags, "broken-link"), Vec::<&Value>::new());
    let adv_diags = c.wait_for_diagnostics(&adv.uri, |p| {
        p["version"] == 2 && with_code(&diags_of(p), "broken-link").len() == 2
    });
    let adv_diags = diags_of(&adv_diags);
    let msgs = messages(&with_code(&adv_diags, "broken-link"));
    assert!(
        msgs.iter().any(|m| m.contains("#concurency"))
            && msgs.iter().any(|m| m.contains("missing.md")),
        "only the links broken from the start remain: {msgs:?}"
    );
    let threads = open_note(&mut c, &ws, "topics/threads.md");
    let threads_diags = c.diagnostics_for_version(&threads.uri, 1);
    assert_eq!(
        with_code(&threads_diags, "broken-link"),
        Vec::<&Value>::new()
    );

    // And the renamed heading is where the links go now.
    let (l, ch) = at(&threads.text, "[the GIL]", 2, c.enc);
    let d = c.request("textDocument/definition", tdp(&threads.uri, (l, ch)));
    assert_eq!(
        single_location(&d),
        (py.uri.clone(), range_of(&py.text, new_title, c.enc))
    );
    c.shutdown_and_exit();
}
