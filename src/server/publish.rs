//! A note's `publishDiagnostics` message, put together from pieces kept per chunk.
//!
//! Made from scratch, a big note's message resolves every link again and converts and
//! serializes every diagnostic again, on every keystroke. An edit changes one chunk, most
//! often: the other chunks stay (the same ids), so their diagnostics' positions hold as long
//! as the line they start on does, and their links' verdicts as long as the note's slugs and
//! the rest of the workspace do. So each chunk keeps its diagnostics
//! as they were written into the message, and the message is those pieces joined, in the
//! order a computation from scratch has them (the note's own diagnostics by range, then
//! broken links in link order, then duplicate questions), with only the changed chunks'
//! written again. A piece is reused only when what it was made from is equal, compared item
//! by item (cheap: ranges and shared strings), not merely when its chunk is the same: a
//! chunk's diagnostics also depend on its neighbours (whether a heading's answer follows in
//! the next chunk).
//!
//! Positions of a chunk's offsets depend on its text and the line it starts on only when
//! no line spans two chunks; when one does, nothing is reused.

use std::borrow::Cow;
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::analysis::Analysis;
use crate::checks;
use crate::codes::{Severity, code};
use crate::config::Config;
use crate::links::Target;
use crate::note::position::Near;
use crate::note::{ChunkId, Encoding, Note};
use crate::outline::Slugs;
use crate::workspace::{self, Facts, LinkCheck, SlugIndex, View, ViewKey};

use super::output::Frame;
use super::packed::Json;
use super::to_proto;

/// What one document's last message was made of.
#[derive(Default)]
pub struct Cache {
    /// The settings and encoding the pieces were written under; held, so that a new
    /// `Arc` of the settings is never mistaken for the old one.
    written_for: Option<(Arc<Config>, Encoding)>,
    /// The note's slugs the link verdicts hold for, indexed.
    slugs: Slugs,
    index: SlugIndex,
    /// The note's questions as of the last message.
    questions: Vec<workspace::QuestionKey>,
    /// Where those questions' titles started.
    question_starts: Vec<usize>,
    /// The lines those questions' titles are on: what other notes' "also asked" point at.
    question_lines: Vec<u32>,
    /// Changes whenever those slugs, questions or lines do ([`next_signature`]).
    signature: Option<u64>,
    /// The rest of the workspace the link verdicts hold for.
    view: Option<ViewKey>,
    /// Changes whenever `slugs` or `view` do: verdicts made under another one are stale.
    verdicts: u64,
    /// One per chunk, in order, as of the last message.
    pieces: Vec<Piece>,
    /// The last message's length, to size the next one's buffer.
    last_len: usize,
    /// The version the last message was for.
    last_version: Option<i32>,
    /// The duplicate-question diagnostics of the last message, as written.
    duplicates: Option<Duplicates>,
    /// The diagnostics of the note's sample runs (`running.rs`), as written, set before
    /// each message.
    pub run_diagnostics: Vec<u8>,
}

/// Duplicate-question diagnostics as written, and what the writing read: where in the note
/// the findings' ranges (and related locations in the note) were, as byte offsets and as
/// lines and columns (a hash of them), which is what is written (the byte offsets move with
/// every edit above them), and a hash of the rest of them ([`shape`]). A note whose questions repeat (a
/// README that asks each question twice) would otherwise convert and serialize hundreds of
/// them, related locations and all, on every keystroke. The findings themselves are not
/// kept: with every question asked in ten other notes, they were more than the note's text.
struct Duplicates {
    /// Each finding's range, then its related locations in the note (`true`), in order.
    ranges: Vec<(Range<usize>, bool)>,
    shape: u128,
    at: u128,
    json: Json,
}

