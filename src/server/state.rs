//! The documents the client has open, and the one ordered path text-sync takes into them.
//!
//! tower-lsp runs handlers concurrently, so a `didChange` that awaited before applying its edit
//! could be overtaken by the next one (tower-lsp #284). Here the transport's read loop itself
//! queues each change ([`State::enqueue`], synchronous, before any `.await`), in the order the
//! client sent them; whoever needs the note next applies the queue in that order under the
//! note's lock. The read loop never waits for a parse: queuing is a push under a short lock.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use dashmap::DashMap;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tracing::warn;

use crate::analysis::{Analysis, Incremental};
use crate::config::{Config, SlugStyle};
use crate::note::{Encoding, LineCol, Note};
use crate::outline::Slugs;
use crate::workspace::{Facts, NoteSummary, QuestionMemo, View, Workspace};

/// A change as the client sent it, applied later in order.
pub enum Change {
    /// The whole text (didOpen): parsed by the first reader, not by the read loop.
    Replace(String),
    Edits(Vec<TextDocumentContentChangeEvent>),
}

impl Change {
    /// Bytes of text the change carries (a rough measure of what applying it costs).
    fn len(&self) -> usize {
        match self {
            Change::Replace(t) => t.len(),
            Change::Edits(e) => e.iter().map(|e| e.text.len() + 1).sum(),
        }
    }
}

/// How long a view of the workspace waits for another note's lock before using that note's
/// last summary.
const VIEW_WAIT: std::time::Duration = std::time::Duration::from_millis(300);

/// A note with queued changes is brought up to date for another note's request only when it
/// is at most this big; a bigger one may cost a long parse (its own diagnostics run does it).
const CATCH_UP_BYTES: usize = 1024 * 1024;

pub struct Document {
    /// The uri as the client spelled it.
    pub uri: String,
    /// What went out last; sends are serialized through it.
    published: Mutex<Published>,
    /// Counts the times something this note's diagnostics depend on changed without an
    /// edit (settings, other notes): its current version must be published again.
    republish: AtomicU64,
    /// Set when the client closed it: nothing more is published for it (its empty
    /// diagnostics go out after this is set).
    closed: AtomicBool,
    /// Whether diagnostics are being computed, and whether another run was asked for
    /// meanwhile (see [`Document::enter_publish`]).
    publishing: Mutex<(bool, bool)>,
    /// The workspace's view of this note, for the version it was built from.
    summary: Mutex<Option<(i32, Arc<NoteSummary>)>>,
    /// A hash of the anchors and questions last seen, and whether it changed since the
    /// diagnostics of other notes were last refreshed for it.
    outline: Mutex<(Option<u64>, bool)>,
    /// What the last diagnostics message was made of, for the next one to reuse.
    publication: Mutex<super::publish::Cache>,
    /// Queued changes, in arrival order, and the newest version the client has announced.
    pending: Mutex<(Vec<(i32, Change)>, i32)>,
    /// Told of every change queued: a republish waiting for a [`State::background`] permit
    /// then runs at once, for the edit.
    pub edited: tokio::sync::Notify,
    current: Mutex<Current>,
}

/// A closed note's memory is given back to the system once its last holder lets go of it
/// (a diagnostics run or a request may still hold it after the close).
impl Drop for Document {
    fn drop(&mut self) {
        if self.is_closed() {
            super::memory::give_back_soon();
        }
    }
}

/// The note with every change up to `version` applied, and its analysis once computed.
pub struct Current {
    pub note: Note,
    pub version: i32,
    /// The analysis of `version`, or unless `fresh` of an earlier one: a keystroke's
    /// analysis is updated from the one before rather than built again.
    analysis: Option<Incremental>,
    fresh: bool,
    /// The numbered slugs of the headings, for the [`Incremental::anchors`] and style they
    /// were numbered under: a keystroke that leaves every anchor as it was keeps them.
    slugs: Option<(u64, SlugStyle, Slugs)>,
    /// The questions of the analysis last given facts, for the next facts to move.
    questions: QuestionMemo,
}

impl Current {
    pub fn analysis(&mut self) -> Arc<Analysis> {
        // Taken out while it is updated: should the update panic, the next call builds anew.
        let inc = match self.analysis.take() {
            Some(inc) if self.fresh => inc,
            Some(mut inc) => {
                inc.update(&self.note);
                inc
            }
            None => Incremental::new(&self.note),
        };
        let a = inc.analysis().clone();
        self.analysis = Some(inc);
        self.fresh = true;
        a
    }

