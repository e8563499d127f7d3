//! Questions asked twice: in the note being edited, in other open notes or on disk, told
//! apart by the code they show.

use std::collections::HashMap;

use super::facts::Facts;
use super::index::{Asked, BySample};
use super::paths::uri_to_path;
use super::summary::key_hash;
use super::view::View;
use super::{Related, RelatedAt, Span, WsDiagnostic};
use crate::codes::{Severity, code};
use crate::duplicates::{self, Place};
use crate::outline::normalize_question;

/// Related locations a duplicate question keeps, at most: as many as the protocol layer
/// sends (`server::to_proto` shows the first ten), the rest only counted in the message.
pub const MAX_RELATED: usize = 10;

impl View<'_> {
    /// Questions of `f` asked elsewhere too (in the same note or another). Runs on every
    /// keystroke, and a note may ask one question dozens of times: each diagnostic keeps at
    /// most [`MAX_RELATED`] related locations and its message names a few places and counts
    /// them all, so the work is linear in the questions.
    ///
    /// Two questions are the same when their titles are and the code they show
    /// ([`duplicates::material`]) does not tell them apart: titles alone decide while the
    /// title is seen with one piece of code at most (a question shown with code and asked
    /// again in prose), but a title seen with different pieces of code ("What is the output
    /// of below code?") only names a question together with its code. Translations of one
    /// note ([`duplicates::translations`]) ask each other's questions by design.
    pub fn duplicate_questions(&self, f: &Facts) -> Vec<WsDiagnostic> {
        self.duplicate_questions_titled(f, None)
    }

    /// [`View::duplicate_questions`] of `f`'s questions whose titles are among `only` (all
    /// when `None`): a question's findings depend on the questions asked with its title alone.
    pub fn duplicate_questions_titled(
        &self,
        f: &Facts,
        only: Option<&[&str]>,
    ) -> Vec<WsDiagnostic> {
        let index = self.ws.index();
        let mut out = Vec::new();
        // This note's questions by title, then by the code they show.
        let mut own: HashMap<&str, BySample> = HashMap::new();
        for (i, (q, _)) in f.questions.iter().enumerate() {
            if only.is_some_and(|titles| !titles.contains(&&*q.text)) {
                continue;
            }
            let classes = own.entry(&*q.text).or_default();
            match classes.iter_mut().find(|(s, _)| *s == q.sample) {
                Some((_, members)) => members.push(i),
                None => classes.push((q.sample, vec![i])),
            }
        }
        // Other open notes' questions, looked up once per call (not once per question).
        let mut open: HashMap<&str, Vec<Asked<&str>>> = HashMap::new();
        let others = || self.open.iter().filter(|o| *o.uri != *f.uri);
        // Hashed as summaries keep question keys, when another note is open.
        let own_keys: HashMap<u64, &str> = match others().next() {
            Some(_) => own.keys().map(|t| (key_hash(t), *t)).collect(),
            None => HashMap::new(),
        };
        for o in others() {
            for h in o.headings() {
                if let Some((key, sample)) = h.question_key
                    && let Some(&text) = own_keys.get(&key)
                    && normalize_question(h.title) == text
                {
                    open.entry(text)
                        .or_default()
                        .push((&o.uri, h.title_span, sample));
                }
            }
        }
        // Whether a note is a translation of this one, once per note.
        let me = uri_to_path(&f.uri);
        let mut translation: HashMap<String, bool> = HashMap::new();
        let mut is_translation = |uri: &str| -> bool {
            let Some(me) = &me else { return false };
            if let Some(&t) = translation.get(uri) {
                return t;
            }
            let t = uri_to_path(uri).is_some_and(|p| duplicates::translations(me, &p));
            translation.insert(uri.to_string(), t);
            t
        };
        for (text, classes) in &own {
            let mut elsewhere: Vec<Asked<&str>> = index
                .asked(text)
                .filter(|(uri, ..)| **uri != *f.uri && !self.is_open(uri))
                .collect();
            elsewhere.extend(open.get(*text).into_iter().flatten().copied());
            elsewhere.retain(|(uri, ..)| !is_translation(uri));
            // Notes are indexed and kept in no fixed order: by note, then line, so a message
            // names the same places, and keeps the same related ones, on every run.
            elsewhere.sort_unstable_by_key(|(uri, span, _)| (*uri, span.start));
            // Seen with two different pieces of code or more: the code is part of the
            // question, and a question without code is another one.
            let mut codes = classes
                .iter()
                .map(|(s, _)| *s)
                .chain(elsewhere.iter().map(|(.., s)| *s))
                .flatten();
            let first = codes.next();
            let exact = first.is_some_and(|c| codes.any(|d| d != c));
            let fits =
                |a: Option<u64>, b: Option<u64>| a == b || (!exact && (a.is_none() || b.is_none()));
            for (sample, members) in classes {
                let others: Vec<(&str, Span)> = elsewhere
                    .iter()
                    .filter(|(.., s)| fits(*sample, *s))
                    .map(|(u, sp, _)| (*u, *sp))
                    .collect();
                // This note's questions that ask the same, each member included.
                let here: Vec<usize> = classes
                    .iter()
                    .filter(|(s, _)| fits(*sample, *s))
                    .flat_map(|(_, m)| m)
                    .copied()
                    .collect();
                let n = here.len() - 1 + others.len();
                if n == 0 {
                    continue;
                }
                for &i in members {
                    let mine = here.iter().filter(|&&j| j != i);
                    let places = mine
                        .clone()
                        .map(|&j| Place::Here(f.question_lines.get(j).copied().unwrap_or(0)))
                        .chain(
                            others
                                .iter()
                                .map(|(u, sp)| Place::Other(self.name_of(u), sp.start.line)),
                        );
                    let related = others
                        .iter()
                        .map(|(u, sp)| Related {
                            uri: u.to_string(),
                            at: RelatedAt::Span(*sp),
                        })
                        .chain(mine.map(|&j| Related {
                            uri: f.uri.clone(),
                            at: RelatedAt::Here(f.questions[j].1.clone()),
                        }))
                        .take(MAX_RELATED)
                        .collect();
                    out.push(WsDiagnostic {
                        range: f.questions[i].1.clone(),
                        severity: Severity::Information,
                        code: code::DUPLICATE_QUESTION,
                        message: duplicates::asked_again(n, places),
                        related,
                    });
                }
            }
        }
        out.sort_by_key(|d| d.range.start);
        out
    }

    /// The file name of note `uri`, as messages name it: decoded (`《深度学习》整理.md`, not
    /// `%E3%80%8A...`).
    fn name_of<'a>(&self, uri: &'a str) -> std::borrow::Cow<'a, str> {
        let name = uri.rsplit('/').next().unwrap_or(uri);
        percent_encoding::percent_decode_str(name).decode_utf8_lossy()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::config::SlugStyle;
    use crate::note::{Encoding, Note};
    use crate::workspace::{NoteSummary, Workspace};
    use std::sync::Arc;

    #[test]
    fn duplicate_questions_keep_a_few_related_and_count_all() {
        let text: String = (0..30)
            .map(|i| format!("### {i}. What is the output of below code?\n\nIt prints {i}.\n\n"))
            .collect();
        let note = Note::new(&text);
        let a = Analysis::of(&note);
        let facts = Facts::of("file:///notes/quiz.md", &note, &a, SlugStyle::Github);
        let ws = Workspace::default();
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let found = view.duplicate_questions(&facts);
        assert_eq!(found.len(), 30);
        assert_eq!(
            found[0].message,
            "also asked 29 more times: line 5, line 9, line 13 and 26 more"
        );
        assert_eq!(
            found[1].message,
            "also asked 29 more times: line 1, line 9, line 13 and 26 more"
        );
        for (i, d) in found.iter().enumerate() {
            assert!(d.message.starts_with("also asked 29 more times: "), "{d:?}");
            assert_eq!(d.related.len(), MAX_RELATED);
            assert!(
                d.related
                    .iter()
                    .all(|r| r.at != RelatedAt::Here(facts.questions[i].1.clone())),
                "a question is not related to itself: {d:?}"
            );
        }
    }

    /// The messages of the duplicate questions of `text` (a note at `uri`), by the line
    /// of each question, with `others` (URI, text) on disk.
    fn duplicates_among(uri: &str, text: &str, others: &[(&str, &str)]) -> Vec<(u32, String)> {
        let note = Note::new(text);
        let a = Analysis::of(&note);
        let facts = Facts::of(uri, &note, &a, SlugStyle::Github);
        let ws = Workspace::default();
        for (u, t) in others {
            ws.insert(NoteSummary::from_text(u, t, SlugStyle::Github));
        }
        let view = View {
            ws: &ws,
            open: Vec::new(),
        };
        let found = view.duplicate_questions(&facts);
        found
            .iter()
            .map(|d| {
                (
                    note.to_line_col(d.range.start, Encoding::Utf8).line,
                    d.message.clone(),
                )
            })
            .collect()
    }

    /// The messages of `text`'s duplicate questions, by the line of each question.
    fn duplicates_by_line(text: &str) -> Vec<(u32, String)> {
        duplicates_among("file:///notes/quiz.md", text, &[])
    }

    #[test]
    fn the_code_a_question_shows_tells_it_apart_wherever_it_sits() {
        let q = "### What is the output of below code?\n\n";
        let text = [
            format!("{q}```js\nconsole.log(1)\n```\n\nIt prints 1.\n\n"),
            format!("{q}```js\nconsole.log(2)\n```\n\n"),
            // The same sample, indented: the same question.
            format!("{q}```js\n  console.log(1)\n```\n\n"),
            // No code: not the question of any of them.
            format!("{q}- 1: console.log(true && 'hi');\n\n"),
            // A sample after a lead-in is the question's code all the same.
            format!("{q}Given this:\n\n```js\nconsole.log(3)\n```\n\n"),
            // In <details>, after prose: the same code as the first.
            format!("{q}<details>\n\nSee:\n\n```js\nconsole.log(1)\n```\n\n</details>\n\n"),
        ]
        .concat();
        assert_eq!(
            duplicates_by_line(&text),
            [
                (0, "also asked 2 more times: line 15, line 33".to_string()),
                (14, "also asked 2 more times: line 1, line 33".to_string()),
                (32, "also asked 2 more times: line 1, line 15".to_string()),
            ]
        );
        // Code written inline on its own line is code too.
        let inline = "### What is the output of this code?\n\n`echo 5 % 0.75;`\n\n\
                      ### What is the output of this code?\n\n`echo 5 % 2;`\n\n\
                      ### What is the output of this code?\n\n`echo 5 % 0.75;`\n";
        assert_eq!(
            duplicates_by_line(inline),
            [
                (0, "also asked at line 9".to_string()),
                (8, "also asked at line 1".to_string()),
            ]
        );
        // A quiz: one title over different samples asks different questions.
        let quiz: String = (0..5)
            .map(|i| {
                format!("#### {i}. What is the output of below code\n\n```js\nf({i})\n```\n\n")
            })
            .collect();
        assert_eq!(duplicates_by_line(&quiz), []);
    }

    #[test]
    fn other_notes_are_named_by_note_then_line_whatever_order_they_are_opened_in() {
        let q = "### What is a closure?\n\nA function with its scope.\n\n";
        let note = Note::new(q);
        let a = Analysis::of(&note);
        let facts = Facts::of("file:///notes/me.md", &note, &a, SlugStyle::Github);
        let ws = Workspace::default();
        let twice = format!("# M\n\n{q}### Hoisting?\n\nYes.\n\n{q}");
        ws.insert(NoteSummary::from_text(
            "file:///notes/m.md",
            &twice,
            SlugStyle::Github,
        ));
        let open = |uri: &str| Arc::new(NoteSummary::from_text(uri, q, SlugStyle::Github));
        let (b, z) = (open("file:///notes/b.md"), open("file:///notes/z.md"));
        for open in [vec![z.clone(), b.clone()], vec![b.clone(), z.clone()]] {
            let view = View { ws: &ws, open };
            let found = view.duplicate_questions(&facts);
            assert_eq!(found.len(), 1);
            assert_eq!(
                found[0].message,
                "also asked 4 more times: b.md:1, m.md:3, m.md:11 and 1 more"
            );
            let related: Vec<&str> = found[0].related.iter().map(|r| &*r.uri).collect();
            assert_eq!(
                related,
                [
                    "file:///notes/b.md",
                    "file:///notes/m.md",
                    "file:///notes/m.md",
                    "file:///notes/z.md"
                ]
            );
        }
    }

    #[test]
    fn choices_tell_quiz_questions_apart() {
        let q = "#### Which expression evaluates to true?\n\n";
        let text = [
            format!("{q}- [ ] `[3] == [3]`\n- [x] `3 == '3'`\n\n"),
            format!("{q}- [ ] Boolean(NaN)\n- [x] Boolean(\"false\")\n\n"),
            // The first choices again, another one ticked: the same question.
            format!("{q}- [x] `[3] == [3]`\n- [ ] `3 == '3'`\n"),
        ]
        .concat();
        assert_eq!(
            duplicates_by_line(&text),
            [
                (0, "also asked at line 11".to_string()),
                (10, "also asked at line 1".to_string()),
            ]
        );
    }

    #[test]
    fn pictures_tell_quiz_questions_apart() {
        let q = "#### What type of chart is this?\n\n";
        let choices = "- [x] histogram\n- [ ] waterfall\n\n";
        let text = [
            format!("{q}![Image](images/Q155.png?raw=true)\n\n{choices}"),
            format!("{q}![Image](images/Q156.png?raw=true)\n\n{choices}"),
            // The first picture again, in HTML: the same question.
            format!("{q}<img src=\"images/Q155.png?raw=true\" width=\"400\">\n\n{choices}"),
        ]
        .concat();
        assert_eq!(
            duplicates_by_line(&text),
            [
                (0, "also asked at line 15".to_string()),
                (14, "also asked at line 1".to_string()),
            ]
        );
    }

    #[test]
    fn a_title_seen_with_one_piece_of_code_decides_alone() {
        // Asked with an example once and in prose twice: one question, three times.
        let text = "## What is a closure?\n\n```python\ndef f():\n    x = 1\n    return lambda: x\n```\n\n\
                    ## What is a closure?\n\nA function that keeps its scope.\n\n\
                    ## What is a closure?\n\nA function with free variables.\n";
        let found = duplicates_by_line(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .all(|(_, m)| m.starts_with("also asked 2 more times"))
        );
    }

    #[test]
    fn numbered_tips_are_not_questions() {
        let tips = "# Study tips\n\n### 1. Use flashcards\n\nDaily.\n\n### 2. Practice aloud\n\n\
                    Weekly.\n\n## Again\n\n### 1. Use flashcards\n\nStill.\n";
        assert_eq!(duplicates_by_line(tips), []);
        // Among questions that ask, a numbered one asks too.
        let questions = "### 1. What is a closure?\n\nA function.\n\n### 2. Explain closures\n\n\
                         Again.\n\n### 3. Explain closures\n\nOnce more.\n";
        assert_eq!(
            duplicates_by_line(questions),
            [
                (4, "also asked at line 9".to_string()),
                (8, "also asked at line 5".to_string()),
            ]
        );
    }

    #[test]
    fn translations_do_not_ask_each_others_questions() {
        let readme = "# Notes\n\n## What is the event loop?\n\nIt runs tasks.\n";
        let found = duplicates_among(
            "file:///r/README.md",
            readme,
            &[
                ("file:///r/README-fr.md", readme),
                ("file:///r/README.zh_CN.md", readme),
                ("file:///r/translations/README-he.md", readme),
                (
                    "file:///r/concurrency.md",
                    "# C\n\n## What is the event loop?\n\nA loop.\n",
                ),
            ],
        );
        assert_eq!(found, [(2, "also asked in concurrency.md:3".to_string())]);
    }

    /// Other open notes are looked in by their summaries (which keep question keys as
    /// hashes), their titles normalized as this note's are; a note on disk that is open
    /// counts as open.
    #[test]
    fn questions_of_other_open_notes_count() {
        let mine = "# N\n\n## What is a closure?\n\nA function.\n\n## Why Rust?\n\nSafety.\n";
        let note = Note::new(mine);
        let a = Analysis::of(&note);
        let facts = Facts::of("file:///r/a.md", &note, &a, SlugStyle::Github);
        let ws = Workspace::default();
        let other = "# O\n\n## 3. What is a Closure\n\nAgain.\n\n## What is a monad?\n\nNo.\n";
        ws.insert(NoteSummary::from_text(
            "file:///r/b.md",
            "# Old\n\n## Why Rust?\n\nOld.\n",
            SlugStyle::Github,
        ));
        let view = View {
            ws: &ws,
            open: vec![Arc::new(NoteSummary::from_text(
                "file:///r/b.md",
                other,
                SlugStyle::Github,
            ))],
        };
        let found: Vec<String> = view
            .duplicate_questions(&facts)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(found, ["also asked in b.md:3"]);
    }

    #[test]
    fn messages_name_other_notes_as_their_files_are_named() {
        let note = "# N\n\n## What is a closure?\n\nA function.\n";
        let found = duplicates_among(
            "file:///r/a.md",
            note,
            &[(
                "file:///r/%E3%80%8A%E6%B7%B1%E5%BA%A6%E3%80%8B%20notes.md",
                note,
            )],
        );
        assert_eq!(
            found,
            [(2, "also asked in 《深度》 notes.md:3".to_string())]
        );
    }
}
