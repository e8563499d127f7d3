//! Fuzzing, bounded so that it runs in `cargo test`: random inputs from a seeded generator.
//!
//! - position conversions against a naive model (any text, any position, after any edits);
//! - the input guard's framing against random byte mutations of valid traffic, split anywhere;
//! - the real binary fed mutated JSON-RPC: it must not die and must answer a final valid
//!   request correctly;
//! - the Python checker on randomly nested sources, on a 2 MiB stack (the server's blocking
//!   threads' size): it must never overflow.
//!
//! (Random edit sequences of the note parser are fuzzed by the property test in
//! `tests/incremental.rs`, which takes the same `NOTES_LSP_FUZZ_CASES`.)
//!
//! `NOTES_LSP_FUZZ_CASES` multiplies the case counts (e.g. `NOTES_LSP_FUZZ_CASES=100` for a
//! long run); `NOTES_LSP_FUZZ_SEED` picks another seed. A failure prints the seed and case.

mod common;
mod scale;

use std::time::Duration;

use common::*;
use notes_lsp::note::{Encoding, LineCol, Note};
use notes_lsp::server::guard::{Frame, Framer};
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Request, Response};

/// `default` cases, times `NOTES_LSP_FUZZ_CASES` when set.
fn cases(default: usize) -> usize {
    scale::cases(default as u32) as usize
}

/// `NOTES_LSP_FUZZ_CASE=N` runs case N alone (to reproduce a failure) and shows its input.
fn only() -> Option<usize> {
    std::env::var("NOTES_LSP_FUZZ_CASE")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// The cases to run: all `n`, or the one `NOTES_LSP_FUZZ_CASE` names.
fn case_range(n: usize) -> std::ops::Range<usize> {
    match only() {
        Some(c) => c..c + 1,
        None => 0..n,
    }
}

fn seed() -> u64 {
    std::env::var("NOTES_LSP_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED)
}

// ---------------------------------------------------------------------------------------------
// positions

const TEXT_PIECES: &[&str] = &[
    "a",
    "word ",
    "é",
    "中",
    "😀",
    "👨‍👩‍👧",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "# H\n",
    "## Q?\r\n",
    "```\n",
    "```python\nx = (\n",
    "> ",
    "- ",
    "\t",
    "\0",
    " ",
    "\u{feff}",
    "\u{10ffff}",
];

fn random_text(rng: &mut XorShift, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n)
        .map(|_| TEXT_PIECES[rng.below(TEXT_PIECES.len())])
        .collect()
}

/// Line starts by LSP's rule: `\n`, `\r\n` and a lone `\r` end a line.
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    for i in 0..b.len() {
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

fn width(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => s.encode_utf16().count(),
    }
}

/// Where line `line`'s content ends (its break excluded).
fn content_end(text: &str, starts: &[usize], line: usize) -> usize {
    let end = starts.get(line + 1).copied().unwrap_or(text.len());
    starts[line] + text[starts[line]..end].trim_end_matches(['\n', '\r']).len()
}

/// The naive model of `to_line_col`: offsets rounded down to a character, into the text,
/// and out of a line break to the end of the line's content.
fn model_line_col(text: &str, offset: usize, enc: Encoding) -> LineCol {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let starts = line_starts(text);
    let line = starts.partition_point(|&s| s <= offset) - 1;
    let offset = offset.min(content_end(text, &starts, line));
    LineCol {
        line: line as u32,
        col: width(&text[starts[line]..offset], enc) as u32,
    }
}

/// The naive model of `to_offset`: a line past the end is the end of the text, a column past
/// the line's content its end, a column inside a character the character's start.
fn model_offset(text: &str, pos: LineCol, enc: Encoding) -> usize {
    let starts = line_starts(text);
    let line = pos.line as usize;
    if line >= starts.len() {
        return text.len();
    }
    let end = content_end(text, &starts, line);
    let mut col = 0;
    for (at, ch) in text[starts[line]..end].char_indices() {
        let w = width(ch.encode_utf8(&mut [0; 4]), enc);
        if col + w > pos.col as usize {
            return starts[line] + at;
        }
        col += w;
    }
    end
}

fn check_positions(note: &Note, text: &str, rng: &mut XorShift, what: &str) {
    let lines = line_starts(text).len() as u32;
    for enc in [Encoding::Utf8, Encoding::Utf16] {
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                note.to_line_col(offset, enc),
                model_line_col(text, offset, enc),
                "{what}: to_line_col({offset}, {enc:?}) in {text:?}"
            );
        }
        for _ in 0..200 {
            let a = rng.below(text.len() + 3);
            let b = a + rng.below(12);
            assert_eq!(
                note.range_to_line_cols(a..b, enc),
                (model_line_col(text, a, enc), model_line_col(text, b, enc)),
                "{what}: range_to_line_cols({a}..{b}, {enc:?}) in {text:?}"
            );
        }
        for _ in 0..200 {
            let pos = LineCol {
                line: match rng.below(8) {
                    0 => u32::MAX,
                    1 => lines + rng.below(3) as u32,
                    _ => rng.below(lines as usize + 1) as u32,
                },
                col: match rng.below(8) {
                    0 => u32::MAX,
                    _ => rng.below(30) as u32,
                },
            };
            let got = note.to_offset(pos, enc);
            assert_eq!(
                got,
                model_offset(text, pos, enc),
                "{what}: to_offset({pos:?}, {enc:?}) in {text:?}"
            );
            // What a position names, named again, gives the same offset.
            assert_eq!(
                note.to_offset(note.to_line_col(got, enc), enc),
                got,
                "{what}: round trip of {pos:?} ({enc:?}) in {text:?}"
            );
        }
    }
}

