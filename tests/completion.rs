//! Completion of link destinations through the real binary, item by item: what a client
//! needs to filter, order and place each item without guessing (a `textEdit` over the
//! typed fragment, `filterText`, `sortText` in document order), the heading as the label
//! and its anchor beside it.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::{Value, json};

const ITERATORS: &str = "# Iterators and generators 🐍

## Iterators

### 1. What is an iterator?

An object with `__next__`; `iter()` gives one.

### 2. What is a generator?

A function that yields: calling it returns an iterator.

## Errors

### 1. How do you raise an exception?

With `raise`.

### 2. What does `finally` do?

It runs whether or not the block raised.

**Why not catch everything?**

Bold questions have no anchor.
";

const DECORATORS: &str = "# Decorators

## What is a decorator?

A callable that takes a function and returns another.
";

/// A folder with the two notes, the second in a subfolder.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "notes-lsp-completion-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("more")).unwrap();
    std::fs::write(dir.join("iterators.md"), ITERATORS).unwrap();
    std::fs::write(dir.join("more/decorators.md"), DECORATORS).unwrap();
    dir
}

fn uri(p: &std::path::Path) -> String {
    format!("file://{}", p.display())
}

fn start_on(dir: &std::path::Path, caps: Value) -> Client {
    let mut c = Client::spawn();
    let mut caps = caps;
    caps["window"] = json!({"workDoneProgress": true});
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": uri(dir), "name": "notes"}],
        "capabilities": caps,
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    c
}

fn items(v: &Value) -> Vec<Value> {
    v.get("items")
        .unwrap_or(v)
        .as_array()
        .unwrap_or_else(|| panic!("completion items, got {v}"))
        .clone()
}

/// Completion at the end of `doc` after appending `typed` on a new line.
fn complete_after(c: &mut Client, doc: &mut Doc, typed: &str) -> (Vec<Value>, (u32, u32)) {
    let end = doc.text.len();
    doc.edit(c, end..end, &format!("\n{typed}"));
    let p = position_of(&doc.text, doc.text.len(), c.enc);
    let got = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc.uri}, "position": {"line": p.0, "character": p.1}}),
    );
    (items(&got), p)
}

/// What a client that filters by `filterText` prefix (Neovim's omnifunc) keeps.
fn kept<'a>(items: &'a [Value], typed: &str) -> Vec<&'a Value> {
    items
        .iter()
        .filter(|i| {
            i["filterText"]
                .as_str()
                .expect("filterText")
                .starts_with(typed)
        })
        .collect()
}

fn check_items(caps: Value, name: &str) {
    let dir = folder(name);
    let mut c = start_on(&dir, caps);
    let mut doc = c.open(&uri(&dir.join("iterators.md")), ITERATORS);

    // `](#` typed after characters outside the BMP and outside ASCII: the range still
    // starts right after the `#`.
    let (all, p) = complete_after(&mut c, &mut doc, "Voir « 🐍 » [gen](#2-wh");
    let labels: Vec<&str> = all.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "Iterators and generators 🐍",
            "Iterators",
            "1. What is an iterator?",
            "2. What is a generator?",
            "Errors",
            "1. How do you raise an exception?",
            "2. What does finally do?",
        ],
        "every heading with an anchor, as written, in document order: {all:?}"
    );
    let mut sort: Vec<&str> = all
        .iter()
        .map(|i| i["sortText"].as_str().unwrap())
        .collect();
    let before = sort.clone();
    sort.sort_unstable();
    assert_eq!(sort, before, "sortText follows document order");
    let typed = col_width("2-wh", c.enc);
    for i in &all {
        let te = &i["textEdit"];
        assert_eq!(
            te["range"],
            json!({"start": {"line": p.0, "character": p.1 - typed},
                   "end": {"line": p.0, "character": p.1}}),
            "{i}"
        );
        assert_eq!(te["newText"], i["filterText"], "{i}");
        let anchor = format!("#{}", i["filterText"].as_str().unwrap());
        assert_eq!(i["detail"], anchor, "{i}");
        assert_eq!(i["labelDetails"]["description"], anchor, "{i}");
    }
    let narrowed: Vec<&str> = kept(&all, "2-wh")
        .iter()
        .map(|i| i["textEdit"]["newText"].as_str().unwrap())
        .collect();
    assert_eq!(
        narrowed,
        ["2-what-is-a-generator", "2-what-does-finally-do"]
    );
    let kind = |label: &str| all.iter().find(|i| i["label"] == label).unwrap()["kind"].clone();
    // Interface for questions, Module for sections (as in the outline's symbols).
    assert_eq!(kind("2. What is a generator?"), json!(8));
    assert_eq!(kind("Errors"), json!(9));

    // After `](more/decorators.md#`: that note's headings, its name in the detail.
    let line_start = doc.text.rfind('\n').unwrap() + 1;
    let end = doc.text.len();
    doc.edit(&mut c, line_start..end, "[d](more/decorators.md#wh");
    let p = position_of(&doc.text, doc.text.len(), c.enc);
    let got = items(&c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc.uri}, "position": {"line": p.0, "character": p.1}}),
    ));
    let d = kept(&got, "wh");
    assert_eq!(d.len(), 1, "{got:?}");
    assert_eq!(d[0]["label"], "What is a decorator?");
    assert_eq!(d[0]["detail"], "decorators.md#what-is-a-decorator");
    assert_eq!(
        d[0]["textEdit"]["range"]["start"]["character"],
        json!(p.1 - 2)
    );

    // After `](`: the other notes by path, with their title.
    let end = doc.text.len();
    doc.edit(&mut c, line_start..end, "[d](mo");
    let p = position_of(&doc.text, doc.text.len(), c.enc);
    let got = items(&c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc.uri}, "position": {"line": p.0, "character": p.1}}),
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["label"], "more/decorators.md");
    assert_eq!(got[0]["detail"], "Decorators");
    assert_eq!(got[0]["kind"], json!(17));
    assert_eq!(got[0]["filterText"], "more/decorators.md");
    assert_eq!(
        got[0]["textEdit"]["range"]["start"]["character"],
        json!(p.1 - 2)
    );
    c.shutdown_and_exit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn anchor_items_carry_range_filter_order_and_title_utf16() {
    check_items(caps_default(), "utf16");
}

#[test]
fn anchor_items_carry_range_filter_order_and_title_utf8() {
    check_items(caps_utf8(), "utf8");
}
