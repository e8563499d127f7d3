//! Edits inside a big HTML block, without a parse.
//!
//! A top-level HTML block that starts with a block-level tag (`<table>`, `<div>`, ...) ends at
//! the first blank line, whatever its lines hold; tree-sitter-md makes one node of it and the
//! extraction reads nothing inside. So an edit that stays inside such a block, below its first
//! line and above the blank line that ends it, and leaves no line blank, changes nothing about
//! the chunk but where the things after the edit are: they move by the edit's length. Real
//! notes have such blocks of hundreds of kilobytes (a contributors table generated into a
//! README: 690 KB without a blank line), where a parse per keystroke costs 150 ms.

use std::ops::Range;
use std::sync::Arc;

use super::Chunk;
use super::position::Lines;
use crate::analysis::ChunkAnalysis;
use crate::checks::Verdict;

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
        let mut edited = String::with_capacity(text.len() + new_text.len() - (end - start));
        edited.push_str(&text[..start]);
        edited.push_str(new_text);
        edited.push_str(&text[end..]);
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
        Some(Chunk {
            lines: Lines::of(&edited),
            text: edited,
            blocks,
            analysis: Arc::new(analysis),
        })
    }
}
