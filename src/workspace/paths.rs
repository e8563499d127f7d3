//! File URIs and the paths links name: one spelling per file, `/`-rooted links from the
//! repository root, lexical normalization.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Where a link's note path points: relative to `dir` (the linking note's folder), or for a
/// `/`-rooted path relative to the repository root, as GitHub resolves it. `None` when the
/// root cannot be told.
pub fn note_path(dir: &Path, path: &str) -> Option<PathBuf> {
    match path.strip_prefix('/') {
        Some(rest) => Some(normalize(&repo_root(dir)?.join(rest))),
        None => Some(normalize(&dir.join(path))),
    }
}

/// The repository holding `dir`: the nearest folder at or above it with a `.git` or a
/// `.notes-lsp.toml`. Remembered per folder (links are checked on every keystroke).
fn repo_root(dir: &Path) -> Option<PathBuf> {
    static ROOTS: LazyLock<Mutex<HashMap<PathBuf, Option<PathBuf>>>> =
        LazyLock::new(Default::default);
    let mut roots = ROOTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = roots.get(dir) {
        return r.clone();
    }
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").exists() || d.join(".notes-lsp.toml").is_file())
        .map(Path::to_path_buf);
    if roots.len() >= 1024 {
        roots.clear();
    }
    roots.insert(dir.to_path_buf(), root.clone());
    root
}

/// Lexical normalization (`a/./b/../c` → `a/c`): symlinks are not followed.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Characters escaped in a file URI's path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub fn path_to_uri(path: &Path) -> String {
    format!(
        "file://{}",
        utf8_percent_encode(&path.to_string_lossy(), PATH)
    )
}

/// One spelling per file: clients may escape a path differently than `path_to_uri` does.
pub fn canonical_uri(uri: &str) -> String {
    uri_to_path(uri).map_or_else(|| uri.to_string(), |p| path_to_uri(&p))
}

pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path` is not a local file we can read.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    Some(PathBuf::from(
        percent_decode_str(path).decode_utf8_lossy().into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/my notes/中文 #1.md");
        let uri = path_to_uri(p);
        assert_eq!(uri, "file:///tmp/my%20notes/%E4%B8%AD%E6%96%87%20%231.md");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(p));
        assert_eq!(
            uri_to_path("file:///a/%E4%B8%AD.md"),
            Some(PathBuf::from("/a/中.md"))
        );
    }
}
