//! Test hooks: custom requests that make the server panic, sleep or hold a note's lock, so
//! the reliability tests can inject faults and slowness deterministically. They exist only
//! when the server starts with `NOTES_LSP_TEST_HOOKS=1`; otherwise the methods are unknown
//! (MethodNotFound) like any other.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::LspServiceBuilder;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{MessageType, Uri};
use tracing::warn;

use super::Backend;

pub const ENV: &str = "NOTES_LSP_TEST_HOOKS";

pub fn enabled() -> bool {
    std::env::var(ENV).is_ok_and(|v| v == "1")
}

/// Registers the hooks on `builder` when [`enabled`].
pub fn register(builder: LspServiceBuilder<Backend>) -> LspServiceBuilder<Backend> {
    if !enabled() {
        return builder;
    }
    warn!("{ENV}=1: test hooks are enabled (notes-lsp/debug*)");
    builder
        .custom_method("notes-lsp/debugPanic", Backend::debug_panic)
        .custom_method("notes-lsp/debugSleep", Backend::debug_sleep)
        .custom_method("notes-lsp/debugHoldNote", Backend::debug_hold_note)
        .custom_method("notes-lsp/debugText", Backend::debug_text)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanicParams {
    /// `handler` (in the async handler), `blocking` (on the blocking thread that holds the
    /// note's lock, through the path every note request takes; needs `uri`).
    #[serde(rename = "where")]
    place: String,
    uri: Option<Uri>,
}

#[derive(Deserialize)]
pub struct SleepParams {
    ms: u64,
}

#[derive(Deserialize)]
pub struct HoldParams {
    uri: Uri,
    ms: u64,
}

#[derive(Deserialize)]
pub struct TextParams {
    uri: Uri,
}

impl Backend {
    async fn debug_panic(&self, p: PanicParams) -> Result<Value> {
        match p.place.as_str() {
            "handler" => panic!("debugPanic in the handler"),
            "blocking" => {
                let uri = p
                    .uri
                    .ok_or_else(|| Error::invalid_params("`blocking` needs a uri"))?;
                self.with_note(&uri, |_, _, _| -> Value {
                    panic!("debugPanic on a blocking thread")
                })
                .await
            }
            other => Err(Error::invalid_params(format!("unknown place {other:?}"))),
        }
    }

    /// Sleeps without holding anything: a slow request to cancel.
    async fn debug_sleep(&self, p: SleepParams) -> Result<Value> {
        tokio::time::sleep(Duration::from_millis(p.ms)).await;
        Ok(Value::Null)
    }

    /// Holds `uri`'s note lock on a blocking thread for `ms` (as a long parse would), logging
    /// `holding <uri>` to the client (`window/logMessage`) once it has the lock; answers when
    /// it lets go.
    async fn debug_hold_note(&self, p: HoldParams) -> Result<Value> {
        let Some(doc) = self.state.get(&p.uri) else {
            return Err(Error::invalid_params("document not open"));
        };
        let enc = self.state.encoding();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let held = tokio::task::spawn_blocking(move || {
            let _cur = doc.current(enc);
            let _ = tx.send(());
            std::thread::sleep(Duration::from_millis(p.ms));
        });
        if rx.await.is_ok() {
            self.client
                .log_message(MessageType::INFO, format!("holding {}", p.uri.as_str()))
                .await;
        }
        held.await.map_err(|_| Error::internal_error())?;
        Ok(Value::Null)
    }

    /// The note's text as the server has it (every queued change applied).
    async fn debug_text(&self, p: TextParams) -> Result<String> {
        self.with_note(&p.uri, |note, _, _| note.text()).await
    }
}
