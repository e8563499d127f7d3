//! Java samples (`java`), read by tree-sitter-java, which already takes statements, fields
//! and methods outside a class; a sample that still does not parse is tried as the members
//! of a class and as statements in a method body, the readings javac is judged with.

use std::sync::LazyLock;

use tree_sitter::Language;

use super::{Grammar, Prepared, SyntaxError, Wrap, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_java::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[
        Wrap {
            before: "",
            after: "",
        },
        Wrap {
            before: "class Sample__ {\n",
            after: "\n}\n",
        },
        Wrap {
            before: "class Sample__ { void sample__() throws Exception {\n",
            after: "\n}}\n",
        },
    ],
    // An expression shown alone (a stream pipeline, a lambda), without a statement's `;`.
    expression: Some(Wrap {
        before: "class Sample__ { Object sample__ = (\n",
        after: "\n); }\n",
    }),
    lint: super::no_lint,
    flavor: Some(lexical::Flavor {
        backtick_raw: false,
        cpp_raw: false,
        digit_separators: false,
        text_blocks: true,
        strings: lexical::Strings::C,
        lambda_braces: false,
    }),
    semicolons: true,
    prepare: Prepared::code,
    tolerate: |_, _, _| false,
};

pub fn check(source: &str) -> Option<SyntaxError> {
    let error = super::check_c_family(&GRAMMAR, source)?;
    super::looks_like_code(source, error.range.start).then_some(error)
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
            "public class Main {\n    public static void main(String[] args) {\n        System.out.println(\"hi\");\n    }\n}\n",
            "int x = 5;\nSystem.out.println(x);\n",
            "@Override\npublic String toString() { return \"x\"; }\n",
            "List<Integer> l = new ArrayList<>();\nl.forEach(x -> System.out.println(x));\n",
            "record Point(int x, int y) {}\n",
            "String s = \"\"\"\n    text \"block\"\n    \"\"\";\n",
            "public void run() {\n    // ...\n    ...\n}\n",
            "static int sum(int... xs) { return 0; }\n",
            "numbers.stream()\n    .filter(x -> x % 2 == 0)\n    .mapToInt(x -> x * x)\n    .sum()\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("class A {\n  void f() {\n    int x = 1\n    String s = \"a\";\n  }\n}\n"),
            (3, "expected ';'".into())
        );
        assert_eq!(
            err("String s = \"abc;\nint y = 2;\n"),
            (1, "unterminated string literal".into())
        );
    }
}