/// A hash of what two lists of findings must share to be the same but for byte offsets in
/// the note (their messages, other notes' locations, which related ones are in the note).
fn shape(found: &[workspace::WsDiagnostic]) -> u128 {
    use std::hash::Hash;
    use workspace::RelatedAt::{Here, Span};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    found.len().hash(&mut h);
    for d in found {
        (d.severity, d.code, &d.message, d.related.len()).hash(&mut h);
        for r in &d.related {
            r.uri.hash(&mut h);
            match &r.at {
                Span(s) => {
                    for p in [s.start, s.end] {
                        (0u8, p.line, p.utf8, p.utf16).hash(&mut h);
                    }
                }
                Here(_) => 1u8.hash(&mut h),
            }
        }
    }
    h.digest128()
}

/// The ranges [`Duplicates::ranges`] holds for `found`.
fn ranges_of(found: &[workspace::WsDiagnostic]) -> Vec<(Range<usize>, bool)> {
    let mut out = Vec::new();
    for d in found {
        out.push((d.range.clone(), false));
        for r in d.related.iter().take(workspace::MAX_RELATED) {
            if let workspace::RelatedAt::Here(b) = &r.at {
                out.push((b.clone(), true));
            }
        }
    }
    out.shrink_to_fit();
    out
}

/// Moves `ranges`, of findings about questions whose titles started at `starts`, to where
/// the same questions are in `facts`; `false` (and nothing moved) if one is not found there.
fn move_findings(ranges: &mut [(Range<usize>, bool)], starts: &[usize], facts: &Facts) -> bool {
    if starts.len() != facts.questions.len() {
        return false;
    }
    let question = |r: &Range<usize>| starts.binary_search(&r.start).ok();
    if !ranges.iter().all(|(r, _)| question(r).is_some()) {
        return false;
    }
    for (r, _) in ranges {
        let k = question(r).expect("looked up above");
        *r = facts.questions[k].1.clone();
    }
    true
}

/// XXH3's 128 bits of where `ranges` (of findings, see [`Duplicates::ranges`]) are in
/// `note`, as lines and columns, in order.
fn duplicates_at(note: &Note, ranges: &[(Range<usize>, bool)], enc: Encoding) -> u128 {
    use std::hash::Hash;
    // The findings come in the note's order; each one's related questions (the same few,
    // over and over, for a question asked dozens of times) with a cursor of their own.
    let near: (Near, Near) = Default::default();
    let near_related: (Near, Near) = Default::default();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    ranges.len().hash(&mut h);
    for (r, related) in ranges {
        let near = if *related { &near_related } else { &near };
        let (start, end) = note.range_to_line_cols_near(r.clone(), enc, Some(near));
        (start.line, start.col, end.line, end.col).hash(&mut h);
    }
    h.digest128()
}

/// What a chunk's diagnostics were written as. Small (the runs boxed): a keystroke splices
/// a few into the note's ~1,700 and moves none of the others.
struct Piece {
    chunk: ChunkId,
    local: Option<Box<LocalRun>>,
    links: Option<Box<LinkRun>>,
}

/// The note's own diagnostics that start in one chunk, as written.
struct LocalRun {
    /// Ranges relative to the chunk.
    diags: Vec<checks::Diagnostic>,
    written: Written,
}

/// The links that start in one chunk and the diagnostics of the broken ones, as written.
/// What they were made from is kept as hashes ([`links_hash`], [`broken_hash`]), compared
/// with those of the next message's: kept whole, a note's table of contents was a tenth of
/// its text again.
struct LinkRun {
    /// The links, ranges relative to the chunk.
    links: u128,
    verdicts: u64,
    /// What is wrong with each link (`None`: nothing).
    broken: u128,
    /// When a verdict came from the file system (which may change unseen), when it was
    /// read: such verdicts are read again once [`DISK_RECHECK`] has passed.
    read_disk: Option<Instant>,
    written: Written,
}

/// How long answers read from the file system (links to files the workspace does not know)
/// are reused, so that a note linking to hundreds of files does not look each up on every
/// keystroke. A file created or removed behind the server's back is seen at the first
/// message this long after the last look (at once when the client reports it: a
/// watched-files notification changes the workspace's generation).
pub const DISK_RECHECK: Duration = Duration::from_millis(1000);

