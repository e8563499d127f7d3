//! Benchmarks of the analysis as the server runs it (no protocol): cold open of a note,
//! keystroke to diagnostics (one-character edit, then the note's analysis), and the outline,
//! folding and hover conversions on the result.
//!
//! "keystroke → diagnostics framed (server path)" goes through `server::State` exactly as a
//! `didChange` does (queue, apply, analysis, workspace checks, the message the server
//! writes, put together from the pieces of the previous one that still hold); the phases
//! after it break down the same work done from scratch, without those pieces.
//!
//! "typing in LANGUAGE" types a word at the end of a line inside samples of each language
//! (and in prose), spread over the note, each keystroke through the server's path, with the
//! process's CPU time per keystroke beside (on a loaded host the wall times' tail is other
//! processes' time slices).
//!
//! `cargo bench --bench keystroke [-- NOTE.md ...]`. Without arguments it measures a
//! generated 1 MiB note (from `../shared/bench/gen_md.py` when present, else a built-in
//! generator), the 1 MiB note mixing every sample language (`scripts/gen-mixed.py`) and
//! `fixtures/clean-notes.md` plus `../shared/seeds/advanced-python.md` when present. Figures
//! are printed as p50/p99 over repeated runs; compare ratios within a run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notes_lsp::analysis::{Analysis, Incremental};
use notes_lsp::config::{Config, OutlineSamples};
use notes_lsp::note::{Encoding, Note, position};
use notes_lsp::samples::registry;
use notes_lsp::server::output::Frame;
use notes_lsp::server::{Change, State, diagnostics_now, to_proto};
use notes_lsp::workspace::{Facts, View, Workspace};
use ropey::Rope;
use tower_lsp_server::jsonrpc::Id;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<44} n={:<5} p50 {:>9.3} ms   p99 {:>9.3} ms   max {:>9.3} ms",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("at least one run")),
    );
}

fn time<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

/// The CPU time the process has used (its threads together): what a keystroke costs whatever else the host runs
/// (at a high load, wall times include other processes' time slices).
fn cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// A deterministic xorshift, so every run edits the same places.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn generated_note() -> (String, String) {
    let script = Path::new("../shared/bench/gen_md.py");
    let out = std::env::temp_dir().join("notes-lsp-bench-1mib.md");
    if script.exists() {
        let ok = std::process::Command::new("python3")
            .arg(script)
            .arg(&out)
            .arg("1048576")
            .arg("1")
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok && let Ok(text) = std::fs::read_to_string(&out) {
            return ("gen_md.py 1 MiB".into(), text);
        }
    }
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 1 << 20 {
        text.push_str(&format!(
            "## Topic {i}\n\n### {i}. What does sample {i} do?\n\nIt adds numbers; 中文 😀 text.\n\n\
             ```python\ndef f_{i}(a, b=2):\n    total = a + b\n    for k in range(3):\n        total += k\n    return total\n```\n\n\
             - a list item\n- another one with `code`\n\n"
        ));
        i += 1;
    }
    ("built-in 1 MiB".into(), text)
}

/// The mixed-language 1 MiB note of `scripts/gen-mixed.py` (seed 1), if python3 runs it.
fn mixed_note() -> Option<String> {
    let out = std::env::temp_dir().join("notes-lsp-bench-mixed-1mib.md");
    let ok = std::process::Command::new("python3")
        .arg("scripts/gen-mixed.py")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| std::fs::read_to_string(&out).ok()).flatten()
}

/// Lines (0-based) with text inside the fenced samples of each checked language, by the
/// language's name, and `prose` for paragraph lines outside fences.
fn typing_sites(text: &str) -> Vec<(&'static str, Vec<u32>)> {
    let mut sites: Vec<(&'static str, Vec<u32>)> = Vec::new();
    let mut add = |name: &'static str, line: u32| match sites.iter_mut().find(|(n, _)| *n == name) {
        Some((_, v)) => v.push(line),
        None => sites.push((name, vec![line])),
    };
    let mut fence: Option<Option<&'static str>> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(tag) = line.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(registry::by_tag(&registry::normalize(tag.trim())).map(|l| l.name)),
            };
            continue;
        }
        match fence {
            Some(Some(name)) if !line.trim().is_empty() => add(name, i as u32),
            None if line.ends_with('.') && line.starts_with(|c: char| c.is_ascii_uppercase()) => {
                add("prose", i as u32)
            }
            _ => {}
        }
    }
    sites
}

