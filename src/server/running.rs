//! Samples run on request (`run/`): code lenses "Run sample" and "Run all samples in this
//! note", the commands they call (`workspace/executeCommand`), runs on save when `run = true`,
//! and what runs leave: `output-mismatch` and `run-error` diagnostics, a quick fix that writes
//! the real output, a source action that writes them all, and a hover with what was printed.
//!
//! Results are kept per note by what was run (a plan's key): an edit of a stated output is
//! judged again at once against the run's output; an edit of the code needs a new run. A
//! change to the note kills its runs in progress, as does a cancelled request.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types as lsp;

use super::{State, to_proto};
use crate::actions::{Fix, Kind};
use crate::analysis::Analysis;
use crate::checks;
use crate::codes::Severity;
use crate::config::Config;
use crate::note::{Encoding, Note};
use crate::run::{self, Checked, FindingKind, Plan, Verdict, code};

pub const RUN_SAMPLE: &str = "notes-lsp.runSample";
pub const RUN_ALL: &str = "notes-lsp.runAll";

/// The commands this server runs (`executeCommandProvider`).
pub fn commands() -> Vec<String> {
    vec![RUN_SAMPLE.into(), RUN_ALL.into()]
}

/// Runs kept per note (by URI).
#[derive(Default)]
pub struct Runs {
    docs: Mutex<HashMap<String, DocRuns>>,
    /// The client refreshes code lenses when asked (`workspace.codeLens.refreshSupport`).
    pub refresh_lenses: AtomicBool,
}

#[derive(Default)]
struct DocRuns {
    results: HashMap<u64, Arc<Checked>>,
    /// The cancel flags of runs in progress.
    active: Vec<Arc<AtomicBool>>,
}

impl Runs {
    fn with<R>(&self, uri: &str, f: impl FnOnce(&mut DocRuns) -> R) -> R {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        f(docs.entry(uri.to_string()).or_default())
    }

    /// The note changed: its runs in progress are killed.
    pub fn note_changed(&self, uri: &str) {
        let docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = docs.get(uri) {
            for c in &d.active {
                c.store(true, Ordering::SeqCst);
            }
        }
    }

    /// The note was closed: what its runs found is dropped.
    pub fn closed(&self, uri: &str) {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = docs.remove(uri) {
            for c in &d.active {
                c.store(true, Ordering::SeqCst);
            }
        }
    }

    fn has_results(&self, uri: &str) -> bool {
        let docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.get(uri).is_some_and(|d| !d.results.is_empty())
    }

    fn result(&self, uri: &str, key: u64) -> Option<Arc<Checked>> {
        let docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.get(uri).and_then(|d| d.results.get(&key).cloned())
    }
}

