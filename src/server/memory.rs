//! Giving freed memory back to the system. Neither allocator does it on its own soon enough:
//! glibc's malloc (Rust's allocations in a glibc build) keeps freed pages inside its arenas,
//! and mimalloc (tree-sitter's, and Rust's too in the static musl build) keeps freed pages of
//! a thread that has gone idle. After a note is closed or the workspace indexed, both are
//! asked to return what is free, once for a burst.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long after the first release of a burst (fifty notes closed at once) the memory is
/// given back: once, after the burst.
const SETTLE: Duration = Duration::from_millis(150);

static SCHEDULED: AtomicBool = AtomicBool::new(false);

/// mimalloc's `mi_option_purge_delay` (its number in mimalloc 3's `mi_option_e`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Limits the threads that may hold freed memory and makes mimalloc return pages as they
/// empty: called first thing, before any other thread exists, by the server and by `check`.
/// (mimalloc is kept off transparent huge pages when built: `libmimalloc-sys`'s `no_thp`
/// feature, see Cargo.toml.)
pub fn configure() {
    // glibc's malloc at four arenas: with one per thread, memory freed on another thread
    // stays scattered over many; with two, the indexer's threads queue on one arena's lock.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_ARENA_MAX: i32 = -8;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: glibc's mallopt, called before any other thread exists.
        unsafe {
            libc::mallopt(M_ARENA_MAX, 4);
            // Blocks of 256 KiB and more (a note's text, a big message) get pages of their
            // own, returned when freed. glibc otherwise raises this threshold to the size of
            // the biggest block freed, so that such blocks came from the arenas and left
            // holes among what stays (50 notes of 474 KB open: 10.0-10.3x their text per
            // note instead of 11.6-12.1x; keystrokes as fast).
            libc::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
        }
    }
    // Pages are purged when they empty rather than 10 ms later by whoever allocates next: a
    // thread that parsed a note and went idle kept them (17 MiB after closing 20 big notes,
    // 6 MiB with this).
    // SAFETY: sets options; mimalloc reads options atomically.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

/// Returns free memory to the system, [`SETTLE`] from now on a thread of its own (a trim
/// walks the heap: milliseconds, never on the editor's path).
pub fn give_back_soon() {
    if SCHEDULED.swap(true, Ordering::SeqCst) {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("notes-lsp-trim".into())
        .spawn(|| {
            std::thread::sleep(SETTLE);
            // Cleared first: a release during the trim asks for another one.
            SCHEDULED.store(false, Ordering::SeqCst);
            give_back();
        });
    if spawned.is_err() {
        SCHEDULED.store(false, Ordering::SeqCst);
    }
}

/// Returns free memory to the system now.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: glibc's malloc_trim only releases free pages and mallinfo2 reads counters;
    // both are thread-safe.
    unsafe {
        libc::malloc_trim(0);
        let m = libc::mallinfo2();
        let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
        tracing::debug!(
            "memory given back: malloc holds {:.1} MiB in use, {:.1} MiB free, {:.1} MiB mapped",
            mib(m.uordblks),
            mib(m.fordblks),
            mib(m.hblkhd)
        );
    }
    // SAFETY: collects this thread's mimalloc heap and purges the free pages of every
    // thread's arenas; safe to call at any time.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
