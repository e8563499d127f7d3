//! Tabs in a sample's indentation become spaces (tab stops of 4, as Markdown reads them), when
//! the sample then parses. Only the leading whitespace of lines that hold a tab changes.

use super::fence::rows;
use super::{Ctx, Fix, SampleAt};
use crate::checks::Verdict;
use crate::codes::code;
use crate::samples::{Lang, looks_like_python};

pub const ID: &str = "tabs-to-spaces";

pub fn fix(cx: &Ctx, s: &SampleAt) -> Option<Fix> {
    let sample = &s.sample;
    let python = sample.lang.is_python()
        || (sample.lang == Lang::Untagged && looks_like_python(&sample.source));
    if sample.nocheck || sample.layout.in_quote || !python {
        return None;
    }
    // The code lines only (not the fences), whole.
    let lines: Vec<_> = if sample.fenced {
        let code = &sample.layout.code;
        let (first, last) = (code.first()?.start, code.last()?.end);
        rows(cx, first..last)
            .into_iter()
            .filter(|r| r.start >= cx.line_start(first))
            .collect()
    } else {
        rows(cx, sample.range.start..sample.layout.code.last()?.start)
    };
    let mut edits = Vec::new();
    for r in &lines {
        let ws = &cx.text[r.start..r.start + r.ws];
        if ws.contains('\t') && !r.blank {
            edits.push((r.start..r.start + r.ws, " ".repeat(r.width)));
        }
    }
    let target = s
        .diagnostic
        .as_ref()
        .filter(|d| matches!(d.code, code::PYTHON_SYNTAX | code::GUESSED_PYTHON_SYNTAX));
    if target.is_none() && s.verdict != Verdict::Parses {
        return None;
    }
    cx.checked_fix(
        ID,
        "Indent the sample with spaces instead of tabs".into(),
        edits,
        target,
        false,
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_fix, check_no_fix};
    use super::ID;

    #[test]
    fn tabs_mixed_with_spaces_in_a_list_item() {
        check_fix(
            ID,
            "- Unit tests run often.\n    example:\n\n\t    import unittest\n\n\t    def add(x, y):\n\t        return x + y\n\n\t    class TestAdd(unittest.TestCase):\n\n        $0    def test_add(self):\n                self.assertEqual(add(2, 3), 5)\n",
            "- Unit tests run often.\n    example:\n\n        import unittest\n\n        def add(x, y):\n            return x + y\n\n        class TestAdd(unittest.TestCase):\n\n            def test_add(self):\n                self.assertEqual(add(2, 3), 5)\n",
        );
    }

    #[test]
    fn decorator_indented_with_tabs() {
        check_fix(
            ID,
            "- Here is a decorator:\n\t\n\n\t\tdef shout(func):\n         def wrapper():\n             return func().upper()\n         return wrapper\n\n\t\t$0@shout\n\t\tdef hello():\n\t\t\treturn \"hi\"\n",
            "- Here is a decorator:\n\t\n\n        def shout(func):\n         def wrapper():\n             return func().upper()\n         return wrapper\n\n        @shout\n        def hello():\n            return \"hi\"\n",
        );
    }

    #[test]
    fn not_when_it_still_does_not_parse() {
        check_no_fix(ID, "```python\n\tdef f(:\n\t\treturn 1$0\n```\n");
    }
}
