#!/usr/bin/env python3
"""Differential test of the tree-sitter sample checkers against each language's own reference.

Usage:
    python3 scripts/lang_differential.py CHECKER --lang c|cpp|java|go|bash|rust|php|ruby|cs
        [--corpus DIR] [--holdout REPO] [--holdout-share F] [--per-base N] [--seed N]
        [--show N] [--require] [--max-false-alarms N]

CHECKER is `target/release/examples/langcheck` (examples/langcheck.rs): `CHECKER LANG` reads
JSON lines {"src": ...} and prints {"ok": true} or {"line": N, "message": ...};
`CHECKER --extract FILE.md...` prints the notes' samples as the server extracts them.

The samples of the language (by fence tag) come from the corpus, one copy of each text. The
reference judges each in the readings the checker also tries (as a file, as class members, as
statements in a function body):
  c, cpp  gcc / g++ -fsyntax-only, with common headers included (-include, precompiled for
          C++); only errors of the parser count (expected ..., stray ..., missing terminating
          ...), a sample whose first error is semantic (undeclared names) or a missing header
          is left out as not self-contained;
  java    javac's parser alone (JavacTask.parse through scripts/JavaParse.java);
  go      gofmt -e (it reads files, declaration lists and statement lists itself);
  bash    bash -n;
  rust    rustc's parser alone (RUSTC_BOOTSTRAP=1 rustc -Z parse-crate-root-only, edition 2021),
          as a file, as statements in `fn f() { ... }`, as the items of an `impl`;
  php     php -l, a sample without `<?php` read after one, as class members and as an
          expression; compile errors that are not the parser's (`Cannot redeclare`) are
          left out as not self-contained;
  ruby    ruby -c;
  cs      Mono's C# compiler, `mcs --parse` (its parser alone; C# 7, so samples using later C#
          are rejected and left out of the valid set).
Samples the reference accepts are the valid set. Each is then mutated (a dropped `;` or bracket,
an unterminated string, a misspelled keyword) and the mutants the reference rejects are the
broken set. Figures are printed for the corpus minus the held-out samples (used while tuning)
and for the held-out samples alone (never looked at while tuning): those of the held-out
repositories or folders (per language, HOLDOUT), and with --holdout-share F a share F of the other distinct texts, chosen by a hash
of the text (for languages whose samples all come from one repository).
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

TAGS = {
    "c": {"c", "h"},
    "cpp": {"cpp", "c++", "cc", "cxx", "hpp"},
    "java": {"java"},
    "go": {"go", "golang"},
    "bash": {"bash", "sh", "shell", "console"},
    "rust": {"rust", "rs"},
    "php": {"php"},
    "ruby": {"ruby", "rb"},
    "cs": {"cs", "csharp", "c#"},
}

# Held out by default: a repository, or folders of one (every C# sample is in one repository).
HOLDOUT = {
    "cs": ["Ebazhanov__linkedin-skill-assessments-quizzes/unity",
           "Ebazhanov__linkedin-skill-assessments-quizzes/dotnet-framework"],
}
DEFAULT_HOLDOUT = ["imhuay__Algorithm_Interview_Notes-Chinese"]

KEYWORDS = {
    "c": ["if", "else", "for", "while", "return", "int", "void", "struct", "switch", "case",
          "break", "char", "sizeof", "typedef", "do", "static", "const", "include"],
    "java": ["if", "else", "for", "while", "return", "int", "void", "class", "switch", "case",
             "public", "private", "static", "new", "import", "extends", "try", "catch", "final"],
    "go": ["if", "else", "for", "return", "func", "package", "import", "var", "type",
           "struct", "switch", "case", "range", "go", "defer", "chan", "map", "interface"],
    "bash": ["if", "then", "else", "fi", "for", "do", "done", "while", "case", "esac",
             "function", "in", "elif", "until"],
    "rust": ["fn", "let", "mut", "if", "else", "for", "while", "loop", "match", "return",
             "struct", "enum", "impl", "trait", "pub", "use", "mod", "const", "where", "in"],
    "php": ["function", "echo", "return", "if", "else", "foreach", "while", "for", "class",
            "public", "private", "new", "as", "static", "try", "catch", "array", "switch"],
    "ruby": ["def", "end", "if", "else", "elsif", "do", "class", "module", "unless", "while",
             "return", "case", "when", "begin", "rescue", "then"],
    "cs": ["if", "else", "for", "foreach", "while", "return", "int", "void", "class", "switch",
           "case", "public", "private", "static", "new", "using", "namespace", "string", "var",
           "get", "set", "try", "catch"],
}
KEYWORDS["cpp"] = KEYWORDS["c"] + ["class", "public", "template", "typename", "namespace",
                                   "virtual", "using", "new", "delete", "auto", "const"]

C_PRELUDE = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include <ctype.h>
#include <math.h>
#include <assert.h>
#include <time.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <pthread.h>
"""

