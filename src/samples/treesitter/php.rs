//! PHP samples (`php`), read by tree-sitter-php. A sample that opens PHP itself (`<?php` or
//! `<?=` anywhere, HTML around it allowed) is read as a file, as `php -l` reads it. One
//! without is PHP code shown alone: read as if `<?php` came first, else as the members of a
//! class (methods and properties alone), else as an expression. `...` and `// ...` stand
//! for elided code, `<your code here>` for a placeholder.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_php::LANGUAGE_PHP.into());

/// A sample with its own `<?php`.
static TAGGED: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[Wrap {
        before: "",
        after: "",
    }],
    expression: None,
    lint,
    flavor: None,
    semicolons: false,
    prepare: Prepared::code,
    tolerate: |_, _, _| false,
};

/// PHP code without `<?php`.
static BARE: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[
        Wrap {
            before: "<?php\n",
            after: "",
        },
        Wrap {
            before: "<?php\nclass Sample__ {\n",
            after: "\n}\n",
        },
    ],
    // An expression shown alone, without the `;` of a statement.
    expression: Some(Wrap {
        before: "<?php\n(\n",
        after: "\n);\n",
    }),
    lint,
    flavor: None,
    semicolons: false,
    prepare: Prepared::code,
    tolerate: |_, _, _| false,
};

/// Whether the sample opens PHP mode itself.
fn tagged(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.contains("<?php") || lower.contains("<?=")
}

pub fn check(source: &str) -> Option<SyntaxError> {
    let g = if tagged(source) { &TAGGED } else { &BARE };
    let prepared = Prepared::code(source);
    let (mut error, text) = super::parse_readings(g, &prepared)?;
    // A block left open: one to three `}` would finish the sample. `php -l` names it at the
    // end of the input ("Unclosed '{'"), and so does this.
    if (1..=3).any(|k| super::check_readings(g, &format!("{text}{}", "\n}".repeat(k))).is_ok()) {
        let last = super::last_token_range(&text);
        error = SyntaxError {
            range: prepared.to_source(last.start)..prepared.to_source(last.end),
            message: "expected '}' at end of input".into(),
        };
    }
    super::looks_like_code(source, error.range.start).then_some(error)
}

/// Constructs tree-sitter-php accepts and `php -l` rejects.
fn lint(_root: Node, _text: &str) -> Option<(Range<usize>, String)> {
    None
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
            "<?php\n$a = [1, 2, 3];\necho count($a);\n",
            "$a = [1, 2, 3];\nforeach ($a as $k => $v) {\n    echo \"$k: {$v}\\n\";\n}\n",
            "public function __construct(private int $x) {}\npublic static $count = 0;\n",
            "<h1><?= $title ?></h1>\n<?php if ($x): ?>\n<p>yes</p>\n<?php endif; ?>\n",
            "$s = 'one\ntwo';\n# a comment with a quote: don't\n",
            "function f() {\n    // ...\n    ...\n}\n",
            "$x + $y\n",
            "$text = <<<EOT\nName: {$name}\nEOT;\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(err("<?php\n$a = 1\n$b = 2;\n").0, 2);
        assert_eq!(err("$a = 1\necho $a;\n").0, 1);
        let (line, msg) = err("function f() {\n    if ($x) {\n        return 1;\n}\n");
        assert_eq!(line, 4);
        assert!(msg.contains("end of input"), "{msg}");
        assert_eq!(err("fucntion f() {\n    return 1;\n}\n").0, 1);
        assert_eq!(
            err("while ($x) {\n    if ($y) {\n        f();\n    }\n"),
            (4, "expected '}' at end of input".into())
        );
    }
}
