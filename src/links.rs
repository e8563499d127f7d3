//! Links in a note's inline text: `[text](dest)` and bare URLs, and what a destination points
//! at (an anchor in this note, a note and an anchor in it, or the web).

use std::ops::Range;
use std::sync::Arc;

use percent_encoding::percent_decode_str;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The whole link, `[` to `)`.
    pub range: Range<usize>,
    /// The destination as written (between the parentheses, title excluded); the text
    /// itself is read from the note when asked for (`Link::dest`), not kept.
    pub dest_range: Range<usize>,
    /// Where the destination points, decoded once when the chunk is parsed. Shared: the
    /// note's links are gathered from its chunks on every keystroke.
    pub target: Arc<Target>,
}

impl Link {
    /// The destination as written, in `text` (the text the link's ranges are offsets in).
    pub fn dest<'t>(&self, text: &'t str) -> &'t str {
        &text[self.dest_range.clone()]
    }

    pub fn shift(&mut self, delta: usize) {
        self.range = self.range.start + delta..self.range.end + delta;
        self.dest_range = self.dest_range.start + delta..self.dest_range.end + delta;
    }
}

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// `#anchor` in the same note.
    Anchor(String),
    /// `other.md` or `other.md#anchor`, the path relative to the linking note's folder.
    Note {
        path: String,
        anchor: Option<String>,
    },
    /// A URL with a scheme, or anything else this server does not resolve.
    External,
    /// `[text](#a b)`: a destination with a space and no `<...>`, which CommonMark (and so
    /// GitHub) does not take for a link; it shows as text. Holds what is between the
    /// parentheses.
    NotALink(String),
}

/// Whether a path names a Markdown note.
pub fn is_note_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

