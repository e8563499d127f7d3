//! Prints the tree a sample checker's tree-sitter grammar makes of a sample read on stdin
//! (`ts_tree c|cpp|java|go|bash|php < sample`): ERROR and MISSING nodes, parse states and all, to
//! see what a grammar accepts before writing a rule about it.
use std::io::Read;

fn main() {
    let lang = std::env::args().nth(1).unwrap_or_default();
    let language: tree_sitter::Language = match lang.as_str() {
        "c" => tree_sitter_c::LANGUAGE.into(),
        "cpp" => tree_sitter_cpp::LANGUAGE.into(),
        "java" => tree_sitter_java::LANGUAGE.into(),
        "go" => tree_sitter_go::LANGUAGE.into(),
        "bash" => tree_sitter_bash::LANGUAGE.into(),
        "php" => tree_sitter_php::LANGUAGE_PHP.into(),
        _ => {
            eprintln!("usage: ts_tree c|cpp|java|go|bash|php < sample");
            std::process::exit(2);
        }
    };
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("UTF-8 input");
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).expect("grammar loads");
    let tree = parser.parse(&text, None).expect("parse");
    let mut cursor = tree.walk();
    let mut depth = 0;
    loop {
        let node = cursor.node();
        let flag = if node.is_missing() {
            " MISSING"
        } else if node.is_extra() {
            " extra"
        } else {
            ""
        };
        println!(
            "{:indent$}{}{flag} {}:{}-{}:{} state {} {:?}",
            "",
            node.kind(),
            node.start_position().row + 1,
            node.start_position().column,
            node.end_position().row + 1,
            node.end_position().column,
            node.parse_state(),
            text[node.byte_range()].chars().take(30).collect::<String>(),
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
