//! Output formats of `check`: a compiler-like text report and LSP-shaped JSON, written one
//! file's report at a time.

use std::io::{self, Write};

use serde_json::json;

use super::FileReport;
use crate::note::Encoding;
use crate::note::position::to_line_col;

/// rustc-style: a header, the location, the offending line with a caret under the range.
pub fn render_text(rep: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    let rope = &rep.rope;
    for d in &rep.diagnostics {
        let start = to_line_col(rope, d.range.start, Encoding::Utf8);
        let end = to_line_col(rope, d.range.end, Encoding::Utf8);
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
    Ok(())
}

/// One JSON array of `{path, range, severity, code, message}` (LSP's conventions), written
/// item by item as the reports come, byte for byte what pretty-printing the whole array
/// would write.
pub struct JsonArray<'a> {
    out: &'a mut dyn Write,
    enc: Encoding,
    items: usize,
}

impl<'a> JsonArray<'a> {
    pub fn new(out: &'a mut dyn Write, enc: Encoding) -> JsonArray<'a> {
        JsonArray { out, enc, items: 0 }
    }

    pub fn add(&mut self, rep: &FileReport) -> io::Result<()> {
        for d in &rep.diagnostics {
            let s = to_line_col(&rep.rope, d.range.start, self.enc);
            let e = to_line_col(&rep.rope, d.range.end, self.enc);
            let item = json!({
                "path": rep.path.display().to_string(),
                "range": {
                    "start": {"line": s.line, "character": s.col},
                    "end": {"line": e.line, "character": e.col},
                },
                "severity": d.severity.as_str(),
                "code": d.code,
                "message": &*d.message,
            });
            let pretty = serde_json::to_string_pretty(&item)?;
            self.out
                .write_all(if self.items == 0 { b"[\n" } else { b",\n" })?;
            // An element of a pretty-printed array: every line indented once more.
            for (k, line) in pretty.lines().enumerate() {
                if k > 0 {
                    self.out.write_all(b"\n")?;
                }
                write!(self.out, "  {line}")?;
            }
            self.items += 1;
        }
        Ok(())
    }

    /// Closes the array (`[]` when nothing was added).
    pub fn finish(self) -> io::Result<()> {
        if self.items == 0 {
            writeln!(self.out, "[]")
        } else {
            self.out.write_all(b"\n]\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::checks::Diagnostic;
    use crate::codes::Severity;
    use crate::note::Note;
    use crate::workspace::Facts;

    fn report(path: &str, text: &str, ranges: &[(usize, usize, &str)]) -> FileReport {
        let note = Note::new(text);
        FileReport {
            path: path.into(),
            diagnostics: ranges
                .iter()
                .map(|&(s, e, m)| Diagnostic {
                    range: s..e,
                    severity: Severity::Warning,
                    code: "x-code",
                    message: m.to_string().into(),
                })
                .collect(),
            facts: Facts::of(
                &format!("file:///n/{path}"),
                &note,
                &Analysis::of(&note),
                Default::default(),
            ),
            rope: ropey::Rope::from_str(text),
        }
    }

    /// Streamed, the array is what serde_json writes for the whole array at once, with no
    /// report, with reports without diagnostics between, and with messages that need escapes.
    #[test]
    fn the_streamed_array_is_the_pretty_printed_one() {
        let reports = [
            report(
                "a.md",
                "# A\n\ntext é\n",
                &[(0, 3, "one \"quoted\""), (6, 12, "two\nlines")],
            ),
            report("b.md", "nothing\n", &[]),
            report("c.md", "# C\n", &[(2, 3, "three")]),
        ];
        for n in 0..=reports.len() {
            let mut streamed = Vec::new();
            let mut array = JsonArray::new(&mut streamed, Encoding::Utf16);
            for rep in &reports[..n] {
                array.add(rep).unwrap();
            }
            array.finish().unwrap();
            let mut items = Vec::new();
            for rep in &reports[..n] {
                for d in &rep.diagnostics {
                    let s = to_line_col(&rep.rope, d.range.start, Encoding::Utf16);
                    let e = to_line_col(&rep.rope, d.range.end, Encoding::Utf16);
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
            let mut whole = serde_json::to_vec_pretty(&items).unwrap();
            whole.push(b'\n');
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{n} reports"
            );
        }
    }
}
