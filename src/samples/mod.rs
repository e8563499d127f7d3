//! Code samples: the code inside a note's fenced and indented blocks, with container prefixes,
//! the block's common indentation and REPL prompts taken off, and a map from each byte of the
//! extracted source back to its byte in the note.

pub mod guard;
pub mod guess;
pub mod javascript;
pub mod json;
pub mod nesting;
pub mod python;
pub mod registry;
pub mod sql;
pub mod strict;
pub mod toml;
pub mod treesitter;
pub mod yaml;

use std::ops::Range;

use crate::note::CodeBlock;
pub use registry::Language;

/// One syntax error in a sample: a byte range in `Sample::source` and a message in words
/// (what every language's checker answers: see `registry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// A checker: `None` when the sample parses.
pub type Check = fn(&str) -> Option<SyntaxError>;

/// What a sample is written in, as far as the checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lang {
    /// A language of the registry (whether or not it has a checker yet).
    Known(&'static Language),
    /// A tag the server does not know (normalized).
    Other(Box<str>),
    /// A fence without a tag, or an indented code block.
    Untagged,
}

impl Lang {
    /// Resolves an info string's first word (`python`, `JS`, `{python}`, `{.py}` ...).
    pub fn from_tag(tag: &str) -> Lang {
        let t = registry::normalize(tag);
        if t.is_empty() {
            return Lang::Untagged;
        }
        match registry::by_tag(&t) {
            Some(l) => Lang::Known(l),
            None => Lang::Other(t.into()),
        }
    }

    /// The registry's language, for a known tag.
    pub fn language(&self) -> Option<&'static Language> {
        match self {
            Lang::Known(l) => Some(l),
            _ => None,
        }
    }

    pub fn is_python(&self) -> bool {
        self.language() == Some(registry::PYTHON)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The whole block in the note.
    pub range: Range<usize>,
    pub lang: Lang,
    /// The info string's first word as written (empty for untagged and indented blocks).
    pub tag: String,
    pub fenced: bool,
    /// Opted out with `nocheck` in the info string or a `<!-- notes-lsp: nocheck -->` line.
    pub nocheck: bool,
    /// The code to check, lines joined with `\n`.
    pub source: String,
    /// For each line of `source`: its start in `source` and the matching offset in the note.
    lines: Vec<(usize, usize)>,
    /// Where the block's lines are, for quick fixes that rewrite them (`actions/`).
    pub layout: Layout,
}

/// The block's lines in the note: what a rewrite must keep and where the fences are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// Each code line after its container prefix (list indentation, `> `), before the
    /// sample's own dedent, without the line break. For indented blocks the first four
    /// columns of the block's indentation are not included.
    pub code: Vec<Range<usize>>,
    /// The opening fence line (fence and info string), for fenced blocks.
    pub open_fence: Option<Range<usize>>,
    /// The closing fence line, for fenced blocks that close.
    pub close_fence: Option<Range<usize>>,
    /// The content column of the innermost list item holding the block (0 outside lists).
    pub container_col: usize,
    /// A block quote holds the block.
    pub in_quote: bool,
}

impl Sample {
    /// Builds a sample from a code block whose offsets are relative to `text`.
    pub fn extract(text: &str, block: &CodeBlock) -> Sample {
        let info = block.info.as_deref().unwrap_or("");
        let mut words = info.split_whitespace();
        let tag = words
            .next()
            .map(|w| w.split(',').next().unwrap_or(w).to_string())
            .unwrap_or_default();
        let nocheck = block.nocheck_comment || info.split_whitespace().any(|w| w == "nocheck");
        let lang = Lang::from_tag(&tag);
        let skip_magics = matches!(
            tag.to_ascii_lowercase().as_str(),
            "pycon" | "ipython" | "ipython3"
        );

        let mut lines: Vec<(&str, usize)> = block
            .lines
            .iter()
            .map(|r| (&text[r.clone()], r.start))
            .collect();
        dedent(&mut lines);
        let first = lines
            .iter()
            .find(|(l, _)| !l.trim().is_empty())
            .map(|(l, _)| *l);
        if first.is_some_and(|l| l.starts_with(">>>")) {
            strip_prompts(&mut lines);
        } else if first.is_some_and(|l| ipython_prompt(l).is_some()) {
            strip_ipython_prompts(&mut lines);
        }
        if skip_magics {
            for (line, _) in &mut lines {
                let t = line.trim_start();
                if t.starts_with('%') || t.starts_with('!') {
                    *line = "";
                }
            }
        }
        let mut source = String::with_capacity(lines.iter().map(|(l, _)| l.len() + 1).sum());
        let mut map = Vec::with_capacity(lines.len());
        for (line, at) in lines {
            map.push((source.len(), at));
            source.push_str(line);
            source.push('\n');
        }
        let open_fence = block.info.is_some().then(|| {
            let r = &block.range;
            r.start..text[r.clone()].find('\n').map_or(r.end, |i| r.start + i)
        });
        let open_fence = open_fence.map(|f| f.start..f.start + text[f].trim_end().len());
        let close_fence = (block.info.is_some() && block.closed)
            .then(|| {
                let r = &block.range;
                let start = text[r.clone()].rfind('\n').map(|i| r.start + i + 1)?;
                Some(start..r.end)
            })
            .flatten();
        Sample {
            range: block.range.clone(),
            lang,
            tag,
            fenced: block.info.is_some(),
            nocheck,
            source,
            lines: map,
            layout: Layout {
                code: block.lines.clone(),
                open_fence,
                close_fence,
                container_col: block.container_col,
                in_quote: block.in_quote,
            },
        }
    }

