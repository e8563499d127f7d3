//! End-to-end tests of the workspace features over the real `notes-lsp --stdio` binary: a
//! temporary folder of interview notes that link to each other, indexed in the background
//! with `$/progress`; hover on terms and links, definition, references, rename, completion,
//! document links, workspace symbols, broken-link and duplicate-question diagnostics that
//! follow changes to other notes, and settings from the client and from `.notes-lsp.toml`.
//!
//! Each test starts its own server on its own folder. Waits are bounded by `common::TIMEOUT`
//! (a guard against hangs, not a performance assertion).

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use serde_json::{Value, json};

const ERROR: u64 = 1;
const WARNING: u64 = 2;
const INFORMATION: u64 = 3;
const HINT: u64 = 4;

/// The anchors the notes link to, computed by hand the way GitHub does: lower-case,
/// punctuation other than `-`/`_` dropped (the em dash too), each space a `-`.
const GIL_SLUG: &str = "2-what-is-the-gil-global-interpreter-lock";
const THREAD_SLUG: &str = "1-what-is-the-difference-between-a-thread-and-a-process";
const ASYNC_SLUG: &str = "async-io--event-loops";

const GIL_TITLE: &str = "2. What is the GIL (Global Interpreter Lock)?";

/// Clean notes: a table of contents, numbered questions, a definition line, a sample.
const PYTHON: &str = r#"# Python interview notes

## Contents

