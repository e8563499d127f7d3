//! What the server knows about one note at one version: headings and questions, samples and
//! their verdicts, the outline, diagnostics and folds. Per-chunk results are computed when a
//! chunk is parsed and reused until it changes; the note-level view only shifts and stitches.

use std::ops::Range;
use std::sync::Arc;

use crate::checks::{self, Diagnostic, Verdict};
use crate::links::{self, Link};
use crate::note::{Blocks, Chunk, Note};
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
    /// A hash of the code (container prefixes and common indentation taken off), to tell
    /// samples apart without reading them: a question that opens with a sample is asked
    /// again only with the same one (`workspace::QuestionKey`).
    pub code: u64,
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
            Heading::new(
                h.range.clone(),
                h.content.clone(),
                &text[h.content.clone()],
                h.level,
            )
        })
        .collect();
    for b in &blocks.bold {
        let content = &text[b.range.clone()];
        if outline::is_question(&outline::render_title(content)) {
            headings.push(Heading::new(b.range.clone(), b.range.clone(), content, 7));
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
            code: {
                use std::hash::{Hash, Hasher};
                let mut h = std::hash::DefaultHasher::new();
                sample.source.hash(&mut h);
                h.finish()
            },
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
#[derive(Debug, Default, Clone, PartialEq, Eq)]
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
        let sections = section_folds(&a.outline, a.headings.len());
        let folds = std::mem::take(&mut a.folds);
        with_sections(&folds, &sections, &mut a.folds);
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

/// A note's [`Analysis`] kept from version to version: after an edit, the items of the chunks
/// the edit left alone (the same [`Chunk::shared_analysis`]) are kept, those after it moved by
/// the edit's length, and only the touched chunks' items are copied in. What spans chunks is
/// stitched again unless the touched chunks begin and end as they did; the outline keeps its
/// shape unless their headings' levels changed. It comes out equal to [`Analysis::of`] the
/// new version.
pub struct Incremental {
    analysis: Arc<Analysis>,
    /// The chunks it was built from, in order.
    chunks: Vec<Mark>,
    /// The length of the note it was built from.
    len: usize,
    /// The chunks' diagnostics in chunk order (the note's are these and the unanswered
    /// questions, sorted).
    chunk_diagnostics: Vec<Diagnostic>,
    /// The chunks' folds in chunk order, lists continued across chunks not yet joined.
    chunk_folds: Vec<Fold>,
    /// The same, lists continued across chunks joined (one fold each).
    joined: Vec<Fold>,
    /// The outline's sections as folds, one per heading: heading order is the outline's
    /// pre-order, which is fold order.
    sections: Vec<Fold>,
    /// The unanswered-question diagnostics in heading order, and their headings' indices.
    unanswered: Vec<Diagnostic>,
    unanswered_headings: Vec<usize>,
    /// Changes, to a value never used before, when the headings' anchors might have:
    /// anything derived from them alone (their numbered slugs) can be kept while it stays.
    anchors: u64,
}

/// Values for [`Incremental::anchors`], unique in the process.
static ANCHORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn next_anchors() -> u64 {
    ANCHORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One chunk as the analysis was built from it. A chunk is only ever replaced whole, so its
/// analysis stands for all of it: a chunk with the same analysis has the same text and blocks.
struct Mark {
    analysis: Arc<ChunkAnalysis>,
    /// Where the chunk starts in the note.
    start: usize,
    at: Starts,
    /// Where its folds start in [`Incremental::joined`].
    joined: usize,
    seam: Seam,
}

/// What stitching the chunks reads of one, kept in its [`Mark`] so that stitching a note
/// reads no chunk (they are scattered in memory; the marks are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seam {
    lead_body: bool,
    lead_body_at_0: bool,
    /// The index of its last heading among its own, and that heading's `has_body` as the
    /// chunk alone sees it.
    last_heading: Option<(usize, bool)>,
    start_list: Option<(usize, u8)>,
    end_list: Option<(usize, u8)>,
}

impl Seam {
    fn of(chunk: &Chunk) -> Seam {
        let (c, b) = (chunk.analysis(), chunk.blocks());
        Seam {
            lead_body: c.lead_body,
            lead_body_at_0: c.lead_body_at_0,
            last_heading: c
                .headings
                .last()
                .map(|h| (c.headings.len() - 1, h.has_body)),
            start_list: b.start_list,
            end_list: b.end_list,
        }
    }
}

/// Where one chunk's items start: in the [`Analysis`]'s lists, and for diagnostics and
/// folds in [`Incremental`]'s per-chunk ones.
#[derive(Debug, Clone, Copy, Default)]
struct Starts {
    headings: usize,
    samples: usize,
    diagnostics: usize,
    folds: usize,
    links: usize,
    urls: usize,
    definitions: usize,
}

impl Starts {
    /// Where the items of the chunk after `c` start, `c`'s starting here.
    fn after(self, c: &ChunkAnalysis) -> Starts {
        Starts {
            headings: self.headings + c.headings.len(),
            samples: self.samples + c.samples.len(),
            diagnostics: self.diagnostics + c.diagnostics.len(),
            folds: self.folds + c.folds.len(),
            links: self.links + c.links.len(),
            urls: self.urls + c.urls.len(),
            definitions: self.definitions + c.definitions.len(),
        }
    }

    /// These starts (at or after `old`) once what started at `old` starts at `new`.
    fn moved(self, old: Starts, new: Starts) -> Starts {
        Starts {
            headings: self.headings - old.headings + new.headings,
            samples: self.samples - old.samples + new.samples,
            diagnostics: self.diagnostics - old.diagnostics + new.diagnostics,
            folds: self.folds - old.folds + new.folds,
            links: self.links - old.links + new.links,
            urls: self.urls - old.urls + new.urls,
            definitions: self.definitions - old.definitions + new.definitions,
        }
    }
}

impl Incremental {
    pub fn new(note: &Note) -> Incremental {
        let mut inc = Incremental {
            analysis: Arc::default(),
            chunks: Vec::new(),
            len: 0,
            chunk_diagnostics: Vec::new(),
            chunk_folds: Vec::new(),
            joined: Vec::new(),
            sections: Vec::new(),
            unanswered: Vec::new(),
            unanswered_headings: Vec::new(),
            anchors: next_anchors(),
        };
        inc.update(note);
        inc
    }

    pub fn analysis(&self) -> &Arc<Analysis> {
        &self.analysis
    }

    /// The same value as long as every heading has the slug (before numbering) it had and
    /// is or is not a bold question as it was: then the numbered slugs are the same too.
    pub fn anchors(&self) -> u64 {
        self.anchors
    }

    /// Brings the analysis up to `note`, an edited version of the note it was built from
    /// (any other note works too, at the cost of a build from scratch).
    pub fn update(&mut self, note: &Note) {
        // Compared through the note's side-by-side list: the chunks themselves are read only
        // where they changed.
        let analyses = note.chunk_analyses();
        let (old_n, new_n) = (self.chunks.len(), analyses.len());
        // The marks hold the old chunks' analyses alive, so a new chunk's cannot have the
        // address of an old one.
        let same = |o: usize, n: usize| Arc::ptr_eq(&self.chunks[o].analysis, &analyses[n]);
        let mut p = 0;
        while p < old_n.min(new_n) && same(p, p) {
            p += 1;
        }
        let mut s = 0;
        while s < (old_n - p).min(new_n - p) && same(old_n - 1 - s, new_n - 1 - s) {
            s += 1;
        }
        if p == old_n && p == new_n && note.len() == self.len {
            return;
        }
        let delta = note.len() as isize - self.len as isize;
        let starts = note.chunk_starts();
        let region: Vec<(usize, &Chunk)> =
            (p..new_n - s).map(|i| (starts[i], note.chunk(i))).collect();
        let region = &region[..];
        let totals = self.totals();
        let from = self.chunks.get(p).map_or(totals, |m| m.at);
        let old_to = self.chunks.get(old_n - s).map_or(totals, |m| m.at);
        let mut a = Arc::unwrap_or_clone(std::mem::take(&mut self.analysis));

        // Headings of the same levels in the same order make an outline of the same shape.
        let same_shape = a.headings[from.headings..old_to.headings]
            .iter()
            .map(|h| h.level)
            .eq(region
                .iter()
                .flat_map(|(_, c)| c.analysis().headings.iter().map(|h| h.level)));

        let joined_at = |i: usize| self.chunks.get(i).map_or(self.joined.len(), |m| m.joined);
        let (joined_from, old_joined_to) = (joined_at(p), joined_at(old_n - s));
        let mut at = from;
        let mut marks = Vec::with_capacity(region.len());
        for &(start, c) in region {
            marks.push(Mark {
                analysis: c.shared_analysis().clone(),
                start,
                at,
                // As if no list continued into or out of it (see `seams_kept`).
                joined: joined_from + (at.folds - from.folds),
                seam: Seam::of(c),
            });
            at = at.after(c.analysis());
        }
        let new_to = at;
        // Edited chunks that begin and end as they did, none with a list at either end: the
        // stitching comes out as it did, but for their own folds (all kept: no list of
        // theirs continues another) and their own items.
        let seams_kept = region.len() == old_n - s - p
            && marks
                .iter()
                .zip(&self.chunks[p..old_n - s])
                .all(|(new, old)| {
                    new.seam == old.seam
                        && new.seam.start_list.is_none()
                        && new.seam.end_list.is_none()
                });
        // The answers found after the edited chunks' last headings stay found.
        let stitched_bodies: Vec<(usize, bool)> = if seams_kept {
            marks
                .iter()
                .filter_map(|m| m.seam.last_heading.map(|(last, _)| m.at.headings + last))
                .map(|i| (i, a.headings[i].has_body))
                .collect()
        } else {
            Vec::new()
        };
        let new_joined_to = joined_from + (new_to.folds - from.folds);
        for m in &mut self.chunks[old_n - s..] {
            m.start = m.start.wrapping_add_signed(delta);
            m.at = m.at.moved(old_to, new_to);
            m.joined = m.joined - old_joined_to + new_joined_to;
        }
        self.chunks.splice(p..old_n - s, marks);
        self.len = note.len();

        let old_headings = &a.headings[from.headings..old_to.headings];
        let mut new_headings = region.iter().flat_map(|(_, c)| &c.analysis().headings);
        let same_anchors = old_headings.iter().all(|o| {
            new_headings
                .next()
                .is_some_and(|n| n.slug == o.slug && (n.level > 6) == (o.level > 6))
        }) && new_headings.next().is_none();
        if !same_anchors {
            self.anchors = next_anchors();
        }
        splice(
            &mut a.headings,
            from.headings..old_to.headings,
            items(region, |c| &c.headings),
            delta,
        );
        splice(
            &mut a.samples,
            from.samples..old_to.samples,
            items(region, |c| &c.samples),
            delta,
        );
        splice(
            &mut a.links,
            from.links..old_to.links,
            items(region, |c| &c.links),
            delta,
        );
        splice(
            &mut a.urls,
            from.urls..old_to.urls,
            items(region, |c| &c.urls),
            delta,
        );
        splice(
            &mut a.definitions,
            from.definitions..old_to.definitions,
            items(region, |c| &c.definitions),
            delta,
        );
        splice(
            &mut self.chunk_diagnostics,
            from.diagnostics..old_to.diagnostics,
            items(region, |c| &c.diagnostics),
            delta,
        );
        splice(
            &mut self.chunk_folds,
            from.folds..old_to.folds,
            items(region, |c| &c.folds),
            delta,
        );

        if seams_kept {
            for (i, has_body) in stitched_bodies {
                a.headings[i].has_body = has_body;
            }
            let region_folds = &self.chunk_folds[from.folds..new_to.folds];
            splice(
                &mut self.joined,
                joined_from..old_joined_to,
                region_folds.iter().cloned(),
                delta,
            );
        } else {
            self.stitch(&mut a.headings);
        }
        self.find_unanswered(&a.headings, from.headings..new_to.headings, old_to.headings);
        a.diagnostics.clear();
        let key = |d: &Diagnostic| (d.range.start, d.range.end);
        if self.chunk_diagnostics.is_sorted_by_key(key) && self.unanswered.is_sorted_by_key(key) {
            merge(
                &self.chunk_diagnostics,
                &self.unanswered,
                key,
                &mut a.diagnostics,
            );
        } else {
            a.diagnostics.extend_from_slice(&self.chunk_diagnostics);
            a.diagnostics.extend_from_slice(&self.unanswered);
            a.diagnostics.sort_by_key(key);
        }
        a.content_end = note.trim_end(0, note.len());
        if same_shape {
            for f in &mut self.sections[new_to.headings..] {
                f.move_by(delta);
            }
            move_sections(
                &mut a.outline,
                &mut self.sections,
                &a.headings,
                from.headings..new_to.headings,
                delta,
                a.content_end,
                note,
            );
        } else {
            a.outline = outline::build(&a.headings, a.content_end, |from, to| {
                note.trim_end(from, to)
            });
            self.sections = section_folds(&a.outline, a.headings.len());
        }
        with_sections(&self.joined, &self.sections, &mut a.folds);
        self.analysis = Arc::new(a);
    }

    /// Where the items after the last chunk would start.
    fn totals(&self) -> Starts {
        let a = &self.analysis;
        Starts {
            headings: a.headings.len(),
            samples: a.samples.len(),
            diagnostics: self.chunk_diagnostics.len(),
            folds: self.chunk_folds.len(),
            links: a.links.len(),
            urls: a.urls.len(),
            definitions: a.definitions.len(),
        }
    }

    /// What spans chunks, as [`Analysis::of`] stitches it: a heading's answer in the chunks
    /// after its own (the last heading of each chunk is given its `has_body` again), and
    /// lists continued across chunks (one fold each, in [`Incremental::joined`]).
    fn stitch(&mut self, headings: &mut [Heading]) {
        let mut folds = std::mem::take(&mut self.joined);
        folds.clear();
        let mut pending: Option<usize> = None;
        let mut open_list: Option<(usize, u8)> = None;
        for k in 0..self.chunks.len() {
            let m = &mut self.chunks[k];
            m.joined = folds.len();
            let (seam, start, at) = (m.seam, m.start, m.at);
            let continued = match (open_list, seam.start_list) {
                (Some((fold, kind)), Some((end, k))) if k == kind => Some((fold, end)),
                _ => None,
            };
            if let Some(h) = pending
                && (seam.lead_body || (seam.lead_body_at_0 && continued.is_none()))
            {
                headings[h].has_body = true;
            }
            if let Some((last, has_body)) = seam.last_heading {
                let i = at.headings + last;
                headings[i].has_body = has_body;
                pending = (!has_body).then_some(i);
            }
            let folds_from = folds.len();
            let folds_to = self
                .chunks
                .get(k + 1)
                .map_or(self.chunk_folds.len(), |n| n.at.folds);
            for f in &self.chunk_folds[at.folds..folds_to] {
                if let Some((fold, end)) = continued
                    && f.kind == FoldKind::List
                    && f.range == (start..start + end)
                {
                    folds[fold].range.end = start + end;
                    continue;
                }
                folds.push(f.clone());
            }
            open_list = match (seam.end_list, continued) {
                (Some((0, kind)), Some((fold, _))) => Some((fold, kind)),
                (Some((s, kind)), _) => folds[folds_from..]
                    .iter()
                    .position(|f| f.kind == FoldKind::List && f.range.start == start + s)
                    .map(|i| (folds_from + i, kind)),
                (None, _) => None,
            };
        }
        self.joined = folds;
    }

    /// Finds the unanswered questions among `headings`, where `region` holds the edited
    /// chunks' headings and the ones after it started at `old_end` before. A question outside
    /// the region that was unanswered before keeps its message (the same title).
    fn find_unanswered(&mut self, headings: &[Heading], region: Range<usize>, old_end: usize) {
        let old = std::mem::take(&mut self.unanswered);
        let old_headings = std::mem::take(&mut self.unanswered_headings);
        let mut old = old_headings.into_iter().zip(old).peekable();
        for i in 0..headings.len() {
            if !checks::is_unanswered(headings, i) {
                continue;
            }
            let h = &headings[i];
            let was = if i < region.start {
                Some(i)
            } else if i >= region.end {
                Some(i - region.end + old_end)
            } else {
                None
            };
            let kept = was.and_then(|was| {
                while old.next_if(|(j, _)| *j < was).is_some() {}
                old.next_if(|(j, _)| *j == was).map(|(_, d)| d)
            });
            self.unanswered.push(match kept {
                Some(d) => Diagnostic {
                    range: h.title_range.clone(),
                    ..d
                },
                None => checks::unanswered_question(h),
            });
            self.unanswered_headings.push(i);
        }
    }
}

/// Replaces `v[old]` with `new` and moves the items after them by `delta`.
fn splice<T: Moves>(v: &mut Vec<T>, old: Range<usize>, new: impl Iterator<Item = T>, delta: isize) {
    if delta != 0 {
        v[old.end..].iter_mut().for_each(|x| x.move_by(delta));
    }
    // Collected first: sized exactly, the items after move once.
    let new: Vec<T> = new.collect();
    v.splice(old, new);
}

/// The items of `chunks` that `of` picks, at their offsets in the note.
fn items<'a, T: Moves + Clone + 'a>(
    chunks: &'a [(usize, &'a Chunk)],
    of: impl Fn(&'a ChunkAnalysis) -> &'a [T] + 'a,
) -> impl Iterator<Item = T> + 'a {
    chunks.iter().flat_map(move |&(start, c)| {
        of(c.analysis()).iter().map(move |x| {
            let mut x = x.clone();
            x.move_by(start as isize);
            x
        })
    })
}

