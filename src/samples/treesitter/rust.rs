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

use tree_sitter::Language;

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
    lint: super::no_lint,
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

/// Where a delimiter is named: a byte of the sample, or the brace a statements reading wraps
/// around it (`fn sample__() { ... }`), which rustc names at the sample's first or last line.
#[derive(Clone, Copy, PartialEq, Debug)]
enum At {
    Start,
    Byte(usize),
    End,
}

/// rustc's first delimiter error, as its token-tree reader finds it: a closer closes the
/// innermost open delimiter; one of the wrong kind is noted (at the opener it meets) and is
/// kept for an outer opener of its kind if there is one; the first closer with nothing left
/// to close ends the reading. That closer is reported, unless a `}` met an unclosed `(` or
/// `[` before it (reported at that opener); with no such closer, the first mismatch is, else
/// an opener never closed (at the end of the input). `wrapped`: the sample is read inside a
/// `{ ... }` (statements in a function body).
fn rustc_delimiters(src: &str, brackets: &[(usize, u8)], wrapped: bool) -> Option<(At, String)> {
    let line = |at: usize| 1 + src[..at].matches('\n').count();
    let mut tokens: Vec<(At, u8)> = brackets
        .iter()
        .filter(|&&(_, c)| c != b';')
        .map(|&(at, c)| (At::Byte(at), c))
        .collect();
    if wrapped {
        tokens.insert(0, (At::Start, b'{'));
        tokens.push((At::End, b'}'));
    }
    let mut stack: Vec<(At, u8)> = Vec::new();
    // (closer, its kind, the opener it met, the opener's kind)
    let mut mismatches: Vec<(At, u8, At, u8)> = Vec::new();
    let mut unexpected = None;
    let mut noted = None;
    // The closer that ended the wrapper's block, when one in the sample did.
    let mut wrapper_closed_by = None;
    let mut k = 0;
    while k < tokens.len() {
        let (at, c) = tokens[k];
        if matches!(c, b'(' | b'[' | b'{') {
            stack.push((at, c));
            k += 1;
            continue;
        }
        match stack.last() {
            None => {
                unexpected = Some((at, c));
                break;
            }
            Some(&(open_at, open)) if closer(open) as u8 == c => {
                if open_at == At::Start && at != At::End {
                    wrapper_closed_by = Some(at);
                }
                stack.pop();
                k += 1;
            }
            Some(&(open_at, open)) => {
                if open_at == At::Start && at != At::End {
                    wrapper_closed_by = Some(at);
                }
                if noted != Some(at) {
                    noted = Some(at);
                    mismatches.push((at, c, open_at, open));
                }
                stack.pop();
                if !stack.iter().any(|&(_, open)| closer(open) as u8 == c) {
                    k += 1;
                }
            }
        }
    }
    let mismatch = |&(at, c, open_at, open): &(At, u8, At, u8)| {
        let opener = match open_at {
            At::Byte(_) => format!("this '{}'", open as char),
            _ => "the block around the sample".to_string(),
        };
        let message = match at {
            At::Byte(by) => format!(
                "mismatched closing delimiter: {opener} is closed by the '{}' on line {}",
                c as char,
                line(by)
            ),
            _ => format!("mismatched closing delimiter: {opener} is never closed"),
        };
        (open_at, message)
    };
    if let Some((at, c)) = unexpected {
        // rustc folds a `)` or `]` that met the wrong opener into this error.
        return Some(
            mismatches
                .iter()
                .find(|m| m.1 == b'}')
                .map(mismatch)
                .unwrap_or_else(|| match (at, wrapper_closed_by) {
                    (At::End, Some(At::Byte(by))) => (
                        at,
                        format!(
                            "unexpected closing delimiter: the '{}' on line {} closes the block around the sample",
                            src.as_bytes()[by] as char,
                            line(by)
                        ),
                    ),
                    _ => (at, format!("unexpected closing delimiter: '{}'", c as char)),
                }),
        );
    }
    if let Some(m) = mismatches.first() {
        return Some(mismatch(m));
    }
    stack.last().map(|&(_, open)| {
        (
            At::End,
            format!(
                "this file contains an unclosed delimiter (expected '{}')",
                closer(open)
            ),
        )
    })
}

