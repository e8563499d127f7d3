//! Every note the server knows: summaries of the notes on disk under the workspace folders
//! (headings, slugs, links, terms; no parse trees, to keep memory small) and of the open
//! documents, and the questions that need all of them: where a link goes, which links point
//! at a heading, where else a question is asked, what a term means.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock, Weak};

use dashmap::DashMap;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::analysis::Analysis;
use crate::codes::{Severity, code};
use crate::config::SlugStyle;
use crate::duplicates::{self, Place};
use crate::hover;
use crate::links::{self, Target};
use crate::note::{Encoding, LineCol, Note};
use crate::outline::{self, Slugs};
use crate::suggest::Nearest;
use crate::terms;

/// A position with its column in both encodings, so a summary serves any client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub utf8: u32,
    pub utf16: u32,
}

impl Pos {
    pub fn col(&self, enc: Encoding) -> u32 {
        match enc {
            Encoding::Utf8 => self.utf8,
            Encoding::Utf16 => self.utf16,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn contains(&self, line: u32, col: u32, enc: Encoding) -> bool {
        let at = (line, col);
        (self.start.line, self.start.col(enc)) <= at && at <= (self.end.line, self.end.col(enc))
    }
}

fn pos(note: &Note, at: usize) -> Pos {
    let a = note.to_line_col(at, Encoding::Utf8);
    let b = note.to_line_col(at, Encoding::Utf16);
    Pos {
        line: a.line,
        utf8: a.col,
        utf16: b.col,
    }
}

fn span(note: &Note, r: &Range<usize>) -> Span {
    Span {
        start: pos(note, r.start),
        end: pos(note, r.end),
    }
}

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
    pub title: String,
    pub slug: String,
    pub level: u8,
    pub question: bool,
    /// For a question worth comparing, what is compared for duplicates (normalized once,
    /// not on every check of another note).
    pub question_key: Option<QuestionKey>,
    /// The heading line(s).
    pub span: Span,
    pub title_span: Span,
    /// Heading and answer.
    pub section: Span,
    /// "file.md › Section › Title".
    pub breadcrumb: String,
    pub preview: String,
    pub samples: usize,
    pub broken: usize,
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
    pub definition: String,
    pub breadcrumb: String,
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
}

const TERM_DEFINITION_BYTES: usize = 400;

impl NoteSummary {
    pub fn build(uri: &str, note: &Note, a: &Analysis, style: SlugStyle) -> NoteSummary {
        let uri = &canonical_uri(uri);
        let path = uri_to_path(uri);
        let name = path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || uri.rsplit('/').next().unwrap_or(uri).to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let slugs = outline::slugs_of(&a.headings, style);
        let mut keys = QuestionKey::all(note, a).into_iter().peekable();
        let mut headings = Vec::with_capacity(a.headings.len());
        let mut terms = Vec::new();
        // Open ancestors as (level, title), for breadcrumbs.
        let mut stack: Vec<(u8, String)> = Vec::new();
        for (i, h) in a.headings.iter().enumerate() {
            while stack.last().is_some_and(|(l, _)| *l >= h.level) {
                stack.pop();
            }
            let mut crumbs = vec![name.clone()];
            crumbs.extend(stack.iter().map(|(_, t)| t.clone()));
            crumbs.push(h.title.to_string());
            let breadcrumb = crumbs.join(" › ");
            stack.push((h.level, h.title.to_string()));
            let section_range =
                hover::section_of(&a.outline, i).map_or(h.range.clone(), |s| s.range.clone());
            let body = note.slice(h.range.end..section_range.end);
            let samples: Vec<_> = a.samples_in(&section_range).collect();
            let preview = hover::preview_limited(&body, 8, 600);
            for t in terms::from_heading(&h.title, h.question) {
                terms.push(TermEntry {
                    key: terms::key(&t),
                    name: t,
                    span: span(note, &h.title_range),
                    definition: hover::preview_limited(&body, 6, TERM_DEFINITION_BYTES),
                    breadcrumb: breadcrumb.clone(),
                });
            }
            headings.push(HeadingEntry {
                title: h.title.to_string(),
                // Bold questions have no anchor on GitHub; they get an empty slug.
                slug: slugs[i].to_string(),
                level: h.level,
                question: h.question,
                question_key: keys.next_if(|(k, _)| *k == i).map(|(_, q)| q),
                span: span(note, &h.range),
                title_span: span(note, &h.title_range),
                section: span(note, &section_range),
                breadcrumb,
                preview,
                samples: samples.len(),
                broken: samples.iter().filter(|s| s.is_broken()).count(),
            });
        }
        for d in &a.definitions {
            let heading = a
                .headings
                .partition_point(|h| h.range.start <= d.range.start);
            let breadcrumb = heading
                .checked_sub(1)
                .map_or_else(|| name.clone(), |i| headings[i].breadcrumb.clone());
            let text = note.slice(d.text_start..d.range.end);
            let text = text.trim_start_matches([':', ' ', '-', '—']).trim();
            terms.push(TermEntry {
                key: terms::key(&d.term),
                name: d.term.to_string(),
                span: span(note, &d.range),
                definition: hover::preview_limited(
                    &format!("**{}** {text}", d.term),
                    6,
                    TERM_DEFINITION_BYTES,
                ),
                breadcrumb,
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
        NoteSummary {
            uri: uri.to_string(),
            dir: path.and_then(|p| p.parent().map(Path::to_path_buf)),
            name,
            headings,
            links,
            terms,
            urls,
            anchors: html_anchors_of(note, a),
        }
    }

    /// Builds a summary straight from text (for notes on disk).
    pub fn from_text(uri: &str, text: &str, style: SlugStyle) -> NoteSummary {
        let note = Note::new(text);
        let a = Analysis::of(&note);
        NoteSummary::build(uri, &note, &a, style)
    }

    /// The heading whose anchor is `anchor`, as GitHub matches it (case-insensitively).
    pub fn heading_by_slug(&self, anchor: &str) -> Option<&HeadingEntry> {
        let lower = anchor.to_lowercase();
        self.headings
            .iter()
            .find(|h| !h.slug.is_empty() && (h.slug == anchor || h.slug == lower))
    }

    /// The file a note link points at, resolved against this note's folder (or the
    /// repository root for a `/`-rooted path).
    pub fn resolve_path(&self, rel: &str) -> Option<PathBuf> {
        note_path(self.dir.as_ref()?, rel)
    }
}

/// The explicit anchors of `note`'s HTML, outside its code samples.
fn html_anchors_of(note: &Note, a: &Analysis) -> Vec<String> {
    let code: Vec<Range<usize>> = a.samples.iter().map(|s| s.range.clone()).collect();
    links::html_anchors(&note.text(), &code)
}

/// Where a link's note path points: relative to `dir` (the linking note's folder), or for a
/// `/`-rooted path relative to the repository root, as GitHub resolves it. `None` when the
/// root cannot be told.
pub fn note_path(dir: &Path, path: &str) -> Option<PathBuf> {
    match path.strip_prefix('/') {
        Some(rest) => Some(normalize(&repo_root(dir)?.join(rest))),
        None => Some(normalize(&dir.join(path))),
    }
}

/// The repository holding `dir`: the nearest folder at or above it with a `.git` or a
/// `.notes-lsp.toml`. Remembered per folder (links are checked on every keystroke).
fn repo_root(dir: &Path) -> Option<PathBuf> {
    static ROOTS: LazyLock<Mutex<HashMap<PathBuf, Option<PathBuf>>>> =
        LazyLock::new(Default::default);
    let mut roots = ROOTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = roots.get(dir) {
        return r.clone();
    }
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").exists() || d.join(".notes-lsp.toml").is_file())
        .map(Path::to_path_buf);
    if roots.len() >= 1024 {
        roots.clear();
    }
    roots.insert(dir.to_path_buf(), root.clone());
    root
}

/// Lexical normalization (`a/./b/../c` → `a/c`): symlinks are not followed.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Characters escaped in a file URI's path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub fn path_to_uri(path: &Path) -> String {
    format!(
        "file://{}",
        utf8_percent_encode(&path.to_string_lossy(), PATH)
    )
}

/// One spelling per file: clients may escape a path differently than `path_to_uri` does.
pub fn canonical_uri(uri: &str) -> String {
    uri_to_path(uri).map_or_else(|| uri.to_string(), |p| path_to_uri(&p))
}

pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path` is not a local file we can read.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    Some(PathBuf::from(
        percent_decode_str(path).decode_utf8_lossy().into_owned(),
    ))
}

/// A diagnostic that needs the workspace: its range is in the note checked, related
/// locations may be in other notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsDiagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub related: Vec<Related>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub uri: String,
    pub at: RelatedAt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelatedAt {
    /// In another note, as summarized.
    Span(Span),
    /// In the note checked (byte offsets).
    Here(Range<usize>),
}

/// Where a link resolved to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A heading of the linking note itself.
    Here(usize),
    /// Another note (or this one, through its file name), and a heading in it.
    Other(Arc<NoteSummary>, Option<usize>),
    /// Not something the server checks (a URL, a note it has not indexed).
    Unchecked,
}

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
    html: HtmlAnchors,
}

/// A note's explicit anchors (`<a name>`, `id`), found the first time they are asked for.
#[derive(Default)]
struct HtmlAnchors {
    /// The note's text and its samples' ranges, to scan.
    source: Option<(ropey::Rope, Vec<Range<usize>>)>,
    found: OnceLock<Vec<String>>,
}

impl HtmlAnchors {
    fn get(&self) -> &[String] {
        self.found.get_or_init(|| match &self.source {
            Some((rope, code)) => links::html_anchors(&rope.to_string(), code),
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
                    note.rope().clone(),
                    a.samples.iter().map(|s| s.range.clone()).collect(),
                )),
                found: OnceLock::new(),
            },
        }
    }

    fn of_summary(s: &NoteSummary) -> Facts {
        Facts {
            uri: s.uri.clone(),
            dir: s.dir.clone(),
            slugs: s.headings.iter().map(|h| h.slug.as_str().into()).collect(),
            links: Vec::new(),
            questions: Vec::new(),
            question_lines: Vec::new(),
            case_insensitive: true,
            html: HtmlAnchors {
                source: None,
                found: s.anchors.clone().into(),
            },
        }
    }
}

/// A question asked in note `U` (a URI): where its title is and its opening sample.
type Asked<U> = (U, Span, Option<u64>);

/// Questions of one title, by opening sample: the indices of those with each.
type BySample = Vec<(Option<u64>, Vec<usize>)>;

/// Indexes built over the notes on disk: rebuilt when one of them changes or goes, brought
/// up to date in place when one is added (the workspace indexer adds hundreds, and a rebuild
/// walks every question of every note). Each list is in the order of its notes' URIs, and of
/// their headings within a note, however it was built.
#[derive(Default, Clone, PartialEq, Debug)]
struct DiskIndex {
    /// By normalized title: the note, the title's span and the opening sample.
    questions: HashMap<Arc<str>, Vec<Asked<String>>>,
    terms: HashMap<String, Vec<(String, usize)>>,
}

impl DiskIndex {
    fn of(mut notes: Vec<Arc<NoteSummary>>) -> DiskIndex {
        notes.sort_unstable_by(|a, b| a.uri.cmp(&b.uri));
        let mut idx = DiskIndex::default();
        for s in &notes {
            idx.add(s);
        }
        idx
    }

    /// Adds the entries of `s`, a note it does not hold yet.
    fn add(&mut self, s: &NoteSummary) {
        let uri = s.uri.as_str();
        for h in &s.headings {
            if let Some(q) = &h.question_key {
                let list = self.questions.entry(q.text.clone()).or_default();
                let at = list.partition_point(|(u, ..)| u.as_str() <= uri);
                list.insert(at, (s.uri.clone(), h.title_span, q.sample));
            }
        }
        for (i, t) in s.terms.iter().enumerate() {
            let list = self.terms.entry(t.key.clone()).or_default();
            let at = list.partition_point(|(u, _)| u.as_str() <= uri);
            list.insert(at, (s.uri.clone(), i));
        }
    }
}

#[derive(Default)]
pub struct Workspace {
    disk: DashMap<String, Arc<NoteSummary>>,
    index: RwLock<Option<Arc<DiskIndex>>>,
    /// "Did you mean" answers per note, kept across its versions.
    nearest: Mutex<HashMap<String, Nearest>>,
    /// Bumped after every change to `disk`: answers computed under an older one may be stale.
    generation: AtomicU64,
}

/// What a broken link's diagnostic says.
fn no_heading(anchor: &str, where_: &str, closest: Option<String>) -> String {
    match closest {
        Some(c) => match only_differs(anchor, &c) {
            Some(how) => format!(
                "no heading `#{anchor}` in {where_}: the anchor `#{c}` differs from it only {how}"
            ),
            None => format!("no heading `#{anchor}` in {where_}; did you mean `#{c}`?"),
        },
        None => format!("no heading `#{anchor}` in {where_}"),
    }
}

