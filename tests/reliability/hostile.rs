//! Hostile notes: parsed, analyzed and edited on a small stack, and in the server.

use super::*;

// ---------------------------------------------------------------------------------------------
// hostile notes

fn full() -> bool {
    std::env::var("NOTES_LSP_HOSTILE_FULL").is_ok_and(|v| v == "1")
}

/// Hostile notes by name: (name, text). Sizes are the issue's where a debug build parses them
/// in seconds, and a tenth of them otherwise (all of them with `NOTES_LSP_HOSTILE_FULL=1`).
fn hostile_notes() -> Vec<(&'static str, String)> {
    let big = if full() { 20_000_000 } else { 2_000_000 };
    let fences = if full() { 100_000 } else { 20_000 };
    let unit = "## Section\n\n### What is x?\n\nSome answer text.\n\n```python\ndef f(x):\n    \
                return x\n```\n\n- a list\n- of items\n\n";
    vec![
        ("big sectioned note", unit.repeat(big / unit.len())),
        (
            "big note without headings",
            "A line of prose that goes on.\n\n".repeat(big / 31),
        ),
        ("5 MB single line", "word ".repeat(1_000_000) + "\n"),
        (
            "100,000 nested block quotes",
            ">".repeat(100_000) + " deep\n",
        ),
        ("100,000 nested list items", "- ".repeat(100_000) + "item\n"),
        (
            "100,000 nested ordered lists",
            "1. ".repeat(100_000) + "x\n",
        ),
        (
            "deep quote on many lines",
            (0..2_000).map(|i| ">".repeat(i % 200) + " x\n").collect(),
        ),
        ("code fences", "```python\nx = (\n```\n".repeat(fences)),
        (
            "thousands of unclosed fences",
            (0..5_000)
                .map(|i| {
                    format!(
                        "{}\n# H{i}\n",
                        ["```", "~~~", "````", "```py", "~~~~"][i % 5]
                    )
                })
                .collect(),
        ),
        (
            "an HTML comment never closed, before thousands of headings",
            "<!--\n".to_string() + &"# H\n\ntext\n\n".repeat(5_000),
        ),
        (
            "a script block never closed, before thousands of headings",
            "<script>\n".to_string() + &"## H\n\ntext\n\n".repeat(5_000),
        ),
        (
            "NUL bytes",
            "# Q?\n\0\0\0\n```python\nx = '\0'\n```\n\0".repeat(5_000),
        ),
        (
            "every line ending mixed",
            "# A\r\nb\rc\n\r\n```py\r\nx = (\r```\n\r> q\r\n- l\r".repeat(10_000),
        ),
        (
            "a 100,000-line Python sample",
            format!("```python\n{}```\n", "x = 1\n".repeat(100_000)),
        ),
        (
            "a 100,000-line sample in a list",
            format!(
                "- item\n\n  ```python\n{}  ```\n",
                "  x = 1\n".repeat(100_000)
            ),
        ),
        (
            "Python nested 100,000 deep",
            [
                "-".repeat(100_000) + "1",
                "not ".repeat(100_000) + "1",
                "lambda: ".repeat(100_000) + "1",
                "1 + ".repeat(100_000) + "1",
                "a".to_string() + &".b".repeat(100_000),
                "a".to_string() + &"()".repeat(100_000),
                "2 ** ".repeat(100_000) + "1",
                "(".repeat(100_000),
                "f'{".repeat(100_000),
                "[".repeat(50_000) + &"]".repeat(50_000),
            ]
            .iter()
            .map(|e| format!("```python\nx = {e}\n```\n\n"))
            .collect(),
        ),
        (
            "Python nested 3,000 deep (checked on a bigger stack)",
            format!("```python\nx = {}1\n```\n", "1 + ".repeat(3_000)),
        ),
        (
            "deep JSON",
            format!("```json\n{}\n```\n", "[".repeat(100_000)),
        ),
        ("1,000,000 emphasis markers", "*".repeat(1_000_000) + "x\n"),
        ("1,000,000 brackets", "[".repeat(1_000_000) + "\n"),
        ("1,000,000 emoji on a line", "😀".repeat(1_000_000) + "\n"),
    ]
}

