//! A chunk's [`Blocks`] as the note keeps them: u32 words in one allocation. An open note
//! has hundreds of chunks, each with a dozen short lists; as `Vec`s of `usize` ranges they
//! cost more than the text, in ten heap blocks a chunk. Offsets are relative to the chunk,
//! so u32 holds them (see [`super::position::offset32`]).

use std::ops::Range;

use super::blocks::{Blocks, CodeBlock, Container, HeadingBlock};
use super::position::{offset32, to_usize};

/// The words: [`HEADER`] words (flags, the two list ends, then where each of the
/// [`SECTIONS`] lists ends), then the lists, one after the other. Empty for empty blocks.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed(Box<[u32]>);

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
/// Flags, `start_list`'s end, `end_list`'s start, then each list's end.
const HEADER: usize = 3 + SECTIONS;

const OPEN_AT_END: u32 = 1;
const HAS_ERROR: u32 = 2;
const START_LIST: u32 = 4;
const END_LIST: u32 = 8;

/// A code block's words before its info string and lines.
const CODE_FIXED: usize = 5;
/// An info string's length word for a block without one (an indented block).
const NO_INFO: u32 = u32::MAX;

fn push_range(w: &mut Vec<u32>, r: &Range<usize>) {
    w.push(offset32(r.start));
    w.push(offset32(r.end));
}

fn range(w: &[u32]) -> Range<usize> {
    to_usize(w[0])..to_usize(w[1])
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
            flags |= START_LIST | u32::from(kind) << 8;
            w[1] = offset32(end);
        }
        if let Some((start, kind)) = b.end_list {
            flags |= END_LIST | u32::from(kind) << 16;
            w[2] = offset32(start);
        }
        w[0] = flags;
        let end = |w: &mut Vec<u32>, section: usize| w[3 + section] = offset32(w.len());
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
                None => w.push(NO_INFO),
                Some(info) => {
                    w.push(offset32(info.len()));
                    w.extend(info.as_bytes().chunks(4).map(|b| {
                        let mut word = [0; 4];
                        word[..b.len()].copy_from_slice(b);
                        u32::from_le_bytes(word)
                    }));
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

    fn flags(&self) -> u32 {
        self.0.first().copied().unwrap_or(0)
    }

    /// The words of one list.
    fn section(&self, i: usize) -> &[u32] {
        if self.0.is_empty() {
            return &[];
        }
        let start = if i == 0 {
            HEADER
        } else {
            to_usize(self.0[3 + i - 1])
        };
        &self.0[start..to_usize(self.0[3 + i])]
    }

    fn ranges(&self, i: usize) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        self.section(i).chunks_exact(2).map(range)
    }

    fn offsets(&self, i: usize) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.section(i).iter().map(|&s| to_usize(s))
    }

    pub fn open_at_end(&self) -> bool {
        self.flags() & OPEN_AT_END != 0
    }

    pub fn has_error(&self) -> bool {
        self.flags() & HAS_ERROR != 0
    }

    pub fn start_list(&self) -> Option<(usize, u8)> {
        let f = self.flags();
        (f & START_LIST != 0).then(|| (to_usize(self.0[1]), (f >> 8) as u8))
    }

    pub fn end_list(&self) -> Option<(usize, u8)> {
        let f = self.flags();
        (f & END_LIST != 0).then(|| (to_usize(self.0[2]), (f >> 16) as u8))
    }

    pub fn headings(&self) -> impl ExactSizeIterator<Item = HeadingBlock> + '_ {
        self.section(HEADINGS)
            .chunks_exact(5)
            .map(|w| HeadingBlock {
                range: range(w),
                content: range(&w[2..]),
                level: w[4] as u8,
                top_level_atx: w[4] >> 8 != 0,
            })
    }

    pub fn soft_cuts(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.offsets(SOFT_CUTS)
    }

    /// The code blocks, decoded one by one.
    pub fn code(&self) -> impl Iterator<Item = CodeBlock> + '_ {
        let mut w = self.section(CODE);
        std::iter::from_fn(move || {
            if w.is_empty() {
                return None;
            }
            let flags = w[2];
            let lines = to_usize(w[4]);
            let (info, rest) = match w[CODE_FIXED] {
                NO_INFO => (None, &w[CODE_FIXED + 1..]),
                len => {
                    let len = to_usize(len);
                    let words = len.div_ceil(4);
                    let bytes: Vec<u8> = w[CODE_FIXED + 1..CODE_FIXED + 1 + words]
                        .iter()
                        .flat_map(|x| x.to_le_bytes())
                        .take(len)
                        .collect();
                    let info = String::from_utf8(bytes).expect("packed from a String");
                    (Some(info), &w[CODE_FIXED + 1 + words..])
                }
            };
            let block = CodeBlock {
                range: range(w),
                info,
                closed: flags & 1 != 0,
                top_level: flags & 2 != 0,
                container: match flags >> 4 {
                    0 => None,
                    1 => Some(Container::ListItem),
                    _ => Some(Container::BlockQuote),
                },
                lines: rest[..2 * lines].chunks_exact(2).map(range).collect(),
                nocheck_comment: flags & 4 != 0,
                container_col: to_usize(w[3]),
                in_quote: flags & 8 != 0,
            };
            w = &rest[2 * lines..];
            Some(block)
        })
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.0.len() * 4
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
        ]
        .concat();
        let mut seen = (0, 0, 0);
        for soft_above in [64, 1024, usize::MAX] {
            let note = Note::with_soft_cuts(&text, soft_above);
            for (_, c) in note.chunks() {
                let b = c.blocks();
                let packed = Packed::pack(&b);
                assert_eq!(packed.unpack(), b);
                assert_eq!(packed.start_list(), b.start_list);
                assert_eq!(packed.end_list(), b.end_list);
                assert_eq!(packed.has_error(), b.has_error);
                assert_eq!(packed.open_at_end(), b.open_at_end);
                seen.0 += b.code.iter().filter(|c| c.info.is_some()).count();
                seen.1 += b.code.iter().filter(|c| c.info.is_none()).count();
                seen.2 += b.tables.len() + b.html.len();
            }
        }
        assert!(seen.0 > 3 && seen.1 > 0 && seen.2 > 0, "{seen:?}");
        assert_eq!(Packed::pack(&Blocks::default()), Packed::default());
        assert_eq!(Packed::default().unpack(), Blocks::default());
    }
}
