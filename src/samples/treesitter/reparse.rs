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
//!
//! A repair tried (a `;` or closers added) only needs to know whether the text parses:
//! [`parse_clean`] stops once the tree is sure to hold an ERROR node and keeps that outcome.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ops::ControlFlow;

use tree_sitter::{Language, ParseOptions, ParseState, Parser, Tree};

/// Trees kept per thread.
const KEPT: usize = 16;
/// Texts longer than this are parsed and not kept.
const MAX_KEPT_LEN: usize = 16 * 1024;

struct Kept {
    language: Language,
    text: String,
    /// `None`: a [`parse_clean`] stopped at an error.
    tree: Option<Tree>,
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
    /// Most recently used first.
    static KEPT_TREES: RefCell<VecDeque<Kept>> = const { RefCell::new(VecDeque::new()) };
    static FRESH: Cell<bool> = const { Cell::new(false) };
    static WHOLE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every parse on this thread made from scratch and nothing kept (to compare
/// with the reusing parses, and for the tools that time one check).
pub fn fresh_parses<T>(f: impl FnOnce() -> T) -> T {
    crate::samples::strict::while_set(&FRESH, f)
}

/// Runs `f` with every parse on this thread read to its end (no [`parse_clean`] stopped at
/// an error), to compare with the stopping parses.
pub fn whole_parses<T>(f: impl FnOnce() -> T) -> T {
    crate::samples::strict::while_set(&WHOLE, f)
}

/// Drops the trees this thread keeps (the next parse of each text starts from scratch).
pub fn forget() {
    KEPT_TREES.with(|k| k.borrow_mut().clear());
}

/// Parses `text` in `language` (`None` when tree-sitter gives up).
pub(crate) fn parse(language: &Language, text: &str) -> Option<Tree> {
    if let Some(Some(tree)) = kept(language, text) {
        return Some(tree);
    }
    let tree = parse_from(language, text, false).ok()?;
    keep(language, text, Some(tree.clone()));
    Some(tree)
}

/// A parse that only has to tell whether `text` reads without an ERROR node.
pub(crate) enum Parsed {
    /// The whole tree (a kept one, or a parse that met no error it could not mend).
    Tree(Tree),
    /// The parse met an error it could only recover from by skipping text, which leaves an
    /// ERROR node in any tree it finishes: stopped there.
    Error,
    /// Tree-sitter gave up.
    GaveUp,
}

/// Parses `text` in `language`, stopping as soon as the tree is sure to hold an ERROR node
/// (every GLR version in error recovery: tree-sitter's `has_error`, looked at every 100
/// parse steps), which spares the recovery's search over the rest of a broken text.
pub(crate) fn parse_clean(language: &Language, text: &str) -> Parsed {
    let whole = WHOLE.with(Cell::get);
    match kept(language, text) {
        Some(Some(tree)) => return Parsed::Tree(tree),
        Some(None) if !whole => return Parsed::Error,
        _ => {}
    }
    match parse_from(language, text, !whole) {
        Ok(tree) => {
            keep(language, text, Some(tree.clone()));
            Parsed::Tree(tree)
        }
        Err(true) => {
            keep(language, text, None);
            Parsed::Error
        }
        Err(false) => Parsed::GaveUp,
    }
}

/// The kept entry of `text` (`Some(None)`: known to hold an error), made the most recent.
fn kept(language: &Language, text: &str) -> Option<Option<Tree>> {
    if FRESH.with(Cell::get) || text.len() > MAX_KEPT_LEN {
        return None;
    }
    KEPT_TREES.with(|k| {
        let mut kept = k.borrow_mut();
        let i = kept
            .iter()
            .position(|e| e.text == text && e.language == *language)?;
        let entry = kept.remove(i)?;
        let tree = entry.tree.clone();
        kept.push_front(entry);
        Some(tree)
    })
}

fn keep(language: &Language, text: &str, tree: Option<Tree>) {
    if FRESH.with(Cell::get) || text.len() > MAX_KEPT_LEN {
        return;
    }
    KEPT_TREES.with(|k| {
        let mut kept = k.borrow_mut();
        kept.retain(|e| !(e.text == text && e.language == *language));
        kept.push_front(Kept {
            language: language.clone(),
            text: text.to_string(),
            tree,
        });
        kept.truncate(KEPT);
    });
}

/// A parse from scratch; `Err(true)` when `stop_at_error` stopped it (see [`parse_clean`]),
/// `Err(false)` when tree-sitter gave up.
fn parse_from(language: &Language, text: &str, stop_at_error: bool) -> Result<Tree, bool> {
    let mut stopped = false;
    let tree = PARSER.with(|p| {
        let mut p = p.borrow_mut();
        p.set_language(language).ok()?;
        let bytes = text.as_bytes();
        let mut stop = |state: &ParseState| {
            stopped = state.has_error();
            if stopped {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = stop_at_error.then(|| ParseOptions::new().progress_callback(&mut stop));
        let tree = p.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            options,
        );
        if tree.is_none() {
            // A stopped parse is resumed by the next one unless reset.
            p.reset();
        }
        tree
    });
    tree.ok_or(stopped)
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
