//! Finding stated outputs in a note's samples, without running anything: `>>>` sessions,
//! comments that state what a statement prints, and an "Output:" paragraph or fence right
//! after a sample.

use std::ops::Range;

use super::scan::{self, LineFacts};
use super::{Anchor, Form, How, Plan, Program, RunLang, Stated, compare, doctest};
use crate::analysis::Analysis;
use crate::note::Note;
use crate::samples::{self, Lang, Sample, registry};

/// Words that open a comment stating an output (compared lower-case; the longest first
/// where one starts another). After them an optional `:`.
const MARKERS: &[&str] = &[
    "output is",
    "outputs",
    "output",
    "prints",
    "print",
    "printed",
    "logs",
    "log",
    "logged",
    "returns",
    "result",
    "=>",
    "->",
    "→",
    "输出结果",
    "输出",
    "打印",
    "结果",
    "друкує",
    "выводит",
    "выведет",
    "imprime",
    "affiche",
];

/// The comment's text after a marker, and the marker's length; `None` without one.
fn marker(comment: &str) -> Option<usize> {
    let lower = comment.to_lowercase();
    // Lower-casing keeps byte lengths for the markers' letters (ASCII and Cyrillic).
    let m = MARKERS.iter().find(|m| {
        lower.starts_with(*m)
            && lower[m.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() || !m.is_ascii())
    })?;
    let mut at = m.len();
    // `# print(x)`: code left in a comment, not a marker.
    if comment[at..].starts_with(['(', '.']) {
        return None;
    }
    let rest = &comment[at..];
    let skipped = rest.len() - rest.trim_start().len();
    at += skipped;
    for colon in [":", "：", "-", "="] {
        if comment[at..].starts_with(colon) && !comment[at..].starts_with("->") {
            at += colon.len();
            break;
        }
    }
    Some(at + (comment[at..].len() - comment[at..].trim_start().len()))
}

/// Whether a marker (as written, with its colon) says the statement prints, rather than
/// what it returns or evaluates to.
fn output_marker(marker: &str) -> bool {
    let m = marker.trim().to_lowercase();
    [
        "output",
        "print",
        "log",
        "输出",
        "打印",
        "друкує",
        "выводит",
        "выведет",
        "imprime",
        "affiche",
    ]
    .iter()
    .any(|w| m.starts_with(w))
}

/// A comment's text: after `#` or `//` (and more of the same), spaces taken off.
fn comment_text(line: &str, at: usize, lang: RunLang) -> usize {
    let lead = match lang {
        RunLang::Python => '#',
        RunLang::JavaScript => '/',
    };
    let rest = &line[at..];
    let body = rest.trim_start_matches(lead);
    let body_at = at + rest.len() - body.len();
    body_at + (body.len() - body.trim_start().len())
}

/// Whether a Python statement is an expression (its value is what the note states):
/// not a keyword statement and no assignment at the top level.
fn python_expression(code: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "def", "class", "if", "elif", "else", "for", "while", "return", "import", "from", "with",
        "try", "except", "finally", "raise", "assert", "del", "pass", "break", "continue",
        "global", "nonlocal", "async", "yield", "lambda", "@",
    ];
    let t = code.trim_start();
    let first = t
        .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '@')
        .next()
        .unwrap_or("");
    if KEYWORDS.contains(&first) || t.starts_with('@') {
        return false;
    }
    let b = t.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'\'' | b'"' => quote = Some(c),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'=' if depth == 0 => {
                let prev = i.checked_sub(1).map(|j| b[j]);
                let next = b.get(i + 1).copied();
                let comparison =
                    next == Some(b'=') || matches!(prev, Some(b'=' | b'!' | b'<' | b'>'));
                if !comparison {
                    return false;
                }
            }
            b':' if depth == 0 && b.get(i + 1) == Some(&b'=') => return false,
            _ => {}
        }
    }
    true
}

