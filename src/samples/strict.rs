//! Checkers strict or lenient: a note's samples are checked leniently (a shell command under a
//! `js` tag, a program's output under a `cpp` one are passed over), while telling the language
//! of an untagged sample ([`super::guess`]) needs each checker's strict answer.

use std::cell::Cell;
use std::thread::LocalKey;

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the checkers strict: a sample a checker would pass over as not code of its
/// tag (output, a shell command in a `js` fence) is a failure to parse, not a pass.
pub fn strictly<T>(f: impl FnOnce() -> T) -> T {
    while_set(&STRICT, f)
}

/// Runs `f` with this thread's `flag` set, then puts it back (also when `f` panics).
pub(crate) fn while_set<T>(flag: &'static LocalKey<Cell<bool>>, f: impl FnOnce() -> T) -> T {
    struct Restore(&'static LocalKey<Cell<bool>>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            self.0.with(|s| s.set(self.1));
        }
    }
    let _restore = Restore(flag, flag.with(|s| s.replace(true)));
    f()
}

/// Whether the checkers run strict on this thread (see [`strictly`]).
pub(crate) fn strict() -> bool {
    STRICT.with(Cell::get)
}
