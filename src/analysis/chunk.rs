//! What one chunk holds, read off its text and blocks: headings and questions, samples and
//! their verdicts, diagnostics, folds, links and definitions. Offsets are relative to the
//! chunk. A chunk made from an earlier one without a parse (`note::Step`) gets its analysis
//! the same way, from the earlier chunk's.

use std::ops::Range;
use std::sync::Arc;

use crate::checks::{self, Diagnostic, Verdict};
use crate::codes::{Severity, code};
use crate::links::{self, Link};
use crate::note::{Blocks, Changed, Chunk, HeadingBlock, Note, Step};
use crate::outline::{self, Heading};
use crate::parallel::{self, THREADS};
use crate::samples::{Lang, Sample};
use crate::terms;

/// What one chunk holds, offsets relative to the chunk.
#[derive(Debug, Clone, Default)]
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
    pub(super) fn shift(&mut self, delta: usize) {
        self.range = self.range.start + delta..self.range.end + delta;
        if let Verdict::Broken(b) = &mut self.verdict {
            b.0 = b.0.start + delta..b.0.end + delta;
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
pub(super) fn fold_order(f: &Fold) -> (usize, std::cmp::Reverse<usize>) {
    (f.range.start, std::cmp::Reverse(f.range.end))
}

pub fn analyze_chunk(text: &str, blocks: &Blocks) -> ChunkAnalysis {
    analyze_chunk_as(text, blocks, Samples::Checked)
}

/// Whether an analysis checks its samples (parses them, with their diagnostics) or only
/// finds them: the workspace index needs where samples are and what code they show, never
/// their verdicts, and checking them was most of its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Samples {
    Checked,
    /// Verdicts [`Verdict::Unchecked`], no sample diagnostics.
    Found,
}

/// [`analyze_chunk`], its samples checked or only found.
pub fn analyze_chunk_as(text: &str, blocks: &Blocks, samples: Samples) -> ChunkAnalysis {
    let mut out = ChunkAnalysis::default();

    let mut headings: Vec<Heading> = blocks.headings.iter().map(|h| heading(text, h)).collect();
    for b in &blocks.bold {
        let content = &text[b.range.clone()];
        if outline::is_question(&outline::render_title(content)) {
            headings.push(Heading::new(b.range.clone(), b.range.clone(), content, 7));
        }
    }
    headings.sort_by_key(|h| h.range.start);
    out.headings = headings;
    let n = out.headings.len();
    bodies(text.len(), blocks, &mut out, 0..n);

    for block in &blocks.code {
        let sample = Sample::extract(text, block);
        let (mut verdict, mut diag) = match samples {
            Samples::Checked => checks::check_sample(&sample),
            Samples::Found => (Verdict::Unchecked, None),
        };
        // Tabs mixed with spaces so that the structure depends on the tab width: what CPython
        // reports as a TabError, unless an error on an earlier line comes first.
        if samples == Samples::Checked
            && let Some(tagged) = checks::python_kind(&sample)
            && !sample.nocheck
            && !sample.source.trim_start().starts_with(">>>")
            && let Some(at) = checks::tab_inconsistency(text, &block.lines)
            && !matches!(&verdict, Verdict::Broken(b) if b.0.start < at)
        {
            let message = "inconsistent use of tabs and spaces in indentation".to_string();
            let (code, severity) = if tagged {
                (code::PYTHON_SYNTAX, Severity::Error)
            } else {
                (code::GUESSED_PYTHON_SYNTAX, Severity::Warning)
            };
            let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
            verdict = Verdict::broken(at..line_end.max(at + 1), message.clone());
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
        if block.info.is_some() && !block.closed {
            let fence_end = text[block.range.clone()]
                .find('\n')
                .map_or(block.range.end, |i| block.range.start + i);
            let swallowed = block
                .lines
                .iter()
                .filter(|l| crate::note::starts_with_atx(&text[l.start..]))
                .count();
            // Lines after the opening fence that the block takes, to its last one with code.
            let taken = block
                .lines
                .iter()
                .rposition(|l| !text[l.clone()].trim().is_empty())
                .map_or(0, |i| i + 1);
            out.diagnostics.push(checks::unclosed_fence(
                block.range.start..fence_end,
                block.container,
                taken,
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
            tag: crate::recent::shared(&TAGS, &sample.tag, |t| Arc::from(t)),
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

thread_local! {
    /// The last samples' tags, shared by samples with the same one (most of a note's).
    static TAGS: std::cell::RefCell<crate::recent::Recent<str>> =
        const { std::cell::RefCell::new(crate::recent::Recent::new()) };
}

/// The heading a heading block makes (numbered by its list item when it opens an ordered one).
fn heading(text: &str, h: &HeadingBlock) -> Heading {
    let made = Heading::new(
        h.range.clone(),
        h.content.clone(),
        &text[h.content.clone()],
        h.level,
    );
    let line_start = text[..h.range.start].rfind('\n').map_or(0, |i| i + 1);
    if outline::opens_ordered_item(&text[line_start..h.range.start]) {
        made.numbered_by_item()
    } else {
        made
    }
}

/// Sets `has_body` of `a`'s headings in `which` (whether a block other than a heading starts
/// between each and the next), and what the chunk's lead holds, from `blocks` (of a chunk of
/// `len` bytes).
fn bodies(len: usize, blocks: &Blocks, a: &mut ChunkAnalysis, which: Range<usize>) {
    let headings = &mut a.headings;
    for i in which {
        let from = headings[i].range.end;
        let to = headings.get(i + 1).map_or(len, |n| n.range.start);
        let first = blocks.body_starts.partition_point(|&s| s < from);
        headings[i].has_body = blocks.body_starts.get(first).is_some_and(|&s| s < to);
    }
    let first_heading = headings.first().map_or(len, |h| h.range.start);
    a.lead_body = blocks
        .body_starts
        .iter()
        .any(|&s| s > 0 && s < first_heading);
    a.lead_body_at_0 = first_heading > 0 && blocks.body_starts.contains(&0);
}

/// The analyses of `chunks`, made afresh, on up to `threads` threads when they are big.
pub(super) fn fresh_analyses(chunks: &[&Chunk], threads: usize) -> Vec<ChunkAnalysis> {
    fresh_analyses_as(chunks, threads, Samples::Checked)
}

fn fresh_analyses_as(chunks: &[&Chunk], threads: usize, samples: Samples) -> Vec<ChunkAnalysis> {
    let len = chunks.iter().map(|c| c.text().len()).sum();
    let threads = parallel::threads_for(len, threads);
    parallel::map_in_order(chunks.len(), threads, &|| true, |i| {
        analyze_chunk_as(chunks[i].text(), &chunks[i].blocks(), samples)
    })
    .expect("`go_on` never says stop")
}

/// The analyses of `note`'s chunks, made afresh (on two threads when the note is big,
/// unless `one_thread`).
pub(super) fn note_analyses(note: &Note, one_thread: bool, samples: Samples) -> Vec<ChunkAnalysis> {
    let chunks: Vec<&Chunk> = note.chunks().map(|(_, c)| c).collect();
    fresh_analyses_as(&chunks, if one_thread { 1 } else { THREADS }, samples)
}

/// The analysis of `chunk`, made from `old`, the analysis of the chunk the first of `steps`
/// started from, by following the steps: every item moved with the text, and what the steps
/// changed read again. It equals [`analyze_chunk`] of the chunk.
pub fn derived(old: &ChunkAnalysis, steps: &[Step], chunk: &Chunk) -> ChunkAnalysis {
    let (text, blocks) = (chunk.text(), &chunk.blocks());
    if steps.iter().any(|s| s.changed == Changed::Code) {
        // A sample's code changed: its verdict, diagnostics and hash with it.
        return analyze_chunk(text, blocks);
    }
    let at = |x: usize| steps.iter().fold(x, |x, s| s.moved(x));
    let mut a = ChunkAnalysis {
        headings: moved(&old.headings, at),
        samples: moved(&old.samples, at),
        diagnostics: moved(&old.diagnostics, at),
        folds: moved(&old.folds, at),
        links: moved(&old.links, at),
        urls: moved(&old.urls, at),
        definitions: moved(&old.definitions, at),
        lead_body: old.lead_body,
        lead_body_at_0: old.lead_body_at_0,
    };
    // Each step's changed span, where it is in the chunk after the last step.
    let mut spans: Vec<Range<usize>> = steps
        .iter()
        .enumerate()
        .filter_map(|(k, s)| match &s.changed {
            Changed::Inline(span) => Some(
                steps[k + 1..]
                    .iter()
                    .fold(span.clone(), |span, later| later.moved_span(span)),
            ),
            _ => None,
        })
        .collect();
    spans.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        // Widened to the link text it cuts into.
        let link_text = &blocks.link_text;
        let first = link_text.partition_point(|r| r.end <= span.start);
        let mut span = span;
        for r in &link_text[first..] {
            if r.start >= span.end {
                break;
            }
            span = span.start.min(r.start)..span.end.max(r.end);
        }
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    for span in merged {
        if !reread(text, blocks, &mut a, &span) {
            return analyze_chunk(text, blocks);
        }
    }
    a
}

/// Reads the headings, links and URLs that start in `span` again from the chunk; `false`
/// when the span holds what only a whole analysis reads (a bold paragraph).
fn reread(text: &str, blocks: &Blocks, a: &mut ChunkAnalysis, span: &Range<usize>) -> bool {
    let starts_in = |x: usize| span.contains(&x);
    if blocks.bold.iter().any(|p| starts_in(p.range.start)) {
        return false;
    }
    let (from, to) = bounds(&a.headings, |h| h.range.start, span);
    if from < to || blocks.headings.iter().any(|h| starts_in(h.range.start)) {
        if a.headings[from..to].iter().any(|h| h.level > 6) {
            return false;
        }
        let new = blocks.headings.iter().filter(|h| starts_in(h.range.start));
        let n = a.headings.len();
        a.headings.splice(from..to, new.map(|h| heading(text, h)));
        let to = to + a.headings.len() - n;
        bodies(text.len(), blocks, a, from.saturating_sub(1)..to);
    }
    let (mut links, mut urls) = (Vec::new(), Vec::new());
    let first = blocks.link_text.partition_point(|r| r.start < span.start);
    for r in blocks.link_text[first..]
        .iter()
        .take_while(|r| r.start < span.end)
    {
        let found = links::find_links(text, r.clone());
        urls.extend(links::find_urls(text, r.clone(), &found));
        links.extend(found);
    }
    let (from, to) = bounds(&a.links, |l| l.range.start, span);
    a.links.splice(from..to, links);
    let (from, to) = bounds(&a.urls, |r| r.start, span);
    a.urls.splice(from..to, urls);
    true
}

/// The items of `v` (sorted by `key`) whose key lies in `span`, as an index range.
fn bounds<T>(v: &[T], key: impl Fn(&T) -> usize, span: &Range<usize>) -> (usize, usize) {
    let from = v.partition_point(|x| key(x) < span.start);
    let to = v.partition_point(|x| key(x) < span.end);
    (from, to)
}

/// Copies of `v`'s items with their offsets mapped by `at`.
fn moved<T: Moves + Clone>(v: &[T], at: impl Fn(usize) -> usize + Copy) -> Vec<T> {
    v.iter()
        .map(|x| {
            let mut x = x.clone();
            x.map_offsets(at);
            x
        })
        .collect()
}

/// Items whose offsets move with the text before them.
pub(super) trait Moves {
    /// Maps each offset the item holds by `at` (monotone).
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy);

    fn move_by(&mut self, delta: isize) {
        self.map_offsets(move |x| x.wrapping_add_signed(delta));
    }
}

impl Moves for Range<usize> {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        *self = at(self.start)..at(self.end);
    }
}

impl Moves for Heading {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        self.range.map_offsets(at);
        self.title_range.map_offsets(at);
    }
}

impl Moves for SampleInfo {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        self.range.map_offsets(at);
        if let Verdict::Broken(b) = &mut self.verdict {
            b.0.map_offsets(at);
        }
    }
}

impl Moves for Diagnostic {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        self.range.map_offsets(at);
    }
}

impl Moves for Fold {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        self.range.map_offsets(at);
    }
}

impl Moves for Link {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        self.range.map_offsets(at);
        self.dest_range.map_offsets(at);
    }
}