CPP_PRELUDE = """#include <iostream>
#include <string>
#include <vector>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <algorithm>
#include <memory>
#include <functional>
#include <utility>
#include <queue>
#include <stack>
#include <list>
#include <deque>
#include <array>
#include <sstream>
#include <fstream>
#include <iomanip>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <climits>
#include <numeric>
#include <thread>
#include <mutex>
using namespace std;
"""

# The readings, as (text before, text after); the checker tries the same.
WRAPS = {
    "c": [("", ""), ("void sample__(void) {\n", "\n}\n")],
    "cpp": [("", ""), ("void sample__() {\n", "\n}\n"), ("struct Sample__ {\n", "\n};\n")],
    "java": [("", ""), ("class Sample__ {\n", "\n}\n"),
             ("class Sample__ { void sample__() throws Exception {\n", "\n}}\n")],
    "rust": [("", ""), ("fn sample__() {\n", "\n}\n"), ("impl Sample__ {\n", "\n}\n")],
    "ruby": [("", "")],
    "cs": [("", ""), ("class Sample__ {\n", "\n}\n"),
           ("class Sample__ { async void Sample__() {\n", "\n}}\n")],
}
# PHP: a sample that opens PHP itself (`<?php`, `<?=`) is read as written; one without, after
# an `<?php` and as the members of a class.
PHP_TAGGED = [("", "")]
PHP_BARE = [("<?php\n", ""), ("<?php\nclass Sample__ {\n", "\n}\n")]


def php_tagged(src):
    low = src.lower()
    return "<?php" in low or "<?=" in low


def wraps_for(lang, src):
    if lang == "php":
        return PHP_TAGGED if php_tagged(src) else PHP_BARE
    return WRAPS[lang]


def expression_for(lang, src):
    if lang == "php":
        return None if php_tagged(src) else ("<?php\n(\n", "\n);\n")
    return EXPRESSION.get(lang)
# One more reading, tried when none of the above is free of syntax errors: an expression shown
# alone, without the `;` of a statement. It may accept a sample; its errors are never the
# reference's answer (the checker does the same).
EXPRESSION = {
    "c": ("void sample__(void) {\n(void)(\n", "\n);\n}\n"),
    "cpp": ("void sample__() {\n(void)(\n", "\n);\n}\n"),
    "java": ("class Sample__ { Object sample__ = (\n", "\n); }\n"),
    "cs": ("class Sample__ { object sample__ = (\n", "\n); }\n"),
}

# gcc/g++ errors that come from the parser or the lexer, not from names or types.
GCC_SYNTAX = re.compile(
    r"^(expected |stray |missing terminating|unterminated|empty character constant|"
    r"invalid preprocessing directive|#(else|elif|endif) without|"
    r"'else' without a previous 'if'|a function-definition is not allowed here|"
    r"function definition is not allowed here|invalid suffix|exponent has no digits|"
    r"(expected|unexpected) .* at end of input|.* before .* token$|"
    r"extended character .* is not valid in an identifier)"
)
GCC_LINE = re.compile(r"^[^:]*:(\d+):(\d+): (error|fatal error): (.*)$")


# Reference answers by text, kept between runs with --cache (a compiler's answer for a text
# does not change; the first run over a corpus is the slow one).
CACHE = {}


def cached(kind, text, compute):
    key = hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()
    if key not in CACHE:
        CACHE[key] = compute()
    return tuple(CACHE[key])