    /// [`Current::analysis`] and its facts.
    pub fn analysis_and_facts(&mut self, uri: &str, style: SlugStyle) -> (Arc<Analysis>, Facts) {
        let a = self.analysis();
        let anchors = self
            .analysis
            .as_ref()
            .expect("`analysis` keeps what it returns from")
            .anchors();
        let slugs = match &self.slugs {
            Some((at, s, slugs)) if *at == anchors && *s == style => slugs.clone(),
            _ => {
                let slugs: Slugs = crate::outline::slugs_of(&a.headings, style).into();
                self.slugs = Some((anchors, style, slugs.clone()));
                slugs
            }
        };
        let inc = self.analysis.as_ref().expect("kept above");
        let facts = Facts::with_memo(uri, &self.note, inc, slugs, style, &mut self.questions);
        (a, facts)
    }
}

/// The last diagnostics sent for a note: its version, the [`Document::republish_count`]
/// they were computed under, and the message's length and hash (a republish that would
/// send the same bytes again sends nothing; the message itself, as big as the note's text
/// when every line has a diagnostic, is not kept for that).
#[derive(Default)]
pub struct Published {
    pub version: Option<i32>,
    pub republish: u64,
    pub sent: Option<(usize, u128)>,
}

impl Published {
    /// What [`Published::sent`] holds for a message of `bytes` (XXH3's 128 bits: tens of
    /// microseconds for the diagnostics of a 1 MiB note).
    pub fn sent_of(bytes: &[u8]) -> (usize, u128) {
        (bytes.len(), xxhash_rust::xxh3::xxh3_128(bytes))
    }
}

impl Document {
    /// Asks for the current version's diagnostics to go out again, computed afresh.
    pub fn republish(&self) {
        self.republish.fetch_add(1, Ordering::SeqCst);
    }

    pub fn republish_count(&self) -> u64 {
        self.republish.load(Ordering::SeqCst)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Nothing was published for it yet: its next run parses the whole note.
    pub fn unpublished(&self) -> bool {
        lock(&self.published).version.is_none()
    }

    /// Its newest version was published already: a run now only republishes it.
    pub fn newest_published(&self) -> bool {
        let latest = self.latest_version();
        lock(&self.published).version == Some(latest)
    }

    pub fn lock_published(&self) -> MutexGuard<'_, Published> {
        lock(&self.published)
    }

