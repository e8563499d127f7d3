# notes-lsp: runs one sample and tells what each statement printed.
# argv: job file, nonce. The result is one JSON object written after the nonce on the
# original standard output, by the process that started (not by a fork of it).
import ast, io, json, os, sys, traceback

JOB = json.load(open(sys.argv[1], encoding="utf-8"))
NONCE = sys.argv[2]
FILE = "<sample>"
LIMIT = JOB["limit"]
MAIN = os.getpid()
RESULT_FD = os.dup(1)
os.set_inheritable(RESULT_FD, False)

writes = []  # [[spans], text]
raised = []  # [[spans], type, last line]
state = {"size": 0, "truncated": False, "example": None, "spans": {}}


def spans_of(frames):
    """The statements (start, end lines) of the sample's frames, innermost first."""
    out = []
    for f, lineno in frames:
        if f.f_code.co_filename != FILE:
            continue
        span = state["spans"].get(lineno, (lineno, lineno))
        if span not in out:
            out.append(span)
    return out


def where():
    if state["example"] is not None:
        k = state["example"]
        return [(k, k)]
    frames = []
    f = sys._getframe(2)
    while f is not None:
        frames.append((f, f.f_lineno))
        f = f.f_back
    return spans_of(frames)


class Out(io.TextIOBase):
    encoding = "utf-8"
    errors = "strict"

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        n = len(s)
        if state["truncated"]:
            return n
        if state["size"] + n > LIMIT:
            s = s[: LIMIT - state["size"]]
            state["truncated"] = True
        state["size"] += len(s)
        spans = [list(x) for x in where()]
        if writes and writes[-1][0] == spans:
            writes[-1][1] += s
        else:
            writes.append([spans, s])
        return n

    def flush(self):
        pass


def statement_spans(tree):
    """Each line's statement: a simple statement's lines, or a compound one's header."""
    spans = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = max(node.lineno, body[0].lineno - 1)
        else:
            end = node.end_lineno or node.lineno
        for line in range(node.lineno, end + 1):
            spans[line] = (node.lineno, end)
    return spans


def show(value):
    if value is not None:
        print(repr(value))


class Display(ast.NodeTransformer):
    """`expr  # => value`: the expression's repr is printed where it stands."""

    def __init__(self, lines):
        self.lines = set(lines)

    def visit_Expr(self, node):
        call = node.value
        is_print = (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "print"
        )
        if node.end_lineno in self.lines and not is_print:
            new = ast.Expr(
                ast.Call(ast.Name("__notes_show__", ast.Load()), [node.value], [])
            )
            return ast.copy_location(new, node)
        return node


def record_exception(e, example=None):
    tb = e.__traceback__
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    frames.reverse()
    if example is not None:
        spans = [(example, example)]
    else:
        spans = spans_of(frames)
        if isinstance(e, SyntaxError) and e.filename == FILE and e.lineno:
            spans = [(e.lineno, e.lineno)]
    last = traceback.format_exception_only(type(e), e)[-1].strip()
    raised.append([[list(s) for s in spans], type(e).__name__, last])


def finish(compiled, message=""):
    if os.getpid() != MAIN:
        os._exit(0)
    out = {
        "compiled": compiled,
        "message": message,
        "writes": writes,
        "raised": raised,
        "truncated": state["truncated"],
    }
    data = (NONCE + json.dumps(out)).encode("utf-8", "replace")
    while data:
        data = data[os.write(RESULT_FD, data) :]


def main():
    out = Out()
    g = {"__name__": "__main__", "__builtins__": __builtins__, "__notes_show__": show}
    sys.argv = ["sample.py"]
    if JOB["mode"] == "session":
        sys.stdout = out
        for k, source in enumerate(JOB["examples"]):
            state["example"] = k
            try:
                code = compile(source, FILE, "single", dont_inherit=True)
                exec(code, g)
            except SystemExit:
                break
            except BaseException as e:
                record_exception(e, k)
        state["example"] = None
        sys.stdout = sys.__stdout__
        return finish(True)
    source = JOB["source"]
    try:
        tree = ast.parse(source, FILE)
    except SyntaxError as e:
        return finish(False, traceback.format_exception_only(type(e), e)[-1].strip())
    state["spans"] = statement_spans(tree)
    tree = ast.fix_missing_locations(Display(JOB["display"]).visit(tree))
    code = compile(tree, FILE, "exec", dont_inherit=True)
    sys.stdout = out
    try:
        exec(code, g)
    except SystemExit:
        pass
    except BaseException as e:
        record_exception(e)
    sys.stdout = sys.__stdout__
    finish(True)


main()
