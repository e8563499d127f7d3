//! Hover text: on a heading, a preview of its answer and the state of its samples; on a
//! sample, its verdict.

use std::ops::Range;

use crate::analysis::{Analysis, SampleInfo};
use crate::checks::Verdict;
use crate::note::{Encoding, Note};
use crate::outline::Section;

/// How much of an answer a hover shows.
const PREVIEW_LINES: usize = 12;
const PREVIEW_BYTES: usize = 1200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub range: Range<usize>,
    pub markdown: String,
}

/// The section whose heading is `heading`, found without recursion.
pub fn section_of(outline: &[Section], heading: usize) -> Option<&Section> {
    let mut level: &[Section] = outline;
    loop {
        // Sections are in order: the last one starting at or before the heading holds it.
        let i = level.partition_point(|s| s.heading <= heading);
        let s = level.get(i.checked_sub(1)?)?;
        if s.heading == heading {
            return Some(s);
        }
        level = &s.children;
    }
}

/// "2 samples, 1 does not parse".
pub fn samples_summary(samples: &[&SampleInfo]) -> Option<String> {
    if samples.is_empty() {
        return None;
    }
    let broken = samples.iter().filter(|s| s.is_broken()).count();
    let n = samples.len();
    let mut out = format!("{n} sample{}", if n == 1 { "" } else { "s" });
    match broken {
        0 => {}
        1 if n == 1 => out.push_str(", it does not parse"),
        b => out.push_str(&format!(
            ", {b} {} not parse",
            if b == 1 { "does" } else { "do" }
        )),
    }
    Some(out)
}

pub fn hover(note: &Note, a: &Analysis, offset: usize) -> Option<HoverInfo> {
    if let Some((i, h)) = a
        .headings
        .iter()
        .enumerate()
        .find(|(_, h)| h.range.start <= offset && offset <= h.range.end)
    {
        let section = section_of(&a.outline, i)?;
        let body = h.range.end..section.range.end;
        let samples: Vec<&SampleInfo> = a.samples_in(&section.range).collect();
        let mut md = format!("**{}**", h.title.replace('*', "\\*"));
        md.push_str(if h.question {
            " · question"
        } else {
            " · section"
        });
        md.push_str("\n\n");
        let preview = preview(&note.slice(body));
        if preview.trim().is_empty() {
            md.push_str(if h.question {
                "_No answer yet._\n"
            } else {
                "_Empty section._\n"
            });
        } else {
            md.push_str(&preview);
            md.push('\n');
        }
        if let Some(summary) = samples_summary(&samples) {
            md.push_str(&format!("\n---\n{summary}"));
            for s in samples.iter().filter(|s| s.is_broken()).take(3) {
                if let Verdict::Broken(b) = &s.verdict {
                    let (r, msg) = &**b;
                    let line = note.to_line_col(r.start, Encoding::Utf8).line + 1;
                    md.push_str(&format!("\n- line {line}: {msg}"));
                }
            }
        }
        return Some(HoverInfo {
            range: h.title_range.clone(),
            markdown: md,
        });
    }
    let s = a
        .samples
        .iter()
        .find(|s| s.range.start <= offset && offset < s.range.end)?;
    let lang = if s.tag.is_empty() {
        "untagged"
    } else {
        &*s.tag
    };
    let markdown = match &s.verdict {
        Verdict::Unchecked => format!("`{lang}` sample: not checked"),
        Verdict::Parses => format!("`{lang}` sample: parses"),
        Verdict::Broken(b) => {
            let (r, msg) = &**b;
            let line = note.to_line_col(r.start, Encoding::Utf8).line + 1;
            format!("`{lang}` sample: does not parse: {msg} (line {line})")
        }
    };
    Some(HoverInfo {
        range: s.range.clone(),
        markdown,
    })
}

/// The first lines of an answer, cut at a line boundary; an open fence is closed so the rest
/// of the hover does not render as code.
fn preview(body: &str) -> String {
    preview_limited(body, PREVIEW_LINES, PREVIEW_BYTES)
}

/// Room below which a long line is not cut to fit but left out (the preview ends with "…").
const MIN_CUT: usize = 40;

