//! JSON samples, read by `serde_json` (RFC 8259: no comments, no trailing commas).

use super::SyntaxError;

pub fn check(source: &str) -> Option<SyntaxError> {
    let e = serde_json::from_str::<serde::de::IgnoredAny>(source).err()?;
    let at = offset_of_line_col(source, e.line(), e.column());
    Some(SyntaxError {
        range: at..at,
        message: message(&e),
    })
}

/// serde_json's message without its " at line L column C" tail: the range says where.
fn message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

/// serde_json's 1-based line and column (a column of 0 means before the line's first byte).
fn offset_of_line_col(src: &str, line: usize, column: usize) -> usize {
    let line_start = src
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let mut at = (line_start + column.saturating_sub(1)).min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn reports_where_and_what() {
        assert_eq!(check("{\"a\": [1, 2]}\n"), None);
        let e = check("[1,\n]\n").unwrap();
        // serde_json names the `]` after the comma.
        assert_eq!(e.range, 4..4);
        assert_eq!(e.message, "expected value");
    }
}
