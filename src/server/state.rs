//! The documents the client has open, and the one ordered path text-sync takes into them.
//!
//! tower-lsp runs handlers concurrently, so a `didChange` that awaited before applying its edit
//! could be overtaken by the next one (tower-lsp #284). Here the transport's read loop itself
//! queues each change ([`State::enqueue`], synchronous, before any `.await`), in the order the
//! client sent them; whoever needs the note next applies the queue in that order under the
//! note's lock. The read loop never waits for a parse: queuing is a push under a short lock.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use dashmap::DashMap;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tracing::warn;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::note::{Encoding, LineCol, Note};
use crate::outline::SlugStyle;
use crate::workspace::{NoteSummary, View, Workspace};

/// A change as the client sent it, applied later in order.
pub enum Change {
    /// The whole text (didOpen): parsed by the first reader, not by the read loop.
    Replace(String),
    Edits(Vec<TextDocumentContentChangeEvent>),
}

pub struct Document {
    /// The uri as the client spelled it.
    pub uri: String,
    /// The version whose diagnostics went out last; sends are serialized through it.
    pub published: tokio::sync::Mutex<Option<i32>>,
    /// The workspace's view of this note, for the version it was built from.
    summary: Mutex<Option<(i32, Arc<NoteSummary>)>>,
    /// Queued changes, in arrival order, and the newest version the client has announced.
    pending: Mutex<(Vec<(i32, Change)>, i32)>,
    current: Mutex<Current>,
}

/// The note with every change up to `version` applied, and its analysis once computed.
pub struct Current {
    pub note: Note,
    pub version: i32,
    analysis: Option<Arc<Analysis>>,
}

impl Current {
    pub fn analysis(&mut self) -> Arc<Analysis> {
        if let Some(a) = &self.analysis {
            return a.clone();
        }
        let a = Arc::new(Analysis::of(&self.note));
        self.analysis = Some(a.clone());
        a
    }
}

impl Document {
    fn new(uri: &str, text: &str, version: i32) -> Document {
        Document {
            uri: uri.to_string(),
            published: tokio::sync::Mutex::new(None),
            summary: Mutex::new(None),
            pending: Mutex::new((vec![(version, Change::Replace(text.to_string()))], version)),
            current: Mutex::new(Current {
                note: Note::new(""),
                version,
                analysis: None,
            }),
        }
    }

    /// The newest version the client has sent (queued or applied).
    pub fn latest_version(&self) -> i32 {
        lock(&self.pending).1
    }

    /// The workspace summary of the current version, built once per version. Takes this
    /// document's lock only: callers must not hold another document's lock (no nesting, no
    /// deadlock between two documents' requests).
    pub fn summary(&self, enc: Encoding, style: SlugStyle) -> Arc<NoteSummary> {
        let mut cur = self.current(enc);
        if let Some((v, s)) = lock(&self.summary).as_ref()
            && *v == cur.version
        {
            return s.clone();
        }
        let a = cur.analysis();
        let s = Arc::new(NoteSummary::build(&self.uri, &cur.note, &a, style));
        *lock(&self.summary) = Some((cur.version, s.clone()));
        s
    }

    /// Applies every queued change and returns the up-to-date note.
    pub fn current(&self, enc: Encoding) -> MutexGuard<'_, Current> {
        let mut cur = lock(&self.current);
        // Take the queue only after holding `current`, so two callers cannot apply batches
        // out of order.
        let queued = std::mem::take(&mut lock(&self.pending).0);
        for (version, change) in queued {
            match change {
                Change::Replace(text) => cur.note = Note::new(&text),
                Change::Edits(edits) => {
                    for e in edits {
                        apply(&mut cur.note, e, enc);
                    }
                }
            }
            cur.version = version;
            cur.analysis = None;
        }
        cur
    }
}

