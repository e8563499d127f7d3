//! Diagnostics that follow other notes, settings from the client and from the settings
//! file, and watched-file events.

use super::*;

#[test]
fn broken_links_and_duplicate_questions_are_diagnosed() {
    let ws = Ws::new("diagnostics");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let diags = c.diagnostics_for_version(&adv.uri, 1);

    let broken = with_code(&diags, "broken-link");
    assert_eq!(broken.len(), 2, "{diags:?}");
    let typo = broken
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("#concurency"))
        .unwrap_or_else(|| panic!("no broken-link for the typo: {diags:?}"));
    assert_eq!(
        range_key(&typo["range"]),
        range_of(ADVANCED, "[a typo](python.md#concurency)", c.enc)
    );
    assert_eq!(typo["severity"], WARNING);
    let msg = typo["message"].as_str().unwrap();
    assert!(
        msg.contains("python.md") && msg.contains("did you mean `#concurrency`"),
        "suggests the closest heading: {msg}"
    );
    let lost = broken
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("missing.md"))
        .unwrap_or_else(|| panic!("no broken-link for the missing note: {diags:?}"));
    assert_eq!(
        range_key(&lost["range"]),
        range_of(ADVANCED, "[a lost note](missing.md)", c.enc)
    );

    let dups = with_code(&diags, "duplicate-question");
    assert_eq!(dups.len(), 1, "{diags:?}");
    let dup = dups[0];
    assert_eq!(dup["severity"], INFORMATION);
    assert_eq!(
        range_key(&dup["range"]),
        range_of(
            ADVANCED,
            "5. What is the difference between a thread and a process?",
            c.enc
        )
    );
    assert!(
        dup["message"].as_str().unwrap().contains("python.md"),
        "{dup}"
    );
    let related = dup["relatedInformation"]
        .as_array()
        .unwrap_or_else(|| panic!("relatedInformation: {dup}"));
    assert_eq!(related.len(), 1, "{dup}");
    assert_eq!(related[0]["location"]["uri"], ws.uri("python.md"));
    assert_eq!(
        range_key(&related[0]["location"]["range"]),
        range_of(
            PYTHON,
            "1. What is the difference between a thread and a process?",
            c.enc
        )
    );
    assert_eq!(diags.len(), 3, "nothing else: {diags:?}");

    // The subfolder note's `../` links all resolve.
    let threads = open_note(&mut c, &ws, "topics/threads.md");
    let diags = c.diagnostics_for_version(&threads.uri, 1);
    assert_eq!(diags, Vec::<Value>::new());

    // python.md sees the duplicate from its side; the ignored draft's copy of the GIL
    // question is not a duplicate.
    let py = open_note(&mut c, &ws, "python.md");
    let diags = c.diagnostics_for_version(&py.uri, 1);
    let dups = with_code(&diags, "duplicate-question");
    assert_eq!(dups.len(), 1, "{diags:?}");
    assert_eq!(
        dups[0]["relatedInformation"][0]["location"]["uri"], adv.uri,
        "{diags:?}"
    );
    assert_eq!(with_code(&diags, "broken-link"), Vec::<&Value>::new());
    c.shutdown_and_exit();
}

/// The broken-link messages of a publication.
fn broken_messages(p: &Value) -> Vec<String> {
    messages(&with_code(&diags_of(p), "broken-link"))
}

#[test]
fn diagnostics_follow_a_closed_linked_note_on_disk() {
    let ws = Ws::new("watched");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let diags = c.diagnostics_for_version(&adv.uri, 1);
    assert_eq!(with_code(&diags, "broken-link").len(), 2, "{diags:?}");

    // python.md's "## Concurrency" is renamed on disk: the link to it breaks.
    ws.write(
        "python.md",
        &PYTHON.replace("## Concurrency", "## Parallelism"),
    );
    watched(&mut c, &ws, &[("python.md", 2)]);
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        broken_messages(p)
            .iter()
            .any(|m| m.contains("no heading `#concurrency`"))
    });
    assert_eq!(broken_messages(&p).len(), 3, "{p}");
    let d = diags_of(&p);
    let new = with_code(&d, "broken-link")
        .into_iter()
        .find(|d| d["message"].as_str().unwrap().contains("`#concurrency`"))
        .unwrap()
        .clone();
    assert_eq!(
        range_key(&new["range"]),
        range_of(ADVANCED, "[concurrency](python.md#concurrency)", c.enc)
    );

    // Renamed back: fixed again.
    ws.write("python.md", PYTHON);
    watched(&mut c, &ws, &[("python.md", 2)]);
    let p = c.wait_for_diagnostics(&adv.uri, |p| broken_messages(p).len() == 2);
    assert!(
        broken_messages(&p)
            .iter()
            .any(|m| m.contains("did you mean `#concurrency`")),
        "{p}"
    );

    // Deleted: every link into it is broken.
    std::fs::remove_file(ws.path("python.md")).unwrap();
    watched(&mut c, &ws, &[("python.md", 3)]);
    let p = c.wait_for_diagnostics(&adv.uri, |p| broken_messages(p).len() == 4);
    assert_eq!(
        broken_messages(&p)
            .iter()
            .filter(|m| m.contains("python.md"))
            .count(),
        3,
        "{p}"
    );

    // The missing note appears: its link resolves.
    ws.write("missing.md", "# Found\n");
    ws.write("python.md", PYTHON);
    watched(&mut c, &ws, &[("missing.md", 1), ("python.md", 1)]);
    let p = c.wait_for_diagnostics(&adv.uri, |p| broken_messages(p).len() == 1);
    assert!(broken_messages(&p)[0].contains("#concurency"), "{p}");
    c.shutdown_and_exit();
}

