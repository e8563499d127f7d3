//! Completion of link destinations: after `](#` this note's headings, after `](file.md#`
//! that note's, after `](` the other notes of the workspace.
//!
//! Every item carries what a client needs to filter and place it without guessing: a
//! `textEdit` over the fragment typed since `#` (or since `](`), a `filterText` that
//! fragment is a prefix of, and a `sortText` in document order. The label is what a person
//! reads (the heading as rendered); the anchor goes in `detail` and `labelDetails`.

use std::path::Path;

use tower_lsp_server::ls_types as lsp;

use super::State;
use super::navigation::with_doc;
use super::to_proto;
use crate::links::{self, Target};
use crate::note::Encoding;
use crate::workspace::{Facts, normalize, path_to_uri, uri_to_path};

/// A heading offered after `#`.
struct Candidate {
    slug: String,
    title: String,
    question: bool,
}

fn units(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.encode_utf16().count() as u32,
    }
}

/// `path` relative to `dir`, with `/` separators (`../x/y.md` when it lies elsewhere).
fn relative(dir: &Path, path: &Path) -> String {
    let d: Vec<_> = dir.components().collect();
    let p: Vec<_> = path.components().collect();
    let common = d.iter().zip(&p).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); d.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Completion kinds that read as what they are in the usual clients' icons.
fn heading_kind(question: bool) -> lsp::CompletionItemKind {
    if question {
        lsp::CompletionItemKind::INTERFACE
    } else {
        lsp::CompletionItemKind::MODULE
    }
}

/// Document order, as a sort key every client compares as a string.
fn order(i: usize) -> String {
    format!("{i:06}")
}

pub fn completion(
    state: &State,
    uri: &lsp::Uri,
    p: lsp::Position,
) -> Option<lsp::CompletionResponse> {
    let style = state.config().slugs;
    let (line_before, facts, titles, enc) = with_doc(state, uri, |note, a, enc| {
        let at = to_proto::offset(note, p, enc);
        let line_start = to_proto::offset(note, lsp::Position::new(p.line, 0), enc);
        (
            note.slice(line_start..at),
            Facts::of(uri.as_str(), note, a, style),
            a.headings
                .iter()
                .map(|h| (h.title.to_string(), h.question))
                .collect::<Vec<_>>(),
            enc,
        )
    })?;
    let open = line_before.rfind("](")?;
    let partial = &line_before[open + 2..];
    if partial.contains([')', ' ']) {
        return None;
    }
    // The typed fragment, from `start` units before the cursor up to it.
    let replace = |start: u32| {
        lsp::Range::new(
            lsp::Position::new(p.line, p.character.saturating_sub(start)),
            p,
        )
    };
    let mut items = Vec::new();
    if let Some(hash) = partial.find('#') {
        let (file, anchor) = (&partial[..hash], &partial[hash + 1..]);
        let range = replace(units(anchor, enc));
        let (candidates, prefix): (Vec<Candidate>, String) = if file.is_empty() {
            let c = facts
                .slugs
                .iter()
                .zip(titles)
                .filter(|(s, _)| !s.is_empty())
                .map(|(s, (title, question))| Candidate {
                    slug: s.to_string(),
                    title,
                    question,
                })
                .collect();
            (c, String::new())
        } else {
            // Decoded and normalized (`../a.md` from a subfolder) the way links resolve.
            let Target::Note { path, .. } = links::target(&format!("{file}#")) else {
                return None;
            };
            let target = path_to_uri(&normalize(&facts.dir.as_ref()?.join(path)));
            let view = state.view(Some(uri.as_str()));
            let n = view.get(&target)?;
            let c = n
                .headings()
                .filter(|h| !h.slug.is_empty())
                .map(|h| Candidate {
                    slug: h.slug.to_string(),
                    title: h.title.to_string(),
                    question: h.question,
                })
                .collect();
            (c, n.name())
        };
        for (i, c) in candidates.into_iter().enumerate() {
            let anchor = format!("{prefix}#{}", c.slug);
            items.push(lsp::CompletionItem {
                label: c.title,
                label_details: Some(lsp::CompletionItemLabelDetails {
                    detail: None,
                    description: Some(anchor.clone()),
                }),
                detail: Some(anchor),
                kind: Some(heading_kind(c.question)),
                sort_text: Some(order(i)),
                filter_text: Some(c.slug.clone()),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    range, c.slug,
                ))),
                ..Default::default()
            });
        }
    } else {
        let dir = facts.dir.clone()?;
        let range = replace(units(partial, enc));
        let view = state.view(None);
        let mut notes: Vec<(String, Option<String>)> = view
            .all()
            .iter()
            .filter(|n| *n.uri != *facts.uri)
            .filter_map(|n| {
                let path = uri_to_path(&n.uri)?;
                Some((
                    relative(&dir, &path),
                    n.heading(0).map(|h| h.title.to_string()),
                ))
            })
            .collect();
        // Nearest first: notes beside this one, then below it, then further up.
        notes.sort_by_cached_key(|(rel, _)| {
            let up = rel.split('/').take_while(|c| *c == "..").count();
            (up, rel.matches('/').count(), rel.clone())
        });
        for (i, (rel, title)) in notes.into_iter().enumerate() {
            items.push(lsp::CompletionItem {
                label: rel.clone(),
                label_details: title.as_ref().map(|t| lsp::CompletionItemLabelDetails {
                    detail: None,
                    description: Some(t.clone()),
                }),
                detail: title,
                kind: Some(lsp::CompletionItemKind::FILE),
                sort_text: Some(order(i)),
                filter_text: Some(rel.clone()),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    range, rel,
                ))),
                ..Default::default()
            });
        }
    }
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/n/topics"), Path::new("/n/python.md")),
            "../python.md"
        );
        assert_eq!(
            relative(Path::new("/n"), Path::new("/n/topics/threads.md")),
            "topics/threads.md"
        );
    }

    #[test]
    fn document_order_sorts_as_text() {
        assert!(order(9) < order(10));
        assert!(order(99) < order(100));
    }
}
