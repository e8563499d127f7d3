//! Requests whose answers are big and asked for often (documentSymbol on a big note is
//! thousands of nested symbols; folding ranges follow every edit in some editors), answered by
//! `ordered::Ordered` on a blocking thread and written straight to the output, serialized
//! from their types (see `output.rs` for why not through tower-lsp). Only well-formed
//! requests for open notes, between `initialize` and `shutdown`, take this path; every
//! other case (bad params, unknown notes, the protocol's lifecycle errors) is left to the
//! handlers, so the answers stay the same whichever path a request takes. tower-lsp does not
//! know these requests, so their `$/cancelRequest` is handled here ([`Pending`]).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_lsp_server::ls_types::{DocumentSymbolParams, FoldingRangeParams};

use super::output::{Frame, Output};
use super::rpc::{internal_error, panic_text, params};
use super::state::{Document, State};
use super::to_proto;

enum Kind {
    Symbols,
    Folding,
}

/// A request taken off tower-lsp's path, ready to run.
pub struct Job {
    kind: Kind,
    id: Id,
    doc: Arc<Document>,
    state: Arc<State>,
}

/// The job for `req` if it takes the direct path.
pub fn job(state: &Arc<State>, req: &Request) -> Option<Job> {
    let kind = match req.method() {
        "textDocument/documentSymbol" => Kind::Symbols,
        "textDocument/foldingRange" => Kind::Folding,
        _ => return None,
    };
    let id = req.id()?.clone();
    if !state.is_ready() {
        return None;
    }
    let uri = match kind {
        Kind::Symbols => params::<DocumentSymbolParams>(req)?.text_document.uri,
        Kind::Folding => params::<FoldingRangeParams>(req)?.text_document.uri,
    };
    let doc = state.get(&uri)?;
    Some(Job {
        kind,
        id,
        doc,
        state: state.clone(),
    })
}

impl Job {
    pub fn method(&self) -> &'static str {
        match self.kind {
            Kind::Symbols => "textDocument/documentSymbol",
            Kind::Folding => "textDocument/foldingRange",
        }
    }

    /// Computes the answer with the note's queued edits applied (as every request sees
    /// them) and frames it once the note's lock is released; `None` when the request was
    /// cancelled while it waited for the lock.
    fn run(self, ticket: &Ticket) -> Option<serde_json::Result<Frame>> {
        let enc = self.state.encoding();
        self.doc.wait_published(FOR_DIAGNOSTICS, || {
            ticket.0.load(Ordering::SeqCst) == PENDING
        });
        let mut cur = self.doc.current(enc);
        if ticket.0.load(Ordering::SeqCst) != PENDING {
            return None;
        }
        let a = cur.analysis();
        match self.kind {
            Kind::Symbols => {
                let which = self.state.config().outline_samples;
                let symbols = to_proto::SymbolsJson::new(&cur.note, &a, enc, which);
                let frame = Frame::raw_result(&self.id, symbols.size_hint(), |b| symbols.write(b));
                drop(cur);
                Some(Ok(frame))
            }
            Kind::Folding => {
                let folds = to_proto::folding_ranges(&cur.note, &a);
                drop(cur);
                Some(Frame::result(&self.id, &folds))
            }
        }
    }
}

/// How long an answer waits for the diagnostics of the note's newest version to go out
/// first (`Document::wait_published`).
const FOR_DIAGNOSTICS: std::time::Duration = std::time::Duration::from_millis(200);

const PENDING: u8 = 0;
const ANSWERED: u8 = 1;
const CANCELLED: u8 = 2;

/// Who answers a request: the job (its result or its error) or a cancellation, whichever
/// claims it first, so it is answered exactly once.
struct Ticket(AtomicU8, tokio::sync::Notify);

impl Ticket {
    fn claim(&self, how: u8) -> bool {
        self.0
            .compare_exchange(PENDING, how, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

/// The direct requests not answered yet, by id, for `$/cancelRequest`.
#[derive(Default)]
pub struct Pending(Mutex<HashMap<Id, Arc<Ticket>>>);

impl Pending {
    /// Cancels the direct request `id` if it is still unanswered; its answer is then
    /// RequestCancelled. Other ids (tower-lsp's own requests) are not touched.
    pub fn cancel(&self, id: &Id) {
        let ticket = lock(&self.0).get(id).cloned();
        if let Some(t) = ticket
            && t.claim(CANCELLED)
        {
            t.1.notify_one();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `job` on a blocking thread, which writes the answer itself; tower-lsp gets nothing
/// to send (`None`) unless the job failed or was cancelled.
pub async fn answer(job: Job, output: Arc<Output>, pending: Arc<Pending>) -> Option<Response> {
    let id = job.id.clone();
    let method = job.method();
    let ticket = Arc::new(Ticket(AtomicU8::new(PENDING), tokio::sync::Notify::new()));
    lock(&pending.0).insert(id.clone(), ticket.clone());
    let run = {
        let ticket = ticket.clone();
        tokio::task::spawn_blocking(move || {
            match std::panic::catch_unwind(AssertUnwindSafe(|| job.run(&ticket))) {
                Ok(None) => None,
                Ok(Some(Ok(frame))) => {
                    if ticket.claim(ANSWERED) {
                        output.send(&frame);
                    }
                    None
                }
                Ok(Some(Err(e))) => ticket.claim(ANSWERED).then(|| e.to_string()),
                Err(panic) => {
                    let what = panic_text(&*panic);
                    tracing::error!("{method} panicked: {what}");
                    ticket.claim(ANSWERED).then_some(what)
                }
            }
        })
    };
    let failed = tokio::select! {
        r = run => r.unwrap_or_else(|e| ticket.claim(ANSWERED).then(|| e.to_string())),
        () = ticket.1.notified() => None,
    };
    lock(&pending.0).remove(&id);
    if ticket.0.load(Ordering::SeqCst) == CANCELLED {
        return Some(Response::from_error(id, Error::request_cancelled()));
    }
    failed.map(|what| internal_error(id, method, &what))
}
