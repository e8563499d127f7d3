//! A table of contents from the headings: refreshed in place of an existing list of anchor
//! links (keeping its bullets or numbers, its spacing, and the link text it gave each heading,
//! so no wording is lost), or created at the cursor. Only the lines that change are edited.

use super::{Ctx, Fix, Kind};
use crate::analysis::FoldKind;
use crate::links::{self, Target};
use crate::outline;

pub const ID: &str = "toc";

/// Titles that name a table of contents (its own heading is not listed in it).
fn is_toc_title(title: &str) -> bool {
    let t = title.trim().trim_end_matches(':').to_lowercase();
    matches!(
        t.as_str(),
        "table of contents" | "table of content" | "contents" | "toc" | "index" | "目录"
    )
}

/// An existing table of contents: a list that is mostly anchor links.
struct Existing {
    /// Whole lines, from the first item's line start to the end of the last non-blank line.
    range: std::ops::Range<usize>,
    /// (anchor, link text) of each anchor link, in order.
    entries: Vec<(String, String)>,
    marker: Marker,
    indent: String,
    unit: usize,
    loose: bool,
}

#[derive(Clone, Copy)]
enum Marker {
    Bullet(char),
    Ordered(char),
}

fn existing(cx: &Ctx, cursor: usize) -> Option<Existing> {
    let lists: Vec<_> = cx
        .analysis
        .block_folds
        .iter()
        .filter(|f| f.kind == FoldKind::List)
        .map(|f| f.range.clone())
        .collect();
    let outermost = lists.iter().filter(|l| {
        !lists
            .iter()
            .any(|o| o != *l && o.start <= l.start && l.end <= o.end)
    });
    let mut found = Vec::new();
    for l in outermost {
        let anchors: Vec<_> = cx
            .analysis
            .links
            .iter()
            .filter(|k| l.start <= k.range.start && k.range.end <= l.end)
            .filter_map(|k| match links::target(k.dest(&cx.text)) {
                Target::Anchor(a) => {
                    let s = &cx.text[k.range.clone()];
                    let text = s.get(1..s.rfind("](")?)?.to_string();
                    Some((a, text))
                }
                _ => None,
            })
            .collect();
        let start = cx.line_start(l.start);
        let body = &cx.text[start..l.end];
        let items = body.lines().filter(|x| !x.trim().is_empty()).count();
        if anchors.len() >= 2 && anchors.len() * 2 >= items {
            found.push((start..l.end, anchors));
        }
    }
    let (range, entries) = found
        .iter()
        .find(|(r, _)| r.start <= cursor && cursor <= r.end)
        .or(found.first())
        .cloned()?;
    let end = range.start + cx.text[range.clone()].trim_end().len();
    let range = range.start..cx.line_end(end.max(range.start));
    let body = &cx.text[range.clone()];
    let first = body.lines().next().unwrap_or("");
    let indent_len = first.len() - first.trim_start().len();
    let indent = first[..indent_len].to_string();
    let item = first.trim_start();
    let marker = match item.chars().next() {
        Some(c @ ('-' | '*' | '+')) => Marker::Bullet(c),
        _ => {
            let digits = item.bytes().take_while(u8::is_ascii_digit).count();
            Marker::Ordered(item[digits..].chars().next().unwrap_or('.'))
        }
    };
    let unit = body
        .lines()
        .map(|l| l.len() - l.trim_start().len())
        .find(|&n| n > indent_len)
        .map_or(
            match marker {
                Marker::Bullet(_) => 2,
                Marker::Ordered(_) => 3,
            },
            |n| n - indent_len,
        );
    let lines: Vec<&str> = body.lines().collect();
    let loose = lines.windows(2).any(|w| w[1].trim().is_empty())
        && lines
            .iter()
            .filter(|l| l.len() - l.trim_start().len() == indent_len && !l.trim().is_empty())
            .count()
            > 1;
    Some(Existing {
        range,
        entries,
        marker,
        indent,
        unit,
        loose,
    })
}

