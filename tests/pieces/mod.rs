//! The pieces the randomized tests build notes from, and the fixed random sequence of their
//! deterministic cases, shared by the test files that have them.

/// A deterministic xorshift from `seed`: the same edits on every run.
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// Pieces notes are made of, including the ones that move chunk boundaries: headings that
/// open and close sections, fences that swallow headings, HTML blocks next to headings.
pub const PIECES: &[&str] = &[
    "# Python\n",
    "## Concurrency\n",
    "### What is the GIL?\n",
    "#### 3. Explain closures\n",
    "\n",
    "Some prose about threads.\n",
    "**Why is it slow?**\n",
    "```python\ndef f(x):\n    return x\n```\n",
    "```python\ndef g(:\n    pass\n```\n",
    "```\n",
    "```json\n{\"a\": 1,}\n```\n",
    "- item one\n- item two\n",
    "  ```py\n  print('in a list')\n  ```\n",
    "    indented = code\n    if x:\n",
    "> quoted\n> ```py\n> x = (\n> ```\n",
    "<div>\n",
    "<!-- notes-lsp: nocheck -->\n",
    "Setext heading\n===\n",
    "中文 😀 emoji\n",
    "line with crlf\r\n",
    // Long stretches without headings get cut at blank lines: lists of questions, HTML
    // blocks, front-matter-like rules, lines that continue a list item.
    "1. ### What is a closure?\n\n",
    "   It captures variables.\n\n",
    "2. ### Why?\n\n",
    "- item\n\n",
    "* star item\n",
    "<table>\n<tr><td>x</td></tr>\n",
    "</table>\n\n",
    "<details>\n<summary>What is the GIL? | <b>why</b></summary>\n",
    "<!--\n",
    "-->\n",
    "---\n",
    "\n\n",
    "#",
    "`",
    "x",
    " ",
    "\n",
    // Hostile input (the reliability fuzzing): NUL bytes, lone CRs, blocks that only a
    // closing marker ends, deep nesting, Python that nests deeply.
    "\0",
    "\r",
    "\t",
    "<script>\n",
    "</script>\n",
    "~~~\n",
    ">>>>>>>> deep\n",
    "- - - - - x\n",
    "```python\nx = ------1 + f(g(h(\n```\n",
];

/// GFM tables and what changes a row's cells: their data rows are edited without a parse
/// (`note/shift.rs`). Not in [`PIECES`]: tables built from arbitrary pieces meet
/// tree-sitter-md's table quirks (it can run a table over the heading after it), where no cut
/// reproduces a parse of the whole note; tests that compare with one leave them out.
// Each test file compiles this module on its own; `incremental.rs` has no use for these.
#[allow(dead_code)]
pub const TABLE_PIECES: &[&str] = &[
    "| No. | Question |\n| --- | :-: |\n",
    "| 1 | [What is a closure?](#what-is-a-closure) |\n",
    "| 2 | see https://docs.python.org `a|b` |\n",
    "|",
    "](#",
];
