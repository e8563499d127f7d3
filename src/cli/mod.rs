//! `notes-lsp check`: the same analysis as the server, printed for a terminal or a script.

mod render;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::checks::{Diagnostic, Severity};
use crate::note::{Encoding, Note};

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
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        if !root.exists() {
            bad.push(Unreadable {
                path: root.clone(),
                reason: "no such file or directory".into(),
            });
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && is_markdown(e.path()) => {
                    files.push(e.into_path())
                }
                Ok(_) => {}
                Err(err) => bad.push(Unreadable {
                    path: root.clone(),
                    reason: err.to_string(),
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, bad)
}

fn check_file(path: &Path) -> Result<FileReport, Unreadable> {
    let bytes = std::fs::read(path).map_err(|e| Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| Unreadable {
        path: path.to_path_buf(),
        reason: format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    let note = Note::new(&text);
    let diagnostics = Analysis::of(&note).diagnostics;
    Ok(FileReport {
        path: path.to_path_buf(),
        note,
        diagnostics,
    })
}

/// Checks every file, on two threads, keeping the files' order.
pub fn check_all(files: &[PathBuf]) -> Vec<Result<FileReport, Unreadable>> {
    let half = files.len().div_ceil(2);
    let (a, b) = files.split_at(half);
    std::thread::scope(|s| {
        let second = s.spawn(|| b.iter().map(|p| check_file(p)).collect::<Vec<_>>());
        let mut out: Vec<_> = a.iter().map(|p| check_file(p)).collect();
        out.extend(second.join().unwrap_or_default());
        out
    })
}

/// Runs `check` and returns the exit status: 0 no errors, 1 errors found, 2 unreadable input.
pub fn run(paths: &[PathBuf], format: Format, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let (files, mut bad) = collect(&paths);
    let mut reports = Vec::new();
    for r in check_all(&files) {
        match r {
            Ok(rep) => reports.push(rep),
            Err(u) => bad.push(u),
        }
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
    }
    if !bad.is_empty() {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}
