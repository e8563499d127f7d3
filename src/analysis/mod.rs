//! What the server knows about one note at one version: headings and questions, samples and
//! their verdicts, the outline, diagnostics and folds. What one chunk holds is computed once
//! per chunk and kept beside the chunks, by chunk id, until the chunk is replaced
//! ([`Incremental`]); the note-level view only shifts and stitches.

mod chunk;
mod incremental;

use std::borrow::Borrow;
use std::ops::Range;

use crate::checks::{self, Diagnostic};
use crate::links::Link;
use crate::note::Note;
use crate::outline::{self, Heading, Section};

use chunk::fold_order;
pub use chunk::{
    ChunkAnalysis, Definition, Fold, FoldKind, SampleInfo, Samples, analyze_chunk, analyze_chunk_as,
};
pub use incremental::{Edit, Incremental, Spliced};

/// The whole note's view at one version.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub headings: Vec<Heading>,
    pub samples: Vec<SampleInfo>,
    pub diagnostics: Vec<Diagnostic>,
    /// The folds of code blocks and lists (a list continued across chunks is one), in fold
    /// order; [`Analysis::folds`] adds the sections', which the outline holds.
    pub block_folds: Vec<Fold>,
    pub outline: Vec<Section>,
    pub links: Vec<Link>,
    pub urls: Vec<Range<usize>>,
    pub definitions: Vec<Definition>,
    /// Where the note's text ends, trailing whitespace excluded.
    pub content_end: usize,
}

impl Analysis {
    /// The note's analysis, its chunks analyzed afresh (on two threads when it is big).
    pub fn of(note: &Note) -> Analysis {
        Analysis::from_chunks(note, &chunk::note_analyses(note, false, Samples::Checked))
    }

    /// [`Analysis::of`] for a caller that runs its own threads (the workspace indexer,
    /// `check`): the chunks are analyzed on the calling thread only.
    pub fn on_this_thread(note: &Note) -> Analysis {
        Analysis::from_chunks(note, &chunk::note_analyses(note, true, Samples::Checked))
    }

    /// What the workspace index reads of a note on disk, on the calling thread: everything
    /// but the samples' verdicts and diagnostics (its samples are found, not checked).
    pub fn for_index(note: &Note) -> Analysis {
        Analysis::from_chunks(note, &chunk::note_analyses(note, true, Samples::Found))
    }

    /// The note's analysis from its chunks' (`analyses`, in order).
    pub fn from_chunks<A: Borrow<ChunkAnalysis>>(note: &Note, analyses: &[A]) -> Analysis {
        assert_eq!(analyses.len(), note.chunk_count(), "one analysis per chunk");
        let mut a = Analysis::default();
        // Runs on every keystroke: sized once rather than grown chunk by chunk.
        let (mut headings, mut samples, mut diagnostics, mut folds, mut links) = (0, 0, 0, 0, 0);
        let (mut urls, mut definitions) = (0, 0);
        for c in analyses {
            let c = c.borrow();
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
        a.block_folds.reserve_exact(folds);
        a.links.reserve_exact(links);
        a.urls.reserve_exact(urls);
        a.definitions.reserve_exact(definitions);
        // The last heading so far with nothing under it yet: a chunk cut at a blank line may
        // hold its answer.
        let mut pending: Option<usize> = None;
        // A list running to the end of the chunks so far (its fold's index, its items' kind).
        let mut open_list: Option<(usize, u8)> = None;
        for ((start, chunk), c) in note.chunks().zip(analyses) {
            let c = c.borrow();
            // A chunk cut at an item of the list the chunk before ends with continues that
            // list: one list, as a parse of the whole note sees it (its fold and its start).
            let continued = match (open_list, chunk.start_list()) {
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
            let folds_from = a.block_folds.len();
            for f in &c.folds {
                if let Some((fold, end)) = continued
                    && f.kind == FoldKind::List
                    && f.range == (0..end)
                {
                    a.block_folds[fold].range.end = start + end;
                    continue;
                }
                a.block_folds.push(Fold {
                    range: f.range.start + start..f.range.end + start,
                    kind: f.kind,
                });
            }
            open_list = match (chunk.end_list(), continued) {
                (Some((0, kind)), Some((fold, _))) => Some((fold, kind)),
                (Some((s, kind)), _) => a.block_folds[folds_from..]
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
        a
    }

    /// The note's folds in fold order: its code blocks', lists' and sections'. Made when
    /// asked (a folding-range request), not kept: the sections' are the outline's ranges.
    pub fn folds(&self) -> Vec<Fold> {
        let mut out = Vec::new();
        with_sections(
            &self.block_folds,
            &section_folds(&self.outline, self.headings.len()),
            &mut out,
        );
        out
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

/// The outline's sections as folds, in pre-order (which is fold order); `headings`: how many
/// there are (one per heading).
fn section_folds(outline: &[Section], headings: usize) -> Vec<Fold> {
    let mut sections = Vec::with_capacity(headings);
    let mut stack: Vec<&Section> = outline.iter().rev().collect();
    while let Some(s) = stack.pop() {
        sections.push(Fold {
            range: s.range.clone(),
            kind: FoldKind::Section,
        });
        stack.extend(s.children.iter().rev());
    }
    sections
}

/// Puts the chunks' folds (lists continued across chunks joined) and the sections' in `out`,
/// in fold order.
fn with_sections(folds: &[Fold], sections: &[Fold], out: &mut Vec<Fold>) {
    out.clear();
    // Both are in fold order (each chunk's folds sorted, chunks in order; sections in
    // pre-order): they are merged. Should either not be (a list continued across chunks
    // outgrowing a fold that starts with it), they are sorted as a whole.
    if folds.is_sorted_by_key(fold_order) && sections.is_sorted_by_key(fold_order) {
        out.reserve(folds.len() + sections.len());
        merge(folds, sections, fold_order, out);
    } else {
        out.extend_from_slice(folds);
        out.extend_from_slice(sections);
        out.sort_by_key(fold_order);
    }
}

/// Appends two runs sorted by `key` to `out` as one sorted run; on a tie, `first`'s come
/// first (as a stable sort of `first` then `second` would have them).
fn merge<T: Clone, K: Ord>(first: &[T], second: &[T], key: impl Fn(&T) -> K, out: &mut Vec<T>) {
    let (mut i, mut j) = (0, 0);
    while i < first.len() && j < second.len() {
        if key(&first[i]) <= key(&second[j]) {
            out.push(first[i].clone());
            i += 1;
        } else {
            out.push(second[j].clone());
            j += 1;
        }
    }
    out.extend_from_slice(&first[i..]);
    out.extend_from_slice(&second[j..]);
}

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
            let folds = Analysis::of(&note).folds();
            let mut sorted = folds.clone();
            sorted.sort_by_key(fold_order);
            assert_eq!(folds, sorted);
            assert!(folds.iter().any(|f| f.kind == FoldKind::Section));
            assert!(folds.iter().any(|f| f.kind == FoldKind::List));
        }
    }
}
