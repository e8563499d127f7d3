//! A light scan of C-family sources (C, C++, Java, Go, C#, Kotlin, Swift): strings, character literals and
//! comments skipped as their compilers' lexers do, so that what is left can be matched
//! bracket by bracket, and a literal or comment that never ends can be named on its own line
//! (tree-sitter turns one into an error somewhere after it).

use std::ops::Range;

/// What a language's lexer allows beyond `"..."`, `'...'`, `//` and `/* */`.
#[derive(Clone, Copy, Default)]
pub(crate) struct Flavor {
    /// Go: `` `raw` `` strings that may span lines.
    pub backtick_raw: bool,
    /// C++11: `R"delim( ... )delim"`.
    pub cpp_raw: bool,
    /// C++14: `1'000'000`.
    pub digit_separators: bool,
    /// Java 15: `"""` text blocks.
    pub text_blocks: bool,
    /// How `"` strings are written beyond C's: holes (interpolations) that may hold strings of
    /// their own, verbatim, raw and multi-line forms.
    pub strings: Strings,
    /// C#: inside an expression a `{` opens statements only as the body of a lambda (after
    /// `=>`) or of an anonymous method (after `delegate` or `delegate (...)`); its other
    /// braces (initializers, anonymous types, switch expressions, patterns) hold no `;`.
    pub lambda_braces: bool,
}

/// The string literals of a language, beyond C's `"..."` with `\` escapes.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) enum Strings {
    #[default]
    C,
    /// `@"..."` verbatim (over lines, `""` for a quote), `$"...{x}..."` interpolated (holes
    /// `{...}`, `{{` for a brace), `"""..."""` raw (as many quotes to close as opened).
    CSharp,
    /// `"...${x}..."` templates, `"""..."""` raw strings over lines (no escapes).
    Kotlin,
    /// `"...\(x)..."` interpolations, `"""..."""` over lines, `#"..."#` raw strings.
    Swift,
}

/// A literal or comment that does not end, or a bracket that does not pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flaw {
    pub range: Range<usize>,
    pub message: String,
}

/// Brackets and semicolons outside literals and comments, in order: their offset and byte.
pub(crate) struct Scan {
    pub brackets: Vec<(usize, u8)>,
    /// The first literal or comment that never ends.
    pub unterminated: Option<Flaw>,
    /// The comments' ranges, in order.
    pub comments: Vec<Range<usize>>,
}

