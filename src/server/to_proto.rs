//! Plain analysis values → LSP types, with positions in the negotiated encoding. The only
//! place (with `state.rs` for incoming edits) where byte offsets meet the protocol.

use std::ops::Range;

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};
use tower_lsp_server::ls_types as lsp;

use crate::analysis::{Analysis, FoldKind, SampleInfo};
use crate::checks::{Severity, Verdict};
use crate::config::Config;
use crate::hover::{self, HoverInfo};
use crate::note::{Encoding, LineCol, Note};
use crate::outline::Section;
use crate::workspace::{RelatedAt, WsDiagnostic};

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
    let (start, end) = note.range_to_line_cols(r.clone(), enc);
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
        .filter_map(|d| Some(diagnostic(note, d, config.apply(d)?, enc)))
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

/// The outline: sections and questions nested by level, samples under the section that
/// directly holds them. Depth is bounded by the heading levels (at most 7), so recursion is safe.
pub fn document_symbols(note: &Note, a: &Analysis, enc: Encoding) -> Vec<lsp::DocumentSymbol> {
    let first_heading = a.outline.first().map_or(usize::MAX, |s| s.range.start);
    let mut out: Vec<lsp::DocumentSymbol> = a
        .samples
        .iter()
        .take_while(|s| s.range.start < first_heading)
        .map(|s| sample_symbol(note, s, enc))
        .collect();
    out.extend(a.outline.iter().map(|s| section_symbol(note, a, s, enc)));
    out
}

fn section_symbol(note: &Note, a: &Analysis, s: &Section, enc: Encoding) -> lsp::DocumentSymbol {
    let first_child = s.children.first().map_or(s.range.end, |c| c.range.start);
    let children = a
        .samples_in(&s.range)
        .filter(|x| x.range.start < first_child)
        .map(|x| sample_symbol(note, x, enc))
        .chain(s.children.iter().map(|c| section_symbol(note, a, c, enc)))
        .collect();
    let detail = SectionDetail::of(a, s).to_string();
    let name = section_name(a, s).to_string();
    let (full, selection) = section_ranges(note, a, s, enc);
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

/// A sample symbol's name: `python sample`, or `sample` when untagged.
struct SampleName<'a>(&'a SampleInfo);

impl std::fmt::Display for SampleName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0.tag {
            "" => f.write_str("sample"),
            tag => write!(f, "{tag} sample"),
        }
    }
}

/// A sample symbol's detail: its verdict.
struct SampleDetail<'a>(&'a SampleInfo);

impl std::fmt::Display for SampleDetail<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0.verdict {
            Verdict::Unchecked => f.write_str("not checked"),
            Verdict::Parses => f.write_str("parses"),
            Verdict::Broken(_, msg) => write!(f, "does not parse: {msg}"),
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
) -> (lsp::Range, lsp::Range) {
    let full = range(note, &s.range, enc);
    let selection = range(note, &a.headings[s.heading].title_range, enc);
    if selection.start < full.start || selection.end > full.end {
        (full, lsp::Range::new(full.start, full.start))
    } else {
        (full, selection)
    }
}

/// [`document_symbols`] serialized as it would be, without building it: a 1 MiB note has
/// ~2,700 nested symbols, whose names, details and child lists were allocated only to be
/// written out and freed (half the time of a `documentSymbol` answer). The fields are
/// `lsp::DocumentSymbol`'s, in its order; a test holds the two to the same bytes.
pub struct SymbolsJson<'a> {
    note: &'a Note,
    a: &'a Analysis,
    enc: Encoding,
}

impl<'a> SymbolsJson<'a> {
    pub fn new(note: &'a Note, a: &'a Analysis, enc: Encoding) -> Self {
        SymbolsJson { note, a, enc }
    }

    fn sample(&self, s: &'a SampleInfo) -> SampleJson<'a> {
        SampleJson {
            s,
            range: range(self.note, &s.range, self.enc),
        }
    }
}

impl Serialize for SymbolsJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let first_heading = self.a.outline.first().map_or(usize::MAX, |s| s.range.start);
        let mut seq = ser.serialize_seq(None)?;
        for s in self
            .a
            .samples
            .iter()
            .take_while(|s| s.range.start < first_heading)
        {
            seq.serialize_element(&self.sample(s))?;
        }
        for section in &self.a.outline {
            seq.serialize_element(&SectionJson { all: self, section })?;
        }
        seq.end()
    }
}

struct SampleJson<'a> {
    s: &'a SampleInfo,
    range: lsp::Range,
}

impl Serialize for SampleJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut st = ser.serialize_struct("DocumentSymbol", 5)?;
        st.serialize_field("name", &format_args!("{}", SampleName(self.s)))?;
        st.serialize_field("detail", &format_args!("{}", SampleDetail(self.s)))?;
        st.serialize_field("kind", &lsp::SymbolKind::OBJECT)?;
        st.serialize_field("range", &self.range)?;
        let at = self.range.start;
        st.serialize_field("selectionRange", &lsp::Range::new(at, at))?;
        st.end()
    }
}

struct SectionJson<'a> {
    all: &'a SymbolsJson<'a>,
    section: &'a Section,
}

impl Serialize for SectionJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let (note, a, enc) = (self.all.note, self.all.a, self.all.enc);
        let s = self.section;
        let mut st = ser.serialize_struct("DocumentSymbol", 6)?;
        st.serialize_field("name", section_name(a, s))?;
        st.serialize_field("detail", &format_args!("{}", SectionDetail::of(a, s)))?;
        st.serialize_field("kind", &heading_kind(a.headings[s.heading].question))?;
        let (full, selection) = section_ranges(note, a, s, enc);
        st.serialize_field("range", &full)?;
        st.serialize_field("selectionRange", &selection)?;
        st.serialize_field("children", &ChildrenJson(self))?;
        st.end()
    }
}

/// A section's children: its own samples (those before its first subsection), then its
/// subsections.
struct ChildrenJson<'a>(&'a SectionJson<'a>);

impl Serialize for ChildrenJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let (all, s) = (self.0.all, self.0.section);
        let first_child = s.children.first().map_or(s.range.end, |c| c.range.start);
        let mut seq = ser.serialize_seq(None)?;
        for sample in all
            .a
            .samples_in(&s.range)
            .filter(|x| x.range.start < first_child)
        {
            seq.serialize_element(&all.sample(sample))?;
        }
        for section in &s.children {
            seq.serialize_element(&SectionJson { all, section })?;
        }
        seq.end()
    }
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
    a.folds
        .iter()
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
                RelatedAt::Span(s) => super::navigation::span_range(*s, enc),
                RelatedAt::Here(b) => range(note, b, enc),
            };
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(super::navigation::uri(&r.uri)?, range),
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
            for enc in [Encoding::Utf8, Encoding::Utf16] {
                let built = serde_json::to_string(&document_symbols(&note, &a, enc)).unwrap();
                let written = serde_json::to_string(&SymbolsJson::new(&note, &a, enc)).unwrap();
                assert_eq!(written, built);
                if text == made {
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