class Verdict:
    """ok, syntax (line, message), or skip (not judged: not self-contained)."""

    def __init__(self, kind, line=None, message=None, wrap=None):
        self.kind, self.line, self.message, self.wrap = kind, line, message, wrap

    def __repr__(self):
        return f"{self.kind} {self.line} {self.message!r}"


def gcc_judge(lang, text, workdir):
    """Judges one reading with gcc/g++: ('ok'|'syntax'|'semantic'|'fatal', line, message)."""
    return cached(lang, text, lambda: gcc_run(lang, text, workdir))


def gcc_run(lang, text, workdir):
    if lang == "c":
        cmd = ["gcc", "-std=gnu17", "-x", "c"]
    else:
        cmd = ["g++", "-std=gnu++20", "-x", "c++"]
    cmd += ["-fsyntax-only", "-w", "-fmax-errors=3", "-include",
            os.path.join(workdir, "prelude.h" if lang == "c" else "prelude.hpp"), "-"]
    proc = subprocess.run(cmd, input=text.encode(), capture_output=True, cwd=workdir)
    if proc.returncode == 0:
        return ("ok", None, None)
    for raw in proc.stderr.decode(errors="replace").splitlines():
        m = GCC_LINE.match(raw)
        if not m:
            continue
        line, kind, msg = int(m.group(1)), m.group(3), m.group(4)
        if kind == "fatal error":
            return ("fatal", line, msg)
        msg = msg.replace("\u2018", "'").replace("\u2019", "'")
        return ("syntax" if GCC_SYNTAX.match(msg) else "semantic", line, msg)
    return ("fatal", None, proc.stderr.decode(errors="replace")[:200])


def wrapped_judge(judge, lang, src, first_wrap=None):
    """The reference's verdict over the readings: the first that is free of syntax errors
    wins; otherwise the error of `first_wrap` (for a mutant: the reading its sample was valid
    in) or, with none given, the syntax error that comes furthest into the sample."""
    wraps = wraps_for(lang, src)
    if first_wrap == len(wraps):
        first_wrap = None  # valid as an expression only: the other readings' errors count
    first = first_wrap or 0
    order = [first] + [i for i in range(len(wraps)) if i != first]
    best = None
    semantic = False
    for i in order:
        before, after = wraps[i]
        kind, line, msg = judge(before + src + after)
        shift = before.count("\n")
        if kind in ("ok", "semantic"):
            if kind == "semantic":
                semantic = True
                # A semantic error first: the reading parses as far as gcc says, but what
                # comes after it may be a cascade; only a clean reading counts as valid.
                continue
            return Verdict("ok", wrap=i)
        if kind == "fatal":
            return Verdict("skip", message=msg)
        line = min(max(line - shift, 1), last_line(src))
        if best is None or (first_wrap is None and line > best.line):
            best = Verdict("syntax", line, msg, wrap=i)
    if expression_for(lang, src):
        before, after = expression_for(lang, src)
        if judge(before + src + after)[0] == "ok":
            return Verdict("ok", wrap=len(wraps))
    if semantic:
        return Verdict("skip", message="semantic errors")
    return best


def last_line(src):
    """The line of the sample's last non-blank line: errors a reference places in the text
    around the sample (a wrapper's closing brace) count there."""
    return max(1, src.rstrip().count("\n") + 1)


def make_gcc(lang, workdir):
    prelude = C_PRELUDE if lang == "c" else CPP_PRELUDE
    name = "prelude.h" if lang == "c" else "prelude.hpp"
    with open(os.path.join(workdir, name), "w") as f:
        f.write(prelude)
    if lang == "cpp":
        subprocess.run(["g++", "-std=gnu++20", "-x", "c++-header", name, "-o", name + ".gch"],
                       cwd=workdir, check=True)

    def judge_many(items):
        """items: (src, first_wrap) -> verdicts."""
        def one(item):
            src, first = item
            return wrapped_judge(lambda t: gcc_judge(lang, t, workdir), lang, src, first)
        with cf.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            return list(pool.map(one, items))
    return judge_many


