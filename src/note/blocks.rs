//! What a note's block structure holds, read off one chunk's tree-sitter-md tree: headings,
//! code blocks (with the code text of each line, container prefixes stripped), bold
//! paragraphs, lists, and where the top-level blocks start. Offsets are relative to the
//! chunk; [`super::Note`] shifts them.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Node, Tree};

/// tree-sitter-md's node kind names by kind id (aliases included: every id a name has).
static KINDS: LazyLock<Vec<Box<str>>> = LazyLock::new(|| {
    let lang = tree_sitter::Language::new(tree_sitter_md::LANGUAGE);
    (0..lang.node_kind_count())
        .map(|id| {
            let id = u16::try_from(id).expect("tree-sitter kind ids are u16");
            lang.node_kind_for_id(id).unwrap_or("").into()
        })
        .collect()
});

/// `node.kind()` for a node of a tree-sitter-md tree, read from a table: `kind()` measures
/// and UTF-8-checks the grammar's C string on every call, and the walk over a chunk's tree
/// asks it for every node several times. Ids past the table (ERROR's) ask the node.
fn kind<'t>(node: Node<'t>) -> &'t str {
    match KINDS.get(usize::from(node.kind_id())) {
        Some(k) => k,
        None => node.kind(),
    }
}

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

/// A block that holds others and ends them with itself (CommonMark's container blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    ListItem,
    BlockQuote,
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
    /// The innermost container holding the block, if any: an unclosed fence ends with it.
    pub container: Option<Container>,
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
    /// Where the chunk could be cut besides its headings: starts of top-level blocks and of
    /// the items of top-level lists that begin at column 0 after a blank line
    /// ([`soft_start_ok`] holds for them).
    pub soft_cuts: Vec<usize>,
    /// The chunk's first top-level block is a list starting at offset 0: where it ends
    /// (trailing line breaks excluded) and its first item's [`marker_kind`].
    pub start_list: Option<(usize, u8)>,
    /// The chunk's last top-level block is a list that text after the chunk may continue:
    /// where it starts and its last item's [`marker_kind`]. A next chunk starting with an
    /// item of the same kind continues it. `None` for a list the parser has closed (see
    /// [`closed_by_blank_lines`]).
    pub end_list: Option<(usize, u8)>,
    /// tree-sitter-md recovered from an error somewhere in the chunk. Its trees then stop
    /// following CommonMark (a fence after blank lines lands inside a list item), so blank
    /// lines next to such a chunk are no place to cut.
    pub has_error: bool,
    /// Top-level HTML blocks that end at a blank line (a block-level tag such as `<table>`),
    /// blank lines included: an edit inside one that makes no line blank changes nothing
    /// else about the chunk (see `shift.rs`).
    pub html: Vec<Range<usize>>,
    /// Top-level GFM tables: an edit inside one data row that keeps it a row changes
    /// nothing about the chunk but that row's cells (see `shift.rs`).
    pub tables: Vec<Range<usize>>,
}

impl Blocks {
    /// Drops the spare capacity the lists grew with: a chunk's blocks are kept for as long
    /// as the chunk, and an open note has hundreds of chunks.
    pub fn shrink(&mut self) {
        self.headings.shrink_to_fit();
        for b in &mut self.code {
            b.lines.shrink_to_fit();
        }
        self.code.shrink_to_fit();
        self.bold.shrink_to_fit();
        self.lists.shrink_to_fit();
        self.body_starts.shrink_to_fit();
        self.link_text.shrink_to_fit();
        self.definitions.shrink_to_fit();
        self.soft_cuts.shrink_to_fit();
        self.html.shrink_to_fit();
        self.tables.shrink_to_fit();
    }

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
        self.soft_cuts.retain(|&s| s < len);
        self.html.iter_mut().for_each(c);
        self.tables.iter_mut().for_each(c);
        if let Some((end, _)) = &mut self.start_list {
            *end = (*end).min(len);
        }
        if self.end_list.is_some_and(|(start, _)| start >= len) {
            self.end_list = None;
        }
    }
}

/// Whether the line before `at` (a line start) is blank: `at` follows a blank line.
pub fn follows_blank_line(text: &str, at: usize) -> bool {
    let before = &text.as_bytes()[..at];
    let before = match before {
        [rest @ .., b'\r', b'\n'] | [rest @ .., b'\n'] | [rest @ .., b'\r'] => rest,
        _ => return false,
    };
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    before[line_start..]
        .iter()
        .all(|&b| b == b' ' || b == b'\t')
}

