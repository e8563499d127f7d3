//! `notes-lsp check --run`: runs the samples that state an output (this runs the notes' code,
//! contained: see `run::sandbox`) and adds `output-mismatch` and `run-error` diagnostics.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::FileReport;
use crate::analysis::Analysis;
use crate::checks::Diagnostic;
use crate::codes::Severity;
use crate::run::{self, FindingKind, Settings, Tally};

/// What the runs of one `check --run` came to.
#[derive(Debug, Default)]
pub struct Summary {
    pub samples: usize,
    pub tally: Tally,
}

/// Runs every plan of every report (two at a time) and adds what they found.
pub(crate) fn run_all(reports: &mut [FileReport], settings: &Settings) -> Summary {
    let mut jobs = Vec::new();
    for (i, rep) in reports.iter().enumerate() {
        let a = Analysis::of(&rep.note);
        let text = rep.note.text();
        for plan in run::plans(&rep.note, &a) {
            jobs.push((i, plan, text.clone()));
        }
    }
    let next = AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    let work = || {
        let mut done = Vec::new();
        while let Some((i, plan, text)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
            let checked = run::run_and_check(plan, text, settings, &cancel);
            done.push((*i, plan.stated.len(), checked));
        }
        done
    };
    let results = std::thread::scope(|s| {
        let other = s.spawn(work);
        let mut mine = work();
        mine.extend(other.join().unwrap_or_default());
        mine
    });
    let mut summary = Summary {
        samples: jobs.len(),
        ..Summary::default()
    };
    for (i, _, checked) in results {
        for v in &checked.verdicts {
            summary.tally.add(v);
        }
        reports[i]
            .diagnostics
            .extend(checked.findings.into_iter().map(|f| Diagnostic {
                range: f.range,
                severity: match f.kind {
                    FindingKind::Mismatch => Severity::Warning,
                    FindingKind::Error => Severity::Information,
                },
                code: f.code,
                message: f.message.into(),
            }));
    }
    for rep in reports.iter_mut() {
        rep.diagnostics
            .sort_by_key(|d| (d.range.start, d.range.end));
    }
    summary
}

/// The closing line of `check --run` (text format).
pub(crate) fn describe(s: &Summary, err: &mut dyn Write) {
    let t = &s.tally;
    let _ = writeln!(
        err,
        "ran {} sample{} stating {} output{}: {} matched, {} mismatched, {} not checked (unstable {}, no output {}, remarks {}, errors {}, not run {})",
        s.samples,
        if s.samples == 1 { "" } else { "s" },
        t.found,
        if t.found == 1 { "" } else { "s" },
        t.matched,
        t.mismatched,
        t.found - t.matched - t.mismatched,
        t.unstable,
        t.no_output,
        t.remarks,
        t.raised,
        t.not_run,
    );
    let missing = run::sandbox::here().missing();
    if !missing.is_empty() {
        let _ = writeln!(err, "sandbox here: {}", missing.join("; "));
    }
}
