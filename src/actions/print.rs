//! Python 2's `print x` becomes `print(x)` where that is unambiguous: a statement of its own
//! on one line, brackets balanced, no trailing comma (Python 2's "no newline"), no `>>file`
//! redirection, no `;`. Every such statement of the sample is rewritten at once (CPython
//! stops at the first, so fixing one would only move the error).

use std::ops::Range;

use super::{Ctx, Fix, SampleAt};

pub const ID: &str = "print-call";

/// For each line of `src`, whether a new statement may start on it: no bracket, string or
/// backslash continuation is open at its start.
fn statement_starts(src: &str) -> Vec<bool> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut triple: Option<&str> = None;
    let mut continued = false;
    for line in src.split('\n') {
        out.push(depth == 0 && triple.is_none() && !continued);
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if let Some(q) = triple {
                if b[i..].starts_with(q.as_bytes()) {
                    triple = None;
                    i += 3;
                } else {
                    i += 1;
                }
                continue;
            }
            match b[i] {
                b'#' => break,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'\'' | b'"' => {
                    let q = b[i];
                    let t = if q == b'\'' { "\'\'\'" } else { "\"\"\"" };
                    if line[i..].starts_with(t) {
                        triple = Some(t);
                        i += 3;
                        continue;
                    }
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            i += 1;
        }
        continued = line.trim_end().ends_with('\\');
    }
    out
}

/// Words after which `print` is an operand, not a statement (`print in x`).
const OPERATORS: &[&str] = &["in", "is", "and", "or", "if", "else", "not in", "for"];

/// In one line: the whitespace after `print` and the expression it prints, or `None` when
/// the line is not an unambiguous Python 2 print statement.
fn print_statement(line: &str) -> Option<(Range<usize>, usize)> {
    let indent = line.len() - line.trim_start().len();
    let rest = line[indent..].strip_prefix("print")?;
    let gap = rest.len() - rest.trim_start().len();
    if gap == 0 {
        return None;
    }
    let expr_start = indent + 5 + gap;
    let expr = &line[expr_start..];
    let first = expr.chars().next()?;
    if !(first.is_alphanumeric() || matches!(first, '_' | '"' | '\'' | '[' | '{' | '-' | '+' | '~'))
        || OPERATORS.iter().any(|w| {
            expr.starts_with(w)
                && !expr[w.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    {
        return None;
    }
    // Scan to the end of the expression: strings, brackets, a comment.
    let b = expr.as_bytes();
    let mut depth = 0i32;
    let mut end = expr.len();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                end = i;
                break;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            b';' if depth == 0 => return None,
            b'\'' | b'"' => {
                let q = b[i];
                if expr[i..].starts_with("'''") || expr[i..].starts_with("\"\"\"") {
                    return None;
                }
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if i >= b.len() {
                    return None;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let body = expr[..end].trim_end();
    if depth != 0 || body.is_empty() || body.ends_with(',') || body.ends_with('\\') {
        return None;
    }
    Some((indent + 5..expr_start, expr_start + body.len()))
}

pub fn fix(cx: &Ctx, s: &SampleAt) -> Option<Fix> {
    let d = s.diagnostic.as_ref()?;
    if !d
        .message
        .starts_with("Missing parentheses in call to 'print'")
    {
        return None;
    }
    let src = &s.sample.source;
    let starts = statement_starts(src);
    let mut edits = Vec::new();
    let mut at = 0;
    for (i, line) in src.split('\n').enumerate() {
        if starts.get(i).copied().unwrap_or(false)
            && let Some((gap, end)) = print_statement(line)
        {
            let n = |x: usize| s.sample.to_note(at + x);
            edits.push((n(gap.start)..n(gap.end), "(".to_string()));
            edits.push((n(end)..n(end), ")".to_string()));
        }
        at += line.len() + 1;
    }
    let n = edits.len() / 2;
    let title = if n == 1 {
        "Call print(...) (Python 3)".to_string()
    } else {
        format!("Call print(...) in {n} statements (Python 3)")
    };
    cx.checked_fix(ID, title, edits, Some(d), false, true)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};
    use super::{ID, print_statement};

    #[test]
    fn statements() {
        assert_eq!(print_statement("print x"), Some((5..6, 7)));
        assert_eq!(
            print_statement("  print \"a\", b  # note"),
            Some((7..8, 14))
        );
        assert_eq!(print_statement("print x,"), None);
        assert_eq!(print_statement("print >>f, x"), None);
        assert_eq!(print_statement("print(x)"), None);
        assert_eq!(print_statement("print x; y = 1"), None);
        assert_eq!(print_statement("print in items"), None);
        assert_eq!(print_statement("print (x)"), None);
    }

    #[test]
    fn every_print_statement_of_the_sample() {
        check_fix(
            ID,
            "### How do generators work?\n\n```python\ndef countdown(n):\n    while n > 0:\n        yield n\n        n -= 1\n\nfor value in countdown(3):\n    $0print value\nprint \"done\", len([1, 2])  # all of them\n```\n",
            "### How do generators work?\n\n```python\ndef countdown(n):\n    while n > 0:\n        yield n\n        n -= 1\n\nfor value in countdown(3):\n    print(value)\nprint(\"done\", len([1, 2]))  # all of them\n```\n",
        );
    }

    #[test]
    fn in_a_session_inside_a_list() {
        check_fix(
            ID,
            "- Try it:\n\n  ```pycon\n  >>> name = 'x'\n  >>> $0print name\n  x\n  ```\n",
            "- Try it:\n\n  ```pycon\n  >>> name = 'x'\n  >>> print(name)\n  x\n  ```\n",
        );
    }

    #[test]
    fn not_when_ambiguous() {
        check_no_fix(ID, "```python\nfor x in range(3):\n    $0print x,\n```\n");
    }
}
