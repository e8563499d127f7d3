//! `broken-link`: the link's anchor becomes the closest heading anchor of the note it names
//! (one that begins with the anchor and a `-`, else by edit distance, as the diagnostic's
//! "did you mean" says). Safe when one anchor is strictly closest and within a third of the
//! length (or the only one beginning with the anchor); a tie or a farther guess is offered
//! but left out of fix-all.

use std::ops::Range;

use super::{Fix, Kind, LinkEnv};
use crate::analysis::Analysis;
use crate::codes::code;
use crate::links::{self, Target};
use crate::note::Note;
use crate::outline::SlugStyle;
use crate::workspace::{Facts, View, levenshtein};

pub const ID: &str = "link-anchor";

/// The closest of `anchors` to `anchor`, if reasonably close (at most half its length
/// away), and whether it is a sure guess: the only one that close, and within a third.
pub(crate) fn closest(anchors: &[String], anchor: &str) -> Option<(String, bool)> {
    let mut scored: Vec<(usize, &String)> = anchors
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            // An anchor the slug begins with scores 0, as in `suggest` (an equal one would
            // not be broken).
            let d = if crate::suggest::extends(s, anchor) {
                0
            } else {
                levenshtein(anchor, s)
            };
            (d, s)
        })
        .filter(|(d, s)| *d <= s.chars().count().max(anchor.chars().count()) / 2)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    let (d, best) = scored.first()?;
    let unique = scored.get(1).is_none_or(|(d2, _)| d2 > d);
    let near = d * 3 <= best.chars().count().max(anchor.chars().count());
    Some(((*best).clone(), unique && near))
}

/// Fixes for the broken links of the note whose text and analysis are given (those touching
/// `range`, if given). Needs no lock on the note: the server calls it with the workspace.
pub fn fixes(
    a: &Analysis,
    text: &str,
    view: &View,
    facts: &Facts,
    range: Option<Range<usize>>,
) -> Vec<Fix> {
    let mut out = Vec::new();
    for d in view.broken_links(facts) {
        if range
            .as_ref()
            .is_some_and(|r| d.range.end < r.start || r.end < d.range.start)
        {
            continue;
        }
        let Some(link) = a.links.iter().find(|l| l.range == d.range) else {
            continue;
        };
        let target = links::target(link.dest(text));
        let anchor = match &target {
            Target::Anchor(a) => a.clone(),
            Target::Note {
                anchor: Some(a), ..
            } => a.clone(),
            _ => continue,
        };
        let Some(anchors) = view.anchors(facts, &target) else {
            continue;
        };
        let Some((best, unique)) = closest(&anchors, &anchor) else {
            continue;
        };
        let Some(dest) = text.get(link.dest_range.clone()) else {
            continue;
        };
        let Some(hash) = dest.rfind('#') else {
            continue;
        };
        let end = link.dest_range.end - usize::from(dest.ends_with('>'));
        let start = link.dest_range.start + hash + 1;
        if start > end {
            continue;
        }
        out.push(Fix {
            id: ID,
            title: format!("Point the link at `#{best}`"),
            kind: Kind::QuickFix,
            edits: vec![(start..end, best)],
            diagnostic_code: Some(code::BROKEN_LINK),
            diagnostic_range: Some(d.range.clone()),
            safe: unique,
        });
    }
    out
}

/// Whether `after` (fix-all's link fixes applied to `before`) leaves the note's links
/// better: the same links, none that resolved broken now, and fewer broken.
pub fn improves(env: &LinkEnv, style: SlugStyle, before: &str, after: &str) -> bool {
    let (b, a) = (broken(env, style, before), broken(env, style, after));
    b.len() == a.len()
        && b.iter().zip(&a).all(|(was, is)| *was || !is)
        && a.iter().filter(|x| **x).count() < b.iter().filter(|x| **x).count()
}

/// For each link of `text`, in order: whether it is broken.
fn broken(env: &LinkEnv, style: SlugStyle, text: &str) -> Vec<bool> {
    let note = Note::new(text);
    let a = Analysis::of(&note);
    let facts = Facts::of(env.uri, &note, &a, style);
    let bad: Vec<Range<usize>> = env
        .view
        .broken_links(&facts)
        .into_iter()
        .map(|d| d.range)
        .collect();
    a.links.iter().map(|l| bad.contains(&l.range)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_fix_promises, cursor};
    use super::super::{Ctx, LinkEnv, Options, fix_all};
    use super::*;
    use crate::analysis::Analysis;
    use crate::config::SlugStyle;
    use crate::note::Note;
    use crate::workspace::{NoteSummary, Workspace};

    /// The link fix at the cursor of `fixture` (the note `/notes/a.md`, with `others` on
    /// disk beside it) turns it into `expected`.
    fn check(fixture: &str, others: &[(&str, &str)], expected: &str, safe: bool) {
        let (text, range) = cursor(fixture);
        let ws = Workspace::default();
        for (name, t) in others {
            ws.insert(NoteSummary::from_text(
                &format!("file:///notes/{name}"),
                t,
                SlugStyle::Github,
            ));
        }
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let uri = "file:///notes/a.md";
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        let cx = Ctx::new(&note, &a, SlugStyle::Github);
        let facts = Facts::of(uri, &note, &a, SlugStyle::Github);
        let found = fixes(cx.analysis, &cx.text, &view, &facts, Some(range));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].safe, safe);
        let out = assert_fix_promises(&text, &found[0]);
        assert_eq!(out, expected);
        // The link is no longer broken, and fix-all agrees and is idempotent.
        let note = Note::new(&out);
        let facts = Facts::of(uri, &note, &Analysis::of(&note), SlugStyle::Github);
        assert!(view.broken_links(&facts).is_empty());
        let env = LinkEnv { view: &view, uri };
        let all = fix_all(&text, &Options::default(), Some(&env));
        if safe {
            assert_eq!(all.text, expected);
        }
        let again = fix_all(&all.text, &Options::default(), Some(&env));
        assert!(again.applied.is_empty());
    }

    #[test]
    fn anchor_in_this_note() {
        check(
            "# Python\n\n- [The GIL]($0#what-is-gil)\n\n### What is the GIL?\n\nA lock.\n",
            &[],
            "# Python\n\n- [The GIL](#what-is-the-gil)\n\n### What is the GIL?\n\nA lock.\n",
            true,
        );
    }

    #[test]
    fn anchor_in_another_note() {
        check(
            "See [decorators](basics.md#$0decorator) there.\n",
            &[("basics.md", "## Decorators\n\nWrap functions.\n")],
            "See [decorators](basics.md#decorators) there.\n",
            true,
        );
    }

    #[test]
    fn a_far_guess_is_offered_but_not_safe() {
        check(
            "[x]($0#namespaces-use-cases)\n\n## Namespaces - Commands\n\nA.\n",
            &[],
            "[x](#namespaces---commands)\n\n## Namespaces - Commands\n\nA.\n",
            false,
        );
    }

    #[test]
    fn a_tie_is_offered_but_not_safe() {
        check(
            "[x]($0#list-b)\n\n## list-a\n\nA.\n\n## list-c\n\nC.\n",
            &[],
            "[x](#list-a)\n\n## list-a\n\nA.\n\n## list-c\n\nC.\n",
            false,
        );
    }
}
