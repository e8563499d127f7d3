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

// Timers on a virtual clock: `setTimeout(f, 5000)` runs at once, in the order real time
// would run it (by due time, then by when it was set), with the microtasks of each callback
// run before the next (each callback is its own macrotask). A note's timers then fit the
// wall-clock limit.
const realImmediate = setImmediate;
const timers = [];
let virtualNow = 0;
let timerSeq = 0;
let pumping = false;
function pump() {
  if (pumping) return;
  pumping = true;
  realImmediate(function tick() {
    let next = -1;
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i];
      if (next < 0 || t.at < timers[next].at || (t.at === timers[next].at && t.seq < timers[next].seq)) next = i;
    }
    if (next < 0) {
      pumping = false;
      return;
    }
    const t = timers[next];
    virtualNow = Math.max(virtualNow, t.at);
    if (t.every) {
      t.at = virtualNow + t.every;
      t.seq = timerSeq++;
    } else {
      timers.splice(next, 1);
    }
    try {
      t.fn(...t.args);
    } catch (e) {
      recordError(e);
    }
    realImmediate(tick);
  });
}
class VirtualTimeout {
  constructor(fn, ms, args, repeat) {
    const delay = Number(ms) >= 1 && Number(ms) <= 2147483647 ? Number(ms) : 1;
    this.fn = typeof fn === 'function' ? fn : () => {};
    this.args = args;
    this.at = virtualNow + delay;
    this.every = repeat ? delay : 0;
    this.seq = timerSeq++;
    timers.push(this);
    pump();
  }
  ref() { return this; }
  unref() { return this; }
  hasRef() { return true; }
  refresh() { this.at = virtualNow + (this.every || 1); return this; }
  close() { clear(this); return this; }
  [Symbol.toPrimitive]() { return this.seq + 1; }
}
function clear(t) {
  const i = timers.findIndex(x => x === t || (typeof t === 'number' && x.seq + 1 === t));
  if (i >= 0) timers.splice(i, 1);
}
globalThis.setTimeout = (fn, ms, ...args) => new VirtualTimeout(fn, ms, args, false);
globalThis.setInterval = (fn, ms, ...args) => new VirtualTimeout(fn, ms, args, true);
globalThis.clearTimeout = clear;
globalThis.clearInterval = clear;

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
