//! Prints a note's outline (headings and questions with their levels) and its diagnostics,
//! one per line: what the seed checks in `scripts/check-seeds.sh` count.
use notes_lsp::analysis::Analysis;
use notes_lsp::note::{Encoding, Note};

fn main() {
    let path = std::env::args().nth(1).expect("usage: outline FILE.md");
    let text = std::fs::read_to_string(path).expect("readable UTF-8 file");
    let note = Note::new(&text);
    let a = Analysis::of(&note);
    for h in &a.headings {
        let line = note.to_line_col(h.range.start, Encoding::Utf8).line + 1;
        let kind = if h.question { "question" } else { "section" };
        println!("heading {line} {} {kind} {}", h.level, h.title);
    }
    for d in &a.diagnostics {
        let line = note.to_line_col(d.range.start, Encoding::Utf8).line + 1;
        println!("diagnostic {line} {} {}", d.code, d.message);
    }
}
