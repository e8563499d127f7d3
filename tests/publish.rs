//! The diagnostics message is put together from pieces kept from the previous one
//! (`server/publish.rs`): after any edits, settings and workspace changes it must be, byte
//! for byte, the message computed from scratch.

mod scale;

use notes_lsp::analysis::Analysis;
use notes_lsp::config::Config;
use notes_lsp::note::{Encoding, position};
use notes_lsp::samples::registry::Registry;
use notes_lsp::server::output::Frame;
use notes_lsp::server::{Change, State, diagnostics_now, to_proto};
use notes_lsp::workspace::{Facts, NoteSummary};
use proptest::prelude::*;
use scale::cases;
use std::time::Duration;
use tower_lsp_server::ls_types::{
    Position, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent, Uri,
};

const NOTE: &str = "file:///notes/note.md";
const OTHER: &str = "file:///notes/other.md";

/// The message computed from scratch: a fresh analysis of the note as it stands, the
/// workspace checks over the same view, converted and serialized whole.
fn from_scratch(state: &State, uri: &Uri) -> (i32, Frame) {
    let enc = state.encoding();
    let config = state.config();
    let view = state.view(Some(uri.as_str()));
    let doc = state.get(uri).expect("open");
    let cur = doc.current(enc);
    let a = Analysis::of(&cur.note);
    let facts = Facts::of(uri.as_str(), &cur.note, &a, config.slugs);
    let mut ws = view.broken_links(&facts);
    ws.extend(view.duplicate_questions(&facts));
    let mut diags = to_proto::diagnostics(&cur.note, &a, &config, enc);
    diags.extend(to_proto::workspace_diagnostics(
        &cur.note, &ws, &config, enc,
    ));
    let params = PublishDiagnosticsParams::new(uri.clone(), diags, Some(cur.version));
    let frame = Frame::notification("textDocument/publishDiagnostics", &params).expect("JSON");
    (cur.version, frame)
}

