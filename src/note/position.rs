//! The one place that converts positions: byte offsets into a note's text ⇄ (line, column),
//! with columns counted in UTF-8 bytes or UTF-16 code units as negotiated with the client.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r` (ropey's `cr_lines`), which is what LSP says.
//! Positions a client sends past the end of a line or of the text are clamped, and a column
//! that falls inside a character (a UTF-16 surrogate pair, a multi-byte UTF-8 sequence) is
//! rounded down to the character's start: nothing here panics on client input.

use ropey::Rope;

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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn cjk_is_one_unit_in_utf16_three_bytes_in_utf8() {
        check("中文x", 6, Encoding::Utf16, 0, 2);
        check("中文x", 6, Encoding::Utf8, 0, 6);
    }
}
