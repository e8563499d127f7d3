//! "Did you mean": the heading slug nearest to a broken anchor, kept current across edits.
//!
//! A slug that begins with the anchor and a `-` comes first (`#section-0` for the heading
//! "Section 0: markdown", whose slug is `section-0-markdown`: a link written with the heading's
//! first words); else the nearest slug is the one at the smallest edit distance (Levenshtein,
//! over characters) among those within half the longer string's length. On a tie, the first
//! in the note. A big note with many broken anchors would need hundreds of thousands of
//! distances per keystroke; [`Nearest`] remembers each
//! anchor's answer for a list of slugs, and when the list changes (a heading edited) it only
//! weighs the slugs that came in, recomputing from scratch just the anchors whose answer went
//! away.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::outline::Slugs;

/// Answers for one note's slugs.
#[derive(Default)]
pub struct Nearest {
    /// The slugs the answers hold for, in note order (empty ones are never suggested).
    slugs: Vec<String>,
    /// The length of each of `slugs` in characters: a search weighs every slug and would
    /// otherwise count them twice per anchor (the bound, then the length test that skips most).
    lens: Vec<usize>,
    /// Anchor → its nearest slug and the distance to it (`None`: nothing close enough).
    answers: HashMap<String, Option<(usize, String)>>,
    /// The list `slugs` was last brought up to date from, if given as shared: while the
    /// note's slugs stay that list, there is nothing to compare (a thousand strings, on
    /// every keystroke that checks a link).
    from: Option<Slugs>,
}

/// More slugs than this coming in at once (a paste, a reload) drops every answer instead of
/// updating them.
const UPDATE_LIMIT: usize = 32;
/// Answers kept per note, at most.
const ANSWER_LIMIT: usize = 20_000;

impl Nearest {
    /// [`Nearest::update`] from a shared list of slugs, skipped when it is the list the
    /// answers were last brought up to date from.
    pub fn update_from(&mut self, slugs: &Slugs) {
        if self.from.as_ref().is_some_and(|f| Arc::ptr_eq(f, slugs)) {
            return;
        }
        self.update(slugs.iter().map(|s| &**s));
        self.from = Some(slugs.clone());
    }

    /// Brings the answers up to date with `slugs` (the note's slugs, in order).
    pub fn update<'a>(&mut self, slugs: impl ExactSizeIterator<Item = &'a str> + Clone) {
        if slugs.len() == self.slugs.len()
            && slugs.clone().eq(self.slugs.iter().map(String::as_str))
        {
            return;
        }
        self.from = None;
        let new: Vec<String> = slugs.map(str::to_string).collect();
        let old_set: HashSet<&str> = self.slugs.iter().map(String::as_str).collect();
        let new_set: HashSet<&str> = new.iter().map(String::as_str).collect();
        let added: Vec<&str> = named(&new).filter(|s| !old_set.contains(s)).collect();
        // Ties go to the earlier slug, so the common slugs must keep their order for the
        // answers to be updated rather than recomputed.
        let same_order = named(&new)
            .filter(|s| old_set.contains(s))
            .eq(named(&self.slugs).filter(|s| new_set.contains(s)));
        if !same_order || added.len() > UPDATE_LIMIT || self.answers.len() > ANSWER_LIMIT {
            self.answers.clear();
        } else if !self.answers.is_empty() {
            let position: HashMap<&str, usize> =
                named(&new).enumerate().map(|(i, s)| (s, i)).collect();
            self.answers.retain(|anchor, answer| {
                if let Some((_, s)) = answer
                    && !new_set.contains(s.as_str())
                {
                    return false;
                }
                let anchor = Pattern::new(anchor);
                for &a in &added {
                    let bound = match answer {
                        Some((bd, _)) => limit(&anchor, a).min(*bd),
                        None => limit(&anchor, a),
                    };
                    let Some(d) = anchor.score(a, a.chars().count(), bound) else {
                        continue;
                    };
                    let better = match answer {
                        None => true,
                        Some((bd, bs)) => {
                            d < *bd || (d == *bd && position[a] < position[bs.as_str()])
                        }
                    };
                    if better {
                        *answer = Some((d, a.to_string()));
                    }
                }
                true
            });
        }
        self.lens = new.iter().map(|s| s.chars().count()).collect();
        self.slugs = new;
    }

    /// The slug nearest to `anchor` (call [`Nearest::update`] first).
    pub fn nearest(&mut self, anchor: &str) -> Option<String> {
        if let Some(answer) = self.answers.get(anchor) {
            return answer.as_ref().map(|(_, s)| s.clone());
        }
        let pattern = Pattern::new(anchor);
        let mut best: Option<(usize, &str)> = None;
        let named = self
            .slugs
            .iter()
            .zip(&self.lens)
            .filter(|(s, _)| !s.is_empty());
        for (s, &len) in named {
            let mut bound = len.max(pattern.chars.len()) / 2;
            if let Some((d, _)) = best {
                // Only a strictly nearer slug replaces an earlier one.
                match d.checked_sub(1) {
                    Some(b) => bound = bound.min(b),
                    None => break,
                }
            }
            if let Some(d) = pattern.score(s, len, bound) {
                best = Some((d, s.as_str()));
            }
        }
        let answer = best.map(|(d, s)| (d, s.to_string()));
        let out = answer.as_ref().map(|(_, s)| s.clone());
        self.answers.insert(anchor.to_string(), answer);
        out
    }
}

