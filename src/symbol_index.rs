//! A table of the words of every heading title, sorted, for workspace symbols: a query's
//! words are looked up as prefixes (`clos` finds "What is a closure?") by binary search,
//! and only the titles holding all of them are scored, instead of every title of every
//! note (50,000 notes hold about 275,000 headings). Beside it, each distinct title's
//! characters as a 64-bit set: a query no title holds by prefixes (an abbreviation, a typo,
//! letters from several words) is scored only against the titles holding every character it
//! must match, each distinct title once (headings such as "Example" repeat across notes).

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

/// Words by id while the table is built (FxHash: a title's words are short keys, hashed twice
/// each).
type Words = HashMap<Box<str>, u32, FxBuildHasher>;

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
    /// Each entry's title, numbered: entries with the same title text share a number.
    title_ids: Vec<u32>,
    /// Each distinct title as a [`char_set`], by its number.
    char_sets: Vec<u64>,
    /// Each distinct title's place among them all in byte order, by its number: titles
    /// ranked by comparing integers, not strings.
    title_ranks: Vec<u32>,
}

/// The bit standing for `c` in a character set: one bit per ASCII letter (either case) and
/// digit, every other character hashed into the 28 bits left.
fn char_bit(c: char) -> u64 {
    let c = c.to_ascii_lowercase();
    let bit = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + c as u32 - '0' as u32,
        _ => 36 + (c as u32).wrapping_mul(0x9E37_79B1) % 28,
    };
    1 << bit
}

/// The characters of `title` as a set of [`char_bit`]s, each with every character the fuzzy
/// matcher may compare it as (nucleo-matcher folds a title's character to lower case, strips
/// its diacritics, or both): whatever character of a query matches a character of the
/// title, its bit is in the set. A title lacking a bit of [`needle_set`] cannot match.
pub fn char_set(title: &str) -> u64 {
    use nucleo_matcher::chars::{normalize, to_lower_case};
    let mut set = 0;
    for c in title.chars() {
        set |= char_bit(c);
        if !c.is_ascii() {
            let n = normalize(c);
            set |= char_bit(to_lower_case(c)) | char_bit(n) | char_bit(to_lower_case(n));
        }
    }
    set
}

/// The [`char_bit`]s of the characters a query must match, each one somewhere in a title.
pub fn needle_set(needle: impl IntoIterator<Item = char>) -> u64 {
    needle.into_iter().fold(0, |set, c| set | char_bit(c))
}

/// The words of a title as the index keeps them: runs of letters and digits, lowercased a
/// character at a time as [`SymbolIndex::build`] does (`str::to_lowercase` would make a
/// word-final `Σ` a `ς`, which no indexed word holds).
fn words_of(title: &str) -> impl Iterator<Item = String> + '_ {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
}

