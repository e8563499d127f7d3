//! Syntax checking of Python samples, reporting what CPython 3.13 would report.
//!
//! ruff's parser is error-tolerant and words its diagnostics its own way, and it does not run the
//! checks CPython performs after parsing (symbol table, compiler).  To give the same first error
//! as `compile(src, "<sample>", "exec")` this module combines three passes, in CPython's order:
//!
//! 1. a re-implementation of CPython's tokenizer ([`lexer`]): indentation, brackets, string and
//!    number literals are judged by the tokenizer in CPython, and its errors take precedence over
//!    parser errors in ways that only a faithful tokenizer can reproduce;
//! 2. ruff's parser, whose first error is translated to CPython's wording and position
//!    ([`syntax`]);
//! 3. a walk over the AST for the errors CPython raises while building the symbol table and
//!    compiling ([`semantic`]), partly delegated to ruff's `SemanticSyntaxChecker`.

use ruff_python_ast::PythonVersion;
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};

/// A syntax error in a Python sample, positioned in the sample's own text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyError {
    /// byte offset into the checked source where CPython would point (start of the error)
    pub start: usize,
    /// byte offset of the end (>= start; may equal start)
    pub end: usize,
    /// CPython 3.13's message, e.g. "expected ':'", "'(' was never closed", "unexpected indent",
    /// "Missing parentheses in call to 'print'. Did you mean print(...)?", "'return' outside function"
    pub message: String,
}

/// Returns the first error CPython 3.13's `compile(src, "<sample>", "exec")` would raise, or None if it compiles.
pub fn check(src: &str) -> Option<PyError> {
    // Parsing and the tree walks recurse once per level of nesting: the guard keeps deeply
    // nested sources off small stacks and refuses absurd ones (see `samples/nesting.rs`).
    super::nesting::guarded(src, check_unguarded)
}

fn check_unguarded(src: &str) -> Option<PyError> {
    // `compile()` refuses such a string before tokenizing it (and names no line).
    if let Some(nul) = src.find('\0') {
        return Some(PyError {
            start: nul,
            end: nul + 1,
            message: "source code string cannot contain null bytes".to_string(),
        });
    }
    let text = Text::new(src);
    let lexed = lexer::tokenize(&text);
    // CPython 3.13 is the reference: newer syntax (t-strings, unparenthesized `except A, B`) must
    // be rejected, and 3.14-only semantic checks (e.g. walrus in annotations) must not fire.
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY313);
    let parsed = parse_unchecked(src, options);
    if let Some(err) = syntax::first_error(&text, &lexed, &parsed) {
        return Some(text.finish(err));
    }
    let ruff_python_ast::Mod::Module(module) = parsed.syntax() else {
        return None;
    };
    // Semantic errors come with offsets into `src`.
    let err = semantic::first_error(src, module)?;
    let start = text.normalized(err.start);
    let end = text.normalized(err.end);
    Some(text.finish(Error::new(start, end, err.message)))
}

/// The source as CPython's tokenizer sees it: newlines translated to `\n` and a final newline
/// guaranteed, with the means to map positions back to the caller's text.
struct Text<'a> {
    src: &'a str,
    bytes: Vec<u8>,
    /// Original offset of each normalized byte; only built when `\r` made them differ.
    original: Option<Vec<usize>>,
    /// Offsets (in `bytes`) at which lines start.
    line_starts: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(src: &'a str) -> Self {
        let raw = src.as_bytes();
        let mut bytes = Vec::with_capacity(raw.len() + 1);
        let mut original = None;
        if raw.contains(&b'\r') {
            let mut map = Vec::with_capacity(raw.len() + 1);
            let mut i = 0;
            while i < raw.len() {
                map.push(i);
                if raw[i] == b'\r' {
                    bytes.push(b'\n');
                    if raw.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                } else {
                    bytes.push(raw[i]);
                }
                i += 1;
            }
            map.push(raw.len());
            original = Some(map);
        } else {
            bytes.extend_from_slice(raw);
        }
        if bytes.last() != Some(&b'\n') {
            bytes.push(b'\n');
        }
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        // The final newline does not start a line of its own.
        line_starts.pop();
        Text {
            src,
            bytes,
            original,
            line_starts,
        }
    }

    /// 1-based line of a normalized offset; offsets past the end belong to the last line, as
    /// CPython's end-of-file tokens do.
    fn line_of(&self, pos: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= pos).max(1)
    }

    /// Normalized offset of an offset into the caller's text.
    fn normalized(&self, pos: usize) -> usize {
        match &self.original {
            None => pos.min(self.bytes.len() - 1),
            Some(map) => map.partition_point(|&o| o < pos).min(self.bytes.len() - 1),
        }
    }

    /// Offset into the caller's text of a normalized offset, kept on the same line.
    fn to_original(&self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len() - 1);
        let orig = match &self.original {
            None => pos,
            Some(map) => map[pos],
        };
        // The appended newline does not exist in the caller's text; pointing just past the end
        // keeps the position on the last line.
        let mut orig = orig.min(self.src.len());
        while !self.src.is_char_boundary(orig) {
            orig -= 1;
        }
        orig
    }

    fn finish(&self, err: Error) -> PyError {
        let start = self.to_original(err.start);
        let end = self.to_original(err.end.max(err.start)).max(start);
        PyError {
            start,
            end,
            message: err.message,
        }
    }
}

/// An error located in normalized offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Error {
    start: usize,
    end: usize,
    message: String,
}

impl Error {
    fn new(start: usize, end: usize, message: impl Into<String>) -> Self {
        Error {
            start,
            end,
            message: message.into(),
        }
    }
}

mod lexer {
    //! A port of the decisions CPython's tokenizer (Parser/lexer/lexer.c) makes, down to which
    //! errors it raises on the spot and which it leaves for the parser to stumble upon.

    use super::{Error, Text};

    const EOF: i32 = -1;
    const TABSIZE: u32 = 8;
    const MAXINDENT: usize = 100;
    const MAXLEVEL: usize = 200;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Kind {
        Name,
        Number,
        String,
        FStringStart,
        FStringMiddle,
        FStringEnd,
        Op,
        Newline,
        Indent,
        Dedent,
        EndMarker,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) struct Token {
        pub(super) kind: Kind,
        pub(super) start: usize,
        pub(super) end: usize,
        /// Bracket nesting after this token, as CPython records it on each token.
        pub(super) level: usize,
    }

