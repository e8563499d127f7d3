//! Running samples through the real server: the code lenses, the command they call, the
//! `output-mismatch` diagnostic and its quick fix (not part of fix-all), hover on a run
//! sample, a run killed by an edit, and `check --run --format json`. Runs get a long time
//! limit (a loaded machine starts interpreters slowly): what is tested ends them sooner.

mod common;

use common::Client;
use serde_json::{Value, json};

const NOTE: &str = "# Outputs\n\n```python\nnums = [1, 2, 3]\nprint(nums[::-1])  # [3, 2, 1]\nprint(len(nums))  # Output: 4\n```\n\n```js\nconsole.log([1, 2].map(x => x * 2)); // [2, 4]\n```\n";

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn lenses_run_a_sample_and_its_mismatch_is_fixed_in_place() {
    let mut c = Client::spawn();
    c.initialize(json!({"initializationOptions": {"run": {"timeout": 60}}}));
    let uri = "file:///tmp/run-e2e/outputs.md";
    let doc = c.open(uri, NOTE);
    // Nothing runs by itself.
    let first = c.diagnostics_for_version(uri, 1);
    assert!(!codes(&first).iter().any(|c| c == "output-mismatch"));

    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 3, "{lenses:#?}");
    assert_eq!(lenses[0]["command"]["command"], "notes-lsp.runAll");
    let one = &lenses[1]["command"];
    assert_eq!(one["command"], "notes-lsp.runSample");
    assert_eq!(lenses[1]["range"]["start"]["line"], 2);

    let summary = c.request(
        "workspace/executeCommand",
        json!({"command": one["command"], "arguments": one["arguments"]}),
    );
    assert_eq!(summary["ran"], 1, "{summary}");
    assert_eq!(summary["matched"], 1);
    assert_eq!(summary["mismatched"], 1);
    let p = c.wait_for_diagnostics(uri, |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|d| codes(d).iter().any(|c| c == "output-mismatch"))
    });
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "output-mismatch")
        .unwrap()
        .clone();
    assert_eq!(d["message"], "prints `3`; the note says `4`");
    assert_eq!(d["severity"], 2);
    assert_eq!(d["range"]["start"], json!({"line": 5, "character": 28}));

    // Hover on the sample: what it printed and how long it took.
    let h = c.hover(uri, 4, 2);
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("It printed:") && text.contains("[3, 2, 1]"),
        "{text}"
    );
    assert!(text.contains(" ms"), "{text}");

    // The quick fix writes the real output; fix-all does not.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"],
               "context": {"diagnostics": [d.clone()]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Write the real output"))
        })
        .expect("a quick fix")
        .clone();
    assert_eq!(fix["kind"], "quickfix");
    let edit = &fix["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], "3");
    let all = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"],
               "context": {"diagnostics": [], "only": ["source.fixAll"], "triggerKind": 1}}),
    );
    for a in all.as_array().unwrap() {
        let changes = a["edit"]["changes"][uri]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            !changes.iter().any(|e| e["range"] == d["range"]),
            "fix-all wrote the output: {a}"
        );
    }

    // Applying the fix: judged again at once, without another run.
    let mut doc = doc;
    let at = doc.find("# Output: 4") + "# Output: ".len();
    doc.edit(&mut c, at..at + 1, "3");
    let diags = c.diagnostics_for_version(uri, doc.version);
    assert!(
        !codes(&diags).iter().any(|c| c == "output-mismatch"),
        "{diags:?}"
    );
    c.shutdown_and_exit();
}