impl SymbolIndex {
    /// Indexes `titles`: `(note, heading, title)`. Walked twice, once to find the distinct
    /// words and count the titles holding each, once to fill each word's list in place: it
    /// is built when the workspace is largest, and holds little more than what it keeps
    /// while it is built.
    pub fn build<'a>(titles: impl Iterator<Item = (u32, u32, &'a str)> + Clone) -> SymbolIndex {
        // Distinct words by id, in the order first seen, and how many titles hold each.
        let mut ids: Words = Words::default();
        let mut counts: Vec<u32> = Vec::new();
        let mut entries = Vec::new();
        let mut distinct: HashMap<&'a str, u32, FxBuildHasher> = HashMap::default();
        let mut entry_titles: Vec<u32> = Vec::new();
        let mut char_sets = Vec::new();
        let mut word = String::new();
        // The ids of one title's words, each once.
        let mut title_ids: Vec<u32> = Vec::new();
        for (note, heading, title) in titles.clone() {
            entries.push((note, heading));
            let next = distinct.len() as u32;
            let id = *distinct.entry(title).or_insert_with(|| {
                char_sets.push(char_set(title));
                next
            });
            entry_titles.push(id);
            for &id in word_ids(title, &mut ids, true, &mut word, &mut title_ids) {
                match counts.get_mut(id as usize) {
                    Some(c) => *c += 1,
                    None => counts.push(1),
                }
            }
        }
        let mut by_text: Vec<(&str, u32)> = distinct.into_iter().collect();
        by_text.sort_unstable();
        let mut title_ranks = vec![0u32; by_text.len()];
        for (r, &(_, id)) in by_text.iter().enumerate() {
            title_ranks[id as usize] = r as u32;
        }
        drop(by_text);
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
            for &id in word_ids(title, &mut ids, false, &mut word, &mut title_ids) {
                let slot = &mut next[id as usize];
                index.postings[*slot as usize] = entry as u32;
                *slot += 1;
            }
        }
        entries.shrink_to_fit();
        entry_titles.shrink_to_fit();
        char_sets.shrink_to_fit();
        index.entries = entries;
        index.title_ids = entry_titles;
        index.char_sets = char_sets;
        index.title_ranks = title_ranks;
        index
    }

    /// Entry `e`'s title number and its `(note, heading)` pair.
    pub fn entry(&self, e: u32) -> (u32, (u32, u32)) {
        (self.title_ids[e as usize], self.entries[e as usize])
    }

    /// Where title number `t` comes among the distinct titles in byte order.
    pub fn title_rank(&self, t: u32) -> u32 {
        self.title_ranks[t as usize]
    }

    /// How many distinct titles there are: the numbers [`SymbolIndex::holding`] gives are
    /// below it.
    pub fn title_count(&self) -> usize {
        self.char_sets.len()
    }

    /// The `(note, heading)` pairs whose titles hold every character of `needle` (a
    /// [`needle_set`]), in entry order, each with its title's number: the only ones a fuzzy
    /// pattern needing those characters can match.
    pub fn holding(&self, needle: u64) -> impl Iterator<Item = (u32, (u32, u32))> + '_ {
        self.title_ids
            .iter()
            .zip(&self.entries)
            .filter(move |&(&t, _)| self.char_sets[t as usize] & needle == needle)
            .map(|(&t, &e)| (t, e))
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

    /// The entries (see [`SymbolIndex::entry`]) whose titles have, for each word of `query`, a
    /// word starting with it, in entry order; `None` when the query has no word to look up (or
    /// uses the fuzzy pattern's operators, `!`, `^`, `'`, `$`, which a prefix cannot stand for).
    pub fn candidates(&self, query: &str) -> Option<Vec<u32>> {
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
        Some(found)
    }
}

