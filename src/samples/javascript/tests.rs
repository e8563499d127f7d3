use super::*;

/// The 1-based line of an error, and its message.
fn err(check: fn(&str) -> Option<SyntaxError>, src: &str) -> Option<(usize, String)> {
    check(src).map(|e| (src[..e.range.start].matches('\n').count() + 1, e.message))
}

#[test]
fn fragments_parse() {
    for ok in [
        // A file, a module, a script in sloppy mode.
        "import fs from 'fs';\nexport const a = await fs.promises.readFile('x');\n",
        "with (Math) { x = cos(0); }\nvar n = 010;\n",
        // Statements shown alone, `return` at the top.
        "if (n < 2) return n;\nreturn fib(n - 1) + fib(n - 2);\n",
        // A method alone, class members alone.
        "constructor(name) {\n  this.name = name;\n}\n\nget upper() {\n  return this.name.toUpperCase();\n}\n",
        "static count = 0;\n#secret = 1;\n",
        // `yield` alone, object members alone.
        "const x = yield fetch(url);\n",
        "name: 'Ann',\ngreet() { return 'hi'; },\n",
        // Elisions and placeholders.
        "function f(a, b) {\n  ...\n}\nf(1, ...);\nconst xs = [1, 2, ...];\n",
        "if (ready) {\n  <your code here>\n}\n",
        "function g() {\n  // ...\n}\n",
        // JSX in a js fence.
        "const App = () => <div className=\"app\">{items.map(i => <Item key={i} />)}</div>;\n",
        // A Node REPL session with its output.
        "> [1, 2, 3].map(x => x * 2)\n[ 2, 4, 6 ]\n> typeof null\n'object'\n",
        // Output pasted under the code.
        "console.log('Hello' + ' ' + 'World');\n\nHello World\n",
        "const a = [1, 2, 3];\nconsole.log(a.length);\n// Output:\n3 items counted\n",
    ] {
        assert_eq!(err(check_javascript, ok), None, "{ok}");
    }
}

#[test]
fn a_shell_command_in_a_js_fence_is_not_an_error() {
    assert_eq!(err(check_javascript, "$ node --version\nv20.1.0\n"), None);
    assert_eq!(err(check_javascript, "npm install express --save\n"), None);
}

#[test]
fn broken_samples_are_reported_on_their_line() {
    // The example: an expression left unfinished.
    let (line, msg) = err(check_javascript, "const hasName = //\n}\n").unwrap();
    assert_eq!(line, 2, "{msg}");
    let (line, _) = err(
        check_javascript,
        "function add(a, b) {\n  return a + b;\n\nconsole.log(add(1, 2));\n",
    )
    .unwrap();
    assert!(line >= 4, "{line}");
    let (line, msg) = err(check_javascript, "const s = 'abc;\nconsole.log(s);\n").unwrap();
    assert_eq!(line, 1, "{msg}");
    assert!(msg.contains("nterminated string"), "{msg}");
    let (line, _) = err(
        check_javascript,
        "let a = 1;\nfucntion f() {\n  return a;\n}\n",
    )
    .unwrap();
    assert_eq!(line, 2);
    let (line, _) = err(check_javascript, "const f = (x, y) - > x + y;\n").unwrap();
    assert_eq!(line, 1);
}

#[test]
fn a_method_alone_that_is_broken_is_reported_inside_it() {
    // As a file it fails on line 1; as class members it reads on to the real mistake.
    let (line, msg) = err(check_javascript, "greet() {\n  return 'hi' +;\n}\n").unwrap();
    assert_eq!(line, 2, "{msg}");
}

#[test]
fn typescript_and_tsx() {
    for ok in [
        "interface User { name: string; age?: number }\nconst u = <User>{ name: 'a' };\n",
        "function id<T>(x: T): T { return x; }\nenum Color { Red, Green }\n",
        "type Props = { title: string };\nconst C = ({ title }: Props) => <h1>{title}</h1>;\n",
        "private readonly cache = new Map<string, number>();\nconstructor(private http: HttpClient) {}\n",
    ] {
        assert_eq!(err(check_typescript, ok), None, "{ok}");
    }
    let (line, _) = err(check_typescript, "let x: number = ;\n").unwrap();
    assert_eq!(line, 1);
    let (line, _) = err(check_tsx, "const a = <div>{x</div>;\n").unwrap();
    assert_eq!(line, 1);
}

#[test]
fn output_that_reads_as_code_is_not_taken_for_output() {
    let (line, _) = err(check_javascript, "const a = 1;\n\nlet b = ;\n").unwrap();
    assert_eq!(line, 3);
}