/// One sample as `find` sees it: its code lines and where they are in the note.
struct Src<'s> {
    sample: &'s Sample,
    lines: Vec<&'s str>,
    /// The source offset of each line's start.
    starts: Vec<usize>,
}

impl<'s> Src<'s> {
    fn new(sample: &'s Sample) -> Src<'s> {
        let mut starts = Vec::new();
        let mut at = 0;
        let lines: Vec<&str> = sample.source.trim_end_matches('\n').split('\n').collect();
        for l in &lines {
            starts.push(at);
            at += l.len() + 1;
        }
        Src {
            sample,
            lines,
            starts,
        }
    }

    /// The note range of bytes `r` of line `n`.
    fn note(&self, n: usize, r: Range<usize>) -> Range<usize> {
        let base = self.sample.to_note(self.starts[n]);
        base + r.start..base + r.end
    }
}

/// The stated outputs in a script's comments, and the lines whose values are displayed.
fn comments(src: &Src, lang: RunLang, stated: &mut Vec<Stated>, display: &mut Vec<usize>) {
    let facts: Vec<LineFacts> = match lang {
        RunLang::Python => scan::python(&src.sample.source),
        RunLang::JavaScript => scan::javascript(&src.sample.source),
    };
    let mut n = 0;
    while n < src.lines.len() {
        let f = &facts[n];
        let line = src.lines[n];
        let Some(c) = f.comment else {
            n += 1;
            continue;
        };
        let body_at = comment_text(line, c, lang);
        let body = line[body_at..].trim_end();
        let marked = marker(body);
        let (text_at, how) = match marked {
            Some(m) => (body_at + m, How::Marked),
            None => (body_at, How::Bare),
        };
        let text = line[text_at..].trim_end();
        if f.code {
            n += 1;
            // A console call that ends on the line is whole even inside a block (a function's
            // body, a loop): its comment is about it.
            if f.continues && !(lang == RunLang::JavaScript && f.prints) {
                continue;
            }
            let anchor = match lang {
                RunLang::JavaScript if f.prints => {
                    Anchor::Lines(f.call_start.unwrap_or(f.stmt_start) + 1, n)
                }
                // `greet("Ann"); // Output: Hi Ann`: what the call printed. Not `// returns 3`
                // nor `// => 3`, which state a value.
                RunLang::JavaScript if marked.is_some_and(|m| output_marker(&body[..m])) => {
                    Anchor::Lines(f.stmt_start + 1, n)
                }
                RunLang::JavaScript => continue,
                RunLang::Python => {
                    let code = src.lines[f.stmt_start..n].join("\n");
                    let code = &code[..code.len() - (line.len() - c)];
                    if !f.prints {
                        // The statement's value: an expression, and a comment that states a
                        // value (with a marker, or one that reads as a value).
                        if !python_expression(code)
                            || how == How::Bare && !compare::value_like(text)
                        {
                            continue;
                        }
                        display.push(n);
                    }
                    Anchor::Lines(f.stmt_start + 1, n)
                }
            };
            if text.is_empty() {
                continue;
            }
            stated.push(Stated {
                of: anchor,
                text: text.to_string(),
                range: src.note(n - 1, text_at..text_at + text.len()),
                form: Form::Inline,
                how,
            });
            continue;
        }
        // A comment line with a marker states the output of the statement just above.
        let prev = (0..n).rev().find(|&m| facts[m].code);
        let Some(p) = prev.filter(|_| marked.is_some()) else {
            n += 1;
            continue;
        };
        let pf = &facts[p];
        let anchor = match lang {
            RunLang::JavaScript if pf.prints => {
                Anchor::Lines(pf.call_start.unwrap_or(pf.stmt_start) + 1, p + 1)
            }
            RunLang::Python if pf.prints && !pf.continues => {
                Anchor::Lines(pf.stmt_start + 1, p + 1)
            }
            RunLang::Python if !pf.continues => {
                let code = src.lines[pf.stmt_start..=p].join("\n");
                let code = match pf.comment {
                    Some(pc) => code[..code.len() - (src.lines[p].len() - pc)].to_string(),
                    None => code,
                };
                if !python_expression(&code) {
                    n += 1;
                    continue;
                }
                display.push(p + 1);
                Anchor::Lines(pf.stmt_start + 1, p + 1)
            }
            _ => {
                n += 1;
                continue;
            }
        };
        if !text.is_empty() {
            stated.push(Stated {
                of: anchor,
                text: text.to_string(),
                range: src.note(n, text_at..text_at + text.len()),
                form: Form::Inline,
                how: How::Marked,
            });
            n += 1;
            continue;
        }
        // `# Output:` alone: the comment lines after it are the output.
        let mut lines = Vec::new();
        let mut range: Option<Range<usize>> = None;
        n += 1;
        while n < src.lines.len() && !facts[n].code && facts[n].comment.is_some() {
            let l = src.lines[n];
            let at = comment_text(l, facts[n].comment.unwrap_or(0), lang);
            let t = l[at..].trim_end();
            if marker(t).is_some() {
                break;
            }
            let r = src.note(n, at..at + t.len());
            range = Some(range.map_or(r.clone(), |p| p.start..r.end));
            lines.push(t.to_string());
            n += 1;
        }
        if let Some(range) = range {
            stated.push(Stated {
                of: anchor,
                text: lines.join("\n"),
                range,
                form: Form::Block {
                    blank: String::new(),
                },
                how: How::Marked,
            });
        }
    }
}

/// Labels of an output paragraph (compared lower-case, after emphasis and heading marks).
const LABELS: &[&str] = &[
    "output",
    "outputs",
    "console output",
    "result",
    "prints",
    "输出",
    "输出结果",
    "执行结果",
    "运行结果",
    "打印结果",
    "结果",
];

/// The text after an "Output:" label that opens `line`: `Some("")` when the label is alone.
fn label(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    let mut s = t.trim_start_matches('#').trim_start();
    s = s.trim_start_matches(['*', '_']);
    let word_end = s
        .char_indices()
        .find(|&(_, c)| matches!(c, ':' | '：' | '*' | '_'))
        .map_or(s.len(), |(i, _)| i);
    let word = s[..word_end].trim().to_lowercase();
    if !LABELS.contains(&word.as_str()) {
        return None;
    }
    let mut rest = s[word_end..].trim_start_matches(['*', '_']);
    let colon = rest.starts_with([':', '：']);
    rest = rest
        .trim_start_matches([':', '：'])
        .trim_start_matches(['*', '_']);
    // "Output" alone on its line needs no colon; "Output 2 1 3" is prose.
    if !colon && !rest.trim().is_empty() {
        return None;
    }
    let at = line.len() - rest.len();
    let rest_trim = rest.trim();
    let at = at + (rest.len() - rest.trim_start().len());
    let _ = lead;
    Some((at, rest_trim))
}

/// The note's lines from `from` on: (start, end without the line break).
fn lines_from(text: &str, from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = from;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = (at, end - usize::from(text[..end].ends_with('\r')));
        at = end + 1;
        Some(line)
    })
}