    /// The note offset of byte `at` of the source (clamped to the line it is on).
    pub fn to_note(&self, at: usize) -> usize {
        if self.lines.is_empty() {
            return self.range.start;
        }
        let i = self.lines.partition_point(|&(s, _)| s <= at).max(1) - 1;
        let (src_start, note_start) = self.lines[i];
        // Every line was pushed with a '\n' that has no counterpart in the note.
        let next = self.lines.get(i + 1).map_or(self.source.len(), |&(s, _)| s);
        let line_len = next - 1 - src_start;
        note_start + (at - src_start).min(line_len)
    }

    /// Shifts the note offsets by `delta` (a chunk's start).
    pub fn shift(&mut self, delta: usize) {
        self.range = self.range.start + delta..self.range.end + delta;
        for (_, at) in &mut self.lines {
            *at += delta;
        }
        let l = &mut self.layout;
        let sh = |r: &mut Range<usize>| *r = r.start + delta..r.end + delta;
        l.code.iter_mut().for_each(sh);
        l.open_fence.iter_mut().for_each(sh);
        l.close_fence.iter_mut().for_each(sh);
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }
}

/// The block's code lines (text, note offset) after the common indentation is taken off,
/// before prompts are: what a sample's author wrote, line by line.
pub fn dedented_lines<'t>(text: &'t str, code: &[Range<usize>]) -> Vec<(&'t str, usize)> {
    let mut lines: Vec<(&str, usize)> = code.iter().map(|r| (&text[r.clone()], r.start)).collect();
    dedent(&mut lines);
    lines
}

/// Removes the leading whitespace every non-blank line shares: code pasted inside a list or
/// under prose is often indented as a whole.
fn dedent(lines: &mut [(&str, usize)]) {
    let mut common: Option<&str> = None;
    for (line, _) in lines.iter() {
        if line.trim().is_empty() {
            continue;
        }
        let ws = &line[..line.len() - line.trim_start().len()];
        common = Some(match common {
            None => ws,
            Some(c) => {
                let n = c
                    .bytes()
                    .zip(ws.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &c[..n]
            }
        });
    }
    let n = common.map_or(0, str::len);
    if n == 0 {
        return;
    }
    for (line, at) in lines.iter_mut() {
        let cut = n.min(line.len() - line.trim_start().len());
        *line = &line[cut..];
        *at += cut;
    }
}

/// A doctest session: `>>> ` and `... ` lines are code (prompt removed), the rest is output.
fn strip_prompts(lines: &mut [(&str, usize)]) {
    for (line, at) in lines.iter_mut() {
        let prompt = [">>> ", "... ", ">>>", "..."]
            .iter()
            .find(|p| line.starts_with(*p) && (p.len() == 4 || line.len() == 3));
        match prompt {
            Some(p) => {
                *line = &line[p.len()..];
                *at += p.len();
            }
            None => *line = "",
        }
    }
}

/// The length of an IPython prompt (`In [3]: ` or `   ...: `) at the start of `line`.
fn ipython_prompt(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("In [")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after = rest[digits..].strip_prefix("]:")?;
    let len = line.len() - after.len();
    Some(if after.starts_with(' ') { len + 1 } else { len })
}

/// An IPython session: `In [n]:` and `...:` lines are code, `Out[n]:` and the rest output.
fn strip_ipython_prompts(lines: &mut [(&str, usize)]) {
    for (line, at) in lines.iter_mut() {
        let cont = line
            .trim_start()
            .strip_prefix("...:")
            .map(|r| line.len() - r.len() + usize::from(r.starts_with(' ')));
        match ipython_prompt(line).or(cont) {
            Some(n) => {
                *line = &line[n..];
                *at += n;
            }
            None => *line = "",
        }
    }
}

/// Whether untagged code looks enough like Python to be checked as Python: several lines that
/// only Python writes that way, and none that only another language or a shell would.
pub fn looks_like_python(source: &str) -> bool {
    let mut score = 0;
    let lines: Vec<&str> = source.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') && !line.starts_with("#include") {
            continue;
        }
        // `end` closes Ruby's and Lua's blocks, whose `def f(x)` has no colon.
        if is_foreign(line) || line == "end" {
            return false;
        }
        let colon = line.ends_with(':');
        score += if (line.starts_with("def ") || line.starts_with("async def "))
            && line.contains('(')
            && (colon || def_missing_its_colon(line, &lines[i + 1..], raw))
            || line.starts_with("class ") && colon
            || line.starts_with("from ") && line.contains(" import ")
            || line.starts_with(">>> ")
        {
            2
        } else if line.starts_with("import ") && !line.contains(['{', '"', '\''])
            || line.starts_with("print(")
            || line.starts_with("elif ") && colon
            || line.starts_with("except") && colon
            || line == "try:"
            || line == "else:"
            || (line.starts_with("for ") && line.contains(" in ") && colon)
            || (line.starts_with("while ") && colon)
            || (line.starts_with("if ") && colon)
            || (line.starts_with("with ") && colon)
            || line.starts_with("self.")
            || line.starts_with("return ") && !line.ends_with(';')
        {
            1
        } else {
            0
        };
    }
    score >= 2
}

