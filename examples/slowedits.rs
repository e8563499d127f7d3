//! Finds where typing is slow in a note: types one character at 2,000 random offsets (each
//! undone right after), times the edit (the reparse or the shortcut of `note/shift.rs`) and
//! prints the slowest with the line they fell on, then p50 and p99.
//!
//! `cargo run --release --example slowedits -- NOTE.md`
use notes_lsp::note::Note;

fn main() {
    let path = std::env::args().nth(1).expect("usage: slowedits NOTE.md");
    let text = std::fs::read_to_string(path).expect("a readable UTF-8 note");
    if text.is_empty() {
        return;
    }
    let mut note = Note::new(&text);
    // A fixed xorshift: runs before and after a change type at the same offsets.
    let mut rng = 88172645463325252u64;
    let mut times = Vec::new();
    for _ in 0..2000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let at = text.floor_char_boundary((rng % text.len() as u64) as usize);
        let t = std::time::Instant::now();
        note.edit(at..at, "x");
        times.push((t.elapsed(), at));
        note.edit(at..at + 1, "");
    }
    times.sort();
    for (took, at) in times.iter().rev().take(20) {
        let line = text[..*at].rfind('\n').map_or(0, |i| i + 1);
        let shown: String = text[line..]
            .chars()
            .take_while(|&c| c != '\n')
            .take(60)
            .collect();
        println!("{took:>12.3?} at {at} (column {}): {shown:?}", at - line);
    }
    let pct = |p: usize| times[(times.len() - 1) * p / 100].0;
    println!("p50 {:.3?}  p99 {:.3?}", pct(50), pct(99));
}
