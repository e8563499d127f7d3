//! The LSP edge: capabilities, handlers, and the ordering of text-sync notifications.
//! Everything below this module works on byte offsets and plain values.

mod actions;
mod completion;
mod direct;
pub mod guard;
mod hooks;
mod indexing;
mod log;
pub mod memory;
mod navigation;
mod ordered;
pub mod output;
mod packed;
mod publish;
mod rpc;
mod running;
mod state;
pub mod to_proto;
mod watch;

use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tracing::{info, warn};

use crate::analysis::Analysis;
use crate::note::{Encoding, Note};
pub use publish::DISK_RECHECK;
pub use state::{Change, State};

#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<State>,
    /// Where the big messages go without tower-lsp (see `output.rs`).
    output: Arc<output::Output>,
}

/// How long the process waits for running handlers after `exit` or the end of its input,
/// and then for the output to be written: the client has said goodbye (or gone), so only
/// answers about to go out are worth the wait. LSP editors give 100 ms at most.
const EXIT_GRACE: std::time::Duration = std::time::Duration::from_millis(25);
const DRAIN_GRACE: std::time::Duration = std::time::Duration::from_millis(25);

pub fn run_stdio() {
    log::init();
    memory::configure();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Each thread that parsed keeps memory of its own (allocator caches, its stack): one
        // gone idle leaves after 3 s (not tokio's 10) and what it kept is given back. (No
        // cap on their number: a request waiting for a busy note holds one.)
        .thread_keep_alive(std::time::Duration::from_secs(3))
        .on_thread_stop(memory::give_back_soon)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    output::grow_pipe(&std::io::stdin());
    let output = output::Output::stdout();
    log::to_client(output.clone());
    let (tower_output, drain) = output::TowerOutput::new(output.clone());
    let state = runtime.block_on(async {
        let state = Arc::new(State::default());
        let (service, socket) = hooks::register(LspService::build({
            let state = state.clone();
            let output = output.clone();
            move |client| Backend {
                client,
                state,
                output,
            }
        }))
        .finish();
        // `exit` or the end of input: the transport then waits for every handler to finish,
        // and one stuck on a long parse would keep the process alive; it gets a grace period.
        let ending = Arc::new(tokio::sync::Notify::new());
        let service =
            ordered::Ordered::new(service, state.clone(), output.clone()).on_exit(ending.clone());
        let in_flight = service.in_flight();
        // Malformed input never reaches tower-lsp's codec (one codec error ends its read
        // loop): the guard frames the bytes itself and stands in errors for bad messages.
        let stdin = guard::guarded(tokio::io::stdin(), guard::max_message_bytes())
            .on_end(ending.clone())
            .keep_open_texts(state.open_texts.clone());
        // Room for every request `Ordered` lets through, so the transport's queue never
        // fills and its read loop (text sync, `$/cancelRequest`) never waits on a handler.
        let serve = Server::new(stdin, tower_output, socket)
            .concurrency_level(ordered::max_pending() + 64)
            .serve(service);
        tokio::select! {
            () = serve => {}
            () = async {
                ending.notified().await;
                // Requests being answered get their answers out; when none is, leave at once.
                let deadline = tokio::time::Instant::now() + EXIT_GRACE;
                while in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0
                    && tokio::time::Instant::now() < deadline
                {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                if in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                    warn!("work still running {EXIT_GRACE:?} after exit or the end of input: leaving");
                }
            } => {}
        }
        state
    });
    // What tower-lsp wrote last (the `shutdown` answer) may still be on its way out.
    drain.wait(DRAIN_GRACE);
    // Blocking analysis threads may still run; the protocol is over, so leave now. The spec:
    // exit code 0 after a `shutdown` request, 1 otherwise.
    let code = i32::from(!state.is_shut_down());
    std::process::exit(code);
}