pub fn fixes(cx: &Ctx, cursor: usize) -> Vec<Fix> {
    let a = cx.analysis;
    let heads: Vec<usize> = (0..a.headings.len())
        .filter(|&i| a.headings[i].level <= 6)
        .collect();
    let slugs = outline::slugs(heads.iter().map(|&i| &*a.headings[i].title), cx.style);
    let old = existing(cx, cursor);
    // Which levels: those the existing table links to, else the two below the title.
    let linked: Vec<u8> = old
        .as_ref()
        .map(|o| {
            o.entries
                .iter()
                .filter_map(|(anchor, _)| slugs.iter().position(|s| s == anchor))
                .map(|j| a.headings[heads[j]].level)
                .collect()
        })
        .unwrap_or_default();
    let h1s = heads.iter().filter(|&&i| a.headings[i].level == 1).count();
    let (top, bottom) = match (linked.iter().min(), linked.iter().max()) {
        (Some(&lo), Some(&hi)) => (lo, hi),
        _ => {
            let min = heads
                .iter()
                .map(|&i| a.headings[i].level)
                .min()
                .unwrap_or(1);
            let top = if h1s == 1 && min == 1 { 2 } else { min };
            (top, top + 1)
        }
    };
    // Link text: what the old table said for a heading, matched by anchor (or, for an anchor
    // that no longer resolves, by the closest one), else the heading as written.
    let mut texts: Vec<Option<String>> = vec![None; heads.len()];
    if let Some(o) = &old {
        for (anchor, text) in &o.entries {
            let j = slugs.iter().position(|s| s == anchor).or_else(|| {
                let (best, unique) = super::links::closest(&slugs, anchor)?;
                unique.then(|| slugs.iter().position(|s| *s == best))?
            });
            if let Some(j) = j
                && texts[j].is_none()
            {
                texts[j] = Some(text.clone());
            }
        }
    }
    let (marker, indent, unit, loose) = match &old {
        Some(o) => (o.marker, o.indent.clone(), o.unit, o.loose),
        None => (Marker::Bullet('-'), String::new(), 2, false),
    };
    let eol = match &old {
        Some(o) => cx.eol_at(o.range.start),
        None => cx.default_eol(),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut counters: Vec<usize> = Vec::new();
    let mut prev_depth: Option<usize> = None;
    for (j, &i) in heads.iter().enumerate() {
        let h = &a.headings[i];
        if h.level < top || h.level > bottom || is_toc_title(&h.title) || slugs[j].is_empty() {
            continue;
        }
        let mut depth = usize::from(h.level - top);
        depth = depth.min(prev_depth.map_or(0, |d| d + 1));
        prev_depth = Some(depth);
        counters.truncate(depth + 1);
        counters.resize(depth + 1, 0);
        counters[depth] += 1;
        let text = texts[j].clone().unwrap_or_else(|| {
            let raw = cx.text[h.title_range.clone()]
                .trim()
                .trim_end_matches('#')
                .trim_end();
            if raw.contains(['[', ']']) {
                h.title.to_string()
            } else {
                raw.to_string()
            }
        });
        let bullet = match marker {
            Marker::Bullet(c) => c.to_string(),
            Marker::Ordered(c) => format!("{}{c}", counters[depth]),
        };
        if loose && depth == 0 && !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!(
            "{indent}{}{bullet} [{text}](#{})",
            " ".repeat(unit * depth),
            slugs[j]
        ));
    }
    if lines.len() < 2 {
        return Vec::new();
    }
    let toc = lines.join(eol);
    match old {
        Some(o) => {
            let Some(edit) = smallest_edit(cx, o.range.clone(), &toc, eol) else {
                return Vec::new();
            };
            vec![Fix {
                id: ID,
                title: "Refresh the table of contents".into(),
                kind: Kind::Source,
                edits: vec![edit],
                diagnostic_code: None,
                diagnostic_range: None,
                safe: false,
            }]
        }
        None => {
            if cx
                .samples()
                .iter()
                .any(|s| s.sample.range.start <= cursor && cursor <= s.sample.range.end)
            {
                return Vec::new();
            }
            let on_heading = a
                .headings
                .iter()
                .any(|h| h.range.start <= cursor && cursor <= h.range.end);
            let at = if on_heading {
                cx.next_line(cursor)
            } else {
                cx.line_start(cursor)
            };
            let blank_before = at == 0
                || cx.text[cx.line_start(at.saturating_sub(1))..at]
                    .trim()
                    .is_empty();
            let blank_after = at >= cx.text.len() || cx.text[at..cx.line_end(at)].trim().is_empty();
            let mut new = String::new();
            if at > 0 && !cx.text[..at].ends_with('\n') {
                new.push_str(eol);
            }
            if !blank_before {
                new.push_str(eol);
            }
            new.push_str(&toc);
            new.push_str(eol);
            if !blank_after {
                new.push_str(eol);
            }
            vec![Fix {
                id: ID,
                title: "Create a table of contents here".into(),
                kind: Kind::Source,
                edits: vec![(at..at, new)],
                diagnostic_code: None,
                diagnostic_range: None,
                safe: false,
            }]
        }
    }
}

