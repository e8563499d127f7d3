//! The command line over hostile files, and the safety rules: nothing run, nothing read
//! outside the workspace, nothing written.

use super::*;

// ---------------------------------------------------------------------------------------------
// the command line

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "notes-lsp-rel-{}-{name}-{}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempDir(dir.canonicalize().expect("canonical"))
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `notes-lsp` with `args` in `cwd`, failing after a generous bound (a hang detector).
fn run_cli(args: &[&str], cwd: &Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("notes-lsp starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("notes-lsp {args:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code(),
        String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn check_survives_hostile_files_and_does_not_follow_symlink_loops() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("check");
    dir.write("notes/ok.md", "# Fine\n\n### Is it?\n\nYes.\n");
    dir.write("notes/latin1.md", b"# Caf\xe9\n\ntext\n");
    dir.write("notes/nul.md", "# N\0L\n\n```python\nx = '\0'\n```\n");
    dir.write(
        "notes/deep.md",
        format!("```python\nx = {}1\n```\n", "-".repeat(100_000)),
    );
    dir.write("notes/endings.md", "# A\r\nb\rc\n\r\n```py\r\nx = (\r```\n");
    // Loops: a folder linking to itself and to its parent, and two links to each other.
    symlink(dir.0.join("notes"), dir.0.join("notes/self")).unwrap();
    symlink(&dir.0, dir.0.join("notes/up")).unwrap();
    symlink(dir.0.join("notes/b.md"), dir.0.join("notes/a.md")).unwrap();
    symlink(dir.0.join("notes/a.md"), dir.0.join("notes/b.md")).unwrap();
    let (code, out, err) = run_cli(&["check", "--format", "json", "notes"], &dir.0);
    assert_eq!(code, Some(2), "unreadable latin1.md: exit 2\n{out}\n{err}");
    assert!(err.contains("latin1.md"), "{err}");
    let items: Vec<Value> = serde_json::from_str(&out).expect("a JSON array");
    let paths: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|d| d["path"].as_str()).collect();
    for p in ["notes/nul.md", "notes/deep.md", "notes/endings.md"] {
        assert!(paths.contains(p), "{p} not reported: {paths:?}");
    }
    assert!(
        paths
            .iter()
            .all(|p| !p.contains("self/") && !p.contains("up/")),
        "a symlink was followed: {paths:?}"
    );
    let deep = items.iter().find(|d| d["path"] == "notes/deep.md").unwrap();
    assert!(
        deep["message"].as_str().unwrap().contains("too complex"),
        "{deep}"
    );
}

// ---------------------------------------------------------------------------------------------
// safety

/// A note whose samples would leave traces if anything ran them.
fn booby_trapped(marker: &Path) -> String {
    let m = marker.display();
    format!(
        "# Traps\n\n```python\nopen('{m}-py', 'w').write('ran')\n```\n\n```pycon\n>>> import os\n\
         >>> os.system('touch {m}-pycon')\n```\n\n```bash\ntouch {m}-sh\n```\n\n    import os\n    \
         os.system('touch {m}-indented')\n\n```json\n{{\"x\": \"$(touch {m}-json)\"}}\n```\n"
    )
}

fn traces(marker: &Path) -> Vec<PathBuf> {
    ["py", "pycon", "sh", "indented", "json"]
        .iter()
        .map(|s| PathBuf::from(format!("{}-{s}", marker.display())))
        .filter(|p| p.exists())
        .collect()
}

/// Names, sizes and modification times of everything under `dir`, symlinks not followed.
fn tree(dir: &Path) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            out.push((e.path(), meta.len(), meta.modified().ok()));
            if meta.is_dir() {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn samples_are_never_run_and_the_server_reads_only_the_workspace_and_writes_nothing() {
    use std::os::unix::fs::symlink;
    let outside = TempDir::new("outside");
    outside.write(
        "secret.md",
        "# Outside\n\n### What is the outsider secret question?\n\nx\n",
    );
    let ws = TempDir::new("ws");
    let marker = ws.0.join("trace");
    ws.write("traps.md", booby_trapped(&marker));
    ws.write(
        "inside.md",
        "# Inside\n\n### What is the insider question?\n\ny\n",
    );
    symlink(outside.0.join("secret.md"), ws.0.join("link.md")).unwrap();
    symlink(&outside.0, ws.0.join("outdir")).unwrap();
    // A FIFO named like a note: reading it would block forever.
    let fifo = ws.0.join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");

    // The command line checks the traps without running them.
    let (code, out, err) = run_cli(&["check", "."], &ws.0);
    assert!(code.is_some(), "{out}\n{err}");
    assert_eq!(traces(&marker), Vec::<PathBuf>::new(), "a sample ran");

    let before = tree(&ws.0);
    let uri = |p: &Path| format!("file://{}", p.display());
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": uri(&ws.0), "name": "ws"}],
        "capabilities": {
            "window": {"workDoneProgress": true},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
        },
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let found = |c: &mut Client, q: &str| -> Vec<String> {
        let r = c.request("workspace/symbol", json!({"query": q}));
        r.as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["location"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    assert!(!found(&mut c, "insider question").is_empty());
    assert!(
        found(&mut c, "outsider secret").is_empty(),
        "a file outside the workspace was read through a symlink"
    );
    let doc = c.open(&uri(&ws.0.join("traps.md")), &booby_trapped(&marker));
    c.diagnostics_for_version(&doc.uri, 1);
    symbols_of(&mut c, &doc.uri);
    // File events naming the FIFO, the symlink, a path that climbs out, and a real new note:
    // the real one is indexed (nothing before it blocked), the others are not read.
    ws.write(
        "new.md",
        "# New\n\n### What is the newcomer question?\n\nz\n",
    );
    let climbing = format!("{}/../{}/secret.md", ws.0.display(), {
        outside.0.file_name().unwrap().to_str().unwrap()
    });
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&fifo), "type": 2},
            {"uri": uri(&ws.0.join("link.md")), "type": 1},
            {"uri": format!("file://{climbing}"), "type": 1},
            {"uri": uri(&ws.0.join("outdir/secret.md")), "type": 1},
            {"uri": uri(&ws.0.join("new.md")), "type": 1},
        ]}),
    );
    let deadline = Instant::now() + TIMEOUT;
    while found(&mut c, "newcomer question").is_empty() {
        assert!(Instant::now() < deadline, "new.md was never indexed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        found(&mut c, "outsider secret").is_empty(),
        "a file outside the workspace was read"
    );
    c.shutdown_and_exit();
    assert_eq!(traces(&marker), Vec::<PathBuf>::new(), "a sample ran");
    let mut after = tree(&ws.0);
    after.retain(|(p, ..)| !p.ends_with("new.md"));
    assert_eq!(before, after, "the server changed the workspace");
}

