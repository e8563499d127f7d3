//! One note: its text and its parse, kept as a sequence of independently parsed chunks.
//!
//! tree-sitter-md's parse of a big note takes many milliseconds, and an incremental reparse
//! costs nearly a full parse, so a note is cut at column-0 ATX headings that lie
//! outside any container, fence or HTML block, each piece parsed on its own, and an edit
//! reparses only the piece it touches. The cut is sound because such a heading closes every
//! block before it; the one way it fails, a block that is still open at a piece's end (a fence
//! never closed, an HTML block running into the heading), is detected from the piece's own
//! tree and the piece is merged with the next (DESIGN.md, rule 4).

pub mod blocks;
mod narrow;
mod packed;
pub mod position;
mod shift;
pub mod words;

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tree_sitter::Parser;

use crate::parallel::{THREADS, map_in_order, threads_for};

pub use blocks::{Blocks, BoldParagraph, CodeBlock, HeadingBlock};
pub use position::{Encoding, LineCol};
pub use shift::{Changed, Step};

pub struct Chunk {
    /// Shared: a chunk's text is the note's only copy of it, and what reads the whole text
    /// later (an HTML anchor scan) holds the chunks' texts rather than a copy.
    text: Arc<str>,
    lines: position::Lines,
    /// Unpacked by [`Chunk::blocks`]; what is read of every chunk has an accessor of its own.
    blocks: packed::Packed,
    id: ChunkId,
    /// The edits that made this chunk from earlier ones without a parse, oldest first (at
    /// most [`shift::MAX_STEPS`] of them); empty for a chunk parsed as it is.
    steps: Box<[Step]>,
}

/// A chunk's identity, never given to another chunk in the process. A chunk is only ever
/// replaced whole, so what was derived from a chunk (its analysis, a diagnostics message's
/// piece) holds for as long as a chunk with its id is in the note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkId(u64);

impl ChunkId {
    fn next() -> ChunkId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        ChunkId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl Chunk {
    fn parse(text: Arc<str>) -> Chunk {
        // tree-sitter-md makes an ERROR of a note that is one heading line without a final
        // line break, so the parser always sees one; ranges are clamped back to the text.
        // NUL bytes: tree-sitter's lexer reads a NUL as the end of input, so tree-sitter-md
        // made ERROR nodes of them and lost the blocks after (a heading became paragraph
        // text). CommonMark replaces U+0000 with U+FFFD; a one-byte stand-in keeps offsets.
        let owned;
        let source = if text.ends_with('\n') && !text.contains('\0') {
            &text[..]
        } else {
            let mut s = text.replace('\0', "\u{1}");
            if !s.ends_with('\n') {
                s.push('\n');
            }
            owned = s;
            owned.as_str()
        };
        let tree = PARSER.with(|p| {
            let mut p = p.borrow_mut();
            // Same blocks from fewer tokens (`words`), but for error recovery, which goes
            // its own way on other tokens: a piece with an error is parsed as written.
            words::joined(source)
                .and_then(|joined| joined.parse(&mut p))
                .filter(|t| !t.root_node().has_error())
                .or_else(|| p.parse(source, None))
                .expect("tree-sitter parses without a timeout or cancellation flag")
        });
        let mut blocks = blocks::extract(source, &tree);
        blocks.clamp(text.len());
        Chunk::with_blocks(text, &blocks)
    }

    /// A chunk of `text` parsed into `blocks`, made without a step.
    fn with_blocks(text: Arc<str>, blocks: &Blocks) -> Chunk {
        let packed = packed::Packed::pack(blocks);
        debug_assert_eq!(packed.unpack(), *blocks);
        Chunk {
            lines: position::Lines::of(&text),
            text,
            blocks: packed,
            id: ChunkId::next(),
            steps: Box::default(),
        }
    }

    /// A chunk holding `text` not parsed yet: what the note holds while its parse runs, so
    /// that the note's text is the edited one even if the parse panics.
    fn unparsed(text: Arc<str>) -> Chunk {
        Chunk {
            lines: position::Lines::default(),
            text,
            blocks: Default::default(),
            id: ChunkId::next(),
            steps: Box::default(),
        }
    }

    pub fn id(&self) -> ChunkId {
        self.id
    }

    /// How this chunk was made from earlier ones without a parse, oldest first: empty when
    /// it was parsed. A chunk's blocks are those of the chunk a step names, moved and
    /// changed as the steps after it say.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The chunk's blocks, unpacked (a few allocations: callers reading every chunk of a
    /// note use the accessors below).
    pub fn blocks(&self) -> Blocks {
        self.blocks.unpack()
    }

    /// The code blocks alone ([`Blocks::code`]).
    pub fn code_blocks(&self) -> impl Iterator<Item = CodeBlock> + '_ {
        self.blocks.code()
    }

