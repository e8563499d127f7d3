//! `notes-lsp check` and the command line, through the real binary, on notes written into
//! temporary directories. Every run is bounded by a timeout (a guard against hangs only).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(120);

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "notes-lsp-cli-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args` in `cwd`, bounded by `TIMEOUT`; stdin is empty.
fn run(args: &[&str], cwd: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("notes-lsp {args:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8(out.join().unwrap()).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

fn json_of(r: &Run) -> Vec<Value> {
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", r.stdout));
    v.as_array().expect("one JSON array").clone()
}

fn utf16_len(s: &str) -> u64 {
    s.encode_utf16().count() as u64
}

/// 0-based line and UTF-16 column of the first occurrence of `needle` in `text` (plus
/// `skip` bytes).
fn lsp_pos(text: &str, needle: &str, skip: usize) -> (u64, u64) {
    let at = text.find(needle).expect("needle in text") + skip;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (
        text[..at].matches('\n').count() as u64,
        utf16_len(&text[line_start..at]),
    )
}

fn start_of(d: &Value) -> (u64, u64) {
    (
        d["range"]["start"]["line"].as_u64().unwrap(),
        d["range"]["start"]["character"].as_u64().unwrap(),
    )
}

fn end_of(d: &Value) -> (u64, u64) {
    (
        d["range"]["end"]["line"].as_u64().unwrap(),
        d["range"]["end"]["character"].as_u64().unwrap(),
    )
}

const PIN_NOTE: &str = r#"## Packaging

### How do you pin a dependency?

```json
{"dependencies": {"requests": "2.31.0",}}
```
"#;

#[test]
fn text_output_reads_like_a_compiler() {
    let dir = TempDir::new("text");
    dir.write("pin.md", PIN_NOTE);
    let r = run(&["check", "pin.md"], dir.path());
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let json_line = r#"{"dependencies": {"requests": "2.31.0",}}"#;
    let col = json_line.find(",}").unwrap() + 2; // 1-based column of the `}`
    let want = format!(
        "error[json-syntax]: key must be a string\n \
         --> pin.md:6:{col}\n  \
         |\n\
         6 | {json_line}\n  \
         | {}^\n\n",
        " ".repeat(col - 1)
    );
    assert_eq!(r.stdout, want);
    assert!(
        r.stderr.contains("checked 1 file: 1 error"),
        "summary on stderr: {}",
        r.stderr
    );
}

#[test]
fn text_output_for_a_python_error_shows_line_and_caret() {
    let dir = TempDir::new("text-py");
    let mut note = String::from("# Closures\n\n### What does `nonlocal` do?\n\n");
    note.push_str("It rebinds a name in the enclosing function's scope.\n\n");
    // Padding so the line number has two digits and the gutter widens.
    for i in 0..4 {
        note.push_str(&format!("Point {i}.\n\n"));
    }
    note.push_str("```python\ndef counter()\n    n = 0\n```\n");
    dir.write("closures.md", &note);
    let r = run(&["check", "closures.md"], dir.path());
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("error[python-syntax]: "),
        "{}",
        r.stdout
    );
    let line_no = note.lines().position(|l| l == "def counter()").unwrap() + 1;
    assert!(line_no >= 10);
    assert_eq!(lines[1], format!("  --> closures.md:{line_no}:14"));
    assert_eq!(lines[2], "   |");
    assert_eq!(lines[3], format!("{line_no} | def counter()"));
    assert_eq!(lines[4], format!("   | {}^", " ".repeat(13)));
}

/// Emoji (outside the BMP: two UTF-16 units, four UTF-8 bytes) before each error.
const EMOJI_NOTE: &str = r#"## Pets 🐍

### Why do 🐍 pythons make good pets? 🤔

### How do you check the first pet?

```python
pets = ["🐍", "🐈"]
if pets[0] == "🐍🐍"
    print("two snakes")
```

### What does a pet record look like?

```json
{"pet": "🐍 Monty", "age": 3,}
```
"#;

#[test]
fn json_output_uses_lsp_conventions() {
    let dir = TempDir::new("json");
    dir.write("pets.md", EMOJI_NOTE);
    let r = run(&["check", "--format", "json", "pets.md"], dir.path());
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let items = json_of(&r);
    assert_eq!(items.len(), 3, "{:#}", Value::Array(items.clone()));
    for d in &items {
        let mut keys: Vec<_> = d.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["code", "message", "path", "range", "severity"],
            "{d}"
        );
        assert_eq!(d["path"], "pets.md");
        assert!(!d["message"].as_str().unwrap().is_empty());
    }
    let codes: Vec<_> = items.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["unanswered-question", "python-syntax", "json-syntax"]
    );
    let sev: Vec<_> = items
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["information", "error", "error"]);

    let q = "### Why do 🐍 pythons make good pets? 🤔";
    assert_eq!(start_of(&items[0]), lsp_pos(EMOJI_NOTE, q, 4));
    assert_eq!(end_of(&items[0]), lsp_pos(EMOJI_NOTE, q, q.len()));
    assert_eq!(start_of(&items[0]), (2, 4), "0-based lines");
    assert_eq!(end_of(&items[0]).1, 4 + utf16_len(&q[4..]));

    let if_line = "if pets[0] == \"🐍🐍\"";
    let (line, ch) = lsp_pos(EMOJI_NOTE, if_line, if_line.len());
    assert_eq!(start_of(&items[1]), (line, ch));
    assert_eq!(ch, 20, "UTF-16 units, not bytes (24) or chars (18)");

    let (line, ch) = lsp_pos(EMOJI_NOTE, "3,}", 2);
    assert_eq!(start_of(&items[2]), (line, ch));
    assert_eq!(end_of(&items[2]), (line, ch + 1));
    assert_eq!(ch, 29, "UTF-16 units, not bytes (31)");
    assert_eq!(items[2]["message"], "key must be a string");
}