/// How a link's anchor and a heading's differ, when that is all: case (anchors are
/// case-sensitive on GitLab), accents and other combining marks, or dashes.
fn only_differs(anchor: &str, slug: &str) -> Option<&'static str> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let base = |s: &str| -> String { s.nfd().filter(|c| !is_combining_mark(*c)).collect() };
    if anchor.to_lowercase() == slug.to_lowercase() {
        Some("in case (GitLab's anchors are case-sensitive)")
    } else if base(anchor) == base(slug) {
        Some("in accents and other combining marks")
    } else if anchor.replace('-', "") == slug.replace('-', "") {
        Some("in dashes (each space of a heading is one `-`)")
    } else {
        None
    }
}

/// What a link-like text whose target holds a space gets said; `anchor` is the heading
/// anchor its words make, when the note has it.
fn not_a_link(inside: &str, anchor: Option<&str>) -> String {
    if inside.chars().count() > 80 {
        let start: String = inside.chars().take(60).collect();
        return format!(
            "not a link: the target `{start}…` holds a space, so GitHub shows this as text; \
             put it in `<...>` or write each space as `%20`"
        );
    }
    let mut m = format!(
        "not a link: the target `{inside}` holds a space, so GitHub shows this as text; \
         write `<{inside}>` or `{}`",
        inside.replace(' ', "%20")
    );
    if let Some(a) = anchor {
        m.push_str(&format!(" (the heading's anchor is `#{a}`)"));
    }
    m
}