#[cfg(unix)]
#[test]
fn hostile_ignore_and_settings_files_neither_hang_nor_abort() {
    use std::os::unix::fs::symlink;
    let ws = TempDir::new("hostile");
    ws.write(
        "note.md",
        "# Note\n\n### What is the steadfast question?\n\nx\n",
    );
    std::fs::create_dir_all(ws.0.join("sub")).unwrap();
    ws.write(
        "sub/deep.md",
        "# Deep\n\n### What is the deeper question?\n\ny\n",
    );
    for fifo in [".gitignore", ".notes-lsp.toml"] {
        let made = Command::new("mkfifo").arg(ws.0.join(fifo)).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    symlink("/dev/zero", ws.0.join(".ignore")).unwrap();
    symlink("/dev/zero", ws.0.join("sub/.gitignore")).unwrap();

    // `check` walks the folder (the ignore files not applied, and said so) and names the
    // settings file it could not read.
    let (code, out, err) = run_cli(&["check", "."], &ws.0);
    assert_eq!(code, Some(2), "{out}\n{err}");
    assert!(err.contains("checked 2 files"), "{out}\n{err}");
    for name in [".gitignore", ".ignore", "sub/.gitignore", ".notes-lsp.toml"] {
        assert!(err.contains(name), "{name} not reported:\n{err}");
    }
    // Named, a FIFO, a link to /dev/zero and a folder named like a note exit 2 at once.
    let made = Command::new("mkfifo").arg(ws.0.join("pipe.md")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    symlink("/dev/zero", ws.0.join("zero.md")).unwrap();
    std::fs::create_dir_all(ws.0.join("dir.md")).unwrap();
    for named in ["pipe.md", "zero.md", "dir.md"] {
        let (code, out, err) = run_cli(&["check", named], &ws.0);
        assert_eq!(code, Some(2), "{named}: {out}\n{err}");
        assert!(err.contains(named), "{named}: {err}");
    }

    let uri = |p: &Path| format!("file://{}", p.display());
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": uri(&ws.0), "name": "ws"}],
        "capabilities": {"window": {"workDoneProgress": true}},
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    for q in ["steadfast question", "deeper question"] {
        let r = c.request("workspace/symbol", json!({"query": q}));
        assert!(!r.as_array().unwrap().is_empty(), "{q}: {r}");
    }
    c.shutdown_and_exit();
}
