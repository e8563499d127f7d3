//! Indented code (or an untagged fence) that looks like Python becomes a ```` ```python ````
//! fence: dedented, kept inside its list item at the item's content column, with leading
//! prose lines (a title, a `----` underline) moved out above the fence.
//!
//! A title with an underline right under it would become a setext heading once out of the
//! code, so a blank line goes between them: the underline stays, as a thematic break.

use std::ops::Range;

use super::language::{tag_for, tag_insertion};
use super::{Ctx, Edits, Fix, SampleAt, columns, leading_ws};
use crate::codes::code;
use crate::samples::{looks_like_python, python};

pub const ID: &str = "fence-python";

/// A line that reads as words, not code: a title such as `Implement a queue in python:`.
pub(crate) fn is_prose(line: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "def ",
        "class ",
        "if ",
        "elif ",
        "else",
        "for ",
        "while ",
        "with ",
        "try",
        "except",
        "finally",
        "async ",
        "await ",
        "return",
        "import ",
        "from ",
        "print",
        "lambda",
        "yield",
        "raise",
        "assert ",
        "del ",
        "global ",
        "nonlocal ",
        "pass",
        "break",
        "continue",
        "match ",
        "case ",
    ];
    let t = line.trim();
    t.chars().next().is_some_and(char::is_alphabetic)
        && (t.split_whitespace().count() >= 2 || t.ends_with(':'))
        && !KEYWORDS.iter().any(|k| t.starts_with(k))
        && python::check(t).is_some()
}

/// A title's underline: three or more `-` or `=`.
pub(crate) fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'='))
}

/// One line of the block in the note.
pub(crate) struct Row {
    pub start: usize,
    pub end: usize,
    /// Length of the leading spaces and tabs.
    pub ws: usize,
    /// Their width in columns.
    pub width: usize,
    pub blank: bool,
}

/// The lines of `range`, whole (from their starts).
pub(crate) fn rows(cx: &Ctx, range: Range<usize>) -> Vec<Row> {
    let mut out = Vec::new();
    let mut at = cx.line_start(range.start);
    loop {
        let end = cx.line_end(at);
        let line = &cx.text[at..end];
        let ws = leading_ws(line);
        out.push(Row {
            start: at,
            end,
            ws,
            width: columns(&line[..ws], 0),
            blank: line.trim().is_empty(),
        });
        let next = cx.next_line(at);
        if next > range.end || next == at || next >= cx.text.len() {
            break;
        }
        at = next;
    }
    out
}

/// How many of `lines` (contents, in order) are leading prose: titles, their underlines,
/// and blank lines after them. `None` if there is none or nothing would be left.
fn prose_prefix<'t>(lines: impl Iterator<Item = &'t str>) -> Option<usize> {
    let mut n = 0;
    let mut last_prose = None;
    let mut prev_prose = false;
    let lines: Vec<&str> = lines.collect();
    for (i, l) in lines.iter().enumerate() {
        if l.trim().is_empty() {
            prev_prose = false;
            n = i + 1;
            continue;
        }
        if is_prose(l) || (prev_prose && is_underline(l)) {
            prev_prose = is_prose(l);
            last_prose = Some(i);
            n = i + 1;
            continue;
        }
        break;
    }
    let last = last_prose?;
    // Blank lines count only after some prose; something must be left to fence.
    let n = n.max(last + 1);
    lines[n..].iter().any(|l| !l.trim().is_empty()).then_some(n)
}

pub fn fix(cx: &Ctx, s: &SampleAt) -> Option<Fix> {
    let sample = &s.sample;
    if sample.nocheck || sample.layout.in_quote || (sample.fenced && !sample.tag.is_empty()) {
        return None;
    }
    let target = s
        .diagnostic
        .as_ref()
        .filter(|d| d.code == code::GUESSED_PYTHON_SYNTAX);
    if sample.fenced {
        fenced(cx, s, target)
    } else {
        indented(cx, s, target)
    }
}

