//! `notes-lsp check`: the same analysis as the server, printed for a terminal or a script.

pub mod fix;
mod render;
mod run;
pub mod settings;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::checks::Diagnostic;
use crate::codes::Severity;
use crate::config::{self, Config, SlugStyle};
use crate::files::{self, MAX_NOTE_BYTES};
use crate::note::{Encoding, Note};
use crate::workspace::{Facts, NoteSummary, View, Workspace, path_to_uri};
use ropey::Rope;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use render::{JsonArray, render_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// The diagnostics of one file.
pub struct FileReport {
    pub path: PathBuf,
    /// Its text, for positions and the lines shown.
    pub rope: Rope,
    pub diagnostics: Vec<Diagnostic>,
    /// What the workspace checks (links, duplicate questions) need of this note.
    facts: Facts,
}

/// What went wrong reading the input (exit status 2).
pub struct Unreadable {
    pub path: PathBuf,
    pub reason: String,
}

fn is_markdown(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "md" | "markdown" | "mdown" | "mkd"
        )
    })
}

/// Markdown files under `paths` (directories walked, `.gitignore` honoured even outside a
/// git repository; symlinks not followed, so loops cannot trap the walk).
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Unreadable>) {
    let mut files = Vec::new();
    let mut bad = Vec::new();
    for root in paths {
        if !root.is_dir() {
            if std::fs::symlink_metadata(root).is_err() {
                bad.push(Unreadable {
                    path: root.clone(),
                    reason: "no such file or directory".into(),
                });
            } else {
                // Named: read it (or say why not) whatever it is.
                files.push(root.clone());
            }
            continue;
        }
        let (found, skipped) = files::walk(root, is_markdown);
        if found.is_empty() {
            bad.push(Unreadable {
                path: root.clone(),
                reason: "a folder holding no notes (no Markdown files outside ignored paths)"
                    .into(),
            });
        }
        files.extend(found);
        bad.extend(
            skipped
                .into_iter()
                .map(|(path, reason)| Unreadable { path, reason }),
        );
    }
    files.sort();
    files.dedup();
    (files, bad)
}

/// A note's text; not UTF-8 is unreadable.
fn read(path: &Path) -> Result<String, Unreadable> {
    files::read_text(path, MAX_NOTE_BYTES).map_err(|why| Unreadable {
        path: path.to_path_buf(),
        reason: why.to_string(),
    })
}

/// What the first pass keeps of a file for the second: its own diagnostics and what the
/// workspace checks need of it, not its text.
struct Checked {
    diagnostics: Vec<Diagnostic>,
    facts: Facts,
    /// The fingerprint of the text checked ([`NoteSummary::fingerprint`]).
    fingerprint: u64,
    /// With `--run`: the samples to run and what they state, found in the same parse.
    plans: Vec<crate::run::Plan>,
}

impl Checked {
    fn report(self, path: &Path, rope: Rope) -> FileReport {
        FileReport {
            path: path.to_path_buf(),
            rope,
            diagnostics: self.diagnostics,
            facts: self.facts,
        }
    }
}

/// Checks `text` (the file at `path`), parsed once: its own diagnostics and facts, its
/// summary for the workspace checks of every file, and with `runs` the samples to run.
fn check_text(path: &Path, text: &str, style: SlugStyle, runs: bool) -> (Checked, NoteSummary) {
    // Two files are checked at once, one on each core.
    let note = Note::new_on_this_thread(text, &|| true).expect("the parse is never stopped");
    let a = Analysis::on_this_thread(&note);
    let plans = if runs {
        crate::run::plans(&note, &a)
    } else {
        Vec::new()
    };
    let uri = uri_of(path);
    let summary = NoteSummary::build(&uri, &note, &a, style);
    let facts = Facts::of(&uri, &note, &a, style)
        .with_html_anchors(summary.anchors().map(String::from).collect());
    let checked = Checked {
        diagnostics: a.diagnostics,
        facts,
        fingerprint: summary.fingerprint,
        plans,
    };
    (checked, summary)
}

