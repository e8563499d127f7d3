//! What a note's block structure holds, read off one chunk's tree-sitter-md tree: headings,
//! code blocks (with the code text of each line, container prefixes stripped), bold
//! paragraphs, lists, and where the top-level blocks start. Offsets are relative to the
//! chunk; [`super::Note`] shifts them.

use std::ops::Range;
use tree_sitter::{Node, Tree};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingBlock {
    /// The heading's lines (for setext, the text and the underline), without the final break.
    pub range: Range<usize>,
    /// The heading's inline text.
    pub content: Range<usize>,
    pub level: u8,
    /// An ATX heading at column 0 outside any container: a place the note may be cut.
    pub top_level_atx: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The whole block, fences included, without the final line break.
    pub range: Range<usize>,
    /// `Some` for a fenced block: its info string (possibly empty).
    pub info: Option<String>,
    /// For fenced blocks: whether a closing fence was found.
    pub closed: bool,
    /// Outside any list or block quote.
    pub top_level: bool,
    /// The code on each line after container prefixes and the block's own indentation,
    /// without the line break.
    pub lines: Vec<Range<usize>>,
    /// The line before the block is `<!-- notes-lsp: nocheck -->`.
    pub nocheck_comment: bool,
    /// The column (tabs to multiples of 4) where the innermost list item holding the block
    /// starts its content; 0 outside lists. A rewrite of the block keeps its lines there.
    pub container_col: usize,
    /// A block quote holds the block (rewrites that re-indent lines leave it alone).
    pub in_quote: bool,
}

/// A paragraph, kept only when it might be a bold question (its text starts with `**`/`__`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoldParagraph {
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocks {
    pub headings: Vec<HeadingBlock>,
    pub code: Vec<CodeBlock>,
    pub bold: Vec<BoldParagraph>,
    pub lists: Vec<Range<usize>>,
    /// Starts of blocks (at any depth) that are not headings: what makes a heading answered.
    pub body_starts: Vec<usize>,
    /// Inline text (paragraphs, table cells) that may hold links: `](` or `://` occurs in it.
    pub link_text: Vec<Range<usize>>,
    /// Paragraphs, at any depth, that open with `**` or a backtick: candidate definition
    /// lines (`**Concurrency** refers to ...`).
    pub definitions: Vec<Range<usize>>,
    /// The chunk's last top-level block is still open at its end (a fence never closed, an
    /// HTML block running into the next line), so text after the chunk belongs to it.
    pub open_at_end: bool,
}

impl Blocks {
    /// Clamps every range to `len` (the parser saw one more byte: a final line break).
    pub fn clamp(&mut self, len: usize) {
        let c = |r: &mut Range<usize>| *r = r.start.min(len)..r.end.min(len);
        for h in &mut self.headings {
            c(&mut h.range);
            c(&mut h.content);
        }
        for b in &mut self.code {
            c(&mut b.range);
            b.lines.iter_mut().for_each(c);
        }
        self.bold.iter_mut().for_each(|b| c(&mut b.range));
        self.lists.iter_mut().for_each(c);
        self.link_text.iter_mut().for_each(c);
        self.definitions.iter_mut().for_each(c);
        self.body_starts.retain(|&s| s < len);
    }
}

const NOCHECK_COMMENT: &str = "<!-- notes-lsp: nocheck -->";

fn is_top_level(node: Node) -> bool {
    node.parent()
        .is_none_or(|p| matches!(p.kind(), "section" | "document"))
}

fn trim_break(text: &str, range: Range<usize>) -> Range<usize> {
    let mut end = range.end;
    let bytes = text.as_bytes();
    while end > range.start && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    range.start..end
}

/// `range` without trailing whitespace (a symbol's range ends at its last visible character).
fn trim_space(text: &str, range: Range<usize>) -> Range<usize> {
    let end = range.start + text[range.clone()].trim_end().len();
    range.start..end
}

/// Start offsets of each line of `text` (the first is 0).
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr_lines(text))
        .collect::<Vec<_>>()
}

fn memchr_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    // Tree-sitter counts rows at '\n' only; a lone '\r' does not start a row for it.
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

