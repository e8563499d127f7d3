//! Requests that need the whole workspace: definition, references, rename, document links,
//! workspace symbols, and hover on links and terms. Each runs on a blocking
//! thread, takes one document's lock at a time, and answers in LSP types.

use std::collections::HashMap;

use tower_lsp_server::ls_types as lsp;

use super::State;
use super::to_proto::{self, span_range, uri};
use crate::analysis::Analysis;
use crate::files;
use crate::hover;
use crate::links::{self, Target};
use crate::note::{Encoding, Note};
use crate::outline;
use crate::terms;
use crate::workspace::{
    Facts, NoteSummary, Pos, Resolved, Span, canonical_uri, path_to_uri, uri_to_path,
};

fn location(uri_str: &str, s: Span, enc: Encoding) -> Option<lsp::Location> {
    Some(lsp::Location::new(uri(uri_str)?, span_range(s, enc)))
}

/// What sits under the cursor in a note.
enum AtCursor {
    Link(Target),
    Heading(usize),
    Other,
}

fn at_cursor(note: &Note, a: &Analysis, at: usize) -> AtCursor {
    if let Some(l) = a
        .links
        .iter()
        .find(|l| l.range.start <= at && at < l.range.end)
    {
        return AtCursor::Link(links::target(&note.slice(l.dest_range.clone())));
    }
    if let Some(i) = a
        .headings
        .iter()
        .position(|h| h.range.start <= at && at <= h.range.end)
    {
        return AtCursor::Heading(i);
    }
    AtCursor::Other
}

/// Runs `f` on the document's current note; `None` if it is not open.
pub(super) fn with_doc<R>(
    state: &State,
    uri: &lsp::Uri,
    f: impl FnOnce(&Note, &Analysis, Encoding) -> R,
) -> Option<R> {
    with_doc_seen(state, uri, f).map(|(r, _)| r)
}

/// The document and version an answer was read from: what a request reads of the note
/// later must come from the same version (indices of one version mean nothing in another).
struct Seen {
    doc: std::sync::Arc<super::state::Document>,
    version: i32,
}

/// [`with_doc`], and which version `f` saw.
fn with_doc_seen<R>(
    state: &State,
    uri: &lsp::Uri,
    f: impl FnOnce(&Note, &Analysis, Encoding) -> R,
) -> Option<(R, Seen)> {
    let doc = state.get(uri)?;
    let enc = state.encoding();
    let mut cur = doc.current(enc);
    let a = cur.analysis();
    let version = cur.version;
    let r = f(&cur.note, &a, enc);
    drop(cur);
    Some((r, Seen { doc, version }))
}

/// Runs `f` on the version `seen` saw, if the note is still at it (else `None`: the edit
/// that came meanwhile makes the answer moot).
fn with_doc_at<R>(
    state: &State,
    seen: &Seen,
    f: impl FnOnce(&Note, &Analysis, Encoding) -> R,
) -> Option<R> {
    let enc = state.encoding();
    let mut cur = seen.doc.current(enc);
    if cur.version != seen.version {
        return None;
    }
    let a = cur.analysis();
    Some(f(&cur.note, &a, enc))
}

pub fn definition(
    state: &State,
    uri: &lsp::Uri,
    p: lsp::Position,
) -> Option<lsp::GotoDefinitionResponse> {
    let style = state.config().slugs;
    let (found, seen) = with_doc_seen(state, uri, |note, a, enc| {
        let at = to_proto::offset(note, p, enc);
        match at_cursor(note, a, at) {
            AtCursor::Link(t) => Some((t, Facts::of(uri.as_str(), note, a, style))),
            _ => None,
        }
    })?;
    let (target, facts) = found?;
    let enc = state.encoding();
    let view = state.view(Some(uri.as_str()));
    let loc = match view.resolve(&facts, &target).ok()? {
        Resolved::Here(i) => with_doc_at(state, &seen, |note, a, enc| {
            Some(lsp::Location::new(
                uri.clone(),
                to_proto::range(note, &a.headings.get(i)?.title_range, enc),
            ))
        })??,
        Resolved::Other(n, Some(i)) => location(&n.uri, n.heading(i)?.title_span, enc)?,
        Resolved::Other(n, None) => location(&n.uri, Span::default(), enc)?,
        Resolved::Unchecked => return None,
    };
    Some(lsp::GotoDefinitionResponse::Scalar(loc))
}

