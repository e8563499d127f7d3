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
    if (1..=3)
        .any(|k| super::check_readings(&GRAMMAR, &format!("{text}{}", "\nend".repeat(k))).is_ok())
    {
        let last = super::last_token_range(&text);
        return Some(SyntaxError {
            range: prepared.to_source(last.start)..prepared.to_source(last.end),
            message: "expected 'end' at end of input".into(),
        });
    }
    Some(error)
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
        // A bracket left open: found, but named where tree-sitter's recovery stops (line 1),
        // not where `ruby -c` does (line 3, at the `end`).
        assert!(check("def f\n  g(1, 2\nend\n").is_some());
        assert!(check("x = [1, 2\ny = 3]\n]\n").is_some());
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
    fn prompts() {
        assert_eq!(prompt_len(">> 1 + 1"), Some(3));
        assert_eq!(prompt_len("irb(main):001:0> x"), Some(17));
        assert_eq!(prompt_len("irb(main):002:1* x"), Some(17));
        assert_eq!(prompt_len("[1] pry(main)> x"), Some(15));
        assert_eq!(prompt_len("irb.start"), None);
        assert_eq!(prompt_len("x >> 1"), None);
    }
}
