//! The server's log reaches the client as `window/logMessage` at each line's level, through
//! the real binary; stderr stays empty once the connection is up.

mod common;

use common::*;
use serde_json::{Value, json};

/// `window/logMessage` types (LSP): 1 error, 2 warning, 3 info, 4 log.
const WARNING: u64 = 2;
const INFO: u64 = 3;

fn log_message(c: &mut Client, starts: &str) -> Value {
    let starts = starts.to_string();
    c.wait_notification("window/logMessage", move |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(&starts))
    })
}

#[test]
fn info_and_warnings_go_to_the_client_at_their_level_and_not_to_stderr() {
    let mut c = Client::spawn_with_env(&[("NOTES_LSP_LOG", "info")]);
    c.initialize(caps_default());

    let ready = log_message(&mut c, "notes-lsp ");
    assert_eq!(ready["type"], json!(INFO), "{ready}");
    assert!(
        ready["message"].as_str().unwrap().ends_with(" ready"),
        "{ready}"
    );

    // A request for a note that is not open is answered with an error and logged as a warning.
    let r = c.request_raw(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": "file:///nowhere/not-open.md"},
            "position": {"line": 0, "character": 0},
        }),
    );
    assert!(r.get("error").is_some(), "{r}");
    let warning = log_message(&mut c, "request for file:///nowhere/not-open.md");
    assert_eq!(warning["type"], json!(WARNING), "{warning}");
    assert_eq!(
        warning["message"],
        json!("request for file:///nowhere/not-open.md which is not open"),
    );

    let stderr = c.stderr_only();
    c.shutdown_and_exit();
    assert!(
        !stderr.contains("ready") && !stderr.contains("not open"),
        "stderr carries what went to the client:\n{stderr}"
    );
}