impl Moves for Definition {
    fn map_offsets(&mut self, at: impl Fn(usize) -> usize + Copy) {
        self.range.map_offsets(at);
        self.text_start = at(self.text_start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analysis, Incremental};

    /// A table of contents, a section with a heading, links, a bold question, samples, a
    /// list and a sub-heading, and an HTML block: chunks that edits inside a row, the
    /// heading line, a code line or the HTML block leave standing.
    const NOTE: &str = "## Contents\n\n| No. | Question |\n| --- | -------- |\n\
                        | 1 | [What is a closure?](#what-is-a-closure) |\n\
                        | 2 | [Why?](#why) https://example.com `a|b` |\n\nAfter.\n\n\
                        ## What is a closure\n\nIt captures [variables](#vars), see https://x.y.\n\n\
                        **Why?**\n\n```python\ndef f(:\n    return x\n```\n\n- one\n- two\n\n\
                        <div>\n<b>bold</b> [not a link](#x)\nmore\n</div>\n\n### Sub?\n\nMore.\n";

    /// Bursts of edits (an anchor, the bytes deleted there, the text inserted), each burst
    /// applied before the analysis is brought up to date.
    const BURSTS: &[&[(&str, usize, &str)]] = &[
        &[("closure?]", 0, "x")],
        &[("(#why)", 0, "[y](#z) "), ("https", 0, "see ")],
        &[
            ("\n\nIt captures", 0, "?"),
            ("\n\nIt captures", 0, " [x](#y)"),
        ],
        &[("What is a closure", 4, ""), ("is a closure", 0, "**")],
        &[("def f(:", 6, ""), ("return x", 8, "y")],
        &[("<b>bold", 0, "x"), ("more", 0, "https://a.b ")],
        &[("| 1 |", 0, "- "), ("closure?]", 0, "x")],
        &[("Sub?", 0, "z"), ("# zSub", 0, "#")],
    ];

    fn apply(note: &mut Note, at: &str, delete: usize, insert: &str) {
        let text = note.text();
        let start = text
            .find(at)
            .unwrap_or_else(|| panic!("{at:?} in {text:?}"));
        note.edit(start..start + delete, insert);
    }

    /// Every chunk's analysis as the incremental analysis keeps it equals a fresh one, and
    /// so does the note's, after each burst and after each edit.
    #[test]
    fn kept_analyses_equal_fresh_ones() {
        for per_edit in [false, true] {
            let mut note = Note::new(NOTE);
            let mut inc = Incremental::new(&note);
            let mut made_from_steps = 0;
            for burst in BURSTS {
                for &(at, delete, insert) in *burst {
                    apply(&mut note, at, delete, insert);
                    if per_edit {
                        inc.update(&note);
                    }
                }
                inc.update(&note);
                made_from_steps += note.chunks().filter(|(_, c)| !c.steps().is_empty()).count();
                let kept: Vec<_> = inc.chunk_analyses().collect();
                assert_eq!(kept.len(), note.chunk_count());
                for ((start, c), a) in note.chunks().zip(kept) {
                    let fresh = analyze_chunk(c.text(), &c.blocks());
                    assert_eq!(format!("{a:?}"), format!("{fresh:?}"), "chunk at {start}");
                }
                assert_eq!(**inc.analysis(), Analysis::of(&note), "{burst:?}");
            }
            assert!(made_from_steps > BURSTS.len(), "{made_from_steps}");
        }
    }

    /// The analysis derived along a chunk's steps, however many, equals a fresh one.
    #[test]
    fn derived_along_many_steps_equals_fresh() {
        let mut note = Note::new(NOTE);
        let first = note.chunk(0);
        let (id, old) = (first.id(), analyze_chunk(first.text(), &first.blocks()));
        let mut typed = 0;
        for (k, (at, insert)) in [("closure?]", "y"), ("(#why)", "é"), ("Contents", "s")]
            .iter()
            .cycle()
            .take(12)
            .enumerate()
        {
            apply(&mut note, at, 0, insert);
            typed += 1;
            let c = note.chunk(0);
            assert_eq!(c.steps().len(), typed, "edit {k} left the structure alone");
            assert_eq!(c.steps()[0].from, id);
            let fresh = analyze_chunk(c.text(), &c.blocks());
            let made = derived(&old, c.steps(), c);
            assert_eq!(format!("{made:?}"), format!("{fresh:?}"), "after edit {k}");
        }
    }
}
