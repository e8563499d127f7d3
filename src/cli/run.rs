//! `notes-lsp check --run`: runs the samples that state an output (this runs the notes' code,
//! contained: see `run::sandbox`) and adds `output-mismatch` and `run-error` diagnostics.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use super::FileReport;
use crate::checks::Diagnostic;
use crate::codes::Severity;
use crate::run::{self, FindingKind, Plan, Settings, Tally};

/// What the runs of one `check --run` came to.
#[derive(Debug, Default)]
pub struct Summary {
    pub samples: usize,
    pub tally: Tally,
}

/// What the runs of one file's samples came to.
pub(crate) struct Ran {
    samples: usize,
    verdicts: Vec<run::Verdict>,
}

impl Summary {
    pub(crate) fn add(&mut self, ran: Ran) {
        self.samples += ran.samples;
        for v in &ran.verdicts {
            self.tally.add(v);
        }
    }
}

/// Runs `plans` (the samples of `rep`'s note, whose text is `text`), one after the other
/// (`check` works on two files at once), and adds what they found to its diagnostics.
pub(crate) fn run_file(
    rep: &mut FileReport,
    plans: &[Plan],
    text: &str,
    settings: &Settings,
) -> Ran {
    let cancel = AtomicBool::new(false);
    let mut ran = Ran {
        samples: 0,
        verdicts: Vec::new(),
    };
    for plan in plans {
        let checked = run::run_and_check(plan, text, settings, &cancel);
        ran.samples += 1;
        ran.verdicts.extend(checked.verdicts);
        rep.diagnostics
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
    rep.diagnostics
        .sort_by_key(|d| (d.range.start, d.range.end));
    ran
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
