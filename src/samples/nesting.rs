//! A bound on how deeply a Python source nests, found in one pass without parsing, so that
//! checking a sample never overflows a thread's stack.
//!
//! ruff's parser, the checker's tree walks and the drop of a syntax tree all recurse once per
//! level of nesting. A sample like `x = 1 + 1 + ... + 1` with a few thousand terms, a run of
//! unary minus signs or of `not`, a chain of calls `f()()()...` or attributes `a.b.b.b...`
//! nests that deep, and would overflow the 2 MiB stack of the server's blocking threads (at
//! about 1,000 levels in a debug build, 5,000 in a release build) and abort the process. CPython
//! itself refuses such sources beyond a few thousand levels ("Parser stack overflowed - Python
//! source too complex to parse", or a RecursionError while compiling).
//!
//! [`estimate`] over-approximates the depth: within a comma-separated segment every operator,
//! `not`/`lambda`/`await`/`yield`/`if` and opening bracket counts one level, plus the deepest
//! bracket group in the segment, plus the indentation blocks around the line. Strings are
//! skipped the way Python's tokenizer skips them, f-string replacement fields included as code.
//! [`guarded`] then checks shallow sources on the caller's thread, deeper ones on a thread
//! with a stack sized for them, and refuses sources deeper than [`MAX_DEPTH`] with CPython's
//! message.

/// Deeper than this, a source is not parsed: CPython gives up well before (its parser stack
/// holds 6,000 levels).
pub const MAX_DEPTH: usize = 10_000;

/// Up to this depth the check runs on the caller's thread (a 2 MiB stack holds it with room
/// to spare in a debug build).
pub const INLINE_DEPTH: usize = 200;

/// Stack per level of nesting on a dedicated thread: about four times what a debug build was
/// measured to use.
const STACK_PER_LEVEL: usize = 8 * 1024;

/// CPython 3.13's message for a source too deeply nested for its parser.
pub const TOO_COMPLEX: &str = "Parser stack overflowed - Python source too complex to parse";

/// The depth estimate and where (a byte offset: the start of the logical line) it peaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Depth {
    pub depth: usize,
    pub at: usize,
}

/// A source refused as too deeply nested: the line where its depth peaks, and CPython's
/// message ([`TOO_COMPLEX`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    pub start: usize,
    pub end: usize,
    pub message: &'static str,
}

/// Runs `check` on `src` where its recursion fits: see the module docs. A panic in the
/// checker is logged and taken as no verdict (`None`): one sample must not take down the note
/// holding it (and the server or the command line with it).
pub fn guarded<E: From<TooDeep> + Send>(src: &str, check: fn(&str) -> Option<E>) -> Option<E> {
    let isolated = move |src: &str| {
        std::panic::catch_unwind(|| check(src)).unwrap_or_else(|_| {
            tracing::error!(
                "the Python checker panicked on a {}-byte sample; it is left unchecked",
                src.len()
            );
            None
        })
    };
    let d = estimate(src);
    if d.depth <= INLINE_DEPTH {
        return isolated(src);
    }
    if d.depth > MAX_DEPTH {
        let mut at = d.at.min(src.len());
        while !src.is_char_boundary(at) {
            at -= 1;
        }
        let end = src[at..].find(['\n', '\r']).map_or(src.len(), |i| at + i);
        return Some(E::from(TooDeep {
            start: at,
            end,
            message: TOO_COMPLEX,
        }));
    }
    let stack = 16 * 1024 * 1024 + d.depth * STACK_PER_LEVEL;
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .name("notes-lsp-deep-sample".into())
            .stack_size(stack)
            .spawn_scoped(s, || isolated(src));
        match spawned {
            Ok(handle) => handle.join().unwrap_or(None),
            // No thread to be had (out of memory or threads): do not risk the caller's stack.
            Err(e) => {
                tracing::warn!("no thread for a deeply nested sample ({e}); not checked");
                None
            }
        }
    })
}

