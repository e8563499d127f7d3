//! JSON-RPC pieces both request paths use (`ordered`, and `direct` beside it): reading a
//! request's params, and the answer to a handler that panicked.

use serde::de::DeserializeOwned;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tracing::warn;

/// A request's params as `T`, or `None` (logged) when they are missing or ill-formed.
pub(super) fn params<T: DeserializeOwned>(req: &Request) -> Option<T> {
    // From the borrowed value: cloning it first would copy a `didOpen`'s whole text once
    // more on the transport's read loop.
    T::deserialize(req.params()?)
        .map_err(|e| warn!("{}: ill-formed params: {e}", req.method()))
        .ok()
}

/// What a panic said, when it said it with a string.
pub(super) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// The error answer to `method` when its handler panicked with `what`.
pub(super) fn internal_error(id: Id, method: &str, what: &str) -> Response {
    Response::from_error(
        id,
        Error {
            code: ErrorCode::InternalError,
            message: format!("{method} failed: internal error ({what})").into(),
            data: None,
        },
    )
}
