//! What tree-sitter-md is given to parse: the text with its prose lines masked and the
//! spaces between other words joined.
//!
//! The block grammar reads a line as one token per word, per run of spaces and per
//! punctuation character (`_word`, `_whitespace`, `,`, `(`, `*`...), and the parse costs
//! about the same per token whatever it is, so prose is most of a note's parse. Which blocks a note has is decided at the start of each line;
//! past it, only a few things matter: an HTML block's end (`-->`), a table's `|`, a link
//! reference definition's parts, a fence's info string (`python nocheck`: the language is the
//! first word), an HTML tag's attributes (a line that is one complete tag opens an HTML
//! block). So a line that starts, after its indentation and list marker, with a letter and
//! has none of those is masked whole (`joined`), as is a line inside an HTML block that only
//! a blank line ends (`<table>`, `<details>`), and on other lines only a space between
//! two word characters becomes one, outside the cases above. Lengths and line starts stay,
//! so every block node keeps its kind and byte range; only the tokens inside `inline` and
//! code change, which nothing reads (blocks are read off the named nodes and the text).
//! [`same_tree`] is the check, run by the tests over fixtures and random notes and by
//! `examples/same_trees.rs` over a folder of real notes.

use tree_sitter::{Parser, Point, Range, Tree};

/// Whether the block grammar reads `b` as part of a word. ASCII letters and digits, and every
/// byte of a non-ASCII character, which the grammar's `_word` takes whatever it is.
fn wordy(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Lines whose spaces must stay: a fence's opening line (its info string), anything with an
/// HTML tag, and a link reference definition's label line.
fn keeps_spaces(line: &[u8]) -> bool {
    memchr::memchr(b'<', line).is_some()
        || memchr::memmem::find(line, b"```").is_some()
        || memchr::memmem::find(line, b"~~~").is_some()
        || memchr::memmem::find(line, b"]:").is_some()
}

/// Whether a link reference definition's destination may start on the line after `line`:
/// its label ends the line (`[label]:`).
fn label_ends(line: &[u8]) -> bool {
    line.trim_ascii_end().ends_with(b"]:")
}

/// Whether `line` (one line, with its line break) may hold a character that decides blocks
/// wherever it stands: an HTML block's end (`-->`, `?>`, `]]>`, `</pre>`: all hold `>`), an
/// HTML tag, a table's cell separator, a carriage return that breaks the line (one before
/// the final `\n` only ends it), or a NUL, where tree-sitter's lexer sees the end of input.
fn has_block_chars(line: &[u8]) -> bool {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    memchr::memchr3(b'<', b'>', b'|', body).is_some() || memchr::memchr2(b'\r', 0, body).is_some()
}

fn blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Where a line's prose starts: after its indentation, one list marker (`-`, `+`, `*`, or up
/// to nine digits and `.` or `)`, then a space or tab) and a task box (`[ ]`, `[x]`), if the
/// next character is a letter (or starts a non-ASCII character), or one or two `*`, `_` or
/// backticks before a letter (emphasis or a code span: too few for a thematic break or a
/// fence, and no space for a list marker). Such a line is paragraph text, a list item's
/// first line, a table row without cells, or a line of code, front matter or an HTML block;
/// which one never depends on the words after that start. An ATX heading's text is prose
/// too, from its first character, when no `#` ends the line (a closing sequence).
fn prose_start(line: &[u8]) -> Option<usize> {
    let skip_blank = |mut i: usize| {
        while matches!(line.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let mut i = skip_blank(0);
    let digits = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let marker = match line.get(i) {
        Some(b'-' | b'+' | b'*') => 1,
        Some(b'0'..=b'9') if digits <= 9 && matches!(line.get(i + digits), Some(b'.' | b')')) => {
            digits + 1
        }
        _ => 0,
    };
    if marker > 0 && matches!(line.get(i + marker), Some(b' ' | b'\t')) {
        i = skip_blank(i + marker);
        if task_box(&line[i..]) {
            i = skip_blank(i + 3);
        }
    }
    let letter = |at: usize| {
        line.get(at)
            .is_some_and(|&b| b.is_ascii_alphabetic() || b >= 0x80)
    };
    match line.get(i) {
        Some(&c @ (b'*' | b'_' | b'`')) => {
            let run = line[i..].iter().take_while(|&&b| b == c).count();
            (run <= 2 && letter(i + run)).then_some(i)
        }
        Some(b'#') => {
            let hashes = line[i..].iter().take_while(|&&b| b == b'#').count();
            let text = i
                + hashes
                + line[i + hashes..]
                    .iter()
                    .take_while(|&&b| b == b' ' || b == b'\t')
                    .count();
            let closing = line.trim_ascii_end().ends_with(b"#");
            ((1..=6).contains(&hashes)
                && text > i + hashes
                && !closing
                && line.get(text).is_some_and(|b| !b.is_ascii_whitespace()))
            .then_some(text)
        }
        _ => letter(i).then_some(i),
    }
}

/// `[ ]`, `[x]` or `[X]` and a space or tab: a task list item's box, not a link label.
fn task_box(rest: &[u8]) -> bool {
    matches!(rest, [b'[', b' ' | b'x' | b'X', b']', b' ' | b'\t', ..])
}

/// Whether a link reference definition may start on `line`: a `[` before its first word
/// character that is not a task box. The definition (label, destination, title) may go on
/// over the lines after it, up to a blank line.
fn opens_definition(line: &[u8]) -> bool {
    let first_word = line.iter().position(|&b| wordy(b)).unwrap_or(line.len());
    line[..first_word]
        .iter()
        .position(|&b| b == b'[')
        .is_some_and(|at| !task_box(&line[at..]))
}

/// Where the line-by-line scan of [`joined`] is, as far as it needs to know: whether the line
/// it reads is inside an HTML block of type 6 (`<table>`, `<div>`, `<details>`...) that a
/// blank line ends, and nothing else can. Every later line of such a block is masked whole:
/// a generated table of tags can fill hundreds of kilobytes in one block, which the block
/// grammar reads as a token per tag character.
///
/// Only a block that opens at column 0, at the top level, counts, and the scan stays on the
/// safe side: a fence at column 0 and front matter (which may hold blank lines and `<table>`
/// lines) are followed to their end; a fence indented by one to three spaces (at the top
/// level or in a list item: only a parse can tell) or another kind of HTML block (whose end
/// marker a parse may see elsewhere than a scan), unless a one-line comment, stops the search
/// for the rest of the note; a type-6 line opens a block only after a blank line (or the
/// note's start, or a one-line comment or heading that itself came after one), where no
/// table, paragraph or definition can be going on.
struct HtmlBlocks {
    state: Scan,
    /// Set after a line that leaves no block open at the top level.
    clean: bool,
    /// Whether a line was read.
    started: bool,
}

enum Scan {
    Top,
    /// A fence of this character and length opened at column 0.
    Fence(u8, usize),
    /// Front matter, until this line.
    FrontMatter(&'static [u8]),
    /// A type-6 HTML block's lines after its first.
    InBlock,
    /// Up to a blank line, a fence or an HTML block's start may be content or not.
    Unsure,
    /// Something only a parse could follow: no more blocks are looked for.
    Lost,
}

/// Tag names that open a type-6 HTML block, as tree-sitter-md's scanner has them (it reads
/// only letters: `h1`'s name is `h`, so it opens none).
const BLOCK_TAGS: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"base",
    b"basefont",
    b"blockquote",
    b"body",
    b"caption",
    b"center",
    b"col",
    b"colgroup",
    b"dd",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"dt",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"frame",
    b"frameset",
    b"head",
    b"header",
    b"hr",
    b"html",
    b"iframe",
    b"legend",
    b"li",
    b"link",
    b"main",
    b"menu",
    b"menuitem",
    b"nav",
    b"noframes",
    b"ol",
    b"optgroup",
    b"option",
    b"p",
    b"param",
    b"section",
    b"source",
    b"summary",
    b"table",
    b"tbody",
    b"td",
    b"tfoot",
    b"th",
    b"thead",
    b"title",
    b"tr",
    b"track",
    b"ul",
];

/// Whether `rest` (from its `<`) opens an HTML block of type 1 to 5 (`<pre`, `<script`,
/// `<style`, `<!--`, `<?`, `<!X`, `<![CDATA[`), which only its own end marker closes.
fn opens_other_html(rest: &[u8]) -> bool {
    let Some(after) = rest.strip_prefix(b"<") else {
        return false;
    };
    if after.starts_with(b"!") || after.starts_with(b"?") {
        return true;
    }
    [&b"pre"[..], b"script", b"style"].iter().any(|name| {
        after.len() >= name.len()
            && after[..name.len()].eq_ignore_ascii_case(name)
            && matches!(
                after.get(name.len()),
                None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'>')
            )
    })
}

/// Whether `rest` is a comment that ends where it starts, as written in front of a block:
/// `<!-- markdownlint-disable -->`. The end is the line's, after a space, where no word or
/// escape can take its characters.
fn one_line_comment(rest: &[u8]) -> bool {
    let t = rest.trim_ascii_end();
    t.starts_with(b"<!--")
        && (t.ends_with(b" -->") || t.ends_with(b"\t-->"))
        && t.len() >= b"<!-- -->".len()
}

/// Whether `line` opens a type-6 HTML block where it starts, as tree-sitter-md's scanner
/// decides it: `<` or `</`, a tag name of [`BLOCK_TAGS`], then a space, a tab, the line's end,
/// `>` or `/>`.
fn opens_block(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"<") else {
        return false;
    };
    let rest = rest.strip_prefix(b"/").unwrap_or(rest);
    let name = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let after = &rest[name..];
    (1..=10).contains(&name)
        && (matches!(after.first(), Some(b' ' | b'\t' | b'\n' | b'\r' | b'>'))
            || after.starts_with(b"/>"))
        && BLOCK_TAGS
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&rest[..name]))
}