fn heading_at(state: &State, uri: &lsp::Uri, p: lsp::Position) -> Option<(usize, Seen)> {
    let (i, seen) = with_doc_seen(state, uri, |note, a, enc| {
        let at = to_proto::offset(note, p, enc);
        match at_cursor(note, a, at) {
            AtCursor::Heading(i) if a.headings[i].level <= 6 => Some(i),
            _ => None,
        }
    })?;
    Some((i?, seen))
}

pub fn references(
    state: &State,
    uri: &lsp::Uri,
    p: lsp::Position,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let (i, _) = heading_at(state, uri, p)?;
    let enc = state.encoding();
    let view = state.view(None);
    let mut out: Vec<lsp::Location> = view
        .references(uri.as_str(), i)
        .into_iter()
        .filter_map(|(u, s)| location(&u, s, enc))
        .collect();
    if include_declaration
        && let Some(me) = view.get(uri.as_str())
        && let Some(h) = me.heading(i)
    {
        out.insert(
            0,
            lsp::Location::new(uri.clone(), span_range(h.title_span, enc)),
        );
    }
    Some(out)
}

pub fn prepare_rename(
    state: &State,
    uri: &lsp::Uri,
    p: lsp::Position,
) -> Option<lsp::PrepareRenameResponse> {
    let (i, seen) = heading_at(state, uri, p)?;
    with_doc_at(state, &seen, |note, a, enc| {
        let h = a.headings.get(i)?;
        Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
            range: to_proto::range(note, &h.title_range, enc),
            placeholder: note.slice(h.title_range.clone()),
        })
    })?
}

