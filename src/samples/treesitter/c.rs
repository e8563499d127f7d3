//! C samples (`c`, `h`), read by tree-sitter-c: as a file, else as statements in a function
//! body. `...` outside literals stands for elided code.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_c::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[
        Wrap {
            before: "",
            after: "",
        },
        Wrap {
            before: "void sample__(void) {\n",
            after: "\n}\n",
        },
    ],
    // An expression shown alone (`p->next`, a call), without the `;` of a statement.
    expression: Some(Wrap {
        before: "void sample__(void) {\n(void)(\n",
        after: "\n);\n}\n",
    }),
    lint,
    flavor: Some(lexical::Flavor {
        backtick_raw: false,
        cpp_raw: false,
        digit_separators: false,
        text_blocks: false,
        strings: lexical::Strings::C,
        lambda_braces: false,
    }),
    semicolons: true,
    prepare,
    tolerate,
};

/// `typedef struct point { ... };` names no type: gcc warns ("useless storage class
/// specifier") and goes on; `char : 0;` is an unnamed bit-field.
pub(crate) fn tolerate(n: Node, parent: Node, next: Option<Node>) -> bool {
    match parent.kind() {
        "type_definition" => {
            matches!(
                n.kind(),
                "type_identifier" | "identifier" | "primitive_type"
            )
        }
        "field_declaration" => {
            n.kind() == "field_identifier" && next.is_some_and(|s| s.kind() == "bitfield_clause")
        }
        _ => false,
    }
}

/// C89's implicit `int`: `main() {` at the start of a line is a function returning int
/// (gcc accepts it with a warning; the grammar needs the type written).
fn prepare(source: &str) -> Prepared {
    let mut p = Prepared::new(source);
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut at = 0;
    let mut prev = "";
    for (i, line) in lines.iter().enumerate() {
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty());
        if implicit_int(line, prev, next.unwrap_or("")) {
            p.insert(at, "int ");
        }
        if !line.trim().is_empty() {
            prev = line.trim();
        }
        at += line.len();
    }
    p.line_numbers();
    p.placeholders();
    p
}

/// `name(...) {` opening a line after a finished declaration, the `{` on its line or
/// opening the next (a definition without a return type).
fn implicit_int(line: &str, prev: &str, next: &str) -> bool {
    let name_len = line
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if name_len == 0 || line.as_bytes()[0].is_ascii_digit() {
        return false;
    }
    let name = &line[..name_len];
    if KEYWORDS.contains(&name) || !line[name_len..].trim_start().starts_with('(') {
        return false;
    }
    let finished = prev.is_empty()
        || prev.ends_with([';', '}'])
        || prev.starts_with('#')
        || prev.starts_with("//")
        || prev.ends_with("*/");
    let code = line.split("//").next().unwrap_or(line).trim_end();
    finished && (code.ends_with('{') || code.ends_with(')') && next.starts_with('{'))
}

const KEYWORDS: &[&str] = &[
    "if",
    "else",
    "for",
    "while",
    "do",
    "switch",
    "case",
    "return",
    "sizeof",
    "goto",
    "break",
    "continue",
    "default",
    "typedef",
    "struct",
    "union",
    "enum",
    "static",
    "extern",
    "const",
    "volatile",
    "inline",
    "register",
    "auto",
    "void",
    "int",
    "char",
    "short",
    "long",
    "float",
    "double",
    "signed",
    "unsigned",
    "_Bool",
    "_Static_assert",
    "_Generic",
    "asm",
    "__asm__",
];

pub fn check(source: &str) -> Option<SyntaxError> {
    super::check_c_family(&GRAMMAR, source)
}

/// Constructs tree-sitter-c accepts and C compilers reject.
pub(crate) fn lint(root: Node, text: &str) -> Option<(Range<usize>, String)> {
    static KINDS: LazyLock<LintKinds> = LazyLock::new(|| LintKinds::of(&LANGUAGE));
    super::find_node(root, &mut |n| lint_node(&KINDS, n, text))
}

/// The kind ids of the nodes [`lint_node`] looks at, in one grammar: comparing ids at each node
/// of a tree spares `Node::kind`'s string, measured and UTF-8-checked on every call.
pub(crate) struct LintKinds {
    function_definition: u16,
    preproc_call: u16,
}