fn uri_of(path: &Path) -> String {
    path_to_uri(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The first pass, on two threads: every file read, parsed and checked once; their
/// summaries go into the workspace the second pass's cross-note checks read, and what each
/// file's report needs besides its text is kept (its diagnostics and facts, or why it could
/// not be read), by file.
fn check_all(
    files: &[PathBuf],
    style: SlugStyle,
    runs: bool,
) -> (Workspace, Vec<Mutex<Option<FirstPass>>>) {
    let ws = Workspace::default();
    let kept: Vec<Mutex<Option<FirstPass>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = files.get(i) else {
                return;
            };
            let got = caught(path, || {
                let text = read(path)?;
                let (checked, summary) = check_text(path, &text, style, runs);
                ws.insert(summary);
                Ok(checked)
            });
            *kept[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(got);
        }
    };
    std::thread::scope(|s| {
        s.spawn(work);
        work();
    });
    (ws, kept)
}

type FirstPass = Result<Checked, Unreadable>;

/// How many files may be done ahead of the one printed next: what `check` holds at most,
/// besides the workspace's summaries.
const AHEAD: usize = 4;

/// `work(i)` for every `i` below `n` on two threads, each result handed to `emit` in order
/// as soon as those before it were; a thread does not start a file more than [`AHEAD`]
/// past the next to emit, so that few results wait at once (one big note taking long on
/// one thread while the other goes through small ones).
fn in_order<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync, mut emit: impl FnMut(T)) {
    use std::collections::BTreeMap;
    use std::sync::{Condvar, Mutex};
    // The next index to take, and the next to emit.
    let progress = Mutex::new((0usize, 0usize));
    let moved = Condvar::new();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, T)>();
    let take = || {
        let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if p.0 >= n {
                return None;
            }
            if p.0 < p.1 + AHEAD {
                p.0 += 1;
                return Some(p.0 - 1);
            }
            p = moved.wait(p).unwrap_or_else(|e| e.into_inner());
        }
    };
    std::thread::scope(|s| {
        for _ in 0..2 {
            let tx = tx.clone();
            let (take, work) = (&take, &work);
            let (progress, moved) = (&progress, &moved);
            s.spawn(move || {
                while let Some(i) = take() {
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(i))) {
                        Ok(t) => {
                            if tx.send((i, t)).is_err() {
                                return;
                            }
                        }
                        Err(panic) => {
                            // No file is taken after one that is lost: the other thread
                            // would wait for it for good.
                            progress.lock().unwrap_or_else(|e| e.into_inner()).0 = n;
                            moved.notify_all();
                            std::panic::resume_unwind(panic);
                        }
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (i, t) in rx {
            waiting.insert(i, t);
            while let Some(t) = waiting.remove(&next) {
                emit(t);
                next += 1;
                progress.lock().unwrap_or_else(|e| e.into_inner()).1 = next;
                moved.notify_all();
            }
        }
    });
}

/// `check(path)`, or the file reported as not checked if it panics: one note that trips a
/// bug must not take the other files' results with it, nor go missing from the report.
fn caught<T>(path: &Path, check: impl FnOnce() -> Result<T, Unreadable>) -> Result<T, Unreadable> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Unreadable {
            path: path.to_path_buf(),
            reason: format!("not checked: notes-lsp failed on it (a bug, please report it): {why}"),
        })
    })
}

/// `.notes-lsp.toml` from the first directory checked (or the current one), and its
/// problems, each as `path:line:column: message`.
fn settings(paths: &[PathBuf]) -> (Config, Vec<String>) {
    let dir = paths
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let path = dir.join(config::FILE_NAME);
    match files::read_text(&path, files::MAX_SIDE_FILE_BYTES) {
        Ok(text) => {
            let (config, problems) = settings::parse(&text);
            let problems = problems
                .iter()
                .map(|p| settings::describe(&path, p))
                .collect();
            (config, problems)
        }
        Err(files::Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            (Config::default(), Vec::new())
        }
        Err(why) => (
            Config::default(),
            vec![format!("{}: not read: {why}", path.display())],
        ),
    }
}

/// Links and duplicate questions across the files checked, added to `rep`'s diagnostics.
fn workspace_checks(view: &View, rep: &mut FileReport) {
    let mut found = view.broken_links(&rep.facts);
    found.extend(view.duplicate_questions(&rep.facts));
    rep.diagnostics
        .extend(found.into_iter().map(|d| Diagnostic {
            range: d.range,
            severity: d.severity,
            code: d.code,
            message: d.message.into(),
        }));
    rep.diagnostics
        .sort_by_key(|d| (d.range.start, d.range.end));
}

