//! Watching the workspace folders from the server, for clients that watch no files for it
//! (Neovim 0.11 by default, any client without a workspace folder). Each folder the indexer
//! would enter is watched on its own, not recursively, so that ignored trees
//! (`node_modules`, build output) cost no watches; a folder created later is watched when it
//! appears, and the notes already in it are reported as created.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use tower_lsp_server::ls_types::{FileChangeType, MessageType};
use tracing::{info, warn};

use super::Backend;
use crate::files;
use crate::workspace::uri_to_path;

/// Events that come within this long of the first are handed on together (an editor's save
/// is often a write, a rename and a metadata change).
const SETTLE: Duration = Duration::from_millis(100);

/// One change on disk, as `workspace/didChangeWatchedFiles` would report it.
pub type Change = (PathBuf, FileChangeType);

/// Watches `roots` on a thread of its own and sends each settled batch of changes; stops
/// when the receiver is dropped. `false` (with a warning) when no watcher could start.
pub fn start(roots: Vec<PathBuf>, out: tokio::sync::mpsc::UnboundedSender<Vec<Change>>) -> bool {
    let (tx, rx) = mpsc::channel();
    let watcher = match notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => {
            warn!("cannot watch the workspace folders for changes: {e}");
            return false;
        }
    };
    std::thread::Builder::new()
        .name("notes-lsp-watch".into())
        .spawn(move || run(watcher, &roots, &rx, &out))
        .map_err(|e| warn!("cannot start the file watcher: {e}"))
        .is_ok()
}

fn run(
    mut watcher: notify::RecommendedWatcher,
    roots: &[PathBuf],
    rx: &mpsc::Receiver<notify::Result<Event>>,
    out: &tokio::sync::mpsc::UnboundedSender<Vec<Change>>,
) {
    let mut watched = 0;
    for root in roots {
        for dir in files::folders(root) {
            watched += usize::from(watch(&mut watcher, &dir));
        }
    }
    info!("watching {watched} folders for notes changed on disk");
    while let Ok(first) = rx.recv() {
        let mut events = vec![first];
        let until = Instant::now() + SETTLE;
        loop {
            match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(e) => events.push(e),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let mut batch = Vec::new();
        for event in events {
            match event {
                Ok(event) => batch.extend(changes(&event)),
                Err(e) => warn!("file watcher: {e}"),
            }
        }
        let mut settled = Vec::new();
        for (path, typ) in batch {
            if typ == FileChangeType::CREATED && path.is_dir() {
                settled.extend(new_folder(&mut watcher, roots, &path));
            } else {
                settled.push((path, typ));
            }
        }
        settled.dedup();
        if !settled.is_empty() && out.send(settled).is_err() {
            return;
        }
    }
}

fn watch(watcher: &mut notify::RecommendedWatcher, dir: &Path) -> bool {
    match watcher.watch(dir, RecursiveMode::NonRecursive) {
        Ok(()) => true,
        Err(e) => {
            warn!("cannot watch {}: {e}", dir.display());
            false
        }
    }
}

/// A folder that appeared (made, or moved in): its folders watched, its notes created.
fn new_folder(
    watcher: &mut notify::RecommendedWatcher,
    roots: &[PathBuf],
    dir: &Path,
) -> Vec<Change> {
    let Some(root) = roots.iter().find(|r| dir.starts_with(r)) else {
        return Vec::new();
    };
    if files::is_ignored(root, dir) {
        return Vec::new();
    }
    for sub in files::folders(dir) {
        watch(watcher, &sub);
    }
    let (notes, _) = files::walk(dir, |_| true);
    notes
        .into_iter()
        .map(|p| (p, FileChangeType::CREATED))
        .collect()
}

/// What one watcher event says changed. A rename reports the old path deleted and the new
/// one created; access and metadata-only events say nothing about a note's text.
pub fn changes(event: &Event) -> Vec<Change> {
    use FileChangeType as T;
    let all = |typ: T| event.paths.iter().map(|p| (p.clone(), typ)).collect();
    match &event.kind {
        EventKind::Create(_) => all(T::CREATED),
        EventKind::Remove(_) => all(T::DELETED),
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => all(T::DELETED),
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => all(T::CREATED),
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            let mut out: Vec<Change> = event
                .paths
                .iter()
                .map(|p| (p.clone(), T::CREATED))
                .collect();
            if let Some(first) = out.first_mut() {
                first.1 = T::DELETED;
            }
            out
        }
        // A rename of unknown direction: what is there now.
        EventKind::Modify(ModifyKind::Name(_)) => event
            .paths
            .iter()
            .map(|p| (p.clone(), if p.exists() { T::CREATED } else { T::DELETED }))
            .collect(),
        EventKind::Modify(ModifyKind::Metadata(_)) | EventKind::Access(_) => Vec::new(),
        EventKind::Modify(_) | EventKind::Any | EventKind::Other => all(T::CHANGED),
    }
}