#[test]
fn position_conversions_agree_with_a_naive_model() {
    let base = seed();
    for case in case_range(cases(300)) {
        let mut rng = XorShift::new(base ^ (case as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let text = random_text(&mut rng, 60);
        let note = Note::new(&text);
        check_positions(
            &note,
            &text,
            &mut rng,
            &format!("seed {base} case {case} fresh"),
        );
        // The same after edits (chunks cut and merged, positions over the chunk layout).
        let mut note = note;
        let mut model = text;
        for _ in 0..rng.below(12) {
            let mut a = rng.below(model.len() + 1);
            while !model.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = (a + rng.below(8)).min(model.len());
            while !model.is_char_boundary(b) {
                b -= 1;
            }
            let insert = random_text(&mut rng, 4);
            model.replace_range(a..b, &insert);
            note.edit(a..b, &insert);
        }
        assert_eq!(note.text(), model);
        check_positions(
            &note,
            &model,
            &mut rng,
            &format!("seed {base} case {case} edited"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// the input guard, in process

/// Valid client traffic: requests, notifications, a response to a server request.
fn valid_messages(rng: &mut XorShift, n: usize) -> Vec<Value> {
    let uri = "file:///fuzz/base.md";
    (0..n)
        .map(|i| {
            let pos = json!({"line": rng.below(12), "character": rng.below(30)});
            let id = format!("g-{i}");
            match rng.below(12) {
                0 => json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uri, "version": 2 + i},
                    "contentChanges": [{"range": {"start": pos, "end": pos},
                                        "text": TEXT_PIECES[rng.below(TEXT_PIECES.len())]}]}}),
                1 => json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                            "params": {"textDocument": {"uri": uri}}}),
                2 => json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
                            "params": {"textDocument": {"uri": uri}, "position": pos}}),
                3 => json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/completion",
                            "params": {"textDocument": {"uri": uri}, "position": pos}}),
                4 => json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/foldingRange",
                            "params": {"textDocument": {"uri": uri}}}),
                5 => json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/definition",
                            "params": {"textDocument": {"uri": uri}, "position": pos}}),
                6 => json!({"jsonrpc": "2.0", "id": id, "method": "workspace/symbol",
                            "params": {"query": "q"}}),
                7 => json!({"jsonrpc": "2.0", "method": "$/cancelRequest",
                            "params": {"id": format!("g-{}", rng.below(n))}}),
                8 => json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                    "textDocument": {"uri": format!("file:///fuzz/other-{i}.md"),
                                     "languageId": "markdown", "version": 1,
                                     "text": "# Other\n\n### Q?\n"}}}),
                9 => json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {
                    "textDocument": {"uri": format!("file:///fuzz/other-{}.md", rng.below(n))}}}),
                10 => json!({"jsonrpc": "2.0", "id": rng.below(5), "result": null}),
                _ => json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/references",
                            "params": {"textDocument": {"uri": uri}, "position": pos,
                                       "context": {"includeDeclaration": true}}}),
            }
        })
        .collect()
}

fn frame_bytes(msgs: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        let body = m.to_string();
        out.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).bytes());
    }
    out
}

