//! Prints every fenced code block of the notes given, one JSON object per line
//! (`{"file", "start", "last", "closed"}`: 1-based lines of the opening fence and of the
//! block's last non-blank line, and whether a closing fence ends it): what
//! `scripts/fence_differential.py` compares with markdown-it's.
use notes_lsp::analysis::Analysis;
use notes_lsp::codes::code;
use notes_lsp::note::{Encoding, Note};

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        for s in &a.samples {
            let body = note.slice(s.range.clone());
            let first = body.lines().next().unwrap_or("").trim_start();
            if !first.starts_with("```") && !first.starts_with("~~~") {
                continue;
            }
            let line = |at: usize| note.to_line_col(at, Encoding::Utf8).line + 1;
            let last = s.range.start + body.trim_end().len();
            let closed = !a
                .diagnostics
                .iter()
                .any(|d| d.code == code::UNCLOSED_FENCE && d.range.start == s.range.start);
            let obj = serde_json::json!({
                "file": path,
                "start": line(s.range.start),
                "last": line(last.saturating_sub(1).max(s.range.start)),
                "closed": closed,
            });
            println!("{obj}");
        }
    }
}
