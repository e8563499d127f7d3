//! Headings and bold question lines → a tree of sections and questions; heading titles and
//! GitHub-style slugs.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;
use std::sync::Arc;

/// The site whose anchors the slug functions make (defined with the settings that choose it).
pub use crate::config::SlugStyle;

/// A heading or a bold-paragraph question, with offsets in the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// The heading's lines (or the bold paragraph).
    pub range: Range<usize>,
    /// Where the title text is, for the outline's selection range.
    pub title_range: Range<usize>,
    /// The title as rendered: emphasis, code and link markup taken off. Shared, as are the
    /// fields derived from it below: the note's view is stitched from its chunks' headings on
    /// every keystroke, and copying a heading must not copy its text.
    pub title: Arc<str>,
    /// The title's GitHub slug before repeats are numbered ([`slugs_of`] numbers them); empty
    /// for bold questions, which have no anchor.
    pub slug: Arc<str>,
    /// For a question worth comparing with others (two words or more), its text as
    /// compared ([`normalize_question`]).
    pub question_key: Option<Arc<str>>,
    /// 1–6 for headings; 7 for a bold paragraph, which sits below every heading.
    pub level: u8,
    pub question: bool,
    /// Some top-level block other than a heading starts between this heading and the next.
    pub has_body: bool,
}

impl Heading {
    /// A heading as a chunk's analysis finds it (offsets relative to the chunk), from its
    /// inline content as written (markup included).
    pub fn new(
        range: Range<usize>,
        title_range: Range<usize>,
        content: &str,
        level: u8,
    ) -> Heading {
        let title = render_title(content);
        let question = is_question(&title);
        let question_key = question
            .then(|| normalize_question(&title))
            .filter(|q| q.split_whitespace().nth(1).is_some())
            .map(Arc::from);
        Heading {
            range,
            title_range,
            slug: if level <= 6 {
                slug(&anchor_text(content)).into()
            } else {
                no_slug()
            },
            title: title.into(),
            level,
            question,
            question_key,
            has_body: false,
        }
    }

    /// A heading that opens an ordered list item (`1. ### What is a closure`): the item's
    /// number numbers the title, which is then a question as `### 1. What is a closure` is.
    pub fn numbered_by_item(mut self) -> Heading {
        if !self.question && self.title.chars().next().is_some_and(char::is_alphabetic) {
            self.question = true;
            self.question_key = Some(normalize_question(&self.title))
                .filter(|q| q.split_whitespace().nth(1).is_some())
                .map(Arc::from);
        }
        self
    }

    pub fn shift(&mut self, delta: usize) {
        self.range = self.range.start + delta..self.range.end + delta;
        self.title_range = self.title_range.start + delta..self.title_range.end + delta;
    }
}

/// The slug of a bold question (none): one empty string per thread, not one per question.
fn no_slug() -> Arc<str> {
    thread_local! {
        static EMPTY: Arc<str> = Arc::from("");
    }
    EMPTY.with(Arc::clone)
}

/// A node of the outline: a heading with everything up to the next heading of the same or a
/// higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Index into the note's headings.
    pub heading: usize,
    /// From the heading to the end of its answer (trailing blank lines excluded).
    pub range: Range<usize>,
    pub children: Vec<Section>,
}

