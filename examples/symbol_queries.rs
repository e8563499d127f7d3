//! `workspace/symbol` in process over a folder of notes: each query's wall and CPU time
//! (the best and the median of RUNS) and how many symbols it found; `--dump FILE` writes every
//! answer, to compare two builds byte for byte.
//! `cargo run --release --example symbol_queries -- FOLDER [--runs N] [--dump FILE] [QUERY ...]`.

use std::io::Write;
use std::time::Instant;

use notes_lsp::analysis::Analysis;
use notes_lsp::config::SlugStyle;
use notes_lsp::note::Note;
use notes_lsp::workspace::{NoteSummary, View, Workspace};

/// The bench's 20 queries (`scripts/bench-index.py`), then abbreviations, typos and
/// operators, which no title holds by its words' prefixes.
const QUERIES: &[&str] = &[
    "closure",
    "gil",
    "virtual dom",
    "kubernetes pod",
    "promise",
    "hoisting",
    "docker",
    "event loop",
    "decorator",
    "linked list",
    "sql join",
    "gradient",
    "css grid",
    "binary search",
    "react hooks",
    "terraform",
    "overfitting",
    "git rebase",
    "garbage collection",
    "ansible",
    "vdom",
    "wiaclo",
    "evtlp",
    "clsoure",
    "pyhton",
    "kubernets",
    "javscript promise",
    "^what",
    "'closure",
    "!what closure",
    "",
];

/// This thread's CPU time, in ms.
fn cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

fn main() {
    let mut args = std::env::args().skip(1);
    let folder = args
        .next()
        .expect("usage: symbol_queries FOLDER [--runs N] [--dump FILE] [QUERY ...]");
    let (mut runs, mut dump, mut queries) = (5usize, None, Vec::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("a number"),
            "--dump" => dump = Some(args.next().expect("a file")),
            _ => queries.push(a),
        }
    }
    if queries.is_empty() {
        queries = QUERIES.iter().map(|q| q.to_string()).collect();
    }
    let mut paths: Vec<_> = ignore::WalkBuilder::new(&folder)
        .build()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let t = Instant::now();
    let ws = Workspace::default();
    let summarize = |path: &std::path::PathBuf| -> Option<NoteSummary> {
        let text = std::fs::read_to_string(path).ok()?;
        let note = Note::new_on_this_thread(&text, &|| true)?;
        let a = Analysis::for_index(&note);
        let uri = format!("file://{}", path.display());
        Some(NoteSummary::build(&uri, &note, &a, SlugStyle::Github))
    };
    std::thread::scope(|s| {
        for half in paths.chunks(paths.len().div_ceil(2).max(1)) {
            let (ws, summarize) = (&ws, &summarize);
            s.spawn(move || {
                for p in half {
                    if let Some(n) = summarize(p) {
                        ws.insert(n);
                    }
                }
            });
        }
    });
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    let c = cpu_ms();
    let t2 = Instant::now();
    ws.prepare_symbols();
    eprintln!(
        "{} notes indexed in {:.1} s; symbol table {:.1} ms ({:.1} ms CPU)",
        paths.len(),
        t.elapsed().as_secs_f64(),
        t2.elapsed().as_secs_f64() * 1e3,
        cpu_ms() - c
    );
    let mut out = dump.map(|f| std::io::BufWriter::new(std::fs::File::create(f).expect("dump")));
    println!(
        "{:<22} {:>7} {:>10} {:>10} {:>10}",
        "query", "found", "best ms", "p50 ms", "p50 CPU"
    );
    for q in &queries {
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        let mut found = Vec::new();
        for _ in 0..runs.max(1) {
            let (t, c) = (Instant::now(), cpu_ms());
            found = view.symbols(q, 256);
            wall.push(t.elapsed().as_secs_f64() * 1e3);
            cpu.push(cpu_ms() - c);
        }
        wall.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        println!(
            "{:<22} {:>7} {:>10.2} {:>10.2} {:>10.2}",
            format!("{q:?}"),
            found.len(),
            wall[0],
            wall[wall.len() / 2],
            cpu[cpu.len() / 2]
        );
        if let Some(out) = out.as_mut() {
            writeln!(out, "# {q:?}").expect("dump");
            for (uri, s, container) in &found {
                writeln!(
                    out,
                    "{uri}\t{}\t{}\t{:?}\t{container}",
                    s.title, s.question, s.title_span
                )
                .expect("dump");
            }
        }
    }
}
