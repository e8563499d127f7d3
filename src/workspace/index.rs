//! The notes on disk indexed by question title and by term, for the checks that look at all
//! of them on every keystroke.

use std::collections::HashMap;
use std::sync::Arc;

use super::Span;
use super::summary::{NoteSummary, key_hash};
use crate::outline::normalize_question;

/// A question asked in note `U` (a URI): where its title is and its opening sample.
pub(super) type Asked<U> = (U, Span, Option<u64>);

/// Questions of one title, by opening sample: the indices of those with each.
pub(super) type BySample = Vec<(Option<u64>, Vec<usize>)>;

/// Entries of a note: the note, and the index of a heading or term in it.
type Places = Vec<(Arc<NoteSummary>, u32)>;

/// Indexes built over the notes on disk once, then brought up to date in place when one is
/// added, changed or removed (the workspace indexer adds hundreds, and a rebuild walks every
/// question of every note). Each list is in the order of its notes' URIs, and of their
/// headings within a note, however it was built.
///
/// Keyed by the hash of what is looked up, each entry pointing into its note's summary: no
/// string is copied (keys whose hashes collide share a list, and are told apart when read).
#[derive(Default)]
pub(super) struct DiskIndex {
    /// By normalized title ([`normalize_question`]): the questions' headings.
    questions: HashMap<u64, Places>,
    /// By term key ([`crate::terms::key`]): the terms.
    terms: HashMap<u64, Places>,
}

/// Inserts `item` at `at`, growing `list` by one while it is short (most titles and terms
/// are in one note or two: a vector's first growth would make room for four), then by
/// doubling.
fn insert_at<T>(list: &mut Vec<T>, at: usize, item: T) {
    if list.len() == list.capacity() {
        list.reserve_exact(if list.len() < 4 { 1 } else { list.len() });
    }
    list.insert(at, item);
}

/// Adds `(s, i)` to the list of `key`, in the order of the notes' URIs.
fn add_to(map: &mut HashMap<u64, Places>, key: u64, s: &Arc<NoteSummary>, i: usize) {
    let list = map.entry(key).or_default();
    let at = list.partition_point(|(n, _)| n.uri <= s.uri);
    insert_at(list, at, (s.clone(), i as u32));
}

/// Takes the entries of note `s` out of the list of `key` (and the list, once empty).
fn remove_from(map: &mut HashMap<u64, Places>, key: u64, s: &Arc<NoteSummary>) {
    if let Some(list) = map.get_mut(&key) {
        list.retain(|(n, _)| !Arc::ptr_eq(n, s));
        if list.is_empty() {
            map.remove(&key);
        }
    }
}

impl DiskIndex {
    pub(super) fn of(mut notes: Vec<Arc<NoteSummary>>) -> DiskIndex {
        notes.sort_unstable_by(|a, b| a.uri.cmp(&b.uri));
        let mut idx = DiskIndex::default();
        for s in &notes {
            idx.add(s);
        }
        idx
    }

    /// Adds the entries of `s`, a note it does not hold yet.
    pub(super) fn add(&mut self, s: &Arc<NoteSummary>) {
        for (i, h) in s.headings().enumerate() {
            if let Some((key, _)) = h.question_key {
                add_to(&mut self.questions, key, s, i);
            }
        }
        for (i, t) in s.terms().enumerate() {
            add_to(&mut self.terms, key_hash(t.key), s, i);
        }
    }

    /// Takes out the entries of `s`, a note it holds (the very summary added): a note
    /// changed on disk or closed is taken out and added again, and the rest of the index
    /// stays as it is (rebuilding it walked every question of every note, on each close, and
    /// left its thousands of small lists among the close's freed memory).
    pub(super) fn remove(&mut self, s: &Arc<NoteSummary>) {
        for h in s.headings() {
            if let Some((key, _)) = h.question_key {
                remove_from(&mut self.questions, key, s);
            }
        }
        for t in s.terms() {
            remove_from(&mut self.terms, key_hash(t.key), s);
        }
    }

    /// Where the question whose normalized title is `text` is asked.
    pub(super) fn asked<'a>(&'a self, text: &'a str) -> impl Iterator<Item = Asked<&'a str>> {
        let list = self.questions.get(&key_hash(text));
        list.into_iter().flatten().filter_map(move |(n, i)| {
            let h = n.heading(*i as usize)?;
            let (_, sample) = h.question_key?;
            (normalize_question(h.title) == text).then_some((&*n.uri, h.title_span, sample))
        })
    }

