//! Records which commit a build comes from, for `notes-lsp --version` and the LSP
//! `serverInfo`: sets `NOTES_LSP_BUILD` to `<12-hex commit>[-dirty] <commit date>` (release
//! builds of a git checkout), `<12-hex commit>[-dirty]` (a packaged crate, from the
//! `.cargo_vcs_info.json` that `cargo package` writes), else `commit unknown`. Debug builds
//! say `debug build`: tracking HEAD there would rebuild the crate and every test binary on
//! each commit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let build = packaged(&dir)
        .or_else(|| {
            let release = std::env::var("PROFILE").as_deref() == Ok("release");
            if release {
                from_git(&dir)
            } else {
                Some("debug build".into())
            }
        })
        .unwrap_or_else(|| "commit unknown".into());
    println!("cargo:rustc-env=NOTES_LSP_BUILD={build}");
}

/// The commit `cargo package` recorded: `{"git": {"sha1": "…", "dirty": true}, …}`.
fn packaged(dir: &Path) -> Option<String> {
    let file = dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&file).ok()?;
    watch(&file);
    let sha = json_string(&text, "sha1")?;
    let hex = sha
        .get(..12)
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let dirty = text.contains("\"dirty\": true") || text.contains("\"dirty\":true");
    Some(format!("{hex}{}", if dirty { "-dirty" } else { "" }))
}

/// Reruns the build script when `file` changes; only a file that exists, since cargo takes
/// a missing one as changed on every build.
fn watch(file: &Path) {
    if file.exists() {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

/// The value of the first `"key": "value"` in a small JSON text (no escapes in a sha1).
fn json_string<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let rest = &text[text.find(&format!("\"{key}\""))? + key.len() + 2..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// HEAD of the checkout whose root is `dir`, and whether the build's inputs differ from it.
/// A crate vendored inside some other repository is not that repository's commit.
fn from_git(dir: &Path) -> Option<String> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // Rerun when HEAD moves (a commit, a checkout, a rebase) or an input changes.
    let git_dir = top.join(git(dir, &["rev-parse", "--git-dir"])?);
    let common = top.join(git(dir, &["rev-parse", "--git-common-dir"])?);
    for file in [
        git_dir.join("HEAD"),
        git_dir.join("index"),
        common.join("packed-refs"),
    ] {
        watch(&file);
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        // A branch only in packed-refs gets its file again at the next commit.
        let file = common.join(branch);
        watch(if file.exists() { &file } else { file.parent()? });
    }
    const INPUTS: [&str; 4] = ["src", "Cargo.toml", "Cargo.lock", "build.rs"];
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    let line = git(dir, &["log", "-1", "--format=%H %cs"])?;
    let (sha, date) = line.split_once(' ')?;
    // Without optional locks `git status` leaves the index alone (a refreshed index would
    // rerun this script on the next build).
    let mut status = vec!["--no-optional-locks", "status", "--porcelain", "--"];
    status.extend(INPUTS);
    let dirty = !git(dir, &status)?.is_empty();
    Some(format!(
        "{}{} {date}",
        sha.get(..12)?,
        if dirty { "-dirty" } else { "" }
    ))
}
