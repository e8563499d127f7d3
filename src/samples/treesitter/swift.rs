//! Swift samples (`swift`), read by tree-sitter-swift as a file (top-level code, as in a
//! playground or `main.swift`), as the members of a class, and as statements in a function
//! body. No compiler for Swift ships with Debian, so nothing can measure this checker against
//! one: it reports only what is wrong whatever the grammar's gaps (see
//! [`super::conservative`]).

use std::sync::LazyLock;

use tree_sitter::Language;

use super::{Grammar, SyntaxError, Wrap, conservative, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_swift::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = conservative::grammar(
    &LANGUAGE,
    &[
        Wrap {
            before: "",
            after: "",
        },
        Wrap {
            before: "class Sample__ {\n",
            after: "\n}\n",
        },
        Wrap {
            before: "func sample__() {\n",
            after: "\n}\n",
        },
    ],
    lexical::Strings::Swift,
);

pub fn check(source: &str) -> Option<SyntaxError> {
    conservative::check_code(&GRAMMAR, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (usize, String) {
        super::super::error_line(check, src)
    }

    #[test]
    fn valid_samples_parse() {
        for ok in [
            "import Foundation\n\nlet xs = [1, 2, 3]\nprint(xs.map { $0 * 2 })\n",
            "struct Point {\n    var x: Int\n    var y: Int\n}\n",
            "guard let name = user?.name else { return }\n",
            "let s = \"Hello, \\(user.name)! \\(dict[\"k\"] ?? 0)\"\nlet raw = #\"a \"quoted\" \\n\"#\n",
            "let text = \"\"\"\n    multi \"line\"\n    \"\"\"\n",
            "for i in 1...5 {\n    print(i)\n}\n",
            "init(name: String) {\n    self.name = name\n}\n",
            "func f() {\n    // ...\n    ...\n}\n",
            "switch x {\ncase 1:\n    print(\"one\")\ndefault:\n    break\n}\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("let s = \"abc\nprint(s)\n"),
            (1, "unterminated string literal".into())
        );
        assert_eq!(
            err("func f() {\n    print(xs.count\n}\n"),
            (
                3,
                "expected ')' before '}' (to close the '(' on line 2)".into()
            )
        );
        assert_eq!(err("let xs = [1, 2]]\n"), (1, "unmatched ']'".into()));
        assert_eq!(
            err("let text = \"\"\"\n    never closed\n").1,
            "unterminated multi-line string"
        );
    }
}
