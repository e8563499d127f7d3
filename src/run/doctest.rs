//! `>>>` sessions read as Python's doctest reads them: an example is a `>>> ` line and the
//! `... ` lines after it; its expected output is the lines after those, up to the next prompt
//! or a blank line (`<BLANKLINE>` stands for an empty line). An expected traceback is matched
//! on its last line (the exception); `...` in expected output matches anything (doctest's
//! ELLIPSIS, which notes use without saying so).

/// One example of a session, with note offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The code, prompts taken off, lines joined with `\n` and ended with one.
    pub source: String,
    /// The expected output, lines without the session's indentation.
    pub want: Vec<String>,
    /// Where the expected lines are in the note (from the first's text to the last's end);
    /// empty at the end of the example's last source line when nothing is expected.
    pub want_range: std::ops::Range<usize>,
    /// The note offset of the `>>>`.
    pub at: usize,
}

/// The prompt of `line` after `indent` bytes: `>>>` or `...`, followed by a space or the
/// line's end. Returns the code after it.
fn prompt<'l>(line: &'l str, indent: usize, p: &str) -> Option<&'l str> {
    let rest = line.get(indent..)?.strip_prefix(p)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(' ')
    }
}

/// The examples of a session; `lines` are the sample's lines (text, note offset) with the
/// block's common indentation taken off.
pub fn parse(lines: &[(&str, usize)]) -> Vec<Example> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (line, at) = lines[i];
        let line = line.trim_end_matches('\r');
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let Some(code) = prompt(line, indent, ">>>") else {
            i += 1;
            continue;
        };
        let mut source = format!("{code}\n");
        let mut end = at + line.len();
        i += 1;
        while let Some(&(l, a)) = lines.get(i) {
            let l = l.trim_end_matches('\r');
            let Some(more) = prompt(l, indent, "...") else {
                break;
            };
            source.push_str(more);
            source.push('\n');
            end = a + l.len();
            i += 1;
        }
        let mut want = Vec::new();
        let mut want_range = end..end;
        while let Some(&(l, a)) = lines.get(i) {
            let l = l.trim_end_matches('\r');
            if l.trim().is_empty() || prompt(l, indent, ">>>").is_some() {
                break;
            }
            // doctest refuses a less indented line; here it ends the output.
            let Some(text) = l.get(indent..).filter(|_| l[..indent].trim().is_empty()) else {
                break;
            };
            if want.is_empty() {
                want_range.start = a + indent;
            }
            want_range.end = a + l.len();
            want.push(if text == "<BLANKLINE>" {
                String::new()
            } else {
                text.to_string()
            });
            i += 1;
        }
        if source.trim().is_empty() {
            continue;
        }
        out.push(Example {
            source,
            want,
            want_range,
            at: at + indent,
        });
    }
    out
}

/// The exception an expected traceback ends with (`ValueError: x`), when `want` is one.
pub fn expected_exception(want: &str) -> Option<&str> {
    let rest = want
        .strip_prefix("Traceback (most recent call last):")
        .or_else(|| want.strip_prefix("Traceback (innermost last):"))?;
    // The stack: indented lines (or `...`) after the header; the exception follows.
    let at = rest
        .split_inclusive('\n')
        .scan(0, |pos, l| {
            let start = *pos;
            *pos += l.len();
            Some((start, l))
        })
        .find(|(_, l)| {
            let t = l.trim_end();
            !t.is_empty() && !l.starts_with([' ', '\t']) && t != "..."
        })
        .map(|(s, _)| s)?;
    Some(rest[at..].trim())
}

/// An exception's type name, module path taken off (`decimal.InvalidOperation` ->
/// `InvalidOperation`): the part of `Type: message` before the colon.
pub fn exception_type(line: &str) -> &str {
    let head = line.split(':').next().unwrap_or(line).trim();
    head.rsplit('.').next().unwrap_or(head)
}

/// doctest's ELLIPSIS: `...` in `want` matches any text (newlines included).
pub fn ellipsis_match(want: &str, got: &str) -> bool {
    let parts: Vec<&str> = want.split("...").collect();
    if parts.len() == 1 {
        return want == got;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !got.starts_with(first) || got.len() < first.len() + last.len() || !got.ends_with(last) {
        return false;
    }
    let mut at = first.len();
    let end = got.len() - last.len();
    for p in &parts[1..parts.len() - 1] {
        match got[at..end].find(p) {
            Some(i) => at += i + p.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(&str, usize)> {
        let mut at = 0;
        text.split('\n')
            .map(|l| {
                let r = (l, at);
                at += l.len() + 1;
                r
            })
            .collect()
    }

    #[test]
    fn examples_and_their_expected_lines() {
        let text = ">>> def f(x):\n...     return [x]\n>>> f(1)\n[1]\n>>> print('a\\n\\nb')\na\n<BLANKLINE>\nb\n\n>>> x = 1\n>>> 1/0\nTraceback (most recent call last):\n  ...\nZeroDivisionError: division by zero\n\nprose after a blank line";
        let ex = parse(&lines(text));
        assert_eq!(ex.len(), 5);
        assert_eq!(ex[0].source, "def f(x):\n    return [x]\n");
        assert!(ex[0].want.is_empty());
        assert_eq!(ex[1].want, ["[1]"]);
        assert_eq!(&text[ex[1].want_range.clone()], "[1]");
        assert_eq!(ex[2].want, ["a", "", "b"]);
        assert_eq!(&text[ex[2].want_range.clone()], "a\n<BLANKLINE>\nb");
        assert!(ex[3].want.is_empty());
        assert_eq!(ex[3].want_range.start, ex[3].want_range.end);
        let tb = ex[4].want.join("\n");
        assert_eq!(
            expected_exception(&tb),
            Some("ZeroDivisionError: division by zero")
        );
        assert_eq!(
            exception_type("decimal.InvalidOperation: x"),
            "InvalidOperation"
        );
    }

    #[test]
    fn indented_sessions_keep_their_indentation_rule() {
        let text = "  >>> 1 + 1\n  2\n 3";
        let ex = parse(&lines(text));
        assert_eq!(ex[0].want, ["2"]);
        assert_eq!(ex[0].at, 2);
    }

    #[test]
    fn ellipsis() {
        assert!(ellipsis_match("<object at 0x...>", "<object at 0x7f3a>"));
        assert!(ellipsis_match("[1, ..., 5]", "[1, 2, 3, 4, 5]"));
        assert!(ellipsis_match("...", ""));
        assert!(!ellipsis_match("[1, ..., 5]", "[2, 3, 5]"));
        assert!(!ellipsis_match("a...a", "a"));
    }
}
