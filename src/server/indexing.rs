//! The workspace index: finding the notes under the workspace folders, summarizing them in
//! the background with `$/progress`, keeping them current from file-watcher events, and the
//! `.notes-lsp.toml` settings file at a root.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::*;
use tracing::{info, warn};

use super::{Backend, State};
use crate::config;
use crate::workspace::{NoteSummary, canonical_uri, path_to_uri, uri_to_path};

/// Notes bigger than this are not indexed (they are still checked when opened).
pub const MAX_NOTE_BYTES: u64 = 8 * 1024 * 1024;
/// Files summarized per blocking task: progress is reported between batches, and requests
/// are answered meanwhile.
const BATCH: usize = 32;

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
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker.flatten() {
            if entry.file_type().is_some_and(|t| t.is_file()) && is_note(entry.path()) {
                out.push(entry.into_path());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the directory walk from `root` would skip `path`: a hidden component, or a match
/// in a `.gitignore`/`.ignore` of any folder from the root down.
fn is_ignored(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return true;
    };
    if rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return true;
    }
    let mut dir = root.to_path_buf();
    let mut folders = vec![dir.clone()];
    for c in rel.parent().into_iter().flat_map(|p| p.components()) {
        dir.push(c);
        folders.push(dir.clone());
    }
    folders.iter().any(|folder| {
        let mut builder = ignore::gitignore::GitignoreBuilder::new(folder);
        let mut any = false;
        for name in [".gitignore", ".ignore"] {
            let file = folder.join(name);
            if file.is_file() {
                any |= builder.add(file).is_none();
            }
        }
        any && builder
            .build()
            .is_ok_and(|g| g.matched_path_or_any_parents(path, false).is_ignore())
    })
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

fn summarize(path: &Path, state: &State) -> Option<NoteSummary> {
    // An open note is summarized from the editor's text (and read from disk again when it is
    // closed): parsing a big note twice at startup doubled the time to its first diagnostics.
    let uri = path_to_uri(path);
    if state
        .documents()
        .iter()
        .any(|d| canonical_uri(&d.uri) == uri)
    {
        return None;
    }
    if !regular_file(path) {
        info!("not indexing {}: not a regular file", path.display());
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_NOTE_BYTES {
        info!(
            "not indexing {}: {} bytes is over the limit",
            path.display(),
            meta.len()
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            warn!("not indexing {}: {e}", path.display());
            return None;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        info!("not indexing {}: not UTF-8", path.display());
        return None;
    };
    Some(NoteSummary::from_text(
        &path_to_uri(path),
        &text,
        state.config().slugs,
    ))
}

/// Summarizes `paths` on two threads.
fn summarize_all(paths: &[PathBuf], state: &State) -> Vec<NoteSummary> {
    let half = paths.len().div_ceil(2);
    let (a, b) = paths.split_at(half);
    std::thread::scope(|s| {
        let second = s.spawn(|| {
            b.iter()
                .filter_map(|p| summarize(p, state))
                .collect::<Vec<_>>()
        });
        let mut out: Vec<_> = a.iter().filter_map(|p| summarize(p, state)).collect();
        out.extend(second.join().unwrap_or_default());
        out
    })
}

/// The first root's `.notes-lsp.toml`, as settings JSON (null when there is none).
pub fn file_settings(roots: &[PathBuf]) -> (serde_json::Value, Vec<String>) {
    for root in roots {
        let path = root.join(config::FILE_NAME);
        if !regular_file(&path) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path) {
            return match config::from_toml(&text) {
                Ok(v) => (v, Vec::new()),
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
        let mut done = 0;
        for batch in paths.chunks(BATCH) {
            let batch = batch.to_vec();
            let state = self.state.clone();
            let summaries = tokio::task::spawn_blocking(move || summarize_all(&batch, &state))
                .await
                .unwrap_or_default();
            for s in summaries {
                self.state.workspace.insert(s);
            }
            done += BATCH.min(total - done);
            if let Some(bar) = &bar {
                let pct = (done * 100 / total.max(1)) as u32;
                bar.report_with_message(format!("{done}/{total}"), pct)
                    .await;
            }
        }
        if let Some(bar) = bar {
            bar.finish_with_message(format!("{} notes indexed", self.state.workspace.len()))
                .await;
        }
        info!(
            "indexed {} notes of {total} found in {:.0?}",
            self.state.workspace.len(),
            started.elapsed()
        );
        self.republish_all().await;
    }

    /// Asks the client to tell us about note files that change on disk.
    pub(super) async fn watch_files(&self) {
        if !self.state.supports_watch_registration() {
            return;
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
            ],
        };
        let registration = Registration {
            id: "notes-lsp/watch-notes".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            warn!("could not register the file watcher: {e}");
        }
    }

    pub(super) async fn files_changed(&self, changes: Vec<FileEvent>) {
        let roots = self.state.roots();
        let mut settings_changed = false;
        for change in changes {
            let Some(path) = uri_to_path(change.uri.as_str()) else {
                continue;
            };
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
            if !is_note(&path)
                || escapes
                || !resolves_under(&path, &roots)
                || is_ignored(root, &path)
            {
                continue;
            }
            let uri = path_to_uri(&path);
            if change.typ == FileChangeType::DELETED {
                self.state.workspace.remove(&uri);
                continue;
            }
            let state = self.state.clone();
            let summary = tokio::task::spawn_blocking(move || summarize(&path, &state))
                .await
                .ok()
                .flatten();
            match summary {
                Some(s) => self.state.workspace.insert(s),
                None => self.state.workspace.remove(&uri),
            }
        }
        if settings_changed {
            self.reload_settings().await;
        }
        self.republish_all().await;
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
        let (config, more) = config::Config::from_json(&config::merge(&file, &client));
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
