//! A layer in front of tower-lsp's service. The transport calls `call` for each message in
//! the order it read them, before any handler runs; text-sync notifications are applied to
//! the state right there, so no scheduling of handlers can reorder them (DESIGN.md, rule 3).
//! It also turns a panic inside a handler into an error response for that request.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::FutureExt;
use serde::de::DeserializeOwned;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};
use tower_service::Service;
use tracing::{error, warn};

use super::state::{Change, State};

pub struct Ordered<S> {
    inner: S,
    state: Arc<State>,
}

impl<S> Ordered<S> {
    pub fn new(inner: S, state: Arc<State>) -> Self {
        Ordered { inner, state }
    }

    fn params<T: DeserializeOwned>(req: &Request) -> Option<T> {
        let value = req.params()?.clone();
        serde_json::from_value(value)
            .map_err(|e| warn!("{}: ill-formed params: {e}", req.method()))
            .ok()
    }

    fn sync(&self, req: &Request) {
        match req.method() {
            "textDocument/didOpen" => {
                if let Some(p) = Self::params::<DidOpenTextDocumentParams>(req) {
                    let d = p.text_document;
                    self.state.open(&d.uri, &d.text, d.version);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = Self::params::<DidChangeTextDocumentParams>(req) {
                    let d = p.text_document;
                    self.state
                        .enqueue(&d.uri, d.version, Change::Edits(p.content_changes));
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = Self::params::<DidCloseTextDocumentParams>(req) {
                    self.state.close(&p.text_document.uri);
                }
            }
            _ => {}
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> Service<Request> for Ordered<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<std::result::Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        self.sync(&req);
        let id = req.id().cloned();
        let method = req.method().to_string();
        let fut = self.inner.call(req);
        Box::pin(async move {
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r,
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    error!("{method} panicked: {what}");
                    Ok(id.map(|id| {
                        Response::from_error(
                            id,
                            Error {
                                code: ErrorCode::InternalError,
                                message: format!("{method} failed: internal error ({what})").into(),
                                data: None,
                            },
                        )
                    }))
                }
            }
        })
    }
}