/// Ends the process when the client named in `initialize` as its parent is gone (LSP: the
/// server exits when its parent does), checked twice a second.
fn watch_parent(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return;
        };
        let started = std::thread::Builder::new()
            .name("notes-lsp-parent".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    // SAFETY: signal 0 sends nothing; it only asks whether `pid` exists.
                    let gone = unsafe { libc::kill(pid, 0) } != 0
                        && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
                    if gone {
                        warn!("the client process {pid} is gone: leaving");
                        std::process::exit(1);
                    }
                }
            });
        if let Err(e) = started {
            warn!("cannot watch the client process {pid}: {e}");
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
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
        // Cleared when this future is dropped (the request was cancelled): the blocking job
        // then skips the work it was waiting (for the note's lock) to do.
        let wanted = Wanted::new();
        let still = wanted.flag();
        tokio::task::spawn_blocking(move || {
            let mut cur = doc.current(enc);
            if !still.load(std::sync::atomic::Ordering::SeqCst) {
                return None;
            }
            let a = cur.analysis();
            Some(f(&cur.note, &a, enc))
        })
        .await
        .map_err(join_error)?
        .ok_or_else(Error::request_cancelled)
    }

    /// Runs a workspace-wide request on a blocking thread. The document must be open.
    async fn blocking<R: Send + 'static>(
        &self,
        uri: &Uri,
        f: impl FnOnce(&State, Uri) -> Option<R> + Send + 'static,
    ) -> Result<Option<R>> {
        if self.state.get(uri).is_none() {
            warn!("request for {} which is not open", uri.as_str());
            return Err(Error::invalid_params(format!(
                "document not open: {}",
                uri.as_str()
            )));
        }
        let state = self.state.clone();
        let uri = uri.clone();
        let wanted = Wanted::new();
        let still = wanted.flag();
        tokio::task::spawn_blocking(move || {
            // Cancelled while it waited for a thread: skip.
            still
                .load(std::sync::atomic::Ordering::SeqCst)
                .then(|| f(&state, uri))
        })
        .await
        .map_err(join_error)?
        .ok_or_else(Error::request_cancelled)
    }

    /// Computes and publishes diagnostics for the newest version of `uri`; a result for a
    /// version that an edit has since superseded is dropped (the later edit publishes).
    /// Runs are coalesced per document: while one computes, further calls only ask it to
    /// run once more when it ends.
    async fn publish(&self, uri: Uri) {
        let Some(doc) = self.state.get(&uri) else {
            return;
        };
        if !doc.enter_publish() {
            return;
        }
        loop {
            self.publish_once(&uri, &doc).await;
            if !doc.again_publish() {
                break;
            }
        }
        // Its anchors or questions changed: the other open notes' links and duplicates may
        // have too (closed notes are read from disk, where this edit is not yet).
        if doc.take_outline_changed() {
            for other in self.state.documents() {
                if other.uri == doc.uri {
                    continue;
                }
                if let Ok(other_uri) = other.uri.parse::<Uri>() {
                    Box::pin(self.publish_again(other_uri)).await;
                }
            }
        }
    }

    /// Publishes a note's diagnostics even if its version was already published: something
    /// it depends on changed.
    async fn publish_again(&self, uri: Uri) {
        if let Some(doc) = self.state.get(&uri) {
            doc.republish();
        }
        self.publish(uri).await;
    }

    /// The permit a run of `doc` waits for, if any: a first run one of `opening`'s, a
    /// republish one of `background`'s (given up when the note is edited meanwhile).
    async fn permit_for(&self, doc: &state::Document) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let edited = doc.edited.notified();
        tokio::pin!(edited);
        edited.as_mut().enable();
        if doc.unpublished() {
            self.state.opening.0.acquire().await.ok()
        } else if doc.newest_published() {
            tokio::select! {
                permit = self.state.background.0.acquire() => permit.ok(),
                () = edited => None,
            }
        } else {
            None
        }
    }

    /// One run of [`Backend::publish`], on a blocking thread: computes, serializes and
    /// writes the diagnostics there (see `output.rs`). Sends only a version newer than the
    /// last one sent, or the same version when a republish was asked for since.
    async fn publish_once(&self, uri: &Uri, doc: &Arc<state::Document>) {
        let doc = doc.clone();
        let state = self.state.clone();
        let output = self.output.clone();
        let uri = uri.clone();
        // Waited for here, holding no thread (see `state::Permits`);
        // a closed semaphore is no reason not to publish. A republish waiting for its permit
        // runs at once when the note is edited meanwhile: the run is then for the edit.
        let _permit = self.permit_for(&doc).await;
        let work = tokio::task::spawn_blocking(move || {
            // Closed while it waited for its permit or a thread: nothing is sent for it.
            if doc.is_closed() {
                return;
            }
            let asked = doc.republish_count();
            let published = publication(&state, &doc, &uri);
            if doc.is_closed() {
                // Closed while this ran: the "did you mean" answers it kept go with the note.
                state.workspace.forget_answers(&doc.uri);
                return;
            }
            let Some((version, frame)) = published else {
                return;
            };
            let mut last = doc.lock_published();
            // Runs of one note follow each other (`publish`), so a run that a republish
            // request overtook still sends (it is newer than what the client has) and the run
            // that request causes follows with the fresh result.
            let skip = Some(version) < last.version
                || (Some(version) == last.version && asked <= last.republish)
                || version != doc.latest_version();
            if skip {
                return;
            }
            // A republish (settings, other notes, the end of indexing) mostly finds the same
            // diagnostics: the client has them already, and they can be big.
            if Some(version) == last.version
                && last.sent == Some(state::Published::sent_of(frame.bytes()))
            {
                last.republish = asked;
                return;
            }
            // Checked under the output's lock: the empty diagnostics `didClose` sends are
            // written after `closed` is set, so nothing stale can follow them.
            if output.send_if(&frame, || !doc.is_closed()) {
                let first = last.version.is_none();
                *last = state::Published {
                    version: Some(version),
                    republish: asked,
                    sent: Some(state::Published::sent_of(frame.bytes())),
                };
                if first {
                    // What opening the note threw away (the parse's trees and scratch, the
                    // first analysis's) is given back.
                    memory::give_back_soon();
                }
            }
        });
        if let Err(e) = work.await {
            warn!("diagnostics run failed: {e}");
        }
    }
}

