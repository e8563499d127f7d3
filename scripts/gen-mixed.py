#!/usr/bin/env python3
"""Writes a benchmark note of about BYTES that mixes code samples of every language the server
checks, in the proportions of real interview notes, with questions and prose between them.

The fence tags are drawn by the counts of tagged fences over ../shared/corpus's five
repositories (issue 19): C and C++ the most, then JavaScript, Python, TypeScript, Go, Bash,
Java, PHP, SQL, C#, then Ruby, Swift, Kotlin, JSON, Rust, YAML and TOML; untagged fences and
languages the server does not check (HTML, CSS, XML) come in between, as they do there. Each
sample is made unique (names and numbers vary) so that no verdict is shared through the
checkers' cache; about one in twenty has a syntax error (a dropped bracket, `;`, `:`, quote
or keyword), as a note being written does.

usage: scripts/gen-mixed.py OUT.md [--bytes 1048576] [--seed 1] [--error-rate 0.05]
stdlib only; prints the note's size and its fences per language (tag family) on stderr.
"""
import argparse
import random
import sys

# Tagged fences in the corpus (issue 19's counts; the tail counted the same way). The family
# is the language's name; the tags are drawn as often as the corpus writes each.
WEIGHTS = {
    "cpp": (1210, ["cpp"] * 1029 + ["c++"] * 181),
    "c": (436, ["c"]),
    "javascript": (1200, ["javascript"] * 744 + ["js"] * 445 + ["jsx"] * 11),
    "python": (777, ["python"] * 10 + ["py"]),
    "typescript": (454, ["ts"] * 439 + ["typescript"] * 10 + ["tsx"] * 5),
    "go": (394, ["go"]),
    "bash": (374, ["bash"] * 346 + ["shell"] * 21 + ["sh"] * 7),
    "java": (242, ["java"]),
    "php": (171, ["php"]),
    "sql": (89, ["sql"] * 48 + ["tsql"] * 41),
    "csharp": (85, ["cs"] * 71 + ["c#"] * 14),
    "ruby": (61, ["ruby"] * 51 + ["rb"] * 10),
    "swift": (54, ["swift"]),
    "kotlin": (46, ["kotlin"]),
    "json": (43, ["json"]),
    "rust": (37, ["rust"]),
    "yaml": (21, ["yaml"]),
    "toml": (6, ["toml"]),
    # Not checked: they cost the parse of the note only.
    "": (1276, [""]),
    "html": (772, ["html"]),
    "css": (392, ["css"]),
    "xml": (197, ["xml"]),
}