    /// How a tokenizer error reaches the user.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Class {
        /// Raised by the tokenizer as an exception: it wins over parser errors even when the parser
        /// failed earlier (CPython tokenizes the rest of the file looking for these), unless it was
        /// raised inside an f-string.
        Eager { in_fstring: bool },
        /// Only recorded in the tokenizer's state (indentation, tab and line-continuation errors):
        /// reported only if the parser gets that far.
        Lazy,
        /// End of file inside brackets: `'(' was never closed`, reported at the innermost open
        /// bracket when the parser reaches the end, or when the parser failed on a later line.
        UnclosedAtEof,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) struct LexError {
        pub(super) error: Error,
        pub(super) class: Class,
        /// Where tokenizing stopped; parser errors at or beyond this point are not reached.
        pub(super) pos: usize,
    }

    pub(super) struct Lexed {
        pub(super) tokens: Vec<Token>,
        pub(super) error: Option<LexError>,
        /// Brackets still open when tokenizing stopped: (bracket, offset).
        pub(super) open: Vec<(u8, usize)>,
    }

    impl Lexed {
        /// The error `'(' was never closed` for the innermost bracket still open.
        pub(super) fn unclosed(&self, text: &Text) -> Option<(Error, usize)> {
            let &(c, pos) = self.open.last()?;
            let message = format!("'{}' was never closed", c as char);
            Some((Error::new(pos, pos + 1, message), text.line_of(pos)))
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum ModeKind {
        Regular,
        FString,
    }

    #[derive(Debug, Clone, Copy)]
    struct Mode {
        kind: ModeKind,
        quote: u8,
        quote_size: usize,
        raw: bool,
        start: usize,
        curly_bracket_depth: i32,
        curly_bracket_expr_start_depth: i32,
        in_format_spec: bool,
    }

    impl Mode {
        fn regular() -> Self {
            Mode {
                kind: ModeKind::Regular,
                quote: 0,
                quote_size: 0,
                raw: false,
                start: 0,
                curly_bracket_depth: 0,
                curly_bracket_expr_start_depth: -1,
                in_format_spec: false,
            }
        }

        fn in_expr(&self) -> bool {
            self.curly_bracket_expr_start_depth >= 0
        }
    }

    pub(super) fn tokenize(text: &Text) -> Lexed {
        let mut lexer = Lexer {
            text,
            b: &text.bytes,
            cur: 0,
            atbol: true,
            indstack: vec![0],
            altindstack: vec![0],
            pendin: 0,
            line_start: 0,
            parens: Vec::new(),
            modes: vec![Mode::regular()],
        };
        let mut tokens = Vec::new();
        let error = loop {
            match lexer.next() {
                Ok(token) => {
                    tokens.push(token);
                    if token.kind == Kind::EndMarker {
                        break None;
                    }
                }
                Err(err) => break Some(err),
            }
        };
        let end = text.bytes.len() - 1;
        for token in &mut tokens {
            token.start = token.start.min(end);
            token.end = token.end.min(end);
        }
        Lexed {
            tokens,
            error,
            open: lexer.parens,
        }
    }

    struct Lexer<'t> {
        text: &'t Text<'t>,
        b: &'t [u8],
        cur: usize,
        atbol: bool,
        indstack: Vec<u32>,
        altindstack: Vec<u32>,
        pendin: i32,
        /// Start of the line whose indentation was measured last.
        line_start: usize,
        parens: Vec<(u8, usize)>,
        modes: Vec<Mode>,
    }

    fn is_potential_identifier_start(c: i32) -> bool {
        matches!(c, 0x61..=0x7a | 0x41..=0x5a | 0x5f) || c >= 128
    }

    fn is_potential_identifier_char(c: i32) -> bool {
        is_potential_identifier_start(c) || (0x30..=0x39).contains(&c)
    }

    fn is_digit(c: i32) -> bool {
        (0x30..=0x39).contains(&c)
    }

    fn is_xdigit(c: i32) -> bool {
        is_digit(c) || (0x61..=0x66).contains(&c) || (0x41..=0x46).contains(&c)
    }

    fn ch(c: u8) -> i32 {
        i32::from(c)
    }

    impl Lexer<'_> {
        fn nextc(&mut self) -> i32 {
            match self.b.get(self.cur) {
                Some(&c) => {
                    self.cur += 1;
                    i32::from(c)
                }
                None => EOF,
            }
        }

        fn backup(&mut self, c: i32) {
            if c != EOF {
                self.cur -= 1;
            }
        }

        fn mode(&self) -> &Mode {
            self.modes.last().expect("the regular mode is never popped")
        }

        fn mode_mut(&mut self) -> &mut Mode {
            self.modes
                .last_mut()
                .expect("the regular mode is never popped")
        }

        fn inside_fstring(&self) -> bool {
            self.modes.len() > 1
        }

        fn token(&self, kind: Kind, start: usize) -> Token {
            Token {
                kind,
                start,
                end: self.cur,
                level: self.parens.len(),
            }
        }

        fn eager(&self, start: usize, end: usize, message: impl Into<String>) -> LexError {
            LexError {
                error: Error::new(start, end, message),
                class: Class::Eager {
                    in_fstring: self.inside_fstring(),
                },
                pos: start,
            }
        }

        fn lazy(&self, start: usize, message: impl Into<String>) -> LexError {
            LexError {
                error: Error::new(start, start, message),
                class: Class::Lazy,
                pos: start,
            }
        }

        fn next(&mut self) -> Result<Token, LexError> {
            if self.mode().kind == ModeKind::Regular {
                self.normal_mode()
            } else {
                self.fstring_mode()
            }
        }

        /// After a backslash: the next character must end the line.
        fn continuation_line(&mut self, backslash: usize) -> Result<(), LexError> {
            let c = self.nextc();
            if c != ch(b'\n') {
                // ruff stops at the backslash too; CPython points just after it, on the same line.
                return Err(self.lazy(
                    backslash,
                    "unexpected character after line continuation character",
                ));
            }
            let c = self.nextc();
            if c == EOF {
                return Err(self.at_eof(self.cur));
            }
            self.backup(c);
            Ok(())
        }

        /// The end of input reached where a token was still needed.
        fn at_eof(&self, pos: usize) -> LexError {
            if let Some(&(_, open)) = self.parens.last() {
                LexError {
                    error: Error::new(open, open + 1, String::new()),
                    class: Class::UnclosedAtEof,
                    pos,
                }
            } else {
                self.lazy(pos, "unexpected EOF while parsing")
            }
        }

        fn tab_error(&self, line_start: usize) -> LexError {
            let mut err = self.lazy(
                line_start,
                "inconsistent use of tabs and spaces in indentation",
            );
            err.error.end = self.line_end(line_start);
            err
        }

        fn line_end(&self, pos: usize) -> usize {
            self.b[pos..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.b.len(), |i| pos + i)
        }

        fn normal_mode(&mut self) -> Result<Token, LexError> {
            'nextline: loop {
                let mut blankline = false;
                if self.atbol {
                    self.atbol = false;
                    let line_start = self.cur;
                    self.line_start = line_start;
                    let mut col: u32 = 0;
                    let mut altcol: u32 = 0;
                    let mut cont_line_col: u32 = 0;
                    let mut c;
                    loop {
                        c = self.nextc();
                        if c == ch(b' ') {
                            col += 1;
                            altcol += 1;
                        } else if c == ch(b'\t') {
                            col = (col / TABSIZE + 1) * TABSIZE;
                            altcol += 1;
                        } else if c == 0x0c {
                            col = 0;
                            altcol = 0;
                        } else if c == ch(b'\\') {
                            // Indentation cannot be split over lines with backslashes: the first
                            // backslash fixes the indentation of what follows.
                            if cont_line_col == 0 {
                                cont_line_col = col;
                            }
                            self.continuation_line(self.cur - 1)?;
                        } else {
                            break;
                        }
                    }
                    self.backup(c);
                    if c == ch(b'#') || c == ch(b'\n') {
                        blankline = true;
                    }
                    if !blankline && self.parens.is_empty() {
                        if cont_line_col != 0 {
                            col = cont_line_col;
                            altcol = cont_line_col;
                        }
                        let top = *self.indstack.last().expect("never empty");
                        let alttop = *self.altindstack.last().expect("never empty");
                        if col == top {
                            if altcol != alttop {
                                return Err(self.tab_error(line_start));
                            }
                        } else if col > top {
                            if self.indstack.len() >= MAXINDENT {
                                return Err(self.lazy(line_start, "too many levels of indentation"));
                            }
                            if altcol <= alttop {
                                return Err(self.tab_error(line_start));
                            }
                            self.pendin += 1;
                            self.indstack.push(col);
                            self.altindstack.push(altcol);
                        } else {
                            while self.indstack.len() > 1
                                && col < *self.indstack.last().expect("never empty")
                            {
                                self.pendin -= 1;
                                self.indstack.pop();
                                self.altindstack.pop();
                            }
                            if col != *self.indstack.last().expect("never empty") {
                                let mut err = self.lazy(
                                    line_start,
                                    "unindent does not match any outer indentation level",
                                );
                                err.error.end = self.line_end(line_start);
                                return Err(err);
                            }
                            if altcol != *self.altindstack.last().expect("never empty") {
                                return Err(self.tab_error(line_start));
                            }
                        }
                    }
                }

                let start = self.cur;
                if self.pendin != 0 {
                    if self.pendin < 0 {
                        self.pendin += 1;
                        return Ok(self.token(Kind::Dedent, start));
                    }
                    self.pendin -= 1;
                    // Spanning the indentation, so that the line's first token is found at its own
                    // offset.
                    return Ok(self.token(Kind::Indent, self.line_start));
                }

                loop {
                    // again:
                    let mut c = self.nextc();
                    while c == ch(b' ') || c == ch(b'\t') || c == 0x0c {
                        c = self.nextc();
                    }
                    let start = if c == EOF { self.cur } else { self.cur - 1 };

                    if c == ch(b'#') {
                        while c != EOF && c != ch(b'\n') {
                            c = self.nextc();
                        }
                    }

                    if c == EOF {
                        if !self.parens.is_empty() {
                            return Err(self.at_eof(start));
                        }
                        return Ok(self.token(Kind::EndMarker, start));
                    }

                    if is_potential_identifier_start(c) {
                        let (mut saw_b, mut saw_r, mut saw_u, mut saw_f) =
                            (false, false, false, false);
                        loop {
                            let lower = c | 0x20;
                            if !(saw_b || saw_u || saw_f) && lower == ch(b'b') {
                                saw_b = true;
                            } else if !(saw_b || saw_u || saw_r || saw_f) && lower == ch(b'u') {
                                saw_u = true;
                            } else if !(saw_r || saw_u) && lower == ch(b'r') {
                                saw_r = true;
                            } else if !(saw_f || saw_b || saw_u) && lower == ch(b'f') {
                                saw_f = true;
                            } else {
                                break;
                            }
                            c = self.nextc();
                            if c == ch(b'"') || c == ch(b'\'') {
                                if saw_f {
                                    return self.fstring_start(start, c);
                                }
                                return self.string(start, c);
                            }
                        }
                        let mut nonascii = false;
                        while is_potential_identifier_char(c) {
                            if c >= 128 {
                                nonascii = true;
                            }
                            c = self.nextc();
                        }
                        self.backup(c);
                        if nonascii {
                            self.verify_identifier(start)?;
                        }
                        return Ok(self.token(Kind::Name, start));
                    }

                    if c == ch(b'\n') {
                        self.atbol = true;
                        if blankline || !self.parens.is_empty() {
                            continue 'nextline;
                        }
                        // At the newline itself rather than at a preceding comment, where ruff
                        // puts it too.
                        let mut token = self.token(Kind::Newline, self.cur - 1);
                        token.end = self.cur - 1;
                        return Ok(token);
                    }

                    if c == ch(b'.') {
                        c = self.nextc();
                        if is_digit(c) {
                            return self.number_fraction(start, c);
                        } else if c == ch(b'.') {
                            c = self.nextc();
                            if c == ch(b'.') {
                                return Ok(self.token(Kind::Op, start));
                            }
                            self.backup(c);
                            self.backup(ch(b'.'));
                        } else {
                            self.backup(c);
                        }
                        return Ok(self.token(Kind::Op, start));
                    }

                    if is_digit(c) {
                        return self.number(start, c);
                    }

                    if c == ch(b'"') || c == ch(b'\'') {
                        return self.string(start, c);
                    }

                    if c == ch(b'\\') {
                        self.continuation_line(start)?;
                        continue;
                    }

                    let is_punctuation = matches!(c, 0x3a | 0x7d | 0x21 | 0x7b); // : } ! {
                    if is_punctuation && self.inside_fstring() && self.mode().in_expr() {
                        let mode = *self.mode();
                        let cursor = mode.curly_bracket_depth - i32::from(c != ch(b'{'));
                        if c == ch(b':') && cursor == mode.curly_bracket_expr_start_depth {
                            let mode = self.mode_mut();
                            mode.kind = ModeKind::FString;
                            mode.in_format_spec = true;
                            return Ok(self.token(Kind::Op, start));
                        }
                    }

                    {
                        let c2 = self.nextc();
                        if two_chars(c, c2) {
                            let c3 = self.nextc();
                            if !three_chars(c, c2, c3) {
                                self.backup(c3);
                            }
                            return Ok(self.token(Kind::Op, start));
                        }
                        self.backup(c2);
                    }

                    match c {
                        0x28 | 0x5b | 0x7b => {
                            if self.parens.len() >= MAXLEVEL {
                                return Err(self.eager(
                                    start,
                                    start + 1,
                                    "too many nested parentheses",
                                ));
                            }
                            self.parens.push((c as u8, start));
                            if self.inside_fstring() {
                                self.mode_mut().curly_bracket_depth += 1;
                            }
                        }
                        0x29 | 0x5d | 0x7d => {
                            if self.inside_fstring()
                                && self.mode().curly_bracket_depth == 0
                                && c == ch(b'}')
                            {
                                return Err(self.eager(
                                    start,
                                    start + 1,
                                    "f-string: single '}' is not allowed",
                                ));
                            }
                            let Some((opening, open_pos)) = self.parens.pop() else {
                                return Err(self.eager(
                                    start,
                                    start + 1,
                                    format!("unmatched '{}'", c as u8 as char),
                                ));
                            };
                            let matching = matches!(
                                (opening, c as u8),
                                (b'(', b')') | (b'[', b']') | (b'{', b'}')
                            );
                            if !matching {
                                if self.inside_fstring() && opening == b'{' {
                                    let mode = self.mode();
                                    if mode.curly_bracket_depth - 1
                                        == mode.curly_bracket_expr_start_depth
                                    {
                                        return Err(self.eager(
                                            start,
                                            start + 1,
                                            format!("f-string: unmatched '{}'", c as u8 as char),
                                        ));
                                    }
                                }
                                let open_line = self.text.line_of(open_pos);
                                let message = if open_line == self.text.line_of(start) {
                                    format!(
                                        "closing parenthesis '{}' does not match opening parenthesis '{}'",
                                        c as u8 as char, opening as char
                                    )
                                } else {
                                    format!(
                                        "closing parenthesis '{}' does not match opening parenthesis '{}' on line {open_line}",
                                        c as u8 as char, opening as char
                                    )
                                };
                                return Err(self.eager(start, start + 1, message));
                            }
                            if self.inside_fstring() {
                                let mode = self.mode_mut();
                                mode.curly_bracket_depth -= 1;
                                if mode.curly_bracket_depth < 0 {
                                    return Err(self.eager(
                                        start,
                                        start + 1,
                                        format!("f-string: unmatched '{}'", c as u8 as char),
                                    ));
                                }
                                if c == ch(b'}')
                                    && mode.curly_bracket_depth
                                        == mode.curly_bracket_expr_start_depth
                                {
                                    mode.curly_bracket_expr_start_depth -= 1;
                                    mode.kind = ModeKind::FString;
                                    mode.in_format_spec = false;
                                }
                            }
                        }
                        _ => {}
                    }

                    if c < 0x20 || c == 0x7f {
                        return Err(self.eager(
                            start,
                            start + 1,
                            format!("invalid non-printable character U+{c:04X}"),
                        ));
                    }
                    return Ok(self.token(Kind::Op, start));
                }
            }
        }

        /// Checks an identifier containing non-ASCII characters the way CPython does (PEP 3131),
        /// reporting the first character that cannot appear where it does.
        fn verify_identifier(&self, start: usize) -> Result<(), LexError> {
            let Ok(ident) = std::str::from_utf8(&self.b[start..self.cur]) else {
                return Ok(());
            };
            for (i, c) in ident.char_indices() {
                let ok = if c.is_ascii() {
                    c.is_ascii_alphanumeric() || c == '_'
                } else {
                    is_identifier_char(c, i == 0)
                };
                if !ok {
                    let at = start + i;
                    let message = if is_printable(c) {
                        format!("invalid character '{c}' (U+{:04X})", u32::from(c))
                    } else {
                        format!("invalid non-printable character U+{:04X}", u32::from(c))
                    };
                    return Err(self.eager(at, at + c.len_utf8(), message));
                }
            }
            Ok(())
        }

        /// Checks what follows a number: letters glued to it make it invalid, except the keywords
        /// that may legally follow one (CPython only warns about those).
        fn verify_end_of_number(
            &mut self,
            start: usize,
            c: i32,
            kind: &str,
        ) -> Result<(), LexError> {
            let follows = |s: &[u8], rest: &[u8]| -> bool {
                s.starts_with(rest)
                    && !s
                        .get(rest.len())
                        .is_some_and(|&n| is_potential_identifier_char(i32::from(n)))
            };
            let after = &self.b[self.cur.min(self.b.len())..];
            let keyword = match c {
                0x61 => follows(after, b"nd"),
                0x65 => follows(after, b"lse"),
                0x66 => follows(after, b"or"),
                0x69 => matches!(after.first(), Some(b'f' | b'n' | b's')),
                0x6f => follows(after, b"r"),
                0x6e => follows(after, b"ot"),
                _ => false,
            };
            if !keyword && c < 128 && is_potential_identifier_char(c) {
                self.backup(c);
                return Err(self.eager(start, self.cur, format!("invalid {kind} literal")));
            }
            Ok(())
        }

        fn decimal_tail(&mut self, start: usize) -> Result<i32, LexError> {
            loop {
                let mut c = self.nextc();
                while is_digit(c) {
                    c = self.nextc();
                }
                if c != ch(b'_') {
                    return Ok(c);
                }
                c = self.nextc();
                if !is_digit(c) {
                    self.backup(c);
                    return Err(self.eager(start, self.cur, "invalid decimal literal"));
                }
            }
        }

        fn number(&mut self, start: usize, first: i32) -> Result<Token, LexError> {
            let mut c = first;
            if c == ch(b'0') {
                c = self.nextc();
                let lower = c | 0x20;
                if lower == ch(b'x') {
                    c = self.nextc();
                    loop {
                        if c == ch(b'_') {
                            c = self.nextc();
                        }
                        if !is_xdigit(c) {
                            self.backup(c);
                            return Err(self.eager(start, self.cur, "invalid hexadecimal literal"));
                        }
                        loop {
                            c = self.nextc();
                            if !is_xdigit(c) {
                                break;
                            }
                        }
                        if c != ch(b'_') {
                            break;
                        }
                    }
                    self.verify_end_of_number(start, c, "hexadecimal")?;
                } else if lower == ch(b'o') || lower == ch(b'b') {
                    let (kind, max) = if lower == ch(b'o') {
                        ("octal", ch(b'7'))
                    } else {
                        ("binary", ch(b'1'))
                    };
                    c = self.nextc();
                    loop {
                        if c == ch(b'_') {
                            c = self.nextc();
                        }
                        if c < ch(b'0') || c > max {
                            if is_digit(c) {
                                return Err(self.eager(
                                    start,
                                    self.cur,
                                    format!(
                                        "invalid digit '{}' in {kind} literal",
                                        c as u8 as char
                                    ),
                                ));
                            }
                            self.backup(c);
                            return Err(self.eager(
                                start,
                                self.cur,
                                format!("invalid {kind} literal"),
                            ));
                        }
                        loop {
                            c = self.nextc();
                            if !(ch(b'0')..=max).contains(&c) {
                                break;
                            }
                        }
                        if c != ch(b'_') {
                            break;
                        }
                    }
                    if is_digit(c) {
                        return Err(self.eager(
                            start,
                            self.cur,
                            format!("invalid digit '{}' in {kind} literal", c as u8 as char),
                        ));
                    }
                    self.verify_end_of_number(start, c, kind)?;
                } else {
                    let mut nonzero = false;
                    loop {
                        if c == ch(b'_') {
                            c = self.nextc();
                            if !is_digit(c) {
                                self.backup(c);
                                return Err(self.eager(start, self.cur, "invalid decimal literal"));
                            }
                        }
                        if c != ch(b'0') {
                            break;
                        }
                        c = self.nextc();
                    }
                    let zeros_end = self.cur;
                    if is_digit(c) {
                        nonzero = true;
                        c = self.decimal_tail(start)?;
                    }
                    if c == ch(b'.') {
                        c = self.nextc();
                        return self.number_fraction(start, c);
                    } else if c | 0x20 == ch(b'e') {
                        return self.number_exponent(start, c);
                    } else if c | 0x20 == ch(b'j') {
                        return self.number_imaginary(start);
                    } else if nonzero {
                        self.backup(c);
                        // CPython underlines the leading zeros.
                        return Err(self.eager(
                            start,
                            zeros_end.saturating_sub(1).max(start + 1),
                            "leading zeros in decimal integer literals are not permitted; \
                             use an 0o prefix for octal integers",
                        ));
                    }
                    self.verify_end_of_number(start, c, "decimal")?;
                }
            } else {
                c = self.decimal_tail(start)?;
                if c == ch(b'.') {
                    c = self.nextc();
                    return self.number_fraction(start, c);
                }
                if c | 0x20 == ch(b'e') {
                    return self.number_exponent(start, c);
                }
                if c | 0x20 == ch(b'j') {
                    return self.number_imaginary(start);
                }
                self.verify_end_of_number(start, c, "decimal")?;
            }
            self.backup(c);
            Ok(self.token(Kind::Number, start))
        }

        /// After the `.` of a number; `c` is the character following it.
        fn number_fraction(&mut self, start: usize, mut c: i32) -> Result<Token, LexError> {
            if is_digit(c) {
                c = self.decimal_tail(start)?;
            }
            if c | 0x20 == ch(b'e') {
                return self.number_exponent(start, c);
            }
            if c | 0x20 == ch(b'j') {
                return self.number_imaginary(start);
            }
            self.verify_end_of_number(start, c, "decimal")?;
            self.backup(c);
            Ok(self.token(Kind::Number, start))
        }

        /// `e` is the exponent marker just read.
        fn number_exponent(&mut self, start: usize, e: i32) -> Result<Token, LexError> {
            let mut c = self.nextc();
            if c == ch(b'+') || c == ch(b'-') {
                c = self.nextc();
                if !is_digit(c) {
                    self.backup(c);
                    return Err(self.eager(start, self.cur, "invalid decimal literal"));
                }
            } else if !is_digit(c) {
                self.backup(c);
                self.verify_end_of_number(start, e, "decimal")?;
                self.backup(e);
                return Ok(self.token(Kind::Number, start));
            }
            c = self.decimal_tail(start)?;
            if c | 0x20 == ch(b'j') {
                return self.number_imaginary(start);
            }
            self.verify_end_of_number(start, c, "decimal")?;
            self.backup(c);
            Ok(self.token(Kind::Number, start))
        }

        fn number_imaginary(&mut self, start: usize) -> Result<Token, LexError> {
            let c = self.nextc();
            self.verify_end_of_number(start, c, "imaginary")?;
            self.backup(c);
            Ok(self.token(Kind::Number, start))
        }

        /// A string literal (not an f-string); `quote` has just been read.
        fn string(&mut self, start: usize, quote: i32) -> Result<Token, LexError> {
            let mut quote_size = 1;
            let mut end_quote_size = 0;
            let mut has_escaped_quote = false;
            let mut c = self.nextc();
            if c == quote {
                c = self.nextc();
                if c == quote {
                    quote_size = 3;
                } else {
                    end_quote_size = 1;
                }
            }
            if c != quote {
                self.backup(c);
            }
            while end_quote_size != quote_size {
                c = self.nextc();
                if c == EOF || (quote_size == 1 && c == ch(b'\n')) {
                    let detected = self.text.line_of(self.cur.saturating_sub(1));
                    if self.inside_fstring() {
                        let mode = self.mode();
                        if i32::from(mode.quote) == quote && mode.quote_size == quote_size {
                            return Err(self.eager(start, start + 1, "f-string: expecting '}'"));
                        }
                    }
                    let message = if quote_size == 3 {
                        format!(
                            "unterminated triple-quoted string literal (detected at line {detected})"
                        )
                    } else if has_escaped_quote {
                        format!(
                            "unterminated string literal (detected at line {detected}); perhaps you escaped the end quote?"
                        )
                    } else {
                        format!("unterminated string literal (detected at line {detected})")
                    };
                    return Err(self.eager(start, start, message));
                }
                if c == quote {
                    end_quote_size += 1;
                } else {
                    end_quote_size = 0;
                    if c == ch(b'\\') {
                        c = self.nextc();
                        if c == quote {
                            has_escaped_quote = true;
                        }
                    }
                }
            }
            Ok(self.token(Kind::String, start))
        }

        fn fstring_start(&mut self, start: usize, quote: i32) -> Result<Token, LexError> {
            let mut quote_size = 1;
            let after_quote = self.nextc();
            if after_quote == quote {
                let after_after = self.nextc();
                if after_after == quote {
                    quote_size = 3;
                } else {
                    self.backup(after_after);
                    self.backup(after_quote);
                }
            }
            if after_quote != quote {
                self.backup(after_quote);
            }
            if self.modes.len() >= 150 {
                return Err(self.eager(start, self.cur, "too many nested f-strings"));
            }
            let prefix = &self.b[start..self.cur];
            let raw = prefix.iter().any(|&c| c | 0x20 == b'r');
            self.modes.push(Mode {
                kind: ModeKind::FString,
                quote: quote as u8,
                quote_size,
                raw,
                start,
                curly_bracket_depth: 0,
                curly_bracket_expr_start_depth: -1,
                in_format_spec: false,
            });
            Ok(self.token(Kind::FStringStart, start))
        }

        fn fstring_mode(&mut self) -> Result<Token, LexError> {
            let start = self.cur;
            let start_char = self.nextc();
            if start_char == ch(b'{') {
                let peek = self.nextc();
                self.backup(peek);
                self.backup(start_char);
                if peek != ch(b'{') {
                    let mode = self.mode_mut();
                    mode.curly_bracket_expr_start_depth += 1;
                    mode.kind = ModeKind::Regular;
                    return self.normal_mode();
                }
            } else {
                self.backup(start_char);
            }

            let mode = *self.mode();
            let mut at_end = true;
            for _ in 0..mode.quote_size {
                let q = self.nextc();
                if q != i32::from(mode.quote) {
                    self.backup(q);
                    at_end = false;
                    break;
                }
            }
            if at_end {
                self.modes.pop();
                return Ok(self.token(Kind::FStringEnd, start));
            }

            let mut end_quote_size = 0;
            let mut unicode_escape = false;
            while end_quote_size != mode.quote_size {
                let c = self.nextc();
                let in_format_spec = self.mode().in_format_spec && self.mode().in_expr();
                if c == EOF || (mode.quote_size == 1 && c == ch(b'\n')) {
                    if in_format_spec && c == ch(b'\n') {
                        self.backup(c);
                        let m = self.mode_mut();
                        m.kind = ModeKind::Regular;
                        m.in_format_spec = false;
                        return Ok(self.token(Kind::FStringMiddle, start));
                    }
                    let detected = self.text.line_of(self.cur.saturating_sub(1));
                    let message = if mode.quote_size == 3 {
                        format!(
                            "unterminated triple-quoted f-string literal (detected at line {detected})"
                        )
                    } else {
                        format!("unterminated f-string literal (detected at line {detected})")
                    };
                    return Err(self.eager(mode.start, mode.start, message));
                }
                if c == i32::from(mode.quote) {
                    end_quote_size += 1;
                    continue;
                }
                end_quote_size = 0;
                if c == ch(b'{') {
                    let peek = self.nextc();
                    if peek != ch(b'{') || in_format_spec {
                        self.backup(peek);
                        self.backup(c);
                        let m = self.mode_mut();
                        m.curly_bracket_expr_start_depth += 1;
                        m.kind = ModeKind::Regular;
                        m.in_format_spec = false;
                    }
                    return Ok(self.token(Kind::FStringMiddle, start));
                } else if c == ch(b'}') {
                    if unicode_escape {
                        return Ok(self.token(Kind::FStringMiddle, start));
                    }
                    let peek = self.nextc();
                    let cursor = self.mode().curly_bracket_depth;
                    if !(peek == ch(b'}') && !in_format_spec && cursor == 0) {
                        self.backup(peek);
                        self.backup(c);
                        let m = self.mode_mut();
                        m.kind = ModeKind::Regular;
                        m.in_format_spec = false;
                    }
                    return Ok(self.token(Kind::FStringMiddle, start));
                } else if c == ch(b'\\') {
                    let peek = self.nextc();
                    if peek == ch(b'{') || peek == ch(b'}') {
                        self.backup(peek);
                        continue;
                    }
                    if !mode.raw && peek == ch(b'N') {
                        let p2 = self.nextc();
                        if p2 == ch(b'{') {
                            unicode_escape = true;
                        } else {
                            self.backup(p2);
                        }
                    }
                }
            }
            for _ in 0..mode.quote_size {
                self.backup(i32::from(mode.quote));
            }
            Ok(self.token(Kind::FStringMiddle, start))
        }
    }

    fn two_chars(c1: i32, c2: i32) -> bool {
        let (Ok(a), Ok(b)) = (u8::try_from(c1), u8::try_from(c2)) else {
            return false;
        };
        matches!(
            (a, b),
            (b'!', b'=')
                | (b'%', b'=')
                | (b'&', b'=')
                | (b'*', b'*' | b'=')
                | (b'+', b'=')
                | (b'-', b'=' | b'>')
                | (b'/', b'/' | b'=')
                | (b':', b'=')
                | (b'<', b'<' | b'=' | b'>')
                | (b'=', b'=')
                | (b'>', b'=' | b'>')
                | (b'@', b'=')
                | (b'^', b'=')
                | (b'|', b'=')
        )
    }

    fn three_chars(c1: i32, c2: i32, c3: i32) -> bool {
        c3 == ch(b'=')
            && matches!(
                (c1, c2),
                (0x2a, 0x2a) | (0x2f, 0x2f) | (0x3c, 0x3c) | (0x3e, 0x3e) // ** // << >>
            )
            || (c1, c2, c3) == (ch(b'.'), ch(b'.'), ch(b'.'))
    }

    /// Whether `c` may appear in an identifier (at its start when `first`), per PEP 3131.  Decided
    /// by ruff's lexer, which implements the same Unicode properties (XID_Start / XID_Continue).
    fn is_identifier_char(c: char, first: bool) -> bool {
        use ruff_python_ast::token::TokenKind;
        use ruff_python_parser::{Mode, lexer::lex};
        let mut buf = String::with_capacity(8);
        if !first {
            buf.push('a');
        }
        buf.push(c);
        let mut lexer = lex(&buf, Mode::Module);
        lexer.next_token() == TokenKind::Name
            && matches!(
                lexer.next_token(),
                TokenKind::Newline | TokenKind::EndOfFile
            )
    }

    /// An approximation of `str.isprintable()` for the characters that end up in error messages:
    /// controls, separators other than the space, and the common invisible format characters.
    fn is_printable(c: char) -> bool {
        !(c.is_control()
            || (c.is_whitespace() && c != ' ')
            || matches!(
                c,
                '\u{00ad}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{feff}'
                    | '\u{e000}'..='\u{f8ff}'
            ))
    }
}
mod semantic {
    //! Errors CPython raises after parsing: while reading `__future__` imports, while building the
    //! symbol table, and while compiling.  ruff's `SemanticSyntaxChecker` finds most of them; the
    //! scope-sensitive ones whose wording or precedence depends on CPython's internals (global and
    //! nonlocal declarations, `await`/`yield` placement) are found here.