/// Diagnostics as JSON array items (joined by commas), their line numbers counted from
/// their chunk's first line: when an edit adds a line above, the chunk moves and the same
/// items serve, with only those numbers written again. Boxed, and nothing when there are
/// none: most chunks' links are all fine, and every chunk of a note keeps one.
#[derive(Default)]
struct Written(Option<Box<WrittenItems>>);

#[derive(Default)]
struct WrittenItems {
    template: Vec<u8>,
    /// Where line numbers are in `template`: offset, length, line (relative).
    holes: Vec<(usize, usize, u32)>,
    /// `template` with the lines of a chunk starting on line `.0`.
    placed: Option<(u32, Vec<u8>)>,
}

/// How serde starts a diagnostic: with its range, whose two line numbers follow these.
const RANGE_START: &[u8] = br#"{"range":{"start":{"line":"#;
const RANGE_START_CHARACTER: &[u8] = br#","character":"#;
const RANGE_END: &[u8] = br#"},"end":{"line":"#;

impl Written {
    /// Appends `d`, whose chunk starts on line `first`.
    fn push(&mut self, d: lsp::Diagnostic, first: u32) -> serde_json::Result<()> {
        self.0.get_or_insert_default().push(d, first)
    }

    /// Drops the spare capacity (a piece is kept until its chunk changes).
    fn shrink(&mut self) {
        if let Some(w) = &mut self.0 {
            w.template.shrink_to_fit();
            w.holes.shrink_to_fit();
        }
    }

    /// The items with their line numbers relative to the chunk's first line.
    fn template(&self) -> &[u8] {
        self.0.as_ref().map_or(&[], |w| &w.template)
    }

    /// The items for a chunk starting on line `first`.
    fn at(&mut self, first: u32) -> &[u8] {
        match &mut self.0 {
            Some(w) => w.at(first),
            None => &[],
        }
    }
}

impl WrittenItems {
    /// Appends `d`, whose chunk starts on line `first`.
    fn push(&mut self, mut d: lsp::Diagnostic, first: u32) -> serde_json::Result<()> {
        d.range.start.line -= first;
        d.range.end.line -= first;
        if !self.template.is_empty() {
            self.template.push(b',');
        }
        let at = self.template.len();
        serde_json::to_writer(&mut self.template, &d)?;
        let item = &self.template[at..];
        let digits = |from: usize| {
            item[from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let expect = |from: usize, what: &[u8]| {
            assert!(
                item[from..].starts_with(what),
                "a diagnostic's JSON starts with its range"
            );
            from + what.len()
        };
        let start = expect(0, RANGE_START);
        let start_len = digits(start);
        let character = expect(start + start_len, RANGE_START_CHARACTER);
        let end = expect(character + digits(character), RANGE_END);
        self.holes.push((at + start, start_len, d.range.start.line));
        self.holes.push((at + end, digits(end), d.range.end.line));
        self.placed = None;
        Ok(())
    }

    /// The items for a chunk starting on line `first`.
    fn at(&mut self, first: u32) -> &[u8] {
        if first == 0 {
            return &self.template;
        }
        if self.placed.as_ref().is_none_or(|(line, _)| *line != first) {
            let mut out = Vec::with_capacity(self.template.len() + 4 * self.holes.len());
            let mut from = 0;
            for &(at, len, line) in &self.holes {
                out.extend_from_slice(&self.template[from..at]);
                let _ = write!(out, "{}", first + line);
                from = at + len;
            }
            out.extend_from_slice(&self.template[from..]);
            self.placed = Some((first, out));
        }
        &self.placed.as_ref().expect("placed above").1
    }
}

/// The JSON around the diagnostics, as serde writes a `PublishDiagnosticsParams` in a
/// notification (`output::Frame::notification`).
const HEAD: &[u8] =
    br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#;

/// The chunks of a note as the pieces see them.
struct Chunks<'a> {
    starts: Cow<'a, [usize]>,
    ids: &'a [ChunkId],
    len: usize,
    /// No line spans two chunks: an offset's position follows from its chunk's text and the
    /// line the chunk starts on.
    aligned: bool,
}

impl<'a> Chunks<'a> {
    fn of(note: &'a Note) -> Chunks<'a> {
        Chunks {
            starts: note.chunk_starts(),
            ids: note.chunk_ids(),
            len: note.len(),
            aligned: note.chunks_aligned(),
        }
    }

    fn end(&self, i: usize) -> usize {
        self.starts.get(i + 1).copied().unwrap_or(self.len)
    }

    /// The chunk holding `offset`; an offset on a boundary belongs to the later chunk.
    fn holding(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1) - 1
    }

