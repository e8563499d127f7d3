//! Parsing a sample's texts, reusing the tree of a text parsed a moment ago.
//!
//! The checks parse the same text more than once: a sample's reading as a file is the text
//! its elisions are looked for in, and Ruby's and PHP's checks parse the prefixes of a sample
//! line by line, which are the same from one keystroke to the next while a later line is being
//! typed in. Each thread keeps the trees of its last 16 parses by language and text; the same
//! text again takes the kept tree (tree-sitter's parse is deterministic).
//!
//! Only identical texts share a tree: tree-sitter's incremental reparse (`Tree::edit`, then
//! `parse(text, Some(old))`) recovers from errors differently from a fresh parse, and the
//! verdicts of broken samples, which a sample being typed in mostly is, then differ
//! (`tests/reparse.rs` compares verdicts with and without the kept trees over random edits).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use tree_sitter::{Language, Parser, Tree};

/// Trees kept per thread.
const KEPT: usize = 16;
/// Texts longer than this are parsed and not kept.
const MAX_KEPT_LEN: usize = 16 * 1024;

struct Kept {
    language: Language,
    text: String,
    tree: Tree,
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
    /// Most recently used first.
    static KEPT_TREES: RefCell<VecDeque<Kept>> = const { RefCell::new(VecDeque::new()) };
    static FRESH: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every parse on this thread made from scratch and nothing kept (to compare
/// with the reusing parses, and for the tools that time one check).
pub fn fresh_parses<T>(f: impl FnOnce() -> T) -> T {
    crate::samples::strict::while_set(&FRESH, f)
}

/// Drops the trees this thread keeps (the next parse of each text starts from scratch).
pub fn forget() {
    KEPT_TREES.with(|k| k.borrow_mut().clear());
}

/// Parses `text` in `language` (`None` when tree-sitter gives up).
pub(crate) fn parse(language: &Language, text: &str) -> Option<Tree> {
    if FRESH.with(Cell::get) || text.len() > MAX_KEPT_LEN {
        return parse_from(language, text);
    }
    let kept = KEPT_TREES.with(|k| {
        let mut kept = k.borrow_mut();
        let i = kept
            .iter()
            .position(|e| e.text == text && e.language == *language)?;
        let entry = kept.remove(i)?;
        let tree = entry.tree.clone();
        kept.push_front(entry);
        Some(tree)
    });
    if kept.is_some() {
        return kept;
    }
    let tree = parse_from(language, text)?;
    KEPT_TREES.with(|k| {
        let mut kept = k.borrow_mut();
        kept.push_front(Kept {
            language: language.clone(),
            text: text.to_string(),
            tree: tree.clone(),
        });
        kept.truncate(KEPT);
    });
    Some(tree)
}

fn parse_from(language: &Language, text: &str) -> Option<Tree> {
    PARSER.with(|p| {
        let mut p = p.borrow_mut();
        p.set_language(language).ok()?;
        p.parse(text, None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_trees_by_language_and_text() {
        let c: Language = tree_sitter_c::LANGUAGE.into();
        let cpp: Language = tree_sitter_cpp::LANGUAGE.into();
        let text = "template <typename T> T f(T x) { return x; }\n";
        let as_c = parse(&c, text).expect("a tree");
        let as_cpp = parse(&cpp, text).expect("a tree");
        assert!(as_c.root_node().has_error() && !as_cpp.root_node().has_error());
        let again = parse(&c, text).expect("a tree");
        assert_eq!(again.root_node().to_sexp(), as_c.root_node().to_sexp());
        assert!(
            parse(&cpp, "class A {")
                .expect("a tree")
                .root_node()
                .has_error()
        );
        forget();
        assert!(!parse(&cpp, text).expect("a tree").root_node().has_error());
    }
}