/// The ids of `title`'s words in `out`, sorted, each once; a word `ids` lacks is given the
/// next id when `add`, else left out. `word` is room for a word lower-cased.
fn word_ids<'o>(
    title: &str,
    ids: &mut Words,
    add: bool,
    word: &mut String,
    out: &'o mut Vec<u32>,
) -> &'o [u32] {
    out.clear();
    for w in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        word.clear();
        if w.is_ascii() {
            word.push_str(w);
            word.make_ascii_lowercase();
        } else {
            word.extend(w.chars().flat_map(char::to_lowercase));
        }
        let id = match ids.get(word.as_str()) {
            Some(&id) => id,
            None if add => {
                let id = ids.len() as u32;
                ids.insert(word.as_str().into(), id);
                id
            }
            None => continue,
        };
        out.push(id);
    }
    out.sort_unstable();
    out.dedup();
    out
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

    /// The `(note, heading)` pairs of the candidates of `q`.
    fn pairs(idx: &SymbolIndex, q: &str) -> Option<Vec<(u32, u32)>> {
        let found = idx.candidates(q)?;
        Some(found.into_iter().map(|e| idx.entry(e).1).collect())
    }

    #[test]
    fn titles_rank_in_byte_order() {
        let titles = ["b", "a", "Zeta", "b", "été", "a"];
        let idx = index(&titles);
        for (i, a) in titles.iter().enumerate() {
            for (j, b) in titles.iter().enumerate() {
                let (ra, rb) = (
                    idx.title_rank(idx.entry(i as u32).0),
                    idx.title_rank(idx.entry(j as u32).0),
                );
                assert_eq!(ra.cmp(&rb), a.cmp(b), "{a:?} against {b:?}");
            }
        }
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
        assert_eq!(pairs(&idx, "clos"), Some(vec![(0, 0), (0, 1)]));
        assert_eq!(pairs(&idx, "gil clos"), Some(vec![(0, 1)]));
        assert_eq!(pairs(&idx, "Virtual  dom"), Some(vec![(1, 0)]));
        assert_eq!(pairs(&idx, "über"), Some(vec![(2, 0)]));
        assert_eq!(pairs(&idx, "python"), Some(vec![(0, 0), (2, 0)]));
        assert_eq!(pairs(&idx, "kubernetes"), Some(vec![]));
        // A word ending in a capital sigma: the query's word lowercased as the titles' are.
        let greek = index(&["ΟΔΥΣΣΕΥΣ και Ιθάκη", "Άλλο"]);
        assert_eq!(pairs(&greek, "ΟΔΥΣΣΕΥΣ"), Some(vec![(0, 0)]));
        assert_eq!(pairs(&greek, "οδυσσευσ ιθ"), Some(vec![(0, 0)]));
        // Nothing to look up, or operators a prefix cannot stand for: the caller scans.
        assert_eq!(pairs(&idx, "  "), None);
        assert_eq!(pairs(&idx, "!gil"), None);
        assert_eq!(pairs(&idx, "^what"), None);
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
            assert_eq!(pairs(&idx, q), Some(want), "{q}");
        }
    }

    /// The character sets never exclude a title the matcher accepts: random titles and
    /// queries over characters the matcher folds (cases, diacritics, a combining accent,
    /// the Kelvin sign, a titlecase digraph, CJK) and its operators.
    #[test]
    fn a_title_the_matcher_accepts_holds_every_character_of_the_query() {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        use nucleo_matcher::{Config, Matcher, Utf32Str};
        const ALPHABET: &[&str] = &[
            "a", "A", "e", "E", "é", "É", "\u{301}", "k", "K", "\u{212A}", "s", "ß", "ǅ", "ǆ", "i",
            "ı", "İ", "o", "Ö", "ø", "q", "1", "中", "文", "-", "_", " ", "$", "!", "^", "'", "\\",
            "Ω", "ω", "ﬁ", "f",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let text = |max: usize, next: &mut dyn FnMut(usize) -> usize| -> String {
            (0..1 + next(max))
                .map(|_| ALPHABET[next(ALPHABET.len())])
                .collect()
        };
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let (mut matched, mut excluded) = (0, 0);
        for _ in 0..20_000 {
            let title = text(12, &mut next);
            let query = text(4, &mut next);
            let pattern = Pattern::parse(&query, CaseMatching::Smart, Normalization::Smart);
            let needle = needle_set(
                pattern
                    .atoms
                    .iter()
                    .filter(|a| !a.negative)
                    .flat_map(|a| a.needle_text().chars()),
            );
            let holds = char_set(&title) & needle == needle;
            if pattern
                .score(Utf32Str::new(&title, &mut buf), &mut matcher)
                .is_some()
            {
                matched += 1;
                assert!(holds, "{query:?} matches {title:?} but was excluded");
            } else if !holds {
                excluded += 1;
            }
        }
        // Both sides exercised: matches kept, and non-matches left out unscored.
        assert!(matched > 1_000 && excluded > 1_000, "{matched} {excluded}");
    }

    #[test]
    fn titles_are_found_by_the_characters_they_hold_in_entry_order() {
        let idx = index(&[
            "What is SQL?",
            "Joins in a query",
            "Left join in SQL",
            "Éléments de réseau",
            "Kubernetes pods",
        ]);
        let holding = |q: &str| {
            idx.holding(needle_set(q.chars()))
                .map(|(_, e)| e)
                .collect::<Vec<_>>()
        };
        assert_eq!(holding("sqljoin"), vec![(1, 0)]);
        assert_eq!(holding("SQL"), vec![(0, 0), (1, 0)]);
        assert_eq!(holding("q"), vec![(0, 0), (0, 1), (1, 0)]);
        // A title's accented letters count as the plain ones.
        assert_eq!(holding("elements"), vec![(1, 1)]);
        assert_eq!(holding("ée"), vec![(1, 1)]);
        assert_eq!(holding("xz"), vec![]);
        assert_eq!(holding("").len(), 5);
    }

    #[test]
    fn the_same_title_has_the_same_number() {
        let idx = index(&["Example", "Answer", "Example", "example", "Answer"]);
        let numbers: Vec<u32> = idx.holding(0).map(|(t, _)| t).collect();
        assert_eq!(numbers, vec![0, 1, 0, 2, 1]);
        assert_eq!(idx.title_count(), 3);
        assert_eq!(
            idx.holding(needle_set("xmpl".chars())).collect::<Vec<_>>(),
            vec![(0, (0, 0)), (0, (1, 0)), (2, (1, 1))]
        );
    }
}
