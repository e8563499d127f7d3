//! What the workspace keeps of a note: its headings (with their parents, question keys and
//! where their bodies are: breadcrumbs and previews are made when asked), links, terms, URLs
//! and explicit anchors, positions in both encodings.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::paths::{canonical_uri, note_path, uri_to_path};
use super::{Span, span};
use crate::analysis::Analysis;
use crate::config::SlugStyle;
use crate::duplicates;
use crate::hover;
use crate::links::{self, Target};
use crate::note::Note;
use crate::outline;
use crate::terms;

/// A question as compared with others: its normalized title, and the code it shows
/// ([`duplicates::material`]): a quiz asks "What is the output of below code?" of many
/// samples, and each is another question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuestionKey {
    pub text: Arc<str>,
    /// A hash of the code the question shows, if it shows some.
    pub sample: Option<u64>,
}

impl QuestionKey {
    /// The questions of `a` (an analysis of `note`) worth comparing, by heading index, in
    /// order: titles of two words or more that ask something ([`duplicates::counts`]).
    pub fn all(note: &Note, a: &Analysis) -> Vec<(usize, QuestionKey)> {
        let levels = duplicates::asking_levels(a);
        a.headings
            .iter()
            .enumerate()
            .filter(|(_, h)| duplicates::counts(h, &levels))
            .filter_map(|(i, h)| {
                Some((
                    i,
                    QuestionKey {
                        text: h.question_key.clone()?,
                        sample: duplicates::material(note, a, i),
                    },
                ))
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct HeadingEntry {
    pub title: Box<str>,
    pub slug: Box<str>,
    pub level: u8,
    pub question: bool,
    /// For a question worth comparing, what is compared for duplicates (normalized once,
    /// not on every check of another note).
    pub question_key: Option<QuestionKey>,
    /// The heading line(s).
    pub span: Span,
    pub title_span: Span,
    /// The heading this one's section lies in, for breadcrumbs ([`NoteSummary::breadcrumb`]).
    pub parent: Option<u32>,
    /// What its section holds after the heading, as byte offsets in the text summarized: its
    /// preview is read from that text when a hover asks ([`NoteSummary::preview`]), not kept.
    pub body: Range<u32>,
}

#[derive(Debug, Clone)]
pub struct LinkEntry {
    pub span: Span,
    pub dest_span: Span,
    pub dest: String,
    pub target: Target,
}

#[derive(Debug, Clone)]
pub struct TermEntry {
    pub key: String,
    pub name: String,
    pub span: Span,
    /// Shared by the terms one heading names.
    pub definition: Arc<str>,
    /// The heading it is explained under (its own, for a term a heading names), for its
    /// breadcrumb.
    pub heading: Option<u32>,
}

/// What the workspace keeps of one note.
#[derive(Debug, Clone)]
pub struct NoteSummary {
    pub uri: String,
    /// The note's folder, for resolving relative links.
    pub dir: Option<PathBuf>,
    /// The file name, for breadcrumbs.
    pub name: String,
    pub headings: Vec<HeadingEntry>,
    pub links: Vec<LinkEntry>,
    pub terms: Vec<TermEntry>,
    pub urls: Vec<(Span, String)>,
    /// Explicit anchors of its HTML (`<a name>`, `id`), besides its headings'.
    pub anchors: Vec<String>,
    /// A hash of the text summarized, to tell whether a text read later is still that one.
    pub fingerprint: u64,
}

/// The hash [`NoteSummary::fingerprint`] holds.
fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

const TERM_DEFINITION_BYTES: usize = 400;
/// A heading's preview (hover on a link to it): its section's first lines.
const PREVIEW_LINES: usize = 8;
const PREVIEW_BYTES: usize = 600;

impl NoteSummary {
    pub fn build(uri: &str, note: &Note, a: &Analysis, style: SlugStyle) -> NoteSummary {
        let uri = &canonical_uri(uri);
        let path = uri_to_path(uri);
        let name = path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || uri.rsplit('/').next().unwrap_or(uri).to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let text = note.text();
        let slugs = outline::slugs_of(&a.headings, style);
        let mut keys = QuestionKey::all(note, a).into_iter().peekable();
        let mut headings = Vec::with_capacity(a.headings.len());
        let mut terms = Vec::new();
        // Open ancestors as (level, index), for breadcrumbs.
        let mut stack: Vec<(u8, u32)> = Vec::new();
        for (i, h) in a.headings.iter().enumerate() {
            while stack.last().is_some_and(|(l, _)| *l >= h.level) {
                stack.pop();
            }
            let parent = stack.last().map(|&(_, p)| p);
            stack.push((h.level, i as u32));
            let section_range =
                hover::section_of(&a.outline, i).map_or(h.range.clone(), |s| s.range.clone());
            let named = terms::from_heading(&h.title, h.question);
            if !named.is_empty() {
                let body = note.slice(h.range.end..section_range.end);
                let definition: Arc<str> =
                    hover::preview_limited(&body, 6, TERM_DEFINITION_BYTES).into();
                for t in named {
                    terms.push(TermEntry {
                        key: terms::key(&t),
                        name: t,
                        span: span(note, &h.title_range),
                        definition: definition.clone(),
                        heading: Some(i as u32),
                    });
                }
            }
            headings.push(HeadingEntry {
                title: h.title.as_ref().into(),
                // Bold questions have no anchor on GitHub; they get an empty slug.
                slug: slugs[i].as_ref().into(),
                level: h.level,
                question: h.question,
                question_key: keys.next_if(|(k, _)| *k == i).map(|(_, q)| q),
                span: span(note, &h.range),
                title_span: span(note, &h.title_range),
                parent,
                body: h.range.end as u32..section_range.end as u32,
            });
        }
        for d in &a.definitions {
            let heading = a
                .headings
                .partition_point(|h| h.range.start <= d.range.start);
            let said = note.slice(d.text_start..d.range.end);
            let said = said.trim_start_matches([':', ' ', '-', '—']).trim();
            terms.push(TermEntry {
                key: terms::key(&d.term),
                name: d.term.to_string(),
                span: span(note, &d.range),
                definition: hover::preview_limited(
                    &format!("**{}** {said}", d.term),
                    6,
                    TERM_DEFINITION_BYTES,
                )
                .into(),
                heading: heading.checked_sub(1).map(|i| i as u32),
            });
        }
        let links = a
            .links
            .iter()
            .map(|l| LinkEntry {
                span: span(note, &l.range),
                dest_span: span(note, &l.dest_range),
                dest: l.dest.to_string(),
                target: (*l.target).clone(),
            })
            .collect();
        let urls = a
            .urls
            .iter()
            .map(|r| (span(note, r), note.slice(r.clone())))
            .collect();
        // Kept for as long as the note is known: no spare capacity.
        terms.shrink_to_fit();
        NoteSummary {
            uri: uri.to_string(),
            dir: path.and_then(|p| p.parent().map(Path::to_path_buf)),
            name,
            headings,
            links,
            terms,
            urls,
            anchors: html_anchors_of(&text, a),
            fingerprint: fingerprint(&text),
        }
    }

    /// Builds a summary straight from text (for notes on disk; their samples are not
    /// checked, the summary has no use for verdicts).
    pub fn from_text(uri: &str, text: &str, style: SlugStyle) -> NoteSummary {
        let note = Note::new(text);
        let a = Analysis::for_index(&note);
        NoteSummary::build(uri, &note, &a, style)
    }

    /// What [`NoteSummary::fingerprint`] would be for a summary of `text`.
    pub fn fingerprint_of(text: &str) -> u64 {
        fingerprint(text)
    }

    /// The preview of heading `i`, read from `text` if it is the text this summary was made
    /// from (`None` if it is not).
    pub fn preview(&self, i: usize, text: &str) -> Option<String> {
        let h = self.headings.get(i)?;
        if fingerprint(text) != self.fingerprint {
            return None;
        }
        let body = text.get(h.body.start as usize..h.body.end as usize)?;
        Some(hover::preview_limited(body, PREVIEW_LINES, PREVIEW_BYTES))
    }

    /// "file.md › Section › Title" for heading `heading`, the file name alone for none.
    pub fn breadcrumb(&self, heading: Option<u32>) -> String {
        let mut titles = Vec::new();
        let mut at = heading;
        while let Some(h) = at.and_then(|i| self.headings.get(i as usize)) {
            titles.push(&*h.title);
            at = h.parent;
        }
        titles.push(self.name.as_str());
        titles.reverse();
        titles.join(" › ")
    }

    /// The heading whose anchor is `anchor`, as GitHub matches it (case-insensitively).
    pub fn heading_by_slug(&self, anchor: &str) -> Option<&HeadingEntry> {
        let lower = anchor.to_lowercase();
        self.headings
            .iter()
            .find(|h| !h.slug.is_empty() && (*h.slug == *anchor || *h.slug == *lower))
    }

    /// The file a note link points at, resolved against this note's folder (or the
    /// repository root for a `/`-rooted path).
    pub fn resolve_path(&self, rel: &str) -> Option<PathBuf> {
        note_path(self.dir.as_ref()?, rel)
    }
}

/// The explicit anchors of `note`'s HTML, outside its code samples.
fn html_anchors_of(text: &str, a: &Analysis) -> Vec<String> {
    let code: Vec<Range<usize>> = a.samples.iter().map(|s| s.range.clone()).collect();
    links::html_anchors(text, &code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Previews are read from the text summarized, and only from it; breadcrumbs are made
    /// from the headings' parents.
    #[test]
    fn previews_and_breadcrumbs_are_made_when_asked() {
        let text = "# A\n\nFirst answer.\n\n## B?\n\nSecond answer.\n\n# C\n\nThird.\n";
        let s = NoteSummary::from_text("file:///n/a.md", text, SlugStyle::Github);
        assert_eq!(s.headings.len(), 3);
        let b = s.preview(1, text).expect("the same text");
        assert!(b.contains("Second answer."), "{b}");
        let a = s.preview(0, text).expect("the same text");
        assert!(
            a.contains("First answer.") && a.contains("Second answer."),
            "{a}"
        );
        assert_eq!(s.preview(1, &text.replace("Second", "Other")), None);
        assert_eq!(s.breadcrumb(Some(1)), "a.md › A › B?");
        assert_eq!(s.breadcrumb(Some(2)), "a.md › C");
        assert_eq!(s.breadcrumb(None), "a.md");
    }
}
