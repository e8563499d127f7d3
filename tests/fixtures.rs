//! Snapshot tests over the notes in `fixtures/`: the outline (sections, questions, their
//! samples) and the diagnostics, rendered as text so a change in either shows as a diff.

use std::fmt::Write;

use notes_lsp::analysis::Analysis;
use notes_lsp::checks::Verdict;
use notes_lsp::note::{Encoding, Note};
use notes_lsp::outline::Section;

fn line_col(note: &Note, at: usize) -> String {
    let lc = note.to_line_col(at, Encoding::Utf16);
    format!("{}:{}", lc.line + 1, lc.col + 1)
}

fn outline(note: &Note, a: &Analysis, s: &Section, depth: usize, out: &mut String) {
    let h = &a.headings[s.heading];
    let kind = if h.question { "question" } else { "section" };
    let end = note.to_line_col(s.range.end, Encoding::Utf16).line + 1;
    let _ = writeln!(
        out,
        "{:indent$}{kind} h{} {:?} {}-{end}",
        "",
        h.level,
        h.title,
        line_col(note, h.range.start),
        indent = depth * 2
    );
    let first_child = s.children.first().map_or(s.range.end, |c| c.range.start);
    for sample in a
        .samples_in(&s.range)
        .filter(|x| x.range.start < first_child)
    {
        let verdict = match &sample.verdict {
            Verdict::Unchecked => "unchecked".to_string(),
            Verdict::Parses => "parses".to_string(),
            Verdict::Broken(b) => format!("broken at {}: {}", line_col(note, b.0.start), b.1),
        };
        let tag = if sample.tag.is_empty() {
            "-"
        } else {
            &sample.tag
        };
        let _ = writeln!(
            out,
            "{:indent$}sample {tag} {} {verdict}",
            "",
            line_col(note, sample.range.start),
            indent = depth * 2 + 2
        );
    }
    for c in &s.children {
        outline(note, a, c, depth + 1, out);
    }
}

fn check(name: &str) {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let note = Note::new(&text);
    let a = Analysis::of(&note);
    let mut out = String::from("# outline\n");
    for s in &a.outline {
        outline(&note, &a, s, 0, &mut out);
    }
    out.push_str("# diagnostics\n");
    for d in &a.diagnostics {
        let _ = writeln!(
            out,
            "{} {} {}: {}",
            line_col(&note, d.range.start),
            d.severity.as_str(),
            d.code,
            d.message
        );
    }
    // The chunked parse must tell the same story as a parse of the whole note.
    assert_eq!(
        a,
        Analysis::of(&Note::unchunked(&text)),
        "{name}: chunked vs whole"
    );
    insta::assert_snapshot!(name, out);
}

#[test]
fn messy_notes() {
    check("messy-notes.md");
}

#[test]
fn clean_notes() {
    check("clean-notes.md");
}

#[test]
fn quiz() {
    check("quiz.md");
}

#[test]
fn bold_questions_crlf_and_emoji() {
    check("bold-questions.md");
}