#[test]
fn json_output_is_an_empty_array_for_a_clean_note() {
    let dir = TempDir::new("clean");
    dir.write(
        "clean.md",
        "## Lists\n\n### How do you copy a list?\n\n```python\nys = xs[:]\n```\n",
    );
    let r = run(&["check", "--format", "json", "clean.md"], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(json_of(&r).is_empty(), "{}", r.stdout);
}

#[test]
fn only_warnings_and_information_exit_zero() {
    let dir = TempDir::new("warnings");
    dir.write(
        "soft.md",
        "## Loops\n\n### What does `else` on a `for` loop do?\n\n\
         ### How do you loop with an index?\n\nUse `enumerate`:\n\n\
         ```\nfor i, x in enumerate(xs):\n    print(i, x)\n```\n\n\
         ### How do you stop early?\n\n\
         ```\nfor x in xs:\n    if x:\n        break\nprint(x\n```\n\n\
         ~~~python\nwhile True:\n    pass\n",
    );
    let r = run(&["check", "--format", "json", "soft.md"], dir.path());
    let items = json_of(&r);
    let mut got: Vec<(&str, &str)> = items
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("guessed-python-syntax", "warning"),
            ("missing-language", "hint"),
            ("unanswered-question", "information"),
            ("unclosed-fence", "warning"),
        ],
        "{}",
        r.stdout
    );
    assert_eq!(r.code, Some(0), "no errors: {}", r.stderr);
    let text = run(&["check", "soft.md"], dir.path());
    assert_eq!(text.code, Some(0));
}

#[test]
fn a_missing_path_exits_two_and_the_other_files_are_still_reported() {
    let dir = TempDir::new("missing");
    dir.write("pin.md", PIN_NOTE);
    let r = run(
        &["check", "--format", "json", "no-such-dir", "pin.md"],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("no-such-dir"), "{}", r.stderr);
    let items = json_of(&r);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["path"], "pin.md");
    // In text mode too.
    let r = run(&["check", "pin.md", "no-such-file.md"], dir.path());
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.contains("error[json-syntax]"), "{}", r.stdout);
    assert!(r.stderr.contains("no-such-file.md"), "{}", r.stderr);
}