    use std::cell::RefCell;
    use std::collections::{HashMap, HashSet};

    use ruff_python_ast::visitor::{self, Visitor};
    use ruff_python_ast::{
        self as ast, Expr, ExprContext, ModModule, Pattern, PythonVersion, Stmt,
    };
    use ruff_python_parser::semantic_errors::{
        InvalidExpressionKind, InvalidExpressionPosition, LazyImportContext, SemanticSyntaxChecker,
        SemanticSyntaxContext, SemanticSyntaxError, SemanticSyntaxErrorKind as K, WriteToDebugKind,
    };
    use ruff_text_size::{Ranged, TextRange};

    use super::Error;

    /// The stages of CPython's compilation, in the order they run: an error of an earlier stage is
    /// reported even if it is further down the file.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Phase {
        /// `__future__` imports at the top of the file (future.c).
        Future,
        /// Walking the AST to build the symbol table (symtable.c).
        Symtable,
        /// Resolving free variables once the symbol table is complete.
        Analysis,
        /// Code generation (compile.c / codegen.c).
        Compiler,
    }

    #[derive(Debug)]
    struct Found {
        phase: Phase,
        range: TextRange,
        message: String,
        /// Breaks ties between errors at the same place: lower is raised first.
        rank: u8,
    }

    /// Returns the first post-parse error, with offsets into `src`.
    pub(super) fn first_error(src: &str, module: &ModModule) -> Option<Error> {
        let mut walker = Walker {
            src,
            checker: Some(SemanticSyntaxChecker::new()),
            scopes: vec![Scope::new(ScopeKind::Module, None)],
            stack: vec![0],
            loop_depth: 0,
            future_annotations: false,
            future_boundary: false,
            seen_first_stmt: false,
            loop_targets: Vec::new(),
            star_ok: false,
            errors: RefCell::new(Vec::new()),
        };
        walker.visit_body(&module.body);
        walker.analyze();
        let errors = walker.errors.into_inner();
        let first = errors
            .into_iter()
            .min_by_key(|f| (f.phase, f.range.start(), f.rank))?;
        Some(Error::new(
            first.range.start().to_usize(),
            first.range.end().to_usize(),
            first.message,
        ))
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Comp {
        List,
        Set,
        Dict,
        Generator,
    }

    impl Comp {
        fn describe(self) -> &'static str {
            match self {
                Comp::List => "list comprehension",
                Comp::Set => "set comprehension",
                Comp::Dict => "dict comprehension",
                Comp::Generator => "generator expression",
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum ScopeKind {
        Module,
        Class,
        Function { is_async: bool },
        Lambda,
        Comprehension(Comp, TextRange),
    }

    // Symbol flags, as symtable.c names them.
    const DEF_GLOBAL: u8 = 1;
    const DEF_LOCAL: u8 = 2;
    const DEF_PARAM: u8 = 4;
    const DEF_NONLOCAL: u8 = 8;
    const USE: u8 = 16;
    const DEF_ANNOT: u8 = 32;
    const DEF_IMPORT: u8 = 64;

    struct Scope {
        kind: ScopeKind,
        parent: Option<usize>,
        /// Flags per name, in the order first seen.
        flags: HashMap<String, u8>,
        /// `nonlocal` declarations, resolved once every scope is known.
        nonlocals: Vec<(String, TextRange)>,
        /// Where each name was first declared `global` or `nonlocal`, which is where CPython reports
        /// conflicts between the two.
        first_declaration: HashMap<String, TextRange>,
    }

    impl Scope {
        fn new(kind: ScopeKind, parent: Option<usize>) -> Self {
            Scope {
                kind,
                parent,
                flags: HashMap::new(),
                nonlocals: Vec::new(),
                first_declaration: HashMap::new(),
            }
        }
    }

    struct Walker<'a> {
        src: &'a str,
        /// Taken out while it runs, as it needs the walker as its context.
        checker: Option<SemanticSyntaxChecker>,
        scopes: Vec<Scope>,
        /// The chain of scopes enclosing the current node, innermost last.
        stack: Vec<usize>,
        /// Loops enclosing the current statement within its function or class.
        loop_depth: u32,
        future_annotations: bool,
        /// Whether a statement other than a docstring or `__future__` import has been seen.
        future_boundary: bool,
        /// Targets of the `for` statement or comprehension being checked by ruff's checker, where a
        /// lone starred expression gets CPython's assignment-target wording.
        loop_targets: Vec<TextRange>,
        /// Whether the expression being visited may be a starred expression.
        star_ok: bool,
        /// Whether a module-level statement has been seen (only the first may be a docstring).
        seen_first_stmt: bool,
        errors: RefCell<Vec<Found>>,
    }

    impl Walker<'_> {
        fn current(&self) -> usize {
            *self.stack.last().expect("module scope is never popped")
        }

        fn kind_at(&self, depth_from_top: usize) -> Option<ScopeKind> {
            let len = self.stack.len();
            len.checked_sub(depth_from_top + 1)
                .map(|i| self.scopes[self.stack[i]].kind)
        }

        fn error(&self, phase: Phase, range: TextRange, message: impl Into<String>) {
            self.errors.borrow_mut().push(Found {
                phase,
                range,
                message: message.into(),
                rank: 1,
            });
        }

        fn text(&self, range: TextRange) -> &str {
            self.src
                .get(range.start().to_usize()..range.end().to_usize())
                .unwrap_or("")
        }

        fn push_scope(&mut self, kind: ScopeKind) {
            let parent = self.current();
            self.scopes.push(Scope::new(kind, Some(parent)));
            self.stack.push(self.scopes.len() - 1);
        }

        fn pop_scope(&mut self) {
            self.stack.pop();
        }

        fn add_flag(&mut self, scope: usize, name: &str, flag: u8) {
            *self.scopes[scope]
                .flags
                .entry(name.to_string())
                .or_insert(0) |= flag;
        }

        fn bind(&mut self, name: &str, flag: u8) {
            let scope = self.current();
            self.add_flag(scope, name, flag);
        }

        fn run_checker_stmt(&mut self, stmt: &Stmt) {
            self.loop_targets.clear();
            if let Stmt::For(for_stmt) = stmt {
                self.loop_targets.push(for_stmt.target.range());
            }
            if let Some(mut checker) = self.checker.take() {
                checker.visit_stmt(stmt, self);
                self.checker = Some(checker);
            }
        }

        fn run_checker_expr(&mut self, expr: &Expr) {
            self.loop_targets.clear();
            let generators = match expr {
                Expr::ListComp(c) => &c.generators[..],
                Expr::SetComp(c) => &c.generators[..],
                Expr::DictComp(c) => &c.generators[..],
                Expr::Generator(c) => &c.generators[..],
                _ => &[],
            };
            self.loop_targets
                .extend(generators.iter().map(|g| g.target.range()));
            if let Some(mut checker) = self.checker.take() {
                checker.visit_expr(expr, self);
                self.checker = Some(checker);
            }
        }

        fn visit_parameters_outside(&mut self, parameters: &ast::Parameters) {
            // Defaults and annotations are evaluated in the enclosing scope.
            for p in parameters.iter_non_variadic_params() {
                if let Some(default) = &p.default {
                    self.visit_expr(default);
                }
            }
            for p in parameters {
                if let Some(annotation) = p.annotation() {
                    // `*args: *Ts` unpacks a TypeVarTuple (3.11+).
                    self.star_ok = parameters
                        .vararg
                        .as_ref()
                        .is_some_and(|v| v.range == p.range());
                    self.visit_annotation(annotation);
                }
            }
        }

        fn bind_parameters(&mut self, parameters: &ast::Parameters) {
            for p in parameters {
                self.bind(p.name().as_str(), DEF_PARAM);
            }
        }

        /// `global` / `nonlocal` after the name was already used in the scope.
        fn declaration(&mut self, stmt: &Stmt, names: &[ast::Identifier], nonlocal: bool) {
            let scope = self.current();
            let what = if nonlocal { "nonlocal" } else { "global" };
            for name in names {
                let flags = self.scopes[scope]
                    .flags
                    .get(name.as_str())
                    .copied()
                    .unwrap_or(0);
                if flags & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                    let message = if flags & DEF_PARAM != 0 {
                        format!("name '{name}' is parameter and {what}")
                    } else if flags & USE != 0 {
                        format!("name '{name}' is used prior to {what} declaration")
                    } else if flags & DEF_ANNOT != 0 {
                        format!("annotated name '{name}' can't be {what}")
                    } else {
                        format!("name '{name}' is assigned to before {what} declaration")
                    };
                    self.error(Phase::Symtable, stmt.range(), message);
                }
                self.scopes[scope]
                    .first_declaration
                    .entry(name.to_string())
                    .or_insert(stmt.range());
                if nonlocal {
                    if self.scopes[scope].kind == ScopeKind::Module {
                        self.error(
                            Phase::Symtable,
                            stmt.range(),
                            "nonlocal declaration not allowed at module level",
                        );
                    }
                    self.add_flag(scope, name.as_str(), DEF_NONLOCAL);
                    self.scopes[scope]
                        .nonlocals
                        .push((name.to_string(), stmt.range()));
                } else {
                    self.add_flag(scope, name.as_str(), DEF_GLOBAL);
                }
            }
        }

        /// `await`, `async for`/`async with` and async comprehensions: CPython's wording depends on
        /// which scope rejects them.
        fn check_await(&self, range: TextRange) {
            // Comprehensions between the expression and its function: an `await` makes each of them
            // asynchronous, which generator expressions allow anywhere and others only where the
            // enclosing scope is asynchronous.
            let mut outermost_comp = None;
            for &id in self.stack.iter().rev() {
                match self.scopes[id].kind {
                    ScopeKind::Comprehension(Comp::Generator, _) => return,
                    ScopeKind::Comprehension(_, comp_range) => outermost_comp = Some(comp_range),
                    ScopeKind::Function { is_async: true } => return,
                    kind => {
                        if let Some(comp_range) = outermost_comp {
                            self.error(
                                Phase::Compiler,
                                comp_range,
                                "asynchronous comprehension outside of an asynchronous function",
                            );
                        } else if matches!(kind, ScopeKind::Module | ScopeKind::Class) {
                            self.error(Phase::Compiler, range, "'await' outside function");
                        } else {
                            self.error(Phase::Compiler, range, "'await' outside async function");
                        }
                        return;
                    }
                }
            }
        }

        fn check_async_stmt(&self, range: TextRange, what: &str) {
            let is_async = self
                .stack
                .iter()
                .rev()
                .map(|&id| self.scopes[id].kind)
                .find(|k| !matches!(k, ScopeKind::Comprehension(..)))
                .is_some_and(|k| k == ScopeKind::Function { is_async: true });
            if !is_async {
                self.error(
                    Phase::Compiler,
                    range,
                    format!("'{what}' outside async function"),
                );
            }
        }

        fn check_yield(&self, expr: &Expr, from: bool) {
            match self.scopes[self.current()].kind {
                ScopeKind::Comprehension(comp, _) => self.error(
                    Phase::Symtable,
                    expr.range(),
                    format!("'yield' inside {}", comp.describe()),
                ),
                ScopeKind::Module | ScopeKind::Class => self.error(
                    Phase::Compiler,
                    expr.range(),
                    if from {
                        "'yield from' outside function"
                    } else {
                        "'yield' outside function"
                    },
                ),
                ScopeKind::Function { is_async: true } if from => self.error(
                    Phase::Compiler,
                    expr.range(),
                    "'yield from' inside async function",
                ),
                ScopeKind::Function { .. } | ScopeKind::Lambda => {}
            }
        }

        fn visit_comprehension_expr(
            &mut self,
            expr: &Expr,
            comp: Comp,
            generators: &[ast::Comprehension],
            elements: &[&Expr],
        ) {
            let Some((first, rest)) = generators.split_first() else {
                return;
            };
            // The outermost iterable is evaluated in the enclosing scope.
            self.visit_expr(&first.iter);
            if comp != Comp::Generator && generators.iter().any(|g| g.is_async) {
                self.push_scope(ScopeKind::Comprehension(comp, expr.range()));
                self.check_await(expr.range());
                self.pop_scope();
            }
            self.push_scope(ScopeKind::Comprehension(comp, expr.range()));
            self.visit_expr(&first.target);
            for cond in &first.ifs {
                self.visit_expr(cond);
            }
            for generator in rest {
                self.visit_expr(&generator.iter);
                self.visit_expr(&generator.target);
                for cond in &generator.ifs {
                    self.visit_expr(cond);
                }
            }
            for element in elements {
                self.visit_expr(element);
            }
            self.pop_scope();
        }

        /// Resolves `nonlocal` declarations against the names bound in enclosing functions.
        fn analyze(&self) {
            let mut bound_below: Vec<Option<HashSet<&str>>> = vec![None; self.scopes.len()];
            // Scopes are created parents first, so one pass in creation order sees every parent.
            for (id, scope) in self.scopes.iter().enumerate() {
                let inherited: HashSet<&str> = scope
                    .parent
                    .and_then(|p| bound_below[p].clone())
                    .unwrap_or_default();
                for (name, range) in &scope.nonlocals {
                    if scope.kind == ScopeKind::Module {
                        continue;
                    }
                    let flags = scope.flags.get(name).copied().unwrap_or(0);
                    if flags & DEF_GLOBAL != 0 {
                        let at = scope.first_declaration.get(name).unwrap_or(range);
                        self.error(
                            Phase::Analysis,
                            *at,
                            format!("name '{name}' is nonlocal and global"),
                        );
                    } else if !inherited.contains(name.as_str()) {
                        self.error(
                            Phase::Analysis,
                            *range,
                            format!("no binding for nonlocal '{name}' found"),
                        );
                    }
                }
                let mut below = inherited;
                match scope.kind {
                    ScopeKind::Module => {}
                    ScopeKind::Class => {
                        below.insert("__class__");
                    }
                    _ => {
                        for (name, &flags) in &scope.flags {
                            let bound =
                                flags & (DEF_LOCAL | DEF_PARAM | DEF_IMPORT | DEF_ANNOT) != 0;
                            if bound && flags & (DEF_GLOBAL | DEF_NONLOCAL) == 0 {
                                below.insert(name.as_str());
                            }
                        }
                    }
                }
                bound_below[id] = Some(below);
            }
        }

        fn report(&self, error: SemanticSyntaxError) {
            let range = error.range;
            let (phase, message) = match error.kind {
            K::LateFutureImport => (
                Phase::Compiler,
                "from __future__ imports must occur at the beginning of the file".to_string(),
            ),
            K::FutureFeatureNotDefined(name) => {
                if self.future_boundary {
                    // A late import is reported as such by the compiler; future.c never sees
                    // it.
                    return;
                }
                let message = if name == "braces" {
                    "not a chance".to_string()
                } else {
                    format!("future feature {name} is not defined")
                };
                (Phase::Future, message)
            }
            K::NamedExpressionInComprehensionIterable => (
                Phase::Symtable,
                "assignment expression cannot be used in a comprehension iterable expression"
                    .to_string(),
            ),
            K::NamedExpressionInClassBodyComprehension => (
                Phase::Symtable,
                "assignment expression within a comprehension cannot be used in a class body"
                    .to_string(),
            ),
            K::ReboundComprehensionVariable => (
                Phase::Symtable,
                format!(
                    "assignment expression cannot rebind comprehension iteration variable '{}'",
                    self.text(range)
                ),
            ),
            K::DuplicateTypeParameter => {
                let name = self
                    .text(range)
                    .trim_start_matches('*')
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")
                    .to_string();
                (
                    Phase::Symtable,
                    format!("duplicate type parameter '{name}'"),
                )
            }
            K::TypeParameterDefaultOrder(name) => (
                Phase::Symtable,
                format!("non-default type parameter '{name}' follows default type parameter"),
            ),
            K::MultipleCaseAssignment(name) => (
                Phase::Compiler,
                format!("multiple assignments to name '{name}' in pattern"),
            ),
            K::MultipleStarredNamesInSequencePattern => (
                Phase::Compiler,
                "multiple starred names in sequence pattern".to_string(),
            ),
            K::IrrefutableCasePattern(kind) => (
                Phase::Compiler,
                match kind {
                    ast::IrrefutablePatternKind::Name(name) => {
                        format!("name capture '{name}' makes remaining patterns unreachable")
                    }
                    ast::IrrefutablePatternKind::Wildcard => {
                        "wildcard makes remaining patterns unreachable".to_string()
                    }
                },
            ),
            K::SingleStarredAssignment => (
                Phase::Compiler,
                "starred assignment target must be in a list or tuple".to_string(),
            ),
            K::WriteToDebug(kind) => (
                Phase::Compiler,
                match kind {
                    WriteToDebugKind::Store => "cannot assign to __debug__".to_string(),
                    WriteToDebugKind::Delete(_) => "cannot delete __debug__".to_string(),
                },
            ),
            K::InvalidExpression(kind, position) => {
                let kind = match kind {
                    InvalidExpressionKind::Yield => "yield expression",
                    InvalidExpressionKind::NamedExpr => "named expression",
                    InvalidExpressionKind::Await => "await expression",
                };
                let position = match position {
                    InvalidExpressionPosition::TypeVarBound => "a TypeVar bound",
                    InvalidExpressionPosition::TypeVarDefault => "a TypeVar default",
                    InvalidExpressionPosition::TypeVarTupleDefault => "a TypeVarTuple default",
                    InvalidExpressionPosition::ParamSpecDefault => "a ParamSpec default",
                    InvalidExpressionPosition::TypeAnnotation => "an annotation",
                    InvalidExpressionPosition::GenericDefinition => {
                        "the definition of a generic"
                    }
                    InvalidExpressionPosition::TypeAlias => "a type alias",
                };
                (
                    Phase::Symtable,
                    format!("{kind} cannot be used within {position}"),
                )
            }
            K::DuplicateMatchKey(key) => (
                Phase::Compiler,
                format!("mapping pattern checks duplicate key ({})", python_repr(&key)),
            ),
            K::DuplicateMatchClassAttribute(name) => (
                Phase::Compiler,
                format!("attribute name repeated in class pattern: {name}"),
            ),
            K::InvalidStarExpression if self.loop_targets.contains(&range) => (
                Phase::Compiler,
                "starred assignment target must be in a list or tuple".to_string(),
            ),
            K::InvalidStarExpression => (
                Phase::Compiler,
                "can't use starred expression here".to_string(),
            ),
            K::ReturnOutsideFunction => (Phase::Compiler, "'return' outside function".to_string()),
            K::DuplicateParameter(name) => (
                Phase::Symtable,
                format!("duplicate argument '{name}' in function definition"),
            ),
            K::DuplicateKeywordArgument(name) => (
                Phase::Compiler,
                format!("keyword argument repeated: {name}"),
            ),
            K::NonModuleImportStar(_) => (
                Phase::Symtable,
                "import * only allowed at module level".to_string(),
            ),
            K::MultipleStarredExpressions => (
                Phase::Compiler,
                "multiple starred expressions in assignment".to_string(),
            ),
            K::BreakOutsideLoop => (Phase::Compiler, "'break' outside loop".to_string()),
            K::ContinueOutsideLoop => (
                Phase::Compiler,
                "'continue' not properly in loop".to_string(),
            ),
            K::DifferentMatchPatternBindings => (
                Phase::Compiler,
                "alternative patterns bind different names".to_string(),
            ),
            K::ReturnInGenerator => (
                Phase::Compiler,
                "'return' with value in async generator".to_string(),
            ),
            // Checked by the walker itself, with CPython's wording and precedence.
            K::YieldOutsideFunction(_)
            | K::AwaitOutsideAsyncFunction(_)
            | K::YieldFromInAsyncFunction
            | K::NonlocalDeclarationAtModuleLevel
            | K::NonlocalAndGlobal(_)
            | K::AnnotatedGlobal(_)
            | K::AnnotatedNonlocal(_)
            | K::GlobalParameter(_)
            | K::NonlocalParameter(_)
            | K::NonlocalWithoutBinding(_)
            | K::LoadBeforeGlobalDeclaration { .. }
            | K::LoadBeforeNonlocalDeclaration { .. }
            // Only for Python versions CPython 3.13 is not.
            | K::AsyncComprehensionInSyncComprehension(_)
            | K::LazyImportNotAllowed { .. }
            | K::LazyImportStar
            | K::LazyFutureImport => return,
        };
            self.error(phase, range, message);
        }
    }

    /// Python's `repr` of a literal key as written in the source, for the simple cases.
    fn python_repr(source: &str) -> String {
        let s = source.trim();
        for q in ['"', '\''] {
            if s.len() >= 2
                && s.starts_with(q)
                && s.ends_with(q)
                && !s[1..s.len() - 1].contains(['\'', '"', '\\'])
            {
                return format!("'{}'", &s[1..s.len() - 1]);
            }
        }
        s.to_string()
    }

    impl<'a> Visitor<'a> for Walker<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            self.run_checker_stmt(stmt);
            self.track_future(stmt);
            match stmt {
                Stmt::FunctionDef(def) => {
                    for decorator in &def.decorator_list {
                        self.visit_decorator(decorator);
                    }
                    if let Some(type_params) = &def.type_params {
                        self.visit_type_params(type_params);
                    }
                    self.visit_parameters_outside(&def.parameters);
                    if let Some(returns) = &def.returns {
                        self.visit_annotation(returns);
                    }
                    self.bind(def.name.as_str(), DEF_LOCAL);
                    self.push_scope(ScopeKind::Function {
                        is_async: def.is_async,
                    });
                    self.bind_parameters(&def.parameters);
                    let loops = std::mem::replace(&mut self.loop_depth, 0);
                    self.visit_body(&def.body);
                    self.loop_depth = loops;
                    self.pop_scope();
                }
                Stmt::ClassDef(class) => {
                    for decorator in &class.decorator_list {
                        self.visit_decorator(decorator);
                    }
                    if let Some(type_params) = &class.type_params {
                        self.visit_type_params(type_params);
                    }
                    if let Some(arguments) = &class.arguments {
                        self.visit_arguments(arguments);
                    }
                    self.bind(class.name.as_str(), DEF_LOCAL);
                    self.push_scope(ScopeKind::Class);
                    let loops = std::mem::replace(&mut self.loop_depth, 0);
                    self.visit_body(&class.body);
                    self.loop_depth = loops;
                    self.pop_scope();
                }
                Stmt::For(for_stmt) => {
                    if for_stmt.is_async {
                        self.check_async_stmt(stmt.range(), "async for");
                    }
                    self.visit_expr(&for_stmt.iter);
                    self.visit_expr(&for_stmt.target);
                    self.loop_depth += 1;
                    self.visit_body(&for_stmt.body);
                    self.loop_depth -= 1;
                    self.visit_body(&for_stmt.orelse);
                }
                Stmt::While(while_stmt) => {
                    self.visit_expr(&while_stmt.test);
                    self.loop_depth += 1;
                    self.visit_body(&while_stmt.body);
                    self.loop_depth -= 1;
                    self.visit_body(&while_stmt.orelse);
                }
                Stmt::With(with) => {
                    if with.is_async {
                        self.check_async_stmt(stmt.range(), "async with");
                    }
                    for item in &with.items {
                        if let Some(Expr::Starred(star)) = item.optional_vars.as_deref() {
                            self.error(
                                Phase::Compiler,
                                star.range,
                                "starred assignment target must be in a list or tuple",
                            );
                        }
                    }
                    visitor::walk_stmt(self, stmt);
                }
                Stmt::Try(try_stmt) => {
                    if let Some((_, init)) = try_stmt.handlers.split_last() {
                        for handler in init {
                            let ast::ExceptHandler::ExceptHandler(h) = handler;
                            if h.type_.is_none() {
                                self.error(
                                    Phase::Compiler,
                                    h.range,
                                    "default 'except:' must be last",
                                );
                            }
                        }
                    }
                    visitor::walk_stmt(self, stmt);
                }
                Stmt::Global(global) => self.declaration(stmt, &global.names, false),
                Stmt::Nonlocal(nonlocal) => self.declaration(stmt, &nonlocal.names, true),
                Stmt::AnnAssign(ann) => {
                    if let Some(value) = &ann.value {
                        self.visit_expr(value);
                    }
                    self.visit_annotation(&ann.annotation);
                    if let (Expr::Name(name), true) = (ann.target.as_ref(), ann.simple) {
                        let scope = self.current();
                        let flags = self.scopes[scope]
                            .flags
                            .get(name.id.as_str())
                            .copied()
                            .unwrap_or(0);
                        if flags & (DEF_GLOBAL | DEF_NONLOCAL) != 0
                            && self.scopes[scope].kind != ScopeKind::Module
                        {
                            let what = if flags & DEF_GLOBAL != 0 {
                                "global"
                            } else {
                                "nonlocal"
                            };
                            self.error(
                                Phase::Symtable,
                                name.range,
                                format!("annotated name '{}' can't be {what}", name.id),
                            );
                        }
                        self.bind(name.id.as_str(), DEF_ANNOT | DEF_LOCAL);
                    } else {
                        self.visit_expr(&ann.target);
                    }
                }
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let bound = alias.asname.as_ref().map_or_else(
                            || alias.name.as_str().split('.').next().unwrap_or(""),
                            |a| a.as_str(),
                        );
                        self.bind(bound, DEF_IMPORT);
                    }
                }
                Stmt::ImportFrom(import) => {
                    for alias in &import.names {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        if bound.as_str() != "*" {
                            self.bind(bound.as_str(), DEF_IMPORT);
                        }
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            self.run_checker_expr(expr);
            // Only displays and call arguments may unpack a starred expression.
            let star_ok = std::mem::replace(&mut self.star_ok, false);
            match expr {
                Expr::Starred(star) if star.ctx.is_load() && !star_ok => {
                    self.error(
                        Phase::Compiler,
                        expr.range(),
                        "can't use starred expression here",
                    );
                    visitor::walk_expr(self, expr);
                }
                Expr::List(ast::ExprList { elts, .. })
                | Expr::Tuple(ast::ExprTuple { elts, .. })
                | Expr::Set(ast::ExprSet { elts, .. }) => {
                    for elt in elts {
                        self.star_ok = true;
                        self.visit_expr(elt);
                    }
                }
                Expr::Subscript(sub) => {
                    self.visit_expr(&sub.value);
                    // `a[*b]`, new in 3.11.
                    self.star_ok = true;
                    self.visit_expr(&sub.slice);
                }
                Expr::Name(name) => {
                    let flag = match name.ctx {
                        ExprContext::Load => USE,
                        ExprContext::Store | ExprContext::Del => DEF_LOCAL,
                        ExprContext::Invalid => 0,
                    };
                    self.bind(name.id.as_str(), flag);
                }
                Expr::Named(named) => {
                    self.visit_expr(&named.value);
                    if let Expr::Name(target) = named.target.as_ref() {
                        // The target binds in the nearest enclosing non-comprehension scope.
                        let scope = self
                            .stack
                            .iter()
                            .rev()
                            .copied()
                            .find(|&id| {
                                !matches!(self.scopes[id].kind, ScopeKind::Comprehension(..))
                            })
                            .unwrap_or(0);
                        self.add_flag(scope, target.id.as_str(), DEF_LOCAL);
                    } else {
                        self.visit_expr(&named.target);
                    }
                }
                Expr::Lambda(lambda) => {
                    if let Some(parameters) = &lambda.parameters {
                        self.visit_parameters_outside(parameters);
                    }
                    self.push_scope(ScopeKind::Lambda);
                    if let Some(parameters) = &lambda.parameters {
                        self.bind_parameters(parameters);
                    }
                    self.visit_expr(&lambda.body);
                    self.pop_scope();
                }
                Expr::ListComp(comp) => {
                    self.visit_comprehension_expr(expr, Comp::List, &comp.generators, &[&comp.elt]);
                }
                Expr::SetComp(comp) => {
                    self.visit_comprehension_expr(expr, Comp::Set, &comp.generators, &[&comp.elt]);
                }
                Expr::Generator(comp) => {
                    self.visit_comprehension_expr(
                        expr,
                        Comp::Generator,
                        &comp.generators,
                        &[&comp.elt],
                    );
                }
                Expr::DictComp(comp) => {
                    let mut elements: Vec<&Expr> = Vec::with_capacity(2);
                    if let Some(key) = &comp.key {
                        elements.push(key);
                    }
                    elements.push(&comp.value);
                    self.visit_comprehension_expr(expr, Comp::Dict, &comp.generators, &elements);
                }
                Expr::Await(_) => {
                    self.check_await(expr.range());
                    visitor::walk_expr(self, expr);
                }
                Expr::Yield(_) => {
                    self.check_yield(expr, false);
                    visitor::walk_expr(self, expr);
                }
                Expr::YieldFrom(_) => {
                    self.check_yield(expr, true);
                    visitor::walk_expr(self, expr);
                }
                _ => visitor::walk_expr(self, expr),
            }
        }

        fn visit_type_param(&mut self, type_param: &'a ast::TypeParam) {
            // `*Ts = *tuple[int, str]`: a TypeVarTuple's default may be unpacked.
            if let ast::TypeParam::TypeVarTuple(ast::TypeParamTypeVarTuple {
                default: Some(default),
                ..
            }) = type_param
            {
                self.star_ok = true;
                self.visit_expr(default);
                return;
            }
            visitor::walk_type_param(self, type_param);
        }

        fn visit_arguments(&mut self, arguments: &'a ast::Arguments) {
            for arg in &arguments.args {
                self.star_ok = true;
                self.visit_expr(arg);
            }
            for keyword in &arguments.keywords {
                self.visit_expr(&keyword.value);
            }
        }

        fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            if let Some(name) = &h.name {
                self.bind(name.as_str(), DEF_LOCAL);
            }
            visitor::walk_except_handler(self, handler);
        }

        fn visit_pattern(&mut self, pattern: &'a Pattern) {
            // An irrefutable alternative before the last one of an or-pattern.
            if let Pattern::MatchOr(or) = pattern
                && let Some((_, init)) = or.patterns.split_last()
                && let Some(irrefutable) = init.iter().find_map(Pattern::irrefutable_pattern)
            {
                let message = match irrefutable.kind {
                    ast::IrrefutablePatternKind::Name(name) => {
                        format!("name capture '{name}' makes remaining patterns unreachable")
                    }
                    ast::IrrefutablePatternKind::Wildcard => {
                        "wildcard makes remaining patterns unreachable".to_string()
                    }
                };
                // Raised while compiling the alternative, before the alternatives' bindings are
                // compared.
                self.errors.borrow_mut().push(Found {
                    phase: Phase::Compiler,
                    range: irrefutable.range,
                    message,
                    rank: 0,
                });
            }
            match pattern {
                Pattern::MatchAs(ast::PatternMatchAs {
                    name: Some(name), ..
                })
                | Pattern::MatchStar(ast::PatternMatchStar {
                    name: Some(name), ..
                }) => {
                    self.bind(name.as_str(), DEF_LOCAL);
                }
                Pattern::MatchMapping(ast::PatternMatchMapping {
                    rest: Some(rest), ..
                }) => {
                    self.bind(rest.as_str(), DEF_LOCAL);
                }
                _ => {}
            }
            visitor::walk_pattern(self, pattern);
        }
    }

    impl Walker<'_> {
        fn track_future(&mut self, stmt: &Stmt) {
            if self.stack.len() != 1 || self.future_boundary {
                return;
            }
            match stmt {
                Stmt::ImportFrom(ast::StmtImportFrom {
                    module: Some(module),
                    names,
                    ..
                }) if module.as_str() == "__future__" => {
                    if names.iter().any(|n| n.name.as_str() == "annotations") {
                        self.future_annotations = true;
                    }
                }
                Stmt::Expr(e) if e.value.is_string_literal_expr() && !self.seen_first_stmt => {}
                _ => self.future_boundary = true,
            }
            self.seen_first_stmt = true;
        }
    }

    impl SemanticSyntaxContext for Walker<'_> {
        fn future_annotations_or_stub(&self) -> bool {
            self.future_annotations
        }

        fn lazy_import_context(&self) -> Option<LazyImportContext> {
            None
        }

        fn python_version(&self) -> PythonVersion {
            PythonVersion::PY313
        }

        fn source(&self) -> &str {
            self.src
        }

        fn global(&self, _name: &str) -> Option<TextRange> {
            None
        }

        fn has_nonlocal_binding(&self, _name: &str) -> bool {
            true
        }

        fn in_async_context(&self) -> bool {
            for &id in self.stack.iter().rev() {
                match self.scopes[id].kind {
                    ScopeKind::Class | ScopeKind::Lambda => return false,
                    ScopeKind::Function { is_async } => return is_async,
                    ScopeKind::Comprehension(..) | ScopeKind::Module => {}
                }
            }
            false
        }

        fn in_await_allowed_context(&self) -> bool {
            for &id in self.stack.iter().rev() {
                match self.scopes[id].kind {
                    ScopeKind::Class => return false,
                    ScopeKind::Function { .. } | ScopeKind::Lambda => return true,
                    ScopeKind::Comprehension(..) | ScopeKind::Module => {}
                }
            }
            false
        }

        fn in_yield_allowed_context(&self) -> bool {
            for &id in self.stack.iter().rev() {
                match self.scopes[id].kind {
                    ScopeKind::Class | ScopeKind::Comprehension(..) => return false,
                    ScopeKind::Function { .. } | ScopeKind::Lambda => return true,
                    ScopeKind::Module => {}
                }
            }
            false
        }

        fn in_sync_comprehension(&self) -> bool {
            false
        }

        fn in_class_body_comprehension(&self) -> bool {
            for &id in self.stack.iter().rev() {
                match self.scopes[id].kind {
                    ScopeKind::Comprehension(..) => {}
                    ScopeKind::Class => return true,
                    _ => return false,
                }
            }
            false
        }

        fn in_module_scope(&self) -> bool {
            self.kind_at(0) == Some(ScopeKind::Module)
        }

        fn in_function_scope(&self) -> bool {
            matches!(self.kind_at(0), Some(ScopeKind::Function { .. }))
        }

        fn in_generator_context(&self) -> bool {
            self.stack.iter().any(|&id| {
                matches!(
                    self.scopes[id].kind,
                    ScopeKind::Comprehension(Comp::Generator, _)
                )
            })
        }

        fn in_notebook(&self) -> bool {
            false
        }

        fn report_semantic_error(&self, error: SemanticSyntaxError) {
            self.report(error);
        }

        fn in_loop_context(&self) -> bool {
            self.loop_depth > 0
        }

        fn is_bound_parameter(&self, _name: &str) -> bool {
            false
        }
    }
}
mod syntax {
    //! Combining tokenizer errors with ruff's parse errors the way CPython's parser does, and
    //! translating ruff's parse errors into CPython's messages and positions.