    /// [`Blocks::has_error`].
    pub fn has_error(&self) -> bool {
        self.blocks.has_error()
    }

    /// [`Blocks::open_at_end`].
    pub fn open_at_end(&self) -> bool {
        self.blocks.open_at_end()
    }

    /// [`Blocks::start_list`].
    pub fn start_list(&self) -> Option<(usize, u8)> {
        self.blocks.start_list()
    }

    /// [`Blocks::end_list`].
    pub fn end_list(&self) -> Option<(usize, u8)> {
        self.blocks.end_list()
    }

    /// Heap bytes the chunk's line table and blocks hold (its text aside).
    pub fn heap_bytes(&self) -> usize {
        self.lines.heap_bytes()
            + self.blocks.heap_bytes()
            + self.steps.len() * std::mem::size_of::<Step>()
    }

    /// Offsets (>0) where this chunk may be cut: top-level column-0 ATX headings, and for a
    /// chunk longer than `soft_above`, blank-line cuts ([`Blocks::soft_cuts`]) that leave
    /// pieces of at least a quarter of that.
    fn cut_points(&self, soft_above: usize) -> Vec<usize> {
        let hard: Vec<usize> = self
            .blocks
            .headings()
            // The node may start before its indentation: the text itself must open with `#`.
            .filter(|h| {
                h.top_level_atx && h.range.start > 0 && starts_with_atx(&self.text[h.range.start..])
            })
            .map(|h| h.range.start)
            .collect();
        if self.text.len() <= soft_above || self.blocks.soft_cuts().len() == 0 {
            return hard;
        }
        let soft: Vec<usize> = self.blocks.soft_cuts().collect();
        spread(&hard, &soft, self.text.len(), soft_above)
    }
}

/// Every hard cut, and the soft cuts that leave at least a quarter of `soft_above` bytes
/// since the previous cut and before the next hard cut or the end, in regions (between hard
/// cuts) longer than `soft_above`.
fn spread(hard: &[usize], soft: &[usize], len: usize, soft_above: usize) -> Vec<usize> {
    let piece = (soft_above / 4).max(1);
    let mut out = Vec::with_capacity(hard.len());
    let mut soft = soft.iter().copied().peekable();
    let mut prev = 0;
    for end in hard.iter().copied().chain(std::iter::once(len)) {
        while let Some(c) = soft.next_if(|&c| c < end) {
            if end - prev > soft_above && c - prev >= piece && end - c >= piece && c > prev {
                out.push(c);
                prev = c;
            }
        }
        if end < len {
            out.push(end);
        }
        prev = end;
    }
    out
}

thread_local! {
    static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_md::LANGUAGE.into())
            .expect("tree-sitter-md matches the tree-sitter ABI");
        p
    });
}

/// Whether `text` starts with an ATX heading line at column 0 (`#`..`######`, then a space,
/// a tab or the end of the line).
pub fn starts_with_atx(text: &str) -> bool {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && matches!(
            text.as_bytes().get(hashes),
            None | Some(b' ' | b'\t' | b'\n' | b'\r')
        )
}

/// A first guess at where a note can be cut: column-0 ATX heading lines that a quick line
/// scan does not place inside a fence, and in stretches longer than `soft_above` without
/// such a heading, lines after a blank line that [`blocks::soft_start_ok`] accepts. Guesses
/// that turn out wrong are mended from the trees.
fn guess_cuts(text: &str, soft_above: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut soft = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut at = 0;
    let mut prev_blank = false;
    let starts = blocks::line_starts(text);
    let ends = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(text.len()));
    for line in starts.iter().zip(ends).map(|(&s, e)| &text[s..e]) {
        if fence.is_none() && prev_blank && at > 0 && blocks::soft_start_ok(line) {
            soft.push(at);
        }
        prev_blank = line
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let marker = trimmed.as_bytes().first().copied();
        if indent < 4 && matches!(marker, Some(b'`' | b'~')) {
            let c = marker.unwrap();
            let run = trimmed.bytes().take_while(|&b| b == c).count();
            if run >= 3 {
                match fence {
                    None => {
                        let info = &trimmed[run..];
                        if c != b'`' || !info.contains('`') {
                            fence = Some((c, run));
                        }
                    }
                    Some((fc, frun))
                        if fc == c && run >= frun && trimmed[run..].trim().is_empty() =>
                    {
                        fence = None
                    }
                    _ => {}
                }
            }
        } else if fence.is_none() && at > 0 && starts_with_atx(line) {
            cuts.push(at);
        }
        at += line.len();
    }
    spread(&cuts, &soft, text.len(), soft_above)
}