/// Updates the sections of an outline whose shape an edit kept (its headings' levels), and
/// their folds (`folds`, by heading; those after the edited chunks already moved): a section
/// that ends before the edited chunks is left as it is, one that starts after them moves
/// with the text, and the others (the edited chunks' own, and one per level around them)
/// are measured again. `region` holds the edited chunks' headings.
fn move_sections(
    outline: &mut [Section],
    folds: &mut [Fold],
    headings: &[Heading],
    region: Range<usize>,
    delta: isize,
    content_end: usize,
    note: &Note,
) {
    // Lists of siblings, each with the heading that ends the last of them (`None`: the
    // note's content end): a section runs to its next sibling, the last one as far as its
    // parent does.
    let mut lists: Vec<(&mut [Section], Option<usize>)> = vec![(outline, None)];
    let mut moving: Vec<&mut Section> = Vec::new();
    while let Some((list, bound)) = lists.pop() {
        let Some((s, rest)) = list.split_first_mut() else {
            continue;
        };
        let next = rest.first().map_or(bound, |n| Some(n.heading));
        lists.push((rest, bound));
        if next.is_some_and(|j| j < region.start) {
            // Before the edited chunks, as are the sections inside it.
            continue;
        }
        if s.heading >= region.end {
            // After them, as are the sections inside it.
            moving.push(s);
            while let Some(s) = moving.pop() {
                s.range.move_by(delta);
                moving.extend(s.children.iter_mut());
            }
            continue;
        }
        let h = &headings[s.heading];
        let to = next.map_or(content_end, |j| headings[j].range.start);
        s.range = h.range.start..note.trim_end(h.range.end, to).max(h.range.end);
        folds[s.heading].range = s.range.clone();
        lists.push((&mut s.children, next));
    }
}

