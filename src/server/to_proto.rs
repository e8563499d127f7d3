//! Plain analysis values → LSP types, with positions in the negotiated encoding. The only
//! place (with `state.rs` for incoming edits) where byte offsets meet the protocol.

use std::ops::Range;

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
    let name = if s.tag.is_empty() {
        "sample".to_string()
    } else {
        format!("{} sample", s.tag)
    };
    let detail = match &s.verdict {
        Verdict::Unchecked => "not checked".to_string(),
        Verdict::Parses => "parses".to_string(),
        Verdict::Broken(_, msg) => format!("does not parse: {msg}"),
    };
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
    let h = &a.headings[s.heading];
    let all: Vec<&SampleInfo> = a.samples_in(&s.range).collect();
    let mut children: Vec<(usize, lsp::DocumentSymbol)> = Vec::new();
    let first_child = s.children.first().map_or(s.range.end, |c| c.range.start);
    for sample in all.iter().filter(|x| x.range.start < first_child) {
        children.push((sample.range.start, sample_symbol(note, sample, enc)));
    }
    for c in &s.children {
        children.push((c.range.start, section_symbol(note, a, c, enc)));
    }
    let mut detail = vec![if h.question { "question" } else { "section" }.to_string()];
    if !all.is_empty() {
        let broken = all.iter().filter(|x| x.is_broken()).count();
        detail.push(format!(
            "{} sample{}",
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        ));
        if broken > 0 {
            detail.push(format!("{broken} broken"));
        }
    }
    let name = if h.title.is_empty() {
        "(untitled)".to_string()
    } else {
        h.title.to_string()
    };
    let full = range(note, &s.range, enc);
    let mut selection = range(note, &h.title_range, enc);
    if selection.start < full.start || selection.end > full.end {
        selection = lsp::Range::new(full.start, full.start);
    }
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name,
        detail: Some(detail.join(" · ")),
        kind: heading_kind(h.question),
        tags: None,
        deprecated: None,
        range: full,
        selection_range: selection,
        children: Some(children.into_iter().map(|(_, s)| s).collect()),
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
