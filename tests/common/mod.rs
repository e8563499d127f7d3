//! A small synchronous LSP client that drives the real `notes-lsp --stdio` binary: JSON-RPC
//! with Content-Length framing over the child's stdin/stdout, a reader thread feeding parsed
//! messages into a channel, and helpers that keep a client-side copy of a document's text so
//! tests can send incremental edits in either position encoding.
//!
//! Every wait is bounded (a generous bound against hangs, not a performance assertion).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait for the server may take before the test fails: a hang detector,
/// not a speed limit (CI runs the suite at 20x its cases on a loaded machine).
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Position encodings, as negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Utf16,
}

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Messages received from the server and not yet consumed (notifications, mostly).
    pending: VecDeque<Value>,
    stderr: Arc<Mutex<String>>,
    stderr_only: Arc<Mutex<String>>,
    /// Requests the server made of us (all answered with `null`), in arrival order.
    server_requests: Vec<Value>,
    /// The encoding the server chose in `initialize`.
    pub enc: Enc,
}

/// Reads one Content-Length framed message. `None` at end of stream.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len: Option<usize> = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if len.is_some() {
                break;
            }
            continue;
        }
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            len = Some(value.trim().parse().expect("a numeric Content-Length"));
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "server sent a body that is not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    }))
}

/// Appends `line` to a log, keeping its tail only: enough to explain a failure.
fn append_tail(log: &Mutex<String>, line: &str) {
    let mut l = log.lock().unwrap_or_else(|e| e.into_inner());
    l.push_str(line);
    if l.len() > 64 * 1024 {
        let cut = l.len() - 32 * 1024;
        let cut = (cut..l.len()).find(|&i| l.is_char_boundary(i)).unwrap();
        l.drain(..cut);
    }
}

impl Client {
    /// Starts `notes-lsp --stdio`.
    pub fn spawn() -> Client {
        Client::spawn_with_env(&[])
    }

    /// Starts `notes-lsp --stdio` with extra environment variables (test hooks, limits).
    pub fn spawn_with_env(vars: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
            .arg("--stdio")
            // `NOTES_LSP_TEST_LOG=debug cargo test ...` shows the server's log in failures.
            .env(
                "NOTES_LSP_LOG",
                std::env::var("NOTES_LSP_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .envs(vars.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the notes-lsp binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        // The server's log: `window/logMessage` once it runs, stderr before that.
        let log = Arc::new(Mutex::new(String::new()));
        let stderr_only = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        {
            let log = log.clone();
            thread::spawn(move || {
                let mut r = BufReader::new(stdout);
                while let Some(msg) = read_message(&mut r) {
                    if msg["method"] == "window/logMessage" {
                        let p = &msg["params"];
                        let line =
                            format!("[{}] {}\n", p["type"], p["message"].as_str().unwrap_or(""));
                        append_tail(&log, &line);
                    }
                    if tx.send(msg).is_err() {
                        break;
                    }
                }
            });
        }
        {
            let log = log.clone();
            let stderr_only = stderr_only.clone();
            thread::spawn(move || {
                let mut r = BufReader::new(stderr);
                let mut line = String::new();
                while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                    append_tail(&log, &line);
                    append_tail(&stderr_only, &line);
                    line.clear();
                }
            });
        }
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            rx,
            next_id: 0,
            pending: VecDeque::new(),
            stderr: log,
            stderr_only,
            server_requests: Vec::new(),
            enc: Enc::Utf16,
        }
    }

