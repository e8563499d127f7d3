//! Runs the samples of notes that state outputs and prints what each stated output got:
//! `cargo run --example runnote -- NOTE.md...` (figures for docs/run.md come from
//! `scripts/run-corpus.sh`).

use std::sync::atomic::AtomicBool;

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::run::{self, Settings, Verdict};

fn main() {
    let settings = Settings::default();
    let cancel = AtomicBool::new(false);
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("{path}: not read");
            continue;
        };
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        for plan in run::plans(&note, &a) {
            let checked = run::run_and_check(&plan, &text, &settings, &cancel);
            let line = text[..plan.range.start].matches('\n').count() + 1;
            println!(
                "{path}:{line}: {} {:?} in {:?}{}",
                plan.lang.name(),
                checked.outcome.end,
                checked.outcome.elapsed,
                checked
                    .environment
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
            for (s, v) in plan.stated.iter().zip(&checked.verdicts) {
                let l = text[..s.range.start].matches('\n').count() + 1;
                let v = match v {
                    Verdict::Mismatch(p) => format!("MISMATCH printed {p:?}"),
                    other => format!("{other:?}"),
                };
                println!("  {l} [{}] {:?}: {v}", s.how.name(), s.text);
            }
            for f in &checked.findings {
                let l = text[..f.range.start].matches('\n').count() + 1;
                println!(
                    "  -> {l} {} {} fix={:?}",
                    f.code,
                    f.message,
                    f.fix.as_ref().map(|x| &x.1)
                );
            }
        }
    }
}
