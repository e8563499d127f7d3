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