pub(crate) fn scan(src: &str, flavor: Flavor) -> Scan {
    let b = src.as_bytes();
    let mut brackets = Vec::new();
    let mut comments = Vec::new();
    let mut unterminated = None;
    let mut i = 0;
    let mut note = |range: Range<usize>, message: &str| {
        unterminated.get_or_insert(Flaw {
            range,
            message: message.to_string(),
        });
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                // A line comment, continued by a trailing backslash in C and C++.
                let start = i;
                while i < b.len() && b[i] != b'\n' {
                    if b[i] == b'\\' && b.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    i += 1;
                }
                comments.push(start..i.min(b.len()));
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match src[i + 2..].find("*/") {
                Some(end) => {
                    comments.push(i..i + end + 4);
                    i += end + 4;
                }
                None => {
                    note(i..i + 2, "unterminated comment");
                    break;
                }
            },
            b'`' if flavor.backtick_raw => match src[i + 1..].find('`') {
                Some(end) => i += end + 2,
                None => {
                    note(i..i + 1, "raw string literal not terminated");
                    break;
                }
            },
            b'"' if flavor.strings != Strings::C => match string_end(src, i, flavor.strings) {
                Ok(end) => i = end,
                Err(flaw) => {
                    note(flaw.range, &flaw.message);
                    break;
                }
            },
            b'"' if flavor.text_blocks && src[i..].starts_with("\"\"\"") => {
                let mut j = i + 3;
                loop {
                    match b.get(j) {
                        None => {
                            note(i..i + 3, "unclosed text block");
                            break;
                        }
                        Some(b'\\') => j += 2,
                        Some(b'"') if src[j..].starts_with("\"\"\"") => {
                            j += 3;
                            break;
                        }
                        Some(_) => j += 1,
                    }
                }
                i = j;
            }
            b'"' if flavor.cpp_raw && raw_prefix(b, i) => {
                let open = src[i + 1..].find('(').map(|k| i + 1 + k);
                let delim = open.map(|o| &src[i + 1..o]);
                match delim.filter(|d| d.len() <= 16 && !d.contains(['\n', ' ', ')', '\\'])) {
                    Some(d) => {
                        let close = format!("){d}\"");
                        match src[i + 1..].find(&close) {
                            Some(end) => i += 1 + end + close.len(),
                            None => {
                                note(i..i + 1, "unterminated raw string");
                                break;
                            }
                        }
                    }
                    None => i += 1,
                }
            }
            q @ (b'"' | b'\'') => {
                if q == b'\''
                    && flavor.digit_separators
                    && i > 0
                    && b[i - 1].is_ascii_alphanumeric()
                {
                    // `1'000` (and `x'` in prose-like code): not a character literal.
                    let before = src[..i]
                        .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '\'' && c != '.');
                    let word = &src[before.map_or(0, |k| k + 1)..i];
                    if word.starts_with(|c: char| c.is_ascii_digit()) {
                        i += 1;
                        continue;
                    }
                }
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None | Some(b'\n') => {
                            let what = if q == b'"' {
                                "unterminated string literal"
                            } else {
                                "unterminated character literal"
                            };
                            let end = src[start..].find('\n').map_or(src.len(), |k| start + k);
                            note(start..end.max(start + 1), what);
                            break;
                        }
                        Some(b'\\') => {
                            i += 2;
                            // A backslash before `\r\n` continues the line too.
                            if b.get(i - 1) == Some(&b'\r') && b.get(i) == Some(&b'\n') {
                                i += 1;
                            }
                        }
                        Some(&c) if c == q => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            c @ (b'(' | b')' | b'[' | b']' | b'{' | b'}' | b';') => {
                brackets.push((i, c));
                i += 1;
            }
            _ => i += 1,
        }
    }
    Scan {
        brackets,
        unterminated,
        comments,
    }
}

/// Where the string literal whose `"` is at `i` ends (just past it), in the languages whose
/// strings have holes, verbatim, raw or multi-line forms; or why it does not.
fn string_end(src: &str, i: usize, kind: Strings) -> Result<usize, Flaw> {
    let b = src.as_bytes();
    let prefix = &src[..i];
    let marks = &prefix[prefix.trim_end_matches(['@', '$', '#']).len()..];
    let (verbatim, interpolated) = match kind {
        Strings::CSharp => (marks.contains('@'), marks.contains('$')),
        Strings::Kotlin | Strings::Swift | Strings::C => (false, true),
    };
    // Swift's `#"..."#`: the closing quote needs as many `#` after it.
    let hashes = if kind == Strings::Swift {
        marks.len() - marks.trim_start_matches('#').len()
    } else {
        0
    };
    let quotes = b[i..].iter().take_while(|&&c| c == b'"').count();
    let line_end = src[i..].find('\n').map_or(src.len(), |k| i + k);
    let flaw = |end: usize, message: &str| Flaw {
        range: i..end.max(i + 1),
        message: message.to_string(),
    };
    if quotes >= 3 {
        // Raw or multi-line: C# closes with as many quotes as opened, Kotlin and Swift with
        // three (and Swift's `#`s).
        let close =
            "\"".repeat(if kind == Strings::CSharp { quotes } else { 3 }) + &"#".repeat(hashes);
        return match src[i + quotes..].find(&close) {
            Some(k) => Ok(i + quotes + k + close.len()),
            None => Err(flaw(
                line_end,
                if kind == Strings::CSharp {
                    "unterminated raw string literal"
                } else {
                    "unterminated multi-line string"
                },
            )),
        };
    }
    if quotes == 2 && !(kind == Strings::Swift && hashes > 0) {
        return Ok(i + 2);
    }
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'"' if verbatim && b.get(j + 1) == Some(&b'"') => j += 2,
            b'"' if src[j + 1..].starts_with(&"#".repeat(hashes)) => return Ok(j + 1 + hashes),
            b'\n' if !verbatim => break,
            b'\\' if kind == Strings::Swift && src[j + 1..].starts_with(&"#".repeat(hashes)) => {
                let k = j + 1 + hashes;
                if b.get(k) == Some(&b'(') {
                    j = hole_end(src, k + 1, b')', kind)
                        .ok_or_else(|| flaw(line_end, "unterminated string literal"))?;
                } else {
                    j = k + 1;
                }
            }
            b'\\' if !verbatim && kind != Strings::Swift => j += 2,
            b'{' if kind == Strings::CSharp && interpolated => {
                if b.get(j + 1) == Some(&b'{') {
                    j += 2;
                } else {
                    j = hole_end(src, j + 1, b'}', kind)
                        .ok_or_else(|| flaw(line_end, "unterminated string literal"))?;
                }
            }
            b'$' if kind == Strings::Kotlin && b.get(j + 1) == Some(&b'{') => {
                j = hole_end(src, j + 2, b'}', kind)
                    .ok_or_else(|| flaw(line_end, "unterminated string literal"))?;
            }
            _ => j += 1,
        }
    }
    Err(flaw(
        line_end,
        if verbatim {
            "unterminated verbatim string literal"
        } else {
            "unterminated string literal"
        },
    ))
}

