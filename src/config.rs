//! Settings: from `initializationOptions` or `workspace/didChangeConfiguration` (section
//! `notesLsp`). Unknown keys are reported back, not silently ignored.

use std::collections::HashMap;

use serde_json::Value;

use crate::checks::{Diagnostic, Severity, code};
use crate::outline::SlugStyle;
use crate::samples::registry;

/// The codes besides each sample language's own (`python-syntax`, `json-syntax`, ...: the
/// registry's).
const CODES: &[&str] = &[
    code::GUESSED_PYTHON_SYNTAX,
    code::UNCLOSED_FENCE,
    code::MISSING_LANGUAGE,
    code::BROKEN_LINK,
    code::UNANSWERED_QUESTION,
    code::DUPLICATE_QUESTION,
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Per diagnostic code: `None` turns the code off, `Some` overrides its severity.
    pub severities: HashMap<&'static str, Option<Severity>>,
    /// Sample languages to check, by the registry's names (`python`, `javascript`, ...);
    /// `None` checks all.
    pub languages: Option<Vec<String>>,
    /// Which site's heading anchors links are written for.
    pub slugs: SlugStyle,
}

/// The name of the settings file at a workspace root.
pub const FILE_NAME: &str = ".notes-lsp.toml";

/// Merges settings objects: keys of `over` win; `diagnostics` maps merge key by key.
pub fn merge(base: &Value, over: &Value) -> Value {
    let over = over.get("notesLsp").unwrap_or(over);
    let base = base.get("notesLsp").unwrap_or(base);
    match (base.as_object(), over.as_object()) {
        (Some(b), Some(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match (out.get(k), k.as_str()) {
                    (Some(old), "diagnostics") => merge(old, v),
                    _ => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (None, _) => over.clone(),
        (Some(_), None) if over.is_null() => base.clone(),
        _ => over.clone(),
    }
}

/// Reads a `.notes-lsp.toml` into the same shape as the client's settings.
pub fn from_toml(text: &str) -> Result<Value, String> {
    let v: toml::Value = toml::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_value(v).map_err(|e| e.to_string())
}

impl Config {
    /// Reads settings, accepting both the bare object and one wrapped in `notesLsp`
    /// (VS Code sends `{"notesLsp": {...}}` on configuration changes). Returns the problems
    /// found alongside what could be read.
    pub fn from_json(v: &Value) -> (Config, Vec<String>) {
        let mut config = Config::default();
        let mut problems = Vec::new();
        let v = v.get("notesLsp").unwrap_or(v);
        let Some(obj) = v.as_object() else {
            if !v.is_null() {
                problems.push("settings must be an object".to_string());
            }
            return (config, problems);
        };
        for (key, value) in obj {
            match key.as_str() {
                "diagnostics" => config.read_diagnostics(value, &mut problems),
                "languages" => match value.as_array() {
                    Some(list) => {
                        let mut langs = Vec::new();
                        for l in list {
                            // A name (`javascript`) or any of its tags (`js`).
                            let known = l.as_str().and_then(|s| {
                                let s = registry::normalize(s);
                                registry::by_name(&s).or_else(|| registry::by_tag(&s))
                            });
                            match known {
                                Some(lang) => langs.push(lang.name.to_string()),
                                None => {
                                    let names: Vec<&str> =
                                        registry::LANGUAGES.iter().map(|l| l.name).collect();
                                    problems.push(format!(
                                        "`languages`: {l} is not a checked language ({})",
                                        names.join(", ")
                                    ))
                                }
                            }
                        }
                        config.languages = Some(langs);
                    }
                    None => problems.push("`languages` must be a list such as [\"python\"]".into()),
                },
                "slugs" => match value.as_str() {
                    Some("github") => config.slugs = SlugStyle::Github,
                    Some("gitlab") => config.slugs = SlugStyle::Gitlab,
                    _ => problems.push(format!(
                        "`slugs`: expected \"github\" or \"gitlab\", got {value}"
                    )),
                },
                // Handled by the editor clients (middleware), or by the client itself.
                "features" | "path" | "trace" | "logLevel" => {}
                other => problems.push(format!("unknown setting `{other}`")),
            }
        }
        (config, problems)
    }

    fn read_diagnostics(&mut self, v: &Value, problems: &mut Vec<String>) {
        let Some(obj) = v.as_object() else {
            problems.push("`diagnostics` must map diagnostic codes to severities".into());
            return;
        };
        for (name, sev) in obj {
            let code = CODES
                .iter()
                .copied()
                .find(|c| c == name)
                .or_else(|| registry::by_code(name).map(|l| l.code));
            let Some(code) = code else {
                problems.push(format!("unknown diagnostic code `{name}`"));
                continue;
            };
            let severity = match sev.as_str() {
                Some("off") => None,
                Some("error") => Some(Severity::Error),
                Some("warning") => Some(Severity::Warning),
                Some("information" | "info") => Some(Severity::Information),
                Some("hint") => Some(Severity::Hint),
                _ => {
                    problems.push(format!(
                        "`{name}`: expected error, warning, information, hint or off, got {sev}"
                    ));
                    continue;
                }
            };
            self.severities.insert(code, severity);
        }
    }

    /// The severity a diagnostic with `code` gets, `None` when it is off.
    pub fn severity(&self, code: &str, default: Severity) -> Option<Severity> {
        if let Some(langs) = &self.languages {
            let lang = match code {
                code::GUESSED_PYTHON_SYNTAX | code::MISSING_LANGUAGE => Some("python"),
                _ => registry::by_code(code).map(|l| l.name),
            };
            if lang.is_some_and(|l| !langs.iter().any(|x| x == l)) {
                return None;
            }
        }
        match self.severities.get(code) {
            Some(s) => *s,
            None => Some(default),
        }
    }

    /// The diagnostic as configured: `None` when its code is off.
    pub fn apply(&self, d: &Diagnostic) -> Option<Severity> {
        self.severity(d.code, d.severity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn toml_file_and_client_settings_merge() {
        let file = from_toml("slugs = \"gitlab\"\nlanguages = [\"json\"]\n[diagnostics]\nunanswered-question = \"hint\"\nbroken-link = \"error\"\n").unwrap();
        let client = json!({"notesLsp": {"diagnostics": {"broken-link": "off"}}});
        let (c, problems) = Config::from_json(&merge(&file, &client));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.slugs, SlugStyle::Gitlab);
        assert_eq!(c.severity("python-syntax", Severity::Error), None);
        assert_eq!(
            c.severity("json-syntax", Severity::Error),
            Some(Severity::Error)
        );
        assert_eq!(
            c.severity("unanswered-question", Severity::Information),
            Some(Severity::Hint)
        );
        assert_eq!(c.severity("broken-link", Severity::Warning), None);
    }

    #[test]
    fn reads_severities_and_reports_unknowns() {
        let (c, problems) = Config::from_json(&json!({"notesLsp": {
            "diagnostics": {"unanswered-question": "off", "python-syntax": "warning", "nope": "off"},
            "colour": 1
        }}));
        assert_eq!(c.severities.get("unanswered-question"), Some(&None));
        assert_eq!(
            c.severities.get("python-syntax"),
            Some(&Some(Severity::Warning))
        );
        assert_eq!(
            problems,
            ["unknown setting `colour`", "unknown diagnostic code `nope`"]
        );
    }

    #[test]
    fn every_sample_language_has_its_code_and_name() {
        let (c, problems) = Config::from_json(&json!({
            "languages": ["javascript", "ts", "SQL"],
            "diagnostics": {"javascript-syntax": "warning", "yaml-syntax": "off"}
        }));
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
        let (_, problems) = Config::from_json(&json!({"languages": ["cobol"]}));
        assert!(problems[0].contains("cobol"), "{problems:?}");
        assert!(problems[0].contains("javascript"), "{problems:?}");
    }
}
