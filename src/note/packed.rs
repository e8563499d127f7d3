//! A chunk's [`Blocks`] as the note keeps them: numbers in one allocation (u16 when they
//! fit, see [`Narrow`]). An open note has hundreds of chunks, each with a dozen short lists;
//! as `Vec`s of `usize` ranges they cost more than the text, in ten heap blocks a chunk.
//! Offsets are relative to the chunk.

use std::ops::Range;

use super::blocks::{Blocks, CodeBlock, Container, HeadingBlock};
use super::narrow::Narrow;
use super::position::{offset32, to_usize};

/// The numbers: [`HEADER`] of them (flags, the two lists at the ends with their kinds, then
/// where each of the [`SECTIONS`] lists ends), then the lists, one after the other. Empty
/// for empty blocks.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed(Narrow);

/// The lists, in the order they are kept.
const HEADINGS: usize = 0;
const CODE: usize = 1;
const BOLD: usize = 2;
const LISTS: usize = 3;
const BODY_STARTS: usize = 4;
const LINK_TEXT: usize = 5;
const DEFINITIONS: usize = 6;
const SOFT_CUTS: usize = 7;
const HTML: usize = 8;
const TABLES: usize = 9;
const SECTIONS: usize = 10;
/// Flags, `start_list`'s end and kind, `end_list`'s start and kind, then each list's end.
const HEADER: usize = 5 + SECTIONS;

const OPEN_AT_END: u32 = 1;
const HAS_ERROR: u32 = 2;
const START_LIST: u32 = 4;
const END_LIST: u32 = 8;

/// A code block's numbers before its info string's bytes (two a number) and its lines:
/// range, flags, container column, line count, info length + 1 (0: no info string).
const CODE_FIXED: usize = 6;

fn push_range(w: &mut Vec<u32>, r: &Range<usize>) {
    w.push(offset32(r.start));
    w.push(offset32(r.end));
}

impl Packed {
    pub fn pack(b: &Blocks) -> Packed {
        if *b == Blocks::default() {
            return Packed::default();
        }
        let mut w = vec![0u32; HEADER];
        let mut flags = 0;
        if b.open_at_end {
            flags |= OPEN_AT_END;
        }
        if b.has_error {
            flags |= HAS_ERROR;
        }
        if let Some((end, kind)) = b.start_list {
            flags |= START_LIST;
            (w[1], w[2]) = (offset32(end), u32::from(kind));
        }
        if let Some((start, kind)) = b.end_list {
            flags |= END_LIST;
            (w[3], w[4]) = (offset32(start), u32::from(kind));
        }
        w[0] = flags;
        let end = |w: &mut Vec<u32>, section: usize| w[5 + section] = offset32(w.len());
        for h in &b.headings {
            push_range(&mut w, &h.range);
            push_range(&mut w, &h.content);
            w.push(u32::from(h.level) | u32::from(h.top_level_atx) << 8);
        }
        end(&mut w, HEADINGS);
        for c in &b.code {
            push_range(&mut w, &c.range);
            let container = match c.container {
                None => 0,
                Some(Container::ListItem) => 1,
                Some(Container::BlockQuote) => 2,
            };
            w.push(
                u32::from(c.closed)
                    | u32::from(c.top_level) << 1
                    | u32::from(c.nocheck_comment) << 2
                    | u32::from(c.in_quote) << 3
                    | container << 4,
            );
            w.push(offset32(c.container_col));
            w.push(offset32(c.lines.len()));
            match &c.info {
                None => w.push(0),
                Some(info) => {
                    w.push(offset32(info.len() + 1));
                    w.extend(
                        info.as_bytes()
                            .chunks(2)
                            .map(|b| u32::from(b[0]) | b.get(1).map_or(0, |&x| u32::from(x) << 8)),
                    );
                }
            }
            c.lines.iter().for_each(|l| push_range(&mut w, l));
        }
        end(&mut w, CODE);
        b.bold.iter().for_each(|p| push_range(&mut w, &p.range));
        end(&mut w, BOLD);
        b.lists.iter().for_each(|r| push_range(&mut w, r));
        end(&mut w, LISTS);
        w.extend(b.body_starts.iter().map(|&s| offset32(s)));
        end(&mut w, BODY_STARTS);
        b.link_text.iter().for_each(|r| push_range(&mut w, r));
        end(&mut w, LINK_TEXT);
        b.definitions.iter().for_each(|r| push_range(&mut w, r));
        end(&mut w, DEFINITIONS);
        w.extend(b.soft_cuts.iter().map(|&s| offset32(s)));
        end(&mut w, SOFT_CUTS);
        b.html.iter().for_each(|r| push_range(&mut w, r));
        end(&mut w, HTML);
        b.tables.iter().for_each(|r| push_range(&mut w, r));
        end(&mut w, TABLES);
        Packed(w.into())
    }