#[test]
fn an_edit_kills_the_run_in_progress() {
    let mut c = Client::spawn();
    c.initialize(json!({"initializationOptions": {"run": {"timeout": 120}}}));
    let uri = "file:///tmp/run-e2e/loop.md";
    let text = "```python\nwhile True:\n    pass\nprint(1)  # 1\n```\n";
    let mut doc = c.open(uri, text);
    c.diagnostics_for_version(uri, 1);
    let id = c.send_request(
        "workspace/executeCommand",
        json!({"command": "notes-lsp.runAll", "arguments": [uri]}),
    );
    std::thread::sleep(std::time::Duration::from_millis(400));
    let started = std::time::Instant::now();
    doc.edit(&mut c, text.len()..text.len(), "\nmore\n");
    let answer = c.wait_response(&id);
    // Cancelled by the edit, long before the time limit.
    assert_eq!(answer["result"]["cancelled"], true, "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    c.shutdown_and_exit();
}

#[test]
fn check_run_json() {
    let dir = std::env::temp_dir().join(format!("notes-lsp-check-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let note = dir.join("n.md");
    std::fs::write(&note, NOTE).unwrap();
    std::fs::write(dir.join(".notes-lsp.toml"), "[run]\ntimeout = 60\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(["check", "--run", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let m: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "output-mismatch")
        .collect();
    assert_eq!(m.len(), 1, "{v}");
    assert_eq!(m[0]["message"], "prints `3`; the note says `4`");
    assert_eq!(m[0]["severity"], "warning");
    assert_eq!(out.status.code(), Some(0), "a mismatch is a warning");
    // Without --run nothing runs.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(["check", "--format", "json"])
        .arg(&note)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("output-mismatch"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder with a `.notes-lsp.toml` that names, as both interpreters, a script that would
/// leave a marker file if it were ever started.
struct Hostile {
    dir: std::path::PathBuf,
    script: std::path::PathBuf,
    marker: std::path::PathBuf,
}

impl Hostile {
    fn new(name: &str) -> Hostile {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("notes-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let marker = dir.join("MARKER");
        let script = dir.join("evil.sh");
        // Leaves the marker, then behaves as the real interpreter would.
        let body = format!(
            "#!/bin/sh\ntouch '{}'\ncase \"$0$*\" in *process.execPath*) exec node \"$@\";; esac\nexec python3 \"$@\"\n",
            marker.display()
        );
        std::fs::write(&script, body).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(
            dir.join(".notes-lsp.toml"),
            format!(
                "[run]\ntimeout = 60\npython = \"{0}\"\nnode = \"{0}\"\n",
                script.display()
            ),
        )
        .unwrap();
        std::fs::write(dir.join("n.md"), NOTE).unwrap();
        Hostile {
            dir,
            script,
            marker,
        }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_workspace_file_cannot_choose_the_interpreter_the_server_starts() {
    let h = Hostile::new("hostile-server");
    let root = format!("file://{}", h.dir.display());
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": root,
        "workspaceFolders": [{"uri": root, "name": "hostile"}],
        "capabilities": {},
    }));
    let shown = c.wait_notification("window/showMessage", |m| {
        m["message"]
            .as_str()
            .is_some_and(|m| m.contains("`run.python` is ignored"))
    });
    let message = shown["message"].as_str().unwrap();
    assert_eq!(shown["type"], 2, "a warning: {shown}");
    assert!(
        message.contains(".notes-lsp.toml")
            && message.contains("`run.node` is ignored")
            && message.contains("may not name the program"),
        "{message}"
    );
    let uri = format!("{root}/n.md");
    c.open(&uri, NOTE);
    let summary = c.request(
        "workspace/executeCommand",
        json!({"command": "notes-lsp.runAll", "arguments": [uri]}),
    );
    // Run with python3 and node on PATH, the file's timeout kept.
    assert_eq!(summary["ran"], 2, "{summary}");
    assert_eq!(summary["mismatched"], 1, "{summary}");
    assert!(!h.marker.exists(), "the file's interpreter was started");
    c.shutdown_and_exit();
    assert!(!h.marker.exists(), "the file's interpreter was started");
}

#[test]
fn check_run_ignores_a_file_interpreter_and_takes_the_command_line_one() {
    let h = Hostile::new("hostile-check");
    let bin = env!("CARGO_BIN_EXE_notes-lsp");
    let out = std::process::Command::new(bin)
        .args(["check", "--run", "--format", "json"])
        .arg(&h.dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!h.marker.exists(), "the file's interpreter was started");
    let toml = h.dir.join(".notes-lsp.toml");
    assert!(
        stderr.contains(&format!("{}:3:1: `run.python` is ignored", toml.display()))
            && stderr.contains(&format!("{}:4:1: `run.node` is ignored", toml.display())),
        "{stderr}"
    );
    // Settings not honoured: exit 2, as for an unknown key; the samples ran all the same.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "output-mismatch"),
        "{v}"
    );
    // The user's own choice on the command line is the one started.
    let out = std::process::Command::new(bin)
        .args(["check", "--run", "--python"])
        .arg(&h.script)
        .arg(&h.dir)
        .output()
        .unwrap();
    assert!(h.marker.exists(), "--python was not used: {out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("prints `3`; the note says `4`"),
        "{out:?}"
    );
}
