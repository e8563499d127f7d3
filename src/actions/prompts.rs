//! Samples whose `>>>` prompts went astray. Two shapes are common in pasted notes:
//!
//! - a stray prompt: a bare `>>>` line over code that has no prompts at all. As a session the
//!   code reads as printed output and nothing gets checked; dropping the `>>>` line makes the
//!   sample plain code (`repl-stray-prompt`);
//! - lost prompts: a session whose indented lines lost their `... ` (so the block under
//!   `>>> def f():` reads as output), or plain code with `>>> ` lines further down (so the
//!   first lines are not a session). The missing `>>> `/`... ` go back (`repl-lost-prompts`).
//!
//! Either is offered only when the result parses.

use super::fence::fence_indented;
use super::language::tag_insertion;
use super::{Ctx, Fix, SampleAt};
use crate::codes::code;
use crate::samples::{Lang, dedented_lines};

pub const ID_STRAY: &str = "repl-stray-prompt";
pub const ID_LOST: &str = "repl-lost-prompts";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Blank,
    /// `>>>` alone.
    Bare,
    /// `>>> code`.
    Prompt,
    /// `... code` or `...` alone.
    More,
    Other,
}

fn kind(line: &str) -> Line {
    let t = line.trim_end();
    if t.is_empty() {
        Line::Blank
    } else if t == ">>>" {
        Line::Bare
    } else if t.starts_with(">>> ") {
        Line::Prompt
    } else if t == "..." || t.starts_with("... ") {
        Line::More
    } else {
        Line::Other
    }
}

pub fn fixes(cx: &Ctx, s: &SampleAt) -> Vec<Fix> {
    let sample = &s.sample;
    let python = sample.lang.is_python() || sample.lang == Lang::Untagged;
    if sample.nocheck || !python {
        return Vec::new();
    }
    let lines = dedented_lines(&cx.text, &sample.layout.code);
    let kinds: Vec<Line> = lines.iter().map(|(l, _)| kind(l)).collect();
    let mut out = Vec::new();
    out.extend(stray(cx, s, &lines, &kinds));
    out.extend(lost(cx, s, &lines, &kinds));
    out
}

fn stray(cx: &Ctx, s: &SampleAt, lines: &[(&str, usize)], kinds: &[Line]) -> Option<Fix> {
    let first = kinds.iter().position(|k| *k != Line::Blank)?;
    if kinds[first] != Line::Bare
        || kinds.iter().any(|k| matches!(k, Line::Prompt | Line::More))
        || !kinds.contains(&Line::Other)
    {
        return None;
    }
    let sample = &s.sample;
    // The `>>>` says Python: untagged code gets the tag (an indented block becomes a fence)
    // so that it is checked.
    let (edits, title) = if !sample.fenced {
        let (edits, tag, _) = fence_indented(cx, s, true)?;
        (
            edits,
            format!("Remove the stray `>>>` and fence the code as ```{tag}"),
        )
    } else {
        let mut edits: Vec<_> = lines
            .iter()
            .zip(kinds)
            .filter(|(_, k)| **k == Line::Bare)
            .map(|((_, at), _)| (cx.line_start(*at)..cx.next_line(*at), String::new()))
            .collect();
        if sample.tag.is_empty() {
            let at = tag_insertion(cx, s)?;
            edits.insert(0, (at..at, "python".to_string()));
            (
                edits,
                "Remove the stray `>>>` and tag the fence ```python".to_string(),
            )
        } else {
            (
                edits,
                "Remove the stray `>>>`: the sample is plain code".to_string(),
            )
        }
    };
    if kinds.iter().filter(|k| **k == Line::Bare).count() > 1 && !sample.fenced {
        return None;
    }
    cx.checked_fix(ID_STRAY, title, edits, None, true, false)
}

