//! Tree-sitter samples parsed again from the tree of a recent parse (`samples::treesitter::
//! reparse`), and repairs tried with parses that stop at the first sure error, must get the
//! verdicts of whole parses from scratch. Random keystrokes (characters typed at the end of a
//! line or inside it, deletions, a pasted word) are typed into every sample of
//! `fixtures/languages/*.md`; after each, the checker's verdict with the trees of the
//! keystrokes before kept is compared with its verdict from scratch.
//! `NOTES_LSP_FUZZ_CASES` multiplies the keystroke sequences per sample.

mod scale;

use notes_lsp::note::Note;
use notes_lsp::samples::treesitter::reparse;
use notes_lsp::samples::{Sample, registry};

/// The tag and source of each sample of a fixture.
fn samples(name: &str) -> Vec<(String, String)> {
    let path = format!("{}/fixtures/languages/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    let note = Note::new(&text);
    let mut out = Vec::new();
    for (_, chunk) in note.chunks() {
        for block in chunk.code_blocks() {
            let sample = Sample::extract(chunk.text(), &block);
            out.push((sample.tag, sample.source));
        }
    }
    out
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

const KEYS: &[&str] = &[
    "a", "x", "_", "1", " ", ";", ",", ".", "(", ")", "{", "}", "[", "]", "=", "<", ">", ":", "\"",
    "'", "/", "*", "#", "$", "&", "|", "\n", "end", "...", "->", "é",
];

/// One keystroke: a key typed at the end of a line or anywhere, or a character deleted.
fn keystroke(text: &mut String, rng: &mut Rng) {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    match rng.below(10) {
        0..=4 => {
            // The end of the line `at` is on, where most typing happens.
            let end = text[at..].find('\n').map_or(text.len(), |k| at + k);
            text.insert_str(end, KEYS[rng.below(KEYS.len())]);
        }
        5..=7 => text.insert_str(at, KEYS[rng.below(KEYS.len())]),
        _ => {
            if let Some(c) = text[at..].chars().next() {
                text.replace_range(at..at + c.len_utf8(), "");
            }
        }
    }
}

fn typed_into(fixture: &str) {
    let sequences = scale::cases(2) as usize;
    let mut rng = Rng(0x5EED ^ fixture.len() as u64);
    let mut checked = 0;
    let mut differ = Vec::new();
    for (tag, source) in samples(fixture) {
        let tag = registry::normalize(&tag);
        let language = registry::by_tag(&tag)
            .filter(|l| l.checker(&tag).is_some())
            .unwrap_or_else(|| panic!("{fixture}: no checker for {tag}"));
        for _ in 0..sequences {
            let mut text = source.clone();
            // The trees of the text as written, as when a note is open before typing.
            language.run(&tag, &text);
            for _ in 0..8 {
                keystroke(&mut text, &mut rng);
                let reused = language.run(&tag, &text);
                // From scratch, and every parse read to its end (none stopped at an error).
                let fresh =
                    reparse::fresh_parses(|| reparse::whole_parses(|| language.run(&tag, &text)));
                checked += 1;
                if reused != fresh {
                    differ.push(format!(
                        "{text:?}: {reused:?} against {fresh:?} from scratch"
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 80,
        "{fixture}: only {checked} keystrokes checked"
    );
    assert!(differ.is_empty(), "{fixture}:\n{}", differ.join("\n"));
}

#[test]
fn c() {
    typed_into("c.md");
}

#[test]
fn cpp() {
    typed_into("cpp.md");
}

#[test]
fn csharp() {
    typed_into("csharp.md");
}

#[test]
fn java() {
    typed_into("java.md");
}

#[test]
fn go() {
    typed_into("go.md");
}

#[test]
fn bash() {
    typed_into("bash.md");
}

#[test]
fn rust() {
    typed_into("rust.md");
}

#[test]
fn php() {
    typed_into("php.md");
}

#[test]
fn ruby() {
    typed_into("ruby.md");
}

#[test]
fn kotlin() {
    typed_into("kotlin.md");
}

#[test]
fn swift() {
    typed_into("swift.md");
}