/// Makes tree-sitter allocate through mimalloc (thread-local heaps, no locks): with glibc's
/// malloc, the two threads parsing a big note contend on an arena's lock in tree-sitter's
/// many small allocations. Rust's own allocations stay with glibc where it is the C library,
/// which keeps less memory resident (the static musl binary uses mimalloc for both).
///
/// # Safety
/// Call it before any tree-sitter object exists and while no other thread runs (the
/// binary's and the benchmark's `main` do, first thing).
pub unsafe fn use_mimalloc_in_tree_sitter() {
    use libmimalloc_sys as mi;
    // SAFETY: the caller's promise; the four functions are one allocator's, aligned as
    // malloc's are, and return null only when out of memory, as malloc does.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: mi::mi_malloc,
            calloc: mi::mi_calloc,
            realloc: mi::mi_realloc,
            free: mi::mi_free,
        }));
    }
}

/// A chunk longer than this (a long stretch without column-0 headings: one big list, a quiz
/// under one heading, a long answer) is cut at blank lines too, into pieces of a quarter of
/// it or more. A keystroke reparses its chunk, so pieces are kept small; smaller ones cost
/// more in stitching than they save in parsing (the size the keystroke benchmark liked best).
pub const SOFT_CUT_ABOVE: usize = 1024;

pub struct Note {
    chunks: Vec<Chunk>,
    /// The text's length in bytes.
    len: usize,
    /// A rope of the text, made only for converting positions when no layout holds (a line
    /// spanning two chunks), and dropped by the next edit.
    fallback: OnceLock<Rope>,
    /// [`SOFT_CUT_ABOVE`], or another size for tests.
    soft_above: usize,
    /// Chunk offsets and first lines, for position conversion without walking the rope;
    /// `None` in the (unexpected) case of a line spanning two chunks.
    layout: Option<position::Layout>,
    /// The chunks' ids, side by side: what later stages compare to find the chunks an edit
    /// replaced, without reading every chunk.
    ids: Vec<ChunkId>,
}

impl Note {
    pub fn new(text: &str) -> Note {
        Note::with_soft_cuts(text, SOFT_CUT_ABOVE)
    }

    /// A note whose chunks are cut at blank lines once longer than `soft_above` bytes (tests
    /// use small sizes to exercise the cuts).
    pub fn with_soft_cuts(text: &str, soft_above: usize) -> Note {
        Note::build(text, soft_above, THREADS, &|| true).expect("`go_on` never says stop")
    }

    /// [`Note::new`] for a caller that runs its own threads (the workspace indexer, `check`):
    /// the chunks are parsed on the calling thread only, and `go_on` is asked before each
    /// one; `None` when it said stop.
    pub fn new_on_this_thread(text: &str, go_on: &(dyn Fn() -> bool + Sync)) -> Option<Note> {
        Note::build(text, SOFT_CUT_ABOVE, 1, go_on)
    }

    fn build(
        text: &str,
        soft_above: usize,
        threads: usize,
        go_on: &(dyn Fn() -> bool + Sync),
    ) -> Option<Note> {
        let cuts = guess_cuts(text, soft_above);
        let threads = threads_for(text.len(), threads);
        let chunks = parse_all(text, &cuts, threads, go_on);
        let mut note = Note {
            chunks: chunks?,
            len: text.len(),
            fallback: OnceLock::new(),
            soft_above,
            layout: None,
            ids: Vec::new(),
        };
        let mut i = 0;
        while i < note.chunks.len() {
            i = note.settle(i).1 + 1;
        }
        // Splitting chunks grew the list in steps: kept as long as the note, without slack.
        note.chunks.shrink_to_fit();
        note.relayout();
        Some(note)
    }

    /// The note parsed as one piece, never cut: the reference the chunked parse must agree
    /// with (tests and benchmarks compare against it).
    pub fn unchunked(text: &str) -> Note {
        let mut note = Note {
            chunks: vec![Chunk::parse(text.into())],
            len: text.len(),
            fallback: OnceLock::new(),
            soft_above: usize::MAX,
            layout: None,
            ids: Vec::new(),
        };
        note.relayout();
        note
    }

    /// The layout of the chunks, laid out from scratch.
    fn fresh_layout(&self) -> Option<position::Layout> {
        position::Layout::of(self.chunks.iter().map(|c| (&*c.text, &c.lines)))
    }

    fn relayout(&mut self) {
        self.layout = self.fresh_layout();
        self.ids = self.chunks.iter().map(|c| c.id).collect();
    }

