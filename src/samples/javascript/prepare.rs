//! What a JavaScript or TypeScript sample in a note holds besides code, made neutral before
//! parsing: a Node REPL's prompts and output, `...` elisions, `<your code here>` placeholders.
//! Every rewrite keeps byte offsets (text is blanked or replaced by as many bytes), so the
//! parser's positions are the sample's.

/// A stand-in for elided code: an identifier is valid wherever `...` stands in a sample (a
/// statement, an expression, an argument, an element, a shorthand property, a class field).
const ELISION: &str = "_$_";

/// Whether the sample is plainly not code of its tag: a shell session or command (a `$ `
/// prompt, `npm install ...`), or markup (an Angular or Vue template, HTML: the first line
/// opens a tag). Such a sample is not checked. (A JSX element alone is markup too: it is left
/// unchecked with them.)
pub fn is_not_code(source: &str) -> bool {
    const COMMANDS: &[&str] = &[
        "npm ", "npx ", "yarn ", "pnpm ", "node ", "deno ", "bun ", "tsc ", "git ", "cd ",
        "mkdir ", "curl ", "sudo ", "brew ", "apt ", "apt-get ", "pip ",
    ];
    let Some(first) = source.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    let markup = first.starts_with('<')
        && first[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '!');
    markup
        || first.starts_with("$ ")
        || first == "$"
        || COMMANDS.iter().any(|c| first.starts_with(c)) && !first.contains(['(', '=', ';'])
}

/// A Node REPL session: `> ` lines are code (the prompt blanked), `... ` lines continue it,
/// every other line is output (blanked). `None` when the sample is not one.
pub fn repl(source: &str) -> Option<String> {
    let first = source.lines().find(|l| !l.trim().is_empty())?;
    if !(first.starts_with("> ") || first == ">") {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let prompt = ["> ", "... ", ">", "..."]
            .iter()
            .find(|p| body.starts_with(*p) && (p.ends_with(' ') || body.len() == p.len()));
        match prompt {
            Some(p) => {
                out.push_str(&" ".repeat(p.len()));
                out.push_str(&body[p.len()..]);
            }
            None => blank_into(&mut out, body),
        }
        out.push_str(nl);
    }
    Some(out)
}

/// Blanks `s` into `out`: spaces for every byte (a multi-byte character becomes as many).
fn blank_into(out: &mut String, s: &str) {
    out.extend(std::iter::repeat_n(' ', s.len()));
}

/// Replaces elisions and placeholders with identifiers of the same byte length, outside
/// strings, template literals and comments:
///
/// - `...` (or `…`) followed on its line by nothing, a closing bracket, `,` or `;` (a spread
///   `...xs` is code and stays);
/// - `<words with spaces>` such as `<your code here>`: letters, digits, spaces, `-` and `_`
///   between angle brackets, at least one space, not right after an identifier nor right
///   before `(` (generics: `Map<K, V>`, `<T extends U>(x: T) => x`).
pub fn neutralize(source: &str) -> String {
    let b = source.as_bytes();
    let mut out = source.as_bytes().to_vec();
    let mut i = 0;
    let mut prev_code = b'\n';
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = find(b, i + 2, b"*/").map_or(b.len(), |n| n + 2);
                continue;
            }
            b'"' | b'\'' | b'`' => {
                i = skip_string(b, i);
                prev_code = c;
                continue;
            }
            b'.' if b[i..].starts_with(b"...") && elision_follows(b, i + 3) => {
                out[i..i + 3].copy_from_slice(ELISION.as_bytes());
                i += 3;
                prev_code = b'_';
                continue;
            }
            0xE2 if b[i..].starts_with("…".as_bytes()) && elision_follows(b, i + 3) => {
                out[i..i + 3].copy_from_slice(ELISION.as_bytes());
                i += 3;
                prev_code = b'_';
                continue;
            }
            b'<' if !is_ident(prev_code) => {
                if let Some(end) = placeholder_end(b, i) {
                    for o in &mut out[i..end] {
                        *o = b'_';
                    }
                    i = end;
                    prev_code = b'_';
                    continue;
                }
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            prev_code = c;
        }
        i += 1;
    }
    // Only ASCII bytes replaced whole characters: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| source.to_string())
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| from + n)
}

/// The end of a string or template literal starting at `i` (its line's end for a string left
/// open; template literals may span lines).
fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q => return j + 1,
            b'\n' if q != b'`' => return j,
            _ => j += 1,
        }
    }
    b.len()
}

/// Whether what follows `...` at `at` makes it an elision rather than a spread.
fn elision_follows(b: &[u8], at: usize) -> bool {
    let rest = &b[at..];
    let n = rest
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    match rest.get(n) {
        None | Some(b'\n' | b'\r' | b')' | b']' | b'}' | b',' | b';') => true,
        Some(b'/') => rest[n..].starts_with(b"//") || rest[n..].starts_with(b"/*"),
        _ => false,
    }
}

/// The end of a `<placeholder words>` starting at `i`.
fn placeholder_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut spaces = 0;
    if !b.get(j)?.is_ascii_alphabetic() {
        return None;
    }
    while j < b.len() {
        match b[j] {
            b'>' => break,
            b' ' => spaces += 1,
            c if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' => {}
            _ => return None,
        }
        j += 1;
    }
    // `<T extends U>(x: T) => x` is a generic arrow function, not a placeholder.
    let generic = b.get(j + 1) == Some(&b'(');
    (j < b.len() && spaces > 0 && b[j - 1] != b' ' && !generic).then_some(j + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elisions_become_identifiers_spreads_stay() {
        assert_eq!(neutralize("f(...);\n"), "f(_$_);\n");
        assert_eq!(neutralize("const a = [1, ...];\n"), "const a = [1, _$_];\n");
        assert_eq!(neutralize("g(...args)\n"), "g(...args)\n");
        assert_eq!(neutralize("{\n  ...\n}\n"), "{\n  _$_\n}\n");
        assert_eq!(neutralize("x = '...';\n"), "x = '...';\n");
        assert_eq!(neutralize("if (a) {…}\n"), "if (a) {_$_}\n");
    }

    #[test]
    fn placeholders_become_identifiers() {
        assert_eq!(
            neutralize("if (x) {\n  <your code here>\n}\n"),
            "if (x) {\n  ________________\n}\n"
        );
        // Generics, comparisons and JSX stay.
        for code in [
            "let m: Map<string, number>;\n",
            "a < b && c > d\n",
            "<div className=\"a\">hi</div>\n",
            "const p = new Promise<string>(r => r(''));\n",
            "const id = <T extends object>(x: T) => x;\n",
        ] {
            assert_eq!(neutralize(code), code);
        }
    }

    #[test]
    fn repl_sessions_keep_code_and_blank_output() {
        let s = "> const a = [1, 2]\nundefined\n> a.map(x =>\n... x * 2)\n[ 2, 4 ]\n";
        assert_eq!(
            repl(s).unwrap(),
            "  const a = [1, 2]\n         \n  a.map(x =>\n    x * 2)\n        \n"
        );
        assert_eq!(repl("const a = 1;\n"), None);
    }

    #[test]
    fn shell_commands_and_markup_are_recognised() {
        assert!(is_not_code("$ node app.js\n"));
        assert!(is_not_code("npm install --save express\n"));
        assert!(is_not_code(
            "<ng-template #inactive>\n  <div>x</div>\n</ng-template>\n"
        ));
        assert!(!is_not_code("node.addEventListener('x', f);\n"));
        assert!(!is_not_code("const cd = 1;\n"));
    }
}
