//! Numbers, identifiers' characters, strings and f-strings, as CPython's tokenizer reads them.

use super::*;

impl Lexer<'_> {
    /// Checks an identifier containing non-ASCII characters the way CPython does (PEP 3131),
    /// reporting the first character that cannot appear where it does.
    pub(super) fn verify_identifier(&self, start: usize) -> Result<(), LexError> {
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
    pub(super) fn verify_end_of_number(
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

    pub(super) fn decimal_tail(&mut self, start: usize) -> Result<i32, LexError> {
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

    pub(super) fn number(&mut self, start: usize, first: i32) -> Result<Token, LexError> {
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
                                format!("invalid digit '{}' in {kind} literal", c as u8 as char),
                            ));
                        }
                        self.backup(c);
                        return Err(self.eager(start, self.cur, format!("invalid {kind} literal")));
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
    pub(super) fn number_fraction(&mut self, start: usize, mut c: i32) -> Result<Token, LexError> {
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
    pub(super) fn number_exponent(&mut self, start: usize, e: i32) -> Result<Token, LexError> {
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

    pub(super) fn number_imaginary(&mut self, start: usize) -> Result<Token, LexError> {
        let c = self.nextc();
        self.verify_end_of_number(start, c, "imaginary")?;
        self.backup(c);
        Ok(self.token(Kind::Number, start))
    }

    /// A string literal (not an f-string); `quote` has just been read.
    pub(super) fn string(&mut self, start: usize, quote: i32) -> Result<Token, LexError> {
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

    pub(super) fn fstring_start(&mut self, start: usize, quote: i32) -> Result<Token, LexError> {
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

    pub(super) fn fstring_mode(&mut self) -> Result<Token, LexError> {
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