    /// [`Note::relayout`] after an edit that replaced chunks `from..` up to the `old_len -
    /// (chunks after to)`-th of the `old_len` chunks before it with the chunks `from..=to`:
    /// only those are read.
    fn relayout_edited(&mut self, from: usize, to: usize, old_len: usize) {
        let old_end = old_len - (self.chunks.len() - 1 - to);
        let chunks = &self.chunks;
        self.ids
            .splice(from..old_end, chunks[from..=to].iter().map(|c| c.id));
        let piece = |i: usize| (&*chunks[i].text, &chunks[i].lines);
        let spliced = self
            .layout
            .as_mut()
            .is_some_and(|l| l.splice(from, old_end, to + 1 - from, piece, chunks.len()));
        if !spliced {
            self.relayout();
        }
        debug_assert_eq!(self.layout, self.fresh_layout());
        debug_assert!(
            self.ids
                .iter()
                .copied()
                .eq(self.chunks.iter().map(|c| c.id))
        );
    }

    /// The chunks' ids, in order (the chunks an edit did not touch keep theirs).
    pub fn chunk_ids(&self) -> &[ChunkId] {
        &self.ids
    }

    /// Where the chunks start, read off the layout when there is one.
    pub fn chunk_starts(&self) -> std::borrow::Cow<'_, [usize]> {
        match &self.layout {
            Some(l) => std::borrow::Cow::Borrowed(l.starts()),
            None => self.chunks().map(|(s, _)| s).collect(),
        }
    }

    /// The line each chunk starts on, when no line spans two chunks.
    pub fn chunk_first_lines(&self) -> Option<&[usize]> {
        self.layout.as_ref().map(|l| l.first_lines())
    }

    /// Whether no line spans two chunks (each line's position follows from its chunk).
    pub fn chunks_aligned(&self) -> bool {
        self.layout.is_some()
    }

    pub fn chunk(&self, i: usize) -> &Chunk {
        &self.chunks[i]
    }

    fn piece(&self, i: usize) -> (&str, &position::Lines) {
        let c = &self.chunks[i];
        (&*c.text, &c.lines)
    }

    /// A rope of the text, for the conversions no layout can make.
    fn rope(&self) -> &Rope {
        self.fallback.get_or_init(|| Rope::from_str(&self.text()))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.len);
        out.extend(self.chunks.iter().map(|c| &*c.text));
        out
    }

    /// The chunks' texts in order (their concatenation is the text), shared with the note.
    pub fn shared_texts(&self) -> Vec<Arc<str>> {
        self.chunks.iter().map(|c| c.text.clone()).collect()
    }

    /// Rounds `offset` down to a character boundary and into the text.
    pub fn floor_char_boundary(&self, offset: usize) -> usize {
        if offset >= self.len {
            return self.len;
        }
        let (i, base) = self.chunk_holding(offset);
        let text = &self.chunks[i].text;
        let mut at = offset - base;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        base + at
    }

    /// The chunks with their start offsets.
    pub fn chunks(&self) -> impl Iterator<Item = (usize, &Chunk)> {
        self.chunks.iter().scan(0, |start, c| {
            let s = *start;
            *start += c.text.len();
            Some((s, c))
        })
    }

    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// Text of `range` (clamped to the note and to character boundaries).
    pub fn slice(&self, range: Range<usize>) -> String {
        let start = self.floor_char_boundary(range.start);
        let end = self.floor_char_boundary(range.end.max(start));
        let mut out = String::with_capacity(end - start);
        if start == end {
            return out;
        }
        let (mut i, mut base) = self.chunk_holding(start);
        while base < end {
            let text = &self.chunks[i].text;
            let from = start.max(base) - base;
            let to = end.min(base + text.len()) - base;
            out.push_str(&text[from..to]);
            base += text.len();
            i += 1;
        }
        out
    }

    pub fn to_line_col(&self, offset: usize, enc: Encoding) -> LineCol {
        match &self.layout {
            Some(l) => l.to_line_col(|i| self.piece(i), offset, enc),
            None => position::to_line_col(self.rope(), offset, enc),
        }
    }

    /// Both ends of `range` (see [`position::Layout::range_to_line_cols`]).
    pub fn range_to_line_cols(&self, range: Range<usize>, enc: Encoding) -> (LineCol, LineCol) {
        self.range_to_line_cols_near(range, enc, None)
    }

    /// [`Note::range_to_line_cols`] for a caller converting many ranges in about the text's
    /// order, with its own [`position::Near`]s for their starts and ends.
    pub fn range_to_line_cols_near(
        &self,
        range: Range<usize>,
        enc: Encoding,
        near: Option<&(position::Near, position::Near)>,
    ) -> (LineCol, LineCol) {
        match &self.layout {
            Some(l) => l.range_to_line_cols(|i| self.piece(i), range, enc, near),
            None => (
                position::to_line_col(self.rope(), range.start, enc),
                position::to_line_col(self.rope(), range.end, enc),
            ),
        }
    }

    pub fn to_offset(&self, pos: LineCol, enc: Encoding) -> usize {
        match &self.layout {
            Some(l) => l.to_offset(|i| self.piece(i), pos, enc),
            None => position::to_offset(self.rope(), pos, enc),
        }
    }

    /// Moves `to` back over trailing ASCII whitespace, never before `from`.
    pub fn trim_end(&self, from: usize, to: usize) -> usize {
        let mut end = to.min(self.len());
        if end <= from {
            return end;
        }
        let (mut chunk, mut base) = self.chunk_holding(end - 1);
        while end > from {
            if end <= base {
                chunk -= 1;
                base -= self.chunks[chunk].text.len();
                continue;
            }
            if !self.chunks[chunk].text.as_bytes()[end - 1 - base].is_ascii_whitespace() {
                break;
            }
            end -= 1;
        }
        end
    }

    /// The chunk holding byte `offset` (< the note's length) and the chunk's start.
    fn chunk_holding(&self, offset: usize) -> (usize, usize) {
        match &self.layout {
            Some(l) => {
                let i = l.piece_at(offset);
                (i, l.starts()[i])
            }
            None => {
                let (i, (start, _)) = self
                    .chunks()
                    .enumerate()
                    .take_while(|(_, (s, _))| *s <= offset)
                    .last()
                    .expect("the first chunk starts at 0");
                (i, start)
            }
        }
    }

    /// Replaces `range` (byte offsets, clamped to the text and to character boundaries) with
    /// `new_text`, reparsing only the chunks it touches.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let start = self.floor_char_boundary(range.start);
        let end = self.floor_char_boundary(range.end.max(start));
        self.fallback.take();

        // The chunks that hold `start` and `end`; an offset on a boundary belongs to the later one.
        let old_len = self.chunks.len();
        let starts = self.chunk_starts();
        let first = starts.partition_point(|&s| s <= start).max(1) - 1;
        let last = if end > start {
            starts.partition_point(|&s| s < end).max(1) - 1
        } else {
            first
        };
        let base = starts[first];
        drop(starts);
        let (local_start, local_end) = (start - base, end - base);

        self.len = self.len - (end - start) + new_text.len();

        // The shortcuts only read the chunk: should one panic, the edit is parsed instead.
        let shifted = (first == last)
            .then(|| {
                let c = &self.chunks[first];
                // What every shortcut asks first, read off the packed blocks: an edit inside
                // an HTML block, a table or a code block, or on a first line opened by `#`.
                let heading_line = c.text.starts_with('#')
                    && !c.text.as_bytes()[..local_end.min(c.text.len())].contains(&b'\n');
                if !heading_line && !c.blocks.inside_html_table_or_code(local_start, local_end) {
                    return None;
                }
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let b = c.blocks();
                    let (s, e) = (local_start, local_end);
                    c.edited_inside_html(&b, s, e, new_text)
                        .or_else(|| c.edited_inside_table(&b, s, e, new_text))
                        .or_else(|| c.edited_inside_heading(&b, s, e, new_text))
                        .or_else(|| c.edited_inside_code(&b, s, e, new_text))
                }))
                .ok()
                .flatten()
            })
            .flatten();
        if let Some(chunk) = shifted {
            self.chunks[first] = chunk;
            self.relayout_edited(first, first, old_len);
            return;
        }

        // The touched chunks are parsed afresh, not incrementally: tree-sitter-md's
        // incremental reparses can disagree with fresh parses (a heading kept after its line
        // stopped being one), and a chunk is small enough that a fresh parse is cheap.
        let mut text: String = self.chunks[first..=last].iter().map(|c| &*c.text).collect();
        text.replace_range(local_start..local_end, new_text);
        // The edited text is in the note before the parse: should the parse panic, the
        // note's text is still the client's.
        let text: Arc<str> = text.into();
        self.chunks
            .splice(first..=last, std::iter::once(Chunk::unparsed(text.clone())));
        self.chunks[first] = Chunk::parse(text);
        let (from, to) = if self.chunks.len() > 1 && self.chunks[first].text.is_empty() {
            self.chunks.remove(first);
            let at = first.min(self.chunks.len() - 1);
            self.settle(at)
        } else {
            self.settle(first)
        };
        // The chunks before `from` and after `to` are ones from before the edit.
        self.relayout_edited(from.min(first), to, old_len);
    }

    /// Restores the chunk invariants around chunk `i` after it changed: every chunk but the
    /// first starts with a cut heading, no chunk is open at its end, and a chunk holding cut
    /// headings is split at them. Returns the first and the last chunk it produced (the
    /// chunks around them are untouched).
    fn settle(&mut self, mut i: usize) -> (usize, usize) {
        let mut step = 1;
        loop {
            if i > 0 && !self.starts_ok(i) {
                i -= 1;
                self.merge_next(i);
                continue;
            }
            if i + 1 < self.chunks.len() && !self.starts_ok(i + 1) {
                // A block still open swallows the chunks after it. Merge them in doubling
                // steps: a block that never closes (an HTML comment or `<script>`, which the
                // line scan does not see) then costs a few parses of the rest of the note, not
                // one per chunk after it (quadratic). What is merged too far is cut again below.
                // A chunk that ends a line with no block open was refused a blank-line cut
                // (next to a parse error): a heading cut after it holds, so the merge stops
                // before the next chunk that starts with one. Merged past it, tree-sitter-md's
                // recovery from that error can take the heading for other text (`### x` as
                // `#` and a level-2 heading), and it would never be cut again.
                let closed =
                    !self.chunks[i].open_at_end() && self.chunks[i].text.ends_with(['\n', '\r']);
                let n = if closed {
                    let before_heading = self.chunks[i + 2..]
                        .iter()
                        .take_while(|c| !starts_with_atx(&c.text))
                        .count();
                    step.min(1 + before_heading)
                } else {
                    step
                };
                self.merge_next_n(i, n);
                step *= 2;
                continue;
            }
            break;
        }
        let cuts = self.chunks[i].cut_points(self.soft_above);
        if cuts.is_empty() {
            return (i, i);
        }
        let text = self.chunks[i].text.clone();
        let n = cuts.len() + 1;
        let threads = threads_for(text.len(), THREADS);
        let parsed = parse_all(&text, &cuts, threads, &|| true).expect("`go_on` never says stop");
        self.chunks.splice(i..=i, parsed);
        // Cuts read off the tree hold; should one not, its pieces are joined again.
        let mut last = i + n - 1;
        let mut j = i + 1;
        while j <= last {
            if self.starts_ok(j) {
                j += 1;
            } else {
                self.merge_next(j - 1);
                last -= 1;
            }
        }
        (i, last)
    }

    /// Whether chunk `i` (> 0) may start where it does: the chunk before it ends a line and
    /// no block of it is still open, and chunk `i` starts with an ATX heading, or after a blank
    /// line with a line that can only start a block ([`blocks::soft_start_ok`]).
    fn starts_ok(&self, i: usize) -> bool {
        let (prev, next) = (&self.chunks[i - 1], &self.chunks[i]);
        // The next chunk's heading is only a heading if this chunk ends a line (`\n`, `\r\n`
        // or a lone `\r`: a chunk that ends inside `\r\n` leaves the next one starting with
        // `\n`, which neither test below accepts).
        if prev.open_at_end() || !prev.text.ends_with(['\n', '\r']) {
            return false;
        }
        starts_with_atx(&next.text)
            || (!prev.has_error()
                && !next.has_error()
                && blocks::follows_blank_line(&prev.text, prev.text.len())
                && blocks::soft_start_ok(&next.text))
    }

    fn merge_next(&mut self, i: usize) {
        self.merge_next_n(i, 1);
    }

    /// Merges chunk `i` with the `n` chunks after it (or as many as there are), parsing once.
    fn merge_next_n(&mut self, i: usize, n: usize) {
        let end = (i + 1 + n).min(self.chunks.len());
        let text: String = self.chunks[i..end].iter().map(|c| &*c.text).collect();
        let merged = Chunk::parse(text.into());
        self.chunks.splice(i..end, std::iter::once(merged));
    }
}

