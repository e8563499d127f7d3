//! Shell samples (`bash`, `sh`, `shell`, `zsh`, `console`), read by tree-sitter-bash as a
//! script. A terminal session is read as its commands: when the first line opens with a
//! prompt (`$ `, `user@host:~$ `, `[user@host dir]# `, or `> ` when that is how the sample
//! starts), prompt lines are commands (the prompt blanked), a command's continuation lines
//! (after a trailing `\`, inside an open quote or here-document, or behind a `> ` prompt)
//! belong to it, and every other line is its output, blanked.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_bash::LANGUAGE.into());

pub(crate) static GRAMMAR: Grammar = Grammar {
    language: &LANGUAGE,
    wraps: &[Wrap {
        before: "",
        after: "",
    }],
    expression: None,
    lint,
    flavor: None,
    semicolons: false,
    prepare,
    tolerate: |_, _, _| false,
};

pub fn check(source: &str) -> Option<SyntaxError> {
    let prepared = prepare(source);
    let parsed = match super::check_readings(&GRAMMAR, &prepared.text) {
        Ok(()) => return None,
        Err(p) => p,
    };
    // bash names a quote that never closes at the quote.
    if let Open::Quote(at, q) = scan(&prepared.text) {
        return Some(SyntaxError {
            range: at..at + 1,
            message: format!("unterminated {} (the {q} is never closed)", quote_name(q)),
        });
    }
    Some(SyntaxError {
        range: parsed.range,
        message: parsed.message,
    })
}

fn quote_name(q: char) -> &'static str {
    match q {
        '`' => "command substitution",
        _ => "string",
    }
}

/// Constructs tree-sitter-bash accepts and `bash -n` rejects: a reserved word that cannot
/// open a command, in a command's place (`fo i in x; do` leaves `do` there).
fn lint(root: Node, text: &str) -> Option<(Range<usize>, String)> {
    super::find_node(root, &mut |n| {
        if n.kind() != "command_name" {
            return None;
        }
        let word = &text[n.byte_range()];
        matches!(
            word,
            "then" | "do" | "done" | "fi" | "else" | "elif" | "esac" | "in" | "}" | "]]"
        )
        .then(|| (n.byte_range(), format!("unexpected '{word}'")))
    })
}

