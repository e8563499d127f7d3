//! The workspace index: finding the notes under the workspace folders, summarizing them in
//! the background with `$/progress`, keeping them current from file-watcher events, and the
//! `.notes-lsp.toml` settings file at a root.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::*;
use tracing::{error, info, warn};

use super::{Backend, State};
use crate::analysis::Analysis;
use crate::config;
use crate::files;
use crate::note::Note;
use crate::samples::registry::Registry;
use crate::workspace::{NoteSummary, canonical_uri, path_to_uri, uri_to_path};

/// Progress is reported every this many files.
const BATCH: usize = 32;
/// How long the indexer waits, at most, for one version of an open note to be published.
const YIELD_LIMIT: Duration = Duration::from_secs(1);
/// How often a parse in progress looks whether the editor needs the cores.
const LOOK_EVERY: Duration = Duration::from_millis(2);

pub fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri_to_path(f.uri.as_str()))
        .collect();
    #[allow(deprecated)]
    if out.is_empty()
        && let Some(root) = params
            .root_uri
            .as_ref()
            .and_then(|u| uri_to_path(u.as_str()))
    {
        out.push(root);
    }
    out
}

fn is_note(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown"))
}

/// The notes under `roots`, honouring `.gitignore`, not following symlinks.
fn find_notes(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        let (found, skipped) = files::walk(root, is_note);
        for (path, why) in skipped {
            warn!("{}: {why}", path.display());
        }
        out.extend(found);
    }
    out.sort();
    out.dedup();
    // Biggest first: two threads taking the next file each then end about together, not
    // with one of them alone on a big note found last.
    let mut sized: Vec<(u64, PathBuf)> = out
        .into_iter()
        .map(|p| (std::fs::metadata(&p).map_or(0, |m| m.len()), p))
        .collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    sized.into_iter().map(|(_, p)| p).collect()
}

/// Reads and summarizes one note; `None` (with a log line) when it is too big or not UTF-8.
/// Whether `path` is a regular file, itself (not a symlink to one, which may point outside
/// the workspace; not a FIFO or device, whose read could block forever).
fn regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Whether `path`, symlinked folders on the way resolved, still lies under one of `roots`
/// (a link inside the workspace to a folder outside it must not lead the indexer out).
fn resolves_under(path: &Path, roots: &[PathBuf]) -> bool {
    // A file deleted meanwhile cannot be resolved; its folder can.
    let real = path.canonicalize().or_else(|_| {
        let parent = path.parent().ok_or(std::io::ErrorKind::NotFound)?;
        Ok::<_, std::io::Error>(
            parent
                .canonicalize()?
                .join(path.file_name().unwrap_or_default()),
        )
    });
    let Ok(real) = real else {
        return false;
    };
    roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .any(|r| real.starts_with(r))
}

fn is_open(state: &State, uri: &str) -> bool {
    state
        .documents()
        .iter()
        .any(|d| canonical_uri(&d.uri) == uri)
}

/// Keeps the indexer out of the editor's way: the note just opened or edited gets both cores
/// for its parse, and a note opened while the indexer reads it is left to the editor's
/// text.
#[derive(Default)]
struct Courtesy {
    /// Per open note: the version the indexer is waiting for, and since when.
    waiting: Mutex<HashMap<String, (i32, Instant)>>,
}

