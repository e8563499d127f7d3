//! Property: an analysis updated after each edit ([`Incremental`]: the chunks the edit left
//! alone keep their items, moved) equals the analysis of the edited note built from scratch.

use notes_lsp::analysis::{Analysis, Incremental};
use notes_lsp::config::SlugStyle;
use notes_lsp::note::Note;
use notes_lsp::outline;
use notes_lsp::workspace::{Facts, QuestionMemo};
use proptest::prelude::*;

mod pieces;
mod scale;
use pieces::{PIECES, TABLE_PIECES};
use scale::cases;

fn piece() -> impl Strategy<Value = &'static str> {
    proptest::sample::select([PIECES, TABLE_PIECES].concat())
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
}

#[derive(Debug, Clone)]
struct Edit {
    /// Where, as a fraction of the text's length (so edits stay in range whatever came before).
    at: f64,
    delete: usize,
    insert: &'static str,
    /// Whether the analysis is brought up to date after this edit (the server skips
    /// versions that a newer edit superseded before their diagnostics ran).
    look: bool,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        0.0..=1.0f64,
        0usize..12,
        piece(),
        proptest::bool::weighted(0.8),
    )
        .prop_map(|(at, delete, insert, look)| Edit {
            at,
            delete,
            insert,
            look,
        })
}

fn check(initial: &str, edits: &[Edit]) {
    check_with(initial, edits, None);
    // Many small chunks, cut at blank lines: edits near and across their boundaries.
    check_with(initial, edits, Some(48));
}

fn check_with(initial: &str, edits: &[Edit], soft_above: Option<usize>) {
    let new = |text: &str| match soft_above {
        Some(n) => Note::with_soft_cuts(text, n),
        None => Note::new(text),
    };
    let mut model = initial.to_string();
    let mut note = new(initial);
    let mut inc = Incremental::new(&note);
    assert_eq!(**inc.analysis(), Analysis::of(&note), "built for {model:?}");
    let mut memo = QuestionMemo::default();
    same_questions(&note, &inc, &mut memo, &model);
    for e in edits {
        let start = model.floor_char_boundary((model.len() as f64 * e.at) as usize);
        let end = model.floor_char_boundary(start + e.delete);
        model.replace_range(start..end, e.insert);
        note.edit(start..end, e.insert);
        if e.look {
            inc.update(&note);
            assert_eq!(
                **inc.analysis(),
                Analysis::of(&note),
                "updated after {e:?}, now {model:?}"
            );
            // Not every version's facts are asked for (a request may come between).
            if e.at < 0.7 {
                same_questions(&note, &inc, &mut memo, &model);
            }
        }
    }
    inc.update(&note);
    assert_eq!(**inc.analysis(), Analysis::of(&note), "final {model:?}");
    same_questions(&note, &inc, &mut memo, &model);
    // Another note altogether (the client sent the whole text): nothing is kept.
    let other = new(&format!("# Other\n\n{model}"));
    inc.update(&other);
    assert_eq!(**inc.analysis(), Analysis::of(&other));
    same_questions(&other, &inc, &mut memo, &model);
}

/// The facts' questions, their keys and lines, moved from the last version's by `memo`, are
/// those found from scratch.
fn same_questions(note: &Note, inc: &Incremental, memo: &mut QuestionMemo, model: &str) {
    let uri = "file:///notes/edited.md";
    let style = SlugStyle::Github;
    let slugs = outline::slugs_of(&inc.analysis().headings, style).into();
    let moved = Facts::with_memo(uri, note, inc, slugs, style, memo);
    let fresh = Facts::of(uri, note, &Analysis::of(note), style);
    assert_eq!(moved.questions, fresh.questions, "{model:?}");
    assert_eq!(moved.question_lines, fresh.question_lines, "{model:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(100), ..ProptestConfig::default() })]

    #[test]
    fn updated_equals_built(initial in text(), edits in proptest::collection::vec(edit(), 1..30)) {
        check(&initial, &edits);
    }
}

/// A note of many chunks, edited in many places, each edit checked: sections whose ends
/// move, questions answered and unanswered from the chunks after them, lists continued
/// across chunks, headings added and removed.
#[test]
fn big_note_updates_equal_built() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            "## Section {i}\n\n### {i}. What is item {i}?\n\nAnswer {i}.\n\n```python\nx = {i}\n```\n\n\
             #### Why {i}?\n\n- one\n\n- two [a](#section-{i})\n\n- three\n\n**Really {i}?**\n\n"
        ));
    }
    let mut next = pieces::xorshift(0x9E3779B97F4A7C15);
    let edits: Vec<Edit> = (0..cases(120))
        .map(|k| Edit {
            at: (next() % 10_000) as f64 / 10_000.0,
            delete: (next() % 4) as usize,
            // Mostly typing, as in an editor.
            insert: if k % 3 == 0 {
                PIECES[(next() % PIECES.len() as u64) as usize]
            } else {
                "x"
            },
            look: true,
        })
        .collect();
    check(&text, &edits);
}