/// Just past the `close` that ends a string's hole opened before `j`, skipping the strings
/// and nested brackets inside it.
fn hole_end(src: &str, mut j: usize, close: u8, kind: Strings) -> Option<usize> {
    let b = src.as_bytes();
    let open = if close == b')' { b'(' } else { b'{' };
    let mut depth = 1;
    while j < b.len() {
        match b[j] {
            b'"' => j = string_end(src, j, kind).ok()?,
            c if c == open => {
                depth += 1;
                j += 1;
            }
            c if c == close => {
                depth -= 1;
                j += 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => j += 1,
        }
    }
    None
}

/// `R"`, `LR"`, `u8R"`, `uR"`, `UR"` just before offset `i` (a `"`), not inside a longer name.
fn raw_prefix(b: &[u8], i: usize) -> bool {
    if i == 0 || b[i - 1] != b'R' {
        return false;
    }
    let mut k = i - 1;
    while k > 0 && (b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_') {
        k -= 1;
    }
    matches!(&b[k..i], b"R" | b"LR" | b"uR" | b"UR" | b"u8R")
}

fn opener_of(close: u8) -> u8 {
    match close {
        b')' => b'(',
        b']' => b'[',
        _ => b'{',
    }
}

fn closer_of(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// Whether a `;` of the scan stands where no expression holds one: outside every `{` that
/// may open statements (every `{`, or with `lambda_braces` a lambda's or anonymous method's),
/// before any closer that closes nothing. Only statements hold a `;` (a `for`'s parentheses
/// are a statement's too), so the source cannot be read as one expression. Preprocessor
/// lines (and their `\` continuations) are left out: their text is not the code's.
pub(crate) fn semicolon_outside_blocks(src: &str, scan: &Scan, flavor: Flavor) -> bool {
    let brackets = &scan.brackets;
    let directives = directive_lines(src);
    let mut next_directive = directives.iter().peekable();
    // Per open bracket: whether statements may sit inside it (its own or an outer one's).
    let mut open: Vec<bool> = Vec::new();
    for (k, &(at, c)) in brackets.iter().enumerate() {
        while next_directive.next_if(|r| r.end <= at).is_some() {}
        if next_directive.peek().is_some_and(|r| r.start <= at) {
            continue;
        }
        let inside_block = open.last().copied().unwrap_or(false);
        match c {
            b';' if !inside_block => return true,
            b'{' => {
                let block =
                    !flavor.lambda_braces || lambda_body(src, &scan.comments, &brackets[..k], at);
                open.push(inside_block || block);
            }
            b'(' | b'[' => open.push(inside_block),
            b')' | b']' | b'}' if open.pop().is_none() => return false,
            _ => {}
        }
    }
    false
}

/// Whether the `{` at `at` follows `=>`, `delegate`, or `delegate (...)` (`before`: the scan's
/// brackets before it, to find the `(` of a `)`), comments left out.
fn lambda_body(src: &str, comments: &[Range<usize>], before: &[(usize, u8)], at: usize) -> bool {
    let text = code_before(src, comments, at);
    let delegate = |t: &str| {
        t.strip_suffix("delegate")
            .is_some_and(|r| !r.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '@'))
    };
    if text.ends_with("=>") || delegate(text) {
        return true;
    }
    if !text.ends_with(')') {
        return false;
    }
    // The `(` that the `)` closes.
    let close = text.len() - 1;
    let mut depth = 0usize;
    for &(k, c) in before.iter().rev().skip_while(|&&(k, _)| k > close) {
        match c {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => match depth.checked_sub(1) {
                Some(0) => return delegate(code_before(src, comments, k)),
                Some(d) => depth = d,
                None => return true,
            },
            _ => {}
        }
    }
    true
}

/// `src` before `at`, without the whitespace and comments that end it.
fn code_before<'s>(src: &'s str, comments: &[Range<usize>], at: usize) -> &'s str {
    let mut end = at;
    loop {
        let trimmed = src[..end].trim_end().len();
        match comments.iter().rev().find(|r| r.start < trimmed) {
            Some(r) if r.end >= trimmed => end = r.start,
            _ => return &src[..trimmed],
        }
    }
}

