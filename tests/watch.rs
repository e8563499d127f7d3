//! A fresh index without the client's help, through the real binary: a client that watches
//! no files (Neovim 0.11's default) still sees notes created, changed, moved and deleted from
//! the shell, in new folders too, and not in ignored ones; a client with no workspace folder
//! gets the folder of the first note it opens, and is told so.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// A temporary folder, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir =
            std::env::temp_dir().join(format!("notes-lsp-watch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir.canonicalize().unwrap())
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn uri(&self, rel: &str) -> String {
        let p = if rel.is_empty() {
            self.0.clone()
        } else {
            self.0.join(rel)
        };
        format!("file://{}", p.to_str().unwrap())
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The files whose symbols `query` finds, as paths relative to `dir`.
fn found_in(c: &mut Client, dir: &Path, query: &str) -> Vec<String> {
    let found = c.request("workspace/symbol", json!({ "query": query }));
    let prefix = format!("file://{}/", dir.to_str().unwrap());
    let mut files: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            s["location"]["uri"]
                .as_str()?
                .strip_prefix(&prefix)
                .map(str::to_string)
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

/// Asks until `query` finds symbols in exactly `want` (the watcher reports within a moment).
fn wait_found(c: &mut Client, dir: &Path, query: &str, want: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let files = found_in(c, dir, query);
        if files == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "workspace/symbol {query:?} finds {files:?}, not {want:?}\n{}",
            c.stderr_log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn start(folders: Value) -> Client {
    let mut c = Client::spawn_with_env(&[("NOTES_LSP_LOG", "info")]);
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": folders,
        // No didChangeWatchedFiles: the client watches nothing for the server.
        "capabilities": {"window": {"workDoneProgress": true}},
    }));
    c
}

#[test]
fn without_client_watching_the_server_sees_changes_made_from_the_shell() {
    let dir = Dir::new("shell");
    dir.write(
        "a.md",
        "# Alpha\n\n### What is a coroutine?\n\nA function that can pause.\n",
    );
    dir.write(".gitignore", "drafts/\n");
    dir.write("drafts/old.md", "# Drafts\n");
    let mut c = start(json!([{"uri": dir.uri(""), "name": "notes"}]));
    c.wait_notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("watching "))
    });
    wait_found(&mut c, &dir.0, "coroutine", &["a.md"]);

    // Created.
    dir.write(
        "b.md",
        "# Beta\n\n### What is a coroutine scheduler?\n\nIt runs them.\n",
    );
    wait_found(&mut c, &dir.0, "coroutine", &["a.md", "b.md"]);
    // Changed.
    dir.write(
        "b.md",
        "# Beta\n\n### What is an event loop?\n\nIt waits for events.\n",
    );
    wait_found(&mut c, &dir.0, "coroutine", &["a.md"]);
    wait_found(&mut c, &dir.0, "event loop", &["b.md"]);
    // In a folder made after the start, and one moved in with a note already in it.
    dir.write(
        "topics/c.md",
        "# Gamma\n\n### What is a task group?\n\nTasks ended together.\n",
    );
    wait_found(&mut c, &dir.0, "task group", &["topics/c.md"]);
    let outside = Dir::new("shell-outside");
    outside.write(
        "d.md",
        "# Delta\n\n### What is a semaphore?\n\nA counter of permits.\n",
    );
    std::fs::rename(&outside.0, dir.0.join("moved")).unwrap();
    wait_found(&mut c, &dir.0, "semaphore", &["moved/d.md"]);
    // Renamed.
    std::fs::rename(dir.0.join("b.md"), dir.0.join("b2.md")).unwrap();
    wait_found(&mut c, &dir.0, "event loop", &["b2.md"]);
    // A folder deleted takes its notes with it.
    std::fs::remove_dir_all(dir.0.join("topics")).unwrap();
    wait_found(&mut c, &dir.0, "task group", &[]);
    // Deleted.
    std::fs::remove_file(dir.0.join("a.md")).unwrap();
    wait_found(&mut c, &dir.0, "coroutine", &[]);
    // Ignored: never indexed, however long we wait for the note after it.
    dir.write(
        "drafts/new.md",
        "# Drafts\n\n### What is a green thread?\n\nA thread in user space.\n",
    );
    dir.write(
        "e.md",
        "# Epsilon\n\n### What is a future?\n\nA value to come.\n",
    );
    wait_found(&mut c, &dir.0, "future", &["e.md"]);
    assert_eq!(
        found_in(&mut c, &dir.0, "green thread"),
        Vec::<String>::new()
    );
    c.shutdown_and_exit();
}

#[test]
fn without_a_workspace_folder_the_first_notes_folder_is_taken_and_said_once() {
    let dir = Dir::new("nofolder");
    dir.write("a.md", "# Alpha\n\nSee [beta](b.md#what-is-a-closure).\n");
    dir.write(
        "b.md",
        "# Beta\n\n### What is a closure?\n\nA function with its variables.\n",
    );
    dir.write(
        "sub/c.md",
        "# Gamma\n\n### What is a decorator?\n\nA function around one.\n",
    );
    let mut c = start(Value::Null);
    assert_eq!(found_in(&mut c, &dir.0, "closure"), Vec::<String>::new());

    let a = std::fs::read_to_string(dir.0.join("a.md")).unwrap();
    let _doc = c.open(&dir.uri("a.md"), &a);
    let shown = c.wait_notification("window/showMessage", |_| true);
    assert_eq!(shown["type"], json!(3), "{shown}");
    let message = shown["message"].as_str().unwrap();
    assert!(
        message.contains("no workspace folder") && message.contains(dir.0.to_str().unwrap()),
        "{message}"
    );
    wait_found(&mut c, &dir.0, "closure", &["b.md"]);
    wait_found(&mut c, &dir.0, "decorator", &["sub/c.md"]);
    // The link into the other note resolves once it is indexed.
    let uri = dir.uri("a.md");
    c.wait_for_diagnostics(&uri, |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["code"] != "broken-link"))
    });
    // Watched too: a note created now is found.
    dir.write(
        "sub/d.md",
        "# Delta\n\n### What is a generator?\n\nA function that yields.\n",
    );
    wait_found(&mut c, &dir.0, "generator", &["sub/d.md"]);

    // A second note opened elsewhere changes nothing, and nothing more is said.
    let other = Dir::new("nofolder-other");
    other.write("x.md", "# X\n");
    let _other_doc = c.open(&other.uri("x.md"), "# X\n");
    std::thread::sleep(Duration::from_millis(300));
    c.request("workspace/symbol", json!({"query": "x"}));
    assert!(c.take_notifications("window/showMessage").is_empty());
    c.shutdown_and_exit();
}
