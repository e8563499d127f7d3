#!/usr/bin/env python3
"""Differential test of the Python sample checker against CPython's own compiler.

Usage:
    python3.13 scripts/py_differential.py CHECKER [ARGS...] [--seed N] [--per-base N] [--show N]

CHECKER is a command that reads JSON lines {"src": "..."} on stdin and prints one JSON line per
input: {"ok": true} or {"line": N, "message": "..."} (e.g. `cargo run -q --example pycheck`, or
the built binary).

The script mutates a set of valid base snippets (deleting characters, colons, brackets,
changing indentation, inserting Python 2 prints, top-level returns, duplicate keyword
arguments, ...), compiles every variant with the running interpreter (which should be CPython
3.13) and compares: (a) whether both consider the snippet valid, and (b) for snippets both
reject, whether they name the same line, and (c) the same message.  Only the standard library is
used.
"""

import argparse
import json
import random
import re
import shlex
import subprocess
import sys
import warnings
from collections import Counter

BASES = [
    '''def fib(n):
    """Return the n-th Fibonacci number."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(10))
''',
    '''def binary_search(items, target):
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        elif items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
''',
    '''class Stack:
    def __init__(self):
        self._items = []

    def push(self, item):
        self._items.append(item)

    def pop(self):
        if not self._items:
            raise IndexError("pop from empty stack")
        return self._items.pop()

    def __len__(self):
        return len(self._items)
''',
    '''from dataclasses import dataclass, field

@dataclass(frozen=True)
class Point:
    x: float
    y: float = 0.0
    tags: list[str] = field(default_factory=list)

    def norm(self) -> float:
        return (self.x ** 2 + self.y ** 2) ** 0.5
''',
    '''import asyncio

async def fetch(i):
    await asyncio.sleep(0.1)
    return i * 2

async def main():
    results = await asyncio.gather(*(fetch(i) for i in range(5)))
    evens = [r async for r in agen()]
    async with lock:
        print(results, evens)

asyncio.run(main())
''',
    '''def handle(command):
    match command.split():
        case ["go", direction]:
            return f"going {direction}"
        case ["look"]:
            return "looking"
        case {"x": x, "y": y}:
            return x + y
        case Point(x=0, y=0):
            return "origin"
        case [x, *rest] if x > 0:
            return rest
        case _:
            return "unknown"
''',
    '''def read_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = f.read()
    except FileNotFoundError as e:
        print(f"missing: {e}")
        return None
    except (ValueError, OSError):
        raise
    else:
        return data
    finally:
        print("done")
''',
    '''try:
    risky()
except* ValueError as eg:
    print(eg.exceptions)
except* TypeError:
    pass
''',
    '''counter = 0

def increment():
    global counter
    counter += 1

def make_counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc
''',
    '''squares = [x * x for x in range(10) if x % 2 == 0]
pairs = {k: v for k, v in zip("abc", range(3))}
unique = {c.lower() for c in "Hello World"}
total = sum(x for x in range(100))
matrix = [[i * j for j in range(3)] for i in range(3)]
''',
    '''import re

if (m := re.match(r"(\\d+)-(\\d+)", "10-20")) is not None:
    start, end = map(int, m.groups())
    print(start, end, sep=", ", end="")

while (line := input()) != "quit":
    print(line)
''',
    '''name = "world"
width = 10
print(f"Hello, {name!r:>{width}}!")
print(f"{'nested' + "quotes"}")
print(f"{name=}, {3.14159:.2f}, {{literal}}")
print(f"{", ".join(["a", "b"])}")
''',
    '''type Vector = list[float]
type Pair[T] = tuple[T, T]

def first[T](items: list[T]) -> T:
    return items[0]

class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item
''',
    '''import functools

def memoize(func):
    cache = {}
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = func(*args, **kwargs)
        return cache[key]
    return wrapper

@memoize
def slow_square(n):
    return n * n
''',
    '''def gen(n):
    for i in range(n):
        yield i
    yield from range(n, 2 * n)

first, *middle, last = gen(5)
head, *tail = [1, 2, 3]
merged = [*head_list, *tail, 4]
options = {**defaults, "debug": True}
''',
    '''def outer():
    x = 1
    def inner(a, b=2, *args, c, d=4, **kwargs):
        return a + b + c + d + x
    key = lambda item, reverse=False: (item[1], item[0])
    return inner, key
''',
    '''from collections import defaultdict, Counter
from typing import Iterable

def word_freq(lines: Iterable[str]) -> dict[str, int]:
    counts: defaultdict[str, int] = defaultdict(int)
    for line in lines:
        for word in line.split():
            counts[word.lower()] += 1
    return dict(counts)

print(Counter("mississippi").most_common(2))
''',
    '''class Node:
    def __init__(self, val, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right

def inorder(root):
    if root is None:
        return []
    return inorder(root.left) + [root.val] + inorder(root.right)

def depth(root):
    return 0 if not root else 1 + max(depth(root.left), depth(root.right))
''',
    '''def quicksort(arr):
    if len(arr) <= 1:
        return arr
    pivot = arr[len(arr) // 2]
    left = [x for x in arr if x < pivot]
    middle = [x for x in arr if x == pivot]
    right = [x for x in arr if x > pivot]
    return quicksort(left) + middle + quicksort(right)
''',
    '''import heapq

def dijkstra(graph, source):
    dist = {source: 0}
    heap = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float("inf")):
            continue
        for neighbor, weight in graph[node]:
            nd = d + weight
            if nd < dist.get(neighbor, float("inf")):
                dist[neighbor] = nd
                heapq.heappush(heap, (nd, neighbor))
    return dist
''',
    '''class Meta(type):
    def __new__(mcs, name, bases, ns, **kwargs):
        return super().__new__(mcs, name, bases, ns)

class Base(metaclass=Meta):
    __slots__ = ("a", "b")

    @property
    def total(self):
        return self.a + self.b

    @staticmethod
    def make():
        return Base()
''',
    '''with open("a.txt") as a, open("b.txt") as b:
    pass

with (
    open("a.txt") as a,
    open("b.txt") as b,
):
    print(a.read(), b.read())
''',
    '''for i in range(10):
    if i == 3:
        continue
    if i == 8:
        break
else:
    print("no break")

x = 5
result = "big" if x > 3 else "small"
assert result == "big", "unexpected"
del x
''',
    '''def parse(tokens):
    stack = []
    for tok in tokens:
        if tok in "([{":
            stack.append(tok)
        elif tok in ")]}":
            if not stack or "([{".index(stack.pop()) != ")]}".index(tok):
                return False
    return not stack
''',
    '''import sys

def main(argv=None):
    argv = argv if argv is not None else sys.argv[1:]
    total = 0
    for arg in argv:
        try:
            total += int(arg, base=10)
        except ValueError:
            print("bad:", arg, file=sys.stderr)
    print(total, end="")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
''',
    '''data = {
    "name": "Ada",
    "langs": ["python", "rust"],
    "nested": {"a": (1, 2), "b": [3, 4]},
}
values = [
    1,
    2,
    3,
]
print(data["name"], values[-1], data["nested"]["a"][0])
''',
    '''async def worker(queue):
    while True:
        item = await queue.get()
        try:
            async for chunk in stream(item):
                print(chunk)
        finally:
            queue.task_done()

async def squares():
    return [x ** 2 async for x in aiter_range(10) if x % 2]
''',
    '''class LinkedList:
    class _Node:
        __slots__ = "value", "next"

        def __init__(self, value, next=None):
            self.value = value
            self.next = next

    def __init__(self, iterable=()):
        self.head = None
        for value in reversed(list(iterable)):
            self.head = self._Node(value, self.head)

    def __iter__(self):
        node = self.head
        while node:
            yield node.value
            node = node.next
''',
    '''def lcs(a: str, b: str) -> int:
    dp = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, ca in enumerate(a, 1):
        for j, cb in enumerate(b, 1):
            if ca == cb:
                dp[i][j] = dp[i - 1][j - 1] + 1
            else:
                dp[i][j] = max(dp[i - 1][j], dp[i][j - 1])
    return dp[-1][-1]
''',
    '''x = 0b1010 + 0o17 + 0xFF + 1_000_000 + 3.14e-2 + 2j
s = b"bytes" + bytes([1, 2])
r = r"\\d+\\s*" + "tab\\t" + \'single\' + """triple
quoted"""
flag = not (x > 1 and s) or r is None
bits = x << 2 | x >> 1 & ~x ^ 3
''',
    '''def process(items, /, key=None, *, reverse=False):
    return sorted(items, key=key, reverse=reverse)

print(process([3, 1, 2], reverse=True))
print(*[1, 2, 3], sep="-")
''',
    '''class Shape:
    def area(self):
        raise NotImplementedError

class Square(Shape):
    def __init__(self, side):
        super().__init__()
        self.side = side

    def area(self):
        return self.side ** 2

    def __repr__(self):
        return f"Square({self.side})"

shapes = [Square(2), Square(3)]
print(sorted(shapes, key=lambda s: s.area()))
''',
    '''import itertools

for a, b in itertools.product(range(2), repeat=2):
    print(a, b)

groups = {k: list(g) for k, g in itertools.groupby(sorted("aabbbc"))}
chunks = [data[i:i + 3] for i in range(0, len(data), 3)]
matrix[1:3, ::2] = 0
''',
    '''def retry(times=3):
    def decorator(fn):
        def wrapped(*a, **kw):
            for attempt in range(times):
                try:
                    return fn(*a, **kw)
                except Exception as exc:
                    last = exc
            raise RuntimeError("failed") from last
        return wrapped
    return decorator
''',
    '''from contextlib import contextmanager

@contextmanager
def managed(resource):
    print("acquire", resource)
    try:
        yield resource
    finally:
        print("release", resource)

with managed("db") as conn:
    print(conn)
''',
    '''def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if (j := seen.get(target - n)) is not None:
            return j, i
        seen[n] = i
    return None
''',
    '''def flatten(xs):
    for x in xs:
        if isinstance(x, (list, tuple)):
            yield from flatten(x)
        else:
            yield x

print(list(flatten([1, [2, [3, 4]], (5,)])))
''',
    '''class Temperature:
    def __init__(self, celsius=0.0):
        self._c = celsius

    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32

    @fahrenheit.setter
    def fahrenheit(self, value):
        self._c = (value - 32) * 5 / 9

t = Temperature()
t.fahrenheit = 212
print(t._c)
''',
    '''if x > 0:
    if y > 0:
        quadrant = 1
    else:
        quadrant = 4
elif x < 0:
    quadrant = 2 if y > 0 else 3
else:
    quadrant = None
print(quadrant)
''',
    '''def apply(f, *args, **kwargs):
    return f(*args, **kwargs)

print(apply(max, 3, 7, key=abs))
print(apply(lambda *a: sum(a), 1, 2, 3))
values = list(map(lambda v: v * 2, filter(None, [0, 1, 2])))
''',
    '''import json

payload = json.dumps({"id": 1, "items": [1, 2, 3]}, indent=2, sort_keys=True)
parsed = json.loads(payload)
for key, value in parsed.items():
    print(f"{key:<10}|{value!s:^20}|")
''',
    '''def bfs(graph, start):
    visited, queue = {start}, [start]
    order = []
    while queue:
        node = queue.pop(0)
        order.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in visited:
                visited.add(nxt)
                queue.append(nxt)
    return order
''',
]