/// An indented block: every line re-indented, fences around, prose out in front.
fn indented(cx: &Ctx, s: &SampleAt, target: Option<&crate::checks::Diagnostic>) -> Option<Fix> {
    let (edits, tag, prose) = fence_indented(cx, s, false)?;
    let title = if prose {
        format!("Move the title out and fence the code as ```{tag}")
    } else {
        format!("Turn the indented code into a ```{tag} fence")
    };
    cx.checked_fix(ID, title, edits, target, false, false)
}

/// The edits that fence an indented block (its first line dropped with `drop_first`: a
/// stray `>>>`), the tag they give it, and whether prose moved out.
pub(crate) fn fence_indented(
    cx: &Ctx,
    s: &SampleAt,
    drop_first: bool,
) -> Option<(Edits, &'static str, bool)> {
    let sample = &s.sample;
    if sample.fenced || sample.layout.in_quote {
        return None;
    }
    let c = sample.layout.container_col;
    // To the last code line: tree-sitter-md may end the block inside the next line's indent.
    let last_line = sample.layout.code.last()?.start;
    let mut rows = rows(cx, sample.range.start..last_line);
    // Only list indentation may come before the code (not a list marker on the same line).
    let first = rows.first()?;
    if !cx.text[first.start..sample.range.start].trim().is_empty() {
        return None;
    }
    while rows.last().is_some_and(|r| r.blank) {
        rows.pop();
    }
    let mut edits = Vec::new();
    if drop_first {
        let r = rows.remove(0);
        edits.push((r.start..cx.next_line(r.start), String::new()));
        while rows.first().is_some_and(|r| r.blank) {
            let r = rows.remove(0);
            edits.push((r.start..cx.next_line(r.start), String::new()));
        }
    }
    let content = |r: &Row| &cx.text[r.start + r.ws..r.end];
    let prose = prose_prefix(rows.iter().map(content)).unwrap_or(0);
    let code = &rows[prose..];
    let base = code.iter().filter(|r| !r.blank).map(|r| r.width).min()?;
    let source: String = code
        .iter()
        .map(|r| {
            if r.blank {
                "\n".to_string()
            } else {
                format!("{}{}\n", " ".repeat(r.width - base), content(r))
            }
        })
        .collect();
    if !drop_first && !looks_like_python(&source) {
        return None;
    }
    let pad = " ".repeat(c);
    let mut prev_prose = false;
    for r in &rows[..prose] {
        if r.blank {
            prev_prose = false;
            continue;
        }
        let line = content(r);
        let mut new = String::new();
        if is_underline(line) && prev_prose {
            new.push_str(cx.eol_at(r.start));
        }
        new.push_str(&pad);
        prev_prose = is_prose(line);
        if cx.text[r.start..r.start + r.ws] != new {
            edits.push((r.start..r.start + r.ws, new));
        }
    }
    let tag = tag_for(&source);
    let last = code.iter().rposition(|r| !r.blank)?;
    for (i, r) in code.iter().enumerate() {
        let eol = cx.eol_at(r.start);
        let indent = if r.blank {
            None
        } else {
            Some(format!("{pad}{}", " ".repeat(r.width - base)))
        };
        if i == 0 {
            let new = format!("{pad}```{tag}{eol}{}", indent.unwrap_or_default());
            edits.push((r.start..r.start + r.ws, new));
        } else if let Some(ind) = indent
            && cx.text[r.start..r.start + r.ws] != ind
        {
            edits.push((r.start..r.start + r.ws, ind));
        }
        if i == last {
            edits.push((r.end..r.end, format!("{eol}{pad}```")));
        }
    }
    Some((edits, tag, prose > 0))
}

