//! Each stated output against what its statement printed: a verdict per stated output, the
//! findings the note gets (`output-mismatch` with its fix, `run-error`), and tallies for
//! measuring.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::exec::{self, End, Outcome, Raised, Settings};
use super::{Anchor, Form, How, Plan, Program, RunLang, Stated, code, compare, doctest};

/// What became of one stated output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Matched,
    /// What the statement printed instead.
    Mismatch(String),
    /// It printed something that differs from run to run (or may: a clock, an address).
    Unstable,
    /// The statement raised an exception the note does not state.
    Raised(String),
    /// The statement printed nothing (not reached, or the comment is about something else).
    NoOutput,
    /// A comment that reads as a remark, not as the value printed.
    Remark,
    /// The sample did not run to a result (timeout, a missing module, a browser API ...).
    NotRun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    Mismatch,
    Error,
}

/// What a note is told after a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub range: Range<usize>,
    pub kind: FindingKind,
    pub code: &'static str,
    pub message: String,
    /// The real output written in place of the stated one.
    pub fix: Option<(Range<usize>, String)>,
}

/// Why a sample could not be checked because of where it runs, not because of the note: a
/// module that is not installed, an API of the browser, input it waits for.
pub fn environment(r: &Raised, plan: &Plan) -> Option<String> {
    let lang = plan.lang;
    const BROWSER: &[&str] = &[
        "window",
        "document",
        "navigator",
        "localStorage",
        "sessionStorage",
        "alert",
        "prompt",
        "confirm",
        "location",
        "history",
        "XMLHttpRequest",
        "HTMLElement",
        "Element",
        "customElements",
        "requestAnimationFrame",
        "self",
        "Image",
        "Event",
        "CustomEvent",
        "getComputedStyle",
        "indexedDB",
        "Worker",
        "screen",
        "$",
        "jQuery",
        "React",
        "ReactDOM",
        "Vue",
        "angular",
        "_",
    ];
    // A fragment that goes on from an earlier sample of the note: a name defined there.
    let undefined = match lang {
        RunLang::Python if r.kind == "NameError" => r
            .line
            .strip_prefix("NameError: name '")
            .and_then(|s| s.split('\'').next()),
        RunLang::JavaScript if r.kind == "ReferenceError" => r
            .line
            .strip_prefix("ReferenceError: ")
            .and_then(|s| s.strip_suffix(" is not defined")),
        _ => None,
    }
    // A name the note says is not defined (`// ReferenceError: x is not defined`) is what
    // the note means to show.
    .filter(|_| !states_an_error(plan, r));
    if let Some(name) = undefined
        && plan
            .defined_before
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    {
        return Some(format!(
            "goes on from an earlier sample (`{name}` is defined there)"
        ));
    }
    // Or shows a use before the definition.
    if let Some(name) = undefined
        && plan
            .defined_after
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    {
        return Some(format!(
            "uses `{name}`, which a later sample of the note defines"
        ));
    }
    // An exercise: it calls the function the reader is asked to write, which a heading of
    // the note names (`# Debounce Function` over `debounce(f, 500)`) and no sample defines.
    if let Some(name) = undefined
        && r.spans
            .iter()
            .any(|&(a, b)| calls(&code_of(plan, a, b), name))
        && named_by_a_heading(plan, name)
    {
        return Some(format!(
            "calls `{name}`, the function the note asks for (a heading names it, no sample defines it)"
        ));
    }
    // `v_I  # [N, d, m]`: a name alone on its line, with a comment, lists names and their
    // shapes or types; the note does not mean them to run.
    if let Some(name) = undefined
        && r.spans.iter().any(|&(a, b)| {
            let code = code_of(plan, a, b);
            let code = code.split(['#', '/']).next().unwrap_or_default();
            code.trim().trim_end_matches(';') == name
        })
    {
        return Some(format!(
            "lists names it does not define (`{name}` alone on its line)"
        ));
    }
    match (lang, r.kind.as_str()) {
        (RunLang::Python, "ModuleNotFoundError" | "ImportError") => {
            Some(format!("needs a module that is not installed ({})", r.line))
        }
        (RunLang::Python, "EOFError") => Some("reads input".into()),
        (RunLang::JavaScript, "ReferenceError") => {
            let name = r
                .line
                .strip_prefix("ReferenceError: ")?
                .strip_suffix(" is not defined")?;
            BROWSER
                .contains(&name)
                .then(|| format!("needs a browser (`{name}` is not defined in Node)"))
        }
        (RunLang::JavaScript, "Error") if r.line.contains("Cannot find module") => {
            Some(format!("needs a module that is not installed ({})", r.line))
        }
        _ => None,
    }
}