/// Whether `slug` begins with `anchor` and a `-`: the heading's first words, as a link
/// written before the heading grew (or from memory) has them.
pub fn extends(slug: &str, anchor: &str) -> bool {
    !anchor.is_empty()
        && slug
            .strip_prefix(anchor)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// The slugs that can be suggested (bold questions have none), in order; a note's slugs
/// are unique (the slugger numbers repeats).
fn named(slugs: &[String]) -> impl Iterator<Item = &str> + Clone {
    slugs.iter().map(String::as_str).filter(|s| !s.is_empty())
}

/// How far a slug may be from an anchor and still be suggested.
fn limit(anchor: &Pattern, slug: &str) -> usize {
    slug.chars().count().max(anchor.chars.len()) / 2
}

/// An anchor prepared for many distance computations: for anchors of up to 64 characters,
/// the bit masks of Myers' bit-parallel Levenshtein algorithm (Hyyrö's formulation), which
/// costs a few word operations per character of the other string instead of a row of the
/// dynamic-programming table.
pub struct Pattern {
    text: String,
    chars: Vec<char>,
    /// For each ASCII byte, the positions in the anchor where it occurs.
    ascii: [u64; 128],
    /// The same for other characters.
    other: Vec<(char, u64)>,
}

impl Pattern {
    pub fn new(anchor: &str) -> Pattern {
        let chars: Vec<char> = anchor.chars().collect();
        let mut p = Pattern {
            text: anchor.to_string(),
            ascii: [0; 128],
            other: Vec::new(),
            chars,
        };
        if p.chars.len() <= 64 {
            for (i, &c) in p.chars.iter().enumerate() {
                let bit = 1u64 << i;
                if c.is_ascii() {
                    p.ascii[c as usize] |= bit;
                } else if let Some(e) = p.other.iter_mut().find(|(o, _)| *o == c) {
                    e.1 |= bit;
                } else {
                    p.other.push((c, bit));
                }
            }
        }
        p
    }

    fn mask(&self, c: char) -> u64 {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            self.other
                .iter()
                .find(|(o, _)| *o == c)
                .map_or(0, |(_, m)| *m)
        }
    }

    /// How far `slug` (of `n` characters) is from the anchor as a suggestion: 0 when it
    /// begins with the anchor and a `-` ([`extends`]; an equal slug would not be broken),
    /// else the edit distance if at most `max`.
    fn score(&self, slug: &str, n: usize, max: usize) -> Option<usize> {
        if extends(slug, &self.text) {
            return Some(0);
        }
        self.distance_within_len(slug, n, max)
    }

    /// The Levenshtein distance between the anchor and `b` if it is at most `max`.
    pub fn distance_within(&self, b: &str, max: usize) -> Option<usize> {
        self.distance_within_len(b, b.chars().count(), max)
    }

    /// [`Pattern::distance_within`] for a `b` of `n` characters.
    fn distance_within_len(&self, b: &str, n: usize, max: usize) -> Option<usize> {
        let m = self.chars.len();
        if m.abs_diff(n) > max {
            return None;
        }
        if m == 0 {
            return Some(n);
        }
        if m > 64 {
            return distance_within(&self.chars, b, max);
        }
        let last = 1u64 << (m - 1);
        let (mut pv, mut mv) = (if m == 64 { !0 } else { (1u64 << m) - 1 }, 0u64);
        let mut score = m;
        for (j, c) in b.chars().enumerate() {
            let eq = self.mask(c);
            let xv = eq | mv;
            let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & last != 0 {
                score += 1;
            } else if mh & last != 0 {
                score -= 1;
            }
            // Each remaining character lowers the distance by one at most.
            if score > max.saturating_add(n - j - 1) {
                return None;
            }
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
        }
        (score <= max).then_some(score)
    }
}