/// Random damage: flipped, inserted, deleted and duplicated bytes, lengths rewritten,
/// headers inserted where they do not belong, line breaks changed.
fn mutate(bytes: &mut Vec<u8>, rng: &mut XorShift) {
    for _ in 0..1 + rng.below(8) {
        if bytes.is_empty() {
            bytes.push(b'{');
        }
        let at = rng.below(bytes.len());
        match rng.below(10) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = (rng.next() % 256) as u8,
            2 => {
                let n = rng.below(16);
                let junk: Vec<u8> = (0..n).map(|_| (rng.next() % 256) as u8).collect();
                bytes.splice(at..at, junk);
            }
            3 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + rng.below(64)).min(bytes.len());
                let dup = bytes[at..end].to_vec();
                bytes.splice(at..at, dup);
            }
            5 => {
                // Rewrite a length: a digit changed, added or removed.
                if let Some(p) = find(&bytes[at..], b"Content-Length: ") {
                    let d = at + p + 16;
                    match rng.below(3) {
                        0 if d < bytes.len() => bytes[d] = b'0' + rng.below(10) as u8,
                        1 => bytes.insert(d, b'0' + rng.below(10) as u8),
                        _ if d < bytes.len() && bytes[d].is_ascii_digit() => {
                            bytes.remove(d);
                        }
                        _ => {}
                    }
                }
            }
            6 => {
                let h = [
                    &b"Content-Length: 99999999999\r\n\r\n"[..],
                    b"Content-Length: 5\r\n\r\n",
                    b"Content-Length: ",
                    b"\r\n\r\n",
                    b"Content-Type: x\r\n",
                ][rng.below(5)];
                bytes.splice(at..at, h.iter().copied());
            }
            7 => {
                if let Some(p) = find(&bytes[at..], b"\r\n") {
                    bytes.remove(at + p);
                }
            }
            8 => bytes.truncate(at),
            _ => {
                // A quote or a brace removed: JSON that does not parse, framing intact.
                if let Some(p) = bytes[at..]
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'{' | b':'))
                {
                    bytes.remove(at + p);
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A frame the codec will read: a well-formed message (or the guard's stand-in).
fn assert_codec_reads(frame: &Frame, what: &str) {
    let encoded = frame.encode();
    let sep = find(&encoded, b"\r\n\r\n").expect("a header");
    let header = std::str::from_utf8(&encoded[..sep]).expect("an ASCII header");
    let len: usize = header
        .strip_prefix("Content-Length: ")
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("{what}: header {header:?}"));
    let body = &encoded[sep + 4..];
    assert_eq!(body.len(), len, "{what}");
    let body = std::str::from_utf8(body).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        serde_json::from_str::<Request>(body).is_ok()
            || serde_json::from_str::<Response>(body).is_ok(),
        "{what}: the codec would fail on {body}"
    );
}

#[test]
fn the_input_guard_frames_any_bytes_and_recovers_for_the_next_message() {
    let base = seed();
    let final_msg = json!({"jsonrpc": "2.0", "id": "final", "method": "shutdown"});
    for case in case_range(cases(3000)) {
        let what = format!("seed {base} case {case}");
        let mut rng = XorShift::new(base ^ (case as u64 + 7).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let count = 1 + rng.below(10);
        let msgs = valid_messages(&mut rng, count);
        let mut bytes = frame_bytes(&msgs);
        mutate(&mut bytes, &mut rng);
        bytes.extend(frame_bytes(std::slice::from_ref(&final_msg)));
        if only().is_some() {
            eprintln!("{what}: {:?}", String::from_utf8_lossy(&bytes));
        }
        let tiny = rng.below(4) == 0;
        let mut framer = Framer::new(if tiny { 64 } else { 1 << 20 });
        let mut frames = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let small = rng.below(2) == 0;
            let n = 1 + rng.below(if small { 8 } else { 4096 });
            let end = (at + n).min(bytes.len());
            framer.push(&bytes[at..end]);
            frames.extend(std::iter::from_fn(|| framer.next_frame()));
            at = end;
        }
        for f in &frames {
            assert_codec_reads(f, &what);
        }
        // The final valid message always comes through, last.
        let last = frames.last().unwrap_or_else(|| panic!("{what}: no frames"));
        match last {
            Frame::Message(body) => {
                let v: Value = serde_json::from_slice(body).unwrap();
                assert_eq!(v, final_msg, "{what}: the final message");
            }
            // Under the tiny limit, the final message itself may be refused as too long.
            Frame::Malformed { .. } => {
                assert!(
                    framer_limit_refuses(&final_msg),
                    "{what}: the final message was lost: {last:?}"
                );
            }
        }
    }
}

fn framer_limit_refuses(msg: &Value) -> bool {
    msg.to_string().len() > 64
}

// ---------------------------------------------------------------------------------------------
// the real binary

