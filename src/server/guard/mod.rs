//! A guard in front of the JSON-RPC transport: every byte the client sends passes through
//! here before tower-lsp's codec sees it.
//!
//! Why: tower-lsp-server's transport reads with tokio-util's `FramedRead`, and after the codec
//! returns one error (a body that is not JSON, a header it cannot parse, more than two headers,
//! a body that is not UTF-8) the stream ends and the server stops reading: one malformed
//! message would kill the server. And a `Content-Length` far beyond what is sent makes the
//! codec wait for bytes that never come, swallowing every later message.
//!
//! So this module does the framing itself, over a byte stream that may be arbitrarily wrong,
//! and hands the codec only well-formed frames: each valid message is passed on (re-framed with
//! a canonical header), and each malformed one is replaced by a notification
//! ([`MALFORMED_METHOD`]) that `ordered.rs` answers with the JSON-RPC error the message earned
//! (ParseError for bytes that are not JSON, InvalidRequest for JSON that is not a request), as
//! the spec asks. After garbage it resynchronises at the next `Content-Length` header.
//!
//! Bounds: a header block is at most [`MAX_HEADER_BYTES`]; a `Content-Length` over the limit
//! (`NOTES_LSP_MAX_MESSAGE_BYTES`, default 256 MiB) is rejected without waiting for or
//! allocating its body; memory held is what was actually received of one message. A length
//! that is too long is detected as soon as the next message's header arrives inside the body
//! (a raw `Content-Length: N` line cannot occur in valid JSON: a JSON string cannot hold a raw
//! line break, and the words are not JSON outside a string).
//!
//! This file cuts the stream into bodies; `message.rs` says what each body is (passed on, or
//! the error it earned) and keeps a `didOpen`'s text apart.

mod message;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::Request;
use tracing::{debug, error, warn};

pub use message::{Frame, MALFORMED_METHOD, OPEN_TEXT_KEY, OpenTexts};
use message::{parse_error, validate};

/// The longest header block accepted (real ones are under 100 bytes).
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// The default bound on a message body.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

const CONTENT_LENGTH: &[u8] = b"Content-Length";

/// Buffers bigger than this are freed once emptied.
const BIG_BUFFER: usize = 4 * 1024 * 1024;