/// Types `keys` characters at the end of a line in each of `samples` places per language,
/// through the server's path, and reports each language's keystrokes.
fn bench_typing(text: &str, keys: usize, samples: usize) {
    let state = State::default();
    let uri: Uri = "file:///bench/mixed.md".parse().expect("a valid uri");
    state.open(&uri, text, 1);
    diagnostics_now(&state, &uri);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut v = 1;
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for (name, at) in typing_sites(text) {
        let (mut times, mut cpu) = (Vec::new(), Vec::new());
        for k in 0..samples.min(at.len()) {
            let line = at[k * at.len() / samples.min(at.len())] as usize;
            for _ in 0..keys {
                let col = lines[line].encode_utf16().count() as u32;
                let ch = (b'a' + (rng.next() % 26) as u8) as char;
                lines[line].push(ch);
                let pos = Position::new(line as u32, col);
                let change = TextDocumentContentChangeEvent {
                    range: Some(Range::new(pos, pos)),
                    range_length: None,
                    text: ch.to_string(),
                };
                v += 1;
                let cpu_before = cpu_time();
                let (d, _) = time(|| {
                    state.enqueue(&uri, v, Change::Edits(vec![change]));
                    diagnostics_now(&state, &uri).expect("the note is open")
                });
                cpu.push(cpu_time().saturating_sub(cpu_before));
                times.push(d);
            }
        }
        report(&format!("typing in {name}"), times);
        report(&format!("  CPU, {name}"), cpu);
    }
}

/// A one-character insertion at a random place of `shadow` (applied to it), as a client
/// sends it. The shadow is a plain rope: a note would analyze its samples, and fill the
/// sample checks' cache for the server it shadows.
fn keystroke(shadow: &mut Rope, rng: &mut Rng) -> TextDocumentContentChangeEvent {
    let at = (rng.next() as usize) % shadow.len_bytes().max(1);
    let lc = position::to_line_col(shadow, at, Encoding::Utf16);
    let at = position::to_offset(shadow, lc, Encoding::Utf16);
    shadow.insert(shadow.byte_to_char(at), "x");
    let pos = Position::new(lc.line, lc.col);
    TextDocumentContentChangeEvent {
        range: Some(Range::new(pos, pos)),
        range_length: None,
        text: "x".into(),
    }
}

