//! The data-driven test helper every fix uses: a fixture with a cursor marker (`$0`, or two
//! for a selection), the rule expected there and the text it must produce. Besides the text,
//! [`check_fix`] asserts what every fix promises: its diagnostic is gone, no diagnostic
//! appeared, the text outside its edits is unchanged, and fix-all is idempotent.

use std::ops::Range;

use super::{Ctx, Fix, Options, apply, at, fix_all};
use crate::analysis::Analysis;
use crate::config::SlugStyle;
use crate::note::Note;

pub const CURSOR: &str = "$0";

/// The text without its markers and the range they mark.
pub fn cursor(fixture: &str) -> (String, Range<usize>) {
    let first = fixture.find(CURSOR).expect("fixture has a $0 cursor");
    let text = fixture.replacen(CURSOR, "", 1);
    match text.find(CURSOR) {
        Some(second) => (text.replacen(CURSOR, "", 1), first..second),
        None => (text, first..first),
    }
}

/// (code, message) of every diagnostic of `text`, sorted.
pub fn diagnostics(text: &str) -> Vec<(&'static str, String)> {
    let note = Note::new(text);
    let mut v: Vec<_> = Analysis::of(&note)
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.to_string()))
        .collect();
    v.sort();
    v
}

/// The fixes offered at the fixture's cursor.
pub fn fixes_at(fixture: &str) -> (String, Vec<Fix>) {
    let (text, range) = cursor(fixture);
    let note = Note::new(&text);
    let a = Analysis::of(&note);
    let cx = Ctx::new(&note, &a, SlugStyle::Github);
    let fixes = at(&cx, range);
    (text, fixes)
}

/// Asserts the promises every fix keeps, for `fix` applied to `text`; returns the result.
pub fn assert_fix_promises(text: &str, fix: &Fix) -> String {
    // Edits are sorted and disjoint, and everything between them is kept byte for byte.
    for w in fix.edits.windows(2) {
        assert!(w[0].0.end <= w[1].0.start, "edits overlap: {:?}", fix.edits);
    }
    let out = apply(text, &fix.edits);
    let mut at_old = 0;
    let mut at_new = 0;
    for (r, new) in &fix.edits {
        let kept = &text[at_old..r.start];
        assert_eq!(&out[at_new..at_new + kept.len()], kept);
        at_new += kept.len() + new.len();
        at_old = r.end;
    }
    assert_eq!(&out[at_new..], &text[at_old..]);

    let before = diagnostics(text);
    let after = diagnostics(&out);
    // Workspace diagnostics (broken links) are checked by their own tests.
    if let Some(code) = fix
        .diagnostic_code
        .filter(|c| *c != crate::codes::code::BROKEN_LINK)
    {
        let n = |l: &[(&str, String)]| l.iter().filter(|(c, _)| *c == code).count();
        assert!(
            n(&after) < n(&before),
            "{code} is still there after {:?}:\n{out}",
            fix.title
        );
    }
    if fix.safe {
        let mut rest = before.clone();
        for d in &after {
            let i = rest
                .iter()
                .position(|r| r == d)
                .unwrap_or_else(|| panic!("{d:?} appeared after {:?}:\n{out}", fix.title));
            rest.remove(i);
        }
    }
    out
}

/// Asserts fix-all's promises on `text`: running it again changes nothing.
pub fn assert_fix_all_idempotent(text: &str) -> String {
    let once = fix_all(text, &Options::default(), None);
    let twice = fix_all(&once.text, &Options::default(), None);
    assert_eq!(twice.text, once.text, "fix-all changed its own result");
    assert!(twice.applied.is_empty(), "{:?}", twice.applied);
    once.text
}

/// The fix `id` is offered at the cursor and turns the fixture into `expected`.
pub fn check_fix(id: &str, fixture: &str, expected: &str) -> Fix {
    let (text, fixes) = fixes_at(fixture);
    let mut mine: Vec<&Fix> = fixes.iter().filter(|f| f.id == id).collect();
    assert_eq!(
        mine.len(),
        1,
        "expected one {id} fix, got {:#?}",
        fixes.iter().map(|f| (f.id, &f.title)).collect::<Vec<_>>()
    );
    let fix = mine.remove(0).clone();
    let out = assert_fix_promises(&text, &fix);
    assert_eq!(out, expected, "{}", fix.title);
    let all = assert_fix_all_idempotent(&text);
    if fix.safe {
        assert!(
            diagnostics(&all).len() <= diagnostics(&out).len(),
            "fix-all left more than the fix alone:\n{all}"
        );
    }
    fix
}

/// No fix `id` is offered at the cursor.
pub fn check_no_fix(id: &str, fixture: &str) {
    let (_, fixes) = fixes_at(fixture);
    let mine: Vec<_> = fixes.iter().filter(|f| f.id == id).collect();
    assert!(mine.is_empty(), "unexpected {id} fix: {mine:#?}");
}
