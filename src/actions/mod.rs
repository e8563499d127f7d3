//! Quick fixes and source actions for messy notes, as plain values: a [`Fix`] is a list of
//! byte-range edits of the note's text with a title, a kind and the diagnostic it removes.
//! The server turns them into LSP code actions (`server/actions.rs`), the command line applies
//! them (`notes-lsp check --fix`, `cli/fix.rs`).
//!
//! Every fix is the smallest edit that does its job: the rest of the note stays byte-identical
//! and no prose is lost. A fix that rewrites code is only offered when re-checking the edited
//! section shows that its diagnostic is gone and no sample stopped parsing ([`Ctx::verify`]);
//! it is `safe` (part of fix-all) when, in addition, no diagnostic appeared at all.
//!
//! One file per fix: `language` (tag an untagged fence), `fence` (indented or untagged code to
//! a ```` ```python ```` fence), `indent` (tabs to spaces), `prompts` (stray or lost `>>>`),
//! `print` (Python 2 `print x`), `unclosed` (close a fence), `links` (broken anchors),
//! `toc` (table of contents), `renumber` (numbered questions).

mod fence;
mod indent;
mod language;
pub mod links;
mod print;
mod prompts;
mod renumber;
mod toc;
mod unclosed;

#[cfg(test)]
mod testing;

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::analysis::Analysis;
use crate::checks::{self, Diagnostic, Verdict};
use crate::codes::code;
use crate::config::SlugStyle;
use crate::note::Note;
use crate::samples::Sample;
use crate::workspace::{Facts, View};

/// What kind of action a fix is, as LSP groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Fixes a diagnostic (`quickfix`).
    QuickFix,
    /// Rewrites code that has no diagnostic (`refactor.rewrite`).
    RefactorRewrite,
    /// Works on the whole note (`source`): table of contents, renumbering.
    Source,
}

/// One fix: edits of the note's text (byte ranges of the text it was computed on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The rule's stable name (`add-language`, `fence-python`, ...), for reports and tests.
    pub id: &'static str,
    pub title: String,
    pub kind: Kind,
    /// Sorted, non-overlapping replacements.
    pub edits: Vec<(Range<usize>, String)>,
    /// The code of the diagnostic the fix removes.
    pub diagnostic_code: Option<&'static str>,
    /// Where that diagnostic is.
    pub diagnostic_range: Option<Range<usize>>,
    /// Applied by fix-all: checked to remove its diagnostic without adding any.
    pub safe: bool,
}

impl Fix {
    /// From the first edit's start to the last edit's end.
    pub fn hull(&self) -> Range<usize> {
        let start = self.edits.iter().map(|e| e.0.start).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.0.end).max().unwrap_or(start);
        start..end
    }
}

/// Replacements of byte ranges of a note's text.
pub type Edits = Vec<(Range<usize>, String)>;

/// Rule names, in the order fix-all prefers them when two would touch the same text (the
/// smaller edit first).
pub const RULES: &[&str] = &[
    language::ID,
    print::ID,
    prompts::ID_STRAY,
    prompts::ID_LOST,
    indent::ID,
    fence::ID,
    unclosed::ID,
    links::ID,
    toc::ID,
    renumber::ID,
];

fn priority(id: &str) -> usize {
    RULES.iter().position(|r| *r == id).unwrap_or(RULES.len())
}

/// Applies sorted, non-overlapping edits.
pub fn apply(text: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (r, new) in edits {
        out.push_str(&text[at..r.start]);
        out.push_str(new);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A sample of the note with its verdict and diagnostic (offsets in the note).
pub struct SampleAt {
    pub sample: Sample,
    pub verdict: Verdict,
    pub diagnostic: Option<Diagnostic>,
}

/// What a re-check of a stretch of text found.
#[derive(Debug, Clone, Default)]
struct Findings {
    /// (code, message) of every diagnostic, sorted.
    diagnostics: Vec<(&'static str, String)>,
    broken: usize,
    parses: usize,
    headings: Vec<String>,
}

impl Findings {
    fn of(text: &str) -> Findings {
        let note = Note::new(text);
        let a = Analysis::of(&note);
        let mut diagnostics: Vec<_> = a
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.to_string()))
            .collect();
        diagnostics.sort();
        let mut headings: Vec<String> = a.headings.iter().map(|h| h.title.to_string()).collect();
        headings.sort();
        Findings {
            diagnostics,
            broken: a.samples.iter().filter(|s| s.is_broken()).count(),
            parses: a
                .samples
                .iter()
                .filter(|s| s.verdict == Verdict::Parses)
                .count(),
            headings,
        }
    }
}

/// What re-checking the edited section says about a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// The targeted diagnostic is gone and no sample stopped parsing.
    pub fixes: bool,
    /// For a sample's syntax error: the sample parses now (no other error took its place).
    pub sample_fixed: bool,
    /// Besides, no diagnostic appeared and no heading changed: safe for fix-all.
    pub clean: bool,
}

