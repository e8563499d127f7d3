//! Running one plan: the interpreter named in the settings (its real executable found once,
//! with the user's environment: a pyenv or nvm shim needs it), a harness that runs the
//! sample and tells what each statement printed (`harness.py`, `harness.js`), in the
//! [`sandbox`](super::sandbox).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::sandbox::{self, Contained, Ended, Limits, Spec};
use super::{Plan, Program, RunLang};

const PY_HARNESS: &str = include_str!("harness.py");
const JS_HARNESS: &str = include_str!("harness.js");

/// Bytes of printed output the harness records; more is cut (and said so).
const RECORD_LIMIT: usize = 64 * 1024;

/// The `run` settings (read with the others).
pub use crate::config::RunSettings as Settings;

/// What one statement (or example) printed: the statements it was printed from, innermost
/// first, as (first, last) 1-based lines (for a session: the example's index, twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub spans: Vec<(usize, usize)>,
    pub text: String,
}

/// An exception that ended a statement (in a session: an example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub spans: Vec<(usize, usize)>,
    /// Its type's name (`ValueError`).
    pub kind: String,
    /// How the interpreter's last line shows it (`ValueError: bad value`).
    pub line: String,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// It ran to its end (perhaps with an exception, in `raised`).
    Finished,
    /// The interpreter did not compile the sample.
    NotCompiled(String),
    TimedOut,
    CpuLimit,
    OutOfMemory,
    OutputCapped,
    Cancelled,
    /// It died without a result (a signal, a crash): what it said last.
    Crashed(String),
    /// The interpreter could not be found or started.
    NoInterpreter(String),
}

/// What running a plan gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub end: End,
    pub writes: Vec<Write>,
    pub raised: Vec<Raised>,
    /// The recorded output was cut at [`RECORD_LIMIT`] bytes.
    pub truncated: bool,
    pub elapsed: Duration,
    pub contained: Contained,
    pub lang: RunLang,
}

fn overlaps(spans: &[(usize, usize)], a: usize, b: usize) -> bool {
    spans.iter().any(|&(s, e)| s <= b && a <= e)
}

impl Outcome {
    /// Everything printed, in order.
    pub fn printed(&self) -> String {
        self.writes.iter().map(|w| w.text.as_str()).collect()
    }

    /// What the statements on lines `a..=b` printed (for a session, example `a`), calls to
    /// functions that print included.
    pub fn printed_by(&self, a: usize, b: usize) -> Option<String> {
        let mut out: Option<String> = None;
        for w in self.writes.iter().filter(|w| overlaps(&w.spans, a, b)) {
            out.get_or_insert_with(String::new).push_str(&w.text);
        }
        out
    }

    /// What the statements on lines `a..=b` printed, by call: more than one when they ran
    /// more than once from different places (a function's body called twice).
    pub fn printed_each(&self, a: usize, b: usize) -> Vec<&str> {
        self.writes
            .iter()
            .filter(|w| overlaps(&w.spans, a, b))
            .map(|w| w.text.as_str())
            .collect()
    }

    /// The exception raised in the statements on lines `a..=b`.
    pub fn raised_by(&self, a: usize, b: usize) -> Option<&Raised> {
        self.raised.iter().find(|r| overlaps(&r.spans, a, b))
    }

    fn ended(end: End, lang: RunLang, elapsed: Duration, contained: Contained) -> Outcome {
        Outcome {
            end,
            writes: Vec::new(),
            raised: Vec::new(),
            truncated: false,
            elapsed,
            contained,
            lang,
        }
    }
}

/// Interpreters found, by command.
static FOUND: Mutex<Option<HashMap<String, Result<PathBuf, String>>>> = Mutex::new(None);

/// The real executable behind a command (`python3` may be a shim that needs the user's
/// environment, which the sandbox does not give).
fn interpreter(cmd: &str, lang: RunLang) -> Result<PathBuf, String> {
    if let Some(found) = FOUND
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .get(cmd)
    {
        return found.clone();
    }
    let probe: &[&str] = match lang {
        RunLang::Python => &["-c", "import sys; print(sys.executable)"],
        RunLang::JavaScript => &["-p", "process.execPath"],
    };
    let found = (|| {
        let mut child = Command::new(cmd)
            .args(probe)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("`{cmd}` cannot be started: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("`{cmd}` did not answer within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if path.is_empty() || !out.status.success() {
            return Err(format!("`{cmd}` did not say where it is"));
        }
        Ok(PathBuf::from(path))
    })();
    FOUND
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(cmd.to_string(), found.clone());
    found
}

/// Statements as (first, last) lines.
type Spans = Vec<(usize, usize)>;

#[derive(Deserialize)]
struct Report {
    compiled: bool,
    #[serde(default)]
    message: String,
    writes: Vec<(Spans, String)>,
    raised: Vec<(Spans, String, String)>,
    #[serde(default)]
    truncated: bool,
}

fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("\n@@notes-lsp-result-{:016x}@@", h.finish())
}

