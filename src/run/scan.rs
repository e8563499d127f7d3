//! Line facts of a sample's code, from a light lexer per language: where each line's comment
//! starts (outside strings), which line its statement starts on, and whether it prints
//! (`print(...)`, `console.log(...)`). Enough to tie a comment to the statement it follows;
//! not a parser.

/// What one line of code holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineFacts {
    /// Where the line's comment starts (the `#` or `//`), a byte offset in the line.
    pub comment: Option<usize>,
    /// Whether the line has code before its comment.
    pub code: bool,
    /// The (0-based) line its statement starts on.
    pub stmt_start: usize,
    /// Whether its statement goes on to the next line.
    pub continues: bool,
    /// Python: the statement calls `print(`; JavaScript: a `console.log(...)` call (or
    /// `info`, `warn`, `error`, `debug`) ends on this line.
    pub prints: bool,
    /// JavaScript: the line the first console call ending on this line starts on.
    pub call_start: Option<usize>,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Python: strings (prefixes, triple quotes), brackets and backslashes carry a statement on.
pub fn python(source: &str) -> Vec<LineFacts> {
    let mut out: Vec<LineFacts> = Vec::new();
    // An open string: its quote and whether it is triple-quoted.
    let mut string: Option<(u8, bool)> = None;
    let mut depth = 0i32;
    let mut carried = false;
    let mut stmt_prints = false;
    for (n, line) in source.split('\n').enumerate() {
        let b = line.as_bytes();
        let stmt_start = if carried {
            out.last().map_or(n, |l| l.stmt_start)
        } else {
            stmt_prints = false;
            n
        };
        let mut facts = LineFacts {
            stmt_start,
            ..LineFacts::default()
        };
        let mut i = 0;
        let mut last_code = None;
        while i < b.len() {
            let c = b[i];
            if let Some((q, triple)) = string {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q && (!triple || b[i..].starts_with(&[q, q, q])) {
                    string = None;
                    i += if triple { 3 } else { 1 };
                    last_code = Some(i - 1);
                    continue;
                }
                i += 1;
                continue;
            }
            match c {
                b'#' => {
                    facts.comment = Some(i);
                    break;
                }
                b'\'' | b'"' => {
                    let triple = b[i..].starts_with(&[c, c, c]);
                    string = Some((c, triple));
                    i += if triple { 3 } else { 1 };
                    last_code = Some(i - 1);
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = (depth - 1).max(0),
                b'p' if b[i..].starts_with(b"print")
                    && (i == 0 || !is_ident(b[i - 1]) && b[i - 1] != b'.') =>
                {
                    let rest = line[i + 5..].trim_start();
                    if rest.starts_with('(') {
                        stmt_prints = true;
                    }
                }
                _ => {}
            }
            if !c.is_ascii_whitespace() {
                last_code = Some(i);
            }
            i += 1;
        }
        // A one-quote string ends with its line unless a backslash carries it on.
        let backslash = last_code.is_some_and(|at| b[at] == b'\\');
        if let Some((_, false)) = string
            && !backslash
        {
            string = None;
        }
        facts.code = last_code.is_some();
        facts.continues = string.is_some() || depth > 0 || backslash;
        facts.prints = stmt_prints;
        carried = facts.continues;
        out.push(facts);
    }
    out
}

/// Where the JavaScript lexer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Inside `${ ... }` of a template literal: the braces opened since.
    Expr(u32),
    Template,
}

const CONSOLE_METHODS: &[&str] = &["log", "info", "warn", "error", "debug"];

