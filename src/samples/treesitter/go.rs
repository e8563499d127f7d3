//! Go samples (`go`, `golang`), read by tree-sitter-go, which takes a file, declarations
//! without a `package` clause and statements outside a function alike (gofmt's three
//! readings); a sample that still does not parse is tried as statements in a function body.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_go::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[
        Wrap {
            before: "",
            after: "",
        },
        Wrap {
            before: "func sample__() {\n",
            after: "\n}\n",
        },
    ],
    expression: None,
    lint,
    flavor: Some(lexical::Flavor {
        backtick_raw: true,
        cpp_raw: false,
        digit_separators: false,
        text_blocks: false,
        strings: lexical::Strings::C,
        lambda_braces: false,
    }),
    semicolons: false,
    prepare: Prepared::code,
    tolerate: |_, _, _| false,
};

/// No output rule as in C++ and Java: Go's lines end without `;`, so a line of Go and a line
/// of a program's output look alike to it (`imprt "fmt"`).
pub fn check(source: &str) -> Option<SyntaxError> {
    super::check_c_family(&GRAMMAR, source)
}

/// Constructs tree-sitter-go accepts and gofmt rejects: two statements or declarations on
/// one line with no `;` between them (Go's lexer ends a statement only at a `;` or at the end
/// of a line, where it inserts one).
fn lint(root: Node, text: &str) -> Option<(Range<usize>, String)> {
    super::find_node(root, &mut |n| {
        if !matches!(n.kind(), "source_file" | "statement_list") {
            return None;
        }
        let mut cursor = n.walk();
        let items: Vec<Node> = n
            .named_children(&mut cursor)
            .filter(|c| !c.is_extra())
            .collect();
        items.windows(2).find_map(|w| {
            let between = &text[w[0].end_byte()..w[1].start_byte()];
            if between.contains(['\n', ';']) {
                return None;
            }
            let word: String = text[w[1].byte_range()]
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .filter(|w| !w.is_empty())
                .map_or_else(
                    || text[w[1].byte_range()].chars().take(1).collect(),
                    str::to_string,
                );
            Some((
                w[1].start_byte()..w[1].start_byte() + word.len(),
                format!("expected ';' or a new line before '{word}'"),
            ))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (usize, String) {
        super::super::error_line(check, src)
    }

    #[test]
    fn fragments_parse() {
        for ok in [
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n",
            "x := 5\nfmt.Println(x)\n",
            "type T struct {\n\tA int `json:\"a\"`\n}\n",
            "func f() {\n\t...\n}\n",
            "s := `raw\n\"string\"`\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("var stocks amp[string]float64\nprice := stocks[\"MSFT\"]\n"),
            (1, "expected ';' or a new line before 'float64'".into())
        );
        assert_eq!(
            err("func main() {\n\tctx, cancel := f() defer cancel()\n}\n").0,
            2
        );
        assert_eq!(err("x := f() g()\n").0, 1);
        assert_eq!(
            check("x := 1; y := 2\nswitch x { case 1: f(); g() }\n"),
            None
        );
        assert_eq!(
            err("func main() {\n\tx := \"abc\n\tfmt.Println(x)\n}\n"),
            (2, "unterminated string literal".into())
        );
    }
}