/// An untagged fence whose first lines are prose: the prose goes above the fence, which
/// gets its tag.
fn fenced(cx: &Ctx, s: &SampleAt, target: Option<&crate::checks::Diagnostic>) -> Option<Fix> {
    let sample = &s.sample;
    let open = sample.layout.open_fence.clone()?;
    let open_line = cx.line_start(open.start);
    let prefix = &cx.text[open_line..open.start];
    if !prefix.trim().is_empty() {
        return None;
    }
    let lines = &sample.layout.code;
    let prose = prose_prefix(lines.iter().map(|r| &cx.text[r.clone()]))?;
    let rest: String = lines[prose..]
        .iter()
        .map(|r| format!("{}\n", &cx.text[r.clone()]))
        .collect();
    if !looks_like_python(&rest) {
        return None;
    }
    let eol = cx.eol_at(open.start);
    let mut moved = String::new();
    let mut prev_prose = false;
    for r in &lines[..prose] {
        let line = cx.text[r.clone()].trim();
        if line.is_empty() {
            prev_prose = false;
            moved.push_str(eol);
            continue;
        }
        if is_underline(line) && prev_prose {
            moved.push_str(eol);
        }
        prev_prose = is_prose(line);
        moved.push_str(prefix);
        moved.push_str(line);
        moved.push_str(eol);
    }
    let tag_at = tag_insertion(cx, s)?;
    let tag = tag_for(&rest);
    let cut = cx.line_start(lines[0].start)..cx.line_start(lines[prose].start);
    let edits = vec![
        (open_line..open_line, moved),
        (tag_at..tag_at, tag.to_string()),
        (cut, String::new()),
    ];
    cx.checked_fix(
        ID,
        format!("Move the title out of the fence and tag it ```{tag}"),
        edits,
        target,
        false,
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};
    use super::ID;

    #[test]
    fn prose_and_underlines() {
        assert!(super::is_prose("Implement a ring buffer:"));
        assert!(super::is_prose("Example:"));
        assert!(!super::is_prose("class Ring:"));
        assert!(!super::is_prose("x = 1"));
        assert!(!super::is_prose("deque"));
        assert!(super::is_underline("  ----------------  "));
        assert!(!super::is_underline("--"));
    }

    #[test]
    fn indented_block_with_a_title_under_a_heading() {
        check_fix(
            ID,
            "   ### Deques:\n   A deque supports fast appends on both ends.\n\n        Implement a ring$0 buffer:\n        ----------------\n        from collections import deque\n\n        class Ring:\n            def __init__(self, size):\n                self.items = deque(maxlen=size)\n\n### Next\n\nText.\n",
            "   ### Deques:\n   A deque supports fast appends on both ends.\n\nImplement a ring buffer:\n\n----------------\n```python\nfrom collections import deque\n\nclass Ring:\n    def __init__(self, size):\n        self.items = deque(maxlen=size)\n```\n\n### Next\n\nText.\n",
        );
    }

    #[test]
    fn indented_block_stays_in_its_list_item() {
        check_fix(
            ID,
            "- Generators keep their state.\n\n      $0def countdown(n):\n          while n > 0:\n              yield n\n              n -= 1\n\n- Next point.\n",
            "- Generators keep their state.\n\n  ```python\n  def countdown(n):\n      while n > 0:\n          yield n\n          n -= 1\n  ```\n\n- Next point.\n",
        );
    }

    #[test]
    fn untagged_fence_with_a_title_inside() {
        check_fix(
            ID,
            "### Queues:\n\n$0```\nImplement Queue in python:\n---------------\nfrom collections import deque\n\nclass Queue:\n    def __init__(self):\n        self.items = deque()\n```\n",
            "### Queues:\n\nImplement Queue in python:\n\n---------------\n```python\nfrom collections import deque\n\nclass Queue:\n    def __init__(self):\n        self.items = deque()\n```\n",
        );
    }

    #[test]
    fn not_for_code_that_still_does_not_parse() {
        check_no_fix(
            ID,
            "- An instance:\n\n      $0class Car:\n      def __init__(self, make):\n          self.make = make\n",
        );
    }

    #[test]
    fn not_for_shell() {
        check_no_fix(
            ID,
            "Install:\n\n    $0pip install requests\n    pip freeze\n",
        );
    }
}