fn html_only(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.starts_with('<') && t.ends_with('>') && !t.contains("> <") && {
        let stripped: String = t
            .split('<')
            .filter_map(|p| p.split_once('>').map(|(_, r)| r))
            .collect();
        stripped.trim().is_empty()
    }
}

/// An "Output:" paragraph or fence right after the sample ending at `end`; `next` is the
/// next sample of the note.
fn paragraph(text: &str, end: usize, next: Option<&Sample>) -> Option<Stated> {
    let after = text[end..].find('\n').map(|i| end + i + 1)?;
    let mut lines = lines_from(text, after)
        .skip_while(|&(s, e)| text[s..e].trim().is_empty() || html_only(&text[s..e]));
    let (ls, le) = lines.next()?;
    let (at, inline) = label(&text[ls..le])?;
    if !inline.is_empty() {
        if inline.contains('<') || inline.contains('`') && !inline.starts_with('`') {
            return None;
        }
        // The paragraph goes on past the label's line: prose, not an output.
        if lines
            .next()
            .is_some_and(|(s, e)| !text[s..e].trim().is_empty())
        {
            return None;
        }
        let v = inline.trim_matches('`');
        let start = at + inline.find(v).unwrap_or(0);
        return Some(Stated {
            of: Anchor::Whole,
            text: v.to_string(),
            range: ls + start..ls + start + v.len(),
            form: Form::Inline,
            how: How::Paragraph,
        });
    }
    let (bs, _) = lines.find(|&(s, e)| !text[s..e].trim().is_empty())?;
    // An output fence: the next code block, in no language that runs.
    if let Some(s) = next
        && (s.range.start..s.range.end).contains(&bs)
    {
        let lang = s.lang.language().map(|l| l.name);
        if matches!(lang, Some("python" | "javascript" | "typescript")) || s.nocheck {
            return None;
        }
        let lines = samples::dedented_lines(text, &s.layout.code);
        let first = lines.iter().position(|(l, _)| !l.trim().is_empty())?;
        let last = lines.iter().rposition(|(l, _)| !l.trim().is_empty())?;
        let body: Vec<&str> = lines[first..=last]
            .iter()
            .map(|(l, _)| l.trim_end())
            .collect();
        let (l_last, at_last) = lines[last];
        return Some(Stated {
            of: Anchor::Whole,
            text: body.join("\n"),
            range: lines[first].1..at_last + l_last.trim_end().len(),
            form: Form::Block {
                blank: String::new(),
            },
            how: How::Paragraph,
        });
    }
    None
}

