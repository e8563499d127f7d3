//! What the workspace keeps of a note: its headings (with their parents, question keys and
//! where their bodies are: breadcrumbs and previews are made when asked), links, terms, URLs
//! and explicit anchors, positions in both encodings.
//!
//! Kept for every note of the workspace (50,000 notes hold about 270,000 headings), so kept
//! compactly: every string of a note laid end to end in one packed text, fixed-size records
//! pointing into it, a few allocations a note instead of a few a heading. Read through
//! borrowed views ([`HeadingEntry`], [`LinkEntry`], [`TermEntry`]).

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
use crate::note::{Encoding, Note};
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

/// A string of a summary: where it lies in the summary's packed text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Str {
    at: u32,
    len: u32,
}

/// A summary's strings laid end to end as they are made.
#[derive(Default)]
struct Packer {
    text: String,
}

impl Packer {
    fn push(&mut self, s: &str) -> Str {
        // Offsets are 32 bits; a summary that would outgrow them (never, for notes the
        // server reads) keeps empty strings instead.
        let (Ok(at), Ok(len)) = (u32::try_from(self.text.len()), u32::try_from(s.len())) else {
            return Str::default();
        };
        if at.checked_add(len).is_none() {
            return Str::default();
        }
        self.text.push_str(s);
        Str { at, len }
    }

    /// `s`, sharing `same`'s bytes when it is the same text.
    fn push_or_share(&mut self, s: &str, same: Str) -> Str {
        if self.get(same) == s {
            same
        } else {
            self.push(s)
        }
    }

    fn get(&self, s: Str) -> &str {
        str_in(&self.text, s)
    }
}

fn str_in(text: &str, s: Str) -> &str {
    text.get(s.at as usize..(s.at + s.len) as usize)
        .unwrap_or_default()
}

/// No parent, no heading: the index no heading has.
const NONE: u32 = u32::MAX;

/// What is kept of a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HeadingRec {
    title: Str,
    slug: Str,
    /// The hash of its question key's text ([`key_hash`]), if it is a question worth
    /// comparing (`KEY`): the text is [`outline::normalize_question`] of the title.
    key: u64,
    sample: u64,
    title_span: Span,
    line: u32,
    parent: u32,
    /// What its section holds after the heading, as byte offsets in the text summarized.
    body: (u32, u32),
    level: u8,
    /// `QUESTION`, `KEY`, `SAMPLE`.
    flags: u8,
}

const QUESTION: u8 = 1;
const KEY: u8 = 2;
const SAMPLE: u8 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
struct LinkRec {
    span: Span,
    dest_span: Span,
    dest: Str,
    /// A destination with a space, which is text and not a link ([`Target::NotALink`]).
    not_a_link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TermRec {
    key: Str,
    name: Str,
    /// Shared by the terms one heading names.
    definition: Str,
    line: u32,
    heading: u32,
}

/// A heading of a summarized note.
#[derive(Debug, Clone, Copy)]
pub struct HeadingEntry<'a> {
    pub title: &'a str,
    /// Empty for bold questions (no anchor on GitHub).
    pub slug: &'a str,
    pub level: u8,
    pub question: bool,
    /// For a question worth comparing, what is compared for duplicates: the hash of its
    /// key's text ([`key_hash`] of [`outline::normalize_question`] of the title, normalized
    /// once, not on every check of another note) and its code's hash.
    pub question_key: Option<(u64, Option<u64>)>,
    /// The heading line(s)' first line.
    pub line: u32,
    pub title_span: Span,
    /// The heading this one's section lies in, for breadcrumbs ([`NoteSummary::breadcrumb`]).
    pub parent: Option<u32>,
}

/// A link of a summarized note.
#[derive(Debug, Clone, Copy)]
pub struct LinkEntry<'a> {
    pub span: Span,
    pub dest_span: Span,
    /// The destination as written.
    pub dest: &'a str,
    not_a_link: bool,
}

impl LinkEntry<'_> {
    /// Where the link points, read from its destination as the analysis reads it.
    pub fn target(&self) -> Target {
        if self.not_a_link {
            Target::NotALink(self.dest.to_string())
        } else {
            links::target(self.dest)
        }
    }
}

/// A term a summarized note explains.
#[derive(Debug, Clone, Copy)]
pub struct TermEntry<'a> {
    pub key: &'a str,
    pub name: &'a str,
    /// The line of the heading or definition that names it.
    pub line: u32,
    pub definition: &'a str,
    /// The heading it is explained under (its own, for a term a heading names), for its
    /// breadcrumb.
    pub heading: Option<u32>,
}

/// A heading matching a workspace symbol query, as answered.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub title: String,
    pub question: bool,
    pub title_span: Span,
}

/// Where a term is explained, as answered.
#[derive(Debug, Clone)]
pub struct Explained {
    pub line: u32,
    pub definition: String,
}

