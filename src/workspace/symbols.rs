//! Workspace symbols: headings and questions matching a query, the notes on disk looked up
//! in a [`SymbolIndex`] of their titles' words rather than every title scored (50,000 notes
//! hold about 275,000 headings).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Workspace;
use super::summary::{HeadingEntry, NoteSummary, Symbol};
use super::view::View;
use crate::symbol_index::{self, SymbolIndex};

/// [`SymbolIndex`] over the notes on disk, with the notes its entries number.
pub(super) struct DiskSymbols {
    notes: Vec<Arc<NoteSummary>>,
    index: SymbolIndex,
}

impl Workspace {
    pub(super) fn drop_symbols(&self) {
        *self.symbols.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Builds the symbol index now if a change dropped it (after indexing: the first query
    /// need not wait for it).
    pub fn prepare_symbols(&self) {
        self.disk_symbols();
    }

    /// The symbol index of the notes on disk, built if a change dropped it.
    fn disk_symbols(&self) -> Arc<DiskSymbols> {
        let kept = || {
            self.symbols
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        };
        if let Some(s) = kept() {
            return s;
        }
        // One build at a time; who waited for it takes what it built.
        let _building = self
            .symbols_building
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(s) = kept() {
            return s;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let mut notes: Vec<Arc<NoteSummary>> =
            self.disk.iter().map(|e| e.value().clone()).collect();
        notes.sort_unstable_by(|a, b| a.uri.cmp(&b.uri));
        let index = SymbolIndex::build(notes.iter().enumerate().flat_map(|(ni, n)| {
            n.headings()
                .enumerate()
                .map(move |(hi, h)| (ni as u32, hi as u32, h.title))
        }));
        let built = Arc::new(DiskSymbols { notes, index });
        // Kept unless the notes changed while it was built.
        if self.generation.load(Ordering::SeqCst) == generation {
            *self.symbols.write().unwrap_or_else(|e| e.into_inner()) = Some(built.clone());
        }
        built
    }
}

impl View<'_> {
    /// Headings and questions matching `query` fuzzily, best first. Titles on disk with a
    /// word starting with each word of the query are scored; a query that finds none that
    /// way (an abbreviation, letters from several words) is matched against every title
    /// holding each character it must match (the others cannot match), each distinct title
    /// once.
    /// Each with its note and its container ("file.md › Section", the breadcrumb of its parent).
    pub fn symbols(&self, query: &str, limit: usize) -> Vec<(String, Symbol, String)> {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        use nucleo_matcher::{Config, Matcher, Utf32Str};
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let mut score = |h: HeadingEntry| {
            if query.is_empty() {
                Some(0)
            } else {
                pattern.score(Utf32Str::new(h.title, &mut buf), &mut matcher)
            }
        };
        let disk = self.ws.disk_symbols();
        // Notes numbered: the open ones, then those on disk (an open one's summary there
        // stands for it on disk).
        let first_disk = self.open.len();
        let note = |ni: usize| -> &NoteSummary {
            match ni.checked_sub(first_disk) {
                Some(dn) => &disk.notes[dn],
                None => &self.open[ni],
            }
        };
        let on_disk = |dn: usize| !self.is_open(&disk.notes[dn].uri);
        // Ranked by (score, title, note, heading): the open notes' few headings by their
        // titles' text, the disk's by their titles' ranks in the index (the same order), so
        // that only the best `limit` of the disk's are compared as text.
        let title =
            |&(_, ni, hi): &(u32, usize, usize)| note(ni).heading(hi).map_or("", |h| h.title);
        let order = |a: &(u32, usize, usize), b: &(u32, usize, usize)| {
            b.0.cmp(&a.0)
                .then_with(|| title(a).cmp(title(b)))
                .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
        };
        let mut scored: Vec<(u32, usize, usize)> = Vec::new();
        for (ni, n) in self.open.iter().enumerate() {
            for (hi, h) in n.headings().enumerate() {
                if let Some(s) = score(h) {
                    scored.push((s, ni, hi));
                }
            }
        }
        // A score is the title's alone: each distinct title is scored once.
        let mut scores: Vec<Option<Option<u32>>> = vec![None; disk.index.title_count()];
        // (score, title rank, disk note, heading)
        let mut found: Vec<(u32, u32, u32, u32)> = Vec::new();
        let mut consider = |t: u32, (dn, hi): (u32, u32)| {
            if !on_disk(dn as usize) {
                return None;
            }
            let s = *scores[t as usize].get_or_insert_with(|| {
                disk.notes[dn as usize]
                    .heading(hi as usize)
                    .and_then(&mut score)
            });
            s.map(|s| (s, disk.index.title_rank(t), dn, hi))
        };
        for e in disk.index.candidates(query).unwrap_or_default() {
            let (t, at) = disk.index.entry(e);
            found.extend(consider(t, at));
        }
        if found.is_empty() {
            // Every title that could match: those holding each character the pattern's
            // atoms must match (a negative atom need match nothing).
            let needle = symbol_index::needle_set(
                pattern
                    .atoms
                    .iter()
                    .filter(|a| !a.negative)
                    .flat_map(|a| a.needle_text().chars()),
            );
            found.extend(
                disk.index
                    .holding(needle)
                    .filter_map(|(t, at)| consider(t, at)),
            );
        }
        let disk_order = |a: &(u32, u32, u32, u32), b: &(u32, u32, u32, u32)| {
            b.0.cmp(&a.0)
                .then_with(|| (a.1, a.2, a.3).cmp(&(b.1, b.2, b.3)))
        };
        if found.len() > limit {
            found.select_nth_unstable_by(limit, disk_order);
            found.truncate(limit);
        }
        scored.extend(
            found
                .into_iter()
                .map(|(s, _, dn, hi)| (s, first_disk + dn as usize, hi as usize)),
        );
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, order);
            scored.truncate(limit);
        }
        scored.sort_by(order);
        scored
            .into_iter()
            .filter_map(|(_, ni, hi)| {
                let n = note(ni);
                let h = n.heading(hi)?;
                let symbol = Symbol {
                    title: h.title.to_string(),
                    question: h.question,
                    title_span: h.title_span,
                };
                Some((n.uri.to_string(), symbol, n.breadcrumb(h.parent)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SlugStyle;
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};

    /// Every heading of every note scored, ranked by (score, title, note, heading): what the
    /// index must answer.
    fn scanned(view: &View, query: &str, limit: usize) -> Vec<(String, String)> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut disk: Vec<Arc<NoteSummary>> =
            view.ws.disk.iter().map(|e| e.value().clone()).collect();
        disk.sort_unstable_by(|a, b| a.uri.cmp(&b.uri));
        disk.retain(|n| !view.is_open(&n.uri));
        let notes: Vec<&Arc<NoteSummary>> = view.open.iter().chain(&disk).collect();
        let mut all = Vec::new();
        let mut buf = Vec::new();
        for (ni, n) in notes.iter().enumerate() {
            for (hi, h) in n.headings().enumerate() {
                let s = if query.is_empty() {
                    Some(0)
                } else {
                    pattern.score(Utf32Str::new(h.title, &mut buf), &mut matcher)
                };
                if let Some(s) = s {
                    all.push((
                        std::cmp::Reverse(s),
                        h.title.to_string(),
                        ni,
                        hi,
                        n.uri.to_string(),
                    ));
                }
            }
        }
        all.sort();
        all.truncate(limit);
        all.into_iter().map(|(_, t, _, _, u)| (u, t)).collect()
    }

    #[test]
    fn the_index_ranks_as_scoring_every_title_does() {
        let ws = Workspace::default();
        let text = |i: usize| {
            format!(
                "# Topic {}\n\n## Example\n\n### What is a closure?\n\n## Examples of {}\n\n\
                 ### Why is the GIL there?\n\n## Été {}\n",
                i % 7,
                ["loops", "exceptions", "Generators"][i % 3],
                i % 4
            )
        };
        let mut open = Vec::new();
        for i in 0..40 {
            let uri = format!("file:///ws/note-{i:02}.md");
            let summary = NoteSummary::from_text(&uri, &text(i), SlugStyle::Github);
            if i % 10 == 3 {
                // Open, with other text than on disk.
                open.push(Arc::new(NoteSummary::from_text(
                    &uri,
                    "# Example open\n\n## Closures explained\n",
                    SlugStyle::Github,
                )));
            }
            ws.insert(summary);
        }
        open.push(Arc::new(NoteSummary::from_text(
            "file:///elsewhere/new.md",
            "# Examples\n\n## What is a closure?\n",
            SlugStyle::Github,
        )));
        let view = View { ws: &ws, open };
        for query in [
            "", "ex", "example", "closure", "wiaclo", "gil why", "été", "^ex", "zzq",
        ] {
            for limit in [1, 5, 30, 1000] {
                let got: Vec<(String, String)> = view
                    .symbols(query, limit)
                    .into_iter()
                    .map(|(u, s, _)| (u, s.title))
                    .collect();
                assert_eq!(
                    got,
                    scanned(&view, query, limit),
                    "{query:?}, limit {limit}"
                );
            }
        }
    }
}
