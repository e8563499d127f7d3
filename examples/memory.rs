//! What an open note holds, part by part: heap bytes live after each step of an open as the
//! server does it (text in, analysis, workspace summary, diagnostics message), and after
//! closing it. The copies opened are indexed first, as in a workspace. `cargo run --release --example memory -- NOTE.md [COPIES]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use notes_lsp::analysis::{Analysis, ChunkAnalysis, Incremental};
use notes_lsp::note::Note;
use notes_lsp::server::{State, diagnostics_now};
use notes_lsp::workspace::NoteSummary;
use tower_lsp_server::ls_types::Uri;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, counting bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        BLOCKS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        BLOCKS.fetch_sub(1, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Heap blocks live: malloc adds 8 to 16 bytes to each, beyond what was asked for.
fn blocks() -> isize {
    BLOCKS.load(Ordering::Relaxed)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: memory NOTE.md [COPIES]");
    let copies: usize = std::env::args()
        .nth(2)
        .map_or(1, |c| c.parse().expect("a number"));
    let text = std::fs::read_to_string(&path).expect("a UTF-8 note");
    let size = text.len() as f64;
    let show = |what: &str, bytes: isize| {
        println!(
            "{what:<40} {:>8.1} KiB  {:>5.2}x the text",
            bytes as f64 / 1024.0,
            bytes as f64 / size
        );
    };
    let base = live();
    let base_blocks = blocks();
    let note = Note::new(&text);
    show("Note (chunks and their blocks)", live() - base);
    println!("  {} heap blocks", blocks() - base_blocks);
    let texts: usize = note.chunks().map(|(_, c)| c.text().len()).sum();
    show("  its chunks' text", texts as isize);
    let before = live();
    let lines: Vec<_> = note
        .chunks()
        .map(|(_, c)| notes_lsp::note::position::Lines::of(c.text()))
        .collect();
    // Without the list holding them, which the chunks do not have.
    let list = lines.capacity() * std::mem::size_of::<notes_lsp::note::position::Lines>();
    show(
        "  its chunks' line tables (made again)",
        live() - before - list as isize,
    );
    drop(lines);
    let held: usize = note.chunks().map(|(_, c)| c.heap_bytes()).sum();
    show("  its chunks' line tables and blocks", held as isize);
    show(
        "  its chunks' own structures",
        (note.chunk_count() * std::mem::size_of::<notes_lsp::note::Chunk>()) as isize,
    );
    let before = live();
    let blocks_: Vec<_> = note.chunks().map(|(_, c)| c.blocks()).collect();
    show(
        "  its chunks' blocks unpacked (not kept)",
        live() - before - (blocks_.capacity() * std::mem::size_of_val(&blocks_[0])) as isize,
    );
    let code_lines: usize = blocks_
        .iter()
        .flat_map(|b| &b.code)
        .map(|b| b.lines.len())
        .sum();
    drop(blocks_);
    println!("    {code_lines} code lines");
    println!("  {} chunks", note.chunk_count());
    let before = live();
    let a = Analysis::of(&note);
    show("Analysis::of (stitched)", live() - before);
    macro_rules! field {
        ($what:expr, $field:ident) => {{
            let before = live();
            let part = a.$field.clone();
            show($what, live() - before);
            println!("      {} items", part.len());
            drop(part);
        }};
    }
    field!("  headings", headings);
    field!("  samples", samples);
    field!("  diagnostics", diagnostics);
    field!("  folds (code blocks, lists)", block_folds);
    field!("  outline", outline);
    field!("  links", links);
    field!("  urls", urls);
    field!("  definitions", definitions);
    drop(a);
    let (before, before_blocks) = (live(), blocks());
    let inc = Incremental::new(&note);
    show("Incremental (stitched, per chunk, seams)", live() - before);
    println!("  {} heap blocks", blocks() - before_blocks);
    let before = live();
    let per_chunk: Vec<ChunkAnalysis> = inc
        .chunk_analyses()
        .map(|a| ChunkAnalysis::clone(&a))
        .collect();
    show("  its chunks' analyses (cloned)", live() - before);
    drop(per_chunk);
    let a = inc.analysis().clone();
    drop(inc);
    let before = live();
    let s = NoteSummary::build("file:///m/note.md", &note, &a, Default::default());
    show("NoteSummary (what the index keeps)", live() - before);
    drop((note, a));
    show("the summary alone", live() - base);
    drop(s);

    // The copies are on disk and indexed first, as the server finds them in a workspace
    // (each question is then asked in every other copy).
    let state = State::default();
    for i in 0..copies {
        let uri = format!("file:///m/copy-{i}.md");
        state
            .workspace
            .insert(NoteSummary::from_text(&uri, &text, Default::default()));
    }
    let (base, base_blocks) = (live(), blocks());
    for i in 0..copies {
        let uri: Uri = format!("file:///m/copy-{i}.md").parse().unwrap();
        state.open(&uri, text.clone(), 1);
        diagnostics_now(&state, &uri).expect("open");
    }
    show(
        "open in the server, per note",
        (live() - base) / copies as isize,
    );
    println!(
        "  {} heap blocks per note",
        (blocks() - base_blocks) / copies as isize
    );
    // A republish of one note (another note's questions changed): its message written out
    // again from what is kept, the duplicate-question JSON unpacked.
    let uri: Uri = "file:///m/copy-0.md".parse().unwrap();
    let mut times: Vec<f64> = (0..31)
        .map(|_| {
            state.get(&uri).unwrap().republish();
            let t = std::time::Instant::now();
            let (_, frame) = diagnostics_now(&state, &uri).expect("open");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(frame);
            ms
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "  a republish of one note: {:.3} ms p50, {:.3} ms min",
        times[times.len() / 2],
        times[0]
    );
    // What parts of it are, per note: each part is dropped in turn (the notes are closed
    // next anyway).
    let uris: Vec<Uri> = (0..copies)
        .map(|i| format!("file:///m/copy-{i}.md").parse().unwrap())
        .collect();
    let mut parts: Vec<(&str, usize)> = Vec::new();
    for uri in &uris {
        for (i, (what, bytes)) in state
            .get(uri)
            .unwrap()
            .lock_publication()
            .held()
            .into_iter()
            .enumerate()
        {
            match parts.get_mut(i) {
                Some(p) => p.1 += bytes,
                None => parts.push((what, bytes)),
            }
        }
    }
    let before = live();
    for uri in &uris {
        *state.get(uri).unwrap().lock_publication() = Default::default();
    }
    show(
        "  the last message's pieces",
        (before - live()) / copies as isize,
    );
    for (what, bytes) in parts {
        show(&format!("    {what}"), (bytes / copies) as isize);
    }
    let before = live();
    for uri in &uris {
        state.get(uri).unwrap().current(Default::default()).note = Note::new("");
    }
    show("  the note", (before - live()) / copies as isize);
    for i in 0..copies {
        let uri: Uri = format!("file:///m/copy-{i}.md").parse().unwrap();
        state.close(&uri);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    show(
        "left after closing, per note",
        (live() - base) / copies as isize,
    );
}
