//! Reading what a workspace holds without trusting it. Notes, ignore files and settings are
//! opened once without blocking (a FIFO cannot stall the open), checked to be regular files on
//! the open handle (a file swapped for a FIFO or a device after a look at its path is caught),
//! and read up to a cap (a link to `/dev/zero` cannot exhaust memory). Folders are walked with
//! `.gitignore`/`.ignore` files read the same way.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Notes bigger than this are not read from disk: not indexed, not checked by `check` (an
/// open note is checked whatever its size).
pub const MAX_NOTE_BYTES: u64 = 8 * 1024 * 1024;

/// Ignore and settings files bigger than this are not read.
pub const MAX_SIDE_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum Refused {
    /// A FIFO, a device, a socket or a folder: reading it could block or never end.
    NotRegular(&'static str),
    TooBig {
        len: u64,
        cap: u64,
    },
    NotUtf8 {
        at: usize,
    },
    Io(std::io::Error),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            Refused::TooBig { len, cap } => {
                write!(f, "{len} bytes is over the limit of {cap}")
            }
            Refused::NotUtf8 { at } => write!(f, "not UTF-8 (invalid byte at offset {at})"),
            Refused::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Opens `path` for reading without waiting for a writer (a FIFO's open would).
fn open(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "not a file" }
}

/// The bytes of the regular file at `path` (symlinks followed), at most `cap` of them.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, Refused> {
    let file = open(path).map_err(Refused::Io)?;
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular(kind(meta.file_type())));
    }
    if meta.len() > cap {
        return Err(Refused::TooBig {
            len: meta.len(),
            cap,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows after the look stops at the cap all the same.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refused::TooBig {
            len: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// [`read_capped`], as UTF-8 text.
pub fn read_text(path: &Path, cap: u64) -> Result<String, Refused> {
    let bytes = read_capped(path, cap)?;
    String::from_utf8(bytes).map_err(|e| Refused::NotUtf8 {
        at: e.utf8_error().valid_up_to(),
    })
}

/// A file passed over while walking, and why.
pub type Skipped = (PathBuf, String);

/// The ignore rules of the folders under one root, read as the walk reaches them.
#[derive(Default)]
struct Rules {
    /// Per folder, its `.gitignore` and `.ignore` rules (`None`: it has neither).
    by_folder: HashMap<PathBuf, Option<Gitignore>>,
    skipped: Vec<Skipped>,
}

impl Rules {
    fn of_folder(&mut self, folder: &Path) -> Option<&Gitignore> {
        if !self.by_folder.contains_key(folder) {
            let rules = self.read(folder);
            self.by_folder.insert(folder.to_path_buf(), rules);
        }
        self.by_folder.get(folder).and_then(Option::as_ref)
    }

    fn read(&mut self, folder: &Path) -> Option<Gitignore> {
        let mut builder = GitignoreBuilder::new(folder);
        let mut any = false;
        for name in [".gitignore", ".ignore"] {
            let file = folder.join(name);
            if std::fs::symlink_metadata(&file).is_err() {
                continue;
            }
            match read_text(&file, MAX_SIDE_FILE_BYTES) {
                Ok(text) => {
                    for line in text.lines() {
                        // A line that is no valid pattern is left out, as git does.
                        let _ = builder.add_line(Some(file.clone()), line);
                    }
                    any = true;
                }
                Err(why) => self
                    .skipped
                    .push((file, format!("ignore file not read: {why}"))),
            }
        }
        any.then(|| builder.build().ok()).flatten()
    }

    /// Whether `path` (under `root`) is ignored: a hidden name below `root`, or the
    /// deepest ignore file with a matching rule ignores it.
    fn ignores(&mut self, root: &Path, path: &Path, is_dir: bool) -> bool {
        let Ok(rel) = path.strip_prefix(root) else {
            return false;
        };
        if rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        {
            return true;
        }
        let mut folders: Vec<&Path> = path
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(root))
            .collect();
        folders.reverse();
        let mut ignored = false;
        for folder in folders {
            if let Some(rules) = self.of_folder(folder) {
                let m = rules.matched(path, is_dir);
                if m.is_ignore() {
                    ignored = true;
                } else if m.is_whitelist() {
                    ignored = false;
                }
            }
        }
        ignored
    }
}

/// Whether a walk of `root` would pass over `path` (for files reported by a watcher).
pub fn is_ignored(root: &Path, path: &Path) -> bool {
    if !path.starts_with(root) {
        return true;
    }
    let mut rules = Rules::default();
    let ancestors: Vec<&Path> = path
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(root) && *a != root)
        .collect();
    // A folder on the way that is ignored hides everything in it.
    ancestors.iter().rev().any(|a| rules.ignores(root, a, true)) || rules.ignores(root, path, false)
}

/// The files under `root` that `wanted` accepts, in walk order: hidden files and folders
/// and what `.gitignore`/`.ignore` files exclude are passed over (in or out of a git
/// repository), symlinks are not followed. Ignore files that cannot be read safely are
/// reported in the second list and their rules not applied.
pub fn walk(root: &Path, wanted: impl Fn(&Path) -> bool) -> (Vec<PathBuf>, Vec<Skipped>) {
    walk_entries(root, |e| {
        e.file_type().is_some_and(|t| t.is_file()) && wanted(e.path())
    })
}

/// The folders [`walk`] would enter under `root`, `root` first (what a watcher watches).
pub fn folders(root: &Path) -> Vec<PathBuf> {
    walk_entries(root, |e| e.file_type().is_some_and(|t| t.is_dir())).0
}

fn walk_entries(
    root: &Path,
    wanted: impl Fn(&ignore::DirEntry) -> bool,
) -> (Vec<PathBuf>, Vec<Skipped>) {
    let rules = Arc::new(Mutex::new(Rules::default()));
    let filter_rules = rules.clone();
    let top = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let mut r = filter_rules.lock().unwrap_or_else(|e| e.into_inner());
            !r.ignores(&top, e.path(), is_dir)
        })
        .build();
    let mut out = Vec::new();
    for entry in walker.flatten() {
        if wanted(&entry) {
            out.push(entry.into_path());
        }
    }
    let skipped = std::mem::take(&mut rules.lock().unwrap_or_else(|e| e.into_inner()).skipped);
    (out, skipped)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A folder of its own under the system's temporary folder, removed when dropped.
    struct Temp(PathBuf);

    impl Temp {
        fn new(name: &str) -> Temp {
            let dir =
                std::env::temp_dir().join(format!("notes-lsp-files-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Temp(dir)
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    }

    #[test]
    fn fifos_devices_and_folders_are_refused_without_blocking() {
        let t = Temp::new("refuse");
        let fifo = t.0.join("a.md");
        mkfifo(&fifo);
        assert!(matches!(
            read_text(&fifo, 1 << 20),
            Err(Refused::NotRegular("a FIFO"))
        ));
        let zero = t.0.join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(
            read_text(&zero, 1 << 20),
            Err(Refused::NotRegular("a device"))
        ));
        std::fs::create_dir(t.0.join("dir.md")).unwrap();
        assert!(matches!(
            read_text(&t.0.join("dir.md"), 1 << 20),
            Err(Refused::NotRegular(_))
        ));
        let big = t.0.join("big.md");
        std::fs::write(&big, "x".repeat(100)).unwrap();
        assert!(matches!(
            read_text(&big, 10),
            Err(Refused::TooBig { len: 100, cap: 10 })
        ));
        assert_eq!(read_text(&big, 100).unwrap().len(), 100);
    }

    #[test]
    fn hostile_ignore_files_are_skipped_and_reported() {
        let t = Temp::new("walk");
        std::fs::create_dir_all(t.0.join("a/b")).unwrap();
        std::fs::create_dir_all(t.0.join("fifo")).unwrap();
        std::fs::create_dir_all(t.0.join(".hidden")).unwrap();
        for f in [
            "top.md",
            "a/keep.md",
            "a/drop.md",
            "a/b/deep.md",
            "a/b/back.md",
            "fifo/n.md",
            ".hidden/h.md",
            "x.txt",
        ] {
            std::fs::write(t.0.join(f), "# N\n").unwrap();
        }
        std::fs::write(t.0.join(".gitignore"), "drop.md\nb/\n").unwrap();
        std::fs::write(t.0.join("a/.gitignore"), "!b/\n").unwrap();
        std::fs::write(t.0.join("a/b/.ignore"), "back.md\n").unwrap();
        mkfifo(&t.0.join("fifo/.gitignore"));
        std::os::unix::fs::symlink("/dev/zero", t.0.join("fifo/.ignore")).unwrap();
        let (mut files, skipped) = walk(&t.0, |p| p.extension().is_some_and(|e| e == "md"));
        files.sort();
        let rel: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(&t.0).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(rel, ["a/b/deep.md", "a/keep.md", "fifo/n.md", "top.md"]);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(is_ignored(&t.0, &t.0.join("a/drop.md")));
        assert!(is_ignored(&t.0, &t.0.join("a/b/back.md")));
        assert!(!is_ignored(&t.0, &t.0.join("a/b/deep.md")));
        assert!(is_ignored(&t.0, &t.0.join(".hidden/h.md")));
    }
}