/// Whether a sample is run, and as what.
fn run_lang(sample: &Sample, session: bool) -> Option<RunLang> {
    match &sample.lang {
        Lang::Known(l) if *l == registry::PYTHON => Some(RunLang::Python),
        Lang::Known(l) if l.name == "javascript" => Some(RunLang::JavaScript),
        Lang::Untagged if session => Some(RunLang::Python),
        _ => None,
    }
}

/// The samples of a note, in order, with note offsets.
pub fn samples_of(note: &Note) -> Vec<Sample> {
    let mut out = Vec::new();
    for (start, chunk) in note.chunks() {
        for block in chunk.code_blocks() {
            let mut s = Sample::extract(chunk.text(), &block);
            s.shift(start);
            out.push(s);
        }
    }
    out
}

/// Every sample of the note that states an output, with what to run. Samples opted out
/// (`nocheck`) and those with a syntax error are left out.
pub fn plans(note: &Note, analysis: &Analysis) -> Vec<Plan> {
    let text = note.text();
    let all = samples_of(note);
    // What each sample defines, in the language it runs as.
    let defines: Vec<Option<(RunLang, Vec<String>)>> = (all.iter())
        .map(|s| run_lang(s, false).map(|lang| (lang, defined_names(&s.source, lang))))
        .collect();
    let names_in = |range: &[Option<(RunLang, Vec<String>)>], lang: RunLang| {
        let mut names: Vec<String> = (range.iter().flatten())
            .filter(|(l, _)| *l == lang)
            .flat_map(|(_, n)| n.iter().cloned())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    let heading_words: Vec<Vec<String>> = (analysis.headings.iter())
        .map(|h| words(&h.title))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, sample) in all.iter().enumerate() {
        if let Some(mut p) = plan(&text, sample, all.get(i + 1), analysis) {
            p.defined_before = names_in(&defines[..i], p.lang);
            p.defined_after = names_in(&defines[i + 1..], p.lang);
            p.heading_words = heading_words.clone();
            out.push(p);
        }
    }
    out
}

/// A text's words, lower case: a name's too, split where its case changes (`deepClone`,
/// `deep_clone` and "Deep clone" are the same two words).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            out.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    out.extend((!word.is_empty()).then_some(word));
    out
}

