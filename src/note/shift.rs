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
//!   table generated into a README: 690 KB without a blank line).
//! - A GFM table (a README's table of contents: 46 KB and 72 KB in the corpus) is one block
//!   whose rows are single lines. A line that starts with `|` inside a table is a row
//!   whatever it holds (it cannot open another block), and a row's cells depend on that line
//!   alone. So an edit inside a data row, after its leading `|` and without line breaks,
//!   changes only that row's cells: the row is parsed on its own under the table's header
//!   and delimiter lines (a few hundred bytes) and its cells replace the old ones.

use std::ops::Range;
use std::sync::Arc;

use super::{Chunk, blocks};
use crate::analysis::ChunkAnalysis;
use crate::checks::Verdict;
use crate::links::Link;

impl Chunk {
    /// The chunk after replacing `start..end` (offsets in the chunk) with `new_text`, if the
    /// edit lies inside one of its [`super::Blocks::html`] blocks as described above.
    pub(super) fn edited_inside_html(
        &self,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> Option<Chunk> {
        let text = &self.text;
        let block = self
            .blocks
            .html
            .iter()
            .find(|b| b.start < start && end <= b.end)?;
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
        Some(self.shifted(start, end, new_text, edited))
    }

    /// The chunk after replacing `start..end` (offsets in the chunk) with `new_text`, if the
    /// edit lies inside a data row of one of its [`super::Blocks::tables`] as described above.
    pub(super) fn edited_inside_table(
        &self,
        start: usize,
        end: usize,
        new_text: &str,
    ) -> Option<Chunk> {
        let text = &self.text;
        if new_text.contains(['\n', '\r']) {
            return None;
        }
        let table = self
            .blocks
            .tables
            .iter()
            .find(|t| t.start < start && end <= t.end)?;
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
        if old_row.contains('\r') || self.blocks.has_error {
            return None;
        }
        let new_row = [
            &old_row[..start - row_start],
            new_text,
            &old_row[end - row_start..],
        ]
        .concat();
        // A row that is only its `|` runs on into the next line (tree-sitter-md).
        if blocks::ends_with_an_empty_row(old_row) || blocks::ends_with_an_empty_row(&new_row) {
            return None;
        }
        let head = &text[table.start..head_end];
        // The row read on its own must give the cells the chunk's parse gave it, or the
        // premise does not hold here and the chunk is parsed.
        let old_cells = RowAlone::parse(head, old_row)?;
        let in_chunk = self
            .blocks
            .link_text
            .iter()
            .filter(|r| (row_start..row_end).contains(&r.start))
            .map(|r| r.start - row_start..r.end - row_start);
        if !old_cells.link_text().eq(in_chunk) {
            return None;
        }
        let new_cells = RowAlone::parse(head, &new_row)?;

        let edited = replaced(text, start..end, new_text);
        let mut chunk = self.shifted(start, end, new_text, edited);
        let new_row_end = row_start + new_row.len();
        let at = |r: Range<usize>| r.start + row_start..r.end + row_start;
        let row = row_start..new_row_end;
        replace_in(
            &mut chunk.blocks.link_text,
            |r| r.start,
            row.clone(),
            new_cells.link_text().map(at),
        );
        let analysis = Arc::get_mut(&mut chunk.analysis).expect("a chunk just made is not shared");
        replace_in(
            &mut analysis.links,
            |l| l.range.start,
            row.clone(),
            new_cells.links().map(|mut l| {
                l.shift(row_start);
                l
            }),
        );
        replace_in(
            &mut analysis.urls,
            |r| r.start,
            row,
            new_cells.urls().map(at),
        );
        Some(chunk)
    }

    /// This chunk with `edited` as its text (`start..end` replaced by `new_text`) and
    /// everything at or after `end` moved by the edit's length, nothing else changed.
    fn shifted(&self, start: usize, end: usize, new_text: &str, edited: String) -> Chunk {
        let at = |x: usize| {
            if x >= end {
                x + new_text.len() - (end - start)
            } else {
                x
            }
        };
        let r = |x: &Range<usize>| at(x.start)..at(x.end);
        let mut blocks = self.blocks.clone();
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
        let a = &self.analysis;
        let analysis = ChunkAnalysis {
            headings: a
                .headings
                .iter()
                .cloned()
                .map(|mut h| {
                    h.range = r(&h.range);
                    h.title_range = r(&h.title_range);
                    h
                })
                .collect(),
            samples: a
                .samples
                .iter()
                .cloned()
                .map(|mut s| {
                    s.range = r(&s.range);
                    if let Verdict::Broken(b, _) = &mut s.verdict {
                        *b = r(b);
                    }
                    s
                })
                .collect(),
            diagnostics: a
                .diagnostics
                .iter()
                .cloned()
                .map(|mut d| {
                    d.range = r(&d.range);
                    d
                })
                .collect(),
            folds: a
                .folds
                .iter()
                .cloned()
                .map(|mut f| {
                    f.range = r(&f.range);
                    f
                })
                .collect(),
            links: a
                .links
                .iter()
                .cloned()
                .map(|mut l| {
                    l.range = r(&l.range);
                    l.dest_range = r(&l.dest_range);
                    l
                })
                .collect(),
            urls: a.urls.iter().map(r).collect(),
            definitions: a
                .definitions
                .iter()
                .cloned()
                .map(|mut d| {
                    d.range = r(&d.range);
                    d.text_start = at(d.text_start);
                    d
                })
                .collect(),
            lead_body: a.lead_body,
            lead_body_at_0: a.lead_body_at_0,
        };
        Chunk {
            lines: self.lines.edited(start, end, new_text, &edited),
            text: edited,
            blocks,
            analysis: Arc::new(analysis),
        }
    }
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
    chunk: Chunk,
    /// Where the row starts in `chunk`'s text.
    at: usize,
}

impl RowAlone {
    /// `None` unless the text parses as one table holding the row and nothing else.
    fn parse(head: &str, row: &str) -> Option<RowAlone> {
        let text = [head, row, "\n"].concat();
        let len = text.len();
        let chunk = Chunk::parse(text);
        let b = &chunk.blocks;
        let one_table = !b.has_error
            && b.tables.len() == 1
            && b.tables[0] == (0..len)
            && b.body_starts == [0]
            && b.headings.is_empty()
            && b.code.is_empty()
            && b.html.is_empty();
        one_table.then_some(RowAlone {
            chunk,
            at: head.len(),
        })
    }

