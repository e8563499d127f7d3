//! The notes on disk indexed by question title and by term, for the checks that look at all
//! of them on every keystroke.

use std::collections::HashMap;
use std::sync::Arc;

use super::Span;
use super::summary::NoteSummary;

/// A question asked in note `U` (a URI): where its title is and its opening sample.
pub(super) type Asked<U> = (U, Span, Option<u64>);

/// Questions of one title, by opening sample: the indices of those with each.
pub(super) type BySample = Vec<(Option<u64>, Vec<usize>)>;

/// Indexes built over the notes on disk: rebuilt when one of them changes or goes, brought
/// up to date in place when one is added (the workspace indexer adds hundreds, and a rebuild
/// walks every question of every note). Each list is in the order of its notes' URIs, and of
/// their headings within a note, however it was built.
#[derive(Default, Clone, PartialEq, Debug)]
pub(super) struct DiskIndex {
    /// By normalized title: the note, the title's span and the opening sample.
    /// The notes' URIs are shared: one allocation a note, not one an entry.
    pub(super) questions: HashMap<Arc<str>, Vec<Asked<Arc<str>>>>,
    pub(super) terms: HashMap<String, Vec<(Arc<str>, usize)>>,
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
    pub(super) fn add(&mut self, s: &NoteSummary) {
        let uri = s.uri.as_str();
        let shared: Arc<str> = uri.into();
        for h in &s.headings {
            if let Some(q) = &h.question_key {
                let list = self.questions.entry(q.text.clone()).or_default();
                let at = list.partition_point(|(u, ..)| &**u <= uri);
                list.insert(at, (shared.clone(), h.title_span, q.sample));
            }
        }
        for (i, t) in s.terms.iter().enumerate() {
            let list = self.terms.entry(t.key.clone()).or_default();
            let at = list.partition_point(|(u, _)| &**u <= uri);
            list.insert(at, (shared.clone(), i));
        }
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
        assert_eq!(ws.index().questions.len(), 2, "built: {:?}", ws.index());
        // Added in place, before, after and between the notes it holds.
        for name in ["z", "a", "q"] {
            ws.insert(note(name, name));
        }
        let kept = ws.index();
        let fresh = DiskIndex::of(ws.disk.iter().map(|e| e.value().clone()).collect());
        assert_eq!(*kept, fresh);
        let gil: Vec<&str> = kept.questions["what is the gil"]
            .iter()
            .map(|(u, ..)| &**u)
            .collect();
        assert_eq!(
            gil,
            ["a", "a", "m", "m", "q", "q", "z", "z"].map(|n| format!("file:///n/{n}.md"))
        );
        assert_eq!(kept.terms["concurrency"].len(), 4, "{:?}", kept.terms);
        // Replaced: built again.
        ws.insert(note("m", "two"));
        assert_eq!(*ws.index(), fresh);
    }
}