def make_javac(script_dir):
    java = shutil.which("java")
    helper = os.path.join(script_dir, "JavaParse.java")

    def parse_all(texts):
        todo = sorted({t for t in texts
                       if hashlib.sha1(f"java\0{t}".encode()).hexdigest() not in CACHE})
        if todo:
            payload = "".join(t + "\0" for t in todo).encode()
            proc = subprocess.run([java, helper], input=payload, capture_output=True,
                                  check=True)
            out = proc.stdout.decode().splitlines()
            assert len(out) == len(todo), proc.stderr.decode()[:500]
            for t, row in zip(todo, out):
                if row == "ok":
                    res = ("ok", None, None)
                else:
                    line, msg = row.split("\t", 1)
                    res = ("syntax", int(line), msg)
                cached("java", t, lambda: res)
        return [cached("java", t, lambda: None) for t in texts]

    return make_batch("java", parse_all)


# mcs errors that come from reading several wrapped samples as one compilation (the same
# wrapper class declared in each), not from any one sample's syntax.
MCS_NOT_SYNTAX = {"CS0101", "CS0102", "CS0111", "CS0542", "CS0260", "CS0263"}
MCS_LINE = re.compile(r"^(.*)\((\d+),(\d+)\): error (CS\d+): (.*)$")


def mcs_parse_all(texts):
    """`mcs --parse` over many texts at once (one file each): ('ok'|'syntax', line, message)."""
    todo = sorted({t for t in texts if hashlib.sha1(f"cs\0{t}".encode()).hexdigest() not in CACHE})
    with tempfile.TemporaryDirectory(prefix="mcs-") as tmp:
        for k in range(0, len(todo), 300):
            chunk = todo[k:k + 300]
            names = []
            for n, t in enumerate(chunk):
                name = os.path.join(tmp, f"s{k + n}.cs")
                with open(name, "w") as f:
                    f.write(t)
                names.append(name)
            proc = subprocess.run(["mcs", "--parse"] + names,
                                  capture_output=True, text=True, errors="replace")
            first = {}
            for raw in (proc.stderr + proc.stdout).splitlines():
                m = MCS_LINE.match(raw)
                if m and m.group(4) not in MCS_NOT_SYNTAX and m.group(1) not in first:
                    first[m.group(1)] = (int(m.group(2)), f"{m.group(4)}: {m.group(5)}")
            for name, t in zip(names, chunk):
                res = ("syntax",) + first[name] if name in first else ("ok", None, None)
                cached("cs", t, lambda: res)
                os.unlink(name)
    return [cached("cs", t, lambda: None) for t in texts]


def make_batch(lang, parse_all):
    """A reference that parses many texts in one run (javac's parser, mcs): each sample in
    every reading, the first clean reading wins, else the error of the mutant's own reading
    or the one that comes furthest."""
    def judge_many(items):
        wraps = WRAPS[lang] + [EXPRESSION[lang]]
        texts = [b + src + a for src, _ in items for b, a in wraps]
        got = parse_all(texts)
        verdicts = []
        for k, (src, first) in enumerate(items):
            rows = got[k * len(wraps):(k + 1) * len(wraps)]
            if rows[-1][0] == "ok" and all(r[0] != "ok" for r in rows[:-1]):
                verdicts.append(Verdict("ok", wrap=len(wraps) - 1))
                continue
            rows = rows[:-1]
            if first == len(rows):
                first = None
            start = first or 0
            order = [start] + [i for i in range(len(rows)) if i != start]
            best = None
            for i in order:
                kind, line, msg = rows[i]
                if kind == "ok":
                    best = Verdict("ok", wrap=i)
                    break
                line = min(max(line - wraps[i][0].count("\n"), 1), last_line(src))
                if best is None or (first is None and line > best.line):
                    best = Verdict("syntax", line, msg, wrap=i)
            verdicts.append(best)
        return verdicts
    return judge_many


RUSTC_AT = re.compile(r"^\s*--> [^:]*:(\d+):\d+")
PHP_ERROR = re.compile(r"^(?:PHP )?(Parse error|Fatal error): +(.*) in .* on line (\d+)$")