/// The Levenshtein distance between `a` and `b` if it is at most `max` (the table, row by
/// row: for anchors longer than 64 characters).
fn distance_within(a: &[char], b: &str, max: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: every slug weighed, the first of the nearest kept.
    fn reference(slugs: &[String], anchor: &str) -> Option<String> {
        let named = || slugs.iter().filter(|s| !s.is_empty());
        if let Some(s) = named().find(|s| extends(s, anchor)) {
            return Some(s.clone());
        }
        let a: Vec<char> = anchor.chars().collect();
        let p = Pattern::new(anchor);
        named()
            .filter_map(|s| Some((distance_within(&a, s, usize::MAX)?, s)))
            .filter(|(d, s)| *d <= limit(&p, s))
            .min_by_key(|(d, _)| *d)
            .map(|(_, s)| s.clone())
    }

    #[test]
    fn a_slug_the_anchor_begins_comes_first() {
        let slugs: Vec<String> = [
            "section-2-tag",
            "section-0-markdown",
            "section-0-markdown-1",
        ]
        .map(String::from)
        .into();
        let mut n = Nearest::default();
        n.update(slugs.iter().map(String::as_str));
        // Nearer by edit distance, but not the heading the link was written for.
        assert_eq!(
            n.nearest("section-0").as_deref(),
            Some("section-0-markdown")
        );
        assert_eq!(n.nearest("section-2").as_deref(), Some("section-2-tag"));
        // Not a whole word of it: edit distance decides.
        assert_eq!(
            n.nearest("section-0-markdow").as_deref(),
            Some("section-0-markdown")
        );
        assert_eq!(n.nearest("sect").as_deref(), None);
        assert!(!extends("section-0", "section-0"));
        assert!(!extends("section-01", "section-0"));
    }

    #[test]
    fn distances() {
        let d = |a: &str, b: &str| Pattern::new(a).distance_within(b, 99);
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(d("abc", ""), Some(3));
        assert_eq!(d("中文", "中x文"), Some(1));
        assert_eq!(Pattern::new("kitten").distance_within("sitting", 2), None);
        let long = "x".repeat(70);
        assert_eq!(d(&long, &"x".repeat(68)), Some(2));
        // The bit-parallel distance equals the table's on many pairs, with and without bounds.
        let words = [
            "",
            "a",
            "ab",
            "section-1",
            "section-12-note",
            "what-is-the-gil",
            "gil",
            "中文-😀",
            "intro-1-1",
            "closures-and-scopes",
            &"ab".repeat(32),
        ];
        for a in words {
            for b in words {
                let table = distance_within(&a.chars().collect::<Vec<_>>(), b, usize::MAX);
                for max in [0, 1, 2, 5, 100] {
                    assert_eq!(
                        Pattern::new(a).distance_within(b, max),
                        table.filter(|&t| t <= max),
                        "{a:?} {b:?} within {max}"
                    );
                }
            }
        }
    }

    /// Answers kept across edits of the slug list equal answers computed afresh.
    #[test]
    fn updates_equal_fresh_answers() {
        let mut rng = 0x2545F4914F6CDD1Du64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n) as usize
        };
        let words = [
            "intro", "gil", "closures", "section", "threads", "async", "",
        ];
        let mut slugs: Vec<String> = (0..40)
            .map(|i| format!("{}-{i}", words[i % words.len()]))
            .collect();
        // Some anchors are the first word of slugs (`intro` of `intro-7`).
        let anchors: Vec<String> = (0..30)
            .map(|i| match i % 4 {
                0 => words[i % 6].to_string(),
                _ => format!("{}-{}", words[i % 6], i * 3 % 50),
            })
            .collect();
        let mut nearest = Nearest::default();
        for round in 0..300 {
            // Edit a slug, drop one, add one, move one, or blank one.
            let i = next(slugs.len() as u64);
            match next(5) {
                0 => slugs[i].push(char::from(b'a' + next(26) as u8)),
                1 if slugs.len() > 5 => {
                    slugs.remove(i);
                }
                2 => slugs.insert(i, format!("{}-{round}", words[next(7)])),
                3 => {
                    let s = slugs.remove(i);
                    let j = next(slugs.len() as u64 + 1);
                    slugs.insert(j, s);
                }
                _ => slugs[i] = String::new(),
            }
            let mut seen = HashSet::new();
            slugs.retain(|s| s.is_empty() || seen.insert(s.clone()));
            nearest.update(slugs.iter().map(String::as_str));
            for a in anchors.iter().take(1 + round % anchors.len()) {
                assert_eq!(
                    nearest.nearest(a),
                    reference(&slugs, a),
                    "{a} among {slugs:?}"
                );
            }
        }
    }
}
