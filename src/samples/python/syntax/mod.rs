//! Combining tokenizer errors with ruff's parse errors the way CPython's parser does, and
//! translating ruff's parse errors into CPython's messages and positions.

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Mod, ModModule, Stmt};
use ruff_python_parser::{LexicalErrorType, ParseErrorType, Parsed, UnsupportedSyntaxErrorKind};
use ruff_text_size::{Ranged, TextRange};

use super::lexer::{Class, Kind, Lexed, Token};
use super::{Error, Text};

mod context;
mod rules;
mod strings;
mod targets;

use rules::*;
use strings::*;
use targets::*;

pub(super) fn first_error(text: &Text, lexed: &Lexed, parsed: &Parsed<Mod>) -> Option<Error> {
    let cx = Cx {
        text,
        module: match parsed.syntax() {
            Mod::Module(module) => Some(module),
            Mod::Expression(_) => None,
        },
        tokens: &lexed.tokens,
        stop: lexed.error.as_ref().map_or(text.bytes.len() - 1, |e| e.pos),
    };
    let parse = first_parse_error(text, parsed).map(|failure| translate(&cx, &failure));
    // ruff misses some of these; whichever CPython meets first wins.
    let parse = match (parse, juxtaposed_pattern_atoms(&cx)) {
        (Some(p), Some(j)) if j.fail_pos < p.fail_pos => Some(j),
        (Some(p), _) => Some(p),
        (None, j) => j,
    };
    let Some(lex) = &lexed.error else {
        return parse.map(|p| p.error);
    };
    let lex_error = || match lex.class {
        Class::UnclosedAtEof => lexed.unclosed(text).map(|(err, _)| err),
        _ => Some(lex.error.clone()),
    };
    let Some(parse) = parse else {
        return lex_error();
    };
    if parse.fail_pos >= lex.pos.min(text.bytes.len() - 1) {
        // The parser consumed every token up to the tokenizer's failure.
        return lex_error();
    }
    match lex.class {
        // CPython tokenizes the rest of the file after a parser error and lets a tokenizer
        // exception replace it, except for the `unexpected indent` path, which bails out first,
        // and inside f-strings, where the parser's error is kept.
        Class::Eager { in_fstring: false } if !parse.unexpected_indent => Some(lex.error.clone()),
        Class::Eager { .. } => Some(parse.error),
        Class::Lazy | Class::UnclosedAtEof => {
            // Where tokenizing stops (at the end of input, or at an error the tokenizer only
            // records) with a bracket open, CPython reports the bracket instead if it was
            // opened on an earlier line than the furthest token the parser read.
            let reaches = parse.reaches_eof && lex.class == Class::UnclosedAtEof;
            if !parse.unexpected_indent
                && let Some((unclosed, line)) = lexed.unclosed(text)
                && (reaches || line < text.line_of(parse.furthest))
            {
                return Some(unclosed);
            }
            Some(parse.error)
        }
    }
}

/// ruff's first error, in normalized offsets.
struct Failure {
    start: usize,
    end: usize,
    /// The same range in the caller's offsets, as ruff's syntax tree has them.
    range: TextRange,
    kind: FailureKind,
}

enum FailureKind {
    Parse(ParseErrorType),
    Unsupported(UnsupportedSyntaxErrorKind),
    /// `try` with `else` but no `except`; points at the `else` body.
    TryElse,
}

impl Failure {
    /// Where the parser notices the problem: invalid targets are only known as such once
    /// the `=` (or `:`, `,`...) after them is seen, although they are reported at their start.
    fn detected_at(&self) -> usize {
        match &self.kind {
            FailureKind::Parse(
                ParseErrorType::InvalidAssignmentTarget
                | ParseErrorType::InvalidAnnotatedAssignmentTarget
                | ParseErrorType::InvalidAugmentedAssignmentTarget
                | ParseErrorType::InvalidNamedAssignmentTarget
                | ParseErrorType::InvalidDeleteTarget,
            ) => self.end,
            _ => self.start,
        }
    }
}