/// Items whose offsets move with the text before them.
trait Moves {
    fn move_by(&mut self, delta: isize);
}

fn moved(r: &Range<usize>, delta: isize) -> Range<usize> {
    r.start.wrapping_add_signed(delta)..r.end.wrapping_add_signed(delta)
}

impl Moves for Range<usize> {
    fn move_by(&mut self, delta: isize) {
        *self = moved(self, delta);
    }
}

impl Moves for Heading {
    fn move_by(&mut self, delta: isize) {
        self.range.move_by(delta);
        self.title_range.move_by(delta);
    }
}

impl Moves for SampleInfo {
    fn move_by(&mut self, delta: isize) {
        self.range.move_by(delta);
        if let Verdict::Broken(r, _) = &mut self.verdict {
            r.move_by(delta);
        }
    }
}

impl Moves for Diagnostic {
    fn move_by(&mut self, delta: isize) {
        self.range.move_by(delta);
    }
}

impl Moves for Fold {
    fn move_by(&mut self, delta: isize) {
        self.range.move_by(delta);
    }
}

impl Moves for Link {
    fn move_by(&mut self, delta: isize) {
        self.range.move_by(delta);
        self.dest_range.move_by(delta);
    }
}

impl Moves for Definition {
    fn move_by(&mut self, delta: isize) {
        self.range.move_by(delta);
        self.text_start = self.text_start.wrapping_add_signed(delta);
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
