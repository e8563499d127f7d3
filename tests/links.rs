//! Links resolved as GitHub resolves them: anchors matched whatever their case (GitLab:
//! case-sensitive), explicit HTML anchors, `/`-rooted paths from the repository root, a
//! target with a space read as text, and messages that say how an anchor misses.

use std::path::{Path, PathBuf};

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::outline::SlugStyle;
use notes_lsp::workspace::{Facts, NoteSummary, View, Workspace, path_to_uri};

/// The broken-link messages of note `uri` (text `text`), among `others` (path, text).
fn broken(uri: &str, text: &str, others: &[(&Path, &str)], style: SlugStyle) -> Vec<String> {
    let ws = Workspace::default();
    for (p, t) in others {
        ws.insert(NoteSummary::from_text(&path_to_uri(p), t, style));
    }
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    let note = Note::new(text);
    let a = Analysis::of(&note);
    let facts = Facts::of(uri, &note, &a, style);
    view.broken_links(&facts)
        .into_iter()
        .map(|d| d.message)
        .collect()
}

const NOTE: &str = "# Γιατί να το χρησιμοποιήσεις\n\n\
    [a](#Γιατί-να-το-χρησιμοποιήσεις) [b](#Diagnostic) [c](#top) [d](#Top)\n\n\
    <a name=\"top\"></a>\n\n## Diagnostic\n\nText.\n";

#[test]
fn github_matches_anchors_whatever_their_case() {
    let found = broken("file:///n/a.md", NOTE, &[], SlugStyle::Github);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn gitlab_anchors_are_case_sensitive_and_the_message_says_so() {
    let found = broken("file:///n/a.md", NOTE, &[], SlugStyle::Gitlab);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[1].contains("`#diagnostic` differs from it only in case"),
        "{found:?}"
    );
}

#[test]
fn an_anchor_missing_a_mark_or_a_dash_is_told_so() {
    let text = "# কেন এটি ব্যবহার করবেন\n\n## What is the GIL\n\n\
                [x](#কেন-এটি-বযবহার-করবেন) [y](#what-is-thegil)\n";
    let found = broken("file:///n/a.md", text, &[], SlugStyle::Github);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("only in accents and other combining marks"),
        "{found:?}"
    );
    assert!(found[1].contains("only in dashes"), "{found:?}");
}

#[test]
fn a_target_with_a_space_is_text_on_github() {
    let text = "## CAP 理論\n\nSee [CAP](#cap 理論).\n";
    let found = broken("file:///n/a.md", text, &[], SlugStyle::Github);
    assert_eq!(
        found,
        [
            "not a link: the target `#cap 理論` holds a space, so GitHub shows this as text; \
          write `<#cap 理論>` or `#cap%20理論` (the heading's anchor is `#cap-理論`)"
        ]
    );
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempRepo(PathBuf);

impl TempRepo {
    fn new(name: &str) -> TempRepo {
        let dir = std::env::temp_dir().join(format!("notes-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".git")).expect("temp folder");
        std::fs::create_dir_all(dir.join("docs/deep")).expect("temp folder");
        TempRepo(dir)
    }
}

impl Drop for TempRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn rooted_paths_start_at_the_repository_root() {
    let repo = TempRepo::new("rooted");
    let readme = repo.0.join("README.md");
    let other = repo.0.join("docs/a.md");
    let here = repo.0.join("docs/deep/here.md");
    std::fs::write(&readme, "# Home\n").unwrap();
    std::fs::write(&other, "# Topic\n\n## Closures\n").unwrap();
    let text = "[home](/README.md) [c](/docs/a.md#closures) [bad](/docs/a.md#nope) \
                [gone](/missing.md)\n";
    std::fs::write(&here, text).unwrap();
    let found = broken(
        &path_to_uri(&here),
        text,
        &[(&readme, "# Home\n"), (&other, "# Topic\n\n## Closures\n")],
        SlugStyle::Github,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("no heading `#nope` in `a.md`"),
        "{found:?}"
    );
    assert_eq!(found[1], "no note at `/missing.md`");
}
