//! `unclosed-fence`: the missing closing fence goes where the sample plainly ends, after its
//! last line of code before the first heading it swallowed (or before the prose that follows
//! a Python sample, when only the code above it parses).

use super::{Ctx, Fix, Kind};
use crate::codes::code;
use crate::note::starts_with_atx;
use crate::samples::{dedented_lines, looks_like_python, python};

pub const ID: &str = "close-fence";

pub fn fixes(cx: &Ctx) -> Vec<Fix> {
    let mut out = Vec::new();
    for d in cx
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == code::UNCLOSED_FENCE)
    {
        let Some(s) = cx
            .samples()
            .iter()
            .find(|s| s.sample.layout.open_fence.as_ref().map(|f| f.start) == Some(d.range.start))
        else {
            continue;
        };
        let sample = &s.sample;
        let Some(open) = sample.layout.open_fence.clone() else {
            continue;
        };
        let line = &cx.text[cx.line_start(open.start)..open.end];
        let marker = line.trim_start_matches(' ');
        let indent = &line[..line.len() - marker.len()];
        let Some(c) = marker.chars().next() else {
            continue;
        };
        let run = marker.chars().take_while(|&m| m == c).count();
        let fence = format!("{indent}{}", c.to_string().repeat(run));

        let lines = &sample.layout.code;
        let heading = lines
            .iter()
            .position(|l| starts_with_atx(&cx.text[cx.line_start(l.start)..]))
            .unwrap_or(lines.len());
        let blank = |i: usize| cx.text[lines[i].clone()].trim().is_empty();
        let mut last = (0..heading).rev().find(|&i| !blank(i));
        // A Python sample followed by prose: close it after the code that parses.
        if sample.lang.is_python()
            && let Some(k) = last
            && !parses(cx, &lines[..=k])
            && let Some(shorter) = (0..k)
                .rev()
                .filter(|&i| !blank(i) && blank(i + 1))
                .find(|&i| parses(cx, &lines[..=i]) && reads_as_prose(cx, &lines[i + 1..=k]))
        {
            last = Some(shorter);
        }
        let at = match last {
            Some(k) => cx.line_end(lines[k].start),
            None => open.end,
        };
        let edits = vec![(at..at, format!("{}{fence}", cx.eol_at(at)))];
        let checked = cx.verify(&edits, Some(d), true);
        if !checked.fixes {
            continue;
        }
        // Plain when the fence swallowed a heading, or ran to the end of the note; a fence
        // that tree-sitter-md ends earlier (a list item closing under it) is a guess.
        let to_end = lines
            .last()
            .is_some_and(|l| cx.text[l.end..].trim().is_empty());
        let plain = heading < lines.len() || to_end;
        let where_ = if heading < lines.len() {
            "before the heading it swallowed"
        } else {
            "after the sample's last line"
        };
        out.push(Fix {
            id: ID,
            title: format!("Close the fence {where_}"),
            kind: Kind::QuickFix,
            edits,
            diagnostic_code: Some(d.code),
            diagnostic_range: Some(d.range.clone()),
            safe: checked.clean && plain,
        });
    }
    out
}

fn parses(cx: &Ctx, lines: &[std::ops::Range<usize>]) -> bool {
    let src: String = dedented_lines(&cx.text, lines)
        .iter()
        .map(|(l, _)| format!("{l}\n"))
        .collect();
    python::check(&src).is_none()
}

/// Lines that read as sentences, not code.
fn reads_as_prose(cx: &Ctx, lines: &[std::ops::Range<usize>]) -> bool {
    let text: String = lines
        .iter()
        .map(|r| format!("{}\n", cx.text[r.clone()].trim()))
        .collect();
    !looks_like_python(&text)
        && text
            .lines()
            .filter(|l| !l.is_empty())
            .all(|l| l.chars().next().is_some_and(char::is_alphabetic) && l.contains(' '))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};
    use super::ID;

    #[test]
    fn closes_before_the_swallowed_heading() {
        check_fix(
            ID,
            "### How do you reverse a list?\n\n$0```python\nitems = [1, 2, 3]\nitems.reverse()\n\n### What is a set?\n\nAn unordered collection of unique items.\n",
            "### How do you reverse a list?\n\n```python\nitems = [1, 2, 3]\nitems.reverse()\n```\n\n### What is a set?\n\nAn unordered collection of unique items.\n",
        );
    }

    #[test]
    fn closes_before_the_prose_after_the_code() {
        check_fix(
            ID,
            "### Slicing?\n\n$0```python\nitems = [1, 2, 3]\nprint(items[::-1])\n\nThe step of minus one walks backwards.\n\n## Sets\n\nUnique items.\n",
            "### Slicing?\n\n```python\nitems = [1, 2, 3]\nprint(items[::-1])\n```\n\nThe step of minus one walks backwards.\n\n## Sets\n\nUnique items.\n",
        );
    }

    #[test]
    fn closes_at_the_end_with_crlf() {
        check_fix(
            ID,
            "Notes\r\n\r\n$0~~~~\r\nsome output\r\n\r\n",
            "Notes\r\n\r\n~~~~\r\nsome output\r\n~~~~\r\n\r\n",
        );
    }

    #[test]
    fn closed_fences_are_left_alone() {
        check_no_fix(ID, "$0```python\nx = 1\n```\n");
    }
}
