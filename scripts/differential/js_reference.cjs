// The reference parsers for the JavaScript and TypeScript differentials: V8's, as `node
// --check` runs it (scripts through vm.Script, modules through `node --check` on a .mjs file),
// and the `typescript` package's parser (syntactic diagnostics only). Reads JSON lines
// {"src": "...", "mode": "script" | "module" | "ts" | "tsx"} on stdin, prints per line
// {"ok": true} or {"line": N, "message": "..."}.
//
//     node scripts/differential/js_reference.cjs [TYPESCRIPT_MODULE_DIR]
'use strict';
const vm = require('vm');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { execFileSync } = require('child_process');

let ts = null;
function typescript() {
  if (!ts) ts = require(process.argv[2] ? path.resolve(process.argv[2], 'typescript') : 'typescript');
  return ts;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'js-reference-'));

function script(src) {
  try {
    new vm.Script(src, { filename: 'sample.js' });
    return { ok: true };
  } catch (e) {
    const m = /^sample\.js:(\d+)/.exec(e.stack || '');
    return { line: m ? Number(m[1]) : 1, message: e.message };
  }
}

// `node --check` on a file: for modules, and for the scripts on which vm.Script trips one of
// node's own assertions (the process dies; the caller asks again in this mode).
function checkFile(src, ext) {
  const file = path.join(tmp, 'sample.' + ext);
  fs.writeFileSync(file, src);
  try {
    execFileSync(process.execPath, ['--check', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { ok: true };
  } catch (e) {
    const err = String(e.stderr || '');
    const m = /sample\.[cm]js:(\d+)/.exec(err);
    const msg = /SyntaxError: (.*)/.exec(err);
    return { line: m ? Number(m[1]) : 1, message: msg ? msg[1] : err.split('\n')[0] };
  }
}

function typescriptParse(src, tsx) {
  const t = typescript();
  const kind = tsx ? t.ScriptKind.TSX : t.ScriptKind.TS;
  const sf = t.createSourceFile(tsx ? 'sample.tsx' : 'sample.ts', src, t.ScriptTarget.Latest, true, kind);
  const d = sf.parseDiagnostics;
  if (!d || d.length === 0) return { ok: true };
  const first = d.reduce((a, b) => (b.start < a.start ? b : a));
  const line = sf.getLineAndCharacterOfPosition(first.start).line + 1;
  return { line, message: t.flattenDiagnosticMessageText(first.messageText, ' ') };
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (l) => {
  if (!l.trim()) return;
  const { src, mode } = JSON.parse(l);
  let out;
  try {
    switch (mode) {
      case 'script': out = script(src); break;
      case 'module': out = checkFile(src, 'mjs'); break;
      case 'script-file': out = checkFile(src, 'cjs'); break;
      case 'ts': out = typescriptParse(src, false); break;
      case 'tsx': out = typescriptParse(src, true); break;
      default: out = { error: `unknown mode ${mode}` };
    }
  } catch (e) {
    out = { line: 1, message: String(e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
rl.on('close', () => fs.rmSync(tmp, { recursive: true, force: true }));
