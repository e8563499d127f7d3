//! `.notes-lsp.toml` for `check`: read as the server reads it, each problem placed at the line
//! of the key it is about, so it can be reported as `path:line:column: message`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::IgnoredAny;
use serde_json::{Value, json};
use toml::Spanned;

use crate::config::{self, Config};
use crate::samples::registry::Registry;

/// A problem with the settings file, at a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// `path:line:column: message`, as compilers write it.
pub fn describe(path: &Path, p: &Problem) -> String {
    format!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message)
}

/// The settings the text holds (defaults where it cannot be read) and what is wrong with it.
pub fn parse(text: &str) -> (Config, Vec<Problem>) {
    let value: toml::Value = match toml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let message = e.message().trim_end().to_string();
            return (Config::default(), vec![problem_at(text, at, message)]);
        }
    };
    let json = serde_json::to_value(value).unwrap_or(Value::Null);
    // The interpreters are the user's to choose, never the file's.
    let (json, ignored) = config::workspace_file(json);
    let ignored = ignored
        .into_iter()
        .map(|(key, why)| problem_at(text, run_key_at(text, key).unwrap_or(0), why));
    let (config, problems) = Config::from_json(&json, &Registry);
    if problems.is_empty() {
        return (config, ignored.collect());
    }
    let mut problems = placed(text, &json).unwrap_or_else(|| at_top(problems));
    problems.extend(ignored);
    problems.sort_by_key(|p| (p.line, p.column));
    (config, problems)
}

/// Where `key` of the `run` table is (`[run]`, `run = {...}`, `run.python = ...`, or under
/// `notesLsp`).
fn run_key_at(text: &str, key: &str) -> Option<usize> {
    #[derive(serde::Deserialize)]
    struct Run {
        run: BTreeMap<Spanned<String>, IgnoredAny>,
    }
    #[derive(serde::Deserialize)]
    struct Wrapped {
        #[serde(rename = "notesLsp")]
        notes_lsp: Run,
    }
    let run = (toml::from_str::<Run>(text).map(|r| r.run))
        .or_else(|_| toml::from_str::<Wrapped>(text).map(|w| w.notes_lsp.run))
        .ok()?;
    run.into_keys()
        .find(|k| k.get_ref() == key)
        .map(|k| k.span().start)
}

/// The problems of each top-level key (and of each diagnostic code) found alone, at that
/// key. `None` if the keys cannot be read with their places.
fn placed(text: &str, json: &Value) -> Option<Vec<Problem>> {
    let keys: BTreeMap<Spanned<String>, IgnoredAny> = toml::from_str(text).ok()?;
    let mut out = Vec::new();
    for (key, _) in keys {
        let name = key.get_ref();
        let value = &json[name.as_str()];
        if name == "diagnostics" && value.is_object() {
            #[derive(serde::Deserialize)]
            struct Codes {
                diagnostics: BTreeMap<Spanned<String>, IgnoredAny>,
            }
            let codes: Codes = toml::from_str(text).ok()?;
            for (code, _) in codes.diagnostics {
                let one = json!({ "diagnostics": { code.get_ref(): value[code.get_ref()] } });
                for message in Config::from_json(&one, &Registry).1 {
                    out.push(problem_at(text, code.span().start, message));
                }
            }
            continue;
        }
        for message in Config::from_json(&json!({ name: value }), &Registry).1 {
            out.push(problem_at(text, key.span().start, message));
        }
    }
    out.sort_by_key(|p| (p.line, p.column));
    Some(out)
}

fn at_top(problems: Vec<String>) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|message| Problem {
            line: 1,
            column: 1,
            message,
        })
        .collect()
}

fn problem_at(text: &str, at: usize, message: String) -> Problem {
    let at = text.floor_char_boundary(at.min(text.len()));
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Problem {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Severity;
    use crate::outline::SlugStyle;

    fn lines(problems: &[Problem]) -> Vec<(usize, usize, &str)> {
        problems
            .iter()
            .map(|p| (p.line, p.column, p.message.as_str()))
            .collect()
    }

    #[test]
    fn an_interpreter_named_by_the_file_is_ignored_at_its_key() {
        let text = "[run]\nonSave = true\n  python = \"./make-marker.sh\"\nnode = \"/tmp/n\"\ntimeout = 4\n";
        let (config, problems) = parse(text);
        assert!(config.run_on_save);
        assert_eq!(config.run.timeout, std::time::Duration::from_secs(4));
        assert_eq!(config.run.python, "python3");
        assert_eq!(config.run.node, "node");
        let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(at, [(3, 3), (4, 1)], "{problems:?}");
        assert!(problems[0].message.starts_with("`run.python` is ignored"));
        // With other problems, all placed in order; a dotted key at its last part.
        let (_, problems) = parse("colour = 1\nrun.node = \"x\"\n");
        assert_eq!(
            lines(&problems)
                .iter()
                .map(|p| (p.0, p.1))
                .collect::<Vec<_>>(),
            [(1, 1), (2, 5)]
        );
        assert!(problems[1].message.starts_with("`run.node` is ignored"));
    }

    #[test]
    fn a_file_that_does_not_parse_is_placed_at_its_error() {
        let (config, problems) = parse("# settings\nslugs = \"gitlab\nlanguages = []\n");
        assert_eq!(config, Config::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (2, 16));
        assert!(
            problems[0].message.contains("string"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn unknown_keys_codes_and_values_are_placed_at_their_keys() {
        let text = "slugs = \"gitlab\"\ncolour = \"red\"\n\n[diagnostics]\nbroken-link = \"error\"\nno-such-code = \"off\"\n  unanswered-question = \"loud\"\n";
        let (config, problems) = parse(text);
        assert_eq!(config.slugs, SlugStyle::Gitlab);
        assert_eq!(
            config.severity("broken-link", Severity::Warning),
            Some(Severity::Error)
        );
        assert_eq!(
            lines(&problems),
            [
                (2, 1, "unknown setting `colour`"),
                (6, 1, "unknown diagnostic code `no-such-code`"),
                (
                    7,
                    3,
                    "`unanswered-question`: expected error, warning, information, hint or off, got \"loud\""
                ),
            ]
        );
    }

    #[test]
    fn a_value_of_the_wrong_shape_is_placed_at_its_key() {
        let (_, problems) = parse("languages = \"python\"\ndiagnostics = 3\n");
        assert_eq!(
            lines(&problems),
            [
                (1, 1, "`languages` must be a list such as [\"python\"]"),
                (
                    2,
                    1,
                    "`diagnostics` must map diagnostic codes to severities"
                ),
            ]
        );
    }

    #[test]
    fn good_settings_have_no_problems() {
        let (config, problems) = parse(
            "slugs = \"github\"\nlanguages = [\"python\"]\n[diagnostics]\nduplicate-question = \"off\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.languages, Some(vec!["python".to_string()]));
    }
}