/// An ATX heading line's text (`### Title` → `Title`), outside code.
fn atx_title(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    if indent > 3 || !(1..=6).contains(&hashes) {
        return None;
    }
    let after = &rest[hashes..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    Some(after.trim().trim_end_matches('#').trim_end())
}

/// The longest start of `line` within `room` bytes that ends at a word.
fn cut_at_word(line: &str, room: usize) -> &str {
    let mut end = room.min(line.len());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let head = &line[..end];
    match head.rfind(char::is_whitespace) {
        Some(space) if space > end / 2 => head[..space].trim_end(),
        _ => head.trim_end(),
    }
}

/// The first lines of `body`, at most `max_lines` of them and about `max_bytes`: a line
/// longer than what is left (a paragraph written on one line) is cut at a word rather
/// than left out, so a preview is never a bare "…"; headings inside read as bold lines,
/// and none ends the preview with nothing under it; an open fence is closed.
pub fn preview_limited(body: &str, max_lines: usize, max_bytes: usize) -> String {
    let body = body.trim_matches(['\n', '\r']);
    // Lines kept, each with whether it was a heading.
    let mut lines: Vec<(String, bool)> = Vec::new();
    let mut len = 0;
    let mut fence_open = false;
    let mut truncated = false;
    for (n, line) in body.lines().enumerate() {
        if n >= max_lines {
            truncated = true;
            break;
        }
        let is_fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        let heading = (!fence_open && !is_fence)
            .then(|| atx_title(line))
            .flatten();
        let line = match heading {
            Some("") => String::new(),
            Some(t) => format!("**{}**", t.replace('*', "\\*")),
            None => line.to_string(),
        };
        if len + line.len() > max_bytes {
            let room = max_bytes.saturating_sub(len);
            if !fence_open && heading.is_none() && (room >= MIN_CUT || lines.is_empty()) {
                let cut = cut_at_word(&line, room);
                if !cut.trim().is_empty() {
                    lines.push((format!("{cut} …"), false));
                }
            }
            truncated = true;
            break;
        }
        if is_fence {
            fence_open = !fence_open;
        }
        len += line.len() + 1;
        lines.push((line, heading.is_some()));
    }
    if !fence_open {
        // Nothing shown under a trailing heading: it goes, with the blank lines before it.
        while lines
            .last()
            .is_some_and(|(l, heading)| *heading || l.trim().is_empty())
        {
            lines.pop();
        }
    }
    let mut out = String::new();
    for (l, _) in &lines {
        out.push_str(l);
        out.push('\n');
    }
    if fence_open {
        out.push_str("```\n");
    }
    let cut_inside = lines.last().is_some_and(|(l, _)| l.ends_with(" …"));
    if truncated && !cut_inside && !out.is_empty() {
        out.push_str("…\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_first_line_is_cut_at_a_word() {
        let long = format!("The lock {}end.", "word ".repeat(100));
        let p = preview_limited(&long, 6, 120);
        assert!(p.starts_with("The lock word word"), "{p}");
        assert!(p.ends_with("word …\n"), "{p}");
        assert!(p.len() <= 130, "{p}");
    }

    #[test]
    fn headings_read_as_bold_and_none_is_left_empty() {
        let body = "First line.\n\n#### Example\n\nText.\n\n#### Another\n\nMore.\n";
        assert_eq!(
            preview_limited(body, 5, 1000),
            "First line.\n\n**Example**\n\nText.\n…\n"
        );
        assert_eq!(
            preview_limited(body, 7, 1000),
            "First line.\n\n**Example**\n\nText.\n…\n"
        );
        // Inside a fence, `#` lines are code.
        assert_eq!(
            preview_limited("```python\n# comment\nx = 1\n```\n", 6, 1000),
            "```python\n# comment\nx = 1\n```\n"
        );
    }

    #[test]
    fn an_empty_body_previews_as_nothing() {
        assert_eq!(preview_limited("\n\n", 6, 400), "");
        assert_eq!(preview_limited("#### Only a heading\n", 6, 400), "");
    }

    #[test]
    fn an_open_fence_is_closed() {
        let p = preview_limited("Code:\n```python\nx = 1\ny = 2\nz = 3\n", 3, 1000);
        assert_eq!(p, "Code:\n```python\nx = 1\n```\n…\n");
    }
}