/// The first of `slugs` that is `anchor`, or its lower case (`lower`, GitHub's matching).
fn position_of<'a>(
    mut slugs: impl Iterator<Item = &'a str>,
    anchor: &str,
    lower: Option<&str>,
) -> Option<usize> {
    slugs.position(|s| !s.is_empty() && (s == anchor || Some(s) == lower))
}

/// Whether `anchor` (or its lower case, `lower`, matched against lower-cased anchors) is
/// one of a note's explicit anchors.
fn explicit(html: &[String], anchor: &str, lower: Option<&str>) -> bool {
    html.iter()
        .any(|h| h == anchor || lower.is_some_and(|l| h.to_lowercase() == l))
}

/// Each slug's first heading (bold questions have no slug).
#[derive(Default)]
pub struct SlugIndex(HashMap<Arc<str>, usize>);

impl SlugIndex {
    pub fn of(slugs: &[Arc<str>]) -> SlugIndex {
        let mut index = HashMap::with_capacity(slugs.len());
        for (i, s) in slugs.iter().enumerate() {
            if !s.is_empty() {
                index.entry(s.clone()).or_insert(i);
            }
        }
        SlugIndex(index)
    }

    fn get(&self, slug: &str) -> Option<usize> {
        self.0.get(slug).copied()
    }
}

/// A broken link's diagnostic.
pub fn broken_link(range: Range<usize>, message: String) -> WsDiagnostic {
    WsDiagnostic {
        range,
        severity: Severity::Warning,
        code: code::BROKEN_LINK,
        message,
        related: Vec::new(),
    }
}

/// Related locations a duplicate question keeps, at most: as many as the protocol layer
/// sends (`server::to_proto` shows the first ten), the rest only counted in the message.
pub const MAX_RELATED: usize = 10;

/// Notes whose "did you mean" answers are kept, at most.
const NEAREST_NOTES: usize = 256;

/// Checks the links of one note against a view.
pub struct LinkCheck<'a> {
    view: &'a View<'a>,
    from: &'a Facts,
    local: &'a SlugIndex,
    /// Whether `from`'s "did you mean" answers were brought up to date with its slugs: once
    /// for all its links (it compares every slug).
    nearest_updated: bool,
}