/// Whether `line` (from its first non-space) is a fence: three or more backticks with none
/// after them, or three or more tildes. Returns its character and length.
fn fence(line: &[u8]) -> Option<(u8, usize)> {
    let c = *line.first().filter(|c| matches!(c, b'`' | b'~'))?;
    let n = line.iter().take_while(|&&b| b == c).count();
    (n >= 3 && (c == b'~' || memchr::memchr(b'`', &line[n..]).is_none())).then_some((c, n))
}

/// Whether `rest`, after `spaces` spaces, opens a fence or an HTML block of type 1 to 5 (a
/// block a blank line does not end) at the top level or in a container.
fn opens_other_block(spaces: usize, rest: &[u8]) -> bool {
    spaces <= 3 && (fence(rest).is_some() || opens_other_html(rest))
}

impl HtmlBlocks {
    /// Whether the line just read is in front matter, which tree-sitter-md reads as one
    /// token: its scanner counts columns (modulo 4, for tabs) through it without starting
    /// again at each line, so a skipped run or a character changed in length there would
    /// shift the tab stops of the line after.
    fn in_front_matter(&self) -> bool {
        matches!(self.state, Scan::FrontMatter(_))
    }

    fn new() -> HtmlBlocks {
        HtmlBlocks {
            state: Scan::Top,
            clean: true,
            started: false,
        }
    }