impl Courtesy {
    /// Waits while an open note has a version whose diagnostics have not gone out, at most
    /// [`YIELD_LIMIT`] for one version (a version that is never published, superseded or
    /// dropped, must not stop the indexer for good).
    fn wait_for_editor(&self, state: &State) {
        loop {
            let now = Instant::now();
            let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
            let mut busy = false;
            for doc in state.documents() {
                let latest = doc.latest_version();
                // Held only while a publish sends: then the work is done.
                let Some(published) = doc.try_published_version() else {
                    continue;
                };
                if published == Some(latest) {
                    continue;
                }
                let since = waiting.entry(doc.uri.clone()).or_insert((latest, now));
                if since.0 != latest {
                    *since = (latest, now);
                }
                busy |= now.duration_since(since.1) < YIELD_LIMIT;
            }
            drop(waiting);
            if !busy {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Reads and summarizes one note; `None` (with a log line) when it is too big or not UTF-8,
/// and when it is open (or opened meanwhile): an open note is summarized from the editor's
/// text (and read from disk again when it is closed), so a big note is not parsed twice at
/// startup.
fn summarize(path: &Path, state: &State, courtesy: &Courtesy) -> Option<NoteSummary> {
    match summarize_unless_same(path, state, courtesy, false) {
        Summarized::Built(s) => Some(s),
        Summarized::Same | Summarized::Open | Summarized::Not => None,
    }
}

/// What [`summarize_unless_same`] made of a note.
enum Summarized {
    Built(NoteSummary),
    /// The workspace's summary of the note is of the text on disk, made under the slug
    /// style in force: it stands.
    Same,
    /// Open in the editor (or opened meanwhile): the editor's text stands for it, and the
    /// workspace's summary of the file is checked against the disk again when it is closed.
    Open,
    /// Not summarized: too big, not UTF-8, not a regular file (logged).
    Not,
}

/// [`summarize`], or when `same_ok` and the workspace's summary of the note was made from
/// the text now on disk under the slug style in force, [`Summarized::Same`]: a note closed
/// unchanged is not parsed again (what that parse kept would be scattered over the pages the
/// closed note freed, which could then not be given back).
fn summarize_unless_same(
    path: &Path,
    state: &State,
    courtesy: &Courtesy,
    same_ok: bool,
) -> Summarized {
    let uri = path_to_uri(path);
    if is_open(state, &uri) {
        return Summarized::Open;
    }
    if !regular_file(path) {
        info!("not indexing {}: not a regular file", path.display());
        return Summarized::Not;
    }
    let text = match files::read_text(path, files::MAX_NOTE_BYTES) {
        Ok(t) => t,
        Err(why) => {
            info!("not indexing {}: {why}", path.display());
            return Summarized::Not;
        }
    };
    let style = state.config().slugs;
    if same_ok
        && state.disk_built_only_with(style)
        && state
            .workspace
            .get(&canonical_uri(&uri))
            .is_some_and(|s| s.fingerprint == NoteSummary::fingerprint_of(&text))
    {
        return Summarized::Same;
    }
    courtesy.wait_for_editor(state);
    // Asked between chunks; the look itself costs a walk over the open notes, so at most
    // every few milliseconds.
    let started = Instant::now();
    let looked = AtomicU64::new(0);
    let go_on = || {
        let now = started.elapsed().as_micros() as u64;
        if now - looked.load(Ordering::Relaxed) < LOOK_EVERY.as_micros() as u64 {
            return true;
        }
        looked.store(now, Ordering::Relaxed);
        if is_open(state, &uri) {
            return false;
        }
        courtesy.wait_for_editor(state);
        !is_open(state, &uri)
    };
    let Some(note) = Note::new_on_this_thread(&text, &go_on) else {
        info!("not indexing {}: opened meanwhile", path.display());
        return Summarized::Open;
    };
    let a = Analysis::for_index(&note);
    state.disk_built_with(style);
    Summarized::Built(NoteSummary::build(&uri, &note, &a, style))
}

/// A note changed on disk (or closed): its summary made again unless the workspace's is of
/// the same text; kept while the note is open (the editor's text stands for it meanwhile:
/// its save must not drop the summary it shares); dropped when the file cannot be read.
fn read_again(path: &Path, state: &State) {
    let uri = path_to_uri(path);
    match summarize_unless_same(path, state, &Courtesy::default(), true) {
        Summarized::Built(s) => state.workspace.insert(s),
        Summarized::Same | Summarized::Open => {}
        Summarized::Not => state.workspace.remove(&uri),
    }
}

/// Summarizes `paths` on two threads, each taking the next file when done with one; `done`
/// hears of each file, with its summary if it has one.
/// The log line at the end of indexing: every note found is accounted for, so that the
/// open ones do not read as skipped.
fn indexed_line(
    total: usize,
    done: usize,
    open: usize,
    not_read: usize,
    took: std::time::Duration,
) -> String {
    let read = done - open - not_read;
    let notes = |n: usize| format!("{n} note{}", if n == 1 { "" } else { "s" });
    let mut line = if done < total {
        format!(
            "indexing stopped after {} of {total} found: {read} read from disk",
            notes(done)
        )
    } else {
        format!(
            "indexed {} in {took:.0?}: {read} read from disk",
            notes(total)
        )
    };
    if open > 0 {
        line.push_str(&format!(", {open} open in the editor"));
    }
    if not_read > 0 {
        line.push_str(&format!(", {not_read} not read (said above)"));
    }
    line
}

/// What became of one note found on disk.
enum Indexed {
    Read(NoteSummary),
    /// Open in the editor: summarized from the editor's text instead.
    Open,
    /// Not read (too big, not UTF-8, not a regular file): logged where it happened.
    NotRead,
}

fn summarize_all(
    paths: &[PathBuf],
    state: &State,
    done: &tokio::sync::mpsc::UnboundedSender<Indexed>,
) {
    let courtesy = Courtesy::default();
    let next = AtomicUsize::new(0);
    let work = || {
        while let Some(path) = paths.get(next.fetch_add(1, Ordering::Relaxed)) {
            if state.is_shut_down() {
                return;
            }
            // One note that trips a bug must not end the indexing of the others.
            let summary = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                summarize(path, state, &courtesy)
            }));
            let summary = summary.unwrap_or_else(|_| {
                error!("indexing {} panicked", path.display());
                None
            });
            let outcome = match summary {
                Some(s) => Indexed::Read(s),
                None if is_open(state, &path_to_uri(path)) => Indexed::Open,
                None => Indexed::NotRead,
            };
            let _ = done.send(outcome);
        }
    };
    // Two threads of their own (not the blocking pool's, which later runs the editor's
    // work), each yielding the CPU to any other thread that wants it.
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                run_when_idle();
                work();
            });
        }
    });
}

