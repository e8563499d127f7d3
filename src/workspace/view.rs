//! The workspace as one request sees it: the open notes' summaries over the notes on disk,
//! and what is looked up across all of them (terms, symbols).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use super::Workspace;
use super::paths::canonical_uri;
use super::summary::{Explained, NoteSummary};

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

impl View<'_> {
    pub fn get(&self, uri: &str) -> Option<Arc<NoteSummary>> {
        let uri = &canonical_uri(uri);
        self.open
            .iter()
            .find(|s| *s.uri == **uri)
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

    pub(super) fn is_open(&self, uri: &str) -> bool {
        self.open.iter().any(|s| &*s.uri == uri)
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

    /// Where terms named `key` (see [`crate::terms::key`]) are explained, with the note of
    /// each and the breadcrumb of the place.
    pub fn terms(&self, key: &str) -> Vec<(String, Explained, String)> {
        let explained = |note: &NoteSummary, i: usize| {
            let t = note.term(i)?;
            let crumb = note.breadcrumb(t.heading);
            Some((
                note.uri.to_string(),
                Explained {
                    line: t.line,
                    definition: t.definition.to_string(),
                },
                crumb,
            ))
        };
        let mut out: Vec<(String, Explained, String)> = {
            let index = self.ws.index();
            let places: Vec<(std::sync::Arc<NoteSummary>, u32)> = index
                .explained(key)
                .filter(|(n, _)| !self.is_open(&n.uri))
                .cloned()
                .collect();
            places
        }
        .into_iter()
        .filter_map(|(n, i)| explained(&n, i as usize))
        .collect();
        for o in &self.open {
            out.extend(
                (0..o.terms().len())
                    .filter(|&i| o.term(i).is_some_and(|t| t.key == key))
                    .filter_map(|i| explained(o, i)),
            );
        }
        out
    }
}
