//! Stated outputs checked by running samples with the real interpreters (`python3`, `node`),
//! in the sandbox: right and wrong outputs in both languages, their fixes, and samples that
//! loop, allocate, fork, reach for the network or write outside their directory, each ending
//! within its limits and reported. Few runs. The time limits are long wherever the time
//! limit is not what is tested (a loaded machine starts an interpreter slowly, and runs wait
//! for one of the two slots), and no test bounds how long a run took more tightly than that.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use notes_lsp::analysis::Analysis;
use notes_lsp::note::Note;
use notes_lsp::run::exec::End;
use notes_lsp::run::{self, Checked, FindingKind, Settings, Verdict, code};

/// A time limit no run of these tests reaches unless it loops: what ends a run is its end or
/// another limit.
const LONG: Duration = Duration::from_secs(60);

fn long() -> Settings {
    Settings {
        timeout: LONG,
        ..Settings::default()
    }
}

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
    let all = check(&md, &long());
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
    let again = check(&new, &long());
    assert!(mismatches(&again).is_empty(), "{:?}", mismatches(&again));
}

#[test]
fn javascript_outputs_right_and_wrong() {
    let md = std::fs::read_to_string("fixtures/run/javascript.md").unwrap();
    let all = check(&md, &long());
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
            // Timers on a virtual clock: ten minutes of them (past the time limit), in their
            // order, at once.
            ("sync\nmicro\na\ndone\n3\nb".into(), Verdict::Matched),
            // `document`: a browser's; not the note's error.
            ("My page".into(), Verdict::NotRun),
            // In a function's body called twice: one call's output is stated, or not.
            ("Hi Ann".into(), Verdict::Matched),
            ("Hi Bo".into(), Verdict::Matched),
            ("2".into(), Verdict::Mismatch("6\n".into())),
            ("1 2".into(), Verdict::Matched),
        ]
    );
    assert_eq!(all[2].1.outcome.end, End::Finished);
    assert!(all[3].1.environment.as_deref().unwrap().contains("browser"));
    assert!(all[3].1.findings.is_empty());
    let new = fixed(&md, &all);
    assert!(new.contains("console.log(0.1 + 0.2); // 0.30000000000000004\n"));
    assert!(new.contains("console.log(n * 2); // 6\n"), "{new}");
}

/// One Python sample that states an output, run with `timeout`.
fn one(code: &str, timeout: Duration) -> Checked {
    let md = format!("```python\n{code}\nprint(1)  # 1\n```\n");
    let settings = Settings {
        timeout,
        ..Settings::default()
    };
    let mut all = check(&md, &settings);
    assert_eq!(all.len(), 1, "{md}");
    all.remove(0).1
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
    let limit = Duration::from_millis(700);
    let c = one("while True:\n    pass", limit);
    assert_eq!(c.outcome.end, End::TimedOut);
    // Stopped at the limit, not at its end (it has none) nor at the CPU limit (2 s).
    assert!(c.outcome.elapsed >= limit, "{:?}", c.outcome.elapsed);
    assert!(reported(&c).contains("did not finish"), "{}", reported(&c));
}

#[test]
fn a_sample_that_allocates_without_end_runs_out_of_memory() {
    // About 0.3 s on an idle machine: the memory limit ends it, not the time limit.
    let c = one("s = 'x'\nwhile True:\n    s += s", LONG);
    assert_eq!(c.outcome.end, End::OutOfMemory);
    assert!(reported(&c).contains("memory"));
}

#[test]
fn a_sample_that_writes_a_huge_file_is_stopped_at_the_file_size_limit() {
    let c = one(
        "with open('big', 'wb') as f:\n    f.write(b'x' * (64 << 20))",
        LONG,
    );
    assert_eq!(c.outcome.end, End::Finished);
    // Python ignores SIGXFSZ: the write fails with EFBIG.
    assert!(reported(&c).contains("File too large"), "{}", reported(&c));
}

