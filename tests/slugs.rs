//! Heading anchors against tables of real headings and the anchors the platforms give them:
//! `slugs/github.jsonl` from github-slugger over markdown-it's rendering
//! (`scripts/slug_reference.mjs`), `slugs/gitlab.jsonl` from GitLab's rule run by Ruby
//! (`scripts/gitlab_slug.rb`; Greek capitals left out: Ruby lower-cases a final `Σ` to `σ`,
//! JavaScript and Rust to `ς`). Each row is one note whose first heading is checked.

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::outline::{self, SlugStyle};

fn check_table(table: &str, style: SlugStyle) {
    let mut wrong = Vec::new();
    let mut rows = 0;
    for line in table.lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("a JSON row");
        let source = row["source"].as_str().expect("source");
        let expected = row["anchor"].as_str().expect("anchor");
        let note = Note::new(source);
        let a = Analysis::of(&note);
        let slugs = outline::slugs_of(&a.headings, style);
        let got = slugs.first().map_or("<no heading>", |s| &**s);
        if got != expected {
            wrong.push(format!("{source:?}: expected {expected:?}, got {got:?}"));
        }
        rows += 1;
    }
    assert!(rows > 300, "the table has {rows} rows");
    assert!(
        wrong.is_empty(),
        "{} of {rows} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn github_anchors_equal_github_sluggers() {
    check_table(include_str!("slugs/github.jsonl"), SlugStyle::Github);
}

#[test]
fn gitlab_anchors_equal_gitlabs_rule() {
    check_table(include_str!("slugs/gitlab.jsonl"), SlugStyle::Gitlab);
}

#[test]
fn repeats_are_numbered_as_github_numbers_them() {
    let note = Note::new("# Intro\n\n## Intro\n\n## Intro-1\n\n## Intro\n\n## 🚀\n\n## ✨\n");
    let slugs = outline::slugs_of(&Analysis::of(&note).headings, SlugStyle::Github);
    let slugs: Vec<&str> = slugs.iter().map(|s| &**s).collect();
    // github-slugger: "intro", "intro-1", then the written "Intro-1" is taken, so it gets
    // "intro-1-1", and the fourth "intro-2"; emoji-only headings give "" and then "-1".
    assert_eq!(
        slugs,
        ["intro", "intro-1", "intro-1-1", "intro-2", "", "-1"]
    );
}