/// Whether the note states an error where `r` was raised.
fn states_an_error(plan: &Plan, r: &Raised) -> bool {
    plan.stated.iter().any(|s| {
        let (a, b) = match s.of {
            Anchor::Lines(a, b) => (a, b),
            Anchor::Example(k) => (k, k),
            Anchor::Whole => (1, usize::MAX),
        };
        r.spans.iter().any(|&(x, y)| x <= b && a <= y) && stated_error(&s.text).is_some()
    })
}

/// Whether `code` calls `name` (`name(`, not `other_name(` or `x.name(`).
fn calls(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.';
        !before.is_some_and(ident) && code[at + name.len()..].trim_start().starts_with('(')
    })
}

/// Whether a heading of the note names `name`: its words, in order (`deepClone` in
/// "Implement a deep clone").
fn named_by_a_heading(plan: &Plan, name: &str) -> bool {
    let name = super::find::words(name);
    !name.is_empty()
        && (plan.heading_words.iter()).any(|h| h.windows(name.len()).any(|w| w == name))
}

/// A short view of an output for a message: one line in backticks, or its lines.
fn shown(s: &str) -> String {
    let s = s.trim_end_matches('\n');
    let mut v: String = s.chars().take(300).collect();
    if v.len() < s.len() {
        v.push('…');
    }
    if v.contains('\n') {
        format!("\n{v}\n")
    } else {
        format!("`{v}`")
    }
}

fn traceback(line: &str) -> String {
    format!("Traceback (most recent call last):\n  ...\n{line}")
}

/// The code of the statement lines `a..=b` of a script (for spotting unstable sources).
fn code_of(plan: &Plan, a: usize, b: usize) -> String {
    match &plan.program {
        Program::Script { source, .. } => {
            let lines: Vec<&str> = source.lines().collect();
            let (a, b) = (a.max(1).min(lines.len().max(1)), b.min(lines.len()));
            lines
                .get(a - 1..b)
                .map(|l| l.join("\n"))
                .unwrap_or_default()
        }
        Program::Session(ex) => ex.get(a).cloned().unwrap_or_default(),
    }
}

/// Whether a stated text states an error (`TypeError: ...`, `ZeroDivisionError`).
fn stated_error(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .find(|w| w.ends_with("Error") || w.ends_with("Exception") || *w == "Traceback")
}

/// The verdict on one stated output.
pub fn verdict(plan: &Plan, s: &Stated, out: &Outcome) -> Verdict {
    match out.end {
        End::Finished | End::OutOfMemory => {}
        _ => return Verdict::NotRun,
    }
    let (a, b) = match s.of {
        Anchor::Lines(a, b) => (a, b),
        Anchor::Example(k) => (k, k),
        Anchor::Whole => (1, usize::MAX),
    };
    // Anything after an exception of the environment did not run as the note meant.
    if let Some(first) = out.raised.iter().find(|r| environment(r, plan).is_some()) {
        let after = match s.of {
            Anchor::Example(k) => first.spans.first().is_some_and(|&(e, _)| e <= k),
            _ => true,
        };
        if after {
            return Verdict::NotRun;
        }
    }
    let raised = match s.of {
        Anchor::Whole => out.raised.first(),
        _ => out.raised_by(a, b),
    };
    let value = &s.text[compare::value_part(&s.text)];
    if let Some(r) = raised {
        let want_exc = match s.how {
            How::Session => doctest::expected_exception(&s.text).map(doctest::exception_type),
            _ => stated_error(value).filter(|w| *w != "Traceback"),
        };
        return match want_exc {
            // Messages change between versions: the exception's type is what is compared.
            // `Error` names them all.
            Some(t) if t == r.kind || t == "Error" && r.kind.ends_with("Error") => Verdict::Matched,
            Some(_) if s.how == How::Session => Verdict::Mismatch(traceback(&r.line)),
            Some(_) => Verdict::Mismatch(r.line.clone()),
            None => Verdict::Raised(r.line.clone()),
        };
    }
    let printed = match s.of {
        Anchor::Whole => Some(out.printed()),
        _ => out.printed_by(a, b),
    };
    let Some(printed) = printed.filter(|p| !p.is_empty() || s.how == How::Session) else {
        return Verdict::NoOutput;
    };
    if s.how == How::Session && doctest::expected_exception(&s.text).is_some() {
        return Verdict::Mismatch(printed);
    }
    if compare::same(&s.text, &printed) || compare::same(value, &printed) {
        return Verdict::Matched;
    }
    // A statement in a function's body that ran from several calls: a comment there states
    // what one call printed (which one, the note does not say); a mismatch is the first's.
    let each = match s.of {
        Anchor::Lines(a, b) => out.printed_each(a, b),
        _ => Vec::new(),
    };
    let printed = if each.len() > 1 {
        if each
            .iter()
            .any(|p| compare::same(&s.text, p) || compare::same(value, p))
        {
            return Verdict::Matched;
        }
        each[0].to_string()
    } else {
        printed
    };
    // A clock or a random number read anywhere in the sample may be what is printed.
    let code = match s.of {
        Anchor::Example(k) => code_of(plan, k, k),
        _ => code_of(plan, 1, usize::MAX),
    };
    if compare::unstable_output(&printed)
        || compare::unstable_code(plan.lang, &code)
        || compare::reordered(value, &printed)
    {
        return Verdict::Unstable;
    }
    let sure = matches!(s.how, How::Session)
        || matches!((s.how, &s.form), (How::Paragraph, Form::Block { .. }));
    if !sure && !compare::comparable(value, &printed) {
        return Verdict::Remark;
    }
    // `console.log("Start"); // 1`: the comment numbers the order of the output.
    if s.how == How::Bare
        && value.bytes().all(|b| b.is_ascii_digit())
        && !printed.bytes().any(|b| b.is_ascii_digit())
    {
        return Verdict::Remark;
    }
    Verdict::Mismatch(printed)
}

