//! What opening a note costs, phase by phase, with the wall and CPU time of each (CPU above
//! wall: both cores at work). First the server's path with the sample checks' verdict cache
//! cold, as a freshly started server opens its first note; then, the cache warm, the parse
//! (`Note::new`), the analysis and the diagnostics message apart.
//! `cargo run --release --example open_phases -- NOTE.md [RUNS]`.

use std::time::{Duration, Instant};

use notes_lsp::analysis::Analysis;
use notes_lsp::config::Config;
use notes_lsp::note::{Encoding, Note};
use notes_lsp::server::{State, diagnostics_now, to_proto};
use tower_lsp_server::ls_types::Uri;

/// The process's user + system CPU time so far.
fn cpu() -> Duration {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given.
    let u = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr());
        u.assume_init()
    };
    let t = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    t(u.ru_utime) + t(u.ru_stime)
}

/// Runs `f`, returning its result, wall and CPU time.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let (w, c) = (Instant::now(), cpu());
    let out = f();
    (out, w.elapsed(), cpu() - c)
}

fn line(name: &str, runs: &mut [(Duration, Duration)]) {
    runs.sort();
    let (w, c) = runs[runs.len() / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<40} n={:<3} wall p50 {:>8.3} ms   cpu {:>8.3} ms",
        runs.len(),
        ms(w),
        ms(c)
    );
}

fn main() {
    // SAFETY: first thing in the process, as the server does.
    unsafe { notes_lsp::note::use_mimalloc_in_tree_sitter() };
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: open_phases NOTE.md [RUNS]");
    let runs: usize = args
        .next()
        .map_or(10, |n| n.parse().expect("RUNS: a number"));
    let text = std::fs::read_to_string(&path).expect("a readable UTF-8 note");
    println!("{path}: {} bytes", text.len());

    let state = State::default();
    let uri: Uri = "file:///bench/note.md".parse().expect("a valid uri");
    let (_, w, c) = timed(|| {
        state.open(&uri, text.as_str(), 1);
        diagnostics_now(&state, &uri)
    });
    line("open → diagnostics, checks cold", &mut [(w, c)]);

    let (mut parse, mut analysis, mut message, mut server) = (vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        let (note, w, c) = timed(|| Note::new(&text));
        parse.push((w, c));
        let (a, w, c) = timed(|| Analysis::of(&note));
        analysis.push((w, c));
        let (_, w, c) =
            timed(|| to_proto::diagnostics(&note, &a, &Config::default(), Encoding::Utf16));
        message.push((w, c));
        drop((note, a));
        let uri: Uri = format!("file:///bench/note{i}.md")
            .parse()
            .expect("a valid uri");
        let (_, w, c) = timed(|| {
            state.open(&uri, text.as_str(), 1);
            diagnostics_now(&state, &uri)
        });
        state.close(&uri);
        server.push((w, c));
    }
    line("Note::new (the parse)", &mut parse);
    line("Analysis::of (checks warm)", &mut analysis);
    line("to_proto::diagnostics", &mut message);
    line("open → diagnostics, checks warm", &mut server);
}