    /// Whether `range`, whose start is in chunk `i`, has both ends' positions following
    /// from that chunk alone.
    fn within(&self, i: usize, range: &Range<usize>) -> bool {
        let (start, end) = (self.starts[i], self.end(i));
        self.aligned && range.start <= end && (start..=end).contains(&range.end)
    }
}

/// Items of a list in runs of consecutive ones starting in the same chunk: (chunk, run).
fn runs<'t, T>(
    chunks: &Chunks<'_>,
    items: &'t [T],
    start: impl Fn(&T) -> usize,
) -> Vec<(usize, &'t [T])> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < items.len() {
        let i = chunks.holding(start(&items[from]));
        let end = chunks.end(i);
        let next = i + 1 < chunks.starts.len();
        let len = items[from..]
            .iter()
            .take_while(|x| {
                let s = start(x);
                s >= chunks.starts[i] && (s < end || !next)
            })
            .count();
        out.push((i, &items[from..from + len]));
        from += len;
    }
    out
}

/// Appends JSON array items, with the commas between them.
struct Items<'b> {
    out: &'b mut Vec<u8>,
    any: bool,
}

impl Items<'_> {
    /// `json`: items already joined by commas (possibly none).
    fn push(&mut self, json: &[u8]) {
        if json.is_empty() {
            return;
        }
        if self.any {
            self.out.push(b',');
        }
        self.out.extend_from_slice(json);
        self.any = true;
    }

    /// `json`: items already joined by commas (possibly none), kept as [`Json::write_to`]
    /// says.
    fn push_kept(&mut self, json: &mut Json, typing: bool) {
        if json.is_empty() {
            return;
        }
        if self.any {
            self.out.push(b',');
        }
        json.write_to(self.out, typing);
        self.any = true;
    }
}

/// `ds` (absolute ranges), in a chunk starting on line `first`, as written.
fn write_local(
    note: &Note,
    ds: &[checks::Diagnostic],
    first: u32,
    config: &Config,
    enc: Encoding,
) -> serde_json::Result<Written> {
    let mut written = Written::default();
    for d in ds {
        if let Some(sev) = config.severity(d.code, d.severity) {
            written.push(to_proto::diagnostic(note, d, sev, enc), first)?;
        }
    }
    written.shrink();
    Ok(written)
}

/// The broken ones of `links` (absolute ranges), in a chunk starting on line `first`, as
/// written.
fn write_links(
    note: &Note,
    links: &[(Range<usize>, Arc<Target>)],
    broken: &[Option<String>],
    first: u32,
    config: &Config,
    enc: Encoding,
) -> serde_json::Result<Written> {
    let mut written = Written::default();
    let Some(sev) = config.severity(code::BROKEN_LINK, Severity::Warning) else {
        return Ok(written);
    };
    for ((range, _), message) in links.iter().zip(broken) {
        if let Some(message) = message {
            let d = workspace::broken_link(range.clone(), message.clone());
            written.push(to_proto::workspace_diagnostic(note, &d, sev, enc), first)?;
        }
    }
    written.shrink();
    Ok(written)
}

fn same_diags(cached: &[checks::Diagnostic], now: &[checks::Diagnostic], base: usize) -> bool {
    cached.len() == now.len()
        && cached.iter().zip(now).all(|(c, d)| {
            c.range.start + base == d.range.start
                && c.range.end + base == d.range.end
                && c.severity == d.severity
                && c.code == d.code
                && c.message == d.message
        })
}

