//! What a message body is, as tower-lsp's codec will read it: a request, notification or
//! response passed on (a `didOpen`'s text kept apart), or the JSON-RPC error it earned.

use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

/// The notification the guard puts in place of a malformed message; never sent by a client
/// (one that is, is dropped).
pub const MALFORMED_METHOD: &str = "$/notes-lsp/malformedMessage";

/// What the guard passes on.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A well-formed message body (a JSON-RPC request, notification or response).
    Message(Vec<u8>),
    /// A malformed message: the JSON-RPC error code and message to answer with, and the id
    /// to answer to (`null` unless the message was JSON carrying a usable request id).
    Malformed {
        code: i64,
        message: String,
        id: Value,
    },
}

impl Frame {
    /// The frame as the codec reads it: `Content-Length` header and body.
    pub fn encode(&self) -> Vec<u8> {
        let body = match self {
            Frame::Message(b) => std::borrow::Cow::Borrowed(b.as_slice()),
            Frame::Malformed { code, message, id } => std::borrow::Cow::Owned(
                json!({
                    "jsonrpc": "2.0",
                    "method": MALFORMED_METHOD,
                    "params": {"code": code, "message": message, "id": id},
                })
                .to_string()
                .into_bytes(),
            ),
        };
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(&body);
        out
    }
}

pub(super) const PARSE_ERROR: i64 = -32700;
pub(super) const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;

/// The client-to-server notifications of the protocol: sent with an id, they are rejected
/// rather than applied.
const NOTIFICATIONS: &[&str] = &[
    "initialized",
    "exit",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "textDocument/willSave",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "workspace/didChangeWorkspaceFolders",
    "workspace/didCreateFiles",
    "workspace/didRenameFiles",
    "workspace/didDeleteFiles",
    "window/workDoneProgress/cancel",
    "notebookDocument/didOpen",
    "notebookDocument/didChange",
    "notebookDocument/didSave",
    "notebookDocument/didClose",
];

/// Characters a client may leave unescaped in a document URI that the URI parser refuses.
const URI_ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

/// The message again with its `textDocument.uri` percent-encoded, when the client sent it
/// with spaces or other characters a URI cannot hold raw (`ü`, `"`): tower-lsp would drop
/// the message for its params. `None` when the URI is fine (the common case, no copy).
fn with_encoded_uri(req: &Request) -> Option<Vec<u8>> {
    let uri = req.params()?.get("textDocument")?.get("uri")?.as_str()?;
    let fine = uri
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\"<>`{}|\\^".contains(&b));
    if fine {
        return None;
    }
    let encoded = percent_encoding::utf8_percent_encode(uri, URI_ESCAPED).to_string();
    let mut v = serde_json::to_value(req).ok()?;
    v["params"]["textDocument"]["uri"] = Value::String(encoded);
    serde_json::to_vec(&v).ok()
}

pub(super) fn parse_error(message: impl Into<String>) -> Frame {
    Frame::Malformed {
        code: PARSE_ERROR,
        message: message.into(),
        id: Value::Null,
    }
}

/// The texts of the `didOpen` messages the guard let through, taken out of their frames.
///
/// Why: a note's text is by far the biggest thing a client sends, and on its way to the parse
/// tower-lsp's codec would decode it into a `serde_json::Value` once more after the guard's
/// check, and the text sync and the handler copy it out of that. The guard decodes a
/// `didOpen` once, keeps its text here and passes on the message with an empty text and the
/// key ([`OPEN_TEXT_KEY`]) to take it by; `ordered.rs`'s text sync takes it.
pub struct OpenTexts {
    /// The next key; it starts at a random number, so that a client cannot name a key
    /// another message's text is kept under (a message holding a made-up key that is not
    /// there keeps its own text).
    next: AtomicU64,
    pub(super) texts: Mutex<HashMap<u64, String>>,
}

impl Default for OpenTexts {
    fn default() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let start = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        OpenTexts {
            next: AtomicU64::new(start),
            texts: Mutex::default(),
        }
    }
}

/// The member of a passed-on `didOpen`'s params that holds its text's key in [`OpenTexts`].
pub const OPEN_TEXT_KEY: &str = "$notes-lsp/text";