/// The names a sample defines at the start of a line: `def f`, `class A`, `x =`, `import m`,
/// `var x`, `let x`, `const x`, `function f`.
fn defined_names(source: &str, lang: RunLang) -> Vec<String> {
    let ident = |s: &str| -> Option<String> {
        let n: String = s
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        (!n.is_empty() && !n.starts_with(|c: char| c.is_ascii_digit())).then_some(n)
    };
    let mut out = Vec::new();
    for line in source.lines() {
        let t = line.trim_start();
        let keywords: &[&str] = match lang {
            RunLang::Python => &["def ", "class ", "async def ", "import ", "for "],
            RunLang::JavaScript => &[
                "var ",
                "let ",
                "const ",
                "function ",
                "async function ",
                "class ",
            ],
        };
        if let Some(rest) = keywords.iter().find_map(|k| t.strip_prefix(k)) {
            out.extend(ident(
                rest.trim_start().trim_start_matches('*').trim_start(),
            ));
            if lang == RunLang::Python && t.starts_with("import ") {
                out.extend(
                    rest.split(',')
                        .filter_map(|m| ident(m.split(" as ").last()?.trim())),
                );
            }
            continue;
        }
        if let Some((_, names)) = t
            .strip_prefix("from ")
            .and_then(|r| r.split_once(" import "))
        {
            out.extend(
                names
                    .split(',')
                    .filter_map(|m| ident(m.split(" as ").last()?.trim())),
            );
            continue;
        }
        // `x = ...`, `a, b = ...` (not `==`).
        if let Some((lhs, rhs)) = t.split_once('=')
            && !rhs.starts_with('=')
            && !lhs.ends_with(['!', '<', '>', '='])
            && line.len() == t.len()
        {
            out.extend(lhs.split(',').filter_map(|n| ident(n.trim())));
        }
    }
    out
}