/// The bound on a message body: `NOTES_LSP_MAX_MESSAGE_BYTES` or the default.
pub fn max_message_bytes() -> usize {
    std::env::var("NOTES_LSP_MAX_MESSAGE_BYTES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_MAX_MESSAGE_BYTES)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a header block at `pos`.
    Header,
    /// Reading a body of `len` bytes starting at `pos`; `scanned` is how far (from `pos`) the
    /// body was searched for an embedded header.
    Body { len: usize, scanned: usize },
    /// Skipping garbage up to the next `Content-Length`.
    Resync,
}

/// The framing state machine: feed it bytes with [`Framer::push`], take frames with
/// [`Framer::next_frame`]. Synchronous, so it can be fuzzed with any split of the input.
pub struct Framer {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    state: State,
    limit: usize,
    /// Bytes skipped while resynchronising, reported once when a header is found again.
    skipped: usize,
    /// Where `didOpen` texts are kept; `None`: messages pass whole.
    open_texts: Option<Arc<OpenTexts>>,
}

impl Framer {
    pub fn new(limit: usize) -> Framer {
        Framer {
            buf: Vec::new(),
            pos: 0,
            state: State::Header,
            limit,
            skipped: 0,
            open_texts: None,
        }
    }

    /// Takes the texts of `didOpen` messages out of their frames, into `texts`.
    pub fn keep_open_texts(mut self, texts: Arc<OpenTexts>) -> Framer {
        self.open_texts = Some(texts);
        self
    }

    pub fn push(&mut self, data: &[u8]) {
        if self.pos == self.buf.len() && self.buf.capacity() > BIG_BUFFER {
            // Let go of a big message's memory once it is passed on.
            self.buf = Vec::new();
            self.pos = 0;
        }
        // Compact only when the consumed prefix is most of the buffer: amortized linear.
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes held (received and not yet passed on or dropped).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// At the end of input: whether a message was cut off (logged).
    pub fn finish(&mut self) {
        let rest = &self.buf[self.pos..];
        if self.state != State::Resync && rest.iter().any(|b| !b.is_ascii_whitespace()) {
            warn!(
                "input ended in the middle of a message ({} bytes dropped)",
                rest.len()
            );
        }
    }

    fn resync_from(&mut self, at: usize) {
        self.pos = at;
        self.state = State::Resync;
    }

    /// The next frame, if the bytes received so far complete one.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                State::Resync => {
                    let rest = &self.buf[self.pos..];
                    match find(rest, CONTENT_LENGTH) {
                        Some(i) => {
                            self.skipped += i;
                            if self.skipped > 0 {
                                warn!(
                                    "skipped {} bytes of garbage before a Content-Length header",
                                    self.skipped
                                );
                            }
                            self.skipped = 0;
                            self.pos += i;
                            self.state = State::Header;
                        }
                        None => {
                            // Keep a tail that may be the start of the word.
                            let keep = rest.len().min(CONTENT_LENGTH.len() - 1);
                            let drop = rest.len() - keep;
                            self.skipped += drop;
                            self.pos += drop;
                            return None;
                        }
                    }
                }
                State::Header => match self.header() {
                    HeaderResult::Incomplete => return None,
                    HeaderResult::Length { len, body_start } => {
                        self.pos = body_start;
                        self.state = State::Body { len, scanned: 0 };
                    }
                    HeaderResult::Empty { next } => {
                        self.pos = next;
                        return Some(parse_error("Parse error: an empty message body"));
                    }
                    HeaderResult::Bad { error, resume } => {
                        error!("malformed message header: {error}");
                        self.resync_from(resume);
                        return Some(parse_error(format!("Parse error: {error}")));
                    }
                },
                State::Body { len, scanned } => {
                    let have = self.buf.len() - self.pos;
                    if have < len {
                        // The declared length may be wrong: a header inside the body says so.
                        let body = &self.buf[self.pos..];
                        match embedded_header(body, scanned) {
                            Embedded::At(i) => {
                                error!(
                                    "a message declared {len} bytes but the next header \
                                     starts after {i}: Content-Length was wrong"
                                );
                                self.pos += i;
                                self.state = State::Header;
                                return Some(parse_error(format!(
                                    "Parse error: the message was cut short by the next header \
                                     after {i} of the {len} bytes its Content-Length announced"
                                )));
                            }
                            Embedded::NotYet(from) => {
                                self.state = State::Body { len, scanned: from };
                                return None;
                            }
                        }
                    }
                    let body = &self.buf[self.pos..self.pos + len];
                    let frame = validate(body, self.open_texts.as_deref());
                    if let Frame::Malformed { message, .. } = &frame {
                        if serde_json::from_slice::<Request>(body).is_ok() {
                            // A well-formed request the protocol refuses: its length was right.
                            warn!("refused message ({len} bytes): {message}");
                            self.pos += len;
                            self.state = State::Header;
                            return Some(frame);
                        }
                        error!("malformed message ({len} bytes): {message}");
                        // The Content-Length may be what is wrong: too long, it swallowed the
                        // start of the next message; too short, it left part of this one. So
                        // look for the next header from the start of this body, not after it
                        // (the body may be the first bytes of the next header).
                        match embedded_header(body, 0) {
                            Embedded::At(i) => {
                                self.pos += i;
                                self.state = State::Header;
                            }
                            Embedded::NotYet(_) => self.resync_from(self.pos),
                        }
                        return Some(frame);
                    }
                    self.pos += len;
                    self.state = State::Header;
                    return Some(frame);
                }
            }
        }
    }

    fn header(&mut self) -> HeaderResult {
        // Stray line breaks and blanks between messages are tolerated.
        while self.pos < self.buf.len() && self.buf[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let mut at = start;
        let mut len: Option<usize> = None;
        loop {
            let rest = &self.buf[at..];
            let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
                if self.buf.len() - start > MAX_HEADER_BYTES {
                    return HeaderResult::Bad {
                        error: format!("no end of header within {MAX_HEADER_BYTES} bytes"),
                        resume: start + 1,
                    };
                }
                return HeaderResult::Incomplete;
            };
            let line_end = at + nl;
            let mut line = &self.buf[at..line_end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let next = line_end + 1;
            if next - start > MAX_HEADER_BYTES {
                return HeaderResult::Bad {
                    error: format!("a header block longer than {MAX_HEADER_BYTES} bytes"),
                    resume: start + 1,
                };
            }
            if line.is_empty() {
                // The end of the header block.
                return match len {
                    Some(0) => HeaderResult::Empty { next },
                    Some(len) => HeaderResult::Length {
                        len,
                        body_start: next,
                    },
                    None => HeaderResult::Bad {
                        error: "a header without Content-Length".into(),
                        resume: start + 1,
                    },
                };
            }
            let bad = |error: String| HeaderResult::Bad {
                error,
                resume: start + 1,
            };
            if line.len() > 1 && find(&line[1..], CONTENT_LENGTH).is_some() {
                // Garbage glued to the next message's header: resynchronise onto that header.
                return bad(format!(
                    "a header line with a header inside: {}",
                    show(line)
                ));
            }
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                return bad(format!("a header line without a colon: {}", show(line)));
            };
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
                return bad(format!("an invalid header name: {}", show(line)));
            }
            let value = trim(value);
            if name.eq_ignore_ascii_case(CONTENT_LENGTH) {
                if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                    return bad(format!("Content-Length is not a number: {}", show(value)));
                }
                // All digits: it only fails to parse by overflowing.
                let n = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(usize::MAX);
                if n > self.limit {
                    // Resume after this header block, not inside it: the body that follows
                    // is never read or held.
                    return HeaderResult::Bad {
                        error: format!(
                            "Content-Length {} is over the limit of {} bytes",
                            show(value),
                            self.limit
                        ),
                        resume: next,
                    };
                }
                if len.is_some_and(|l| l != n) {
                    return bad("two different Content-Length headers".into());
                }
                len = Some(n);
            } else if name.eq_ignore_ascii_case(b"Content-Type") {
                let v = String::from_utf8_lossy(value).to_ascii_lowercase();
                let charset = v
                    .split(';')
                    .skip(1)
                    .filter_map(|p| p.trim().strip_prefix("charset="))
                    .next();
                if charset.is_some_and(|c| !matches!(c.trim_matches('"'), "utf-8" | "utf8")) {
                    warn!("Content-Type {v}: reading the body as UTF-8 anyway");
                }
            } else {
                debug!("ignoring the header {}", show(name));
            }
            at = next;
        }
    }
}