    /// The blocks as extracted.
    pub fn unpack(&self) -> Blocks {
        if self.0.is_empty() {
            return Blocks::default();
        }
        Blocks {
            headings: self.headings().collect(),
            code: self.code().collect(),
            bold: self
                .ranges(BOLD)
                .map(|range| super::BoldParagraph { range })
                .collect(),
            lists: self.ranges(LISTS).collect(),
            body_starts: self.offsets(BODY_STARTS).collect(),
            link_text: self.ranges(LINK_TEXT).collect(),
            definitions: self.ranges(DEFINITIONS).collect(),
            open_at_end: self.open_at_end(),
            soft_cuts: self.soft_cuts().collect(),
            start_list: self.start_list(),
            end_list: self.end_list(),
            has_error: self.has_error(),
            html: self.ranges(HTML).collect(),
            tables: self.ranges(TABLES).collect(),
        }
    }

    fn at(&self, i: usize) -> usize {
        to_usize(self.0.at(i))
    }

    fn flags(&self) -> u32 {
        self.0.get(0).unwrap_or(0)
    }

    /// Where one list's numbers are.
    fn section(&self, i: usize) -> Range<usize> {
        if self.0.is_empty() {
            return 0..0;
        }
        let start = if i == 0 { HEADER } else { self.at(5 + i - 1) };
        start..self.at(5 + i)
    }

