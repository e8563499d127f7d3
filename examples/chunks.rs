//! Shows how a note is cut into chunks and whether the chunked parse agrees with a parse of
//! the whole note: a tool for investigating chunking on real notes.
use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;

fn main() {
    let path = std::env::args().nth(1).expect("usage: chunks FILE.md");
    let text = std::fs::read_to_string(path).expect("readable UTF-8 file");
    let note = Note::new(&text);
    for (start, c) in note.chunks() {
        println!(
            "chunk at {start}, {} bytes: {:?}",
            c.text().len(),
            c.text().chars().take(40).collect::<String>()
        );
    }
    let (a, w) = (Analysis::of(&note), Analysis::of(&Note::unchunked(&text)));
    for (x, y) in [(&a.headings, &w.headings)] {
        if x != y {
            println!("headings differ:\n chunked {x:#?}\n whole {y:#?}");
        }
    }
    if a.samples != w.samples {
        println!("samples differ");
    }
    if a.diagnostics != w.diagnostics {
        println!("diagnostics differ");
    }
}