/// Puts the calling thread in the `SCHED_IDLE` class: it runs only on a CPU nothing else
/// wants, so that a keystroke's work never waits for a time slice while the workspace is
/// being indexed.
fn run_when_idle() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain data; musl's sched_param has fields beyond the priority, all 0 here.
        let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
        param.sched_priority = 0;
        // SAFETY: sched_setscheduler reads `param` and changes only the calling thread (0).
        let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        if rc != 0 {
            warn!(
                "indexing at the usual priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// The first root's `.notes-lsp.toml`, as settings JSON (null when there is none), less what
/// only the user may set (the interpreters: warned about).
pub fn file_settings(roots: &[PathBuf]) -> (serde_json::Value, Vec<String>) {
    for root in roots {
        let path = root.join(config::FILE_NAME);
        if !regular_file(&path) {
            continue;
        }
        if let Ok(text) = files::read_text(&path, files::MAX_SIDE_FILE_BYTES) {
            return match config::from_toml(&text) {
                Ok(v) => {
                    let (v, ignored) = config::workspace_file(v);
                    let warnings = (ignored.into_iter())
                        .map(|(_, why)| format!("{}: {why}", path.display()))
                        .collect();
                    (v, warnings)
                }
                Err(e) => (
                    serde_json::Value::Null,
                    vec![format!("{}: {e}", path.display())],
                ),
            };
        }
    }
    (serde_json::Value::Null, Vec::new())
}

impl Backend {
    /// Indexes every note under the workspace folders, reporting progress, then publishes
    /// the open notes' diagnostics again (links to notes now known may resolve).
    pub(super) async fn index_workspace(&self) {
        let roots = self.state.roots();
        if roots.is_empty() {
            return;
        }
        let started = std::time::Instant::now();
        let token = NumberOrString::String("notes-lsp/indexing".into());
        let progress = if self.state.supports_progress() {
            self.client
                .create_work_done_progress(token.clone())
                .await
                .ok()
                .map(|_| ())
        } else {
            None
        };
        let paths = {
            let roots = roots.clone();
            tokio::task::spawn_blocking(move || find_notes(&roots))
                .await
                .unwrap_or_default()
        };
        let total = paths.len();
        let bar = match progress {
            Some(()) => Some(
                self.client
                    .progress(token, "Indexing notes")
                    .with_percentage(0)
                    .with_message(format!("0/{total}"))
                    .begin()
                    .await,
            ),
            None => None,
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let work = {
            let state = self.state.clone();
            tokio::task::spawn_blocking(move || summarize_all(&paths, &state, &tx))
        };
        let mut done = 0;
        // Inserted in batches: each insert drops the workspace's question index, which the
        // open notes' diagnostics then rebuild over every note (inserting each file as it
        // came cost more than the indexing itself on some runs).
        let mut batch = Vec::with_capacity(BATCH);
        let (mut open, mut not_read) = (0, 0);
        while let Some(outcome) = rx.recv().await {
            done += 1;
            match outcome {
                Indexed::Read(summary) => batch.push(summary),
                Indexed::Open => open += 1,
                Indexed::NotRead => not_read += 1,
            }
            if done % BATCH != 0 && done != total {
                continue;
            }
            for s in batch.drain(..) {
                self.state.workspace.insert(s);
            }
            if let Some(bar) = &bar {
                let pct = (done * 100 / total.max(1)) as u32;
                bar.report_with_message(format!("{done}/{total}"), pct)
                    .await;
            }
        }
        for s in batch {
            self.state.workspace.insert(s);
        }
        if let Err(e) = work.await {
            error!("indexing stopped: {e}");
        }
        if let Some(bar) = bar {
            bar.finish_with_message(format!("{} notes indexed", self.state.workspace.len()))
                .await;
        }
        info!(
            "{}",
            indexed_line(total, done, open, not_read, started.elapsed())
        );
        self.republish_all().await;
        let state = self.state.clone();
        // The question and term index and the symbol table are built now, with the rest of
        // the workspace's index: the first open need not wait for them, and they are not
        // made among an open note's allocations, whose pages they would keep after it closes.
        let _ = tokio::task::spawn_blocking(move || {
            state.workspace.prepare_index();
            state.workspace.prepare_symbols();
        })
        .await;
        // The parses' memory, freed on threads now gone or idle.
        super::memory::give_back_soon();
    }

    /// Asks the client to tell us about note files that change on disk; `false` when it
    /// cannot (the server then watches them itself).
    pub(super) async fn watch_files(&self) -> bool {
        if !self.state.supports_watch_registration() {
            return false;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.md".into()),
                    kind: None,
                },
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.markdown".into()),
                    kind: None,
                },
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{}", config::FILE_NAME)),
                    kind: None,
                },
                // Folders made or removed: a note written with its new folder is otherwise
                // missed by clients that watch a new folder only once they saw it (Neovim's
                // libuv watcher); a folder removed takes its notes with it.
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*".into()),
                    kind: Some(WatchKind::Create | WatchKind::Delete),
                },
            ],
        };
        let registration = Registration {
            id: "notes-lsp/watch-notes".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        match self.client.register_capability(vec![registration]).await {
            Ok(()) => true,
            Err(e) => {
                warn!("could not register the file watcher: {e}");
                false
            }
        }
    }

    pub(super) async fn files_changed(&self, changes: Vec<FileEvent>) {
        let changes = changes
            .into_iter()
            .filter_map(|c| Some((uri_to_path(c.uri.as_str())?, c.typ)))
            .collect();
        self.paths_changed(changes).await;
    }

    /// Notes (and `.notes-lsp.toml` files) created, changed or deleted on disk, as the client
    /// or the server's own watcher reports them.
    pub(super) async fn paths_changed(&self, changes: Vec<(PathBuf, FileChangeType)>) {
        let roots = self.state.roots();
        let mut settings_changed = false;
        // Only a folder made needs walking (off the async threads); a closed note does not.
        let changes = if changes.iter().any(|(_, t)| *t == FileChangeType::CREATED) {
            let within = roots.clone();
            tokio::task::spawn_blocking(move || with_new_folders(&within, changes))
                .await
                .unwrap_or_default()
        } else {
            changes
        };
        for (path, typ) in changes {
            if path.file_name().is_some_and(|n| n == config::FILE_NAME) {
                settings_changed = true;
                continue;
            }
            // Only files under the workspace folders are read, and only those the initial
            // scan would have read: editors watch `**/*.md` without regard to `.gitignore`.
            let escapes = path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
            let Some(root) = roots.iter().find(|r| path.starts_with(r)) else {
                continue;
            };
            if typ == FileChangeType::DELETED && !is_note(&path) {
                // A folder deleted or moved away: the notes that were in it.
                let prefix = format!("{}/", path_to_uri(&path));
                for uri in self.state.workspace.uris() {
                    if uri.starts_with(&prefix) {
                        self.state.workspace.remove(&uri);
                    }
                }
                continue;
            }
            if !is_note(&path)
                || escapes
                || !resolves_under(&path, &roots)
                || files::is_ignored(root, &path)
            {
                continue;
            }
            let uri = path_to_uri(&path);
            if typ == FileChangeType::DELETED {
                self.state.workspace.remove(&uri);
                continue;
            }
            // Under a background permit (see `State::background`): fifty notes closed at
            // once are read again on two threads.
            let _permit = self.state.background.0.acquire().await.ok();
            let state = self.state.clone();
            if tokio::task::spawn_blocking(move || read_again(&path, &state))
                .await
                .is_err()
            {
                self.state.workspace.remove(&uri);
            }
        }
        if settings_changed {
            self.reload_settings().await;
        }
        self.republish_all().await;
        super::memory::give_back_soon();
    }

    /// Re-reads `.notes-lsp.toml` and applies it under the client's settings.
    pub(super) async fn reload_settings(&self) {
        let roots = self.state.roots();
        let (file, mut problems) = file_settings(&roots);
        let client = self
            .state
            .client_settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let (config, more) = config::Config::from_json(&config::merge(&file, &client), &Registry);
        problems.extend(more);
        for p in &problems {
            warn!("settings: {p}");
        }
        if !problems.is_empty() {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("notes-lsp settings: {}", problems.join("; ")),
                )
                .await;
        }
        self.state.set_config(config);
    }

    /// Publishes every open note's diagnostics again (after settings or other notes changed).
    pub(super) async fn republish_all(&self) {
        for doc in self.state.documents() {
            doc.republish();
            if let Ok(uri) = doc.uri.parse::<Uri>() {
                self.publish(uri).await;
            }
        }
    }
}

