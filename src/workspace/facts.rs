//! What the workspace checks need of the note being edited, read from its analysis on every
//! keystroke (a summary is built only when a note is saved or indexed).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::paths::{canonical_uri, uri_to_path};
use super::summary::{NoteSummary, QuestionKey};
use crate::analysis::Analysis;
use crate::config::SlugStyle;
use crate::links::{self, Target};
use crate::note::{Encoding, Note};
use crate::outline::{self, Slugs};

/// What the workspace checks need of the note being checked, straight from its analysis
/// (cheap enough for every keystroke, unlike a full summary).
pub struct Facts {
    pub uri: String,
    pub dir: Option<PathBuf>,
    /// Per heading (same indices as the analysis), its anchor; empty for bold questions.
    pub slugs: Slugs,
    pub links: Vec<(Range<usize>, Arc<Target>)>,
    /// Each question worth comparing and its title's range.
    pub questions: Vec<(QuestionKey, Range<usize>)>,
    /// The line of each of `questions` (0-based), for messages that name them.
    pub question_lines: Vec<u32>,
    /// Anchors match headings whatever their case (GitHub); GitLab's are case-sensitive.
    pub case_insensitive: bool,
    /// The note's explicit anchors, looked for only when a link misses every heading.
    pub(super) html: HtmlAnchors,
}

/// A note's text as its chunks' texts, in order.
type ChunkTexts = Vec<std::sync::Arc<str>>;

/// A note's explicit anchors (`<a name>`, `id`), found the first time they are asked for.
#[derive(Default)]
pub(super) struct HtmlAnchors {
    /// The note's text (its chunks', shared with the note) and its samples' ranges, to scan.
    source: Option<(ChunkTexts, Vec<Range<usize>>)>,
    found: OnceLock<Vec<String>>,
}

impl HtmlAnchors {
    pub(super) fn get(&self) -> &[String] {
        self.found.get_or_init(|| match &self.source {
            Some((texts, code)) => links::html_anchors(&texts.concat(), code),
            None => Vec::new(),
        })
    }
}

impl Facts {
    /// The facts of `note`, whose analysis is `a`.
    pub fn of(uri: &str, note: &Note, a: &Analysis, style: SlugStyle) -> Facts {
        Facts::with_slugs(
            uri,
            note,
            a,
            outline::slugs_of(&a.headings, style).into(),
            style,
        )
    }

    /// [`Facts::of`] with the slugs already numbered (`outline::slugs_of` of `a`'s headings).
    pub fn with_slugs(
        uri: &str,
        note: &Note,
        a: &Analysis,
        slugs: Slugs,
        style: SlugStyle,
    ) -> Facts {
        let uri = canonical_uri(uri);
        let dir = uri_to_path(&uri).and_then(|p| p.parent().map(Path::to_path_buf));
        let questions = QuestionKey::all(note, a);
        // Built on every keystroke: titles are not slugged or normalized again here, each
        // heading carries its own from its chunk's analysis.
        Facts {
            slugs,
            links: a
                .links
                .iter()
                .map(|l| (l.range.clone(), l.target.clone()))
                .collect(),
            questions: questions
                .iter()
                .map(|(i, q)| (q.clone(), a.headings[*i].title_range.clone()))
                .collect(),
            question_lines: questions
                .iter()
                .map(|(i, _)| {
                    note.to_line_col(a.headings[*i].title_range.start, Encoding::Utf8)
                        .line
                })
                .collect(),
            uri,
            dir,
            case_insensitive: style == SlugStyle::Github,
            html: HtmlAnchors {
                source: Some((
                    note.shared_texts(),
                    a.samples.iter().map(|s| s.range.clone()).collect(),
                )),
                found: OnceLock::new(),
            },
        }
    }

    /// These facts with the note's explicit anchors given (`anchors`: its summary's, found
    /// over the same text and samples), so that they no longer hold the note's text.
    pub fn with_html_anchors(mut self, anchors: Vec<String>) -> Facts {
        self.html = HtmlAnchors {
            source: None,
            found: anchors.into(),
        };
        self
    }

    pub(super) fn of_summary(s: &NoteSummary) -> Facts {
        Facts {
            uri: s.uri.to_string(),
            dir: s.dir(),
            slugs: s.slugs().map(Arc::from).collect(),
            links: Vec::new(),
            questions: Vec::new(),
            question_lines: Vec::new(),
            case_insensitive: true,
            html: HtmlAnchors {
                source: None,
                found: s.anchors().map(String::from).collect::<Vec<_>>().into(),
            },
        }
    }
}