#[test]
fn diagnostics_follow_edits_to_an_open_linked_note() {
    let ws = Ws::new("open-target");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let mut py = open_note(&mut c, &ws, "python.md");
    let diags = c.diagnostics_for_version(&adv.uri, 1);
    assert_eq!(with_code(&diags, "broken-link").len(), 2, "{diags:?}");
    c.diagnostics_for_version(&py.uri, 1);

    // Edit python.md in the editor (not saved): advanced.md's link to the heading breaks.
    let at_heading = py.find("## Concurrency") + 3;
    py.edit(
        &mut c,
        at_heading..at_heading + "Concurrency".len(),
        "Parallelism",
    );
    let p = c.diagnostics_for_version(&py.uri, 2);
    assert_eq!(
        with_code(&p, "broken-link").len(),
        1,
        "python.md's own table of contents now links to nothing: {p:?}"
    );
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        broken_messages(p)
            .iter()
            .any(|m| m.contains("no heading `#concurrency`"))
    });
    assert_eq!(broken_messages(&p).len(), 3, "{p}");
    assert_eq!(p["version"], 1, "advanced.md itself did not change");

    // Undo: fixed again.
    let at_heading = py.find("## Parallelism") + 3;
    py.edit(
        &mut c,
        at_heading..at_heading + "Parallelism".len(),
        "Concurrency",
    );
    let p = c.wait_for_diagnostics(&adv.uri, |p| broken_messages(p).len() == 2);
    assert_eq!(p["version"], 1);
    c.shutdown_and_exit();
}

#[test]
fn settings_from_the_client_change_severities() {
    let ws = Ws::new("settings");
    let mut c = indexed(&ws, json!({"diagnostics": {"duplicate-question": "off"}}));
    let adv = open_note(&mut c, &ws, "advanced.md");
    let diags = c.diagnostics_for_version(&adv.uri, 1);
    assert_eq!(
        with_code(&diags, "duplicate-question"),
        Vec::<&Value>::new(),
        "turned off: {diags:?}"
    );
    assert_eq!(with_code(&diags, "broken-link").len(), 2);

    // Back on, as an error (VS Code wraps settings in the section name).
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"notesLsp": {"diagnostics": {"duplicate-question": "error"}}}}),
    );
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        !with_code(&diags_of(p), "duplicate-question").is_empty()
    });
    let d = diags_of(&p);
    let dups = with_code(&d, "duplicate-question");
    assert_eq!(dups.len(), 1, "{p}");
    assert_eq!(dups[0]["severity"], ERROR);
    assert_eq!(p["version"], 1);
    assert!(
        with_code(&d, "broken-link")
            .iter()
            .all(|b| b["severity"] == WARNING),
        "other codes keep their defaults: {p}"
    );

    // Bare settings, back to the defaults.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"diagnostics": {"broken-link": "hint"}}}),
    );
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        with_code(&diags_of(p), "broken-link")
            .iter()
            .all(|b| b["severity"] == HINT)
    });
    let d = diags_of(&p);
    let dups = with_code(&d, "duplicate-question");
    assert_eq!(dups.len(), 1, "{p}");
    assert_eq!(dups[0]["severity"], INFORMATION, "default again: {p}");
    c.shutdown_and_exit();
}

