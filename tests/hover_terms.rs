//! Hover on a term in prose, through the real binary, over `fixtures/terms/` (a messy note
//! and a clean one, in the seeds' styles): each explanation under its own breadcrumb, the
//! note being edited first, never an entry without text.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/terms")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The two notes copied to a fresh folder.
fn folder(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("notes-lsp-terms-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["basics.md", "advanced.md"] {
        std::fs::write(dir.join(name), fixture(name)).unwrap();
    }
    dir
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

struct Setup {
    c: Client,
    dir: PathBuf,
    basics: Doc,
}

fn setup(tag: &str, caps: Value) -> Setup {
    let dir = folder(tag);
    let mut c = Client::spawn();
    let mut caps = caps;
    caps["window"] = json!({"workDoneProgress": true});
    caps["textDocument"]["hover"] = json!({"contentFormat": ["markdown"]});
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": uri(&dir), "name": "notes"}],
        "capabilities": caps,
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let basics = c.open(&uri(&dir.join("basics.md")), &fixture("basics.md"));
    Setup { c, dir, basics }
}

/// The hover's entries as (breadcrumb, text), for a hover on `word` within the first line
/// holding `line_needle`.
fn hover_entries(s: &mut Setup, line_needle: &str, word: &str) -> Option<Vec<(String, String)>> {
    let line_at = s.basics.find(line_needle);
    let at = line_at
        + s.basics.text[line_at..]
            .find(word)
            .expect("the word on its line")
        + 1;
    let (l, ch) = position_of(&s.basics.text, at, s.c.enc);
    let h = s.c.hover(&s.basics.uri, l, ch);
    if h.is_null() {
        return None;
    }
    let md = h["contents"]["value"].as_str().expect("markdown contents");
    let entries = md
        .split("\n\n---\n\n")
        .map(|e| {
            let (crumb, text) = e.split_once("\n\n").unwrap_or_else(|| {
                panic!("an entry with no text under its breadcrumb: {e:?}\n{md}")
            });
            assert!(
                crumb.starts_with('_') && crumb.ends_with('_') && !crumb.contains('\n'),
                "the breadcrumb comes first, on its own line: {crumb:?}\n{md}"
            );
            let text = text.trim();
            assert!(
                !text.is_empty() && text != "…",
                "an empty entry: {e:?}\n{md}"
            );
            assert!(
                !text.lines().last().unwrap().starts_with('_'),
                "an entry ends with a breadcrumb line: {e:?}\n{md}"
            );
            (crumb.trim_matches('_').replace('\\', ""), text.to_string())
        })
        .collect();
    Some(entries)
}

fn check(tag: &str, caps: Value) {
    let mut s = setup(tag, caps);

    // GIL: explained in this note and twice over in the other; this note's comes first,
    // the other's one-line paragraph is cut at a word, not dropped for a bare "…".
    let gil = hover_entries(&mut s, "take turns on the GIL", "GIL").expect("a hover on GIL");
    let crumbs: Vec<&str> = gil.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        crumbs,
        [
            "basics.md › Python basics › Threads and processes › What is the GIL?",
            "advanced.md › Advanced Python › Concurrency › 1. What is the GIL (Global \
             Interpreter Lock), and when does it matter?",
        ],
        "{gil:?}"
    );
    assert!(
        gil[0]
            .1
            .starts_with("The GIL is one lock around the interpreter"),
        "{gil:?}"
    );
    assert!(
        gil[1]
            .1
            .starts_with("The Global Interpreter Lock (GIL) lets one thread"),
        "{gil:?}"
    );
    assert!(
        gil[1].1.ends_with(" …") && gil[1].1.len() < 500,
        "cut at a word: {gil:?}"
    );

    // decorator: explained (as "decorators") in this very note.
    let deco = hover_entries(&mut s, "A decorator is applied", "decorator").expect("a hover");
    assert_eq!(deco.len(), 1, "{deco:?}");
    assert_eq!(
        deco[0].0,
        "basics.md › Python basics › Functions › What are decorators in python?"
    );
    assert!(
        deco[0]
            .1
            .starts_with("In Python, a decorator wraps a function"),
        "{deco:?}"
    );

    // generator: a definition line (`**Generators** are ...`) in the other note.
    let generator =
        hover_entries(&mut s, "The generator keeps", "generator").expect("a hover on generator");
    assert_eq!(generator.len(), 1, "{generator:?}");
    assert_eq!(generator[0].0, "advanced.md › Advanced Python › Iteration");
    assert!(
        generator[0]
            .1
            .starts_with("**Generators** are functions that produce"),
        "{generator:?}"
    );

    // coroutine: only an unanswered question names it; nothing to show.
    assert_eq!(hover_entries(&mut s, "every coroutine", "coroutine"), None);

    s.c.shutdown_and_exit();
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[test]
fn term_hovers_utf16() {
    check("utf16", caps_default());
}

#[test]
fn term_hovers_utf8() {
    check("utf8", caps_utf8());
}
