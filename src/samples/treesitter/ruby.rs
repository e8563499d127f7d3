//! Ruby samples (`ruby`, `rb`), read by tree-sitter-ruby as a file (Ruby takes methods,
//! classes and statements at the top level alike). An irb session is read as its input:
//! when the first non-blank line opens with a prompt (`>> `, `irb(main):001:0> `,
//! `pry(main)> `), prompt lines are code (the prompt blanked) and the other lines, the `=>`
//! results and what the code printed, are output, blanked. Outside a session, a line that
//! opens with `=>` after a finished line is the result shown under it, blanked. `...` and
//! `# ...` stand for elided code, `<your code here>` for a placeholder.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Language, Node};

use super::{Grammar, Prepared, SyntaxError, Wrap};

static LANGUAGE: LazyLock<Language> = LazyLock::new(|| tree_sitter_ruby::LANGUAGE.into());

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
    let (error, text) = super::parse_readings(&GRAMMAR, &prepared)?;
    // A block left open: the sample is the start of a program that one to three `end`s would
    // finish. `ruby -c` meets the end of the input first, and names it there.
    if (1..=3).any(|k| super::accepts(&GRAMMAR, &format!("{text}{}", "\nend".repeat(k)))) {
        let last = super::last_token_range(&text);
        return Some(SyntaxError {
            range: prepared.to_source(last.start)..prepared.to_source(last.end),
            message: "expected 'end' at end of input".into(),
        });
    }
    // A quote tree-sitter could not fit: Ruby's strings span lines, so it runs to the next
    // such quote, or to the end of input.
    let quote = text[error.range.clone()].trim();
    if quote == "\"" || quote == "'" {
        let q = error.range.start + text[error.range.clone()].find(quote)?;
        // A string cannot begin here (after a finished expression): the parser stops at it.
        if closers(&format!("{}\"\"", &text[..q])).is_none() {
            return Some(error);
        }
        return Some(match string_end(&text, q) {
            None => {
                let line = text[q..].lines().next().unwrap_or("");
                let shown: String = line.chars().take(16).collect();
                SyntaxError {
                    range: super::last_token_range(&text),
                    message: format!("unterminated string meets end of input (opened at {shown})"),
                }
            }
            Some(close) => read_on(&text, q..q + 1, Some(q..close + 1)).unwrap_or(error),
        });
    }
    Some(read_on(&text, error.range.clone(), None).unwrap_or(error))
}