/// The byte ranges of the lines that open with `#`, each with the lines a trailing `\`
/// continues it on.
fn directive_lines(src: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut at = 0;
    let mut continued = false;
    for line in src.split_inclusive('\n') {
        let range = at..at + line.len();
        at += line.len();
        if continued || line.trim_start().starts_with('#') {
            match out.last_mut() {
                Some(last) if last.end == range.start && continued => last.end = range.end,
                _ => out.push(range),
            }
            continued = line.trim_end().ends_with('\\');
        }
    }
    out
}

/// How the brackets of a scan pair up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pairing {
    Balanced,
    /// A closer with no opener before it.
    Unmatched(usize),
    /// A closer that meets an opener of another kind: (closer, opener).
    Mismatched(usize, usize),
    /// An opener never closed (the innermost one left open at the end).
    Unclosed(usize),
}

pub(crate) fn pairing(brackets: &[(usize, u8)]) -> Pairing {
    let mut stack: Vec<(usize, u8)> = Vec::new();
    for &(at, c) in brackets {
        match c {
            b';' => {}
            b'(' | b'[' | b'{' => stack.push((at, c)),
            _ => match stack.pop() {
                None => return Pairing::Unmatched(at),
                Some((open_at, open)) if open != opener_of(c) => {
                    return Pairing::Mismatched(at, open_at);
                }
                Some(_) => {}
            },
        }
    }
    match stack.last() {
        Some(&(at, _)) => Pairing::Unclosed(at),
        None => Pairing::Balanced,
    }
}

/// Where a compiler notices that a `(` or `[` is not closed: the first `;` or block-opening
/// `{` after it at its own depth (a `{` right after `)`, `]` or `>` opens a lambda's or a
/// function's body, which may sit inside parentheses).
pub(crate) fn stop_after(src: &str, brackets: &[(usize, u8)], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for &(at, c) in brackets.iter().filter(|&&(at, _)| at > open) {
        match c {
            b';' if depth == 0 => return Some(at),
            b'{' if depth == 0 => {
                let before = src[..at].trim_end();
                if !before.ends_with([')', ']', '>']) {
                    return Some(at);
                }
                depth += 1;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return None,
            },
            _ => {}
        }
    }
    None
}

