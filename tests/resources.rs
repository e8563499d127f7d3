//! What the server costs and gives back: memory with big notes open and after they are
//! closed, and how fast it leaves. `NOTES_LSP_MEMORY_FULL=1` (CI) opens 50 notes of 500 KB
//! over 20 cycles (`scripts/bench-memory.py` runs 20 on a release build); a plain `cargo test`
//! opens 6 over 3.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// A note of about `bytes` in the style of interview notes: sections of numbered questions,
/// answers with lists, links, Python samples and a table, every section different.
fn big_note(bytes: usize, seed: usize) -> String {
    let mut out = String::from("# Interview questions\n\n## Table of contents\n\n");
    for i in 0..40 {
        out.push_str(&format!("- [Topic {i}](#topic-{i})\n"));
    }
    let mut i = 0;
    while out.len() < bytes {
        if i % 25 == 0 {
            out.push_str(&format!("\n## Topic {}\n\n", i / 25));
        }
        let n = i * 7 + seed;
        out.push_str(&format!(
            "### {i}. What does `step_{n}` return for input {n}?\n\n\
             It returns the running total after {n} steps; the loop below keeps state \
             between calls, as a generator does. See [the previous one](#topic-{}) and \
             [the docs](https://docs.python.org/3/library/itertools.html#item{n}).\n\n\
             ```python\ndef step_{n}(xs):\n    total = 0\n    for x in xs:\n        \
             total += x * {n}\n        yield total\n\nprint(list(step_{n}([1, 2, 3])))\n```\n\n\
             - first, the state is created\n- then each value is yielded\n  \
             - nested detail {n}\n\n| input | output |\n|---|---|\n| {n} | {} |\n\n\
             **Concurrency {n}** refers to tasks that overlap in time.\n\n",
            i % 40,
            n * 2
        ));
        i += 1;
    }
    out
}

/// A field of `/proc/PID/status`, in kB (or a count).
fn status(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} in /proc/{pid}/status"))
}

/// Resident memory once it has stopped moving and the threads that did the work have left
/// (work done, memory given back: what the system sees of the server a few seconds later),
/// as (RSS, its anonymous part) in KiB. `threads` is the server's count when idle.
fn settled(pid: u32, threads: u64) -> (u64, u64) {
    let mut prev = status(pid, "VmRSS");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        std::thread::sleep(Duration::from_millis(400));
        let now = status(pid, "VmRSS");
        let idle = status(pid, "Threads") <= threads;
        if (idle && now.abs_diff(prev) < 512) || Instant::now() > deadline {
            return (now, status(pid, "RssAnon"));
        }
        prev = now;
    }
}

/// The server's thread count once it is idle: the fewest seen over a few seconds (the
/// threads that indexed leave after their keep-alive).
fn idle_threads(pid: u32) -> u64 {
    let mut fewest = status(pid, "Threads");
    for _ in 0..15 {
        std::thread::sleep(Duration::from_millis(400));
        fewest = fewest.min(status(pid, "Threads"));
    }
    fewest
}

fn full() -> bool {
    std::env::var("NOTES_LSP_MEMORY_FULL").is_ok_and(|v| v == "1")
}

