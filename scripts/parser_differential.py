#!/usr/bin/env python3
"""Differential tests of the sample checkers against reference parsers, per language.

Usage:
    python3 scripts/parser_differential.py SAMPLECHECK --lang js|ts|sql|yaml|toml|json
        [--corpus DIR] [--seed N] [--per-base N] [--show N] [--ts-dir DIR]

SAMPLECHECK is the built `examples/samplecheck.rs` (it dumps the corpus's samples as the server
extracts them, and checks samples read as JSON lines). The references:

    js    V8 (node): scripts through vm.Script, modules through `node --check` on a .mjs file
    ts    the `typescript` package's parser, syntactic diagnostics only (--ts-dir: the folder
          holding node_modules/typescript)
    sql   SQLite (python's sqlite3): each statement compiled with EXPLAIN in an empty database,
          errors other than syntax errors (no such table, ...) taken as valid syntax
    yaml  PyYAML's parser (every document of the stream)
    toml  python's tomllib
    json  python's json (json.loads: RFC 8259, NaN and Infinity aside)

Samples are fragments, so a reference judges a sample under the same readings the checker
tries: as a file, and (JS/TS) as a function body, as class members, as an object's members.
The sets: corpus samples (deduplicated by text) the reference accepts under some reading
("valid"), and seeded mutants of them (a dropped bracket or `;`, a quote dropped from a
string, a misspelled keyword) the reference rejects under every reading ("rejected"). Printed
per split, for samples the checker's rules were tuned on and for held-out ones (the
repositories in HOLD_OUT and one sample in four of the others, by a hash of its text, never
looked at while tuning): valid samples flagged, rejected mutants found, and of those found, the
diagnostic on the reference's line (within one line). Only the standard library is used, and
node for JS/TS.
"""

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
HOLD_OUT = ("sudheerj__javascript-interview-questions", "bregman-arie__devops-exercises")

LANG_NAMES = {"js": "javascript", "ts": "typescript", "sql": "sql", "yaml": "yaml", "toml": "toml",
              "json": "json"}

# Readings of a JS/TS fragment: text before and after it (the checker tries the same).
WRAPS = [
    ("", ""),
    ("async function* __sample() {\n", "\n}\n"),
    ("class __Sample {\n", "\n}\n"),
    ("({\n", "\n});\n"),
]

KEYWORDS = {
    "js": ["function", "return", "const", "let", "class", "else", "while", "for", "new", "typeof",
           "async", "await", "import", "export", "this", "switch", "case", "try", "catch"],
    "ts": ["function", "return", "const", "let", "class", "interface", "type", "else", "while",
           "for", "new", "extends", "implements", "public", "private", "readonly", "enum"],
    "sql": ["SELECT", "FROM", "WHERE", "INSERT", "INTO", "VALUES", "UPDATE", "DELETE", "CREATE",
            "TABLE", "JOIN", "GROUP", "ORDER", "BY", "HAVING", "SET", "LIMIT", "UNION"],
    "yaml": [],
    "toml": [],
    "json": ["true", "false", "null"],
}


def split_of(sample):
    if any(sample["file"].find("/" + r + "/") >= 0 for r in HOLD_OUT):
        return "held out"
    return "held out" if zlib.crc32(sample["src"].encode()) % 4 == 0 else "tuning"


class Lines:
    """A long-running line-oriented JSON process."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.start()

    def start(self):
        self.p = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)

    def ask(self, obj):
        try:
            self.p.stdin.write(json.dumps(obj) + "\n")
            self.p.stdin.flush()
            line = self.p.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            # The process died on this input (node's vm.Script trips an assertion on some
            # sources): start it again and ask for a file check instead.
            self.p.wait()
            self.start()
            if obj.get("mode") == "script":
                return self.ask(dict(obj, mode="script-file"))
            raise RuntimeError(f"{self.cmd[0]} died on {obj!r:.200}")
        return json.loads(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait()


# ---- references ------------------------------------------------------------------------

class JsReference:
    def __init__(self, lang, tag_of, ts_dir):
        cmd = ["node", os.path.join(HERE, "differential", "js_reference.cjs")]
        if ts_dir:
            cmd.append(ts_dir)
        self.node = Lines(cmd)
        self.lang = lang
        self.tag_of = tag_of

    def modes(self, tag):
        if self.lang == "js":
            return ["script", "module"]
        return ["tsx"] if tag == "tsx" else ["ts", "tsx"]

    def judge(self, src, tag, reading=None):
        """(reading, None) for the first reading the reference accepts, else (None, line) with
        the line of the reference's error under `reading` (or the file reading)."""
        first_line = None
        readings = range(len(WRAPS)) if reading is None else [reading] + [
            r for r in range(len(WRAPS)) if r != reading]
        for r in readings:
            before, after = WRAPS[r]
            for mode in self.modes(tag):
                if mode == "module" and r != 0:
                    continue
                if mode == "module" and not re.search(r"\b(import|export|await)\b", src):
                    continue
                v = self.node.ask({"src": before + src + after, "mode": mode})
                if v.get("ok"):
                    return r, None
                if first_line is None:
                    first_line = max(1, v["line"] - before.count("\n"))
        return None, first_line