/// The diagnostics message for the newest version of `uri`, as the server publishes it (for
/// benchmarks and tests): `None` when it is not open.
pub fn diagnostics_now(state: &State, uri: &Uri) -> Option<(i32, output::Frame)> {
    publication(state, &*state.get(uri)?, uri)
}

/// The diagnostics message of a document's newest version; `None` when an edit superseded
/// it before it was computed (or it could not be serialized).
fn publication(state: &State, doc: &state::Document, uri: &Uri) -> Option<(i32, output::Frame)> {
    let enc = state.encoding();
    let config = state.config();
    // Other notes are read before this one's lock is taken: two notes publishing at once
    // never wait on each other's locks.
    let view = state.view(Some(&doc.uri));
    let mut cur = doc.current(enc);
    if cur.version != doc.latest_version() {
        return None;
    }
    let (a, facts) = cur.analysis_and_facts(&doc.uri, config.slugs);
    let runs = running::diagnostics_json(state, &doc.uri, &cur.note, &a, &config, enc);
    let mut publication = doc.lock_publication();
    publication.run_diagnostics = runs;
    let frame = publication.frame(uri, cur.version, &cur.note, &a, &facts, &view, &config, enc);
    let signature = publication.outline_signature();
    drop(publication);
    let version = cur.version;
    drop(cur);
    if let Some(signature) = signature {
        doc.note_outline(signature);
    }
    match frame {
        Ok(frame) => Some((version, frame)),
        Err(e) => {
            warn!("diagnostics of {} not serialized: {e}", doc.uri);
            None
        }
    }
}

