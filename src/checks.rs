//! The rules that produce diagnostics. Each works on plain values with byte offsets; the
//! server and the command line turn them into their own shapes.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::{Arc, LazyLock, Mutex};

use crate::codes::{Severity, code};
use crate::note::blocks::Container;
use crate::outline::Heading;
use crate::samples::{self, Lang, Language, Sample, SyntaxError, registry};

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
    /// The error's range in the note and its message; boxed, as few samples are broken
    /// and every sample of an open note keeps its verdict.
    Broken(Box<(Range<usize>, String)>),
}

impl Verdict {
    pub fn broken(range: Range<usize>, message: String) -> Verdict {
        Verdict::Broken(Box::new((range, message)))
    }
}

/// Verdicts by content hash: typing re-extracts a section's samples, but only a sample whose
/// text changed is parsed again. The key covers the language and the tag (a tag may pick a
/// dialect) as well as the text.
static CACHE: LazyLock<Mutex<HashMap<u64, Option<SyntaxError>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
const CACHE_LIMIT: usize = 20_000;

fn check_cached(lang: &'static Language, tag: &str, src: &str) -> Option<SyntaxError> {
    cached(lang, tag, src, false)
}

/// `strict`: as [`samples::strict::strictly`] runs it (a verdict of its own).
fn cached(lang: &'static Language, tag: &str, src: &str, strict: bool) -> Option<SyntaxError> {
    let mut h = DefaultHasher::new();
    lang.name.hash(&mut h);
    tag.hash(&mut h);
    src.hash(&mut h);
    strict.hash(&mut h);
    let key = h.finish();
    if let Some(v) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return v.clone();
    }
    let verdict = if strict {
        samples::strict::strictly(|| lang.run(tag, src))
    } else {
        lang.run(tag, src)
    };
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, verdict.clone());
    verdict
}

/// Whether the sample is code the server checks as Python, and if so, whether it was tagged.
pub fn python_kind(sample: &Sample) -> Option<bool> {
    match sample.lang {
        Lang::Untagged if samples::looks_like_python(&sample.source) => Some(false),
        _ if sample.lang.is_python() => Some(true),
        _ => None,
    }
}

/// The one language an untagged sample parses in, told apart from every other
/// ([`samples::guess`]); Python's own rule ([`python_kind`]) comes first.
pub fn guessed_language(sample: &Sample) -> Option<&'static Language> {
    if sample.lang != Lang::Untagged || python_kind(sample).is_some() {
        return None;
    }
    samples::guess::untagged_language(&sample.source, |lang| {
        cached(lang, lang.tags[0], &sample.source, true).is_none()
    })
}

/// Checks one sample: its verdict and the diagnostic it earns, if any.
pub fn check_sample(sample: &Sample) -> (Verdict, Option<Diagnostic>) {
    if sample.nocheck || sample.source.trim().is_empty() {
        return (Verdict::Unchecked, None);
    }
    if let Some(tagged) = python_kind(sample) {
        return match check_cached(registry::PYTHON, "python", &sample.source) {
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
                let range = note_range(sample, &err);
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
                    Verdict::broken(range.clone(), err.message),
                    Some(Diagnostic {
                        range,
                        severity,
                        code,
                        message: message.into(),
                    }),
                )
            }
        };
    }
    let Some(lang) = sample.lang.language() else {
        let hint = sample
            .fenced
            .then(|| guessed_language(sample))
            .flatten()
            .map(|lang| Diagnostic {
                range: fence_line(sample),
                severity: Severity::Hint,
                code: code::MISSING_LANGUAGE,
                message: format!(
                    "this sample parses as {} and as no other language checked: tag the fence ```{}",
                    lang.display, lang.tags[0]
                )
                .into(),
            });
        return (Verdict::Unchecked, hint);
    };
    let tag = registry::normalize(&sample.tag);
    if lang.checker(&tag).is_none() {
        return (Verdict::Unchecked, None);
    }
    match check_cached(lang, &tag, &sample.source) {
        None => (Verdict::Parses, None),
        Some(err) => {
            let range = note_range(sample, &err);
            (
                Verdict::broken(range.clone(), err.message.clone()),
                Some(Diagnostic {
                    range,
                    severity: Severity::Error,
                    code: lang.code,
                    message: err.message.into(),
                }),
            )
        }
    }
}