/// JavaScript: strings, template literals (with `${}`), comments, regular expressions (told
/// from division by what comes before), brackets; `console.log(` calls matched to their `)`.
pub fn javascript(source: &str) -> Vec<LineFacts> {
    let mut out: Vec<LineFacts> = Vec::new();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut block_comment = false;
    let mut depth = 0i32;
    // Open console calls: the paren depth inside them and the line they start on.
    let mut calls: Vec<(i32, usize)> = Vec::new();
    // The last significant token, to tell a regex from a division: its last byte, and
    // whether it was a word that ends an expression.
    let mut prev: u8 = b';';
    let mut prev_word = String::new();
    // `console` `.` `log` seen: how far.
    let mut console = 0u8;
    let mut carried = false;
    for (n, line) in source.split('\n').enumerate() {
        let b = line.as_bytes();
        let stmt_start = if carried {
            out.last().map_or(n, |l| l.stmt_start)
        } else {
            n
        };
        let mut facts = LineFacts {
            stmt_start,
            ..LineFacts::default()
        };
        let mut i = 0;
        let mut any_code = false;
        while i < b.len() {
            let c = b[i];
            if block_comment {
                if b[i..].starts_with(b"*/") {
                    block_comment = false;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            if stack.last() == Some(&Ctx::Template) {
                match c {
                    b'\\' => i += 2,
                    b'`' => {
                        stack.pop();
                        prev = b'`';
                        i += 1;
                    }
                    b'$' if b.get(i + 1) == Some(&b'{') => {
                        stack.push(Ctx::Expr(0));
                        prev = b'{';
                        i += 2;
                    }
                    _ => i += 1,
                }
                continue;
            }
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if b[i..].starts_with(b"//") {
                facts.comment = Some(i);
                break;
            }
            if b[i..].starts_with(b"/*") {
                block_comment = true;
                i += 2;
                continue;
            }
            any_code = true;
            match c {
                b'\'' | b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != c {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                    prev = b'"';
                    console = 0;
                    continue;
                }
                b'`' => {
                    stack.push(Ctx::Template);
                    i += 1;
                    console = 0;
                    continue;
                }
                b'/' if regex_may_start(prev, &prev_word) => {
                    i += 1;
                    let mut class = false;
                    while i < b.len() {
                        match b[i] {
                            b'\\' => i += 1,
                            b'[' => class = true,
                            b']' => class = false,
                            b'/' if !class => break,
                            _ => {}
                        }
                        i += 1;
                    }
                    i += 1;
                    while i < b.len() && b[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    prev = b'/';
                    prev_word.clear();
                    console = 0;
                    continue;
                }
                _ if is_ident(c) => {
                    let start = i;
                    while i < b.len() && is_ident(b[i]) {
                        i += 1;
                    }
                    let word = &line[start..i];
                    console = match (console, word) {
                        (_, "console") => 1,
                        (2, w) if CONSOLE_METHODS.contains(&w) => 3,
                        _ => 0,
                    };
                    prev = b'a';
                    prev_word.clear();
                    prev_word.push_str(word);
                    continue;
                }
                b'.' => console = if console == 1 { 2 } else { 0 },
                b'(' => {
                    depth += 1;
                    if console == 3 {
                        calls.push((depth, n));
                    }
                    console = 0;
                }
                b'[' => {
                    depth += 1;
                    console = 0;
                }
                b'{' => {
                    depth += 1;
                    if let Some(Ctx::Expr(k)) = stack.last_mut() {
                        *k += 1;
                    }
                    console = 0;
                }
                b'}' => {
                    depth = (depth - 1).max(0);
                    match stack.last_mut() {
                        Some(Ctx::Expr(0)) => {
                            stack.pop();
                            depth += 1;
                        }
                        Some(Ctx::Expr(k)) => *k -= 1,
                        _ => {}
                    }
                    console = 0;
                }
                b')' | b']' => {
                    if c == b')'
                        && let Some(&(d, start)) = calls.last()
                        && d == depth
                    {
                        calls.pop();
                        facts.prints = true;
                        facts.call_start = Some(facts.call_start.map_or(start, |s| s.min(start)));
                    }
                    depth = (depth - 1).max(0);
                    console = 0;
                }
                _ => console = 0,
            }
            prev = c;
            prev_word.clear();
            i += 1;
        }
        facts.code = any_code;
        facts.continues = depth > 0 || !stack.is_empty() || block_comment;
        carried = facts.continues;
        out.push(facts);
    }
    out
}

/// Whether a `/` after this token starts a regular expression rather than dividing.
fn regex_may_start(prev: u8, word: &str) -> bool {
    if prev == b'a' {
        return matches!(
            word,
            "return" | "typeof" | "case" | "in" | "of" | "new" | "delete" | "void" | "throw"
        );
    }
    !matches!(prev, b')' | b']' | b'}' | b'"' | b'`' | b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_comments_outside_strings_and_statements_across_lines() {
        let src = "s = '#not'  # yes\nprint(1,\n      2)  # 1 2\nt = \"\"\"a\n# in\n\"\"\"\nx = 1 + \\\n  2 # c\n";
        let f = python(src);
        assert_eq!(f[0].comment, Some(12));
        assert!(!f[0].prints);
        assert_eq!(f[2].stmt_start, 1);
        assert!(f[2].prints && f[2].comment.is_some());
        assert_eq!(f[4].comment, None, "inside a triple-quoted string");
        assert_eq!(f[7].stmt_start, 6);
        assert_eq!(f[7].comment, Some(4));
    }

    #[test]
    fn javascript_console_calls_and_comments() {
        let src = "const s = 'a // b'; console.log(s); // a // b\nconsole.log(\n  [1, 2].map(x => x / 2) // not here\n); // [0.5, 1]\nconst r = /\\/\\//g; // regex\nconsole.log(`${a + `${b}`}`); // t\nlet d = a / b; // div\n";
        let f = javascript(src);
        assert_eq!(f[0].comment, Some(36));
        assert!(f[0].prints);
        assert_eq!(f[0].call_start, Some(0));
        assert!(!f[2].prints);
        assert!(f[3].prints);
        assert_eq!(f[3].call_start, Some(1));
        assert_eq!(f[3].stmt_start, 1);
        assert_eq!(f[4].comment, Some(19));
        assert!(f[5].prints && f[5].comment.is_some());
        assert_eq!(f[6].comment, Some(15));
        assert!(!f[6].prints);
    }
}