pub fn target(dest: &str) -> Target {
    let dest = dest.trim();
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::Anchor(decode(anchor));
    }
    if dest.contains("://") || dest.starts_with("mailto:") {
        return Target::External;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(decode(a))),
        None => (dest, None),
    };
    let path = decode(path);
    if is_note_path(&path) {
        Target::Note { path, anchor }
    } else {
        Target::External
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Finds `[text](dest)` links in `range` of `text`, skipping code spans and images.
pub fn find_links(text: &str, range: Range<usize>) -> Vec<Link> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    let end = range.end.min(text.len());
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                // A code span: skip to the matching run of backticks.
                let run = bytes[i..end].iter().take_while(|&&b| b == b'`').count();
                let fence = &text[i..i + run];
                i = text[i + run..end]
                    .find(fence)
                    .map_or(i + run, |at| i + run + at + run);
            }
            b'[' => {
                let is_image = i > range.start && bytes[i - 1] == b'!';
                match link_at(text, i, end) {
                    Some(link) => {
                        i = link.range.end;
                        if !is_image {
                            out.push(link);
                        }
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Parses `[text](dest "title")` starting at the `[` at `start`.
fn link_at(text: &str, start: usize, end: usize) -> Option<Link> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    // The label: brackets nest; a backslash escapes.
    loop {
        if i >= end {
            return None;
        }
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'\n' if i + 1 < end && bytes[i + 1] == b'\n' => return None,
            _ => {}
        }
        i += 1;
    }
    let open = i + 1;
    if bytes.get(open) != Some(&b'(') {
        return None;
    }
    let mut j = open + 1;
    while j < end && matches!(bytes[j], b' ' | b'\t') {
        j += 1;
    }
    let (dest_range, mut k) = if bytes.get(j) == Some(&b'<') {
        let close = text[j + 1..end].find('>')? + j + 1;
        (j + 1..close, close + 1)
    } else {
        let mut parens = 0usize;
        let mut k = j;
        while k < end {
            match bytes[k] {
                b'\\' => k += 1,
                b'(' => parens += 1,
                b')' if parens == 0 => break,
                b')' => parens -= 1,
                b' ' | b'\t' | b'\n' | b'\r' => break,
                _ => {}
            }
            k += 1;
        }
        (j..k.min(end), k)
    };
    // An optional title (quoted, or in parentheses), then the closing parenthesis.
    let mut after = k;
    while after < end && matches!(bytes[after], b' ' | b'\t' | b'\n' | b'\r') {
        after += 1;
    }
    let titled = matches!(bytes.get(after), Some(b'"' | b'\'' | b'('));
    while k < end && bytes[k] != b')' {
        k += 1;
    }
    if k >= end {
        return None;
    }
    if after < k && !titled {
        // Words after the destination that are no title: not a link, as CommonMark reads it.
        let inside = text[j..k].trim_end();
        if inside.contains('\n') {
            return None;
        }
        return Some(Link {
            range: start..k + 1,
            target: Arc::new(Target::NotALink(inside.to_string())),
            dest_range: j..j + inside.len(),
        });
    }
    let dest = &text[dest_range.clone()];
    Some(Link {
        range: start..k + 1,
        target: crate::recent::shared(&TARGETS, dest, |d| Arc::new(target(d))),
        dest_range,
    })
}

thread_local! {
    /// The targets of the last links found, shared by links to the same place (a "back to
    /// top" link in each of a note's hundreds of sections is one target, not hundreds).
    static TARGETS: std::cell::RefCell<crate::recent::Recent<Target>> =
        const { std::cell::RefCell::new(crate::recent::Recent::new()) };
}

/// The explicit anchors in a note's HTML: the `id` of any tag and the `name` of an `<a>`
/// (GitHub keeps both as link targets), outside `skip` (the code samples, sorted).
pub fn html_anchors(text: &str, skip: &[Range<usize>]) -> Vec<String> {
    let mut out = Vec::new();
    for at in memchr::memchr_iter(b'<', text.as_bytes()) {
        let i = skip.partition_point(|r| r.end <= at);
        if skip.get(i).is_some_and(|r| r.start <= at) {
            continue;
        }
        let rest = &text[at + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let tag_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let Some(close) = rest.find('>') else {
            continue;
        };
        let tag = &rest[..tag_len];
        for (name, value) in attributes(&rest[tag_len..close]) {
            if name.eq_ignore_ascii_case("id")
                || (name.eq_ignore_ascii_case("name") && tag.eq_ignore_ascii_case("a"))
            {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// The `name=value` attributes of a tag's inside (after its name), values unquoted.
fn attributes(mut s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        let name_len = s
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '/'))
            .unwrap_or(s.len());
        if name_len == 0 {
            return out;
        }
        let name = &s[..name_len];
        s = s[name_len..].trim_start();
        let Some(v) = s.strip_prefix('=') else {
            continue;
        };
        let v = v.trim_start();
        let (value, rest) = match v.chars().next() {
            Some(q @ ('"' | '\'')) => match v[1..].find(q) {
                Some(end) => (&v[1..1 + end], &v[end + 2..]),
                None => return out,
            },
            _ => {
                let end = v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len());
                (&v[..end], &v[end..])
            }
        };
        out.push((name, value));
        s = rest;
    }
}

/// Bare `http://` and `https://` URLs in `range`, outside `[...](...)` links.
pub fn find_urls(text: &str, range: Range<usize>, links: &[Link]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let slice = &text[range.clone()];
    let mut from = 0;
    while let Some(pos) = slice[from..].find("http") {
        let start = from + pos;
        let rest = &slice[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = start + 4;
            continue;
        }
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(rest.len());
        let url = rest[..len].trim_end_matches(['.', ',', ';', ':', ')', ']', '*', '_', '!', '?']);
        let abs = range.start + start..range.start + start + url.len();
        if !links
            .iter()
            .any(|l| l.range.start <= abs.start && abs.end <= l.range.end)
        {
            out.push(abs);
        }
        from = start + len.max(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dests(text: &str) -> Vec<String> {
        find_links(text, 0..text.len())
            .into_iter()
            .map(|l| l.dest(text).to_string())
            .collect()
    }

    #[test]
    fn links() {
        assert_eq!(
            dests("see [a](#x) and [b [c]](other.md#y \"t\")"),
            ["#x", "other.md#y"]
        );
        assert_eq!(
            dests("`[no](#code)` ![img](a.png) [yes](<a b.md>)"),
            ["a b.md"]
        );
        assert_eq!(
            dests("[wiki](https://e.org/a_(b))"),
            ["https://e.org/a_(b)"]
        );
        assert_eq!(dests("[broken](#x"), Vec::<String>::new());
    }

    #[test]
    fn explicit_anchors() {
        let t = "<a name=\"top\"></a>\n<h2 id='intro' class=x>Hi</h2>\n<div name=\"no\">\n\
                 ```html\n<p id=\"in-code\"></p>\n```\n<a id=bare href=\"#x\">";
        let code = t.find("```").unwrap()..t.rfind("```").unwrap() + 3;
        assert_eq!(html_anchors(t, &[code]), ["top", "intro", "bare"]);
    }

    #[test]
    fn a_destination_with_a_space_is_no_link() {
        let t = "[CAP](#cap 理論) and [ok](#a \"title\") and [ok2](<#a b>)";
        let found = find_links(t, 0..t.len());
        let targets: Vec<&Target> = found.iter().map(|l| &*l.target).collect();
        assert_eq!(
            targets,
            [
                &Target::NotALink("#cap 理論".into()),
                &Target::Anchor("a".into()),
                &Target::Anchor("a b".into())
            ]
        );
        assert_eq!(&t[found[0].dest_range.clone()], "#cap 理論");
    }

    #[test]
    fn targets() {
        assert_eq!(target("#what-is-gil"), Target::Anchor("what-is-gil".into()));
        assert_eq!(
            target("notes/b.md#%E4%B8%AD"),
            Target::Note {
                path: "notes/b.md".into(),
                anchor: Some("中".into())
            }
        );
        assert_eq!(target("https://x.y/a.md"), Target::External);
        assert_eq!(target("image.png"), Target::External);
    }

    #[test]
    fn urls() {
        let t = "read https://a.b/c. and [x](https://d.e) or <http://f.g>";
        let links = find_links(t, 0..t.len());
        let urls: Vec<&str> = find_urls(t, 0..t.len(), &links)
            .into_iter()
            .map(|r| &t[r])
            .collect();
        assert_eq!(urls, ["https://a.b/c", "http://f.g"]);
    }
}