- [Concurrency](#concurrency)
- [Threads and processes](#1-what-is-the-difference-between-a-thread-and-a-process)
- [The GIL](#2-what-is-the-gil-global-interpreter-lock)
- [Decorators](#decorators)

## Concurrency

**Concurrency** refers to making progress on several tasks by switching between them.

### 1. What is the difference between a thread and a process?

A process has its own memory; threads share the memory of their process.

### 2. What is the GIL (Global Interpreter Lock)?

The GIL is a mutex in CPython that lets only one thread execute Python bytecode at a time.

```python
import threading
t = threading.Thread(target=print, args=("hi",))
t.start()
```

## Decorators

### 3. What is a decorator?

A callable that takes a function and returns a replacement; it does not get around the [GIL](#2-what-is-the-gil-global-interpreter-lock).
"#;

/// Mentions the GIL in prose, links into python.md (one anchor misspelled), to a missing
/// note, to its own em-dash heading, has a bare URL, and asks python.md's first question.
const ADVANCED: &str = r#"# Advanced Python

In CPython the GIL serializes bytecode, so threads do not speed up CPU-bound code.
Read [the GIL answer](python.md#2-what-is-the-gil-global-interpreter-lock) and [concurrency](python.md#concurrency) first.
Also see [a typo](python.md#concurency), [a lost note](missing.md) and [async](#async-io--event-loops).
Reference: https://docs.python.org/3/glossary.html#term-global-interpreter-lock

## Async IO — event loops

An event loop runs coroutines on one thread: **concurrency** without threads.

### 5. What is the difference between a thread and a process?

Threads share memory; processes do not.
"#;

/// A note in a subfolder, linking up with `../`.
const THREADS: &str = r#"# Threads

See [the GIL](../python.md#2-what-is-the-gil-global-interpreter-lock) and [event loops](../advanced.md#async-io--event-loops).

### How do you start a thread?

Create a `threading.Thread` and call its `start()` method.
"#;

/// Ignored by `.gitignore`: if it were indexed, its link would count as a reference to the
/// GIL question, its questions would be duplicates and symbols.
const SECRET: &str = r#"# Secret drafts

Links to [the GIL](../python.md#2-what-is-the-gil-global-interpreter-lock).

### What is a secret draft question?

Nothing yet.

### 2. What is the GIL (Global Interpreter Lock)?

Draft.
"#;

/// Latin-1, not UTF-8: skipped by the indexer.
const LATIN1: &[u8] = b"# Caf\xe9 notes\n\n### What is a latin question?\n\nIt is \xe9t\xe9.\n";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A temporary workspace folder, removed when dropped.
struct Ws {
    root: PathBuf,
}

impl Ws {
    /// The notes above in a fresh folder.
    fn new(name: &str) -> Ws {
        let dir = std::env::temp_dir().join(format!(
            "notes-lsp-ws-{}-{name}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the workspace folder");
        let ws = Ws {
            root: dir.canonicalize().expect("canonical workspace path"),
        };
        ws.write("python.md", PYTHON);
        ws.write("advanced.md", ADVANCED);
        ws.write("topics/threads.md", THREADS);
        ws.write("drafts/secret.md", SECRET);
        ws.write(".gitignore", "drafts/\n");
        std::fs::write(ws.path("latin1.md"), LATIN1).expect("write latin1.md");
        ws
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The file URI of `rel` (the folder's path has no characters that need escaping).
    fn uri(&self, rel: &str) -> String {
        let p = if rel.is_empty() {
            self.root.clone()
        } else {
            self.path(rel)
        };
        let s = p.to_str().expect("a UTF-8 path");
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b)),
            "unexpected characters in {s}"
        );
        format!("file://{s}")
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("create folders");
        std::fs::write(p, text).expect("write a note");
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read a note")
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Starts a server on `ws` as an editor with progress and file watching would, with
/// `options` as initialization options.
fn start_in(ws: &Ws, options: Value) -> Client {
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": ws.uri(""), "name": "notes"}],
        "capabilities": {
            "window": {"workDoneProgress": true},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
            "textDocument": {
                "publishDiagnostics": {"versionSupport": true, "relatedInformation": true},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
            },
        },
        "initializationOptions": options,
        "clientInfo": {"name": "notes-lsp workspace tests"},
    }));
    c
}

/// Waits for indexing to end; returns every `$/progress` params received, in order.
fn wait_indexed(c: &mut Client) -> Vec<Value> {
    let end = c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let mut all = c.take_notifications("$/progress");
    all.push(end);
    all
}

/// A server on `ws` that has finished indexing.
fn indexed(ws: &Ws, options: Value) -> Client {
    let mut c = start_in(ws, options);
    wait_indexed(&mut c);
    c
}

fn open_note(c: &mut Client, ws: &Ws, rel: &str) -> Doc {
    let text = ws.read(rel);
    c.open(&ws.uri(rel), &text)
}

/// Tells the server that `rel` changed on disk (1 created, 2 changed, 3 deleted).
fn watched(c: &mut Client, ws: &Ws, changes: &[(&str, u8)]) {
    let changes: Vec<Value> = changes
        .iter()
        .map(|(rel, typ)| json!({"uri": ws.uri(rel), "type": typ}))
        .collect();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
}

/// (line, character) of the first `needle` in `text`, plus `delta` bytes.
fn at(text: &str, needle: &str, delta: usize, enc: Enc) -> (u32, u32) {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    position_of(text, i + delta, enc)
}

fn line_of(text: &str, needle: &str) -> u64 {
    u64::from(at(text, needle, 0, Enc::Utf8).0)
}

fn pos_json((line, character): (u32, u32)) -> Value {
    json!({"line": line, "character": character})
}

fn tdp(uri: &str, p: (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos_json(p)})
}

fn range_key(r: &Value) -> (u64, u64, u64, u64) {
    (
        r["start"]["line"].as_u64().expect("start line"),
        r["start"]["character"].as_u64().expect("start character"),
        r["end"]["line"].as_u64().expect("end line"),
        r["end"]["character"].as_u64().expect("end character"),
    )
}

/// The range of the first `needle` in `text`, as (start line, start char, end line, end char).
fn range_of(text: &str, needle: &str, enc: Enc) -> (u64, u64, u64, u64) {
    let (l1, c1) = at(text, needle, 0, enc);
    let (l2, c2) = at(text, needle, needle.len(), enc);
    (l1.into(), c1.into(), l2.into(), c2.into())
}

/// The byte offset of an LSP position in `text` (lines end at `\n`).
fn offset_at(text: &str, line: u64, character: u64, enc: Enc) -> usize {
    let mut start = 0;
    for _ in 0..line {
        start += text[start..]
            .find('\n')
            .unwrap_or_else(|| panic!("no line {line} in {text:?}"))
            + 1;
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0u64;
    for (i, ch) in text[start..end].char_indices() {
        if units >= character {
            return start + i;
        }
        units += match enc {
            Enc::Utf8 => ch.len_utf8() as u64,
            Enc::Utf16 => ch.len_utf16() as u64,
        };
    }
    end
}

/// `edits` (LSP TextEdits on `text`) as byte ranges and new texts, last first, so applying
/// them in this order keeps the earlier ranges valid.
fn byte_edits(text: &str, edits: &[Value], enc: Enc) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out: Vec<(std::ops::Range<usize>, String)> = edits
        .iter()
        .map(|e| {
            let (l1, c1, l2, c2) = range_key(&e["range"]);
            (
                offset_at(text, l1, c1, enc)..offset_at(text, l2, c2, enc),
                e["newText"].as_str().expect("newText").to_string(),
            )
        })
        .collect();
    out.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for w in out.windows(2) {
        assert!(w[1].0.end <= w[0].0.start, "overlapping edits: {edits:?}");
    }
    out
}

fn hover_text(h: &Value) -> String {
    h["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("a markup hover, got {h}"))
        .to_string()
}

fn with_code<'a>(diags: &'a [Value], code: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["code"] == code).collect()
}

fn diags_of(p: &Value) -> Vec<Value> {
    p["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .clone()
}

fn messages(diags: &[&Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// (uri, start line) of each location.
fn locations(v: &Value) -> BTreeSet<(String, u64)> {
    v.as_array()
        .unwrap_or_else(|| panic!("an array of locations, got {v}"))
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().expect("uri").to_string(),
                l["range"]["start"]["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

/// A definition response reduced to one location.
fn single_location(v: &Value) -> (String, (u64, u64, u64, u64)) {
    let l = if v.is_array() {
        assert_eq!(v.as_array().map(Vec::len), Some(1), "one location: {v}");
        &v[0]
    } else {
        v
    };
    let uri = l
        .get("targetUri")
        .or_else(|| l.get("uri"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("a location, got {v}"))
        .to_string();
    let range = l.get("targetSelectionRange").unwrap_or(&l["range"]);
    (uri, range_key(range))
}

/// What each completion item inserts (an anchor, a path).
fn labels(completion: &Value) -> Vec<String> {
    let items = completion
        .get("items")
        .unwrap_or(completion)
        .as_array()
        .unwrap_or_else(|| panic!("completion items, got {completion}"));
    items
        .iter()
        .map(|i| {
            i["textEdit"]["newText"]
                .as_str()
                .expect("a textEdit")
                .to_string()
        })
        .collect()
}

/// GitHub's slug of a heading, as the tests expect it (independently of the server).
fn github_slug(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn hand_computed_slugs_are_githubs() {
    assert_eq!(github_slug(GIL_TITLE), GIL_SLUG);
    assert_eq!(
        github_slug("1. What is the difference between a thread and a process?"),
        THREAD_SLUG
    );
    assert_eq!(github_slug("Async IO — event loops"), ASYNC_SLUG);
    for slug in [GIL_SLUG, THREAD_SLUG] {
        assert!(PYTHON.contains(&format!("(#{slug})")));
    }
    assert!(ADVANCED.contains(&format!("(python.md#{GIL_SLUG})")));
    assert!(ADVANCED.contains(&format!("(#{ASYNC_SLUG})")));
    assert!(THREADS.contains(&format!("(../python.md#{GIL_SLUG})")));
}

#[test]
fn indexing_reports_progress_and_registers_file_watchers() {
    let ws = Ws::new("progress");
    let mut c = start_in(&ws, Value::Null);
    let progress = wait_indexed(&mut c);

    let requests = c.server_requests().to_vec();
    let create = requests
        .iter()
        .find(|r| r["method"] == "window/workDoneProgress/create")
        .unwrap_or_else(|| panic!("no window/workDoneProgress/create among {requests:?}"));
    let token = create["params"]["token"].clone();
    assert!(token.is_string() || token.is_number(), "token: {token}");

    let kinds: Vec<&str> = progress
        .iter()
        .map(|p| {
            assert_eq!(p["token"], token, "progress for another token: {p}");
            p["value"]["kind"].as_str().expect("a progress kind")
        })
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"), "{progress:?}");
    assert_eq!(kinds.last(), Some(&"end"), "{progress:?}");
    assert!(kinds.contains(&"report"), "no report: {progress:?}");
    assert!(
        kinds[1..kinds.len() - 1].iter().all(|k| *k == "report"),
        "{progress:?}"
    );
    assert!(
        progress[0]["value"]["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "begin without a title: {}",
        progress[0]
    );
    let mut last = 0;
    for p in &progress[..progress.len() - 1] {
        if let Some(pct) = p["value"]["percentage"].as_u64() {
            assert!(pct >= last && pct <= 100, "percentages: {progress:?}");
            last = pct;
        }
    }

    let register = requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .unwrap_or_else(|| panic!("no client/registerCapability among {requests:?}"));
    let reg = &register["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = reg["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert!(globs.contains(&"**/*.md"), "{globs:?}");
    assert!(globs.contains(&"**/.notes-lsp.toml"), "{globs:?}");

    // Indexed without being opened: the subfolder note; not indexed: the ignored draft and
    // the Latin-1 file.
    let all = c.request("workspace/symbol", json!({"query": ""}));
    let uris: BTreeSet<&str> = all
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| s["location"]["uri"].as_str().expect("uri"))
        .collect();
    let expected: BTreeSet<String> = ["python.md", "advanced.md", "topics/threads.md"]
        .iter()
        .map(|r| ws.uri(r))
        .collect();
    assert_eq!(
        uris,
        expected.iter().map(String::as_str).collect(),
        "symbols come from exactly the indexed notes"
    );
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"How do you start a thread?"), "{names:?}");
    assert!(!names.contains(&"What is a secret draft question?"));
    assert!(!names.contains(&"What is a latin question?"));
    c.shutdown_and_exit();
}

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
