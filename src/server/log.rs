//! The server's log. Once stdout carries the protocol, every event goes to the client as
//! `window/logMessage` at its own level (editors keep it in their LSP log or output channel
//! and filter it there); before that, that is for failures at startup, it goes to stderr,
//! which clients show as errors whatever it says.
//!
//! `NOTES_LSP_LOG` takes a tracing filter such as `debug` or `notes_lsp=trace`; the default
//! is `info` for notes-lsp and `warn` for the libraries under it.

use std::fmt::Write as _;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, OnceLock};

use tower_lsp_server::ls_types::{LogMessageParams, MessageType};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use super::output::{Frame, Output};

/// Log lines waiting for the writer thread; beyond this many, new ones are dropped rather
/// than blocking the thread that logs (a client that stops reading must not stall the
/// server through its log).
const QUEUE: usize = 1024;

static TO_CLIENT: OnceLock<SyncSender<LogMessageParams>> = OnceLock::new();

/// Logs to stderr until [`to_client`] is called. Does nothing when a logger is already set.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NOTES_LSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,notes_lsp=info"));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(tracing_subscriber::filter::filter_fn(|_| {
            TO_CLIENT.get().is_none()
        }));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(ClientLayer)
        .try_init();
}

/// From now on the log goes to the client over `output`, written by a thread of its own.
pub fn to_client(output: Arc<Output>) {
    let (tx, rx) = sync_channel(QUEUE);
    let spawned = std::thread::Builder::new()
        .name("notes-lsp-log".into())
        .spawn(move || write_all(&rx, &output));
    if spawned.is_ok() {
        let _ = TO_CLIENT.set(tx);
    }
}

fn write_all(rx: &Receiver<LogMessageParams>, output: &Output) {
    while let Ok(params) = rx.recv() {
        if let Ok(frame) = Frame::notification("window/logMessage", &params) {
            output.send(&frame);
        }
    }
}

/// The LSP message type of a tracing level: debug and trace are `Log`.
pub fn message_type(level: Level) -> MessageType {
    match level {
        Level::ERROR => MessageType::ERROR,
        Level::WARN => MessageType::WARNING,
        Level::INFO => MessageType::INFO,
        _ => MessageType::LOG,
    }
}

struct ClientLayer;

impl<S: Subscriber> Layer<S> for ClientLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let Some(tx) = TO_CLIENT.get() else {
            return;
        };
        let meta = event.metadata();
        let mut text = Text::default();
        event.record(&mut text);
        let mut message = text.0;
        // Where a detail comes from matters to whoever reads debug output, not to a user.
        if *meta.level() > Level::INFO {
            message = format!("{}: {message}", meta.target());
        }
        let _ = tx.try_send(LogMessageParams {
            typ: message_type(*meta.level()),
            message,
        });
    }
}

/// An event as one line: its message, then its other fields as `name=value`.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let rest = std::mem::take(&mut self.0);
            let _ = write!(self.0, "{value:?}");
            self.0.push_str(&rest);
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.insert_str(0, value);
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_to_message_types() {
        assert_eq!(message_type(Level::ERROR), MessageType::ERROR);
        assert_eq!(message_type(Level::WARN), MessageType::WARNING);
        assert_eq!(message_type(Level::INFO), MessageType::INFO);
        assert_eq!(message_type(Level::DEBUG), MessageType::LOG);
        assert_eq!(message_type(Level::TRACE), MessageType::LOG);
    }
}
