//! The one writer of the protocol's output.
//!
//! tower-lsp turns every message into a `serde_json::Value` before writing it: a map with
//! allocated keys per object. For the big, frequent messages (a 1 MiB note's ~500
//! diagnostics on every keystroke, its ~2,700 nested symbols) that costs more than computing
//! them, and its writes go through tokio's stdout, one more thread hop per message. So those
//! messages are serialized straight from their types into a frame here and written by the
//! thread that computed them; everything tower-lsp writes reaches the same descriptor
//! through [`TowerOutput`], which hands whole frames to a writer thread. Frames are written
//! whole under one lock, so the two paths interleave only between messages.

use std::io::Write;
use std::pin::Pin;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde::Serialize;
use tokio::io::AsyncWrite;
use tower_lsp_server::jsonrpc::Id;
use tracing::error;

/// Room before the body for `Content-Length: N\r\n\r\n`, written once the length is known.
const HEADROOM: usize = 48;

/// One message, framed: header and body in one buffer, so it is written with one call.
pub struct Frame {
    buf: Vec<u8>,
    start: usize,
}

impl Frame {
    fn of(msg: &impl Serialize) -> serde_json::Result<Frame> {
        Frame::with_body(4096, |buf| serde_json::to_writer(buf, msg))
    }

    /// A message whose body `write` appends to the buffer it is given (for a message put
    /// together from pieces serialized earlier); `capacity` is the body's expected size.
    pub fn with_body<E>(
        capacity: usize,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<Frame, E> {
        let mut buf = Vec::with_capacity(HEADROOM + capacity);
        buf.resize(HEADROOM, b' ');
        write(&mut buf)?;
        let header = format!("Content-Length: {}\r\n\r\n", buf.len() - HEADROOM);
        let start = HEADROOM - header.len();
        buf[start..HEADROOM].copy_from_slice(header.as_bytes());
        Ok(Frame { buf, start })
    }

    /// A notification from the server.
    pub fn notification(method: &str, params: &impl Serialize) -> serde_json::Result<Frame> {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: P,
        }
        Frame::of(&Notification {
            jsonrpc: "2.0",
            method,
            params,
        })
    }

    /// The successful answer to request `id`.
    pub fn result(id: &Id, result: &impl Serialize) -> serde_json::Result<Frame> {
        #[derive(Serialize)]
        struct Reply<'a, R> {
            jsonrpc: &'static str,
            result: R,
            id: &'a Id,
        }
        Frame::of(&Reply {
            jsonrpc: "2.0",
            result,
            id,
        })
    }

    /// The successful answer to request `id`, its result's JSON written by `write` (about
    /// `capacity` bytes), as [`Frame::result`] would frame it.
    pub fn raw_result(id: &Id, capacity: usize, write: impl FnOnce(&mut Vec<u8>)) -> Frame {
        Frame::with_body(capacity + 64, |buf| {
            buf.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"result\":");
            write(buf);
            buf.extend_from_slice(b",\"id\":");
            serde_json::to_writer(&mut *buf, id)?;
            buf.push(b'}');
            Ok::<_, serde_json::Error>(())
        })
        .expect("an id serializes")
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The message without its header.
    pub fn body(&self) -> &[u8] {
        &self.buf[HEADROOM..]
    }
}

/// Where frames go: the process's stdout, or a buffer in tests.
pub struct Output {
    sink: Mutex<Sink>,
}

struct Sink {
    out: Box<dyn Write + Send>,
    /// Set once a write failed (the client went away): later frames are dropped quietly.
    broken: bool,
}

impl Output {
    /// Writes to a duplicate of the process's stdout descriptor: unbuffered, one write per
    /// frame, no line buffering splitting header from body.
    pub fn stdout() -> Arc<Output> {
        use std::os::fd::AsFd;
        let out: Box<dyn Write + Send> = match std::io::stdout().as_fd().try_clone_to_owned() {
            Ok(fd) => {
                grow_pipe(&fd);
                Box::new(std::fs::File::from(fd))
            }
            Err(e) => {
                error!("cannot duplicate stdout ({e}); writing through std's handle");
                Box::new(std::io::stdout())
            }
        };
        Output::to(out)
    }

    pub fn to(out: Box<dyn Write + Send>) -> Arc<Output> {
        Arc::new(Output {
            sink: Mutex::new(Sink { out, broken: false }),
        })
    }

    /// Writes a frame whole. Blocks while the client does not read: call it off the async
    /// workers, or they would stop reading the client's messages too.
    pub fn send(&self, frame: &Frame) {
        self.write(frame.bytes());
    }

    /// Writes a frame whole if `ok` holds once no other frame is being written: a check
    /// that orders this frame against others (see its callers). Returns whether it was sent.
    pub fn send_if(&self, frame: &Frame, ok: impl FnOnce() -> bool) -> bool {
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        ok() && sink.write(frame.bytes())
    }

    fn write(&self, bytes: &[u8]) {
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        sink.write(bytes);
    }
}

impl Sink {
    fn write(&mut self, bytes: &[u8]) -> bool {
        if self.broken {
            return false;
        }
        if let Err(e) = self.out.write_all(bytes).and_then(|()| self.out.flush()) {
            error!("writing to the client failed: {e}; dropping further output");
            self.broken = true;
        }
        !self.broken
    }
}