pub fn extract(text: &str, tree: &Tree) -> Blocks {
    let mut blocks = Blocks::default();
    let lines = line_starts(text);
    let root = tree.root_node();
    let mut cursor = root.walk();
    // An explicit walk: trees of deeply nested quotes or lists must not recurse on the stack.
    'walk: loop {
        let node = cursor.node();
        let descend = visit(text, &lines, node, &mut blocks);
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    blocks.open_at_end = open_at_end(text, root);
    blocks
}

/// Whether the last top-level block swallows whatever follows the chunk.
fn open_at_end(text: &str, root: Node) -> bool {
    let mut node = root;
    // Descend through the last section of each level to the last top-level block.
    loop {
        let Some(last) = node.named_child(node.named_child_count().saturating_sub(1) as u32) else {
            return false;
        };
        match last.kind() {
            "section" => node = last,
            "fenced_code_block" => return !fence_closed(last),
            "html_block" => return last.end_byte() >= text.trim_end_matches(['\n', '\r']).len(),
            _ => return false,
        }
    }
}

fn fence_closed(node: Node) -> bool {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() == "fenced_code_block_delimiter")
        .count()
        >= 2
}

/// Records what `node` says; returns whether its children are worth visiting.
fn visit(text: &str, lines: &[usize], node: Node, blocks: &mut Blocks) -> bool {
    // Any block that is not a heading answers the heading before it, at any depth: quizzes
    // put a question heading inside a list item and its options in the items after it.
    if matches!(
        node.kind(),
        "paragraph"
            | "fenced_code_block"
            | "indented_code_block"
            | "html_block"
            | "pipe_table"
            | "link_reference_definition"
            | "list"
            | "block_quote"
    ) {
        blocks.body_starts.push(node.start_byte());
    }
    match node.kind() {
        // ERROR: tree-sitter-md recovers from its own scanner confusion by wrapping blocks
        // in ERROR nodes; what they hold is still the note's structure.
        "document" | "section" | "list_item" | "block_quote" | "ERROR" => true,
        "list" => {
            blocks.lists.push(trim_break(text, node.byte_range()));
            true
        }
        "atx_heading" => {
            let level = node
                .child(0)
                .and_then(|m| m.kind().strip_prefix("atx_h"))
                .and_then(|k| k.as_bytes().first())
                .map_or(1, |d| d - b'0');
            let content = child_of_kind(node, "inline")
                .map(|n| n.byte_range())
                .unwrap_or_else(|| {
                    let end = trim_break(text, node.byte_range()).end;
                    end..end
                });
            let top_level_atx = is_top_level(node) && node.start_position().column == 0;
            blocks.headings.push(HeadingBlock {
                range: trim_space(text, node.byte_range()),
                content,
                level,
                top_level_atx,
            });
            false
        }
        "setext_heading" => {
            let level = if child_of_kind(node, "setext_h2_underline").is_some() {
                2
            } else {
                1
            };
            let content = child_of_kind(node, "paragraph")
                .and_then(|p| child_of_kind(p, "inline"))
                .map(|n| n.byte_range())
                .unwrap_or(node.start_byte()..node.start_byte());
            blocks.headings.push(HeadingBlock {
                range: trim_space(text, node.byte_range()),
                content,
                level,
                top_level_atx: false,
            });
            false
        }
        "fenced_code_block" => {
            let info = child_of_kind(node, "info_string")
                .map(|n| text[n.byte_range()].trim().to_string())
                .unwrap_or_default();
            let content = child_of_kind(node, "code_fence_content");
            let code_lines = content
                .map(|c| code_lines(text, lines, node, c.byte_range(), 0))
                .unwrap_or_default();
            push_code(
                text,
                lines,
                node,
                Some(info),
                fence_closed(node),
                code_lines,
                blocks,
            );
            false
        }
        "indented_code_block" => {
            let code_lines = code_lines(text, lines, node, node.byte_range(), 4);
            push_code(text, lines, node, None, true, code_lines, blocks);
            false
        }
        "paragraph" => {
            let start = node.start_byte();
            let rest = &text[start..];
            // Only top-level bold paragraphs stand for questions: one inside a list item is an
            // option or a note within someone else's answer.
            if (rest.starts_with("**") || rest.starts_with("__")) && is_top_level(node) {
                blocks.bold.push(BoldParagraph {
                    range: trim_break(text, node.byte_range()),
                });
            }
            if rest.starts_with("**") || rest.starts_with('`') {
                blocks.definitions.push(trim_break(text, node.byte_range()));
            }
            if let Some(inline) = child_of_kind(node, "inline") {
                push_link_text(text, inline.byte_range(), blocks);
            }
            false
        }
        "pipe_table" | "pipe_table_header" | "pipe_table_row" => true,
        "pipe_table_cell" => {
            push_link_text(text, node.byte_range(), blocks);
            false
        }
        _ => false,
    }
}