/// `def f(x)` (or `def f(x) -> T`) with nothing after its parameters, over a deeper
/// indented body: a Python function whose `:` is missing.
fn def_missing_its_colon(line: &str, rest: &[&str], raw: &str) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let head = line.split(") ->").next().unwrap_or(line);
    (head.ends_with(')') || line.contains(") ->") && !line.contains('='))
        && rest
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|next| indent(next) > indent(raw))
}

fn is_foreign(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "function ",
        "var ",
        "let ",
        "const ",
        "#include",
        "public ",
        "private ",
        "func ",
        "fn ",
        "$ ",
        "<",
        "//",
        "/*",
        "SELECT ",
        "select ",
        "apiVersion:",
        "- ",
        "sudo ",
        "echo ",
        "npm ",
        "pip ",
        "docker ",
        "kubectl ",
        "git ",
        "package ",
        "int ",
        "void ",
        "console.",
        "#!/",
        "std::",
        "using ",
        "export ",
        "CREATE ",
        "INSERT ",
        "}",
        "{",
    ];
    STARTS.iter().any(|s| line.starts_with(s))
        || line.ends_with(';')
        || line.ends_with('{')
        || line.contains("=>")
        || line.contains("->") && line.contains('{')
        || line.contains("&&")
        || line.contains("||")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, info: Option<&str>) -> CodeBlock {
        let mut lines = Vec::new();
        let mut at = 0;
        for l in text.split('\n') {
            lines.push(at..at + l.len());
            at += l.len() + 1;
        }
        CodeBlock {
            range: 0..text.len(),
            info: info.map(str::to_string),
            closed: true,
            top_level: true,
            container: None,
            lines,
            nocheck_comment: false,
            container_col: 0,
            in_quote: false,
        }
    }

    #[test]
    fn dedents_and_maps_back() {
        let text = "    def f():\n        return 1";
        let s = Sample::extract(text, &block(text, Some("python")));
        assert_eq!(s.source, "def f():\n    return 1\n");
        assert_eq!(s.to_note(0), 4);
        assert_eq!(s.to_note(9), 17);
    }

    #[test]
    fn doctest_session_keeps_code_blanks_output() {
        let text = ">>> x = [1,\n... 2]\n>>> x\n[1, 2]";
        let s = Sample::extract(text, &block(text, Some("pycon")));
        assert_eq!(s.source, "x = [1,\n2]\nx\n\n");
        assert_eq!(s.to_note(0), 4);
    }

    #[test]
    fn ipython_session() {
        let text = "In [1]: x = (1,\n   ...:      2)\nOut[1]: (1, 2)";
        let s = Sample::extract(text, &block(text, Some("ipython")));
        assert_eq!(s.source, "x = (1,\n     2)\n\n");
    }

    #[test]
    fn tags_resolve() {
        let name = |tag: &str| Lang::from_tag(tag).language().map(|l| l.name);
        assert!(Lang::from_tag("{python}").is_python());
        assert!(Lang::from_tag("{.py}").is_python());
        assert!(Lang::from_tag("Py3").is_python());
        assert_eq!(name("json"), Some("json"));
        for (tag, lang) in [
            ("JS", "javascript"),
            ("node", "javascript"),
            ("tsx", "typescript"),
            ("h", "c"),
            ("C++", "cpp"),
            ("golang", "go"),
            ("console", "bash"),
            ("TSQL", "sql"),
            ("c#", "csharp"),
            ("{.rb}", "ruby"),
            ("yml", "yaml"),
            ("toml", "toml"),
        ] {
            assert_eq!(name(tag), Some(lang), "{tag}");
        }
        assert_eq!(Lang::from_tag("brainfuck"), Lang::Other("brainfuck".into()));
        assert_eq!(Lang::from_tag(""), Lang::Untagged);
        let text = "x = (";
        assert!(Sample::extract(text, &block(text, Some("python nocheck"))).nocheck);
    }

    #[test]
    fn python_lookalikes() {
        assert!(looks_like_python("import os\ndef f(x):\n    return x\n"));
        assert!(!looks_like_python("function f() {\n  return 1;\n}\n"));
        // A def whose colon is missing is still Python; Ruby's colon-less def is not.
        assert!(looks_like_python(
            "def greet(name)\n    return 'hi ' + name\n"
        ));
        assert!(!looks_like_python(
            "def greet(name)\n  \"hi #{name}\"\nend\n"
        ));
        assert!(!looks_like_python("def greet(name)\nputs 1\n"));
        assert!(!looks_like_python("$ pip install requests\n"));
        assert!(!looks_like_python("just some prose\nthat is here\n"));
    }
}