/// The rendered text of a heading's inline markup: `**`, `__`, backticks and link syntax
/// dropped, whitespace collapsed.
pub fn render_title(inline: &str) -> String {
    let mut out = String::with_capacity(inline.len());
    let mut chars = inline.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                // A code span keeps its text verbatim (`__init__` is not emphasis).
                for n in chars.by_ref() {
                    if n == '`' {
                        break;
                    }
                    out.push(n);
                }
            }
            '*' => {}
            '_' if out.is_empty()
                || out.ends_with(' ')
                || chars.peek().is_none_or(|n| !n.is_alphanumeric()) => {}
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            ']' if chars.peek() == Some(&'(') => {
                // `[text](url)`: keep the text, drop the destination.
                let mut depth = 0;
                for n in chars.by_ref() {
                    match n {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '[' => {}
            _ => out.push(c),
        }
    }
    // ATX closing sequence (`## Title ##`).
    let trimmed = out.trim().trim_end_matches('#').trim_end();
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A heading's text as GitHub's HTML holds it, what its anchor is made from: the inline
/// content parsed as CommonMark (with GFM strikethrough), tags and images dropped, entities
/// decoded, code spans verbatim, whitespace inside kept as written.
pub fn anchor_text(content: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
    let markup = |b: u8| {
        matches!(
            b,
            b'`' | b'*' | b'_' | b'<' | b'&' | b'[' | b'\\' | b'~' | b'#' | b':' | b'\n' | b'\r'
        )
    };
    if !content.bytes().any(markup) {
        return content.trim_matches([' ', '\t']).to_string();
    }
    // Parsed as a heading of its own: alone, `1. Intro` would be a list and `- a` an item.
    let source = if content.contains('\n') {
        format!("{content}\n===\n")
    } else {
        format!("# {content}\n")
    };
    // A reference link's definition is elsewhere in the note: any label counts as defined,
    // so `[text][ref]` reads as its text, as it renders where `ref` is defined.
    let defined = |_| Some((CowStr::Borrowed(""), CowStr::Borrowed("")));
    let parser = Parser::new_with_broken_link_callback(
        &source,
        Options::ENABLE_STRIKETHROUGH,
        Some(defined),
    );
    let mut out = String::with_capacity(content.len());
    let mut in_image = 0usize;
    for event in parser {
        match event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(t) if in_image == 0 => push_with_emoji(&mut out, &t),
            Event::Code(t) if in_image == 0 => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_image == 0 => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// Whether a title asks something: it ends with `?` (after trailing emphasis, colons and
/// emoji), starts with a `Q.`/`Q12.` label, or is numbered (`5. Explain ...`).
pub fn is_question(title: &str) -> bool {
    asks(title) || is_numbered(title)
}

/// Whether a title asks something by itself: it ends with `?` or starts with a `Q.`/`Q12.`
/// label. A numbered title (`5. Explain ...`, `2. Use flashcards`) may be a question or a
/// tip; only the note around it can tell.
pub fn asks(title: &str) -> bool {
    let end = title.trim_end_matches(|c: char| {
        c.is_whitespace()
            || matches!(c, '*' | '_' | ':' | '：' | '.' | '\u{200d}' | '\u{fe0f}')
            || is_symbol(c)
    });
    if end.ends_with('?') || end.ends_with('？') {
        return true;
    }
    let t = title.trim_start();
    let label = t
        .strip_prefix('Q')
        .or_else(|| t.strip_prefix('q'))
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
    label.is_some_and(|r| r.starts_with(['.', ':', ')']) && r.len() > 1)
}

/// Whether `before`, what precedes a heading on its line, ends with an ordered list item's
/// marker (`1. `, `> 12) `): the heading is the first block of a numbered item.
pub fn opens_ordered_item(before: &str) -> bool {
    if !before.ends_with([' ', '\t']) {
        return false;
    }
    let marker = before
        .split(|c: char| c.is_whitespace() || c == '>')
        .rfind(|t| !t.is_empty())
        .unwrap_or("");
    let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
    (1..=9).contains(&digits) && matches!(&marker[digits..], "." | ")")
}

/// Whether a title starts with a number and a `.` or `)` before a word (`5. Explain ...`).
fn is_numbered(title: &str) -> bool {
    let t = title.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && t[digits..].starts_with(['.', ')'])
        && t[digits + 1..].starts_with(' ')
        && t[digits + 1..]
            .trim()
            .chars()
            .next()
            .is_some_and(char::is_alphabetic)
}

/// A question as compared for duplicates: case, punctuation and numbering ignored.
pub fn normalize_question(title: &str) -> String {
    let t = title.trim_start();
    let t = t
        .strip_prefix(['Q', 'q'])
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(t);
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit());
    let t = t.strip_prefix(['.', ')', ':']).unwrap_or(t);
    t.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Emoji and other pictographs that notes put after a question (`... ? 👶`).
fn is_symbol(c: char) -> bool {
    let u = c as u32;
    (0x2190..=0x2BFF).contains(&u)
        || (0x1F000..=0x1FAFF).contains(&u)
        || (0xE0000..=0xE007F).contains(&u)
        || (0x1F3FB..=0x1F3FF).contains(&u)
}

/// The anchor a heading gets in `style`.
pub fn slug_in(title: &str, style: SlugStyle) -> String {
    let s = slug(title);
    match style {
        SlugStyle::Github => s,
        SlugStyle::Gitlab => collapse_dashes(&s),
    }
}

/// GitLab's slug from GitHub's: runs of `-` collapse to one.
fn collapse_dashes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

/// Appends `text` with GitHub's emoji shortcodes (`:rocket:`) as the emoji they render as.
fn push_with_emoji(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(open) = rest.find(':') {
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(after.len());
        let emoji = (name_len > 0 && after[name_len..].starts_with(':'))
            .then(|| emojis::get_by_shortcode(&after[..name_len]))
            .flatten();
        match emoji {
            Some(e) => {
                out.push_str(&rest[..open]);
                out.push_str(e.as_str());
                rest = &after[name_len + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// GitHub's anchor for a heading's text ([`anchor_text`]): lower-cased; letters, marks,
/// decimal and letter numbers, connector punctuation (`_`) and `-` kept; each space a `-`;
/// everything else (punctuation, symbols, emoji, other spaces, controls) dropped. The rule
/// of GitHub's `[^\p{Word}\- ]` and of github-slugger.
pub fn slug(text: &str) -> String {
    if text.is_ascii() {
        // The same as below, without Unicode case mapping or category lookups.
        let mut out = String::with_capacity(text.len());
        for b in text.bytes() {
            match b {
                b' ' => out.push('-'),
                b'-' | b'_' => out.push(char::from(b)),
                b if b.is_ascii_alphanumeric() => out.push(char::from(b.to_ascii_lowercase())),
                _ => {}
            }
        }
        return out;
    }
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' | '-' => Some('-'),
            c if is_word(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// A character of `\p{Word}`: a letter, a mark, a decimal or letter number, or connector
/// punctuation.
fn is_word(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::NonspacingMark
            | G::SpacingMark
            | G::EnclosingMark
            | G::DecimalNumber
            | G::LetterNumber
            | G::ConnectorPunctuation
    )
}

/// Numbers repeated anchors the way GitHub's slugger does: the second `intro` is
/// `intro-1`, skipping a number an anchor already took (a generated `intro-1` can itself
/// collide with a written "Intro-1").
struct Numbering(HashMap<Arc<str>, usize>);

impl Numbering {
    fn with_capacity(n: usize) -> Numbering {
        Numbering(HashMap::with_capacity(n))
    }

    /// The anchor for the next heading whose unnumbered slug is `base`; a slug seen for
    /// the first time is returned as it is (shared, not copied).
    fn next(&mut self, base: Arc<str>) -> Arc<str> {
        let base = match self.0.entry(base) {
            Entry::Vacant(e) => {
                let result = e.key().clone();
                e.insert(0);
                return result;
            }
            Entry::Occupied(e) => e.key().clone(),
        };
        let mut result: Arc<str> = base.clone();
        while self.0.contains_key(&result) {
            let n = self.0.get_mut(&base).expect("base was seen first");
            *n += 1;
            result = format!("{base}-{n}").into();
        }
        self.0.insert(result.clone(), 0);
        result
    }
}

/// A note's numbered slugs, one per heading (empty for bold questions), shared: kept
/// across keystrokes that leave the headings' anchors alone.
pub type Slugs = Arc<[Arc<str>]>;

/// Slugs for headings in order, with `-1`, `-2` appended to repeats (see [`Numbering`]).
pub fn slugs<'a>(titles: impl Iterator<Item = &'a str>, style: SlugStyle) -> Vec<String> {
    let mut numbering = Numbering::with_capacity(titles.size_hint().0);
    titles
        .map(|t| numbering.next(slug_in(t, style).into()).to_string())
        .collect()
}

/// Anchors for `headings` in order (same indices; empty for bold questions), numbered like
/// [`slugs`] but from each heading's precomputed [`Heading::slug`]: no title is slugged
/// again, and a slug that does not repeat is shared, not copied.
pub fn slugs_of(headings: &[Heading], style: SlugStyle) -> Vec<Arc<str>> {
    let mut numbering = Numbering::with_capacity(headings.len());
    headings
        .iter()
        .map(|h| {
            if h.level > 6 {
                return h.slug.clone();
            }
            numbering.next(match style {
                SlugStyle::Gitlab if h.slug.contains("--") => collapse_dashes(&h.slug).into(),
                _ => h.slug.clone(),
            })
        })
        .collect()
}

/// Builds the section tree. `text_end` is where the note's content ends (trailing blank
/// lines excluded), `trim` maps a section's end to its last non-blank byte.
pub fn build(
    headings: &[Heading],
    text_end: usize,
    trim: impl Fn(usize, usize) -> usize,
) -> Vec<Section> {
    // Ends: a heading's section runs to the next heading of the same or a higher level.
    let mut ends = vec![text_end; headings.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if headings[top].level >= h.level {
                ends[top] = h.range.start;
                stack.pop();
            } else {
                break;
            }
        }
        stack.push(i);
    }
    // Nest with an explicit stack of open sections (no recursion: outlines can be deep).
    let mut roots: Vec<Section> = Vec::new();
    let mut open: Vec<Section> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        while open
            .last()
            .is_some_and(|s| headings[s.heading].level >= h.level)
        {
            let done = open.pop().expect("checked non-empty");
            attach(&mut open, &mut roots, done);
        }
        let end = trim(h.range.end, ends[i]).max(h.range.end);
        open.push(Section {
            heading: i,
            range: h.range.start..end,
            children: Vec::new(),
        });
    }
    while let Some(done) = open.pop() {
        attach(&mut open, &mut roots, done);
    }
    roots.shrink_to_fit();
    roots
}

fn attach(open: &mut [Section], roots: &mut Vec<Section>, mut done: Section) {
    // Its children are all in: no room kept for more (an open note keeps its outline).
    done.children.shrink_to_fit();
    match open.last_mut() {
        Some(parent) => parent.children.push(done),
        None => roots.push(done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions() {
        for q in [
            "What is the GIL?",
            "Which frameworks have you used in python?**",
            "Is this a question? 👶",
            "Is it? 👨‍👩‍👧",
            "Q12. Which option prints 3",
            "5. Explain the bias-variance tradeoff",
            "什么是闭包？",
            "Why:",
        ] {
            assert!(is_question(q) || q == "Why:", "{q}");
        }
        for s in [
            "Lists:",
            "`__init__` and `self` in python:",
            "Table of Contents",
            "2024 goals",
            "1.5 release",
        ] {
            assert!(!is_question(s), "{s}");
        }
    }

    #[test]
    fn a_heading_opening_an_ordered_item_is_numbered_by_it() {
        for before in ["1. ", "12) ", "  3.  ", "> 4. ", "- 5. ", "1.\t"] {
            assert!(opens_ordered_item(before), "{before:?}");
        }
        for before in ["", "- ", "> ", "* ", "1.", "1234567890. ", "a. ", "1.5 "] {
            assert!(!opens_ordered_item(before), "{before:?}");
        }
        let h = Heading::new(0..1, 0..1, "What is a prototype chain", 3);
        assert!(!h.question);
        let h = h.numbered_by_item();
        assert!(h.question);
        assert_eq!(h.question_key.as_deref(), Some("what is a prototype chain"));
        // A title that does not start with a word is not numbered by its item (`1. ### 2024`).
        assert!(
            !Heading::new(0..1, 0..1, "2024", 3)
                .numbered_by_item()
                .question
        );
    }

    #[test]
    fn questions_normalize() {
        assert_eq!(
            normalize_question("Q12. What is the GIL?"),
            "what is the gil"
        );
        assert_eq!(
            normalize_question("3) What is  the **GIL**?"),
            "what is the gil"
        );
    }

    #[test]
    fn titles() {
        assert_eq!(render_title("**What** is `__init__`?"), "What is __init__?");
        assert_eq!(
            render_title("See [the docs](http://x.y/(a)) now ##"),
            "See the docs now"
        );
        assert_eq!(render_title("snake_case names"), "snake_case names");
    }

    #[test]
    fn github_slugs() {
        assert_eq!(
            slug("2.  Concurrency and Parallelism"),
            "2--concurrency-and-parallelism"
        );
        assert_eq!(slug("What is `__init__`?"), "what-is-__init__");
        assert_eq!(slug("C++ & Rust: a/b"), "c--rust-ab");
        let s = slugs(
            ["Intro", "Intro", "Intro", "Intro-1"].into_iter(),
            SlugStyle::Github,
        );
        assert_eq!(s, ["intro", "intro-1", "intro-2", "intro-1-1"]);
        assert_eq!(
            slug_in("2.  Concurrency", SlugStyle::Gitlab),
            "2-concurrency"
        );
    }

    #[test]
    fn slugs_of_headings_number_repeats_like_slugs_of_titles() {
        let titles = [
            "Intro",
            "Intro",
            "Intro-1",
            "2.  Concurrency",
            "2. Concurrency",
            "中文 标题",
            "",
        ];
        let headings: Vec<Heading> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| Heading::new(i..i + 1, i..i + 1, t, 2))
            .chain([Heading::new(9..10, 9..10, "Why Intro?", 7)])
            .collect();
        for style in [SlugStyle::Github, SlugStyle::Gitlab] {
            let mut expected: Vec<String> = slugs(titles.into_iter(), style);
            expected.push(String::new());
            let got: Vec<String> = slugs_of(&headings, style)
                .iter()
                .map(|s| s.to_string())
                .collect();
            assert_eq!(got, expected, "{style:?}");
        }
    }
}
