//! The sample checkers of every language, for differential tests against real compilers
//! (`scripts/parser_differential.py`).
//!
//!     samplecheck check          JSON lines {"tag": "js", "src": "..."} on stdin; prints per
//!                                line {"ok": true}, {"unchecked": true} or
//!                                {"line": N, "message": "..."} (N 1-based, in src)
//!     samplecheck dump DIR...    every fenced sample of a known language in the Markdown
//!                                files under DIR, as the server extracts it: JSON lines
//!                                {"file", "line", "tag", "lang", "src"}

use std::io::{BufRead, BufWriter, Write};

use notes_lsp::note::Note;
use notes_lsp::samples::{Sample, registry};
use serde_json::json;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.first().map(String::as_str) {
        Some("check") => check(&mut out),
        Some("dump") => dump(&args[1..], &mut out),
        _ => {
            eprintln!("usage: samplecheck check | samplecheck dump DIR...");
            std::process::exit(2);
        }
    }
}

fn check(out: &mut impl Write) -> std::io::Result<()> {
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                writeln!(out, "{}", json!({ "error": e.to_string() }))?;
                continue;
            }
        };
        let text = |k: &str| v.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
        let (tag, src) = (registry::normalize(text("tag")), text("src"));
        let lang = registry::by_tag(&tag).filter(|l| l.checker(&tag).is_some());
        let verdict = match lang {
            None => json!({ "unchecked": true }),
            Some(lang) => match lang.run(&tag, src) {
                None => json!({ "ok": true }),
                Some(e) => json!({
                    "line": src[..e.range.start.min(src.len())].matches('\n').count() + 1,
                    "message": e.message,
                }),
            },
        };
        writeln!(out, "{verdict}")?;
        out.flush()?;
    }
    Ok(())
}

fn dump(roots: &[String], out: &mut impl Write) -> std::io::Result<()> {
    let mut files: Vec<_> = roots
        .iter()
        .flat_map(|r| ignore::WalkBuilder::new(r).build().flatten())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let note = Note::new(&text);
        for (start, chunk) in note.chunks() {
            for block in chunk.code_blocks() {
                let mut sample = Sample::extract(chunk.text(), &block);
                sample.shift(start);
                let Some(lang) = sample.lang.language() else {
                    continue;
                };
                if sample.nocheck || !sample.fenced {
                    continue;
                }
                let line = text[..sample.range.start].matches('\n').count() + 1;
                writeln!(
                    out,
                    "{}",
                    json!({
                        "file": path.display().to_string(),
                        "line": line,
                        "tag": sample.tag,
                        "lang": lang.name,
                        "src": sample.source,
                    })
                )?;
            }
        }
    }
    Ok(())
}
