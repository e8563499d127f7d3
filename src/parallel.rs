//! Work on a big note spread over the machine's cores: pieces handed out one at a time, the
//! results kept in order.

/// The machines this runs on have two cores; more threads would only contend.
pub const THREADS: usize = 2;

/// Below this many bytes a note is worked on by one thread.
pub(crate) const PARALLEL_ABOVE: usize = 64 * 1024;

/// The threads to work on `len` bytes with, of `wanted`: a second thread costs more than it
/// saves on a small note.
pub fn threads_for(len: usize, wanted: usize) -> usize {
    if len < PARALLEL_ABOVE { 1 } else { wanted }
}

/// `f(0)`, ..., `f(n - 1)` in order, computed on up to `threads` threads, each taking the
/// next index when done with one: split up front, one thread could get the pieces that cost
/// more per byte and leave the other idle. `go_on` is asked before each piece; `None` once it
/// said stop.
pub fn map_in_order<T: Send>(
    n: usize,
    threads: usize,
    go_on: &(dyn Fn() -> bool + Sync),
    f: impl Fn(usize) -> T + Sync,
) -> Option<Vec<T>> {
    if threads < 2 || n < 2 {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            if !go_on() {
                return None;
            }
            out.push(f(i));
        }
        return Some(out);
    }
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n || stopped.load(Ordering::Relaxed) {
                return done;
            }
            if !go_on() {
                stopped.store(true, Ordering::Relaxed);
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut all = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads.min(n)).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            all.extend(h.join().expect("a piece's work does not panic"));
        }
        all
    });
    if stopped.load(Ordering::Relaxed) {
        return None;
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    debug_assert_eq!(all.len(), n);
    Some(all.into_iter().map(|(_, x)| x).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_threads() {
        for threads in [1, 2, 3] {
            let out = map_in_order(100, threads, &|| true, |i| i * i).unwrap();
            assert_eq!(out, (0..100).map(|i| i * i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn told_to_stop_gives_nothing() {
        for threads in [1, 2] {
            let asked = std::sync::atomic::AtomicUsize::new(0);
            let go_on = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 5;
            assert!(map_in_order(100, threads, &go_on, |i| i).is_none());
        }
    }
}
