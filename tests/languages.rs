//! The sample languages checked through tree-sitter, against fixtures: each sample in
//! `fixtures/languages/*.md` is preceded by `<!-- expect ok -->` or
//! `<!-- expect LINE MESSAGE -->` (LINE counted from the sample's first code line, MESSAGE
//! the start of the message).

use notes_lsp::note::Note;
use notes_lsp::samples::{Sample, registry};

struct Case {
    /// The fence's line in the fixture (1-based), for failure messages.
    line: usize,
    tag: String,
    source: String,
    expect: Option<(usize, String)>,
}

fn line_of(text: &str, at: usize) -> usize {
    1 + text[..at].matches('\n').count()
}

fn cases(path: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let note = Note::new(&text);
    let mut out = Vec::new();
    for (start, chunk) in note.chunks() {
        for block in chunk.code_blocks() {
            let at = start + block.range.start;
            let sample = Sample::extract(chunk.text(), &block);
            let comment = text[..at]
                .rfind("<!-- expect ")
                .map(|k| &text[k + "<!-- expect ".len()..])
                .and_then(|rest| rest.split_once(" -->"))
                .map(|(e, _)| e.trim().to_string())
                .unwrap_or_else(|| panic!("{path}:{}: no expectation", line_of(&text, at)));
            let expect = (comment != "ok").then(|| {
                let (n, msg) = comment.split_once(' ').expect("LINE MESSAGE");
                (n.parse().expect("a line number"), msg.to_string())
            });
            out.push(Case {
                line: line_of(&text, at),
                tag: sample.tag.clone(),
                source: sample.source,
                expect,
            });
        }
    }
    out
}

fn check_fixture(name: &str) {
    let path = format!("{}/fixtures/languages/{name}", env!("CARGO_MANIFEST_DIR"));
    let cases = cases(&path);
    assert!(cases.len() >= 8, "{path}: too few samples");
    let mut failures = Vec::new();
    for case in cases {
        let tag = registry::normalize(&case.tag);
        let language = registry::by_tag(&tag)
            .filter(|l| l.checker(&tag).is_some())
            .unwrap_or_else(|| panic!("{path}:{}: no checker for {}", case.line, case.tag));
        let got = language.run(&tag, &case.source).map(|e| {
            (
                1 + case.source[..e.range.start].matches('\n').count(),
                e.message,
            )
        });
        let ok = match (&case.expect, &got) {
            (None, None) => true,
            (Some((line, msg)), Some((got_line, got_msg))) => {
                line == got_line && got_msg.starts_with(msg.as_str())
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{path}:{}: expected {:?}, got {:?}",
                case.line, case.expect, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn c_fixtures() {
    check_fixture("c.md");
}

#[test]
fn cpp_fixtures() {
    check_fixture("cpp.md");
}

#[test]
fn java_fixtures() {
    check_fixture("java.md");
}

#[test]
fn go_fixtures() {
    check_fixture("go.md");
}

#[test]
fn bash_fixtures() {
    check_fixture("bash.md");
}

#[test]
fn rust_fixtures() {
    check_fixture("rust.md");
}

#[test]
fn php_fixtures() {
    check_fixture("php.md");
}

#[test]
fn ruby_fixtures() {
    check_fixture("ruby.md");
}

#[test]
fn csharp_fixtures() {
    check_fixture("csharp.md");
}

#[test]
fn kotlin_fixtures() {
    check_fixture("kotlin.md");
}

#[test]
fn swift_fixtures() {
    check_fixture("swift.md");
}