/// What bash reads and tree-sitter-bash does not, made plain (same length): `[[` glued to
/// the next word is a word (`[[$a==$b]]`), `3<>file` opens for reading and writing, and a
/// here-document with no command before it (`<< END` ... `END`) is text.
fn plain(p: &mut Prepared) {
    let lines: Vec<(usize, &str)> = {
        let mut at = 0;
        p.text
            .split_inclusive('\n')
            .map(|l| {
                let r = (at, l);
                at += l.len();
                r
            })
            .collect()
    };
    let mut blanks = Vec::new();
    let mut replace = Vec::new();
    let mut skip_to = 0;
    for (k, &(at, line)) in lines.iter().enumerate() {
        if at < skip_to {
            continue;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let t = body.trim_start();
        let indent = body.len() - t.len();
        if let Some(rest) = t.strip_prefix("<<").filter(|r| !r.starts_with('<')) {
            let word: String = rest
                .trim_start_matches('-')
                .trim()
                .chars()
                .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                .collect();
            if let Some(end) = lines[k + 1..]
                .iter()
                .find(|(_, l)| !word.is_empty() && l.trim() == word)
            {
                let stop = end.0 + end.1.trim_end_matches(['\n', '\r']).len();
                blanks.push(at + indent..stop);
                skip_to = stop;
                continue;
            }
        }
        let b = body.as_bytes();
        for i in 0..b.len() {
            if b[i..].starts_with(b"[[")
                && b.get(i + 2)
                    .is_some_and(|c| !c.is_ascii_whitespace() && *c != b']')
                && (i == 0 || b[i - 1].is_ascii_whitespace())
            {
                replace.push((at + i, "__"));
            }
            if b[i..].starts_with(b"<>") && i > 0 && b[i - 1].is_ascii_digit() {
                replace.push((at + i + 1, " "));
            }
        }
    }
    for r in blanks {
        p.blank(r);
    }
    for (at, with) in replace {
        p.text.replace_range(at..at + with.len(), with);
    }
}

/// The length of a prompt at the start of `line`, if it has one.
fn prompt_len(line: &str, dollar_only: bool) -> Option<usize> {
    if line == "$" || line == ">" {
        return Some(1);
    }
    if let Some(rest) = line.strip_prefix("$ ") {
        return Some(line.len() - rest.len());
    }
    if !dollar_only && line.starts_with("> ") {
        return Some(2);
    }
    // `user@host:~/dir$ `, `root@box:/# `, `[user@host dir]$ `.
    let end = line.find(['$', '#'])?;
    let head = &line[..end];
    let after = line[end + 1..].chars().next();
    let shaped = (head.contains('@') || head.starts_with('['))
        && !head.contains(['"', '\'', '='])
        && (head.starts_with('[') && head.ends_with(']') || !head.contains(' '));
    (shaped && matches!(after, Some(' ') | None)).then_some((end + 2).min(line.len()))
}

/// The sample with a terminal session's prompts and output blanked (same length).
fn prepare(source: &str) -> Prepared {
    let mut p = Prepared::new(source);
    session(&mut p, source);
    plain(&mut p);
    backquotes(&mut p);
    p
}

/// The commands inside backquotes made a null command (`:`, then blanks): `bash -n` does not
/// parse them (bash does when it runs them), and the grammar wants a command there.
fn backquotes(p: &mut Prepared) {
    for inside in quoting(&p.text).1 {
        let mut at = inside.start;
        for part in p.text[inside.clone()]
            .split_inclusive('\n')
            .map(str::len)
            .collect::<Vec<_>>()
        {
            let line = at..at + part;
            let end = line.start + p.text[line.clone()].trim_end_matches('\n').len();
            p.blank(line.start..end);
            at += part;
        }
        if let Some(k) = p.text[inside.clone()].find(' ') {
            p.text
                .replace_range(inside.start + k..inside.start + k + 1, ":");
        }
    }
}

/// A terminal session's prompts and output blanked.
fn session(p: &mut Prepared, source: &str) {
    let first = source.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let first = first.trim_start();
    let gt_session = first.starts_with("> ");
    if prompt_len(first, false).is_none() {
        return;
    }
    let mut blank = Vec::new();
    let mut command = String::new();
    let mut continues = false;
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let trimmed = &body[indent..];
        if continues {
            // A `> ` secondary prompt before a continuation line.
            let rest = trimmed
                .strip_prefix("> ")
                .or(trimmed.strip_prefix('>').filter(|r| r.is_empty()));
            match rest {
                Some(rest) => {
                    let n = trimmed.len() - rest.len();
                    blank.push(at + indent..at + indent + n);
                    command.push_str(rest);
                    command.push('\n');
                }
                None => command.push_str(line),
            }
        } else if let Some(n) = prompt_len(trimmed, !gt_session) {
            blank.push(at + indent..at + indent + n);
            command.clear();
            command.push_str(&trimmed[n..]);
            command.push('\n');
        } else {
            blank.push(at..at + body.len());
            command.clear();
        }
        continues = !command.is_empty()
            && (body.ends_with('\\') || !matches!(scan(&command), Open::Closed));
        at += line.len();
    }
    for r in blank {
        p.blank(r);
    }
}

/// What a shell text leaves open at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Closed,
    /// A quote (`'`, `"`, `` ` ``) that never closes, and where.
    Quote(usize, char),
    /// A here-document, `$( ... )` or `${ ... }` still open.
    Other,
}

/// What a shell text leaves open at its end.
fn scan(src: &str) -> Open {
    quoting(src).0
}