    /// Reads the next line; whether its content decides nothing: a type-6 block's line after
    /// its first, or a line with text inside a fence opened at column 0 that does not close
    /// it (only a closing fence ends a fence at the top level).
    fn inside(&mut self, line: &[u8]) -> bool {
        let first = !std::mem::replace(&mut self.started, true);
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        // A carriage return breaks the line where tree-sitter reads it, a NUL ends the input.
        if memchr::memchr2(b'\r', 0, body).is_some() {
            self.state = Scan::Lost;
        }
        let spaces = body.iter().take_while(|&&b| b == b' ').count();
        let rest = &body[spaces..];
        // Indentation holding a tab reaches column 4 on a line that starts at column 0, but
        // tree-sitter-md's scanner may carry columns over from front matter (see
        // `in_front_matter`): whether a fence or an HTML block opens there is its to say.
        let indent = body
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        if matches!(self.state, Scan::Top | Scan::Unsure)
            && body[..indent].contains(&b'\t')
            && opens_other_block(0, &body[indent..])
        {
            self.state = Scan::Lost;
            return false;
        }
        match self.state {
            Scan::Lost => false,
            Scan::InBlock if blank(line) => {
                self.state = Scan::Top;
                self.clean = true;
                false
            }
            Scan::InBlock => true,
            Scan::Fence(c, n) => {
                let closes = fence(rest).is_some_and(|(d, m)| {
                    d == c && m >= n && rest[m..].iter().all(|&b| b == b' ' || b == b'\t')
                });
                if spaces <= 3 && closes {
                    self.state = Scan::Top;
                    self.clean = false;
                    return false;
                }
                !blank(line)
            }
            Scan::FrontMatter(end) => {
                if body.trim_ascii_end() == end {
                    self.state = Scan::Top;
                    self.clean = false;
                }
                false
            }
            Scan::Unsure => {
                if blank(line) {
                    self.state = Scan::Top;
                    self.clean = true;
                } else if opens_other_block(spaces, rest) {
                    self.state = Scan::Lost;
                }
                false
            }
            Scan::Top => {
                if blank(line) {
                    self.clean = true;
                    return false;
                }
                let clean = std::mem::take(&mut self.clean);
                // tree-sitter-md takes an indented opening line too, not a closing one.
                if first && matches!(body.trim_ascii(), b"---" | b"+++") {
                    self.state = Scan::FrontMatter(if rest.starts_with(b"-") {
                        b"---"
                    } else {
                        b"+++"
                    });
                } else if let (0, Some((c, n))) = (spaces, fence(rest)) {
                    self.state = Scan::Fence(c, n);
                } else if spaces == 0 && one_line_comment(rest) {
                    // It leaves the top level as clean as it found it.
                    self.clean = clean;
                } else if opens_other_block(spaces, rest) {
                    // Indented, a fence may be in a list item or not; another HTML block's
                    // end could hide where a parse would not look for it.
                    self.state = Scan::Lost;
                } else if spaces == 0 && clean && opens_block(rest) {
                    self.state = Scan::InBlock;
                } else if (spaces <= 3 && rest.starts_with(b"<"))
                    || opens_definition(line)
                    || memchr::memchr(b'|', line).is_some()
                {
                    // An HTML block that may have interrupted a paragraph, a definition whose
                    // title may go on, a table (each may hold a line that opens a fence
                    // elsewhere), up to a blank line.
                    self.state = Scan::Unsure;
                } else if spaces == 0 && rest.starts_with(b"#") {
                    self.clean = clean;
                }
                false
            }
        }
    }
}