#[cfg(target_os = "linux")]
#[test]
fn memory_is_given_back_when_big_notes_are_closed() {
    let (copies, cycles) = if full() { (50, 20) } else { (6, 3) };
    let text = big_note(500_000, 1);
    let dir = std::env::temp_dir().join(format!("notes-lsp-mem-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let uris: Vec<String> = (0..copies)
        .map(|i| {
            let p = dir.join(format!("copy-{i:02}.md"));
            std::fs::write(&p, &text).unwrap();
            format!("file://{}", p.display())
        })
        .collect();
    let mut c = Client::spawn();
    c.initialize_with(json!({
        "rootUri": null,
        "workspaceFolders": [{"uri": format!("file://{}", dir.display()), "name": "mem"}],
        "capabilities": {"window": {"workDoneProgress": true}},
    }));
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let pid = c.pid();
    let threads = idle_threads(pid);
    let (indexed, indexed_anon) = settled(pid, threads);
    let mut version = 0;
    let mut opened = Vec::new();
    let mut closed = Vec::new();
    for _ in 0..cycles {
        version += 1;
        for u in &uris {
            c.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": u, "languageId": "markdown",
                       "version": version, "text": text}}),
            );
        }
        for u in &uris {
            c.diagnostics_for_version(u, version);
        }
        opened.push(settled(pid, threads));
        for u in &uris {
            c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
        }
        for u in &uris {
            c.wait_for_diagnostics(u, |p| p["diagnostics"] == json!([]));
        }
        // Other messages (republished notes) are not waited for.
        c.take_notifications("textDocument/publishDiagnostics");
        closed.push(settled(pid, threads));
    }
    let mib = |k: u64| k as f64 / 1024.0;
    let per_note =
        |rss: u64| (rss.saturating_sub(indexed) * 1024) as f64 / (copies * text.len()) as f64;
    let report = format!(
        "{copies} notes of {} KB: indexed {:.1} MiB ({:.1} anonymous); open/closed per cycle \
         (MiB, anonymous): {:?}; per open note {:.1}x its text",
        text.len() / 1000,
        mib(indexed),
        mib(indexed_anon),
        opened
            .iter()
            .zip(&closed)
            .map(|(o, c)| (mib(o.1).round(), (mib(c.1) * 10.0).round() / 10.0))
            .collect::<Vec<_>>(),
        per_note(opened[0].0),
    );
    eprintln!("{report}");
    // An open note at most 14x its text (the goal, 4x, is not met; see docs/performance.md):
    // this dense note in a debug build, every question asked in the other copies, 10.5x with
    // 6 open at load 9-12.
    assert!(per_note(opened[0].0) <= 14.0, "{report}");
    // Closing gives the memory back: the anonymous memory (the heap, the threads' stacks;
    // not the binary's pages, which the kernel shares with its page cache and which the
    // first open touched more of) within 10 % of the indexed workspace's, every cycle, so
    // nothing creeps. (Before the closes' work was bounded and the question index built
    // with the workspace's: 27.0-35.3 MiB against 21.9 after 50 notes of 474 KB closed.)
    // The small run's workspace is small beside what any first open leaves for good (the
    // runtime's and the checkers' own structures): 7.4 MiB indexed, 8.8-9.0 closed; it gets
    // 2 MiB more. The full run (50 notes of 500 KB, 20 cycles, debug build): 41.0 MiB
    // indexed, 43.0-44.3 closed.
    let allowance = if full() { 0.0 } else { 2.0 };
    for (_, (_, anon)) in opened.iter().zip(&closed) {
        assert!(
            mib(*anon) <= mib(indexed_anon) * 1.10 + allowance,
            "{report}"
        );
    }
    // Cycles open within 25 % of the first.
    let first_open = opened[0].0;
    let most_open = opened.iter().map(|o| o.0).max().unwrap();
    assert!(mib(most_open) <= mib(first_open) * 1.25 + 8.0, "{report}");
    c.shutdown_and_exit();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The server never asks for transparent huge pages (smaps' `hg` flag, MADV_HUGEPAGE): mimalloc
/// asks for them on its 1 GiB arena by default, and the kernel then backs every 2 MiB of it
/// that tree-sitter touches at all with a 2 MiB page (3-4 MiB of the mixed note's heap).
#[cfg(target_os = "linux")]
#[test]
fn no_huge_pages_are_asked_for() {
    let mut c = Client::spawn();
    c.initialize(json!({}));
    let mut text = String::from("# Samples\n\n");
    for i in 0..40 {
        text.push_str(&format!(
            "## Q{i}\n\n```cpp\nint f{i}(int x) {{ return x * {i}; }}\n```\n\n\
             ```java\nclass A{i} {{ int g() {{ return {i}; }} }}\n```\n\n"
        ));
    }
    let uri = "file:///tmp/notes-lsp-thp.md";
    c.open(uri, &text);
    c.diagnostics_for_version(uri, 1);
    let smaps = std::fs::read_to_string(format!("/proc/{}/smaps", c.pid())).expect("/proc");
    let mut range = "";
    for line in smaps.lines() {
        if line
            .split(' ')
            .next()
            .is_some_and(|h| h.contains('-') && !h.ends_with(':'))
        {
            range = line;
        }
        if let Some(flags) = line.strip_prefix("VmFlags:") {
            assert!(
                !flags.split_whitespace().any(|f| f == "hg"),
                "asked for huge pages: {range}"
            );
        }
    }
    c.shutdown_and_exit();
}

/// `exit` and the end of input end the process at once, also while notes are being parsed
/// and requests answered: 0 after `shutdown` (even one whose answer has not been read),
/// 1 without.
#[test]
fn exit_and_end_of_input_leave_at_once_busy_or_idle() {
    let text = big_note(300_000, 2);
    for (busy, shutdown, eof) in [
        (false, true, false),
        (false, false, true),
        (true, true, false),
        (true, false, false),
        (true, true, true),
        (true, false, true),
    ] {
        let case = format!("busy {busy}, shutdown {shutdown}, end of input {eof}");
        // 100 ms in a release build on an idle machine. A server that waits on a timer (the
        // old 2 s) is slow every time; a machine at load 25 only now and then: three tries.
        let mut tries = Vec::new();
        while tries.len() < 3 {
            let took = exit_once(&text, busy, shutdown, eof, &case);
            if took < Duration::from_millis(1000) {
                break;
            }
            tries.push(took);
        }
        assert!(tries.len() < 3, "{case}: {tries:?}");
    }
}

/// Starts a server (busy with four big notes if `busy`), leaves it as the case says, and
/// returns how long it took to exit after `exit` or the end of its input.
fn exit_once(text: &str, busy: bool, shutdown: bool, eof: bool, case: &str) -> Duration {
    let mut c = start(caps_default());
    if busy {
        for i in 0..4 {
            let uri = format!("file:///notes/busy-{i}.md");
            c.open(&uri, text);
            c.send_request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            );
        }
    }
    if shutdown {
        c.send_request("shutdown", Value::Null);
    }
    let started = Instant::now();
    if eof {
        c.close_stdin();
    } else {
        c.notify("exit", Value::Null);
    }
    let status = c.wait_exit();
    let took = started.elapsed();
    assert_eq!(status.code(), Some(if shutdown { 0 } else { 1 }), "{case}");
    took
}