/// A parser error as CPython would report it.
struct Translated {
    error: Error,
    /// Where CPython's parser gives up: tokenizer errors before it take precedence.
    fail_pos: usize,
    /// The furthest position CPython's parser read, for the unclosed-bracket check.
    furthest: usize,
    unexpected_indent: bool,
    /// Whether CPython's parser reads on to the end of the input, where an unclosed bracket
    /// is reported whatever the lines.
    reaches_eof: bool,
    /// Whether the error was found inside a group following the failure point.
    inner: bool,
}

fn first_parse_error(text: &Text, parsed: &Parsed<Mod>) -> Option<Failure> {
    let parse = parsed.errors().iter().map(|e| Failure {
        start: text.normalized(e.location.start().to_usize()),
        end: text.normalized(e.location.end().to_usize()),
        range: e.location,
        kind: FailureKind::Parse(e.error.clone()),
    });
    let unsupported = parsed.unsupported_syntax_errors().iter().map(|e| Failure {
        start: text.normalized(e.range.start().to_usize()),
        end: text.normalized(e.range.end().to_usize()),
        range: e.range,
        kind: FailureKind::Unsupported(e.kind),
    });
    let missed = parsed
        .syntax()
        .as_module()
        .and_then(|m| try_else_without_except(&m.body))
        .map(|range| Failure {
            start: text.normalized(range.start().to_usize()),
            end: text.normalized(range.end().to_usize()),
            range,
            kind: FailureKind::TryElse,
        });
    parse
        .chain(unsupported)
        .chain(missed)
        .min_by_key(Failure::detected_at)
}