/// A masked run shorter than this is read whole: each range boundary costs the lexer more
/// than a few bytes of a word.
const SKIP_ABOVE: usize = 8;

/// A note's text as tree-sitter-md is given it ([`joined`]).
pub struct Joined {
    /// The text with its prose lines masked and spaces joined: as long as the note, line
    /// for line.
    pub text: String,
    /// What the parser reads of `text`: all of it but the inside of each long masked run,
    /// whose first and last bytes stay. A word token reaches over the gap (tree-sitter's
    /// lexer goes on at the next range), so it still spans the whole run and every node its
    /// byte range, but it is two bytes of lexing instead of a line's. The columns the block
    /// scanner counts after a gap are short by its length; a masked run ends its line's
    /// content, and nothing after it on the line is read for its column.
    ranges: Vec<Range>,
}

impl Joined {
    /// Parses the joined text with `parser` (tree-sitter-md), which reads the whole text
    /// again afterwards.
    pub fn parse(&self, parser: &mut Parser) -> Option<Tree> {
        // Ranges are in order and apart, so setting them cannot fail; should it, the whole
        // text is read.
        let skipping = self.ranges.len() > 1 && parser.set_included_ranges(&self.ranges).is_ok();
        let tree = parser.parse(&self.text, None);
        if skipping {
            parser
                .set_included_ranges(&[])
                .expect("the whole text is a valid range");
        }
        tree
    }
}

