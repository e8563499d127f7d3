//! Output formats of `check`: a compiler-like text report and LSP-shaped JSON.

use std::io::{self, Write};

use serde_json::json;

use super::FileReport;
use crate::note::Encoding;

/// rustc-style: a header, the location, the offending line with a caret under the range.
pub fn render_text(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for rep in reports {
        let rope = rep.note.rope();
        for d in &rep.diagnostics {
            let start = rep.note.to_line_col(d.range.start, Encoding::Utf8);
            let end = rep.note.to_line_col(d.range.end, Encoding::Utf8);
            let line_text: String = rope.line(start.line as usize).to_string();
            let line_text = line_text.trim_end_matches(['\n', '\r']);
            let char_col = line_text[..(start.col as usize).min(line_text.len())]
                .chars()
                .count();
            let width = if end.line == start.line {
                line_text
                    .get(start.col as usize..(end.col as usize).min(line_text.len()))
                    .map_or(1, |s| s.chars().count().max(1))
            } else {
                line_text.chars().count().saturating_sub(char_col).max(1)
            };
            let lineno = (start.line + 1).to_string();
            let pad = " ".repeat(lineno.len());
            writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message)?;
            writeln!(
                out,
                "{pad}--> {}:{}:{}",
                rep.path.display(),
                start.line + 1,
                char_col + 1
            )?;
            writeln!(out, "{pad} |")?;
            writeln!(out, "{lineno} | {}", line_text.replace('\t', "    "))?;
            let before: String = line_text
                .chars()
                .take(char_col)
                .map(|c| if c == '\t' { "    " } else { " " })
                .collect();
            writeln!(out, "{pad} | {before}{}", "^".repeat(width))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// One JSON array of `{path, range, severity, code, message}`, LSP's conventions.
pub fn render_json(reports: &[FileReport], enc: Encoding, out: &mut dyn Write) -> io::Result<()> {
    let mut items = Vec::new();
    for rep in reports {
        for d in &rep.diagnostics {
            let s = rep.note.to_line_col(d.range.start, enc);
            let e = rep.note.to_line_col(d.range.end, enc);
            items.push(json!({
                "path": rep.path.display().to_string(),
                "range": {
                    "start": {"line": s.line, "character": s.col},
                    "end": {"line": e.line, "character": e.col},
                },
                "severity": d.severity.as_str(),
                "code": d.code,
                "message": &*d.message,
            }));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