    /// The terms whose key is `key`: each note and the term's index in it.
    pub(super) fn explained<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = &'a (Arc<NoteSummary>, u32)> {
        let list = self.terms.get(&key_hash(key));
        list.into_iter()
            .flatten()
            .filter(move |(n, i)| n.term(*i as usize).is_some_and(|t| t.key == key))
    }

    /// How many distinct keys it holds (questions, terms), as far as their hashes tell.
    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        (self.questions.len(), self.terms.len())
    }
}

/// Each list as its notes' URIs and the indices in them.
impl std::fmt::Debug for DiskIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lists = |m: &HashMap<u64, Places>| -> Vec<Vec<(String, u32)>> {
            m.values()
                .map(|l| l.iter().map(|(n, i)| (n.uri.to_string(), *i)).collect())
                .collect()
        };
        f.debug_struct("DiskIndex")
            .field("questions", &lists(&self.questions))
            .field("terms", &lists(&self.terms))
            .finish()
    }
}

/// The same entries in the same order: the same notes (by URI) and indices in them.
impl PartialEq for DiskIndex {
    fn eq(&self, other: &DiskIndex) -> bool {
        let same = |a: &HashMap<u64, Places>, b: &HashMap<u64, Places>| {
            a.len() == b.len()
                && a.iter().all(|(k, x)| {
                    b.get(k).is_some_and(|y| {
                        x.len() == y.len()
                            && x.iter()
                                .zip(y)
                                .all(|(p, q)| p.0.uri == q.0.uri && p.1 == q.1)
                    })
                })
        };
        same(&self.questions, &other.questions) && same(&self.terms, &other.terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SlugStyle;
    use crate::workspace::Workspace;

    #[test]
    fn an_index_kept_up_to_date_is_the_index_built_afresh() {
        let note = |name: &str, extra: &str| {
            let text = format!(
                "# Python\n\n## What is the GIL?\n\nA lock.\n\n## What is a closure?\n\n\
                 It captures.\n\n## What is the GIL?\n\nAgain, {extra}.\n\n\
                 **Concurrency** refers to {extra}.\n"
            );
            NoteSummary::from_text(&format!("file:///n/{name}.md"), &text, SlugStyle::Github)
        };
        let ws = Workspace::default();
        ws.insert(note("m", "one"));
        // Questions: the GIL, closures; terms: Python, GIL, closure, concurrency.
        assert_eq!(ws.index().len(), (2, 4), "built: {:?}", *ws.index());
        // Added in place, before, after and between the notes it holds.
        for name in ["z", "a", "q"] {
            ws.insert(note(name, name));
        }
        let kept = ws.index();
        let fresh = DiskIndex::of(ws.disk.iter().map(|e| e.value().clone()).collect());
        assert_eq!(*kept, fresh);
        let gil: Vec<&str> = kept.asked("what is the gil").map(|(u, ..)| u).collect();
        assert_eq!(
            gil,
            ["a", "a", "m", "m", "q", "q", "z", "z"].map(|n| format!("file:///n/{n}.md"))
        );
        assert_eq!(kept.asked("what is the").count(), 0);
        assert_eq!(kept.explained("concurrency").count(), 4, "{:?}", kept.terms);
        drop(kept);
        // Replaced, and removed: brought up to date in place too.
        let other = |name: &str| {
            let text = "# Rust\n\n## What is a closure?\n\n**Ownership** is one owner.\n";
            NoteSummary::from_text(&format!("file:///n/{name}.md"), text, SlugStyle::Github)
        };
        ws.insert(other("m"));
        ws.remove("file:///n/q.md");
        ws.insert(note("m", "two"));
        ws.insert(other("a"));
        let kept = ws.index();
        let fresh = DiskIndex::of(ws.disk.iter().map(|e| e.value().clone()).collect());
        assert_eq!(*kept, fresh);
        let gil: Vec<&str> = kept.asked("what is the gil").map(|(u, ..)| u).collect();
        assert_eq!(
            gil,
            ["m", "m", "z", "z"].map(|n| format!("file:///n/{n}.md"))
        );
        assert_eq!(kept.explained("ownership").count(), 1);
        drop(kept);
        ws.remove("file:///n/a.md");
        assert_eq!(ws.index().explained("ownership").count(), 0);
        assert_eq!(ws.index().len(), (2, 4), "{:?}", *ws.index());
    }
}