/// Renames a heading and rewrites the anchor of every link to it, in every note.
pub fn rename(
    state: &State,
    uri: &lsp::Uri,
    p: lsp::Position,
    new_name: &str,
) -> Option<lsp::WorkspaceEdit> {
    let (i, seen) = heading_at(state, uri, p)?;
    let enc = state.encoding();
    let style = state.config().slugs;
    let (title_edit, new_slug) = with_doc_at(state, &seen, |note, a, enc| {
        // The note's headings with this one renamed, numbered again: a new title can take or
        // free a repeated anchor.
        let mut headings = a.headings.clone();
        let h = a.headings.get(i)?;
        headings[i] =
            outline::Heading::new(h.range.clone(), h.title_range.clone(), new_name, h.level);
        let slugs = outline::slugs_of(&headings, style);
        Some((
            lsp::TextEdit::new(
                to_proto::range(note, &a.headings[i].title_range, enc),
                new_name.to_string(),
            ),
            slugs[i].to_string(),
        ))
    })??;
    let view = state.view(None);
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    changes.entry(uri.clone()).or_default().push(title_edit);
    for (u, link_span) in view.references(uri.as_str(), i) {
        let Some(note) = view.get(&u) else { continue };
        let Some(l) = note.links().find(|l| l.span == link_span) else {
            continue;
        };
        let Some(hash) = l.dest.find('#') else {
            continue;
        };
        // The anchor starts after the '#', on the destination's line.
        let before = &l.dest[..=hash];
        let start = Pos {
            line: l.dest_span.start.line,
            utf8: l.dest_span.start.utf8 + before.len() as u32,
            utf16: l.dest_span.start.utf16 + before.encode_utf16().count() as u32,
        };
        let range = span_range(
            Span {
                start,
                end: l.dest_span.end,
            },
            enc,
        );
        let key = if u == crate::workspace::canonical_uri(uri.as_str()) {
            uri.clone()
        } else {
            let Some(k) = self::uri(&u) else { continue };
            k
        };
        changes
            .entry(key)
            .or_default()
            .push(lsp::TextEdit::new(range, new_slug.clone()));
    }
    Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

pub fn document_links(state: &State, uri: &lsp::Uri) -> Option<Vec<lsp::DocumentLink>> {
    let enc = state.encoding();
    let doc = state.get(uri)?;
    let me = doc.summary(enc, state.config().slugs, &state.workspace);
    let view = state.view(Some(uri.as_str()));
    let mut out = Vec::new();
    for l in me.links() {
        let target = match &l.target() {
            Target::External if l.dest.contains("://") || l.dest.starts_with("mailto:") => {
                self::uri(l.dest.trim())
            }
            Target::External | Target::NotALink(_) => None,
            Target::Anchor(a) => me
                .heading_by_slug(a)
                .and_then(|h| self::uri(&format!("{}#L{}", uri.as_str(), h.line + 1))),
            Target::Note { path, anchor } => me.resolve_path(path).and_then(|p| {
                let file = path_to_uri(&p);
                let line = anchor.as_ref().and_then(|a| {
                    // This note by its own file name: its current text, not the disk copy.
                    let n = if *file == *me.uri {
                        Some(me.clone())
                    } else {
                        view.get(&file)
                    };
                    n.and_then(|n| n.heading_by_slug(a).map(|h| h.line + 1))
                });
                match line {
                    Some(line) => self::uri(&format!("{file}#L{line}")),
                    None => self::uri(&file),
                }
            }),
        };
        if let Some(target) = target {
            out.push(lsp::DocumentLink {
                range: span_range(l.span, enc),
                target: Some(target),
                tooltip: None,
                data: None,
            });
        }
    }
    for (s, url) in me.urls() {
        if let Some(target) = self::uri(url) {
            out.push(lsp::DocumentLink {
                range: span_range(s, enc),
                target: Some(target),
                tooltip: None,
                data: None,
            });
        }
    }
    Some(out)
}

#[allow(deprecated)]
pub fn workspace_symbols(state: &State, query: &str) -> Vec<lsp::SymbolInformation> {
    let enc = state.encoding();
    let view = state.view(None);
    view.symbols(query, 256)
        .into_iter()
        .filter_map(|(u, h, container)| {
            Some(lsp::SymbolInformation {
                name: h.title.to_string(),
                kind: to_proto::heading_kind(h.question),
                tags: None,
                deprecated: None,
                location: location(&u, h.title_span, enc)?,
                container_name: Some(container),
            })
        })
        .collect()
}

/// The preview of heading `i` of `n`, a note other than the one hovered, read from its text
/// as it is now (the editor's if it is open, none while that note is busy; else the file's);
/// when that is no longer the text `n` was made from, from a summary of it made now, the
/// heading found again by its anchor or its title.
fn preview_elsewhere(state: &State, n: &NoteSummary, i: usize) -> String {
    let text = match state
        .documents()
        .into_iter()
        .find(|d| *canonical_uri(&d.uri) == *n.uri)
    {
        Some(doc) => doc.text_for_view(),
        None => {
            uri_to_path(&n.uri).and_then(|path| files::read_text(&path, files::MAX_NOTE_BYTES).ok())
        }
    };
    let Some(text) = text else {
        return String::new();
    };
    if let Some(p) = n.preview(i, &text) {
        return p;
    }
    let fresh = NoteSummary::from_text(&n.uri, &text, state.config().slugs);
    let Some(h) = n.heading(i) else {
        return String::new();
    };
    fresh
        .headings()
        .position(|f| !h.slug.is_empty() && f.slug == h.slug)
        .or_else(|| fresh.headings().position(|f| f.title == h.title))
        .and_then(|j| fresh.preview(j, &text))
        .unwrap_or_default()
}

/// Words around `at` on its line, longest phrases first: candidate terms.
fn phrases_at(line: &str, at: usize) -> Vec<String> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let Some(k) = words.iter().position(|&(s, e)| s <= at && at <= e) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for len in (1..=4).rev() {
        for first in k.saturating_sub(len - 1)..=k {
            if first + len <= words.len() {
                let (s, _) = words[first];
                let (_, e) = words[first + len - 1];
                out.push(line[s..e].to_string());
            }
        }
    }
    out
}

