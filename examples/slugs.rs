//! Prints the anchor of every heading of the notes given, one JSON object per line
//! (`{"file", "line", "anchor"}`): what `scripts/slug_differential.py` compares with
//! github-slugger's.
use notes_lsp::analysis::Analysis;
use notes_lsp::note::{Encoding, Note};
use notes_lsp::outline::{self, SlugStyle};

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        let slugs = outline::slugs_of(&a.headings, SlugStyle::Github);
        for (h, s) in a.headings.iter().zip(slugs.iter()) {
            if h.level > 6 {
                continue;
            }
            let line = note.to_line_col(h.range.start, Encoding::Utf8).line + 1;
            let obj = serde_json::json!({"file": path, "line": line, "anchor": &**s});
            println!("{obj}");
        }
    }
}
