//! Edits that leave a chunk's structure alone, applied without parsing the chunk.
//!
//! Two kinds of block are big in real notes and cannot be cut into smaller chunks, so a
//! parse per keystroke inside them costs milliseconds:
//!
//! - A top-level HTML block that starts with a block-level tag (`<table>`, `<div>`, ...) ends
//!   at the first blank line, whatever its lines hold; tree-sitter-md makes one node of it
//!   and the extraction reads nothing inside. So an edit that stays inside such a block,
//!   below its first line and above the blank line that ends it, and leaves no line blank,
//!   changes nothing about the chunk but where the things after the edit are: they move by
//!   the edit's length. Real notes have such blocks of hundreds of kilobytes (a contributors
//!   table generated into a README, without a blank line).
//! - A GFM table (a README's table of contents, tens of kilobytes) is one block
//!   whose rows are single lines. A line that starts with `|` inside a table is a row
//!   whatever it holds (it cannot open another block), and a row's cells depend on that line
//!   alone. So an edit inside a data row, after its leading `|` and without line breaks,
//!   changes only that row's cells: the row is parsed on its own under the table's header
//!   and delimiter lines (a few hundred bytes) and its cells replace the old ones.
//!
//! And one line opens most chunks: chunks are cut at column-0 ATX headings, so typing in a
//! chunk's heading would parse the whole section under it (such as one of the tables above).
//!
//! - An ATX heading is a leaf block of one line, and it closes every block before it: the
//!   parse after its line starts with nothing open, whatever the line holds. So an edit
//!   inside the content of the ATX heading a chunk starts with (after its `#` run and the
//!   space or tab after it, without line breaks), that leaves the line an ATX heading of the
//!   same level, changes nothing about the chunk but that line's heading: the rest of the
//!   chunk parses as it did and only moves by the edit's length. The line is parsed on its
//!   own (a few dozen bytes), first as it was, which must give what the chunk's parse gave
//!   it (else the premise does not hold here and the chunk is parsed), then as it is, and
//!   its heading replaces the old one. Left to a parse: setext headings, headings below the
//!   chunk's first line, edits in or before the `#` run and its space, lines with a `\r`,
//!   chunks whose parse recovered from an error.
//!
//! And code samples hold much of a note's lines (a fifth to a third in real notes), and
//! typing in one would parse its chunk:
//!
//! - Inside a fenced code block, a line is code whatever it holds, unless it closes the
//!   fence. So an edit inside one code line of a closed fenced block (no line breaks typed or
//!   removed) that leaves neither the old nor the new line looking like a closing fence (a
//!   fence character run after spaces or tabs) changes the block's code but nothing about the
//!   chunk's structure. Only blocks outside lists and quotes whose fence starts its line are
//!   taken (their code lines are whole lines: no container prefix or fence indentation to
//!   strip, which typing at a line's start could change). The chunk's blocks are moved.
//!
//! Each chunk made this way records how ([`Step`]), so that what is derived from chunks
//! (their analyses) can be derived from the earlier chunk's in the same way, reading only
//! what the step says changed.

use std::ops::Range;

use super::packed::Packed;
use super::{Blocks, Chunk, ChunkId, blocks};

/// One edit that made a chunk from the chunk `from` without a parse: `range` (offsets in
/// `from`) replaced by `inserted` bytes, everything at or after its end moved by the
/// difference, and `changed` read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub from: ChunkId,
    pub range: Range<usize>,
    pub inserted: usize,
    pub changed: Changed,
}

/// What an edit that left a chunk's structure alone changed besides offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Nothing: the edit was inside an HTML block, which holds no other block.
    Nothing,
    /// The inline content in this range (offsets in the new chunk): a table row's cells or
    /// the chunk's opening heading line. Its link text and headings were read again; no
    /// other block starts in it.
    Inline(Range<usize>),
    /// The code of one line of a fenced code block.
    Code,
}