# Samples per language, written for this benchmark. `{n}` varies per sample, `{k}` is a
# small number. Each has a `break`: (text, replacement) applied once to make the sample
# invalid the way notes are (the text occurs in the sample).
SAMPLES = {
    "python": [
        ("def merge_{n}(a, b):\n    out = []\n    i = j = 0\n    while i < len(a) and j < len(b):\n"
         "        if a[i] <= b[j]:\n            out.append(a[i]); i += 1\n        else:\n"
         "            out.append(b[j]); j += 1\n    return out + a[i:] + b[j:]\n",
         ("len(b):", "len(b)")),
        ("class Node{n}:\n    def __init__(self, val, nxt=None):\n        self.val = val\n"
         "        self.next = nxt\n\n    def __repr__(self):\n        return f\"Node({{self.val}})\"\n",
         ("self.val = val", "self.val = (val")),
        ("from collections import Counter\n\nwords = \"a b a c b a\".split()\n"
         "top_{n} = Counter(words).most_common({k})\nprint(top_{n})\n",
         ("most_common({k})", "most_common({k}")),
        (">>> sorted([{k}, 1, 3], reverse=True)\n[{k}, 3, 1]\n>>> x_{n} = {{'a': 1}}\n>>> x_{n}.get('b', 0)\n0\n",
         ("'a': 1}}", "'a': 1")),
    ],
    "javascript": [
        ("function debounce_{n}(fn, ms) {{\n  let t;\n  return (...args) => {{\n    clearTimeout(t);\n"
         "    t = setTimeout(() => fn(...args), ms);\n  }};\n}}\n",
         ("fn(...args), ms);", "fn(...args), ms;")),
        ("const counter_{n} = (() => {{\n  let count = {k};\n  return {{ inc: () => ++count, get: () => count }};\n}})();\n"
         "console.log(counter_{n}.inc()); // {k}\n",
         ("let count", "let let count")),
        ("async function load_{n}(url) {{\n  const res = await fetch(url);\n  if (!res.ok) throw new Error(`HTTP ${{res.status}}`);\n"
         "  return res.json();\n}}\n",
         ("`HTTP ${{res.status}}`", "`HTTP ${{res.status}}")),
        ("console.log(typeof null); // \"object\"\nconsole.log([] + {{}}); // \"[object Object]\"\nvar a_{n} = [1, 2, {k}].map(x => x * 2);\n",
         ("[1, 2, {k}]", "[1, 2, {k}")),
    ],
    "typescript": [
        ("interface User{n} {{\n  id: number;\n  name: string;\n  email?: string;\n}}\n\n"
         "function greet_{n}(u: User{n}): string {{\n  return `Hello, ${{u.name}}`;\n}}\n",
         ("name: string;", "name: string =;")),
        ("type Result{n}<T> = {{ ok: true; value: T }} | {{ ok: false; error: string }};\n\n"
         "const r_{n}: Result{n}<number> = {{ ok: true, value: {k} }};\n",
         ("value: {k} }}", "value: {k}")),
        ("enum Color{n} {{ Red, Green, Blue }}\nclass Box{n}<T> {{\n  constructor(private readonly items: T[] = []) {{}}\n"
         "  add(item: T): this {{ this.items.push(item); return this; }}\n}}\n",
         ("add(item: T)", "add(item: T")),
    ],
    "c": [
        ("#include <stdio.h>\n\nint sum_{n}(const int *a, int len) {{\n    int s = 0;\n"
         "    for (int i = 0; i < len; i++)\n        s += a[i];\n    return s;\n}}\n",
         ("int s = 0;", "int s = 0")),
        ("struct point_{n} {{\n    int x;\n    int y;\n}};\n\nvoid swap_{n}(int *a, int *b) {{\n    int t = *a;\n    *a = *b;\n    *b = t;\n}}\n",
         ("int t = *a;", "int t = *a")),
        ("char *p_{n} = malloc({k} * sizeof(char));\nif (p_{n} == NULL) {{\n    perror(\"malloc\");\n    return 1;\n}}\nfree(p_{n});\n",
         ("if (p_{n} == NULL)", "if (p_{n} == NULL")),
    ],
    "cpp": [
        ("#include <vector>\n#include <algorithm>\n\nint kth_{n}(std::vector<int> v, int k) {{\n"
         "    std::nth_element(v.begin(), v.begin() + k, v.end());\n    return v[k];\n}}\n",
         ("return v[k];", "return v[k]")),
        ("class Shape{n} {{\npublic:\n    virtual ~Shape{n}() = default;\n    virtual double area() const = 0;\n}};\n\n"
         "class Square{n} : public Shape{n} {{\n    double s;\npublic:\n    explicit Square{n}(double s) : s(s) {{}}\n"
         "    double area() const override {{ return s * s; }}\n}};\n",
         ("double s;", "double s")),
        ("template <typename T>\nT max_of_{n}(T a, T b) {{\n    return a > b ? a : b;\n}}\n\nauto m_{n} = max_of_{n}({k}, 7);\n",
         ("(T a, T b)", "(T a, T b")),
        ("std::unique_ptr<int> p_{n} = std::make_unique<int>({k});\nstd::shared_ptr<int> q_{n} = std::make_shared<int>(*p_{n});\n"
         "std::cout << *q_{n} << std::endl;\n",
         ("std::endl;", "std::endl")),
    ],
    "java": [
        ("public class Singleton{n} {{\n    private static volatile Singleton{n} instance;\n    private Singleton{n}() {{}}\n\n"
         "    public static Singleton{n} get() {{\n        if (instance == null) {{\n"
         "            synchronized (Singleton{n}.class) {{\n                if (instance == null) instance = new Singleton{n}();\n"
         "            }}\n        }}\n        return instance;\n    }}\n}}\n",
         ("return instance;", "return instance")),
        ("List<Integer> nums_{n} = Arrays.asList(3, 1, {k});\nList<Integer> sorted_{n} = nums_{n}.stream()\n"
         "    .filter(x -> x > 1)\n    .sorted()\n    .collect(Collectors.toList());\n",
         ("x -> x > 1", "x - > x > 1")),
        ("@Override\npublic boolean equals(Object o) {{\n    if (this == o) return true;\n"
         "    if (!(o instanceof Point{n})) return false;\n    Point{n} p = (Point{n}) o;\n    return x == p.x && y == p.y;\n}}\n",
         ("return true;", "return true")),
    ],
    "go": [
        ("package main\n\nimport \"fmt\"\n\nfunc fib{n}(n int) int {{\n\tif n < 2 {{\n\t\treturn n\n\t}}\n"
         "\treturn fib{n}(n-1) + fib{n}(n-2)\n}}\n\nfunc main() {{\n\tfmt.Println(fib{n}({k}))\n}}\n",
         ("return fib{n}(n-1)", "return fib{n}(n-1")),
        ("ch{n} := make(chan int, {k})\ngo func() {{\n\tdefer close(ch{n})\n\tfor i := 0; i < 3; i++ {{\n\t\tch{n} <- i\n\t}}\n}}()\n"
         "for v := range ch{n} {{\n\tfmt.Println(v)\n}}\n",
         ("defer close(ch{n})", "defer close(ch{n}")),
        ("type Stack{n} struct {{\n\titems []int\n}}\n\nfunc (s *Stack{n}) Push(v int) {{ s.items = append(s.items, v) }}\n",
         ("append(s.items, v)", "append(s.items, v")),
    ],
    "bash": [
        ("for f in *.log; do\n  gzip \"$f\"\ndone\necho \"compressed {n} files\"\n",
         ("done\n", "\n")),
        ("$ ls -la /tmp/dir{n}\ntotal {k}\ndrwxr-xr-x  2 user user 4096 Jan  1 00:00 .\n$ grep -rn \"TODO\" src/ | wc -l\n",
         ("\"TODO\"", "\"TODO")),
        ("if [ -f \"$HOME/.bashrc{n}\" ]; then\n  source \"$HOME/.bashrc{n}\"\nelse\n  echo \"no rc\" >&2\nfi\n",
         ("fi\n", "\n")),
    ],
    "sql": [
        ("SELECT d.name, COUNT(e.id) AS staff_{n}\nFROM departments d\nLEFT JOIN employees e ON e.dept_id = d.id\n"
         "GROUP BY d.name\nHAVING COUNT(e.id) > {k}\nORDER BY staff_{n} DESC;\n",
         ("GROUP BY", "GROUP")),
        ("SELECT name, salary\nFROM (\n  SELECT name, salary, DENSE_RANK() OVER (ORDER BY salary DESC) AS r\n"
         "  FROM employees_{n}\n) t\nWHERE r = {k};\n",
         ("(ORDER BY salary DESC)", "(ORDER BY salary DESC")),
    ],
    "csharp": [
        ("public class Account{n}\n{{\n    public decimal Balance {{ get; private set; }}\n\n"
         "    public void Deposit(decimal amount)\n    {{\n        if (amount <= 0) throw new ArgumentException(\"amount\");\n"
         "        Balance += amount;\n    }}\n}}\n",
         ("Balance += amount;", "Balance += amount")),
        ("var evens_{n} = Enumerable.Range(1, {k})\n    .Where(x => x % 2 == 0)\n    .ToList();\n",
         (".ToList();", ".ToList(;")),
    ],
    "php": [
        ("<?php\nfunction slugify_{n}(string $s): string {{\n    $s = strtolower(trim($s));\n"
         "    return preg_replace('/[^a-z0-9]+/', '-', $s);\n}}\necho slugify_{n}(\"Hello World {k}\");\n",
         ("strtolower(trim($s));", "strtolower(trim($s);")),
        ("<?php\n$users_{n} = ['ann' => {k}, 'bob' => 31];\nforeach ($users_{n} as $name => $age) {{\n    echo \"$name is $age\\n\";\n}}\n",
         ("as $name => $age)", "as $name => $age")),
    ],
    "ruby": [
        ("class Stack{n}\n  def initialize\n    @items = []\n  end\n\n  def push(x)\n    @items.push(x)\n    self\n  end\nend\n",
         ("    self\n  end\n", "    self\n")),
        ("squares_{n} = (1..{k}).map {{ |i| i * i }}\nputs squares_{n}.select(&:even?).inspect\n",
         ("|i| i * i }}", "|i| i * i")),
    ],
    "swift": [
        ("struct Point{n} {{\n    var x: Double\n    var y: Double\n    func distance(to p: Point{n}) -> Double {{\n"
         "        return ((x - p.x) * (x - p.x) + (y - p.y) * (y - p.y)).squareRoot()\n    }}\n}}\n",
         (".squareRoot()", ".squareRoot(")),
        ("let names_{n} = [\"b\", \"a\", \"c\"]\nlet sorted_{n} = names_{n}.sorted {{ $0 < $1 }}\nprint(sorted_{n})\n",
         ("$0 < $1 }}", "$0 < $1")),
    ],
    "kotlin": [
        ("data class User{n}(val name: String, val age: Int)\n\nfun main() {{\n    val u = User{n}(\"Ann\", {k})\n"
         "    println(u.copy(age = u.age + 1))\n}}\n",
         ("u.copy(age = u.age + 1))", "u.copy(age = u.age + 1)")),
        ("val evens_{n} = (1..{k}).filter {{ it % 2 == 0 }}.map {{ it * it }}\nprintln(evens_{n})\n",
         ("it * it }}", "it * it")),
    ],
    "json": [
        ("{{\n  \"name\": \"service-{n}\",\n  \"version\": \"1.{k}.0\",\n  \"dependencies\": {{\n    \"express\": \"^4.18.2\"\n  }}\n}}\n",
         ("\"1.{k}.0\",", "\"1.{k}.0\"")),
    ],
    "rust": [
        ("fn largest_{n}<T: PartialOrd + Copy>(xs: &[T]) -> Option<T> {{\n    let mut it = xs.iter().copied();\n"
         "    let first = it.next()?;\n    Some(it.fold(first, |m, x| if x > m {{ x }} else {{ m }}))\n}}\n",
         ("let first = it.next()?;", "let first = it.next()?")),
        ("let v_{n}: Vec<i32> = (1..={k}).filter(|x| x % 2 == 1).collect();\nprintln!(\"{{:?}}\", v_{n});\n",
         (".collect();", ".collect(;")),
    ],
    "yaml": [
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{n}\nspec:\n  replicas: {k}\n"
         "  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n          ports: [80, 443]\n",
         ("ports: [80, 443]", "ports: [80, 443")),
    ],
    "toml": [
        ("[package]\nname = \"demo-{n}\"\nversion = \"0.{k}.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = {{ version = \"1\", features = [\"derive\"] }}\n",
         ("version = \"0.{k}.0\"", "version = \"0.{k}.0")),
    ],
    "": [
        ("Input: nums = [{k}, 1, 3], target = 4\nOutput: [1, 2]\n", None),
        ("O(n log n) time, O({k}) extra space\n", None),
    ],
    "html": [
        ("<ul id=\"list-{n}\">\n  <li class=\"item\">One</li>\n  <li class=\"item\">Two</li>\n</ul>\n", None),
    ],
    "css": [
        (".card-{n} {{\n  display: flex;\n  gap: {k}px;\n}}\n", None),
    ],
    "xml": [
        ("<dependency>\n  <groupId>org.example</groupId>\n  <artifactId>lib-{n}</artifactId>\n</dependency>\n", None),
    ],
}