impl LinkCheck<'_> {
    /// What is wrong with a link to `target` (`None`: nothing, or it is not checked), and
    /// whether the answer came from the file system rather than from the note and the view
    /// (so it may change while they do not).
    pub fn check(&mut self, target: &Target) -> (Option<String>, bool) {
        match target {
            Target::Anchor(anchor) if anchor.is_empty() || self.local.get(anchor).is_some() => {
                (None, false)
            }
            Target::Anchor(anchor) => {
                let lower = self.from.case_insensitive.then(|| anchor.to_lowercase());
                if lower
                    .as_deref()
                    .is_some_and(|l| self.local.get(l).is_some())
                    || explicit(self.from.html.get(), anchor, lower.as_deref())
                {
                    return (None, false);
                }
                let closest = self.nearest(anchor);
                (Some(no_heading(anchor, "this note", closest)), false)
            }
            Target::NotALink(inside) => {
                let anchor = inside
                    .strip_prefix('#')
                    .map(outline::slug)
                    .filter(|a| self.local.get(a).is_some());
                (Some(not_a_link(inside, anchor.as_deref())), false)
            }
            _ => {
                // A link to this note by its file name is answered from `from`'s own "did you
                // mean" answers, which `resolve_in` expects up to date.
                self.update_nearest();
                let mut read_disk = false;
                let found =
                    self.view
                        .resolve_in(self.from, target, Some(self.local), true, &mut read_disk);
                (found.err(), read_disk)
            }
        }
    }

    fn update_nearest(&mut self) {
        if !self.nearest_updated {
            self.nearest_entry(|_| ());
        }
    }

    fn nearest(&mut self, anchor: &str) -> Option<String> {
        self.nearest_entry(|n| n.nearest(anchor))
    }

    /// Runs `f` on `from`'s "did you mean" answers, up to date with its slugs.
    fn nearest_entry<R>(&mut self, f: impl FnOnce(&mut Nearest) -> R) -> R {
        let ws = self.view.ws;
        let mut all = ws.nearest.lock().unwrap_or_else(|e| e.into_inner());
        if !self.nearest_updated || !all.contains_key(&self.from.uri) {
            if all.len() >= NEAREST_NOTES && !all.contains_key(&self.from.uri) {
                all.clear();
            }
            all.entry(self.from.uri.clone())
                .or_default()
                .update_from(&self.from.slugs);
            self.nearest_updated = true;
        }
        f(all.get_mut(&self.from.uri).expect("entered just above"))
    }
}

/// Identifies what a [`View`] answers from. The open notes' summaries are held weakly: their
/// addresses cannot be reused by other summaries while the key lives, and they are not kept.
pub struct ViewKey {
    generation: u64,
    open: Vec<Weak<NoteSummary>>,
}

/// The workspace as one request sees it: open documents over the notes on disk.
pub struct View<'a> {
    pub ws: &'a Workspace,
    pub open: Vec<Arc<NoteSummary>>,
}

impl Workspace {
    pub fn insert(&self, summary: NoteSummary) {
        let summary = Arc::new(summary);
        // Held across the change: an index being built sees the note or is told of it.
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        let replaced = self
            .disk
            .insert(summary.uri.clone(), summary.clone())
            .is_some();
        match index.as_mut() {
            Some(idx) if !replaced => Arc::make_mut(idx).add(&summary),
            _ => *index = None,
        }
        drop(index);
        // After the change, so that whoever reads the new generation sees the change too.
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn remove(&self, uri: &str) {
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        if self.disk.remove(uri).is_some() {
            *index = None;
            drop(index);
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    pub fn len(&self) -> usize {
        self.disk.len()
    }

    /// The slug of note `uri` nearest to `anchor`. `slugs` are the note's slugs; `None` when
    /// this pass already brought `uri`'s answers up to date with them.
    fn nearest_slug<'a>(
        &self,
        uri: &str,
        slugs: Option<impl ExactSizeIterator<Item = &'a str> + Clone>,
        anchor: &str,
    ) -> Option<String> {
        let mut all = self.nearest.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= NEAREST_NOTES && !all.contains_key(uri) {
            all.clear();
        }
        let nearest = all.entry(uri.to_string()).or_default();
        if let Some(slugs) = slugs {
            nearest.update(slugs);
        }
        nearest.nearest(anchor)
    }

    pub fn is_empty(&self) -> bool {
        self.disk.is_empty()
    }

    fn index(&self) -> Arc<DiskIndex> {
        if let Some(i) = self
            .index
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return i.clone();
        }
        // Built under the lock, so that no note added meanwhile is missed or added twice.
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = index.as_ref() {
            return i.clone();
        }
        let idx = Arc::new(DiskIndex::of(
            self.disk.iter().map(|e| e.value().clone()).collect(),
        ));
        *index = Some(idx.clone());
        idx
    }
}

impl View<'_> {
    pub fn get(&self, uri: &str) -> Option<Arc<NoteSummary>> {
        let uri = &canonical_uri(uri);
        self.open
            .iter()
            .find(|s| &s.uri == uri)
            .cloned()
            .or_else(|| self.ws.disk.get(uri.as_str()).map(|e| e.value().clone()))
    }

    /// What this view answers from, to tell a later view that answers alike.
    pub fn key(&self) -> ViewKey {
        ViewKey {
            generation: self.ws.generation.load(Ordering::SeqCst),
            open: self.open.iter().map(Arc::downgrade).collect(),
        }
    }

    /// Whether this view answers as the one `key` was taken from did: the same notes on
    /// disk and the same summaries of open notes.
    pub fn has_key(&self, key: &ViewKey) -> bool {
        key.generation == self.ws.generation.load(Ordering::SeqCst)
            && key.open.len() == self.open.len()
            && key
                .open
                .iter()
                .zip(&self.open)
                .all(|(k, s)| std::ptr::eq(k.as_ptr(), Arc::as_ptr(s)))
    }