const KEYWORDS: &[&[u8]] = &[b"not", b"lambda", b"await", b"yield", b"if"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Python code; `fstring_field` when it is an f-string replacement field (ended by the
    /// `}` that closes the bracket frame opened for it).
    Code,
    /// The literal part of an f-string.
    FString { quote: u8, triple: bool },
    /// The format spec of a replacement field (after a top-level `:`), ended by `}`.
    Spec,
}

/// A bracket group (or the top level of a logical line) being measured.
#[derive(Default, Clone, Copy)]
struct Frame {
    /// Levels added by the current comma-separated segment.
    ops: usize,
    /// The deepest group closed in the current segment.
    child: usize,
    /// The deepest finished segment.
    best: usize,
    /// Opened for an f-string replacement field.
    field: bool,
}

impl Frame {
    fn segment_end(&mut self) {
        self.best = self.best.max(self.ops + self.child);
        self.ops = 0;
        self.child = 0;
    }

    fn depth(&self) -> usize {
        self.best.max(self.ops + self.child)
    }
}

/// Over-approximates how deeply `src` nests (see the module docs). Linear in the length.
pub fn estimate(src: &str) -> Depth {
    let b = src.as_bytes();
    let mut out = Depth::default();
    // Bracket frames; `frames[0]` is the logical line.
    let mut frames: Vec<Frame> = vec![Frame::default()];
    // Modes: the bottom one is Code; f-strings and their fields push.
    let mut modes: Vec<Mode> = vec![Mode::Code];
    // Indentation widths of the open blocks.
    let mut indents: Vec<usize> = vec![0];
    let mut line_start = 0;
    let mut at_line_start = true;
    let mut i = 0;

    macro_rules! finish_line {
        () => {{
            while frames.len() > 1 {
                close_frame(&mut frames);
            }
            let d = frames[0].depth() + indents.len() - 1;
            if d > out.depth {
                out = Depth {
                    depth: d,
                    at: line_start,
                };
            }
            frames[0] = Frame::default();
        }};
    }

    while i < b.len() {
        let mode = *modes.last().expect("the bottom mode stays");
        match mode {
            Mode::FString { quote, triple } => {
                let c = b[i];
                if c == b'\\' || (c == b'{' && b.get(i + 1) == Some(&b'{')) {
                    // An escape, or `{{` (a literal brace).
                    i += 2;
                } else if c == b'{' {
                    frames.last_mut().expect("a frame").ops += 1;
                    frames.push(Frame {
                        field: true,
                        ..Frame::default()
                    });
                    modes.push(Mode::Code);
                    i += 1;
                } else if c == quote && (!triple || b[i..].starts_with(&[quote; 3])) {
                    modes.pop();
                    i += if triple { 3 } else { 1 };
                } else if (c == b'\n' || c == b'\r') && !triple {
                    // Unterminated: the tokenizer ends the string at the line's end.
                    modes.pop();
                } else {
                    i += 1;
                }
            }
            Mode::Spec => {
                let c = b[i];
                if c == b'{' {
                    frames.last_mut().expect("a frame").ops += 1;
                    frames.push(Frame {
                        field: true,
                        ..Frame::default()
                    });
                    modes.push(Mode::Code);
                    i += 1;
                } else if c == b'}' {
                    // Ends the replacement field this spec belongs to.
                    modes.pop();
                    if frames.last().is_some_and(|f| f.field) && frames.len() > 1 {
                        close_frame(&mut frames);
                        modes.pop();
                    }
                    i += 1;
                } else if c == b'\n' || c == b'\r' {
                    modes.pop();
                } else {
                    i += 1;
                }
            }
            Mode::Code => {
                let in_field = modes.len() > 1;
                if at_line_start && frames.len() == 1 && !in_field {
                    // Indentation of a new logical line (blank and comment lines do not count).
                    let mut width = 0;
                    let mut j = i;
                    while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\x0c') {
                        width = match b[j] {
                            b'\t' => (width / 8 + 1) * 8,
                            b'\x0c' => 0,
                            _ => width + 1,
                        };
                        j += 1;
                    }
                    at_line_start = false;
                    line_start = i;
                    if j < b.len() && !matches!(b[j], b'\n' | b'\r' | b'#') {
                        while indents.len() > 1 && *indents.last().expect("non-empty") > width {
                            indents.pop();
                        }
                        if width > *indents.last().expect("non-empty") {
                            indents.push(width);
                        }
                    }
                    i = j;
                    continue;
                }
                let c = b[i];
                match c {
                    b'\n' | b'\r' => {
                        if frames.len() == 1 && !in_field {
                            finish_line!();
                            at_line_start = true;
                        }
                        i += 1;
                    }
                    b'\\' => i += 2,
                    b'#' => {
                        while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                            i += 1;
                        }
                    }
                    b'(' | b'[' | b'{' => {
                        frames.last_mut().expect("a frame").ops += 1;
                        frames.push(Frame::default());
                        i += 1;
                    }
                    b')' | b']' | b'}' => {
                        if frames.last().is_some_and(|f| f.field) {
                            if c == b'}' {
                                // The end of an f-string replacement field: back to its
                                // literal. A stray `)` or `]` there closes nothing.
                                close_frame(&mut frames);
                                modes.pop();
                            }
                        } else if frames.len() > 1 {
                            close_frame(&mut frames);
                        }
                        i += 1;
                    }
                    b',' | b';' => {
                        frames.last_mut().expect("a frame").segment_end();
                        i += 1;
                    }
                    b':' if in_field
                        && frames.last().is_some_and(|f| f.field)
                        && b.get(i + 1) != Some(&b'=') =>
                    {
                        modes.push(Mode::Spec);
                        i += 1;
                    }
                    b'!' if in_field
                        && frames.last().is_some_and(|f| f.field)
                        && b.get(i + 1) != Some(&b'=') =>
                    {
                        // A conversion (`!r`): the name after it is not code.
                        i += 1;
                        while i < b.len() && b[i].is_ascii_alphabetic() {
                            i += 1;
                        }
                    }
                    b'\'' | b'"' => {
                        i = skip_string(b, i, false, &mut modes);
                    }
                    _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                        let start = i;
                        while i < b.len()
                            && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)
                        {
                            i += 1;
                        }
                        let word = &b[start..i];
                        if i < b.len() && matches!(b[i], b'\'' | b'"') && is_prefix(word) {
                            let f = word.iter().any(|&x| x == b'f' || x == b'F');
                            i = skip_string(b, i, f, &mut modes);
                            if f {
                                frames.last_mut().expect("a frame").ops += 1;
                            }
                        } else if KEYWORDS.contains(&word) {
                            frames.last_mut().expect("a frame").ops += 1;
                        }
                    }
                    b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'.' => {
                        let run = b[i..].iter().take_while(|&&x| x == c).count();
                        if b.get(i + run) == Some(&b'=') {
                            // An augmented assignment: a statement, not a nesting.
                            i += run + 1;
                        } else {
                            frames.last_mut().expect("a frame").ops += run;
                            i += run;
                        }
                    }
                    b'<' | b'>' => {
                        // Shifts nest; comparisons are flat.
                        let shift = b.get(i + 1) == Some(&c) && b.get(i + 2) != Some(&b'=');
                        if shift {
                            frames.last_mut().expect("a frame").ops += 1;
                            i += 2;
                        } else {
                            i += 1;
                        }
                    }
                    _ => i += 1,
                }
            }
        }
        if frames.len() > MAX_DEPTH + 1 {
            // Already too deep: no need to read on.
            break;
        }
    }
    finish_line!();
    out
}

