//! Requests whose answers are big and asked for often (documentSymbol on a 1 MiB note is
//! ~2,700 nested symbols; folding ranges follow every edit in some editors), answered by
//! `ordered::Ordered` on a blocking thread and written straight to the output, serialized
//! from their types (see `output.rs` for why not through tower-lsp). Only well-formed
//! requests for open notes, between `initialize` and `shutdown`, take this path; every
//! other case (bad params, unknown notes, the protocol's lifecycle errors) is left to the
//! handlers, so the answers stay the same whichever path a request takes.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use tower_lsp_server::jsonrpc::{Id, Request};
use tower_lsp_server::ls_types::{DocumentSymbolParams, FoldingRangeParams};

use super::output::Frame;
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

fn params<T: DeserializeOwned>(req: &Request) -> Option<T> {
    T::deserialize(req.params()?).ok()
}

impl Job {
    pub fn id(&self) -> &Id {
        &self.id
    }

    pub fn method(&self) -> &'static str {
        match self.kind {
            Kind::Symbols => "textDocument/documentSymbol",
            Kind::Folding => "textDocument/foldingRange",
        }
    }

    /// Computes the answer with the note's queued edits applied (as every request sees
    /// them) and frames it once the note's lock is released.
    pub fn run(self) -> serde_json::Result<Frame> {
        let enc = self.state.encoding();
        let mut cur = self.doc.current(enc);
        let a = cur.analysis();
        match self.kind {
            Kind::Symbols => {
                let symbols = to_proto::document_symbols(&cur.note, &a, enc);
                drop(cur);
                Frame::result(&self.id, &symbols)
            }
            Kind::Folding => {
                let folds = to_proto::folding_ranges(&cur.note, &a);
                drop(cur);
                Frame::result(&self.id, &folds)
            }
        }
    }
}
