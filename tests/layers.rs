//! The layers of the crate, checked from its source: `note` (a note's text and parse) imports
//! nothing above it, `codes`, `parallel`, `alloc` and `config` are leaves, only `server` names LSP
//! types, and no two files (nor two top-level modules) import each other, directly or around
//! a circle. `scripts/layers.sh` runs this and prints the module graph.
//!
//! An import is any path into the crate (`crate::`, `super::`, `self::`, a child module's
//! name) in `use` items and in code, comments and string literals left out; it leads to the
//! file of the longest module prefix of the path. A folder's `mod.rs` and the files in the
//! folder are one module: a file's use of what its folder's `mod.rs` defines (`super::Ctx`)
//! is no edge between files; the `mod.rs`'s use of the files is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each of these top-level modules may import besides itself (none of the others).
const LIMITS: &[(&str, &[&str])] = &[
    ("codes", &[]),
    ("parallel", &[]),
    ("alloc", &[]),
    ("config", &["codes"]),
    ("note", &["parallel"]),
];

/// The only top-level module that may name LSP types.
const LSP_ONLY_IN: &str = "server";

type Module = Vec<String>;

/// One source file of the library: its module path and its text with comments and the
/// insides of literals blanked out (line breaks kept).
struct File {
    path: PathBuf,
    module: Module,
    code: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other(char),
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The library's files (`main.rs` is the binary: it uses the library by its name).
fn files() -> Vec<File> {
    let mut out = Vec::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src()).expect("under src").to_path_buf();
                if rel == Path::new("main.rs") {
                    continue;
                }
                let mut module: Module = rel
                    .with_extension("")
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).expect("a UTF-8 source file");
                out.push(File {
                    path: rel,
                    module,
                    code: blank_comments_and_literals(&text),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// `text` with comments and the contents of string and character literals replaced by
/// spaces, line breaks kept.
fn blank_comments_and_literals(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) && raw_prefix(&b, i) {
            // A raw string: r"...", r#"..."#, br#"..."#, ...
            let hashes = b[i + 1..].iter().take_while(|&&c| c == '#').count();
            if b.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            i += 2 + hashes;
            while i < b.len() {
                if b[i] == '"'
                    && b[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == '#')
                        .count()
                        == hashes
                {
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
            out.push('"');
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            let end = if next == Some('\\') {
                b[i + 3..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| i + 3 + p)
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str("' '");
                    out.extend(std::iter::repeat_n(' ', end - i - 2));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether the `r` at `i` starts a raw string rather than ends a word (`br` starts a raw
/// byte string).
fn raw_prefix(b: &[char], i: usize) -> bool {
    let before = |k: usize| i.checked_sub(k).and_then(|j| b.get(j));
    !ident_char(before(1)) || (before(1) == Some(&'b') && !ident_char(before(2)))
}

fn ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The tokens of `code`, each with its line.
fn tokens(code: &str) -> Vec<(Token, usize)> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while ident_char(b.get(i)) {
                i += 1;
            }
            let word: String = b[start..i].iter().collect();
            out.push((
                Token::Ident(word.trim_start_matches("r#").to_string()),
                line,
            ));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push((Token::PathSep, line));
            i += 2;
        } else {
            out.push((
                match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    ',' => Token::Comma,
                    ';' => Token::Semi,
                    '*' => Token::Star,
                    c => Token::Other(c),
                },
                line,
            ));
            i += 1;
        }
    }
    out
}

/// A path tree starting at `tokens[i]` (`a::b::{c, d::e}`): the paths it names, and where
/// it ends.
fn path_tree(tokens: &[(Token, usize)], mut i: usize) -> (Vec<Module>, usize) {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(i).map(|t| &t.0) {
            Some(Token::Ident(s)) => {
                prefix.push(s.clone());
                i += 1;
            }
            Some(Token::Star) => return (vec![prefix], i + 1),
            Some(Token::Open) => {
                let mut out = Vec::new();
                i += 1;
                while let Some((t, _)) = tokens.get(i) {
                    match t {
                        Token::Close => {
                            i += 1;
                            break;
                        }
                        Token::Comma => i += 1,
                        _ => {
                            let (paths, next) = path_tree(tokens, i);
                            out.extend(paths.into_iter().map(|p| {
                                let mut full = prefix.clone();
                                full.extend(p.into_iter().filter(|s| s != "self"));
                                full
                            }));
                            // Skip what is not a path (`as name`).
                            i = next.max(i + 1);
                            while let Some((t, _)) = tokens.get(i) {
                                if matches!(t, Token::Comma | Token::Close) {
                                    break;
                                }
                                i += 1;
                            }
                        }
                    }
                }
                return (out, i);
            }
            _ => return (vec![prefix], i),
        }
        if tokens.get(i).map(|t| &t.0) == Some(&Token::PathSep) {
            i += 1;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// Every import of `file`: the module path it names, absolute, and its line.
fn imports(file: &File) -> Vec<(Module, usize)> {
    let tokens = tokens(&file.code);
    // Child modules kept in files of their own (`mod name;`), and inline modules open here.
    let mut children = BTreeSet::new();
    for w in tokens.windows(3) {
        if let [
            (Token::Ident(m), _),
            (Token::Ident(name), _),
            (Token::Semi, _),
        ] = w
            && m == "mod"
        {
            children.insert(name.clone());
        }
    }
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (t, line) = &tokens[i];
        match t {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(m)
                if m == "mod"
                    && matches!(tokens.get(i + 2), Some((Token::Open, _)))
                    && matches!(tokens.get(i + 1), Some((Token::Ident(_), _))) =>
            {
                if let Some((Token::Ident(name), _)) = tokens.get(i + 1) {
                    inline.push((name.clone(), depth));
                }
            }
            Token::Ident(first)
                if matches!(tokens.get(i + 1), Some((Token::PathSep, _)))
                    && !matches!(tokens.get(i.wrapping_sub(1)), Some((Token::PathSep, _))) =>
            {
                let here: Module = file
                    .module
                    .iter()
                    .cloned()
                    .chain(inline.iter().map(|(m, _)| m.clone()))
                    .collect();
                let (paths, next) = path_tree(&tokens, i);
                for path in paths {
                    let absolute = match first.as_str() {
                        "crate" => Some(path[1..].to_vec()),
                        "super" | "self" => {
                            let mut at = here.clone();
                            let mut rest = &path[..];
                            while let Some((s, r)) = rest.split_first() {
                                match s.as_str() {
                                    "super" => {
                                        at.pop();
                                    }
                                    "self" => {}
                                    _ => break,
                                }
                                rest = r;
                            }
                            at.extend(rest.iter().cloned());
                            Some(at)
                        }
                        name if inline.is_empty() && children.contains(name) => {
                            Some(file.module.iter().chain(&path).cloned().collect())
                        }
                        _ => None,
                    };
                    out.extend(absolute.map(|m| (m, *line)));
                }
                i = next.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The file a module path leads to: its longest prefix that is a file's module.
fn file_of<'a>(module: &Module, by_module: &'a BTreeMap<Module, usize>) -> Option<&'a usize> {
    (0..=module.len())
        .rev()
        .find_map(|n| by_module.get(&module[..n].to_vec()))
}

/// The import graph: for each file, the files it imports and the first line of each.
fn graph(files: &[File]) -> Vec<BTreeMap<usize, usize>> {
    let by_module: BTreeMap<Module, usize> = (files.iter().enumerate())
        .map(|(i, f)| (f.module.clone(), i))
        .collect();
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut to = BTreeMap::new();
            for (m, line) in imports(f) {
                if let Some(&j) = file_of(&m, &by_module)
                    && j != i
                    && !f.module.starts_with(&files[j].module)
                {
                    to.entry(j).or_insert(line);
                }
            }
            to
        })
        .collect()
}

/// The strongly connected components of more than one node (Tarjan).
fn circles(edges: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    struct Walk<'a> {
        edges: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl Walk<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in self.edges[v].iter() {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut scc = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    self.out.push(scc);
                }
            }
        }
    }
    let n = edges.len();
    let mut walk = Walk {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if walk.index[v].is_none() {
            walk.visit(v);
        }
    }
    walk.out
}

fn top(f: &File) -> &str {
    f.module.first().map_or("crate", String::as_str)
}

#[test]
fn no_file_imports_another_around_a_circle() {
    let files = files();
    let g = graph(&files);
    let edges: Vec<BTreeSet<usize>> = g.iter().map(|m| m.keys().copied().collect()).collect();
    let found = circles(&edges);
    let mut report = String::new();
    for scc in &found {
        report.push_str("circle:\n");
        for &a in scc {
            for (&b, line) in &g[a] {
                if scc.contains(&b) {
                    let (fa, fb) = (&files[a].path, &files[b].path);
                    report.push_str(&format!(
                        "  src/{}:{line} imports src/{}\n",
                        fa.display(),
                        fb.display()
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "{report}");
}

/// The top-level modules and the ones each imports.
fn module_graph(files: &[File]) -> BTreeMap<String, BTreeMap<String, String>> {
    let g = graph(files);
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (a, to) in g.iter().enumerate() {
        let from = top(&files[a]).to_string();
        let entry = out.entry(from.clone()).or_default();
        for (&b, line) in to {
            let into = top(&files[b]).to_string();
            if into != from && into != "crate" {
                entry
                    .entry(into)
                    .or_insert_with(|| format!("src/{}:{line}", files[a].path.display()));
            }
        }
    }
    out.remove("crate");
    out
}

#[test]
fn no_module_imports_another_around_a_circle() {
    let files = files();
    let m = module_graph(&files);
    let names: Vec<&String> = m.keys().collect();
    let index = |n: &String| names.iter().position(|x| *x == n);
    let edges: Vec<BTreeSet<usize>> = m
        .values()
        .map(|to| to.keys().filter_map(index).collect())
        .collect();
    let found = circles(&edges);
    let report: Vec<String> = found
        .iter()
        .map(|scc| {
            let mut lines = vec!["circle:".to_string()];
            for &a in scc {
                for (b, at) in &m[names[a]] {
                    if index(b).is_some_and(|b| scc.contains(&b)) {
                        lines.push(format!("  {} imports {b} ({at})", names[a]));
                    }
                }
            }
            lines.join("\n")
        })
        .collect();
    assert!(found.is_empty(), "{}", report.join("\n"));
}

#[test]
fn lower_layers_import_nothing_above_them() {
    let files = files();
    let m = module_graph(&files);
    let mut wrong = Vec::new();
    for (module, allowed) in LIMITS {
        assert!(m.contains_key(*module), "src/{module} exists");
        for (into, at) in &m[*module] {
            if !allowed.contains(&into.as_str()) {
                wrong.push(format!("{module} imports {into} ({at})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_the_server_names_lsp_types() {
    let wrong: Vec<String> = files()
        .iter()
        .filter(|f| top(f) != LSP_ONLY_IN)
        .filter(|f| f.code.contains("tower_lsp_server") || f.code.contains("ls_types"))
        .map(|f| format!("src/{}", f.path.display()))
        .collect();
    assert!(
        wrong.is_empty(),
        "LSP types outside src/{LSP_ONLY_IN}: {wrong:?}"
    );
}

/// Imports the checks above must see, and text they must not take for imports.
#[test]
fn imports_are_read_as_rust_reads_them() {
    let file = File {
        path: "a/b.rs".into(),
        module: vec!["a".into(), "b".into()],
        code: blank_comments_and_literals(
            "mod c;\nuse crate::x::{self, y::Z, w::{V, U as T}};\n// use crate::comment;\n\
             fn f() { let s = \"crate::string\"; let c = '{'; let q = '\\''; super::sib::g(); }\n\
             fn g<'a>(x: &'a str) { let r = br#\"{\"crate::raw\"}\"#; c::h(); }\n\
             mod tests { use super::*; use super::super::up; }\n",
        ),
    };
    let got: Vec<String> = imports(&file).iter().map(|(m, _)| m.join("::")).collect();
    assert_eq!(
        got,
        [
            "x",
            "x::y::Z",
            "x::w::V",
            "x::w::U",
            "a::sib::g",
            "a::b::c::h",
            "a::b",
            "a::up"
        ]
    );
}

/// `scripts/layers.sh`: the top-level modules, each with what it imports.
#[test]
fn print_the_module_graph() {
    for (module, to) in module_graph(&files()) {
        let to: Vec<&str> = to.keys().map(String::as_str).collect();
        println!("{module:<10} imports {}", to.join(", "));
    }
}