impl OpenTexts {
    fn put(&self, text: String) -> u64 {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        self.texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, text);
        key
    }

    /// The text kept under the key a passed-on `didOpen`'s params hold, if any (taken: it
    /// is there once).
    pub fn take(&self, params: Option<&Value>) -> Option<String> {
        let key = params?.get(OPEN_TEXT_KEY)?.as_u64()?;
        self.texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
    }
}

/// A `didOpen` notification as the guard decodes it: typed, so its text is decoded once.
#[derive(Deserialize)]
struct OpenMessage {
    jsonrpc: String,
    method: String,
    #[serde(default)]
    id: Option<serde::de::IgnoredAny>,
    params: DidOpenTextDocumentParams,
}

const DID_OPEN: &str = "textDocument/didOpen";

/// `body` with its text moved to `texts` when it is a well-formed `didOpen` notification
/// (`None` otherwise: it then goes through [`validate`] as it is).
fn take_open_text(body: &[u8], texts: &OpenTexts) -> Option<Frame> {
    // The method as a JSON string token: a text holding these words has its quotes escaped.
    // A method spelled with escapes (`\/`) is merely not taken out.
    memchr::memmem::find(body, b"\"textDocument/didOpen\"")?;
    let mut open: OpenMessage = serde_json::from_slice(body).ok()?;
    if open.jsonrpc != "2.0" || open.method != DID_OPEN || open.id.is_some() {
        return None;
    }
    let text = std::mem::take(&mut open.params.text_document.text);
    let key = texts.put(text);
    let small = json!({
        "jsonrpc": "2.0",
        "method": DID_OPEN,
        "params": { "textDocument": open.params.text_document, OPEN_TEXT_KEY: key },
    });
    let frame = validate(&serde_json::to_vec(&small).ok()?, None);
    if !matches!(frame, Frame::Message(_)) {
        texts.take(Some(&small["params"]));
        return None;
    }
    Some(frame)
}

/// Checks a body the way tower-lsp's codec will read it; a body that passes here cannot make
/// the codec fail.
pub(super) fn validate(body: &[u8], open_texts: Option<&OpenTexts>) -> Frame {
    if let Err(e) = std::str::from_utf8(body) {
        return parse_error(format!("Parse error: the message is not UTF-8 ({e})"));
    }
    if let Some(frame) = open_texts.and_then(|texts| take_open_text(body, texts)) {
        return frame;
    }
    let request = serde_json::from_slice::<Request>(body);
    if let Ok(req) = &request {
        let id = req.id().and_then(|id| serde_json::to_value(id).ok());
        let method = req.method();
        if method == MALFORMED_METHOD {
            return Frame::Malformed {
                code: INVALID_REQUEST,
                message: format!("Invalid request: {MALFORMED_METHOD} is reserved"),
                id: id.unwrap_or(Value::Null),
            };
        }
        if let Some(id) = id {
            // tower-lsp passes over a `$/` request without a word, and answers a notification
            // sent with an id with an error after applying it.
            if method.starts_with("$/") {
                return Frame::Malformed {
                    code: METHOD_NOT_FOUND,
                    message: format!("Method not found: {method}"),
                    id,
                };
            }
            if NOTIFICATIONS.contains(&method) {
                return Frame::Malformed {
                    code: INVALID_REQUEST,
                    message: format!(
                        "Invalid request: {method} is a notification; sent with an id, it was \
                         not applied"
                    ),
                    id,
                };
            }
        }
        if let Some(fixed) = with_encoded_uri(req) {
            return Frame::Message(fixed);
        }
        return Frame::Message(body.to_vec());
    }
    if serde_json::from_slice::<Response>(body).is_ok() {
        return Frame::Message(body.to_vec());
    }
    let why = request.err().map(|e| e.to_string()).unwrap_or_default();
    match serde_json::from_slice::<Value>(body) {
        Err(e) => parse_error(format!("Parse error: {e}")),
        Ok(v) => {
            // Answer to the request's id when it has a usable one: the client can then fail
            // that request instead of waiting for it. A response (no method) has no request
            // of ours to answer.
            let id = v
                .as_object()
                .filter(|o| o.contains_key("method"))
                .and_then(|o| o.get("id"))
                .filter(|id| id.is_string() || id.is_i64())
                .cloned()
                .unwrap_or(Value::Null);
            Frame::Malformed {
                code: INVALID_REQUEST,
                message: format!("Invalid request: {why}"),
                id,
            }
        }
    }
}