/// A pipe holds 64 KiB by default; the diagnostics of a big note are more, and each publish
/// would wait for the client to drain the pipe before the rest could follow. With room for
/// the whole message it is written in one go and the client reads it in one go (the same holds for a big note's `didOpen` on
/// stdin). Not a pipe (a file, a socket): nothing changes.
pub fn grow_pipe(fd: &impl std::os::fd::AsRawFd) {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" {
            fn fcntl(fd: i32, cmd: i32, ...) -> i32;
        }
        const F_SETPIPE_SZ: i32 = 1031;
        // The default /proc/sys/fs/pipe-max-size for unprivileged processes.
        const SIZE: i32 = 1 << 20;
        // SAFETY: fcntl on a descriptor this process owns; F_SETPIPE_SZ takes an int and
        // fails harmlessly (EBADF, EINVAL, EPERM) on anything but a pipe it may grow.
        let got = unsafe { fcntl(fd.as_raw_fd(), F_SETPIPE_SZ, SIZE) };
        tracing::debug!("pipe size of fd {}: {got}", fd.as_raw_fd());
    }
}

/// What tower-lsp writes, cut into whole frames and passed to a writer thread (its writes
/// come from the async workers, which must never block on a client that does not read).
pub struct TowerOutput {
    pending: Vec<u8>,
    frames: mpsc::Sender<Job>,
}

enum Job {
    Write(Vec<u8>),
    /// Answered once everything before it is written.
    Drain(mpsc::Sender<()>),
}

/// Lets the process wait, before it exits, for what tower-lsp wrote to reach the client.
#[derive(Clone)]
pub struct Drain(mpsc::Sender<Job>);

impl Drain {
    pub fn wait(&self, timeout: std::time::Duration) {
        let (tx, rx) = mpsc::channel();
        if self.0.send(Job::Drain(tx)).is_ok() {
            let _ = rx.recv_timeout(timeout);
        }
    }
}

impl TowerOutput {
    pub fn new(output: Arc<Output>) -> (TowerOutput, Drain) {
        let (frames, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("notes-lsp-writer".into())
            .spawn(move || {
                for job in rx {
                    match job {
                        Job::Write(frame) => output.write(&frame),
                        Job::Drain(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            })
            .expect("the writer thread starts");
        (
            TowerOutput {
                pending: Vec::new(),
                frames: frames.clone(),
            },
            Drain(frames),
        )
    }

    /// Passes on every whole frame at the front of `pending`.
    fn pass_frames(&mut self) {
        let mut from = 0;
        while let Some(len) = frame_len(&self.pending[from..]) {
            let frame = self.pending[from..from + len].to_vec();
            from += len;
            let _ = self.frames.send(Job::Write(frame));
        }
        self.pending.drain(..from);
    }
}

/// The length of the frame at the front of `bytes` (headers, blank line, body) once all of
/// it is there.
fn frame_len(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let headers = std::str::from_utf8(&bytes[..end]).ok()?;
    let body: usize = headers.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    })?;
    (bytes.len() >= end + body).then_some(end + body)
}

impl AsyncWrite for TowerOutput {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.pending.extend_from_slice(buf);
        self.pass_frames();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn frames_carry_their_length_and_the_message() {
        let f = Frame::result(&Id::Number(7), &vec![1, 2]).unwrap();
        let text = std::str::from_utf8(f.bytes()).unwrap();
        let body = r#"{"jsonrpc":"2.0","result":[1,2],"id":7}"#;
        assert_eq!(
            text,
            format!("Content-Length: {}\r\n\r\n{body}", body.len())
        );
        for id in [Id::Number(7), Id::String("a\"b".into())] {
            let raw = Frame::raw_result(&id, 0, |b| b.extend_from_slice(b"[1,2]"));
            assert_eq!(
                raw.bytes(),
                Frame::result(&id, &vec![1, 2]).unwrap().bytes()
            );
        }
        let n = Frame::notification("x/y", &serde_json::json!({"a": "é"})).unwrap();
        let text = std::str::from_utf8(n.bytes()).unwrap();
        let body = r#"{"jsonrpc":"2.0","method":"x/y","params":{"a":"é"}}"#;
        assert_eq!(
            text,
            format!("Content-Length: {}\r\n\r\n{body}", body.len())
        );
    }

    #[test]
    fn tower_writes_reach_the_output_as_whole_frames_in_order() {
        let sink = Shared::default();
        let output = Output::to(Box::new(sink.clone()));
        let (mut tower, drain) = TowerOutput::new(output.clone());
        let a = b"Content-Length: 2\r\n\r\n{}";
        let b = b"Content-Length: 4\r\n\r\n[12]";
        let mut all = a.to_vec();
        all.extend_from_slice(b);
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        // Split mid-header and mid-body: nothing partial may be written.
        for piece in [&all[..10], &all[10..22], &all[22..30], &all[30..]] {
            assert!(matches!(
                Pin::new(&mut tower).poll_write(&mut cx, piece),
                Poll::Ready(Ok(n)) if n == piece.len()
            ));
        }
        drain.wait(std::time::Duration::from_secs(5));
        assert_eq!(sink.0.lock().unwrap().as_slice(), all.as_slice());
        // A direct frame goes to the same place.
        output.send(&Frame::result(&Id::Number(1), &()).unwrap());
        assert!(
            std::str::from_utf8(&sink.0.lock().unwrap())
                .unwrap()
                .ends_with(r#"{"jsonrpc":"2.0","result":null,"id":1}"#)
        );
    }
}
