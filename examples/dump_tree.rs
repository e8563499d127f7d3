//! Prints tree-sitter-md's block tree of a note: a tool for checking what the grammar makes of
//! odd input before writing extraction code for it.
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump_tree FILE.md");
    let text = std::fs::read_to_string(path).expect("readable UTF-8 file");
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_md::LANGUAGE.into())
        .expect("grammar loads");
    let tree = parser.parse(&text, None).expect("parse");
    let mut cursor = tree.walk();
    let mut depth = 0;
    loop {
        let node = cursor.node();
        println!(
            "{:indent$}{} {:?}..{:?} {:?}",
            "",
            node.kind(),
            node.start_position(),
            node.end_position(),
            &text[node.byte_range()].chars().take(30).collect::<String>(),
            indent = depth * 2
        );
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}