fn close_frame(frames: &mut Vec<Frame>) {
    let f = frames.pop().expect("a frame to close");
    let d = f.depth() + 1;
    let parent = frames.last_mut().expect("the line frame stays");
    parent.child = parent.child.max(d);
}

/// String prefixes: r, u, b, f, t and their two-letter combinations, any case.
fn is_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'))
}

/// Skips the string starting with the quote at `i`; an f-string pushes its literal mode
/// instead (its fields are code). Returns where scanning continues.
fn skip_string(b: &[u8], i: usize, fstring: bool, modes: &mut Vec<Mode>) -> usize {
    let quote = b[i];
    let triple = b[i..].starts_with(&[quote; 3]);
    let mut j = i + if triple { 3 } else { 1 };
    if fstring {
        modes.push(Mode::FString { quote, triple });
        return j;
    }
    while j < b.len() {
        let c = b[j];
        if c == b'\\' {
            j += 2;
            continue;
        }
        if triple {
            if b[j..].starts_with(&[quote; 3]) {
                return j + 3;
            }
        } else if c == quote {
            return j + 1;
        } else if c == b'\n' || c == b'\r' {
            // Unterminated: the tokenizer gives up at the line's end.
            return j;
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(src: &str) -> usize {
        estimate(src).depth
    }

    #[test]
    fn ordinary_code_is_shallow() {
        let src = "import os\n\nclass A:\n    def f(self, x):\n        return [x + 1 for x in range(3)]\n";
        assert!(depth(src) < 12, "{}", depth(src));
        assert!(depth("x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n") < 5);
    }

    #[test]
    fn chains_and_runs_count_each_level() {
        for src in [
            format!("x = {}1", "1 + ".repeat(5000)),
            format!("x = {}1", "-".repeat(5000)),
            format!("x = {}1", "not ".repeat(5000)),
            format!("x = {}1", "lambda: ".repeat(5000)),
            format!("x = a{}", ".b".repeat(5000)),
            format!("x = a{}", "()".repeat(5000)),
            format!("x = a{}", "[0]".repeat(5000)),
            format!("x = {}1", "2 ** ".repeat(5000)),
            format!("x = {}1", "1 if x else ".repeat(5000)),
            format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000)),
            format!("x = {}1{}", "f'{".repeat(5000), "}'".repeat(5000)),
            format!("x = {}", "f'{".repeat(5000)),
            format!("x = {}1", "1 << ".repeat(5000)),
        ] {
            assert!(depth(&src) >= 5000, "{}: {}", &src[..20], depth(&src));
        }
    }

    #[test]
    fn strings_and_comments_do_not_count() {
        let dashes = "-".repeat(50_000);
        assert!(depth(&format!("x = '{dashes}'\n")) < 5);
        assert!(depth(&format!("x = \"\"\"{dashes}\n{dashes}\"\"\"\n")) < 5);
        assert!(depth(&format!("x = 1  # {dashes}\n")) < 5);
        assert!(depth(&format!("x = rb'{dashes}'\n")) < 5);
        assert!(depth(&format!("x = f'{{{{ {dashes} }}}}'\n")) < 5);
        assert!(depth(&format!("x = f'{{y:{dashes}}}'\n")) < 5);
    }

    #[test]
    fn flat_sequences_do_not_add_up() {
        let items = "1 + 1, ".repeat(50_000);
        assert!(depth(&format!("x = [{items}]\n")) < 6);
        assert!(depth(&"x = 1\n".repeat(50_000)) < 4);
        assert!(depth(&format!("x = {}1\n", "y = ".repeat(50_000))) < 4);
        assert!(depth(&format!("x = {}1\n", "1 < ".repeat(50_000))) < 4);
    }

    #[test]
    fn indentation_counts() {
        let src: String = (0..300)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        assert!(depth(&src) >= 300);
    }

    #[test]
    fn too_deep_is_refused_with_cpythons_message() {
        let src = format!("y = 1\nx = {}1\n", "-".repeat(MAX_DEPTH + 10));
        let err: TooDeep = guarded(&src, |_| panic!("must not be parsed")).expect("refused");
        assert_eq!(err.message, TOO_COMPLEX);
        assert_eq!(err.start, 6);
    }
}
