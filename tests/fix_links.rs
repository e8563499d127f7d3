//! Fix-all never breaks a link: on random notes of headings in many scripts and links to
//! them (right, in another case, with a typo, a dash or a mark lost, to another note), and
//! on every note under `NOTES_LSP_CORPUS` when it is set (CI points it at real notes), a
//! link that resolved before fix-all resolves after it with its destination untouched, the
//! number of broken links does not rise, and a second fix-all changes nothing.

use std::ops::Range;
use std::path::{Path, PathBuf};

use notes_lsp::actions::{LinkEnv, Options, fix_all};
use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::outline::SlugStyle;
use notes_lsp::workspace::{Facts, NoteSummary, View, Workspace, path_to_uri};
use proptest::prelude::*;

mod scale;
use scale::cases;

/// Each link of `text` in order: its destination and whether it is broken.
fn links(view: &View, uri: &str, text: &str, style: SlugStyle) -> Vec<(String, bool)> {
    let note = Note::new(text);
    let a = Analysis::of(&note);
    let facts = Facts::of(uri, &note, &a, style);
    let bad: Vec<Range<usize>> = view
        .broken_links(&facts)
        .into_iter()
        .map(|d| d.range)
        .collect();
    a.links
        .iter()
        .map(|l| (l.dest(text).to_string(), bad.contains(&l.range)))
        .collect()
}

/// Checks fix-all's promises on each of `notes` (path, text), fixed against all of them.
/// Returns how many links were broken before and after, over all notes.
fn check_notes(notes: &[(PathBuf, String)], style: SlugStyle) -> (usize, usize) {
    let ws = Workspace::default();
    let uri_of = |p: &Path| path_to_uri(p);
    for (p, t) in notes {
        ws.insert(NoteSummary::from_text(&uri_of(p), t, style));
    }
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    let opts = Options {
        style,
        ..Options::default()
    };
    let (mut before_total, mut after_total) = (0, 0);
    for (p, text) in notes {
        let uri = uri_of(p);
        let env = LinkEnv {
            view: &view,
            uri: &uri,
        };
        let before = links(&view, &uri, text, style);
        let fixed = fix_all(text, &opts, Some(&env));
        let after = links(&view, &uri, &fixed.text, style);
        assert_eq!(
            before.len(),
            after.len(),
            "{}: fix-all changed the links",
            p.display()
        );
        for ((dest, was_broken), (new_dest, is_broken)) in before.iter().zip(&after) {
            if !was_broken {
                assert_eq!(
                    dest,
                    new_dest,
                    "{}: a working link was changed",
                    p.display()
                );
                assert!(!is_broken, "{}: `{dest}` broke", p.display());
            }
        }
        let (b, a) = (count(&before), count(&after));
        assert!(a <= b, "{}: broken links {b} -> {a}", p.display());
        let again = fix_all(&fixed.text, &opts, Some(&env));
        assert!(
            again.applied.is_empty(),
            "{}: a second fix-all applied {:?}",
            p.display(),
            again.applied
        );
        before_total += b;
        after_total += a;
    }
    (before_total, after_total)
}

fn count(links: &[(String, bool)]) -> usize {
    links.iter().filter(|(_, b)| *b).count()
}

/// Headings in many scripts, with the ways links to them go wrong.
const HEADINGS: &[&str] = &[
    "কেন এটি ব্যবহার করবেন?",
    "यह क्यों उपयोग करें",
    "Γιατί να το χρησιμοποιήσεις",
    "What is the GIL?",
    "是  B",
    "Décorateurs et générateurs",
    "`__init__` vs `__new__`",
    "🚀 Deploy",
    "Закрытие",
    "A - B",
];

/// A link's anchor made from heading `h`'s anchor, spoilt in way `how`.
fn spoil(anchor: &str, how: u8) -> String {
    match how % 6 {
        0 => anchor.to_string(),
        1 => anchor.to_uppercase(),
        2 => anchor.replacen('-', "", 1),
        // A mark dropped (what the slugger of the last round did), or a letter for Latin.
        3 => {
            use unicode_general_category::{GeneralCategory as G, get_general_category};
            let mut out = String::new();
            let mut dropped = false;
            for c in anchor.chars() {
                if !dropped && matches!(get_general_category(c), G::NonspacingMark | G::SpacingMark)
                {
                    dropped = true;
                    continue;
                }
                out.push(c);
            }
            if dropped {
                out
            } else {
                anchor.chars().skip(1).collect()
            }
        }
        4 => format!("{anchor}x"),
        _ => "nothing-like-it".to_string(),
    }
}

fn note(picks: &[(usize, u8, bool)]) -> (String, String) {
    let mut a = String::from("# Notes\n\n");
    let mut b = String::from("# Other\n\n");
    for (i, (h, how, other)) in picks.iter().enumerate() {
        let title = HEADINGS[h % HEADINGS.len()];
        let anchor = notes_lsp::outline::slug(&notes_lsp::outline::anchor_text(title));
        let dest = spoil(&anchor, *how);
        if *other {
            a.push_str(&format!("- [link {i}](b.md#{dest})\n"));
        } else {
            a.push_str(&format!("- [link {i}](#{dest})\n"));
        }
    }
    a.push('\n');
    for (h, _, other) in picks {
        let title = HEADINGS[h % HEADINGS.len()];
        let into = if *other { &mut b } else { &mut a };
        into.push_str(&format!("## {title}\n\nAnswer.\n\n"));
    }
    (a, b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    #[test]
    fn fix_all_never_breaks_a_link(
        picks in prop::collection::vec((0usize..10, 0u8..6, any::<bool>()), 1..8),
        gitlab in any::<bool>(),
    ) {
        let (a, b) = note(&picks);
        let style = if gitlab { SlugStyle::Gitlab } else { SlugStyle::Github };
        let notes = vec![(PathBuf::from("/notes/a.md"), a), (PathBuf::from("/notes/b.md"), b)];
        check_notes(&notes, style);
    }
}

#[test]
fn fix_all_mends_what_it_can_and_leaves_working_links() {
    let (a, b) = note(&[
        (0, 0, false),
        (1, 3, false),
        (2, 1, false),
        (3, 2, true),
        (4, 5, false),
    ]);
    let notes = vec![
        (PathBuf::from("/notes/a.md"), a),
        (PathBuf::from("/notes/b.md"), b),
    ];
    // The Hindi link lost a mark, the GIL link a dash: both mended; the last has no match.
    assert_eq!(check_notes(&notes, SlugStyle::Github), (3, 1));
}

/// Every note under `NOTES_LSP_CORPUS`, one repository (top folder) at a time.
#[test]
fn fix_all_never_breaks_a_link_in_the_corpus() {
    let Ok(root) = std::env::var("NOTES_LSP_CORPUS") else {
        return;
    };
    let mut repos: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("NOTES_LSP_CORPUS is a folder")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    assert!(!repos.is_empty(), "no repository under {root}");
    for repo in repos {
        let mut notes = Vec::new();
        for entry in ignore::WalkBuilder::new(&repo).build().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "md")
                && let Ok(t) = std::fs::read_to_string(p)
            {
                notes.push((std::path::absolute(p).expect("absolute"), t));
            }
        }
        let (before, after) = check_notes(&notes, SlugStyle::Github);
        eprintln!(
            "{}: {} notes, broken links {before} -> {after} after fix-all",
            repo.display(),
            notes.len()
        );
    }
}