/// Where the string opened by the quote at `q` ends (its closing quote), as Ruby's lexer reads
/// it: `\` escapes, and in a `"` string `#{...}` holes that may hold quotes of their own.
fn string_end(text: &str, q: usize) -> Option<usize> {
    let b = text.as_bytes();
    let quote = b[q];
    let mut i = q + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'#' if quote == b'"' && b.get(i + 1) == Some(&b'{') => {
                let mut depth = 0;
                while i < b.len() {
                    match b[i] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where `ruby -c` stops, when tree-sitter's recovery stops earlier. Ruby's parser is LR: it
/// reads as long as what it has read can still begin a program, and reports the first token
/// after which it cannot. Inside an open bracket a line break does not end the expression,
/// so a bracket left open is named on the next line that cannot go on inside it (`end`, a
/// new statement), or at the end of input. A prefix of whole lines "can begin a program" when
/// closing what it leaves open (its brackets, innermost first, and up to three `end`s) makes it
/// parse; lines that end inside a literal or on a continuing token are not tested.
/// `literal`: a string tree-sitter did not read as one, whose lines are not tested.
fn read_on(text: &str, at: Range<usize>, literal: Option<Range<usize>>) -> Option<SyntaxError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    if line_starts.len() > MAX_LINES {
        return None;
    }
    let tree = super::parse(&LANGUAGE, text)?;
    let root = tree.root_node();
    let first = line_starts.iter().rposition(|&s| s <= at.start)?;
    let line_end = |k: usize| line_starts.get(k + 1).copied().unwrap_or(text.len());
    let in_literal = |end: usize| {
        literal
            .as_ref()
            .is_some_and(|r| r.contains(&end.saturating_sub(1)))
    };
    // The line tree-sitter names must be one a program can go on from; if it is not, and
    // it begins with the token named, say which bracket the line before it left open.
    let mut open = if in_literal(line_end(first)) {
        Vec::new()
    } else {
        // A line that goes on (ends with `,` or an operator): the token named must be one a
        // program can go on from.
        match closing(text, line_end(first), root).unwrap_or_else(|| closers(&text[..at.end])) {
            Some(open) => open,
            None => {
                let tok = first_token(root, line_starts[first], line_end(first), text)?;
                let before = (0..first)
                    .rev()
                    .find(|&k| !text[line_starts[k]..line_end(k)].trim().is_empty())?;
                let Some(Closer::Bracket(c)) =
                    closing(text, line_end(before), root)??.first().copied()
                else {
                    return None;
                };
                return (tok.start == at.start).then(|| SyntaxError {
                    message: format!("expected '{c}' before '{}'", &text[tok.clone()]),
                    range: tok,
                });
            }
        }
    };
    for k in first + 1..line_starts.len() {
        let start = line_starts[k];
        if text[start..line_end(k)].trim().is_empty() {
            continue;
        }
        if in_literal(line_end(k)) {
            continue;
        }
        match closing(text, line_end(k), root) {
            // Not tested (inside a literal, after a continuing token): go on.
            None => continue,
            Some(Some(suffix)) => open = suffix,
            Some(None) => {
                let tok = first_token(root, start, line_end(k), text)?;
                let word = &text[tok.clone()];
                let message = match open.first() {
                    Some(Closer::Bracket(c)) => format!("expected '{c}' before '{word}'"),
                    _ => format!("unexpected '{word}'"),
                };
                return Some(SyntaxError {
                    range: tok,
                    message,
                });
            }
        }
    }
    // Every line can go on: the input ends with something open.
    let last = super::last_token_range(text);
    let message = match open.first() {
        Some(Closer::Bracket(c)) => format!("expected '{c}' at end of input"),
        _ => "expected 'end' at end of input".to_string(),
    };
    Some(SyntaxError {
        range: last,
        message,
    })
}

/// Samples with more lines are left to tree-sitter's recovery (each line is parsed again).
const MAX_LINES: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Closer {
    Bracket(char),
    End,
}

/// What closes the program `text[..at]` begins (`at` a line's end): `None` when the line
/// boundary is not tested (inside a literal or comment, after a token that continues the
/// line), `Some(None)` when nothing tried makes it parse.
fn closing(text: &str, at: usize, root: Node) -> Option<Option<Vec<Closer>>> {
    let prefix = &text[..at];
    let last_line = prefix.trim_end().rsplit('\n').next().unwrap_or("");
    if continues(last_line.trim_start())
        || opens_heredoc(last_line)
        || inside_literal(root, prefix.trim_end().len())
    {
        return None;
    }
    Some(closers(prefix))
}

/// What closes the program `prefix` begins, if anything tried makes it parse.
fn closers(prefix: &str) -> Option<Vec<Closer>> {
    let tree = super::parse(&LANGUAGE, prefix)?;
    let mut leaves = Vec::new();
    super::leaves(tree.root_node(), &mut leaves);
    let mut stack = Vec::new();
    for leaf in leaves {
        match leaf.kind() {
            "(" | "[" | "{" | "#{" => stack.push(leaf.kind()),
            ")" | "]" | "}" => {
                stack.pop();
            }
            _ => {}
        }
    }
    if stack.len() > 4 {
        return None;
    }
    let brackets: Vec<char> = stack
        .iter()
        .rev()
        .map(|k| match *k {
            "(" => ')',
            "[" => ']',
            _ => '}',
        })
        .collect();
    // `end`s before the innermost bracket's closer, between closers, after the last: fewest
    // first.
    let gaps = brackets.len() + 1;
    for total in 0..=3usize {
        for ends in spreads(total, gaps) {
            let mut closers = Vec::new();
            for (g, &n) in ends.iter().enumerate() {
                closers.extend(std::iter::repeat_n(Closer::End, n));
                if let Some(&c) = brackets.get(g) {
                    closers.push(Closer::Bracket(c));
                }
            }
            let mut candidate = prefix.to_string();
            if !candidate.ends_with('\n') {
                candidate.push('\n');
            }
            for c in &closers {
                match c {
                    Closer::Bracket(b) => candidate.push(*b),
                    Closer::End => candidate.push_str("end"),
                }
                candidate.push('\n');
            }
            if super::accepts(&GRAMMAR, &candidate) {
                return Some(closers);
            }
        }
    }
    None
}

/// The ways to share `total` among `gaps` places.
fn spreads(total: usize, gaps: usize) -> Vec<Vec<usize>> {
    if gaps == 1 {
        return vec![vec![total]];
    }
    (0..=total)
        .flat_map(|first| {
            spreads(total - first, gaps - 1)
                .into_iter()
                .map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
        })
        .collect()
}

/// Whether offset `at` lies inside a string, heredoc, regex, word list or comment.
fn inside_literal(root: Node, at: usize) -> bool {
    let mut node = root.descendant_for_byte_range(at, at + 1);
    while let Some(n) = node {
        if n.start_byte() < at
            && matches!(
                n.kind(),
                "string"
                    | "heredoc_body"
                    | "regex"
                    | "string_array"
                    | "symbol_array"
                    | "subshell"
                    | "comment"
                    | "delimited_symbol"
                    | "heredoc_beginning"
            )
        {
            return true;
        }
        node = n.parent();
    }
    false
}

/// Whether a line starts a heredoc (`<<~EOS`, `<<-'SQL'`, `<<EOS`): its body follows.
fn opens_heredoc(line: &str) -> bool {
    line.match_indices("<<").any(|(i, _)| {
        let rest = line[i + 2..].trim_start_matches(['~', '-']);
        let rest = rest.trim_start_matches(['"', '\'', '`']);
        rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
    })
}

/// The first token of the line `start..end` (a leaf of the tree, else its first word).
fn first_token(root: Node, start: usize, end: usize, text: &str) -> Option<Range<usize>> {
    let line = &text[start..end];
    let at = start + (line.len() - line.trim_start().len());
    if let Some(leaf) = root.descendant_for_byte_range(at, at + 1)
        && leaf.child_count() == 0
        && leaf.start_byte() == at
        && leaf.end_byte() <= end
        && !leaf.byte_range().is_empty()
    {
        return Some(leaf.byte_range());
    }
    let len = text[at..end]
        .find(char::is_whitespace)
        .unwrap_or(end - at)
        .max(1);
    Some(at..(at + len).min(end))
}

/// The length of an irb or pry prompt at the start of `line` (after its indentation).
fn prompt_len(line: &str) -> Option<usize> {
    for simple in [">> ", "?> ", "*> ", "\"> ", "'> "] {
        if line.starts_with(simple) {
            return Some(simple.len());
        }
    }
    if matches!(line.trim_end(), ">>" | "?>") {
        return Some(line.trim_end().len());
    }
    // `irb(main):001:0> `, `irb(main):002:1* `, `irb(main):001> `, `[1] pry(main)> `.
    let rest = line
        .strip_prefix('[')
        .and_then(|r| r.split_once("] "))
        .map_or(line, |(n, r)| {
            if n.bytes().all(|b| b.is_ascii_digit()) {
                r
            } else {
                line
            }
        });
    let skipped = line.len() - rest.len();
    if !(rest.starts_with("irb(") || rest.starts_with("pry(")) {
        return None;
    }
    let close = rest.find(')')?;
    let tail = &rest[close + 1..];
    let end = tail.find(['>', '*', '"', '\''])?;
    if !tail[..end].bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let after = skipped + close + 1 + end + 1;
    Some(if line[after..].starts_with(' ') {
        after + 1
    } else {
        after
    })
}

/// Whether a line ends so that the next one continues it (`,`, an open bracket, an
/// operator, a block's `|x|`, a trailing `\`).
fn continues(line: &str) -> bool {
    let t = line.trim_end();
    t.ends_with([
        ',', '(', '[', '{', '|', '\\', '+', '-', '*', '/', '=', '&', '.', '?', ':',
    ])
}

fn prepare(source: &str) -> Prepared {
    let mut p = Prepared::new(source);
    let lines: Vec<(usize, &str)> = {
        let mut at = 0;
        source
            .split_inclusive('\n')
            .map(|l| {
                let r = (at, l);
                at += l.len();
                r
            })
            .collect()
    };
    let body = |l: &str| l.trim_end_matches(['\n', '\r']).to_string();
    let session = lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .is_some_and(|(_, l)| prompt_len(l.trim_start()).is_some());
    let mut prev = String::new();
    for &(at, line) in &lines {
        let text = body(line);
        let indent = text.len() - text.trim_start().len();
        let t = text.trim_start();
        if session {
            match prompt_len(t) {
                Some(n) => p.blank(at + indent..at + indent + n),
                None => p.blank(at..at + text.len()),
            }
        } else if t.starts_with("=>") && !prev.is_empty() && !continues(&prev) {
            p.blank(at..at + text.len());
            continue;
        } else if t == "..." || t == "…" {
            // Elided code alone on its line (the grammar would read a beginless range).
            p.blank(at + indent..at + text.len());
            continue;
        }
        if !t.is_empty() {
            prev = t.to_string();
        }
    }
    p.line_numbers();
    p.placeholders();
    p
}

/// Constructs tree-sitter-ruby accepts and `ruby -c` rejects: a reserved word that closes or
/// continues a construct (`end`, `else`, `when`, ...) read as a name where no construct is
/// open (a stray `end`, or one left over by a misspelled `clas`): a method named so is
/// only ever called on a receiver (`range.end`) or defined (`def end`).
fn lint(root: Node, text: &str) -> Option<(Range<usize>, String)> {
    super::find_node(root, &mut |n| {
        if n.kind() != "identifier" {
            return None;
        }
        let word = &text[n.byte_range()];
        if !matches!(
            word,
            "end" | "else" | "elsif" | "when" | "then" | "do" | "ensure" | "rescue" | "in"
        ) {
            return None;
        }
        let parent = n.parent()?;
        let named_so = match parent.kind() {
            "call" => parent
                .child_by_field_name("method")
                .is_some_and(|m| m.id() == n.id()),
            "method" | "singleton_method" | "alias" | "undef" | "setter" | "keyword_parameter" => {
                true
            }
            _ => false,
        };
        (!named_so).then(|| (n.byte_range(), format!("unexpected '{word}'")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> (usize, String) {
        super::super::error_line(check, src)
    }

    #[test]
    fn fragments_parse() {
        for ok in [
            "class Dog < Animal\n  attr_reader :name\n\n  def initialize(name)\n    @name = name\n  end\nend\n",
            "[1, 2, 3].map { |x| x * 2 }\n",
            ">> [1, 2].sum\n=> 3\n>> puts 'hi'\nhi\n=> nil\n",
            "irb(main):001:0> def f(x)\nirb(main):002:1*   x + 1\nirb(main):003:0> end\n=> :f\n",
            "x = [3, 1, 2].sort\n=> [1, 2, 3]\n",
            "def process\n  # ...\n  ...\nend\n",
            "text = <<~EOS\n  don't (\nEOS\nwords = %w[a b c]\n",
            "h = { a: 1, 'b' => 2 }\nh.each do |k, v|\n  puts \"#{k}=#{v}\"\nend\n",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn errors() {
        let (line, msg) = err("def f(x)\n  if x\n    1\n  end\n");
        assert_eq!(line, 4);
        assert!(msg.contains("end of input"), "{msg}");
        // A bracket left open: named where `ruby -c` stops, on the first line that cannot go
        // on inside it.
        assert_eq!(
            err("def f\n  g(1, 2\nend\n"),
            (3, "expected ')' before 'end'".into())
        );
        assert_eq!(
            err("x = [1, 2\ny = 3]\n]\n"),
            (2, "expected ']' before 'y'".into())
        );
        assert_eq!(
            err("clas A < B\n  def f\n  end\nend\n"),
            (4, "unexpected 'end'".into())
        );
        assert_eq!(
            err("items.each do |x|\n  puts x\n").1,
            "expected 'end' at end of input"
        );
        assert_eq!(
            check("r = (1..5)\nr.end\ndef end; end\nh = { end: 1 }\n"),
            None
        );
    }

    #[test]
    fn read_on_as_ruby_does() {
        // Parentheses hold statements: `y = 3` goes on inside them, `end` cannot.
        assert_eq!(
            err("def total\n  x = (1 + 2\n  y = 3\nend\n"),
            (4, "expected ')' before 'end'".into())
        );
        // A hash literal's lines go on after a trailing comma; a new statement cannot.
        assert_eq!(
            err("config = {\n  host: 'localhost',\n  port: 3000\nputs config\n"),
            (4, "expected '}' before 'puts'".into())
        );
        // Left open to the end: named there.
        assert_eq!(
            err("scores = [\n  90,\n  85\n\n"),
            (3, "expected ']' at end of input".into())
        );
        // A heredoc's body is not read as code while looking for the line.
        assert_eq!(
            err("rows = db.query(\n  <<~SQL,\n    SELECT (\n  SQL\n  limit: 10\nrender :index\n").0,
            6
        );
    }

    #[test]
    fn strings_span_lines() {
        // No closing quote: the string meets the end of the input.
        let (line, msg) = err("class Greeter\n  def hello\n    puts \"hello\n  end\nend\n");
        assert_eq!(line, 5);
        assert!(
            msg.starts_with("unterminated string meets end of input"),
            "{msg}"
        );
        // It closes on a later line: what follows the closing quote is the error.
        assert_eq!(err("puts 'it is\nx = 1\ny = 'two'\n").0, 3);
        // A string cannot begin after a finished expression: named where it begins.
        assert_eq!(
            err("def show\n  if params[:id] == 1\"\n    render :show\n  end\nend\n").0,
            2
        );
        // Quotes inside an interpolation do not close the string.
        assert_eq!(string_end("\"a #{h[\"k\"]} b\" x", 0), Some(14));
    }

    #[test]
    fn prompts() {
        assert_eq!(prompt_len(">> 1 + 1"), Some(3));
        assert_eq!(prompt_len("irb(main):001:0> x"), Some(17));
        assert_eq!(prompt_len("irb(main):002:1* x"), Some(17));
        assert_eq!(prompt_len("[1] pry(main)> x"), Some(15));
        assert_eq!(prompt_len("irb.start"), None);
        assert_eq!(prompt_len("x >> 1"), None);
    }
}
