//! The one place that converts positions: byte offsets into a note's text ⇄ (line, column),
//! with columns counted in UTF-8 bytes or UTF-16 code units as negotiated with the client.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r` (ropey's `cr_lines`), which is what LSP says.
//! Positions a client sends past the end of a line or of the text are clamped, and a column
//! that falls inside a character (a UTF-16 surrogate pair, a multi-byte UTF-8 sequence) is
//! rounded down to the character's start: nothing here panics on client input.

use std::ops::Range;

use ropey::Rope;

use super::narrow::Narrow;

/// How columns are counted on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// A (line, column) pair, both zero-based; the column unit is an [`Encoding`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Byte offset of the end of `line`'s content, before its line break.
fn line_content_end(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let mut len = slice.len_bytes();
    // Strip "\n", "\r\n" or "\r": the break is not part of the line's columns.
    if len > 0 && slice.byte(len - 1) == b'\n' {
        len -= 1;
    }
    if len > 0 && slice.byte(len - 1) == b'\r' {
        len -= 1;
    }
    start + len
}

/// Rounds `offset` down to a character boundary and into the text.
pub fn floor_char_boundary(rope: &Rope, offset: usize) -> usize {
    let offset = offset.min(rope.len_bytes());
    rope.char_to_byte(rope.byte_to_char(offset))
}

/// Converts a byte offset to a (line, column). Offsets inside a line break or a character are
/// clamped to the end of the line's content or the character's start.
pub fn to_line_col(rope: &Rope, offset: usize, enc: Encoding) -> LineCol {
    let offset = floor_char_boundary(rope, offset);
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let offset = offset.min(line_content_end(rope, line).max(start));
    let col = match enc {
        Encoding::Utf8 => offset - start,
        Encoding::Utf16 => {
            rope.char_to_utf16_cu(rope.byte_to_char(offset))
                - rope.char_to_utf16_cu(rope.byte_to_char(start))
        }
    };
    LineCol {
        line: line as u32,
        col: col as u32,
    }
}

/// Converts a client's (line, column) to a byte offset, clamping a line past the end to the
/// end of the text and a column past the end of its line to the line's end.
pub fn to_offset(rope: &Rope, pos: LineCol, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let end = line_content_end(rope, line);
    let col = pos.col as usize;
    match enc {
        Encoding::Utf8 => floor_char_boundary(rope, start + col.min(end - start)),
        Encoding::Utf16 => {
            let start_char = rope.byte_to_char(start);
            let end_char = rope.byte_to_char(end);
            let base = rope.char_to_utf16_cu(start_char);
            let want = (base + col).min(rope.char_to_utf16_cu(end_char));
            // utf16_cu_to_char rounds a position inside a surrogate pair down to its char.
            rope.char_to_byte(rope.utf16_cu_to_char(want))
        }
    }
}

/// Where the lines of one piece of text (a chunk) break: the offset just past each `\n`,
/// `\r\n` and lone `\r`, and whether the text is all ASCII (columns then need no counting).
/// Offsets are u16 or u32 ([`Narrow`]), in a boxed slice: kept for as long as the chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lines {
    breaks: Narrow,
    ascii: bool,
}

impl Lines {
    pub fn of(text: &str) -> Lines {
        Lines {
            breaks: breaks_in(text.as_bytes(), 0..text.len()).into(),
            ascii: text.is_ascii(),
        }
    }

    /// The lines of `edited`, which is the text these lines were of with `start..end`
    /// replaced by `new_text`: only the bytes around the edit are looked at (a keystroke
    /// inside a chunk of hundreds of kilobytes that is not reparsed, see `shift.rs`).
    pub fn edited(&self, start: usize, end: usize, new_text: &str, edited: &str) -> Lines {
        // A `\r` just before the edit may stop or start being followed by `\n`: the scan
        // starts one byte early, and ends one byte after the new text for the same reason.
        let from = start.saturating_sub(1);
        let to = (start + new_text.len() + 1).min(edited.len());
        let after_old = end + 1;
        let kept = self.breaks.partition_point(|b| to_usize(b) <= from);
        let resumed = self.breaks.partition_point(|b| to_usize(b) <= after_old);
        let new = breaks_in(edited.as_bytes(), from..to);
        let mut breaks = Vec::with_capacity(kept + new.len() + self.breaks.len() - resumed);
        breaks.extend(self.breaks.range(0..kept));
        breaks.extend_from_slice(&new);
        breaks.extend(
            self.breaks
                .range(resumed..self.breaks.len())
                .map(|b| offset32(to_usize(b) + to - after_old)),
        );
        Lines {
            breaks: breaks.into(),
            // Still all ASCII, or counted as if it were not (correct, a little slower).
            ascii: self.ascii && new_text.is_ascii(),
        }
    }

