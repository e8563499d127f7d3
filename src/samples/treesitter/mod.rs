//! Samples checked through tree-sitter grammars.
//!
//! Each language file says how a fragment may be read (as a file, as members of a class, as
//! statements in a function body), what in a note stands for elided code, and which
//! constructs its grammar accepts that the compiler does not. This part parses each reading,
//! keeps the sample if one parses, and otherwise turns the first ERROR or MISSING node of the
//! reading that got furthest into a message in words, on the line a compiler would name.

pub mod bash;
pub mod c;
mod conservative;
pub mod cpp;
pub mod csharp;
pub mod go;
pub mod java;
pub mod kotlin;
mod lexical;
pub mod php;
pub mod reparse;
pub mod ruby;
pub mod rust;
pub mod swift;

use std::ops::Range;

use reparse::parse;
use tree_sitter::{Language, Node};

pub use super::SyntaxError;

/// Text put around a sample so that the grammar reads it as a whole file.
pub(crate) struct Wrap {
    pub before: &'static str,
    pub after: &'static str,
}

/// A constructs check run on a tree with no ERROR or MISSING node: the range (in the parsed
/// text) and message of something the grammar accepts and the compiler rejects.
pub(crate) type Lint = fn(Node, &str) -> Option<(Range<usize>, String)>;

/// The `lint` of a grammar with no construct known that it accepts and its compiler rejects
/// (none found by the language's differential).
pub(crate) fn no_lint(_root: Node, _text: &str) -> Option<(Range<usize>, String)> {
    None
}

pub(crate) struct Grammar {
    pub language: &'static std::sync::LazyLock<Language>,
    /// The readings tried in order; the first that parses wins.
    pub wraps: &'static [Wrap],
    /// One more reading, tried when none of `wraps` parses: it may accept the sample, but its
    /// error is never the one reported (a statement read as an expression fails early).
    pub expression: Option<Wrap>,
    pub lint: Lint,
    /// How to skip literals and comments when pairing brackets (`None`: no bracket pairing).
    pub flavor: Option<lexical::Flavor>,
    /// Statements end with `;` (C, C++, Java): a statement-opening word after a finished
    /// expression at the end of a line means a `;` is missing there.
    pub semicolons: bool,
    /// The language's own reading of a note's sample before parsing.
    pub prepare: fn(&str) -> Prepared,
    /// MISSING nodes that stand for something the compiler does without (gcc's `typedef
    /// struct {...};` with no name is a warning), given with their parent and next sibling
    /// (tree-sitter's `Node::parent` does not find a zero-width node's parent reliably).
    pub tolerate: fn(Node, Node, Option<Node>) -> bool,
}

/// Samples longer than this are not parsed (a pasted log, a generated table).
const MAX_LEN: usize = 256 * 1024;

/// A sample made ready for a grammar: what stands for elided code blanked, and text a
/// compiler would accept without inserted (an implicit `int`), with the way back to the
/// sample's offsets.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub text: String,
    /// Insertions, in order: (offset in `text`, length).
    inserts: Vec<(usize, usize)>,
}

impl Prepared {
    pub fn new(source: &str) -> Prepared {
        Prepared {
            text: source.to_string(),
            inserts: Vec::new(),
        }
    }

    /// A code sample as C++, Java and Go read it: pasted line numbers and `...`/`???`
    /// placeholders blanked.
    pub fn code(source: &str) -> Prepared {
        let mut p = Prepared::new(source);
        p.line_numbers();
        p.placeholders();
        p
    }

    /// Inserts `what` at `at`, an offset in the sample; calls come in increasing `at`.
    pub fn insert(&mut self, at: usize, what: &str) {
        let shift: usize = self.inserts.iter().map(|&(_, n)| n).sum();
        let pos = at + shift;
        self.text.insert_str(pos, what);
        self.inserts.push((pos, what.len()));
    }

