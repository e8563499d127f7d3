//! Lists the fixes offered for every sample and diagnostic of a note (`actions::at` at each
//! sample's start), with whether fix-all would apply them: a tool for checking the quick
//! fixes on real notes.
use notes_lsp::actions::{Ctx, at};
use notes_lsp::analysis::Analysis;
use notes_lsp::config::SlugStyle;
use notes_lsp::note::{Encoding, Note};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--count") {
        return count(&args[1..]);
    }
    let path = args
        .first()
        .expect("usage: fixes FILE.md | fixes --count FILE.md...");
    let text = std::fs::read_to_string(path).expect("readable UTF-8 file");
    let note = Note::new(&text);
    let a = Analysis::of(&note);
    let cx = Ctx::new(&note, &a, SlugStyle::Github);
    let mut places: Vec<usize> = cx.samples().iter().map(|s| s.sample.range.start).collect();
    places.extend(a.diagnostics.iter().map(|d| d.range.start));
    places.sort();
    places.dedup();
    for p in places {
        let line = note.to_line_col(p, Encoding::Utf8).line + 1;
        let diags: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.range.start == p)
            .map(|d| d.code)
            .collect();
        for f in at(&cx, p..p)
            .into_iter()
            .filter(|f| f.hull().start >= p.saturating_sub(200))
        {
            println!(
                "{line}: {:?} {} [{}] {}",
                diags,
                f.id,
                if f.safe { "safe" } else { "offered" },
                f.title
            );
        }
        if diags.iter().any(|c| c.contains("syntax")) {
            let d = a.diagnostics.iter().find(|d| d.range.start == p).unwrap();
            println!("{line}: {} {}", d.code, d.message);
        }
    }
}

/// Counts the fixes offered anywhere in the notes (links aside), safe or not, by rule.
fn count(paths: &[String]) {
    let mut counts: std::collections::BTreeMap<(&str, bool), usize> = Default::default();
    for p in paths {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        let cx = Ctx::new(&note, &a, SlugStyle::Github);
        for f in notes_lsp::actions::everywhere(&cx) {
            *counts.entry((f.id, f.safe)).or_default() += 1;
        }
    }
    for ((id, safe), n) in counts {
        println!("{id} {} {n}", if safe { "safe" } else { "offered" });
    }
}