    /// The server's log so far (its `window/logMessage` notifications as `[type] message`
    /// lines, and what it wrote to stderr), for failure messages.
    pub fn stderr_log(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What the server wrote to stderr so far, and nothing else.
    pub fn stderr_only(&self) -> String {
        self.stderr_only
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until the server's log holds every needle: the log reaches us on its own pipe,
    /// so it may lag behind an answer on stdout that was written after it.
    pub fn wait_log(&self, needles: &[&str]) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let log = self.stderr_log();
            let missing: Vec<_> = needles.iter().filter(|n| !log.contains(**n)).collect();
            if missing.is_empty() {
                return;
            }
            if Instant::now() > deadline {
                panic!("no warning {missing:?} within {TIMEOUT:?} in:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("serializable");
        let stdin = self.stdin.as_mut().expect("stdin is open");
        let framed = format!("Content-Length: {}\r\n\r\n{}", body.len(), body);
        if let Err(e) = stdin
            .write_all(framed.as_bytes())
            .and_then(|_| stdin.flush())
        {
            panic!(
                "cannot write to the server ({e}); did it die? stderr:\n{}",
                self.stderr_log()
            );
        }
    }

    /// The next message from the server, answering any request it makes of us (with `null`).
    fn recv(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    if msg.get("method").is_some() && msg.get("id").is_some() {
                        let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
                        self.send(&reply);
                        self.server_requests.push(msg);
                        continue;
                    }
                    return msg;
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no answer from the server within {TIMEOUT:?} while waiting for {waiting_for}; \
                     unconsumed messages: {:?}\nserver stderr:\n{}",
                    self.pending,
                    self.stderr_log()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server closed its stdout while we waited for {waiting_for} \
                     (exit status {:?})\nserver stderr:\n{}",
                    self.child.try_wait(),
                    self.stderr_log()
                ),
            }
        }
    }

