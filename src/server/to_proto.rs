//! Plain analysis values → LSP types, with positions in the negotiated encoding. The only
//! place (with `state.rs` for incoming edits) where byte offsets meet the protocol.

use std::ops::Range;

use serde::Serialize;
use tower_lsp_server::ls_types as lsp;

use crate::analysis::{Analysis, FoldKind, SampleInfo};
use crate::checks::Verdict;
use crate::codes::Severity;
use crate::config::{Config, OutlineSamples};
use crate::hover::{self, HoverInfo};
use crate::note::position::Near;
use crate::note::{Encoding, LineCol, Note};
use crate::outline::Section;
use crate::workspace::{Pos, RelatedAt, Span, WsDiagnostic};

pub fn position(note: &Note, offset: usize, enc: Encoding) -> lsp::Position {
    let lc = note.to_line_col(offset, enc);
    lsp::Position::new(lc.line, lc.col)
}

pub fn offset(note: &Note, pos: lsp::Position, enc: Encoding) -> usize {
    note.to_offset(
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        enc,
    )
}

pub fn range(note: &Note, r: &Range<usize>, enc: Encoding) -> lsp::Range {
    range_near(note, r, enc, None)
}

/// [`range`] for one of many ranges converted in about the text's order (see
/// [`Note::range_to_line_cols_near`]).
fn range_near(
    note: &Note,
    r: &Range<usize>,
    enc: Encoding,
    near: Option<&(Near, Near)>,
) -> lsp::Range {
    let (start, end) = note.range_to_line_cols_near(r.clone(), enc, near);
    lsp::Range::new(
        lsp::Position::new(start.line, start.col),
        lsp::Position::new(end.line, end.col),
    )
}

fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn diagnostics(
    note: &Note,
    a: &Analysis,
    config: &Config,
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    a.diagnostics
        .iter()
        .filter_map(|d| {
            Some(diagnostic(
                note,
                d,
                config.severity(d.code, d.severity)?,
                enc,
            ))
        })
        .collect()
}

/// One of the note's own diagnostics, with the severity the settings give it.
pub fn diagnostic(
    note: &Note,
    d: &crate::checks::Diagnostic,
    sev: Severity,
    enc: Encoding,
) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(note, &d.range, enc),
        severity: Some(severity(sev)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("notes-lsp".into()),
        message: d.message.to_string(),
        ..Default::default()
    }
}

fn sample_symbol(note: &Note, s: &SampleInfo, enc: Encoding) -> lsp::DocumentSymbol {
    let (name, detail) = (SampleName(s).to_string(), SampleDetail(s).to_string());
    let r = range(note, &s.range, enc);
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name,
        detail: Some(detail),
        kind: lsp::SymbolKind::OBJECT,
        tags: None,
        deprecated: None,
        range: r,
        selection_range: lsp::Range::new(r.start, r.start),
        children: None,
    }
}

/// The outline: sections and questions nested by level, the samples `which` lists under the
/// section that directly holds them. Depth is bounded by the heading levels (at most 7), so
/// recursion is safe.
pub fn document_symbols(
    note: &Note,
    a: &Analysis,
    enc: Encoding,
    which: OutlineSamples,
) -> Vec<lsp::DocumentSymbol> {
    let first_heading = a.outline.first().map_or(usize::MAX, |s| s.range.start);
    let mut out: Vec<lsp::DocumentSymbol> = a
        .samples
        .iter()
        .take_while(|s| s.range.start < first_heading)
        .filter(|s| listed(which, s))
        .map(|s| sample_symbol(note, s, enc))
        .collect();
    out.extend(
        a.outline
            .iter()
            .map(|s| section_symbol(note, a, s, enc, which)),
    );
    out
}

/// Whether the outline lists sample `s` as a symbol of its own.
fn listed(which: OutlineSamples, s: &SampleInfo) -> bool {
    match which {
        OutlineSamples::All => true,
        OutlineSamples::Broken => s.is_broken(),
        OutlineSamples::None => false,
    }
}

