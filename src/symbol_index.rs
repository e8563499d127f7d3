//! A table of the words of every heading title, sorted, for workspace symbols: a query's
//! words are looked up as prefixes (`clos` finds "What is a closure?") by binary search,
//! and only the titles holding all of them are scored, instead of every title of every
//! note (50,000 notes hold about 275,000 headings).

use std::collections::HashMap;

/// Titles by their words. Entries are the caller's `(note, heading)` pairs, numbered in
/// the order given.
#[derive(Debug, Default)]
pub struct SymbolIndex {
    /// Every distinct word, lowercased, sorted, laid end to end.
    words: String,
    /// Where each word starts in `words` (one more: the end of the last).
    word_starts: Vec<u32>,
    /// The entries holding each word: `postings[post_starts[w]..post_starts[w + 1]]`, each
    /// list in entry order.
    post_starts: Vec<u32>,
    postings: Vec<u32>,
    entries: Vec<(u32, u32)>,
}

/// The words of a title as the index keeps them: runs of letters and digits, lowercased.
fn words_of(title: &str) -> impl Iterator<Item = String> + '_ {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl SymbolIndex {
    /// Indexes `titles`: `(note, heading, title)`. Walked twice, once to find the distinct
    /// words and count the titles holding each, once to fill each word's list in place: it
    /// is built when the workspace is largest, and holds little more than what it keeps
    /// while it is built.
    pub fn build<'a>(titles: impl Iterator<Item = (u32, u32, &'a str)> + Clone) -> SymbolIndex {
        // Distinct words by id, in the order first seen, and how many titles hold each.
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut entries = Vec::new();
        let mut word = String::new();
        // The ids of one title's words, each once.
        let mut title_ids: Vec<u32> = Vec::new();
        let mut ids_of = |title: &str, ids: &mut HashMap<Box<str>, u32>, add: bool| {
            title_ids.clear();
            for w in title
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                word.clear();
                word.extend(w.chars().flat_map(char::to_lowercase));
                let id = match ids.get(word.as_str()) {
                    Some(&id) => id,
                    None if add => {
                        let id = ids.len() as u32;
                        ids.insert(word.as_str().into(), id);
                        id
                    }
                    None => continue,
                };
                title_ids.push(id);
            }
            title_ids.sort_unstable();
            title_ids.dedup();
            title_ids.clone()
        };
        for (note, heading, title) in titles.clone() {
            entries.push((note, heading));
            for id in ids_of(title, &mut ids, true) {
                match counts.get_mut(id as usize) {
                    Some(c) => *c += 1,
                    None => counts.push(1),
                }
            }
        }
        // The words sorted; each id's rank among them.
        let mut sorted: Vec<(&str, u32)> = ids.iter().map(|(w, &id)| (&**w, id)).collect();
        sorted.sort_unstable();
        let mut rank = vec![0u32; sorted.len()];
        let mut index = SymbolIndex {
            words: String::with_capacity(sorted.iter().map(|(w, _)| w.len()).sum()),
            word_starts: Vec::with_capacity(sorted.len() + 1),
            post_starts: Vec::with_capacity(sorted.len() + 1),
            ..SymbolIndex::default()
        };
        let mut at = 0u32;
        for (r, (w, id)) in sorted.iter().enumerate() {
            rank[*id as usize] = r as u32;
            index.word_starts.push(index.words.len() as u32);
            index.post_starts.push(at);
            index.words.push_str(w);
            at += counts[*id as usize];
        }
        index.word_starts.push(index.words.len() as u32);
        index.post_starts.push(at);
        drop(sorted);
        // Each word's list filled in entry order: `counts` becomes where the next goes.
        let mut next: Vec<u32> = rank
            .iter()
            .map(|&r| index.post_starts[r as usize])
            .collect();
        drop(counts);
        index.postings = vec![0; at as usize];
        for (entry, (_, _, title)) in titles.enumerate() {
            for id in ids_of(title, &mut ids, false) {
                let slot = &mut next[id as usize];
                index.postings[*slot as usize] = entry as u32;
                *slot += 1;
            }
        }
        entries.shrink_to_fit();
        index.entries = entries;
        index
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn word(&self, i: usize) -> &str {
        &self.words[self.word_starts[i] as usize..self.word_starts[i + 1] as usize]
    }

    fn word_count(&self) -> usize {
        self.word_starts.len() - 1
    }

    /// The entries with a word starting with `prefix`, sorted, without repeats.
    fn with_prefix(&self, prefix: &str) -> Vec<u32> {
        let first = partition(self.word_count(), |i| self.word(i) < prefix);
        let end = first
            + partition(self.word_count() - first, |i| {
                self.word(first + i).starts_with(prefix)
            });
        let mut out: Vec<u32> = (first..end)
            .flat_map(|w| {
                &self.postings[self.post_starts[w] as usize..self.post_starts[w + 1] as usize]
            })
            .copied()
            .collect();
        if end - first > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The `(note, heading)` pairs whose titles have, for each word of `query`, a word
    /// starting with it; `None` when the query has no word to look up (or uses the fuzzy
    /// pattern's operators, `!`, `^`, `'`, `$`, which a prefix cannot stand for).
    pub fn candidates(&self, query: &str) -> Option<Vec<(u32, u32)>> {
        if query.contains(['!', '^', '\'', '$']) {
            return None;
        }
        let mut words: Vec<String> = words_of(query).collect();
        if words.is_empty() {
            return None;
        }
        // The longest word first: the fewest entries to intersect the others with.
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut found = self.with_prefix(&words[0]);
        for w in &words[1..] {
            if found.is_empty() {
                break;
            }
            let more = self.with_prefix(w);
            found.retain(|id| more.binary_search(id).is_ok());
        }
        Some(found.iter().map(|&id| self.entries[id as usize]).collect())
    }
}

