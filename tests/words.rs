//! Property: tree-sitter-md parses a note with its prose lines masked and other spaces joined
//! (`note::words::joined`, what the server gives the parser) to the same tree as the note as
//! written, whenever the joined note parses without an error (with one, the server parses
//! the note as written).

use notes_lsp::note::words::{joined, same_tree};
use proptest::prelude::*;

#[allow(dead_code)] // the deterministic sequence is for the tests that edit
mod pieces;
mod scale;
use pieces::PIECES;

/// Pieces where a space between two words, or the words of a line, could matter to the
/// blocks, beside the usual ones.
const SPACED: &[&str] = &[
    "[ref]: /url \"title\nspanning lines\"\n",
    "- [ref]:\n  /url\n",
    "<!--\nletters inside\nend -->\nafter it\n",
    "<script>\nvar x = 1;\n</script>\n",
    "| a | b |\n|---|---|\nrow without pipes\n",
    "- [x] done task\n  more words\n",
    "  - nested item words\n",
    "Setext words\n---\n",
    "text\rafter a carriage return\n",
    "2) item\n   lazy words\n",
    "> quote\nlazy continuation words\n",
    "[ref label]: /url \"a title\"\n",
    "[ref]: /url words after\n",
    "[ref]:\n/url words\n",
    "[two line\nlabel]:\n/url\n",
    "[ref]: /url\n'title on its own line'\n",
    "```python nocheck\nx = 1\n```\n",
    "~~~ py extra words\nprint(1)\n~~~\n",
    "<a href=\"x\" class=\"y\">\n",
    "<div class=\"note card\">\ntext in it\n</div>\n",
    "<!-- notes-lsp: nocheck -->\n",
    "| a b | c d |\n|---|---|\n| e f | g h |\n",
    "a b | c d\n--- | ---\n",
    "Title words\n===\n",
    "Other title\n---\n",
    "# Heading words #\n",
    "### 1. What is a heading, in words?\n",
    "#tag words\n",
    "**Bold question, in words?**\n",
    "- **bold** item words\n",
    "`code` first words\n",
    "__init__ words\n",
    "*emphasis* words\n",
    "## closing hashes ##   \n",
    "- [ ] open task\n- [x] done task\n",
    "1) first item\n2) second item\n",
    "> quoted words\n> more words\n",
    "    indented code words\n",
    "\tTabbed words\there\n",
    "Привет мир и 中文 笔记\n",
    "hard break  \nnext line\n",
    "---\ntitle: front matter words\n---\n",
    "* * *\n",
    "<table>\n  <tr><td>a | b</td></tr>\n# not a heading\n```\n</table>\n",
    "<!-- list:start -->\n<!-- prettier-ignore -->\n<table>\n<tr>\n  <td>x</td>\n",
    "<details>\n<summary>Why words?</summary>\n\n- answer words\n</details>\n",
    "<div>\n-->\n]]>\n</pre>\n",
    "<h2>\n- item\n",
    "\n<table>\n",
    "\n<details>\n",
    "  ```\n",
    "   <!--\n",
    "<TABLE>\n</TD>\n",
    "<p/>\n<p>\n",
    "word\n",
    " ",
    "x",
];

fn piece() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        proptest::sample::select(PIECES),
        proptest::sample::select(SPACED),
    ]
}

fn parse(text: &str) -> tree_sitter::Tree {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_md::LANGUAGE.into())
        .expect("tree-sitter-md matches the tree-sitter ABI");
    p.parse(text, None).expect("no timeout or cancellation")
}

/// The note's tree and its joined tree are the same, or the joined one has an error. Returns
/// whether there was anything to compare.
fn check(text: &str) -> bool {
    let Some(j) = joined(text) else {
        return false;
    };
    assert_eq!(j.text.len(), text.len());
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_md::LANGUAGE.into())
        .expect("tree-sitter-md matches the tree-sitter ABI");
    let b = j.parse(&mut p).expect("no timeout or cancellation");
    if b.root_node().has_error() {
        return false;
    }
    if let Err(e) = same_tree(&parse(text), &b) {
        panic!("{e}\nnote: {text:?}\njoined: {:?}", j.text);
    }
    true
}

#[test]
fn fixtures_parse_alike_joined() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures folder") {
        let path = entry.expect("fixture entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).expect("UTF-8 fixture");
            compared += usize::from(check(&text));
        }
    }
    assert!(compared >= 4, "only {compared} fixtures had spaces to join");
}

#[test]
fn each_piece_parses_alike_joined() {
    for p in PIECES.iter().chain(SPACED) {
        check(p);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(scale::cases(300)))]

    #[test]
    fn notes_of_pieces_parse_alike_joined(v in proptest::collection::vec(piece(), 0..40)) {
        check(&v.concat());
    }

    /// Lines of short words, spaces and the characters that make blocks, in any order.
    #[test]
    fn odd_lines_parse_alike_joined(
        text in "(([ab1é]{1,3}|[ ]{1,2}|[#>*`~:|<=\\[\\]\\-.)\t]){0,12}\n){0,12}"
    ) {
        check(&text);
    }
}