    /// The sample offset of an offset in `text` (inside an insertion: where it was made).
    pub fn to_source(&self, at: usize) -> usize {
        let mut out = at;
        for &(pos, n) in &self.inserts {
            if at >= pos + n {
                out -= n;
            } else if at > pos {
                out -= at - pos;
            }
        }
        out
    }

    /// Replaces a range of the text with as many spaces (same length, no map change).
    pub fn blank(&mut self, range: Range<usize>) {
        let spaces = " ".repeat(range.len());
        self.text.replace_range(range, &spaces);
    }

    /// Blanks the numbers of a numbered listing (`1: int a;`, `2. return a;`, `3 | }`):
    /// every non-blank line opens with its number, counting up by one from 0 or 1, then a
    /// `:`, `.`, `|` or `)` or a space.
    pub fn line_numbers(&mut self) {
        let mut spans = Vec::new();
        let mut expect = None;
        let mut at = 0;
        for line in self.text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            if body.trim().is_empty() {
                at += line.len();
                continue;
            }
            let indent = body.len() - body.trim_start().len();
            let digits = body[indent..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let number: Option<u32> = body[indent..indent + digits].parse().ok();
            let after = body[indent + digits..].chars().next();
            let marked = matches!(after, Some(':' | '.' | '|' | ')' | ' ' | '\t') | None);
            match (number, expect) {
                (Some(n), None) if n <= 1 && marked => {}
                (Some(n), Some(e)) if n == e && marked => {}
                _ => return,
            }
            expect = number.map(|n| n + 1);
            let mark = usize::from(matches!(after, Some(':' | '.' | '|' | ')')));
            spans.push(at + indent..at + indent + digits + mark);
            at += line.len();
        }
        if spans.len() >= 2 {
            for r in spans {
                self.blank(r);
            }
        }
    }

    /// Rewrites `<your code here>`-style placeholders in place (same length): blanked when
    /// alone on their line, else turned into a name (`_your_code_here_`) so that the
    /// expression around them still reads.
    pub fn placeholders(&mut self) {
        let mut out = std::mem::take(&mut self.text).into_bytes();
        let mut line_start = 0;
        let mut i = 0;
        while i < out.len() {
            match out[i] {
                b'\n' => line_start = i + 1,
                b'<' => {
                    if let Some(len) = placeholder_at(&out, i, line_start) {
                        let alone = out[line_start..i].iter().all(u8::is_ascii_whitespace)
                            && out[i + len..]
                                .iter()
                                .take_while(|&&b| b != b'\n')
                                .all(u8::is_ascii_whitespace);
                        for b in &mut out[i..i + len] {
                            *b = if alone {
                                b' '
                            } else if b.is_ascii_alphanumeric() {
                                *b
                            } else {
                                b'_'
                            };
                        }
                        i += len;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.text = String::from_utf8(out).expect("ASCII replaced by ASCII");
    }
}

/// The length of a placeholder such as `<your code here>` or `<type-name>` at `i`: a `<`
/// after a space, `(`, `=`, `,` or the line's start, a letter, then letters, digits,
/// spaces, `-`, `_` or `.` up to a `>` on the same line, with a space or `-` among them
/// (`<stdio.h>` after `#include` and `vector<int>` are code).
fn placeholder_at(b: &[u8], i: usize, line_start: usize) -> Option<usize> {
    let prev = if i > line_start { b[i - 1] } else { b' ' };
    let before = b[line_start..i].trim_ascii();
    if !matches!(prev, b' ' | b'\t' | b'(' | b'=' | b',')
        || before.starts_with(b"#")
        || before.ends_with(b"template")
    {
        return None;
    }
    if !b.get(i + 1)?.is_ascii_alphabetic() {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b' ' | b'-' | b'_' | b'.'))
    {
        j += 1;
    }
    let inner = &b[i + 1..j];
    (b.get(j) == Some(&b'>')
        && inner.iter().any(|&c| c == b' ' || c == b'-')
        && inner.last() != Some(&b' '))
    .then_some(j + 1 - i)
}

/// The first problem of one reading, in sample coordinates (clamped to the sample).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub range: Range<usize>,
    pub message: String,
    /// Where the reading stopped making sense: readings are ranked by it.
    pub reach: usize,
}

/// Checks `source` (already prepared by the language: same length as the sample, with
/// elisions and prompts blanked) in each of the grammar's readings.
pub(crate) fn check_readings(g: &Grammar, source: &str) -> Result<(), Problem> {
    if source.len() > MAX_LEN {
        return Ok(());
    }
    let mut best: Option<Problem> = None;
    for wrap in g.wraps {
        let text = format!("{}{}{}", wrap.before, source, wrap.after);
        let Some(tree) = parse(g.language, &text) else {
            return Ok(());
        };
        let user = wrap.before.len()..wrap.before.len() + source.len();
        let Some(p) = problem(g, tree.root_node(), &text, user) else {
            return Ok(());
        };
        if best.as_ref().is_none_or(|b| p.reach > b.reach) {
            best = Some(p);
        }
    }
    if expression(g, source).is_some_and(|w| reads_clean(g, w, source)) {
        return Ok(());
    }
    best.map_or(Ok(()), Err)
}

/// The grammar's expression reading, unless `source` has a `;` where no expression holds one
/// (its parse, a failing one, costs as much as the other readings').
fn expression<'g>(g: &'g Grammar, source: &str) -> Option<&'g Wrap> {
    let wrap = g.expression.as_ref()?;
    let statements = g
        .flavor
        .is_some_and(|f| lexical::semicolon_outside_blocks(source, &lexical::scan(source, f), f));
    (!statements).then_some(wrap)
}

