//! C# samples (`cs`, `csharp`, `c#`), read by tree-sitter-c-sharp, which takes a file with
//! C# 9's top-level statements; a sample that does not parse is tried as the members of a
//! class and as statements in a method body, and as an expression.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_c_sharp::LANGUAGE.into());

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
            before: "class Sample__ { async void Sample__() {\n",
            after: "\n}}\n",
        },
    ],
    // An expression shown alone (a LINQ query, a lambda), without a statement's `;`.
    expression: Some(Wrap {
        before: "class Sample__ { object sample__ = (\n",
        after: "\n); }\n",
    }),
    lint,
    flavor: Some(lexical::Flavor {
        backtick_raw: false,
        cpp_raw: false,
        digit_separators: false,
        text_blocks: false,
        strings: lexical::Strings::CSharp,
        lambda_braces: true,
    }),
    semicolons: true,
    prepare: Prepared::code,
    tolerate,
};

/// Roslyn's parser takes any expression as a statement (`a.b;` is the binder's CS0201, not a
/// syntax error); the grammar takes only those C# allows, and makes `a.b;` into `a.b!;`.
fn tolerate(n: Node, parent: Node, _next: Option<Node>) -> bool {
    n.kind() == "!"
        && parent.kind() == "postfix_unary_expression"
        && parent
            .parent()
            .is_some_and(|p| p.kind() == "expression_statement")
}

pub fn check(source: &str) -> Option<SyntaxError> {
    if razor(source) {
        return None;
    }
    let mut error = super::check_c_family(&GRAMMAR, source)?;
    if error.message.starts_with("unexpected ")
        && let Some(found) = missing_semicolon(source, error.range.start)
    {
        error = found;
    }
    super::looks_like_code(source, error.range.start).then_some(error)
}

/// A `;` missing at the end of a line, where the grammar's error recovery read on and went
/// wrong later or earlier (`Console.WriteLine(x)` before a block's `}` reads the block as an
/// initializer): the first line, up to two after the error's, whose `;` alone makes the
/// sample parse.
fn missing_semicolon(source: &str, error_at: usize) -> Option<SyntaxError> {
    let error_line = source[..error_at].matches('\n').count();
    let mut at = 0;
    for (i, line) in source
        .split_inclusive('\n')
        .enumerate()
        .take(error_line + 3)
    {
        let code = line.split("//").next().unwrap_or("").trim_end();
        let end = at + code.len();
        at += line.len();
        if i + 40 < error_line
            || !code.ends_with(|c: char| {
                c.is_alphanumeric() || matches!(c, ')' | ']' | '"' | '\'' | '_')
            })
        {
            continue;
        }
        let mut repaired = source.to_string();
        repaired.insert(end, ';');
        if super::accepts_c_family(&GRAMMAR, &repaired) {
            let start = code.rfind(char::is_whitespace).map_or(0, |k| k + 1);
            return Some(SyntaxError {
                range: end - code.len() + start..end,
                message: "expected ';'".into(),
            });
        }
    }
    None
}

/// Razor markup (`.cshtml`: `@{ ... }` blocks, `@model`, `@Html.Partial(...)`), which mixes
/// C# into HTML and is not C# until the view engine has turned it into C#.
fn razor(source: &str) -> bool {
    source
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty())
        .is_some_and(|l| {
            let rest = l.strip_prefix('@').unwrap_or("");
            rest.starts_with(['{', '(', '*'])
                || [
                    "model ", "page", "using ", "inject ", "Html.", "if ", "foreach ",
                ]
                .iter()
                .any(|w| rest.starts_with(w))
        })
}

/// Constructs tree-sitter-c-sharp accepts and the C# compiler rejects: an accessor named
/// other than `get`, `set`, `init`, `add` or `remove` (the grammar takes any name there).
fn lint(root: Node, text: &str) -> Option<(Range<usize>, String)> {
    super::find_node(root, &mut |n| {
        let name = n.child_by_field_name("name")?;
        (n.kind() == "accessor_declaration" && name.kind() == "identifier").then(|| {
            (
                name.byte_range(),
                format!(
                    "expected a 'get' or 'set' accessor, found '{}'",
                    &text[name.byte_range()]
                ),
            )
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
            "using System;\n\nclass Program {\n    static void Main(string[] args) {\n        Console.WriteLine(\"hi\");\n    }\n}\n",
            "var x = 5;\nConsole.WriteLine(x);\n",
            "public int Age { get; set; }\nprivate readonly List<int> _items = new();\n",
            "public static void Main()\n{\n    await Task.Delay(10);\n}\n",
            "var q = from p in people\n        where p.Age > 30\n        select p.Name;\n",
            "var s = @\"C:\\dir\n\"\"quoted\"\"\";\nvar t = $\"{d[\"k\"]} and {{braces}}\";\n",
            "record Point(int X, int Y);\nvar p = new Point(1, 2) with { X = 3 };\n",
            "public void Run()\n{\n    // ...\n    ...\n}\n",
            "void F()\n{\n    avatar.Position;\n}\n",
            "people.Where(p => p.Age > 30)\n    .Select(p => p.Name)\n    .ToList()\n",
            "@{\n    ViewBag.Title = \"Home\";\n}\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("class A {\n  void F() {\n    int x = 1\n    string s = \"a\";\n  }\n}\n"),
            (3, "expected ';'".into())
        );
        assert_eq!(
            err("string s = \"abc;\nint y = 2;\n"),
            (1, "unterminated string literal".into())
        );
        assert_eq!(
            err("var s = @\"abc\nint y = 2;\n"),
            (1, "unterminated verbatim string literal".into())
        );
        assert_eq!(
            err("foreach (var x in xs)\n{\n    Console.WriteLine(x)\n}\n"),
            (3, "expected ';'".into())
        );
        assert_eq!(
            err("interface I {\n    string Name { get; est; }\n}\n"),
            (2, "expected a 'get' or 'set' accessor, found 'est'".into())
        );
        assert_eq!(
            err("if (x > 1 {\n    F();\n}\n"),
            (1, "expected ')' before '{'".into())
        );
    }
}