/// Runs a plan once. `seed` is Python's hash seed (0, or another to tell unstable output).
pub fn run(plan: &Plan, settings: &Settings, cancel: &AtomicBool, seed: u32) -> Outcome {
    let lang = plan.lang;
    let here = sandbox::here();
    let (cmd, harness, name) = match lang {
        RunLang::Python => (&settings.python, PY_HARNESS, "harness.py"),
        RunLang::JavaScript => (&settings.node, JS_HARNESS, "harness.js"),
    };
    let program = match interpreter(cmd, lang) {
        Ok(p) => p,
        Err(why) => return Outcome::ended(End::NoInterpreter(why), lang, Duration::ZERO, here),
    };
    let dir = match sandbox::TempDir::new() {
        Ok(d) => d,
        Err(e) => {
            let why = format!("no temporary directory: {e}");
            return Outcome::ended(End::NoInterpreter(why), lang, Duration::ZERO, here);
        }
    };
    let job = match &plan.program {
        Program::Script { source, display } => serde_json::json!({
            "mode": "script", "source": source, "display": display, "limit": RECORD_LIMIT,
        }),
        Program::Session(examples) => serde_json::json!({
            "mode": "session", "examples": examples, "limit": RECORD_LIMIT,
        }),
    };
    let written = std::fs::write(dir.path().join("job.json"), job.to_string())
        .and_then(|()| std::fs::write(dir.path().join(name), harness));
    if let Err(e) = written {
        let why = format!("cannot write the job: {e}");
        return Outcome::ended(End::NoInterpreter(why), lang, Duration::ZERO, here);
    }
    let nonce = nonce();
    let home = dir.path().to_string_lossy().into_owned();
    let mut env = vec![
        ("PATH", "/usr/local/bin:/usr/bin:/bin".to_string()),
        ("HOME", home.clone()),
        ("TMPDIR", home),
        ("LANG", "C.UTF-8".to_string()),
        ("LC_ALL", "C.UTF-8".to_string()),
        ("TZ", "UTC".to_string()),
        ("NO_COLOR", "1".to_string()),
    ];
    let mut limits = Limits {
        wall: settings.timeout,
        cpu_secs: settings.timeout.as_secs() + 1,
        memory: 768 << 20,
        ..Limits::default()
    };
    let args: Vec<std::ffi::OsString> = match lang {
        RunLang::Python => {
            env.push(("PYTHONHASHSEED", seed.to_string()));
            env.push(("PYTHONIOENCODING", "utf-8".to_string()));
            env.push(("PYTHONDONTWRITEBYTECODE", "1".to_string()));
            vec![
                "-s".into(),
                name.into(),
                "job.json".into(),
                nonce.clone().into(),
            ]
        }
        RunLang::JavaScript => {
            // V8 reserves far more address space than it uses; its own heap limit is the
            // one that bites.
            limits.memory = 3 << 30;
            vec![
                "--max-old-space-size=256".into(),
                name.into(),
                "job.json".into(),
                nonce.clone().into(),
            ]
        }
    };
    let exit = sandbox::run(
        Spec {
            program: &program,
            args,
            dir: dir.path(),
            env,
            limits,
        },
        cancel,
    );
    drop(dir);
    let stdout = String::from_utf8_lossy(&exit.stdout);
    let stderr = String::from_utf8_lossy(&exit.stderr);
    let out_of_memory = stderr.contains("heap out of memory")
        || stderr.contains("MemoryError")
        || stderr.contains("Allocation failed");
    let report = stdout
        .rfind(&nonce)
        .and_then(|at| serde_json::from_str::<Report>(&stdout[at + nonce.len()..]).ok());
    let mut o = Outcome::ended(End::Finished, lang, exit.elapsed, exit.contained);
    o.end = match (&exit.ended, &report) {
        (Ended::TimedOut, _) => End::TimedOut,
        (Ended::Cancelled, _) => End::Cancelled,
        (Ended::OutputCapped, _) => End::OutputCapped,
        (Ended::NotStarted(why), _) => End::NoInterpreter(why.clone()),
        (_, Some(r)) if !r.compiled => End::NotCompiled(r.message.clone()),
        (_, Some(_)) => End::Finished,
        (Ended::Signalled(s), None) if *s == libc::SIGXCPU || *s == libc::SIGKILL => {
            if out_of_memory {
                End::OutOfMemory
            } else {
                End::CpuLimit
            }
        }
        (_, None) if out_of_memory => End::OutOfMemory,
        (ended, None) => {
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            End::Crashed(match ended {
                Ended::Signalled(s) => format!("killed by signal {s} {last}").trim().to_string(),
                Ended::Exited(c) => format!("exit status {c} {last}").trim().to_string(),
                _ => last.to_string(),
            })
        }
    };
    if let Some(r) = report {
        o.truncated = r.truncated;
        o.writes = r
            .writes
            .into_iter()
            .map(|(spans, text)| Write { spans, text })
            .collect();
        o.raised = r
            .raised
            .into_iter()
            .map(|(spans, kind, line)| Raised { spans, kind, line })
            .collect();
        if o.raised.iter().any(|r| r.kind == "MemoryError") {
            o.end = End::OutOfMemory;
        }
    }
    o
}
