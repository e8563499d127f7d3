// notes-lsp: runs one sample and tells what each console call printed.
// argv: job file, nonce. The sample runs as a classic script in the global scope (as a
// browser runs a <script>); the result is one JSON object written after the nonce when the
// process exits.
'use strict';
const fs = require('fs');
const util = require('util');
const vm = require('vm');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const NONCE = process.argv[3];
const FILE = 'sample.js';
const writes = []; // [[spans], text]
const raised = []; // [[spans], type, last line]
let size = 0;
let truncated = false;
let compiled = true;
let message = '';

function sampleLines(callsites) {
  const out = [];
  for (const c of callsites) {
    if (c && typeof c.getFileName === 'function' && c.getFileName() === FILE) {
      const line = c.getLineNumber();
      if (!out.some(s => s[0] === line)) out.push([line, line]);
    }
  }
  return out;
}

function where() {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_, cs) => cs;
  Error.stackTraceLimit = 100;
  const holder = {};
  Error.captureStackTrace(holder, where);
  const cs = holder.stack;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  return sampleLines(Array.isArray(cs) ? cs : []);
}

function record(text) {
  if (truncated) return;
  if (size + text.length > job.limit) {
    text = text.slice(0, job.limit - size);
    truncated = true;
  }
  size += text.length;
  const spans = where();
  const last = writes[writes.length - 1];
  if (last && JSON.stringify(last[0]) === JSON.stringify(spans)) last[1] += text;
  else writes.push([spans, text]);
}

// An Error logged shows as `TypeError: message`, as the notes write it (node adds its stack).
const shown = a => (a instanceof Error ? String(a) : a);
for (const m of ['log', 'info', 'debug', 'warn', 'error', 'trace']) {
  console[m] = function (...args) {
    record(util.formatWithOptions({ colors: false }, ...args.map(shown)) + '\n');
  };
}
console.dir = (obj, opts) => record(util.inspect(obj, { ...opts, colors: false }) + '\n');
process.stdout.write = function (chunk, enc, cb) {
  record(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  if (typeof enc === 'function') enc();
  else if (typeof cb === 'function') cb();
  return true;
};

function errorSpans(e) {
  const stack = e && typeof e.stack === 'string' ? e.stack : '';
  const out = [];
  const re = /sample\.js:(\d+)/g;
  let m;
  while ((m = re.exec(stack)) !== null) {
    const line = Number(m[1]);
    if (!out.some(s => s[0] === line)) out.push([line, line]);
  }
  return out;
}

function recordError(e) {
  if (e instanceof Error || (e && typeof e.name === 'string' && 'message' in e)) {
    raised.push([errorSpans(e), String(e.name), `${e.name}: ${e.message}`]);
  } else {
    raised.push([[], 'Uncaught', `Uncaught ${util.inspect(e)}`]);
  }
}

process.on('uncaughtException', recordError);
process.on('unhandledRejection', recordError);
process.on('exit', () => {
  const out = JSON.stringify({ compiled, message, writes, raised, truncated });
  fs.writeSync(1, NONCE + out);
});

globalThis.require = require;
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;

let script = null;
try {
  script = new vm.Script(job.source, { filename: FILE });
} catch (e) {
  compiled = false;
  message = `${e.name}: ${e.message}`;
}
if (script) {
  try {
    script.runInThisContext();
  } catch (e) {
    recordError(e);
  }
}