/// Whether a piece of a note may start with `text` after a blank line, that is whether its
/// first line can only start a new block, whatever came before the blank line: it starts at
/// column 0 with a visible character (an indented line could continue a list item or an
/// indented code block), and is not `---` or `+++` (front matter at a piece's start).
/// A list item of the kind the blank line follows continues that list: chunks that start so
/// are stitched back into one list (see `analysis.rs`).
pub fn soft_start_ok(text: &str) -> bool {
    match text.as_bytes().first() {
        None | Some(b' ' | b'\t' | b'\n' | b'\r') => false,
        Some(_) => !(text.starts_with("---") || text.starts_with("+++")),
    }
}

/// The kind of list item `line` starts, if it starts one at column 0: its bullet (`-`, `+`,
/// `*`) or its ordered delimiter (`.`, `)`), as tree-sitter-md's marker nodes tell them apart.
pub fn marker_kind(line: &str) -> Option<u8> {
    let b = line.as_bytes();
    let after = |i: usize| matches!(b.get(i), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
    match b.first()? {
        c @ (b'-' | b'+' | b'*') if after(1) => Some(*c),
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            match b.get(digits) {
                Some(c @ (b'.' | b')')) if digits <= 9 && after(digits + 1) => Some(*c),
                _ => None,
            }
        }
        _ => None,
    }
}

fn list_items(list: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|c| kind(*c) == "list_item")
        .collect()
}

fn node_marker_kind(item: Node) -> Option<u8> {
    match kind(item.child(0)?) {
        "list_marker_minus" => Some(b'-'),
        "list_marker_plus" => Some(b'+'),
        "list_marker_star" => Some(b'*'),
        "list_marker_dot" => Some(b'.'),
        "list_marker_parenthesis" => Some(b')'),
        _ => None,
    }
}

/// The top-level blocks of a tree, in order (sections are looked through).
fn top_level_blocks(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let mut cursor = n.walk();
        for c in n.named_children(&mut cursor) {
            if kind(c) == "section" {
                stack.push(c);
            } else {
                out.push(c);
            }
        }
    }
    out.sort_by_key(|n| n.start_byte());
    out
}

const NOCHECK_COMMENT: &str = "<!-- notes-lsp: nocheck -->";

fn is_top_level(node: Node) -> bool {
    node.parent()
        .is_none_or(|p| matches!(kind(p), "section" | "document"))
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

/// Start offsets of each line of `text` (the first is 0). Lines end at `\n`, `\r\n` or a lone
/// `\r`, as in CommonMark (and tree-sitter-md's grammar, whose rows count `\n` only).
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr_lines(text))
        .collect::<Vec<_>>()
}

fn memchr_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map(|(i, _)| i + 1)
}

/// The column of byte `at` in bytes from its line's start (lines as [`line_starts`] has them;
/// tree-sitter's columns run on past a lone `\r`).
fn column(lines: &[usize], at: usize) -> usize {
    at - lines[row_of(lines, at)]
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
    blocks.open_at_end = open_at_end(text, root) || unclosed_front_matter(text, root);
    blocks.has_error = root.has_error();
    let top = top_level_blocks(root);
    let soft = |at: usize| {
        !blocks.has_error
            && at > 0
            && column(&lines, at) == 0
            && follows_blank_line(text, at)
            && soft_start_ok(&text[at..])
    };
    for n in &top {
        if kind(*n) == "html_block" && block_tag(&text[n.byte_range()]) {
            blocks.html.push(n.byte_range());
        }
        if kind(*n) == "pipe_table" {
            blocks.tables.push(n.byte_range());
        }
        if soft(n.start_byte()) {
            blocks.soft_cuts.push(n.start_byte());
        }
        if kind(*n) == "list" {
            let mut cursor = n.walk();
            for item in n.named_children(&mut cursor) {
                if kind(item) == "list_item"
                    && item.start_byte() > n.start_byte()
                    && soft(item.start_byte())
                {
                    blocks.soft_cuts.push(item.start_byte());
                }
            }
        }
    }
    if let Some(first) = top
        .first()
        .filter(|n| kind(**n) == "list" && n.start_byte() == 0)
        && let Some(kind) = list_items(*first)
            .first()
            .and_then(|i| node_marker_kind(*i))
    {
        blocks.start_list = Some((trim_break(text, first.byte_range()).end, kind));
    }
    if let Some(last) = top.last().filter(|n| kind(**n) == "list")
        && let Some(item) = list_items(*last).last()
        && !closed_by_blank_lines(text, *item)
        && let Some(kind) = node_marker_kind(*item)
    {
        blocks.end_list = Some((last.start_byte(), kind));
    }
    blocks
}