/// Whether one of the grammar's readings of `source` parses: `check_readings(..).is_ok()`
/// without finding where the others fail (their parses stop at the first sure error).
pub(crate) fn accepts(g: &Grammar, source: &str) -> bool {
    source.len() > MAX_LEN
        || g.wraps
            .iter()
            .chain(expression(g, source))
            .any(|w| reads_clean(g, w, source))
}

/// Whether `source` read in `wrap` has no problem (or tree-sitter gives up on it).
fn reads_clean(g: &Grammar, wrap: &Wrap, source: &str) -> bool {
    let text = format!("{}{}{}", wrap.before, source, wrap.after);
    let user = wrap.before.len()..wrap.before.len() + source.len();
    match reparse::parse_clean(g.language, &text) {
        reparse::Parsed::Tree(t) => problem(g, t.root_node(), &text, user).is_none(),
        reparse::Parsed::Error => false,
        reparse::Parsed::GaveUp => true,
    }
}

/// The sample's first problem in one parsed reading, if any.
fn problem(g: &Grammar, root: Node, text: &str, user: Range<usize>) -> Option<Problem> {
    let found = if root.has_error() {
        let Some(node) = first_error(root, g.tolerate) else {
            let (range, message) = (g.lint)(root, text)?;
            return Some(to_sample(
                Found {
                    range,
                    message,
                    at_end: false,
                },
                text,
                &user,
            ));
        };
        if node.is_missing() {
            missing(g, root, node, text, &user)
        } else {
            unexpected(g, root, node, text, &user)
        }
    } else {
        let (range, message) = (g.lint)(root, text)?;
        Found {
            range,
            message,
            at_end: false,
        }
    };
    Some(to_sample(found, text, &user))
}

struct Found {
    range: Range<usize>,
    message: String,
    /// The problem is that the input ended (reported at the sample's last token).
    at_end: bool,
}

/// Maps a problem found in the wrapped text back into the sample.
fn to_sample(found: Found, text: &str, user: &Range<usize>) -> Problem {
    let src = &text[user.clone()];
    let end_of_code = src.trim_end().len();
    let last_token = last_token_range(src);
    if found.at_end || found.range.start >= user.start + end_of_code {
        let message = if found.at_end {
            found.message
        } else {
            format!("{} at end of input", found.message)
        };
        return Problem {
            range: last_token,
            message,
            reach: src.len() + 1,
        };
    }
    let start = found.range.start.saturating_sub(user.start).min(src.len());
    let end = found
        .range
        .end
        .saturating_sub(user.start)
        .clamp(start, end_of_code.max(start));
    Problem {
        range: start..end.max(start),
        message: found.message,
        reach: start,
    }
}