    pub fn count(&self) -> usize {
        self.breaks.len()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.breaks.heap_bytes()
    }
}

/// The offsets just past each line break that ends in `range` of `b`: `\n`, and `\r` not
/// followed by `\n` (the byte after `range` is looked at for that).
fn breaks_in(b: &[u8], range: Range<usize>) -> Vec<u32> {
    memchr::memchr2_iter(b'\n', b'\r', &b[range.clone()])
        .map(|i| range.start + i)
        .filter(|&i| b[i] == b'\n' || b.get(i + 1) != Some(&b'\n'))
        .map(|i| offset32(i + 1))
        .collect()
}

/// An offset inside a chunk as kept (u32). A chunk is a piece of one message's text or of
/// edits to it, far below 4 GiB; past that the conversion panics, which the edit survives
/// as any panic in a chunk's parse (the note keeps its text).
pub fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).expect("a chunk is shorter than 4 GiB")
}

/// A kept offset back as a `usize`.
pub fn to_usize(offset: u32) -> usize {
    offset as usize
}

/// A note's text as consecutive pieces, each with its [`Lines`]: `starts[i]` is piece `i`'s
/// offset, `first_lines[i]` the line it starts on. Conversions through it cost two binary
/// searches and a scan of one line, instead of ropey's tree walks (ten per position).
///
/// It needs every piece but the last to end with a line break (so no line spans two pieces);
/// [`Layout::of`] says whether that holds, and callers fall back to the rope when it does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    starts: Vec<usize>,
    first_lines: Vec<usize>,
    len: usize,
}

/// How a piece ends, as far as the piece after it is concerned.
#[derive(Clone, Copy)]
struct End {
    /// Its last line is complete (or it is empty).
    line: bool,
    /// It ends with `\r`.
    cr: bool,
}

impl End {
    fn of(text: &str, lines: &Lines) -> End {
        End {
            line: text.is_empty() || lines.breaks.last().map(to_usize) == Some(text.len()),
            cr: text.ends_with('\r'),
        }
    }

    /// Whether `next` can follow without a line spanning both: this one ends its line, `next`
    /// does not start with the `\n` of a CRLF this one began, and `next` is not empty (only
    /// a first piece may be).
    fn joins(self, next: &str) -> bool {
        self.line && !(self.cr && next.starts_with('\n')) && !next.is_empty()
    }
}

