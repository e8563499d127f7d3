//! Stated outputs checked by running samples with the real interpreters (`python3`, `node`),
//! in the sandbox: right and wrong outputs in both languages, their fixes, and samples that
//! loop, allocate, fork, reach for the network or write outside their directory, each ending
//! within its limits and reported. Few runs, each bounded by a short timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::run::exec::End;
use notes_lsp::run::{self, Checked, FindingKind, Settings, Verdict, code};

fn check(md: &str, settings: &Settings) -> Vec<(run::Plan, Checked)> {
    let note = Note::new(md);
    let a = Analysis::of(&note);
    let cancel = AtomicBool::new(false);
    run::plans(&note, &a)
        .into_iter()
        .map(|p| {
            let c = run::run_and_check(&p, md, settings, &cancel);
            (p, c)
        })
        .collect()
}

/// (stated text, verdict) of every stated output.
fn verdicts(all: &[(run::Plan, Checked)]) -> Vec<(String, Verdict)> {
    all.iter()
        .flat_map(|(p, c)| {
            p.stated
                .iter()
                .map(|s| s.text.clone())
                .zip(c.verdicts.clone())
        })
        .collect()
}

/// The note with every mismatch's fix applied.
fn fixed(md: &str, all: &[(run::Plan, Checked)]) -> String {
    let mut fixes: Vec<(std::ops::Range<usize>, String)> = all
        .iter()
        .flat_map(|(_, c)| c.findings.iter().filter_map(|f| f.fix.clone()))
        .collect();
    fixes.sort_by_key(|f| std::cmp::Reverse(f.0.start));
    let mut out = md.to_string();
    for (r, new) in fixes {
        out.replace_range(r, &new);
    }
    out
}