    use ruff_python_ast::token::TokenKind;
    use ruff_python_ast::visitor::{self, Visitor};
    use ruff_python_ast::{self as ast, Expr, Mod, ModModule, Stmt};
    use ruff_python_parser::{
        LexicalErrorType, ParseErrorType, Parsed, UnsupportedSyntaxErrorKind,
    };
    use ruff_text_size::{Ranged, TextRange};

    use super::lexer::{Class, Kind, Lexed, Token};
    use super::{Error, Text};

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
            Class::Eager { in_fstring: false } if !parse.unexpected_indent => {
                Some(lex.error.clone())
            }
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
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];

    impl Cx<'_> {
        fn str(&self, i: usize) -> &str {
            self.tokens
                .get(i)
                .and_then(|t| std::str::from_utf8(&self.text.bytes[t.start..t.end]).ok())
                .unwrap_or("")
        }

        fn kind(&self, i: usize) -> Option<Kind> {
            self.tokens.get(i).map(|t| t.kind)
        }

        fn is(&self, i: usize, s: &str) -> bool {
            matches!(self.kind(i), Some(Kind::Name | Kind::Op)) && self.str(i) == s
        }

        fn is_keyword(&self, i: usize) -> bool {
            self.kind(i) == Some(Kind::Name) && KEYWORDS.contains(&self.str(i))
        }

        fn start(&self, i: usize) -> usize {
            self.tokens.get(i).map_or(self.stop, |t| t.start)
        }

        fn end(&self, i: usize) -> usize {
            self.tokens.get(i).map_or(self.stop, |t| t.end)
        }

        fn line(&self, i: usize) -> usize {
            self.text.line_of(self.start(i))
        }

        /// Index of the first token starting at or after `pos`.
        fn at(&self, pos: usize) -> usize {
            self.tokens.partition_point(|t| t.start < pos)
        }

        /// Bracket depth before token `i`.
        fn level_before(&self, i: usize) -> usize {
            if i == 0 {
                0
            } else {
                self.tokens.get(i - 1).map_or(0, |t| t.level)
            }
        }

        /// Whether token `i` can end an operand (atom or trailer).
        fn ends_operand(&self, i: usize) -> bool {
            match self.kind(i) {
                Some(Kind::Name) => {
                    !self.is_keyword(i) || matches!(self.str(i), "True" | "False" | "None")
                }
                Some(Kind::Number | Kind::String | Kind::FStringEnd) => true,
                Some(Kind::Op) => matches!(self.str(i), ")" | "]" | "}" | "..."),
                _ => false,
            }
        }

        /// Whether token `i` can start an expression.
        fn starts_expression(&self, i: usize) -> bool {
            match self.kind(i) {
                Some(Kind::Name) => {
                    !self.is_keyword(i)
                        || matches!(
                            self.str(i),
                            "True" | "False" | "None" | "not" | "lambda" | "await"
                        )
                }
                Some(Kind::Number | Kind::String | Kind::FStringStart) => true,
                Some(Kind::Op) => matches!(self.str(i), "(" | "[" | "{" | "-" | "+" | "~" | "..."),
                _ => false,
            }
        }

        /// Index of the bracket opening the group closed by token `close`.
        fn matching_open(&self, close: usize) -> Option<usize> {
            let mut depth = 0usize;
            let mut i = close;
            loop {
                match self.kind(i) {
                    Some(Kind::Op) => match self.str(i) {
                        ")" | "]" | "}" => depth += 1,
                        "(" | "[" | "{" => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(i);
                            }
                        }
                        _ => {}
                    },
                    Some(Kind::FStringEnd) => depth += 1,
                    Some(Kind::FStringStart) => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => {}
                }
                i = i.checked_sub(1)?;
            }
        }

        /// Start of the operand (primary with its trailers, or a parenthesized group) ending at
        /// token `end`.
        fn operand_start(&self, end: usize) -> Option<usize> {
            let mut i = end;
            loop {
                let start = match self.kind(i)? {
                    Kind::Op if matches!(self.str(i), ")" | "]" | "}") => self.matching_open(i)?,
                    Kind::String | Kind::FStringEnd => {
                        // Implicitly concatenated literals form one atom.
                        let mut s = if self.kind(i) == Some(Kind::FStringEnd) {
                            self.matching_open(i)?
                        } else {
                            i
                        };
                        while s > 0 {
                            match self.kind(s - 1) {
                                Some(Kind::String) => s -= 1,
                                Some(Kind::FStringEnd) => s = self.matching_open(s - 1)?,
                                _ => break,
                            }
                        }
                        s
                    }
                    Kind::Name | Kind::Number => i,
                    Kind::Op if self.str(i) == "..." => i,
                    _ => return None,
                };
                // A call or subscript trailer continues the primary to its left; a `.` does too.
                if start > 0
                    && self.is(start, "(") | self.is(start, "[")
                    && self.ends_operand(start - 1)
                    && !self.is_keyword(start - 1)
                {
                    i = start - 1;
                    continue;
                }
                if start > 1 && self.is(start - 1, ".") && self.kind(start) == Some(Kind::Name) {
                    i = start - 2;
                    continue;
                }
                return Some(start);
            }
        }

        /// Start of the `disjunction` ending at token `end`, scanning back over operands and binary
        /// and unary operators.  Also returns the token just before it.
        fn disjunction_start(&self, end: usize) -> Option<usize> {
            let mut i = end;
            loop {
                let mut start = self.operand_start(i)?;
                // Unary operators.
                while start > 0 {
                    let p = start - 1;
                    let unary = match self.str(p) {
                        "not" | "await" => self.kind(p) == Some(Kind::Name),
                        "-" | "+" | "~" => {
                            self.kind(p) == Some(Kind::Op) && (p == 0 || !self.ends_operand(p - 1))
                        }
                        _ => false,
                    };
                    if !unary {
                        break;
                    }
                    start = p;
                }
                if start == 0 {
                    return Some(0);
                }
                let op = start - 1;
                let binary = match self.kind(op) {
                    Some(Kind::Op) => matches!(
                        self.str(op),
                        "+" | "-"
                            | "*"
                            | "/"
                            | "//"
                            | "%"
                            | "**"
                            | "@"
                            | "<<"
                            | ">>"
                            | "&"
                            | "|"
                            | "^"
                            | "<"
                            | ">"
                            | "=="
                            | "!="
                            | "<="
                            | ">="
                            | "<>"
                    ),
                    Some(Kind::Name) => matches!(self.str(op), "and" | "or" | "in" | "is" | "not"),
                    _ => false,
                };
                if !binary || op == 0 {
                    return Some(start);
                }
                // The `in` of a comprehension's `for` clause is not an operator.
                if self.is(op, "in") && self.for_clause_in(op) {
                    return Some(start);
                }
                // `not in` / `is not`
                let mut left = op - 1;
                if self.is(op, "in") && self.is(left, "not")
                    || self.is(op, "not") && self.is(left, "is")
                {
                    if left == 0 {
                        return Some(start);
                    }
                    left -= 1;
                }
                if !self.ends_operand(left) {
                    return Some(start);
                }
                i = left;
            }
        }

        /// Whether the `in` at token `op` follows a `for` and its targets.
        fn for_clause_in(&self, op: usize) -> bool {
            let depth = self.level_before(op);
            let mut i = op;
            while let Some(p) = i.checked_sub(1) {
                i = p;
                let level = self.level_before(i);
                if level < depth {
                    return false;
                }
                if level > depth {
                    continue;
                }
                match self.kind(i) {
                    Some(Kind::Name) if self.is(i, "for") => return true,
                    Some(Kind::Name) if !self.is_keyword(i) => {}
                    Some(Kind::Op)
                        if matches!(self.str(i), "," | "." | "*" | ")" | "]" | "(" | "[") => {}
                    _ => return false,
                }
            }
            false
        }

        /// Index of the bracket closing the group opened by token `open`.
        fn matching_close(&self, open: usize) -> Option<usize> {
            let mut depth = 0usize;
            for i in open..self.tokens.len() {
                match self.kind(i) {
                    Some(Kind::Op) => match self.str(i) {
                        "(" | "[" | "{" => depth += 1,
                        ")" | "]" | "}" => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                return Some(i);
                            }
                        }
                        _ => {}
                    },
                    Some(Kind::FStringStart) => depth += 1,
                    Some(Kind::FStringEnd) => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => {}
                }
            }
            None
        }

        /// The innermost bracket still open before token `i`.
        fn innermost_open(&self, i: usize) -> Option<usize> {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                j = j.checked_sub(1)?;
                if self.kind(j) != Some(Kind::Op) {
                    continue;
                }
                match self.str(j) {
                    ")" | "]" | "}" => depth += 1,
                    "(" | "[" | "{" if depth == 0 => return Some(j),
                    "(" | "[" | "{" => depth -= 1,
                    _ => {}
                }
            }
        }

        /// Whether token `i` starts an expression right after another one ends, with no
        /// operator between: not a call, subscript or string concatenation.
        fn juxtaposed(&self, i: usize) -> bool {
            i > 0
                && self.ends_operand(i - 1)
                && self.starts_expression(i)
                && !self.is(i, "(")
                && !self.is(i, "[")
                && !(matches!(self.kind(i), Some(Kind::String | Kind::FStringStart))
                    && matches!(self.kind(i - 1), Some(Kind::String | Kind::FStringEnd)))
        }

        /// The `{` opening the f-string replacement field that token `i` is in, if any.
        fn field_open(&self, i: usize) -> Option<usize> {
            let open = self.innermost_open(i)?;
            let before = open.checked_sub(1)?;
            (self.is(open, "{")
                && matches!(
                    self.kind(before),
                    Some(Kind::FStringStart | Kind::FStringMiddle)
                )
                || self.is(open, "{") && self.is(before, ":") && self.field_open(before).is_some())
            .then_some(open)
        }

        /// Whether token `i` is inside the parameter list of a `def`.
        fn in_def_parameters(&self, i: usize) -> bool {
            let Some(open) = self.innermost_open(i) else {
                return false;
            };
            if !self.is(open, "(") || open == 0 {
                return false;
            }
            let mut name = open - 1;
            if self.is(name, "]") {
                match self.matching_open(name) {
                    Some(o) if o > 0 => name = o - 1,
                    _ => return false,
                }
            }
            name > 0 && self.kind(name) == Some(Kind::Name) && self.is(name - 1, "def")
        }

        /// Whether token `i` is in the target of a comprehension's `for` clause.
        fn comprehension_target(&self, i: usize) -> bool {
            let level = self.level_before(i);
            if level == 0 {
                return false;
            }
            let mut j = i;
            while let Some(p) = j.checked_sub(1) {
                j = p;
                if self.level_before(j + 1) < level {
                    return false;
                }
                if self.level_before(j) == level {
                    if self.is(j, "for") {
                        return true;
                    }
                    if self.is(j, "in") || self.is(j, ",") && self.level_before(j) == level - 1 {
                        return false;
                    }
                }
            }
            false
        }

        /// Whether token `i` is between a `lambda` and its colon.
        fn lambda_parameters(&self, i: usize) -> bool {
            let level = self.level_before(i);
            let mut j = i;
            while let Some(p) = j.checked_sub(1) {
                j = p;
                if self.level_before(j) < level {
                    return false;
                }
                if self.level_before(j) == level {
                    if self.is(j, "lambda") {
                        return true;
                    }
                    if self.is(j, ":") || self.kind(j) == Some(Kind::Newline) {
                        return false;
                    }
                }
            }
            false
        }

        /// Index just past the operand (primary with its trailers, or a group) starting at `i`;
        /// the token count if it runs off the end.
        /// Where parsing the bracket group opened at `open` as expressions would stop: the
        /// first token that cannot appear in one, else the closing bracket, else the token
        /// count if the group never closes.
        fn group_parse_limit(&self, open: usize) -> usize {
            let close = self.matching_close(open);
            let end = close.unwrap_or(self.tokens.len());
            for i in open + 1..end {
                let bad = match self.kind(i) {
                    Some(Kind::Name) => {
                        matches!(
                            self.str(i),
                            "def"
                                | "class"
                                | "return"
                                | "import"
                                | "global"
                                | "nonlocal"
                                | "while"
                                | "with"
                                | "try"
                                | "except"
                                | "finally"
                                | "raise"
                                | "del"
                                | "pass"
                                | "break"
                                | "continue"
                                | "assert"
                                | "elif"
                        ) || (self.is(i, "from") && !self.is(i - 1, "yield"))
                    }
                    Some(Kind::Op) => match self.str(i) {
                        "=" => {
                            // Only a keyword argument: `f(name=...)`.
                            let call = self.innermost_open(i).is_some_and(|o| {
                                self.is(o, "(") && o > 0 && self.ends_operand(o - 1)
                            });
                            !(call
                                && self.kind(i - 1) == Some(Kind::Name)
                                && (self.is(i - 2, "(") || self.is(i - 2, ",")))
                        }
                        ";" | "->" => true,
                        "," | ":" => matches!(self.str(i - 1), "(" | "[" | "{"),
                        op => {
                            op.len() >= 2
                                && op.ends_with('=')
                                && !matches!(op, "==" | "!=" | "<=" | ">=")
                        }
                    },
                    _ => false,
                };
                if bad {
                    return i;
                }
            }
            end
        }

        fn operand_end(&self, mut i: usize) -> usize {
            let len = self.tokens.len();
            while self.kind(i) == Some(Kind::Op) && matches!(self.str(i), "-" | "+" | "~")
                || self.is(i, "not")
                || self.is(i, "await")
            {
                i += 1;
            }
            let mut j = match self.kind(i) {
                None => return len,
                Some(Kind::Name | Kind::Number) => i + 1,
                Some(Kind::String | Kind::FStringStart) => {
                    let mut j = i;
                    loop {
                        match self.kind(j) {
                            Some(Kind::String) => j += 1,
                            Some(Kind::FStringStart) => match self.matching_close(j) {
                                Some(close) => j = close + 1,
                                None => return len,
                            },
                            _ => break j,
                        }
                    }
                }
                Some(Kind::Op) if matches!(self.str(i), "(" | "[" | "{") => {
                    let limit = self.group_parse_limit(i);
                    if self.matching_close(i) != Some(limit) {
                        // The parse stops inside the group.
                        return limit;
                    }
                    limit + 1
                }
                Some(Kind::Op) if self.str(i) == "..." => i + 1,
                // Not an operand: the expression stops before it.
                Some(_) => return i,
            };
            loop {
                if self.is(j, ".") && self.kind(j + 1) == Some(Kind::Name) {
                    j += 2;
                } else if self.is(j, "(") || self.is(j, "[") {
                    let limit = self.group_parse_limit(j);
                    if self.matching_close(j) != Some(limit) {
                        return limit;
                    }
                    j = limit + 1;
                } else {
                    return j;
                }
            }
        }

        /// Index just past the expression starting at `i`, following binary operators.
        fn expression_end(&self, i: usize) -> usize {
            let mut j = self.operand_end(i);
            loop {
                if j >= self.tokens.len() {
                    return j;
                }
                let binary = match self.kind(j) {
                    Some(Kind::Op) => matches!(
                        self.str(j),
                        "+" | "-"
                            | "*"
                            | "/"
                            | "//"
                            | "%"
                            | "**"
                            | "@"
                            | "<<"
                            | ">>"
                            | "&"
                            | "|"
                            | "^"
                            | "<"
                            | ">"
                            | "=="
                            | "!="
                            | "<="
                            | ">="
                    ),
                    Some(Kind::Name) => matches!(self.str(j), "and" | "or" | "in" | "is" | "not"),
                    _ => false,
                };
                if !binary {
                    return j;
                }
                let mut next = j + 1;
                if (self.is(j, "not") && self.is(next, "in"))
                    || (self.is(j, "is") && self.is(next, "not"))
                {
                    next += 1;
                }
                if !self.starts_expression(next) {
                    return j;
                }
                j = self.operand_end(next);
            }
        }

        /// Start of the `bitwise_or` ending at token `end` (operands joined by arithmetic and
        /// bitwise operators only).
        fn bitwise_or_start(&self, end: usize) -> Option<usize> {
            let mut i = end;
            loop {
                let mut start = self.operand_start(i)?;
                while start > 0
                    && self.kind(start - 1) == Some(Kind::Op)
                    && matches!(self.str(start - 1), "-" | "+" | "~")
                    && (start < 2 || !self.ends_operand(start - 2))
                {
                    start -= 1;
                }
                if start > 0 && self.is(start - 1, "await") {
                    start -= 1;
                }
                if start < 2 {
                    return Some(start);
                }
                let op = start - 1;
                let binary = self.kind(op) == Some(Kind::Op)
                    && matches!(
                        self.str(op),
                        "+" | "-"
                            | "*"
                            | "/"
                            | "//"
                            | "%"
                            | "**"
                            | "@"
                            | "<<"
                            | ">>"
                            | "&"
                            | "|"
                            | "^"
                    );
                if !binary || !self.ends_operand(op - 1) {
                    return Some(start);
                }
                i = op - 1;
            }
        }

        /// Index of the first token of the logical line containing token `i`.
        fn logical_line_start(&self, i: usize) -> usize {
            let mut s = i.min(self.tokens.len());
            while s > 0
                && !matches!(
                    self.kind(s - 1),
                    Some(Kind::Newline | Kind::Indent | Kind::Dedent)
                )
            {
                s -= 1;
            }
            s
        }
    }

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
                    "if" | "elif"
                        | "while"
                        | "for"
                        | "with"
                        | "class"
                        | "except"
                        | "match"
                        | "case"
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

    /// `expected an indented block after 'if' statement on line N`: reported at the token after
    /// the header's NEWLINE, naming the header's keyword.
    fn indented_block(cx: &Cx, f: usize) -> Option<Translated> {
        // Find the NEWLINE ending the header.
        let mut nl = f.min(cx.tokens.len().saturating_sub(1));
        while cx.kind(nl) != Some(Kind::Newline) {
            nl = nl.checked_sub(1)?;
        }
        let after = nl + 1;
        let mut kw = cx.logical_line_start(nl);
        if cx.is(kw, "async") {
            kw += 1;
        }
        let what = match cx.str(kw) {
            "def" => "function definition".to_string(),
            "class" => "class definition".to_string(),
            "except" if cx.is(kw + 1, "*") => "'except*' statement".to_string(),
            k @ ("if" | "elif" | "else" | "while" | "for" | "with" | "try" | "except"
            | "finally" | "match" | "case") => format!("'{k}' statement"),
            _ => return None,
        };
        // CPython names the line of the condition for `if` (its rule rebinds the name it reports).
        let line_tok = if cx.is(kw, "if") { kw + 1 } else { kw };
        let message = format!(
            "expected an indented block after {what} on line {}",
            cx.line(line_tok)
        );
        let mut t = translated(
            Error::new(cx.start(after), cx.end(after), message),
            cx.start(after),
        );
        t.furthest = cx.start(after);
        Some(t)
    }

    /// Python 2's `print x` / `exec code`.
    fn legacy_print(cx: &Cx, f: usize) -> Option<Translated> {
        let name = f.checked_sub(1)?;
        let word = cx.str(name);
        if cx.kind(name) != Some(Kind::Name) || !matches!(word, "print" | "exec") {
            return None;
        }
        // `print` must start an expression: not an attribute, not a second operand.
        if name > 0 && (cx.is(name - 1, ".") || cx.ends_operand(name - 1)) {
            return None;
        }
        let legacy_start = cx.starts_expression(f)
            && !(cx.kind(f) == Some(Kind::Op) && matches!(cx.str(f), "(" | "[" | "-" | "+"));
        if !legacy_start {
            return None;
        }
        if cx.level_before(name) > 0 {
            // Inside brackets, CPython parses the printed values first; anything glued to
            // them raises its own error before this one.
            let mut end = cx.expression_end(f);
            while cx.is(end, ",") && cx.starts_expression(end + 1) {
                end = cx.expression_end(end + 1);
            }
            if cx.starts_expression(end) {
                return None;
            }
        }
        let message = format!("Missing parentheses in call to '{word}'. Did you mean {word}(...)?");
        Some(translated(
            Error::new(cx.start(name), cx.end(f), message),
            cx.start(f),
        ))
    }

    /// `invalid syntax. Perhaps you forgot a comma?`: two expressions side by side inside brackets.
    fn missing_comma(cx: &Cx, f: usize) -> Option<Translated> {
        let prev = f.checked_sub(1)?;
        if cx.level_before(f) == 0 || !cx.starts_expression(f) || !cx.ends_operand(prev) {
            return None;
        }
        let a = cx.disjunction_start(prev)?;
        if a > 0 {
            let before = a - 1;
            // Where a `disjunction` is parsed directly (comprehension clauses, conditional branches)
            // CPython does not look for a missing comma.
            if cx.kind(before) == Some(Kind::Name)
                && matches!(
                    cx.str(before),
                    "for" | "in" | "if" | "else" | "async" | "lambda"
                )
            {
                return None;
            }
            if cx.is(before, "*") && before > 0 && !matches!(cx.str(before - 1), "(" | "[" | "{") {
                // A starred element is a plain `bitwise_or`, except in call arguments.
                let in_call = cx
                    .innermost_open(before)
                    .is_some_and(|o| cx.is(o, "(") && o > 0 && cx.ends_operand(o - 1));
                if !in_call {
                    return None;
                }
            }
        }
        // `!(NAME STRING | SOFT_KEYWORD)`, where CPython's soft keyword test accepts any prefix of
        // one (`c`, `ma`, `typ`...).
        if cx.kind(a) == Some(Kind::Name)
            && (matches!(cx.kind(a + 1), Some(Kind::String | Kind::FStringStart))
                || ["_", "case", "match", "type"]
                    .iter()
                    .any(|k| k.starts_with(cx.str(a))))
        {
            return None;
        }
        if !in_expression_brackets(cx, f) {
            return None;
        }
        if a == prev && matches!(cx.str(a), "print" | "exec") {
            return None;
        }
        let message = "invalid syntax. Perhaps you forgot a comma?";
        let mut t = translated(Error::new(cx.start(a), cx.end(f), message), cx.start(f));
        t.furthest = cx.end(f);
        Some(t)
    }

    /// ruff accepts atoms side by side in some `case` patterns (`case [1 x]:`), which CPython
    /// rejects.
    fn juxtaposed_pattern_atoms(cx: &Cx) -> Option<Translated> {
        let len = cx.tokens.len();
        let mut i = 0;
        while i < len {
            let at_line_start = i == 0
                || matches!(
                    cx.kind(i - 1),
                    Some(Kind::Newline | Kind::Indent | Kind::Dedent)
                );
            if !(at_line_start && cx.is(i, "case")) {
                i += 1;
                continue;
            }
            let base = cx.level_before(i);
            let mut j = i + 2;
            while j < len && cx.kind(j) != Some(Kind::Newline) {
                if cx.level_before(j) == base && (cx.is(j, ":") || cx.is(j, "if")) {
                    break;
                }
                let atom = match cx.kind(j) {
                    Some(Kind::Name) => {
                        !cx.is_keyword(j) || matches!(cx.str(j), "True" | "False" | "None")
                    }
                    Some(Kind::Number | Kind::FStringStart) => true,
                    Some(Kind::String) => cx.kind(j - 1) != Some(Kind::String),
                    _ => false,
                };
                if atom && cx.ends_operand(j - 1) {
                    return Some(translated(
                        Error::new(cx.start(j), cx.end(j), "invalid syntax"),
                        cx.start(j),
                    ));
                }
                j += 1;
            }
            i = j;
        }
        None
    }

    /// Syntax that only newer Pythons accept: CPython 3.13 words each its own way.
    fn unsupported(cx: &Cx, f: usize, kind: UnsupportedSyntaxErrorKind) -> Translated {
        let message = match kind {
            UnsupportedSyntaxErrorKind::UnparenthesizedExceptionTypes => {
                "multiple exception types must be parenthesized"
            }
            UnsupportedSyntaxErrorKind::UnpackingInComprehension(_) => {
                if cx.is(f, "**") {
                    "dict unpacking cannot be used in dict comprehension"
                } else {
                    "iterable unpacking cannot be used in comprehension"
                }
            }
            _ => "invalid syntax",
        };
        let mut at = f;
        if message == "invalid syntax"
            && matches!(
                cx.kind(f + 1),
                Some(Kind::Name | Kind::String | Kind::FStringStart)
            )
        {
            // `lazy import x`, `t"..."`: CPython trips on the token after the soft keyword or
            // prefix.
            at = f + 1;
        }
        translated(
            Error::new(cx.start(at), cx.end(at).max(cx.start(at)), message),
            cx.start(at),
        )
    }

    /// A string literal whose escapes CPython cannot decode, reported at the literal.
    fn string_error(cx: &Cx, pos: usize, kind: &ParseErrorType) -> Option<Translated> {
        let i = cx.tokens.iter().position(|t| {
            t.start <= pos && pos <= t.end && matches!(t.kind, Kind::String | Kind::FStringMiddle)
        })?;
        let token = cx.tokens[i];
        let message = if matches!(
            kind,
            ParseErrorType::Lexical(LexicalErrorType::InvalidByteLiteral)
        ) {
            "bytes can only contain ASCII literal characters".to_string()
        } else {
            let (prefix, body) = if token.kind == Kind::String {
                let text = cx.str(i);
                let quote = text.find(['\'', '"'])?;
                let q = if text[quote..].starts_with("\"\"\"") || text[quote..].starts_with("'''") {
                    3
                } else {
                    1
                };
                let body_start = quote + q;
                let body_end = text.len().checked_sub(q)?.max(body_start);
                (
                    text[..quote].to_ascii_lowercase(),
                    &text[body_start..body_end],
                )
            } else {
                // Middle of an f-string: the flags are those of the f-string it belongs to.
                let mut depth = 0usize;
                let mut j = i;
                let start = loop {
                    j = j.checked_sub(1)?;
                    match cx.kind(j) {
                        Some(Kind::FStringEnd) => depth += 1,
                        Some(Kind::FStringStart) if depth == 0 => break j,
                        Some(Kind::FStringStart) => depth -= 1,
                        _ => {}
                    }
                };
                let text = cx.str(start);
                let quote = text.find(['\'', '"'])?;
                (text[..quote].to_ascii_lowercase(), cx.str(i))
            };
            if prefix.contains('r') {
                return None;
            }
            let offset = pos.saturating_sub(token.start);
            decode_error(body, prefix.contains('b'), offset)?
        };
        let mut t = translated(Error::new(token.start, token.end, message), token.start);
        t.furthest = token.end;
        Some(t)
    }

    /// The error CPython's unicode-escape (or bytes) decoder raises for a literal's body, if any.
    /// `suspect` is where ruff saw an error, which decides which `\N{...}` name is unknown.
    fn decode_error(body: &str, bytes: bool, suspect: usize) -> Option<String> {
        // CPython first re-encodes non-ASCII characters as `\UXXXXXXXX` (and a backslash before
        // one as `\u005c`), which shifts the positions it reports.
        let mut buf: Vec<u8> = Vec::with_capacity(body.len());
        let mut origin: Vec<usize> = Vec::with_capacity(body.len());
        let mut chars = body.char_indices();
        while let Some((mut at, mut c)) = chars.next() {
            if c == '\\' && !bytes {
                buf.push(b'\\');
                origin.push(at);
                let Some((next_at, next)) = chars.next() else {
                    break;
                };
                if !next.is_ascii() {
                    buf.extend_from_slice(b"u005c");
                    origin.extend([at; 5]);
                }
                at = next_at;
                c = next;
            }
            if c.is_ascii() || bytes {
                let mut tmp = [0u8; 4];
                for &b in c.encode_utf8(&mut tmp).as_bytes() {
                    buf.push(b);
                    origin.push(at);
                }
            } else {
                buf.extend_from_slice(format!("\\U{:08x}", u32::from(c)).as_bytes());
                origin.extend([at; 10]);
            }
        }
        let n = buf.len();
        let fail = |s: usize, e: usize, reason: &str| {
            Some(format!(
                "(unicode error) 'unicodeescape' codec can't decode bytes in position {s}-{e}: {reason}"
            ))
        };
        let mut i = 0;
        while i < n {
            if buf[i] != b'\\' {
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            let Some(&c) = buf.get(i) else {
                break;
            };
            i += 1;
            let digits = match c {
                b'x' => 2,
                b'u' if !bytes => 4,
                b'U' if !bytes => 8,
                b'N' if !bytes => {
                    if buf.get(i) != Some(&b'{') {
                        return fail(start, i - 1, "malformed \\N character escape");
                    }
                    let Some(close) = buf[i..].iter().position(|&b| b == b'}') else {
                        return fail(start, n - 1, "malformed \\N character escape");
                    };
                    let end = i + close;
                    if close == 1 {
                        return fail(start, end, "malformed \\N character escape");
                    }
                    // Names cannot be checked here; ruff did, and pointed inside this one.
                    let (from, to) = (origin[start], origin[end] + 1);
                    if (from..=to).contains(&suspect) {
                        return fail(start, end, "unknown Unicode character name");
                    }
                    i = end + 1;
                    continue;
                }
                _ => continue,
            };
            let mut j = i;
            while j < n && j < i + digits && buf[j].is_ascii_hexdigit() {
                j += 1;
            }
            if j < i + digits {
                if bytes {
                    return Some(format!(
                        "(value error) invalid \\x escape at position {start}"
                    ));
                }
                let reason = match digits {
                    2 => "truncated \\xXX escape",
                    4 => "truncated \\uXXXX escape",
                    _ => "truncated \\UXXXXXXXX escape",
                };
                return fail(start, j.saturating_sub(1).max(start), reason);
            }
            if digits == 8 {
                let value = std::str::from_utf8(&buf[i..j])
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .unwrap_or(0);
                if value > 0x10_ffff {
                    return fail(start, j - 1, "illegal Unicode character");
                }
            }
            i = j;
        }
        None
    }

    /// Whether the brackets around token `i` hold expressions, rather than parameters, imported
    /// names or a `case` pattern, where CPython never suggests a missing comma.
    fn in_expression_brackets(cx: &Cx, i: usize) -> bool {
        let line = cx.logical_line_start(i);
        if cx.is(line, "case") && cx.level_before(line) == 0 {
            return false;
        }
        // The innermost open bracket.
        let mut depth = 0usize;
        let mut j = i;
        let open = loop {
            let Some(p) = j.checked_sub(1) else {
                return true;
            };
            j = p;
            if cx.kind(j) != Some(Kind::Op) {
                continue;
            }
            match cx.str(j) {
                ")" | "]" | "}" => depth += 1,
                "(" | "[" | "{" if depth == 0 => break j,
                "(" | "[" | "{" => depth -= 1,
                _ => {}
            }
        };
        if !cx.is(open, "(") || open == 0 {
            return true;
        }
        if cx.is(open - 1, "import") {
            return false;
        }
        // Annotations and defaults are expressions; parameter names are not.
        let depth = cx.level_before(open + 1);
        let mut element = i - 1;
        while element > open && !(cx.level_before(element) == depth && cx.is(element, ",")) {
            element -= 1;
        }
        if (element..i).any(|j| cx.level_before(j) == depth && (cx.is(j, ":") || cx.is(j, "="))) {
            return true;
        }
        // `def name(` or `def name[T](`
        let mut name = open - 1;
        if cx.is(name, "]") {
            match cx.matching_open(name) {
                Some(o) if o > 0 => name = o - 1,
                _ => return true,
            }
        }
        !(name > 0 && cx.kind(name) == Some(Kind::Name) && cx.is(name - 1, "def"))
    }

    /// CPython's name for a kind of expression, as used in its messages
    /// (`_PyPegen_get_expr_name`).
    fn expr_name(expr: &Expr) -> &'static str {
        match expr {
            Expr::Attribute(_) => "attribute",
            Expr::Subscript(_) => "subscript",
            Expr::Starred(_) => "starred",
            Expr::Name(_) => "name",
            Expr::List(_) => "list",
            Expr::Tuple(_) => "tuple",
            Expr::Lambda(_) => "lambda",
            Expr::Call(_) => "function call",
            Expr::BoolOp(_) | Expr::BinOp(_) | Expr::UnaryOp(_) => "expression",
            Expr::Generator(_) => "generator expression",
            Expr::Yield(_) | Expr::YieldFrom(_) => "yield expression",
            Expr::Await(_) => "await expression",
            Expr::ListComp(_) => "list comprehension",
            Expr::SetComp(_) => "set comprehension",
            Expr::DictComp(_) => "dict comprehension",
            Expr::Dict(_) => "dict literal",
            Expr::Set(_) => "set display",
            Expr::FString(_) | Expr::TString(_) => "f-string expression",
            Expr::NoneLiteral(_) => "None",
            Expr::BooleanLiteral(b) => {
                if b.value {
                    "True"
                } else {
                    "False"
                }
            }
            Expr::EllipsisLiteral(_) => "ellipsis",
            Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::NumberLiteral(_) => "literal",
            Expr::Compare(_) => "comparison",
            Expr::If(_) => "conditional expression",
            Expr::Named(_) => "named expression",
            Expr::Slice(_) | Expr::IpyEscapeCommand(_) => "expression",
        }
    }

    /// The first part of an assignment target that cannot be assigned to (or deleted), as CPython
    /// looks for it (`_PyPegen_get_invalid_target`).
    fn invalid_target_part(expr: &Expr, delete: bool, for_target: bool) -> Option<&Expr> {
        match expr {
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                elts.iter()
                    .find_map(|e| invalid_target_part(e, delete, for_target))
            }
            Expr::Starred(star) => {
                if delete {
                    Some(expr)
                } else {
                    invalid_target_part(&star.value, delete, for_target)
                }
            }
            Expr::Compare(cmp) if for_target => {
                if matches!(cmp.ops.first(), Some(ast::CmpOp::In)) {
                    invalid_target_part(&cmp.left, delete, for_target)
                } else {
                    Some(expr)
                }
            }
            Expr::Name(_) | Expr::Subscript(_) | Expr::Attribute(_) => None,
            _ => Some(expr),
        }
    }

    /// The outermost expression spanning exactly `range`.
    fn find_expr(module: &ModModule, range: TextRange) -> Option<&Expr> {
        struct Finder<'a> {
            range: TextRange,
            found: Option<&'a Expr>,
        }
        impl<'a> Visitor<'a> for Finder<'a> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                if self.found.is_none() && stmt.range().contains_range(self.range) {
                    visitor::walk_stmt(self, stmt);
                }
            }
            fn visit_expr(&mut self, expr: &'a Expr) {
                if self.found.is_some() || !expr.range().contains_range(self.range) {
                    return;
                }
                if expr.range() == self.range {
                    self.found = Some(expr);
                } else {
                    visitor::walk_expr(self, expr);
                }
            }
        }
        let mut finder = Finder { range, found: None };
        finder.visit_body(&module.body);
        finder.found
    }

    /// Assignment, deletion and annotation targets that cannot be targets.
    fn invalid_target(cx: &Cx, failure: &Failure, kind: &ParseErrorType) -> Option<Translated> {
        let module = cx.module?;
        let expr = || find_expr(module, failure.range);
        let report = |e: &Expr, message: String| {
            let start = cx.text.normalized(e.range().start().to_usize());
            let end = cx.text.normalized(e.range().end().to_usize());
            let mut t = translated(Error::new(start, end, message), start);
            t.furthest = end;
            Some(t)
        };
        let f = cx.at(failure.start);
        let line = cx.logical_line_start(f);
        match kind {
            ParseErrorType::InvalidAssignmentTarget => {
                let e = expr()?;
                // ruff also reports this after recovering from other errors; CPython only where
                // a target is followed by `=`, `in` (for) or ends a `with ... as` item.
                let mut after = cx.at(cx.text.normalized(e.range().end().to_usize()));
                while cx.is(after, ")")
                    || cx.is(after, "]")
                    || cx.is(after, ",") && !cx.is(line, "with")
                {
                    if cx.is(after, ",") {
                        after = cx.expression_end(after + 1);
                    } else {
                        after += 1;
                    }
                    if after >= cx.tokens.len() {
                        break;
                    }
                }
                let as_target = f > 0 && cx.is(f - 1, "as") || cx.is(line, "with");
                if !(cx.is(after, "=") && cx.level_before(after) == 0
                    || cx.is(after, "in")
                    || as_target)
                {
                    return None;
                }
                if matches!(e, Expr::Yield(_) | Expr::YieldFrom(_)) && f > 0 && cx.is(f - 1, "=") {
                    return report(e, "assignment to yield expression not possible".to_string());
                }
                let in_for = cx.is(line, "for")
                    || (cx.is(line, "async") && cx.is(line + 1, "for"))
                    || cx.comprehension_target(f);
                let part = invalid_target_part(e, false, in_for).unwrap_or(e);
                if !in_for && !cx.is(line, "with") && here_variant(cx, part) {
                    return report(
                        part,
                        format!(
                            "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                            expr_name(part)
                        ),
                    );
                }
                report(part, format!("cannot assign to {}", expr_name(part)))
            }
            ParseErrorType::InvalidDeleteTarget => {
                let e = expr()?;
                let part = invalid_target_part(e, true, false).unwrap_or(e);
                report(part, format!("cannot delete {}", expr_name(part)))
            }
            ParseErrorType::InvalidAugmentedAssignmentTarget => {
                let e = expr()?;
                report(
                    e,
                    format!(
                        "'{}' is an illegal expression for augmented assignment",
                        expr_name(e)
                    ),
                )
            }
            ParseErrorType::InvalidNamedAssignmentTarget => {
                let e = expr()?;
                report(
                    e,
                    format!("cannot use assignment expressions with {}", expr_name(e)),
                )
            }
            ParseErrorType::InvalidAnnotatedAssignmentTarget if cx.level_before(f) == 0 => {
                // Only a real annotation statement; ruff also reports this after an `if x = 1`.
                let e = expr()?;
                let first = cx.at(cx.text.normalized(e.range().start().to_usize()));
                if first > line && !cx.is(line, "(") {
                    return None;
                }
                // CPython's rule needs the annotation itself: `target: annotation`.
                let mut colon = cx.at(cx.text.normalized(e.range().end().to_usize()));
                while cx.is(colon, ")") {
                    colon += 1;
                }
                if !cx.is(colon, ":") || !cx.starts_expression(colon + 1) {
                    return None;
                }
                report(e, "illegal target for annotation".to_string())
            }
            ParseErrorType::OtherError(msg) if msg.starts_with("Only single target") => {
                let what = if cx.is(f, "[") { "list" } else { "tuple" };
                Some(translated(
                    Error::new(
                        failure.start,
                        failure.end,
                        format!("only single target (not {what}) can be annotated"),
                    ),
                    failure.start,
                ))
            }
            _ => None,
        }
    }

    /// Whether CPython reports an invalid target as `cannot assign to X here. Maybe you meant '=='
    /// instead of '='?`: the target is (an element of) the first target of a statement with a single
    /// `=`, itself a plain operand rather than a display, and followed by a plain value.
    fn here_variant(cx: &Cx, target: &Expr) -> bool {
        if matches!(
            target,
            Expr::List(_)
                | Expr::Tuple(_)
                | Expr::Generator(_)
                | Expr::BooleanLiteral(_)
                | Expr::NoneLiteral(_)
                | Expr::Compare(_)
                | Expr::BoolOp(_)
                | Expr::If(_)
                | Expr::Lambda(_)
                | Expr::Starred(_)
                | Expr::Named(_)
        ) || matches!(target, Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not)
        {
            return false;
        }
        let start = cx.text.normalized(target.range().start().to_usize());
        let end = cx.text.normalized(target.range().end().to_usize());
        let mut first = cx.at(start);
        let mut after = cx.at(end);
        // A parenthesized target such as `(yield)`.
        while first > 0 && cx.is(first - 1, "(") && cx.is(after, ")") {
            first -= 1;
            after += 1;
        }
        if !cx.is(after, "=") || cx.level_before(after) != 0 {
            return false;
        }
        let line = cx.logical_line_start(first);
        // Everything before the target must be other elements of the same first target.
        let mut i = line;
        while i < first {
            if cx.level_before(i) == 0 && (cx.is(i, "=") || cx.is(i, ":")) {
                return false;
            }
            i += 1;
        }
        let value = after + 1;
        if !cx.starts_expression(value) || matches!(cx.str(value), "not" | "lambda") {
            return false;
        }
        let value_end = cx.expression_end(value);
        !(cx.is(value_end, "=") || cx.is(value_end, ":="))
    }

    /// A `=` inside an expression: `if x = 1:`, `[x = 1]`, `f(a.b=1)`.
    fn assignment_in_expression(cx: &Cx, eq: usize) -> Option<Translated> {
        let mut t = assignment_in_expression_at(cx, eq)?;
        // CPython reads the value and the token after it.
        let value_end = cx.expression_end(eq + 1);
        t.furthest = t.furthest.max(cx.start(value_end));
        Some(t)
    }

    fn assignment_in_expression_at(cx: &Cx, eq: usize) -> Option<Translated> {
        let prev = eq.checked_sub(1)?;
        if !cx.ends_operand(prev) {
            return None;
        }
        let a = cx.bitwise_or_start(prev)?;
        let open = cx.innermost_open(eq);
        let in_call = open.is_some_and(|o| cx.is(o, "(") && o > 0 && cx.ends_operand(o - 1));
        let value = eq + 1;
        let value_end = cx.expression_end(value);
        if value_end >= cx.tokens.len() {
            // CPython looks at the token after the value: the end of the input, where an
            // unclosed bracket is reported instead.
            let mut t = translated(
                Error::new(cx.start(eq), cx.end(eq), "invalid syntax"),
                cx.start(eq),
            );
            t.reaches_eof = true;
            return Some(t);
        }
        let range_to = |end_tok: usize| Error::new(cx.start(a), cx.end(end_tok), "");
        if in_call {
            // Keyword arguments: `f(x.y=1)`, `f(True=1)`, `f(x=1 for x in y)`.
            let before = a.checked_sub(1)?;
            if !(cx.is(before, "(") || cx.is(before, ",")) {
                return None;
            }
            if a == prev && matches!(cx.str(a), "True" | "False" | "None") {
                let mut e = range_to(eq);
                e.message = format!("cannot assign to {}", cx.str(a));
                return Some(translated(e, cx.start(eq)));
            }
            if a == prev && cx.kind(a) == Some(Kind::Name) {
                if cx.is(value_end, "for") || cx.is(value_end, "async") {
                    let mut e = range_to(eq);
                    e.message =
                        "invalid syntax. Maybe you meant '==' or ':=' instead of '='?".to_string();
                    return Some(translated(e, cx.start(eq)));
                }
                if cx.is(value, ")") || cx.is(value, ",") {
                    let mut e = range_to(eq);
                    e.message = "expected argument value expression".to_string();
                    return Some(translated(e, cx.start(eq)));
                }
                return None;
            }
            let mut e = range_to(eq);
            e.message =
                "expression cannot contain assignment, perhaps you meant \"==\"?".to_string();
            return Some(translated(e, cx.start(eq)));
        }
        // `named_expression` positions: conditions of `if`/`elif`/`while`, and elements of
        // displays, subscripts and parenthesized groups.
        let line = cx.logical_line_start(eq);
        let named_position = match open {
            Some(_) => true,
            None => matches!(cx.str(line), "if" | "elif" | "while") && a == line + 1,
        };
        if !named_position {
            return None;
        }
        if a > 0
            && !matches!(
                cx.str(a - 1),
                "if" | "elif" | "while" | "(" | "[" | "{" | ","
            )
        {
            return None;
        }
        if !cx.starts_expression(value)
            || matches!(cx.str(value), "not" | "lambda")
            || cx.is(value_end, "=")
            || cx.is(value_end, ":=")
        {
            return None;
        }
        if a == prev && cx.kind(a) == Some(Kind::Name) && !cx.is_keyword(a) {
            let e = Error::new(
                cx.start(a),
                cx.end(value_end.saturating_sub(1)),
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
            );
            return Some(translated(e, cx.start(eq)));
        }
        if matches!(cx.str(a), "(" | "[" | "True" | "False" | "None") {
            return None;
        }
        let name = cx
            .module
            .and_then(|m| {
                let start = cx.text.to_original(cx.start(a));
                let end = cx.text.to_original(cx.end(prev));
                find_expr(
                    m,
                    TextRange::new(start.try_into().ok()?, end.try_into().ok()?),
                )
            })
            .map_or("expression", expr_name);
        let mut e = range_to(prev);
        e.message = format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?");
        Some(translated(e, cx.start(eq)))
    }

    /// Errors in a `def` or `lambda` parameter list.
    fn parameters(cx: &Cx, f: usize, kind: &ParseErrorType) -> Option<Translated> {
        let at = |i: usize, message: &str| {
            Some(translated(
                Error::new(cx.start(i), cx.end(i), message),
                cx.start(i),
            ))
        };
        match kind {
            ParseErrorType::NonDefaultParamAfterDefaultParam => at(
                f,
                "parameter without a default follows parameter with a default",
            ),
            ParseErrorType::ExpectedKeywordParam => {
                let mut star = f;
                while !cx.is(star, "*") {
                    star = star.checked_sub(1)?;
                }
                at(star, "named arguments must follow bare *")
            }
            ParseErrorType::VarParameterWithDefault => {
                let mut star = f;
                while !(cx.is(star, "*") || cx.is(star, "**")) {
                    star = star.checked_sub(1)?;
                }
                let what = if cx.is(star, "*") {
                    "var-positional argument cannot have default value"
                } else {
                    "var-keyword argument cannot have default value"
                };
                at(f, what)
            }
            ParseErrorType::ParamAfterVarKeywordParam => {
                at(f, "arguments cannot follow var-keyword argument")
            }
            ParseErrorType::OtherError(msg) => {
                let message = match msg.as_str() {
                    "Only one '*' parameter allowed" => "* argument may appear only once",
                    "Only one '/' separator allowed" => "/ may appear only once",
                    "Position-only parameter separator not allowed as first parameter" => {
                        "at least one argument must precede /"
                    }
                    "'/' parameter must appear before '*' parameter" => "/ must be ahead of *",
                    _ => return None,
                };
                at(f, message)
            }
            ParseErrorType::ExpectedExpression
                if f > 0 && cx.is(f - 1, "=") && cx.in_def_parameters(f) =>
            {
                at(f - 1, "expected default value expression")
            }
            ParseErrorType::ExpectedToken {
                found: TokenKind::Lpar,
                ..
            } if cx.is(f, "(") => {
                let close = cx.matching_close(f)?;
                // Only plain names may be parenthesized for CPython to say so.
                let names_only = (f + 1..close).all(|i| {
                    cx.is(i, ",") || (cx.kind(i) == Some(Kind::Name) && !cx.is_keyword(i))
                });
                if !names_only || close == f + 1 {
                    return None;
                }
                let message = if cx.in_def_parameters(f) {
                    "Function parameters cannot be parenthesized"
                } else if f > 0 && cx.is(f - 1, "lambda") || cx.lambda_parameters(f) {
                    "Lambda expression parameters cannot be parenthesized"
                } else {
                    return None;
                };
                Some(translated(
                    Error::new(cx.start(f), cx.end(close), message),
                    cx.start(f),
                ))
            }
            _ => None,
        }
    }

    /// Errors in call arguments.
    fn arguments(
        cx: &Cx,
        failure: &Failure,
        f: usize,
        kind: &ParseErrorType,
    ) -> Option<Translated> {
        let message = match kind {
            ParseErrorType::PositionalAfterKeywordArgument => {
                "positional argument follows keyword argument"
            }
            ParseErrorType::PositionalAfterKeywordUnpacking if !cx.is(f - 1, "=") => {
                "positional argument follows keyword argument unpacking"
            }
            ParseErrorType::InvalidArgumentUnpackingOrder => {
                "iterable argument unpacking follows keyword argument unpacking"
            }
            ParseErrorType::UnparenthesizedGeneratorExpression => {
                let after = cx.at(failure.end);
                if cx.is(after, ",") || (f > 0 && cx.is(f - 1, ",")) {
                    "Generator expression must be parenthesized"
                } else {
                    // Not an argument list after all: CPython fails where the expression ends.
                    let mut t = translated(
                        Error::new(cx.start(after), cx.end(after), "invalid syntax"),
                        cx.start(after),
                    );
                    t.furthest = cx.start(after);
                    return Some(t);
                }
            }
            ParseErrorType::OtherError(msg) if msg == "Expected a parameter name" => {
                // `f(a.b=1)`: the `=` after the would-be keyword.
                let mut eq = f;
                while !cx.is(eq, "=") {
                    eq += 1;
                    if eq >= cx.tokens.len() || cx.start(eq) > failure.end {
                        return None;
                    }
                }
                return assignment_in_expression(cx, eq);
            }
            ParseErrorType::ExpectedToken {
                expected: TokenKind::Comma,
                found: TokenKind::Equal,
            } if f > 1 && cx.kind(f - 1) == Some(Kind::Name) && cx.is(f - 2, "**") => {
                let e = Error::new(
                    cx.start(f - 2),
                    cx.end(f + 1),
                    "cannot assign to keyword argument unpacking",
                );
                return Some(translated(e, cx.start(f)));
            }
            ParseErrorType::ExpectedExpression if f > 0 && cx.is(f - 1, "=") => {
                return assignment_in_expression(cx, f - 1);
            }
            ParseErrorType::ExpectedToken {
                found: TokenKind::For | TokenKind::Async,
                ..
            } if f > 2 && cx.innermost_open(f).is_some() => {
                // `f(x=1 for x in y)`
                let mut i = f - 1;
                while i > 0 && !cx.is(i, "=") && !cx.is(i, ",") && !cx.is(i, "(") {
                    i -= 1;
                }
                if cx.is(i, "=") {
                    return assignment_in_expression(cx, i);
                }
                return None;
            }
            _ => return None,
        };
        Some(translated(
            Error::new(failure.start, failure.end, message),
            failure.start,
        ))
    }

    /// `def f(...) -> annotation:` must end with its colon, which CPython demands outright once
    /// the parameters are parsed.
    fn def_header_colon(cx: &Cx, def: usize, f: usize) -> Option<Translated> {
        let mut open = def + 2;
        if cx.is(open, "[") {
            open = cx.matching_close(open)? + 1;
        }
        if !cx.is(open, "(") {
            return None;
        }
        let close = cx.matching_close(open)?;
        if f <= close || cx.level_before(f) > 0 && cx.innermost_open(f).is_some_and(|o| o < close) {
            return None;
        }
        let mut at = close + 1;
        if cx.is(at, "->") {
            let annotation = at + 1;
            let end = cx.expression_end(annotation);
            // An annotation that does not parse leaves the parser at the arrow.
            let clean = cx.starts_expression(annotation)
                && end < cx.tokens.len()
                && cx.level_before(end) == cx.level_before(annotation);
            if clean {
                at = end;
            }
        }
        if cx.is(at, ":") || at > f {
            return None;
        }
        let t = translated(
            Error::new(cx.start(at), cx.end(at), "expected ':'"),
            cx.start(at),
        );
        Some(t)
    }

    /// `Invalid star expression`: an error within a starred call argument, or a star followed by
    /// no expression in a display.
    fn invalid_star(cx: &Cx, f: usize) -> Option<Translated> {
        let message = "Invalid star expression";
        let at = || {
            Some(translated(
                Error::new(cx.start(f), cx.end(f), message),
                cx.start(f),
            ))
        };
        let starts_element = |i: usize| i > 0 && matches!(cx.str(i - 1), "(" | "," | "[" | "{");
        if cx.field_open(f).is_some() || cx.in_def_parameters(f) {
            return None;
        }
        if f > 0 && cx.is(f - 1, "*") && starts_element(f - 1) && !cx.starts_expression(f) {
            return at();
        }
        // The element of the innermost call containing `f`.
        let mut i = f;
        loop {
            let open = cx.innermost_open(i)?;
            let call = cx.is(open, "(") && open > 0 && cx.ends_operand(open - 1);
            if call {
                let mut start = f;
                while start > open + 1
                    && !(cx.is(start - 1, ",")
                        && cx.level_before(start - 1) == cx.level_before(open + 1))
                {
                    start -= 1;
                }
                // Inside a bracket group of the starred argument.
                if cx.is(start, "*") && start < f && cx.level_before(f) > cx.level_before(start) {
                    return at();
                }
                return None;
            }
            i = open;
        }
    }

    /// Whether token `f` follows a comprehension's `for` and its targets, where `in` belongs.
    fn for_targets_without_in(cx: &Cx, f: usize) -> bool {
        let depth = cx.level_before(f);
        let mut i = f;
        while let Some(p) = i.checked_sub(1) {
            i = p;
            let level = cx.level_before(i);
            if level < depth {
                return false;
            }
            if level > depth {
                continue;
            }
            match cx.kind(i) {
                Some(Kind::Name) if cx.is(i, "for") => return i + 1 < f,
                Some(Kind::Name) if !cx.is_keyword(i) => {}
                Some(Kind::Op) if matches!(cx.str(i), "," | "." | "*" | ")" | "]") => {}
                _ => return false,
            }
        }
        false
    }

    /// `expected 'else' after 'if' expression`, reported from the start of the expression before
    /// the `if`.
    fn missing_else(cx: &Cx, f: usize) -> Option<Translated> {
        let level = cx.level_before(f);
        let mut i = f.checked_sub(1)?;
        while !(cx.is(i, "if") && cx.level_before(i) == level) {
            i = i.checked_sub(1)?;
        }
        let a = cx.disjunction_start(i.checked_sub(1)?)?;
        let mut t = translated(
            Error::new(
                cx.start(a),
                cx.end(f - 1),
                "expected 'else' after 'if' expression",
            ),
            cx.start(f),
        );
        t.furthest = cx.start(f);
        Some(t)
    }

    /// `':' expected after dictionary key`: an element without a colon in a dict display that
    /// already had `key: value` pairs.
    fn dict_key(cx: &Cx, f: usize) -> Option<Translated> {
        let open = cx.innermost_open(f)?;
        if !cx.is(open, "{") {
            return None;
        }
        let depth = cx.level_before(open + 1);
        if (open + 1..f).any(|i| cx.is(i, "for") && cx.level_before(i) == depth) {
            return None;
        }
        let mut element_start = open + 1;
        let mut seen_pair = false;
        let mut colon_in_element = false;
        for i in open + 1..f {
            if cx.level_before(i + 1) < depth || cx.level_before(i) != depth {
                continue;
            }
            if cx.is(i, ",") {
                seen_pair |= colon_in_element;
                colon_in_element = false;
                element_start = i + 1;
            } else if cx.is(i, ":") {
                colon_in_element = true;
            }
        }
        if !seen_pair || colon_in_element || element_start >= f {
            return None;
        }
        let key_end = f - 1;
        let mut t = translated(
            Error::new(
                cx.end(key_end).saturating_sub(1),
                cx.end(key_end),
                "':' expected after dictionary key",
            ),
            cx.start(f),
        );
        t.furthest = cx.start(f);
        Some(t)
    }

    /// A `{` glued to an operand (`d{ef f(x):`): CPython parses the braces as a display while
    /// looking for a missing comma, and reports the first error inside them.
    /// Whether CPython would parse token `f` as an expression following another one (to suggest
    /// a missing comma): not in statements made of names, nor right after a `def`'s or
    /// `class`'s name.
    fn parses_juxtaposition(cx: &Cx, f: usize) -> bool {
        let line = cx.logical_line_start(f);
        !(matches!(cx.str(line), "from" | "import" | "global" | "nonlocal")
            || f > 1 && matches!(cx.str(f - 2), "def" | "class"))
    }

    fn inside_juxtaposed_group(cx: &Cx, f: usize) -> Option<Translated> {
        if !(cx.is(f, "{") && f > 0 && cx.ends_operand(f - 1) && parses_juxtaposition(cx, f)) {
            return None;
        }
        let limit = cx.group_parse_limit(f);
        for j in f + 2..limit {
            if cx.juxtaposed(j)
                && let Some(mut t) = missing_comma(cx, j)
            {
                t.inner = true;
                return Some(t);
            }
        }
        None
    }
    /// Errors in the structure of an f-string replacement field: `{expr=!r:spec}`.
    fn fstring_field(cx: &Cx, f: usize) -> Option<Translated> {
        let open = if cx.is(f, "{")
            && f > 0
            && matches!(
                cx.kind(f - 1),
                Some(Kind::FStringStart | Kind::FStringMiddle)
            ) {
            f
        } else {
            cx.field_open(f)?
        };
        let at = |i: usize, message: String| {
            Some(translated(
                Error::new(cx.start(i), cx.end(i), message),
                cx.start(i),
            ))
        };
        let s = open + 1;
        if matches!(cx.str(s), "=" | "!" | ":" | "}") && cx.kind(s) == Some(Kind::Op) {
            return at(
                s,
                format!("f-string: valid expression required before '{}'", cx.str(s)),
            );
        }
        if cx.is(s, "lambda") {
            let mut colon = s;
            while !(cx.is(colon, ":") && cx.level_before(colon) == cx.level_before(s)) {
                colon += 1;
                if colon >= cx.tokens.len() {
                    return None;
                }
            }
            return Some(translated(
                Error::new(
                    cx.start(s),
                    cx.end(colon),
                    "f-string: lambda expressions are not allowed without parentheses",
                ),
                cx.start(s),
            ));
        }
        let starred = cx.is(s, "*");
        if !cx.starts_expression(s + usize::from(starred)) && !cx.is(s, "yield") {
            return at(
                s,
                "f-string: expecting a valid expression after '{'".to_string(),
            );
        }
        let mut j = s;
        loop {
            if cx.is(j, "*") {
                j += 1;
            }
            if cx.is(j, "yield") {
                return None;
            }
            j = cx.expression_end(j);
            if cx.is(j, ",") {
                j += 1;
                if cx.starts_expression(j) || cx.is(j, "*") {
                    continue;
                }
            }
            break;
        }
        let equals = cx.is(j, "=");
        if equals {
            j += 1;
        }
        let conversion = cx.is(j, "!");
        if conversion {
            let c = j + 1;
            if cx.is(c, ":") || cx.is(c, "}") {
                return at(c, "f-string: missing conversion character".to_string());
            }
            if cx.kind(c) != Some(Kind::Name) {
                return at(c, "f-string: invalid conversion character".to_string());
            }
            if !matches!(cx.str(c), "s" | "r" | "a") {
                return at(
                    c,
                    format!(
                        "f-string: invalid conversion character '{}': expected 's', 'r', or 'a'",
                        cx.str(c)
                    ),
                );
            }
            j = c + 1;
        }
        if cx.is(j, ":") || cx.is(j, "}") || j > f + 1 {
            return None;
        }
        let message = match (equals, conversion) {
            (false, false) => "f-string: expecting '=', or '!', or ':', or '}'",
            (true, false) => "f-string: expecting '!', or ':', or '}'",
            _ => "f-string: expecting ':' or '}'",
        };
        at(j, message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::{PyError, check};

    /// CPython 3.13's verdict on a sample: the line it names and its message.
    type Verdict = Option<(usize, &'static str)>;

    /// (name, source, verdict: None if it compiles).  The expectations were taken from
    /// `compile(src, "<sample>", "exec")`.
    #[rustfmt::skip]
    const CASES: &[(&str, &str, Verdict)] = &[
        ("match_stmt", "match command.split():\n    case [\"go\", direction]:\n        print(direction)\n    case {\"x\": x, **rest}:\n        pass\n    case Point(x=0) | Point(y=0):\n        pass\n    case _:\n        pass\n", None),
        ("except_star", "try:\n    risky()\nexcept* ValueError as eg:\n    print(eg.exceptions)\n", None),
        ("walrus", "if (n := len(items)) > 10:\n    print(n)\nwhile (line := input()) != 'q':\n    pass\n", None),
        ("fstring_nested_quotes", "name = 'x'\nprint(f\"{'a' + \"b\"}\")\nprint(f\"{\", \".join([\"a\", \"b\"])}\")\nprint(f\"{name!r:>{10}} {{literal}} {name=}\")\n", None),
        ("type_alias", "type X = int\ntype Pair[T] = tuple[T, T]\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\n", None),
        ("async_comprehension", "async def main():\n    xs = [x async for x in agen()]\n    ys = [await f(x) for x in xs]\n    async with lock:\n        async for y in stream():\n            print(y)\n", None),
        ("decorators", "import functools\n\n@functools.cache\n@decorator(arg=1)\ndef f(x):\n    return x\n\n@dataclass\nclass C:\n    x: int = 0\n", None),
        ("global_nonlocal", "counter = 0\ndef inc():\n    global counter\n    counter += 1\ndef outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n    return inner\n", None),
        ("print_end", "print(x, end=\"\")\nprint(*items, sep=\", \", file=sys.stderr)\n", None),
        ("lambda_defaults", "key = lambda item, reverse=False, *a, k=1, **kw: (item[1], item[0])\n", None),
        ("star_expressions", "first, *rest = [1, 2, 3]\nmerged = [*a, *b]\nopts = {**defaults, \"debug\": True}\nprint(*rest)\nx = *a, *b\n", None),
        ("generator_return", "def gen():\n    yield 1\n    return 2\n", None),
        ("loop_else_break", "for i in range(3):\n    if i:\n        break\nelse:\n    pass\nwhile True:\n    continue\n", None),
        ("genexp_await_in_sync_def", "def f():\n    return (await x for x in y)\n", None),
        ("crlf_line_endings", "if x:\r\n    y = 1\r\nelse:\r\n    y = 2\r\n", None),
        ("backslash_continuation", "total = 1 + \\\n    2\n", None),
        ("positional_only", "def f(a, /, b, *, c):\n    return a\n", None),
        ("docstring_then_future", "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport os\n", None),
        ("empty", "", None),
        ("comment_only", "# just a comment\n", None),
        ("missing_colon", "if x\n    pass\n", Some((1, "expected ':'"))),
        ("unclosed_paren", "print(\"a\"\nx = 1\n", Some((1, "'(' was never closed"))),
        ("unclosed_bracket_at_eof", "x = [1, 2,\n     3\n", Some((1, "'[' was never closed"))),
        ("missing_comma", "x = [1, 2\n     3]\n", Some((1, "invalid syntax. Perhaps you forgot a comma?"))),
        ("unexpected_indent", "x = 1\n    y = 2\n", Some((2, "unexpected indent"))),
        ("expected_indented_block", "def f():\nreturn 1\n", Some((2, "expected an indented block after function definition on line 1"))),
        ("expected_indented_block_eof", "for x in y:\n", Some((1, "expected an indented block after 'for' statement on line 1"))),
        ("unindent_mismatch", "if x:\n    a = 1\n  b = 2\n", Some((3, "unindent does not match any outer indentation level"))),
        ("tab_error", "if x:\n\ta = 1\n        b = 2\n", Some((3, "inconsistent use of tabs and spaces in indentation"))),
        ("py2_print", "print \"hello\"\n", Some((1, "Missing parentheses in call to 'print'. Did you mean print(...)?"))),
        ("py2_exec", "exec \"code\"\n", Some((1, "Missing parentheses in call to 'exec'. Did you mean exec(...)?"))),
        ("return_outside_function", "x = 1\nreturn x\n", Some((2, "'return' outside function"))),
        ("yield_outside_function", "yield 1\n", Some((1, "'yield' outside function"))),
        ("await_outside_function", "await f()\n", Some((1, "'await' outside function"))),
        ("await_outside_async", "def f():\n    await g()\n", Some((2, "'await' outside async function"))),
        ("async_comprehension_in_sync", "def f():\n    return [x async for x in y]\n", Some((2, "asynchronous comprehension outside of an asynchronous function"))),
        ("break_outside_loop", "def f():\n    break\n", Some((2, "'break' outside loop"))),
        ("continue_outside_loop", "continue\n", Some((1, "'continue' not properly in loop"))),
        ("repeated_keyword", "f(a=1, b=2, a=3)\n", Some((1, "keyword argument repeated: a"))),
        ("nonlocal_module", "nonlocal x\n", Some((1, "nonlocal declaration not allowed at module level"))),
        ("nonlocal_no_binding", "def f():\n    nonlocal x\n", Some((2, "no binding for nonlocal 'x' found"))),
        ("global_after_use", "def f():\n    print(x)\n    global x\n", Some((3, "name 'x' is used prior to global declaration"))),
        ("duplicate_argument", "def f(a, b, a):\n    pass\n", Some((1, "duplicate argument 'a' in function definition"))),
        ("unterminated_string", "s = 'abc\n", Some((1, "unterminated string literal (detected at line 1)"))),
        ("unterminated_triple_string", "s = \"\"\"abc\n\ndef\n", Some((1, "unterminated triple-quoted string literal (detected at line 3)"))),
        ("unmatched_paren", "x = (1 + 2))\n", Some((1, "unmatched ')'"))),
        ("mismatched_paren", "x = [1, 2)\n", Some((1, "closing parenthesis ')' does not match opening parenthesis '['"))),
        ("invalid_decimal", "x = 1abc\n", Some((1, "invalid decimal literal"))),
        ("leading_zero", "x = 0123\n", Some((1, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"))),
        ("invalid_character", "x = 1 € 2\n", Some((1, "invalid character '€' (U+20AC)"))),
        ("assign_in_if", "if x = 1:\n    pass\n", Some((1, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?"))),
        ("assign_to_call", "f() = 1\n", Some((1, "cannot assign to function call here. Maybe you meant '==' instead of '='?"))),
        ("missing_except", "try:\n    pass\nx = 1\n", Some((3, "expected 'except' or 'finally' block"))),
        ("else_if", "if x:\n    pass\nelse if y:\n    pass\n", Some((3, "expected ':'"))),
        ("def_missing_paren", "def f:\n    pass\n", Some((1, "expected '('"))),
        ("default_before_non_default", "def f(a=1, b):\n    pass\n", Some((1, "parameter without a default follows parameter with a default"))),
        ("positional_after_keyword", "f(a=1, b)\n", Some((1, "positional argument follows keyword argument"))),
        ("fstring_unclosed_brace", "f\"{x\"\n", Some((1, "f-string: expecting '}'"))),
        ("fstring_single_brace", "f\"a } b\"\n", Some((1, "f-string: single '}' is not allowed"))),
        ("truncated_unicode_escape", "s = \"\\u12\"\n", Some((1, "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: truncated \\uXXXX escape"))),
        ("comma_except_py2", "try:\n    pass\nexcept ValueError, e:\n    pass\n", Some((3, "multiple exception types must be parenthesized"))),
        ("line_continuation", "x = 1 \\ + 2\n", Some((1, "unexpected character after line continuation character"))),
        ("walrus_rebinds_iteration_variable", "[i := 0 for i in range(3)]\n", Some((1, "assignment expression cannot rebind comprehension iteration variable 'i'"))),
        ("starred_assignment_alone", "*a = [1, 2]\n", Some((1, "starred assignment target must be in a list or tuple"))),
        ("late_future_import", "import os\nfrom __future__ import annotations\n", Some((2, "from __future__ imports must occur at the beginning of the file"))),
        ("default_except_not_last", "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n", Some((3, "default 'except:' must be last"))),
        ("irrefutable_case", "match x:\n    case y:\n        pass\n    case 1:\n        pass\n", Some((2, "name capture 'y' makes remaining patterns unreachable"))),
        ("t_string_is_3_14", "t\"hello {name}\"\n", Some((1, "invalid syntax"))),
        ("tokenizer_error_wins_over_earlier_parse_error", "x = (1 2)\ny = \"abc\n", Some((2, "unterminated string literal (detected at line 2)"))),
        ("unclosed_bracket_on_earlier_line", "foo(a,\n    b\nbar = 1\n", Some((1, "'(' was never closed"))),
        ("else_without_if", "x = 1\nelse:\n    pass\n", Some((2, "invalid syntax"))),
        ("dict_missing_colon", "d = {\"a\": 1, \"b\" 2}\n", Some((1, "':' expected after dictionary key"))),
        ("fstring_bad_conversion", "print(f\"{name!q}\")\n", Some((1, "f-string: invalid conversion character 'q': expected 's', 'r', or 'a'"))),
        ("fstring_missing_brace_after_conversion", "print(f\"{name!r>10}\")\n", Some((1, "f-string: expecting ':' or '}'"))),
        ("try_else_without_except", "try:\n    pass\nelse:\n    pass\n", Some((3, "expected 'except' or 'finally' block"))),
        ("match_header_missing_colon", "match (command)\n    case 1:\n        pass\n", Some((2, "expected ':'"))),
        ("starred_expression_statement", "*print(x)\n", Some((1, "can't use starred expression here"))),
        ("star_annotation_is_valid", "def f(*args: *Ts):\n    pass\n", None),
        ("or_pattern_irrefutable_alternative", "match x:\n    case y | 1:\n        pass\n", Some((2, "name capture 'y' makes remaining patterns unreachable"))),
        ("invalid_star_in_call", "print(*[1, 2 3])\n", Some((1, "Invalid star expression"))),
        ("juxtaposed_pattern_atoms", "match c:\n    case [\"go\" direction]:\n        pass\n", Some((2, "invalid syntax"))),
        ("soft_keyword_prefix_no_comma_hint", "[c x]\n", Some((1, "invalid syntax"))),
        ("unclosed_before_line_continuation", "f(a,\n  b \\ c)\n", Some((2, "unexpected character after line continuation character"))),
        ("py2_except_comma", "try:\n    pass\nexcept (A, B), e:\n    pass\n", Some((3, "multiple exception types must be parenthesized"))),
    ];

    /// 1-based line of a byte offset, counting `\r\n`, `\r` and `\n` as Python does.
    fn line_of(src: &str, offset: usize) -> usize {
        let bytes = &src.as_bytes()[..offset];
        1 + bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count()
    }

    #[test]
    fn matches_cpython() {
        let mut failures = Vec::new();
        for &(name, src, expected) in CASES {
            let got = check(src);
            let ok = match (&got, expected) {
                (None, None) => true,
                (Some(err), Some((line, message))) => {
                    line_of(src, err.start) == line && err.message.contains(message)
                }
                _ => false,
            };
            if !ok {
                let got = got.map(|e| (line_of(src, e.start), e.message));
                failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn positions_are_within_the_source() {
        for &(name, src, _) in CASES {
            if let Some(PyError { start, end, .. }) = check(src) {
                assert!(start <= end && end <= src.len(), "{name}: {start}..{end}");
                assert!(
                    src.is_char_boundary(start) && src.is_char_boundary(end),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn unclosed_bracket_points_at_the_bracket() {
        let src = "x = 1\nprint(\"a\"\ny = 2\n";
        let err = check(src).expect("an error");
        assert_eq!(err.message, "'(' was never closed");
        assert_eq!(&src[err.start..=err.start], "(");
    }

    #[test]
    fn tolerates_odd_input() {
        for src in [
            "\u{feff}x = 1",
            "\0",
            "x = '\u{e9}",
            "\\",
            "(((((((((((",
            "f'{'",
            "\t\tx",
            "\r",
            "@",
        ] {
            if let Some(err) = check(src) {
                assert!(err.start <= err.end && err.end <= src.len(), "{src:?}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_not_quadratic_or_recursive_trouble() {
        let src = format!("x = {}1{}\n", "(".repeat(150), ")".repeat(150));
        assert!(check(&src).is_none());
        let long: String = (0..20_000)
            .map(|i| format!("x{i} = [{i}, ({i} + 1)]\n"))
            .collect();
        assert!(check(&long).is_none());
    }
}