    fn is_open(&self, uri: &str) -> bool {
        self.open.iter().any(|s| s.uri == uri)
    }

    /// Every note: open documents, then notes on disk that are not open.
    pub fn all(&self) -> Vec<Arc<NoteSummary>> {
        let mut out = self.open.clone();
        out.extend(
            self.ws
                .disk
                .iter()
                .filter(|e| !self.is_open(e.key()))
                .map(|e| e.value().clone()),
        );
        out
    }

    /// The note and heading a link goes to. `Err` says what is missing.
    pub fn resolve(&self, from: &Facts, target: &Target) -> Result<Resolved, String> {
        self.resolve_in(from, target, None, true, &mut false)
    }

    /// [`View::resolve`], with `from`'s slugs indexed once for many links (`local`, whose
    /// "did you mean" answers are then already up to date), and without looking for the
    /// nearest heading of a broken anchor unless `suggest`. Sets `read_disk` when the answer
    /// came from the file system (a note the workspace does not know), not from the view.
    fn resolve_in(
        &self,
        from: &Facts,
        target: &Target,
        local: Option<&SlugIndex>,
        suggest: bool,
        read_disk: &mut bool,
    ) -> Result<Resolved, String> {
        let (note, anchor) = match target {
            Target::External => return Ok(Resolved::Unchecked),
            Target::NotALink(inside) => return Err(not_a_link(inside, None)),
            Target::Anchor(a) => (None, a.as_str()),
            Target::Note { path, anchor } => {
                let Some(dir) = &from.dir else {
                    return Ok(Resolved::Unchecked);
                };
                if path.starts_with('/') {
                    // The repository root is looked for on disk.
                    *read_disk = true;
                }
                let Some(p) = note_path(dir, path) else {
                    return Ok(Resolved::Unchecked);
                };
                let uri = path_to_uri(&p);
                let anchor = anchor.as_deref().unwrap_or("");
                // This note by its own file name (`README.md#x` in README.md): its current
                // headings, not the copy on disk or an older summary.
                if uri == from.uri && !anchor.is_empty() {
                    return self.resolve_in(
                        from,
                        &Target::Anchor(anchor.to_string()),
                        local,
                        suggest,
                        read_disk,
                    );
                }
                match self.get(&uri) {
                    Some(n) => (Some(n), anchor),
                    // Not indexed (too big, outside the folders, not yet indexed): only its
                    // existence can be checked.
                    None => {
                        *read_disk = true;
                        if p.exists() {
                            return Ok(Resolved::Unchecked);
                        }
                        return Err(format!("no note at `{path}`"));
                    }
                }
            }
        };
        if anchor.is_empty() {
            return Ok(match note {
                Some(n) => Resolved::Other(n, None),
                None => Resolved::Unchecked,
            });
        }
        let lower = from.case_insensitive.then(|| anchor.to_lowercase());
        let lower = lower.as_deref().filter(|l| *l != anchor);
        let found = match (&note, local) {
            (Some(n), _) => position_of(n.headings.iter().map(|h| h.slug.as_str()), anchor, lower),
            (None, Some(index)) => index.get(anchor).or_else(|| index.get(lower?)),
            (None, None) => position_of(from.slugs.iter().map(|s| &**s), anchor, lower),
        };
        if let Some(i) = found {
            return Ok(match note {
                Some(n) => Resolved::Other(n, Some(i)),
                None => Resolved::Here(i),
            });
        }
        let html = match &note {
            Some(n) => n.anchors.as_slice(),
            None => from.html.get(),
        };
        if explicit(html, anchor, lower) {
            return Ok(Resolved::Unchecked);
        }
        let closest = match &note {
            _ if !suggest => None,
            Some(n) => self.ws.nearest_slug(
                &n.uri,
                Some(n.headings.iter().map(|h| h.slug.as_str())),
                anchor,
            ),
            None => self.ws.nearest_slug(
                &from.uri,
                local.is_none().then(|| from.slugs.iter().map(|s| &**s)),
                anchor,
            ),
        };
        let where_ = match &note {
            Some(n) if n.uri != from.uri => format!("`{}`", n.name),
            _ => "this note".to_string(),
        };
        Err(no_heading(anchor, &where_, closest))
    }

    /// The anchors of the note `target` names (this note's for `#anchor`), if it is known:
    /// what a broken link's quick fix chooses from.
    pub fn anchors(&self, from: &Facts, target: &Target) -> Option<Vec<String>> {
        match target {
            Target::External | Target::NotALink(_) => None,
            Target::Anchor(_) => Some(from.slugs.iter().map(|s| s.to_string()).collect()),
            Target::Note { path, .. } => {
                let dir = from.dir.as_ref()?;
                let n = self.get(&path_to_uri(&note_path(dir, path)?))?;
                Some(n.headings.iter().map(|h| h.slug.clone()).collect())
            }
        }
    }

    pub fn broken_links(&self, f: &Facts) -> Vec<WsDiagnostic> {
        if f.links.is_empty() {
            return Vec::new();
        }
        let local = SlugIndex::of(&f.slugs);
        let mut check = self.link_check(f, &local);
        f.links
            .iter()
            .filter_map(|(range, target)| Some(broken_link(range.clone(), check.check(target).0?)))
            .collect()
    }

