//! The rules that produce diagnostics. Each works on plain values with byte offsets; the
//! server and the command line turn them into their own shapes.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::{Arc, LazyLock, Mutex};

use crate::outline::Heading;
use crate::samples::{self, Lang, Sample, python};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// The stable diagnostic codes (DESIGN.md); users switch rules off by these names.
pub mod code {
    pub const PYTHON_SYNTAX: &str = "python-syntax";
    pub const GUESSED_PYTHON_SYNTAX: &str = "guessed-python-syntax";
    pub const JSON_SYNTAX: &str = "json-syntax";
    pub const UNCLOSED_FENCE: &str = "unclosed-fence";
    pub const MISSING_LANGUAGE: &str = "missing-language";
    pub const BROKEN_LINK: &str = "broken-link";
    pub const UNANSWERED_QUESTION: &str = "unanswered-question";
    pub const DUPLICATE_QUESTION: &str = "duplicate-question";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    /// Shared: the note's diagnostics are gathered from its chunks on every keystroke.
    pub message: Arc<str>,
}

impl Diagnostic {
    pub fn shift(&mut self, delta: usize) {
        self.range = self.range.start + delta..self.range.end + delta;
    }
}

/// What checking a sample found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not checked: a language the server does not know, or opted out.
    Unchecked,
    Parses,
    /// The error's range in the note and its message.
    Broken(Range<usize>, String),
}

/// Verdicts by content hash: typing re-extracts a section's samples, but only a sample whose
/// text changed is parsed again.
static PY_CACHE: LazyLock<Mutex<HashMap<u64, Option<python::PyError>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const PY_CACHE_LIMIT: usize = 20_000;

fn check_python_cached(src: &str) -> Option<python::PyError> {
    let mut h = DefaultHasher::new();
    src.hash(&mut h);
    let key = h.finish();
    if let Some(v) = PY_CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return v.clone();
    }
    let verdict = python::check(src);
    let mut cache = PY_CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= PY_CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, verdict.clone());
    verdict
}

/// Whether the sample is code the server checks as Python, and if so, whether it was tagged.
pub fn python_kind(sample: &Sample) -> Option<bool> {
    match sample.lang {
        Lang::Python => Some(true),
        Lang::Untagged if samples::looks_like_python(&sample.source) => Some(false),
        _ => None,
    }
}

/// Checks one sample: its verdict and the diagnostic it earns, if any.
pub fn check_sample(sample: &Sample) -> (Verdict, Option<Diagnostic>) {
    if sample.nocheck || sample.source.trim().is_empty() {
        return (Verdict::Unchecked, None);
    }
    if let Some(tagged) = python_kind(sample) {
        return match check_python_cached(&sample.source) {
            None => {
                let hint = (!tagged && sample.fenced).then(|| Diagnostic {
                    range: fence_line(sample),
                    severity: Severity::Hint,
                    code: code::MISSING_LANGUAGE,
                    message: "this sample parses as Python: tag the fence ```python".into(),
                });
                (Verdict::Parses, hint)
            }
            Some(err) => {
                let start = sample.to_note(err.start);
                let end = sample.to_note(err.end.max(err.start)).max(start);
                let end = if end == start { start + 1 } else { end };
                let (code, severity) = if tagged {
                    (code::PYTHON_SYNTAX, Severity::Error)
                } else {
                    (code::GUESSED_PYTHON_SYNTAX, Severity::Warning)
                };
                let message = if tagged {
                    err.message.clone()
                } else {
                    format!("{} (untagged sample that looks like Python)", err.message)
                };
                (
                    Verdict::Broken(start..end, err.message),
                    Some(Diagnostic {
                        range: start..end,
                        severity,
                        code,
                        message: message.into(),
                    }),
                )
            }
        };
    }
    if sample.lang == Lang::Json {
        return match serde_json::from_str::<serde::de::IgnoredAny>(&sample.source) {
            Ok(_) => (Verdict::Parses, None),
            Err(e) => {
                let at = offset_of_line_col(&sample.source, e.line(), e.column());
                let start = sample.to_note(at);
                let msg = json_message(&e);
                (
                    Verdict::Broken(start..start + 1, msg.clone()),
                    Some(Diagnostic {
                        range: start..start + 1,
                        severity: Severity::Error,
                        code: code::JSON_SYNTAX,
                        message: msg.into(),
                    }),
                )
            }
        };
    }
    (Verdict::Unchecked, None)
}