/// What the workspace keeps of one note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSummary {
    /// Shared with the workspace's indexes (one allocation a note).
    pub uri: Arc<str>,
    /// A hash of the text summarized, to tell whether a text read later is still that one.
    pub fingerprint: u64,
    /// Every string below, end to end.
    text: Box<str>,
    headings: Box<[HeadingRec]>,
    links: Box<[LinkRec]>,
    terms: Box<[TermRec]>,
    urls: Box<[(Span, Str)]>,
    /// Explicit anchors of its HTML (`<a name>`, `id`), besides its headings'.
    anchors: Box<[Str]>,
}

/// The hash [`NoteSummary::fingerprint`] holds.
fn fingerprint(text: &str) -> u64 {
    key_hash(text)
}

/// The hash a question or term key is looked up by (the same in every process: SipHash
/// with fixed keys).
pub(crate) fn key_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

const TERM_DEFINITION_BYTES: usize = 400;
/// A heading's preview (hover on a link to it): its section's first lines.
const PREVIEW_LINES: usize = 8;
const PREVIEW_BYTES: usize = 600;

fn opt(i: u32) -> Option<u32> {
    (i != NONE).then_some(i)
}

impl NoteSummary {
    pub fn build(uri: &str, note: &Note, a: &Analysis, style: SlugStyle) -> NoteSummary {
        let uri = canonical_uri(uri);
        let text = note.text();
        let slugs = outline::slugs_of(&a.headings, style);
        let mut keys = QuestionKey::all(note, a).into_iter().peekable();
        let mut p = Packer::default();
        let mut headings = Vec::with_capacity(a.headings.len());
        let mut terms = Vec::new();
        // Open ancestors as (level, index), for breadcrumbs.
        let mut stack: Vec<(u8, u32)> = Vec::new();
        for (i, h) in a.headings.iter().enumerate() {
            while stack.last().is_some_and(|(l, _)| *l >= h.level) {
                stack.pop();
            }
            let parent = stack.last().map_or(NONE, |&(_, p)| p);
            stack.push((h.level, i as u32));
            let section_range =
                hover::section_of(&a.outline, i).map_or(h.range.clone(), |s| s.range.clone());
            let title = p.push(&h.title);
            let title_span = span(note, &h.title_range);
            let named = terms::from_heading(&h.title, h.question);
            if !named.is_empty() {
                let body = note.slice(h.range.end..section_range.end);
                let definition = p.push(&hover::preview_limited(&body, 6, TERM_DEFINITION_BYTES));
                for t in named {
                    let name = p.push(&t);
                    terms.push(TermRec {
                        key: p.push_or_share(&terms::key(&t), name),
                        name,
                        line: title_span.start.line,
                        definition,
                        heading: i as u32,
                    });
                }
            }
            let question = keys.next_if(|(k, _)| *k == i).map(|(_, q)| q);
            let mut flags = if h.question { QUESTION } else { 0 };
            let (mut key, mut sample) = (0, 0);
            if let Some(q) = question {
                flags |= KEY;
                key = key_hash(&q.text);
                if let Some(s) = q.sample {
                    flags |= SAMPLE;
                    sample = s;
                }
            }
            headings.push(HeadingRec {
                title,
                // Bold questions have no anchor on GitHub; they get an empty slug.
                slug: p.push_or_share(&slugs[i], title),
                key,
                sample,
                title_span,
                line: note.to_line_col(h.range.start, Encoding::Utf8).line,
                parent,
                body: (h.range.end as u32, section_range.end as u32),
                level: h.level,
                flags,
            });
        }
        for d in &a.definitions {
            let heading = a
                .headings
                .partition_point(|h| h.range.start <= d.range.start);
            let said = note.slice(d.text_start..d.range.end);
            let said = said.trim_start_matches([':', ' ', '-', '—']).trim();
            let definition =
                hover::preview_limited(&format!("**{}** {said}", d.term), 6, TERM_DEFINITION_BYTES);
            let name = p.push(&d.term);
            terms.push(TermRec {
                key: p.push_or_share(&terms::key(&d.term), name),
                name,
                line: note.to_line_col(d.range.start, Encoding::Utf8).line,
                definition: p.push(&definition),
                heading: heading.checked_sub(1).map_or(NONE, |i| i as u32),
            });
        }
        let links: Vec<LinkRec> = a
            .links
            .iter()
            .map(|l| LinkRec {
                span: span(note, &l.range),
                dest_span: span(note, &l.dest_range),
                dest: p.push(&note.slice(l.dest_range.clone())),
                not_a_link: matches!(*l.target, Target::NotALink(_)),
            })
            .collect();
        let urls: Vec<(Span, Str)> = a
            .urls
            .iter()
            .map(|r| (span(note, r), p.push(&note.slice(r.clone()))))
            .collect();
        let anchors: Vec<Str> = html_anchors_of(&text, a)
            .iter()
            .map(|s| p.push(s))
            .collect();
        NoteSummary {
            uri: uri.into(),
            fingerprint: fingerprint(&text),
            text: p.text.into_boxed_str(),
            headings: headings.into_boxed_slice(),
            links: links.into_boxed_slice(),
            terms: terms.into_boxed_slice(),
            urls: urls.into_boxed_slice(),
            anchors: anchors.into_boxed_slice(),
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

    fn str(&self, s: Str) -> &str {
        str_in(&self.text, s)
    }

    fn heading_of<'a>(&'a self, h: &HeadingRec) -> HeadingEntry<'a> {
        HeadingEntry {
            title: self.str(h.title),
            slug: self.str(h.slug),
            level: h.level,
            question: h.flags & QUESTION != 0,
            question_key: (h.flags & KEY != 0)
                .then(|| (h.key, (h.flags & SAMPLE != 0).then_some(h.sample))),
            line: h.line,
            title_span: h.title_span,
            parent: opt(h.parent),
        }
    }

