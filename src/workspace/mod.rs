//! Every note the server knows: summaries of the notes on disk under the workspace folders
//! (headings, slugs, links, terms; no parse trees, to keep memory small) and of the open
//! documents, and the questions that need all of them: where a link goes, which links point
//! at a heading, where else a question is asked, what a term means.
//!
//! `summary` (what is kept of a note), `paths` (file URIs and link paths), `facts` (what the
//! checks need of the note being edited), `index` (the notes on disk by question and term),
//! `view` (open notes over the notes on disk, as one request sees them), `links` (where a
//! link goes, and the broken-link check) and `questions` (questions asked twice).

mod facts;
mod index;
mod links;
mod paths;
mod questions;
mod summary;
mod symbols;
mod view;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use dashmap::DashMap;

use crate::codes::Severity;
use crate::note::{Encoding, LineCol, Note};
use crate::suggest::Nearest;

pub use facts::{Facts, QuestionMemo};
use index::DiskIndex;
pub use links::{LinkCheck, Resolved, SlugIndex, broken_link};
pub use paths::{canonical_uri, normalize, note_path, path_to_uri, uri_to_path};
pub use questions::MAX_RELATED;
pub use summary::{
    Explained, HeadingEntry, LinkEntry, NoteSummary, QuestionKey, Symbol, TermEntry,
};
pub use view::{View, ViewKey};

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

#[derive(Default)]
pub struct Workspace {
    /// Keyed by each summary's own URI.
    disk: DashMap<Arc<str>, Arc<NoteSummary>>,
    /// Read under the lock for as long as a check uses it, so that an insert meanwhile
    /// waits for the reader rather than copying the whole index (as a shared index changed
    /// while read would be).
    index: RwLock<Option<DiskIndex>>,
    /// "Did you mean" answers per note, kept across its versions.
    nearest: Mutex<HashMap<String, Nearest>>,
    /// Bumped after every change to `disk`: answers computed under an older one may be stale.
    generation: AtomicU64,
    /// The headings of the notes on disk by their titles' words, for workspace symbols;
    /// dropped on every change to `disk`, built again when asked.
    symbols: RwLock<Option<Arc<symbols::DiskSymbols>>>,
    symbols_building: Mutex<()>,
}

/// The workspace's [`DiskIndex`], read-locked.
struct IndexGuard<'a>(RwLockReadGuard<'a, Option<DiskIndex>>);

impl std::ops::Deref for IndexGuard<'_> {
    type Target = DiskIndex;

    fn deref(&self) -> &DiskIndex {
        self.0
            .as_ref()
            .expect("an IndexGuard is made only over a built index")
    }
}

impl Workspace {
    pub fn insert(&self, summary: NoteSummary) {
        let summary = Arc::new(summary);
        // Held across the change: an index being built sees the note or is told of it.
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        let replaced = self.disk.insert(summary.uri.clone(), summary.clone());
        if let Some(idx) = index.as_mut() {
            if let Some(old) = &replaced {
                idx.remove(old);
            }
            idx.add(&summary);
        }
        drop(index);
        self.drop_symbols();
        // After the change, so that whoever reads the new generation sees the change too.
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn remove(&self, uri: &str) {
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        if let Some((_, old)) = self.disk.remove(uri) {
            if let Some(idx) = index.as_mut() {
                idx.remove(&old);
            }
            drop(index);
            self.drop_symbols();
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The summary of the note on disk at `uri` (spelled as [`canonical_uri`] does).
    pub fn get(&self, uri: &str) -> Option<Arc<NoteSummary>> {
        self.disk.get(uri).map(|e| e.value().clone())
    }

    /// Forgets the "did you mean" answers kept for note `uri` (across the versions of an
    /// open note): called when the note is closed, so that what they hold is freed with
    /// the rest of it.
    pub fn forget_answers(&self, uri: &str) {
        self.nearest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&canonical_uri(uri));
    }

    pub fn len(&self) -> usize {
        self.disk.len()
    }

    /// The URIs of the notes summarized from disk.
    pub fn uris(&self) -> Vec<String> {
        self.disk.iter().map(|e| e.key().to_string()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.disk.is_empty()
    }

    /// Builds the question and term index now if a change dropped it (after indexing: the
    /// first check need not wait for it).
    pub fn prepare_index(&self) {
        drop(self.index());
    }

    /// The index of the notes on disk, built if a change dropped it; inserts wait while it
    /// is held.
    fn index(&self) -> IndexGuard<'_> {
        loop {
            let read = self.index.read().unwrap_or_else(|e| e.into_inner());
            if read.is_some() {
                return IndexGuard(read);
            }
            drop(read);
            // Built under the lock, so that no note added meanwhile is missed or added twice.
            let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
            if index.is_none() {
                *index = Some(DiskIndex::of(
                    self.disk.iter().map(|e| e.value().clone()).collect(),
                ));
            }
        }
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
    fn distance() {
        assert_eq!(levenshtein("what-is-gil", "what-is-the-gil"), 4);
    }
}
