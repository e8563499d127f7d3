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

pub use render::{render_json, render_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// The diagnostics of one file.
pub struct FileReport {
    pub path: PathBuf,
    pub note: Note,
    pub diagnostics: Vec<Diagnostic>,
    /// What the workspace checks (links, duplicate questions) need of this note.
    facts: Facts,
    summary: Option<NoteSummary>,
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

fn check_file(path: &Path, style: SlugStyle) -> Result<FileReport, Unreadable> {
    let text = read(path)?;
    // `check_all` keeps both cores busy with one file each.
    let note = Note::new_on_this_thread(&text, &|| true).expect("the parse is never stopped");
    let a = Analysis::on_this_thread(&note);
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let uri = path_to_uri(&abs);
    let facts = Facts::of(&uri, &note, &a, style);
    let summary = NoteSummary::build(&uri, &note, &a, style);
    Ok(FileReport {
        path: path.to_path_buf(),
        note,
        diagnostics: a.diagnostics,
        facts,
        summary: Some(summary),
    })
}

/// Checks every file, on two threads, keeping the files' order. Each thread takes the next
/// file when it is done with one, biggest first: split in halves up front, one thread got the
/// big notes and the other waited; taken in name order, one thread could be left alone with
/// a big note found last.
pub fn check_all(files: &[PathBuf], style: SlugStyle) -> Vec<Result<FileReport, Unreadable>> {
    let mut order: Vec<(u64, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (std::fs::metadata(f).map_or(0, |m| m.len()), i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&(_, i)) = order.get(k) else {
                return done;
            };
            done.push((i, caught(&files[i], || check_file(&files[i], style))));
        }
    };
    let mut all = std::thread::scope(|s| {
        let second = s.spawn(work);
        let mut out = work();
        out.extend(second.join().expect("a file's panic is caught"));
        out
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// `check(path)`, or the file reported as not checked if it panics: one note that trips a
/// bug must not take the other files' results with it, nor go missing from the report.
fn caught(
    path: &Path,
    check: impl FnOnce() -> Result<FileReport, Unreadable>,
) -> Result<FileReport, Unreadable> {
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

/// Links and duplicate questions across the files checked.
fn workspace_checks(reports: &mut [FileReport]) {
    let ws = Workspace::default();
    for rep in reports.iter_mut() {
        if let Some(s) = rep.summary.take() {
            ws.insert(s);
        }
    }
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    for rep in reports.iter_mut() {
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
/// their outputs compared.
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
    let mut reports = Vec::new();
    for r in check_all(&files, config.slugs) {
        match r {
            Ok(rep) => reports.push(rep),
            Err(u) => bad.push(u),
        }
    }
    workspace_checks(&mut reports);
    let summary = run_samples.map(|args| {
        let mut settings = config.run.clone();
        settings.python = args.python.clone().unwrap_or(settings.python);
        settings.node = args.node.clone().unwrap_or(settings.node);
        run::run_all(&mut reports, &settings)
    });
    for rep in &mut reports {
        rep.diagnostics
            .retain_mut(|d| match config.severity(d.code, d.severity) {
                Some(sev) => {
                    d.severity = sev;
                    true
                }
                None => false,
            });
    }
    let result = match format {
        Format::Text => render_text(&reports, out),
        Format::Json => render_json(&reports, Encoding::Utf16, out),
    };
    if let Err(e) = result {
        let _ = writeln!(err, "notes-lsp: cannot write output: {e}");
        return 2;
    }
    for u in &bad {
        let _ = writeln!(err, "notes-lsp: {}: {}", u.path.display(), u.reason);
    }
    let errors = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.severity == Severity::Error)
        .count();
    if format == Format::Text {
        let total: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
        let _ = writeln!(
            err,
            "checked {} file{}: {} error{}, {} diagnostic{} in all",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" },
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

    #[test]
    fn a_file_that_panics_is_reported_not_lost() {
        let path = Path::new("notes/bad.md");
        let got = caught(path, || panic!("index out of bounds"));
        let err = got.err().expect("a panic is reported as the file's error");
        assert_eq!(err.path, path);
        assert!(err.reason.contains("not checked"), "{}", err.reason);
        assert!(err.reason.contains("index out of bounds"), "{}", err.reason);
        let fine = caught(path, || {
            check_file(Path::new("fixtures/clean-notes.md"), SlugStyle::default())
        });
        assert!(fine.is_ok());
    }
}