impl Backend {
    /// Takes the client's settings; they apply over `.notes-lsp.toml`.
    async fn configure(&self, settings: &serde_json::Value) {
        *self
            .state
            .client_settings
            .write()
            .unwrap_or_else(|e| e.into_inner()) = settings.clone();
        self.reload_settings().await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        if let Some(pid) = params.process_id {
            watch_parent(pid);
        }
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
        *self.state.roots.write().unwrap_or_else(|e| e.into_inner()) = indexing::roots(&params);
        let caps = &params.capabilities;
        let lens_refresh = caps
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.state
            .runs
            .refresh_lenses
            .store(lens_refresh, std::sync::atomic::Ordering::SeqCst);
        let progress = caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        let watch = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.state
            .progress
            .store(progress, std::sync::atomic::Ordering::SeqCst);
        self.state
            .watch_registration
            .store(watch, std::sync::atomic::Ordering::SeqCst);
        self.configure(
            params
                .initialization_options
                .as_ref()
                .unwrap_or(&serde_json::Value::Null),
        )
        .await;
        self.state.set_initialized();
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
                        // Runs samples on save when `run = true`.
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["#".into(), "(".into(), "/".into()]),
                    ..Default::default()
                }),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: running::commands(),
                    work_done_progress_options: Default::default(),
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(actions::kinds()),
                        ..Default::default()
                    },
                )),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "notes-lsp".into(),
                version: Some(crate::VERSION.into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        info!("notes-lsp {} ready", crate::VERSION);
        let roots = self.state.roots();
        if !self.watch_files().await && !roots.is_empty() {
            self.watch_disk(roots);
        }
        // Index in the background: requests are answered while it runs.
        let this = self.clone();
        tokio::spawn(async move { this.index_workspace().await });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.configure(&params.settings).await;
        // Severities changed: every open note's diagnostics go out again.
        self.republish_all().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.set_shut_down();
        Ok(())
    }

    // Text sync: the edit itself was queued in order by `ordered::Ordered` before this
    // handler ran; here only the diagnostics follow.
    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri;
        self.publish(uri.clone()).await;
        if self.state.roots().is_empty() {
            let this = self.clone();
            tokio::spawn(async move { this.adopt_root_of(uri.as_str()).await });
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.state
            .runs
            .note_changed(params.text_document.uri.as_str());
        self.publish(params.text_document.uri).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if self.state.config().run_on_save {
            self.run_samples(params.text_document.uri, None).await;
        }
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let state = self.state.clone();
        let uri = params.text_document.uri.clone();
        self.with_note(&params.text_document.uri, move |note, a, enc| {
            Some(running::code_lenses(&state, &uri, note, a, enc))
        })
        .await
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        let Some((uri, line)) = running::parse_args(&params) else {
            return Err(Error::invalid_params(format!(
                "{}: expected the note's URI (and for one sample, its first line)",
                params.command
            )));
        };
        if self.state.get(&uri).is_none() {
            return Err(Error::invalid_params(format!(
                "document not open: {}",
                uri.as_str()
            )));
        }
        Ok(self.run_samples(uri, line).await)
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.runs.closed(uri.as_str());
        self.client
            .publish_diagnostics(uri.clone(), Vec::new(), None)
            .await;
        // Open notes are not indexed from disk (see `indexing::summarize`): read it now.
        self.files_changed(vec![FileEvent::new(uri, FileChangeType::CHANGED)])
            .await;
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let which = self.state.config().outline_samples;
        self.with_note(&params.text_document.uri, move |note, a, enc| {
            Some(DocumentSymbolResponse::Nested(to_proto::document_symbols(
                note, a, enc, which,
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
        let p = params.text_document_position_params;
        self.blocking(&p.text_document.uri, move |state, uri| {
            let found = navigation::hover(state, &uri, p.position);
            running::with_run_hover(state, &uri, p.position, found)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.blocking(&p.text_document.uri, move |state, uri| {
            navigation::definition(state, &uri, p.position)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let decl = params.context.include_declaration;
        self.blocking(&p.text_document.uri, move |state, uri| {
            navigation::references(state, &uri, p.position, decl)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.blocking(&params.text_document.uri, move |state, uri| {
            navigation::prepare_rename(state, &uri, params.position)
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let name = params.new_name;
        if name.trim().is_empty() || name.contains(['\n', '\r']) {
            return Err(Error::invalid_params(
                "a heading's new name must be one non-empty line",
            ));
        }
        self.blocking(&p.text_document.uri, move |state, uri| {
            navigation::rename(state, &uri, p.position, &name)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.blocking(&p.text_document.uri, move |state, uri| {
            completion::completion(state, &uri, p.position)
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.blocking(&params.text_document.uri, move |state, uri| {
            navigation::document_links(state, &uri)
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let state = self.state.clone();
        let query = params.query;
        tokio::task::spawn_blocking(move || {
            Some(WorkspaceSymbolResponse::Flat(
                navigation::workspace_symbols(&state, &query),
            ))
        })
        .await
        .map_err(|e| {
            warn!("workspace/symbol failed: {e}");
            Error::internal_error()
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.blocking(&uri, move |state, uri| {
            actions::code_actions(state, &uri, &params)
        })
        .await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.files_changed(params.changes).await;
    }
}

impl Backend {
    /// Runs the samples of `uri` (or the one starting on `line`), keeps the results,
    /// publishes the note's diagnostics again and refreshes its lenses. Dropped (cancelled),
    /// it kills the runs.
    async fn run_samples(&self, uri: Uri, line: Option<u32>) -> Option<serde_json::Value> {
        let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _guard = running::CancelOnDrop(cancel.clone());
        let state = self.state.clone();
        let target = uri.clone();
        let summary =
            tokio::task::spawn_blocking(move || running::run_note(&state, &target, line, cancel))
                .await
                .ok()
                .flatten();
        self.publish_again(uri).await;
        if self
            .state
            .runs
            .refresh_lenses
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client.code_lens_refresh().await;
            });
        }
        summary
    }
}

/// A flag that a request is still wanted, cleared when the request's future is dropped
/// (tower-lsp drops it on `$/cancelRequest`); blocking jobs check it before working.
struct Wanted(Arc<std::sync::atomic::AtomicBool>);

impl Wanted {
    fn new() -> Wanted {
        Wanted(Arc::new(std::sync::atomic::AtomicBool::new(true)))
    }

    fn flag(&self) -> Arc<std::sync::atomic::AtomicBool> {
        self.0.clone()
    }
}

impl Drop for Wanted {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A blocking job that panicked: an InternalError response naming the panic.
fn join_error(e: tokio::task::JoinError) -> Error {
    let what = if e.is_panic() {
        let panic = e.into_panic();
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    } else {
        e.to_string()
    };
    tracing::error!("request failed: {what}");
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: format!("internal error ({what})").into(),
        data: None,
    }
}
