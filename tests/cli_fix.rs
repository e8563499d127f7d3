//! `notes-lsp check --fix` and `--diff` through the real binary, on notes written into
//! temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "notes-lsp-fix-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const MESSY: &str = "### How do you loop?\n\n```\nfor x in range(3):\n    print(x)\n```\n\n- See [looping](#how-do-you-loops).\n\n```python\nprint 'done'\n```\n";

const FIXED: &str = "### How do you loop?\n\n```python\nfor x in range(3):\n    print(x)\n```\n\n- See [looping](#how-do-you-loop).\n\n```python\nprint('done')\n```\n";

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let dir = TempDir::new("diff");
    let a = dir.write("a.md", MESSY);
    dir.write("clean.md", "# Clean\n\nNothing to fix.\n");
    let (code, out, err) = run(&["check", "--fix", "--diff", "."], &dir.0);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.starts_with("--- a/./a.md\n+++ b/./a.md\n@@ "), "{out}");
    assert!(out.contains("-```\n+```python\n"), "{out}");
    assert!(out.contains("-print 'done'\n+print('done')\n"), "{out}");
    assert!(!out.contains("clean.md"));
    assert!(
        err.contains(
            "would fix 1 file of 2: 3 fixes (add-language 1, print-call 1, link-anchor 1)"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap(), MESSY);
    // `--diff` alone means the same.
    let (code2, out2, _) = run(&["check", "--diff", "."], &dir.0);
    assert_eq!((code2, out2), (1, out));
}

#[test]
fn fix_writes_reports_and_checks_what_is_left() {
    let dir = TempDir::new("fix");
    let a = dir.write("a.md", MESSY);
    let (code, out, err) = run(&["check", "--fix", "a.md"], &dir.0);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(std::fs::read_to_string(&a).unwrap(), FIXED);
    assert!(err.contains("fixed a.md: 3 fixes"), "{err}");
    assert!(
        err.contains("checked 1 file: 0 errors, 0 diagnostics in all"),
        "{err}"
    );
    // Nothing left: a second run changes nothing.
    let (code, out, err) = run(&["check", "--diff", "a.md"], &dir.0);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("would fix 0 files of 1"), "{err}");
}

#[test]
fn fixes_of_diagnostics_turned_off_are_not_applied() {
    let dir = TempDir::new("off");
    dir.write(
        ".notes-lsp.toml",
        "[diagnostics]\nmissing-language = \"off\"\n",
    );
    dir.write("a.md", MESSY);
    let (_, out, _) = run(&["check", "--diff", "."], &dir.0);
    assert!(!out.contains("+```python\nfor"), "{out}");
    assert!(out.contains("+print('done')"), "{out}");
}