PY2_LINES = ['print "x"', "print 'hello', name", 'exec "code"', "print x"]


def lines_of(src):
    return src.split("\n")


def join(lines):
    return "\n".join(lines)


def indent_of(line):
    return len(line) - len(line.lstrip(" \t"))


def code_lines(lines):
    return [i for i, l in enumerate(lines) if l.strip() and not l.strip().startswith("#")]


def mut_delete_char(src, rng):
    i = rng.randrange(len(src))
    return src[:i] + src[i + 1:]


def mut_delete_of(chars):
    def mutate(src, rng):
        spots = [i for i, c in enumerate(src) if c in chars]
        if not spots:
            return None
        i = rng.choice(spots)
        return src[:i] + src[i + 1:]
    return mutate


def mut_insert_char(src, rng):
    i = rng.randrange(len(src) + 1)
    c = rng.choice(list("()[]{}:,.'\"=+*#\\@!;x1 \t\n") + ["  ", "\n    "])
    return src[:i] + c + src[i:]


def mut_reindent(src, rng):
    lines = lines_of(src)
    idx = code_lines(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    line = lines[i]
    body = line.lstrip(" \t")
    ind = indent_of(line)
    choice = rng.randrange(5)
    if choice == 0:
        new = " " * (ind + rng.choice([1, 2, 4]))
    elif choice == 1:
        new = " " * max(0, ind - rng.choice([1, 2, 4]))
    elif choice == 2:
        new = "\t" * (ind // 4) + " " * (ind % 4)
    elif choice == 3:
        new = " " * (ind // 2)
    else:
        new = "\t" + " " * max(0, ind - 4)
    lines[i] = new + body
    return join(lines)


def mut_insert_line(text_choices):
    def mutate(src, rng):
        lines = lines_of(src)
        i = rng.randrange(len(lines) + 1)
        ref = lines[i] if i < len(lines) else ""
        ind = ref[: indent_of(ref)] if ref.strip() else ""
        if rng.random() < 0.3:
            ind = ""
        lines.insert(i, ind + rng.choice(text_choices))
        return join(lines)
    return mutate


def mut_top_level(stmt_choices):
    def mutate(src, rng):
        lines = lines_of(src)
        spots = [i for i in range(len(lines) + 1) if i == len(lines) or indent_of(lines[i]) == 0]
        i = rng.choice(spots)
        lines.insert(i, rng.choice(stmt_choices))
        return join(lines)
    return mutate


def mut_duplicate_kwarg(src, rng):
    spots = [m for m in re.finditer(r"[(,]\s*([a-z_]+)=([^,()=]+)(?=[,)])", src)]
    if not spots:
        return None
    m = rng.choice(spots)
    kw = f", {m.group(1)}={m.group(2)}"
    return src[: m.end()] + kw + src[m.end():]


def mut_swap_lines(src, rng):
    lines = lines_of(src)
    if len(lines) < 2:
        return None
    i = rng.randrange(len(lines) - 1)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return join(lines)


def mut_delete_line(src, rng):
    lines = lines_of(src)
    idx = code_lines(lines)
    if len(idx) < 2:
        return None
    del lines[rng.choice(idx)]
    return join(lines)


def mut_delete_token(src, rng):
    spots = [m for m in re.finditer(r"\b(if|else|in|for|def|class|return|import|as|not|and|lambda|await|async|yield)\b", src)]
    if not spots:
        return None
    m = rng.choice(spots)
    return src[: m.start()] + src[m.end():]


def mut_keyword_typo(src, rng):
    swaps = [("def ", "dfe "), ("elif", "else if"), ("==", "="), ("!=", "<>"), (" in ", " on "),
             ("True", "true"), ("self.", "self,"), ("(", "(("), ("async ", ""), ("await ", "await await ")]
    a, b = rng.choice(swaps)
    spots = [m.start() for m in re.finditer(re.escape(a), src)]
    if not spots:
        return None
    i = rng.choice(spots)
    return src[:i] + b + src[i + len(a):]


MUTATIONS = [
    ("delete-char", mut_delete_char, 6),
    ("delete-colon", mut_delete_of(":"), 4),
    ("delete-close", mut_delete_of(")]}"), 4),
    ("delete-open", mut_delete_of("([{"), 2),
    ("delete-comma", mut_delete_of(","), 3),
    ("delete-quote", mut_delete_of("\"'"), 2),
    ("insert-char", mut_insert_char, 4),
    ("reindent", mut_reindent, 5),
    ("py2-print", mut_insert_line(PY2_LINES), 2),
    ("top-level-return", mut_top_level(["return 1", "return", "yield x", "break", "continue",
                                        "await f()", "nonlocal q", "async for a in b: pass"]), 2),
    ("insert-flow", mut_insert_line(["break", "continue", "return x", "yield", "global counter",
                                     "nonlocal x", "await x", "from __future__ import annotations",
                                     "x = yield"]), 2),
    ("duplicate-kwarg", mut_duplicate_kwarg, 2),
    ("swap-lines", mut_swap_lines, 2),
    ("delete-line", mut_delete_line, 2),
    ("delete-keyword", mut_delete_token, 3),
    ("typo", mut_keyword_typo, 3),
]


def cpython_verdict(src):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(src, "<sample>", "exec")
        return None
    except SyntaxError as e:
        return (e.lineno, e.msg)
    except (ValueError, MemoryError, RecursionError) as e:
        return (None, str(e))


def run_checker(cmd, sources):
    payload = "".join(json.dumps({"src": s}) + "\n" for s in sources)
    proc = subprocess.run(cmd, input=payload, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"checker exited with {proc.returncode}")
    out = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(out) != len(sources):
        raise SystemExit(f"checker printed {len(out)} verdicts for {len(sources)} snippets")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checker", nargs="+", help="checker command (JSON lines on stdin/stdout)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-base", type=int, default=60, help="mutants per base snippet")
    ap.add_argument("--show", type=int, default=25, help="disagreements to print per category")
    ap.add_argument("--corpus", metavar="DIR", help="also compare every .py file under DIR (e.g. the stdlib)")
    ap.add_argument("--examples", metavar="TEXT", help="also print wrong-message cases whose CPython message contains TEXT")
    args = ap.parse_args()
    cmd = args.checker if len(args.checker) > 1 else shlex.split(args.checker[0])

    if sys.version_info[:2] != (3, 13):
        print(f"warning: running under Python {sys.version.split()[0]}, not 3.13", file=sys.stderr)

    rng = random.Random(args.seed)
    weights = [w for _, _, w in MUTATIONS]
    snippets = []  # (origin, source)
    seen = set()
    for b, base in enumerate(BASES):
        if cpython_verdict(base) is not None:
            raise SystemExit(f"base snippet {b} does not compile: {cpython_verdict(base)}")
        snippets.append((f"base{b}", base))
        seen.add(base)
        made = tries = 0
        while made < args.per_base and tries < args.per_base * 20:
            tries += 1
            name, fn, _ = rng.choices(MUTATIONS, weights)[0]
            src = fn(base, rng)
            if rng.random() < 0.15 and src is not None:
                name2, fn2, _ = rng.choices(MUTATIONS, weights)[0]
                src = fn2(src, rng)
                name = f"{name}+{name2}"
            if src is None or src in seen:
                continue
            seen.add(src)
            snippets.append((f"base{b}/{name}", src))
            made += 1

    if args.corpus:
        import os
        for root, _dirs, files in os.walk(args.corpus):
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                path = os.path.join(root, name)
                try:
                    with open(path, encoding="utf-8") as f:
                        src = f.read()
                except (UnicodeDecodeError, OSError):
                    continue
                if "\0" in src:
                    continue
                snippets.append((path, src))

    sources = [s for _, s in snippets]
    expected = [cpython_verdict(s) for s in sources]
    got = run_checker(cmd, sources)

    total = len(sources)
    agree = false_pos = false_neg = 0
    both_invalid = same_line = same_msg = 0
    fp, fn, wrong_line, wrong_msg = [], [], [], []
    msg_misses = Counter()
    for (origin, src), exp, res in zip(snippets, expected, got):
        ours_ok = res.get("ok", False)
        if exp is None and ours_ok:
            agree += 1
        elif exp is None:
            false_pos += 1
            fp.append((origin, src, exp, res))
        elif ours_ok:
            false_neg += 1
            fn.append((origin, src, exp, res))
        else:
            agree += 1
            both_invalid += 1
            if res.get("line") == exp[0]:
                same_line += 1
                if res.get("message") == exp[1]:
                    same_msg += 1
                else:
                    wrong_msg.append((origin, src, exp, res))
                    msg_misses[(exp[1], res.get("message"))] += 1
            else:
                wrong_line.append((origin, src, exp, res))

    def show(title, items):
        if not items:
            return
        print(f"\n=== {title} ({len(items)}) ===")
        for origin, src, exp, res in items[: args.show]:
            print(f"--- {origin}")
            print("    " + src.replace("\n", "\n    ").rstrip())
            print(f"    cpython: {exp}")
            print(f"    checker: {res}")

    show("FALSE POSITIVES (checker rejects, CPython compiles)", fp)
    show("FALSE NEGATIVES (CPython rejects, checker accepts)", fn)
    show("WRONG LINE", wrong_line)
    if msg_misses:
        print(f"\n=== WRONG MESSAGE (same line), by pair ({len(wrong_msg)}) ===")
        for (exp_msg, our_msg), n in msg_misses.most_common(args.show):
            print(f"{n:5}  cpython: {exp_msg!r}\n       checker: {our_msg!r}")

    if args.examples is not None:
        show(f"WRONG MESSAGE matching {args.examples!r}", [w for w in wrong_msg if args.examples in w[2][1]])

    invalid = sum(1 for e in expected if e is not None)
    pct = lambda a, b: f"{100.0 * a / b:.1f}%" if b else "n/a"
    print("\n=== SUMMARY ===")
    print(f"snippets: {total} ({total - invalid} valid, {invalid} invalid per CPython {sys.version.split()[0]})")
    print(f"valid/invalid agreement: {agree}/{total} = {pct(agree, total)}")
    print(f"false positives (flagged, but CPython compiles): {false_pos}")
    print(f"false negatives (missed errors): {false_neg}")
    print(f"same error line: {same_line}/{both_invalid} = {pct(same_line, both_invalid)}")
    print(f"same line and exact message: {same_msg}/{both_invalid} = {pct(same_msg, both_invalid)}")
    return 1 if false_pos else 0


if __name__ == "__main__":
    sys.exit(main())