fn apply(note: &mut Note, e: TextDocumentContentChangeEvent, enc: Encoding) {
    match e.range {
        None => *note = Note::new(&e.text),
        Some(r) => {
            let start = note.to_offset(
                LineCol {
                    line: r.start.line,
                    col: r.start.character,
                },
                enc,
            );
            let end = note.to_offset(
                LineCol {
                    line: r.end.line,
                    col: r.end.character,
                },
                enc,
            );
            if end < start {
                warn!("edit range ends before it starts; applying it as an insertion");
            }
            note.edit(start..end.max(start), &e.text);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent data (edits are applied whole or not
    // at all from the queue's point of view); keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
pub struct State {
    docs: DashMap<String, Arc<Document>>,
    encoding: AtomicU8,
    config: std::sync::RwLock<Arc<Config>>,
    shut_down: std::sync::atomic::AtomicBool,
    /// Notes on disk under the workspace folders.
    pub workspace: Workspace,
    pub roots: std::sync::RwLock<Vec<std::path::PathBuf>>,
    /// The client's own settings, merged over each root's `.notes-lsp.toml`.
    pub client_settings: std::sync::RwLock<serde_json::Value>,
    /// Client capabilities the server adapts to: `window.workDoneProgress`, dynamic
    /// registration of file watchers.
    pub progress: std::sync::atomic::AtomicBool,
    pub watch_registration: std::sync::atomic::AtomicBool,
}

impl State {
    /// The workspace as a request sees it: every open document's summary except `except`'s
    /// over the notes on disk. Locks one document at a time.
    pub fn view(&self, except: Option<&str>) -> View<'_> {
        let enc = self.encoding();
        let style = self.config().slugs;
        let docs: Vec<Arc<Document>> = self.docs.iter().map(|e| e.value().clone()).collect();
        let open = docs
            .iter()
            .filter(|d| Some(d.uri.as_str()) != except)
            .map(|d| d.summary(enc, style))
            .collect();
        View {
            ws: &self.workspace,
            open,
        }
    }

    pub fn supports_progress(&self) -> bool {
        self.progress.load(Ordering::SeqCst)
    }

    pub fn supports_watch_registration(&self) -> bool {
        self.watch_registration.load(Ordering::SeqCst)
    }

    pub fn documents(&self) -> Vec<Arc<Document>> {
        self.docs.iter().map(|e| e.value().clone()).collect()
    }

    pub fn set_shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_config(&self, config: Config) {
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config);
    }

    /// The uris of every open document.
    pub fn uris(&self) -> Vec<Uri> {
        self.docs
            .iter()
            .filter_map(|e| e.key().parse().ok())
            .collect()
    }

    pub fn set_encoding(&self, enc: Encoding) {
        self.encoding
            .store(matches!(enc, Encoding::Utf8) as u8, Ordering::SeqCst);
    }

    pub fn encoding(&self) -> Encoding {
        if self.encoding.load(Ordering::SeqCst) == 1 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn get(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.docs.get(uri.as_str()).map(|d| d.clone())
    }

    pub fn open(&self, uri: &Uri, text: &str, version: i32) {
        if self.docs.contains_key(uri.as_str()) {
            warn!(
                "didOpen for {} which is already open: replacing its text",
                uri.as_str()
            );
        }
        self.docs.insert(
            uri.as_str().to_string(),
            Arc::new(Document::new(uri.as_str(), text, version)),
        );
    }

    pub fn close(&self, uri: &Uri) {
        if self.docs.remove(uri.as_str()).is_none() {
            warn!("didClose for {} which is not open", uri.as_str());
        }
    }

    /// Queues a change in arrival order. Called from the transport's read loop: no parsing.
    pub fn enqueue(&self, uri: &Uri, version: i32, change: Change) {
        let Some(doc) = self.get(uri) else {
            warn!("didChange for {} which is not open: ignored", uri.as_str());
            return;
        };
        let mut pending = lock(&doc.pending);
        if version <= pending.1 {
            warn!(
                "didChange for {} goes from version {} to {}; applying it anyway",
                uri.as_str(),
                pending.1,
                version
            );
        }
        pending.1 = version;
        pending.0.push((version, change));
    }
}