/// Everything a fix is computed from: the note, its analysis, the slug style.
pub struct Ctx<'a> {
    pub note: &'a Note,
    pub analysis: &'a Analysis,
    pub text: String,
    pub style: SlugStyle,
    samples: Vec<SampleAt>,
    findings: RefCell<HashMap<(usize, usize), Findings>>,
}

impl<'a> Ctx<'a> {
    pub fn new(note: &'a Note, analysis: &'a Analysis, style: SlugStyle) -> Ctx<'a> {
        Ctx::around(note, analysis, style, 0..usize::MAX)
    }

    /// A context that knows only the samples touching `range`: enough for [`at`] with that
    /// range, and cheap on a long note (a code-action request on every cursor move).
    pub fn around(
        note: &'a Note,
        analysis: &'a Analysis,
        style: SlugStyle,
        range: Range<usize>,
    ) -> Ctx<'a> {
        let mut samples = Vec::new();
        for (start, chunk) in note.chunks() {
            let end = start + chunk.text().len();
            if end < range.start || range.end < start {
                continue;
            }
            for block in chunk.code_blocks() {
                let (s, e) = (block.range.start + start, block.range.end + start);
                if e < range.start || range.end < s {
                    continue;
                }
                let mut sample = Sample::extract(chunk.text(), &block);
                sample.shift(start);
                let (verdict, diagnostic) = checks::check_sample(&sample);
                samples.push(SampleAt {
                    sample,
                    verdict,
                    diagnostic,
                });
            }
        }
        Ctx {
            note,
            analysis,
            text: note.text(),
            style,
            samples,
            findings: RefCell::new(HashMap::new()),
        }
    }

    pub fn samples(&self) -> &[SampleAt] {
        &self.samples
    }

    /// The chunks (start..end) that hold `range`, joined: a stretch that parses on its own.
    fn window(&self, range: &Range<usize>) -> Range<usize> {
        let chunks: Vec<(usize, usize)> = self
            .note
            .chunks()
            .map(|(s, c)| (s, s + c.text().len()))
            .collect();
        let Some(&(_, text_end)) = chunks.last() else {
            return 0..self.text.len();
        };
        let mut first = chunks
            .iter()
            .rposition(|&(s, _)| s <= range.start)
            .unwrap_or(0);
        // An edit right at a chunk's start may belong to the chunk before (text appended to it).
        if first > 0 && chunks[first].0 == range.start {
            first -= 1;
        }
        let last = chunks
            .iter()
            .position(|&(_, e)| range.end <= e)
            .unwrap_or(chunks.len() - 1)
            .max(first);
        chunks[first].0..chunks[last].1.max(range.end).min(text_end.max(range.end))
    }

    /// Re-checks the section the edits touch, before and after: whether the diagnostic with
    /// `target` (code and range) goes away, whether any sample stops parsing, whether any
    /// diagnostic or heading appears. `new_headings_ok` lets headings (and their answers'
    /// `unanswered-question` notes) come back, for a fence that swallowed them.
    pub fn verify(
        &self,
        edits: &[(Range<usize>, String)],
        target: Option<&Diagnostic>,
        new_headings_ok: bool,
    ) -> Checked {
        let hull = edits.first().map_or(0, |e| e.0.start)..edits.last().map_or(0, |e| e.0.end);
        let w = self.window(&hull);
        let before = self
            .findings
            .borrow_mut()
            .entry((w.start, w.end))
            .or_insert_with(|| Findings::of(&self.text[w.clone()]))
            .clone();
        let local: Vec<(Range<usize>, String)> = edits
            .iter()
            .map(|(r, s)| (r.start - w.start..r.end - w.start, s.clone()))
            .collect();
        let after = Findings::of(&apply(&self.text[w.clone()], &local));
        let mut remaining = before.diagnostics.clone();
        let mut appeared = Vec::new();
        for d in &after.diagnostics {
            match remaining.iter().position(|r| r == d) {
                Some(i) => {
                    remaining.remove(i);
                }
                None => appeared.push(d.clone()),
            }
        }
        let gone = target.is_none_or(|t| {
            let count = |l: &[(&str, String)]| {
                l.iter()
                    .filter(|(c, m)| *c == t.code && **m == *t.message)
                    .count()
            };
            count(&after.diagnostics) < count(&before.diagnostics)
        });
        let samples_ok = after.broken <= before.broken && after.parses >= before.parses;
        // A sample's syntax error is fixed when the sample parses, not when another error
        // takes its place.
        let syntax = target.is_some_and(|t| {
            matches!(
                t.code,
                code::PYTHON_SYNTAX | code::GUESSED_PYTHON_SYNTAX | code::JSON_SYNTAX
            )
        });
        let sample_fixed = !syntax || after.broken < before.broken;
        let headings_ok = if new_headings_ok {
            is_sub_multiset(&before.headings, &after.headings)
        } else {
            before.headings == after.headings
        };
        let appeared_ok = appeared
            .iter()
            .all(|(c, _)| new_headings_ok && *c == code::UNANSWERED_QUESTION);
        Checked {
            fixes: gone && samples_ok,
            sample_fixed,
            clean: gone && samples_ok && sample_fixed && headings_ok && appeared_ok,
        }
    }

    /// Builds a fix for a sample rewrite, checked: `None` unless the sample parses after it
    /// (or, with `partial`, unless at least its diagnostic's error is gone: Python reports
    /// one error at a time). Quick fixes are safe when clean; refactors only when
    /// `refactor_safe` says so (and clean).
    pub(crate) fn checked_fix(
        &self,
        id: &'static str,
        title: String,
        edits: Vec<(Range<usize>, String)>,
        target: Option<&Diagnostic>,
        refactor_safe: bool,
        partial: bool,
    ) -> Option<Fix> {
        if edits.is_empty() {
            return None;
        }
        let c = self.verify(&edits, target, false);
        if !c.fixes || !(c.sample_fixed || partial) || (target.is_none() && !c.clean) {
            return None;
        }
        Some(Fix {
            id,
            title,
            kind: if target.is_some() {
                Kind::QuickFix
            } else {
                Kind::RefactorRewrite
            },
            edits,
            diagnostic_code: target.map(|d| d.code),
            diagnostic_range: target.map(|d| d.range.clone()),
            safe: c.clean && (target.is_some() || refactor_safe),
        })
    }

    /// The line break used on the line holding `at` (`\n` when it has none).
    pub(crate) fn eol_at(&self, at: usize) -> &'static str {
        let rest = &self.text[at.min(self.text.len())..];
        match rest.find('\n') {
            Some(i) if i > 0 && rest.as_bytes()[i - 1] == b'\r' => "\r\n",
            Some(_) => "\n",
            None => self.default_eol(),
        }
    }

    /// The note's line break (`\r\n` when its first line ends with one).
    pub(crate) fn default_eol(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    /// Start of the line holding `at`.
    pub(crate) fn line_start(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1)
    }

    /// End of the line holding `at` (before its line break).
    pub(crate) fn line_end(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        let end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i);
        if end > at && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// Start of the line after the one holding `at` (the text's end on the last line).
    pub(crate) fn next_line(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i + 1)
    }
}