fn plan(text: &str, sample: &Sample, next: Option<&Sample>, a: &Analysis) -> Option<Plan> {
    if sample.nocheck || sample.source.trim().is_empty() {
        return None;
    }
    let session = samples::dedented_lines(text, &sample.layout.code)
        .iter()
        .find(|(l, _)| !l.trim().is_empty())
        .is_some_and(|(l, _)| l.starts_with(">>>"));
    let lang = run_lang(sample, session)?;
    let broken = a
        .samples
        .iter()
        .find(|s| s.range == sample.range)
        .is_some_and(|s| s.is_broken());
    if broken {
        return None;
    }
    let src = Src::new(sample);
    let line_starts = src.starts.iter().map(|&s| sample.to_note(s)).collect();
    let mut stated = Vec::new();
    let mut example_starts = Vec::new();
    let program = if session && lang == RunLang::Python {
        let lines = samples::dedented_lines(text, &sample.layout.code);
        let examples = doctest::parse(&lines);
        example_starts = examples.iter().map(|e| e.at).collect();
        for (k, ex) in examples.iter().enumerate() {
            if ex.want.is_empty() {
                continue;
            }
            stated.push(Stated {
                of: Anchor::Example(k),
                text: ex.want.join("\n"),
                range: ex.want_range.clone(),
                form: Form::Block {
                    blank: "<BLANKLINE>".into(),
                },
                how: How::Session,
            });
        }
        Program::Session(examples.into_iter().map(|e| e.source).collect())
    } else {
        let mut display = Vec::new();
        comments(&src, lang, &mut stated, &mut display);
        stated.extend(paragraph(text, sample.range.end, next));
        display.sort_unstable();
        display.dedup();
        Program::Script {
            source: sample.source.clone(),
            display,
        }
    };
    if stated.is_empty() {
        return None;
    }
    Some(Plan {
        range: sample.range.clone(),
        lang,
        program,
        stated,
        line_starts,
        example_starts,
        defined_before: Vec::new(),
        defined_after: Vec::new(),
        heading_words: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(md: &str) -> Vec<Plan> {
        let note = Note::new(md);
        plans(&note, &Analysis::of(&note))
    }

    fn stated(md: &str) -> Vec<(Anchor, String, How, String)> {
        found(md)
            .into_iter()
            .flat_map(|p| p.stated)
            .map(|s| (s.of, s.text.clone(), s.how, md[s.range].to_string()))
            .collect()
    }

    #[test]
    fn python_comments_that_state_outputs() {
        let md = "```python\nx = [1, 2]\nprint(x)  # [1, 2]\nprint(len(x))  # Output: 2\nlen(x)  # => 2\nx  # the list\nprint(x)  # prints the list\nprint(7 / 2)\n# Output: 3.5\nprint('a')\nprint('b')\n# Output:\n# a\n# b\ny = 3  # 3\nprint(\n  x)  # [1, 2]\n```\n";
        let s = stated(md);
        let got: Vec<(Anchor, &str, How)> =
            s.iter().map(|(a, t, h, _)| (*a, t.as_str(), *h)).collect();
        assert_eq!(
            got,
            [
                (Anchor::Lines(2, 2), "[1, 2]", How::Bare),
                (Anchor::Lines(3, 3), "2", How::Marked),
                (Anchor::Lines(4, 4), "2", How::Marked),
                (Anchor::Lines(6, 6), "the list", How::Marked),
                (Anchor::Lines(7, 7), "3.5", How::Marked),
                (Anchor::Lines(10, 10), "a\nb", How::Marked),
                (Anchor::Lines(15, 16), "[1, 2]", How::Bare),
            ]
        );
        for (_, text, _, at) in &s {
            assert_eq!(text.replace('\n', ""), at.replace("\n# ", ""));
        }
        let p = &found(md)[0];
        assert_eq!(
            p.program,
            Program::Script {
                source: md[10..md.len() - 4].to_string(),
                display: vec![4]
            }
        );
    }

    #[test]
    fn javascript_comments_after_console_calls() {
        let md = "```js\nconst a = [1, 2];\nconsole.log(a); // [1, 2]\nconsole.log(a.length) //Prints 2\nlet b = 2; // 2\nconsole.log(\n  a\n); // logs: [1, 2]\nconsole.log(a[0]);\n// => 1\nconsole.log(typeof a); // returns \"object\"\n```\n";
        let got: Vec<(Anchor, String, How)> = stated(md)
            .into_iter()
            .map(|(a, t, h, _)| (a, t, h))
            .collect();
        assert_eq!(
            got,
            [
                (Anchor::Lines(2, 2), "[1, 2]".into(), How::Bare),
                (Anchor::Lines(3, 3), "2".into(), How::Marked),
                (Anchor::Lines(5, 7), "[1, 2]".into(), How::Marked),
                (Anchor::Lines(8, 8), "1".into(), How::Marked),
                (Anchor::Lines(10, 10), "\"object\"".into(), How::Marked),
            ]
        );
    }

    #[test]
    fn javascript_console_calls_in_blocks_and_calls_said_to_print() {
        let md = "```js\nfunction greet(n) {\n  console.log(`Hi ${n}`); // Hi Ann\n  return n.length; // returns 3\n}\ngreet(\"Ann\"); // Output: Hi Ann\ngreet(\"Bo\"); // returns 2\nconst n = greet(\"Cy\"); // => 2\nfor (const x of [1, 2]) {\n  console.log(x); // 1 2\n}\n```\n";
        let got: Vec<(Anchor, String, How)> = stated(md)
            .into_iter()
            .map(|(a, t, h, _)| (a, t, h))
            .collect();
        assert_eq!(
            got,
            [
                (Anchor::Lines(2, 2), "Hi Ann".into(), How::Bare),
                (Anchor::Lines(5, 5), "Hi Ann".into(), How::Marked),
                (Anchor::Lines(9, 9), "1 2".into(), How::Bare),
            ]
        );
    }

    #[test]
    fn chinese_marker_and_sessions() {
        let md = "```python\nprint(1 + 1)  # 输出：2\n```\n\n```pycon\n>>> [1, 2] * 2\n[1, 2, 1, 2]\n>>> x = 1\n>>> print('a')\na\n```\n";
        let s = stated(md);
        assert_eq!(s[0].0, Anchor::Lines(1, 1));
        assert_eq!(s[0].1, "2");
        assert_eq!(s[1].0, Anchor::Example(0));
        assert_eq!(s[1].3, "[1, 2, 1, 2]");
        assert_eq!(s.len(), 3);
        assert_eq!(s[2].0, Anchor::Example(2));
        let p = &found(md)[1];
        assert_eq!(
            p.program,
            Program::Session(vec![
                "[1, 2] * 2\n".into(),
                "x = 1\n".into(),
                "print('a')\n".into()
            ])
        );
    }

    #[test]
    fn output_paragraphs_and_fences() {
        let md = "```python\nprint(1)\nprint(2)\n```\n\nOutput:\n\n```\n1\n2\n```\n\n```js\nconsole.log(3)\n```\n**Output:** 3\n\n```js\nconsole.log(4)\n```\n\nOutput: the number four,\nwhich is prose.\n\n```python\nprint(5)\n```\n\n输出结果：\n```\n5\n```\n";
        let s = stated(md);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].0, s[0].1.as_str(), s[0].3.as_str()),
            (Anchor::Whole, "1\n2", "1\n2")
        );
        assert_eq!((s[1].1.as_str(), s[1].3.as_str()), ("3", "3"));
        assert_eq!(s[2].1, "5");
    }

    #[test]
    fn fragments_know_the_names_earlier_samples_define() {
        let md = "```js\nconst input = document.querySelector('input');\n```\n\n```python\nimport os, sys as system\nfrom m import a, b as c\nx, y = 1, 2\n```\n\n```js\nconsole.log(input.value); // Good evening\n```\n\n```python\nprint(x)  # 1\n# print(y)  # 2\n```\n";
        let p = found(md);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].defined_before, ["input"]);
        assert_eq!(p[1].defined_before, ["a", "c", "os", "system", "x", "y"]);
        // `# print(y)`: code left in a comment, not a stated output.
        assert_eq!(p[1].stated.len(), 1);
    }

    #[test]
    fn fragments_know_the_names_later_samples_define_and_the_headings() {
        let md = "# Deep Clone Function\n\n```js\nconsole.log(deepClone(o)); // {}\n```\n\n## How it works\n\n```js\nfunction deepClone(x) { return x }\n```\n\n```python\ndef f(): pass\n```\n";
        let p = found(md);
        assert_eq!(p.len(), 1);
        assert!(p[0].defined_before.is_empty());
        assert_eq!(p[0].defined_after, ["deepClone"]);
        assert_eq!(
            p[0].heading_words,
            [
                vec!["deep", "clone", "function"],
                vec!["how", "it", "works"]
            ]
        );
        assert_eq!(words("deepClone"), ["deep", "clone"]);
        assert_eq!(words("flatten_list2D"), ["flatten", "list2", "d"]);
        assert_eq!(words("Implement `debounce()`!"), ["implement", "debounce"]);
        assert_eq!(words("合計(c)"), ["合計", "c"]);
    }

    #[test]
    fn left_out() {
        // No stated output; opted out; a syntax error; not a language that runs.
        let md = "```python\nprint(1)\n```\n\n```python nocheck\nprint(1)  # 2\n```\n\n```python\nprint(1  # 1\n```\n\n```ruby\nputs 1 # 1\n```\n";
        assert!(found(md).is_empty());
        assert!(python_expression("len(x) == 2"));
        assert!(!python_expression("x = len(y)"));
        assert!(!python_expression("return x"));
        assert!(!python_expression("x += 1"));
        assert!(python_expression("f(a=1)"));
    }
}