/// Follows the shell's quoting: quotes, `\` escapes, comments, `$( )`, `${ }`, backticks and
/// here-documents, to find what is left open at the end, and the insides of the backquoted
/// commands that close.
fn quoting(src: &str) -> (Open, Vec<Range<usize>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Ctx {
        Double(usize),
        Back(usize),
        Subst(u32),
        Param,
    }
    let b = src.as_bytes();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut backquoted = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let top = stack.last().copied();
        match top {
            Some(Ctx::Double(_)) => match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'`' => stack.push(Ctx::Back(i)),
                b'$' if b.get(i + 1) == Some(&b'(') => {
                    stack.push(Ctx::Subst(0));
                    i += 1;
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    stack.push(Ctx::Param);
                    i += 1;
                }
                _ => {}
            },
            // bash takes a backquoted command up to the next unescaped backquote and parses
            // it only when it runs.
            Some(Ctx::Back(start)) => match c {
                b'\\' => i += 1,
                b'`' => {
                    stack.pop();
                    backquoted.push(start + 1..i);
                }
                _ => {}
            },
            Some(Ctx::Param) if c == b'}' => {
                stack.pop();
            }
            _ => match c {
                b'\\' => i += 1,
                b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'|' | b'&') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'\'' => {
                    let ansi = i > 0 && b[i - 1] == b'$';
                    let mut j = i + 1;
                    while j < b.len() && b[j] != b'\'' {
                        j += if ansi && b[j] == b'\\' { 2 } else { 1 };
                    }
                    if j >= b.len() {
                        return (Open::Quote(i, '\''), backquoted);
                    }
                    i = j;
                }
                b'"' => stack.push(Ctx::Double(i)),
                b'`' => stack.push(Ctx::Back(i)),
                b'$' if b.get(i + 1) == Some(&b'(') => {
                    stack.push(Ctx::Subst(0));
                    i += 1;
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    stack.push(Ctx::Param);
                    i += 1;
                }
                b'(' => {
                    if let Some(Ctx::Subst(d)) = stack.last_mut() {
                        *d += 1;
                    }
                }
                b')' => match stack.last_mut() {
                    Some(Ctx::Subst(0)) => {
                        stack.pop();
                    }
                    Some(Ctx::Subst(d)) => *d -= 1,
                    _ => {}
                },
                b'<' if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') => {
                    let mut j = i + 2;
                    let strip = b.get(j) == Some(&b'-');
                    if strip {
                        j += 1;
                    }
                    while j < b.len() && matches!(b[j], b' ' | b'\t') {
                        j += 1;
                    }
                    let start = j;
                    while j < b.len()
                        && !matches!(
                            b[j],
                            b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'<' | b'>' | b')'
                        )
                    {
                        j += 1;
                    }
                    let word: String = src[start..j]
                        .chars()
                        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                        .collect();
                    if !word.is_empty() {
                        heredocs.push((word, strip));
                    }
                    i = j;
                    continue;
                }
                b'\n' if !heredocs.is_empty() => {
                    // The here-documents' bodies follow this line, each up to its word.
                    let mut j = i + 1;
                    for (word, strip) in heredocs.drain(..) {
                        loop {
                            if j >= b.len() {
                                return (Open::Other, backquoted);
                            }
                            let end = src[j..].find('\n').map_or(b.len(), |k| j + k);
                            let line = &src[j..end];
                            let line = if strip {
                                line.trim_start_matches('\t')
                            } else {
                                line
                            };
                            j = (end + 1).min(b.len());
                            if line.trim_end_matches('\r') == word {
                                break;
                            }
                        }
                    }
                    i = j;
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    if !heredocs.is_empty() {
        return (Open::Other, backquoted);
    }
    let open = match stack.first() {
        Some(Ctx::Double(at)) => Open::Quote(*at, '"'),
        Some(Ctx::Back(at)) => Open::Quote(*at, '`'),
        Some(_) => match stack.iter().find_map(|c| match c {
            Ctx::Double(at) => Some((*at, '"')),
            Ctx::Back(at) => Some((*at, '`')),
            _ => None,
        }) {
            Some((at, q)) => Open::Quote(at, q),
            None => Open::Other,
        },
        None => Open::Closed,
    };
    (open, backquoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (usize, String) {
        super::super::error_line(check, src)
    }

    #[test]
    fn scripts_and_sessions_parse() {
        for ok in [
            "#!/bin/bash\nfor f in *.txt; do\n  echo \"$f: $(wc -l < \"$f\")\"\ndone\n",
            "if [ -z \"$1\" ]; then\n  echo 'usage' >&2\n  exit 1\nfi\n",
            "$ ls -la\ntotal 8\ndrwxr-xr-x  2 me me 4096 Jan  1 00:00 .\n$ echo done\ndone\n",
            "user@host:~$ cat <<EOF > out.txt\n> it's here\n> EOF\nuser@host:~$ wc -l out.txt\n1 out.txt\n",
            "$ echo \"a (b\" \\\n    c\na (b c\n",
            "cat <<'END'\nit's (not) code\nEND\n",
            "echo ${HOME#/} $# $'it\\'s'\n",
            "[[$A==$B]]\nexec 3<> out.txt\n<< output\nit's (text)\noutput\n",
            "files=`shopt -s extglob\nls !(*.gif|*.jpg)`\necho \"`date` `if then`\" `echo \\`x\\``\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("echo a\necho \"b\necho c\n"),
            (2, "unterminated string (the \" is never closed)".into())
        );
        let (line, msg) = err("if true; then\n  echo a\n\necho c\n");
        assert_eq!(line, 4);
        assert!(msg.contains("end of input"), "{msg}");
        assert_eq!(
            err("fo i in $(ls); do\n  echo $i\ndone\n"),
            (1, "unexpected 'do'".into())
        );
        let (line, msg) = err("for x in 1 2\n  echo $x\ndone\n");
        // bash -n: line 2, syntax error near unexpected token `echo'.
        assert!((1..=3).contains(&line), "{line} {msg}");
    }

    #[test]
    fn prompts() {
        assert_eq!(prompt_len("$ ls", true), Some(2));
        assert_eq!(prompt_len("root@box:/# id", true), Some(12));
        assert_eq!(prompt_len("[me@box tmp]$ ls", true), Some(14));
        assert_eq!(prompt_len("echo $HOME", true), None);
        assert_eq!(prompt_len("> ls", true), None);
        assert_eq!(prompt_len("# a comment", true), None);
    }
}
