//! What the workspace checks need of the note being edited, read from its analysis on every
//! keystroke (a summary is built only when a note is saved or indexed).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::paths::{canonical_uri, uri_to_path};
use super::summary::{NoteSummary, QuestionKey};
use crate::analysis::{Analysis, Incremental};
use crate::config::SlugStyle;
use crate::duplicates;
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
        let questions = QuestionKey::all(note, a);
        let lines = questions
            .iter()
            .map(|(i, _)| {
                note.to_line_col(a.headings[*i].title_range.start, Encoding::Utf8)
                    .line
            })
            .collect();
        Facts::with_questions(uri, note, a, slugs, style, questions, lines)
    }

    /// [`Facts::with_slugs`] with the questions kept in `memo` from the analysis before
    /// (`inc`'s, before its last update), those the update left alone moved rather than
    /// looked at again; a keystroke then reads the questions around the edit, not each
    /// question's answer.
    pub fn with_memo(
        uri: &str,
        note: &Note,
        inc: &Incremental,
        slugs: Slugs,
        style: SlugStyle,
        memo: &mut QuestionMemo,
    ) -> Facts {
        let a = inc.analysis();
        memo.update(note, inc);
        let questions = memo
            .entries
            .iter()
            .map(|e| (e.heading, e.key.clone()))
            .collect();
        let lines = memo.entries.iter().map(|e| e.line).collect();
        Facts::with_questions(uri, note, a, slugs, style, questions, lines)
    }

    fn with_questions(
        uri: &str,
        note: &Note,
        a: &Analysis,
        slugs: Slugs,
        style: SlugStyle,
        questions: Vec<(usize, QuestionKey)>,
        question_lines: Vec<u32>,
    ) -> Facts {
        let uri = canonical_uri(uri);
        let dir = uri_to_path(&uri).and_then(|p| p.parent().map(Path::to_path_buf));
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
                .into_iter()
                .map(|(i, q)| (q, a.headings[i].title_range.clone()))
                .collect(),
            question_lines,
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

/// The questions of an open note's last analysis (see [`Facts::with_memo`]).
#[derive(Default)]
pub struct QuestionMemo {
    /// The [`Incremental::version`] they are of.
    version: Option<u64>,
    levels: [bool; 8],
    entries: Vec<Memo>,
}

/// One question worth comparing.
struct Memo {
    heading: usize,
    key: QuestionKey,
    /// Where the answer its sample was read from ends ([`duplicates::answer_end`]).
    end: usize,
    /// The line of its title (0-based).
    line: u32,
}

impl QuestionMemo {
    /// Brings the questions up to `inc`'s analysis of `note`: [`QuestionKey::all`] and each
    /// title's line. A question outside the edited region keeps its line (moved by the lines
    /// the edit added) and, when its answer ends where it did (moved) and lies outside the
    /// region, its sample: the same text, the same samples.
    fn update(&mut self, note: &Note, inc: &Incremental) {
        let a = inc.analysis();
        if self.version == Some(inc.version()) {
            return;
        }
        let levels = duplicates::asking_levels(a);
        let edit = inc
            .last_edit()
            .filter(|e| Some(e.before) == self.version && levels == self.levels);
        let ends = duplicates::section_ends(&a.outline, a.headings.len());
        let old = std::mem::take(&mut self.entries);
        let mut old = old.into_iter().peekable();
        let mut line_shift: Option<i64> = None;
        let mut entries = Vec::with_capacity(old.len());
        for (i, h) in a.headings.iter().enumerate() {
            if !duplicates::counts(h, &levels) {
                continue;
            }
            let Some(text) = h.question_key.clone() else {
                continue;
            };
            let end = duplicates::answer_end(a, i, ends[i]);
            let title = h.title_range.start;
            // The same heading in the analysis before, when outside the edited region.
            let was = edit.and_then(|e| {
                let j = e.headings.was(i)?;
                while old.next_if(|m| m.heading < j).is_some() {}
                let m = old.next_if(|m| m.heading == j)?;
                let after = i >= e.headings.new_to;
                // Its answer ends where it did (moved with the text after the region), and
                // before the region for a question before it.
                let same_answer = if after {
                    m.end
                        .checked_sub(e.bytes.old_to)
                        .map(|k| k + e.bytes.new_to)
                        == Some(end)
                } else {
                    m.end == end && end <= e.bytes.from
                };
                Some((m, same_answer, after))
            });
            let (sample, line) = match was {
                Some((m, same_answer, after)) => {
                    let line = if after {
                        let shift = *line_shift.get_or_insert_with(|| {
                            i64::from(note.to_line_col(title, Encoding::Utf8).line)
                                - i64::from(m.line)
                        });
                        (i64::from(m.line) + shift) as u32
                    } else {
                        m.line
                    };
                    let sample = if same_answer {
                        m.key.sample
                    } else {
                        duplicates::material_to(note, a, i, end)
                    };
                    (sample, line)
                }
                None => (
                    duplicates::material_to(note, a, i, end),
                    note.to_line_col(title, Encoding::Utf8).line,
                ),
            };
            entries.push(Memo {
                heading: i,
                key: QuestionKey { text, sample },
                end,
                line,
            });
        }
        self.entries = entries;
        self.levels = levels;
        self.version = Some(inc.version());
    }
}
