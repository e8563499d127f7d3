//! The check of languages with no reference compiler to measure the checker against (Kotlin,
//! Swift): only what is wrong whatever the grammar's gaps is reported. A literal or comment
//! that never ends, a bracket that closes nothing or the wrong bracket, a bracket never
//! closed, and a token the parser had to assume (a MISSING node) in every reading. A sample
//! the grammar cannot read for other reasons (an ERROR node) passes: the construct may be one
//! the grammar lacks.

use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{
    Grammar, MAX_LEN, Prepared, SyntaxError, Wrap, blank_elisions, first_error, lexical, parse,
};

/// The grammar of a conservatively checked language: its readings (`wraps`: the sample as a
/// file, as class members, as a function body) and how its strings are written.
pub(crate) const fn grammar(
    language: &'static LazyLock<Language>,
    wraps: &'static [Wrap],
    strings: lexical::Strings,
) -> Grammar {
    Grammar {
        language,
        wraps,
        expression: None,
        lint: |_, _| None,
        flavor: Some(lexical::Flavor {
            backtick_raw: true,
            cpp_raw: false,
            digit_separators: false,
            text_blocks: false,
            strings,
            lambda_braces: false,
        }),
        semicolons: false,
        prepare: Prepared::code,
        tolerate,
    }
}

/// MISSING tokens of the grammar's own making: its hidden rules and the statement ends its
/// scanner decides, which follow line breaks the grammar does not fully model.
fn tolerate(n: Node, _parent: Node, _next: Option<Node>) -> bool {
    n.kind().starts_with('_') || n.kind().is_empty()
}

/// [`check`], but a sample that is not code at all (a program's output, prose under a code
/// tag) is left alone, as in C++ and Java.
pub(crate) fn check_code(g: &Grammar, source: &str) -> Option<SyntaxError> {
    let error = check(g, source)?;
    super::looks_like_code(source, error.range.start).then_some(error)
}

/// A MISSING node left in a reading: its byte range in the sample and its message.
struct Missing {
    at: usize,
    range: std::ops::Range<usize>,
    message: String,
}

pub(crate) fn check(g: &Grammar, source: &str) -> Option<SyntaxError> {
    if source.len() > MAX_LEN {
        return None;
    }
    let prepared = (g.prepare)(source);
    let flavor = g.flavor.unwrap_or_default();
    let scan = lexical::scan(&prepared.text, flavor);
    let pairing = lexical::pairing_flaw(&prepared.text, &scan);
    let to_source =
        |r: std::ops::Range<usize>| prepared.to_source(r.start)..prepared.to_source(r.end);
    if let Some(flaw) = &scan.unterminated {
        // A stray closing bracket before the literal comes first; an opener left open is the
        // literal's doing (the scan stops at it).
        return Some(match pairing {
            Some(p) if !p.message.contains("end of input") && p.range.start < flaw.range.start => {
                SyntaxError {
                    range: to_source(p.range),
                    message: p.message,
                }
            }
            _ => SyntaxError {
                range: to_source(flaw.range.clone()),
                message: flaw.message.clone(),
            },
        });
    }
    if let Some(p) = pairing {
        return Some(SyntaxError {
            range: to_source(p.range),
            message: p.message,
        });
    }
    let text = blank_elisions(g, &prepared.text).unwrap_or_else(|| prepared.text.clone());
    let missing = missing_in_every_reading(g, &text)?;
    Some(SyntaxError {
        range: to_source(missing.range),
        message: missing.message,
    })
}

/// The MISSING node of the reading that reads furthest, when every reading has one first (a
/// reading with no problem, or with an ERROR node first, says nothing is surely wrong).
fn missing_in_every_reading(g: &Grammar, text: &str) -> Option<Missing> {
    let mut best: Option<Missing> = None;
    for wrap in g.wraps {
        let wrapped = format!("{}{}{}", wrap.before, text, wrap.after);
        let tree = parse(g.language, &wrapped)?;
        let root = tree.root_node();
        if !root.has_error() {
            return None;
        }
        let node = first_error(root, g.tolerate)?;
        if !node.is_missing() {
            return None;
        }
        let user = wrap.before.len()..wrap.before.len() + text.len();
        let found = describe(g, root, node, &wrapped, &user);
        if best.as_ref().is_none_or(|b| found.at > b.at) {
            best = Some(found);
        }
    }
    best
}

/// Words for a MISSING node: the token it stands for, marked on the token before it.
fn describe(
    g: &Grammar,
    root: Node,
    node: Node,
    text: &str,
    user: &std::ops::Range<usize>,
) -> Missing {
    let found = super::missing(g, root, node, text, user);
    let src_len = user.len();
    let clamp = |x: usize| x.saturating_sub(user.start).min(src_len);
    let end_of_code = text[user.clone()].trim_end().len();
    if found.at_end {
        let last = super::last_token_range(&text[user.clone()]);
        return Missing {
            at: src_len + 1,
            range: last,
            message: found.message,
        };
    }
    let start = clamp(found.range.start);
    Missing {
        at: clamp(node.start_byte()),
        range: start..clamp(found.range.end).clamp(start, end_of_code.max(start)),
        message: found.message,
    }
}