fn push_link_text(text: &str, range: Range<usize>, blocks: &mut Blocks) {
    let t = &text[range.clone()];
    if t.contains("](") || t.contains("://") {
        blocks.link_text.push(range);
    }
}

fn push_code(
    text: &str,
    lines: &[usize],
    node: Node,
    info: Option<String>,
    closed: bool,
    code_lines: Vec<Range<usize>>,
    blocks: &mut Blocks,
) {
    let row = node.start_position().row;
    let nocheck_comment = row > 0 && {
        let prev = &text[lines[row - 1]..lines[row]];
        prev.trim() == NOCHECK_COMMENT
    };
    let top_level = is_top_level(node);
    let (mut container_col, mut in_quote, mut up) = (None, false, node.parent());
    while let Some(p) = up {
        match p.kind() {
            "list_item" if container_col.is_none() => {
                container_col = p
                    .child(0)
                    .filter(|m| m.kind().starts_with("list_marker"))
                    .map(|m| visual_col(text, lines, m.end_byte()));
            }
            "block_quote" => in_quote = true,
            _ => {}
        }
        up = p.parent();
    }
    blocks.code.push(CodeBlock {
        range: trim_break(text, node.byte_range()),
        info,
        closed,
        top_level,
        lines: code_lines,
        nocheck_comment,
        container_col: container_col.unwrap_or(0),
        in_quote,
    });
}

/// The column of `at` on its line, a tab reaching the next multiple of 4.
fn visual_col(text: &str, lines: &[usize], at: usize) -> usize {
    let start = lines[row_of(lines, at)];
    text.as_bytes()[start..at]
        .iter()
        .fold(0, |col, &b| match b {
            b'\t' => (col / 4 + 1) * 4,
            _ => col + 1,
        })
}

fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).find(|c| c.kind() == kind)
}

/// The code text of each line of `region`: after the container prefix that tree-sitter marks
/// with `block_continuation`, then after up to `indent` columns of the block's own indentation
/// on the region's first line (later lines' continuations already include it).
fn code_lines(
    text: &str,
    lines: &[usize],
    block: Node,
    region: Range<usize>,
    indent: usize,
) -> Vec<Range<usize>> {
    // Where each row's container prefix ends.
    let mut prefix_end: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![block];
    while let Some(n) = stack.pop() {
        if n.kind() == "block_continuation" {
            prefix_end.push((n.start_position().row, n.end_byte()));
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    prefix_end.sort_unstable();

    let first_row = row_of(lines, region.start);
    let last_row = row_of(lines, region.end);
    let mut out = Vec::new();
    for row in first_row..=last_row {
        let line_start = lines[row];
        let line_end = lines.get(row + 1).copied().unwrap_or(text.len());
        let line_end = trim_break(text, line_start..line_end).end;
        let mut start = if row == first_row {
            region.start
        } else {
            prefix_end
                .iter()
                .rev()
                .find(|(r, _)| *r == row)
                .map_or(line_start, |&(_, e)| e)
        };
        if row == first_row && indent > 0 {
            start = skip_columns(text, start, line_end, indent);
        }
        let end = line_end.min(region.end.max(start));
        if row == last_row && start >= region.end {
            break;
        }
        out.push(start.min(end)..end);
    }
    out
}

fn row_of(lines: &[usize], offset: usize) -> usize {
    lines.partition_point(|&s| s <= offset) - 1
}

/// Skips up to `cols` columns of spaces and tabs (a tab reaching the next multiple of 4).
fn skip_columns(text: &str, mut at: usize, end: usize, cols: usize) -> usize {
    let bytes = text.as_bytes();
    let mut col = 0;
    while at < end && col < cols {
        match bytes[at] {
            b' ' => col += 1,
            b'\t' => col = (col / 4 + 1) * 4,
            _ => break,
        }
        at += 1;
    }
    at
}