/// What tree-sitter-md is given for `text`: the same blocks from far fewer tokens, or `None`
/// when nothing could be left out.
///
/// A line of prose ([`prose_start`]) is masked from its first word to its last non-blank
/// character: every byte becomes `a`, one token where its words, spaces and punctuation were
/// dozens. The lines of a link reference definition ([`opens_definition`] up to a blank line)
/// and lines with [`has_block_chars`] are not masked, unless their content decides nothing
/// ([`HtmlBlocks`]: in a type-6 HTML block past its first line, where only a blank line
/// decides anything, or code in a fence opened at column 0, which only its closing fence
/// ends); those are masked from their first non-blank character. On the others, every space
/// between two word characters becomes `a` (outside the lines [`keeps_spaces`] names and the
/// line after a [`label_ends`] one). Lengths, line breaks and indentation stay, so every
/// block node keeps its kind and byte range; only the tokens inside `inline` and code change.
pub fn joined(text: &str) -> Option<Joined> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut at = 0;
    let mut row = 0;
    let mut ranges = Vec::new();
    let mut from = (0, Point::new(0, 0));
    let mut after_label = false;
    let mut in_definition = false;
    let mut html = HtmlBlocks::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let keep = after_label || keeps_spaces(line);
        after_label = label_ends(line);
        if blank(line) {
            in_definition = false;
        } else if opens_definition(line) {
            in_definition = true;
        }
        let prose = if html.inside(line) {
            line.iter().position(|b| !matches!(b, b' ' | b'\t'))
        } else if html.in_front_matter() {
            // Its characters count for the tab stops of the line after it, and masking
            // turns a character of several bytes into several.
            None
        } else {
            (!keep && !in_definition && !has_block_chars(line))
                .then(|| prose_start(line))
                .flatten()
        };
        if let Some(start) = prose {
            let end = line.len()
                - line
                    .iter()
                    .rev()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    .count();
            out.get_or_insert_with(|| bytes.to_vec())[at + start..at + end].fill(b'a');
            if end - start > SKIP_ABOVE {
                ranges.push(Range {
                    start_byte: from.0,
                    end_byte: at + start + 1,
                    start_point: from.1,
                    end_point: Point::new(row, start + 1),
                });
                from = (at + end - 1, Point::new(row, end - 1));
            }
        } else if !keep {
            for i in memchr::memchr_iter(b' ', line) {
                if i > 0 && i + 1 < line.len() && wordy(line[i - 1]) && wordy(line[i + 1]) {
                    out.get_or_insert_with(|| bytes.to_vec())[at + i] = b'a';
                }
            }
        }
        at += line.len();
        row += 1;
    }
    // Every line but perhaps the last ends in a line break.
    let breaks = if bytes.ends_with(b"\n") {
        row
    } else {
        row.saturating_sub(1)
    };
    let last_line = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    ranges.push(Range {
        start_byte: from.0,
        end_byte: bytes.len(),
        start_point: from.1,
        end_point: Point::new(breaks, bytes.len() - last_line),
    });
    // Only whole lines' content (starting at a character, ending before blanks) or ASCII
    // spaces between ASCII or whole-character bytes were replaced by ASCII.
    out.map(|v| Joined {
        text: String::from_utf8(v).expect("masked text stays UTF-8"),
        ranges,
    })
}

/// Nodes whose unnamed children are the words and punctuation of a line, which [`joined`]
/// changes: nothing reads them (blocks are read off named nodes and the text).
const CONTENT: &[&str] = &[
    "inline",
    "code_fence_content",
    "indented_code_block",
    "html_block",
    "pipe_table_cell",
];