impl LintKinds {
    pub(crate) fn of(language: &Language) -> LintKinds {
        LintKinds {
            function_definition: language.id_for_node_kind("function_definition", true),
            preproc_call: language.id_for_node_kind("preproc_call", true),
        }
    }
}

/// [`function_without_parameters`] or [`unknown_directive`] at `n`, a node of the grammar
/// `kinds` was made for.
pub(crate) fn lint_node(kinds: &LintKinds, n: Node, text: &str) -> Option<(Range<usize>, String)> {
    let id = n.kind_id();
    if id == kinds.function_definition {
        function_without_parameters(n)
    } else if id == kinds.preproc_call {
        unknown_directive(n, text)
    } else {
        None
    }
}

/// The directives of C and C++ preprocessors (tree-sitter reads any `#word` as one).
const DIRECTIVES: &[&str] = &[
    "include",
    "define",
    "undef",
    "if",
    "ifdef",
    "ifndef",
    "elif",
    "elifdef",
    "elifndef",
    "else",
    "endif",
    "line",
    "error",
    "warning",
    "pragma",
    "import",
    "include_next",
    "ident",
    "sccs",
    "assert",
    "unassert",
];

/// `#inclde <stdio.h>`: gcc's "invalid preprocessing directive".
pub(crate) fn unknown_directive(n: Node, text: &str) -> Option<(Range<usize>, String)> {
    if n.kind() != "preproc_call" {
        return None;
    }
    let d = n.child_by_field_name("directive")?;
    let word = text[d.byte_range()].trim_start_matches('#').trim();
    if word.is_empty()
        || word.starts_with(|c: char| c.is_ascii_digit())
        || DIRECTIVES.contains(&word)
    {
        return None;
    }
    Some((
        d.byte_range(),
        format!("invalid preprocessing directive #{word}"),
    ))
}

/// `whlie (x) { ... }` reads as a function definition whose declarator has no parameter
/// list: a misspelled keyword, which gcc reports as a missing `;` before the `{`.
pub(crate) fn function_without_parameters(n: Node) -> Option<(Range<usize>, String)> {
    if n.kind() != "function_definition" {
        return None;
    }
    let mut d = n.child_by_field_name("declarator")?;
    loop {
        match d.kind() {
            "function_declarator" => return None,
            "pointer_declarator" | "reference_declarator" | "attributed_declarator" => {
                d = d
                    .child_by_field_name("declarator")
                    .or_else(|| d.named_child(d.named_child_count().checked_sub(1)? as u32))?;
            }
            _ => break,
        }
    }
    let body = n.child_by_field_name("body")?;
    Some((
        body.start_byte()..body.start_byte() + 1,
        "expected ';' before '{'".into(),
    ))
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
            "#include <stdio.h>\nint main(void) {\n    printf(\"%d\\n\", 1);\n    return 0;\n}\n",
            "int x = 5;\nx += 2;\nprintf(\"%d\", x);\n",
            "for (int i = 0; i < n; i++) {\n    sum += a[i];\n}\n",
            "struct point { int x, y; };\n",
            "typedef struct coord {\n    int x;\n};\n",
            "int f(int a, ...);\n",
            "void g(void) {\n    ...\n}\n",
            "main() {\n    int i = 0;\n}\nf1(a)\n{\n    return a;\n}\n",
            "node->next->value\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors_in_words_on_the_compilers_line() {
        assert_eq!(
            err("int main() {\n    int x = 1\n    return x;\n}\n"),
            (2, "expected ';'".into())
        );
        assert_eq!(
            err("int main() {\n    puts(\"abc);\n    return 0;\n}\n"),
            (2, "unterminated string literal".into())
        );
        assert_eq!(
            err("int main() {\n    whlie (x) {\n        x--;\n    }\n}\n"),
            (2, "expected ';' before '{'".into())
        );
        assert_eq!(
            err("#inclde <stdio.h>\nint x;\n"),
            (1, "invalid preprocessing directive #inclde".into())
        );
        let (line, msg) = err("int main() {\n    if (x) {\n        y();\n\n    return 0;\n}\n");
        assert_eq!(line, 6);
        assert!(msg.starts_with("expected '}' at end of input"), "{msg}");
    }
}