pub fn hover(state: &State, uri: &lsp::Uri, p: lsp::Position) -> Option<lsp::Hover> {
    let style = state.config().slugs;
    let ((what, local, facts, phrases), seen) = with_doc_seen(state, uri, |note, a, enc| {
        let at = to_proto::offset(note, p, enc);
        let line_start = to_proto::offset(note, lsp::Position::new(p.line, 0), enc);
        let line_end = to_proto::offset(note, lsp::Position::new(p.line, u32::MAX), enc);
        let line = note.slice(line_start..line_end);
        let in_code = a
            .samples
            .iter()
            .any(|s| s.range.start <= at && at < s.range.end);
        (
            at_cursor(note, a, at),
            to_proto::hover(note, a, at, enc),
            Facts::of(uri.as_str(), note, a, style),
            if in_code {
                Vec::new()
            } else {
                phrases_at(&line, at - line_start)
            },
        )
    })?;
    let view = state.view(Some(uri.as_str()));
    let markdown = |value: String, range: Option<lsp::Range>| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range,
    };
    match what {
        AtCursor::Link(target) => match view.resolve(&facts, &target) {
            Ok(Resolved::Other(n, Some(i))) => {
                let h = n.heading(i)?;
                Some(markdown(
                    format!(
                        "**{}**\n\n{}\n\n_{}_",
                        h.title,
                        preview_elsewhere(state, &n, i).trim_end(),
                        n.breadcrumb(Some(i as u32))
                    ),
                    None,
                ))
            }
            Ok(Resolved::Other(n, None)) => Some(markdown(
                format!(
                    "`{}`: {} heading{}",
                    n.name(),
                    n.heading_count(),
                    if n.heading_count() == 1 { "" } else { "s" }
                ),
                None,
            )),
            Ok(Resolved::Here(i)) => with_doc_at(state, &seen, |note, a, enc| {
                let h = a.headings.get(i)?;
                hover::hover(note, a, h.range.start).map(|info| {
                    markdown(info.markdown, Some(to_proto::range(note, &info.range, enc)))
                })
            })
            .flatten(),
            Err(msg) => Some(markdown(format!("Broken link: {msg}"), None)),
            Ok(Resolved::Unchecked) => local,
        },
        AtCursor::Heading(i) => {
            let mut h = local?;
            let refs = if facts.slugs.get(i).is_some_and(|s| !s.is_empty()) {
                let all = state.view(None);
                all.references(uri.as_str(), i).len()
            } else {
                0
            };
            let mut extra = String::new();
            if refs > 0 {
                extra.push_str(&format!(
                    "\n\n{refs} link{} point{} here",
                    if refs == 1 { "" } else { "s" },
                    if refs == 1 { "s" } else { "" }
                ));
            }
            let title_start = with_doc_at(state, &seen, |_, a, _| {
                a.headings.get(i).map(|h| h.title_range.clone())
            })
            .flatten();
            if let Some(tr) = title_start {
                for d in view
                    .duplicate_questions(&facts)
                    .into_iter()
                    .filter(|d| d.range == tr)
                {
                    // The message names the places: "also asked in concurrency.md:12".
                    let rest = d.message.strip_prefix("also asked").unwrap_or(&d.message);
                    extra.push_str(&format!("\n\nAlso asked{rest}"));
                }
            }
            if let lsp::HoverContents::Markup(m) = &mut h.contents {
                m.value.push_str(&extra);
            }
            Some(h)
        }
        AtCursor::Other => {
            if phrases.is_empty() {
                return local;
            }
            // Every note, this one included: terms it explains count too.
            let view = state.view(None);
            let here = crate::workspace::canonical_uri(uri.as_str());
            for phrase in phrases {
                let mut defs = view.terms(&terms::key(&phrase));
                if defs.is_empty() {
                    continue;
                }
                // This note first, nearest the cursor first; then the others by name.
                defs.sort_by_key(|(u, t, _)| (*u != here, t.line.abs_diff(p.line), u.clone()));
                let places = defs
                    .iter()
                    .map(|(_, t, crumb)| (crumb.as_str(), &*t.definition));
                if let Some(md) = terms::explanations(places, MAX_EXPLANATIONS) {
                    return Some(markdown(md, None));
                }
            }
            local
        }
    }
}

/// How many places a term's hover shows.
const MAX_EXPLANATIONS: usize = 3;
