//! Two modes for the sample-language differentials (`scripts/lang_differential.py`):
//!
//! - `langcheck LANG` reads JSON lines `{"src": "..."}` on stdin and prints, per line,
//!   `{"ok":true}` or `{"line":N,"message":"..."}` for the first syntax error the LANG checker
//!   (a fence tag: `c`, `cpp`, `java`, `go`, `bash`, ...) reports, with `"us"`: the
//!   microseconds the check took (the least of three runs, each with no parse of an earlier
//!   check to reuse: a loaded machine's preemptions left out).
//! - `langcheck --typed [--fresh] LANG` types into each sample read as above, as an editor
//!   would, a keystroke at a time: a word at the end of its middle and last lines, and a few
//!   characters inside a line. It prints one verdict per keystroke, as above, with `"us"` the
//!   time of that one check (reusing the parses of the keystroke before, as the server
//!   does). `--fresh`: every parse from scratch (the verdicts must be the same).
//! - `langcheck --extract FILE.md...` prints one JSON line per code sample of each note, as the
//!   server extracts it: `{"path","line","tag","src"}` (`line` is the fence's, 1-based).
//! - `langcheck --guess FILE.md...` prints one JSON line per untagged fence: `{"path","line",
//!   "src","python","guess"}`: whether it is read as Python (it looks like Python), and the
//!   language `missing-language` would suggest otherwise (or null).

use std::io::{BufRead, BufWriter, Write};

use notes_lsp::checks;
use notes_lsp::note::Note;
use notes_lsp::samples::treesitter::reparse;
use notes_lsp::samples::{Lang, Language, Sample, SyntaxError, registry};

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
            for block in chunk.code_blocks() {
                let sample = Sample::extract(chunk.text(), &block);
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
        Some("--typed") if args.get(1).is_some_and(|a| a == "--fresh") => {
            return reparse::fresh_parses(|| typed(&args[2..]));
        }
        Some("--typed") => return typed(&args[1..]),
        Some(_) => {}
        None => {
            eprintln!(
                "usage: langcheck [--typed [--fresh]] LANG < samples.jsonl | langcheck --extract FILE.md..."
            );
            std::process::exit(2);
        }
    }
    let language = checker(&args[0]);
    let tag = registry::normalize(&args[0]);
    each_input(|src, out| {
        // The verdict as the server gives it after the samples before; timed from scratch.
        let result = language.run(&tag, src);
        let mut least = f64::INFINITY;
        for _ in 0..3 {
            reparse::forget();
            let started = std::time::Instant::now();
            std::hint::black_box(language.run(&tag, src));
            least = least.min(started.elapsed().as_secs_f64());
        }
        writeln!(out, "{}", verdict(src, result, least))
    })
}

/// The language checking samples under `tag`, or the usage error.
fn checker(tag: &str) -> &'static Language {
    let tag = registry::normalize(tag);
    registry::by_tag(&tag)
        .filter(|l| l.checker(&tag).is_some())
        .unwrap_or_else(|| {
            eprintln!("langcheck: no checker for {tag:?}");
            std::process::exit(2);
        })
}

/// Calls `f` with the `src` of each JSON line on stdin.
fn each_input(
    mut f: impl FnMut(&str, &mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
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
        f(src, &mut out)?;
    }
    out.flush()
}

fn verdict(src: &str, result: Option<SyntaxError>, seconds: f64) -> serde_json::Value {
    let us = (seconds * 1e7).round() / 10.0;
    match result {
        None => serde_json::json!({ "ok": true, "us": us }),
        Some(err) => serde_json::json!({
            "line": line_of(src, err.range.start),
            "message": err.message,
            "us": us,
        }),
    }
}

/// See the module's comment: keystrokes typed into each sample, a verdict after each.
fn typed(args: &[String]) -> std::io::Result<()> {
    let Some(tag) = args.first() else {
        eprintln!("usage: langcheck --typed [--fresh] LANG < samples.jsonl");
        std::process::exit(2);
    };
    let language = checker(tag);
    let tag = registry::normalize(tag);
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    const KEYS: &[u8] = b"abcdefghijklmnopqrstuvwxyz_0123456789 ;,.(){}[]=+-*<>:\"'/#$&|!?";
    each_input(|src, out| {
        // Non-blank lines by index (keystrokes add no line break, so indices hold).
        let lines: Vec<usize> = (0..src.split('\n').count())
            .filter(|&i| !src.split('\n').nth(i).unwrap_or("").trim().is_empty())
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        let mut text = src.to_string();
        // (line, column or the line's end, keystrokes).
        let chosen = [
            (lines[lines.len() / 2], None, 6),
            (lines[lines.len() - 1], None, 6),
            (lines[next(lines.len())], Some(next(40)), 3),
        ];
        for (line, col, keys) in chosen {
            let start: usize = text.split('\n').take(line).map(|l| l.len() + 1).sum();
            let end = start + text[start..].find('\n').unwrap_or(text.len() - start);
            let mut at = col.map_or(end, |c| (start + c).min(end));
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            for _ in 0..keys {
                let key = KEYS[next(KEYS.len())] as char;
                text.insert(at, key);
                at += 1;
                let started = std::time::Instant::now();
                let result = language.run(&tag, &text);
                let seconds = started.elapsed().as_secs_f64();
                writeln!(out, "{}", verdict(&text, result, seconds))?;
            }
        }
        Ok(())
    })
}
