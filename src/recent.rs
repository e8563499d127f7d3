//! Equal values made over and over shared as one `Arc`: a note's "back to top" link in every
//! section, the same fence tag on every sample. Each thread keeps the last few it made, by
//! the text they were made from; a value is made anew only when none of those matches.

use std::cell::RefCell;
use std::sync::Arc;
use std::thread::LocalKey;

/// Values kept per thread and kind: a few, so a lookup is a short scan.
const KEPT: usize = 16;

/// Keys longer than this are not kept: what is made from them is rarely repeated.
const MAX_KEY: usize = 128;

/// The last values a thread made, by key, replaced in turn.
pub struct Recent<T: ?Sized> {
    entries: Vec<(Box<str>, Arc<T>)>,
    next: usize,
}

impl<T: ?Sized> Recent<T> {
    pub const fn new() -> Recent<T> {
        Recent {
            entries: Vec::new(),
            next: 0,
        }
    }

    /// The value `make` makes of `key`: the one kept for an equal key if there is one.
    /// `make` must give equal values for equal keys.
    pub fn get(&mut self, key: &str, make: impl FnOnce(&str) -> Arc<T>) -> Arc<T> {
        if let Some((_, v)) = self.entries.iter().find(|(k, _)| **k == *key) {
            return v.clone();
        }
        let v = make(key);
        if key.len() <= MAX_KEY {
            let entry = (Box::from(key), v.clone());
            if self.entries.len() < KEPT {
                self.entries.push(entry);
            } else {
                self.entries[self.next] = entry;
                self.next = (self.next + 1) % KEPT;
            }
        }
        v
    }
}

impl<T: ?Sized> Default for Recent<T> {
    fn default() -> Recent<T> {
        Recent::new()
    }
}

/// [`Recent::get`] of this thread's `kept`.
pub fn shared<T: ?Sized + 'static>(
    kept: &'static LocalKey<RefCell<Recent<T>>>,
    key: &str,
    make: impl FnOnce(&str) -> Arc<T>,
) -> Arc<T> {
    kept.with(|r| r.borrow_mut().get(key, make))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_share_a_value_while_it_is_among_the_last_kept() {
        let mut r: Recent<str> = Recent::new();
        let made = std::cell::Cell::new(0);
        let get = |r: &mut Recent<str>, key: &str| {
            r.get(key, |k| {
                made.set(made.get() + 1);
                Arc::from(k.to_uppercase())
            })
        };
        let a = get(&mut r, "js");
        let b = get(&mut r, "js");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "JS");
        assert_eq!(made.get(), 1);
        // KEPT others push it out; then it is made anew, equal.
        for k in 0..KEPT {
            get(&mut r, &format!("k{k}"));
        }
        let c = get(&mut r, "js");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(a, c);
        assert_eq!(made.get(), KEPT + 2);
        // A long key is made each time, never kept.
        let long = "x".repeat(MAX_KEY + 1);
        let (d, e) = (get(&mut r, &long), get(&mut r, &long));
        assert!(!Arc::ptr_eq(&d, &e) && d == e);
        assert_eq!(r.entries.len(), KEPT);
    }
}