/// ruff accepts `try: ... else: ...` without `except`, which CPython rejects; returns the
/// `else` body's first statement of the first such `try`.
fn try_else_without_except(body: &[Stmt]) -> Option<TextRange> {
    struct Finder(Option<TextRange>);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.0.is_some() {
                return;
            }
            if let Stmt::Try(t) = stmt
                && t.handlers.is_empty()
                && let Some(first) = t.orelse.first()
            {
                self.0 = Some(first.range());
                return;
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    let mut finder = Finder(None);
    finder.visit_body(body);
    finder.0
}

/// Token-level view of the source for the translation heuristics.
struct Cx<'a> {
    text: &'a Text<'a>,
    /// ruff's (error-tolerant) syntax tree, for the kinds of expressions CPython names.
    module: Option<&'a ModModule>,
    tokens: &'a [Token],
    /// Where tokenizing stopped: the position of tokens past the last one.
    stop: usize,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn translated(error: Error, fail_pos: usize) -> Translated {
    Translated {
        furthest: fail_pos.max(error.start),
        error,
        fail_pos,
        unexpected_indent: false,
        reaches_eof: false,
        inner: false,
    }
}

fn translate(cx: &Cx, failure: &Failure) -> Translated {
    // The token CPython's parser would have failed on.  ruff's errors sometimes point at a
    // newline inside brackets (ruff recovers from unclosed brackets at line ends), which
    // CPython's tokenizer never emits: the next token is where CPython stops.
    let mut f = cx.at(failure.start);
    while cx.kind(f) == Some(Kind::Dedent) {
        // A block may end here, unless a decorator is waiting for its definition.
        let previous = cx.logical_line_start(f.saturating_sub(1));
        if f > 0 && cx.is(previous, "@") {
            let mut t = translated(
                Error::new(cx.start(f), cx.start(f), "unexpected unindent"),
                cx.start(f),
            );
            t.unexpected_indent = true;
            return t;
        }
        f += 1;
    }
    if f >= cx.tokens.len() {
        // Beyond where CPython's tokenizer stopped: its error comes first anyway.
        return translated(
            Error::new(failure.start, failure.end, "invalid syntax"),
            failure.start,
        );
    }
    let mut t = translate_at(cx, failure, f);
    // Two expressions side by side: CPython's second pass parses the second one in full (to
    // suggest a missing comma), reading up to the token after it, or to the end of the input
    // if it opens a bracket that is never closed.  Not where no expression is parsed.
    if !t.inner
        && parses_juxtaposition(cx, f)
        && f > 0
        && cx.starts_expression(f)
        && cx.ends_operand(f - 1)
    {
        let end = cx.expression_end(f);
        if end >= cx.tokens.len() {
            t.reaches_eof = true;
        } else {
            t.furthest = t.furthest.max(cx.start(end));
        }
    }
    t
}

fn translate_at(cx: &Cx, failure: &Failure, f: usize) -> Translated {
    let at = |i: usize, message: &str| {
        translated(Error::new(cx.start(i), cx.end(i), message), cx.start(i))
    };

    if cx.kind(f) == Some(Kind::Indent) {
        let mut t = translated(
            Error::new(cx.end(f), cx.end(f), "unexpected indent"),
            cx.start(f),
        );
        t.unexpected_indent = true;
        return t;
    }

    let kind = match &failure.kind {
        FailureKind::Unsupported(kind) => return unsupported(cx, f, *kind),
        FailureKind::TryElse => {
            // Reported at the `else` keyword.
            let mut e = f;
            while e > 0 && !cx.is(e, "else") {
                e -= 1;
            }
            return at(e, "expected 'except' or 'finally' block");
        }
        FailureKind::Parse(kind) => kind,
    };

    match kind {
        ParseErrorType::UnexpectedIndentation => {
            let mut t = translated(
                Error::new(failure.start, failure.end, "unexpected indent"),
                failure.start,
            );
            t.unexpected_indent = true;
            return t;
        }
        ParseErrorType::Lexical(
            LexicalErrorType::UnicodeError
            | LexicalErrorType::MissingUnicodeLbrace
            | LexicalErrorType::MissingUnicodeRbrace
            | LexicalErrorType::InvalidByteLiteral,
        ) => {
            if let Some(t) = string_error(cx, failure.start, kind) {
                return t;
            }
        }
        ParseErrorType::OtherError(msg) => {
            if msg.starts_with("Multiple exception types must be parenthesized") {
                return translated(
                    Error::new(
                        failure.start,
                        failure.end,
                        "multiple exception types must be parenthesized",
                    ),
                    failure.start,
                );
            }
            if msg.starts_with("Expected an indented block after")
                && let Some(t) = indented_block(cx, f)
            {
                return t;
            }
            if msg.starts_with("Expected `except` or `finally`") {
                return at(f, "expected 'except' or 'finally' block");
            }
        }
        _ => {}
    }

    if let Some(t) = invalid_target(cx, failure, kind) {
        return t;
    }
    if let Some(t) = parameters(cx, f, kind) {
        return t;
    }
    if let Some(t) = arguments(cx, failure, f, kind) {
        return t;
    }
    if cx.is(f, "=")
        && cx.field_open(f).is_none()
        && let Some(t) = assignment_in_expression(cx, f)
    {
        return t;
    }

    let line = cx.logical_line_start(f);
    let mut keyword = line;
    if cx.is(keyword, "async") {
        keyword += 1;
    }
    if cx.is(keyword, "def")
        && let Some(t) = def_header_colon(cx, keyword, f)
    {
        return t;
    }
    // A malformed type parameter list: CPython then demands the parameters' `(`.
    if let Some(open) = cx.innermost_open(f)
        && cx.is(open, "[")
        && open > 1
        && cx.kind(open - 1) == Some(Kind::Name)
        && matches!(cx.str(open - 2), "def" | "class")
    {
        let message = if cx.is(open - 2, "def") {
            "expected '('"
        } else {
            "invalid syntax"
        };
        return at(if message == "invalid syntax" { f } else { open }, message);
    }
    if cx.level_before(f) > 0 && for_targets_without_in(cx, f) {
        return at(f, "'in' expected after for-loop variables");
    }
    match kind {
        ParseErrorType::InvalidStarredExpressionUsage | ParseErrorType::ExpectedExpression
            if f > 0 && cx.is(f - 1, "(") && (cx.is(f, "*") || cx.is(f, "**")) =>
        {
            // `(*a)`: a group holding only a starred expression.
            let end = cx.expression_end(f + 1);
            if cx.is(end, ")") {
                let message = if cx.is(f, "*") {
                    "cannot use starred expression here"
                } else {
                    "cannot use double starred expression here"
                };
                let e = Error::new(cx.start(f), cx.end(end - 1), message);
                return translated(e, cx.start(f));
            }
        }
        ParseErrorType::EmptySlice if f > 1 && cx.is(f - 1, "[") => {
            // `x[]` is, to CPython, `x` followed by an empty list.
            if let Some(t) = missing_comma(cx, f - 1) {
                return t;
            }
        }
        ParseErrorType::EmptyImportNames => {
            return at(f, "Expected one or more names after 'import'");
        }
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Comma,
            ..
        } if cx.level_before(f) == 0
            && cx.kind(f) == Some(Kind::Op)
            && cx.str(f).len() >= 2
            && cx.str(f).ends_with('=')
            && !matches!(cx.str(f), "==" | "!=" | "<=" | ">=") =>
        {
            // `a, b += 1`
            let e = Error::new(
                cx.start(line),
                cx.end(f - 1),
                "'tuple' is an illegal expression for augmented assignment",
            );
            return translated(e, cx.start(f));
        }
        ParseErrorType::ExpectedExpression
            if f > 0
                && cx.is(f - 1, ":")
                && matches!(cx.str(f), "}" | ",")
                && cx.innermost_open(f).is_some_and(|o| cx.is(o, "{")) =>
        {
            return at(f - 1, "expression expected after dictionary key and ':'");
        }
        ParseErrorType::ExpectedToken {
            expected: TokenKind::In,
            ..
        } if cx.level_before(f) > 0 => {
            return at(f, "'in' expected after for-loop variables");
        }
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Lpar,
            ..
        } if cx.is(keyword, "def") => return at(f, "expected '('"),
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Colon,
            found,
        } => {
            // `else`, `try`, `finally` and function headers demand their colon outright; the
            // other compound statements only complain when the line ends without one.
            let forced = matches!(cx.str(keyword), "else" | "try" | "finally" | "def")
                && cx.level_before(f) == 0;
            let header = matches!(
                cx.str(keyword),
                "if" | "elif" | "while" | "for" | "with" | "class" | "except" | "match" | "case"
            );
            if forced
                || (header && *found == TokenKind::Newline && cx.kind(f) == Some(Kind::Newline))
            {
                // `match (x)` or `match [1]` also reads as an expression statement, which
                // CPython's first pass accepts, failing only on the next line.
                if cx.is(keyword, "match")
                    && cx.kind(keyword + 1) == Some(Kind::Op)
                    && matches!(cx.str(keyword + 1), "(" | "[" | "-" | "+" | "*" | ".")
                {
                    return at(f + 1, "expected ':'");
                }
                return at(f, "expected ':'");
            }
        }
        ParseErrorType::ExpectedToken {
            expected: TokenKind::Else,
            found,
        } if *found != TokenKind::Colon => {
            if let Some(t) = missing_else(cx, f) {
                return t;
            }
        }
        _ => {}
    }

    if let Some(t) = dict_key(cx, f) {
        return t;
    }
    if let Some(t) = invalid_star(cx, f) {
        return t;
    }
    if let Some(t) = legacy_print(cx, f) {
        return t;
    }
    if let Some(t) = missing_comma(cx, f) {
        return t;
    }
    if let Some(t) = inside_juxtaposed_group(cx, f) {
        return t;
    }
    if let Some(t) = fstring_field(cx, f) {
        return t;
    }
    at(f, "invalid syntax")
}
