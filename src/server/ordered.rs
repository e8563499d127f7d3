//! A layer in front of tower-lsp's service. The transport calls `call` for each message in
//! the order it read them, before any handler runs; text-sync notifications are applied to
//! the state right there, so no scheduling of handlers can reorder them (DESIGN.md, rule 3).
//! It also turns a panic inside a handler into an error response for that request, answers
//! the stand-ins `guard/` puts in place of malformed messages, and sheds load: past
//! [`max_pending`] requests in flight, a new request is answered at once with RequestFailed
//! instead of queuing behind the others (the transport's queue is bounded, and a full queue
//! would stop it reading text sync and `$/cancelRequest`).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use futures::FutureExt;
use serde::Deserialize;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};
use tower_service::Service;
use tracing::{error, warn};

use super::output::Output;
use super::rpc::{internal_error, panic_text, params};
use super::state::{Change, State};
use super::{direct, guard};

pub struct Ordered<S> {
    inner: S,
    state: Arc<State>,
    output: Arc<Output>,
    /// Requests answered by `direct`, for their cancellation.
    direct: Arc<direct::Pending>,
    /// Requests answered by the inner service and not yet finished.
    in_flight: Arc<AtomicUsize>,
    max_pending: usize,
    /// Told when `exit` arrives, so the process can leave even if some work never ends.
    ending: Option<Arc<tokio::sync::Notify>>,
}

/// The default bound on requests in flight.
pub const DEFAULT_MAX_PENDING: usize = 128;

/// The bound on requests in flight: `NOTES_LSP_MAX_PENDING_REQUESTS` or the default.
pub fn max_pending() -> usize {
    std::env::var("NOTES_LSP_MAX_PENDING_REQUESTS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_MAX_PENDING)
}

/// The LSP error code for a request that failed though it was well-formed.
const REQUEST_FAILED: i64 = -32803;

/// Decrements the in-flight count when a request's future finishes or is dropped.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<S> Ordered<S> {
    pub fn new(inner: S, state: Arc<State>, output: Arc<Output>) -> Self {
        Ordered {
            inner,
            state,
            output,
            direct: Arc::default(),
            in_flight: Arc::new(AtomicUsize::new(0)),
            max_pending: max_pending(),
            ending: None,
        }
    }

    /// The number of requests being answered, shared.
    pub fn in_flight(&self) -> Arc<AtomicUsize> {
        self.in_flight.clone()
    }

    /// Notifies `ending` when the `exit` notification arrives.
    pub fn on_exit(mut self, ending: Arc<tokio::sync::Notify>) -> Self {
        self.ending = Some(ending);
        self
    }

    fn sync(&self, req: &Request) {
        match req.method() {
            "textDocument/didOpen" => {
                if let Some(p) = params::<DidOpenTextDocumentParams>(req) {
                    let d = p.text_document;
                    // The guard kept the text apart (`guard::OpenTexts`); a message that
                    // did not pass through it has its text in place.
                    let text = self.state.open_texts.take(req.params()).unwrap_or(d.text);
                    self.state.open(&d.uri, text, d.version);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = params::<DidChangeTextDocumentParams>(req) {
                    let d = p.text_document;
                    self.state
                        .enqueue(&d.uri, d.version, Change::Edits(p.content_changes));
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = params::<DidCloseTextDocumentParams>(req) {
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
        if req.method() == guard::MALFORMED_METHOD {
            return Box::pin(futures::future::ready(Ok(guard_response(&req))));
        }
        let id = req.id().cloned();
        let method = req.method().to_string();
        // Marked as read, in order: an `exit` right behind it must see it (exit code 0)
        // even when its handler has not run yet.
        if method == "shutdown" && id.is_some() && self.state.is_ready() {
            self.state.set_shut_down();
        }
        if method == "exit" {
            let n = self.in_flight.load(Ordering::SeqCst);
            if n > 0 {
                warn!("exit with {n} requests in flight");
            }
            if let Some(ending) = &self.ending {
                ending.notify_one();
            }
        }
        if method == "$/cancelRequest"
            && let Some(id) = req.params().and_then(|p| p.get("id"))
            && let Ok(id) = Id::deserialize(id)
        {
            self.direct.cancel(&id);
        }
        // Text sync runs on the transport's read loop: a panic there would end the server.
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| self.sync(&req))) {
            error!(
                "{method}: queuing the change panicked: {}",
                panic_text(&*panic)
            );
        }
        let in_flight = match &id {
            Some(id) if !matches!(method.as_str(), "initialize" | "shutdown") => {
                let n = self.in_flight.fetch_add(1, Ordering::SeqCst);
                let guard = InFlight(self.in_flight.clone());
                if n >= self.max_pending {
                    warn!("{method}: {n} requests in flight already; answering RequestFailed");
                    let resp = Response::from_error(
                        id.clone(),
                        Error {
                            code: ErrorCode::ServerError(REQUEST_FAILED),
                            message: format!(
                                "{method} not run: the server has {n} requests in flight; \
                                 try again"
                            )
                            .into(),
                            data: None,
                        },
                    );
                    return Box::pin(futures::future::ready(Ok(Some(resp))));
                }
                Some(guard)
            }
            _ => None,
        };
        if let Some(job) = direct::job(&self.state, &req) {
            let answer = direct::answer(job, self.output.clone(), self.direct.clone());
            return Box::pin(async move {
                let _in_flight = in_flight;
                Ok(answer.await)
            });
        }
        let fut = match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(fut) => fut,
            Err(panic) => {
                let what = panic_text(&*panic);
                error!("{method} panicked: {what}");
                return Box::pin(futures::future::ready(Ok(
                    id.map(|id| internal_error(id, &method, &what))
                )));
            }
        };
        Box::pin(async move {
            let _in_flight = in_flight;
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r,
                Err(panic) => {
                    let what = panic_text(&*panic);
                    error!("{method} panicked: {what}");
                    Ok(id.map(|id| internal_error(id, &method, &what)))
                }
            }
        })
    }
}

/// The error response for a message the input guard found malformed.
fn guard_response(req: &Request) -> Option<Response> {
    let p = req.params()?;
    let code = p.get("code").and_then(serde_json::Value::as_i64)?;
    let message = p
        .get("message")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("malformed message")
        .to_string();
    let id = p
        .get("id")
        .cloned()
        .and_then(|v| serde_json::from_value::<Id>(v).ok())
        .unwrap_or(Id::Null);
    Some(Response::from_error(
        id,
        Error {
            code: ErrorCode::from(code),
            message: message.into(),
            data: None,
        },
    ))
}