/// Whether `item`, the last item of a list ending its chunk, is empty (nothing after its
/// marker) and followed by two or more blank lines up to the chunk's end. tree-sitter-md closes
/// such an item and its list, so an item of the same kind after the blank lines starts
/// another list (CommonMark would continue the list; the parse of the whole note is the
/// reference).
fn closed_by_blank_lines(text: &str, item: Node) -> bool {
    let Some(marker) = item.child(0) else {
        return false;
    };
    let rest = &text[marker.end_byte()..];
    if !rest
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return false;
    }
    // Line breaks: the marker line's, then one per blank line (`\r\n` is one).
    let breaks =
        rest.matches('\n').count() + rest.matches('\r').count() - rest.matches("\r\n").count();
    breaks >= 3
}

/// Whether the last top-level block swallows whatever follows the chunk.
fn open_at_end(text: &str, root: Node) -> bool {
    let mut node = root;
    // Descend through the last section of each level to the last top-level block.
    loop {
        let Some(last) = node.named_child(node.named_child_count().saturating_sub(1) as u32) else {
            return false;
        };
        match kind(last) {
            "section" => node = last,
            "fenced_code_block" => return !fence_closed(last),
            "html_block" => return !html_closed(text, last),
            "pipe_table" => return ends_with_an_empty_row(&text[last.byte_range()]),
            _ => return false,
        }
    }
}

/// Whether a table's last line is a row holding nothing but its leading `|`: tree-sitter-md
/// continues such a row on the next line, whatever that line is (a heading included).
pub fn ends_with_an_empty_row(table: &str) -> bool {
    let last = table.trim_end_matches(['\n', '\r']);
    let line = &last[last.rfind(['\n', '\r']).map_or(0, |i| i + 1)..];
    line.trim_start()
        .strip_prefix('|')
        .is_some_and(|rest| rest.trim().is_empty())
}

/// Whether the text opens with a `---`/`+++` line that is not closed into front matter here:
/// a closing line further on (in a later chunk) would make it front matter, headings and all.
fn unclosed_front_matter(text: &str, root: Node) -> bool {
    // tree-sitter-md takes the opening line with any indentation; it ends at `\n`, `\r\n` or
    // a lone `\r`, as every line of its front matter does.
    let first = text.split(['\n', '\r']).next().unwrap_or("").trim();
    (first == "---" || first == "+++")
        && !root
            .named_child(0)
            .is_some_and(|n| matches!(kind(n), "minus_metadata" | "plus_metadata"))
}

/// Whether an HTML block that is the chunk's last block has ended, so that the next line
/// starts a new block. Read off what tree-sitter-md did, not off CommonMark's rules (it keeps
/// `<!X ...>` blocks open past their `>`): the block ended if text follows it in the chunk,
/// or if it is of the kind that ends at a blank line (a block-level tag such as `<table>`)
/// and ends with one. Anything else may run on into the next chunk.
fn html_closed(text: &str, node: Node) -> bool {
    if node.end_byte() < text.len() {
        return true;
    }
    let block = &text[node.byte_range()];
    block_tag(block) && follows_blank_line(block, block.len())
}

/// Whether an HTML block starts with a block-level tag (CommonMark's start condition 6), so
/// that only a blank line ends it.
fn block_tag(block: &str) -> bool {
    let first = block.lines().next().unwrap_or("").trim_start_matches(' ');
    let name: String = first
        .strip_prefix("</")
        .or_else(|| first.strip_prefix('<'))
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let after = &first[first
        .find(name.as_str())
        .map_or(first.len(), |i| i + name.len())..];
    BLOCK_TAGS.contains(&name.as_str())
        && (after.is_empty() || after.starts_with([' ', '\t', '>']) || after.starts_with("/>"))
}