#[test]
fn a_non_utf8_file_exits_two_and_the_other_files_are_still_reported() {
    let dir = TempDir::new("latin1");
    // "Qu'est-ce qu'une fermeture ?" in Latin-1: é is the single byte 0xE9.
    dir.write(
        "notes/latin1.md",
        b"## Fermetures\n\n### Qu'est-ce qu'une fonction imbriqu\xe9e ?\n".as_slice(),
    );
    dir.write("notes/pin.md", PIN_NOTE);
    dir.write(
        "notes/ok.md",
        "## Sets\n\n### Is a set ordered?\n\nNo: iteration order is arbitrary.\n",
    );
    let r = run(&["check", "--format", "json", "notes"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("latin1.md"), "{}", r.stderr);
    let items = json_of(&r);
    assert_eq!(items.len(), 1, "{}", r.stdout);
    assert!(Path::new(items[0]["path"].as_str().unwrap()).ends_with("notes/pin.md"));
}

#[test]
fn directories_are_walked_honouring_gitignore() {
    let dir = TempDir::new("walk");
    dir.write(".gitignore", "drafts/\nscratch.md\n");
    dir.write("topics/pin.md", PIN_NOTE);
    dir.write("topics/deeper/pets.markdown", EMOJI_NOTE);
    dir.write("drafts/pin.md", PIN_NOTE);
    dir.write("scratch.md", PIN_NOTE);
    dir.write("topics/not-a-note.txt", PIN_NOTE);
    let paths = |r: &Run| {
        let mut p: Vec<String> = json_of(r)
            .iter()
            .map(|d| d["path"].as_str().unwrap().replace('\\', "/"))
            .collect();
        p.dedup();
        p
    };
    for args in [
        &["check", "--format", "json", "."][..],
        &["check", "--format", "json"][..],
    ] {
        let r = run(args, dir.path());
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
        let got = paths(&r);
        assert_eq!(got.len(), 2, "{args:?}: {got:?}");
        assert!(got[0].ends_with("topics/deeper/pets.markdown"), "{got:?}");
        assert!(got[1].ends_with("topics/pin.md"), "{got:?}");
    }
    // A gitignored file named explicitly is still checked.
    let r = run(&["check", "--format", "json", "scratch.md"], dir.path());
    assert_eq!(paths(&r), ["scratch.md"]);
    // And from outside, with the directory as the argument.
    let parent = dir.path().parent().unwrap();
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let r = run(&["check", "--format", "json", name], parent);
    assert_eq!(paths(&r).len(), 2, "{}", r.stdout);
}

#[test]
fn help_and_version_exit_zero() {
    let here = std::env::temp_dir();
    let r = run(&["--help"], &here);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.contains("Usage:"), "{}", r.stdout);
    assert!(r.stdout.contains("--stdio"), "{}", r.stdout);
    assert!(r.stdout.contains("check"), "{}", r.stdout);

    let r = run(&["--version"], &here);
    assert_eq!(r.code, Some(0));
    // `notes-lsp 0.1.0 (4f3c2a1b9e0d 2026-12-07)` from a release build of a checkout, the
    // commit alone from a packaged crate, `(debug build)` from a debug one (build.rs).
    let version = r.stdout.trim();
    assert_eq!(version, format!("notes-lsp {}", notes_lsp::VERSION));
    let build = version
        .strip_prefix(&format!("notes-lsp {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{version}"));
    let commit = build.split(' ').next().unwrap_or_default();
    let commit = commit.strip_suffix("-dirty").unwrap_or(commit);
    let is_commit = commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit());
    assert!(
        is_commit || build == "debug build" || build == "commit unknown",
        "{version}"
    );

    let r = run(&["check", "--help"], &here);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.contains("--format"), "{}", r.stdout);
}

#[test]
fn no_arguments_print_help_without_hanging() {
    // `arg_required_else_help`: clap prints the help on stderr and exits with status 2 (a
    // usage error), without waiting for input.
    let r = run(&[], &std::env::temp_dir());
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("Usage:"), "{}", r.stderr);
    assert!(r.stderr.contains("--stdio"), "{}", r.stderr);
}

#[test]
fn usage_errors_exit_two() {
    let dir = TempDir::new("usage");
    for args in [
        &["--no-such-flag"][..],
        &["check", "--format", "yaml", "."][..],
        &["frobnicate"][..],
    ] {
        let r = run(args, dir.path());
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn a_broken_settings_file_is_named_with_its_line_and_exits_two() {
    let dir = TempDir::new("settings");
    let note = "# Notes\n\n```python\nprint('hi')\n```\n";
    dir.write("a.md", note);
    dir.write(".notes-lsp.toml", "# mine\nslugs = \"gitlab\n");
    let r = run(&["check", "."], dir.path());
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(".notes-lsp.toml:2:"),
        "file and line named: {}",
        r.stderr
    );
    // The notes are still checked (with the default settings) and reported.
    assert!(r.stderr.contains("checked 1 file"), "{}", r.stderr);

    // An unknown key or code is a problem with the file too, at its own line.
    dir.write(
        ".notes-lsp.toml",
        "slugs = \"gitlab\"\n[diagnostics]\nbroken-link = \"off\"\nno-such-code = \"off\"\n",
    );
    let r = run(&["check", "."], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(".notes-lsp.toml:4:1: unknown diagnostic code `no-such-code`"),
        "{}",
        r.stderr
    );
    // `--fix` writes nothing while the settings are wrong (codes turned off must stay so).
    dir.write("b.md", "# B\n\n```\nprint('untagged')\n```\n");
    let r = run(&["check", "--fix", "."], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.md")).unwrap(),
        "# B\n\n```\nprint('untagged')\n```\n"
    );

    // Fixed, the same folder exits 0.
    dir.write(".notes-lsp.toml", "slugs = \"gitlab\"\n");
    let r = run(&["check", "."], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.stderr.contains("settings"), "{}", r.stderr);
}

#[test]
fn a_folder_without_notes_is_reported_and_exits_two() {
    let dir = TempDir::new("no-notes");
    dir.write("readme.txt", "not a note\n");
    dir.write("ignored/a.md", "# A\n");
    dir.write(".gitignore", "ignored/\n");
    for args in [&["check"][..], &["check", "."][..]] {
        let r = run(args, dir.path());
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("no notes"), "{args:?}: {}", r.stderr);
    }
}
