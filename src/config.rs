//! Settings: from `initializationOptions` or `workspace/didChangeConfiguration` (section
//! `notesLsp`). Unknown keys are reported back, not silently ignored.

use std::collections::HashMap;

use serde_json::Value;

use crate::checks::{Diagnostic, Severity, code};

const CODES: &[&str] = &[
    code::PYTHON_SYNTAX,
    code::GUESSED_PYTHON_SYNTAX,
    code::JSON_SYNTAX,
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
            let Some(&code) = CODES.iter().find(|c| **c == name) else {
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

    /// The diagnostic as configured: `None` when its code is off.
    pub fn apply(&self, d: &Diagnostic) -> Option<Severity> {
        match self.severities.get(d.code) {
            Some(s) => *s,
            None => Some(d.severity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
