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

impl From<super::nesting::TooDeep> for PyError {
    fn from(e: super::nesting::TooDeep) -> PyError {
        PyError {
            start: e.start,
            end: e.end,
            message: e.message.to_string(),
        }
    }
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
mod lexer;
mod semantic;
mod syntax;

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