/// Sets the flag when dropped: the request that owns it was cancelled or is over.
pub struct CancelOnDrop(pub Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A note's plans judged against its kept runs: (plan, its run, verdicts, findings).
type Judged = (Plan, Arc<Checked>, Vec<Verdict>, Vec<run::Finding>);

fn judged(state: &State, uri: &str, note: &Note, a: &Analysis) -> Vec<Judged> {
    if !state.runs.has_results(uri) {
        return Vec::new();
    }
    let text = note.text();
    run::plans(note, a)
        .into_iter()
        .filter_map(|p| {
            let c = state.runs.result(uri, p.key())?;
            let (v, f) = run::judge(&p, &text, &c.outcome, c.again.as_ref());
            Some((p, c, v, f))
        })
        .collect()
}

/// The diagnostics of the note's kept runs, as JSON items joined by commas (for the
/// publication), in its severities.
pub fn diagnostics_json(
    state: &State,
    uri: &str,
    note: &Note,
    a: &Analysis,
    config: &Config,
    enc: Encoding,
) -> Vec<u8> {
    let mut out = Vec::new();
    for (_, _, _, findings) in judged(state, uri, note, a) {
        for f in findings {
            let d = diagnostic(&f);
            let Some(sev) = config.severity(d.code, d.severity) else {
                continue;
            };
            let Ok(json) = serde_json::to_vec(&to_proto::diagnostic(note, &d, sev, enc)) else {
                continue;
            };
            if !out.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(&json);
        }
    }
    out
}

fn diagnostic(f: &run::Finding) -> checks::Diagnostic {
    checks::Diagnostic {
        range: f.range.clone(),
        severity: match f.kind {
            FindingKind::Mismatch => Severity::Warning,
            FindingKind::Error => Severity::Information,
        },
        code: f.code,
        message: f.message.clone().into(),
    }
}

/// The quick fixes of mismatches touching `range`, and (when `all`) one source action that
/// writes every real output of the note. Neither is part of fix-all.
pub fn fixes(
    state: &State,
    uri: &str,
    note: &Note,
    a: &Analysis,
    range: Range<usize>,
    all: bool,
) -> Vec<Fix> {
    let mut out = Vec::new();
    let mut every = Vec::new();
    for (_, _, _, findings) in judged(state, uri, note, a) {
        for f in findings {
            let Some((r, new)) = f.fix.clone() else {
                continue;
            };
            every.push((r.clone(), new.clone()));
            if f.range.start <= range.end && range.start <= f.range.end {
                let shown: String = new.lines().next().unwrap_or("").chars().take(40).collect();
                out.push(Fix {
                    id: "write-output",
                    title: format!("Write the real output: `{shown}`"),
                    kind: Kind::QuickFix,
                    edits: vec![(r, new)],
                    diagnostic_code: Some(code::OUTPUT_MISMATCH),
                    diagnostic_range: Some(f.range.clone()),
                    safe: false,
                });
            }
        }
    }
    if all && !every.is_empty() {
        every.sort_by_key(|(r, _)| r.start);
        every.dedup_by(|b, a| b.0.start < a.0.end);
        out.push(Fix {
            id: "write-outputs",
            title: format!(
                "Write the real outputs of this note's samples ({} stated output{})",
                every.len(),
                if every.len() == 1 { "" } else { "s" }
            ),
            kind: Kind::Source,
            edits: every,
            diagnostic_code: None,
            diagnostic_range: None,
            safe: false,
        });
    }
    out
}

/// Code lenses: one per sample that states an output, one for the whole note.
pub fn code_lenses(
    state: &State,
    uri: &lsp::Uri,
    note: &Note,
    a: &Analysis,
    enc: Encoding,
) -> Vec<lsp::CodeLens> {
    let plans = run::plans(note, a);
    let text_results = judged(state, uri.as_str(), note, a);
    let mut out = Vec::new();
    let arg = |line: u32| {
        vec![
            serde_json::Value::String(uri.as_str().to_string()),
            serde_json::Value::from(line),
        ]
    };
    if !plans.is_empty() {
        out.push(lsp::CodeLens {
            range: lsp::Range::default(),
            command: Some(lsp::Command {
                title: format!(
                    "▶ Run all samples in this note ({} stating an output)",
                    plans.len()
                ),
                command: RUN_ALL.into(),
                arguments: Some(vec![serde_json::Value::String(uri.as_str().to_string())]),
            }),
            data: None,
        });
    }
    for p in &plans {
        let r = to_proto::range(note, &(p.range.start..p.range.start), enc);
        let done = text_results.iter().find(|(q, ..)| q.range == p.range);
        let title = match done {
            Some((_, c, v, _)) => {
                let bad = v
                    .iter()
                    .filter(|v| matches!(v, Verdict::Mismatch(_)))
                    .count();
                let good = v.iter().filter(|v| **v == Verdict::Matched).count();
                format!(
                    "▶ Run sample (last run: {good} matched, {bad} differ, {} ms)",
                    c.outcome.elapsed.as_millis()
                )
            }
            None => "▶ Run sample".to_string(),
        };
        out.push(lsp::CodeLens {
            range: r,
            command: Some(lsp::Command {
                title,
                command: RUN_SAMPLE.into(),
                arguments: Some(arg(r.start.line)),
            }),
            data: None,
        });
    }
    out
}

/// What a command asks for: the note and, for one sample, the line it starts on.
pub fn parse_args(params: &lsp::ExecuteCommandParams) -> Option<(lsp::Uri, Option<u32>)> {
    let uri = params.arguments.first()?.as_str()?.parse().ok()?;
    let line = match params.command.as_str() {
        RUN_SAMPLE => Some(u32::try_from(params.arguments.get(1)?.as_u64()?).ok()?),
        RUN_ALL => None,
        _ => return None,
    };
    Some((uri, line))
}

/// Runs the note's samples (or the one starting on `line`), on this (blocking) thread, and
/// keeps the results. Returns a summary for the command's answer; `None` when the note is
/// not open.
pub fn run_note(
    state: &State,
    uri: &lsp::Uri,
    line: Option<u32>,
    cancel: Arc<AtomicBool>,
) -> Option<serde_json::Value> {
    let doc = state.get(uri)?;
    let enc = state.encoding();
    let settings = state.config().run.clone();
    let (plans, text) = {
        let mut cur = doc.current(enc);
        let a = cur.analysis();
        let at = line.map(|l| to_proto::offset(&cur.note, lsp::Position::new(l, 0), enc));
        let plans: Vec<Plan> = run::plans(&cur.note, &a)
            .into_iter()
            .filter(|p| at.is_none_or(|at| p.range.start <= at && at < p.range.end.max(at + 1)))
            .collect();
        (plans, cur.note.text())
    };
    state.runs.with(uri.as_str(), |d| {
        d.active.retain(|c| !c.load(Ordering::SeqCst));
        d.active.push(cancel.clone());
    });
    let mut tally = run::Tally::default();
    let mut ran = 0;
    for p in &plans {
        if cancel.load(Ordering::SeqCst) {
            break;
        }
        let c = run::run_and_check(p, &text, &settings, &cancel);
        if matches!(c.outcome.end, run::exec::End::Cancelled) {
            break;
        }
        ran += 1;
        for v in &c.verdicts {
            tally.add(v);
        }
        let key = p.key();
        state.runs.with(uri.as_str(), |d| {
            d.results.insert(key, Arc::new(c));
        });
    }
    state.runs.with(uri.as_str(), |d| {
        d.active.retain(|c| !Arc::ptr_eq(c, &cancel))
    });
    Some(serde_json::json!({
        "samples": plans.len(),
        "ran": ran,
        "cancelled": cancel.load(Ordering::SeqCst) && ran < plans.len(),
        "stated": tally.found,
        "matched": tally.matched,
        "mismatched": tally.mismatched,
    }))
}

/// Hover on a run sample: what it printed, how long it took, and what the sandbox did.
pub fn hover(state: &State, uri: &str, note: &Note, a: &Analysis, at: usize) -> Option<String> {
    let (plan, c, verdicts, _) = judged(state, uri, note, a)
        .into_iter()
        .find(|(p, ..)| p.range.start <= at && at < p.range.end)?;
    let o = &c.outcome;
    let mut s = format!(
        "**Ran** as {} in {} ms",
        plan.lang.name(),
        o.elapsed.as_millis()
    );
    let printed = o.printed();
    match &o.end {
        run::exec::End::Finished => {}
        other => s.push_str(&format!(" ({other:?})")),
    }
    if let Some(env) = &c.environment {
        s.push_str(&format!("\n\nNot checked: {env}"));
    }
    if printed.is_empty() {
        s.push_str("\n\nIt printed nothing.");
    } else {
        let shown: String = printed.chars().take(2000).collect();
        let fence = if shown.contains("```") { "````" } else { "```" };
        s.push_str(&format!(
            "\n\nIt printed:\n{fence}text\n{}\n{fence}",
            shown.trim_end()
        ));
        if o.truncated || shown.len() < printed.len() {
            s.push_str("\n(cut)");
        }
    }
    for r in &o.raised {
        s.push_str(&format!("\n\nRaised `{}`", r.line));
    }
    let matched = verdicts.iter().filter(|v| **v == Verdict::Matched).count();
    let differ = verdicts
        .iter()
        .filter(|v| matches!(v, Verdict::Mismatch(_)))
        .count();
    s.push_str(&format!(
        "\n\n{matched} of {} stated output{} matched, {differ} differ{}",
        verdicts.len(),
        if verdicts.len() == 1 { "" } else { "s" },
        if differ == 1 { "s" } else { "" }
    ));
    let missing = o.contained.missing();
    s.push_str(if missing.is_empty() {
        "\n\n_Sandbox: own temp directory, limits on time, memory, file size and processes, no network, no writes outside its directory._"
    } else {
        "\n\n_Sandbox: own temp directory, limits on time, memory, file size and processes; here "
    });
    if !missing.is_empty() {
        s.push_str(&missing.join("; "));
        s.push_str("._");
    }
    Some(s)
}

/// A hover with the run of the sample under the cursor added (or alone).
pub fn with_run_hover(
    state: &State,
    uri: &lsp::Uri,
    p: lsp::Position,
    found: Option<lsp::Hover>,
) -> Option<lsp::Hover> {
    let doc = state.get(uri)?;
    let enc = state.encoding();
    let run = {
        let mut cur = doc.current(enc);
        let a = cur.analysis();
        let at = to_proto::offset(&cur.note, p, enc);
        hover(state, uri.as_str(), &cur.note, &a, at)
    };
    let Some(run) = run else {
        return found;
    };
    let mut h = found.unwrap_or(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: String::new(),
        }),
        range: None,
    });
    if let lsp::HoverContents::Markup(m) = &mut h.contents {
        if !m.value.is_empty() {
            m.value.push_str("\n\n---\n\n");
        }
        m.value.push_str(&run);
    }
    Some(h)
}