#[test]
fn a_sample_that_forks_without_end_is_bounded_and_stopped() {
    let c = one("import os\nwhile True:\n    os.fork()", LONG);
    let r = reported(&c);
    if c.outcome.contained.processes_bounded {
        // The process limit stops the forks long before the time limit: `fork` fails.
        assert!(r.contains("BlockingIOError"), "{r}");
    } else {
        assert!(r.contains("did not finish"), "{r}");
        assert!(
            c.outcome
                .contained
                .missing()
                .iter()
                .any(|m| m.contains("processes"))
        );
    }
}

/// Nothing reaches a listener of this process on the loopback: neither a TCP connection
/// nor a UDP datagram (no internet access is needed to tell).
#[test]
fn a_sample_that_reaches_for_the_network_gets_none() {
    use std::net::{TcpListener, UdpSocket};
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    tcp.set_nonblocking(true).unwrap();
    udp.set_nonblocking(true).unwrap();
    let (tport, uport) = (
        tcp.local_addr().unwrap().port(),
        udp.local_addr().unwrap().port(),
    );
    let c = one(
        &format!(
            "import socket\ntry:\n    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {uport}))\nexcept OSError:\n    pass\ns = socket.create_connection(('127.0.0.1', {tport}), timeout=5)\nprint('connected')"
        ),
        LONG,
    );
    let ct = c.outcome.contained;
    let (landlock, namespaces) = run::sandbox::offered();
    assert_eq!(ct.no_network, namespaces);
    assert_eq!(ct.no_tcp, landlock >= 4);
    let mut buf = [0u8; 16];
    if ct.no_network || ct.no_tcp {
        assert!(reported(&c).contains("Error"), "{}", reported(&c));
        assert!(!c.outcome.printed().contains("connected"));
        assert!(tcp.accept().is_err(), "a TCP connection came through");
    } else {
        assert!(!ct.missing().is_empty());
    }
    if ct.no_network {
        assert!(
            udp.recv_from(&mut buf).is_err(),
            "a UDP datagram came through"
        );
    }
}

#[test]
fn a_sample_that_writes_outside_its_directory_cannot() {
    let target = std::env::temp_dir().join(format!("notes-lsp-escape-{}", std::process::id()));
    let _ = std::fs::remove_file(&target);
    let c = one(
        &format!(
            "open('inside.txt', 'w').write('fine')\nprint(open('inside.txt').read())\nopen({:?}, 'w').write('x')",
            target.display().to_string()
        ),
        LONG,
    );
    assert_eq!(
        c.outcome.contained.no_writes_outside,
        run::sandbox::offered().0 > 0
    );
    if c.outcome.contained.no_writes_outside {
        assert!(!target.exists(), "the sample wrote {}", target.display());
        assert!(reported(&c).contains("PermissionError"), "{}", reported(&c));
        // Inside its own directory it may write.
        assert!(c.outcome.printed().starts_with("fine\n"));
    } else {
        assert!(
            c.outcome
                .contained
                .missing()
                .iter()
                .any(|m| m.contains("written"))
        );
    }
    let _ = std::fs::remove_file(&target);
}

#[test]
fn a_sample_cannot_signal_processes_outside_its_run() {
    let c = one(
        &format!("import os\nos.kill({}, 0)", std::process::id()),
        LONG,
    );
    if run::sandbox::offered().0 >= 6 {
        assert!(reported(&c).contains("PermissionError"), "{}", reported(&c));
    }
}