/// The real output written in place of `s`, in its style.
fn fix_for(s: &Stated, printed: &str, text: &str) -> Option<(Range<usize>, String)> {
    match &s.form {
        Form::Inline => {
            let v = compare::value_part(&s.text);
            let lines = printed.trim_end_matches('\n').lines().count();
            if lines > 8 || printed.len() > 300 {
                return None;
            }
            let new = compare::restyle(printed, &s.text[v.clone()], true);
            Some((s.range.start + v.start..s.range.start + v.end, new))
        }
        Form::Block { blank } => {
            let line_start = text[..s.range.start].rfind('\n').map_or(0, |i| i + 1);
            let prefix = &text[line_start..s.range.start];
            let eol = if text[s.range.end..].starts_with("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let body = if s.how == How::Session {
                printed.trim_end_matches('\n').to_string()
            } else {
                compare::restyle(printed, &s.text, false)
            };
            let lines: Vec<String> = body
                .split('\n')
                .map(|l| {
                    if l.trim().is_empty() {
                        blank.clone()
                    } else {
                        l.trim_end().to_string()
                    }
                })
                .collect();
            // A comment block keeps its `# ` on every line; a prefix of spaces and container
            // marks is repeated as it is.
            let mut new = String::new();
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    new.push_str(eol);
                    new.push_str(prefix);
                }
                new.push_str(l);
            }
            Some((s.range.clone(), new))
        }
    }
}

/// The findings of a run: mismatches (with fixes) and errors the note does not state.
pub fn findings(plan: &Plan, out: &Outcome, verdicts: &[Verdict], text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    let line_range = |start: usize| {
        let end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        start..end.max(start + 1).min(text.len().max(start + 1))
    };
    let first_line = line_range(plan.range.start);
    let problem = match &out.end {
        End::TimedOut => Some(format!(
            "did not finish: stopped after the {} time limit",
            fmt_secs(out.elapsed)
        )),
        End::CpuLimit => Some("did not finish: stopped at the CPU time limit".into()),
        End::OutOfMemory => Some("ran out of memory: stopped at the memory limit".into()),
        End::OutputCapped => Some("printed too much: stopped at the output limit".into()),
        End::Crashed(why) => Some(format!("the interpreter died: {why}")),
        _ => None,
    };
    if let Some(p) = problem {
        found.push(Finding {
            range: first_line.clone(),
            kind: FindingKind::Error,
            code: code::RUN_ERROR,
            message: format!("{} sample {p}", plan.lang.name()),
            fix: None,
        });
    }
    for (s, v) in plan.stated.iter().zip(verdicts) {
        let Verdict::Mismatch(printed) = v else {
            continue;
        };
        let range = match s.form {
            Form::Inline => {
                let r = compare::value_part(&s.text);
                s.range.start + r.start..s.range.start + r.end
            }
            Form::Block { .. } => s.range.clone(),
        };
        let value = &text[range.clone()];
        // Shown as the note would write it (`[1, 3, 5]` for Node's `[ 1, 3, 5 ]`).
        let printed = match s.form {
            Form::Inline if printed.trim_end().lines().count() == 1 => {
                compare::restyle(printed, value, true)
            }
            _ => printed.clone(),
        };
        found.push(Finding {
            range,
            kind: FindingKind::Mismatch,
            code: code::OUTPUT_MISMATCH,
            message: format!("prints {}; the note says {}", shown(&printed), shown(value)),
            fix: fix_for(s, &printed, text),
        });
    }
    if !matches!(out.end, End::Finished) {
        return found;
    }
    // Exceptions no stated output accounts for (stated as an error, or in the place of an
    // output the note states), but those of the environment (a browser, a module).
    let session = matches!(plan.program, Program::Session(_));
    for r in &out.raised {
        if environment(r, plan).is_some() {
            break;
        }
        let stated = plan.stated.iter().zip(verdicts).any(|(s, v)| {
            let (a, b) = match s.of {
                Anchor::Lines(a, b) => (a, b),
                Anchor::Example(k) => (k, k),
                Anchor::Whole => (0, 0),
            };
            matches!(v, Verdict::Matched | Verdict::Mismatch(_))
                && r.spans.iter().any(|&(x, y)| x <= b && a <= y)
        });
        if stated {
            continue;
        }
        let at = match r.spans.first() {
            Some(&(k, _)) if session => plan.example_at(k),
            Some(&(l, _)) => plan.line_at(l),
            None => plan.range.start,
        };
        found.push(Finding {
            range: line_range(at),
            kind: FindingKind::Error,
            code: code::RUN_ERROR,
            message: format!("raises {}, which the note does not state", r.line),
            fix: None,
        });
    }
    found
}