#[test]
fn a_republish_that_changes_nothing_sends_nothing() {
    let ws = Ws::new("republish-same");
    let settings = json!({"diagnostics": {"duplicate-question": "off"}});
    let mut c = indexed(&ws, settings.clone());
    let adv = open_note(&mut c, &ws, "advanced.md");
    let first = c.diagnostics_for_version(&adv.uri, 1);
    assert_eq!(with_code(&first, "broken-link").len(), 2);

    // The same settings again: every open note is recomputed, and finds what it sent.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings }),
    );
    // Time for that republish to go out, were it sent (the next one would coalesce with it):
    // the test passes without the wait, it only proves less.
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Then settings that change something: that republish does go out.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"diagnostics": {"duplicate-question": "off", "broken-link": "hint"}}}),
    );
    let changed = c.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == adv.uri.as_str()
            && with_code(&diags_of(p), "broken-link")
                .iter()
                .all(|b| b["severity"] == HINT)
    });
    assert_eq!(changed["version"], 1);
    let before: Vec<Value> = c
        .take_notifications("textDocument/publishDiagnostics")
        .into_iter()
        .filter(|p| p["uri"] == adv.uri.as_str())
        .collect();
    assert_eq!(
        before,
        Vec::<Value>::new(),
        "the same diagnostics sent again"
    );
    c.shutdown_and_exit();
}

#[test]
fn settings_file_at_the_root_and_unknown_keys() {
    let ws = Ws::new("settings-file");
    ws.write(
        ".notes-lsp.toml",
        "colour = \"blue\"\n\n[diagnostics]\nbroken-link = \"error\"\nnot-a-code = \"off\"\n",
    );
    let mut c = start_in(&ws, Value::Null);
    let shown = c.wait_notification("window/showMessage", |p| {
        p["message"].as_str().is_some_and(|m| m.contains("colour"))
    });
    let msg = shown["message"].as_str().unwrap();
    assert_eq!(shown["type"], 2, "a warning: {shown}");
    assert!(msg.contains("unknown setting `colour`"), "{msg}");
    assert!(
        msg.contains("unknown diagnostic code `not-a-code`"),
        "{msg}"
    );
    wait_indexed(&mut c);

    let adv = open_note(&mut c, &ws, "advanced.md");
    let diags = c.diagnostics_for_version(&adv.uri, 1);
    let broken = with_code(&diags, "broken-link");
    assert_eq!(broken.len(), 2, "{diags:?}");
    assert!(broken.iter().all(|d| d["severity"] == ERROR), "{diags:?}");
    assert_eq!(
        with_code(&diags, "duplicate-question")[0]["severity"],
        INFORMATION
    );

    // The client's settings win over the file, code by code.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"notesLsp": {"diagnostics": {"duplicate-question": "hint"}}}}),
    );
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        with_code(&diags_of(p), "duplicate-question")
            .iter()
            .any(|d| d["severity"] == HINT)
    });
    let d = diags_of(&p);
    assert!(
        with_code(&d, "broken-link")
            .iter()
            .all(|b| b["severity"] == ERROR),
        "the file's setting still applies: {p}"
    );

    // The file changes on disk: read again.
    ws.write(".notes-lsp.toml", "[diagnostics]\nbroken-link = \"off\"\n");
    watched(&mut c, &ws, &[(".notes-lsp.toml", 2)]);
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        with_code(&diags_of(p), "broken-link").is_empty()
    });
    assert_eq!(
        with_code(&diags_of(&p), "duplicate-question").len(),
        1,
        "{p}"
    );
    c.shutdown_and_exit();
}

#[test]
fn a_workspace_request_for_an_unknown_note_path_is_harmless() {
    // A link to a note that exists on disk but is not indexed (ignored) is not broken, and
    // going to it gives nothing rather than an error.
    let ws = Ws::new("ignored-link");
    ws.write(
        "links.md",
        "# Links\n\nSee [drafts](drafts/secret.md) and [latin](latin1.md#cafe-notes).\n",
    );
    let mut c = indexed(&ws, Value::Null);
    let doc = open_note(&mut c, &ws, "links.md");
    let diags = c.diagnostics_for_version(&doc.uri, 1);
    assert_eq!(
        with_code(&diags, "broken-link"),
        Vec::<&Value>::new(),
        "existing but unindexed notes are not broken links"
    );
    let (l, ch) = at(&doc.text, "[drafts]", 2, c.enc);
    let r = c.request_raw("textDocument/definition", tdp(&doc.uri, (l, ch)));
    assert!(r.get("error").is_none(), "{r}");
    c.shutdown_and_exit();
}