def sql_statements(src):
    """Statements as SQLite splits them: (text, start offset)."""
    out, start = [], 0
    for i, c in enumerate(src):
        if c == ";" and sqlite3.complete_statement(src[start:i + 1]):
            out.append((src[start:i + 1], start))
            start = i + 1
    if src[start:].strip():
        out.append((src[start:], start))
    return out


class SqlReference:
    SYNTAX = ("syntax error", "incomplete input", "unrecognized token")

    def judge(self, src, tag, reading=None):
        for stmt, start in sql_statements(src):
            if not stmt.strip().rstrip(";").strip():
                continue
            db = sqlite3.connect(":memory:")
            try:
                db.execute("EXPLAIN " + stmt)
            except sqlite3.Warning:
                pass
            except sqlite3.Error as e:
                msg = str(e)
                if any(s in msg for s in self.SYNTAX) or "You can only execute one" in msg:
                    m = re.search(r'near "(.*?)"', msg, re.S)
                    at = start + (stmt.find(m.group(1)) if m and m.group(1) in stmt
                                  else len(stmt.rstrip()))
                    return None, src[:at].count("\n") + 1
            finally:
                db.close()
        return 0, None


class YamlReference:
    def __init__(self):
        import yaml  # PyYAML
        self.yaml = yaml

    def judge(self, src, tag, reading=None):
        try:
            for _ in self.yaml.parse(src, Loader=self.yaml.SafeLoader):
                pass
            return 0, None
        except self.yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            return None, (mark.line + 1) if mark else 1


class TomlReference:
    def judge(self, src, tag, reading=None):
        import tomllib
        try:
            tomllib.loads(src)
            return 0, None
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"line (\d+)", str(e))
            return None, int(m.group(1)) if m else 1


class JsonReference:
    def judge(self, src, tag, reading=None):
        def constant(name):
            raise ValueError(f"{name} is not JSON")
        try:
            json.loads(src, parse_constant=constant)
            return 0, None
        except json.JSONDecodeError as e:
            return None, e.lineno
        except ValueError:
            return None, 1


# ---- mutations ---------------------------------------------------------------------------

def mutate(src, lang, rng):
    """One seeded mutation: (kind, mutant) or None when the sample offers no place for it."""
    kinds = ["bracket", "semicolon", "string", "keyword"]
    if lang == "yaml":
        kinds = ["bracket", "string", "indent", "colon"]
    if lang == "toml":
        kinds = ["bracket", "string", "equals"]
    if lang == "json":
        kinds = ["bracket", "string", "keyword", "comma", "colon"]
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "bracket":
            spots = [m.start() for m in re.finditer(r"[()\[\]{}]", src)]
        elif kind == "semicolon":
            spots = [m.start() for m in re.finditer(r";", src)]
        elif kind == "string":
            spots = [m.end() - 1 for m in re.finditer(r"(['\"])[^'\"\n\\]*\1", src)]
        elif kind == "keyword":
            words = KEYWORDS[lang]
            flags = re.I if lang == "sql" else 0
            spots = [m.start() for m in re.finditer(r"\b(%s)\b" % "|".join(words), src, flags)]
        elif kind == "indent":
            spots = [m.start() for m in re.finditer(r"(?m)^  +\S", src)]
        elif kind == "colon" and lang == "json":
            spots = [m.start() for m in re.finditer(r":", src)]
        elif kind == "colon":
            spots = [m.start() for m in re.finditer(r"(?m)^\s*[\w-]+(:)\s", src)]
            spots = [src.index(":", s) for s in spots]
        elif kind == "comma":
            spots = [m.start() for m in re.finditer(r",", src)]
        elif kind == "equals":
            spots = [m.start() for m in re.finditer(r"=", src)]
        if not spots:
            continue
        at = rng.choice(spots)
        if kind == "keyword":
            end = re.match(r"\w+", src[at:]).end() + at
            word = src[at:end]
            i = rng.randrange(len(word) - 1)
            w = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if w == word:
                continue
            return kind, src[:at] + w + src[end:]
        if kind == "indent":
            return kind, src[:at] + " " + src[at:]
        return kind, src[:at] + src[at + 1:]
    return None


