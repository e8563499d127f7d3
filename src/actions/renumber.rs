//! Renumbers the numbered questions of a section (`### 3. ...?`, `#### Q7. ...`) 1, 2, 3 in
//! order, and points this note's links at the new anchors (a heading's number is part of its
//! slug).

use std::ops::Range;

use super::{Ctx, Fix, Kind};
use crate::links::{self, Target};
use crate::outline::{self, Section};

pub const ID: &str = "renumber";

/// The number at the start of a title as written (`**3.**`, `Q12.`, `4)`): its digits' range
/// within `raw` and its value.
fn number(raw: &str) -> Option<(Range<usize>, usize)> {
    let lead = raw.len() - raw.trim_start_matches(['*', '_', ' ', '\t']).len();
    let rest = &raw[lead..];
    let q = usize::from(rest.starts_with(['Q', 'q']));
    let digits = rest[q..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let after = &rest[q + digits..];
    let sep = after.trim_start_matches(['*', '_']);
    if !sep.starts_with(['.', ')', ':']) {
        return None;
    }
    let start = lead + q;
    Some((start..start + digits, rest[q..q + digits].parse().ok()?))
}

/// The sections (of `list`, at any depth) holding `at`, outermost first.
fn path(list: &[Section], at: usize) -> Vec<&Section> {
    let mut out = Vec::new();
    let mut level = list;
    while let Some(s) = level
        .iter()
        .find(|s| s.range.start <= at && at <= s.range.end)
    {
        out.push(s);
        level = &s.children;
    }
    out
}

pub fn fixes(cx: &Ctx, cursor: usize) -> Vec<Fix> {
    let a = cx.analysis;
    let numbered = |list: &[Section]| -> Vec<(usize, Range<usize>, usize)> {
        list.iter()
            .filter(|s| a.headings[s.heading].question && a.headings[s.heading].level <= 6)
            .filter_map(|s| {
                let h = &a.headings[s.heading];
                let (r, n) = number(&cx.text[h.title_range.clone()])?;
                Some((
                    s.heading,
                    h.title_range.start + r.start..h.title_range.start + r.end,
                    n,
                ))
            })
            .collect()
    };
    // The innermost section at the cursor with numbered questions under it, else the top.
    let chain = path(&a.outline, cursor);
    let (name, questions) = chain
        .iter()
        .rev()
        .map(|s| {
            (
                a.headings[s.heading].title.to_string(),
                numbered(&s.children),
            )
        })
        .chain(std::iter::once((
            "the note".to_string(),
            numbered(&a.outline),
        )))
        .find(|(_, q)| q.len() >= 2)
        .unwrap_or_default();
    if questions.is_empty() {
        return Vec::new();
    }
    let first = if questions[0].2 == 0 { 0 } else { 1 };
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut titles: Vec<String> = a.headings.iter().map(|h| h.title.to_string()).collect();
    for (k, (i, digits, n)) in questions.iter().enumerate() {
        let want = first + k;
        if *n != want {
            edits.push((digits.clone(), want.to_string()));
            let t = &titles[*i];
            if let Some((r, _)) = number(t) {
                titles[*i] = format!("{}{want}{}", &t[..r.start], &t[r.end..]);
            }
        }
    }
    if edits.is_empty() {
        return Vec::new();
    }
    // Links to renamed headings follow them.
    let levels: Vec<usize> = (0..a.headings.len())
        .filter(|&i| a.headings[i].level <= 6)
        .collect();
    let old = outline::slugs(levels.iter().map(|&i| &*a.headings[i].title), cx.style);
    let new = outline::slugs(levels.iter().map(|&i| titles[i].as_str()), cx.style);
    for l in &a.links {
        let Target::Anchor(anchor) = links::target(l.dest(&cx.text)) else {
            continue;
        };
        let Some(j) = old.iter().position(|s| *s == anchor) else {
            continue;
        };
        if new[j] != old[j] {
            let dest = &cx.text[l.dest_range.clone()];
            if let Some(hash) = dest.find('#') {
                let end = l.dest_range.end - usize::from(dest.ends_with('>'));
                edits.push((l.dest_range.start + hash + 1..end, new[j].clone()));
            }
        }
    }
    edits.sort_by_key(|e| e.0.start);
    vec![Fix {
        id: ID,
        title: format!(
            "Renumber the questions of “{name}” ({first}–{})",
            first + questions.len() - 1
        ),
        kind: Kind::Source,
        edits,
        diagnostic_code: None,
        diagnostic_range: None,
        safe: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};
    use super::{ID, number};

    #[test]
    fn numbers() {
        assert_eq!(number("3. What is it?"), Some((0..1, 3)));
        assert_eq!(number("**12.** Why?"), Some((2..4, 12)));
        assert_eq!(number("Q7. Which option"), Some((1..2, 7)));
        assert_eq!(number("2024 goals?"), None);
    }

    #[test]
    fn renumbers_a_section_and_its_links() {
        check_fix(
            ID,
            "## Concurrency\n\nSee [the GIL](#3-what-is-the-gil).\n\n### 1. What is a thread?\n\nA unit.\n\n### 3. What is the GIL?$0\n\nA lock.\n\n### 3. What is a coroutine?\n\nA function.\n\n## Databases\n\n### 7. What is ACID?\n\nGuarantees.\n",
            "## Concurrency\n\nSee [the GIL](#2-what-is-the-gil).\n\n### 1. What is a thread?\n\nA unit.\n\n### 2. What is the GIL?\n\nA lock.\n\n### 3. What is a coroutine?\n\nA function.\n\n## Databases\n\n### 7. What is ACID?\n\nGuarantees.\n",
        );
    }

    #[test]
    fn nothing_to_do_when_in_order() {
        check_no_fix(ID, "## A\n\n### 1. Why?$0\n\nx\n\n### 2. How?\n\ny\n");
    }
}
