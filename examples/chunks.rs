//! Checks, over every Markdown file under the given folders (or the given files), that a note
//! cut into chunks gets the analysis a parse of the whole note gets: headings and questions,
//! outline, folds, samples and their code, diagnostics, links, definitions. Prints each note
//! that differs with the first difference of each kind, and exits 1 if any does.
//!
//!     cargo run --release --example chunks -- ../shared/corpus ../shared/seeds
//!     cargo run --release --example chunks -- --show NOTE.md   # also where it is cut
use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;

/// The first element where two lists differ (or where one runs out), as text.
fn first_difference<T: std::fmt::Debug + PartialEq>(a: &[T], b: &[T]) -> Option<String> {
    if a == b {
        return None;
    }
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    Some(format!(
        "#{i} of {}/{}: chunked {:?}, whole {:?}",
        a.len(),
        b.len(),
        a.get(i),
        b.get(i)
    ))
}

/// What differs between the chunked and the whole analysis, one line per kind.
fn differences(a: &Analysis, w: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    let mut kind = |name: &str, d: Option<String>| {
        if let Some(d) = d {
            out.push(format!("{name} {d}"));
        }
    };
    kind("headings", first_difference(&a.headings, &w.headings));
    kind("outline", first_difference(&a.outline, &w.outline));
    kind("folds", first_difference(&a.folds, &w.folds));
    kind("samples", first_difference(&a.samples, &w.samples));
    kind("diagnostics", first_difference(&a.diagnostics, &w.diagnostics));
    kind("links", first_difference(&a.links, &w.links));
    kind("urls", first_difference(&a.urls, &w.urls));
    kind("definitions", first_difference(&a.definitions, &w.definitions));
    if a.content_end != w.content_end {
        kind(
            "content_end",
            Some(format!("chunked {}, whole {}", a.content_end, w.content_end)),
        );
    }
    debug_assert!(!out.is_empty() || a == w);
    out
}

fn main() {
    let mut show = false;
    let (mut files, mut cut, mut bad) = (0, 0, 0);
    for arg in std::env::args().skip(1) {
        if arg == "--show" {
            show = true;
            continue;
        }
        for entry in ignore::WalkBuilder::new(&arg).build().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            files += 1;
            let note = Note::new(&text);
            if show {
                for (start, c) in note.chunks() {
                    println!(
                        "chunk at {start}, {} bytes: {:?}",
                        c.text().len(),
                        c.text().chars().take(40).collect::<String>()
                    );
                }
            }
            if note.chunk_count() < 2 {
                continue;
            }
            cut += 1;
            let (a, w) = (Analysis::of(&note), Analysis::of(&Note::unchunked(&text)));
            if a != w {
                bad += 1;
                println!("{}: {} chunks", path.display(), note.chunk_count());
                for d in differences(&a, &w) {
                    println!("  {d}");
                }
            }
        }
    }
    println!(
        "{files} files, {cut} cut into chunks, {bad} analyzed differently chunked and whole"
    );
    std::process::exit(i32::from(bad > 0));
}