fn assert_published_is_fresh(state: &State, uri: &Uri, what: &str) {
    let (v, got) = diagnostics_now(state, uri).expect("open");
    let (w, want) = from_scratch(state, uri);
    assert_eq!(v, w);
    let (got, want) = (
        std::str::from_utf8(got.bytes()).unwrap(),
        std::str::from_utf8(want.bytes()).unwrap(),
    );
    if got != want {
        let at = got
            .bytes()
            .zip(want.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        let from = at.saturating_sub(300);
        panic!(
            "{what}: published message differs from the one computed from scratch at byte {at}\n\
             published: …{}\nfresh:     …{}",
            &got[from..(at + 300).min(got.len())],
            &want[from..(at + 300).min(want.len())],
        );
    }
}

/// A note of a dozen chunks: sections cut at headings and at blank lines (answers over
/// 1 KiB), links that resolve and links that do not (here, to another note, to a missing
/// file, to itself by name), questions asked twice and left unanswered, broken samples,
/// CRLF and non-ASCII text.
fn initial() -> String {
    let mut t = String::from("Intro with [a link](#section-3) and [bad](#nowhere).\n\n");
    for i in 0..12 {
        t.push_str(&format!("## Section {i}\n\n"));
        if i % 3 == 0 {
            t.push_str("### Why does it break?\n\n");
        }
        if i % 4 == 1 {
            t.push_str("### What is a name?\n\n");
        }
        for p in 0..4 {
            t.push_str(&format!(
                "Para {p} of {i}: see [s](#section-{}), [t](#sectoin-{i}), [o](other.md#target), \
                 [m](missing.md), [self](note.md#section-{i}) and [x](other.md). 中文 😀 text\n\n",
                (i + p) % 14
            ));
        }
        if i % 2 == 0 {
            t.push_str("```python\ndef f(:\n    pass\n```\n\n");
        } else {
            t.push_str("    print 'old'\r\n\r\n");
        }
    }
    t
}

/// Text an edit inserts: plain characters, line breaks, headings (slugs change), links,
/// fences, questions.
const SNIPPETS: &[&str] = &[
    "x",
    "é",
    "😀",
    "\n",
    "\r\n",
    "\n\n",
    "## New heading\n",
    "# Section 3\n",
    "\n## Target\n",
    "### Why does it break?\n",
    "[l](#new-heading)",
    "[k](#target)",
    "[o](other.md#target)",
    "```\n",
    "```python\nx = (\n```\n",
    "- item\n",
    "**What is a name?**\n",
    "",
];

#[derive(Debug, Clone)]
enum Op {
    /// Changes in one `didChange`: (where, as a fraction of the text; bytes deleted;
    /// snippet inserted).
    Edit(Vec<(f64, usize, usize)>),
    /// Two `didChange`s applied before one publish.
    Burst(Vec<(f64, usize, usize)>, Vec<(f64, usize, usize)>),
    /// Broken links become hints, or severities go back to defaults.
    Settings(bool),
    /// `other.md` on disk, with or without `## Target`.
    Disk(Option<bool>),
    /// `other.md` open in the editor, with or without `## Target` (or closed).
    Open(Option<bool>),
}

fn change() -> impl Strategy<Value = (f64, usize, usize)> {
    (
        0.0..1.0f64,
        prop_oneof![3 => Just(0usize), 1 => 0..40usize],
        0..SNIPPETS.len(),
    )
}

fn op() -> impl Strategy<Value = Op> {
    let changes = || proptest::collection::vec(change(), 1..4);
    prop_oneof![
        12 => changes().prop_map(Op::Edit),
        3 => (changes(), changes()).prop_map(|(a, b)| Op::Burst(a, b)),
        1 => any::<bool>().prop_map(Op::Settings),
        1 => proptest::option::of(any::<bool>()).prop_map(Op::Disk),
        1 => proptest::option::of(any::<bool>()).prop_map(Op::Open),
    ]
}

/// The changes of one `didChange`, as LSP ranges over the text `shadow` (kept in step).
fn events(
    shadow: &mut String,
    changes: &[(f64, usize, usize)],
    enc: Encoding,
) -> Vec<TextDocumentContentChangeEvent> {
    changes
        .iter()
        .map(|&(at, del, snippet)| {
            let rope = ropey::Rope::from_str(shadow);
            let mut start = ((shadow.len() as f64) * at) as usize;
            while !shadow.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + del).min(shadow.len());
            while !shadow.is_char_boundary(end) {
                end += 1;
            }
            // Through positions and back: the range the server will apply.
            let (s, e) = (
                position::to_line_col(&rope, start, enc),
                position::to_line_col(&rope, end, enc),
            );
            let (start, end) = (
                position::to_offset(&rope, s, enc),
                position::to_offset(&rope, e, enc),
            );
            shadow.replace_range(start..end.max(start), SNIPPETS[snippet]);
            TextDocumentContentChangeEvent {
                range: Some(Range::new(
                    Position::new(s.line, s.col),
                    Position::new(e.line, e.col),
                )),
                range_length: None,
                text: SNIPPETS[snippet].to_string(),
            }
        })
        .collect()
}

fn other_text(target: bool) -> String {
    let mut t = String::from("# Other\n\nWhy does it break? Asked here too.\n\n");
    t.push_str("### Why does it break?\n\nBecause.\n\n");
    if target {
        t.push_str("## Target\n\nHere.\n");
    }
    t
}