/// The range of the last token-like run of the source (where "end of input" is shown).
pub(crate) fn last_token_range(src: &str) -> Range<usize> {
    let end = src.trim_end().len();
    let start = src[..end]
        .rfind(char::is_whitespace)
        .map_or(0, |k| k + src[k..].chars().next().map_or(1, char::len_utf8));
    start.min(end)..end
}

/// The first ERROR or MISSING node in document order, leaving out tolerated MISSING ones.
fn first_error(root: Node, tolerate: fn(Node, Node, Option<Node>) -> bool) -> Option<Node> {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() {
            return Some(node);
        }
        if node.is_missing() {
            let mut up = cursor.clone();
            let parent = if up.goto_parent() { up.node() } else { root };
            let mut next = cursor.clone();
            let next = next.goto_next_sibling().then(|| next.node());
            if !tolerate(node, parent, next) {
                return Some(node);
            }
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                if cursor.node().has_error() || cursor.node().is_missing() {
                    break;
                }
                continue;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The last token that starts before `at` (the one a MISSING node at `at` follows).
fn leaf_before(root: Node, at: usize) -> Option<Node> {
    let mut node = root;
    loop {
        if node.child_count() == 0 {
            return (node.start_byte() < at).then_some(node);
        }
        let count = node.child_count();
        node = (0..count)
            .rev()
            .filter_map(|i| node.child(i))
            .find(|c| c.start_byte() < at && !c.byte_range().is_empty())?;
    }
}

/// Words for a grammar symbol the parser expected.
fn describe_kind(kind: &str, named: bool) -> String {
    if !named {
        return format!("'{kind}'");
    }
    match kind {
        "identifier" | "field_identifier" | "word" => "a name".into(),
        "type_identifier" | "primitive_type" => "a type".into(),
        "number_literal" | "int_literal" | "decimal_integer_literal" => "a number".into(),
        "string_literal" | "interpreted_string_literal" | "string" => "a string".into(),
        k => k.trim_start_matches('_').replace('_', " "),
    }
}

/// What is left open at the end of the sample, if the language pairs brackets.
fn end_flaw(g: &Grammar, src: &str) -> Option<lexical::Flaw> {
    let scan = lexical::scan(src, g.flavor?);
    lexical::pairing_flaw(src, &scan)
}

/// A MISSING node: the parser inserted a token to go on.
fn missing(g: &Grammar, root: Node, node: Node, text: &str, user: &Range<usize>) -> Found {
    let kind = node.kind();
    let what = describe_kind(kind, node.is_named());
    let at = node.start_byte();
    let rest_is_wrapper = at >= user.end || text[at..user.end].trim().is_empty();
    let closer = matches!(kind, ")" | "]" | "}");
    if rest_is_wrapper {
        // The input ended with something open: for a bracket, say which one.
        let message = match end_flaw(g, &text[user.clone()]) {
            Some(f) if closer && f.message.contains("end of input") => f.message,
            _ => format!("expected {what} at end of input"),
        };
        return Found {
            range: at..at,
            message,
            at_end: true,
        };
    }
    // Marked on the token after which something is missing, as compilers do.
    let range = match leaf_before(root, at) {
        Some(prev) if prev.end_byte() > user.start => prev.byte_range(),
        _ => at..at,
    };
    // A closing bracket is missing before something: name it, as gcc does.
    let next = text[at..user.end].trim_start();
    let message = match next.chars().next() {
        Some(c) if closer && !c.is_alphanumeric() && c != '_' && c != '"' && c != '\'' => {
            format!("expected {what} before '{c}'")
        }
        _ => format!("expected {what}"),
    };
    Found {
        range,
        message,
        at_end: false,
    }
}

/// A statement-opening word right after a line that ends an expression: gcc's and javac's
/// "expected ';'", named at the end of that line.
fn missing_semicolon(root: Node, tok: Node, text: &str, user: &Range<usize>) -> Option<Found> {
    let word = &text[tok.byte_range()];
    if !word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let prev = leaf_before(root, tok.start_byte())?;
    if prev.start_byte() < user.start || !text[prev.end_byte()..tok.start_byte()].contains('\n') {
        return None;
    }
    let last = &text[prev.byte_range()];
    let ends_expression = last.ends_with([')', ']', '"', '\''])
        || last.ends_with(|c: char| c.is_alphanumeric() || c == '_');
    let opens = matches!(
        last,
        "else" | "do" | "return" | "public" | "private" | "protected"
    );
    (ends_expression && !opens).then(|| Found {
        range: prev.byte_range(),
        message: format!("expected ';' before '{word}'"),
        at_end: false,
    })
}

/// The leaves of a node in document order (MISSING ones left out).
fn leaves<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    if node.child_count() == 0 {
        if !node.is_missing() {
            out.push(node);
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        leaves(child, out);
    }
}

/// Whether the grammar has an action for `symbol` in `state` (state 0: unknown, assumed so).
fn valid_in(language: &Language, state: u16, symbol: u16) -> bool {
    state == 0
        || language
            .lookahead_iterator(state)
            .is_none_or(|mut it| it.any(|s| s == symbol))
}

/// The token where an LR parser would have stopped, among the children of an ERROR node: the
/// first (a child token, or the first token of a child subtree) that the state after the
/// token before it has no action for, or a child token that its own state has no action for.
/// The states are one GLR version's, so the tokens inside whole subtrees are not tested.
fn offender<'t>(
    language: &Language,
    text: &str,
    node: Node<'t>,
    before: Option<Node<'t>>,
) -> Option<Node<'t>> {
    let mut prev = before.filter(|b| !b.is_extra());
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.is_extra() || child.is_missing() {
            continue;
        }
        let mut first = child;
        while let Some(c) = first.child(0) {
            first = c;
        }
        if first.byte_range().is_empty() || text[first.byte_range()].trim().is_empty() {
            continue;
        }
        let symbol = first.grammar_id();
        let after_prev = prev.map_or(0, |p| p.next_parse_state());
        let skipped = child.child_count() == 0;
        if !valid_in(language, after_prev, symbol)
            || (skipped && !valid_in(language, first.parse_state(), symbol))
        {
            return Some(first);
        }
        let mut last = child;
        while last.child_count() > 0 {
            match last.child(last.child_count() - 1) {
                Some(c) => last = c,
                None => break,
            }
        }
        prev = Some(last);
    }
    None
}

