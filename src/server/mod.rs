//! The LSP edge: capabilities, handlers, and the ordering of text-sync notifications.
//! Everything below this module works on byte offsets and plain values.

mod ordered;
mod state;
pub mod to_proto;

use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tracing::{info, warn};

use crate::analysis::Analysis;
use crate::config::Config;
use crate::note::{Encoding, Note};
pub use state::State;

pub struct Backend {
    client: Client,
    state: Arc<State>,
}

/// Sets up logging to stderr (stdout carries the protocol). `NOTES_LSP_LOG` takes a
/// tracing filter such as `debug` or `notes_lsp=trace`; the default is `info`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NOTES_LSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

pub fn run_stdio() {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let state = runtime.block_on(async {
        let state = Arc::new(State::default());
        let (service, socket) = LspService::new({
            let state = state.clone();
            move |client| Backend { client, state }
        });
        let service = ordered::Ordered::new(service, state.clone());
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
        state
    });
    // Blocking analysis threads may still run; the protocol is over, so leave now. The spec:
    // exit code 0 after a `shutdown` request, 1 otherwise.
    let code = i32::from(!state.is_shut_down());
    std::process::exit(code);
}

impl Backend {
    /// Runs `f` on the up-to-date note of `uri` on a blocking thread (parsing and checks are
    /// CPU work that must not stall the async workers).
    async fn with_note<R: Send + 'static>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&Note, &Analysis, Encoding) -> R + Send + 'static,
    ) -> Result<R> {
        let Some(doc) = self.state.get(uri) else {
            warn!("request for {} which is not open", uri.as_str());
            return Err(Error::invalid_params(format!(
                "document not open: {}",
                uri.as_str()
            )));
        };
        let enc = self.state.encoding();
        tokio::task::spawn_blocking(move || {
            let mut cur = doc.current(enc);
            let a = cur.analysis();
            f(&cur.note, &a, enc)
        })
        .await
        .map_err(|e| {
            warn!("request failed: {e}");
            Error::internal_error()
        })
    }

    /// Computes and publishes diagnostics for the newest version of `uri`; a result for a
    /// version that an edit has since superseded is dropped (the later edit publishes).
    async fn publish(&self, uri: Uri) {
        let Some(doc) = self.state.get(&uri) else {
            return;
        };
        let enc = self.state.encoding();
        let config = self.state.config();
        let work = {
            let doc = doc.clone();
            tokio::task::spawn_blocking(move || {
                let mut cur = doc.current(enc);
                if cur.version != doc.latest_version() {
                    return None;
                }
                let a = cur.analysis();
                Some((
                    cur.version,
                    to_proto::diagnostics(&cur.note, &a, &config, enc),
                ))
            })
        };
        let Ok(Some((version, diags))) = work.await else {
            return;
        };
        let mut last = doc.published.lock().await;
        if *last >= Some(version) || version != doc.latest_version() {
            return;
        }
        *last = Some(version);
        self.client
            .publish_diagnostics(uri, diags, Some(version))
            .await;
    }
}

impl Backend {
    /// Takes new settings; problems with them are logged and shown to the user.
    async fn configure(&self, settings: &serde_json::Value) {
        let (config, problems) = Config::from_json(settings);
        for p in &problems {
            warn!("settings: {p}");
        }
        if !problems.is_empty() {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("notes-lsp settings: {}", problems.join("; ")),
                )
                .await;
        }
        self.state.set_config(config);
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        let enc = if offered.is_some_and(|e| e.contains(&PositionEncodingKind::UTF8)) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        self.state.set_encoding(enc);
        info!("position encoding: {enc:?}");
        if let Some(options) = &params.initialization_options {
            self.configure(options).await;
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(match enc {
                    Encoding::Utf8 => PositionEncodingKind::UTF8,
                    Encoding::Utf16 => PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "notes-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        info!("notes-lsp {} ready", env!("CARGO_PKG_VERSION"));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.configure(&params.settings).await;
        // Severities changed: every open note's diagnostics go out again.
        for uri in self.state.uris() {
            if let Some(doc) = self.state.get(&uri) {
                *doc.published.lock().await = None;
            }
            self.publish(uri).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.set_shut_down();
        Ok(())
    }

    // Text sync: the edit itself was queued in order by `ordered::Ordered` before this
    // handler ran; here only the diagnostics follow.
    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.publish(params.text_document.uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.publish(params.text_document.uri).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
            .await;
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.with_note(&params.text_document.uri, |note, a, enc| {
            Some(DocumentSymbolResponse::Nested(to_proto::document_symbols(
                note, a, enc,
            )))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.with_note(&params.text_document.uri, |note, a, _| {
            Some(to_proto::folding_ranges(note, a))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params.position;
        self.with_note(
            &params.text_document_position_params.text_document.uri,
            move |note, a, enc| {
                let at = to_proto::offset(note, pos, enc);
                to_proto::hover(note, a, at, enc)
            },
        )
        .await
    }
}
