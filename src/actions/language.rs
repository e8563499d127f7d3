//! `missing-language`: an untagged fence whose code parses as Python, or as exactly one of the
//! languages checked ([`crate::samples::guess`]), gets its tag.

use super::{Ctx, Fix, Kind, SampleAt};
use crate::checks;
use crate::codes::code;

pub const ID: &str = "add-language";

/// The tag for a sample's code: `pycon` for a `>>>` session, else `python`.
pub(crate) fn tag_for(source: &str) -> &'static str {
    let first = source.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with(">>>") {
        "pycon"
    } else {
        "python"
    }
}

/// Where the tag goes: right after the opening fence's backticks or tildes.
pub(crate) fn tag_insertion(cx: &Ctx, s: &SampleAt) -> Option<usize> {
    let open = s.sample.layout.open_fence.clone()?;
    let line = &cx.text[open.clone()];
    let marker = line.trim_start_matches(' ');
    let c = marker.chars().next()?;
    let run = marker.bytes().take_while(|&b| b == c as u8).count();
    Some(open.start + (line.len() - marker.len()) + run)
}

pub fn fix(cx: &Ctx, s: &SampleAt) -> Option<Fix> {
    let d = s.diagnostic.as_ref()?;
    if d.code != code::MISSING_LANGUAGE {
        return None;
    }
    let at = tag_insertion(cx, s)?;
    let raw: String = s
        .sample
        .layout
        .code
        .iter()
        .map(|r| format!("{}\n", &cx.text[r.clone()]))
        .collect();
    // Nothing to check: a tag on a sample that parses as Python only names what it is. A
    // language told apart from the others by parsing alone is offered, not applied by fix-all.
    let (tag, safe) = match checks::guessed_language(&s.sample) {
        Some(lang) => (lang.tags[0], false),
        None => (tag_for(&raw), true),
    };
    Some(Fix {
        id: ID,
        title: format!("Tag the fence ```{tag}"),
        kind: Kind::QuickFix,
        edits: vec![(at..at, tag.to_string())],
        diagnostic_code: Some(d.code),
        diagnostic_range: Some(d.range.clone()),
        safe,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};

    #[test]
    fn tags_an_untagged_fence() {
        check_fix(
            super::ID,
            "### What is a closure?\n\nA function that keeps its scope:\n\n$0```\ndef outer():\n    x = 1\n    def inner():\n        return x\n    return inner\n```\n",
            "### What is a closure?\n\nA function that keeps its scope:\n\n```python\ndef outer():\n    x = 1\n    def inner():\n        return x\n    return inner\n```\n",
        );
    }

    #[test]
    fn tags_a_session_pycon_inside_a_list_with_crlf() {
        check_fix(
            super::ID,
            "- try it:\r\n\r\n  $0```\r\n  >>> import sys\r\n  >>> def count(x):\r\n  ...     return sys.getrefcount(x)\r\n  >>> count([])\r\n  1\r\n  ```\r\n",
            "- try it:\r\n\r\n  ```pycon\r\n  >>> import sys\r\n  >>> def count(x):\r\n  ...     return sys.getrefcount(x)\r\n  >>> count([])\r\n  1\r\n  ```\r\n",
        );
    }

    #[test]
    fn tags_the_one_language_a_sample_parses_in() {
        let fix = check_fix(
            super::ID,
            "### How do you sum a slice?\n\n$0```\nfunc sum(nums []int) int {\n    total := 0\n    for _, n := range nums {\n        total += n\n    }\n    return total\n}\n```\n",
            "### How do you sum a slice?\n\n```go\nfunc sum(nums []int) int {\n    total := 0\n    for _, n := range nums {\n        total += n\n    }\n    return total\n}\n```\n",
        );
        // Told apart by parsing alone: offered, never applied by fix-all.
        assert!(!fix.safe);
        check_fix(
            super::ID,
            "**Top five errors in a log?**\n\n$0```\ngrep -c \"ERROR\" /var/log/app.log | sort -rn | head -n 5 > top.txt\n```\n",
            "**Top five errors in a log?**\n\n```bash\ngrep -c \"ERROR\" /var/log/app.log | sort -rn | head -n 5 > top.txt\n```\n",
        );
    }

    #[test]
    fn leaves_other_code_alone() {
        // Several languages read it (C and C++; JavaScript and TypeScript): nothing said.
        check_no_fix(
            super::ID,
            "$0```\nint add(int a, int b) {\n    return a + b;\n}\n```\n",
        );
        check_no_fix(
            super::ID,
            "$0```\nA stack is last in, first out. Push adds on top; pop takes the top off.\n```\n",
        );
        check_no_fix(super::ID, "$0```\nfunction f() {\n  return 1;\n}\n```\n");
        check_no_fix(super::ID, "$0```\ndef broken(:\n    pass\n```\n");
    }
}