/// The edit that turns the lines of `range` into `new`, trimmed to the lines that differ.
fn smallest_edit(
    cx: &Ctx,
    range: std::ops::Range<usize>,
    new: &str,
    eol: &str,
) -> Option<(std::ops::Range<usize>, String)> {
    let old = &cx.text[range.clone()];
    if old == new {
        return None;
    }
    // Both with a final line break, so every line ends with one.
    let (o, n) = (format!("{old}{eol}"), format!("{new}{eol}"));
    let ol: Vec<&str> = o.split_inclusive('\n').collect();
    let nl: Vec<&str> = n.split_inclusive('\n').collect();
    let head = ol.iter().zip(&nl).take_while(|(a, b)| a == b).count();
    let tail = ol[head..]
        .iter()
        .rev()
        .zip(nl[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let len = |l: &[&str]| l.iter().map(|x| x.len()).sum::<usize>();
    let (mut os, mut oe) = (len(&ol[..head]), len(&ol[..ol.len() - tail]));
    let (mut ns, mut ne) = (len(&nl[..head]), len(&nl[..nl.len() - tail]));
    if oe > old.len() || ne > new.len() {
        // The change reaches the added line break: move it to the break before the change.
        oe -= eol.len();
        ne -= eol.len();
        if (oe < os || ne < ns) && os > 0 && ns > 0 {
            os -= eol.len();
            ns -= eol.len();
        }
    }
    Some((range.start + os..range.start + oe, n[ns..ne].to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_fix;
    use super::ID;

    #[test]
    fn refreshes_a_loose_toc_keeping_its_wording() {
        check_fix(
            ID,
            "# Advanced Python\n\n## Table of Contents\n\n- [1. OOP Concepts](#oop-concepts)\n\n- [2.  Concurrency](#concurency)\n\n## OOP Concepts\n\n### 1. What is a metaclass?\n\nA class of a class.\n\n## Concurrency$0\n\nThreads.\n\n## Databases\n\nSQL.\n",
            "# Advanced Python\n\n## Table of Contents\n\n- [1. OOP Concepts](#oop-concepts)\n\n- [2.  Concurrency](#concurrency)\n\n- [Databases](#databases)\n\n## OOP Concepts\n\n### 1. What is a metaclass?\n\nA class of a class.\n\n## Concurrency\n\nThreads.\n\n## Databases\n\nSQL.\n",
        );
    }

    #[test]
    fn creates_one_at_the_cursor() {
        check_fix(
            ID,
            "# Python basics\n$0\n## Memory\n\n### How does Python manage memory?\n\nReference counts.\n\n## Loops\n\nTwo kinds.\n",
            "# Python basics\n\n- [Memory](#memory)\n  - [How does Python manage memory?](#how-does-python-manage-memory)\n- [Loops](#loops)\n\n## Memory\n\n### How does Python manage memory?\n\nReference counts.\n\n## Loops\n\nTwo kinds.\n",
        );
    }
}