fn is_sub_multiset(small: &[String], big: &[String]) -> bool {
    let mut rest: Vec<&String> = big.iter().collect();
    small
        .iter()
        .all(|s| match rest.iter().position(|b| *b == s) {
            Some(i) => {
                rest.remove(i);
                true
            }
            None => false,
        })
}

/// The column after `ws` (spaces and tabs) starting at column `col`, a tab reaching the next
/// multiple of 4 (CommonMark's tab stops).
pub(crate) fn columns(ws: &str, col: usize) -> usize {
    ws.bytes().fold(col, |c, b| match b {
        b'\t' => (c / 4 + 1) * 4,
        _ => c + 1,
    })
}

/// The length of the spaces and tabs at the start of `s`.
pub(crate) fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// Every fix offered for the text `range` (a cursor or a selection): quick fixes and
/// refactors of the samples it touches, closing the fence it is on, the table of contents
/// and renumbering. Broken links need the workspace: see [`links::fixes`].
pub fn at(cx: &Ctx, range: Range<usize>) -> Vec<Fix> {
    let touches = |r: &Range<usize>| r.start <= range.end && range.start <= r.end;
    let mut out = Vec::new();
    for s in cx.samples() {
        if touches(&s.sample.range) {
            out.extend(sample_fixes(cx, s));
        }
    }
    out.extend(
        unclosed::fixes(cx)
            .into_iter()
            .filter(|f| f.diagnostic_range.as_ref().is_some_and(touches)),
    );
    out.extend(toc::fixes(cx, range.start));
    out.extend(renumber::fixes(cx, range.start));
    out
}

fn sample_fixes(cx: &Ctx, s: &SampleAt) -> Vec<Fix> {
    let mut out = Vec::new();
    out.extend(language::fix(cx, s));
    out.extend(print::fix(cx, s));
    out.extend(prompts::fixes(cx, s));
    out.extend(indent::fix(cx, s));
    out.extend(fence::fix(cx, s));
    out
}