def make_file_judge(lang, workdir):
    """A reference that reads a file, once per reading (through wrapped_judge): rustc's parser,
    php -l, ruby -c. Each judges to ('ok'|'syntax'|'semantic'|'fatal', line, message)."""
    suffix = {"rust": ".rs", "php": ".php", "ruby": ".rb"}[lang]
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")

    def run(text):
        fd, name = tempfile.mkstemp(suffix=suffix, dir=workdir)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        try:
            if lang == "rust":
                proc = subprocess.run(
                    ["rustc", "-Z", "parse-crate-root-only", "--edition", "2021",
                     "--crate-type", "lib", "-o", os.devnull, name],
                    capture_output=True, env=env, cwd=workdir)
            elif lang == "php":
                proc = subprocess.run(["php", "-n", "-d", "display_errors=1", "-d",
                                       "log_errors=0", "-l", name], capture_output=True)
            else:
                proc = subprocess.run(["ruby", "-c", name], capture_output=True)
        finally:
            os.unlink(name)
        if proc.returncode == 0:
            return ("ok", None, None)
        out = (proc.stdout + proc.stderr).decode(errors="replace").splitlines()
        if lang == "rust":
            first = next((k for k, l in enumerate(out) if l.startswith("error")), None)
            if first is None:
                return ("fatal", None, "\n".join(out)[:200])
            msg = out[first].split(": ", 1)[-1]
            for l in out[first + 1:]:
                m = RUSTC_AT.match(l)
                if m:
                    return ("syntax", int(m.group(1)), msg)
            return ("fatal", None, msg)
        if lang == "php":
            for l in out:
                m = PHP_ERROR.match(l.strip())
                if m:
                    kind = "syntax" if m.group(1) == "Parse error" else "semantic"
                    return (kind, int(m.group(3)), m.group(2))
            return ("fatal", None, "\n".join(out)[:200])
        for l in out:
            m = re.match(re.escape(name) + r":(\d+): (.*)", l)
            if m:
                return ("syntax", int(m.group(1)), m.group(2))
        return ("fatal", None, "\n".join(out)[:200])

    def judge_many(items):
        def one(item):
            src, first = item
            return wrapped_judge(lambda t: cached(lang, t, lambda: run(t)), lang, src, first)
        with cf.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            return list(pool.map(one, items))
    return judge_many


def make_simple(tool, cmd, stdin):
    """A reference run once per sample: `gofmt -e` on standard input (gofmt reads
    declaration and statement lists only there), `bash -n FILE`."""
    def judge_many(items):
        def one(item):
            src, _ = item
            return Verdict(*cached(tool, src, lambda: run(src)))

        def run(src):
            if stdin:
                proc = subprocess.run(cmd, input=src.encode(), capture_output=True)
                name = "<standard input>"
            else:
                with tempfile.NamedTemporaryFile("w", suffix=".src", delete=False) as f:
                    f.write(src)
                    name = f.name
                try:
                    proc = subprocess.run(cmd + [name], capture_output=True)
                finally:
                    os.unlink(name)
            if proc.returncode == 0:
                return ("ok", None, None, 0)
            err = proc.stderr.decode(errors="replace")
            m = re.search(re.escape(name) + r":(?: line )?(\d+)(?::\d+)?: (.*)", err)
            if not m:
                return ("skip", None, err[:200], None)
            line = min(int(m.group(1)), last_line(src))
            return ("syntax", line, m.group(2).strip(), 0)
        with cf.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            return list(pool.map(one, items))
    return judge_many


# ---- mutations ------------------------------------------------------------------------

def code_mask(src, lang):
    """For each byte: True where it is code (not inside a string, character literal or
    comment). Approximate, for choosing where to mutate."""
    mask = [True] * len(src)
    i, n = 0, len(src)
    hash_comments = lang in ("bash", "ruby", "php")
    block_comments = lang not in ("bash", "ruby")
    while i < n:
        if (src.startswith("//", i) and lang not in ("bash", "ruby")) or (
                hash_comments and src.startswith("#", i)
                and (i == 0 or src[i - 1] in " \t\n;")):
            j = src.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                mask[k] = False
            i = j
        elif block_comments and src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                mask[k] = False
            i = j
        elif src[i] in "\"'`":
            q = src[i]
            j = i + 1
            multiline = lang in ("bash", "ruby", "php") or (lang == "rust" and q == '"')
            while j < n and src[j] != q and (multiline or src[j] != "\n"):
                j += 2 if src[j] == "\\" and q != "'" else 1
            for k in range(i + 1, min(j, n)):
                mask[k] = False
            i = j + 1
        else:
            i += 1
    return mask