impl Layout {
    /// `None` when a line would span two pieces.
    pub fn of<'a>(pieces: impl ExactSizeIterator<Item = (&'a str, &'a Lines)>) -> Option<Layout> {
        let n = pieces.len();
        let mut layout = Layout {
            starts: Vec::with_capacity(n),
            first_lines: Vec::with_capacity(n),
            len: 0,
        };
        let mut line = 0;
        let mut prev: Option<End> = None;
        for (text, lines) in pieces {
            if prev.is_some_and(|p| !p.joins(text)) {
                return None;
            }
            layout.starts.push(layout.len);
            layout.first_lines.push(line);
            layout.len += text.len();
            line += lines.breaks.len();
            prev = Some(End::of(text, lines));
        }
        Some(layout)
    }

    /// The layout after pieces `from..old_end` were replaced by `new` pieces (`from..from +
    /// new`) of `piece`, the pieces before and after them unchanged: only the new pieces are
    /// read, the ones after are moved by the difference. A keystroke then reads the pieces it
    /// touched, not every piece of a big note (a walk over a thousand chunks' texts and line
    /// tables cost more than the rest of the layout work when the caches are cold). `false`
    /// when a line would span two pieces (the caller lays out from scratch, as `of` says
    /// `None`).
    pub fn splice<'a>(
        &mut self,
        from: usize,
        old_end: usize,
        new: usize,
        piece: impl Fn(usize) -> (&'a str, &'a Lines),
        pieces: usize,
    ) -> bool {
        debug_assert!(from < self.starts.len() && old_end <= self.starts.len());
        let (mut at, mut line) = (self.starts[from], self.first_lines[from]);
        let mut prev = (from > 0).then(|| {
            let (text, lines) = piece(from - 1);
            End::of(text, lines)
        });
        let (mut starts, mut first_lines) = (Vec::with_capacity(new), Vec::with_capacity(new));
        for i in from..from + new {
            let (text, lines) = piece(i);
            if prev.is_some_and(|p| !p.joins(text)) {
                return false;
            }
            starts.push(at);
            first_lines.push(line);
            at += text.len();
            line += lines.breaks.len();
            prev = Some(End::of(text, lines));
        }
        if from + new < pieces && prev.is_some_and(|p| !p.joins(piece(from + new).0)) {
            return false;
        }
        let (old_at, old_line) = match self.starts.get(old_end) {
            Some(&s) => (s, self.first_lines[old_end]),
            None => (self.len, line),
        };
        self.starts.splice(from..old_end, starts);
        self.first_lines.splice(from..old_end, first_lines);
        for s in &mut self.starts[from + new..] {
            *s = *s - old_at + at;
        }
        for l in &mut self.first_lines[from + new..] {
            *l = *l - old_line + line;
        }
        self.len = self.len - old_at + at;
        true
    }

    /// Offsets where the pieces start.
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// Lines the pieces start on.
    pub fn first_lines(&self) -> &[usize] {
        &self.first_lines
    }

    /// The piece holding `offset` (clamped to the text); an offset on a boundary belongs to
    /// the later piece.
    pub fn piece_at(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1) - 1
    }

    /// Converts a byte offset as [`to_line_col`] does, over `pieces` (the same pieces, in
    /// order, that the layout was made of).
    pub fn to_line_col<'a>(
        &self,
        piece: impl Fn(usize) -> (&'a str, &'a Lines),
        offset: usize,
        enc: Encoding,
    ) -> LineCol {
        self.at(piece, offset, None).line_col(enc)
    }

    /// Where `offset` (clamped to the text, rounded down to a character) is: its piece and
    /// its line in it. With `near`, searched from where the last offset converted with it was
    /// (see [`Near`]).
    fn at<'a>(
        &self,
        piece: impl Fn(usize) -> (&'a str, &'a Lines),
        offset: usize,
        near: Option<&Near>,
    ) -> At<'a> {
        let offset = offset.min(self.len);
        let hint = near.map(|n| n.0.get());
        let i = match hint {
            Some((i, _)) => gallop(self.starts.len(), i, |j| self.starts[j] <= offset).max(1) - 1,
            None => self.piece_at(offset),
        };
        let (text, lines) = piece(i);
        let mut local = offset - self.starts[i];
        while !text.is_char_boundary(local) {
            local -= 1;
        }
        let k = match hint {
            Some((hi, hk)) if hi == i => gallop(lines.breaks.len(), hk, |j| {
                to_usize(lines.breaks.at(j)) <= local
            }),
            _ => lines.breaks.partition_point(|b| to_usize(b) <= local),
        };
        if let Some(n) = near {
            n.0.set((i, k));
        }
        At {
            text,
            lines,
            base: self.starts[i],
            first_line: self.first_lines[i],
            local,
            k,
        }
    }

    /// Converts both ends of `range` as [`Layout::to_line_col`] does, counting the end's
    /// column from the start when both are on one line (most ranges: a diagnostic's, a
    /// symbol's selection), so a long line is walked once, not twice.
    /// `near` (one for the starts, one for the ends) serves a caller converting ranges in
    /// order (see [`Near`]).
    pub fn range_to_line_cols<'a>(
        &self,
        piece: impl Fn(usize) -> (&'a str, &'a Lines) + Copy,
        range: std::ops::Range<usize>,
        enc: Encoding,
        near: Option<&(Near, Near)>,
    ) -> (LineCol, LineCol) {
        let at = self.at(piece, range.start, near.map(|n| &n.0));
        let start = at.line_col(enc);
        let to = range.end.min(self.len);
        let line_end = content_end(at.text, at.lines, at.k);
        // The same line, inside the same piece, past the start's (rounded) offset.
        if to >= at.base
            && to - at.base <= line_end
            && (to - at.base) >= at.local
            && at.text.is_char_boundary(to - at.base)
        {
            let (local, to) = (at.local, to - at.base);
            let extra = match enc {
                Encoding::Utf8 => to - local,
                Encoding::Utf16 if at.lines.ascii => to - local,
                Encoding::Utf16 => utf16_len(&at.text.as_bytes()[local..to]),
            };
            let end = LineCol {
                line: start.line,
                col: start.col + extra as u32,
            };
            return (start, end);
        }
        (
            start,
            self.at(piece, range.end, near.map(|n| &n.1)).line_col(enc),
        )
    }

    /// Converts a client's position as [`to_offset`] does.
    pub fn to_offset<'a>(
        &self,
        piece: impl Fn(usize) -> (&'a str, &'a Lines),
        pos: LineCol,
        enc: Encoding,
    ) -> usize {
        let line = pos.line as usize;
        let i = self.first_lines.partition_point(|&l| l <= line).max(1) - 1;
        let (text, lines) = piece(i);
        let k = line - self.first_lines[i];
        if k > lines.breaks.len() || (k == lines.breaks.len() && i + 1 < self.starts.len()) {
            // Past the last line of the last piece.
            return self.len;
        }
        let line_start = if k == 0 {
            0
        } else {
            to_usize(lines.breaks.at(k - 1))
        };
        let end = content_end(text, lines, k);
        let col = pos.col as usize;
        let local = match enc {
            Encoding::Utf8 => {
                let mut at = line_start + col.min(end - line_start);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            }
            Encoding::Utf16 if lines.ascii => line_start + col.min(end - line_start),
            Encoding::Utf16 => {
                // Walk the line's characters until `col` units; a column inside a surrogate
                // pair rounds down to the character's start.
                let mut units = 0;
                let mut at = line_start;
                for c in text[line_start..end].chars() {
                    let w = c.len_utf16();
                    if units + w > col {
                        break;
                    }
                    units += w;
                    at += c.len_utf8();
                }
                at
            }
        };
        self.starts[i] + local
    }
}