/// CommonMark's HTML block start condition 6: these tags start a block that ends at a blank
/// line.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "base",
    "basefont",
    "blockquote",
    "body",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "link",
    "main",
    "menu",
    "menuitem",
    "nav",
    "noframes",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "search",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
];

fn fence_closed(node: Node) -> bool {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| kind(*c) == "fenced_code_block_delimiter")
        .count()
        >= 2
}

/// Records what `node` says; returns whether its children are worth visiting.
fn visit(text: &str, lines: &[usize], node: Node, blocks: &mut Blocks) -> bool {
    // Any block that is not a heading answers the heading before it, at any depth: quizzes
    // put a question heading inside a list item and its options in the items after it.
    if matches!(
        kind(node),
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
    match kind(node) {
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
                .and_then(|m| kind(m).strip_prefix("atx_h"))
                .and_then(|k| k.as_bytes().first())
                .map_or(1, |d| d - b'0');
            let content = child_of_kind(node, "inline")
                .map(|n| n.byte_range())
                .unwrap_or_else(|| {
                    let end = trim_break(text, node.byte_range()).end;
                    end..end
                });
            let top_level_atx = is_top_level(node) && column(lines, node.start_byte()) == 0;
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
    let row = row_of(lines, node.start_byte());
    let nocheck_comment = row > 0 && {
        let prev = &text[lines[row - 1]..lines[row]];
        prev.trim() == NOCHECK_COMMENT
    };
    // Walked up to the root: a heading inside a list item makes a section there, so the
    // parent alone does not tell a block at the top from one in a container.
    let (mut container_col, mut in_quote, mut up) = (None, false, node.parent());
    let mut container = None;
    while let Some(p) = up {
        match kind(p) {
            "list_item" => {
                container.get_or_insert(Container::ListItem);
                if container_col.is_none() {
                    container_col = p
                        .child(0)
                        .filter(|m| kind(*m).starts_with("list_marker"))
                        .map(|m| visual_col(text, lines, m.end_byte()));
                }
            }
            "block_quote" => {
                container.get_or_insert(Container::BlockQuote);
                in_quote = true;
            }
            _ => {}
        }
        up = p.parent();
    }
    let top_level = container.is_none();
    blocks.code.push(CodeBlock {
        range: trim_break(text, node.byte_range()),
        info,
        closed,
        top_level,
        container,
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

fn child_of_kind<'t>(node: Node<'t>, wanted: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|c| kind(*c) == wanted)
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
    let first_row = row_of(lines, region.start);
    let last_row = row_of(lines, region.end);
    // Where each row's container prefix ends: the `block_continuation` nodes among the
    // block's named descendants (one walk, not descending into them or into unnamed nodes).
    let mut prefix_end: Vec<(usize, usize)> = Vec::with_capacity(last_row - first_row + 2);
    let mut cursor = block.walk();
    'walk: loop {
        let n = cursor.node();
        if n.is_named() {
            if kind(n) == "block_continuation" {
                prefix_end.push((row_of(lines, n.start_byte()), n.end_byte()));
            } else if cursor.goto_first_child() {
                continue;
            }
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    prefix_end.sort_unstable();

    let mut out = Vec::with_capacity(last_row + 1 - first_row);
    // Rows after a blank line inside an indented block get only their container's
    // continuation from tree-sitter-md, not the block's own four columns: they are skipped
    // up to the column the first row's code starts at.
    let mut code_col = None;
    for row in first_row..=last_row {
        let line_start = lines[row];
        let line_end = lines.get(row + 1).copied().unwrap_or(text.len());
        let line_end = trim_break(text, line_start..line_end).end;
        let mut start = if row == first_row {
            region.start
        } else {
            // The last continuation on this row (they are sorted: a binary search; a scan per
            // row would be quadratic in a long code block).
            let i = prefix_end.partition_point(|&(r, _)| r <= row);
            match i.checked_sub(1).map(|i| prefix_end[i]) {
                Some((r, e)) if r == row => e,
                _ => line_start,
            }
        };
        if row == first_row && indent > 0 {
            start = skip_columns(text, start, line_end, indent);
            code_col = Some(visual_col(text, lines, start));
        } else if let Some(col) = code_col {
            let mut c = visual_col(text, lines, start);
            while start < line_end && c < col {
                match text.as_bytes()[start] {
                    b' ' => c += 1,
                    b'\t' => c = (c / 4 + 1) * 4,
                    _ => break,
                }
                start += 1;
            }
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