def mut_drop(chars):
    def mutate(src, rng, lang):
        mask = code_mask(src, lang)
        spots = [i for i, c in enumerate(src) if c in chars and mask[i]]
        if not spots:
            return None
        i = rng.choice(spots)
        return src[:i] + src[i + 1:]
    return mutate


def mut_drop_quote(src, rng, lang):
    mask = code_mask(src, lang)
    # A quote in code opens or closes a literal (its inside is masked).
    quotes = "\"'" if lang in ("php", "ruby") else '"'
    spots = [i for i, c in enumerate(src) if c in quotes and mask[i]]
    if not spots:
        return None
    i = rng.choice(spots)
    return src[:i] + src[i + 1:]


def mut_keyword(src, rng, lang):
    mask = code_mask(src, lang)
    spots = [m for m in re.finditer(r"\b(%s)\b" % "|".join(KEYWORDS[lang]), src)
             if mask[m.start()]]
    if not spots:
        return None
    m = rng.choice(spots)
    word = m.group(0)
    if len(word) >= 3 and rng.random() < 0.6:
        k = rng.randrange(len(word) - 1)
        typo = word[:k] + word[k + 1] + word[k] + word[k + 2:]
    else:
        k = rng.randrange(len(word))
        typo = word[:k] + word[k + 1:]
    if typo == word or not typo:
        return None
    return src[:m.start()] + typo + src[m.end():]


MUTATIONS = [
    ("drop-semicolon", mut_drop(";")),
    ("drop-bracket", mut_drop("(){}[]")),
    ("unterminated-string", mut_drop_quote),
    ("misspelled-keyword", mut_keyword),
]


# ---- the run ----------------------------------------------------------------------------

def run_checker(cmd, lang, sources):
    payload = "".join(json.dumps({"src": s}) + "\n" for s in sources)
    proc = subprocess.run(cmd + [lang], input=payload, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"checker exited with {proc.returncode}")
    out = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(out) != len(sources):
        raise SystemExit(f"checker printed {len(out)} verdicts for {len(sources)} samples")
    return out