WORDS = ("the a an of to in is it that for on with as by this be are from or at which when "
         "array string hash map tree graph node pointer reference value closure scope thread "
         "lock queue stack heap memory cache request response server client index query "
         "function method class object interface type generic async await promise event loop "
         "complexity recursion iteration sort search binary linear constant time space").split()
TOPICS = ["closures", "hash maps", "threads", "generics", "pointers", "recursion", "sorting",
          "promises", "indexes", "joins", "traits", "interfaces", "the event loop", "garbage collection",
          "virtual functions", "move semantics", "goroutines", "lifetimes", "decorators", "streams"]


def sentence(r, n):
    w = [r.choice(WORDS) for _ in range(n)]
    for i in range(len(w)):
        x = r.random()
        if x < 0.04:
            w[i] = f"`{w[i]}`"
        elif x < 0.06:
            w[i] = f"**{w[i]}**"
    return " ".join(w).capitalize() + "."


def paragraph(r):
    return " ".join(sentence(r, r.randint(8, 20)) for _ in range(r.randint(1, 4)))


def fence(r, n, lang, broken):
    tags = WEIGHTS[lang][1]
    tag = r.choice(tags)
    body, brk = r.choice(SAMPLES[lang])
    k = r.randint(2, 99)
    text = body.format(n=n, k=k)
    if broken and brk:
        old, new = (s.format(n=n, k=k) for s in brk)
        assert old in text, (lang, old)
        text = text.replace(old, new, 1)
    return [f"```{tag}"] + text.rstrip("\n").split("\n") + ["```"]


