//! YAML samples, read by `saphyr-parser` (the YAML 1.2 parser of `saphyr`), every document of
//! the stream. Events only: no tree is built, so nesting costs no recursion.
//!
//! Not checked: templates (`{{ ... }}` of Helm, Ansible or Jinja are not YAML until
//! rendered). `...` is YAML's own document end marker, so it needs no rule.

use saphyr_parser::Parser;

use super::SyntaxError;

pub fn check(source: &str) -> Option<SyntaxError> {
    if source.contains("{{") || source.contains("{%") {
        return None;
    }
    let text = neutralize(source);
    for event in Parser::new_from_str(&text) {
        if let Err(e) = event {
            let m = e.marker();
            let at = offset(source, m.line(), m.col());
            return Some(SyntaxError {
                range: at..at,
                message: e.info().to_string(),
            });
        }
    }
    None
}

/// Whether the first document is a mapping or a sequence (not a lone scalar: any line of
/// prose is one), and the stream parses.
pub fn is_collection(source: &str) -> bool {
    use saphyr_parser::Event;
    for event in Parser::new_from_str(&neutralize(source)) {
        match event {
            Ok((Event::MappingStart(..) | Event::SequenceStart(..), _)) => return true,
            Ok((Event::StreamStart | Event::DocumentStart(_), _)) => continue,
            _ => return false,
        }
    }
    false
}

/// `<placeholder>` values and `# ...` stay valid YAML as they are; an elided line `...` in the
/// middle of a mapping does not: such lines become comments (same length).
fn neutralize(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        let t = line.trim();
        if (t == "..." || t == "…") && line.starts_with([' ', '\t']) {
            let ws = line.len() - line.trim_start().len();
            out.push_str(&line[..ws]);
            out.push('#');
            out.push_str(&line[ws + 1..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The byte offset of a 1-based line and 0-based column counted in characters.
fn offset(src: &str, line: usize, col: usize) -> usize {
    let start: usize = src
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &src[start.min(src.len())..];
    let within = rest
        .char_indices()
        .nth(col)
        .map_or(rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
    start + within
}

#[cfg(test)]
mod tests {
    use super::check;

    fn line(src: &str) -> Option<usize> {
        check(src).map(|e| src[..e.range.start].matches('\n').count() + 1)
    }

    #[test]
    fn documents_and_fragments() {
        for ok in [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:<version>\n",
            "a: 1\n---\nb: [1, 2]\n...\n",
            "steps:\n  - run: echo hi\n  ...\n",
            "name: {{ .Values.name }}\n",
        ] {
            assert_eq!(line(ok), None, "{ok}");
        }
    }

    #[test]
    fn broken_documents_are_reported_on_their_line() {
        assert_eq!(line("a: [1, 2\nb: 3\n"), Some(2));
        assert_eq!(line("a: 1\n b: 2\n"), Some(2));
        // A quoted scalar may span lines: the error names where it opens.
        assert_eq!(line("key: \"open\nother: 1\n"), Some(1));
    }
}