enum HeaderResult {
    Incomplete,
    Length { len: usize, body_start: usize },
    Empty { next: usize },
    Bad { error: String, resume: usize },
}

enum Embedded {
    /// A header starts at this offset of the body.
    At(usize),
    /// None yet; search again from this offset when more bytes arrive.
    NotYet(usize),
}

/// Searches `body` from `from` for a line `Content-Length: <digits>` ending in a line break:
/// bytes valid JSON can never contain.
fn embedded_header(body: &[u8], from: usize) -> Embedded {
    let mut at = from;
    while let Some(i) = find(&body[at..], CONTENT_LENGTH) {
        let hit = at + i;
        let mut j = hit + CONTENT_LENGTH.len();
        let skip = |j: &mut usize, f: fn(&u8) -> bool| {
            while *j < body.len() && f(&body[*j]) {
                *j += 1;
            }
        };
        if j >= body.len() {
            return Embedded::NotYet(hit);
        }
        if body[j] == b':' {
            j += 1;
            skip(&mut j, |&b| b == b' ' || b == b'\t');
            let digits = j;
            skip(&mut j, u8::is_ascii_digit);
            let had_digits = j > digits;
            skip(&mut j, |&b| b == b' ' || b == b'\t');
            if j >= body.len() {
                return Embedded::NotYet(hit);
            }
            if had_digits && (body[j] == b'\r' || body[j] == b'\n') {
                return Embedded::At(hit);
            }
        }
        at = hit + 1;
    }
    Embedded::NotYet(body.len().saturating_sub(CONTENT_LENGTH.len()).max(from))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut at = 0;
    while at + needle.len() <= hay.len() {
        let i = hay[at..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)?;
        let start = at + i;
        if &hay[start..start + needle.len()] == needle {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 9110 token characters (header names).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A header fragment for a log line, cut short.
fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    format!("{s:?}{}", if bytes.len() > 80 { "…" } else { "" })
}

/// `input` with the guard applied: reading it yields well-formed frames only (see the module
/// docs). Holds at most one message's bytes and its re-framed copy.
pub struct Guarded<R> {
    input: R,
    framer: Framer,
    chunk: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    ending: Option<Arc<Notify>>,
}

impl<R> Guarded<R> {
    /// Takes the texts of `didOpen` messages out of their frames, into `texts`.
    pub fn keep_open_texts(mut self, texts: Arc<OpenTexts>) -> Self {
        self.framer = self.framer.keep_open_texts(texts);
        self
    }

    /// Notifies `ending` at the end of input (the client is gone).
    pub fn on_end(mut self, ending: Arc<Notify>) -> Self {
        self.ending = Some(ending);
        self
    }
}

/// Wraps `input` (the client's stdin) in the guard.
pub fn guarded<R: AsyncRead + Unpin>(input: R, limit: usize) -> Guarded<R> {
    Guarded {
        input,
        framer: Framer::new(limit),
        chunk: vec![0; 64 * 1024],
        out: Vec::new(),
        out_pos: 0,
        eof: false,
        ending: None,
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Guarded<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.out_pos < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.out_pos);
                buf.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                // Nothing put in `buf`: the end of input.
                return Poll::Ready(Ok(()));
            }
            if this.out.capacity() > BIG_BUFFER {
                this.out = Vec::new();
            }
            let mut rb = ReadBuf::new(&mut this.chunk);
            match Pin::new(&mut this.input).poll_read(cx, &mut rb) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    this.out.clear();
                    this.out_pos = 0;
                    if n == 0 {
                        this.framer.finish();
                        this.eof = true;
                        if let Some(ending) = &this.ending {
                            ending.notify_one();
                        }
                        continue;
                    }
                    this.framer.push(&this.chunk[..n]);
                    while let Some(frame) = this.framer.next_frame() {
                        this.out.extend_from_slice(&frame.encode());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::message::{INVALID_REQUEST, PARSE_ERROR};
    use super::*;
    use serde_json::{Value, json};

    fn framed(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    fn run(input: &[u8], limit: usize) -> Vec<Frame> {
        let mut f = Framer::new(limit);
        f.push(input);
        std::iter::from_fn(|| f.next_frame()).collect()
    }

    fn codes(frames: &[Frame]) -> Vec<i64> {
        frames
            .iter()
            .map(|f| match f {
                Frame::Message(_) => 0,
                Frame::Malformed { code, .. } => *code,
            })
            .collect()
    }

    #[test]
    fn valid_messages_pass_through() {
        let mut input = framed(OK);
        input.extend(framed(r#"{"jsonrpc":"2.0","id":7,"result":null}"#));
        let frames = run(&input, 1 << 20);
        assert_eq!(frames[0], Frame::Message(OK.as_bytes().to_vec()));
        assert_eq!(codes(&frames), [0, 0]);
    }

    #[test]
    fn bad_json_and_non_requests_get_their_errors_and_the_next_message_passes() {
        let mut input = framed(r#"{"jsonrpc": "2.0", "id": 2, "method": "#);
        input.extend(framed("[1,2,3]"));
        input.extend(framed(r#"{"jsonrpc":"2.0","id":5,"method":7}"#));
        input.extend(framed(OK));
        let frames = run(&input, 1 << 20);
        assert_eq!(
            codes(&frames),
            [PARSE_ERROR, INVALID_REQUEST, INVALID_REQUEST, 0]
        );
        let Frame::Malformed { id, .. } = &frames[2] else {
            panic!()
        };
        assert_eq!(id, &json!(5));
    }

    #[test]
    fn invalid_utf8_and_odd_headers() {
        let mut input = b"Content-Length: 10\r\n\r\n{\"a\":\"\xff\xfe\"}".to_vec();
        input.extend(b"Content-Length: 2\r\nA: b\r\nC: d\r\n\r\n{}");
        input.extend(framed(OK));
        let frames = run(&input, 1 << 20);
        assert_eq!(codes(&frames), [PARSE_ERROR, INVALID_REQUEST, 0]);
    }

    #[test]
    fn an_absurd_length_is_rejected_without_waiting() {
        let mut input = b"Content-Length: 99999999999999999999999\r\n\r\n{}".to_vec();
        input.extend(framed(OK));
        let frames = run(&input, 1 << 20);
        assert_eq!(codes(&frames), [PARSE_ERROR, 0]);
    }

    #[test]
    fn a_too_long_length_is_cut_at_the_next_header() {
        let mut input = format!("Content-Length: {}\r\n\r\n{OK}", OK.len() + 500).into_bytes();
        input.extend(framed(OK));
        // The next message arrives; nothing more: the first must not swallow it.
        let frames = run(&input, 1 << 20);
        assert_eq!(codes(&frames), [PARSE_ERROR, 0]);
    }

    #[test]
    fn a_too_short_length_resynchronises() {
        let mut input = format!("Content-Length: {}\r\n\r\n{OK}", OK.len() - 5).into_bytes();
        input.extend(framed(OK));
        let frames = run(&input, 1 << 20);
        assert_eq!(codes(&frames).last(), Some(&0));
        assert_eq!(codes(&frames)[0], PARSE_ERROR);
    }

    #[test]
    fn garbage_without_headers_is_skipped_in_bounded_memory() {
        let mut f = Framer::new(1 << 20);
        for _ in 0..1000 {
            f.push(&[b'x'; 10_000]);
            while f.next_frame().is_some() {}
            assert!(f.buffered() < MAX_HEADER_BYTES + 10_000);
        }
        f.push(&framed(OK));
        let frames: Vec<_> = std::iter::from_fn(|| f.next_frame()).collect();
        assert_eq!(codes(&frames).last(), Some(&0));
    }

    #[test]
    fn any_split_gives_the_same_frames() {
        let mut input = framed(OK);
        input.extend(b"garbage\r\n\r\n");
        input.extend(framed("{not json"));
        input.extend(framed(OK));
        let whole = run(&input, 1 << 20);
        for step in 1..input.len() {
            let mut f = Framer::new(1 << 20);
            let mut got = Vec::new();
            for piece in input.chunks(step) {
                f.push(piece);
                got.extend(std::iter::from_fn(|| f.next_frame()));
            }
            assert_eq!(codes(&got), codes(&whole), "split every {step} bytes");
        }
    }

    #[test]
    fn a_body_that_is_the_start_of_the_next_header_does_not_hide_it() {
        // Found by the fuzzer (tests/fuzz.rs, seed 20261122, case 1131).
        let mut input = b"Content-Length: 6\r\n\r\n".to_vec();
        input.extend(framed(OK));
        assert_eq!(codes(&run(&input, 1 << 20)), [PARSE_ERROR, 0]);
    }

    #[test]
    fn a_header_glued_to_garbage_is_found() {
        // Found by the fuzzer (tests/fuzz.rs, seed 20261122, case 94473).
        let mut input = b"Content-Length: 110\r\nContent".to_vec();
        input.extend(framed(OK));
        assert_eq!(codes(&run(&input, 1 << 20)), [PARSE_ERROR, 0]);
        // Case 843994: the glued garbage starts like the header.
        let mut input = b"Content-Length: 110\nContent-Length".to_vec();
        input.extend(framed(OK));
        let got = codes(&run(&input, 1 << 20));
        assert_eq!(got.last(), Some(&0), "{got:?}");
        assert!(
            got[..got.len() - 1].iter().all(|&c| c == PARSE_ERROR),
            "{got:?}"
        );
    }

    #[test]
    fn an_empty_body_is_a_parse_error() {
        let mut input = b"Content-Length: 0\r\n\r\n".to_vec();
        input.extend(framed(OK));
        assert_eq!(codes(&run(&input, 1 << 20)), [PARSE_ERROR, 0]);
    }

    #[test]
    fn the_reserved_method_is_not_accepted_from_a_client() {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"{MALFORMED_METHOD}","params":{{}}}}"#);
        assert_eq!(codes(&run(&framed(&body), 1 << 20)), [INVALID_REQUEST]);
    }

    /// The bodies of the frames `input` gives with `didOpen` texts kept in `texts`.
    fn bodies_keeping(input: &[u8], texts: &Arc<OpenTexts>) -> Vec<Value> {
        let mut f = Framer::new(1 << 20).keep_open_texts(texts.clone());
        f.push(input);
        std::iter::from_fn(|| f.next_frame())
            .map(|frame| match frame {
                Frame::Message(b) => serde_json::from_slice(&b).unwrap(),
                Frame::Malformed { code, .. } => json!({ "malformed": code }),
            })
            .collect()
    }

    fn did_open(text: &str, extra: &str) -> String {
        let text = serde_json::to_string(text).unwrap();
        format!(
            r#"{{"jsonrpc":"2.0",{extra}"method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"file:///n.md","languageId":"markdown","version":3,"text":{text}}}}}}}"#
        )
    }

    #[test]
    fn a_did_open_passes_on_without_its_text_which_is_kept() {
        let texts = Arc::new(OpenTexts::default());
        let text = "# Été \"quoted\"\n\n\tcode\r\n\u{1F600} `x`\n";
        let mut input = framed(&did_open(text, ""));
        input.extend(framed(&did_open("second", "")));
        let got = bodies_keeping(&input, &texts);
        assert_eq!(got.len(), 2);
        let d = &got[0]["params"]["textDocument"];
        assert_eq!(got[0]["method"], "textDocument/didOpen");
        assert_eq!(d["text"], "");
        assert_eq!(
            (d["uri"].as_str(), d["version"].as_i64()),
            (Some("file:///n.md"), Some(3))
        );
        // What the text sync reads: the request as tower-lsp decodes the passed-on frame.
        let request: Request = serde_json::from_value(got[0].clone()).unwrap();
        assert_eq!(texts.take(request.params()).as_deref(), Some(text));
        assert_eq!(texts.take(request.params()), None, "taken once");
        assert_eq!(texts.take(got[1].get("params")).as_deref(), Some("second"));
    }

    #[test]
    fn only_did_open_notifications_have_their_text_kept() {
        let texts = Arc::new(OpenTexts::default());
        // A didOpen sent as a request (refused: a notification with an id), a didChange, a
        // text holding the method's name, and a made-up key: none has its text kept.
        let as_request = did_open("a", r#""id":7,"#);
        let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///n.md","version":4},"contentChanges":[{"text":"\"textDocument/didOpen\""}]}}"#;
        let made_up = did_open("mine", "").replace(
            r#""params":{"#,
            &format!(r#""params":{{"{OPEN_TEXT_KEY}":0,"#),
        );
        let mut input = framed(&as_request);
        input.extend(framed(change));
        input.extend(framed(&made_up));
        let got = bodies_keeping(&input, &texts);
        assert_eq!(got[0], json!({"malformed": -32600}));
        assert_eq!(got[1], serde_json::from_str::<Value>(change).unwrap());
        assert_eq!(got[2]["params"]["textDocument"]["text"], "");
        assert_eq!(texts.take(got[2].get("params")).as_deref(), Some("mine"));
        // A kept text is found only under the key the guard gave it.
        assert_eq!(texts.take(Some(&json!({ OPEN_TEXT_KEY: 0 }))), None);
        assert!(texts.texts.lock().unwrap().is_empty());
    }
}