fn mismatches(all: &[(run::Plan, Checked)]) -> Vec<String> {
    all.iter()
        .flat_map(|(_, c)| &c.findings)
        .filter(|f| f.kind == FindingKind::Mismatch)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn python_outputs_right_and_wrong_and_their_fixes() {
    let md = std::fs::read_to_string("fixtures/run/python.md").unwrap();
    let all = check(&md, &Settings::default());
    let v = verdicts(&all);
    let mism = |s: &str| Verdict::Mismatch(s.to_string());
    assert_eq!(
        v,
        [
            ("[2, 3]".to_string(), Verdict::Matched),
            ("[4, 3, 2, 1]".into(), Verdict::Matched),
            ("3".into(), mism("3.5\n")),
            ("11".into(), mism("10\n")),
            ("0".into(), Verdict::Matched),
            ("2".into(), mism("1\n")),
            (
                "Traceback (most recent call last):\n  ...\nValueError: invalid literal for int() with base 10: 'x'".into(),
                Verdict::Matched
            ),
            ("0\n1\n3".into(), mism("0\n1\n2\n")),
            (
                "3".into(),
                Verdict::Raised("NameError: name 'undefined_name' is not defined".into())
            ),
        ]
    );
    assert_eq!(
        mismatches(&all)[0],
        "prints `3.5`; the note says `3`",
        "{:?}",
        mismatches(&all)
    );
    let errors: Vec<_> = all
        .iter()
        .flat_map(|(_, c)| &c.findings)
        .filter(|f| f.code == code::RUN_ERROR)
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(md[errors[0].range.clone()].starts_with("print(undefined_name)"));
    // The fixes write what was printed, in the note's style; run again, all match.
    let new = fixed(&md, &all);
    assert!(new.contains("print(7 / 2)  # => 3.5\n"), "{new}");
    assert!(new.contains("# Output: 10\n"));
    assert!(new.contains(">>> len(d)\n1\n"));
    assert!(new.contains("```\n0\n1\n2\n```"));
    let again = check(&new, &Settings::default());
    assert!(mismatches(&again).is_empty(), "{:?}", mismatches(&again));
}

#[test]
fn javascript_outputs_right_and_wrong() {
    let md = std::fs::read_to_string("fixtures/run/javascript.md").unwrap();
    let all = check(&md, &Settings::default());
    let v = verdicts(&all);
    assert_eq!(
        v,
        [
            ("function".to_string(), Verdict::Matched),
            ("[2, 4, 6]".into(), Verdict::Matched),
            (
                "0.3".into(),
                Verdict::Mismatch("0.30000000000000004\n".into())
            ),
            ("3".into(), Verdict::Matched),
            ("timeout".into(), Verdict::Matched),
            ("micro".into(), Verdict::Matched),
            ("sync".into(), Verdict::Matched),
            // Timers on a virtual clock: five seconds of them, in their order, at once.
            ("sync\nmicro\na\ndone\n3\nb".into(), Verdict::Matched),
            // `document`: a browser's; not the note's error.
            ("My page".into(), Verdict::NotRun),
        ]
    );
    assert!(all[2].1.outcome.elapsed < std::time::Duration::from_secs(2));
    assert!(all[3].1.environment.as_deref().unwrap().contains("browser"));
    assert!(all[3].1.findings.is_empty());
    let new = fixed(&md, &all);
    assert!(new.contains("console.log(0.1 + 0.2); // 0.30000000000000004\n"));
}

/// One Python sample that states an output, run with `timeout`.
fn one(code: &str, timeout: Duration) -> (Checked, Duration) {
    let md = format!("```python\n{code}\nprint(1)  # 1\n```\n");
    let settings = Settings {
        timeout,
        ..Settings::default()
    };
    let started = Instant::now();
    let mut all = check(&md, &settings);
    assert_eq!(all.len(), 1, "{md}");
    (all.remove(0).1, started.elapsed())
}

fn reported(c: &Checked) -> String {
    let f = c
        .findings
        .iter()
        .find(|f| f.code == code::RUN_ERROR)
        .unwrap_or_else(|| panic!("no run-error: {:?}", c.findings));
    f.message.clone()
}

#[test]
fn a_sample_that_loops_forever_is_stopped_at_the_time_limit() {
    let (c, took) = one("while True:\n    pass", Duration::from_millis(700));
    assert_eq!(c.outcome.end, End::TimedOut);
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(reported(&c).contains("did not finish"), "{}", reported(&c));
}

#[test]
fn a_sample_that_allocates_without_end_runs_out_of_memory() {
    // Well before the time limit on an idle machine (0.3 s); the limit leaves room for a
    // busy one.
    let (c, took) = one("s = 'x'\nwhile True:\n    s += s", Duration::from_secs(5));
    assert_eq!(c.outcome.end, End::OutOfMemory);
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(reported(&c).contains("memory"));
}

#[test]
fn a_sample_that_forks_without_end_is_bounded_and_stopped() {
    let (c, took) = one(
        "import os\nwhile True:\n    os.fork()",
        Duration::from_secs(1),
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    let r = reported(&c);
    if c.outcome.contained.processes_bounded {
        // The process limit stops the forks: `fork` fails, and the error is reported.
        assert!(
            r.contains("BlockingIOError") || r.contains("did not finish"),
            "{r}"
        );
    } else {
        assert!(r.contains("did not finish"), "{r}");
    }
}

#[test]
fn a_sample_that_reaches_for_the_network_gets_none() {
    let (c, took) = one(
        "import socket\ns = socket.create_connection(('1.1.1.1', 80), timeout=1)\nprint('connected')",
        Duration::from_secs(2),
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
    let ct = c.outcome.contained;
    let (landlock, namespaces) = run::sandbox::offered();
    assert_eq!(ct.no_network, namespaces);
    assert_eq!(ct.no_tcp, landlock >= 4);
    if ct.no_network || ct.no_tcp {
        assert!(reported(&c).contains("Error"), "{}", reported(&c));
        assert!(!c.outcome.printed().contains("connected"));
    }
}

#[test]
fn a_sample_that_writes_outside_its_directory_cannot() {
    let target = std::env::temp_dir().join(format!("notes-lsp-escape-{}", std::process::id()));
    let _ = std::fs::remove_file(&target);
    let (c, _) = one(
        &format!(
            "open({:?}, 'w').write('x')\nopen('inside.txt', 'w').write('fine')",
            target.display().to_string()
        ),
        Duration::from_secs(2),
    );
    assert_eq!(
        c.outcome.contained.no_writes_outside,
        run::sandbox::offered().0 > 0
    );
    if c.outcome.contained.no_writes_outside {
        assert!(!target.exists(), "the sample wrote {}", target.display());
        assert!(reported(&c).contains("PermissionError"), "{}", reported(&c));
    }
    let _ = std::fs::remove_file(&target);
}

#[test]
fn a_run_is_killed_when_cancelled() {
    let md = "```js\nwhile (true) {}\nconsole.log(1); // 1\n```\n";
    let note = Note::new(md);
    let plan = run::plans(&note, &Analysis::of(&note)).remove(0);
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let c = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            cancel.store(true, Ordering::SeqCst);
        });
        run::run_and_check(&plan, md, &Settings::default(), &cancel)
    });
    assert_eq!(c.outcome.end, End::Cancelled);
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert!(c.findings.is_empty(), "a cancelled run tells nothing");
}
