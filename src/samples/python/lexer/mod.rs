//! A port of the decisions CPython's tokenizer (Parser/lexer/lexer.c) makes, down to which
//! errors it raises on the spot and which it leaves for the parser to stumble upon.

use super::{Error, Text};

mod literals;

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
                    let (mut saw_b, mut saw_r, mut saw_u, mut saw_f) = (false, false, false, false);
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
                                && mode.curly_bracket_depth == mode.curly_bracket_expr_start_depth
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
