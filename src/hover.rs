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
                if let Verdict::Broken(r, msg) = &s.verdict {
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
        Verdict::Broken(r, msg) => {
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

pub fn preview_limited(body: &str, max_lines: usize, max_bytes: usize) -> String {
    let body = body.trim_matches(['\n', '\r']);
    let mut out = String::new();
    let mut fence_open = false;
    let mut truncated = false;
    for (n, line) in body.lines().enumerate() {
        if n >= max_lines || out.len() + line.len() > max_bytes {
            truncated = true;
            break;
        }
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fence_open = !fence_open;
        }
        out.push_str(line);
        out.push('\n');
    }
    if fence_open {
        out.push_str("```\n");
    }
    if truncated {
        out.push_str("…\n");
    }
    out
}
