//! What indexing a folder of notes costs, phase by phase, on one thread as each indexing
//! thread does it: reading, the parse, the analysis, the summary; and the heap the summaries
//! keep (what the workspace holds once indexed) beside the text read.
//! `cargo run --release --example index_phases -- FOLDER [LIMIT]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use notes_lsp::analysis::Analysis;
use notes_lsp::config::SlugStyle;
use notes_lsp::note::Note;
use notes_lsp::workspace::{NoteSummary, View, Workspace};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// The most `LIVE` has been since it was last reset.
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn count(delta: isize) {
    let now = LIVE.fetch_add(delta, Ordering::Relaxed) + delta;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator, counting bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count(l.size() as isize);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        count(-(l.size() as isize));
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count(n as isize - l.size() as isize);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    let folder = std::env::args()
        .nth(1)
        .expect("usage: index_phases FOLDER [LIMIT]");
    let limit: usize = std::env::args()
        .nth(2)
        .map_or(usize::MAX, |n| n.parse().expect("a number"));
    let mut paths: Vec<_> = ignore::WalkBuilder::new(&folder)
        .build()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths.truncate(limit);
    let (mut read, mut parse, mut analyze, mut summarize) = Default::default();
    let time = |total: &mut Duration, started: Instant| *total += started.elapsed();
    let (mut bytes, mut chunks) = (0, 0);
    let mut kept = Vec::with_capacity(paths.len());
    let heap_before = LIVE.load(Ordering::Relaxed);
    for path in &paths {
        let t = Instant::now();
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        time(&mut read, t);
        bytes += text.len();
        let t = Instant::now();
        let note = Note::new_on_this_thread(&text, &|| true).expect("never stopped");
        time(&mut parse, t);
        chunks += note.chunk_count();
        let t = Instant::now();
        let a = Analysis::for_index(&note);
        time(&mut analyze, t);
        let t = Instant::now();
        let uri = format!("file://{}", path.display());
        let s = NoteSummary::build(&uri, &note, &a, SlugStyle::Github);
        time(&mut summarize, t);
        drop((a, note, text));
        kept.push(s);
    }
    let heap = LIVE.load(Ordering::Relaxed) - heap_before;
    let n = kept.len();
    println!("{n} notes, {bytes} bytes, {chunks} chunks");
    for (what, d) in [
        ("read", read),
        ("parse", parse),
        ("analysis", analyze),
        ("summary", summarize),
    ] {
        println!(
            "{what:<10} {:>8.3} s  {:>7.1} us a note",
            d.as_secs_f64(),
            d.as_secs_f64() * 1e6 / n.max(1) as f64
        );
    }
    let (mut headings, mut links, mut terms, mut urls, mut anchors) = (0, 0, 0, 0, 0);
    let (mut titles, mut term_text) = (0, 0);
    let mut parts: Vec<(&str, usize)> = Vec::new();
    for s in &kept {
        headings += s.heading_count();
        links += s.links().len();
        terms += s.terms().len();
        urls += s.urls().len();
        anchors += s.anchors().len();
        titles += s.headings().map(|h| h.title.len()).sum::<usize>();
        term_text += s.terms().map(|t| t.definition.len()).sum::<usize>();
        for (i, (what, bytes)) in s.heap_parts().into_iter().enumerate() {
            match parts.get_mut(i) {
                Some(p) => p.1 += bytes,
                None => parts.push((what, bytes)),
            }
        }
    }
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    println!(
        "summaries: {:.1} MiB of heap ({:.2}x the text)",
        mib(heap as usize),
        heap as f64 / bytes as f64
    );
    println!(
        "  {headings} headings, {links} links, {terms} terms, {urls} urls, {anchors} anchors; \
         titles {:.1} MiB, term definitions up to {:.1} MiB (a heading's terms share one)",
        mib(titles),
        mib(term_text)
    );
    for (what, b) in parts {
        println!("  {what:<16} {:>6.1} MiB", mib(b));
    }
    println!(
        "  {n} notes: {:.1} MiB of NoteSummary ({} bytes each)",
        mib(n * std::mem::size_of::<NoteSummary>()),
        std::mem::size_of::<NoteSummary>()
    );
    // What the workspace adds over them: its map of notes, then the question and term
    // index and the symbol table, each with the most the heap held while it was built.
    let ws = Workspace::default();
    let step = |what: &str, f: &dyn Fn()| {
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        f();
        let (after, peak) = (LIVE.load(Ordering::Relaxed), PEAK.load(Ordering::Relaxed));
        println!(
            "{what:<16} +{:.1} MiB kept, +{:.1} MiB at most while built",
            mib((after - before) as usize),
            mib((peak - before) as usize)
        );
    };
    let kept = std::cell::RefCell::new(kept);
    step("notes inserted", &|| {
        for s in kept.borrow_mut().drain(..) {
            ws.insert(s);
        }
    });
    let view = View {
        ws: &ws,
        open: Vec::new(),
    };
    step("question index", &|| drop(view.terms("closure")));
    step("symbol table", &|| ws.prepare_symbols());
}