/// Runs `f` on a thread with the stack of a tokio blocking thread (2 MiB), as the server
/// does, failing (not hanging) after a generous bound.
fn on_small_stack<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("a thread");
    rx.recv_timeout(Duration::from_secs(600))
        .unwrap_or_else(|e| panic!("{what}: no result in 10 minutes ({e}) or a panic"))
}

/// Hostile notes `which` (by index), in process on a 2 MiB stack: parsed, analyzed,
/// converted to LSP, edited in the middle (incrementally equal to a fresh parse), dropped.
fn parse_analyze_and_edit(which: std::ops::Range<usize>) {
    let notes = hostile_notes();
    assert!(which.end <= notes.len());
    for (name, text) in notes.into_iter().take(which.end).skip(which.start) {
        let started = Instant::now();
        let (len, chunks) = on_small_stack(name, move || {
            let mut note = Note::new(&text);
            let a = Analysis::of(&note);
            let _ = to_proto::document_symbols(&note, &a, Encoding::Utf16, OutlineSamples::All);
            let _ = to_proto::folding_ranges(&note, &a);
            let _ = to_proto::diagnostics(&note, &a, &Config::default(), Encoding::Utf16);
            let mut mid = text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid -= 1;
            }
            let _ = to_proto::hover(&note, &a, mid, Encoding::Utf8);
            note.edit(mid..mid, "\n# Inserted?\n");
            let mut model = text.clone();
            model.insert_str(mid, "\n# Inserted?\n");
            assert_eq!(note.text(), model, "{name}");
            assert_eq!(
                Analysis::of(&note),
                Analysis::of(&Note::new(&model)),
                "{name}: incremental vs fresh"
            );
            let chunks = note.chunk_count();
            drop(note);
            (model.len(), chunks)
        });
        eprintln!(
            "{name}: {len} bytes, {chunks} chunks, {:.1?}",
            started.elapsed()
        );
    }
}

#[test]
fn hostile_big_notes_parse_analyze_and_edit_on_a_small_stack() {
    parse_analyze_and_edit(0..3);
}

#[test]
fn hostile_nesting_and_structure_parse_analyze_and_edit_on_a_small_stack() {
    parse_analyze_and_edit(3..13);
}

#[test]
fn hostile_samples_and_lines_parse_analyze_and_edit_on_a_small_stack() {
    parse_analyze_and_edit(13..hostile_notes().len());
}

/// The server with hostile notes open: each gets diagnostics and answers, and a small note
/// is answered in between.
#[test]
fn hostile_notes_in_the_server() {
    let mut c = start(caps_default());
    let small = c.open("file:///notes/small.md", NOTE);
    let expected = symbols_of(&mut c, &small.uri);
    for (i, (name, text)) in hostile_notes().into_iter().enumerate() {
        // The server-side cases stay small enough for a debug build's answers to come
        // within the hang detector's bound.
        if text.len() > 2_500_000 || name.contains("big") {
            continue;
        }
        let doc = c.open(&format!("file:///notes/hostile-{i}.md"), &text);
        assert_eq!(
            symbols_of(&mut c, &small.uri),
            expected,
            "while {name} is parsed"
        );
        c.diagnostics_for_version(&doc.uri, 1);
        symbols_of(&mut c, &doc.uri);
        c.folding_ranges(&doc.uri);
        let r = c.request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": {"line": 0, "character": 3}}),
        );
        assert!(r.get("error").is_none(), "{name}: {r}");
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": doc.uri}}),
        );
        assert!(c.is_running(), "the server died on {name}");
    }
    c.shutdown_and_exit();
}