/// A sample's error as a range in the note: never empty, so that editors show it.
fn note_range(sample: &Sample, err: &SyntaxError) -> Range<usize> {
    let start = sample.to_note(err.range.start);
    let end = sample
        .to_note(err.range.end.max(err.range.start))
        .max(start);
    if end == start {
        start..start + 1
    } else {
        start..end
    }
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
    let mut open = Continuation::default();
    for r in lines {
        if text[r.clone()].trim().is_empty() {
            continue;
        }
        // Only a logical line's first line has indentation: inside brackets, a string or
        // after a backslash, CPython ignores it.
        let continued = open.continues();
        open.scan(&text[r.clone()]);
        if continued {
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

/// What of a Python logical line is still open at the end of a physical line.
#[derive(Default)]
struct Continuation {
    /// Brackets open.
    depth: usize,
    /// The quote of a triple-quoted string open.
    triple: Option<u8>,
    /// The line ended with a backslash.
    backslash: bool,
}

impl Continuation {
    fn continues(&self) -> bool {
        self.depth > 0 || self.triple.is_some() || self.backslash
    }

    /// Follows one line's brackets, strings and comment.
    fn scan(&mut self, line: &str) {
        let b = line.trim_end_matches('\r').as_bytes();
        self.backslash = false;
        let mut i = 0;
        while i < b.len() {
            if let Some(q) = self.triple {
                if b[i..].starts_with(&[q, q, q]) {
                    self.triple = None;
                    i += 3;
                } else {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                continue;
            }
            match b[i] {
                b'#' => return,
                q @ (b'\'' | b'"') if b[i..].starts_with(&[q, q, q]) => {
                    self.triple = Some(q);
                    i += 3;
                    continue;
                }
                q @ (b'\'' | b'"') => {
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'(' | b'[' | b'{' => self.depth += 1,
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                b'\\' if i + 1 == b.len() => self.backslash = true,
                _ => {}
            }
            i += 1;
        }
    }
}

/// A fence never closed: CommonMark ends it with its container (a list item, a block quote),
/// or at the top with the note, hiding everything after it. `lines` is how many lines it
/// takes after its opening line, `swallowed_headings` how many of them look like headings.
pub fn unclosed_fence(
    fence_line: Range<usize>,
    container: Option<Container>,
    lines: usize,
    swallowed_headings: usize,
) -> Diagnostic {
    let lines_ = match lines {
        1 => "1 line".to_string(),
        n => format!("{n} lines"),
    };
    let message = match container {
        None => {
            let headings = match swallowed_headings {
                0 => String::new(),
                1 => ", 1 heading included".to_string(),
                n => format!(", {n} headings included"),
            };
            format!(
                "this code fence is never closed: it swallows the rest of the note \
                 ({lines_}{headings})"
            )
        }
        Some(c) => {
            let what = match c {
                Container::ListItem => "list item",
                Container::BlockQuote => "block quote",
            };
            let below = match lines {
                0 => "right below it".to_string(),
                _ => format!("{lines_} below"),
            };
            format!("this code fence is never closed: it ends with its {what}, {below}")
        }
    };
    Diagnostic {
        range: fence_line,
        severity: Severity::Warning,
        code: code::UNCLOSED_FENCE,
        message: message.into(),
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

    #[test]
    fn indentation_inside_brackets_strings_and_continuations_is_not_measured() {
        // Each compiles with CPython 3.11: only a logical line's first line is indented.
        for ok in [
            "items = [\n    'a',\n\t'b'\n]\n",
            "s = '''\n    a\n\tb\n'''\nx = 1\n",
            "x = 1 + \\\n\t2\ny = 3\n",
            "if True:\n    x = (1,  # ( in a comment\n\t2)\n    y = ')'\n",
        ] {
            assert_eq!(tab_inconsistency(ok, &lines(ok)), None, "{ok:?}");
        }
        // After the bracket closes, indentation counts again.
        let text = "x = [1,\n\t2]\n\t\tdef f():\n         return 1\n";
        assert!(tab_inconsistency(text, &lines(text)).is_some());
    }
}
