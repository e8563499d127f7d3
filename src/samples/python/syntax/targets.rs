//! Invalid assignment, deletion and `for` targets, and `=` where an expression was expected.

use super::*;

/// Whether the brackets around token `i` hold expressions, rather than parameters, imported
/// names or a `case` pattern, where CPython never suggests a missing comma.
pub(super) fn in_expression_brackets(cx: &Cx, i: usize) -> bool {
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
pub(super) fn expr_name(expr: &Expr) -> &'static str {
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
pub(super) fn invalid_target_part(expr: &Expr, delete: bool, for_target: bool) -> Option<&Expr> {
    match expr {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => elts
            .iter()
            .find_map(|e| invalid_target_part(e, delete, for_target)),
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
pub(super) fn find_expr(module: &ModModule, range: TextRange) -> Option<&Expr> {
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
pub(super) fn invalid_target(
    cx: &Cx,
    failure: &Failure,
    kind: &ParseErrorType,
) -> Option<Translated> {
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
pub(super) fn here_variant(cx: &Cx, target: &Expr) -> bool {
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
pub(super) fn assignment_in_expression(cx: &Cx, eq: usize) -> Option<Translated> {
    let mut t = assignment_in_expression_at(cx, eq)?;
    // CPython reads the value and the token after it.
    let value_end = cx.expression_end(eq + 1);
    t.furthest = t.furthest.max(cx.start(value_end));
    Some(t)
}

pub(super) fn assignment_in_expression_at(cx: &Cx, eq: usize) -> Option<Translated> {
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
        e.message = "expression cannot contain assignment, perhaps you meant \"==\"?".to_string();
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