/// An ERROR node: tokens the parser could not fit. The one marked is where an LR parser
/// would have stopped, else the end of input if a bracket is left open there, else the
/// node's first token.
fn unexpected(g: &Grammar, root: Node, node: Node, text: &str, user: &Range<usize>) -> Found {
    let language: &Language = g.language;
    let before = leaf_before(root, node.start_byte());
    let mut offender = offender(language, text, node, before);
    let reaches_end = node.end_byte() >= user.start + text[user.clone()].trim_end().len();
    if offender.is_none()
        && reaches_end
        && let Some(f) = end_flaw(g, &text[user.clone()])
    {
        let at_end = f.message.contains("end of input");
        let at = user.start + f.range.start;
        return Found {
            range: if at_end {
                user.end..user.end
            } else {
                at..at + f.range.len()
            },
            message: f.message,
            at_end,
        };
    }
    if offender.is_none() {
        let mut ls = Vec::new();
        leaves(node, &mut ls);
        offender = ls
            .into_iter()
            .find(|l| !l.is_extra() && !text[l.byte_range()].trim().is_empty());
    }
    let Some(tok) = offender else {
        return Found {
            range: node.start_byte()..node.start_byte(),
            message: "syntax error".into(),
            at_end: node.start_byte() >= user.end,
        };
    };
    if tok.start_byte() >= user.end {
        // The wrapper's own text is what does not fit: the sample left something open, or
        // closed what it did not open.
        return match end_flaw(g, &text[user.clone()]) {
            Some(f) if !f.message.contains("end of input") => Found {
                range: user.start + f.range.start..user.start + f.range.end,
                message: f.message,
                at_end: false,
            },
            f => Found {
                range: tok.byte_range(),
                message: f.map_or_else(|| "unexpected end of input".into(), |f| f.message),
                at_end: true,
            },
        };
    }
    // `struct S { ... }` without its `;`, then the next declaration on a later line: gcc and
    // g++ name the missing `;` at the closing brace.
    if let Some(decl) = node.parent()
        && matches!(
            decl.kind(),
            "declaration" | "field_declaration" | "function_definition"
        )
        && let Some(spec) = decl.child(0)
        && let Some(what) = spec.kind().strip_suffix("_specifier")
        && matches!(what, "class" | "struct" | "union" | "enum")
        && let Some(body) = spec.child(spec.child_count().saturating_sub(1))
        && matches!(body.kind(), "field_declaration_list" | "enumerator_list")
        && text[body.end_byte()..tok.start_byte()].contains('\n')
        && body.end_byte() > user.start
    {
        return Found {
            range: body.end_byte() - 1..body.end_byte(),
            message: format!("expected ';' after {what} definition"),
            at_end: false,
        };
    }
    if g.semicolons
        && let Some(found) = missing_semicolon(root, tok, text, user)
    {
        return found;
    }
    let word = &text[tok.byte_range()];
    let shown: String = word.chars().take(24).collect();
    let shown = if shown.len() < word.len() {
        format!("{}...", shown.trim_end())
    } else {
        shown
    };
    let message = if matches!(word, ")" | "]" | "}") {
        let pairing = g.flavor.map(|f| {
            let scan = lexical::scan(&text[user.clone()], f);
            lexical::pairing(&scan.brackets)
        });
        match pairing {
            Some(lexical::Pairing::Unmatched(at)) if at + user.start == tok.start_byte() => {
                format!("unmatched '{word}'")
            }
            _ => format!("unexpected '{word}'"),
        }
    } else if tok.kind() == "\n" || word.trim().is_empty() {
        "unexpected end of line".into()
    } else {
        format!("unexpected '{shown}'")
    };
    Found {
        range: tok.byte_range(),
        message,
        at_end: false,
    }
}