#[test]
fn mutated_protocol_input_never_kills_the_server() {
    let base = seed();
    // What a clean server answers for the final note.
    let final_text = "# Final\n\n## Part\n\n### Is it answered?\n\nYes.\n";
    let expected = {
        let mut c = start(caps_default());
        let d = c.open("file:///fuzz/expected.md", final_text);
        let s = c.document_symbols(&d.uri);
        c.shutdown_and_exit();
        s
    };
    for case in case_range(cases(24)) {
        let what = format!("seed {base} case {case}");
        let mut rng = XorShift::new(base ^ (case as u64 + 3).wrapping_mul(0xA076_1D64_78BD_642F));
        let mut c = start(caps_default());
        c.open("file:///fuzz/base.md", "# Base\n\n### Q?\n\nA.\n");
        let count = 5 + rng.below(30);
        let msgs = valid_messages(&mut rng, count);
        let mut bytes = frame_bytes(&msgs);
        mutate(&mut bytes, &mut rng);
        if only().is_some() {
            eprintln!("{what}: {:?}", String::from_utf8_lossy(&bytes));
        }
        // Sent in pieces, as a pipe may deliver them.
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + 1 + rng.below(2000)).min(bytes.len());
            c.write_raw(&bytes[at..end]);
            at = end;
        }
        // A final note and a request for it, with an id the garbage cannot hold.
        let uri = format!("file:///fuzz/final-{case}.md");
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
                                    "text": final_text}}),
        );
        let id = json!(format!("final-{case}-{:x}", rng.next()));
        let req = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                         "params": {"textDocument": {"uri": uri}}});
        c.write_raw(&frame_bytes(&[req]));
        let resp = c.wait_response(&id);
        assert_eq!(resp["result"], expected, "{what}: {resp}");
        assert!(c.is_running(), "{what}: the server died");
        // The garbage may have held a valid shutdown; exit ends the process either way.
        c.request_raw("shutdown", Value::Null);
        c.notify("exit", Value::Null);
        c.wait_exit();
        std::thread::sleep(Duration::from_millis(1));
    }
}

// ---------------------------------------------------------------------------------------------
// the Python checker's nesting

/// A random Python expression nested about `depth` deep, from constructs that nest (and some
/// that look like they do but are strings or comments).
fn nested_python(rng: &mut XorShift, depth: usize) -> String {
    let mut open = String::new();
    let mut close = Vec::new();
    for _ in 0..depth {
        match rng.below(14) {
            0 => open.push('-'),
            1 => open.push_str("not "),
            2 => open.push_str("lambda: "),
            3 => open.push_str("1 + "),
            4 => open.push_str("2 ** "),
            5 => open.push_str("await "),
            6 => open.push_str("1 if x else "),
            7 => {
                open.push('(');
                close.push(")");
            }
            8 => {
                open.push('[');
                close.push("]");
            }
            9 => {
                open.push_str("f(");
                close.push(")");
            }
            10 => {
                open.push_str("f'{");
                close.push("}'");
            }
            11 => {
                open.push('{');
                close.push("}");
            }
            12 => open.push_str("'-- ++ (( [[' + "),
            _ => open.push('~'),
        }
    }
    let mut s = format!("async def g():\n    x = {open}1");
    for c in close.iter().rev() {
        if rng.below(20) > 0 {
            s.push_str(c);
        }
    }
    s.push('\n');
    if rng.below(3) == 0 {
        s.push_str("    y = a");
        for _ in 0..depth {
            s.push_str([".b", "()", "[0]"][rng.below(3)]);
        }
        s.push('\n');
    }
    s
}

#[test]
fn the_python_checker_never_overflows_a_small_stack() {
    let base = seed();
    let range = case_range(cases(40));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            for case in range {
                let mut rng =
                    XorShift::new(base ^ (case as u64 + 11).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let depth = [10, 100, 300, 1_000, 3_000, 9_000, 12_000, 50_000][rng.below(8)];
                let src = nested_python(&mut rng, depth);
                let _ = notes_lsp::samples::python::check(&src);
                // And as a sample in a note (the way the server meets it).
                let note = format!("# N\n\n```python\n{src}```\n");
                let _ = notes_lsp::analysis::Analysis::of(&Note::new(&note));
                let _ = tx.send(case);
            }
        })
        .expect("a thread");
    for case in case_range(cases(40)) {
        let got = rx
            .recv_timeout(Duration::from_secs(300))
            .unwrap_or_else(|e| panic!("seed {base}: case {case} did not finish ({e})"));
        assert_eq!(got, case);
    }
}