fn section_symbol(
    note: &Note,
    a: &Analysis,
    s: &Section,
    enc: Encoding,
    which: OutlineSamples,
) -> lsp::DocumentSymbol {
    let first_child = s.children.first().map_or(s.range.end, |c| c.range.start);
    let children = a
        .samples_in(&s.range)
        .filter(|x| x.range.start < first_child && listed(which, x))
        .map(|x| sample_symbol(note, x, enc))
        .chain(
            s.children
                .iter()
                .map(|c| section_symbol(note, a, c, enc, which)),
        )
        .collect();
    let detail = SectionDetail::of(a, s).to_string();
    let name = section_name(a, s).to_string();
    let (full, selection) = section_ranges(note, a, s, enc, None);
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name,
        detail: Some(detail),
        kind: heading_kind(a.headings[s.heading].question),
        tags: None,
        deprecated: None,
        range: full,
        selection_range: selection,
        children: Some(children),
    }
}

/// A sample symbol's name: `python sample`, or `sample` when untagged; `python sample (does
/// not parse)` when broken, for clients that show no detail (Neovim's location list).
struct SampleName<'a>(&'a SampleInfo);

impl std::fmt::Display for SampleName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0.tag {
            "" => f.write_str("sample")?,
            tag => write!(f, "{tag} sample")?,
        }
        if self.0.is_broken() {
            f.write_str(" (does not parse)")?;
        }
        Ok(())
    }
}

/// A sample symbol's detail: its verdict.
struct SampleDetail<'a>(&'a SampleInfo);

impl std::fmt::Display for SampleDetail<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0.verdict {
            Verdict::Unchecked => f.write_str("not checked"),
            Verdict::Parses => f.write_str("parses"),
            Verdict::Broken(b) => write!(f, "does not parse: {}", b.1),
        }
    }
}

/// A section symbol's detail: `question · 3 samples · 1 broken`.
struct SectionDetail {
    question: bool,
    samples: usize,
    broken: usize,
}

impl SectionDetail {
    fn of(a: &Analysis, s: &Section) -> SectionDetail {
        let (samples, broken) = a
            .samples_in(&s.range)
            .fold((0, 0), |(n, b), x| (n + 1, b + usize::from(x.is_broken())));
        SectionDetail {
            question: a.headings[s.heading].question,
            samples,
            broken,
        }
    }
}

impl std::fmt::Display for SectionDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.question { "question" } else { "section" })?;
        if self.samples > 0 {
            let plural = if self.samples == 1 { "" } else { "s" };
            write!(f, " · {} sample{plural}", self.samples)?;
        }
        if self.broken > 0 {
            write!(f, " · {} broken", self.broken)?;
        }
        Ok(())
    }
}

fn section_name<'a>(a: &'a Analysis, s: &Section) -> &'a str {
    match &*a.headings[s.heading].title {
        "" => "(untitled)",
        title => title,
    }
}

/// A section symbol's range and selection range (its title, or its start when the title
/// lies outside the range).
fn section_ranges(
    note: &Note,
    a: &Analysis,
    s: &Section,
    enc: Encoding,
    near: Option<&(Near, Near)>,
) -> (lsp::Range, lsp::Range) {
    let full = range_near(note, &s.range, enc, near);
    let selection = range_near(note, &a.headings[s.heading].title_range, enc, near);
    if selection.start < full.start || selection.end > full.end {
        (full, lsp::Range::new(full.start, full.start))
    } else {
        (full, selection)
    }
}

/// [`document_symbols`] as serde_json would write it, without building it: a big note has
/// thousands of nested symbols, whose names, details and child lists would be allocated only
/// to be written out and freed. The fields are `lsp::DocumentSymbol`'s, in its order; a test
/// holds the two to the same bytes.
pub struct SymbolsJson<'a> {
    note: &'a Note,
    a: &'a Analysis,
    enc: Encoding,
    which: OutlineSamples,
    /// Symbols are written in the text's order, but for where sections end.
    near: (Near, Near),
}

impl<'a> SymbolsJson<'a> {
    pub fn new(note: &'a Note, a: &'a Analysis, enc: Encoding, which: OutlineSamples) -> Self {
        SymbolsJson {
            note,
            a,
            enc,
            which,
            near: Default::default(),
        }
    }

    /// About how many bytes [`SymbolsJson::write`] writes (a buffer grown by doubling
    /// copied a big answer over and over).
    pub fn size_hint(&self) -> usize {
        160 * (self.a.headings.len() + self.a.samples.len())
    }