    /// The version whose diagnostics went out last, unless a publish is sending right now
    /// (`None`).
    pub fn try_published_version(&self) -> Option<Option<i32>> {
        match self.published.try_lock() {
            Ok(p) => Some(p.version),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner().version),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    fn new(uri: &str, text: String, version: i32) -> Document {
        Document {
            uri: uri.to_string(),
            published: Mutex::new(Published::default()),
            republish: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            publishing: Mutex::new((false, false)),
            summary: Mutex::new(None),
            outline: Mutex::new((None, false)),
            publication: Mutex::default(),
            pending: Mutex::new((vec![(version, Change::Replace(text))], version)),
            edited: tokio::sync::Notify::new(),
            current: Mutex::new(Current {
                note: Note::new(""),
                version,
                analysis: None,
                fresh: false,
                slugs: None,
                questions: QuestionMemo::default(),
            }),
        }
    }

    /// Starts a diagnostics run unless one is going on; then that run is asked to go again
    /// when it ends (for whatever version is newest then) and this returns `false`. So a
    /// burst of edits costs one or two runs, not a blocking task per keystroke.
    pub fn enter_publish(&self) -> bool {
        let mut p = lock(&self.publishing);
        if p.0 {
            p.1 = true;
            return false;
        }
        *p = (true, false);
        true
    }

    /// Ends a run: `true` when another was asked for meanwhile (the caller runs again).
    pub fn again_publish(&self) -> bool {
        let mut p = lock(&self.publishing);
        if p.1 {
            p.1 = false;
            return true;
        }
        p.0 = false;
        false
    }

    /// The newest version the client has sent (queued or applied).
    pub fn latest_version(&self) -> i32 {
        lock(&self.pending).1
    }

    /// Waits until the newest version's diagnostics have gone out, at most `limit`, while
    /// `go_on` holds. Big answers (a big note's outline is hundreds of kilobytes) are written
    /// after them: an outline asked for right after `didOpen` could otherwise take the note's
    /// lock first and go out first, and the client decodes it before it reaches the
    /// diagnostics. Every version's diagnostics are sent
    /// unless a newer version's are (`Backend::publish`); `limit` covers a publish that
    /// failed.
    pub fn wait_published(&self, limit: std::time::Duration, go_on: impl Fn() -> bool) {
        let started = std::time::Instant::now();
        while go_on() && !self.is_closed() && started.elapsed() < limit {
            let latest = self.latest_version();
            if lock(&self.published).version.is_some_and(|v| v >= latest) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    }

    /// Records the anchors-and-questions signature of the version just analysed.
    /// The first one counts as a change: a note just opened can repeat an open note's
    /// question.
    pub fn note_outline(&self, sig: u64) {
        let mut o = lock(&self.outline);
        if o.0.is_none_or(|old| old != sig) {
            o.1 = true;
        }
        o.0 = Some(sig);
    }

    /// What the last diagnostics message was made of. Taken under the note's lock (only
    /// diagnostics runs take it, one at a time per note).
    pub fn lock_publication(&self) -> MutexGuard<'_, super::publish::Cache> {
        lock(&self.publication)
    }

    /// Whether the signature changed since the last call (and resets that).
    pub fn take_outline_changed(&self) -> bool {
        std::mem::take(&mut lock(&self.outline).1)
    }

    /// The workspace summary of the current version, built once per version. Takes this
    /// document's lock only: callers must not hold another document's lock (no nesting, no
    /// deadlock between two documents' requests).
    pub fn summary(&self, enc: Encoding, style: SlugStyle, ws: &Workspace) -> Arc<NoteSummary> {
        let mut cur = self.current(enc);
        self.summary_of(&mut cur, style, ws)
    }

    /// The summary of `cur`'s version: the workspace's own summary of the note when it is
    /// the same (a note opened and not edited is summarized as on disk), so that an open
    /// note does not keep a second copy of it.
    fn summary_of(&self, cur: &mut Current, style: SlugStyle, ws: &Workspace) -> Arc<NoteSummary> {
        if let Some((v, s)) = lock(&self.summary).as_ref()
            && *v == cur.version
        {
            return s.clone();
        }
        let a = cur.analysis();
        let built = NoteSummary::build(&self.uri, &cur.note, &a, style);
        let s = match ws.get(&built.uri) {
            Some(disk) if disk.fingerprint == built.fingerprint && *disk == built => disk,
            _ => Arc::new(built),
        };
        *lock(&self.summary) = Some((cur.version, s.clone()));
        s
    }

    /// The note's text as it is, for a request about another note: `None` when the note's
    /// lock does not come free within [`VIEW_WAIT`] (a big note in the middle of a long parse
    /// must not hold up requests about other notes).
    pub fn text_for_view(&self) -> Option<String> {
        let deadline = std::time::Instant::now() + VIEW_WAIT;
        loop {
            match self.current.try_lock() {
                Ok(cur) => return Some(cur.note.text()),
                Err(std::sync::TryLockError::Poisoned(e)) => {
                    return Some(e.into_inner().note.text());
                }
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// This note's summary for a view of the workspace taken on behalf of another note: up
    /// to date when the note's lock comes free within [`VIEW_WAIT`] and catching up is cheap;
    /// else the last summary built, or `None` when there is none (the copy on disk, if
    /// indexed, stands in). A big note in the middle of a long parse must not hold up
    /// requests about every other note.
    pub fn summary_for_view(
        &self,
        enc: Encoding,
        style: SlugStyle,
        ws: &Workspace,
    ) -> Option<Arc<NoteSummary>> {
        let deadline = std::time::Instant::now() + VIEW_WAIT;
        loop {
            let guard = match self.current.try_lock() {
                Ok(g) => Some(g),
                Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            };
            if let Some(mut cur) = guard {
                let queued: usize = lock(&self.pending).0.iter().map(|(_, c)| c.len()).sum();
                if queued == 0 || cur.note.len() + queued <= CATCH_UP_BYTES {
                    self.catch_up(&mut cur, enc);
                    return Some(self.summary_of(&mut cur, style, ws));
                }
                break;
            }
            if std::time::Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        lock(&self.summary).as_ref().map(|(_, s)| s.clone())
    }

    /// Applies every queued change and returns the up-to-date note.
    pub fn current(&self, enc: Encoding) -> MutexGuard<'_, Current> {
        let mut cur = lock(&self.current);
        self.catch_up(&mut cur, enc);
        cur
    }

    /// Applies the queued changes to `cur` (whose lock the caller holds), in order.
    fn catch_up(&self, cur: &mut Current, enc: Encoding) {
        // Take the queue only after holding `current`, so two callers cannot apply batches
        // out of order.
        let queued = std::mem::take(&mut lock(&self.pending).0);
        for (version, change) in queued {
            // A panic in one change must not lose the ones after it: each is applied on its
            // own, and a note left half-edited is rebuilt from its text.
            let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match change {
                Change::Replace(text) => cur.note = Note::new(&text),
                Change::Edits(edits) => {
                    for e in edits {
                        apply(&mut cur.note, e, enc);
                    }
                }
            }));
            if applied.is_err() {
                tracing::error!("{}: applying version {version} panicked", self.uri);
                // The text is in the chunks (an edit puts it there before reparsing); a note
                // that cannot even be rebuilt keeps its text, half-parsed.
                let text = cur.note.text();
                match std::panic::catch_unwind(|| Note::new(&text)) {
                    Ok(note) => cur.note = note,
                    Err(_) => tracing::error!("{}: the note cannot be rebuilt", self.uri),
                }
            }
            cur.version = version;
            cur.fresh = false;
        }
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

/// Drops a document off the transport's read loop (freeing a big note's trees takes a while)
/// when a runtime is there to take it, under a [`State::background`] permit: fifty notes
/// closed at once are dropped on two threads, not fifty.
fn drop_elsewhere(doc: Arc<Document>, background: &Permits) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            let permits = background.0.clone();
            rt.spawn(async move {
                let _permit = permits.acquire_owned().await.ok();
                let _ = tokio::task::spawn_blocking(move || drop(doc)).await;
            });
        }
        Err(_) => drop(doc),
    }
}

fn style_bit(style: SlugStyle) -> u8 {
    match style {
        SlugStyle::Github => 1,
        SlugStyle::Gitlab => 2,
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
    /// Set when `initialize` is answered.
    initialized: AtomicBool,
    /// Notes on disk under the workspace folders.
    pub workspace: Workspace,
    pub roots: std::sync::RwLock<Vec<std::path::PathBuf>>,
    /// Set once a note opened without workspace folders made its folder the root.
    pub adopted_root: AtomicBool,
    /// The client's own settings, merged over each root's `.notes-lsp.toml`.
    pub client_settings: std::sync::RwLock<serde_json::Value>,
    /// Client capabilities the server adapts to: `window.workDoneProgress`, dynamic
    /// registration of file watchers.
    pub progress: std::sync::atomic::AtomicBool,
    pub watch_registration: std::sync::atomic::AtomicBool,
    /// `didOpen` texts the transport's guard took out of their messages (`guard::OpenTexts`).
    pub open_texts: Arc<super::guard::OpenTexts>,
    /// Samples run on request and what they printed (`running.rs`).
    pub runs: super::running::Runs,
    /// The slug styles the workspace's summaries of notes on disk were made under, one bit
    /// each.
    disk_styles: AtomicU8,
    /// Permits for the first diagnostics run of a note (its whole parse and analysis).
    pub opening: Permits,
    /// Permits for work no one waits for: republishing other notes, reading a closed note
    /// again, dropping it.
    pub background: Permits,
}

/// Permits for one kind of work: as many as there are cores, waited for holding no thread.
/// For the first diagnostics runs ([`State::opening`]): fifty notes opened at once otherwise
/// took fifty threads, each keeping its allocators' caches and its parsers while idle, and
/// held fifty parses' scratch at once. For work no one waits for ([`State::background`]):
/// each note opened or closed republishes every other open note and a close reads the note
/// again from disk; with fifty closed at once, each of these took a blocking thread of its
/// own (58-111 threads), and each thread kept its allocators' caches until it had been idle
/// for its keep-alive.
pub struct Permits(pub Arc<tokio::sync::Semaphore>);

impl Default for Permits {
    fn default() -> Permits {
        Permits(Arc::new(tokio::sync::Semaphore::new(
            crate::parallel::THREADS,
        )))
    }
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
            .filter_map(|d| d.summary_for_view(enc, style, &self.workspace))
            .collect();
        View {
            ws: &self.workspace,
            open,
        }
    }

    /// The workspace folders, as set at `initialize` (or the folder of the first note opened
    /// when there were none).
    pub fn roots(&self) -> Vec<std::path::PathBuf> {
        self.roots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Records that a summary of a note on disk was made under `style`.
    pub fn disk_built_with(&self, style: SlugStyle) {
        self.disk_styles
            .fetch_or(style_bit(style), Ordering::SeqCst);
    }

    /// Whether every summary of a note on disk was made under `style`.
    pub fn disk_built_only_with(&self, style: SlugStyle) -> bool {
        self.disk_styles.load(Ordering::SeqCst) == style_bit(style)
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

    pub fn set_initialized(&self) {
        self.initialized.store(true, Ordering::SeqCst);
    }

    /// Between `initialize` and `shutdown`: requests are answered.
    pub fn is_ready(&self) -> bool {
        self.initialized.load(Ordering::SeqCst) && !self.is_shut_down()
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

    pub fn open(&self, uri: &Uri, text: impl Into<String>, version: i32) {
        if self.docs.contains_key(uri.as_str()) {
            warn!(
                "didOpen for {} which is already open: replacing its text",
                uri.as_str()
            );
        }
        let old = self.docs.insert(
            uri.as_str().to_string(),
            Arc::new(Document::new(uri.as_str(), text.into(), version)),
        );
        if let Some(old) = old {
            old.closed.store(true, Ordering::SeqCst);
            drop_elsewhere(old, &self.background);
        }
    }

    pub fn close(&self, uri: &Uri) {
        match self.docs.remove(uri.as_str()) {
            Some((_, doc)) => {
                doc.closed.store(true, Ordering::SeqCst);
                self.workspace.forget_answers(&doc.uri);
                drop_elsewhere(doc, &self.background)
            }
            None => warn!("didClose for {} which is not open", uri.as_str()),
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
        drop(pending);
        doc.edited.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An open note whose text is the one summarized from disk shares that summary; once
    /// edited, it has its own, equal to one built afresh.
    #[test]
    fn an_unedited_open_note_shares_the_summary_from_disk() {
        let text = [
            // GitHub's slug keeps both dashes, GitLab's one.
            "# Pros -- and cons\n\nBoth.\n\n",
            include_str!("../../fixtures/clean-notes.md"),
            include_str!("../../fixtures/quiz.md"),
        ]
        .concat();
        let uri: Uri = "file:///notes/shared.md".parse().unwrap();
        let state = State::default();
        let style = SlugStyle::Github;
        state
            .workspace
            .insert(NoteSummary::from_text(uri.as_str(), &text, style));
        let disk = state.workspace.get(uri.as_str()).expect("inserted");
        state.open(&uri, text.clone(), 1);
        let doc = state.get(&uri).unwrap();
        let open = doc.summary(Encoding::Utf16, style, &state.workspace);
        assert!(Arc::ptr_eq(&open, &disk));
        // Another slug style makes another summary.
        state.open(&uri, text.clone(), 2);
        let doc = state.get(&uri).unwrap();
        let gitlab = doc.summary(Encoding::Utf16, SlugStyle::Gitlab, &state.workspace);
        let pros = |s: &NoteSummary| {
            s.headings()
                .filter(|h| h.title.contains("Pros"))
                .map(|h| h.slug.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(pros(&disk), ["pros----and-cons"]);
        assert_eq!(pros(&gitlab), ["pros-and-cons"]);
        assert!(!Arc::ptr_eq(&gitlab, &disk));
        let edited = text.replacen("# ", "# Edited ", 1);
        state.enqueue(
            &uri,
            3,
            Change::Edits(vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: edited.clone(),
            }]),
        );
        let own = doc.summary(Encoding::Utf16, style, &state.workspace);
        assert!(!Arc::ptr_eq(&own, &disk));
        assert_eq!(*own, NoteSummary::from_text(uri.as_str(), &edited, style));
        assert_ne!(*own, *disk);
    }
}