    fn ranges(&self, i: usize) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        let s = self.section(i);
        (0..s.len() / 2).map(move |k| self.at(s.start + 2 * k)..self.at(s.start + 2 * k + 1))
    }

    fn offsets(&self, i: usize) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.section(i).map(|k| self.at(k))
    }

    pub fn open_at_end(&self) -> bool {
        self.flags() & OPEN_AT_END != 0
    }

    pub fn has_error(&self) -> bool {
        self.flags() & HAS_ERROR != 0
    }

    pub fn start_list(&self) -> Option<(usize, u8)> {
        (self.flags() & START_LIST != 0).then(|| (self.at(1), self.at(2) as u8))
    }

    pub fn end_list(&self) -> Option<(usize, u8)> {
        (self.flags() & END_LIST != 0).then(|| (self.at(3), self.at(4) as u8))
    }

    pub fn headings(&self) -> impl ExactSizeIterator<Item = HeadingBlock> + '_ {
        let s = self.section(HEADINGS);
        (0..s.len() / 5).map(move |k| {
            let w = s.start + 5 * k;
            HeadingBlock {
                range: self.at(w)..self.at(w + 1),
                content: self.at(w + 2)..self.at(w + 3),
                level: self.at(w + 4) as u8,
                top_level_atx: self.at(w + 4) >> 8 != 0,
            }
        })
    }

    pub fn soft_cuts(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.offsets(SOFT_CUTS)
    }

    /// Whether `start..end` lies strictly after the start of an HTML block, a table or a
    /// code block and ends inside it: an edit the shortcuts of `shift.rs` may take (read
    /// without unpacking, as most keystrokes are not).
    pub fn inside_html_table_or_code(&self, start: usize, end: usize) -> bool {
        let inside = |r: Range<usize>| r.start < start && end <= r.end;
        if self.ranges(HTML).any(inside) || self.ranges(TABLES).any(inside) {
            return true;
        }
        let Range {
            start: mut w,
            end: last,
        } = self.section(CODE);
        while w < last {
            if inside(self.at(w)..self.at(w + 1)) {
                return true;
            }
            let info = self.at(w + 5);
            w += CODE_FIXED + info.saturating_sub(1).div_ceil(2) + 2 * self.at(w + 4);
        }
        false
    }

    /// The code blocks, decoded one by one.
    pub fn code(&self) -> impl Iterator<Item = CodeBlock> + '_ {
        let Range { start: mut w, end } = self.section(CODE);
        std::iter::from_fn(move || {
            if w >= end {
                return None;
            }
            let flags = self.at(w + 2);
            let lines = self.at(w + 4);
            let (info, words) = match self.at(w + 5) {
                0 => (None, 0),
                len => {
                    let len = len - 1;
                    let words = len.div_ceil(2);
                    let bytes: Vec<u8> = self
                        .0
                        .range(w + CODE_FIXED..w + CODE_FIXED + words)
                        .flat_map(|x| [x as u8, (x >> 8) as u8])
                        .take(len)
                        .collect();
                    let info = String::from_utf8(bytes).expect("packed from a String");
                    (Some(info), words)
                }
            };
            let first = w + CODE_FIXED + words;
            let block = CodeBlock {
                range: self.at(w)..self.at(w + 1),
                info,
                closed: flags & 1 != 0,
                top_level: flags & 2 != 0,
                container: match flags >> 4 {
                    0 => None,
                    1 => Some(Container::ListItem),
                    _ => Some(Container::BlockQuote),
                },
                lines: (0..lines)
                    .map(|k| self.at(first + 2 * k)..self.at(first + 2 * k + 1))
                    .collect(),
                nocheck_comment: flags & 4 != 0,
                container_col: self.at(w + 3),
                in_quote: flags & 8 != 0,
            };
            w = first + 2 * lines;
            Some(block)
        })
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.unpack().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Note;

    /// Every chunk's blocks, packed and unpacked, are the blocks; the accessors read what
    /// unpacking gives.
    #[test]
    fn packing_keeps_every_block() {
        let text = [
            include_str!("../../fixtures/bold-questions.md"),
            include_str!("../../fixtures/clean-notes.md"),
            include_str!("../../fixtures/messy-fixes.md"),
            include_str!("../../fixtures/messy-notes.md"),
            include_str!("../../fixtures/quiz.md"),
            "- a\n- b\n\n```py \u{0}x é\nprint(1)\n```\n\n    indented\n\n| a | b |\n|---|---|\n| [x](y) | 2 |\n\n<div>\n\n- open",
            // A chunk past 64 KiB: its offsets are kept as u32.
            "\n\n# Long\n\n```rust\n",
            &"let x = 1;\n".repeat(7000),
            "```\n\n**Bold** after [it](#long)\n",
        ]
        .concat();
        let (mut seen, mut wide) = ((0, 0, 0), 0);
        for soft_above in [64, 1024, usize::MAX] {
            let note = Note::with_soft_cuts(&text, soft_above);
            for (_, c) in note.chunks() {
                let b = c.blocks();
                let packed = Packed::pack(&b);
                if matches!(packed.0, Narrow::U32(_)) {
                    wide += 1;
                    assert!(c.text().len() > 65535);
                }
                assert_eq!(packed.unpack(), b);
                assert_eq!(packed.start_list(), b.start_list);
                assert_eq!(packed.end_list(), b.end_list);
                assert_eq!(packed.has_error(), b.has_error);
                assert_eq!(packed.open_at_end(), b.open_at_end);
                for (start, end) in [(1, 2), (5, 5), (40, 90), (200, 201)] {
                    let inside = |r: &Range<usize>| r.start < start && end <= r.end;
                    let want = b.html.iter().any(inside)
                        || b.tables.iter().any(inside)
                        || b.code.iter().any(|c| inside(&c.range));
                    assert_eq!(packed.inside_html_table_or_code(start, end), want);
                }
                for r in b
                    .html
                    .iter()
                    .chain(&b.tables)
                    .chain(b.code.iter().map(|c| &c.range))
                {
                    assert!(packed.inside_html_table_or_code(r.start + 1, r.end));
                    assert!(!packed.inside_html_table_or_code(r.start, r.end));
                }
                seen.0 += b.code.iter().filter(|c| c.info.is_some()).count();
                seen.1 += b.code.iter().filter(|c| c.info.is_none()).count();
                seen.2 += b.tables.len() + b.html.len();
            }
        }
        assert!(seen.0 > 3 && seen.1 > 0 && seen.2 > 0, "{seen:?}");
        assert!(wide > 0);
        assert_eq!(Packed::pack(&Blocks::default()), Packed::default());
        assert_eq!(Packed::default().unpack(), Blocks::default());
    }
}