/// `changes` with each folder made (or moved in) under `roots` replaced by the notes in it,
/// which may have come with it.
fn with_new_folders(
    roots: &[PathBuf],
    changes: Vec<(PathBuf, FileChangeType)>,
) -> Vec<(PathBuf, FileChangeType)> {
    let mut out = Vec::with_capacity(changes.len());
    for (path, typ) in changes {
        let root = roots.iter().find(|r| path.starts_with(r));
        if typ == FileChangeType::CREATED
            && path.is_dir()
            && root.is_some_and(|r| !files::is_ignored(r, &path))
        {
            let (notes, _) = files::walk(&path, is_note);
            out.extend(notes.into_iter().map(|p| (p, FileChangeType::CREATED)));
        } else {
            out.push((path, typ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn the_indexed_line_accounts_for_every_note_found() {
        let took = Duration::from_millis(27);
        assert_eq!(
            super::indexed_line(12, 12, 3, 0, took),
            "indexed 12 notes in 27ms: 9 read from disk, 3 open in the editor"
        );
        assert_eq!(
            super::indexed_line(1, 1, 0, 0, took),
            "indexed 1 note in 27ms: 1 read from disk"
        );
        assert_eq!(
            super::indexed_line(5, 5, 1, 2, took),
            "indexed 5 notes in 27ms: 2 read from disk, 1 open in the editor, 2 not read (said above)"
        );
        assert_eq!(
            super::indexed_line(9, 4, 0, 0, took),
            "indexing stopped after 4 notes of 9 found: 4 read from disk"
        );
    }

    /// A change on disk reported for an open note (its own save) keeps the workspace's
    /// summary of the file; once closed, the file is read again: the summary stands if the
    /// text is the same, and is made again if not.
    #[test]
    fn a_change_to_an_open_note_keeps_its_summary_until_it_is_closed() {
        use super::{State, canonical_uri, path_to_uri, read_again};
        use std::sync::Arc;
        let root = std::env::temp_dir().join(format!("notes-lsp-open-save-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let path = root.join("saved.md");
        let text = "# What is a closure?\n\nA function with its scope.\n";
        std::fs::write(&path, text).unwrap();
        let state = State::default();
        let key = canonical_uri(&path_to_uri(&path)).to_string();
        read_again(&path, &state);
        let indexed = state.workspace.get(&key).expect("indexed");
        let uri: tower_lsp_server::ls_types::Uri = path_to_uri(&path).parse().unwrap();
        state.open(&uri, text, 1);
        // Saved as it is: the watcher reports a change.
        read_again(&path, &state);
        let kept = state.workspace.get(&key).expect("kept while open");
        assert!(Arc::ptr_eq(&kept, &indexed));
        // Closed unchanged: not parsed again.
        state.close(&uri);
        read_again(&path, &state);
        assert!(Arc::ptr_eq(&state.workspace.get(&key).unwrap(), &indexed));
        // Changed on disk while open: kept until closed, then made from the new text.
        state.open(&uri, text, 2);
        std::fs::write(&path, "# What is a generator?\n").unwrap();
        read_again(&path, &state);
        assert!(Arc::ptr_eq(&state.workspace.get(&key).unwrap(), &indexed));
        state.close(&uri);
        read_again(&path, &state);
        let now = state.workspace.get(&key).expect("read again");
        assert_eq!(
            now.heading(0).map(|h| h.title),
            Some("What is a generator?")
        );
        // Gone from disk: dropped.
        std::fs::remove_file(&path).unwrap();
        read_again(&path, &state);
        assert!(state.workspace.get(&key).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_folder_made_stands_for_the_notes_in_it() {
        use tower_lsp_server::ls_types::FileChangeType as T;
        let root =
            std::env::temp_dir().join(format!("notes-lsp-new-folder-{}", std::process::id()));
        let topics = root.join("topics");
        std::fs::create_dir_all(topics.join("deeper")).unwrap();
        std::fs::write(topics.join("fresh.md"), "# Fresh\n").unwrap();
        std::fs::write(topics.join("deeper/more.md"), "# More\n").unwrap();
        std::fs::write(topics.join("image.png"), "").unwrap();
        let other = root.join("other.md");
        let mut got = super::with_new_folders(
            std::slice::from_ref(&root),
            vec![(topics.clone(), T::CREATED), (other.clone(), T::DELETED)],
        );
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            [
                (other, T::DELETED),
                (topics.join("deeper/more.md"), T::CREATED),
                (topics.join("fresh.md"), T::CREATED),
            ]
        );
        // Outside the workspace folders: left as it was (and dropped later).
        let outside = super::with_new_folders(
            &[root.join("elsewhere")],
            vec![(topics.clone(), T::CREATED)],
        );
        assert_eq!(outside, [(topics, T::CREATED)]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn indexing_threads_run_when_idle() {
        let policy = std::thread::spawn(|| {
            super::run_when_idle();
            // SAFETY: reads the calling thread's scheduling policy.
            unsafe { libc::sched_getscheduler(0) }
        })
        .join()
        .unwrap();
        assert_eq!(policy, libc::SCHED_IDLE);
        // SAFETY: as above; the test's own thread is left as it was.
        assert_eq!(unsafe { libc::sched_getscheduler(0) }, libc::SCHED_OTHER);
    }
}
