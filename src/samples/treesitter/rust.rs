//! Rust samples (`rust`, `rs`), read by tree-sitter-rust: as a file (the grammar also takes
//! statements at the top level), else as statements in the body of `fn f() { ... }` (so a
//! block's last expression needs no `;`), else as the items of an `impl` (methods with
//! `self` alone). `...` and `// ...` stand for elided code, `<your code here>` for a
//! placeholder.
//!
//! rustc reads a file into token trees before it parses: a literal or comment that never
//! ends and a delimiter that pairs with nothing are its first errors, named where rustc
//! names them, ahead of any parse error.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap, lexical};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_rust::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[
        Wrap {
            before: "",
            after: "",
        },
        Wrap {
            before: "fn sample__() {\n",
            after: "\n}\n",
        },
        Wrap {
            before: "impl Sample__ {\n",
            after: "\n}\n",
        },
    ],
    expression: None,
    lint,
    flavor: None,
    semicolons: false,
    prepare: Prepared::code,
    tolerate: |_, _, _| false,
};

pub fn check(source: &str) -> Option<SyntaxError> {
    let prepared = Prepared::code(source);
    let (parsed, text) = super::parse_readings(&GRAMMAR, &prepared)?;
    let back = |r: Range<usize>| prepared.to_source(r.start)..prepared.to_source(r.end);
    let scan = scan(&text);
    if let Some(flaw) = scan.unterminated {
        return Some(SyntaxError {
            range: back(flaw.range),
            message: flaw.message,
        });
    }
    if let Some(flaw) = delimiter_flaw(&text, &scan.brackets) {
        return Some(SyntaxError {
            range: back(flaw.range),
            message: flaw.message,
        });
    }
    Some(parsed)
}

/// A delimiter that pairs with nothing, where rustc's token trees name it: a closer with no
/// opener at the closer, a closer of the wrong kind at the opener it meets, an opener never
/// closed at the end of the input.
fn delimiter_flaw(src: &str, brackets: &[(usize, u8)]) -> Option<lexical::Flaw> {
    let line = |at: usize| 1 + src[..at].matches('\n').count();
    let b = src.as_bytes();
    match lexical::pairing(brackets) {
        lexical::Pairing::Balanced => None,
        lexical::Pairing::Unmatched(at) => Some(lexical::Flaw {
            range: at..at + 1,
            message: format!("unmatched '{}'", b[at] as char),
        }),
        lexical::Pairing::Mismatched(at, open) => Some(lexical::Flaw {
            range: open..open + 1,
            message: format!(
                "unclosed '{}' (the '{}' on line {} closes something else)",
                b[open] as char,
                b[at] as char,
                line(at)
            ),
        }),
        lexical::Pairing::Unclosed(open) => {
            let end = src.trim_end().len();
            let start = src[..end]
                .rfind(char::is_whitespace)
                .map_or(0, |k| k + 1)
                .min(end);
            Some(lexical::Flaw {
                range: start..end,
                message: format!(
                    "expected '{}' at end of input (the '{}' on line {} is never closed)",
                    closer(b[open]),
                    b[open] as char,
                    line(open)
                ),
            })
        }
    }
}

fn closer(open: u8) -> char {
    match open {
        b'(' => ')',
        b'[' => ']',
        _ => '}',
    }
}