def extract(cmd, corpus, lang):
    files = []
    for root, _dirs, names in os.walk(corpus):
        files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".md")]
    files.sort()
    rows = []
    for k in range(0, len(files), 200):
        proc = subprocess.run(cmd + ["--extract"] + files[k:k + 200], capture_output=True,
                              text=True, check=True)
        rows += [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    tags = TAGS[lang]
    return [r for r in rows if r["tag"].lower() in tags and r["src"].strip()]


# A terminal session (a prompt on the first line): the checker reads only its commands, the
# reference would read its output as commands too, so sessions are left to the fixtures.
SESSION = re.compile(r"^\s*(\$|>)( |$)|^\s*(\[[^\]]*\]|\S*[@:~]\S*)[$#]( |$)")


# An irb or pry session: the same, for Ruby.
RUBY_SESSION = re.compile(r"^\s*(>>|irb\(|(\[\d+\] )?pry\()")


def is_session(src, lang="bash"):
    first = next((l for l in src.splitlines() if l.strip()), "")
    return bool((RUBY_SESSION if lang == "ruby" else SESSION).match(first))


def held_out(path, corpus, holdout):
    rel = os.path.relpath(path, corpus).replace(os.sep, "/")
    return any(rel == h or rel.startswith(h.rstrip("/") + "/") for h in holdout)


def held_by_hash(src, share):
    """Whether a text falls in the held-out share (a fixed hash of the text)."""
    h = int(hashlib.sha1(b"holdout\0" + src.encode()).hexdigest()[:8], 16)
    return h < share * 2 ** 32


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checker", nargs="+")
    ap.add_argument("--lang", required=True, choices=sorted(TAGS))
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "shared", "corpus"),
                    help="the notes to take samples from (default: ../shared/corpus)")
    ap.add_argument("--holdout", action="append",
                    help="a repository or a folder of one (relative to the corpus) held out; "
                         "repeatable (default: per language, HOLDOUT)")
    ap.add_argument("--holdout-share", type=float, default=0.0, metavar="F",
                    help="also hold out this share of the other distinct texts (by a hash)")
    ap.add_argument("--per-base", type=int, default=4, help="mutants tried per valid sample")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=0,
                    help="cases to print per kind of miss (tuning set only)")
    ap.add_argument("--cache", metavar="FILE",
                    help="keep the reference's answers in FILE between runs")
    ap.add_argument("--require", action="store_true",
                    help="exit 1 unless the tuning set meets the issue's bars")
    ap.add_argument("--max-false-alarms", type=int, metavar="N",
                    help="exit 1 when more than N valid samples (tuning and held out) are "
                         "flagged: CI's threshold, the count last measured")
    args = ap.parse_args()
    cmd = args.checker if len(args.checker) > 1 else shlex.split(args.checker[0])
    lang = args.lang
    corpus = os.path.abspath(args.corpus)
    holdout = args.holdout or HOLDOUT.get(lang, DEFAULT_HOLDOUT)
    if not os.path.isdir(corpus):
        raise SystemExit(f"no corpus at {corpus}")

    rows = extract(cmd, corpus, lang)
    sessions = 0
    if lang in ("bash", "ruby"):
        sessions = len({r["src"] for r in rows if is_session(r["src"], lang)})
        rows = [r for r in rows if not is_session(r["src"], lang)]
    # One copy of each text; a text also found outside the held-out repository is not held out.
    split_of = {}
    for r in rows:
        held = held_out(r["path"], corpus, holdout) or held_by_hash(r["src"],
                                                                     args.holdout_share)
        prev = split_of.get(r["src"])
        split_of[r["src"]] = "held-out" if held and prev in (None, "held-out") else "tuning"
    sources = sorted(split_of)

    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as f:
            CACHE.update(json.load(f))
    workdir = tempfile.mkdtemp(prefix=f"langdiff-{lang}-")
    try:
        if lang in ("c", "cpp"):
            judge = make_gcc(lang, workdir)
        elif lang == "java":
            judge = make_javac(os.path.dirname(os.path.abspath(__file__)))
        elif lang == "cs":
            judge = make_batch("cs", mcs_parse_all)
        elif lang == "go":
            judge = make_simple("gofmt-stdin", ["gofmt", "-e"], stdin=True)
        elif lang in ("rust", "php", "ruby"):
            judge = make_file_judge(lang, workdir)
        else:
            judge = make_simple("bash", ["bash", "-n"], stdin=False)

        ref = judge([(s, None) for s in sources])
        rng = random.Random(args.seed)
        mutants = []  # (split, base, op, src)
        seen = set(sources)
        for src, v in zip(sources, ref):
            if v.kind != "ok":
                continue
            ops = list(MUTATIONS)
            rng.shuffle(ops)
            made = 0
            for name, fn in ops * 2:
                if made >= args.per_base:
                    break
                m = fn(src, rng, lang)
                if m is None or m in seen:
                    continue
                seen.add(m)
                mutants.append((split_of[src], src, name, m, v.wrap))
                made += 1
        mref = judge([(m[3], m[4]) for m in mutants])
        ours = run_checker(cmd, lang, sources + [m[3] for m in mutants])
        ours_base, ours_mut = ours[:len(sources)], ours[len(sources):]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.cache:
            with open(args.cache, "w") as f:
                json.dump(CACHE, f)

    failed = False
    false_alarms = 0
    print(f"== {lang}: {len(rows)} samples tagged {'/'.join(sorted(TAGS[lang]))} in the corpus, "
          f"{len(sources)} distinct; held out: {', '.join(holdout)}"
          + (f" and {args.holdout_share:.0%} of the others by hash" if args.holdout_share else "")
          + (f"; {sessions} terminal sessions left to the fixtures" if sessions else ""))
    times = sorted(o["us"] for o in ours_base if "us" in o)
    if times:
        print(f"   checker time per distinct sample (this build): median "
              f"{times[len(times) // 2]:.0f} us, 90th percentile "
              f"{times[len(times) * 9 // 10]:.0f} us, slowest {times[-1]:.0f} us")
    for split in ("tuning", "held-out"):
        idx = [i for i, s in enumerate(sources) if split_of[s] == split]
        valid = [i for i in idx if ref[i].kind == "ok"]
        rejected = [i for i in idx if ref[i].kind == "syntax"]
        skipped = [i for i in idx if ref[i].kind == "skip"]
        fps = [i for i in valid if not ours_base[i].get("ok")]
        false_alarms += len(fps)
        rej_flagged = [i for i in rejected if not ours_base[i].get("ok")]
        skip_flagged = [i for i in skipped if not ours_base[i].get("ok")]
        mids = [k for k, m in enumerate(mutants) if m[0] == split and mref[k].kind == "syntax"]
        found = [k for k in mids if not ours_mut[k].get("ok")]
        near = [k for k in found if abs(ours_mut[k]["line"] - mref[k].line) <= 1]
        flagged = [i for i in idx if not ours_base[i].get("ok")]
        print(f"-- {split}: {len(idx)} distinct samples; reference accepts {len(valid)}, "
              f"rejects {len(rejected)}, not self-contained {len(skipped)}; "
              f"checker flags {len(flagged)}")
        print(f"   valid samples flagged: {len(fps)}/{len(valid)} = {pct(len(fps), len(valid))}")
        print(f"   mutants the reference rejects found: {len(found)}/{len(mids)} = "
              f"{pct(len(found), len(mids))}")
        print(f"   on the reference's line (+-1): {len(near)}/{len(found)} = "
              f"{pct(len(near), len(found))} of those found")
        print(f"   corpus samples the reference rejects, flagged: {len(rej_flagged)}/"
              f"{len(rejected)}")
        if skipped:
            print(f"   not self-contained samples (not judged), flagged: {len(skip_flagged)}/"
                  f"{len(skipped)}")
        by_op = {}
        for k in mids:
            op = mutants[k][2]
            f, n, t = by_op.get(op, (0, 0, 0))
            is_found = not ours_mut[k].get("ok")
            is_near = is_found and abs(ours_mut[k]["line"] - mref[k].line) <= 1
            by_op[op] = (f + is_found, n + is_near, t + 1)
        print("   by mutation: " + ", ".join(f"{op} {f}/{t} found, {n} on line"
                                             for op, (f, n, t) in sorted(by_op.items())))
        if split == "tuning" and (len(fps) > 0.01 * len(valid) or
                                  len(found) < 0.9 * len(mids) or
                                  len(near) < 0.8 * len(found)):
            failed = True
        # The held-out repository's cases are never printed: it stays unseen while tuning.
        if args.show and split == "tuning":
            def show(title, items):
                if items:
                    print(f"\n   === {split}: {title} ({len(items)}) ===")
                for src, exp, got in items[:args.show]:
                    print("   ---")
                    print("      " + src.replace("\n", "\n      ").rstrip())
                    print(f"      reference: {exp}")
                    print(f"      checker:   {got}")
            show("FLAGGED VALID", [(sources[i], ref[i], ours_base[i]) for i in fps])
            show("MISSED MUTANTS", [(mutants[k][3], f"{mutants[k][2]}: {mref[k]}", ours_mut[k])
                                    for k in mids if ours_mut[k].get("ok")])
            show("WRONG LINE", [(mutants[k][3], f"{mutants[k][2]}: {mref[k]}", ours_mut[k])
                                for k in found if k not in set(near)])
            show("REJECTED BY THE REFERENCE", [(sources[i], ref[i], ours_base[i])
                                               for i in rejected])
    if args.max_false_alarms is not None and false_alarms > args.max_false_alarms:
        print(f"FAIL: {false_alarms} valid samples flagged, more than the "
              f"{args.max_false_alarms} allowed")
        return 1
    return 1 if failed and args.require else 0


if __name__ == "__main__":
    sys.exit(main())
