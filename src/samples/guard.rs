//! Running a language's checker so that no sample can overflow a thread's stack or take the
//! process down with a panic.
//!
//! Parsers recurse once per level of nesting (brackets, unary operators, right-associative
//! chains), and a pasted minified file or a generated sample can nest thousands of levels deep.
//! [`estimate`] over-approximates the depth in one pass without knowing the language: the
//! bracket depth a line starts at, plus the operator characters and brackets on the line, plus
//! the run of lines before it that a trailing or leading operator chains to it. Shallow
//! samples (almost all) are checked on the caller's thread; deeper ones on a thread with a
//! stack sized for them; absurdly deep ones are not parsed (Python has its own, exact guard in
//! `nesting.rs` with CPython's limit).

use super::{Check, SyntaxError};

/// Up to this estimate the check runs on the caller's thread.
pub const INLINE_DEPTH: usize = 200;

/// Beyond this estimate a sample is not parsed.
pub const MAX_DEPTH: usize = 10_000;

/// Stack per estimated level on a dedicated thread.
const STACK_PER_LEVEL: usize = 8 * 1024;

/// Runs `check` on `source` where its recursion fits. A panic in the checker is logged and
/// taken as no verdict; a source nested deeper than [`MAX_DEPTH`] gets an error saying so.
pub fn guarded(language: &str, source: &str, check: Check) -> Option<SyntaxError> {
    let isolated = move |src: &str| {
        std::panic::catch_unwind(|| check(src)).unwrap_or_else(|_| {
            tracing::error!(
                "the {} checker panicked on a {}-byte sample; it is left unchecked",
                language,
                src.len()
            );
            None
        })
    };
    let (depth, at) = estimate(source);
    if depth <= INLINE_DEPTH {
        return isolated(source);
    }
    if depth > MAX_DEPTH {
        let end = source[at..].find('\n').map_or(source.len(), |i| at + i);
        return Some(SyntaxError {
            range: at..end,
            message: format!("nested too deeply to check (more than {MAX_DEPTH} levels)"),
        });
    }
    let stack = 16 * 1024 * 1024 + depth * STACK_PER_LEVEL;
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .name("notes-lsp-deep-sample".into())
            .stack_size(stack)
            .spawn_scoped(s, || isolated(source));
        match spawned {
            Ok(handle) => handle.join().unwrap_or(None),
            Err(e) => {
                tracing::warn!("no thread for a deeply nested sample ({e}); not checked");
                None
            }
        }
    })
}

fn is_operator(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'!'
            | b'~'
            | b'?'
            | b':'
            | b'='
            | b'<'
            | b'>'
            | b'&'
            | b'|'
            | b'^'
            | b'.'
            | b'@'
            | b'$'
            | b'\\'
    )
}

/// An over-approximation of how deeply `source` nests, and the start of the line where the
/// estimate peaks. Linear in the length.
pub fn estimate(source: &str) -> (usize, usize) {
    let (mut best, mut best_at) = (0, 0);
    // Brackets open at the start of the line; lines chained by operators before this one.
    let (mut open, mut chain) = (0usize, 0usize);
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let b = line.trim().as_bytes();
        let (mut ops, mut deepest, mut depth) = (0usize, open, open);
        for &c in b {
            match c {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                c if is_operator(c) => ops += 1,
                _ => {}
            }
        }
        let here = deepest + ops + chain;
        if here > best {
            (best, best_at) = (here, line_start);
        }
        let chained =
            b.first().is_some_and(|&c| is_operator(c)) || b.last().is_some_and(|&c| is_operator(c));
        chain = if chained { chain + ops.max(1) } else { 0 };
        open = depth;
        line_start += line.len();
    }
    (best, best_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_is_shallow() {
        let src =
            "function f(a, b) {\n  if (a > b) {\n    return [a, b].map((x) => x * 2);\n  }\n}\n";
        assert!(estimate(src).0 < 20, "{:?}", estimate(src));
    }

    #[test]
    fn deep_brackets_and_operator_runs_count() {
        let brackets = format!("x = {}1{};\n", "(".repeat(5000), ")".repeat(5000));
        assert!(estimate(&brackets).0 >= 5000);
        let unary = format!("x = {}y;\n", "- ".repeat(3000));
        assert!(estimate(&unary).0 >= 3000);
        let lines = "a = b +\n".repeat(500);
        assert!(estimate(&lines).0 >= 500);
    }

    #[test]
    fn a_bracket_opened_on_one_line_counts_on_the_next() {
        let src = format!("{}\n1\n", "[".repeat(300));
        assert!(estimate(&src).0 >= 300);
    }

    #[test]
    fn too_deep_is_refused_and_deep_is_checked_on_a_big_stack() {
        fn depth_check(src: &str) -> Option<SyntaxError> {
            fn nest(b: &[u8]) -> usize {
                match b.first() {
                    Some(b'(') => 1 + nest(&b[1..]),
                    _ => 0,
                }
            }
            (nest(src.as_bytes()) > 1).then(|| SyntaxError {
                range: 0..0,
                message: "deep".into(),
            })
        }
        let deep = "(".repeat(MAX_DEPTH + 1);
        let err = guarded("Test", &deep, depth_check).unwrap();
        assert!(err.message.contains("nested too deeply"), "{err:?}");
        let fits = "(".repeat(5000);
        assert_eq!(guarded("Test", &fits, depth_check).unwrap().message, "deep");
    }

    #[test]
    fn a_panicking_checker_gives_no_verdict() {
        fn boom(_: &str) -> Option<SyntaxError> {
            panic!("boom")
        }
        assert_eq!(guarded("Test", "x", boom), None);
    }
}