impl Backend {
    /// Watches `roots` from the server and keeps the index current from what it sees.
    pub(super) fn watch_disk(&self, roots: Vec<PathBuf>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        if !start(roots, tx) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            while let Some(changes) = rx.recv().await {
                if this.state.is_shut_down() {
                    break;
                }
                this.paths_changed(changes).await;
            }
        });
    }

    /// Without a workspace folder, the folder of the first note opened becomes the root
    /// (indexed and watched), and the user is told so once. `/`, the home folder and the
    /// temporary folder are not taken: indexing all of one would cost more than it gives.
    pub(super) async fn adopt_root_of(&self, uri: &str) {
        if !self.state.roots().is_empty()
            || self
                .state
                .adopted_root
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let Some(dir) = uri_to_path(uri).and_then(|p| p.parent().map(Path::to_path_buf)) else {
            return;
        };
        if !dir.is_dir() {
            return;
        }
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if dir.parent().is_none() || Some(&dir) == home.as_ref() || dir == std::env::temp_dir() {
            let message = format!(
                "notes-lsp: no workspace folder, and {} is too wide to index: links and questions across notes are off. Open a folder of notes to have them.",
                dir.display()
            );
            info!("{message}");
            self.client.show_message(MessageType::INFO, message).await;
            return;
        }
        let message = format!(
            "notes-lsp: no workspace folder; the notes in {} are indexed for links and questions across notes.",
            dir.display()
        );
        info!("{message}");
        self.client.show_message(MessageType::INFO, message).await;
        *self.state.roots.write().unwrap_or_else(|e| e.into_inner()) = vec![dir.clone()];
        self.reload_settings().await;
        self.watch_disk(vec![dir]);
        self.index_workspace().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind};

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        e
    }

    #[test]
    fn events_become_the_changes_a_client_would_report() {
        use FileChangeType as T;
        let a = PathBuf::from("/n/a.md");
        let b = PathBuf::from("/n/b.md");
        assert_eq!(
            changes(&event(EventKind::Create(CreateKind::File), &["/n/a.md"])),
            vec![(a.clone(), T::CREATED)]
        );
        assert_eq!(
            changes(&event(
                EventKind::Modify(ModifyKind::Data(DataChange::Content)),
                &["/n/a.md"]
            )),
            vec![(a.clone(), T::CHANGED)]
        );
        assert_eq!(
            changes(&event(EventKind::Remove(RemoveKind::File), &["/n/a.md"])),
            vec![(a.clone(), T::DELETED)]
        );
        assert_eq!(
            changes(&event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/n/a.md", "/n/b.md"]
            )),
            vec![(a.clone(), T::DELETED), (b, T::CREATED)]
        );
        assert!(
            changes(&event(
                EventKind::Modify(ModifyKind::Metadata(notify::event::MetadataKind::Any)),
                &["/n/a.md"]
            ))
            .is_empty()
        );
    }
}
