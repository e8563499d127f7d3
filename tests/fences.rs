//! Unclosed fences as CommonMark ends them: with their list item or block quote, or at the
//! top with the note. The extents below are markdown-it's (scripts/fence_reference.mjs over
//! `fixtures/fences/`, checked by hand); CI compares the two over the whole corpus.

use notes_lsp::actions::{self, Ctx};
use notes_lsp::analysis::Analysis;
use notes_lsp::codes::code;
use notes_lsp::note::{Encoding, Note};
use notes_lsp::outline::SlugStyle;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fences")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The unclosed-fence diagnostics of a note: (1-based line, message).
fn unclosed(text: &str) -> Vec<(u32, String)> {
    let note = Note::new(text);
    let a = Analysis::of(&note);
    a.diagnostics
        .iter()
        .filter(|d| d.code == code::UNCLOSED_FENCE)
        .map(|d| {
            (
                note.to_line_col(d.range.start, Encoding::Utf8).line + 1,
                d.message.to_string(),
            )
        })
        .collect()
}

/// The last line (1-based) of each sample, as the outline and folding see it.
fn sample_ends(text: &str) -> Vec<u32> {
    let note = Note::new(text);
    let a = Analysis::of(&note);
    a.samples
        .iter()
        .map(|s| {
            let body = note.slice(s.range.clone());
            let last = s.range.start + body.trim_end().len() - 1;
            note.to_line_col(last, Encoding::Utf8).line + 1
        })
        .collect()
}

#[test]
fn a_fence_ends_with_its_list_item() {
    let text = fixture("list.md");
    assert_eq!(
        unclosed(&text),
        [(
            5,
            "this code fence is never closed: it ends with its list item, 1 line below".into()
        )]
    );
    // markdown-it: lines 5-6; the `}` on line 7 is outside the item, a paragraph.
    assert_eq!(sample_ends(&text), [6]);
}

#[test]
fn a_fence_ends_with_its_block_quote() {
    let text = fixture("quote.md");
    assert_eq!(
        unclosed(&text),
        [(
            3,
            "this code fence is never closed: it ends with its block quote, 1 line below".into()
        )]
    );
    assert_eq!(sample_ends(&text), [4]);
}

#[test]
fn a_fence_at_the_top_swallows_the_rest_of_the_note() {
    let text = fixture("top.md");
    assert_eq!(
        unclosed(&text),
        [(
            3,
            "this code fence is never closed: it swallows the rest of the note \
             (5 lines, 1 heading included)"
                .into()
        )]
    );
}

#[test]
fn a_closing_fence_outside_the_item_opens_another() {
    // The column-0 fence on line 5 ends the list item and opens a fence of its own.
    let text = fixture("closer.md");
    assert_eq!(
        unclosed(&text),
        [
            (
                3,
                "this code fence is never closed: it ends with its list item, 1 line below".into()
            ),
            (
                5,
                "this code fence is never closed: it swallows the rest of the note (2 lines)"
                    .into()
            ),
        ]
    );
    assert_eq!(unclosed(&fixture("closed.md")), []);
}

#[test]
fn a_heading_in_the_list_item_does_not_make_the_fence_top_level() {
    // `1. ### ...` puts a section inside the item: the fence is still in the list item.
    let text = "1. ### What is it?\n\n   ```js\n   f(1)\n\n2. ### Next?\n\n   Text.\n";
    assert_eq!(
        unclosed(text),
        [(
            3,
            "this code fence is never closed: it ends with its list item, 1 line below".into()
        )]
    );
}

#[test]
fn the_fix_closes_the_fence_inside_its_list_item() {
    let text = fixture("list.md");
    let note = Note::new(&text);
    let a = Analysis::of(&note);
    let cx = Ctx::new(&note, &a, SlugStyle::Github);
    let fixes = actions::everywhere(&cx);
    let close = fixes
        .iter()
        .find(|f| f.id == "close-fence")
        .unwrap_or_else(|| {
            panic!(
                "no close-fence fix: {:?}",
                fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
            )
        });
    let fixed = actions::apply(&text, &close.edits);
    assert!(fixed.contains("   console.log(1)\n   ```\n"), "{fixed}");
    assert_eq!(unclosed(&fixed), []);
}
