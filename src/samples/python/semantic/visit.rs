//! The walk itself: which statements and expressions bind, declare or use names, and where.

use super::*;

/// Python's `repr` of a literal key as written in the source, for the simple cases.
pub(super) fn python_repr(source: &str) -> String {
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
                            self.error(Phase::Compiler, h.range, "default 'except:' must be last");
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
                        .find(|&id| !matches!(self.scopes[id].kind, ScopeKind::Comprehension(..)))
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
