//! Errors CPython raises after parsing: while reading `__future__` imports, while building the
//! symbol table, and while compiling.  ruff's `SemanticSyntaxChecker` finds most of them; the
//! scope-sensitive ones whose wording or precedence depends on CPython's internals (global and
//! nonlocal declarations, `await`/`yield` placement) are found here.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, ModModule, Pattern, PythonVersion, Stmt};
use ruff_python_parser::semantic_errors::{
    InvalidExpressionKind, InvalidExpressionPosition, LazyImportContext, SemanticSyntaxChecker,
    SemanticSyntaxContext, SemanticSyntaxError, SemanticSyntaxErrorKind as K, WriteToDebugKind,
};
use ruff_text_size::{Ranged, TextRange};

use super::Error;

mod visit;

use visit::python_repr;

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
                        let bound = flags & (DEF_LOCAL | DEF_PARAM | DEF_IMPORT | DEF_ANNOT) != 0;
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
