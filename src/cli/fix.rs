//! `notes-lsp check --fix [--diff]`: applies every safe fix (`actions::fix_all`) to the
//! notes in place and reports what changed, or with `--diff` prints a unified diff of what
//! would change and writes nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Format, Unreadable, read};
use crate::actions::{self, FixAll, LinkEnv, Options, RULES};
use crate::workspace::{NoteSummary, View, Workspace, path_to_uri};

fn uri_of(path: &Path) -> String {
    path_to_uri(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// "3 fixes (add-language 2, close-fence 1)".
fn describe(counts: &[(&'static str, usize)]) -> String {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    format!(
        "{total} fix{} ({})",
        if total == 1 { "" } else { "es" },
        parts.join(", ")
    )
}

/// Fixes the notes under `paths`. With `diff_only`, prints the diff and writes nothing (exit
/// 1 when something would change); else writes the fixed notes and checks them as `check`
/// does (its exit status). Unreadable input exits 2 either way.
pub fn run(
    paths: &[PathBuf],
    format: Format,
    diff_only: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let super::Inputs {
        files,
        mut bad,
        config,
        settings_failed,
    } = super::inputs(paths, err);
    if settings_failed {
        // Fixes of codes the settings turn off must not be written: fix nothing.
        let _ = writeln!(
            err,
            "notes-lsp: nothing fixed: correct the settings file first"
        );
        return 2;
    }
    let opts = Options::from_config(&config);
    let mut notes: Vec<(PathBuf, String)> = Vec::new();
    for f in files {
        match read(&f) {
            Ok(t) => notes.push((f, t)),
            Err(u) => bad.push(u),
        }
    }
    // Links are fixed against every note given, as they were before fixing.
    let ws = Workspace::default();
    for (p, t) in &notes {
        ws.insert(NoteSummary::from_text(&uri_of(p), t, opts.style));
    }
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    let fix_one = |(p, t): &(PathBuf, String)| -> FixAll {
        let uri = uri_of(p);
        let env = LinkEnv {
            view: &view,
            uri: &uri,
        };
        actions::fix_all(t, &opts, Some(&env))
    };
    let half = notes.len().div_ceil(2);
    let (first, second) = notes.split_at(half);
    let fixed: Vec<FixAll> = std::thread::scope(|s| {
        let other = s.spawn(|| second.iter().map(fix_one).collect::<Vec<_>>());
        let mut v: Vec<FixAll> = first.iter().map(fix_one).collect();
        v.extend(other.join().unwrap_or_default());
        v
    });

    let mut totals: Vec<(&'static str, usize)> = RULES.iter().map(|r| (*r, 0)).collect();
    let mut changed = 0;
    for ((path, old), result) in notes.iter().zip(&fixed) {
        if result.text == *old {
            continue;
        }
        changed += 1;
        let counts = result.counts();
        for (r, n) in &counts {
            if let Some(t) = totals.iter_mut().find(|(x, _)| x == r) {
                t.1 += n;
            }
        }
        let shown = path.display().to_string();
        if diff_only {
            let diff = similar::TextDiff::from_lines(old.as_str(), result.text.as_str());
            let text = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{shown}"), &format!("b/{shown}"))
                .to_string();
            if let Err(e) = out.write_all(text.as_bytes()) {
                let _ = writeln!(err, "notes-lsp: cannot write output: {e}");
                return 2;
            }
            let _ = writeln!(err, "would fix {shown}: {}", describe(&counts));
        } else {
            match std::fs::write(path, &result.text) {
                Ok(()) => {
                    let _ = writeln!(err, "fixed {shown}: {}", describe(&counts));
                }
                Err(e) => bad.push(Unreadable {
                    path: path.clone(),
                    reason: format!("cannot write: {e}"),
                }),
            }
        }
    }
    totals.retain(|(_, n)| *n > 0);
    let _ = writeln!(
        err,
        "{} {changed} file{} of {}{}",
        if diff_only { "would fix" } else { "fixed" },
        if changed == 1 { "" } else { "s" },
        notes.len(),
        if totals.is_empty() {
            String::new()
        } else {
            format!(": {}", describe(&totals))
        }
    );
    if diff_only {
        for u in &bad {
            let _ = writeln!(err, "notes-lsp: {}: {}", u.path.display(), u.reason);
        }
        return if !bad.is_empty() {
            2
        } else if changed > 0 {
            1
        } else {
            0
        };
    }
    // What is left, as `check` reports it.
    let status = super::run(paths, format, out, err);
    for u in bad.iter().filter(|u| u.reason.starts_with("cannot write")) {
        let _ = writeln!(err, "notes-lsp: {}: {}", u.path.display(), u.reason);
    }
    if bad.is_empty() { status } else { 2 }
}