/// Describes a pairing fault in words, with the range to mark: `unmatched ')'`,
/// `expected ')' before ']'`, `'{' on line 3 is never closed`.
pub(crate) fn pairing_flaw(src: &str, scan: &Scan) -> Option<Flaw> {
    let pairing = pairing(&scan.brackets);
    let b = src.as_bytes();
    let line = |at: usize| 1 + src[..at].bytes().filter(|&c| c == b'\n').count();
    match pairing {
        Pairing::Balanced => None,
        Pairing::Unmatched(at) => Some(Flaw {
            range: at..at + 1,
            message: format!("unmatched '{}'", b[at] as char),
        }),
        Pairing::Mismatched(at, open) => Some(Flaw {
            range: at..at + 1,
            message: format!(
                "expected '{}' before '{}' (to close the '{}' on line {})",
                closer_of(b[open]) as char,
                b[at] as char,
                b[open] as char,
                line(open)
            ),
        }),
        Pairing::Unclosed(open)
            if b[open] != b'{' && stop_after(src, &scan.brackets, open).is_some() =>
        {
            let stop = stop_after(src, &scan.brackets, open).unwrap_or(open);
            Some(Flaw {
                range: stop..stop + 1,
                message: format!(
                    "expected '{}' before '{}'",
                    closer_of(b[open]) as char,
                    b[stop] as char
                ),
            })
        }
        Pairing::Unclosed(open) => {
            let end = src.trim_end().len().max(1).min(src.len());
            let last = src[..end].char_indices().last().map_or(0, |(k, _)| k);
            Some(Flaw {
                range: last..end.max(last + 1).min(src.len().max(last + 1)),
                message: format!(
                    "expected '{}' at end of input (the '{}' on line {} is never closed)",
                    closer_of(b[open]) as char,
                    b[open] as char,
                    line(open)
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_outside_blocks() {
        let top = |src: &str, f: Flavor| semicolon_outside_blocks(src, &scan(src, f), f);
        let c = Flavor::default();
        assert!(top("int x = 1;\n", c));
        assert!(top("f(a);\ng(b);\n", c));
        assert!(top("for (;;) {}\n", c));
        assert!(!top("xs.ForEach(x => { Print(x); })\n", c));
        assert!(!top("class A { int x; }\n", c));
        assert!(!top("s == \";\" // ;\n", c));
        // After a closer that closes nothing, the wrapper's own bracket may be closed.
        assert!(!top("a) + (b; c\n", c));
        // Preprocessor lines, continued or not, are not code.
        assert!(!top("#pragma x;\n#define F(a) \\\n  g(a);\nf(x)\n", c));
        assert!(top("#if A\nint x;\n#endif\n", c));
        let cs = Flavor {
            strings: Strings::CSharp,
            lambda_braces: true,
            ..c
        };
        assert!(top("class A { int x; }\n", cs));
        assert!(top("public int P { get; set; }\n", cs));
        assert!(top("new Foo { Bar = () => 1 }; \n", cs));
        assert!(!top("xs.ForEach(x => { Print(x); })\n", cs));
        assert!(!top(
            "list.Sort(delegate (int a, int b) { return a - b; })\n",
            cs
        ));
        assert!(!top("Run(delegate { F(); })\n", cs));
        assert!(!top("new Foo { Handler = e => { if (e) { G(); } } }\n", cs));
        assert!(top("Run(mydelegate (a) { F(); })\n", cs));
        assert!(!top("Run(x => // then\n  { F(); })\n", cs));
        assert!(!top("Run(delegate (int a) /* c */ { F(); })\n", cs));
    }

    fn c() -> Flavor {
        Flavor::default()
    }

    #[test]
    fn skips_literals_and_comments() {
        let s = scan("f(\"(\", ')'); // )\n/* ] */ g[1];", c());
        let got: String = s.brackets.iter().map(|&(_, b)| b as char).collect();
        assert_eq!(got, "();[];");
        assert_eq!(s.unterminated, None);
    }

    #[test]
    fn unterminated_literals_on_their_line() {
        let s = scan("int a;\nputs(\"abc);\nreturn 0;\n", c());
        let f = s.unterminated.unwrap();
        assert_eq!(f.message, "unterminated string literal");
        assert_eq!(f.range, 12..18);
        let s = scan("x = 1; /* open\n", c());
        assert_eq!(s.unterminated.unwrap().message, "unterminated comment");
    }

    #[test]
    fn flavors() {
        let go = Flavor {
            backtick_raw: true,
            ..c()
        };
        assert!(scan("s := `a\n\"b`\n", go).unterminated.is_none());
        let cpp = Flavor {
            cpp_raw: true,
            digit_separators: true,
            ..c()
        };
        assert!(
            scan("auto s = R\"x(a \" ) b)x\"; int n = 1'000;", cpp)
                .unterminated
                .is_none()
        );
        let java = Flavor {
            text_blocks: true,
            ..c()
        };
        assert!(
            scan("String s = \"\"\"\n  a \"b\"\n  \"\"\";", java)
                .unterminated
                .is_none()
        );
        assert_eq!(
            scan("String s = \"\"\"\n  a\n", java)
                .unterminated
                .unwrap()
                .message,
            "unclosed text block"
        );
    }

    #[test]
    fn interpolated_verbatim_and_raw_strings() {
        let cs = Flavor {
            strings: Strings::CSharp,
            ..c()
        };
        let ok = |src: &str, f: Flavor| {
            let s = scan(src, f);
            assert_eq!(s.unterminated, None, "{src}");
            s.brackets
                .iter()
                .map(|&(_, b)| b as char)
                .collect::<String>()
        };
        assert_eq!(ok("f(@\"a\n\"\")\");", cs), "();");
        assert_eq!(ok("f($\"{d[\"}\"]} {{x\");", cs), "();");
        assert_eq!(ok("f(\"\"\"\"\n a \"\"\" b\n\"\"\"\");", cs), "();");
        let kt = Flavor {
            strings: Strings::Kotlin,
            ..c()
        };
        assert_eq!(ok("f(\"${m[\")\"]}\", \"\"\"\n)\n\"\"\")", kt), "()");
        let swift = Flavor {
            strings: Strings::Swift,
            ..c()
        };
        assert_eq!(ok("f(\"\\(d[\")\"])\", #\"\\d\"x\"#)", swift), "()");
        let open = |src: &str, f: Flavor| scan(src, f).unterminated.map(|u| (u.range, u.message));
        assert_eq!(
            open("x = @\"abc\ny();\n", cs),
            Some((5..9, "unterminated verbatim string literal".into()))
        );
        assert_eq!(
            open("x = $\"a {b\n", cs),
            Some((5..10, "unterminated string literal".into()))
        );
        assert_eq!(
            open("val s = \"\"\"\nabc\n", kt).map(|u| u.1),
            Some("unterminated multi-line string".into())
        );
    }

    #[test]
    fn pairs() {
        let p = |s: &str| pairing(&scan(s, c()).brackets);
        assert_eq!(p("f(a[1]) { }"), Pairing::Balanced);
        assert_eq!(p("f(a))"), Pairing::Unmatched(4));
        assert_eq!(p("f(a]"), Pairing::Mismatched(3, 1));
        assert_eq!(p("{ f( }"), Pairing::Mismatched(5, 3));
        assert_eq!(p("{\n{\n}"), Pairing::Unclosed(0));
        let src = "int f() {\n  g();\n";
        let flaw = pairing_flaw(src, &scan(src, c())).unwrap();
        assert_eq!(
            flaw.message,
            "expected '}' at end of input (the '{' on line 1 is never closed)"
        );
        assert_eq!(&src[flaw.range], ";");
        let src = "int main( {\n  return 0;\n}\n";
        let flaw = pairing_flaw(src, &scan(src, c())).unwrap();
        assert_eq!(flaw.message, "expected ')' before '{'");
        assert_eq!(flaw.range, 10..11);
        let src = "sort(v, [](int a) { return a; }\n";
        let flaw = pairing_flaw(src, &scan(src, c())).unwrap();
        assert!(flaw.message.contains("end of input"), "{}", flaw.message);
    }
}
