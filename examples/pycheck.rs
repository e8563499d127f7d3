//! Reads JSON lines `{"src": "..."}` on stdin and prints, per line, `{"ok":true}` or
//! `{"line":N,"message":"..."}` for the first error CPython 3.13 would report.

use std::io::{BufRead, BufWriter, Write};

use notes_lsp::samples::python::check;

/// 1-based line of a byte offset, counting `\r\n`, `\r` and `\n` as line breaks like Python.
fn line_of(src: &str, offset: usize) -> usize {
    let bytes = &src.as_bytes()[..offset.min(src.len())];
    let mut line = 1;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
        }
    }
    line
}

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(&line) {
            Ok(value) => value,
            Err(err) => {
                writeln!(out, "{}", serde_json::json!({ "error": err.to_string() }))?;
                continue;
            }
        };
        let src = value
            .get("src")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let verdict = match check(src) {
            None => serde_json::json!({ "ok": true }),
            Some(err) => serde_json::json!({
                "line": line_of(src, err.start),
                "message": err.message,
            }),
        };
        writeln!(out, "{verdict}")?;
        out.flush()?;
    }
    Ok(())
}
