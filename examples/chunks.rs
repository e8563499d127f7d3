//! Checks, over every Markdown file under the given folders (or the given files), that a note
//! cut into chunks gets the analysis a parse of the whole note gets: headings and questions,
//! outline, folds, samples and their code, diagnostics, links, definitions. Prints each note
//! that differs with the first difference of each kind, and exits 1 if any does.
//!
//!     cargo run --release --example chunks -- ../shared/corpus ../shared/seeds
//!     cargo run --release --example chunks -- --show NOTE.md   # also where it is cut
use notes_lsp::analysis::Analysis;
use notes_lsp::note::{Encoding, Note};
use pulldown_cmark::{Event, Options, Parser, Tag};

/// The (line, level) of each heading of an analysis (bold questions left out).
fn heading_lines(note: &Note, a: &Analysis) -> Vec<(u32, u8)> {
    a.headings
        .iter()
        .filter(|h| h.level <= 6)
        .map(|h| {
            (
                note.to_line_col(h.range.start, Encoding::Utf8).line,
                h.level,
            )
        })
        .collect()
}

/// The (line, level) of each heading as CommonMark with GitHub's tables reads the note
/// (pulldown-cmark): the judge where tree-sitter-md's parses of the whole note and of its
/// chunks disagree.
fn commonmark_heading_lines(note: &Note, text: &str) -> Vec<(u32, u8)> {
    Parser::new_ext(text, Options::ENABLE_TABLES)
        .into_offset_iter()
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::Heading { level, .. }) => {
                Some((note.to_line_col(r.start, Encoding::Utf8).line, level as u8))
            }
            _ => None,
        })
        .collect()
}

/// How many of `ours` are not in `reference` and the other way round.
fn unlike(ours: &[(u32, u8)], reference: &[(u32, u8)]) -> usize {
    let a: std::collections::BTreeSet<_> = ours.iter().collect();
    let b: std::collections::BTreeSet<_> = reference.iter().collect();
    if std::env::var_os("CHUNKS_VERBOSE").is_some() {
        for x in a.symmetric_difference(&b) {
            println!(
                "    {} {x:?}",
                if a.contains(x) {
                    "ours only"
                } else {
                    "CommonMark only"
                }
            );
        }
    }
    a.symmetric_difference(&b).count()
}

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
    kind("folds", first_difference(&a.folds(), &w.folds()));
    kind("samples", first_difference(&a.samples, &w.samples));
    kind(
        "diagnostics",
        first_difference(&a.diagnostics, &w.diagnostics),
    );
    kind("links", first_difference(&a.links, &w.links));
    kind("urls", first_difference(&a.urls, &w.urls));
    kind(
        "definitions",
        first_difference(&a.definitions, &w.definitions),
    );
    if a.content_end != w.content_end {
        kind(
            "content_end",
            Some(format!(
                "chunked {}, whole {}",
                a.content_end, w.content_end
            )),
        );
    }
    debug_assert!(!out.is_empty() || a == w);
    out
}

fn main() {
    let mut show = false;
    let (mut files, mut cut, mut bad, mut failed) = (0, 0, 0, 0);
    // Headings unlike CommonMark's over every note cut into chunks: chunked, whole.
    let (mut unlike_chunked, mut unlike_whole) = (0, 0);
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
                        "chunk at {start}, {} bytes{}: {:?}",
                        c.text().len(),
                        if c.has_error() {
                            ", parsed with an error"
                        } else {
                            ""
                        },
                        c.text().chars().take(40).collect::<String>()
                    );
                }
            }
            if note.chunk_count() < 2 {
                continue;
            }
            cut += 1;
            let whole = Note::unchunked(&text);
            let (a, w) = (Analysis::of(&note), Analysis::of(&whole));
            let cm = commonmark_heading_lines(&note, &text);
            let (uc, uw) = (
                unlike(&heading_lines(&note, &a), &cm),
                unlike(&heading_lines(&whole, &w), &cm),
            );
            unlike_chunked += uc;
            unlike_whole += uw;
            if a == w {
                continue;
            }
            bad += 1;
            let errors = |n: &Note| n.chunks().filter(|(_, c)| c.has_error()).count();
            let whole_error = errors(&whole) > 0;
            // The promise holds where tree-sitter-md parses the whole note without an error.
            // With one, its recovery runs on over the rest of the note (a column-0 heading
            // taken into a list item, `###` read as `#` and `##`) where the chunks, cut at
            // such headings, stay with CommonMark: a difference then fails the run only if the
            // chunks' headings are further from CommonMark's than the whole note's.
            let fails = !whole_error || uc > uw;
            failed += usize::from(fails);
            println!(
                "{}: {} chunks ({} parsed with an error), whole parsed {}{}",
                path.display(),
                note.chunk_count(),
                errors(&note),
                if whole_error {
                    "with an error"
                } else {
                    "without error"
                },
                if fails { " FAILS" } else { "" }
            );
            println!("  headings unlike CommonMark's (line and level): chunked {uc}, whole {uw}");
            for d in differences(&a, &w) {
                println!("  {d}");
            }
        }
    }
    println!(
        "{files} files, {cut} cut into chunks, {bad} analyzed differently chunked and whole \
         ({failed} of them where the whole note parses without an error or the chunks' headings \
         are further from CommonMark's); headings unlike CommonMark's (pulldown-cmark) in the \
         notes cut: {unlike_chunked} chunked, {unlike_whole} whole"
    );
    std::process::exit(i32::from(failed > 0));
}
