//! Two modes for the sample-language differentials (`scripts/lang_differential.py`):
//!
//! - `langcheck LANG` reads JSON lines `{"src": "..."}` on stdin and prints, per line,
//!   `{"ok":true}` or `{"line":N,"message":"..."}` for the first syntax error the LANG checker
//!   (a fence tag: `c`, `cpp`, `java`, `go`, `bash`, ...) reports, with `"us"`: the
//!   microseconds the check took (the least of three runs: a loaded machine's preemptions
//!   left out).
//! - `langcheck --extract FILE.md...` prints one JSON line per code sample of each note, as the
//!   server extracts it: `{"path","line","tag","src"}` (`line` is the fence's, 1-based).
//! - `langcheck --guess FILE.md...` prints one JSON line per untagged fence: `{"path","line",
//!   "src","python","guess"}`: whether it is read as Python (it looks like Python), and the
//!   language `missing-language` would suggest otherwise (or null).

use std::io::{BufRead, BufWriter, Write};

use notes_lsp::checks;
use notes_lsp::note::Note;
use notes_lsp::samples::{Lang, Sample, registry};

/// 1-based line of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    1 + src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Prints one JSON line per code sample of each note that `row` makes one for: the note's
/// path, the fence's 1-based line and the sample as the server extracts it.
fn each_sample(
    paths: &[String],
    row: impl Fn(&str, usize, &Sample) -> Option<serde_json::Value>,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for path in paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let note = Note::new(&text);
        for (start, chunk) in note.chunks() {
            for block in &chunk.blocks().code {
                let sample = Sample::extract(chunk.text(), block);
                if let Some(row) = row(path, line_of(&text, start + block.range.start), &sample) {
                    writeln!(out, "{row}")?;
                }
            }
        }
    }
    out.flush()
}

fn guess(paths: &[String]) -> std::io::Result<()> {
    each_sample(paths, |path, line, sample| {
        if sample.lang != Lang::Untagged || !sample.fenced || sample.nocheck {
            return None;
        }
        Some(serde_json::json!({
            "path": path,
            "line": line,
            "src": sample.source,
            "python": checks::python_kind(sample).is_some(),
            "guess": checks::guessed_language(sample).map(|l| l.name),
        }))
    })
}

fn extract(paths: &[String]) -> std::io::Result<()> {
    each_sample(paths, |path, line, sample| {
        (!sample.nocheck).then(|| {
            serde_json::json!({
                "path": path, "line": line, "tag": sample.tag, "src": sample.source,
            })
        })
    })
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--extract") => return extract(&args[1..]),
        Some("--guess") => return guess(&args[1..]),
        Some(_) => {}
        None => {
            eprintln!("usage: langcheck LANG < samples.jsonl | langcheck --extract FILE.md...");
            std::process::exit(2);
        }
    }
    let tag = registry::normalize(&args[0]);
    let Some(language) = registry::by_tag(&tag).filter(|l| l.checker(&tag).is_some()) else {
        eprintln!("langcheck: no checker for {:?}", args[0]);
        std::process::exit(2);
    };
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
        let mut result = None;
        let mut least = f64::INFINITY;
        for _ in 0..3 {
            let started = std::time::Instant::now();
            result = language.run(&tag, src);
            least = least.min(started.elapsed().as_secs_f64());
        }
        let us = (least * 1e7).round() / 10.0;
        let verdict = match result {
            None => serde_json::json!({ "ok": true, "us": us }),
            Some(err) => serde_json::json!({
                "line": line_of(src, err.range.start),
                "message": err.message,
                "us": us,
            }),
        };
        writeln!(out, "{verdict}")?;
    }
    out.flush()
}
