//! Where a link goes (a heading of this note, another note and its heading, or nothing the
//! server checks) and what is said of a broken one, with the nearest heading it may mean.

use std::ops::Range;
use std::sync::Arc;

use super::facts::Facts;
use super::paths::{canonical_uri, note_path, path_to_uri};
use super::summary::NoteSummary;
use super::view::View;
use super::{Span, Workspace, WsDiagnostic};
use crate::codes::{Severity, code};
use crate::links::Target;
use crate::outline::{self, Slugs};
use crate::suggest::Nearest;

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
fn explicit<'a>(
    mut html: impl Iterator<Item = &'a str>,
    anchor: &str,
    lower: Option<&str>,
) -> bool {
    html.any(|h| h == anchor || lower.is_some_and(|l| h.to_lowercase() == l))
}

/// Each slug's first heading (bold questions have no slug): the slugs' hashes in order, each
/// with its heading, and the slugs (shared) to tell equal hashes apart. A map of the slugs
/// was about 38 bytes a heading, kept for every open note.
#[derive(Default)]
pub struct SlugIndex {
    slugs: Slugs,
    sorted: Box<[(u64, u32)]>,
}

fn slug_hash(slug: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(slug.as_bytes())
}

impl SlugIndex {
    pub fn of(slugs: &Slugs) -> SlugIndex {
        let mut sorted: Vec<(u64, u32)> = (slugs.iter().enumerate())
            .filter(|(_, s)| !s.is_empty())
            .map(|(i, s)| {
                let i = u32::try_from(i).expect("fewer than 2^32 headings");
                (slug_hash(s), i)
            })
            .collect();
        // By hash, then heading: the first equal slug found is the first heading's.
        sorted.sort_unstable();
        SlugIndex {
            slugs: slugs.clone(),
            sorted: sorted.into(),
        }
    }

    fn get(&self, slug: &str) -> Option<usize> {
        let hash = slug_hash(slug);
        let from = self.sorted.partition_point(|&(h, _)| h < hash);
        self.sorted[from..]
            .iter()
            .take_while(|&&(h, _)| h == hash)
            .map(|&(_, i)| i as usize)
            .find(|&i| *self.slugs[i] == *slug)
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
                    || explicit(
                        self.from.html.get().iter().map(String::as_str),
                        anchor,
                        lower.as_deref(),
                    )
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

impl Workspace {
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
}

impl View<'_> {
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
            (Some(n), _) => position_of(n.slugs(), anchor, lower),
            (None, Some(index)) => index.get(anchor).or_else(|| index.get(lower?)),
            (None, None) => position_of(from.slugs.iter().map(|s| &**s), anchor, lower),
        };
        if let Some(i) = found {
            return Ok(match note {
                Some(n) => Resolved::Other(n, Some(i)),
                None => Resolved::Here(i),
            });
        }
        let explicit = match &note {
            Some(n) => explicit(n.anchors(), anchor, lower),
            None => explicit(from.html.get().iter().map(String::as_str), anchor, lower),
        };
        if explicit {
            return Ok(Resolved::Unchecked);
        }
        let closest = match &note {
            _ if !suggest => None,
            Some(n) => self.ws.nearest_slug(&n.uri, Some(n.slugs()), anchor),
            None => self.ws.nearest_slug(
                &from.uri,
                local.is_none().then(|| from.slugs.iter().map(|s| &**s)),
                anchor,
            ),
        };
        let where_ = match &note {
            Some(n) if *n.uri != *from.uri => format!("`{}`", n.name()),
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
                Some(n.slugs().map(String::from).collect())
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

    /// Links anywhere that point at heading `heading` of note `uri`.
    pub fn references(&self, uri: &str, heading: usize) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        let uri = canonical_uri(uri);
        for n in self.all() {
            if n.links().next().is_none() {
                continue;
            }
            let facts = Facts::of_summary(&n);
            let index = SlugIndex::of(&facts.slugs);
            for l in n.links() {
                let hit =
                    match self.resolve_in(&facts, &l.target(), Some(&index), false, &mut false) {
                        Ok(Resolved::Other(t, Some(h))) => *t.uri == *uri && h == heading,
                        Ok(Resolved::Here(h)) => *n.uri == *uri && h == heading,
                        _ => false,
                    };
                if hit {
                    out.push((n.uri.to_string(), l.span));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each slug's first heading, none for an empty slug or one not there, as a map of the
    /// slugs to their first index answers.
    #[test]
    fn slug_index_finds_each_slugs_first_heading() {
        let names = ["intro", "", "a-b", "intro", "", "z", "a-b", "中文"];
        let slugs: Slugs = names.iter().map(|&s| Arc::from(s)).collect();
        let index = SlugIndex::of(&slugs);
        for asked in ["intro", "a-b", "z", "中文", "", "missing", "Intro"] {
            let want = (!asked.is_empty())
                .then(|| names.iter().position(|&n| n == asked))
                .flatten();
            assert_eq!(index.get(asked), want, "{asked:?}");
        }
        assert_eq!(SlugIndex::default().get("intro"), None);
    }
}
