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
    lint,
    flavor: Some(lexical::Flavor {
        backtick_raw: true,
        cpp_raw: false,
        digit_separators: false,
        text_blocks: false,
    }),
    semicolons: false,
    prepare,
    tolerate: |_, _, _| false,
};

fn prepare(source: &str) -> Prepared {
    let mut p = Prepared::new(source);
    p.line_numbers();
    p.placeholders();
    p
}

pub fn check(source: &str) -> Option<SyntaxError> {
    let error = super::check_c_family(&GRAMMAR, source)?;
    super::looks_like_code(source, error.range.start).then_some(error)
}

/// Constructs tree-sitter-go accepts and gofmt rejects.
fn lint(_root: Node, _text: &str) -> Option<(Range<usize>, String)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (usize, String) {
        let e = check(src).unwrap_or_else(|| panic!("no error in {src:?}"));
        (1 + src[..e.range.start].matches('\n').count(), e.message)
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
            err("func main() {\n\tx := \"abc\n\tfmt.Println(x)\n}\n"),
            (2, "unterminated string literal".into())
        );
    }
}