/// What both `check` and `check --fix` start from: the notes under `paths` (default `.`),
/// the paths that could not be read, and the settings.
pub(crate) struct Inputs {
    pub files: Vec<PathBuf>,
    pub bad: Vec<Unreadable>,
    pub config: Config,
    /// The settings file had problems (reported already): exit 2, write nothing.
    pub settings_failed: bool,
}

/// Collects the [`Inputs`], reporting the settings file's problems to `err` at once.
pub(crate) fn inputs(paths: &[PathBuf], err: &mut dyn Write) -> Inputs {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let (files, bad) = collect(&paths);
    let (config, problems) = settings(&paths);
    for p in &problems {
        let _ = writeln!(err, "notes-lsp: settings: {p}");
    }
    Inputs {
        files,
        bad,
        config,
        settings_failed: !problems.is_empty(),
    }
}

/// Runs `check` and returns the exit status: 0 no errors, 1 errors found, 2 unreadable input
/// or settings.
pub fn run(paths: &[PathBuf], format: Format, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    check(paths, format, None, out, err)
}

/// `check --run`: the interpreters named on the command line (the user's choice; a
/// `.notes-lsp.toml` may not name them). `None`: `python3` and `node` on `PATH`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub python: Option<String>,
    pub node: Option<String>,
}