    /// Sends a request and returns the whole response message (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        let what = format!("the response to {method} (id {id})");
        loop {
            let msg = self.recv(deadline, &what);
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return msg;
            }
            self.pending.push_back(msg);
        }
    }

    /// Sends a request and returns its `result`, panicking on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request_raw(method, params);
        if let Some(err) = resp.get("error") {
            panic!(
                "{method} failed: {err}\nserver stderr:\n{}",
                self.stderr_log()
            );
        }
        resp.get("result").cloned().unwrap_or(Value::Null)
    }

    /// Whether a message that came before the last response, not taken yet, satisfies
    /// `pred`.
    pub fn received(&self, pred: impl Fn(&Value) -> bool) -> bool {
        self.pending.iter().any(pred)
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Waits for a notification `method` whose params satisfy `pred`; notifications that come
    /// before it are kept for later waits unless `discard` says to drop them.
    fn wait_for_notification(
        &mut self,
        what: &str,
        mut pred: impl FnMut(&Value) -> bool,
        mut discard: impl FnMut(&Value) -> bool,
    ) -> Value {
        let mut kept = VecDeque::new();
        let mut found = None;
        while let Some(msg) = self.pending.pop_front() {
            if found.is_none() && pred(&msg) {
                found = Some(msg);
            } else if found.is_some() || !discard(&msg) {
                kept.push_back(msg);
            }
        }
        self.pending = kept;
        if let Some(msg) = found {
            return msg["params"].clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.recv(deadline, what);
            if pred(&msg) {
                return msg["params"].clone();
            }
            if !discard(&msg) {
                self.pending.push_back(msg);
            }
        }
    }

    /// Waits for `textDocument/publishDiagnostics` for `uri` whose params satisfy `pred` and
    /// returns those params. Earlier publications for `uri` that do not match are dropped.
    pub fn wait_for_diagnostics(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let is_for_uri = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        self.wait_for_notification(
            &format!("diagnostics for {uri}"),
            |m| is_for_uri(m) && pred(&m["params"]),
            is_for_uri,
        )
    }

    /// Waits for the diagnostics of `version` of `uri`, and returns the diagnostics array.
    pub fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let p = self.wait_for_diagnostics(uri, |p| p["version"] == json!(version));
        p["diagnostics"]
            .as_array()
            .expect("diagnostics is an array")
            .clone()
    }

    /// Waits (bounded) for a notification `method` whose params satisfy `pred` and returns
    /// its params; other messages that come before it are kept for later waits.
    pub fn wait_notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_notification(
            &format!("a {method} notification"),
            |m| m["method"] == method && pred(&m["params"]),
            |_| false,
        )
    }

    /// Removes the notifications `method` received so far and not yet consumed, and returns
    /// their params in arrival order.
    pub fn take_notifications(&mut self, method: &str) -> Vec<Value> {
        let (taken, kept): (VecDeque<Value>, VecDeque<Value>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|m| m["method"] == method);
        self.pending = kept;
        taken.into_iter().map(|m| m["params"].clone()).collect()
    }

    /// The requests the server has made of this client so far (each answered with `null`).
    pub fn server_requests(&self) -> &[Value] {
        &self.server_requests
    }

    /// Sends `initialize` with `params` as given (`processId` filled in when missing), then
    /// `initialized`; returns the result. For workspace folders and initialization options.
    pub fn initialize_with(&mut self, mut params: Value) -> Value {
        if params.get("processId").is_none() {
            params["processId"] = json!(std::process::id());
        }
        let result = self.request("initialize", params);
        self.enc = match result["capabilities"]["positionEncoding"].as_str() {
            Some("utf-8") => Enc::Utf8,
            _ => Enc::Utf16,
        };
        self.notify("initialized", json!({}));
        result
    }

    /// Sends `initialize` with `capabilities` and then `initialized`; returns the result.
    pub fn initialize(&mut self, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": null,
                "capabilities": capabilities,
                "clientInfo": {"name": "notes-lsp e2e tests"},
            }),
        );
        self.enc = match result["capabilities"]["positionEncoding"].as_str() {
            Some("utf-8") => Enc::Utf8,
            _ => Enc::Utf16,
        };
        self.notify("initialized", json!({}));
        result
    }

    /// `shutdown`, then `exit`; the process must exit with status 0 within the bound.
    pub fn shutdown_and_exit(mut self) {
        let r = self.request_raw("shutdown", Value::Null);
        assert!(
            r.get("error").is_none(),
            "shutdown answered with an error: {r}"
        );
        assert_eq!(r.get("result"), Some(&Value::Null), "shutdown result: {r}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let status = self.wait_exit();
        assert!(
            status.success(),
            "the server exited with {status:?} after shutdown/exit\nserver stderr:\n{}",
            self.stderr_log()
        );
    }

    /// The server's process id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the server's stdin (end of input, as when an editor dies).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits (bounded) for the process to end.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait works") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the server did not exit within {TIMEOUT:?}\nserver stderr:\n{}",
                    self.stderr_log()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Opens a document and returns a handle that tracks its text client-side.
    pub fn open(&mut self, uri: &str, text: &str) -> Doc {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri, "languageId": "markdown", "version": 1, "text": text,
            }}),
        );
        Doc {
            uri: uri.to_string(),
            text: text.to_string(),
            version: 1,
            enc: self.enc,
        }
    }

    /// Sends one `didChange` with `changes` (built by [`Doc`]'s methods) at `doc.version`.
    pub fn change(&mut self, doc: &Doc, changes: Vec<Value>) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": doc.uri, "version": doc.version},
                "contentChanges": changes,
            }),
        );
    }

    pub fn document_symbols(&mut self, uri: &str) -> Value {
        self.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
    }

    pub fn folding_ranges(&mut self, uri: &str) -> Value {
        self.request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )
    }

    pub fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            "textDocument/hover",
            json!({
                "textDocument": {"uri": uri},
                "position": {"line": line, "character": character},
            }),
        )
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A client-side copy of an open document, producing LSP change events for edits given in
/// byte offsets (positions computed in the negotiated encoding).
#[derive(Debug, Clone)]
pub struct Doc {
    pub uri: String,
    pub text: String,
    pub version: i64,
    pub enc: Enc,
}

impl Doc {
    /// The LSP position of byte `offset` (on a character boundary) in the current text.
    pub fn pos(&self, offset: usize) -> Value {
        let (line, character) = position_of(&self.text, offset, self.enc);
        json!({"line": line, "character": character})
    }

    /// Replaces bytes `range` with `new`: updates the local copy and returns the change
    /// event (positions computed before the edit, as LSP requires).
    pub fn replace(&mut self, range: std::ops::Range<usize>, new: &str) -> Value {
        let ev = json!({
            "range": {"start": self.pos(range.start), "end": self.pos(range.end)},
            "text": new,
        });
        self.text.replace_range(range, new);
        ev
    }