fn run(ops: &[Op], enc: Encoding) {
    let state = State::default();
    state.set_encoding(enc);
    let uri: Uri = NOTE.parse().unwrap();
    let other: Uri = OTHER.parse().unwrap();
    let mut shadow = initial();
    state.open(&uri, &shadow, 1);
    assert_published_is_fresh(&state, &uri, "open");
    let mut version = 1;
    let mut other_version = 1;
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Edit(changes) => {
                version += 1;
                let events = events(&mut shadow, changes, enc);
                state.enqueue(&uri, version, Change::Edits(events));
            }
            Op::Burst(a, b) => {
                for changes in [a, b] {
                    version += 1;
                    let events = events(&mut shadow, changes, enc);
                    state.enqueue(&uri, version, Change::Edits(events));
                }
            }
            Op::Settings(hint) => {
                let v = if *hint {
                    serde_json::json!({"diagnostics": {"broken-link": "hint", "unanswered-question": "off"}})
                } else {
                    serde_json::Value::Null
                };
                state.set_config(Config::from_json(&v, &Registry).0);
            }
            Op::Disk(Some(target)) => state.workspace.insert(NoteSummary::from_text(
                OTHER,
                &other_text(*target),
                Default::default(),
            )),
            Op::Disk(None) => state.workspace.remove(OTHER),
            Op::Open(Some(target)) => {
                other_version += 1;
                if state.get(&other).is_some() {
                    state.enqueue(&other, other_version, Change::Replace(other_text(*target)));
                } else {
                    state.open(&other, other_text(*target), other_version);
                }
            }
            Op::Open(None) => {
                if state.get(&other).is_some() {
                    state.close(&other);
                }
            }
        }
        assert_published_is_fresh(&state, &uri, &format!("after step {step} ({op:?})"));
        // The text the server holds is the one the edits describe.
        let doc = state.get(&uri).unwrap();
        assert_eq!(doc.current(enc).note.text(), shadow);
    }
    // The incremental note itself agrees with a fresh one, so the message is also the one a
    // server opening this text now would send.
    let fresh = State::default();
    fresh.set_encoding(enc);
    fresh.set_config((*state.config()).clone());
    fresh.open(&uri, &shadow, version);
    if state.get(&other).is_none() && state.workspace.is_empty() {
        let (_, a) = diagnostics_now(&state, &uri).unwrap();
        let (_, b) = diagnostics_now(&fresh, &uri).unwrap();
        assert_eq!(
            a.bytes(),
            b.bytes(),
            "an editor session and a fresh open disagree"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    #[test]
    fn published_equals_from_scratch(ops in proptest::collection::vec(op(), 1..24), utf8 in any::<bool>()) {
        run(&ops, if utf8 { Encoding::Utf8 } else { Encoding::Utf16 });
    }
}

/// A heading appearing in the other note fixes links to it, and its going away breaks them
/// again, whether the other note is on disk or open; a settings change rewrites every piece.
#[test]
fn workspace_and_settings_changes_reach_the_pieces() {
    let state = State::default();
    let uri: Uri = NOTE.parse().unwrap();
    let other: Uri = OTHER.parse().unwrap();
    state.open(&uri, initial(), 1);
    let count = |state: &State| {
        let (_, f) = diagnostics_now(state, &uri).unwrap();
        std::str::from_utf8(f.bytes())
            .unwrap()
            .matches("no heading `#target` in `other.md`")
            .count()
    };
    assert_eq!(count(&state), 0, "no other.md: its links point at no note");
    state.workspace.insert(NoteSummary::from_text(
        OTHER,
        &other_text(false),
        Default::default(),
    ));
    assert_eq!(count(&state), 48);
    assert_published_is_fresh(&state, &uri, "other.md on disk without the heading");
    state.workspace.insert(NoteSummary::from_text(
        OTHER,
        &other_text(true),
        Default::default(),
    ));
    assert_eq!(count(&state), 0);
    assert_published_is_fresh(&state, &uri, "other.md on disk with the heading");
    state.open(&other, other_text(false), 1);
    assert_eq!(count(&state), 48, "the open note's text wins over the disk");
    state.enqueue(&other, 2, Change::Replace(other_text(true)));
    assert_eq!(count(&state), 0);
    state.enqueue(&other, 3, Change::Replace(other_text(false)));
    assert_eq!(count(&state), 48);
    assert_published_is_fresh(&state, &uri, "other.md open without the heading");

    let before = diagnostics_now(&state, &uri).unwrap().1;
    state.set_config(
        Config::from_json(
            &serde_json::json!({"diagnostics": {"broken-link": "hint"}}),
            &Registry,
        )
        .0,
    );
    let after = diagnostics_now(&state, &uri).unwrap().1;
    assert_ne!(before.bytes(), after.bytes());
    assert_published_is_fresh(&state, &uri, "broken links as hints");
    state.set_config(
        Config::from_json(
            &serde_json::json!({"diagnostics": {"broken-link": "off"}}),
            &Registry,
        )
        .0,
    );
    assert_eq!(count(&state), 0);
    assert_published_is_fresh(&state, &uri, "broken links off");
    state.set_config(Config::from_json(&serde_json::json!({"slugs": "gitlab"}), &Registry).0);
    assert_published_is_fresh(&state, &uri, "gitlab slugs");
}

/// Typing in a sample changes the key of the question that shows it: a question asked once
/// keeps the last message's findings about the others (moved), and one whose sample comes to
/// equal another's with the same title is found asked twice, and no longer once they differ.
#[test]
fn typing_in_a_question_s_sample() {
    let state = State::default();
    let uri: Uri = NOTE.parse().unwrap();
    let mut text = String::from("# Quiz\n\n");
    for (title, code) in [
        ("What does this print?", "print(12)"),
        ("What is a list?", "xs = [1]"),
        ("What does this print?", "print(1)"),
        ("Why is the sky blue?", ""),
        ("Why is the sky blue?", ""),
    ] {
        text.push_str(&format!("### {title}\n\nSee below.\n\n"));
        if !code.is_empty() {
            text.push_str(&format!("```python\n{code}\n```\n\n"));
        }
    }
    state.open(&uri, text.clone(), 1);
    let mut version = 1;
    // Types `what` after the last `after` of the note.
    let mut type_at = |state: &State, text: &mut String, after: &str, what: &str| {
        let at = text.rfind(after).expect("in the note") + after.len();
        let rope = ropey::Rope::from_str(text);
        let lc = position::to_line_col(&rope, at, Encoding::Utf16);
        text.insert_str(at, what);
        let pos = Position::new(lc.line, lc.col);
        version += 1;
        state.enqueue(
            &uri,
            version,
            Change::Edits(vec![TextDocumentContentChangeEvent {
                range: Some(Range::new(pos, pos)),
                range_length: None,
                text: what.into(),
            }]),
        );
    };
    let asked_twice = |state: &State| {
        let (_, f) = diagnostics_now(state, &uri).unwrap();
        std::str::from_utf8(f.bytes())
            .unwrap()
            .matches(r#""code":"duplicate-question""#)
            .count()
    };
    assert_eq!(asked_twice(&state), 2, "the sky twice");
    type_at(&state, &mut text, "xs = [1", ", 2");
    assert_eq!(asked_twice(&state), 2);
    assert_published_is_fresh(&state, &uri, "a question asked once, its sample typed in");
    // A line added above the findings: kept, at their new lines.
    type_at(&state, &mut text, "xs = [1, 2]", "\nys = xs");
    assert_eq!(asked_twice(&state), 2);
    assert_published_is_fresh(&state, &uri, "a line added to a sample above the findings");
    type_at(&state, &mut text, "print(1", "2");
    assert_eq!(text.matches("print(12)").count(), 2);
    assert_eq!(asked_twice(&state), 4, "print(12) twice");
    assert_published_is_fresh(&state, &uri, "a sample now the same as another's");
    type_at(&state, &mut text, "print(12", "3");
    assert_eq!(asked_twice(&state), 2);
    assert_published_is_fresh(&state, &uri, "the two samples differ again");
}

/// A link to a file the workspace does not know is checked against the disk again once
/// `DISK_RECHECK` has passed: the file may appear with nothing else changing.
#[test]
fn links_to_unknown_files_follow_the_disk() {
    let dir = std::env::temp_dir().join(format!("notes-lsp-publish-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let later = dir.join("later.md");
    let _ = std::fs::remove_file(&later);
    let uri: Uri = notes_lsp::workspace::path_to_uri(&dir.join("note.md"))
        .parse()
        .unwrap();
    let state = State::default();
    state.open(&uri, "# Note\n\nSee [later](later.md).\n", 1);
    let missing = |state: &State| {
        let (_, f) = diagnostics_now(state, &uri).unwrap();
        std::str::from_utf8(f.bytes())
            .unwrap()
            .contains("no note at `later.md`")
    };
    assert!(missing(&state));
    let wait = || std::thread::sleep(notes_lsp::server::DISK_RECHECK + Duration::from_millis(50));
    std::fs::write(&later, "# Later\n").unwrap();
    wait();
    assert!(!missing(&state), "the file is there now");
    assert_published_is_fresh(&state, &uri, "the file is there");
    std::fs::remove_file(&later).unwrap();
    wait();
    assert!(missing(&state));
    let _ = std::fs::remove_dir(&dir);
}
