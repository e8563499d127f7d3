//! A note's analysis kept from version to version, updated from the chunks an edit replaced.

use std::ops::Range;
use std::sync::Arc;

use super::chunk::{Moves, derived, fresh_analyses};
use super::{Analysis, ChunkAnalysis, Fold, FoldKind, merge};
use crate::checks::{self, Diagnostic};
use crate::note::{Chunk, ChunkId, Note};
use crate::outline::{self, Heading, Section};
use crate::parallel::THREADS;

/// A note's [`Analysis`] kept from version to version, with its chunks' analyses beside them
/// (by [`ChunkId`]): after an edit, the items of the chunks the edit left alone (the same
/// ids) are kept, those after it moved by the edit's length, and only the touched chunks are
/// analyzed (from the chunks they were made from, when an edit left their structure alone)
/// and their items copied in. What spans chunks is
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
    /// The chunks' folds in chunk order, lists continued across chunks not yet joined (the
    /// analysis's `block_folds` are these joined).
    chunk_folds: Vec<Fold>,
    /// The unanswered-question diagnostics in heading order, and their headings' indices.
    unanswered: Vec<Diagnostic>,
    unanswered_headings: Vec<usize>,
    /// Changes, to a value never used before, when the headings' anchors might have:
    /// anything derived from them alone (their numbered slugs) can be kept while it stays.
    anchors: u64,
    /// Changes, to a value never used before, whenever the analysis does.
    version: u64,
    /// What the last update that changed something changed.
    last_edit: Option<Edit>,
}

/// What an [`Incremental::update`] changed, for whoever keeps something derived from the
/// analysis beside it and would rather move it than compute it again: the text and items
/// before the edited region are as they were, those after it the same moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    /// The [`Incremental::version`] the update started from.
    pub before: u64,
    /// Headings: `..from` kept, the old `from..old_to` replaced by the new `from..new_to`,
    /// the old ones from `old_to` on now from `new_to` on.
    pub headings: Spliced,
    /// Bytes of the note, likewise: the text after the region is the same, moved.
    pub bytes: Spliced,
}

/// Indices `from..old_to` of a list replaced by `from..new_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spliced {
    pub from: usize,
    pub old_to: usize,
    pub new_to: usize,
}

impl Spliced {
    /// Where an item at `new` (outside the new region) was; `None` for one inside.
    pub fn was(&self, new: usize) -> Option<usize> {
        if new < self.from {
            Some(new)
        } else if new >= self.new_to {
            Some(new - self.new_to + self.old_to)
        } else {
            None
        }
    }
}

/// Values for [`Incremental::anchors`], unique in the process.
static ANCHORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn next_anchors() -> u64 {
    ANCHORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One chunk as the analysis was built from it. A chunk is only ever replaced whole, so its
/// id stands for all of it: a chunk with the same id has the same text and blocks. Its
/// analysis is not kept apart: its items are the note's between this mark's `at` and the
/// next's, and [`Incremental::chunk_analysis`] reads them back.
struct Mark {
    id: ChunkId,
    /// Where the chunk starts in the note.
    start: usize,
    /// Where its items start ([`Mark::at`]); counts of items of a note, which are fewer
    /// than its bytes, as u32s: a mark is kept per chunk of every open note.
    at: [u32; 7],
    /// Where its folds start in the analysis's `block_folds`.
    joined: u32,
    seam: Seam,
}

impl Mark {
    fn at(&self) -> Starts {
        let [
            headings,
            samples,
            diagnostics,
            folds,
            links,
            urls,
            definitions,
        ] = self.at.map(|n| n as usize);
        Starts {
            headings,
            samples,
            diagnostics,
            folds,
            links,
            urls,
            definitions,
        }
    }

    fn set_at(&mut self, at: Starts) {
        self.at = [
            at.headings,
            at.samples,
            at.diagnostics,
            at.folds,
            at.links,
            at.urls,
            at.definitions,
        ]
        .map(small);
    }
}

/// A count of a note's items or an offset in one of its chunks, kept small.
fn small(n: usize) -> u32 {
    u32::try_from(n).expect("a note's item counts and chunk offsets fit 32 bits")
}

/// What stitching the chunks reads of one, kept in its [`Mark`] so that stitching a note
/// reads no chunk (they are scattered in memory; the marks are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seam {
    lead_body: bool,
    lead_body_at_0: bool,
    /// The index of its last heading among its own, and that heading's `has_body` as the
    /// chunk alone sees it.
    last_heading: Option<(u32, bool)>,
    /// The chunk's `Blocks::start_list` and `end_list`.
    start_list: Option<(u32, u8)>,
    end_list: Option<(u32, u8)>,
}

