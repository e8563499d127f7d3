//! JavaScript, JSX, TypeScript and TSX samples, parsed by `oxc_parser` (conformance-tested
//! against test262, Babel's and TypeScript's suites).
//!
//! Samples are fragments, so a sample is tried several ways, and it parses if any way does
//! (the rules are written down in `docs/languages.md`):
//!
//! 1. a shell command in a `js` fence (`$ node app.js`, `npm install x`) or markup (an
//!    Angular template in a `ts` fence) is not checked;
//! 2. a Node REPL session (`> ` prompts) keeps its code and loses its output;
//! 3. `...` elisions and `<your code here>` placeholders become identifiers;
//! 4. the text as a module, then as a script (sloppy mode: `with`, octal literals), with
//!    `return` allowed at the top level (a function body shown alone);
//! 5. the text as the members of a class (a method shown alone), then as the body of a
//!    generator function (`yield` shown alone), then as an object literal's members;
//! 6. output pasted under the code: when the text up to a blank line or an `// Output:` line
//!    parses and what follows it reads as output rather than code.
//!
//! When no way parses, the error reported is the one of the way that read furthest into the
//! sample: a class member alone fails early as a file and late (or never) as class members.

mod prepare;

use oxc_allocator::Allocator;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;

use super::SyntaxError;

/// A sample tagged `js`, `javascript`, `jsx`, `mjs`, `cjs` or `node`: JavaScript with JSX.
pub fn check_javascript(source: &str) -> Option<SyntaxError> {
    check(source, &[SourceType::jsx()])
}

/// A sample tagged `ts` or `typescript`: TypeScript, then TSX (`<T>x` casts are TypeScript
/// only, JSX elements TSX only).
pub fn check_typescript(source: &str) -> Option<SyntaxError> {
    check(source, &[SourceType::ts(), SourceType::tsx()])
}

/// A sample tagged `tsx`.
pub fn check_tsx(source: &str) -> Option<SyntaxError> {
    check(source, &[SourceType::tsx()])
}

/// A way of reading the sample: text around it.
struct Wrap {
    before: &'static str,
    after: &'static str,
}

const WRAPS: &[Wrap] = &[
    Wrap {
        before: "class __Sample {\n",
        after: "\n}\n",
    },
    Wrap {
        before: "function* __sample() {\n",
        after: "\n}\n",
    },
    Wrap {
        before: "({\n",
        after: "\n});\n",
    },
];

fn check(source: &str, types: &[SourceType]) -> Option<SyntaxError> {
    if prepare::is_not_code(source) && !super::strict::strict() {
        return None;
    }
    let text = prepare::repl(source).unwrap_or_else(|| source.to_string());
    let text = prepare::neutralize(&text);
    let mut best: Option<SyntaxError> = None;
    let mut keep = |err: SyntaxError| {
        if best
            .as_ref()
            .is_none_or(|b| err.range.start > b.range.start)
        {
            best = Some(err);
        }
    };
    for &ty in types {
        // A module first (`import`, top-level `await`), then a script (sloppy mode).
        let script = ty.with_script(true);
        for ty in [ty.with_module(true), script] {
            match parse(&text, ty) {
                None => return None,
                Some(err) => keep(err),
            }
        }
        for wrap in WRAPS {
            let wrapped = format!("{}{text}{}", wrap.before, wrap.after);
            match parse_wrapped(&wrapped, wrap.before.len(), text.len(), script) {
                None => return None,
                Some(err) => keep(err),
            }
        }
    }
    let err = best?;
    if output_follows(&text, err.range.start, types) {
        return None;
    }
    Some(err)
}

/// Parses `text` as it is; the first error.
fn parse(text: &str, ty: SourceType) -> Option<SyntaxError> {
    parse_wrapped(text, 0, text.len(), ty)
}

/// Parses `wrapped`, whose sample starts at `start` and is `len` bytes long; the first error
/// in the sample's offsets (clamped to it: an error in the wrapping is reported at its edge).
fn parse_wrapped(wrapped: &str, start: usize, len: usize, ty: SourceType) -> Option<SyntaxError> {
    let allocator = Allocator::default();
    let options = ParseOptions {
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let ret = Parser::new(&allocator, wrapped, ty)
        .with_options(options)
        .parse();
    let first = ret.diagnostics.errors().next()?;
    let (from, to) = first
        .labels
        .iter()
        .find(|l| l.primary())
        .or(first.labels.first())
        .map_or((0, 0), |l| {
            let o = l.offset() as usize;
            (o, o + l.len() as usize)
        });
    let clamp = |o: usize| o.saturating_sub(start).min(len);
    let mut message = first.message.to_string();
    if let Some(help) = &first.help
        && message.len() + help.len() < 120
    {
        message = format!("{message}: {}", help.trim_end_matches('.'));
    }
    Some(SyntaxError {
        range: clamp(from)..clamp(to),
        message,
    })
}

/// Whether the text from the line holding `error` on is output pasted under code that parses:
/// the code ends at a blank line or an `Output:` line before the error, and every line after
/// reads as output.
fn output_follows(text: &str, error: usize, types: &[SourceType]) -> bool {
    let mut cut = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if at > error {
            break;
        }
        let t = line.trim();
        let label = t.trim_start_matches("//").trim().to_ascii_lowercase();
        if at > 0 && (t.is_empty() || is_output_label(&label)) {
            cut = Some(at);
        }
        at += line.len();
    }
    let Some(cut) = cut else {
        return false;
    };
    let tail = &text[cut..];
    if !tail.lines().all(reads_as_output) {
        return false;
    }
    let head = &text[..cut];
    types.iter().any(|&ty| {
        parse(head, ty.with_module(true)).is_none() || parse(head, ty.with_script(true)).is_none()
    })
}

fn is_output_label(label: &str) -> bool {
    ["output", "result", "prints", "logs", "console"]
        .iter()
        .any(|w| label.starts_with(w) && label.len() < 40 && label.ends_with(':'))
}

/// A line of program output: no statement keyword, no `;` or `{` ending it, no assignment,
/// no call, no string left open.
fn reads_as_output(line: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "const ", "let ", "var ", "function", "return", "if ", "if(", "for ", "for(", "while",
        "class ", "import ", "export ", "async ", "await ", "=>", "console.",
    ];
    let t = line.trim();
    t.is_empty()
        || t.starts_with("//")
        || !(KEYWORDS.iter().any(|k| t.contains(k))
            || t.ends_with(';')
            || t.ends_with('{')
            || t.contains(" = ")
            || t.contains('(')
            || t.matches('\'').count() % 2 == 1
            || t.matches('"').count() % 2 == 1)
}

#[cfg(test)]
mod tests;