/// Rust's lexer, as far as pairing delimiters needs: strings (which may span lines), raw
/// strings (`r#"..."#`), character literals told apart from lifetimes and labels (`'a`),
/// nested block comments.
fn scan(src: &str) -> lexical::Scan {
    let b = src.as_bytes();
    let mut brackets = Vec::new();
    let mut unterminated = None;
    let mut i = 0;
    while i < b.len() && unterminated.is_none() {
        let mut fail = |range: Range<usize>, message: &str| {
            unterminated = Some(lexical::Flaw {
                range,
                message: message.to_string(),
            });
        };
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(b.len(), |k| i + k);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                let start = i;
                loop {
                    if i >= b.len() {
                        fail(start..start + 2, "unterminated block comment");
                        break;
                    }
                    if b[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                let start = i;
                let hashes = raw_hashes(b, i);
                i += 1;
                match hashes {
                    Some(n) => {
                        let close = format!("\"{}", "#".repeat(n));
                        match src[i..].find(&close) {
                            Some(k) => i += k + close.len(),
                            None => fail(start..start + 1, "unterminated raw string"),
                        }
                    }
                    None => loop {
                        match b.get(i) {
                            None => {
                                fail(start..start + 1, "unterminated string literal");
                                break;
                            }
                            Some(b'\\') => i += 2,
                            Some(b'"') => {
                                i += 1;
                                break;
                            }
                            Some(_) => i += 1,
                        }
                    },
                }
            }
            b'r' | b'b' | b'c' if ident_start(b, i) && raw_prefix(b, i).is_some() => {
                // `r#"..."#`: skip to its `"`, read above.
                i = raw_prefix(b, i).unwrap_or(i + 1);
            }
            b'\'' => i = after_quote(src, i, &mut fail),
            c @ (b'(' | b')' | b'[' | b']' | b'{' | b'}') => {
                brackets.push((i, c));
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                // A whole word, so that `r` or `b` inside a name starts nothing.
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    lexical::Scan {
        brackets,
        unterminated,
    }
}

fn ident_start(b: &[u8], i: usize) -> bool {
    i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// `r#"`, `br"`, `cr##"` at `i`: the offset of its `"`.
fn raw_prefix(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(b[j], b'b' | b'c') {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    while b.get(j) == Some(&b'#') {
        j += 1;
    }
    (b.get(j) == Some(&b'"')).then_some(j)
}

/// The number of `#` of a raw string whose `"` is at `i` (`None`: not a raw string).
fn raw_hashes(b: &[u8], i: usize) -> Option<usize> {
    let hashes = b[..i].iter().rev().take_while(|&&c| c == b'#').count();
    let r = i.checked_sub(hashes + 1)?;
    if b[r] != b'r' {
        return None;
    }
    let start = if r > 0 && matches!(b[r - 1], b'b' | b'c') {
        r - 1
    } else {
        r
    };
    ident_start(b, start).then_some(hashes)
}

/// After a `'` at `i`: a character literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime or
/// label (`'a`, `'static`), which has no closing quote.
fn after_quote(src: &str, i: usize, fail: &mut impl FnMut(Range<usize>, &str)) -> usize {
    let rest = &src[i + 1..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => {
            fail(i..i + 1, "unterminated character literal");
            src.len()
        }
        Some((_, '\\')) => match rest[1..].find(['\'', '\n']) {
            Some(k) if rest.as_bytes()[1 + k] == b'\'' => i + 1 + 1 + k + 1,
            _ => {
                fail(i..i + 1, "unterminated character literal");
                src.len()
            }
        },
        Some((_, c)) => {
            let after = c.len_utf8();
            if rest[after..].starts_with('\'') {
                i + 1 + after + 1
            } else if c.is_alphanumeric() || c == '_' {
                // A lifetime or a label.
                let word = rest
                    .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                i + 1 + word
            } else {
                i + 1
            }
        }
    }
}

/// Constructs tree-sitter-rust accepts and rustc's parser rejects.
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
            "fn main() {\n    let v = vec![1, 2, 3];\n    println!(\"{:?}\", v);\n}\n",
            "let x = 5;\nlet y = x + 1;\ny\n",
            "pub fn area(&self) -> f64 {\n    self.w * self.h\n}\n",
            "fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {\n    if x.len() > y.len() { x } else { y }\n}\n",
            "let s = r#\"a \"quoted\" (\"#;\nlet c = '(';\nlet b = b'{';\n",
            "fn f() {\n    // ...\n    ...\n}\n",
            "/* outer /* inner */ still a comment ( */\nstruct S;\n",
            "'outer: loop {\n    break 'outer;\n}\n",
            "impl Drop for S {\n    fn drop(&mut self) {}\n}\n",
            "let s = \"one\ntwo (\";\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("fn main() {\n    let x = 5\n    let y = 6;\n}\n").0,
            2,
            "a missing ';' is named on its line"
        );
        assert_eq!(
            err("fn main() {\n    let s = \"abc;\n    f(s);\n}\n"),
            (2, "unterminated string literal".into())
        );
        assert_eq!(
            err("fn main() {\n    f(1;\n}\n"),
            (
                2,
                "unclosed '(' (the '}' on line 3 closes something else)".into()
            )
        );
        assert_eq!(
            err("fn main() {\n    f(1);\n}\n}\n"),
            (4, "unmatched '}'".into())
        );
        let (line, msg) = err("fn main() {\n    if x {\n        f();\n}\n");
        assert_eq!(line, 4);
        assert!(msg.starts_with("expected '}' at end of input"), "{msg}");
        assert_eq!(err("fn main() {\n    lett x = 1;\n}\n").0, 2);
    }
}
