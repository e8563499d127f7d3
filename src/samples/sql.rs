//! SQL samples, read by `sqlparser` in the dialect the tag names (`mysql`, `postgresql`/`psql`,
//! `sqlite`, `tsql`), the generic dialect for `sql`.
//!
//! Before parsing (offsets kept): `...` elisions and `<placeholders>` become identifiers, and a
//! line holding only `...` is blanked. Which dialects are reported at all, and why, is in
//! `docs/languages.md`: `sqlparser` rejects much valid vendor SQL, and a false alarm costs more
//! than a missed error.

use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError, ParserOptions};

use super::SyntaxError;

pub fn check_generic(source: &str) -> Option<SyntaxError> {
    check(source, &GenericDialect {})
}

pub fn check_mysql(source: &str) -> Option<SyntaxError> {
    check(source, &MySqlDialect {})
}

pub fn check_postgres(source: &str) -> Option<SyntaxError> {
    check(source, &PostgreSqlDialect {})
}

pub fn check_sqlite(source: &str) -> Option<SyntaxError> {
    check(source, &SQLiteDialect {})
}

/// Every dialect a sample may be written in: a sample that one of them reads is not reported,
/// whatever its tag says (tags are loose, `sqlparser` knows each dialect only in part).
const DIALECTS: &[&dyn Dialect] = &[
    &GenericDialect {},
    &MySqlDialect {},
    &PostgreSqlDialect {},
    &SQLiteDialect {},
];

fn check(source: &str, dialect: &dyn Dialect) -> Option<SyntaxError> {
    let (text, elided_lines) = neutralize(source);
    // A list whose last items are elided on a line of their own ends in a comma.
    let options = ParserOptions::new().with_trailing_commas(elided_lines);
    let parse = |d: &dyn Dialect| {
        Parser::new(d)
            .with_options(options.clone())
            .try_with_sql(&text)
            .and_then(|mut p| p.parse_statements())
            .err()
    };
    let e = parse(dialect)?;
    if DIALECTS.iter().any(|d| parse(*d).is_none()) {
        return None;
    }
    let (message, at) = match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => located(&m, &text),
        // Too deeply nested for the parser's bound: not a verdict on the syntax.
        ParserError::RecursionLimitExceeded => return None,
    };
    Some(SyntaxError {
        range: at..at,
        message,
    })
}

/// Splits sqlparser's "... at Line: L, Column: C" into the message and a byte offset.
fn located(message: &str, text: &str) -> (String, usize) {
    let Some(i) = message.rfind(" at Line: ") else {
        return (message.to_string(), text.trim_end().len());
    };
    let mut nums = message[i + 10..]
        .split(", Column: ")
        .map(|n| n.trim().parse::<usize>().unwrap_or(1));
    let (line, col) = (nums.next().unwrap_or(1), nums.next().unwrap_or(1));
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    let within = rest
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
    (message[..i].to_string(), start + within)
}

/// Elisions and placeholders as identifiers of the same length, outside strings and comments:
/// `...` and `<name>`/`<some name>`. A `...` alone on its line stands for elided statements or
/// list items: it is blanked (and the second value says so).
fn neutralize(source: &str) -> (String, bool) {
    let mut elided_lines = false;
    let b = source.as_bytes();
    let mut out = b.to_vec();
    // T-SQL's `GO` batch separator is a client command, not SQL.
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        if line.trim().eq_ignore_ascii_case("go") {
            out[at..at + line.trim_end().len()].fill(b' ');
        }
        at += line.len();
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
            }
            b'\'' | b'"' | b'`' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            }
            b'.' if b[i..].starts_with(b"...") => {
                let line_start = b[..i]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |n| n + 1);
                let line_end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
                if source[line_start..line_end].trim() == "..." {
                    out[i..i + 3].copy_from_slice(b"   ");
                    elided_lines = true;
                } else {
                    out[i..i + 3].copy_from_slice(b"x__");
                }
                i += 3;
            }
            b'<' if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {
                let end = b[i + 1..]
                    .iter()
                    .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b' '))
                    .map(|n| i + 1 + n);
                match end {
                    Some(e) if b[e] == b'>' => {
                        out[i..=e].fill(b'_');
                        out[i] = b'x';
                        i = e + 1;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    let text = String::from_utf8(out).unwrap_or_else(|_| source.to_string());
    (text, elided_lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(check: fn(&str) -> Option<SyntaxError>, src: &str) -> Option<usize> {
        check(src).map(|e| src[..e.range.start].matches('\n').count() + 1)
    }

    #[test]
    fn statements_and_placeholders() {
        for ok in [
            "SELECT name, COUNT(*) FROM users\nWHERE age > 18\nGROUP BY name\nHAVING COUNT(*) > 1;\n",
            "SELECT column1, column2, ...\nFROM table_name;\n",
            "SELECT * FROM <table name> WHERE id = 1;\n",
            "CREATE TABLE t (\n  id INT PRIMARY KEY,\n  ...\n);\n",
            "SELECT 1;\nGO\nSELECT 2;\ngo\n",
        ] {
            assert_eq!(line(check_generic, ok), None, "{ok}");
        }
        assert_eq!(
            line(check_mysql, "SELECT `name` FROM t LIMIT 1, 2;\n"),
            None
        );
    }

    #[test]
    fn broken_statements_are_reported_on_their_line() {
        assert_eq!(line(check_generic, "SELECT *\nFORM users;\n"), Some(2));
        assert_eq!(
            line(check_generic, "SELECT a FROM t\nWHERE (a > 1;\n"),
            Some(2)
        );
        assert_eq!(line(check_generic, "SELECT 'open FROM t;\n"), Some(1));
    }
}