/// Where the last offset converted with it was (piece, line): a caller converting many
/// offsets in about the order of the text (a note's ~2,700 symbols) searches from there,
/// in the few pieces and lines nearby, instead of through all of them (two binary searches
/// that missed the cache at every step cost a third of a `documentSymbol` answer).
#[derive(Debug, Default)]
pub struct Near(std::cell::Cell<(usize, usize)>);

/// The number of leading indices below `n` for which `le` holds (`le(i)`: the `i`-th of
/// sorted values is `<= x`, so it holds up to a point and not after), searched outwards
/// from index `from`: steps of 1, 2, 4... to bracket it, then a binary search.
fn gallop(n: usize, from: usize, le: impl Fn(usize) -> bool) -> usize {
    let from = from.min(n);
    let (lo, hi) = if from < n && le(from) {
        // Forward: the answer is past `from`.
        let (mut lo, mut step) = (from + 1, 1);
        while lo + step <= n && le(lo + step - 1) {
            lo += step;
            step *= 2;
        }
        (lo, (lo + step).min(n))
    } else {
        // Backward: the answer is at or before `from`.
        let (mut hi, mut step) = (from, 1);
        while hi >= step && !le(hi - step) {
            hi -= step;
            step *= 2;
        }
        (hi.saturating_sub(step), hi)
    };
    // The first index in `lo..hi` where `le` fails (or `hi`).
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if le(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// An offset found in a layout: in which piece (`text`, `lines`, starting at `base` on line
/// `first_line`), at which offset in it (`local`, on a character boundary) and on which of
/// its lines (`k`).
struct At<'a> {
    text: &'a str,
    lines: &'a Lines,
    base: usize,
    first_line: usize,
    local: usize,
    k: usize,
}

impl At<'_> {
    fn line_col(&self, enc: Encoding) -> LineCol {
        let (text, lines, k) = (self.text, self.lines, self.k);
        let line_start = if k == 0 {
            0
        } else {
            to_usize(lines.breaks.at(k - 1))
        };
        let local = self.local.min(content_end(text, lines, k));
        let col = match enc {
            Encoding::Utf8 => local - line_start,
            Encoding::Utf16 if lines.ascii => local - line_start,
            Encoding::Utf16 => utf16_len(&text.as_bytes()[line_start..local]),
        };
        LineCol {
            line: (self.first_line + k) as u32,
            col: col as u32,
        }
    }
}

