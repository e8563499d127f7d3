//! C++ samples (`cpp`, `c++`, `cc`, `cxx`, `hpp`), read by tree-sitter-cpp: as a file, else
//! as statements in a function body, else as the members of a class. Blocks tagged `cpp` in
//! notes often hold a program's output or pseudo-code: a sample that does not parse and does
//! not look like code at all is left alone.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap, c, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_cpp::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[
        Wrap {
            before: "",
            after: "",
        },
        Wrap {
            before: "void sample__() {\n",
            after: "\n}\n",
        },
        Wrap {
            before: "struct Sample__ {\n",
            after: "\n};\n",
        },
    ],
    // An expression shown alone (`p->next`, a call), without the `;` of a statement.
    expression: Some(Wrap {
        before: "void sample__() {\n(void)(\n",
        after: "\n);\n}\n",
    }),
    lint,
    flavor: Some(lexical::Flavor {
        backtick_raw: false,
        cpp_raw: true,
        digit_separators: true,
        text_blocks: false,
        strings: lexical::Strings::C,
        lambda_braces: false,
    }),
    semicolons: true,
    prepare,
    tolerate: c::tolerate,
};

/// [`Prepared::code`], with each pointer-to-member's class (`A::` of `void (A::*p)(int)`,
/// `int A::*pm`) blanked: tree-sitter-cpp reads such declarators in declarations only, not
/// in a `typedef`, among a class's members or in a type without a name, where C++ allows
/// them too. Blanked, the declarator is a plain pointer, with the same syntax around it.
/// Likewise the `->` of the `->*` operator.
fn prepare(source: &str) -> Prepared {
    let mut p = Prepared::code(source);
    let b = p.text.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(k) = p.text[from..].find("::") {
        let colons = from + k;
        from = colons + 2;
        let star = from + b[from..].iter().take_while(|&&c| c == b' ').count();
        if b.get(star) != Some(&b'*') {
            continue;
        }
        // Back over `ns::A`: identifiers joined by `::`.
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let mut start = colons;
        loop {
            let word = b[..start].iter().rev().take_while(|&&c| ident(c)).count();
            if word == 0 || b[start - word].is_ascii_digit() {
                break;
            }
            start -= word;
            if start < 2 || &b[start - 2..start] != b"::" {
                break;
            }
            start -= 2;
        }
        if start < colons {
            spans.push(start..from);
        }
    }
    // The operator `->*` (`(this->*step)(n)`), which tree-sitter-cpp does not know: its `->`
    // blanked, a multiplication, an operator between the same operands.
    let mut from = 0;
    while let Some(k) = p.text[from..].find("->*") {
        spans.push(from + k..from + k + 2);
        from += k + 3;
    }
    for span in spans {
        p.blank(span);
    }
    p
}

pub fn check(source: &str) -> Option<SyntaxError> {
    let error = super::check_c_family(&GRAMMAR, source)?;
    super::looks_like_code(source, error.range.start).then_some(error)
}

/// Constructs tree-sitter-cpp accepts and C++ compilers reject.
fn lint(root: Node, text: &str) -> Option<(Range<usize>, String)> {
    static KINDS: LazyLock<c::LintKinds> = LazyLock::new(|| c::LintKinds::of(&LANGUAGE));
    super::find_node(root, &mut |n| c::lint_node(&KINDS, n, text))
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
            "#include <vector>\nint main() {\n    std::vector<int> v{1, 2, 3};\n    for (auto x : v) std::cout << x;\n}\n",
            "vector<int> v;\nv.push_back(1);\ncout << v.size() << endl;\n",
            "public:\n    virtual void draw() const = 0;\n    virtual ~Shape() = default;\n",
            "template <typename... Ts>\nauto sum(Ts... ts) { return (ts + ...); }\n",
            "auto s = R\"(a \" b)\";\nint n = 1'000'000;\n",
            "Output:\n10 20 30\nThe answer is 42\n",
            "std::sort(v.begin(), v.end(),\n    [](int a, int b) {\n        return a < b;\n    })\n",
            "struct S {\n    unsigned int age : 4;\n    char : 0;\n};\n",
            // Pointers to members, which g++ takes wherever a declarator or a type goes.
            "class Seq {\npublic:\n    typedef void (Seq::*Step)(int);\n    void (Seq::*next)(int) const;\n    int Seq::*field;\n};\n",
            "typedef int ns::A::*P;\nusing F = void (A::*)(int);\n",
            "void Seq::run(int n) {\n    (this->*step)(n);\n    (self->*(table[n]))(n);\n}\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        // A pointer to member keeps its errors.
        assert_eq!(
            err("class A {\n    typedef void (A::*P)(int)\n};\n"),
            (2, "expected ';'".into())
        );
        assert_eq!(
            err("int main() {\n    int x = 1\n    return x;\n}\n"),
            (2, "expected ';'".into())
        );
        assert_eq!(
            err("class A {\n    int x;\n}\nint y;\n"),
            (3, "expected ';' after class definition".into())
        );
        assert_eq!(
            err("void *ptr\n"),
            (1, "expected ';' at end of input".into())
        );
        assert_eq!(
            err("class V {\npublic:\n    string fuel = none\";\n};\nint x;\n"),
            (3, "unterminated string literal".into())
        );
        assert_eq!(
            err("if (x || y {\n    f();\n} else {\n    g();\n}\n"),
            (1, "expected ')' before '{'".into())
        );
        assert_eq!(
            err("float v5] = {1.0f};\nfor (auto f : v)\n    printf(\"%f\", f);\n"),
            (1, "unmatched ']'".into())
        );
        assert_eq!(
            err("class N : public M {\npublic:\n    int f;\n}\nint main() {\n    return 0;\n}\n"),
            (4, "expected ';' after class definition".into())
        );
        assert_eq!(
            err("std::string s = \"abc;\nint y = 2;\n"),
            (1, "unterminated string literal".into())
        );
    }
}