/// Whether rustc reads the sample as statements in a function body rather than as a file: a
/// statement at its top level that is no item (`let`, an expression, `if`), where `fn`,
/// `struct`, `use`, attributes and macro calls (`name!(...)`) are items.
fn statements(src: &str, brackets: &[(usize, u8)]) -> bool {
    const ITEMS: &[&str] = &[
        "fn",
        "pub",
        "struct",
        "enum",
        "impl",
        "trait",
        "use",
        "mod",
        "const",
        "static",
        "type",
        "extern",
        "unsafe",
        "async",
        "union",
        "macro_rules",
    ];
    let mut depth = 0usize;
    let mut k = 0;
    let mut offset = 0;
    let mut after_statement = true;
    for line in src.split_inclusive('\n') {
        while let Some(&(_, c)) = brackets.get(k).filter(|&&(at, _)| at < offset) {
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            k += 1;
        }
        offset += line.len();
        let code = line.trim();
        // Comments, attributes, and closers (a closer begins no statement).
        if code.is_empty() || code.starts_with(['/', '*', '#', ')', ']', '}']) {
            continue;
        }
        if depth == 0 && after_statement {
            let word = code
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .map_or(code, |n| &code[..n]);
            let macro_call = !word.is_empty() && code[word.len()..].trim_start().starts_with('!');
            if !ITEMS.contains(&word) && !macro_call {
                return true;
            }
        }
        let code = code.split("//").next().unwrap_or(code).trim_end();
        after_statement = code.ends_with([';', '}', '{']);
    }
    false
}

/// rustc's first delimiter error in the sample (see [`rustc_delimiters`]), read as statements
/// in a function body or as a file.
fn delimiter_flaw(src: &str, brackets: &[(usize, u8)]) -> Option<lexical::Flaw> {
    let (at, message) = rustc_delimiters(src, brackets, statements(src, brackets))?;
    let range = match at {
        At::Byte(at) => at..at + 1,
        At::Start => {
            let start = src.len() - src.trim_start().len();
            let end = src[start..]
                .find(char::is_whitespace)
                .map_or(src.len(), |n| start + n);
            start..end.max(start + 1).min(src.len())
        }
        At::End => {
            let end = src.trim_end().len();
            let start = src[..end]
                .rfind(char::is_whitespace)
                .map_or(0, |k| k + 1)
                .min(end);
            start..end
        }
    };
    Some(lexical::Flaw { range, message })
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
        comments: Vec::new(),
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
        let (line, msg) = err("fn main() {\n    if x {\n        f();\n}\n");
        assert_eq!(line, 4);
        assert!(
            msg.starts_with("this file contains an unclosed delimiter"),
            "{msg}"
        );
        assert_eq!(err("fn main() {\n    lett x = 1;\n}\n").0, 2);
    }

    /// Each line and message checked against `rustc -Z parse-crate-root-only` (statements
    /// inside `fn sample__() { ... }`, its lines shifted back, the wrapper's last line counted
    /// at the sample's last line).
    #[test]
    fn delimiters_named_where_rustc_names_them() {
        // A file: a `}` meets an unclosed `(`, reported at the `(`.
        assert_eq!(
            err("fn main() {\n    f(1;\n}\n"),
            (
                2,
                "mismatched closing delimiter: this '(' is closed by the '}' on line 3".into()
            )
        );
        // A file: a `}` with nothing left to close.
        assert_eq!(
            err("fn main() {\n    f(1);\n}\n}\n"),
            (4, "unexpected closing delimiter: '}'".into())
        );
        // Statements: a stray `)` closes the function body around them, whose own `}` is
        // then the one rustc names.
        assert_eq!(
            err("let x = f(1));\nlet y = 2;\n"),
            (
                2,
                "unexpected closing delimiter: the ')' on line 1 closes the block around the sample"
                    .into()
            )
        );
        // Statements: the wrapper's `}` meets an unclosed `[`.
        assert_eq!(
            err("let v = vec![1, 2;\nprintln!(\"{:?}\", v);\n"),
            (
                1,
                "mismatched closing delimiter: this '[' is never closed".into()
            )
        );
        // A `)` that meets `[` waits for the `(` outside it; the `]` then closes the `{`.
        assert_eq!(
            err("if x {\n    f(a[1)];\n}\n"),
            (
                3,
                "unexpected closing delimiter: the '}' on line 3 closes the block around the sample"
                    .into()
            )
        );
        // A `)` that meets `[` with no `(` outside: reported at the `[`.
        assert_eq!(
            err("let v = [1, 2);\ng();\n"),
            (
                1,
                "mismatched closing delimiter: this '[' is closed by the ')' on line 1".into()
            )
        );
        // Brackets in strings, characters, raw strings and comments count for nothing.
        assert_eq!(
            err(
                "let s = \"(\"; // )\nlet c = '[';\nlet r = r#\")\"#;\nlet a: &'static str = x(1;\n"
            )
            .0,
            4
        );
    }

    #[test]
    fn statements_or_file() {
        let read = |src: &str| statements(src, &scan(src).brackets);
        assert!(read("let x = 1;\n"));
        assert!(read("fn f() {}\nf();\n"));
        assert!(read("if x {\n    y();\n}\n"));
        assert!(!read("fn f() {\n    let x = 1;\n}\n"));
        assert!(!read(
            "#[derive(Debug)]\nstruct S {\n    x: i32,\n}\nprintln!(\"x\");\n"
        ));
        assert!(!read("fn f<T>()\nwhere\n    T: Copy,\n{\n}\n"));
        // A stray `}` at the top level begins no statement.
        assert!(!read("impl A for B\n    fn f(&self) {}\n}\nfn g() {}\n"));
    }
}