#[test]
fn a_configuration_change_right_after_open_is_not_lost() {
    // An editor may send its settings while the first diagnostics are still being computed;
    // what it sees in the end must follow the new settings, not the old ones.
    let ws = Ws::new("settings-race");
    let mut c = indexed(&ws, json!({"diagnostics": {"duplicate-question": "off"}}));
    let adv = open_note(&mut c, &ws, "advanced.md");
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"notesLsp": {"diagnostics": {"duplicate-question": "error"}}}}),
    );
    let p = c.wait_for_diagnostics(&adv.uri, |p| {
        with_code(&diags_of(p), "duplicate-question")
            .iter()
            .any(|d| d["severity"] == ERROR)
    });
    assert_eq!(p["version"], 1);
    c.shutdown_and_exit();
}

#[test]
fn a_link_to_the_open_note_by_its_file_name_sees_its_unsaved_text() {
    // `[..](python.md#x)` inside python.md itself (as READMEs do) must resolve against the
    // text in the editor, not the copy on disk.
    let ws = Ws::new("self-link");
    let mut c = indexed(&ws, Value::Null);
    let mut py = open_note(&mut c, &ws, "python.md");
    let diags = c.diagnostics_for_version(&py.uri, 1);
    assert_eq!(with_code(&diags, "broken-link"), Vec::<&Value>::new());

    let end = py.text.len();
    py.edit(
        &mut c,
        end..end,
        "\nBack to [decorators](python.md#decorators).\n",
    );
    let diags = c.diagnostics_for_version(&py.uri, 2);
    assert_eq!(with_code(&diags, "broken-link"), Vec::<&Value>::new());

    // Lines added at the top, unsaved: definition goes to where the heading is now.
    py.edit(&mut c, 0..0, "<!-- draft -->\n\n\n");
    let (l, ch) = at(&py.text, "[decorators](python.md", 2, c.enc);
    let d = c.request("textDocument/definition", tdp(&py.uri, (l, ch)));
    let (l1, c1, l2, c2) = range_of(&py.text, "## Decorators", c.enc);
    assert_eq!(
        single_location(&d),
        (py.uri.clone(), (l1, c1 + 3, l2, c2)),
        "{d}"
    );
    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": py.uri}}),
    );
    let want = format!("{}#L{}", py.uri, line_of(&py.text, "## Decorators") + 1);
    assert!(
        links
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["target"] == want.as_str()),
        "{want} not among {links}"
    );

    // The heading renamed, unsaved: both the table of contents and the self-link break.
    let at_heading = py.find("## Decorators") + 3;
    py.edit(
        &mut c,
        at_heading..at_heading + "Decorators".len(),
        "Wrappers",
    );
    let diags = c.diagnostics_for_version(&py.uri, 4);
    let broken = with_code(&diags, "broken-link");
    assert_eq!(broken.len(), 2, "{diags:?}");
    assert!(
        broken.iter().any(|d| range_key(&d["range"])
            == range_of(&py.text, "[decorators](python.md#decorators)", c.enc)),
        "{diags:?}"
    );
    c.shutdown_and_exit();
}

#[test]
fn watched_file_events_for_ignored_notes_do_not_index_them() {
    // Editors watch `**/*.md` without knowing `.gitignore`: an event for an ignored note must
    // not bring it into the index that the initial walk kept it out of.
    let ws = Ws::new("ignored-events");
    let mut c = indexed(&ws, Value::Null);
    let adv = open_note(&mut c, &ws, "advanced.md");
    let before = c.diagnostics_for_version(&adv.uri, 1);
    assert_eq!(with_code(&before, "duplicate-question").len(), 1);

    ws.write(
        "drafts/secret.md",
        &format!("{SECRET}\n### 5. What is the difference between a thread and a process?\n\nSee above.\n"),
    );
    watched(&mut c, &ws, &[("drafts/secret.md", 2)]);
    // A later event that is honoured, so the server has handled the first one when the
    // diagnostics it causes arrive.
    ws.write("missing.md", "# Found\n");
    watched(&mut c, &ws, &[("missing.md", 1)]);
    let p = c.wait_for_diagnostics(&adv.uri, |p| broken_messages(p).len() == 1);
    let d = diags_of(&p);
    let dups = with_code(&d, "duplicate-question");
    assert_eq!(dups.len(), 1, "{p}");
    assert!(
        !dups[0]["message"].as_str().unwrap().contains("secret.md"),
        "the ignored draft counts as a duplicate: {p}"
    );
    let found = c.request("workspace/symbol", json!({"query": "secret draft"}));
    assert_eq!(found, json!([]), "the ignored draft was indexed");
    c.shutdown_and_exit();
}
