//! Questions about the token stream the translation rules ask: what a token is, where lines and brackets start.

use super::*;

impl Cx<'_> {
    pub(super) fn str(&self, i: usize) -> &str {
        self.tokens
            .get(i)
            .and_then(|t| std::str::from_utf8(&self.text.bytes[t.start..t.end]).ok())
            .unwrap_or("")
    }

    pub(super) fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    pub(super) fn is(&self, i: usize, s: &str) -> bool {
        matches!(self.kind(i), Some(Kind::Name | Kind::Op)) && self.str(i) == s
    }

    pub(super) fn is_keyword(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Name) && KEYWORDS.contains(&self.str(i))
    }

    pub(super) fn start(&self, i: usize) -> usize {
        self.tokens.get(i).map_or(self.stop, |t| t.start)
    }

    pub(super) fn end(&self, i: usize) -> usize {
        self.tokens.get(i).map_or(self.stop, |t| t.end)
    }

    pub(super) fn line(&self, i: usize) -> usize {
        self.text.line_of(self.start(i))
    }

    /// Index of the first token starting at or after `pos`.
    pub(super) fn at(&self, pos: usize) -> usize {
        self.tokens.partition_point(|t| t.start < pos)
    }

    /// Bracket depth before token `i`.
    pub(super) fn level_before(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.tokens.get(i - 1).map_or(0, |t| t.level)
        }
    }

    /// Whether token `i` can end an operand (atom or trailer).
    pub(super) fn ends_operand(&self, i: usize) -> bool {
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
    pub(super) fn starts_expression(&self, i: usize) -> bool {
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
    pub(super) fn matching_open(&self, close: usize) -> Option<usize> {
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
    pub(super) fn operand_start(&self, end: usize) -> Option<usize> {
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
    pub(super) fn disjunction_start(&self, end: usize) -> Option<usize> {
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
    pub(super) fn for_clause_in(&self, op: usize) -> bool {
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
    pub(super) fn matching_close(&self, open: usize) -> Option<usize> {
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
    pub(super) fn innermost_open(&self, i: usize) -> Option<usize> {
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
    pub(super) fn juxtaposed(&self, i: usize) -> bool {
        i > 0
            && self.ends_operand(i - 1)
            && self.starts_expression(i)
            && !self.is(i, "(")
            && !self.is(i, "[")
            && !(matches!(self.kind(i), Some(Kind::String | Kind::FStringStart))
                && matches!(self.kind(i - 1), Some(Kind::String | Kind::FStringEnd)))
    }

    /// The `{` opening the f-string replacement field that token `i` is in, if any.
    pub(super) fn field_open(&self, i: usize) -> Option<usize> {
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
    pub(super) fn in_def_parameters(&self, i: usize) -> bool {
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
    pub(super) fn comprehension_target(&self, i: usize) -> bool {
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
    pub(super) fn lambda_parameters(&self, i: usize) -> bool {
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
    pub(super) fn group_parse_limit(&self, open: usize) -> usize {
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
                        let call = self
                            .innermost_open(i)
                            .is_some_and(|o| self.is(o, "(") && o > 0 && self.ends_operand(o - 1));
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

    pub(super) fn operand_end(&self, mut i: usize) -> usize {
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
    pub(super) fn expression_end(&self, i: usize) -> usize {
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
    pub(super) fn bitwise_or_start(&self, end: usize) -> Option<usize> {
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
                    "+" | "-" | "*" | "/" | "//" | "%" | "**" | "@" | "<<" | ">>" | "&" | "|" | "^"
                );
            if !binary || !self.ends_operand(op - 1) {
                return Some(start);
            }
            i = op - 1;
        }
    }

    /// Index of the first token of the logical line containing token `i`.
    pub(super) fn logical_line_start(&self, i: usize) -> usize {
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
