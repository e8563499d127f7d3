//! Kotlin samples (`kotlin`, `kt`), read by tree-sitter-kotlin-ng as a file (it takes
//! statements at the top level, as a script does), as the members of a class, and as
//! statements in a function body. No compiler for Kotlin ships with Debian, so nothing can
//! measure this checker against one: it reports only what is wrong whatever the grammar's
//! gaps (see [`super::conservative`]).

use std::sync::LazyLock;

use tree_sitter::Language;

use super::{Grammar, SyntaxError, Wrap, conservative, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_kotlin_ng::LANGUAGE.into());

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
            before: "fun sample__() {\n",
            after: "\n}\n",
        },
    ],
    lexical::Strings::Kotlin,
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
            "fun main() {\n    val xs = listOf(1, 2, 3)\n    println(xs.map { it * 2 })\n}\n",
            "val name: String? = null\nprintln(name?.length ?: 0)\n",
            "data class User(val name: String, val age: Int)\n",
            "override fun onCreate(savedInstanceState: Bundle?) {\n    super.onCreate(savedInstanceState)\n}\n",
            "val s = \"Hello, ${user.name}! ${map[\"k\"]}\"\nval raw = \"\"\"\n    a \"quoted\" \\n\n\"\"\"\n",
            "when (x) {\n    1 -> \"one\"\n    in 2..10 -> \"some\"\n    else -> \"many\"\n}\n",
            "init {\n    require(x > 0)\n}\ncompanion object {\n    const val MAX = 10\n}\n",
            "fun `test name with spaces`() = Unit\n",
            "fun f() {\n    // ...\n    ...\n}\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("fun main() {\n    val s = \"abc\n    println(s)\n}\n"),
            (2, "unterminated string literal".into())
        );
        assert_eq!(
            err("fun main() {\n    println(listOf(1, 2)\n}\n"),
            (
                3,
                "expected ')' before '}' (to close the '(' on line 2)".into()
            )
        );
        assert_eq!(
            err("fun main() {\n    if (x > 1) {\n        println(x)\n}\n").1,
            "expected '}' at end of input (the '{' on line 1 is never closed)"
        );
        assert_eq!(err("val xs = listOf(1, 2))\n"), (1, "unmatched ')'".into()));
    }
}