fn lost(cx: &Ctx, s: &SampleAt, lines: &[(&str, usize)], kinds: &[Line]) -> Option<Fix> {
    let first_prompt = kinds.iter().position(|k| *k == Line::Prompt)?;
    let target = s
        .diagnostic
        .as_ref()
        .filter(|d| matches!(d.code, code::PYTHON_SYNTAX | code::GUESSED_PYTHON_SYNTAX))?;
    let mut edits = Vec::new();
    // Code above the first prompt lost its prompts.
    let mut seen_code = false;
    for (i, (l, at)) in lines.iter().enumerate().take(first_prompt) {
        match kinds[i] {
            Line::Other => {
                let p = if seen_code && l.starts_with([' ', '\t']) {
                    "... "
                } else {
                    ">>> "
                };
                edits.push((*at..*at, p.to_string()));
                seen_code = true;
            }
            Line::Blank => {}
            _ => return None,
        }
    }
    // Indented lines right under a prompt lost their `... `.
    let mut in_statement = false;
    for (i, (l, at)) in lines.iter().enumerate().skip(first_prompt) {
        match kinds[i] {
            Line::Prompt | Line::More => in_statement = true,
            Line::Other if in_statement && l.starts_with([' ', '\t']) => {
                edits.push((*at..*at, "... ".to_string()));
            }
            _ => in_statement = false,
        }
    }
    // `>>> ` put back in front of plain code is a guess when the prompts further down might
    // mark printed values rather than input (quiz answers write `>>> [1, 2]` for output):
    // safe only when the session also shows output right under a prompt.
    let adds_prompts = edits.iter().any(|(_, p)| p == ">>> ");
    let continued: Vec<usize> = edits.iter().map(|(r, _)| r.start).collect();
    // Printed output sits right under its prompt; a line after a blank is as likely code
    // that lost its own prompt.
    let prints = (first_prompt..lines.len().saturating_sub(1)).any(|i| {
        matches!(kinds[i], Line::Prompt | Line::More)
            && kinds[i + 1] == Line::Other
            && !continued.contains(&lines[i + 1].1)
    });
    let mut fix = cx.checked_fix(
        ID_LOST,
        "Restore the lost `>>>`/`...` prompts of the session".into(),
        edits,
        Some(target),
        false,
        false,
    )?;
    fix.safe &= !adds_prompts || prints;
    Some(fix)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};
    use super::{ID_LOST, ID_STRAY};

    #[test]
    fn stray_prompt_over_plain_code() {
        check_fix(
            ID_STRAY,
            "-**Why does a list that contains itself not leak?**\n    Because the cycle collector finds it.\n\n   A quick look at the counts:\n\n    >>>$0\n    import sys\n    x = []\n    sys.getrefcount(x)\n\n### Next\n\nText.\n",
            "-**Why does a list that contains itself not leak?**\n    Because the cycle collector finds it.\n\n   A quick look at the counts:\n\n```python\nimport sys\nx = []\nsys.getrefcount(x)\n```\n\n### Next\n\nText.\n",
        );
    }

    #[test]
    fn stray_prompt_in_a_tagged_fence() {
        check_fix(
            ID_STRAY,
            "- counts:\n\n  ```python\n  >>>$0\n  import sys\n  sys.getrefcount([])\n  ```\n",
            "- counts:\n\n  ```python\n  import sys\n  sys.getrefcount([])\n  ```\n",
        );
    }

    #[test]
    fn lost_continuation_prompts() {
        check_fix(
            ID_LOST,
            "```pycon\n>>> def double(x):\n    $0return x * 2\n>>> double(4)\n8\n```\n",
            "```pycon\n>>> def double(x):\n...     return x * 2\n>>> double(4)\n8\n```\n",
        );
    }

    #[test]
    fn plain_code_above_a_prompt() {
        check_fix(
            ID_LOST,
            "```python\nitems = [3, 1, 2]\n$0>>> sorted(items)\n[1, 2, 3]\n```\n",
            "```python\n>>> items = [3, 1, 2]\n>>> sorted(items)\n[1, 2, 3]\n```\n",
        );
    }

    #[test]
    fn prompts_that_mark_output_are_only_a_guess() {
        let fix = check_fix(
            ID_LOST,
            "```python\nradius = [1, 2]\n$0area = [r * r for r in radius]\n>>> [1, 4]\n```\n",
            "```python\n>>> radius = [1, 2]\n>>> area = [r * r for r in radius]\n>>> [1, 4]\n```\n",
        );
        assert!(!fix.safe);
    }

    #[test]
    fn proper_sessions_are_left_alone() {
        check_no_fix(
            ID_LOST,
            "```pycon\n>>> def double(x):\n...     return x * 2\n$0>>> double(4)\n8\n```\n",
        );
        check_no_fix(ID_STRAY, "```pycon\n>>> x = 1\n>>> x$0\n1\n```\n");
    }
}
