//! Runs the samples of notes that state an output and prints what became of each stated
//! output, then the figures by kind: `cargo run --example runnote -- PATH...` (files or
//! directories of Markdown notes). `--mismatches` prints only the mismatches, with the
//! code around them, for reading through; `--json` prints one JSON object a sample (what
//! was run, what it printed, each stated output and its verdict), for
//! scripts/run_differential.py. The figures in docs/run.md come from this.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::run::{self, How, Program, Settings, Tally, Verdict};

fn main() {
    let mut only_mismatches = false;
    let mut json = false;
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--mismatches" => only_mismatches = true,
            "--json" => json = true,
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let (files, _) = notes_lsp::cli::collect(&paths);
    let settings = Settings::default();
    let cancel = AtomicBool::new(false);
    let mut tallies: BTreeMap<How, Tally> = BTreeMap::new();
    let mut langs: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut samples = 0;
    let mut environment: BTreeMap<String, usize> = BTreeMap::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let path = path.display().to_string();
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        for plan in run::plans(&note, &a) {
            samples += 1;
            let checked = run::run_and_check(&plan, &text, &settings, &cancel);
            let line = text[..plan.range.start].matches('\n').count() + 1;
            if json {
                println!("{}", as_json(&path, line, &plan, &checked, &text));
                continue;
            }
            if let Some(e) = &checked.environment {
                let e: String = e.split(['(', ':']).next().unwrap_or(e).trim().to_string();
                *environment.entry(e).or_default() += 1;
            }
            if !only_mismatches {
                println!(
                    "{path}:{line}: {} {:?} in {} ms{}",
                    plan.lang.name(),
                    checked.outcome.end,
                    checked.outcome.elapsed.as_millis(),
                    checked
                        .environment
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                );
            }
            for (s, v) in plan.stated.iter().zip(&checked.verdicts) {
                tallies.entry(s.how).or_default().add(v);
                langs.entry(plan.lang.name()).or_default().add(v);
                let l = text[..s.range.start].matches('\n').count() + 1;
                match v {
                    Verdict::Mismatch(p) => {
                        if only_mismatches {
                            println!("== {path}:{l} [{}]", s.how.name());
                            println!("{}", &text[plan.range.clone()]);
                        }
                        println!(
                            "  {l} [{}] {:?}: MISMATCH printed {p:?}",
                            s.how.name(),
                            s.text
                        );
                    }
                    other if !only_mismatches => {
                        println!("  {l} [{}] {:?}: {other:?}", s.how.name(), s.text)
                    }
                    _ => {}
                }
            }
            if !only_mismatches {
                for f in &checked.findings {
                    let l = text[..f.range.start].matches('\n').count() + 1;
                    println!("  -> {l} {} {}", f.code, f.message);
                }
            }
        }
    }
    if json {
        return;
    }
    println!("\nsamples run: {samples}");
    println!(
        "| stated as | found | run | matched | mismatched | unstable | raised | no output | remarks | not run |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut total = Tally::default();
    let rows = tallies
        .iter()
        .map(|(h, t)| (h.name().to_string(), t))
        .chain(langs.iter().map(|(l, t)| (format!("all {l}"), t)));
    for (name, t) in rows {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.found,
            t.run,
            t.matched,
            t.mismatched,
            t.unstable,
            t.raised,
            t.no_output,
            t.remarks,
            t.not_run
        );
        if !name.starts_with("all ") {
            total.found += t.found;
            total.run += t.run;
            total.matched += t.matched;
            total.mismatched += t.mismatched;
            total.unstable += t.unstable;
            total.raised += t.raised;
            total.no_output += t.no_output;
            total.remarks += t.remarks;
            total.not_run += t.not_run;
        }
    }
    let t = &total;
    println!(
        "| all | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        t.found,
        t.run,
        t.matched,
        t.mismatched,
        t.unstable,
        t.raised,
        t.no_output,
        t.remarks,
        t.not_run
    );
    println!("samples not run as the note meant: {environment:?}");
}

/// One sample as a JSON line: where, what was run, what it printed, its stated outputs.
fn as_json(path: &str, line: usize, plan: &run::Plan, c: &run::Checked, text: &str) -> String {
    let line_of = |at: usize| {
        text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let (mode, source, examples) = match &plan.program {
        Program::Script { source, .. } => ("script", source.clone(), Vec::new()),
        Program::Session(ex) => ("session", String::new(), ex.clone()),
    };
    let stated: Vec<_> = plan
        .stated
        .iter()
        .zip(&c.verdicts)
        .map(|(s, v)| {
            let (verdict, detail) = match v {
                Verdict::Mismatch(p) | Verdict::Raised(p) => (format!("{v:?}"), p.clone()),
                _ => (format!("{v:?}"), String::new()),
            };
            let verdict = verdict.split('(').next().unwrap_or_default().to_string();
            serde_json::json!({
                "line": line_of(s.range.start),
                "how": s.how.name(),
                "of": format!("{:?}", s.of),
                "text": s.text,
                "verdict": verdict,
                "detail": detail,
            })
        })
        .collect();
    serde_json::json!({
        "path": path,
        "line": line,
        "end_line": line_of(plan.range.end.saturating_sub(1)),
        "lang": plan.lang.name(),
        "mode": mode,
        "source": source,
        "examples": examples,
        "end": format!("{:?}", c.outcome.end),
        "printed": c.outcome.printed(),
        "environment": c.environment,
        "stated": stated,
    })
    .to_string()
}