/// serde_json's message without its " at line L column C" tail: the range says where.
fn json_message(e: &serde_json::Error) -> String {
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

/// The opening fence line of a sample (where tag hints point).
fn fence_line(sample: &Sample) -> Range<usize> {
    let first_code = sample.to_note(0);
    let start = sample.range.start;
    start
        ..first_code
            .max(start + 1)
            .min(sample.range.end.max(start + 1))
}

/// CPython's `TabError` rule applied to the indentation as written in the note, container
/// prefix included: each line's indentation is measured with tabs to multiples of 8 and with
/// tabs as 1 column, and if the two measures disagree on whether a line is indented more,
/// less or the same as the one before, the sample's structure depends on the tab width. The
/// extracted sample cannot show this: Markdown turns a tab in the container prefix into
/// columns. `lines` are the code ranges of the block in `text`; returns the offending line's
/// code start.
pub fn tab_inconsistency(text: &str, lines: &[Range<usize>]) -> Option<usize> {
    let measure = |ws: &str| {
        let (mut col, mut alt) = (0usize, 0usize);
        for b in ws.bytes() {
            if b == b'\t' {
                col = (col / 8 + 1) * 8;
                alt += 1;
            } else {
                col += 1;
                alt += 1;
            }
        }
        (col, alt)
    };
    // The indentation stack, as CPython's tokenizer keeps it, in both measures.
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    let mut first = true;
    for r in lines {
        if text[r.clone()].trim().is_empty() {
            continue;
        }
        let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
        let raw = &text[line_start..r.end];
        let ws = &raw[..raw.len() - raw.trim_start_matches([' ', '\t']).len()];
        let (col, alt) = measure(ws);
        if first {
            // The first line sets the base: the block's own indentation is not Python's.
            stack = vec![(col, alt)];
            first = false;
            continue;
        }
        let &(top, alt_top) = stack.last().expect("never empty");
        // The two measures must agree on the direction: deeper, same, or shallower.
        if col.cmp(&top) != alt.cmp(&alt_top) {
            return Some(r.start);
        }
        if col > top {
            stack.push((col, alt));
        } else if col < top {
            while stack.len() > 1 && stack.last().expect("never empty").0 > col {
                stack.pop();
            }
            let &(top, alt_top) = stack.last().expect("never empty");
            if col == top && alt != alt_top {
                return Some(r.start);
            }
            if col != top {
                // Matches no outer level: an indentation error CPython reports itself.
                return None;
            }
        }
    }
    None
}

/// An unclosed top-level fence runs to the end of the note and hides everything after it.
pub fn unclosed_fence(fence_line: Range<usize>, swallowed_headings: usize) -> Diagnostic {
    let what = match swallowed_headings {
        0 => "the rest of the note".to_string(),
        1 => "the rest of the note, 1 heading included".to_string(),
        n => format!("the rest of the note, {n} headings included"),
    };
    Diagnostic {
        range: fence_line,
        severity: Severity::Warning,
        code: code::UNCLOSED_FENCE,
        message: format!("this code fence is never closed: it swallows {what}").into(),
    }
}

/// Questions whose answer (everything up to the next heading of the same or a higher level,
/// subheadings included) is empty.
pub fn unanswered(headings: &[Heading]) -> Vec<Diagnostic> {
    (0..headings.len())
        .filter(|&i| is_unanswered(headings, i))
        .map(|i| unanswered_question(&headings[i]))
        .collect()
}

/// Whether heading `i` is a question with no answer: nothing under it, nor under the
/// headings nested in it.
pub fn is_unanswered(headings: &[Heading], i: usize) -> bool {
    let h = &headings[i];
    h.question
        && !h.has_body
        && !headings[i + 1..]
            .iter()
            .take_while(|n| n.level > h.level)
            .any(|n| n.has_body)
}

/// The `unanswered-question` diagnostic for `h`.
pub fn unanswered_question(h: &Heading) -> Diagnostic {
    Diagnostic {
        range: h.title_range.clone(),
        severity: Severity::Information,
        code: code::UNANSWERED_QUESTION,
        message: format!("unanswered question: \"{}\"", h.title).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut at = 0;
        for l in text.split('\n') {
            let ws = l.len() - l.trim_start_matches([' ', '\t']).len();
            out.push(at + ws..at + l.len());
            at += l.len() + 1;
        }
        out
    }

    #[test]
    fn tabs_that_change_the_structure_are_reported() {
        // Two tabs then nine spaces: deeper with tabs of 1, shallower with tabs of 8.
        let text = "\t\tdef f():\n         return 1\n";
        assert_eq!(tab_inconsistency(text, &lines(text)), Some(20));
        // Consistent tabs, consistent spaces, a tab prefix shared by every line: fine.
        for ok in [
            "\tdef f():\n\t\treturn 1\n",
            "def f():\n    return 1\n",
            "\t  def f():\n\t      return 1\n\t  f()\n",
        ] {
            assert_eq!(tab_inconsistency(ok, &lines(ok)), None, "{ok:?}");
        }
    }
}