# ---- the run -----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samplecheck")
    ap.add_argument("--lang", required=True, choices=sorted(LANG_NAMES))
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpus"))
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--per-base", type=int, default=3)
    ap.add_argument("--show", type=int, default=0, help="print N disagreements (tuning split)")
    ap.add_argument("--ts-dir", default=None)
    args = ap.parse_args()
    lang = args.lang
    dumped = subprocess.run([args.samplecheck, "dump", args.corpus], check=True,
                            capture_output=True, text=True).stdout
    seen, samples = set(), []
    for line in dumped.splitlines():
        s = json.loads(line)
        if s["lang"] == LANG_NAMES[lang] and s["src"].strip() and s["src"] not in seen:
            seen.add(s["src"])
            samples.append(s)
    if lang in ("js", "ts"):
        ref = JsReference(lang, None, args.ts_dir)
    elif lang == "sql":
        ref = SqlReference()
    elif lang == "yaml":
        ref = YamlReference()
    elif lang == "json":
        ref = JsonReference()
    else:
        ref = TomlReference()
    ours = Lines([args.samplecheck, "check"])
    rng = random.Random(args.seed)
    stats = {}
    shown = 0

    def show(what, s, src, detail):
        nonlocal shown
        if shown < args.show and split_of(s) == "tuning":
            shown += 1
            print(f"--- {what} ({s['file']}:{s['line']}, {s['tag']}): {detail}\n{src}")

    for s in samples:
        split = split_of(s)
        st = stats.setdefault(split, dict(samples=0, valid=0, flagged=0, ref_invalid=0,
                                          ref_invalid_flagged=0, mutants=0, found=0, on_line=0))
        st["samples"] += 1
        tag = s["tag"].lower().strip("{}.")
        verdict = ours.ask({"tag": tag, "src": s["src"]})
        if verdict.get("unchecked"):
            # A tag the checker leaves alone (T-SQL): not part of the measure.
            st["samples"] -= 1
            continue
        reading, _ = ref.judge(s["src"], tag)
        if reading is None:
            st["ref_invalid"] += 1
            st["ref_invalid_flagged"] += "line" in verdict
            continue
        st["valid"] += 1
        if "line" in verdict:
            st["flagged"] += 1
            show("valid sample flagged", s, s["src"], verdict)
        for _ in range(args.per_base):
            m = mutate(s["src"], lang, rng)
            if not m:
                continue
            kind, mutant = m
            r, line = ref.judge(mutant, tag, reading)
            if r is not None:
                continue
            st["mutants"] += 1
            v = ours.ask({"tag": tag, "src": mutant})
            if "line" in v:
                st["found"] += 1
                if abs(v["line"] - line) <= 1:
                    st["on_line"] += 1
                else:
                    show(f"{kind} mutant: line {v['line']} against the reference's {line}", s,
                         mutant, v["message"])
            else:
                show(f"{kind} mutant missed (reference: line {line})", s, mutant, "")
    ours.close()
    pct = lambda a, b: f"{100.0 * a / b:.1f} %" if b else "-"
    print(f"== {lang}: reference {type(ref).__name__}, seed {args.seed}")
    for split in ("tuning", "held out"):
        st = stats.get(split)
        if not st:
            continue
        print(f"{split}: {st['samples']} samples; reference accepts {st['valid']}, "
              f"rejects {st['ref_invalid']} (of those we flag {st['ref_invalid_flagged']})")
        print(f"  valid flagged      {st['flagged']}/{st['valid']} = {pct(st['flagged'], st['valid'])}")
        print(f"  mutants found      {st['found']}/{st['mutants']} = {pct(st['found'], st['mutants'])}")
        print(f"  on the line (±1)   {st['on_line']}/{st['found']} = {pct(st['on_line'], st['found'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
