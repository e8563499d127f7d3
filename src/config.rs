//! Settings: from `initializationOptions` or `workspace/didChangeConfiguration` (section
//! `notesLsp`). Unknown keys are reported back, not silently ignored.

use std::collections::HashMap;

use serde_json::Value;

use crate::codes::{Severity, code};

/// The sample languages as settings name them. Settings know no language themselves:
/// `samples::registry::Registry` answers.
pub trait Languages {
    /// Every language's name (what `languages` takes) and diagnostic code, in order.
    fn names_and_codes(&self) -> Vec<(&'static str, &'static str)>;
    /// The name of the language that a name or a fence tag (`js`, `{.py}`, any case) names.
    fn name_of(&self, name_or_tag: &str) -> Option<&'static str>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Per diagnostic code: `None` turns the code off, `Some` overrides its severity.
    pub severities: HashMap<&'static str, Option<Severity>>,
    /// Sample languages to check, by the registry's names (`python`, `javascript`, ...);
    /// `None` checks all.
    pub languages: Option<Vec<String>>,
    /// The codes of the languages `languages` leaves out (and Python's other codes when it
    /// leaves out Python): off.
    unchecked: Vec<&'static str>,
    /// Which site's heading anchors links are written for.
    pub slugs: SlugStyle,
    /// How samples are run when asked (`run.python`, `run.node`, `run.timeout`).
    pub run: RunSettings,
    /// `run = true` (or `run.onSave`): the server runs a note's samples when it is saved.
    pub run_on_save: bool,
    /// Which samples the outline lists (`outline.samples`).
    pub outline_samples: OutlineSamples,
}

/// Which samples the outline lists under the section that holds them. Every section's detail
/// counts its samples and the broken ones whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutlineSamples {
    /// Only the samples that do not parse (what needs looking at).
    #[default]
    Broken,
    All,
    None,
}

/// Which site's anchors links are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlugStyle {
    #[default]
    Github,
    /// GitLab: like GitHub, but runs of `-` collapse to one.
    Gitlab,
}

/// The `run` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// The Python interpreter (`run.python`), found on `PATH` unless a path.
    pub python: String,
    /// The JavaScript runtime (`run.node`).
    pub node: String,
    /// Wall-clock limit of one run (`run.timeout`, seconds).
    pub timeout: std::time::Duration,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            python: "python3".into(),
            node: "node".into(),
            timeout: std::time::Duration::from_secs(2),
        }
    }
}

/// The name of the settings file at a workspace root.
pub const FILE_NAME: &str = ".notes-lsp.toml";