impl Seam {
    fn of(chunk: &Chunk, c: &ChunkAnalysis) -> Seam {
        Seam {
            lead_body: c.lead_body,
            lead_body_at_0: c.lead_body_at_0,
            last_heading: c
                .headings
                .last()
                .map(|h| (small(c.headings.len() - 1), h.has_body)),
            start_list: chunk.start_list().map(|(at, kind)| (small(at), kind)),
            end_list: chunk.end_list().map(|(at, kind)| (small(at), kind)),
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
            unanswered: Vec::new(),
            unanswered_headings: Vec::new(),
            anchors: next_anchors(),
            version: next_anchors(),
            last_edit: None,
        };
        inc.update(note);
        inc
    }

    pub fn analysis(&self) -> &Arc<Analysis> {
        &self.analysis
    }

    /// The analyses of the chunks of the note it was last brought up to, in order.
    pub fn chunk_analyses(&self) -> impl ExactSizeIterator<Item = ChunkAnalysis> + '_ {
        (0..self.chunks.len()).map(|k| self.chunk_analysis(k))
    }

    /// The analysis of chunk `k` as the chunk alone gave it (offsets relative to the chunk),
    /// read back from the note's lists: its items there are its own moved to the chunk's
    /// start, but for its last heading's `has_body`, which stitching may have set.
    fn chunk_analysis(&self, k: usize) -> ChunkAnalysis {
        let m = &self.chunks[k];
        let (from, to) = (
            m.at(),
            self.chunks.get(k + 1).map_or(self.totals(), Mark::at),
        );
        let back = -(m.start as isize);
        fn moved<T: Moves + Clone>(items: &[T], delta: isize) -> Vec<T> {
            items
                .iter()
                .cloned()
                .map(|mut x| {
                    x.move_by(delta);
                    x
                })
                .collect()
        }
        let a = &self.analysis;
        let mut headings = moved(&a.headings[from.headings..to.headings], back);
        if let Some((last, has_body)) = m.seam.last_heading {
            headings[last as usize].has_body = has_body;
        }
        ChunkAnalysis {
            headings,
            samples: moved(&a.samples[from.samples..to.samples], back),
            diagnostics: moved(
                &self.chunk_diagnostics[from.diagnostics..to.diagnostics],
                back,
            ),
            folds: moved(&self.chunk_folds[from.folds..to.folds], back),
            links: moved(&a.links[from.links..to.links], back),
            urls: moved(&a.urls[from.urls..to.urls], back),
            definitions: moved(&a.definitions[from.definitions..to.definitions], back),
            lead_body: m.seam.lead_body,
            lead_body_at_0: m.seam.lead_body_at_0,
        }
    }

    /// The same value as long as every heading has the slug (before numbering) it had and
    /// is or is not a bold question as it was: then the numbered slugs are the same too.
    pub fn anchors(&self) -> u64 {
        self.anchors
    }

    /// A value never used before by any analysis, changed by every update that changes
    /// something.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// What the update to this [`Incremental::version`] changed (`None` before the first
    /// update of an analysis built from nothing).
    pub fn last_edit(&self) -> Option<&Edit> {
        self.last_edit.as_ref()
    }

    /// Brings the analysis up to `note`, an edited version of the note it was built from
    /// (any other note works too, at the cost of a build from scratch).
    pub fn update(&mut self, note: &Note) {
        // Compared through the note's side-by-side list: the chunks themselves are read only
        // where they changed.
        let ids = note.chunk_ids();
        let (old_n, new_n) = (self.chunks.len(), ids.len());
        let same = |o: usize, n: usize| self.chunks[o].id == ids[n];
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
        let chunks: Vec<&Chunk> = (p..new_n - s).map(|i| note.chunk(i)).collect();
        let analyses = self.analyze(&chunks, p..old_n - s);
        let region: Vec<(usize, &Chunk, ChunkAnalysis)> = (chunks.into_iter().zip(analyses))
            .enumerate()
            .map(|(k, (c, a))| (starts[p + k], c, a))
            .collect();
        let region = &region[..];
        let totals = self.totals();
        let from = self.chunks.get(p).map_or(totals, Mark::at);
        let old_to = self.chunks.get(old_n - s).map_or(totals, Mark::at);
        let bytes_from = self.chunks.get(p).map_or(self.len, |m| m.start);
        let bytes_old_to = self.chunks.get(old_n - s).map_or(self.len, |m| m.start);
        let mut a = Arc::unwrap_or_clone(std::mem::take(&mut self.analysis));

        // Headings of the same levels in the same order make an outline of the same shape.
        let same_shape = a.headings[from.headings..old_to.headings]
            .iter()
            .map(|h| h.level)
            .eq(region
                .iter()
                .flat_map(|(_, _, c)| c.headings.iter().map(|h| h.level)));

        let joined_at = |i: usize| {
            self.chunks
                .get(i)
                .map_or(a.block_folds.len(), |m| m.joined as usize)
        };
        let (joined_from, old_joined_to) = (joined_at(p), joined_at(old_n - s));
        let mut at = from;
        let mut marks = Vec::with_capacity(region.len());
        for (start, c, analysis) in region {
            let mut mark = Mark {
                id: c.id(),
                start: *start,
                at: [0; 7],
                // As if no list continued into or out of it (see `seams_kept`).
                joined: small(joined_from + (at.folds - from.folds)),
                seam: Seam::of(c, analysis),
            };
            mark.set_at(at);
            marks.push(mark);
            at = at.after(analysis);
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
                .filter_map(|m| {
                    let (last, _) = m.seam.last_heading?;
                    Some(m.at().headings + last as usize)
                })
                .map(|i| (i, a.headings[i].has_body))
                .collect()
        } else {
            Vec::new()
        };
        let new_joined_to = joined_from + (new_to.folds - from.folds);
        for m in &mut self.chunks[old_n - s..] {
            m.start = m.start.wrapping_add_signed(delta);
            m.set_at(m.at().moved(old_to, new_to));
            m.joined = small(m.joined as usize - old_joined_to + new_joined_to);
        }
        self.chunks.splice(p..old_n - s, marks);
        self.len = note.len();

        let old_headings = &a.headings[from.headings..old_to.headings];
        let mut new_headings = region.iter().flat_map(|(_, _, c)| &c.headings);
        let same_anchors = old_headings.iter().all(|o| {
            new_headings
                .next()
                .is_some_and(|n| n.slug == o.slug && (n.level > 6) == (o.level > 6))
        }) && new_headings.next().is_none();
        if !same_anchors {
            self.anchors = next_anchors();
        }
        // Each list: the region's old items out, its chunks' items in, the items after moved.
        macro_rules! splice_region {
            ($($list:expr => $field:ident),* $(,)?) => {$(
                splice(
                    &mut $list,
                    from.$field..old_to.$field,
                    items(region, |c| &c.$field),
                    delta,
                );
            )*};
        }
        splice_region!(
            a.headings => headings,
            a.samples => samples,
            a.links => links,
            a.urls => urls,
            a.definitions => definitions,
            self.chunk_diagnostics => diagnostics,
            self.chunk_folds => folds,
        );

        if seams_kept {
            for (i, has_body) in stitched_bodies {
                a.headings[i].has_body = has_body;
            }
            let region_folds = &self.chunk_folds[from.folds..new_to.folds];
            splice(
                &mut a.block_folds,
                joined_from..old_joined_to,
                region_folds.iter().cloned(),
                delta,
            );
        } else {
            self.stitch(&mut a.headings, &mut a.block_folds);
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
            move_sections(
                &mut a.outline,
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
        }
        self.analysis = Arc::new(a);
        let version = next_anchors();
        self.last_edit = Some(Edit {
            before: std::mem::replace(&mut self.version, version),
            headings: Spliced {
                from: from.headings,
                old_to: old_to.headings,
                new_to: new_to.headings,
            },
            bytes: Spliced {
                from: bytes_from,
                old_to: bytes_old_to,
                new_to: bytes_old_to.wrapping_add_signed(delta),
            },
        });
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
    /// lists continued across chunks (one fold each, in `folds`, the analysis's
    /// `block_folds`).
    fn stitch(&mut self, headings: &mut [Heading], folds: &mut Vec<Fold>) {
        folds.clear();
        let mut pending: Option<usize> = None;
        let mut open_list: Option<(usize, u8)> = None;
        for k in 0..self.chunks.len() {
            let m = &mut self.chunks[k];
            m.joined = small(folds.len());
            let (seam, start, at) = (m.seam, m.start, m.at());
            let continued = match (open_list, seam.start_list) {
                (Some((fold, kind)), Some((end, k))) if k == kind => Some((fold, end as usize)),
                _ => None,
            };
            if let Some(h) = pending
                && (seam.lead_body || (seam.lead_body_at_0 && continued.is_none()))
            {
                headings[h].has_body = true;
            }
            if let Some((last, has_body)) = seam.last_heading {
                let i = at.headings + last as usize;
                headings[i].has_body = has_body;
                pending = (!has_body).then_some(i);
            }
            let folds_from = folds.len();
            let folds_to = self
                .chunks
                .get(k + 1)
                .map_or(self.chunk_folds.len(), |n| n.at().folds);
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
                    .position(|f| f.kind == FoldKind::List && f.range.start == start + s as usize)
                    .map(|i| (folds_from + i, kind)),
                (None, _) => None,
            };
        }
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

impl Incremental {
    /// The analyses of `chunks`, which replaced the marked chunks `old`: derived from the
    /// analysis of the chunk a chunk was made from when that is one of `old`, else made
    /// afresh.
    fn analyze(&self, chunks: &[&Chunk], old: Range<usize>) -> Vec<ChunkAnalysis> {
        // The newest chunk it was made from that the analysis knows, and the steps after it.
        let source = |c: &'_ Chunk| -> Option<(usize, usize)> {
            let steps = c.steps();
            (0..steps.len()).rev().find_map(|k| {
                let m = self.chunks[old.clone()]
                    .iter()
                    .position(|m| m.id == steps[k].from)?;
                Some((old.start + m, k))
            })
        };
        let sources: Vec<_> = chunks.iter().map(|c| source(c)).collect();
        let unknown: Vec<&Chunk> = (chunks.iter().zip(&sources))
            .filter(|(_, s)| s.is_none())
            .map(|(c, _)| *c)
            .collect();
        let mut fresh = fresh_analyses(&unknown, THREADS).into_iter();
        (chunks.iter().zip(sources))
            .map(|(c, source)| match source {
                Some((m, k)) => derived(&self.chunk_analysis(m), &c.steps()[k..], c),
                None => fresh.next().expect("one fresh analysis per unknown chunk"),
            })
            .collect()
    }
}

/// The items of `chunks` that `of` picks, at their offsets in the note.
fn items<'a, T: Moves + Clone + 'a>(
    chunks: &'a [(usize, &'a Chunk, ChunkAnalysis)],
    of: impl Fn(&'a ChunkAnalysis) -> &'a [T] + 'a,
) -> impl Iterator<Item = T> + 'a {
    chunks.iter().flat_map(move |(start, _, c)| {
        let start = *start;
        of(c).iter().map(move |x| {
            let mut x = x.clone();
            x.move_by(start as isize);
            x
        })
    })
}

/// Updates the sections of an outline whose shape an edit kept (its headings' levels): a
/// section that ends before the edited chunks is left as it is, one that starts after them
/// moves with the text, and the others (the edited chunks' own, and one per level around
/// them) are measured again. `region` holds the edited chunks' headings.
fn move_sections(
    outline: &mut [Section],
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
        lists.push((&mut s.children, next));
    }
}