    pub fn insert(&mut self, at: usize, new: &str) -> Value {
        self.replace(at..at, new)
    }

    /// Applies one edit and sends it as its own version.
    pub fn edit(&mut self, client: &mut Client, range: std::ops::Range<usize>, new: &str) {
        let ev = self.replace(range, new);
        self.version += 1;
        client.change(self, vec![ev]);
    }

    /// Byte offset of the first occurrence of `needle`.
    pub fn find(&self, needle: &str) -> usize {
        self.text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not in the document"))
    }
}

/// (line, column) of byte `offset` in `text`, columns in `enc` units; lines end at `\n`,
/// `\r\n` or a lone `\r`.
pub fn position_of(text: &str, offset: usize, enc: Enc) -> (u32, u32) {
    let bytes = text.as_bytes();
    let mut line = 0;
    let mut line_start = 0;
    for i in 0..offset {
        let breaks = match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        };
        if breaks {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = text[line_start..offset].trim_end_matches('\r');
    (line, col_width(col, enc))
}

/// Width of `s` in `enc` units.
pub fn col_width(s: &str, enc: Enc) -> u32 {
    match enc {
        Enc::Utf8 => s.len() as u32,
        Enc::Utf16 => s.encode_utf16().count() as u32,
    }
}

/// Client capabilities offering both encodings, utf-8 first.
pub fn caps_utf8() -> Value {
    json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})
}

/// Client capabilities without `general.positionEncodings` (so UTF-16, LSP's default).
pub fn caps_default() -> Value {
    json!({
        "textDocument": {
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "publishDiagnostics": {"versionSupport": true},
        }
    })
}

/// A spawned, initialized client.
pub fn start(capabilities: Value) -> Client {
    let mut c = Client::spawn();
    c.initialize(capabilities);
    c
}

/// A tiny deterministic PRNG (xorshift64*).
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A diagnostic reduced to what tests compare: (code, severity, start line, start character,
/// end line, end character).
pub fn diag_key(d: &Value) -> (String, u64, u64, u64, u64, u64) {
    let r = &d["range"];
    (
        d["code"].as_str().unwrap_or_default().to_string(),
        d["severity"].as_u64().unwrap_or_default(),
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    )
}

/// Raw access for the reliability tests: malformed bytes, requests answered out of order.
impl Client {
    /// Writes `bytes` to the server's stdin as they are (no framing added).
    pub fn write_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        if let Err(e) = stdin.write_all(bytes).and_then(|_| stdin.flush()) {
            panic!(
                "cannot write to the server ({e}); did it die? stderr:\n{}",
                self.stderr_log()
            );
        }
    }

    /// Sends a request without waiting for its response; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits (bounded) for the response to request `id`, sent earlier.
    pub fn wait_response(&mut self, id: &Value) -> Value {
        let is_it = |m: &Value| m.get("method").is_none() && &m["id"] == id;
        if let Some(i) = self.pending.iter().position(is_it) {
            return self.pending.remove(i).expect("found above");
        }
        let deadline = Instant::now() + TIMEOUT;
        let what = format!("the response to request {id}");
        loop {
            let msg = self.recv(deadline, &what);
            if is_it(&msg) {
                return msg;
            }
            self.pending.push_back(msg);
        }
    }

    /// Waits (bounded) for any message satisfying `pred` (kept messages stay pending).
    pub fn wait_message(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).expect("found above");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.recv(deadline, what);
            if pred(&msg) {
                return msg;
            }
            self.pending.push_back(msg);
        }
    }

    /// Like [`Client::wait_message`] but gives up after `within`, returning `None`.
    pub fn wait_message_within(
        &mut self,
        within: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match self.rx.recv_timeout(left) {
                Ok(msg) => msg,
                Err(_) => return None,
            };
            if msg.get("method").is_some() && msg.get("id").is_some() {
                let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
                self.send(&reply);
                self.server_requests.push(msg);
                continue;
            }
            if pred(&msg) {
                return Some(msg);
            }
            self.pending.push_back(msg);
        }
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }
}
