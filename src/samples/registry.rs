//! The languages the server checks samples in: which fence tags name each, its diagnostic
//! code, and the function that checks a sample.
//!
//! The interface every language implements (agreed between the sample checkers; keep it):
//!
//! ```text
//! pub fn check(source: &str) -> Option<SyntaxError>   // None: the sample parses
//! ```
//!
//! `source` is the sample as extracted ([`super::Sample::source`]: container prefixes and the
//! common indentation taken off, lines joined with `\n`, a final `\n`), and the error's range
//! is a byte range in it (empty for a point). One error per sample, the first a compiler would
//! report: the diagnostic, the hover verdict and the outline's count all show one, and a
//! parser's later errors are mostly its recovery from the first.
//!
//! Adding a language: a module (one file or folder under `samples/`) exposing `check`, and one
//! entry in [`LANGUAGES`] (its tags, name and code). A language listed without a checker yet
//! has its tags recognised (hover names it) and its samples left unchecked.
//!
//! One diagnostic code per language (`python-syntax`, `javascript-syntax`, `c-syntax`, ...):
//! severities and `off` are set per code, the `languages` setting takes the names, and the
//! checker runs under [`super::guard`] so that no sample can overflow a thread's stack or
//! take the server down with a panic.

use super::{Check, SyntaxError, guard, javascript, json, python, sql, toml, treesitter, yaml};

/// A language samples are written in.
#[derive(Debug)]
pub struct Language {
    /// The name the `languages` setting takes (`javascript`); also its code's stem.
    pub name: &'static str,
    /// How people write it (`JavaScript`), for messages.
    pub display: &'static str,
    /// The diagnostic code of its syntax errors (`javascript-syntax`).
    pub code: &'static str,
    /// The fence tags naming it, lower case; the first is the one `missing-language` suggests.
    pub tags: &'static [&'static str],
    /// The checker for its samples; `None` while the language has none.
    pub check: Option<Check>,
    /// Tags whose samples another checker reads (a dialect, a flavour such as TSX), or none
    /// (a dialect the parser cannot be trusted with: its samples are left unchecked).
    pub flavours: &'static [(&'static str, Option<Check>)],
    /// Whether the checker bounds its own recursion (Python: with CPython's limit and message);
    /// the others run under [`guard::guarded`].
    pub guards_itself: bool,
}

impl PartialEq for Language {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Language {}

impl Language {
    /// The checker for a sample with this (normalised) tag.
    pub fn checker(&self, tag: &str) -> Option<Check> {
        match self.flavours.iter().find(|(t, _)| *t == tag) {
            Some(&(_, check)) => check,
            None => self.check,
        }
    }

    /// Checks `source` as written under `tag`; `None` when it parses or cannot be checked.
    pub fn run(&self, tag: &str, source: &str) -> Option<SyntaxError> {
        let check = self.checker(tag)?;
        if self.guards_itself {
            check(source)
        } else {
            guard::guarded(self.display, source, check)
        }
    }
}

/// A language with no checker-specific options: tags, name and code.
const fn lang(
    name: &'static str,
    display: &'static str,
    code: &'static str,
    tags: &'static [&'static str],
    check: Option<Check>,
) -> Language {
    Language {
        name,
        display,
        code,
        tags,
        check,
        flavours: &[],
        guards_itself: false,
    }
}

/// Every language, in the order hover and documentation list them.
pub static LANGUAGES: &[Language] = &[
    Language {
        name: "python",
        display: "Python",
        code: "python-syntax",
        tags: &[
            "python", "py", "python3", "py3", "pycon", "ipython", "ipython3",
        ],
        check: Some(check_python),
        flavours: &[],
        guards_itself: true,
    },
    lang("json", "JSON", "json-syntax", &["json"], Some(json::check)),
    lang(
        "javascript",
        "JavaScript",
        "javascript-syntax",
        &["js", "javascript", "jsx", "mjs", "cjs", "node"],
        Some(javascript::check_javascript),
    ),
    Language {
        flavours: &[("tsx", Some(javascript::check_tsx))],
        ..lang(
            "typescript",
            "TypeScript",
            "typescript-syntax",
            &["ts", "typescript", "tsx"],
            Some(javascript::check_typescript),
        )
    },
    lang(
        "c",
        "C",
        "c-syntax",
        &["c", "h"],
        Some(treesitter::c::check),
    ),
    lang(
        "cpp",
        "C++",
        "cpp-syntax",
        &["cpp", "c++", "cc", "cxx", "hpp"],
        Some(treesitter::cpp::check),
    ),
    lang(
        "java",
        "Java",
        "java-syntax",
        &["java"],
        Some(treesitter::java::check),
    ),
    lang(
        "go",
        "Go",
        "go-syntax",
        &["go", "golang"],
        Some(treesitter::go::check),
    ),
    lang(
        "bash",
        "Bash",
        "bash-syntax",
        &["bash", "sh", "shell", "zsh", "console"],
        Some(treesitter::bash::check),
    ),
    Language {
        flavours: &[
            ("mysql", Some(sql::check_mysql)),
            ("postgresql", Some(sql::check_postgres)),
            ("psql", Some(sql::check_postgres)),
            ("sqlite", Some(sql::check_sqlite)),
            // sqlparser rejects much valid T-SQL (procedures, `@` parameters, cursors, table
            // hints): T-SQL samples are not checked rather than falsely flagged.
            ("tsql", None),
        ],
        ..lang(
            "sql",
            "SQL",
            "sql-syntax",
            &["sql", "mysql", "postgresql", "psql", "tsql", "sqlite"],
            Some(sql::check_generic),
        )
    },
    lang(
        "rust",
        "Rust",
        "rust-syntax",
        &["rust", "rs"],
        Some(treesitter::rust::check),
    ),
    lang(
        "csharp",
        "C#",
        "csharp-syntax",
        &["cs", "csharp", "c#"],
        Some(treesitter::csharp::check),
    ),
    lang(
        "php",
        "PHP",
        "php-syntax",
        &["php"],
        Some(treesitter::php::check),
    ),
    lang(
        "ruby",
        "Ruby",
        "ruby-syntax",
        &["ruby", "rb"],
        Some(treesitter::ruby::check),
    ),
    lang(
        "kotlin",
        "Kotlin",
        "kotlin-syntax",
        &["kotlin", "kt"],
        Some(treesitter::kotlin::check),
    ),
    lang(
        "swift",
        "Swift",
        "swift-syntax",
        &["swift"],
        Some(treesitter::swift::check),
    ),
    lang(
        "yaml",
        "YAML",
        "yaml-syntax",
        &["yaml", "yml"],
        Some(yaml::check),
    ),
    lang("toml", "TOML", "toml-syntax", &["toml"], Some(toml::check)),
];

