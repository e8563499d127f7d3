//! Translation rules for the errors whose CPython wording depends on the construct around them.

use super::*;

/// `expected an indented block after 'if' statement on line N`: reported at the token after
/// the header's NEWLINE, naming the header's keyword.
pub(super) fn indented_block(cx: &Cx, f: usize) -> Option<Translated> {
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
        k @ ("if" | "elif" | "else" | "while" | "for" | "with" | "try" | "except" | "finally"
        | "match" | "case") => format!("'{k}' statement"),
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
pub(super) fn legacy_print(cx: &Cx, f: usize) -> Option<Translated> {
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
pub(super) fn missing_comma(cx: &Cx, f: usize) -> Option<Translated> {
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
pub(super) fn juxtaposed_pattern_atoms(cx: &Cx) -> Option<Translated> {
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
pub(super) fn unsupported(cx: &Cx, f: usize, kind: UnsupportedSyntaxErrorKind) -> Translated {
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

/// Errors in a `def` or `lambda` parameter list.
pub(super) fn parameters(cx: &Cx, f: usize, kind: &ParseErrorType) -> Option<Translated> {
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
            let names_only = (f + 1..close)
                .all(|i| cx.is(i, ",") || (cx.kind(i) == Some(Kind::Name) && !cx.is_keyword(i)));
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
pub(super) fn arguments(
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
pub(super) fn def_header_colon(cx: &Cx, def: usize, f: usize) -> Option<Translated> {
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
pub(super) fn invalid_star(cx: &Cx, f: usize) -> Option<Translated> {
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
pub(super) fn for_targets_without_in(cx: &Cx, f: usize) -> bool {
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
pub(super) fn missing_else(cx: &Cx, f: usize) -> Option<Translated> {
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
pub(super) fn dict_key(cx: &Cx, f: usize) -> Option<Translated> {
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
pub(super) fn parses_juxtaposition(cx: &Cx, f: usize) -> bool {
    let line = cx.logical_line_start(f);
    !(matches!(cx.str(line), "from" | "import" | "global" | "nonlocal")
        || f > 1 && matches!(cx.str(f - 2), "def" | "class"))
}

pub(super) fn inside_juxtaposed_group(cx: &Cx, f: usize) -> Option<Translated> {
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
pub(super) fn fstring_field(cx: &Cx, f: usize) -> Option<Translated> {
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
