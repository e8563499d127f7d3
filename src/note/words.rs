//! What tree-sitter-md is given to parse: the text with the spaces between words joined.
//!
//! The block grammar reads a line of prose as one token per word and per run of spaces
//! (`_word`, `_whitespace`), and the parse costs about the same per token whatever it is: a
//! 1 MiB note of prose was 250 ms of one core, nearly all in tree-sitter. Which blocks a note
//! has never depends on a space that sits between two word characters in the middle of a line,
//! with three exceptions this module leaves alone: a fence's info string (`python nocheck`:
//! the language is the first word), an HTML tag's attributes (a line that is one complete tag
//! opens an HTML block; `<a href=x>` joined would not be one), and a link reference
//! definition's destination (`[a]: /url words` is no definition, `/urlawords` would be one).
//! Everywhere else such a space becomes a word character, byte for byte, so every node keeps
//! its kind and its byte range; only the hidden tokens inside `inline` change.
//! [`same_tree`] is the check, run by the tests over fixtures and random notes and by
//! `examples/same_trees.rs` over a folder of real notes.

use tree_sitter::Tree;

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

/// `text` with every space between two word characters inside a line turned into `a`
/// (outside the lines [`keeps_spaces`] names and the line after a [`label_ends`] one), or
/// `None` when there is no such space.
pub fn joined(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut at = 0;
    let mut after_label = false;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let keep = after_label || keeps_spaces(line);
        after_label = label_ends(line);
        if !keep {
            for i in memchr::memchr_iter(b' ', line) {
                if i > 0 && i + 1 < line.len() && wordy(line[i - 1]) && wordy(line[i + 1]) {
                    out.get_or_insert_with(|| bytes.to_vec())[at + i] = b'a';
                }
            }
        }
        at += line.len();
    }
    // Only ASCII spaces between ASCII or whole-character bytes were replaced by ASCII.
    out.map(|v| String::from_utf8(v).expect("spaces replaced by `a` keep the text UTF-8"))
}

/// Where two trees of texts of the same length differ, if they do: the first visible node
/// (named or not) whose kind, byte range or error state is not the same in both.
pub fn same_tree(a: &Tree, b: &Tree) -> Result<(), String> {
    let (mut ca, mut cb) = (a.walk(), b.walk());
    let differ = |n: tree_sitter::Node, what| {
        Err(format!("{} {:?}: {what} differ", n.kind(), n.byte_range()))
    };
    loop {
        let (na, nb) = (ca.node(), cb.node());
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
        let down = (ca.goto_first_child(), cb.goto_first_child());
        if down.0 != down.1 {
            return differ(na, "children");
        }
        if down.0 {
            continue;
        }
        loop {
            let next = (ca.goto_next_sibling(), cb.goto_next_sibling());
            if next.0 != next.1 {
                return differ(na, "siblings");
            }
            if next.0 {
                break;
            }
            let up = (ca.goto_parent(), cb.goto_parent());
            if !up.0 || !up.1 {
                return Ok(());
            }
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
        assert_eq!(j.as_deref(), expected, "joined {text:?}");
        if let Some(j) = j {
            same_tree(&parse(text), &parse(&j)).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        }
    }

    #[test]
    fn prose_is_joined_and_structure_kept() {
        check("a b c\n", Some("aabac\n"));
        check("# Section 3 token\n", Some("# Sectiona3atoken\n"));
        check("- [ ] task one\n", Some("- [ ] taskaone\n"));
        check("1. daily client\n", Some("1. dailyaclient\n"));
        check("Привет мир\n", Some("Приветaмир\n"));
        check(
            "| a b | c |\n|---|---|\n| d e | f |\n",
            Some("| aab | c |\n|---|---|\n| dae | f |\n"),
        );
        check("trailing  \nspaces\n", None);
        check("**bold** and `code`\n", None);
    }

    #[test]
    fn info_strings_tags_and_destinations_keep_their_spaces() {
        check("```python nocheck\nx = 1\n```\n", None);
        check("<a href=x>\n</a>\n", None);
        check("[foo]: /url words\n", None);
        check("[foo]:\n/url words\n", None);
        check(
            "[foo]:\n/url\n\nmore words\n",
            Some("[foo]:\n/url\n\nmoreawords\n"),
        );
    }
}
