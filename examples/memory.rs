//! What an open note holds, part by part: heap bytes live after each step of an open as the
//! server does it (text in, analysis, workspace summary, diagnostics message), and after
//! closing it. `cargo run --release --example memory -- NOTE.md [COPIES]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::server::{State, diagnostics_now};
use notes_lsp::workspace::NoteSummary;
use tower_lsp_server::ls_types::Uri;

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

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
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
    let note = Note::new(&text);
    show("Note (chunks and their blocks)", live() - base);
    let before = live();
    let rope = ropey::Rope::from_str(&text);
    show("  its rope", live() - before);
    drop(rope);
    let texts: usize = note.chunks().map(|(_, c)| c.text().len()).sum();
    show("  its chunks' text", texts as isize);
    let before = live();
    let blocks: Vec<_> = note.chunks().map(|(_, c)| c.blocks().clone()).collect();
    show("  its chunks' blocks (cloned)", live() - before);
    drop(blocks);
    println!("  {} chunks", note.chunk_count());
    let before = live();
    let a = Analysis::of(&note);
    show("Analysis::of", live() - before);
    let before = live();
    let s = NoteSummary::build("file:///m/note.md", &note, &a, Default::default());
    show("NoteSummary (what the index keeps)", live() - before);
    drop((note, a));
    show("the summary alone", live() - base);
    drop(s);

    let state = State::default();
    let base = live();
    for i in 0..copies {
        let uri: Uri = format!("file:///m/copy-{i}.md").parse().unwrap();
        state.open(&uri, text.clone(), 1);
        diagnostics_now(&state, &uri).expect("open");
    }
    show(
        "open in the server, per note",
        (live() - base) / copies as isize,
    );
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
