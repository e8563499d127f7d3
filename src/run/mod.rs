//! Stated outputs: what a note says its samples print, found without running anything
//! ([`find`]), and checked by running the samples, only when asked, in a contained child
//! process ([`exec`], [`sandbox`]), then compared statement by statement ([`report`]).
//!
//! Knows notes and samples, never the protocol: the server (`server/run.rs`) and the command
//! line (`notes-lsp check --run`) turn [`Finding`]s into their own shapes.

pub mod compare;
pub mod doctest;
pub mod exec;
pub mod find;
pub mod report;
pub mod sandbox;
mod scan;

use std::ops::Range;

pub use exec::{Outcome, Settings};
pub use find::plans;
pub use report::{Checked, Finding, FindingKind, Tally, Verdict, judge, run_and_check};

/// The diagnostic codes this layer reports under.
pub mod code {
    pub use crate::codes::code::{OUTPUT_MISMATCH, RUN_ERROR};
}

/// The languages samples are run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunLang {
    Python,
    JavaScript,
}

impl RunLang {
    pub fn name(self) -> &'static str {
        match self {
            RunLang::Python => "Python",
            RunLang::JavaScript => "JavaScript",
        }
    }
}

/// One sample that states outputs: what to run and what it should print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The whole sample in the note.
    pub range: Range<usize>,
    pub lang: RunLang,
    pub program: Program,
    pub stated: Vec<Stated>,
    /// The note offset of each line of the program (0-based), for errors' positions.
    pub line_starts: Vec<usize>,
    /// For a session: the note offset of each example's `>>>`.
    pub example_starts: Vec<usize>,
    /// Names the note's earlier samples in this language define, sorted: a sample that
    /// uses one goes on from them (its `NameError` is not the note's error).
    pub defined_before: Vec<String>,
    /// Names the note's later samples in this language define, sorted: a sample that uses
    /// one shows a use before the definition (its `NameError` is not the note's error).
    pub defined_after: Vec<String>,
    /// The note's headings, each as lower-case words: an exercise names there the function
    /// the reader is to write (`# Debounce Function`), which no sample then defines.
    pub heading_words: Vec<Vec<String>>,
}

/// What is run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Program {
    /// A script: the sample's code, run whole. `display` lists the (1-based) lines whose
    /// expression statement's value is stated (`len(x)  # => 3`): its repr is printed there.
    Script { source: String, display: Vec<usize> },
    /// A `>>>` session: each example compiled and run as the interactive interpreter does.
    Session(Vec<String>),
}

impl Plan {
    /// Identifies what is run (not what is stated): results stay valid while it is the same.
    pub fn key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        self.lang.hash(&mut h);
        self.program.hash(&mut h);
        h.finish()
    }

    /// The note offset where 1-based `line` of the program starts (the sample's start when
    /// out of range).
    pub fn line_at(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
            .unwrap_or(self.range.start)
    }
}

/// One stated output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    /// Which output it states.
    pub of: Anchor,
    /// The stated text as written, its lines joined with `\n` (comment markers and the
    /// block's prefixes taken off).
    pub text: String,
    /// Where that text is in the note: what a fix replaces.
    pub range: Range<usize>,
    /// How the real output is written back.
    pub form: Form,
    /// How it was stated.
    pub how: How,
}

/// Which output a stated output is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// What the statement on these (1-based, inclusive) lines of the script printed.
    Lines(usize, usize),
    /// What this example of a session printed.
    Example(usize),
    /// Everything the sample printed.
    Whole,
}

/// How the real output is written in place of a stated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// On one line (a comment, an inline paragraph): lines joined.
    Inline,
    /// Lines, each after the prefix the first one has in the note (a session's expected
    /// lines, an output fence's content, comment lines `# `); `blank` is how an empty line
    /// is written (`<BLANKLINE>` in a session).
    Block { blank: String },
}

/// The kinds of stated outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum How {
    /// The expected lines of a `>>>` example.
    Session,
    /// A comment with a marker: `# Output: 3`, `# => 3`, `//Prints 3`, `# 输出：3`.
    Marked,
    /// A bare comment after a print call: `console.log(x) // 3`. Prose as often as not: a
    /// mismatch is reported only when the comment reads as a value.
    Bare,
    /// An "Output:" paragraph or fence right after the sample.
    Paragraph,
}

impl How {
    pub fn name(self) -> &'static str {
        match self {
            How::Session => ">>> session",
            How::Marked => "marked comment",
            How::Bare => "bare comment",
            How::Paragraph => "Output: paragraph",
        }
    }
}