    /// Checks links of `f` one by one; `local` is `f`'s slugs indexed
    /// ([`SlugIndex::of`]), kept by a caller that checks its links on every keystroke.
    pub fn link_check<'a>(&'a self, f: &'a Facts, local: &'a SlugIndex) -> LinkCheck<'a> {
        LinkCheck {
            view: self,
            from: f,
            local,
            nearest_updated: false,
        }
    }

    /// Questions of `f` asked elsewhere too (in the same note or another). Runs on every
    /// keystroke, and a note may ask one question dozens of times: each diagnostic keeps at
    /// most [`MAX_RELATED`] related locations and its message names a few places and counts
    /// them all, so the work is linear in the questions.
    ///
    /// Two questions are the same when their titles are and the code they show
    /// ([`duplicates::material`]) does not tell them apart: titles alone decide while the
    /// title is seen with one piece of code at most (a question shown with code and asked
    /// again in prose), but a title seen with different pieces of code ("What is the output
    /// of below code?") only names a question together with its code. Translations of one
    /// note ([`duplicates::translations`]) ask each other's questions by design.
    pub fn duplicate_questions(&self, f: &Facts) -> Vec<WsDiagnostic> {
        let index = self.ws.index();
        let mut out = Vec::new();
        // This note's questions by title, then by the code they show.
        let mut own: HashMap<&str, BySample> = HashMap::new();
        for (i, (q, _)) in f.questions.iter().enumerate() {
            let classes = own.entry(&*q.text).or_default();
            match classes.iter_mut().find(|(s, _)| *s == q.sample) {
                Some((_, members)) => members.push(i),
                None => classes.push((q.sample, vec![i])),
            }
        }
        // Other open notes' questions, looked up once per call (not once per question).
        let mut open: HashMap<&str, Vec<Asked<&str>>> = HashMap::new();
        for o in self.open.iter().filter(|o| o.uri != f.uri) {
            for h in &o.headings {
                if let Some(q) = &h.question_key
                    && own.contains_key(&*q.text)
                {
                    open.entry(&q.text)
                        .or_default()
                        .push((&o.uri, h.title_span, q.sample));
                }
            }
        }
        // Whether a note is a translation of this one, once per note.
        let me = uri_to_path(&f.uri);
        let mut translation: HashMap<String, bool> = HashMap::new();
        let mut is_translation = |uri: &str| -> bool {
            let Some(me) = &me else { return false };
            if let Some(&t) = translation.get(uri) {
                return t;
            }
            let t = uri_to_path(uri).is_some_and(|p| duplicates::translations(me, &p));
            translation.insert(uri.to_string(), t);
            t
        };
        for (text, classes) in &own {
            let mut elsewhere: Vec<Asked<&str>> = index
                .questions
                .get(*text)
                .into_iter()
                .flatten()
                .filter(|(uri, ..)| *uri != f.uri && !self.is_open(uri))
                .map(|(uri, sp, s)| (uri.as_str(), *sp, *s))
                .collect();
            elsewhere.extend(open.get(*text).into_iter().flatten().copied());
            elsewhere.retain(|(uri, ..)| !is_translation(uri));
            // Seen with two different pieces of code or more: the code is part of the
            // question, and a question without code is another one.
            let mut codes = classes
                .iter()
                .map(|(s, _)| *s)
                .chain(elsewhere.iter().map(|(.., s)| *s))
                .flatten();
            let first = codes.next();
            let exact = first.is_some_and(|c| codes.any(|d| d != c));
            let fits =
                |a: Option<u64>, b: Option<u64>| a == b || (!exact && (a.is_none() || b.is_none()));
            for (sample, members) in classes {
                let others: Vec<(&str, Span)> = elsewhere
                    .iter()
                    .filter(|(.., s)| fits(*sample, *s))
                    .map(|(u, sp, _)| (*u, *sp))
                    .collect();
                // This note's questions that ask the same, each member included.
                let here: Vec<usize> = classes
                    .iter()
                    .filter(|(s, _)| fits(*sample, *s))
                    .flat_map(|(_, m)| m)
                    .copied()
                    .collect();
                let n = here.len() - 1 + others.len();
                if n == 0 {
                    continue;
                }
                for &i in members {
                    let mine = here.iter().filter(|&&j| j != i);
                    let places = mine
                        .clone()
                        .map(|&j| Place::Here(f.question_lines.get(j).copied().unwrap_or(0)))
                        .chain(
                            others
                                .iter()
                                .map(|(u, sp)| Place::Other(self.name_of(u), sp.start.line)),
                        );
                    let related = others
                        .iter()
                        .map(|(u, sp)| Related {
                            uri: u.to_string(),
                            at: RelatedAt::Span(*sp),
                        })
                        .chain(mine.map(|&j| Related {
                            uri: f.uri.clone(),
                            at: RelatedAt::Here(f.questions[j].1.clone()),
                        }))
                        .take(MAX_RELATED)
                        .collect();
                    out.push(WsDiagnostic {
                        range: f.questions[i].1.clone(),
                        severity: Severity::Information,
                        code: code::DUPLICATE_QUESTION,
                        message: duplicates::asked_again(n, places),
                        related,
                    });
                }
            }
        }
        out.sort_by_key(|d| d.range.start);
        out
    }

    /// The file name of note `uri`, as messages name it.
    fn name_of<'a>(&self, uri: &'a str) -> &'a str {
        uri.rsplit('/').next().unwrap_or(uri)
    }

    /// Links anywhere that point at heading `heading` of note `uri`.
    pub fn references(&self, uri: &str, heading: usize) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        let uri = canonical_uri(uri);
        for n in self.all() {
            let facts = Facts::of_summary(&n);
            let index = SlugIndex::of(&facts.slugs);
            for l in &n.links {
                let hit = match self.resolve_in(&facts, &l.target, Some(&index), false, &mut false)
                {
                    Ok(Resolved::Other(t, Some(h))) => t.uri == uri && h == heading,
                    Ok(Resolved::Here(h)) => n.uri == uri && h == heading,
                    _ => false,
                };
                if hit {
                    out.push((n.uri.clone(), l.span));
                }
            }
        }
        out
    }

    /// Where terms named `key` (see [`terms::key`]) are explained, with the note of each.
    pub fn terms(&self, key: &str) -> Vec<(String, TermEntry)> {
        let index = self.ws.index();
        let mut out: Vec<(String, TermEntry)> = index
            .terms
            .get(key)
            .into_iter()
            .flatten()
            .filter(|(uri, _)| !self.is_open(uri))
            .filter_map(|(uri, i)| {
                let t = self.ws.disk.get(uri)?.terms.get(*i)?.clone();
                Some((uri.clone(), t))
            })
            .collect();
        for o in &self.open {
            out.extend(
                o.terms
                    .iter()
                    .filter(|t| t.key == key)
                    .map(|t| (o.uri.clone(), t.clone())),
            );
        }
        out
    }

    /// Headings and questions matching `query` fuzzily, best first.
    pub fn symbols(&self, query: &str, limit: usize) -> Vec<(String, HeadingEntry)> {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        use nucleo_matcher::{Config, Matcher, Utf32Str};
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let notes = self.all();
        // Score by index; only the results returned are cloned.
        let mut scored: Vec<(u32, usize, usize)> = Vec::new();
        for (ni, n) in notes.iter().enumerate() {
            for (hi, h) in n.headings.iter().enumerate() {
                let score = if query.is_empty() {
                    Some(0)
                } else {
                    pattern.score(Utf32Str::new(&h.title, &mut buf), &mut matcher)
                };
                if let Some(score) = score {
                    scored.push((score, ni, hi));
                }
            }
        }
        let title = |&(_, ni, hi): &(u32, usize, usize)| notes[ni].headings[hi].title.as_str();
        let order = |a: &(u32, usize, usize), b: &(u32, usize, usize)| {
            b.0.cmp(&a.0).then_with(|| title(a).cmp(title(b)))
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, order);
            scored.truncate(limit);
        }
        scored.sort_by(order);
        scored
            .into_iter()
            .map(|(_, ni, hi)| (notes[ni].uri.clone(), notes[ni].headings[hi].clone()))
            .collect()
    }
}

pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Line and column of `pos` for a client in `enc`.
pub fn line_col(p: Pos, enc: Encoding) -> LineCol {
    LineCol {
        line: p.line,
        col: p.col(enc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/my notes/中文 #1.md");
        let uri = path_to_uri(p);
        assert_eq!(uri, "file:///tmp/my%20notes/%E4%B8%AD%E6%96%87%20%231.md");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(p));
        assert_eq!(
            uri_to_path("file:///a/%E4%B8%AD.md"),
            Some(PathBuf::from("/a/中.md"))
        );
    }

    #[test]
    fn an_index_kept_up_to_date_is_the_index_built_afresh() {
        let note = |name: &str, extra: &str| {
            let text = format!(
                "# Python\n\n## What is the GIL?\n\nA lock.\n\n## What is a closure?\n\n\
                 It captures.\n\n## What is the GIL?\n\nAgain, {extra}.\n\n\
                 **Concurrency** refers to {extra}.\n"
            );
            NoteSummary::from_text(&format!("file:///n/{name}.md"), &text, SlugStyle::Github)
        };
        let ws = Workspace::default();
        ws.insert(note("m", "one"));
        assert_eq!(ws.index().questions.len(), 2, "built: {:?}", ws.index());
        // Added in place, before, after and between the notes it holds.
        for name in ["z", "a", "q"] {
            ws.insert(note(name, name));
        }
        let kept = ws.index();
        let fresh = DiskIndex::of(ws.disk.iter().map(|e| e.value().clone()).collect());
        assert_eq!(*kept, fresh);
        let gil: Vec<&str> = kept.questions["what is the gil"]
            .iter()
            .map(|(u, ..)| u.as_str())
            .collect();
        assert_eq!(
            gil,
            ["a", "a", "m", "m", "q", "q", "z", "z"].map(|n| format!("file:///n/{n}.md"))
        );
        assert_eq!(kept.terms["concurrency"].len(), 4, "{:?}", kept.terms);
        // Replaced: built again.
        ws.insert(note("m", "two"));
        assert_eq!(*ws.index(), fresh);
    }

    #[test]
    fn duplicate_questions_keep_a_few_related_and_count_all() {
        let text: String = (0..30)
            .map(|i| format!("### {i}. What is the output of below code?\n\nIt prints {i}.\n\n"))
            .collect();
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        let facts = Facts::of("file:///notes/quiz.md", &note, &a, SlugStyle::Github);
        let ws = Workspace::default();
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let found = view.duplicate_questions(&facts);
        assert_eq!(found.len(), 30);
        assert_eq!(
            found[0].message,
            "also asked 29 more times: line 5, line 9, line 13 and 26 more"
        );
        assert_eq!(
            found[1].message,
            "also asked 29 more times: line 1, line 9, line 13 and 26 more"
        );
        for (i, d) in found.iter().enumerate() {
            assert!(d.message.starts_with("also asked 29 more times: "), "{d:?}");
            assert_eq!(d.related.len(), MAX_RELATED);
            assert!(
                d.related
                    .iter()
                    .all(|r| r.at != RelatedAt::Here(facts.questions[i].1.clone())),
                "a question is not related to itself: {d:?}"
            );
        }
    }

    /// The messages of the duplicate questions of `text` (a note at `uri`), by the line
    /// of each question, with `others` (URI, text) on disk.
    fn duplicates_among(uri: &str, text: &str, others: &[(&str, &str)]) -> Vec<(u32, String)> {
        let note = Note::new(text);
        let a = Analysis::of(&note);
        let facts = Facts::of(uri, &note, &a, SlugStyle::Github);
        let ws = Workspace::default();
        for (u, t) in others {
            ws.insert(NoteSummary::from_text(u, t, SlugStyle::Github));
        }
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let found = view.duplicate_questions(&facts);
        found
            .iter()
            .map(|d| {
                (
                    note.to_line_col(d.range.start, Encoding::Utf8).line,
                    d.message.clone(),
                )
            })
            .collect()
    }

    /// The messages of `text`'s duplicate questions, by the line of each question.
    fn duplicates_by_line(text: &str) -> Vec<(u32, String)> {
        duplicates_among("file:///notes/quiz.md", text, &[])
    }

    #[test]
    fn the_code_a_question_shows_tells_it_apart_wherever_it_sits() {
        let q = "### What is the output of below code?\n\n";
        let text = [
            format!("{q}```js\nconsole.log(1)\n```\n\nIt prints 1.\n\n"),
            format!("{q}```js\nconsole.log(2)\n```\n\n"),
            // The same sample, indented: the same question.
            format!("{q}```js\n  console.log(1)\n```\n\n"),
            // No code: not the question of any of them.
            format!("{q}- 1: console.log(true && 'hi');\n\n"),
            // A sample after a lead-in is the question's code all the same.
            format!("{q}Given this:\n\n```js\nconsole.log(3)\n```\n\n"),
            // In <details>, after prose: the same code as the first.
            format!("{q}<details>\n\nSee:\n\n```js\nconsole.log(1)\n```\n\n</details>\n\n"),
        ]
        .concat();
        assert_eq!(
            duplicates_by_line(&text),
            [
                (0, "also asked 2 more times: line 15, line 33".to_string()),
                (14, "also asked 2 more times: line 1, line 33".to_string()),
                (32, "also asked 2 more times: line 1, line 15".to_string()),
            ]
        );
        // Code written inline on its own line is code too.
        let inline = "### What is the output of this code?\n\n`echo 5 % 0.75;`\n\n\
                      ### What is the output of this code?\n\n`echo 5 % 2;`\n\n\
                      ### What is the output of this code?\n\n`echo 5 % 0.75;`\n";
        assert_eq!(
            duplicates_by_line(inline),
            [
                (0, "also asked at line 9".to_string()),
                (8, "also asked at line 1".to_string()),
            ]
        );
        // A quiz: one title over different samples asks different questions.
        let quiz: String = (0..5)
            .map(|i| {
                format!("#### {i}. What is the output of below code\n\n```js\nf({i})\n```\n\n")
            })
            .collect();
        assert_eq!(duplicates_by_line(&quiz), []);
    }

    #[test]
    fn choices_tell_quiz_questions_apart() {
        let q = "#### Which expression evaluates to true?\n\n";
        let text = [
            format!("{q}- [ ] `[3] == [3]`\n- [x] `3 == '3'`\n\n"),
            format!("{q}- [ ] Boolean(NaN)\n- [x] Boolean(\"false\")\n\n"),
            // The first choices again, another one ticked: the same question.
            format!("{q}- [x] `[3] == [3]`\n- [ ] `3 == '3'`\n"),
        ]
        .concat();
        assert_eq!(
            duplicates_by_line(&text),
            [
                (0, "also asked at line 11".to_string()),
                (10, "also asked at line 1".to_string()),
            ]
        );
    }

    #[test]
    fn a_title_seen_with_one_piece_of_code_decides_alone() {
        // Asked with an example once and in prose twice: one question, three times.
        let text = "## What is a closure?\n\n```python\ndef f():\n    x = 1\n    return lambda: x\n```\n\n\
                    ## What is a closure?\n\nA function that keeps its scope.\n\n\
                    ## What is a closure?\n\nA function with free variables.\n";
        let found = duplicates_by_line(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .all(|(_, m)| m.starts_with("also asked 2 more times"))
        );
    }

    #[test]
    fn numbered_tips_are_not_questions() {
        let tips = "# Study tips\n\n### 1. Use flashcards\n\nDaily.\n\n### 2. Practice aloud\n\n\
                    Weekly.\n\n## Again\n\n### 1. Use flashcards\n\nStill.\n";
        assert_eq!(duplicates_by_line(tips), []);
        // Among questions that ask, a numbered one asks too.
        let questions = "### 1. What is a closure?\n\nA function.\n\n### 2. Explain closures\n\n\
                         Again.\n\n### 3. Explain closures\n\nOnce more.\n";
        assert_eq!(
            duplicates_by_line(questions),
            [
                (4, "also asked at line 9".to_string()),
                (8, "also asked at line 5".to_string()),
            ]
        );
    }

    #[test]
    fn translations_do_not_ask_each_others_questions() {
        let readme = "# Notes\n\n## What is the event loop?\n\nIt runs tasks.\n";
        let found = duplicates_among(
            "file:///r/README.md",
            readme,
            &[
                ("file:///r/README-fr.md", readme),
                ("file:///r/README.zh_CN.md", readme),
                ("file:///r/translations/README-he.md", readme),
                (
                    "file:///r/concurrency.md",
                    "# C\n\n## What is the event loop?\n\nA loop.\n",
                ),
            ],
        );
        assert_eq!(found, [(2, "also asked in concurrency.md:3".to_string())]);
    }

    #[test]
    fn distance() {
        assert_eq!(levenshtein("what-is-gil", "what-is-the-gil"), 4);
    }
}