/// The run's working and home directory is fresh, private and gone afterwards; the
/// environment is a few fixed variables, none of this process's.
#[test]
fn a_sample_runs_in_a_fresh_directory_with_a_scrubbed_environment() {
    let c = one(
        "import os, stat\nprint(os.getcwd() == os.environ['HOME'], oct(stat.S_IMODE(os.stat('.').st_mode)), os.listdir('.'))\nprint(os.getcwd())\nprint(sorted(os.environ))",
        LONG,
    );
    assert_eq!(c.outcome.end, End::Finished);
    let printed = c.outcome.printed();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 4, "{printed}");
    // Only the harness and its job in it.
    assert_eq!(
        lines[0], "True 0o700 ['harness.py', 'job.json']",
        "{printed}"
    );
    let dir = std::path::Path::new(lines[1]);
    assert!(dir.starts_with(std::env::temp_dir()), "{printed}");
    assert!(!dir.exists(), "{} is left behind", dir.display());
    assert_eq!(
        lines[2],
        "['HOME', 'LANG', 'LC_ALL', 'NO_COLOR', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'PYTHONIOENCODING', 'TMPDIR', 'TZ']"
    );
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
        run::run_and_check(&plan, md, &long(), &cancel)
    });
    // Cancelled, not stopped at its time limit.
    assert_eq!(c.outcome.end, End::Cancelled);
    assert!(started.elapsed() < LONG / 2, "{:?}", started.elapsed());
    assert!(c.findings.is_empty(), "a cancelled run tells nothing");
}

/// A list of names with their shapes is not code that fails: no `run-error`, and the
/// environment says why nothing was checked. A name used in code is still the note's error.
#[test]
fn a_list_of_undefined_names_is_not_an_error_of_the_note() {
    let md =
        "```python\nv_I  # [N, d, m]\nW_I  # [k, d]\n```\n\n```python\nprint(totl)  # 3\n```\n";
    let all = check(md, &long());
    assert_eq!(all.len(), 2);
    let (_, legend) = &all[0];
    assert!(legend.findings.is_empty(), "{:?}", legend.findings);
    assert!(
        legend
            .environment
            .as_deref()
            .unwrap()
            .contains("`v_I` alone"),
        "{:?}",
        legend.environment
    );
    assert_eq!(legend.verdicts, [Verdict::NotRun, Verdict::NotRun]);
    assert!(reported(&all[1].1).contains("NameError: name 'totl'"));
}

/// A sample that shows a use before the sample that defines it, or calls the function an
/// exercise asks for (its heading names it, no sample defines it), fails alone in node and
/// python3 as in the harness, but it is not an error of the note: no `run-error`, and the
/// environment says why. A call to a function that nothing names is still one.
#[test]
fn a_use_before_its_definition_and_an_exercise_are_not_errors_of_the_note() {
    let md = "# Debounce Function\n\n## Input\n\n```js\nconst run = debounce(() => console.log('hi'), 50);\nrun();\n```\n\n**Output:** hi\n\n\
              ## Rate limits\n\n```js\nconst t = throttle(x => console.log(x), 10);\nt(1); // Output: 1\n```\n\n\
              ```js\nfunction throttle(f, ms) { return f }\n```\n\n\
              ## Sum\n\n```python\nprint(total([4, 3]))  # 7\n```\n\n\
              ## Scope\n\n```js\n{\n  let message = 1;\n}\nconsole.log(message); // ReferenceError: message is not defined\n```\n\n\
              ```js\nconst message = 'hi';\n```\n";
    let all = check(md, &long());
    assert_eq!(all.len(), 4);
    // The error the note states is judged, a later definition notwithstanding.
    assert_eq!(all[3].1.environment, None);
    assert_eq!(all[3].1.verdicts, [Verdict::Matched]);
    let (debounce, throttle, total) = (&all[0].1, &all[1].1, &all[2].1);
    assert!(debounce.findings.is_empty(), "{:?}", debounce.findings);
    assert!(
        (debounce.environment.as_deref())
            .is_some_and(|e| e.contains("`debounce`, the function the note asks for")),
        "{:?}",
        debounce.environment
    );
    assert_eq!(debounce.verdicts, [Verdict::NotRun]);
    assert!(throttle.findings.is_empty(), "{:?}", throttle.findings);
    assert!(
        (throttle.environment.as_deref())
            .is_some_and(|e| e.contains("`throttle`, which a later sample of the note defines")),
        "{:?}",
        throttle.environment
    );
    // `total` is named by no heading and defined by no sample: the note's error.
    assert!(reported(total).contains("NameError: name 'total' is not defined"));
}
