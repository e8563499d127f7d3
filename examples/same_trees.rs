//! Checks, over every Markdown file under the given folders, that tree-sitter-md parses the
//! text with its prose lines masked and spaces joined (`notes_lsp::note::words::joined`) to
//! the same tree as the text itself whenever that text parses without an error (with one,
//! the note is parsed as written). Prints the files that differ and exits 1 if any does.
//!
//!     cargo run --release --example same_trees -- ../shared/corpus

use notes_lsp::note::words::{joined, same_tree};

fn main() {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_md::LANGUAGE.into())
        .expect("tree-sitter-md matches the tree-sitter ABI");
    let (mut files, mut changed, mut errors, mut bad) = (0, 0, 0, 0);
    for root in std::env::args().skip(1) {
        for entry in ignore::WalkBuilder::new(&root).build().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            files += 1;
            let Some(j) = joined(&text) else { continue };
            changed += 1;
            let (a, b) = (parser.parse(&text, None), j.parse(&mut parser));
            let (Some(a), Some(b)) = (a, b) else { continue };
            if b.root_node().has_error() {
                errors += 1;
            } else if let Err(e) = same_tree(&a, &b) {
                bad += 1;
                println!("{}: {e}", path.display());
            }
        }
    }
    println!(
        "{files} files, {changed} with lines masked or spaces joined, {errors} of them parsed \
         with an error, {bad} with a different tree"
    );
    std::process::exit(i32::from(bad > 0));
}