/// Merges settings objects: keys of `over` win; `diagnostics`, `outline` and `run` tables merge
/// key by key (the interpreters are the user's, `onSave` may be the workspace file's). A key set to
/// null is not set (an editor's setting left at its null default).
pub fn merge(base: &Value, over: &Value) -> Value {
    let over = over.get("notesLsp").unwrap_or(over);
    let base = base.get("notesLsp").unwrap_or(base);
    match (base.as_object(), over.as_object()) {
        (Some(b), Some(o)) => {
            let mut out = b.clone();
            for (k, v) in o.iter().filter(|(_, v)| !v.is_null()) {
                let merged = match (out.get(k), k.as_str()) {
                    (Some(old), "diagnostics" | "outline") => merge(old, v),
                    (Some(old), "run") => merge(&run_table(old), &run_table(v)),
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

/// `run = true` as the table it means, `{onSave = true}`.
fn run_table(v: &Value) -> Value {
    match v {
        Value::Bool(b) => serde_json::json!({ "onSave": b }),
        other => other.clone(),
    }
}

/// Reads a `.notes-lsp.toml` into the same shape as the client's settings.
pub fn from_toml(text: &str) -> Result<Value, String> {
    let v: toml::Value = toml::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// The `run` keys only the user may set (client settings, command line), never a workspace's
/// `.notes-lsp.toml`: each names a program the server starts (to find the real interpreter
/// it runs one outside the sandbox), and a cloned repository must not choose it.
pub const USER_ONLY_RUN_KEYS: &[&str] = &["python", "node"];

/// Settings read from a workspace's `.notes-lsp.toml`, less what only the user may set
/// ([`USER_ONLY_RUN_KEYS`]). Returns the rest and, for each key taken out, its name
/// (`python`) and the warning that says it is ignored and why.
pub fn workspace_file(mut v: Value) -> (Value, Vec<(&'static str, String)>) {
    let mut ignored = Vec::new();
    // Read as `from_json` reads it: bare or wrapped in `notesLsp`.
    let inner = if v.get("notesLsp").is_some() {
        &mut v["notesLsp"]
    } else {
        &mut v
    };
    if let Some(run) = inner.get_mut("run").and_then(Value::as_object_mut) {
        for &key in USER_ONLY_RUN_KEYS {
            if run.remove(key).is_some() {
                ignored.push((key, ignored_message(key)));
            }
        }
    }
    (v, ignored)
}

fn ignored_message(key: &str) -> String {
    format!(
        "`run.{key}` is ignored: a workspace's {FILE_NAME} may not name the program that runs \
         samples (a cloned repository could name any program); set it in your editor's \
         settings (`notesLsp.run.{key}`) or with `notes-lsp check --run --{key} ...`"
    )
}

impl Config {
    /// Reads settings, accepting both the bare object and one wrapped in `notesLsp`
    /// (VS Code sends `{"notesLsp": {...}}` on configuration changes). Returns the problems
    /// found alongside what could be read. `langs`: the sample languages there are.
    pub fn from_json(v: &Value, langs: &dyn Languages) -> (Config, Vec<String>) {
        let mut config = Config::default();
        let mut problems = Vec::new();
        let v = v.get("notesLsp").unwrap_or(v);
        let Some(obj) = v.as_object() else {
            if !v.is_null() {
                problems.push("settings must be an object".to_string());
            }
            return (config, problems);
        };
        for (key, value) in obj.iter().filter(|(_, v)| !v.is_null()) {
            match key.as_str() {
                "diagnostics" => config.read_diagnostics(value, langs, &mut problems),
                "languages" => match value.as_array() {
                    Some(list) => {
                        let mut listed = Vec::new();
                        for l in list {
                            // A name (`javascript`) or any of its tags (`js`).
                            match l.as_str().and_then(|s| langs.name_of(s)) {
                                Some(name) => listed.push(name.to_string()),
                                None => {
                                    let names: Vec<&str> = (langs.names_and_codes().iter())
                                        .map(|(name, _)| *name)
                                        .collect();
                                    problems.push(format!(
                                        "`languages`: {l} is not a checked language ({})",
                                        names.join(", ")
                                    ))
                                }
                            }
                        }
                        config.unchecked = (langs.names_and_codes().into_iter())
                            .filter(|(name, _)| !listed.iter().any(|l| l == name))
                            .map(|(_, code)| code)
                            .collect();
                        if config.unchecked.contains(&code::PYTHON_SYNTAX) {
                            config
                                .unchecked
                                .extend([code::GUESSED_PYTHON_SYNTAX, code::MISSING_LANGUAGE]);
                        }
                        config.languages = Some(listed);
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
                "run" => config.read_run(value, &mut problems),
                "outline" => config.read_outline(value, &mut problems),
                // Handled by the editor clients (middleware), or by the client itself.
                "features" | "path" | "trace" | "logLevel" => {}
                other => problems.push(format!("unknown setting `{other}`")),
            }
        }
        (config, problems)
    }

    /// `run = true`, or a table: `onSave`, `python`, `node`, `timeout` (seconds).
    fn read_run(&mut self, v: &Value, problems: &mut Vec<String>) {
        if let Some(on) = v.as_bool() {
            self.run_on_save = on;
            return;
        }
        let Some(obj) = v.as_object() else {
            problems.push(format!("`run`: expected true, false or a table, got {v}"));
            return;
        };
        for (key, value) in obj {
            match (key.as_str(), value) {
                ("onSave" | "on_save" | "enabled", Value::Bool(b)) => self.run_on_save = *b,
                ("python", Value::String(s)) if !s.trim().is_empty() => self.run.python = s.clone(),
                ("node", Value::String(s)) if !s.trim().is_empty() => self.run.node = s.clone(),
                ("timeout", t) if t.as_f64().is_some_and(|t| t > 0.0 && t <= 600.0) => {
                    self.run.timeout = std::time::Duration::from_secs_f64(t.as_f64().unwrap_or(2.0))
                }
                ("onSave" | "on_save" | "enabled" | "python" | "node" | "timeout", _) => problems
                    .push(format!(
                        "`run.{key}`: expected {}, got {value}",
                        match key.as_str() {
                            "python" | "node" => "a command or a path",
                            "timeout" => "seconds (more than 0, at most 600)",
                            _ => "true or false",
                        }
                    )),
                (other, _) => problems.push(format!(
                    "`run`: unknown key `{other}` (onSave, python, node, timeout)"
                )),
            }
        }
    }

    /// `outline.samples`: `"broken"`, `"all"` or `"none"`.
    fn read_outline(&mut self, v: &Value, problems: &mut Vec<String>) {
        let Some(obj) = v.as_object() else {
            problems.push(format!(
                "`outline`: expected a table such as {{samples = \"all\"}}, got {v}"
            ));
            return;
        };
        for (key, value) in obj.iter().filter(|(_, v)| !v.is_null()) {
            match (key.as_str(), value.as_str()) {
                ("samples", Some("broken")) => self.outline_samples = OutlineSamples::Broken,
                ("samples", Some("all")) => self.outline_samples = OutlineSamples::All,
                ("samples", Some("none")) => self.outline_samples = OutlineSamples::None,
                ("samples", _) => problems.push(format!(
                    "`outline.samples`: expected \"broken\", \"all\" or \"none\", got {value}"
                )),
                (other, _) => problems.push(format!("`outline`: unknown key `{other}` (samples)")),
            }
        }
    }

    fn read_diagnostics(&mut self, v: &Value, langs: &dyn Languages, problems: &mut Vec<String>) {
        let Some(obj) = v.as_object() else {
            problems.push("`diagnostics` must map diagnostic codes to severities".into());
            return;
        };
        for (name, sev) in obj {
            let code = code::RULES.iter().copied().find(|c| c == name).or_else(|| {
                (langs.names_and_codes().into_iter())
                    .map(|(_, code)| code)
                    .find(|c| c == name)
            });
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
        if self.unchecked.contains(&code) {
            return None;
        }
        match self.severities.get(code) {
            Some(s) => *s,
            None => Some(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Two languages, as the registry would name them.
    struct Two;

    impl Languages for Two {
        fn names_and_codes(&self) -> Vec<(&'static str, &'static str)> {
            vec![("python", code::PYTHON_SYNTAX), ("json", code::JSON_SYNTAX)]
        }

        fn name_of(&self, name_or_tag: &str) -> Option<&'static str> {
            match name_or_tag.to_ascii_lowercase().as_str() {
                "python" | "py" => Some("python"),
                "json" => Some("json"),
                _ => None,
            }
        }
    }

    #[test]
    fn toml_file_and_client_settings_merge() {
        let file = from_toml("slugs = \"gitlab\"\nlanguages = [\"json\"]\n[diagnostics]\nunanswered-question = \"hint\"\nbroken-link = \"error\"\n").unwrap();
        let client = json!({"notesLsp": {"diagnostics": {"broken-link": "off"}}});
        let (c, problems) = Config::from_json(&merge(&file, &client), &Two);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.slugs, SlugStyle::Gitlab);
        assert_eq!(c.severity("python-syntax", Severity::Error), None);
        assert_eq!(c.severity("guessed-python-syntax", Severity::Error), None);
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
    fn a_client_setting_left_null_leaves_the_file_setting() {
        let file = from_toml("[run]\nonSave = true\ntimeout = 7\n").unwrap();
        let client = json!({"notesLsp": {"run": null, "slugs": null}});
        let (c, problems) = Config::from_json(&merge(&file, &client), &Two);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(c.run_on_save);
        assert_eq!(c.run.timeout, std::time::Duration::from_secs(7));
        assert_eq!(c.slugs, SlugStyle::Github);
        let (c, problems) = Config::from_json(&client, &Two);
        assert!(problems.is_empty() && !c.run_on_save, "{problems:?}");
    }

    #[test]
    fn reads_severities_and_reports_unknowns() {
        let (c, problems) = Config::from_json(
            &json!({"notesLsp": {
                "diagnostics": {"unanswered-question": "off", "python-syntax": "warning", "nope": "off"},
                "colour": 1
            }}),
            &Two,
        );
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
    fn languages_are_named_by_name_or_tag_and_unknown_ones_reported() {
        let (c, problems) = Config::from_json(&json!({"languages": ["PY", "cobol"]}), &Two);
        assert_eq!(c.languages.as_deref(), Some(&["python".to_string()][..]));
        assert_eq!(c.severity("json-syntax", Severity::Error), None);
        assert_eq!(
            c.severity("missing-language", Severity::Hint),
            Some(Severity::Hint)
        );
        assert_eq!(
            problems,
            ["`languages`: \"cobol\" is not a checked language (python, json)"]
        );
    }

    #[test]
    fn a_workspace_file_may_not_name_an_interpreter() {
        for text in [
            "[run]\nonSave = true\ntimeout = 3\npython = \"./evil.sh\"\nnode = \"/tmp/x\"\n",
            "run = { onSave = true, timeout = 3, python = \"./evil.sh\", node = \"/tmp/x\" }\n",
            "[notesLsp.run]\nonSave = true\ntimeout = 3\npython = \"./evil.sh\"\nnode = \"/tmp/x\"\n",
        ] {
            let (file, ignored) = workspace_file(from_toml(text).unwrap());
            let keys: Vec<&str> = ignored.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, ["python", "node"], "{text}");
            assert!(ignored[0].1.starts_with("`run.python` is ignored: a workspace's .notes-lsp.toml may not name the program"), "{}", ignored[0].1);
            assert!(
                ignored[1].1.contains("`notesLsp.run.node`") && ignored[1].1.contains("--node")
            );
            // What the file may set still applies; the interpreters are the defaults.
            let (c, problems) = Config::from_json(&merge(&file, &Value::Null), &Two);
            assert!(problems.is_empty(), "{problems:?}");
            assert!(c.run_on_save);
            assert_eq!(c.run.timeout, std::time::Duration::from_secs(3));
            assert_eq!(
                (c.run.python.as_str(), c.run.node.as_str()),
                ("python3", "node")
            );
            // The user's settings still choose them.
            let client = json!({"run": {"python": "python3.13", "node": "/opt/node"}});
            let (c, _) = Config::from_json(&merge(&file, &client), &Two);
            assert_eq!(
                (c.run.python.as_str(), c.run.node.as_str()),
                ("python3.13", "/opt/node")
            );
        }
        // The file turns runs on, the user names the interpreter: both hold.
        let (file, _) = workspace_file(from_toml("run = true\n").unwrap());
        let client = json!({"notesLsp": {"run": {"python": "python3.13"}}});
        let (c, problems) = Config::from_json(&merge(&file, &client), &Two);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(c.run_on_save);
        assert_eq!(c.run.python, "python3.13");
        let (c, _) = Config::from_json(&merge(&file, &json!({"run": false})), &Two);
        assert!(!c.run_on_save);
        // Nothing to take out: nothing said.
        let (file, ignored) = workspace_file(from_toml("run = true\n").unwrap());
        assert!(ignored.is_empty());
        assert_eq!(file, json!({"run": true}));
    }

    #[test]
    fn outline_samples() {
        let (c, problems) = Config::from_json(&json!({}), &Two);
        assert!(problems.is_empty());
        assert_eq!(c.outline_samples, OutlineSamples::Broken);
        let file = from_toml("[outline]\nsamples = \"all\"\n").unwrap();
        let (c, problems) = Config::from_json(&file, &Two);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.outline_samples, OutlineSamples::All);
        // An editor's null leaves the file's choice.
        let client = json!({"notesLsp": {"outline": {"samples": null}}});
        let (c, _) = Config::from_json(&merge(&file, &client), &Two);
        assert_eq!(c.outline_samples, OutlineSamples::All);
        let (c, problems) =
            Config::from_json(&json!({"outline": {"samples": "some", "depth": 2}}), &Two);
        assert_eq!(c.outline_samples, OutlineSamples::Broken);
        let mut problems = problems;
        problems.sort();
        assert_eq!(
            problems,
            [
                "`outline.samples`: expected \"broken\", \"all\" or \"none\", got \"some\"",
                "`outline`: unknown key `depth` (samples)",
            ]
        );
        let (_, problems) = Config::from_json(&json!({"outline": "all"}), &Two);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn run_settings() {
        let (c, problems) = Config::from_json(&from_toml("run = true\n").unwrap(), &Two);
        assert!(problems.is_empty() && c.run_on_save);
        assert_eq!(c.run, RunSettings::default());
        let file = from_toml("[run]\npython = \"python3.13\"\ntimeout = 5\nnode = \"\"\ncolour = 1\n[diagnostics]\noutput-mismatch = \"error\"\n").unwrap();
        let (c, problems) = Config::from_json(&file, &Two);
        assert!(!c.run_on_save);
        assert_eq!(c.run.python, "python3.13");
        assert_eq!(c.run.node, "node");
        assert_eq!(c.run.timeout, std::time::Duration::from_secs(5));
        assert_eq!(
            c.severity("output-mismatch", Severity::Warning),
            Some(Severity::Error)
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (c, _) = Config::from_json(&json!({"run": {"onSave": true}}), &Two);
        assert!(c.run_on_save);
    }
}
