//! PHP samples (`php`), read by tree-sitter-php. A sample that opens PHP itself (`<?php` or
//! `<?=` anywhere, HTML around it allowed) is read as a file, as `php -l` reads it. One
//! without is PHP code shown alone: read as if `<?php` came first, else as the members of a
//! class (methods and properties alone), else as an expression. `...` and `// ...` stand
//! for elided code, `<your code here>` for a placeholder.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::Language;

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
    lint: super::no_lint,
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
    lint: super::no_lint,
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
    if (1..=3).any(|k| super::accepts(g, &format!("{text}{}", "\n}".repeat(k)))) {
        let last = super::last_token_range(&text);
        error = SyntaxError {
            range: prepared.to_source(last.start)..prepared.to_source(last.end),
            message: "expected '}' at end of input".into(),
        };
    }
    let error = missing_terminator(g, &text, &error).unwrap_or(error);
    super::looks_like_code_in(source, error.range.start, php_line).then_some(error)
}

/// A line only PHP code writes, punctuation or not: a PHP tag, a statement that opens with a
/// variable, or one that opens with a word PHP reads as a statement (`echo "a"` lacking its
/// `;` is still code).
fn php_line(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "echo",
        "print",
        "namespace",
        "use",
        "require",
        "require_once",
        "include",
        "include_once",
        "throw",
        "yield",
        "global",
        "function",
        "abstract",
        "final",
        "interface",
        "trait",
    ];
    let variable = line
        .strip_prefix('$')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    let word = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let keyword = line.len() > word.len()
        && line[word.len()..].starts_with([' ', '\t'])
        && WORDS.iter().any(|w| word.eq_ignore_ascii_case(w));
    line.starts_with("<?") || line.starts_with("?>") || variable || keyword
}

/// A statement left without its `;`: the first line up to the error's whose end, given a `;`,
/// lets the parse go past the error. `php -l` reports the token after it ("unexpected
/// variable "$y""), on its line; said as the `;` it expected there.
fn missing_terminator(g: &Grammar, text: &str, error: &SyntaxError) -> Option<SyntaxError> {
    let error_line_end = text[error.range.start..]
        .find('\n')
        .map_or(text.len(), |i| error.range.start + i);
    let mut line_start = 0;
    for _ in 0..MAX_TRIED_LINES {
        if line_start > error_line_end {
            break;
        }
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        if let Some(found) = terminated_here(g, text, line_start..line_end, error) {
            return Some(found);
        }
        line_start = line_end + 1;
        if line_start >= text.len() {
            break;
        }
    }
    None
}

/// Lines tried for a missing `;`, from the first (each is a parse of every reading).
const MAX_TRIED_LINES: usize = 80;

/// Whether the line `line` lacks the `;` that ends its statement (see `missing_terminator`).
fn terminated_here(
    g: &Grammar,
    text: &str,
    line: Range<usize>,
    error: &SyntaxError,
) -> Option<SyntaxError> {
    let code = &text[line.clone()];
    if code.contains("//") || code.contains('#') || code.contains("/*") {
        return None;
    }
    // Only code after the line's opening tag can lack its `;` (`<?php echo "a"`).
    let lower = code.to_ascii_lowercase();
    let after_tag = ["<?php", "<?="]
        .iter()
        .filter_map(|tag| lower.rfind(tag).map(|i| i + tag.len()))
        .max();
    if after_tag.is_some_and(|i| code[i..].trim().is_empty()) || lower.contains("<?xml") {
        return None;
    }
    let code_end = line.start + code.trim_end().len();
    let last = text[line.start..code_end].chars().next_back()?;
    if ";{}(,[.=+-*/<>&|?:!".contains(last) {
        return None;
    }
    let next = code_end + text[code_end..].find(|c: char| !c.is_whitespace())?;
    if !text[code_end..next].contains('\n') {
        return None;
    }
    let fixed = format!("{};{}", &text[..code_end], &text[code_end..]);
    let goes_past = match super::check_readings(g, &fixed) {
        Ok(()) => true,
        Err(p) => p.range.start > error.range.end.max(next) + 1,
    };
    if !goes_past {
        return None;
    }
    let word_len = text[next..]
        .find(|c: char| c.is_whitespace() || "(;[{".contains(c))
        .unwrap_or(text.len() - next)
        .max(1);
    let word = &text[next..next + word_len];
    Some(SyntaxError {
        range: next..next + word_len,
        message: format!("expected ';' before '{word}'"),
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
        // A missing `;`: named at the next statement's first token, where `php -l` stops. PHP
        // supplies a `;` only before a closing `?>`; lines such as `<?php` and `echo "a"`,
        // without the C family's punctuation, are still code (not output under the code).
        assert_eq!(
            err("<?php\necho \"a\"\necho \"b\";\n"),
            (3, "expected ';' before 'echo'".into())
        );
        assert_eq!(
            err("<?php echo \"a\"\necho \"b\";"),
            (2, "expected ';' before 'echo'".into())
        );
        assert_eq!(check("<?php\necho \"a\"\n?>\n<p>after</p>\n"), None);
        assert_eq!(
            err("<?php\n$a = 1\n$b = 2;\n"),
            (3, "expected ';' before '$b'".into())
        );
        assert_eq!(
            err("$a = 1\necho $a;\n"),
            (2, "expected ';' before 'echo'".into())
        );
        // Found before where tree-sitter's recovery stops.
        assert_eq!(
            err(
                "$i = 0\nwhile ($i < 6) {\n    if ($i++ == 3) break;\n}\necho \"stopped at $i\";\n"
            ),
            (2, "expected ';' before 'while'".into())
        );
        // A chained call over lines is one statement: nothing is missing at its first line.
        assert_eq!(
            err(
                "$users = $db->table('users')\n    ->where('active', 1)\n    ->get()\nreturn $users;\n"
            ),
            (4, "expected ';' before 'return'".into())
        );
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
