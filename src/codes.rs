//! The diagnostic codes and severities: what the rules report and what settings turn off or
//! override, by the same names.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// The stable diagnostic codes (DESIGN.md); users switch rules off by these names.
pub mod code {
    pub const PYTHON_SYNTAX: &str = "python-syntax";
    pub const GUESSED_PYTHON_SYNTAX: &str = "guessed-python-syntax";
    pub const JSON_SYNTAX: &str = "json-syntax";
    pub const UNCLOSED_FENCE: &str = "unclosed-fence";
    pub const MISSING_LANGUAGE: &str = "missing-language";
    pub const BROKEN_LINK: &str = "broken-link";
    pub const UNANSWERED_QUESTION: &str = "unanswered-question";
    pub const DUPLICATE_QUESTION: &str = "duplicate-question";
    /// A stated output that is not what the statement prints.
    pub const OUTPUT_MISMATCH: &str = "output-mismatch";
    /// The sample stopped with an error the note does not state.
    pub const RUN_ERROR: &str = "run-error";

    /// The codes besides each sample language's own (`python-syntax`, `json-syntax`, ...:
    /// `samples::registry`'s).
    pub const RULES: &[&str] = &[
        GUESSED_PYTHON_SYNTAX,
        UNCLOSED_FENCE,
        MISSING_LANGUAGE,
        BROKEN_LINK,
        UNANSWERED_QUESTION,
        DUPLICATE_QUESTION,
        OUTPUT_MISMATCH,
        RUN_ERROR,
    ];
}