fn fmt_secs(d: std::time::Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

impl Plan {
    /// The note offset of example `k`'s `>>>` (a session), else the sample's start.
    pub fn example_at(&self, k: usize) -> usize {
        self.example_starts
            .get(k)
            .copied()
            .unwrap_or(self.range.start)
    }
}

/// One plan, run and judged.
#[derive(Debug, Clone)]
pub struct Checked {
    pub outcome: Outcome,
    /// A second run with another hash seed, made when something did not match.
    pub again: Option<Outcome>,
    pub verdicts: Vec<Verdict>,
    pub findings: Vec<Finding>,
    /// Why the sample could not run as the note meant, when it could not.
    pub environment: Option<String>,
}

/// The verdicts and findings of `plan` (as the note now states its outputs) from its runs: a
/// mismatch whose output the second run does not repeat is unstable.
pub fn judge(
    plan: &Plan,
    text: &str,
    outcome: &Outcome,
    again: Option<&Outcome>,
) -> (Vec<Verdict>, Vec<Finding>) {
    let mut verdicts: Vec<Verdict> = plan
        .stated
        .iter()
        .map(|s| verdict(plan, s, outcome))
        .collect();
    if let Some(again) = again.filter(|a| a.end == outcome.end) {
        for (s, v) in plan.stated.iter().zip(verdicts.iter_mut()) {
            if let Verdict::Mismatch(first) = v
                && verdict(plan, s, again) != Verdict::Mismatch(first.clone())
            {
                *v = Verdict::Unstable;
            }
        }
    }
    let findings = findings(plan, outcome, &verdicts, text);
    (verdicts, findings)
}

/// Why an outcome says nothing about the note: the environment the sample needs.
pub fn environment_of(plan: &Plan, outcome: &Outcome) -> Option<String> {
    outcome
        .raised
        .iter()
        .find_map(|r| environment(r, plan))
        .or_else(|| match &outcome.end {
            End::NotCompiled(why) => Some(format!("does not compile here: {why}")),
            End::NoInterpreter(why) => Some(why.clone()),
            _ => None,
        })
}

/// Runs `plan`, judges its stated outputs, and runs it once more with another hash seed when
/// something does not match: an output that changes between the two is unstable.
pub fn run_and_check(plan: &Plan, text: &str, settings: &Settings, cancel: &AtomicBool) -> Checked {
    let outcome = exec::run(plan, settings, cancel, 0);
    let first: Vec<Verdict> = plan
        .stated
        .iter()
        .map(|s| verdict(plan, s, &outcome))
        .collect();
    let again = first
        .iter()
        .any(|v| matches!(v, Verdict::Mismatch(_)))
        .then(|| exec::run(plan, settings, cancel, 1));
    let (verdicts, findings) = judge(plan, text, &outcome, again.as_ref());
    Checked {
        environment: environment_of(plan, &outcome),
        outcome,
        again,
        verdicts,
        findings,
    }
}

/// Counts for measuring, by kind of stated output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub found: usize,
    pub run: usize,
    pub matched: usize,
    pub mismatched: usize,
    pub unstable: usize,
    pub raised: usize,
    pub no_output: usize,
    pub remarks: usize,
    pub not_run: usize,
}

impl Tally {
    pub fn add(&mut self, v: &Verdict) {
        self.found += 1;
        if *v != Verdict::NotRun {
            self.run += 1;
        }
        match v {
            Verdict::Matched => self.matched += 1,
            Verdict::Mismatch(_) => self.mismatched += 1,
            Verdict::Unstable => self.unstable += 1,
            Verdict::Raised(_) => self.raised += 1,
            Verdict::NoOutput => self.no_output += 1,
            Verdict::Remark => self.remarks += 1,
            Verdict::NotRun => self.not_run += 1,
        }
    }
}
