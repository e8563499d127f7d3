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
use notes_lsp::workspace::NoteSummary;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, counting bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n as isize - l.size() as isize, Ordering::Relaxed);
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
    let (mut title, mut slug, mut term_text, mut link_text) = (0, 0, 0, 0);
    for s in &kept {
        headings += s.headings.len();
        links += s.links.len();
        terms += s.terms.len();
        urls += s.urls.len();
        anchors += s.anchors.len();
        title += s.headings.iter().map(|h| h.title.len()).sum::<usize>();
        slug += s.headings.iter().map(|h| h.slug.len()).sum::<usize>();
        term_text += s
            .terms
            .iter()
            .map(|t| t.key.capacity() + t.name.capacity() + t.definition.len())
            .sum::<usize>();
        link_text += s.links.iter().map(|l| l.dest.capacity()).sum::<usize>();
    }
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    println!(
        "summaries: {:.1} MiB of heap ({:.2}x the text)",
        mib(heap as usize),
        heap as f64 / bytes as f64
    );
    println!(
        "  {headings} headings: {:.1} MiB of entries ({} bytes each), titles {:.1} MiB, slugs {:.1} MiB",
        mib(headings * std::mem::size_of::<notes_lsp::workspace::HeadingEntry>()),
        std::mem::size_of::<notes_lsp::workspace::HeadingEntry>(),
        mib(title),
        mib(slug)
    );
    println!(
        "  {terms} terms: {:.1} MiB of entries, their text {:.1} MiB",
        mib(terms * std::mem::size_of::<notes_lsp::workspace::TermEntry>()),
        mib(term_text)
    );
    println!(
        "  {links} links: {:.1} MiB of entries, destinations {:.1} MiB; {urls} urls, {anchors} anchors",
        mib(links * std::mem::size_of::<notes_lsp::workspace::LinkEntry>()),
        mib(link_text)
    );
    println!(
        "  {n} notes: {:.1} MiB of NoteSummary",
        mib(n * std::mem::size_of::<NoteSummary>())
    );
}