/// The first node (pre-order) for which `f` finds something.
pub(crate) fn find_node<T>(root: Node, f: &mut impl FnMut(Node) -> Option<T>) -> Option<T> {
    let mut cursor = root.walk();
    loop {
        if let Some(found) = f(cursor.node()) {
            return Some(found);
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// Whether the `...` at `at` is the language's own (a variadic parameter, a fold
/// expression) or text inside a string or comment: a node of the tree that is not an error.
fn kept_as_written(root: Node, at: usize) -> bool {
    let Some(n) = root.descendant_for_byte_range(at, at + 1) else {
        return false;
    };
    if n.is_error() || n.parent().is_some_and(|p| p.is_error()) {
        return false;
    }
    let k = n.kind();
    k == "..." || k.contains("string") || k.contains("comment") || k.contains("char")
}

/// The sample with `...` and `…` that stand for elided code blanked (same length), leaving
/// those the grammar reads as its own and those inside literals. `None` when there are none.
pub(crate) fn blank_elisions(g: &Grammar, source: &str) -> Option<String> {
    if !source.contains("...") && !source.contains('…') {
        return None;
    }
    let tree = parse(g.language, source)?;
    let root = tree.root_node();
    let mut out = source.to_string();
    let mut changed = false;
    for pat in ["...", "…"] {
        let mut from = 0;
        while let Some(k) = out[from..].find(pat) {
            let at = from + k;
            from = at + pat.len();
            if !kept_as_written(root, at) {
                out.replace_range(at..at + pat.len(), &" ".repeat(pat.len()));
                changed = true;
            }
        }
    }
    changed.then_some(out)
}

/// Whether a line carries code punctuation, or opens with a directive, a comment or a word
/// that starts a declaration: what a program's output and prose mostly lack.
fn code_like(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "#",
        "//",
        "/*",
        "*",
        "int ",
        "void ",
        "char ",
        "bool ",
        "auto ",
        "long ",
        "float ",
        "double ",
        "unsigned ",
        "const ",
        "static ",
        "using ",
        "class ",
        "struct ",
        "enum ",
        "union ",
        "template",
        "typedef ",
        "return",
        "std::",
        "public ",
        "private ",
        "var ",
        "func ",
        "type ",
        "import ",
        "package ",
        "String ",
    ];
    let t = line.trim();
    t.contains([';', '{', '}', '(', ')', '=', '[', ']'])
        || t.contains("::")
        || t.contains("->")
        || t.contains("<<")
        || STARTS.iter().any(|s| t.starts_with(s))
}

/// Whether a sample that does not parse is code at all, and the error in code: not a
/// program's output or pseudo-code under a code tag (most lines without code punctuation),
/// nor output pasted under the code (the error's line and every line after it without).
pub(crate) fn looks_like_code(source: &str, error_at: usize) -> bool {
    looks_like_code_in(source, error_at, |_| false)
}

/// [`looks_like_code`] for a language whose own lines (`own`) may carry none of the
/// punctuation and words common to the C family (PHP's `<?php`, `echo "a"`).
pub(crate) fn looks_like_code_in(source: &str, error_at: usize, own: fn(&str) -> bool) -> bool {
    if super::strict::strict() {
        return true;
    }
    let is_code = |l: &str| code_like(l) || own(l.trim());
    let lines: Vec<&str> = source.lines().filter(|l| !l.trim().is_empty()).collect();
    let code = lines.iter().filter(|l| is_code(l)).count();
    if code * 2 < lines.len() {
        return false;
    }
    let line_start = source[..error_at.min(source.len())]
        .rfind('\n')
        .map_or(0, |k| k + 1);
    source[line_start..].lines().any(is_code)
}

/// The usual flow of a C-family language: lexical faults first (an unterminated literal is
/// named on its own line unless a parse error comes before it), then the readings as
/// written, then with elisions blanked.
pub(crate) fn check_c_family(g: &Grammar, source: &str) -> Option<SyntaxError> {
    let prepared = (g.prepare)(source);
    let written = match check_readings(g, &prepared.text) {
        Ok(()) => return None,
        Err(p) => p,
    };
    let elided = blank_elisions(g, &prepared.text);
    let parsed = match elided.as_deref().map(|s| check_readings(g, s)) {
        Some(Ok(())) => return None,
        Some(Err(p)) if p.reach > written.reach => p,
        _ => written,
    };
    let text = elided.unwrap_or_else(|| prepared.text.clone());
    let range = prepared.to_source(parsed.range.start)..prepared.to_source(parsed.range.end);
    let flavor = g.flavor.unwrap_or_default();
    let scan = lexical::scan(source, flavor);
    // A bracket that closes nothing, or the wrong thing, before the parse error: where a
    // compiler stops at the latest.
    if let Some(flaw) = lexical::pairing_flaw(source, &scan)
        && !flaw.message.contains("end of input")
        && flaw.range.start < range.start
    {
        return Some(SyntaxError {
            range: flaw.range,
            message: flaw.message,
        });
    }
    if let Some(flaw) = scan.unterminated
        && (flaw.range.start <= range.start || caused_by(g, &prepared, &text, &flaw, range.start))
    {
        return Some(SyntaxError {
            range: flaw.range,
            message: flaw.message,
        });
    }
    Some(SyntaxError {
        range,
        message: parsed.message,
    })
}

/// Whether `check_c_family(g, source)` finds nothing, at the cost of parses that stop at the
/// first sure error (for repairs tried one after another).
pub(crate) fn accepts_c_family(g: &Grammar, source: &str) -> bool {
    let prepared = (g.prepare)(source);
    // First: its parse of the text as written is kept, and taken again as the file reading.
    let elided = blank_elisions(g, &prepared.text);
    accepts(g, &prepared.text) || elided.is_some_and(|text| accepts(g, &text))
}

/// The readings of a prepared sample as written, then with elisions blanked: `None` when one
/// parses, else the error of the reading that got furthest (in the sample's offsets) and the
/// text read last (elisions blanked, if there were any).
pub(crate) fn parse_readings(g: &Grammar, prepared: &Prepared) -> Option<(SyntaxError, String)> {
    let written = check_readings(g, &prepared.text).err()?;
    let elided = blank_elisions(g, &prepared.text);
    let (parsed, text) = match elided {
        Some(text) => match check_readings(g, &text) {
            Ok(()) => return None,
            Err(p) if p.reach > written.reach => (p, text),
            Err(_) => (written, text),
        },
        None => (written, prepared.text.clone()),
    };
    let range = prepared.to_source(parsed.range.start)..prepared.to_source(parsed.range.end);
    Some((
        SyntaxError {
            range,
            message: parsed.message,
        },
        text,
    ))
}

/// Whether a parse error at `error_at` (before an unterminated literal) comes from that
/// literal: with the rest of the literal's line blanked, the sample parses up to it.
fn caused_by(
    g: &Grammar,
    prepared: &Prepared,
    text: &str,
    flaw: &lexical::Flaw,
    error_at: usize,
) -> bool {
    let start = (0..=text.len())
        .find(|&k| prepared.to_source(k) >= flaw.range.start)
        .unwrap_or(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |k| start + k);
    let mut blanked = text.to_string();
    blanked.replace_range(start..end, &" ".repeat(end - start));
    match check_readings(g, &blanked) {
        Ok(()) => true,
        Err(p) => prepared.to_source(p.range.start) > error_at,
    }
}

/// The line (1-based) and message of the error `check` reports in `src`, for the languages'
/// tests.
#[cfg(test)]
pub(crate) fn error_line(check: fn(&str) -> Option<SyntaxError>, src: &str) -> (usize, String) {
    let e = check(src).unwrap_or_else(|| panic!("no error in {src:?}"));
    (1 + src[..e.range.start].matches('\n').count(), e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_maps_back() {
        let mut p = Prepared::new("main() {}\nf() {}\n");
        p.insert(0, "int ");
        p.insert(10, "int ");
        assert_eq!(p.text, "int main() {}\nint f() {}\n");
        assert_eq!(p.to_source(4), 0);
        assert_eq!(p.to_source(2), 0);
        assert_eq!(p.to_source(18), 10);
        assert_eq!(p.to_source(19), 11);
    }

    #[test]
    fn numbered_listings() {
        let mut p = Prepared::new("1: int a = 1;\n2:\n3: return a;\n");
        p.line_numbers();
        assert_eq!(p.text, "   int a = 1;\n  \n   return a;\n");
        let mut p = Prepared::new("1 + 2;\n3 + 4;\n");
        p.line_numbers();
        assert_eq!(p.text, "1 + 2;\n3 + 4;\n");
    }

    #[test]
    fn placeholders() {
        let mut p = Prepared::new(
            "int x = <some value>;\n    <your code here>\n#include <my-lib.h>\nvector<int> v;\nif (a < b && c > d) {}\n",
        );
        p.placeholders();
        assert_eq!(
            p.text,
            "int x = _some_value_;\n                    \n#include <my-lib.h>\nvector<int> v;\nif (a < b && c > d) {}\n"
        );
    }

    #[test]
    fn last_token() {
        assert_eq!(last_token_range("a\n  foo();\n\n"), 4..10);
        assert_eq!(last_token_range("x"), 0..1);
    }
}
