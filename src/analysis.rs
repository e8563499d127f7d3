//! What the server knows about one note at one version: headings and questions, samples and
//! their verdicts, the outline, diagnostics and folds. Per-chunk results are computed when a
//! chunk is parsed and reused until it changes; the note-level view only shifts and stitches.

use std::ops::Range;
use std::sync::Arc;

use crate::checks::{self, Diagnostic, Verdict};
use crate::links::{self, Link};
use crate::note::{Blocks, Note};
use crate::outline::{self, Heading, Section};
use crate::samples::{Lang, Sample};
use crate::terms;

/// What one chunk holds, offsets relative to the chunk.
#[derive(Debug, Default)]
pub struct ChunkAnalysis {
    pub headings: Vec<Heading>,
    pub samples: Vec<SampleInfo>,
    pub diagnostics: Vec<Diagnostic>,
    pub folds: Vec<Fold>,
    pub links: Vec<Link>,
    pub urls: Vec<Range<usize>>,
    pub definitions: Vec<Definition>,
    /// A block starts after offset 0 and before the first heading: it answers the last
    /// heading of the chunks before (a chunk cut at a blank line starts mid-answer).
    pub lead_body: bool,
    /// A block starts at offset 0, before any heading (it answers the heading before too,
    /// unless it is the list the chunk before ends with, continued).
    pub lead_body_at_0: bool,
}

/// A definition line: the term and the paragraph that defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub term: Arc<str>,
    pub range: Range<usize>,
    /// Where the definition text starts (after the term).
    pub text_start: usize,
}

/// A sample as the outline, hover and folding see it (its source stays in the chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleInfo {
    pub range: Range<usize>,
    pub lang: Lang,
    pub tag: Arc<str>,
    pub verdict: Verdict,
}

impl SampleInfo {
    fn shift(&mut self, delta: usize) {
        self.range = self.range.start + delta..self.range.end + delta;
        if let Verdict::Broken(r, _) = &mut self.verdict {
            *r = r.start + delta..r.end + delta;
        }
    }