/// The first `i` in `0..n` for which `before(i)` is false (`before` true, then false).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(titles: &[&str]) -> SymbolIndex {
        SymbolIndex::build(
            titles
                .iter()
                .enumerate()
                .map(|(i, t)| (i as u32 / 2, i as u32 % 2, *t)),
        )
    }

    #[test]
    fn every_word_of_the_query_is_a_prefix_of_a_word_of_the_title() {
        let idx = index(&[
            "What is a closure in Python?",
            "Closures and the GIL",
            "What is the virtual DOM?",
            "How does the GIL work?",
            "Über-Klassen in Python",
        ]);
        assert_eq!(idx.candidates("clos"), Some(vec![(0, 0), (0, 1)]));
        assert_eq!(idx.candidates("gil clos"), Some(vec![(0, 1)]));
        assert_eq!(idx.candidates("Virtual  dom"), Some(vec![(1, 0)]));
        assert_eq!(idx.candidates("über"), Some(vec![(2, 0)]));
        assert_eq!(idx.candidates("python"), Some(vec![(0, 0), (2, 0)]));
        assert_eq!(idx.candidates("kubernetes"), Some(vec![]));
        // Nothing to look up, or operators a prefix cannot stand for: the caller scans.
        assert_eq!(idx.candidates("  "), None);
        assert_eq!(idx.candidates("!gil"), None);
        assert_eq!(idx.candidates("^what"), None);
    }

    #[test]
    fn the_index_finds_what_a_scan_finds() {
        let titles: Vec<String> = (0..300)
            .map(|i| format!("Q{i}: what is topic{} and part{}?", i % 17, i % 5))
            .collect();
        let refs: Vec<&str> = titles.iter().map(String::as_str).collect();
        let idx = index(&refs);
        for q in ["topic1", "part3 topic1", "what q2", "q29", "is"] {
            let want: Vec<(u32, u32)> = refs
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    let ws: Vec<String> = words_of(t).collect();
                    words_of(q).all(|qw| ws.iter().any(|w| w.starts_with(&qw)))
                })
                .map(|(i, _)| (i as u32 / 2, i as u32 % 2))
                .collect();
            assert_eq!(idx.candidates(q), Some(want), "{q}");
        }
    }
}