def section(r, i, langs, weights, error_rate, counts):
    lines = []
    if i % 12 == 0:
        lines += [f"## {r.choice(TOPICS).capitalize()} ({i // 12})", ""]
    q = r.random()
    topic = r.choice(TOPICS)
    if q < 0.6:
        lines += [f"### {i}. What is the difference between {topic} and {r.choice(TOPICS)}?", ""]
    elif q < 0.85:
        lines += [f"**Q{i}. How would you explain {topic} in an interview?**", ""]
    else:
        lines += [f"### {i}. Write a function that handles {topic}", ""]
    lines += [paragraph(r), ""]
    for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
        lang = r.choices(langs, weights)[0]
        broken = r.random() < error_rate
        lines += fence(r, i, lang, broken) + [""]
        counts[lang] = counts.get(lang, [0, 0])
        counts[lang][0] += 1
        counts[lang][1] += broken and SAMPLES[lang][0][1] is not None
        if r.random() < 0.5:
            lines += [paragraph(r), ""]
    if r.random() < 0.3:
        lines += [f"- {sentence(r, r.randint(4, 10))}" for _ in range(r.randint(2, 4))] + [""]
    if r.random() < 0.1 and i > 10:
        lines += [f"See [question {i - 7}](#{i - 7}-what-is-the-difference) above.", ""]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--error-rate", type=float, default=0.05)
    args = ap.parse_args()
    r = random.Random(args.seed)
    langs = list(WEIGHTS)
    weights = [WEIGHTS[l][0] for l in langs]
    lines = ["# Interview questions, every language", ""]
    size = sum(len(l.encode()) + 1 for l in lines)
    counts = {}
    i = 1
    while size < args.bytes:
        sec = section(r, i, langs, weights, args.error_rate, counts)
        size += sum(len(l.encode()) + 1 for l in sec)
        lines += sec
        i += 1
    text = "\n".join(lines) + "\n"
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{args.out}: {len(text.encode())} bytes, {i - 1} questions, "
          f"{sum(c[0] for c in counts.values())} fences", file=sys.stderr)
    for lang in langs:
        if lang in counts:
            print(f"  {lang or '(untagged)'}: {counts[lang][0]} ({counts[lang][1]} broken)", file=sys.stderr)


if __name__ == "__main__":
    main()