    /// Appends the answer's JSON to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let first_heading = self.a.outline.first().map_or(usize::MAX, |s| s.range.start);
        let samples = self
            .a
            .samples
            .iter()
            .take_while(|s| s.range.start < first_heading)
            .filter(|s| listed(self.which, s));
        let mut scratch = String::new();
        out.push(b'[');
        let mut list = List::default();
        for s in samples {
            list.next(out);
            self.sample(out, s, &mut scratch);
        }
        for section in &self.a.outline {
            list.next(out);
            self.section(out, section, &mut scratch);
        }
        out.push(b']');
    }

    fn sample(&self, out: &mut Vec<u8>, s: &SampleInfo, scratch: &mut String) {
        let range = range_near(self.note, &s.range, self.enc, Some(&self.near));
        out.extend_from_slice(b"{\"name\":");
        json_display(out, scratch, SampleName(s));
        out.extend_from_slice(b",\"detail\":");
        json_display(out, scratch, SampleDetail(s));
        out.extend_from_slice(b",\"kind\":");
        json_value(out, &lsp::SymbolKind::OBJECT);
        out.extend_from_slice(b",\"range\":");
        json_range(out, range);
        out.extend_from_slice(b",\"selectionRange\":");
        json_range(out, lsp::Range::new(range.start, range.start));
        out.push(b'}');
    }

    fn section(&self, out: &mut Vec<u8>, s: &Section, scratch: &mut String) {
        let (note, a, enc) = (self.note, self.a, self.enc);
        out.extend_from_slice(b"{\"name\":");
        json_value(out, section_name(a, s));
        out.extend_from_slice(b",\"detail\":");
        json_display(out, scratch, SectionDetail::of(a, s));
        out.extend_from_slice(b",\"kind\":");
        json_value(out, &heading_kind(a.headings[s.heading].question));
        let (full, selection) = section_ranges(note, a, s, enc, Some(&self.near));
        out.extend_from_slice(b",\"range\":");
        json_range(out, full);
        out.extend_from_slice(b",\"selectionRange\":");
        json_range(out, selection);
        // Its own samples (those before its first subsection), then its subsections.
        out.extend_from_slice(b",\"children\":[");
        let first_child = s.children.first().map_or(s.range.end, |c| c.range.start);
        let mut list = List::default();
        for sample in a
            .samples_in(&s.range)
            .filter(|x| x.range.start < first_child && listed(self.which, x))
        {
            list.next(out);
            self.sample(out, sample, scratch);
        }
        for child in &s.children {
            list.next(out);
            self.section(out, child, scratch);
        }
        out.extend_from_slice(b"]}");
    }
}

/// Commas between the elements of a JSON list.
#[derive(Default)]
struct List(bool);

impl List {
    fn next(&mut self, out: &mut Vec<u8>) {
        if std::mem::replace(&mut self.0, true) {
            out.push(b',');
        }
    }
}

fn json_value(out: &mut Vec<u8>, v: &(impl Serialize + ?Sized)) {
    serde_json::to_writer(out, v).expect("serializing a string or a number cannot fail");
}

/// `v` as a JSON string, formatted in `scratch` first.
fn json_display(out: &mut Vec<u8>, scratch: &mut String, v: impl std::fmt::Display) {
    use std::fmt::Write;
    scratch.clear();
    write!(scratch, "{v}").expect("formatting into a String cannot fail");
    json_value(out, scratch.as_str());
}

/// `r` as `lsp::Range` serializes.
fn json_range(out: &mut Vec<u8>, r: lsp::Range) {
    let mut num = itoa::Buffer::new();
    for (key, p) in [(&b"{\"start\":"[..], r.start), (&b",\"end\":"[..], r.end)] {
        out.extend_from_slice(key);
        out.extend_from_slice(b"{\"line\":");
        out.extend_from_slice(num.format(p.line).as_bytes());
        out.extend_from_slice(b",\"character\":");
        out.extend_from_slice(num.format(p.character).as_bytes());
        out.push(b'}');
    }
    out.push(b'}');
}

/// Questions and sections look different in outlines and symbol searches.
pub fn heading_kind(question: bool) -> lsp::SymbolKind {
    if question {
        lsp::SymbolKind::INTERFACE
    } else {
        lsp::SymbolKind::NAMESPACE
    }
}

pub fn folding_ranges(note: &Note, a: &Analysis) -> Vec<lsp::FoldingRange> {
    a.folds()
        .into_iter()
        .filter_map(|f| {
            let start = note.to_line_col(f.range.start, Encoding::Utf8).line;
            let end = note
                .to_line_col(
                    f.range.end.saturating_sub(1).max(f.range.start),
                    Encoding::Utf8,
                )
                .line;
            (end > start).then(|| lsp::FoldingRange {
                start_line: start,
                end_line: end,
                kind: match f.kind {
                    FoldKind::Section => Some(lsp::FoldingRangeKind::Region),
                    FoldKind::Code | FoldKind::List => None,
                },
                ..Default::default()
            })
        })
        .collect()
}