/// XXH3's 128 bits of `links` (ranges taken relative to `base`) and their targets.
fn links_hash(links: &[(Range<usize>, Arc<Target>)], base: usize) -> u128 {
    use std::hash::Hash;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    links.len().hash(&mut h);
    for (r, t) in links {
        (r.start - base, r.end - base, &**t).hash(&mut h);
    }
    h.digest128()
}

/// XXH3's 128 bits of the links' verdicts.
fn broken_hash(broken: &[Option<String>]) -> u128 {
    use std::hash::Hash;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    broken.hash(&mut h);
    h.digest128()
}

/// At most this many questions with new keys are looked at alone (see `few_changed` in
/// [`Cache::frame`]); more, and every question is.
const MAX_CHANGED: usize = 8;

/// A value for [`Cache::outline_signature`] never used before. What other notes see of a
/// note (its anchors, its questions and their lines) changed when the cache finds any of
/// them unequal to the last message's, item by item: a new value then says so as a hash of
/// them all would, without reading every title of the note on each keystroke that changes
/// one question's sample.
fn next_signature() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Cache {
    /// The message publishing `a`'s diagnostics and `view`'s findings about `facts` (the
    /// note's, from `a`) for `version` of `note`: byte for byte what serializing the
    /// diagnostics computed from scratch gives.
    #[allow(clippy::too_many_arguments)]
    pub fn frame(
        &mut self,
        uri: &Uri,
        version: i32,
        note: &Note,
        a: &Analysis,
        facts: &Facts,
        view: &View<'_>,
        config: &Arc<Config>,
        enc: Encoding,
    ) -> serde_json::Result<Frame> {
        let chunks = Chunks::of(note);
        if !self
            .written_for
            .as_ref()
            .is_some_and(|(c, e)| Arc::ptr_eq(c, config) && *e == enc)
        {
            self.pieces.clear();
            self.duplicates = None;
            self.written_for = Some((config.clone(), enc));
        }
        let same_questions = self.questions.len() == facts.questions.len()
            && self
                .questions
                .iter()
                .zip(&facts.questions)
                .all(|(a, (b, _))| a == b);
        let same_view = self.view.as_ref().is_some_and(|k| view.has_key(k));
        if !same_view {
            self.view = Some(view.key());
            self.verdicts += 1;
        }
        // Keys changed at a few places of a list of the same length (typing in a sample
        // changes the key of the question that shows it): when no finding was about a
        // question with one of their titles, old or new, and none is now, the findings are
        // the last message's (the questions with other titles are asked as they were).
        let few_changed = !same_questions
            && same_view
            && self.questions.len() == facts.questions.len()
            && self.duplicates.as_ref().is_some_and(|d| {
                let changed: Vec<usize> = (0..facts.questions.len())
                    .filter(|&k| self.questions[k] != facts.questions[k].0)
                    .take(MAX_CHANGED + 1)
                    .collect();
                if changed.len() > MAX_CHANGED {
                    return false;
                }
                let mut titles: Vec<&str> = Vec::with_capacity(2 * changed.len());
                for &k in &changed {
                    titles.push(&self.questions[k].text);
                    titles.push(&facts.questions[k].0.text);
                }
                titles.sort_unstable();
                titles.dedup();
                let was_found = |r: &Range<usize>| {
                    self.question_starts
                        .binary_search(&r.start)
                        .map_or(true, |k| titles.contains(&&*self.questions[k].text))
                };
                !d.ranges.iter().any(|(r, related)| !related && was_found(r))
                    && view
                        .duplicate_questions_titled(facts, Some(&titles))
                        .is_empty()
            });
        let lines = &facts.question_lines;
        let moved = *lines != self.question_lines;
        if self.signature.is_none() || !same_questions || self.slugs != facts.slugs || moved {
            self.signature = Some(next_signature());
            self.question_lines.clone_from(lines);
            if self.questions.len() != facts.questions.len() {
                self.questions = facts.questions.iter().map(|(q, _)| q.clone()).collect();
            } else if !same_questions {
                // Only the changed keys: each is a title's shared text, scattered in memory.
                for (mine, (q, _)) in self.questions.iter_mut().zip(facts.questions.iter()) {
                    if *mine != *q {
                        mine.clone_from(q);
                    }
                }
            }
            if self.slugs != facts.slugs {
                self.slugs = facts.slugs.clone();
                self.index = SlugIndex::of(&self.slugs);
                self.verdicts += 1;
            }
        }
        let kept = self.match_pieces(&chunks);
        let first_lines = note.chunk_first_lines().unwrap_or_default();
        // The same questions asked against the same workspace: the same findings, but for
        // where the note's questions now are (finding them again would hash every question
        // of the note, and copy the note's URI into every related location).
        let moved = (same_questions || few_changed)
            && same_view
            && self
                .duplicates
                .as_mut()
                .is_some_and(|d| move_findings(&mut d.ranges, &self.question_starts, facts));
        self.question_starts.clear();
        self.question_starts
            .extend(facts.questions.iter().map(|(_, r)| r.start));
        let Cache {
            index,
            verdicts,
            pieces,
            last_len,
            last_version,
            duplicates,
            run_diagnostics,
            ..
        } = self;
        // The findings, and the last message's JSON of them while it still holds: the same
        // findings (but for byte offsets) at the same lines and columns. Moved findings are
        // kept only while their lines are the same: their messages name lines of this note
        // ("also asked at line 40").
        // A message for a newer version than the last: the note is being typed in.
        let typing = last_version.is_some_and(|v| v != version);
        *last_version = Some(version);
        let reuse = match duplicates.take() {
            Some(d) if moved => {
                if duplicates_at(note, &d.ranges, enc) == d.at {
                    Ok(d)
                } else {
                    Err(Some(d))
                }
            }
            other => Err(other),
        };
        let dups = match reuse {
            Ok(d) => d,
            Err(old) => {
                let found = view.duplicate_questions(facts);
                let ranges = ranges_of(&found);
                let at = duplicates_at(note, &ranges, enc);
                let shape = shape(&found);
                let json = match old {
                    Some(old) if old.at == at && old.shape == shape => old.json,
                    _ => {
                        let mut items = Items {
                            out: &mut Vec::new(),
                            any: false,
                        };
                        for d in &found {
                            if let Some(sev) = config.severity(d.code, d.severity) {
                                let d = to_proto::workspace_diagnostic(note, d, sev, enc);
                                items.push(&serde_json::to_vec(&d)?);
                            }
                        }
                        Json::new(std::mem::take(items.out))
                    }
                };
                Duplicates {
                    ranges,
                    shape,
                    at,
                    json,
                }
            }
        };
        *duplicates = Some(dups);
        let verdicts = *verdicts;
        let mut check: Option<LinkCheck> = None;
        let frame = Frame::with_body(*last_len + 1024, |out| -> serde_json::Result<()> {
            out.extend_from_slice(HEAD);
            serde_json::to_writer(&mut *out, uri)?;
            out.extend_from_slice(br#","diagnostics":["#);
            let mut items = Items { out, any: false };

            for (i, ds) in runs(&chunks, &a.diagnostics, |d| d.range.start) {
                let base = chunks.starts[i];
                if !ds.iter().all(|d| chunks.within(i, &d.range)) {
                    items.push(write_local(note, ds, 0, config, enc)?.template());
                    continue;
                }
                let (piece, first) = (&mut pieces[i], first_lines[i] as u32);
                let known = piece
                    .local
                    .as_ref()
                    .is_some_and(|run| same_diags(&run.diags, ds, base));
                if !known {
                    piece.local = Some(Box::new(LocalRun {
                        diags: ds
                            .iter()
                            .map(|d| {
                                let mut d = d.clone();
                                d.range = d.range.start - base..d.range.end - base;
                                d
                            })
                            .collect(),
                        written: write_local(note, ds, first, config, enc)?,
                    }));
                }
                items.push(piece.local.as_mut().expect("set above").written.at(first));
            }

            for (i, links) in runs(&chunks, &facts.links, |(r, _)| r.start) {
                let check = check.get_or_insert_with(|| view.link_check(facts, &*index));
                let base = chunks.starts[i];
                let cacheable = links.iter().all(|(r, _)| chunks.within(i, r));
                // A chunk kept from the last message has the same links (they are its
                // analysis's, moved with it).
                let same = pieces[i].links.as_deref().filter(|run| {
                    cacheable && (kept.contains(i) || run.links == links_hash(links, base))
                });
                let known = same.is_some_and(|run| {
                    run.verdicts == verdicts
                        && run.read_disk.is_none_or(|at| at.elapsed() < DISK_RECHECK)
                });
                let same = same.is_some();
                if !known {
                    let mut read_disk = false;
                    let broken: Vec<Option<String>> = links
                        .iter()
                        .map(|(_, target)| {
                            let (message, disk) = check.check(target);
                            read_disk |= disk;
                            message
                        })
                        .collect();
                    if !cacheable {
                        items.push(write_links(note, links, &broken, 0, config, enc)?.template());
                        continue;
                    }
                    let read_disk = read_disk.then(Instant::now);
                    match pieces[i].links.as_mut() {
                        // The same links, judged again (a heading's slug changed somewhere,
                        // or the disk was due a look) to the same verdicts: as written. A
                        // keystroke in a heading asks this of every link in the note.
                        Some(run) if same && run.broken == broken_hash(&broken) => {
                            run.verdicts = verdicts;
                            run.read_disk = read_disk;
                        }
                        _ => {
                            let first = first_lines[i] as u32;
                            pieces[i].links = Some(Box::new(LinkRun {
                                links: links_hash(links, base),
                                verdicts,
                                written: write_links(note, links, &broken, first, config, enc)?,
                                broken: broken_hash(&broken),
                                read_disk,
                            }));
                        }
                    }
                }
                let run = pieces[i].links.as_mut().expect("set above");
                items.push(run.written.at(first_lines[i] as u32));
            }

            items.push_kept(&mut duplicates.as_mut().expect("set above").json, typing);
            items.push(run_diagnostics);

            out.extend_from_slice(br#"],"version":"#);
            serde_json::to_writer(&mut *out, &version)?;
            out.extend_from_slice(b"}}");
            Ok(())
        })?;
        *last_len = frame.body().len();
        Ok(frame)
    }

    /// The heap its parts hold, part by part (capacities; what `examples/memory` prints).
    pub fn held(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        let vec = |cap: usize, size: usize| cap * size;
        let written = |w: &Written| {
            let Some(w) = &w.0 else {
                return (0, 0, 0);
            };
            (
                size_of::<WrittenItems>() + w.template.capacity(),
                vec(w.holes.capacity(), size_of::<(usize, usize, u32)>()),
                w.placed.as_ref().map_or(0, |(_, p)| p.capacity()),
            )
        };
        let (mut diags, mut local) = (0, (0, 0, 0));
        let mut link_json = (0, 0, 0);
        let mut boxes = 0;
        for p in &self.pieces {
            if let Some(run) = &p.local {
                boxes += size_of::<LocalRun>();
                diags += vec(run.diags.capacity(), size_of::<checks::Diagnostic>());
                let (t, h, pl) = written(&run.written);
                local = (local.0 + t, local.1 + h, local.2 + pl);
            }
            if let Some(run) = &p.links {
                boxes += size_of::<LinkRun>();
                let (t, h, pl) = written(&run.written);
                link_json = (link_json.0 + t, link_json.1 + h, link_json.2 + pl);
            }
        }
        let dups = self.duplicates.as_ref().map_or((0, 0), |d| {
            (
                vec(d.ranges.capacity(), size_of::<(Range<usize>, bool)>()),
                d.json.held(),
            )
        });
        vec![
            (
                "pieces (one per chunk)",
                vec(self.pieces.capacity(), size_of::<Piece>()) + boxes,
            ),
            ("  its diagnostics (compared)", diags),
            ("  their JSON", local.0),
            ("  their JSON's line holes", local.1),
            ("  their JSON placed at the chunk's line", local.2),
            (
                "  broken links' JSON, holes, placed",
                link_json.0 + link_json.1 + link_json.2,
            ),
            ("duplicate questions' ranges and positions", dups.0),
            ("duplicate questions' JSON", dups.1),
            (
                "questions, their starts and lines",
                vec(
                    self.questions.capacity(),
                    size_of::<workspace::QuestionKey>(),
                ) + vec(self.question_starts.capacity(), size_of::<usize>())
                    + vec(self.question_lines.capacity(), size_of::<u32>()),
            ),
        ]
    }

    /// The outline signature of the note as of the last message (a new one only when its
    /// slugs, questions or their lines changed).
    pub fn outline_signature(&self) -> Option<u64> {
        self.signature
    }

    /// Keeps the pieces of the chunks that are still there (those before and after the
    /// ones an edit replaced) and starts empty ones for the others, in place.
    fn match_pieces(&mut self, chunks: &Chunks<'_>) -> Kept {
        if !chunks.aligned {
            self.pieces.clear();
            return Kept {
                prefix: 0,
                from_suffix: usize::MAX,
            };
        }
        let (n, m) = (chunks.ids.len(), self.pieces.len());
        let same = |p: &Piece, i: usize| p.chunk == chunks.ids[i];
        let prefix = self
            .pieces
            .iter()
            .zip(0..n)
            .take_while(|(p, i)| same(p, *i))
            .count();
        let suffix = (1..=n.min(m) - prefix)
            .take_while(|&k| same(&self.pieces[m - k], n - k))
            .count();
        self.pieces.splice(
            prefix..m - suffix,
            chunks.ids[prefix..n - suffix].iter().map(|&chunk| Piece {
                chunk,
                local: None,
                links: None,
            }),
        );
        Kept {
            prefix,
            from_suffix: n - suffix,
        }
    }
}

/// The chunks whose pieces were kept from the last message: those before `prefix` and from
/// `from_suffix` on.
struct Kept {
    prefix: usize,
    from_suffix: usize,
}

impl Kept {
    fn contains(&self, i: usize) -> bool {
        i < self.prefix || i >= self.from_suffix
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::PublishDiagnosticsParams;

    /// The message's envelope is written by hand: it must be serde's.
    #[test]
    fn the_envelope_is_what_serde_writes() {
        let uri: Uri = "file:///tmp/a%20b/%E4%B8%AD.md".parse().unwrap();
        let note = Note::new("# A\n\n[x](#nowhere) [y](#a)\n\n## B?\n");
        let a = Analysis::of(&note);
        let facts = Facts::of(uri.as_str(), &note, &a, Default::default());
        let ws = workspace::Workspace::default();
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let config = Arc::new(Config::default());
        let mut cache = Cache::default();
        for version in [0, 7, -3, i32::MAX] {
            let frame = cache
                .frame(
                    &uri,
                    version,
                    &note,
                    &a,
                    &facts,
                    &view,
                    &config,
                    Encoding::Utf16,
                )
                .unwrap();
            let mut diags = to_proto::diagnostics(&note, &a, &config, Encoding::Utf16);
            diags.extend(to_proto::workspace_diagnostics(
                &note,
                &view.broken_links(&facts),
                &config,
                Encoding::Utf16,
            ));
            assert_eq!(diags.len(), 2);
            let params = PublishDiagnosticsParams::new(uri.clone(), diags, Some(version));
            let want = Frame::notification("textDocument/publishDiagnostics", &params).unwrap();
            assert_eq!(
                std::str::from_utf8(frame.bytes()).unwrap(),
                std::str::from_utf8(want.bytes()).unwrap()
            );
        }
    }
}