    pub fn is_broken(&self) -> bool {
        matches!(self.verdict, Verdict::Broken(..))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Section,
    Code,
    List,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub range: Range<usize>,
    pub kind: FoldKind,
}

/// The order of a note's folds: by start, an enclosing fold before those inside it.
fn fold_order(f: &Fold) -> (usize, std::cmp::Reverse<usize>) {
    (f.range.start, std::cmp::Reverse(f.range.end))
}

pub fn analyze_chunk(text: &str, blocks: &Blocks) -> ChunkAnalysis {
    let mut out = ChunkAnalysis::default();

    let mut headings: Vec<Heading> = blocks
        .headings
        .iter()
        .map(|h| {
            let title = outline::render_title(&text[h.content.clone()]);
            Heading::new(h.range.clone(), h.content.clone(), title, h.level)
        })
        .collect();
    for b in &blocks.bold {
        let title = outline::render_title(&text[b.range.clone()]);
        if outline::is_question(&title) {
            headings.push(Heading::new(b.range.clone(), b.range.clone(), title, 7));
        }
    }
    headings.sort_by_key(|h| h.range.start);
    for i in 0..headings.len() {
        let from = headings[i].range.end;
        let to = headings.get(i + 1).map_or(text.len(), |n| n.range.start);
        let first = blocks.body_starts.partition_point(|&s| s < from);
        headings[i].has_body = blocks.body_starts.get(first).is_some_and(|&s| s < to);
    }
    let first_heading = headings.first().map_or(text.len(), |h| h.range.start);
    out.lead_body = blocks
        .body_starts
        .iter()
        .any(|&s| s > 0 && s < first_heading);
    out.lead_body_at_0 = first_heading > 0 && blocks.body_starts.contains(&0);
    out.headings = headings;

    for block in &blocks.code {
        let sample = Sample::extract(text, block);
        let (mut verdict, mut diag) = checks::check_sample(&sample);
        // Tabs mixed with spaces so that the structure depends on the tab width: what CPython
        // reports as a TabError, unless an error on an earlier line comes first.
        if let Some(tagged) = checks::python_kind(&sample)
            && !sample.nocheck
            && !sample.source.trim_start().starts_with(">>>")
            && let Some(at) = checks::tab_inconsistency(text, &block.lines)
            && !matches!(&verdict, Verdict::Broken(r, _) if r.start < at)
        {
            let message = "inconsistent use of tabs and spaces in indentation".to_string();
            let (code, severity) = if tagged {
                (checks::code::PYTHON_SYNTAX, checks::Severity::Error)
            } else {
                (
                    checks::code::GUESSED_PYTHON_SYNTAX,
                    checks::Severity::Warning,
                )
            };
            let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
            verdict = Verdict::Broken(at..line_end.max(at + 1), message.clone());
            diag = Some(Diagnostic {
                range: at..line_end.max(at + 1),
                severity,
                code,
                message: if tagged {
                    message.into()
                } else {
                    format!("{message} (untagged sample that looks like Python)").into()
                },
            });
        }
        out.diagnostics.extend(diag);
        if block.info.is_some() && !block.closed && block.top_level {
            let fence_end = text[block.range.clone()]
                .find('\n')
                .map_or(block.range.end, |i| block.range.start + i);
            let swallowed = block
                .lines
                .iter()
                .filter(|l| crate::note::starts_with_atx(&text[l.start..]))
                .count();
            out.diagnostics.push(checks::unclosed_fence(
                block.range.start..fence_end,
                swallowed,
            ));
        }
        out.folds.push(Fold {
            range: block.range.clone(),
            kind: FoldKind::Code,
        });
        out.samples.push(SampleInfo {
            range: sample.range,
            lang: sample.lang,
            tag: sample.tag.into(),
            verdict,
        });
    }
    out.folds.extend(blocks.lists.iter().map(|r| Fold {
        range: r.clone(),
        kind: FoldKind::List,
    }));
    // In the note's order already, so that stitching the note's folds is a merge, not a sort.
    out.folds.sort_by_key(fold_order);
    for r in &blocks.link_text {
        let links = links::find_links(text, r.clone());
        out.urls.extend(links::find_urls(text, r.clone(), &links));
        out.links.extend(links);
    }
    for r in &blocks.definitions {
        if let Some((term, at)) = terms::from_definition(&text[r.clone()]) {
            out.definitions.push(Definition {
                term: term.into(),
                range: r.clone(),
                text_start: r.start + at,
            });
        }
    }
    out
}

/// The whole note's view at one version.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    pub headings: Vec<Heading>,
    pub samples: Vec<SampleInfo>,
    pub diagnostics: Vec<Diagnostic>,
    pub folds: Vec<Fold>,
    pub outline: Vec<Section>,
    pub links: Vec<Link>,
    pub urls: Vec<Range<usize>>,
    pub definitions: Vec<Definition>,
    /// Where the note's text ends, trailing whitespace excluded.
    pub content_end: usize,
}