fn bench_note(label: &str, text: &str, edits: usize) {
    println!("\n{label}: {} bytes", text.len());
    let mut opens = Vec::new();
    for _ in 0..10 {
        let (d, _) = time(|| {
            let note = Note::new(text);
            let a = Analysis::of(&note);
            to_proto::diagnostics(&note, &a, &Config::default(), Encoding::Utf16)
        });
        opens.push(d);
    }
    report("cold open → diagnostics", opens);

    // The server's path: a didOpen, then didChanges, each followed by the diagnostics a
    // publish would send.
    let state = State::default();
    let uri: Uri = "file:///bench/note.md".parse().expect("a valid uri");
    let (d, _) = time(|| {
        state.open(&uri, text, 1);
        diagnostics_now(&state, &uri)
    });
    report("cold open → diagnostics (server path)", vec![d]);
    let mut shadow = Rope::from_str(text);
    let mut rng = Rng(0x2545F4914F6CDD1D);
    let mut keys = Vec::new();
    for v in 2..edits as i32 + 2 {
        let change = keystroke(&mut shadow, &mut rng);
        let (d, _) = time(|| {
            state.enqueue(&uri, v, Change::Edits(vec![change]));
            diagnostics_now(&state, &uri).expect("the note is open")
        });
        keys.push(d);
    }
    report("keystroke → diagnostics framed (server path)", keys);

    // The same with the caches cold: between keystrokes an editor does its own work (the
    // benchmark client parses a 370 KB outline answer after each edit), and the server's
    // data is evicted from every cache level by the next one. What a keystroke costs then
    // depends on how much of the note's memory it reads, not only on how much it computes.
    let mut evict = vec![0u8; 64 << 20];
    let mut cold = Vec::new();
    for v in edits as i32 + 2..2 * edits as i32 + 2 {
        let change = keystroke(&mut shadow, &mut rng);
        for i in (0..evict.len()).step_by(64) {
            evict[i] = evict[i].wrapping_add(1);
        }
        std::hint::black_box(&evict);
        let (d, _) = time(|| {
            state.enqueue(&uri, v, Change::Edits(vec![change]));
            diagnostics_now(&state, &uri).expect("the note is open")
        });
        cold.push(d);
    }
    report(
        "keystroke → diagnostics framed (server path, caches cold)",
        cold,
    );

    // The same keystrokes, phase by phase.
    let ws = Workspace::default();
    let config = Config::default();
    let mut note = Note::new(text);
    let mut rng = Rng(0x2545F4914F6CDD1D);
    let mut phases: [Vec<Duration>; 6] = Default::default();
    let mut inc = Incremental::new(&note);
    for _ in 0..edits {
        let at = (rng.next() as usize) % note.len().max(1);
        let at = note.to_offset(note.to_line_col(at, Encoding::Utf16), Encoding::Utf16);
        phases[0].push(time(|| note.edit(at..at, "x")).0);
        phases[2].push(time(|| inc.update(&note)).0);
        // Stitched from scratch out of the chunks' analyses, which the update kept.
        let chunks: Vec<_> = inc.chunk_analyses().collect();
        let (d, a) = time(|| Analysis::from_chunks(&note, &chunks));
        phases[1].push(d);
        let (d, facts) = time(|| Facts::of(uri.as_str(), &note, &a, config.slugs));
        phases[3].push(d);
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let (d, found) = time(|| {
            let mut found = view.broken_links(&facts);
            found.extend(view.duplicate_questions(&facts));
            found
        });
        phases[4].push(d);
        let (d, _) = time(|| {
            let mut diags = to_proto::diagnostics(&note, &a, &config, Encoding::Utf16);
            diags.extend(to_proto::workspace_diagnostics(
                &note,
                &found,
                &config,
                Encoding::Utf16,
            ));
            diags
        });
        phases[5].push(d);
    }
    let names = [
        "  edit (reparse the touched chunk)",
        "  Analysis::from_chunks (stitch)",
        "  Analysis::update",
        "  Facts::of",
        "  broken links + duplicate questions",
        "  to LSP diagnostics",
    ];
    for (name, times) in names.into_iter().zip(phases) {
        report(name, times);
    }

    let a = Analysis::of(&note);
    let (mut sym, mut sym_json, mut sym_direct) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fold, mut fold_json) = (Vec::new(), Vec::new());
    let mut hov = Vec::new();
    for _ in 0..50 {
        let (d, syms) =
            time(|| to_proto::document_symbols(&note, &a, Encoding::Utf16, OutlineSamples::All));
        sym.push(d);
        sym_json.push(d + time(|| Frame::result(&Id::Number(1), &syms)).0);
        let direct = to_proto::SymbolsJson::new(&note, &a, Encoding::Utf16, OutlineSamples::All);
        sym_direct.push(
            time(|| Frame::raw_result(&Id::Number(1), direct.size_hint(), |b| direct.write(b))).0,
        );
        let (d, folds) = time(|| to_proto::folding_ranges(&note, &a));
        fold.push(d);
        fold_json.push(d + time(|| Frame::result(&Id::Number(1), &folds)).0);
        let at = a
            .headings
            .get(a.headings.len() / 2)
            .map_or(0, |h| h.title_range.start);
        hov.push(time(|| to_proto::hover(&note, &a, at, Encoding::Utf16)).0);
    }
    report("documentSymbol (from analysis)", sym);
    report("documentSymbol framed", sym_json);
    report(
        "documentSymbol framed, written directly (server)",
        sym_direct,
    );
    report("foldingRange (from analysis)", fold);
    report("foldingRange framed", fold_json);
    report("hover on a heading (from analysis)", hov);
}

fn main() {
    // SAFETY: first thing in the process, as the server does.
    unsafe { notes_lsp::note::use_mimalloc_in_tree_sitter() };
    let args: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    println!(
        "notes-lsp analysis benchmark ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if args.is_empty() {
        let (label, text) = generated_note();
        bench_note(&label, &text, 300);
        if let Some(text) = mixed_note() {
            bench_note("gen-mixed.py 1 MiB, every sample language", &text, 300);
            bench_typing(&text, 10, 4);
        }
        for p in [
            "../shared/seeds/advanced-python.md",
            "fixtures/clean-notes.md",
        ] {
            if let Ok(text) = std::fs::read_to_string(p) {
                bench_note(p, &text, 300);
            }
        }
    } else {
        // `--typing=N`: only the typing, in N samples of each language (for profiling).
        let typing: Option<usize> =
            std::env::args().find_map(|a| a.strip_prefix("--typing=").and_then(|n| n.parse().ok()));
        for p in args {
            let text = std::fs::read_to_string(&p).expect("readable UTF-8 note");
            if typing.is_none() {
                bench_note(&p.display().to_string(), &text, 300);
            }
            bench_typing(&text, 10, typing.unwrap_or(4));
        }
    }
}