    /// Its headings, in order.
    pub fn headings(
        &self,
    ) -> impl DoubleEndedIterator<Item = HeadingEntry<'_>> + ExactSizeIterator + Clone {
        self.headings.iter().map(|h| self.heading_of(h))
    }

    /// Its headings' anchors, in order (empty for bold questions): what link checks walk.
    pub fn slugs(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.headings.iter().map(|h| self.str(h.slug))
    }

    pub fn heading(&self, i: usize) -> Option<HeadingEntry<'_>> {
        self.headings.get(i).map(|h| self.heading_of(h))
    }

    pub fn heading_count(&self) -> usize {
        self.headings.len()
    }

    pub fn links(&self) -> impl ExactSizeIterator<Item = LinkEntry<'_>> + Clone {
        self.links.iter().map(|l| LinkEntry {
            span: l.span,
            dest_span: l.dest_span,
            dest: self.str(l.dest),
            not_a_link: l.not_a_link,
        })
    }

    /// The terms it explains; [`NoteSummary::term`] numbers them in this order.
    pub fn terms(&self) -> impl ExactSizeIterator<Item = TermEntry<'_>> + Clone {
        self.terms.iter().map(|t| self.term_of(t))
    }

    pub fn term(&self, i: usize) -> Option<TermEntry<'_>> {
        self.terms.get(i).map(|t| self.term_of(t))
    }

    fn term_of<'a>(&'a self, t: &TermRec) -> TermEntry<'a> {
        TermEntry {
            key: self.str(t.key),
            name: self.str(t.name),
            line: t.line,
            definition: self.str(t.definition),
            heading: opt(t.heading),
        }
    }

    /// Its bare URLs and where each is.
    pub fn urls(&self) -> impl ExactSizeIterator<Item = (Span, &str)> + Clone {
        self.urls.iter().map(|&(s, u)| (s, self.str(u)))
    }

    /// Explicit anchors of its HTML (`<a name>`, `id`), besides its headings'.
    pub fn anchors(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.anchors.iter().map(|&a| self.str(a))
    }

    /// The note's file name, for breadcrumbs and messages.
    pub fn name(&self) -> String {
        let uri = &*self.uri;
        uri_to_path(uri)
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| uri.rsplit('/').next().unwrap_or(uri).to_string())
    }

    /// The note's folder, for resolving relative links.
    pub fn dir(&self) -> Option<PathBuf> {
        uri_to_path(&self.uri).and_then(|p| p.parent().map(Path::to_path_buf))
    }

    /// The preview of heading `i`, read from `text` if it is the text this summary was made
    /// from (`None` if it is not).
    pub fn preview(&self, i: usize, text: &str) -> Option<String> {
        let h = self.headings.get(i)?;
        if fingerprint(text) != self.fingerprint {
            return None;
        }
        let body = text.get(h.body.0 as usize..h.body.1 as usize)?;
        Some(hover::preview_limited(body, PREVIEW_LINES, PREVIEW_BYTES))
    }

    /// "file.md › Section › Title" for heading `heading`, the file name alone for none.
    pub fn breadcrumb(&self, heading: Option<u32>) -> String {
        let mut titles = Vec::new();
        let mut at = heading;
        while let Some(h) = at.and_then(|i| self.headings.get(i as usize)) {
            titles.push(self.str(h.title));
            at = opt(h.parent);
        }
        let name = self.name();
        titles.push(&name);
        titles.reverse();
        titles.join(" › ")
    }

    /// The heading whose anchor is `anchor`, as GitHub matches it (case-insensitively).
    pub fn heading_by_slug(&self, anchor: &str) -> Option<HeadingEntry<'_>> {
        let lower = anchor.to_lowercase();
        self.headings()
            .find(|h| !h.slug.is_empty() && (h.slug == anchor || h.slug == lower))
    }

    /// The file a note link points at, resolved against this note's folder (or the
    /// repository root for a `/`-rooted path).
    pub fn resolve_path(&self, rel: &str) -> Option<PathBuf> {
        note_path(&self.dir()?, rel)
    }

    /// The heap it holds besides itself, by part (for measuring what the workspace keeps):
    /// the URI, the packed text, and the records of headings, links, terms, URLs, anchors.
    pub fn heap_parts(&self) -> [(&'static str, usize); 7] {
        use std::mem::size_of_val;
        [
            ("uri", self.uri.len()),
            ("packed text", self.text.len()),
            ("heading records", size_of_val(&*self.headings)),
            ("link records", size_of_val(&*self.links)),
            ("term records", size_of_val(&*self.terms)),
            ("url records", size_of_val(&*self.urls)),
            ("anchor records", size_of_val(&*self.anchors)),
        ]
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
        assert_eq!(s.heading_count(), 3);
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

    /// Everything a summary keeps reads back as the analysis said it, from the one packed
    /// text: titles, slugs (shared with the title or not), question keys, links, terms,
    /// URLs and anchors.
    #[test]
    fn a_packed_summary_reads_back_what_was_summarized() {
        let text = "# Python notes\n\n## What is the GIL?\n\nA lock, see [docs](other.md#gil) \
                    and [here](#what-is-the-gil) or [x](#a b).\n\n### What is the output of below \
                    code?\n\n```python\nprint(1)\n```\n\n**Concurrency** refers to tasks.\n\n\
                    <a name=\"top\"></a> https://example.com/x\n";
        let note = Note::new(text);
        let a = Analysis::for_index(&note);
        let s = NoteSummary::build("file:///n/py.md", &note, &a, SlugStyle::Github);
        let titles: Vec<&str> = s.headings().map(|h| h.title).collect();
        assert_eq!(
            titles,
            [
                "Python notes",
                "What is the GIL?",
                "What is the output of below code?"
            ]
        );
        let slugs = outline::slugs_of(&a.headings, SlugStyle::Github);
        assert!(s.headings().zip(&slugs).all(|(h, s)| h.slug == &**s));
        assert!(s.slugs().eq(slugs.iter().map(|s| &**s)));
        let keys = QuestionKey::all(&note, &a);
        let kept: Vec<(usize, u64, Option<u64>)> = s
            .headings()
            .enumerate()
            .filter_map(|(i, h)| h.question_key.map(|(k, sample)| (i, k, sample)))
            .collect();
        let want: Vec<(usize, u64, Option<u64>)> = keys
            .iter()
            .map(|(i, q)| (*i, key_hash(&q.text), q.sample))
            .collect();
        assert_eq!(kept, want);
        for (i, q) in &keys {
            let title = s.heading(*i).map(|h| h.title).unwrap_or_default();
            assert_eq!(outline::normalize_question(title), *q.text);
        }
        assert!(
            kept.iter().any(|(_, _, sample)| sample.is_some()),
            "{kept:?}"
        );
        assert_eq!(s.heading(1).map(|h| h.parent), Some(Some(0)));
        assert_eq!(s.heading(0).map(|h| h.parent), Some(None));
        assert!(s.heading(1).is_some_and(|h| h.question));
        let targets: Vec<Target> = s.links().map(|l| l.target()).collect();
        let want: Vec<Target> = a.links.iter().map(|l| (*l.target).clone()).collect();
        assert_eq!(targets, want);
        assert!(targets.contains(&Target::NotALink("#a b".into())));
        let dests: Vec<&str> = s.links().map(|l| l.dest).collect();
        assert_eq!(dests, ["other.md#gil", "#what-is-the-gil", "#a b"]);
        let terms: Vec<(&str, &str, Option<u32>)> =
            s.terms().map(|t| (t.key, t.name, t.heading)).collect();
        assert!(terms.contains(&("gil", "GIL", Some(1))), "{terms:?}");
        assert!(
            terms.contains(&("concurrency", "Concurrency", Some(2))),
            "{terms:?}"
        );
        let concurrency = s.terms().find(|t| t.name == "Concurrency");
        assert!(
            concurrency.is_some_and(|t| t.definition.contains("refers to tasks")),
            "{concurrency:?}"
        );
        assert_eq!(s.anchors().collect::<Vec<_>>(), ["top"]);
        assert_eq!(
            s.urls().map(|(_, u)| u).collect::<Vec<_>>(),
            ["https://example.com/x"]
        );
        assert_eq!(s.name(), "py.md");
        assert_eq!(s.dir(), Some(PathBuf::from("/n")));
    }
}