/// Every fix anywhere in the note that fix-all could apply (sample fixes and closing fences;
/// not links, which need the workspace, nor the source actions).
pub fn everywhere(cx: &Ctx) -> Vec<Fix> {
    let mut out: Vec<Fix> = cx
        .samples()
        .iter()
        .flat_map(|s| sample_fixes(cx, s))
        .collect();
    out.extend(unclosed::fixes(cx));
    out
}

/// What fix-all may do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub style: SlugStyle,
    /// Diagnostic codes turned off in the settings: their fixes are not applied either.
    pub off: Vec<&'static str>,
}

impl Options {
    pub fn from_config(config: &crate::config::Config) -> Options {
        let mut off: Vec<&'static str> = config
            .severities
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(c, _)| *c)
            .collect();
        off.sort();
        Options {
            style: config.slugs,
            off,
        }
    }
}

/// The workspace a note's links are checked against, for fix-all.
pub struct LinkEnv<'v, 'w> {
    pub view: &'v View<'w>,
    pub uri: &'v str,
}

/// What fix-all did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixAll {
    pub text: String,
    /// Each fix applied, by rule, in order.
    pub applied: Vec<(&'static str, String)>,
}

impl FixAll {
    /// How many fixes of each rule were applied, in [`RULES`] order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        RULES
            .iter()
            .map(|r| (*r, self.applied.iter().filter(|(id, _)| id == r).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// The edits of `fixes`, in order.
fn sorted_edits(fixes: &[Fix]) -> Edits {
    let mut edits: Edits = fixes.iter().flat_map(|f| f.edits.iter().cloned()).collect();
    edits.sort_by_key(|e| (e.0.start, e.0.end));
    edits
}

/// The safe fixes among `fixes` that touch disjoint text, preferring the smaller rules. Only
/// fixes of a diagnostic the note shows: fix-all never rewrites what was not reported.
fn disjoint(mut fixes: Vec<Fix>, opts: &Options) -> Vec<Fix> {
    fixes.retain(|f| {
        f.safe && !f.edits.is_empty() && f.diagnostic_code.is_some_and(|c| !opts.off.contains(&c))
    });
    fixes.sort_by_key(|f| (priority(f.id), f.hull().start));
    let mut taken: Vec<Fix> = Vec::new();
    for f in fixes {
        let h = f.hull();
        let clear = taken.iter().all(|t| {
            let o = t.hull();
            h.end < o.start || o.end < h.start
        });
        if clear {
            taken.push(f);
        }
    }
    taken.sort_by_key(|f| f.hull().start);
    taken
}

/// Applies every safe fix, round after round until none is left (a fix can make another
/// possible: a fence closed lets the samples after it be fixed). Links are fixed last, against
/// the note as the other fixes left it. Idempotent: fix-all of its result changes nothing.
pub fn fix_all(text: &str, opts: &Options, links: Option<&LinkEnv>) -> FixAll {
    let style = opts.style;
    let mut cur = text.to_string();
    let mut applied = Vec::new();
    let mut seen = vec![cur.clone()];
    for _ in 0..32 {
        let note = Note::new(&cur);
        let a = Analysis::of(&note);
        let cx = Ctx::new(&note, &a, style);
        let mut round = disjoint(everywhere(&cx), opts);
        if round.is_empty()
            && let Some(env) = links
        {
            let facts = Facts::of(env.uri, &note, &a, style);
            round = disjoint(links::fixes(&a, &cx.text, env.view, &facts, None), opts);
            let edits = sorted_edits(&round);
            if !round.is_empty() && !links::improves(env, style, &cur, &apply(&cur, &edits)) {
                round.clear();
            }
        }
        if round.is_empty() {
            break;
        }
        let edits = sorted_edits(&round);
        applied.extend(round.into_iter().map(|f| (f.id, f.title)));
        let next = apply(&cur, &edits);
        if seen.contains(&next) {
            break;
        }
        seen.push(next.clone());
        cur = next;
    }
    FixAll { text: cur, applied }
}

/// The edits that turn `old` into `new`, one per changed run of lines (for a client that
/// needs fix-all's result as edits of the text it has).
pub fn diff_edits(old: &str, new: &str) -> Vec<(Range<usize>, String)> {
    use similar::{DiffOp, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let old_starts = line_offsets(old);
    let new_starts = line_offsets(new);
    let mut edits = Vec::new();
    for op in diff.ops() {
        let (o, n) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        let range = old_starts[o.start]..old_starts[o.end];
        let text = new[new_starts[n.start]..new_starts[n.end]].to_string();
        edits.push((range, text));
    }
    edits
}

/// Offsets where each line starts, and the text's end.
fn line_offsets(s: &str) -> Vec<usize> {
    let mut v: Vec<usize> = std::iter::once(0)
        .chain(s.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    if *v.last().unwrap_or(&0) != s.len() {
        v.push(s.len());
    }
    v
}