/// Python through its own checker, which reports CPython's first error.
fn check_python(source: &str) -> Option<SyntaxError> {
    python::check(source).map(|e| SyntaxError {
        range: e.start..e.end,
        message: e.message,
    })
}

/// A fence tag as the registry reads it: lower case, `{python}` and `{.py}` forms unwrapped.
pub fn normalize(tag: &str) -> String {
    tag.trim_start_matches('{')
        .trim_end_matches('}')
        .trim_start_matches('.')
        .to_ascii_lowercase()
}

/// Python, which has more than a checker: untagged samples that look like it, its quick fixes.
pub static PYTHON: &Language = &LANGUAGES[0];

/// The language a normalised tag names.
pub fn by_tag(tag: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.tags.contains(&tag))
}

/// The language with this name (as the `languages` setting writes it).
pub fn by_name(name: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.name == name)
}

/// The language whose syntax errors carry this code.
pub fn by_code(code: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.code == code)
}

/// The registry as settings read it.
pub struct Registry;

impl crate::config::Languages for Registry {
    fn names_and_codes(&self) -> Vec<(&'static str, &'static str)> {
        LANGUAGES.iter().map(|l| (l.name, l.code)).collect()
    }

    fn name_of(&self, name_or_tag: &str) -> Option<&'static str> {
        let s = normalize(name_or_tag);
        by_name(&s).or_else(|| by_tag(&s)).map(|l| l.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_names_and_codes_are_unique_and_lower_case() {
        let mut tags: Vec<&str> = LANGUAGES
            .iter()
            .flat_map(|l| l.tags.iter().copied())
            .collect();
        let n = tags.len();
        tags.sort_unstable();
        tags.dedup();
        assert_eq!(tags.len(), n, "a tag names two languages");
        for l in LANGUAGES {
            assert_eq!(l.code, format!("{}-syntax", l.name));
            assert!(l.tags.iter().all(|t| *t == normalize(t)), "{}", l.name);
            assert_eq!(by_name(l.name), Some(l));
            assert_eq!(by_code(l.code), Some(l));
            for (flavour, _) in l.flavours {
                assert!(l.tags.contains(flavour), "{flavour}");
            }
        }
        assert_eq!(PYTHON.code, crate::codes::code::PYTHON_SYNTAX);
        assert_eq!(
            by_tag("json").map(|l| l.code),
            Some(crate::codes::code::JSON_SYNTAX)
        );
    }

    #[test]
    fn every_sample_language_has_its_code_and_name_in_settings() {
        use crate::codes::Severity;
        use crate::config::Config;
        use serde_json::json;
        let (c, problems) = Config::from_json(
            &json!({
                "languages": ["javascript", "ts", "SQL"],
                "diagnostics": {"javascript-syntax": "warning", "yaml-syntax": "off"}
            }),
            &Registry,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            c.languages.as_deref(),
            Some(&["javascript", "typescript", "sql"].map(String::from)[..])
        );
        let d = |code| c.severity(code, Severity::Error);
        assert_eq!(d("javascript-syntax"), Some(Severity::Warning));
        assert_eq!(d("typescript-syntax"), Some(Severity::Error));
        assert_eq!(d("python-syntax"), None);
        assert_eq!(d("go-syntax"), None);
        let (_, problems) = Config::from_json(&json!({"languages": ["cobol"]}), &Registry);
        assert!(problems[0].contains("cobol"), "{problems:?}");
        assert!(problems[0].contains("javascript"), "{problems:?}");
    }

    #[test]
    fn python_and_json_run_through_the_registry() {
        let py = by_tag("py3").unwrap();
        assert_eq!(py.run("py3", "x = 1\n"), None);
        let e = py.run("py3", "x = (1,\n").unwrap();
        assert_eq!(e.message, "'(' was never closed");
        assert_eq!(e.range.start, 4);
        let json = by_tag("json").unwrap();
        assert_eq!(json.run("json", "[1, 2]\n"), None);
        assert!(json.run("json", "[1, 2\n").is_some());
    }
}