    /// The row's cells that may hold links, relative to the row.
    fn link_text(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.chunk
            .blocks
            .link_text
            .iter()
            .filter(|r| r.start >= self.at)
            .map(|r| r.start - self.at..r.end - self.at)
    }

    fn links(&self) -> impl Iterator<Item = Link> + '_ {
        self.chunk
            .analysis
            .links
            .iter()
            .filter(|l| l.range.start >= self.at)
            .map(|l| Link {
                range: l.range.start - self.at..l.range.end - self.at,
                dest_range: l.dest_range.start - self.at..l.dest_range.end - self.at,
                ..l.clone()
            })
    }

    fn urls(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.chunk
            .analysis
            .urls
            .iter()
            .filter(|r| r.start >= self.at)
            .map(|r| r.start - self.at..r.end - self.at)
    }
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
    use crate::analysis::analyze_chunk;

    const TABLE: &str = "## Contents\n\n| No. | Question |\n| --- | -------- |\n\
                         | 1 | [What is a closure?](#what-is-a-closure) |\n\
                         | 2 | [Why?](#why) https://example.com `a|b` |\n\nAfter.\n";

    /// The edit through the table path, checked against a parse of the edited text; `None`
    /// when the path does not apply.
    fn check(at: &str, delete: usize, insert: &str) -> Option<()> {
        let chunk = Chunk::parse(TABLE.to_string());
        let start = TABLE.find(at).expect("the anchor is in the table");
        let edited = chunk.edited_inside_table(start, start + delete, insert)?;
        let mut text = TABLE.to_string();
        text.replace_range(start..start + delete, insert);
        let fresh = Chunk::parse(text.clone());
        assert_eq!(edited.text, text);
        assert_eq!(
            edited.blocks, fresh.blocks,
            "blocks after {insert:?} at {at:?}"
        );
        let (a, b) = (&*edited.analysis, analyze_chunk(&text, &fresh.blocks));
        assert_eq!(a.links, b.links);
        assert_eq!(a.urls, b.urls);
        assert_eq!(a.headings, b.headings);
        Some(())
    }

    #[test]
    fn edits_inside_data_rows_skip_the_parse() {
        for (at, delete, insert) in [
            ("closure?]", 0, "x"),
            ("closure?]", 1, ""),
            ("](#why)", 1, " "),
            ("(#why)", 0, "|"),
            ("b` |", 0, "\\"),
            ("https", 0, "see "),
            (" 2 |", 0, "é"),
            ("[What", 1, ""),
        ] {
            assert!(check(at, delete, insert).is_some(), "{insert:?} at {at:?}");
        }
    }

    #[test]
    fn edits_that_may_change_the_structure_are_parsed() {
        for (at, delete, insert) in [
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
        ] {
            assert!(check(at, delete, insert).is_none(), "{insert:?} at {at:?}");
        }
    }
}