impl Step {
    /// Where `offset` in the chunk before this step is in the chunk after it.
    pub fn moved(&self, offset: usize) -> usize {
        if offset >= self.range.end {
            offset + self.inserted - self.range.len()
        } else {
            offset
        }
    }

    /// `span` in the chunk before this step, in the chunk after it, widened to hold what
    /// the edit inserted should the two overlap.
    pub fn moved_span(&self, span: Range<usize>) -> Range<usize> {
        let start = if span.start >= self.range.end {
            self.moved(span.start)
        } else {
            span.start.min(self.range.start)
        };
        let end = if span.end >= self.range.end {
            self.moved(span.end)
        } else if span.end > self.range.start {
            self.range.start + self.inserted
        } else {
            span.end
        };
        start..end
    }
}

/// How many steps a chunk remembers: enough for the edits of a burst made between two
/// analyses; a chunk edited more often is analyzed afresh.
pub const MAX_STEPS: usize = 32;

impl Chunk {
    /// The chunk after replacing `start..end` (offsets in the chunk) with `new_text`, if the
    /// edit lies inside one of its [`super::Blocks::html`] blocks as described above.
    pub(super) fn edited_inside_html(
        &self,
        b: &Blocks,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> Option<Chunk> {
        let text = &self.text;
        let block = b.html.iter().find(|b| b.start < start && end <= b.end)?;
        // Below the first line, above the blank line(s) at the end.
        let second_line = block.start + text[block.clone()].find('\n')? + 1;
        let content_end = block.start + text[block.clone()].trim_end().len();
        if start < second_line || end > content_end {
            return None;
        }
        // Line breaks other than `\n` are left to a parse.
        if new_text.contains('\r') || text[start..end].contains('\r') {
            return None;
        }
        let edited = replaced(text, start..end, new_text);
        // No line around the edit may be blank: it would end the block there. Lines with a
        // `\r` are left to a parse too: `\n` typed before a `\r\n` makes a blank line that
        // splitting at `\n` does not see (found by the incremental property test).
        let from = edited[..start].rfind('\n').map_or(0, |i| i + 1);
        let after = start + new_text.len();
        let to = edited[after..]
            .find('\n')
            .map_or(edited.len(), |i| after + i);
        if edited[from..to].contains('\r')
            || edited[from..to]
                .split('\n')
                .any(|l| l.bytes().all(|b| b == b' ' || b == b'\t'))
        {
            return None;
        }
        Some(self.shifted(b, (start, end, new_text), edited, Changed::Nothing, |_| {}))
    }

    /// The chunk after replacing `start..end` (offsets in the chunk) with `new_text`, if the
    /// edit lies inside a data row of one of its [`super::Blocks::tables`] as described above.
    pub(super) fn edited_inside_table(
        &self,
        b: &Blocks,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> Option<Chunk> {
        let text = &self.text;
        if new_text.contains(['\n', '\r']) {
            return None;
        }
        let table = b.tables.iter().find(|t| t.start < start && end <= t.end)?;
        let header_end = table.start + text[table.clone()].find('\n')?;
        let head_end = header_end + 1 + text[header_end + 1..table.end].find('\n')? + 1;
        let row_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let row_end = start + text[start..].find('\n')?;
        // A data row (below the delimiter line), edited after its leading `|`, the edit and
        // the row's line break inside the table.
        if row_start < head_end
            || start == row_start
            || end > row_end
            || row_end >= table.end
            || text.as_bytes()[row_start] != b'|'
        {
            return None;
        }
        let old_row = &text[row_start..row_end];
        if old_row.contains('\r') || b.has_error {
            return None;
        }
        let new_row = replaced(old_row, start - row_start..end - row_start, new_text);
        // A row that is only its `|` runs on into the next line (tree-sitter-md).
        if blocks::ends_with_an_empty_row(old_row) || blocks::ends_with_an_empty_row(&new_row) {
            return None;
        }
        let compact = compact_head(&text[table.start..head_end]);
        let head = compact.as_deref().unwrap_or(&text[table.start..head_end]);
        // The row read on its own must give the cells the chunk's parse gave it, or the
        // premise does not hold here and the chunk is parsed.
        let old_cells = RowAlone::parse(head, old_row)?;
        let in_chunk = b
            .link_text
            .iter()
            .filter(|r| (row_start..row_end).contains(&r.start))
            .map(|r| r.start - row_start..r.end - row_start);
        if !old_cells.link_text().eq(in_chunk) {
            return None;
        }
        let new_cells = RowAlone::parse(head, &new_row)?;

        let edited = replaced(text, start..end, new_text);
        let row = row_start..row_start + new_row.len();
        let at = |r: Range<usize>| r.start + row_start..r.end + row_start;
        let changed = Changed::Inline(row.clone());
        Some(
            self.shifted(b, (start, end, new_text), edited, changed, |blocks| {
                replace_in(
                    &mut blocks.link_text,
                    |r| r.start,
                    row,
                    new_cells.link_text().map(at),
                )
            }),
        )
    }

    /// The chunk after replacing `start..end` (offsets in the chunk) with `new_text`, if the
    /// edit lies inside the content of the ATX heading the chunk starts with, as described
    /// above.
    ///
    /// The line gives the chunk only its [`super::HeadingBlock`] and the link text in it: it
    /// starts no body block, soft cut, list, code block or definition. The line parsed alone
    /// is checked to give nothing else, and the chunk's parse to hold nothing else in it.
    pub(super) fn edited_inside_heading(
        &self,
        b: &Blocks,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> Option<Chunk> {
        let text = &self.text;
        if new_text.contains(['\n', '\r']) || b.has_error {
            return None;
        }
        let hashes = text.bytes().take_while(|&b| b == b'#').count();
        if !(1..=6).contains(&hashes) || !matches!(text.as_bytes().get(hashes), Some(b' ' | b'\t'))
        {
            return None;
        }
        let line_end = text.find('\n').unwrap_or(text.len());
        if start <= hashes || end > line_end {
            return None;
        }
        let old_line = &text[..line_end];
        if old_line.contains('\r') {
            return None;
        }
        // The line read on its own must give what the chunk's parse gave it: its heading,
        // and nothing else in the line (the line break included).
        let old = HeadingAlone::parse(old_line)?;
        let in_line = line_end + 1;
        let agrees = b.headings.first() == Some(old.block())
            && prefix(&b.link_text, |r| r.start, in_line) == old.blocks.link_text
            && none_in_line(b, in_line);
        if !agrees {
            return None;
        }
        let new_line = replaced(old_line, start..end, new_text);
        let new = HeadingAlone::parse(&new_line)?;
        if new.block().level != old.block().level {
            return None;
        }

        let edited = replaced(text, start..end, new_text);
        let in_line = new_line.len() + 1;
        let changed = Changed::Inline(0..in_line);
        Some(
            self.shifted(b, (start, end, new_text), edited, changed, |blocks| {
                blocks.headings[0] = new.block().clone();
                replace_in(
                    &mut blocks.link_text,
                    |r| r.start,
                    0..in_line,
                    new.blocks.link_text.iter().cloned(),
                );
            }),
        )
    }

    /// The chunk after replacing `start..end` (offsets in the chunk) with `new_text`, if the
    /// edit lies inside a code line of one of its fenced blocks as described above.
    pub(super) fn edited_inside_code(
        &self,
        b: &Blocks,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> Option<Chunk> {
        if new_text.contains(['\n', '\r']) || b.has_error {
            return None;
        }
        let text = &self.text;
        let starts_line = |at: usize| at == 0 || text.as_bytes()[at - 1] == b'\n';
        let (i, block) = b
            .code
            .iter()
            .enumerate()
            .find(|(_, b)| b.range.start < start && end <= b.range.end)?;
        if block.info.is_none()
            || !block.closed
            || !block.top_level
            || !starts_line(block.range.start)
        {
            return None;
        }
        let k = block
            .lines
            .iter()
            .position(|l| l.start <= start && end <= l.end)?;
        let line = block.lines[k].clone();
        // A whole line (not the opening fence's: it is not a code line, but is checked too).
        let old_line = &text[line.clone()];
        if !starts_line(line.start) || old_line.contains('\r') {
            return None;
        }
        let new_line = replaced(old_line, start - line.start..end - line.start, new_text);
        if may_close_a_fence(old_line) || may_close_a_fence(&new_line) {
            return None;
        }
        let edited = replaced(text, start..end, new_text);
        Some(
            self.shifted(b, (start, end, new_text), edited, Changed::Code, |blocks| {
                // The line still starts where it did when the edit was at its start.
                blocks.code[i].lines[k].start = line.start;
            }),
        )
    }

    /// This chunk with `edited` as its text (`start..end` replaced by `new_text`) and
    /// everything at or after `end` of its blocks `b` moved by the edit's length, then
    /// changed by `fix`; its steps are this chunk's and one saying so, and that `changed`
    /// changed.
    fn shifted(
        &self,
        b: &Blocks,
        (start, end, new_text): (usize, usize, &str),
        edited: String,
        changed: Changed,
        fix: impl FnOnce(&mut Blocks),
    ) -> Chunk {
        let at = |x: usize| {
            if x >= end {
                x + new_text.len() - (end - start)
            } else {
                x
            }
        };
        let r = |x: &Range<usize>| at(x.start)..at(x.end);
        let mut blocks = b.clone();
        for h in &mut blocks.headings {
            h.range = r(&h.range);
            h.content = r(&h.content);
        }
        for c in &mut blocks.code {
            c.range = r(&c.range);
            c.lines.iter_mut().for_each(|l| *l = r(l));
        }
        blocks.bold.iter_mut().for_each(|b| b.range = r(&b.range));
        for v in [
            &mut blocks.lists,
            &mut blocks.link_text,
            &mut blocks.definitions,
            &mut blocks.html,
            &mut blocks.tables,
        ] {
            v.iter_mut().for_each(|x| *x = r(x));
        }
        blocks.body_starts.iter_mut().for_each(|x| *x = at(*x));
        blocks.soft_cuts.iter_mut().for_each(|x| *x = at(*x));
        if let Some((e, _)) = &mut blocks.start_list {
            *e = at(*e);
        }
        if let Some((s, _)) = &mut blocks.end_list {
            *s = at(*s);
        }
        let step = Step {
            from: self.id,
            range: start..end,
            inserted: new_text.len(),
            changed,
        };
        fix(&mut blocks);
        let mut steps = Vec::with_capacity((self.steps.len() + 1).min(MAX_STEPS));
        let skip = (self.steps.len() + 1).saturating_sub(MAX_STEPS);
        steps.extend(self.steps.iter().skip(skip).cloned());
        steps.push(step);
        Chunk {
            lines: self.lines.edited(start, end, new_text, &edited),
            text: edited.into(),
            blocks: Packed::pack(&blocks),
            id: ChunkId::next(),
            steps: steps.into(),
        }
    }
}

/// Whether `line` might close a fenced code block: a run of fence characters after spaces
/// or tabs (more than the spec allows, on purpose: such lines are left to a parse).
fn may_close_a_fence(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    t.starts_with("``") || t.starts_with("~~")
}

/// A table's header and delimiter lines with the same cells, each cut to one character of
/// content (`a`) or one dash (alignment colons kept): `None` when a line is not plainly that.
///
/// A data row is read alone under its table's head (`RowAlone`), and what the head gives it
/// is its cell count (a delimiter line must have the header's); a padded head can be much
/// longer than the row, and the row's parse reads all of it.
fn compact_head(head: &str) -> Option<String> {
    let (header, delimiter) = head.strip_suffix('\n')?.split_once('\n')?;
    if header.contains('\r') || delimiter.contains('\r') {
        return None;
    }
    // Cells are split at each `|` that no backslash escapes (GFM: in code spans too).
    let cells = |line: &str| -> Vec<String> {
        let mut out = vec![String::new()];
        let mut escaped = false;
        for c in line.chars() {
            if c == '|' && !escaped {
                out.push(String::new());
            } else {
                out.last_mut().expect("one cell at least").push(c);
            }
            escaped = c == '\\' && !escaped;
        }
        out
    };
    let short = |cell: &str, each: fn(&str) -> Option<String>| -> Option<String> {
        if cell.trim().is_empty() {
            Some(cell.to_string())
        } else {
            each(cell.trim())
        }
    };
    let header: Option<Vec<String>> = cells(header)
        .iter()
        .map(|c| short(c, |_| Some("a".into())))
        .collect();
    let delimiter: Option<Vec<String>> = cells(delimiter)
        .iter()
        .map(|c| {
            short(c, |c| {
                let inner = c.strip_prefix(':').unwrap_or(c);
                let inner = inner.strip_suffix(':').unwrap_or(inner);
                (!inner.is_empty() && inner.bytes().all(|b| b == b'-')).then(|| {
                    let left = if c.starts_with(':') { ":" } else { "" };
                    let right = if c.len() > 1 && c.ends_with(':') {
                        ":"
                    } else {
                        ""
                    };
                    format!("{left}-{right}")
                })
            })
        })
        .collect();
    let (header, delimiter) = (header?.join("|"), delimiter?.join("|"));
    Some(format!("{header}\n{delimiter}\n"))
}

/// `text` with `range` replaced by `new_text`, allocated once at its final size.
fn replaced(text: &str, range: Range<usize>, new_text: &str) -> String {
    let mut out = String::with_capacity(text.len() + new_text.len() - range.len());
    out.push_str(&text[..range.start]);
    out.push_str(new_text);
    out.push_str(&text[range.end..]);
    out
}

/// A table row parsed on its own, under its table's header and delimiter lines.
struct RowAlone {
    blocks: Blocks,
    /// Where the row starts in `chunk`'s text.
    at: usize,
}

impl RowAlone {
    /// `None` unless the text parses as one table holding the row and nothing else.
    fn parse(head: &str, row: &str) -> Option<RowAlone> {
        let text = [head, row, "\n"].concat();
        let len = text.len();
        let b = Chunk::parse(text.into()).blocks();
        let one_table = !b.has_error
            && b.tables.len() == 1
            && b.tables[0] == (0..len)
            && b.body_starts == [0]
            && b.headings.is_empty()
            && b.code.is_empty()
            && b.html.is_empty();
        one_table.then_some(RowAlone {
            at: head.len(),
            blocks: b,
        })
    }

    /// The row's cells that may hold links, relative to the row.
    fn link_text(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.blocks
            .link_text
            .iter()
            .filter(|r| r.start >= self.at)
            .map(|r| r.start - self.at..r.end - self.at)
    }
}

/// An ATX heading line parsed on its own.
struct HeadingAlone {
    blocks: Blocks,
}

impl HeadingAlone {
    /// `None` unless the line parses as one top-level ATX heading and nothing else.
    fn parse(line: &str) -> Option<HeadingAlone> {
        let b = Chunk::parse([line, "\n"].concat().into()).blocks();
        let one_heading = !b.has_error
            && !b.open_at_end
            && b.headings.len() == 1
            && b.headings[0].top_level_atx
            && b.headings[0].range.start == 0
            && none_in_line(&b, usize::MAX)
            && b.start_list.is_none()
            && b.end_list.is_none();
        one_heading.then_some(HeadingAlone { blocks: b })
    }

    fn block(&self) -> &blocks::HeadingBlock {
        &self.blocks.headings[0]
    }
}

/// The items of `v` (sorted by `key`) whose key is below `end`.
fn prefix<T>(v: &[T], key: impl Fn(&T) -> usize, end: usize) -> &[T] {
    &v[..v.partition_point(|x| key(x) < end)]
}

/// Whether nothing but headings and link text starts before `end`: no other block (not all
/// sorted by start: looked through).
fn none_in_line(b: &Blocks, end: usize) -> bool {
    let before = |x: usize| x < end;
    !(b.code.iter().any(|c| before(c.range.start))
        || b.bold.iter().any(|p| before(p.range.start))
        || b.lists.iter().any(|r| before(r.start))
        || b.body_starts.iter().any(|&s| before(s))
        || b.definitions.iter().any(|r| before(r.start))
        || b.soft_cuts.iter().any(|&s| before(s))
        || b.html.iter().any(|r| before(r.start))
        || b.tables.iter().any(|r| before(r.start)))
}

/// Replaces the items of `v` (sorted by `key`) whose key lies in `span` with `new`.
fn replace_in<T>(
    v: &mut Vec<T>,
    key: impl Fn(&T) -> usize,
    span: Range<usize>,
    new: impl Iterator<Item = T>,
) {
    let from = v.partition_point(|x| key(x) < span.start);
    let to = v.partition_point(|x| key(x) < span.end);
    v.splice(from..to, new);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_move_offsets_and_spans() {
        let step = Step {
            from: ChunkId::next(),
            range: 10..14,
            inserted: 1,
            changed: Changed::Nothing,
        };
        assert_eq!((step.moved(9), step.moved(10), step.moved(14)), (9, 10, 11));
        assert_eq!(step.moved_span(0..5), 0..5);
        assert_eq!(step.moved_span(20..30), 17..27);
        // Overlapping spans are widened to what the edit inserted.
        assert_eq!(step.moved_span(12..30), 10..27);
        assert_eq!(step.moved_span(5..12), 5..11);
        assert_eq!(step.moved_span(11..12), 10..11);
    }

    #[test]
    fn a_table_head_is_compacted_cell_for_cell() {
        let compact = |head: &str| compact_head(head);
        assert_eq!(
            compact("| Topic    | Count |\n| :------- | ----: |\n").as_deref(),
            Some("|a|a|\n|:-|-:|\n")
        );
        assert_eq!(
            compact("a \\| b | `c` |  |\n:-:|--|--\n").as_deref(),
            Some("a|a|  |\n:-:|-|-\n")
        );
        // Not a delimiter line, a colon without a dash, a carriage return: left as written.
        assert_eq!(compact("a | b\nx | y\n"), None);
        assert_eq!(compact("a | b\n: | --\n"), None);
        assert_eq!(compact("a | b\r\n-- | --\r\n"), None);
    }

    const TABLE: &str = "## Contents\n\n| No. | Question |\n| --- | -------- |\n\
                         | 1 | [What is a closure?](#what-is-a-closure) |\n\
                         | 2 | [Why?](#why) https://example.com `a|b` |\n\nAfter.\n";

    /// One of the paths of this module.
    type Path = fn(&Chunk, &Blocks, usize, usize, &str) -> Option<Chunk>;

    /// `insert` typed over `delete` bytes at `at` in `text`, through `path`, checked against
    /// a parse of the edited text (its text, line table and blocks) and its step; `None`
    /// when the path does not apply.
    fn through(path: Path, text: &str, at: &str, delete: usize, insert: &str) -> Option<()> {
        let chunk = Chunk::parse(text.into());
        let start = text.find(at).expect("the anchor is in the text");
        let edited = path(&chunk, &chunk.blocks(), start, start + delete, insert)?;
        let mut want = text.to_string();
        want.replace_range(start..start + delete, insert);
        let fresh = Chunk::parse(want.as_str().into());
        let case = format!("{insert:?} at {at:?} of {text:?}");
        assert_eq!(&*edited.text, want, "{case}");
        assert_eq!(edited.lines, fresh.lines, "{case}");
        assert_eq!(edited.blocks, fresh.blocks, "{case}");
        let [step] = edited.steps() else {
            panic!("one step: {case}")
        };
        assert_eq!(step.from, chunk.id(), "{case}");
        assert_eq!(step.range, start..start + delete, "{case}");
        assert_eq!(step.inserted, insert.len(), "{case}");
        assert_ne!(edited.id(), chunk.id(), "{case}");
        if let Changed::Inline(span) = &step.changed {
            // What the edit inserted lies in the span, and the span in the text.
            assert!(
                span.start <= start && start + insert.len() <= span.end,
                "{case}"
            );
            assert!(span.end <= want.len() + 1, "{case}");
        }
        Some(())
    }

    /// Asserts of each case (an anchor, the bytes deleted there, the text inserted) whether
    /// `check` takes it.
    fn assert_taken(
        check: fn(&str, usize, &str) -> Option<()>,
        cases: &[(&str, usize, &str)],
        taken: bool,
    ) {
        for &(at, delete, insert) in cases {
            assert_eq!(
                check(at, delete, insert).is_some(),
                taken,
                "{insert:?} at {at:?}"
            );
        }
    }

    fn check(at: &str, delete: usize, insert: &str) -> Option<()> {
        through(Chunk::edited_inside_table, TABLE, at, delete, insert)
    }

    #[test]
    fn edits_inside_data_rows_skip_the_parse() {
        assert_taken(
            check,
            &[
                ("closure?]", 0, "x"),
                ("closure?]", 1, ""),
                ("](#why)", 1, " "),
                ("(#why)", 0, "|"),
                ("b` |", 0, "\\"),
                ("https", 0, "see "),
                (" 2 |", 0, "é"),
                ("[What", 1, ""),
            ],
            true,
        );
    }

    #[test]
    fn edits_that_may_change_the_structure_are_parsed() {
        assert_taken(
            check,
            &[
                // a line break, the row's leading pipe, the header and delimiter lines
                ("closure?]", 0, "\n"),
                ("| 1 |", 0, "- "),
                ("| 1 |", 1, ""),
                ("Question |", 0, "x"),
                ("-------- |", 0, "-"),
                // a row left as its bare `|` (tree-sitter-md runs it on into the next line)
                (" 1 | [What is a closure?](#what-is-a-closure) |", 47, ""),
                // across two rows, outside the table
                ("closure) |", 14, ""),
                ("After", 0, "x"),
            ],
            false,
        );
    }

    /// A section as chunks hold them: its heading, then an answer with a link, a bold
    /// question, a broken sample, a list, a table and a sub-heading.
    const SECTION: &str = "## What is a closure\n\nIt captures [variables](#vars), see https://x.y.\n\n\
                           **Why?**\n\n```python\ndef f(:\n```\n\n- one\n- two\n\n\
                           | a | b |\n| - | - |\n| [1](#1) | 2 |\n\n### Sub?\n\nMore.\n";

    fn check_heading(text: &str, at: &str, delete: usize, insert: &str) -> Option<()> {
        through(Chunk::edited_inside_heading, text, at, delete, insert)
    }

    #[test]
    fn edits_inside_a_heading_line_skip_the_parse() {
        let question = SECTION.replacen("closure", "closure?", 1);
        let closed = SECTION.replacen("closure", "closure ##", 1);
        for (text, at, delete, insert) in [
            // letters, spaces, at the line's end and right after `## `
            (SECTION, "closure\n", 0, "s"),
            (SECTION, "closure\n", 7, "function"),
            (SECTION, "What", 0, "x"),
            (SECTION, "is a", 0, "  "),
            (SECTION, "\n", 0, " \t"),
            // a question made and unmade
            (SECTION, "\n", 0, "?"),
            (&question, "?", 1, ""),
            (&question, "?", 0, " 🤔"),
            // markup: a link, emphasis, code, a closing sequence
            (SECTION, "\n", 0, " [x](#y)"),
            (SECTION, "What", 0, "**"),
            (SECTION, "closure", 0, "`"),
            (SECTION, "\n", 0, " ##"),
            (&closed, " ##", 0, "x"),
            (&closed, "##\n", 1, ""),
            (SECTION, "What", 0, "#"),
            // multibyte
            (SECTION, "closure", 0, "中文 😀 "),
            (SECTION, "What", 0, "é"),
            // deleting, the whole title included
            (SECTION, "What", 1, ""),
            (SECTION, "What", 17, ""),
        ] {
            assert!(
                check_heading(text, at, delete, insert).is_some(),
                "{insert:?} at {at:?} of {text:?}"
            );
        }
        // A heading that is the whole chunk, with and without its line break, with a NUL.
        for (text, at) in [
            ("# Python\n", "Python"),
            ("# Python", "Python"),
            ("###### Deep \u{0} down\n", "down"),
        ] {
            assert!(check_heading(text, at, 0, "x").is_some(), "{text:?}");
            assert!(check_heading(text, " ", 1, "x").is_none(), "{text:?}");
        }
    }

    #[test]
    fn edits_that_may_change_the_heading_line_are_parsed() {
        let crlf = SECTION.replace('\n', "\r\n");
        for (text, at, delete, insert) in [
            // before or into the `#` run, the space after it
            (SECTION, "## What", 0, "x"),
            (SECTION, "# What", 0, "#"),
            (SECTION, "## What", 0, "#####"),
            (SECTION, "# What", 0, "####"),
            (SECTION, " What", 1, ""),
            (SECTION, " What", 0, "x"),
            // line breaks, across the line's end, below the heading
            (SECTION, "closure", 0, "\n"),
            (SECTION, "closure", 0, "\r"),
            (SECTION, "closure", 0, "x\n\n"),
            (SECTION, "closure\n", 8, ""),
            (SECTION, "\n\nIt", 1, ""),
            (SECTION, "It captures", 0, "x"),
            (SECTION, "Sub?", 0, "x"),
            // CRLF lines, a setext heading, a `#` alone, no heading
            (&crlf, "closure", 0, "x"),
            ("What\n===\n\ntext\n", "What", 0, "x"),
            ("#\n\ntext\n", "#", 1, "x"),
            ("#x\n", "x", 0, "y"),
            ("Some text\n", "text", 0, "x"),
        ] {
            assert!(
                check_heading(text, at, delete, insert).is_none(),
                "{insert:?} at {at:?} of {text:?}"
            );
        }
    }

    /// A section with fenced samples: a broken python one, one in a list (not taken), one
    /// indented by two spaces (not taken), a tilde fence, and text after them.
    const CODE: &str = "## Samples\n\n```python\ndef f(x):\n    return x\n\n```\n\n\
                        - item\n\n  ```python\n  a = 1\n  ```\n\n  ```js\n  let b = 2\n  ```\n\n\
                        ~~~\nplain text\n~~~\n\nAfter [a link](#samples).\n";

    fn check_code(at: &str, delete: usize, insert: &str) -> Option<()> {
        through(Chunk::edited_inside_code, CODE, at, delete, insert)
    }

    #[test]
    fn edits_inside_code_lines_skip_the_parse() {
        assert_taken(
            check_code,
            &[
                ("def f", 0, "x"),
                ("(x):", 1, ""),
                ("(x):", 0, "("),
                ("return", 0, " "),
                ("return x", 8, " + 1"),
                ("x\n\n```\n\n-", 1, "é"),
                ("\n\n```\n\n-", 0, "  pass"),
                ("plain", 0, "`"),
                ("text\n~~~", 4, "😀"),
            ],
            true,
        );
    }

    #[test]
    fn code_edits_that_may_change_the_structure_are_parsed() {
        assert_taken(
            check_code,
            &[
                // line breaks, fences made or unmade, the fence lines themselves
                ("def f", 0, "\n"),
                ("x):\n", 4, ""),
                ("def f", 0, "```"),
                ("def f", 0, "  ~~"),
                ("python\ndef", 0, "x"),
                ("```\n\n- item", 0, "x"),
                ("```\n\n- item", 3, ""),
                // in a list, in an indented fence, outside code
                ("a = 1", 0, "x"),
                ("let b", 0, "x"),
                ("After", 0, "x"),
            ],
            false,
        );
    }
}