/// Where line `k` of a piece ends, its line break excluded.
fn content_end(text: &str, lines: &Lines, k: usize) -> usize {
    match lines.breaks.get(k).map(to_usize) {
        None => text.len(),
        Some(b) => {
            let t = text.as_bytes();
            if b >= 2 && t[b - 2] == b'\r' && t[b - 1] == b'\n' {
                b - 2
            } else {
                b - 1
            }
        }
    }
}

/// UTF-16 code units of valid UTF-8 bytes: one per character, two for a 4-byte one.
fn utf16_len(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    // Written as two counts so that they vectorize: lines of prose can be long.
    let chars = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
    let astral = bytes.iter().filter(|&&b| b >= 0xF0).count();
    chars + astral
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallop_finds_what_partition_point_finds() {
        let sorted = [2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
        for n in 0..=sorted.len() {
            let sorted = &sorted[..n];
            for from in 0..=n + 2 {
                for x in 0..150 {
                    let want = sorted.partition_point(|&v| v <= x);
                    assert_eq!(
                        gallop(n, from, |i| sorted[i] <= x),
                        want,
                        "{sorted:?} from {from} x {x}"
                    );
                }
            }
        }
    }

    /// Lines brought up to date around an edit equal the lines of the edited text, for
    /// edits that make, split and join `\r\n` pairs.
    #[test]
    fn edited_lines_equal_lines_of_the_edited_text() {
        let alphabet = ["a", "\n", "\r", "\r\n", "é", ""];
        let mut rng = 0x2545F4914F6CDD1Du64;
        let mut next = move |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        for _ in 0..3000 {
            let text: String = (0..next(12))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let lines = Lines::of(&text);
            let start = text.floor_char_boundary(next(text.len() + 1));
            let end = text.floor_char_boundary(start + next(3));
            let insert: String = (0..next(3))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let edited = [&text[..start], &insert, &text[end..]].concat();
            let got = lines.edited(start, end, &insert, &edited);
            let want = Lines::of(&edited);
            assert_eq!(
                got.breaks, want.breaks,
                "{text:?} with {start}..{end} replaced by {insert:?}"
            );
            assert!(!got.ascii || want.ascii);
        }
    }

    fn check(text: &str, offset: usize, enc: Encoding, line: u32, col: u32) {
        let rope = Rope::from_str(text);
        let got = to_line_col(&rope, offset, enc);
        assert_eq!(got, LineCol { line, col }, "offset {offset} in {text:?}");
        assert_eq!(to_offset(&rope, got, enc), offset, "round trip of {got:?}");
    }

    #[test]
    fn ascii_and_lines() {
        check("ab\ncd", 0, Encoding::Utf16, 0, 0);
        check("ab\ncd", 2, Encoding::Utf16, 0, 2);
        check("ab\ncd", 3, Encoding::Utf16, 1, 0);
        check("ab\ncd", 5, Encoding::Utf8, 1, 2);
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        check("ab\r\ncd", 4, Encoding::Utf16, 1, 0);
        check("ab\rcd", 3, Encoding::Utf16, 1, 0);
        let rope = Rope::from_str("ab\r\ncd");
        // Inside the CRLF pair: clamped to the end of the line's content.
        assert_eq!(
            to_line_col(&rope, 3, Encoding::Utf16),
            LineCol { line: 0, col: 2 }
        );
    }

    #[test]
    fn outside_the_bmp() {
        // "😀" is 4 bytes in UTF-8 and 2 code units in UTF-16.
        let text = "a😀b\n";
        check(text, 5, Encoding::Utf16, 0, 3);
        check(text, 5, Encoding::Utf8, 0, 5);
        let rope = Rope::from_str(text);
        // Column 2 is inside the surrogate pair: rounded down to the emoji's start.
        assert_eq!(
            to_offset(&rope, LineCol { line: 0, col: 2 }, Encoding::Utf16),
            1
        );
        // Byte 3 is inside the emoji's UTF-8 sequence.
        assert_eq!(
            to_line_col(&rope, 3, Encoding::Utf16),
            LineCol { line: 0, col: 1 }
        );
    }

    #[test]
    fn clamps_past_the_end() {
        let rope = Rope::from_str("ab\ncd\n");
        assert_eq!(
            to_offset(&rope, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            to_offset(&rope, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            6
        );
        assert_eq!(
            to_offset(&rope, LineCol { line: 2, col: 5 }, Encoding::Utf8),
            6
        );
        assert_eq!(
            to_line_col(&rope, 99, Encoding::Utf16),
            LineCol { line: 2, col: 0 }
        );
    }

    /// The layout over pieces converts exactly as the rope does, for every offset and for
    /// positions on and past every line, however the text is cut at line starts.
    #[test]
    fn a_spliced_layout_equals_one_laid_out_afresh() {
        let kinds = [
            "a\n", "bc\r\n", "\n", "d\r", "\ne\n", "", "no break", "😀\n",
        ];
        let mut rng = 0x9E3779B97F4A7C15u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let mut compared = 0;
        for _ in 0..20_000 {
            let mut pieces: Vec<&str> =
                (0..1 + next(6)).map(|_| kinds[next(kinds.len())]).collect();
            let lines = |p: &[&str]| p.iter().map(|t| Lines::of(t)).collect::<Vec<_>>();
            let old_lines = lines(&pieces);
            let Some(mut layout) = Layout::of(pieces.iter().copied().zip(old_lines.iter())) else {
                continue;
            };
            let from = next(pieces.len());
            let old_end = from + next(pieces.len() - from + 1);
            let new: Vec<&str> = (0..next(4)).map(|_| kinds[next(kinds.len())]).collect();
            if new.is_empty() && from == old_end {
                continue;
            }
            let n = new.len();
            pieces.splice(from..old_end, new);
            if pieces.is_empty() {
                continue;
            }
            let new_lines = lines(&pieces);
            let fresh = Layout::of(pieces.iter().copied().zip(new_lines.iter()));
            let piece = |i: usize| (pieces[i], &new_lines[i]);
            let spliced = layout
                .splice(from, old_end, n, piece, pieces.len())
                .then_some(layout);
            assert_eq!(
                spliced, fresh,
                "{pieces:?} after replacing {from}..{old_end} by {n}"
            );
            compared += usize::from(fresh.is_some());
        }
        assert!(compared > 2_000, "{compared} spliced layouts compared");
    }

    #[test]
    fn layout_agrees_with_rope() {
        let texts = [
            "",
            "a",
            "ab\ncd",
            "ab\r\ncd\r\n",
            "a\rb\r\rc\n\r\n",
            "# x\n中文😀b\n\n# y\r\nz😀\r",
            "😀\n😀😀\r\n\n",
            "tail without break",
        ];
        for text in texts {
            let rope = Rope::from_str(text);
            let whole = Lines::of(text);
            let mut cuts: Vec<usize> = vec![0];
            cuts.extend(
                whole
                    .breaks
                    .iter()
                    .map(to_usize)
                    .filter(|&b| b < text.len()),
            );
            // Pieces cut at every line start (an empty first piece is allowed only alone).
            let pieces: Vec<&str> = cuts
                .iter()
                .zip(cuts.iter().skip(1).chain(std::iter::once(&text.len())))
                .map(|(&a, &b)| &text[a..b])
                .collect();
            let lines: Vec<Lines> = pieces.iter().map(|p| Lines::of(p)).collect();
            for (layout, pieces, lines) in [
                (
                    Layout::of(pieces.iter().copied().zip(lines.iter())),
                    pieces.clone(),
                    lines.iter().collect::<Vec<_>>(),
                ),
                (
                    Layout::of(std::iter::once((text, &whole))),
                    vec![text],
                    vec![&whole],
                ),
            ] {
                let layout = layout.unwrap_or_else(|| panic!("pieces end lines: {pieces:?}"));
                let piece = |i: usize| (pieces[i], lines[i]);
                for enc in [Encoding::Utf8, Encoding::Utf16] {
                    for offset in 0..=text.len() + 2 {
                        assert_eq!(
                            layout.to_line_col(piece, offset, enc),
                            to_line_col(&rope, offset, enc),
                            "offset {offset} of {text:?} ({enc:?})"
                        );
                    }
                    for line in 0..rope.len_lines() as u32 + 2 {
                        for col in 0..8 {
                            let pos = LineCol { line, col };
                            assert_eq!(
                                layout.to_offset(piece, pos, enc),
                                to_offset(&rope, pos, enc),
                                "{pos:?} in {text:?} ({enc:?})"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cjk_is_one_unit_in_utf16_three_bytes_in_utf8() {
        check("中文x", 6, Encoding::Utf16, 0, 2);
        check("中文x", 6, Encoding::Utf8, 0, 6);
    }
}