/// The nodes of `tree` in document order, leaving out the unnamed ones inside [`CONTENT`].
fn structure(tree: &Tree) -> Vec<tree_sitter::Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let n = cursor.node();
        let content = !n.is_named()
            && !n.is_missing()
            && n.parent().is_some_and(|p| CONTENT.contains(&p.kind()));
        if !content {
            out.push(n);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// Where two trees of texts of the same length differ, if they do: the first node (named,
/// or unnamed outside [`CONTENT`]) whose kind, byte range or error state is not the same in
/// both.
pub fn same_tree(a: &Tree, b: &Tree) -> Result<(), String> {
    let (sa, sb) = (structure(a), structure(b));
    for (na, nb) in sa.iter().zip(&sb) {
        if na.kind_id() != nb.kind_id()
            || na.byte_range() != nb.byte_range()
            || na.is_error() != nb.is_error()
            || na.is_missing() != nb.is_missing()
        {
            return Err(format!(
                "{} {:?} against {} {:?}",
                na.kind(),
                na.byte_range(),
                nb.kind(),
                nb.byte_range()
            ));
        }
    }
    match sa.len().cmp(&sb.len()) {
        std::cmp::Ordering::Equal => Ok(()),
        _ => {
            let (longer, n) = if sa.len() > sb.len() {
                (&sa, sb.len())
            } else {
                (&sb, sa.len())
            };
            let extra = longer[n];
            Err(format!(
                "{} {:?}: in one tree only",
                extra.kind(),
                extra.byte_range()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Tree {
        let mut p = tree_sitter::Parser::new();
        p.set_language(&tree_sitter_md::LANGUAGE.into()).unwrap();
        p.parse(text, None).unwrap()
    }

    /// `text` joined as `expected` says (`None`: nothing to join), parsing to the same tree.
    fn check(text: &str, expected: Option<&str>) {
        let j = joined(text);
        assert_eq!(
            j.as_ref().map(|j| j.text.as_str()),
            expected,
            "joined {text:?}"
        );
        if let Some(j) = j {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_md::LANGUAGE.into()).unwrap();
            let b = j.parse(&mut p).unwrap();
            same_tree(&parse(text), &b).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        }
    }

    #[test]
    fn prose_lines_are_masked_and_structure_kept() {
        check("a b, c.\n", Some("aaaaaaa\n"));
        check("- [ ] task (one)\n", Some("- [ ] aaaaaaaaaa\n"));
        check("- [x] done\n", Some("- [x] aaaa\n"));
        check("1. daily, client\n", Some("1. aaaaaaaaaaaaa\n"));
        check("  * nested: item  \n", Some("  * aaaaaaaaaaaa  \n"));
        check("Привет, мир!\n", Some("aaaaaaaaaaaaaaaaaaaaa\n"));
        check("Title, here\n===\n", Some("aaaaaaaaaaa\n===\n"));
        check("    indented(code)\n", Some("    aaaaaaaaaaaaaa\n"));
        check("text\r\nmore, text\r\n", Some("aaaa\r\naaaaaaaaaa\r\n"));
        check(
            "```python\nx = f(1)\n```\n",
            Some("```python\naaaaaaaa\n```\n"),
        );
        // Front matter is one token: the length of its characters counts for the tab stops
        // of the line after it.
        check(
            "---\ntitle: a note\n---\n",
            Some("---\ntitle: aanote\n---\n"),
        );
        check(
            "---\n中文 😀 emoji words\n---\n\tTabbed words\n",
            Some("---\n中文a😀aemojiawords\n---\n\taaaaaaaaaaaa\n"),
        );
        // The tab after front matter counts from the columns carried over: tree-sitter-md
        // opens a fence there, closed two lines down, and the heading after it stays one.
        check(
            "---\ntitle: front matter words\n---\n\t```python nocheck\nx = 1\n```\n# Python\n",
            Some(
                "---\ntitle: frontamatterawords\n---\n\t```python nocheck\naaaaa\n```\n# aaaaaa\n",
            ),
        );
    }

    #[test]
    fn other_lines_have_their_spaces_joined() {
        check("#Section 3 token\n", Some("#Sectiona3atoken\n"));
        check("2024 was the year\n", Some("2024awasatheayear\n"));
        check(
            "| a b | c |\n|---|---|\n| d e | f |\n",
            Some("| aab | c |\n|---|---|\n| dae | f |\n"),
        );
        check("> quoted words\n", Some("> quotedawords\n"));
        check("**bold** and `code`\n", Some("aaaaaaaaaaaaaaaaaaa\n"));
        check("***\n", None);
        check("``` code\n", None);
        check("* `x`\n", Some("* aaa\n"));
        check("### 1. What is it?\n", Some("### aaaaaaaaaaaaaa\n"));
        check("- **time** of day.\n", Some("- aaaaaaaaaaaaaaaa\n"));
        check("__init__ runs\n", Some("aaaaaaaaaaaaa\n"));
        check("``code`` first\n", Some("aaaaaaaaaaaaaa\n"));
        check("*** x\n", None);
        check("###\n", None);
        check("## Heading words ##\n", Some("## Headingawords ##\n"));
    }

    #[test]
    fn type_6_html_blocks_are_masked_after_their_first_line() {
        check(
            "<table>\n  <tr><td>a | b</td></tr>\n# x\n```\n</table>\n\n# Next\n",
            Some("<table>\n  aaaaaaaaaaaaaaaaaaaaaaa\naaa\naaa\naaaaaaaa\n\n# aaaa\n"),
        );
        // After one-line comments, as an all-contributors table is written.
        check(
            "<!-- list:start -->\n<!-- prettier-ignore -->\n<table>\n<tr> <td>x</td>\n",
            Some("<!-- list:start -->\n<!-- prettier-ignore -->\n<table>\naaaaaaaaaaaaaaa\n"),
        );
        check(
            "## Question\n<details>\n<summary>Why?</summary>\n\n- an answer\n</details>\n",
            Some("## aaaaaaaa\n<details>\naaaaaaaaaaaaaaaaaaaaaaa\n\n- aaaaaaaaa\n</details>\n"),
        );
        check("<table>\r\n<tr>\r\n", Some("<table>\r\naaaa\r\n"));
    }

    #[test]
    fn html_lines_are_kept_where_a_parse_could_read_them_otherwise() {
        // A paragraph, a table or a definition may be going on: only after a blank line.
        check("text\n<table>\n<tr>\n", Some("aaaa\n<table>\n<tr>\n"));
        check("| a |\n|---|\n<table>\n| b |\n", None);
        // In a fence, a comment, or after one indented by up to three spaces.
        check(
            "```\n\n<table>\n<tr>\n```\n",
            Some("```\n\naaaaaaa\naaaa\n```\n"),
        );
        check(
            "~~~~\n~~~\n\n<div>\n<p>\n~~~~\n",
            Some("~~~~\naaa\n\naaaaa\naaa\n~~~~\n"),
        );
        check("<!--\n\n<table>\n<tr>\n-->\n", None);
        check("  ```\n\n<table>\n<tr>\n", None);
        check(
            "- a\n\n   <!--\n\n<table>\n<tr>\n",
            Some("- a\n\n   <!--\n\n<table>\n<tr>\n"),
        );
        // tree-sitter-md reads `h1` as the name `h`: a type-7 block, which a list may end.
        check("<h1>\n<tr>\n", None);
        check("<tables>\n<tr>\n", None);
        // Front matter up to its closing line.
        check("---\n\n<table>\n<tr>\n---\n", None);
        // A lone carriage return breaks a line where the scan does not see one.
        check("<table>\n<tr>\r\r\n<td>\n", None);
    }

    #[test]
    fn code_in_a_fence_at_column_0_is_masked_up_to_its_closing_fence() {
        check(
            "```cpp\nstd::vector<int> v; // a | b\n  }\n\n```\nx | y\n",
            Some("```cpp\naaaaaaaaaaaaaaaaaaaaaaaaaaaa\n  a\n\n```\nx | y\n"),
        );
        // Lines that look like a fence but do not close it are code; indented by up to three
        // spaces, a closing fence still closes.
        check(
            "````\n```\n    ````\n``` x\n   ````\n<p>\n",
            Some("````\naaa\n    aaaa\naaaaa\n   ````\n<p>\n"),
        );
        check(
            "~~~\n```\n<b>\n~~~~ \n<i>\n",
            Some("~~~\naaa\naaa\n~~~~ \n<i>\n"),
        );
        // Indented, the fence may be in a list item: nothing is masked past it.
        check(
            "- a\n\n  ```\n  <b>\n  ```\n",
            Some("- a\n\n  ```\n  <b>\n  ```\n"),
        );
    }

    #[test]
    fn block_characters_and_definitions_are_not_masked() {
        check("```python nocheck\n```\n", None);
        check("<a href=x>\n</a>\n", None);
        check("<!--\nend -->\n", None);
        check("a | b\n--|--\n", None);
        check("one\rtwo\n", None);
        check("[foo]: /url words\n", None);
        check("[foo]:\n/url words\n", None);
        check(
            "[foo]: /url\n'title\nlast words'\n",
            Some("[foo]: /url\n'title\nlastawords'\n"),
        );
        check(
            "[foo]:\n/url\n\nmore words\n",
            Some("[foo]:\n/url\n\naaaaaaaaaa\n"),
        );
        check("- [foo]: /url\n  title\n", None);
    }
}
