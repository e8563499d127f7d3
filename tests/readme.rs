//! The README's command-line examples, run as written against the real binary.
//!
//! Every `console` block of README.md is a terminal session: `$ notes-lsp ...` lines are run
//! in order (in a copy of `docs/demo/`, so `check --fix` may write), and the lines after each
//! are its output, stdout and stderr as a terminal shows them. In the expected output a line
//! `...` stands for any number of lines and `[..]` for any text within a line; `$ echo $?`
//! prints the exit status of the command before it. A `notes-lsp` command anywhere else in
//! the README's code blocks fails the test: every example must be checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const README: &str = include_str!("../README.md");
const TIMEOUT: Duration = Duration::from_secs(60);

/// A command of a console block and what it must print.
struct Step {
    /// 1-based line of the `$` in README.md.
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
}

/// The code blocks of a Markdown text: (info string, 1-based line of the first content line,
/// content lines).
fn code_blocks(text: &str) -> Vec<(String, usize, Vec<&str>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, usize, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let fence: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        match &mut open {
            Some((marker, _, _, lines)) => {
                let closes = fence.len() >= marker.len()
                    && fence.starts_with(&marker[..1])
                    && trimmed[fence.len()..].trim().is_empty();
                if closes {
                    let (_, info, start, lines) = open.take().expect("open");
                    blocks.push((info, start, lines));
                } else {
                    lines.push(line);
                }
            }
            None if fence.len() >= 3 && fence.chars().all(|c| c == fence.as_bytes()[0] as char) => {
                let info = trimmed[fence.len()..].trim().to_string();
                open = Some((fence, info, i + 2, Vec::new()));
            }
            None => {}
        }
    }
    blocks
}

/// Splits a command line as a shell would for plain words and quotes ('...', "..."); a `#`
/// starting a word begins a comment.
fn split(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, '#') if word.is_none() => break,
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}

fn steps(start: usize, lines: &[&str]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        match line.strip_prefix("$ ") {
            Some(command) => steps.push(Step {
                line: start + k,
                args: split(command),
                expected: Vec::new(),
            }),
            None => steps
                .last_mut()
                .unwrap_or_else(|| panic!("README.md:{}: output before any `$`", start + k))
                .expected
                .push(line.to_string()),
        }
    }
    steps
}

/// Whether `got` matches `pattern`, where `[..]` matches any text.
fn line_matches(pattern: &str, got: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = got.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether the lines `got` match the lines `expected`, where a `...` line matches any run
/// of lines.
fn lines_match(expected: &[String], got: &[&str]) -> bool {
    match expected.split_first() {
        None => got.is_empty(),
        Some((e, rest)) if e == "..." => {
            (0..=got.len()).any(|skip| lines_match(rest, &got[skip..]))
        }
        Some((e, rest)) => got
            .split_first()
            .is_some_and(|(g, more)| line_matches(e, g) && lines_match(rest, more)),
    }
}

/// Runs the binary in `cwd` with stdout and stderr into one file, in the order written (as
/// a terminal shows them); returns the exit status and the output.
fn run(args: &[String], cwd: &Path, out_file: &Path) -> (i32, String) {
    let out = std::fs::File::create(out_file).expect("output file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes-lsp"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NOTES_LSP_LOG")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("a second handle"))
        .stderr(out)
        .spawn()
        .expect("notes-lsp starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("{args:?} did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let text = std::fs::read_to_string(out_file).expect("output is UTF-8");
    (status.code().unwrap_or(-1), text)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copied");
        }
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn readme_command_examples_run_as_written() {
    let dir =
        TempDir(std::env::temp_dir().join(format!("notes-lsp-readme-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let work = dir.0.join("work");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/demo"),
        &work.join("docs/demo"),
    );
    let out_file = dir.0.join("output");

    let mut ran = 0;
    for (info, start, lines) in code_blocks(README) {
        if info != "console" {
            for (k, line) in lines.iter().enumerate() {
                let command = line.trim_start().trim_start_matches("$ ");
                assert!(
                    !command.starts_with("notes-lsp "),
                    "README.md:{}: a notes-lsp command outside a `console` block is not checked: \
                     {line}",
                    start + k
                );
            }
            continue;
        }
        let mut last_status = None;
        for step in steps(start, &lines) {
            let where_ = format!("README.md:{}", step.line);
            let got = match step.args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["echo", "$?"] => format!(
                    "{}\n",
                    last_status.unwrap_or_else(|| panic!("{where_}: `echo $?` before a command"))
                ),
                ["notes-lsp", ..] => {
                    let (status, out) = run(&step.args[1..], &work, &out_file);
                    last_status = Some(status);
                    ran += 1;
                    out
                }
                _ => panic!(
                    "{where_}: only notes-lsp commands and `echo $?` are run: {:?}",
                    step.args
                ),
            };
            let got_lines: Vec<&str> = got.lines().collect();
            assert!(
                lines_match(&step.expected, &got_lines),
                "{where_}: `{}` printed\n{got}\nwhere the README shows\n{}\n",
                step.args.join(" "),
                step.expected.join("\n")
            );
        }
    }
    assert!(ran >= 3, "the README's console blocks hold {ran} commands");
}

#[test]
fn the_matcher_takes_wildcards_and_elisions() {
    assert!(line_matches("checked [..] files", "checked 2 files"));
    assert!(line_matches("[..]", "anything"));
    assert!(!line_matches("checked [..] files", "checked 2 notes"));
    assert!(line_matches("a[..]b[..]c", "a1b2c"));
    assert!(!line_matches("abc", "abcd"));
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&e(&["a", "...", "z"]), &["a", "b", "c", "z"]));
    assert!(lines_match(&e(&["a", "...", "z"]), &["a", "z"]));
    assert!(!lines_match(&e(&["a", "...", "z"]), &["a", "b"]));
    assert!(!lines_match(&e(&["a"]), &["a", "b"]));
    assert_eq!(
        split("notes-lsp check --fix 'my notes/'   # writes"),
        ["notes-lsp", "check", "--fix", "my notes/"]
    );
    let blocks = code_blocks("text\n\n```console\n$ notes-lsp --version\nnotes-lsp 1\n```\n");
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].0, "console");
    assert_eq!(blocks[0].1, 4);
    let steps = steps(blocks[0].1, &blocks[0].2);
    assert_eq!((steps[0].line, steps[0].expected.len()), (4, 1));
}