/// Parses the pieces of `text` between `cuts` (ascending offsets inside it), in order, on up
/// to `threads` threads. `go_on` is asked before each piece; `None` once it said stop.
fn parse_all(
    text: &str,
    cuts: &[usize],
    threads: usize,
    go_on: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Chunk>> {
    map_in_order(cuts.len() + 1, threads, go_on, |i| {
        let start = if i == 0 { 0 } else { cuts[i - 1] };
        let end = cuts.get(i).copied().unwrap_or(text.len());
        Chunk::parse(text[start..end].into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::PARALLEL_ABOVE;

    /// The fixtures over and over, past the size where a note is parsed on two threads, with
    /// CRLF lines, a NUL byte and a fence that stays open for a while (chunks merged and cut
    /// again after the parallel parse) in some copies.
    fn big_note() -> String {
        let fixtures = [
            include_str!("../../fixtures/bold-questions.md"),
            include_str!("../../fixtures/clean-notes.md"),
            include_str!("../../fixtures/messy-fixes.md"),
            include_str!("../../fixtures/messy-notes.md"),
            include_str!("../../fixtures/quiz.md"),
        ];
        let mut text = String::new();
        let mut copy = 0;
        while text.len() < 4 * PARALLEL_ABOVE {
            for f in fixtures {
                match copy % 4 {
                    1 => text.push_str(&f.replace('\n', "\r\n")),
                    2 => {
                        text.push_str(
                            "\n```python\nnever closed until the next copy\n\n# Not a cut\n\n",
                        );
                        text.push_str(f);
                        text.push_str("\n```\n\n");
                    }
                    3 => text.push_str(&f.replacen("\n\n", "\n\0\n\n", 1)),
                    _ => text.push_str(f),
                }
                text.push('\n');
                copy += 1;
            }
        }
        text
    }

    fn assert_same(a: &Note, b: &Note) {
        assert_eq!(a.chunk_count(), b.chunk_count());
        for ((sa, ca), (sb, cb)) in a.chunks().zip(b.chunks()) {
            assert_eq!(sa, sb);
            assert_eq!(ca.text(), cb.text());
            assert_eq!(ca.blocks(), cb.blocks(), "chunk at {sa}");
            assert_eq!(ca.lines, cb.lines, "chunk at {sa}");
        }
        assert_eq!(a.text(), b.text());
        assert_eq!(a.len(), b.len());
        assert_eq!(a.layout, b.layout);
    }

    /// Ranges converted in any order with the same [`position::Near`]s convert as without.
    #[test]
    fn conversions_near_the_last_equal_plain_ones() {
        let text = big_note();
        let note = Note::with_soft_cuts(&text, 256);
        assert!(note.chunk_count() > 20 && note.chunks_aligned());
        let mut next = {
            let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
            move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as usize
            }
        };
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let near = Default::default();
            for _ in 0..5000 {
                let start = next() % (text.len() + 10);
                // Mostly near the last one, sometimes anywhere.
                let end = start + next() % if next() % 4 == 0 { text.len() } else { 200 };
                assert_eq!(
                    note.range_to_line_cols_near(start..end, enc, Some(&near)),
                    note.range_to_line_cols(start..end, enc),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn parallel_parse_equals_sequential() {
        let text = big_note();
        for soft_above in [SOFT_CUT_ABOVE, 300] {
            let one = Note::build(&text, soft_above, 1, &|| true).unwrap();
            assert!(one.chunk_count() > 100, "the note is cut into many chunks");
            assert_eq!(one.text(), text);
            for threads in [2, 3] {
                let many = Note::build(&text, soft_above, threads, &|| true).unwrap();
                assert_same(&one, &many);
            }
        }
    }

    #[test]
    fn parallel_split_after_an_edit_equals_sequential() {
        // Closing a fence opened near the start splits the rest of the note again, in
        // pieces parsed on two threads.
        let text = format!("# Top\n\n~~~~~~~~\n{}", big_note());
        let mut note = Note::new(&text);
        assert_eq!(note.chunk_count(), 1, "the fence swallows the note");
        note.edit(16..16, "~~~~~~~~\n");
        assert!(note.chunk_count() > 100);
        let fresh = Note::build(&note.text(), SOFT_CUT_ABOVE, 1, &|| true).unwrap();
        assert_same(&note, &fresh);
    }

    #[test]
    fn a_parse_told_to_stop_gives_nothing() {
        let text = big_note();
        for threads in [1, 2] {
            let asked = std::sync::atomic::AtomicUsize::new(0);
            let go_on = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 5;
            assert!(Note::build(&text, SOFT_CUT_ABOVE, threads, &go_on).is_none());
            assert!(Note::new_on_this_thread(&text, &|| false).is_none());
        }
        let whole = Note::new_on_this_thread(&text, &|| true).unwrap();
        assert_same(&whole, &Note::new(&text));
    }

    /// The level and start of every heading of the note's chunks.
    fn headings(note: &Note) -> Vec<(u8, usize)> {
        note.chunks()
            .flat_map(|(s, c)| {
                c.blocks()
                    .headings
                    .into_iter()
                    .map(move |h| (h.level, s + h.range.start))
            })
            .collect()
    }

    /// A list item whose paragraph an HTML line interrupts (CommonMark's block-tag start,
    /// which may interrupt a paragraph) sends tree-sitter-md into error recovery; in a parse
    /// running on past it, the recovery takes the column-0 heading after the blank lines into
    /// the list, or drops it. The note is cut at the heading, which CommonMark makes a
    /// top-level heading whatever the list before it holds.
    #[test]
    fn a_heading_after_an_html_line_in_a_list_item_is_cut_and_kept() {
        let notes = [
            "- **ReLU does not stop vanishing gradients** on its own\n  - look at the **last \
             step**, every unit active\n    <div align=\"center\"><img src=\"relu.png\" /></div>\n    \n\n\
             #### How to stop exploding gradients\nClip them.\n",
            "- **Python**\n  ```python\n  ```\n  </details>\n\n\n## Next question\n\nAnswer.\n",
            "- The **gradient** at a saddle point\n    <div align=\"center\"><img src=\"saddle.gif\" \
             /></div>\n\n\n## Second-order methods\n\nNewton.\n",
        ];
        for text in notes {
            assert!(Note::unchunked(text).chunks[0].has_error(), "{text:?}");
            let at = text.find("\n#").unwrap() + 1;
            let level = text[at..].bytes().take_while(|&b| b == b'#').count() as u8;
            let note = Note::new(text);
            assert_eq!(note.chunk_starts().as_ref(), &[0, at], "{text:?}");
            assert_eq!(headings(&note), [(level, at)], "{text:?}");
            let (_, chunk) = note.chunks().nth(1).unwrap();
            assert!(chunk.blocks().headings[0].top_level_atx);
        }
    }

    /// Blank-line cuts refused next to a chunk parsed with an error merge chunks in doubling
    /// steps; they stop before a chunk that starts with a heading, which the merged parse's
    /// error recovery would have read as `#` and a level-2 heading (or dropped).
    #[test]
    fn merging_for_a_refused_blank_line_cut_stops_at_a_heading() {
        // A table whose delimiter row has no pipe, then a list item that an HTML line
        // interrupts: tree-sitter-md recovers from errors in both.
        let text = "th\n|b` |\n---\n- item\n\nBetween the two.\n\n- **ReLU does not stop \
                    vanishing gradients** on its own\n  - look at the **last step**, every unit \
                    active\n    <div align=\"center\"><img src=\"relu.png\" /></div>\n    \n\n\
                    ### How to stop exploding gradients\nClip them.\n";
        let at = text.find("###").unwrap();
        for soft_above in [16, 64, 256, SOFT_CUT_ABOVE] {
            let note = Note::with_soft_cuts(text, soft_above);
            assert!(note.chunk_starts().contains(&at), "{soft_above}");
            assert_eq!(headings(&note), [(3, at)], "{soft_above}");
            assert!(note.chunks().next().unwrap().1.has_error());
        }
    }

    /// CommonMark ends lines at `\n`, `\r\n` and a lone `\r` alike (tree-sitter-md too,
    /// though its rows count `\n` only): a note whose lines end with a lone `\r` is cut where
    /// the same note with `\n` is, into chunks with the same blocks, and no code line keeps
    /// the `\r` that ends it.
    #[test]
    fn lone_carriage_returns_end_lines_as_line_feeds_do() {
        let lf = [
            include_str!("../../fixtures/bold-questions.md"),
            include_str!("../../fixtures/clean-notes.md"),
            include_str!("../../fixtures/messy-notes.md"),
            include_str!("../../fixtures/quiz.md"),
        ]
        .concat()
        .replace("\r\n", "\n");
        let cr = lf.replace('\n', "\r");
        for soft_above in [64, SOFT_CUT_ABOVE] {
            let (a, b) = (
                Note::with_soft_cuts(&lf, soft_above),
                Note::with_soft_cuts(&cr, soft_above),
            );
            assert!(b.chunk_count() > 5, "{soft_above}");
            assert_eq!(a.chunk_starts(), b.chunk_starts(), "{soft_above}");
            for ((s, x), (_, y)) in a.chunks().zip(b.chunks()) {
                assert_eq!(x.blocks(), y.blocks(), "chunk at {s}");
                for line in y.blocks().code.iter().flat_map(|c| &c.lines) {
                    assert!(!cr[s..][line.clone()].contains('\r'), "chunk at {s}");
                }
            }
        }
        // Inside a list item: each line's code starts after the item's indentation.
        let text = "- Example:\r  ```python\r  x = 1\r  y = 2\r  ```\r";
        let note = Note::new(text);
        let code = note.chunks().next().unwrap().1.blocks().code[0].clone();
        let lines: Vec<&str> = code.lines.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(lines, ["x = 1", "y = 2"]);
    }

    /// Front matter whose lines end with a lone `\r` is front matter (tree-sitter-md's
    /// scanner ends its lines at `\n`, `\r\n` or `\r`): a chunk opening it is left open
    /// until its closing line, so a `#` line inside it is no heading, as in one parse.
    #[test]
    fn front_matter_ended_by_lone_carriage_returns_is_kept_whole() {
        let lf = "---\ntitle: notes\n\n# not a heading\n\ntags: [a]\n---\n\n# Real\n\nText.\n";
        for eol in ["\n", "\r\n", "\r"] {
            let text = lf.replace('\n', eol);
            let real = text.find("# Real").unwrap();
            let whole = Note::unchunked(&text);
            assert_eq!(headings(&whole), [(1, real)], "{eol:?}");
            for soft_above in [8, 64, SOFT_CUT_ABOVE] {
                let note = Note::with_soft_cuts(&text, soft_above);
                assert_eq!(headings(&note), [(1, real)], "{eol:?} {soft_above}");
            }
        }
    }
}