/// `check`, and with `run_samples` (`--run`) the samples that state an output are run and
/// their outputs compared. Files are read twice and parsed once: first each is checked
/// (its summary, diagnostics and facts kept, not its text), then, in order, read again for
/// its lines, given the cross-note diagnostics, printed and let go.
pub fn check(
    paths: &[PathBuf],
    format: Format,
    run_samples: Option<&RunArgs>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let Inputs {
        files,
        mut bad,
        config,
        settings_failed,
    } = inputs(paths, err);
    let (ws, kept) = check_all(&files, config.slugs, run_samples.is_some());
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    // The interpreters are the command line's, over the settings'.
    let run_settings = run_samples.map(|args| {
        let mut settings = config.run.clone();
        settings.python = args.python.clone().unwrap_or(settings.python);
        settings.node = args.node.clone().unwrap_or(settings.node);
        settings
    });
    let check_one = |i: usize| {
        let path = &files[i];
        let first = kept[i].lock().unwrap_or_else(|e| e.into_inner()).take();
        caught(path, || {
            let checked = first.transpose()?;
            // Read again for its lines: checked again only if it changed since.
            let text = read(path)?;
            let mut checked = match checked {
                Some(c) if NoteSummary::fingerprint_of(&text) == c.fingerprint => c,
                _ => check_text(path, &text, config.slugs, run_settings.is_some()).0,
            };
            let plans = std::mem::take(&mut checked.plans);
            let mut rep = checked.report(path, Rope::from_str(&text));
            workspace_checks(&view, &mut rep);
            let ran = (run_settings.as_ref())
                .map(|settings| run::run_file(&mut rep, &plans, &text, settings));
            rep.diagnostics
                .retain_mut(|d| match config.severity(d.code, d.severity) {
                    Some(sev) => {
                        d.severity = sev;
                        true
                    }
                    None => false,
                });
            Ok((rep, ran))
        })
    };
    enum Printer<'a> {
        Text(&'a mut dyn Write),
        Json(JsonArray<'a>),
    }
    let mut printer = match format {
        Format::Text => Printer::Text(&mut *out),
        Format::Json => Printer::Json(JsonArray::new(&mut *out, Encoding::Utf16)),
    };
    let mut written: std::io::Result<()> = Ok(());
    let (mut checked, mut errors, mut total) = (0usize, 0usize, 0usize);
    let mut summary = run_settings.is_some().then(run::Summary::default);
    in_order(files.len(), check_one, |r: Result<_, Unreadable>| {
        let (rep, ran) = match r {
            Ok(r) => r,
            Err(u) => return bad.push(u),
        };
        checked += 1;
        total += rep.diagnostics.len();
        errors += rep
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if let (Some(s), Some(ran)) = (&mut summary, ran) {
            s.add(ran);
        }
        if written.is_ok() {
            written = match &mut printer {
                Printer::Text(out) => render_text(&rep, *out),
                Printer::Json(json) => json.add(&rep),
            };
        }
    });
    if written.is_ok()
        && let Printer::Json(json) = printer
    {
        written = json.finish();
    }
    if let Err(e) = written {
        let _ = writeln!(err, "notes-lsp: cannot write output: {e}");
        return 2;
    }
    for u in &bad {
        let _ = writeln!(err, "notes-lsp: {}: {}", u.path.display(), u.reason);
    }
    if format == Format::Text {
        let _ = writeln!(
            err,
            "checked {} file{}: {} error{}, {} diagnostic{} in all",
            checked,
            if checked == 1 { "" } else { "s" },
            errors,
            if errors == 1 { "" } else { "s" },
            total,
            if total == 1 { "" } else { "s" },
        );
        if let Some(s) = &summary {
            run::describe(s, err);
        }
    }
    if !bad.is_empty() || settings_failed {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Results come out in order whatever order the two threads finish in, and at most
    /// [`AHEAD`] of them are held at once: while the first file takes long, the other
    /// thread goes [`AHEAD`] files on and then waits.
    #[test]
    fn files_are_emitted_in_order_holding_a_few() {
        use std::sync::atomic::AtomicIsize;
        static LIVE: AtomicIsize = AtomicIsize::new(0);
        static MOST: AtomicIsize = AtomicIsize::new(0);
        static COMPUTED: AtomicUsize = AtomicUsize::new(0);
        struct Held(usize);
        impl Drop for Held {
            fn drop(&mut self) {
                LIVE.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let mut seen = Vec::new();
        in_order(
            40,
            |i| {
                if i == 0 {
                    // Slow: done once the other thread has done all it may meanwhile (a
                    // bound on the wait, so that a bug fails rather than hangs).
                    for _ in 0..10_000 {
                        if COMPUTED.load(Ordering::SeqCst) >= AHEAD - 1 {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                }
                COMPUTED.fetch_add(1, Ordering::SeqCst);
                let live = LIVE.fetch_add(1, Ordering::SeqCst) + 1;
                MOST.fetch_max(live, Ordering::SeqCst);
                Held(i)
            },
            |h| seen.push(h.0),
        );
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        assert_eq!(LIVE.load(Ordering::SeqCst), 0);
        assert_eq!(MOST.load(Ordering::SeqCst), AHEAD as isize);
    }

    /// A result that cannot be made (a panic outside the per-file guard) ends the run with
    /// that panic rather than leaving the other thread waiting for it.
    #[test]
    fn a_lost_result_ends_the_run_instead_of_hanging() {
        let run = std::panic::catch_unwind(|| {
            in_order(
                20,
                |i| {
                    if i == 3 {
                        panic!("lost file");
                    }
                    i
                },
                |_| {},
            )
        });
        assert!(run.is_err());
    }

    /// `check --run` runs what the first pass found in its parse of the file: the same plans
    /// a parse and analysis of their own would find, and none without `--run`.
    #[test]
    fn the_first_pass_finds_the_samples_to_run() {
        for fixture in ["fixtures/run/python.md", "fixtures/run/javascript.md"] {
            let path = Path::new(fixture);
            let text = std::fs::read_to_string(path).expect("fixture");
            let note = Note::new_on_this_thread(&text, &|| true).expect("never stopped");
            let own = crate::run::plans(&note, &Analysis::of(&note));
            assert!(own.len() >= 2, "{fixture}: {} plans", own.len());
            let (checked, _) = check_text(path, &text, SlugStyle::default(), true);
            assert_eq!(checked.plans, own, "{fixture}");
            let (checked, _) = check_text(path, &text, SlugStyle::default(), false);
            assert!(checked.plans.is_empty());
        }
    }

    #[test]
    fn a_file_that_panics_is_reported_not_lost() {
        let path = Path::new("notes/bad.md");
        let got: Result<Checked, Unreadable> = caught(path, || panic!("index out of bounds"));
        let err = got.err().expect("a panic is reported as the file's error");
        assert_eq!(err.path, path);
        assert!(err.reason.contains("not checked"), "{}", err.reason);
        assert!(err.reason.contains("index out of bounds"), "{}", err.reason);
        let clean = Path::new("fixtures/clean-notes.md");
        let fine = caught(path, || {
            Ok(check_text(clean, &read(clean)?, SlugStyle::default(), false).0)
        });
        assert!(fine.is_ok());
    }
}