impl Analysis {
    pub fn of(note: &Note) -> Analysis {
        let mut a = Analysis::default();
        // Runs on every keystroke: sized once rather than grown chunk by chunk.
        let (mut headings, mut samples, mut diagnostics, mut folds, mut links) = (0, 0, 0, 0, 0);
        let (mut urls, mut definitions) = (0, 0);
        for (_, chunk) in note.chunks() {
            let c = chunk.analysis();
            headings += c.headings.len();
            samples += c.samples.len();
            diagnostics += c.diagnostics.len();
            folds += c.folds.len();
            links += c.links.len();
            urls += c.urls.len();
            definitions += c.definitions.len();
        }
        a.headings.reserve_exact(headings);
        a.samples.reserve_exact(samples);
        a.diagnostics.reserve(diagnostics);
        a.folds.reserve_exact(folds);
        a.links.reserve_exact(links);
        a.urls.reserve_exact(urls);
        a.definitions.reserve_exact(definitions);
        // The last heading so far with nothing under it yet: a chunk cut at a blank line may
        // hold its answer.
        let mut pending: Option<usize> = None;
        // A list running to the end of the chunks so far (its fold's index, its items' kind).
        let mut open_list: Option<(usize, u8)> = None;
        for (start, chunk) in note.chunks() {
            let c = chunk.analysis();
            let b = chunk.blocks();
            // A chunk cut at an item of the list the chunk before ends with continues that
            // list: one list, as a parse of the whole note sees it (its fold and its start).
            let continued = match (open_list, b.start_list) {
                (Some((fold, kind)), Some((end, k))) if k == kind => Some((fold, end)),
                _ => None,
            };
            if let Some(h) = pending
                && (c.lead_body || (c.lead_body_at_0 && continued.is_none()))
            {
                a.headings[h].has_body = true;
            }
            if !c.headings.is_empty() {
                pending = None;
            }
            a.headings.extend(c.headings.iter().cloned().map(|mut h| {
                h.shift(start);
                h
            }));
            if !c.headings.is_empty() && a.headings.last().is_some_and(|h| !h.has_body) {
                pending = Some(a.headings.len() - 1);
            }
            a.samples.extend(c.samples.iter().cloned().map(|mut s| {
                s.shift(start);
                s
            }));
            a.diagnostics
                .extend(c.diagnostics.iter().cloned().map(|mut d| {
                    d.shift(start);
                    d
                }));
            let folds_from = a.folds.len();
            for f in &c.folds {
                if let Some((fold, end)) = continued
                    && f.kind == FoldKind::List
                    && f.range == (0..end)
                {
                    a.folds[fold].range.end = start + end;
                    continue;
                }
                a.folds.push(Fold {
                    range: f.range.start + start..f.range.end + start,
                    kind: f.kind,
                });
            }
            open_list = match (b.end_list, continued) {
                (Some((0, kind)), Some((fold, _))) => Some((fold, kind)),
                (Some((s, kind)), _) => a.folds[folds_from..]
                    .iter()
                    .position(|f| f.kind == FoldKind::List && f.range.start == start + s)
                    .map(|i| (folds_from + i, kind)),
                (None, _) => None,
            };
            a.links.extend(c.links.iter().cloned().map(|mut l| {
                l.shift(start);
                l
            }));
            a.urls
                .extend(c.urls.iter().map(|r| r.start + start..r.end + start));
            a.definitions
                .extend(c.definitions.iter().cloned().map(|mut d| {
                    d.range = d.range.start + start..d.range.end + start;
                    d.text_start += start;
                    d
                }));
        }
        a.diagnostics.extend(checks::unanswered(&a.headings));
        a.diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
        a.content_end = note.trim_end(0, note.len());
        a.outline = outline::build(&a.headings, a.content_end, |from, to| {
            note.trim_end(from, to)
        });
        // Sections in pre-order are in fold order, as are the chunks' folds (each chunk's
        // sorted, chunks in order): the two are merged. Should either not be in order (a
        // list continued across chunks outgrowing a fold that starts with it), they are
        // sorted as a whole.
        let mut sections = Vec::with_capacity(a.headings.len());
        let mut stack: Vec<&Section> = a.outline.iter().rev().collect();
        while let Some(s) = stack.pop() {
            sections.push(Fold {
                range: s.range.clone(),
                kind: FoldKind::Section,
            });
            stack.extend(s.children.iter().rev());
        }
        if a.folds.is_sorted_by_key(fold_order) && sections.is_sorted_by_key(fold_order) {
            a.folds = merge_folds(std::mem::take(&mut a.folds), sections);
        } else {
            a.folds.extend(sections);
            a.folds.sort_by_key(fold_order);
        }
        a
    }

    /// Samples inside `range`.
    pub fn samples_in(&self, range: &Range<usize>) -> impl Iterator<Item = &SampleInfo> {
        let first = self
            .samples
            .partition_point(|s| s.range.start < range.start);
        self.samples[first..]
            .iter()
            .take_while(move |s| s.range.start < range.end)
    }
}

/// Two runs of folds in fold order as one; on a tie, `first`'s come first (as a stable sort
/// of `first` then `second` would have them).
fn merge_folds(first: Vec<Fold>, second: Vec<Fold>) -> Vec<Fold> {
    let mut out = Vec::with_capacity(first.len() + second.len());
    let mut a = first.into_iter().peekable();
    let mut b = second.into_iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => fold_order(x) <= fold_order(y),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
    out
}

/// Shared, immutable per-chunk results.
pub type SharedChunkAnalysis = Arc<ChunkAnalysis>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Folds are merged from sorted runs rather than sorted: they must come out as a sort
    /// would have them, lists continued across chunks cut at blank lines included.
    #[test]
    fn folds_come_out_in_order() {
        let text = "# A\n\n- one\n- two\n\n```py\nx = 1\n```\n\n- three\n\n- four\n  - - nested\n\n\
                    ## B?\n\n**Why?**\n\n1. first\n\n2. second\n\n    code()\n\n### C\n\n- a\n\n- b\n";
        for note in [Note::new(text), Note::with_soft_cuts(text, 16)] {
            let a = Analysis::of(&note);
            let mut sorted = a.folds.clone();
            sorted.sort_by_key(fold_order);
            assert_eq!(a.folds, sorted);
            assert!(a.folds.iter().any(|f| f.kind == FoldKind::Section));
            assert!(a.folds.iter().any(|f| f.kind == FoldKind::List));
        }
    }
}