pub fn hover(note: &Note, a: &Analysis, at: usize, enc: Encoding) -> Option<lsp::Hover> {
    let HoverInfo { range: r, markdown } = hover::hover(note, a, at)?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(range(note, &r, enc)),
    })
}

/// Related locations sent per diagnostic, at most: the workspace keeps no more (see
/// [`crate::workspace::MAX_RELATED`]).
const MAX_RELATED: usize = crate::workspace::MAX_RELATED;

/// Diagnostics that needed the workspace, with related locations in other notes.
pub fn workspace_diagnostics(
    note: &Note,
    ws: &[WsDiagnostic],
    config: &Config,
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    ws.iter()
        .filter_map(|d| {
            Some(workspace_diagnostic(
                note,
                d,
                config.severity(d.code, d.severity)?,
                enc,
            ))
        })
        .collect()
}

/// One diagnostic that needed the workspace, with the severity the settings give it.
pub fn workspace_diagnostic(
    note: &Note,
    d: &WsDiagnostic,
    sev: Severity,
    enc: Encoding,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .take(MAX_RELATED)
        .filter_map(|r| {
            let range = match &r.at {
                RelatedAt::Span(s) => span_range(*s, enc),
                RelatedAt::Here(b) => range(note, b, enc),
            };
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri(&r.uri)?, range),
                message: "also asked here".into(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: range(note, &d.range, enc),
        severity: Some(severity(sev)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("notes-lsp".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// A span of another note (line and column in each encoding) as an LSP range.
pub fn span_range(s: Span, enc: Encoding) -> lsp::Range {
    lsp::Range::new(pos(s.start, enc), pos(s.end, enc))
}

fn pos(p: Pos, enc: Encoding) -> lsp::Position {
    lsp::Position::new(p.line, p.col(enc))
}

pub fn uri(s: &str) -> Option<lsp::Uri> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The symbols written without being built are, byte for byte, the symbols built and
    /// then serialized: on the fixtures, and on a note with what every field depends on
    /// (untitled headings, questions, nested sections, samples before any heading, tagged,
    /// untagged, broken and unchecked samples, non-ASCII titles and CRLF lines).
    #[test]
    fn symbols_written_directly_equal_the_built_ones() {
        let mut made = String::from("```py\nx = 1\n```\n\n#\n\n## Why is the GIL there? 🐍\r\n\n");
        for i in 0..30 {
            made.push_str(&format!(
                "### {i}. What is \"quoted\" \\ here?\n\n```python\ndef f(:\n```\n\n\
                 ```\nplain\n```\n\n#### Sub {i}\n\n```js\nlet a = {i};\n```\n\n"
            ));
        }
        let texts = [
            include_str!("../../fixtures/bold-questions.md"),
            include_str!("../../fixtures/clean-notes.md"),
            include_str!("../../fixtures/messy-fixes.md"),
            include_str!("../../fixtures/messy-notes.md"),
            include_str!("../../fixtures/quiz.md"),
            &made,
            "",
        ];
        for text in texts {
            let note = Note::new(text);
            let a = Analysis::of(&note);
            let whichs = [
                OutlineSamples::All,
                OutlineSamples::Broken,
                OutlineSamples::None,
            ];
            for (enc, which) in [Encoding::Utf8, Encoding::Utf16]
                .into_iter()
                .flat_map(|e| whichs.map(|w| (e, w)))
            {
                let built =
                    serde_json::to_string(&document_symbols(&note, &a, enc, which)).unwrap();
                let mut written = Vec::new();
                SymbolsJson::new(&note, &a, enc, which).write(&mut written);
                let written = String::from_utf8(written).unwrap();
                assert_eq!(written, built);
                if text == made && which == OutlineSamples::None {
                    assert!(!built.contains("sample\",\"detail"), "{built}");
                    assert!(built.contains("3 samples · 1 broken"), "{built}");
                }
                if text == made && which == OutlineSamples::Broken {
                    assert!(built.contains("does not parse") && !built.contains("js sample"));
                }
                if text == made && which == OutlineSamples::All {
                    for field in [
                        "(untitled)",
                        "does not parse",
                        "3 samples · 1 broken",
                        "section · 1 sample\"",
                        "js sample",
                    ] {
                        assert!(built.contains(field), "{field} in {built}");
                    }
                }
            }
        }
    }
}
