//! End-to-end tests of the workspace features over the real `notes-lsp --stdio` binary: a
//! temporary folder of interview notes that link to each other, indexed in the background
//! with `$/progress`; hover on terms and links, definition, references, rename, completion,
//! document links, workspace symbols, broken-link and duplicate-question diagnostics that
//! follow changes to other notes, and settings from the client and from `.notes-lsp.toml`.
//!
//! Each test starts its own server on its own folder. Waits are bounded by `common::TIMEOUT`
//! (a guard against hangs, not a performance assertion). This file holds the notes and the
//! helpers; `navigation.rs` hover, definition, references and rename; `editing.rs`
//! completion, document links and workspace symbols; `diagnostics.rs` the cross-note
//! diagnostics, settings and watched files.

#[path = "../common/mod.rs"]
mod common;

mod diagnostics;
mod editing;
mod navigation;

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
