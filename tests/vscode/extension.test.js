// Unit tests for editors/vscode/extension.js, run with `node --test`.
//
// VS Code is not available here, so `vscode` and `vscode-languageclient/node`
// are replaced by small fakes that record what the extension asks of them.
// The extension under test is $NOTES_LSP_EXTENSION_JS, or the one in the repo.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');

const EXTENSION_JS = process.env.NOTES_LSP_EXTENSION_JS
  || path.resolve(__dirname, '..', '..', 'editors', 'vscode', 'extension.js');

// ---- fakes -----------------------------------------------------------------

const state = {
  settings: {},
  errors: [],
  commands: new Map(),
  executed: [],
  configListeners: [],
  clients: [],
  channels: [],
};

function reset(settings) {
  state.settings = settings || {};
  state.errors = [];
  state.commands = new Map();
  state.executed = [];
  state.configListeners = [];
  state.clients = [];
  state.channels = [];
}

// Like VS Code's WorkspaceConfiguration: dotted keys readable with get() and
// as nested plain properties (so JSON.stringify gives the section's tree).
function configuration(section) {
  const tree = {};
  for (const [key, value] of Object.entries(state.settings)) {
    if (!key.startsWith(section + '.')) continue;
    const parts = key.slice(section.length + 1).split('.');
    let node = tree;
    for (const part of parts.slice(0, -1)) {
      node = node[part] = node[part] || {};
    }
    node[parts[parts.length - 1]] = value;
  }
  const config = JSON.parse(JSON.stringify(tree));
  Object.defineProperty(config, 'get', {
    enumerable: false,
    value: (key, defaultValue) => {
      const full = `${section}.${key}`;
      return Object.prototype.hasOwnProperty.call(state.settings, full) ? state.settings[full] : defaultValue;
    },
  });
  return config;
}

const fakeVscode = {
  workspace: {
    workspaceFolders: undefined,
    getConfiguration: (section) => configuration(section),
    onDidChangeConfiguration: (listener) => {
      state.configListeners.push(listener);
      return { dispose() {} };
    },
  },
  window: {
    createOutputChannel: (name) => {
      const channel = {
        name,
        lines: [],
        appendLine(line) { this.lines.push(line); },
        append() {},
        show() {},
        dispose() {},
      };
      state.channels.push(channel);
      return channel;
    },
    showErrorMessage: (message, ...items) => {
      state.errors.push({ message, items });
      return Promise.resolve(undefined);
    },
  },
  commands: {
    registerCommand: (id, fn) => {
      state.commands.set(id, fn);
      return { dispose() {} };
    },
    executeCommand: (...args) => {
      state.executed.push(args);
      return Promise.resolve();
    },
  },
};

class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    this.id = id;
    this.name = name;
    this.serverOptions = serverOptions;
    this.clientOptions = clientOptions;
    this.started = false;
    this.stopped = false;
    state.clients.push(this);
  }
  start() { this.started = true; return Promise.resolve(); }
  stop() { this.stopped = true; return Promise.resolve(); }
}

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return fakeVscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient: FakeLanguageClient };
  return originalLoad.call(this, request, parent, isMain);
};

const extension = require(EXTENSION_JS);

// ---- helpers ---------------------------------------------------------------

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'notes-lsp-ext-'));
}

function fakeBinary(dir, name, mode) {
  const file = path.join(dir, name || 'notes-lsp');
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, mode === undefined ? 0o755 : mode);
  return file;
}

function fakeContext(extensionPath) {
  return { subscriptions: [], extensionPath };
}

// An unpacked extension folder whose server/notes-lsp prints `version`.
function fakeExtension(version, mode) {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'server'));
  const file = path.join(dir, 'server', 'notes-lsp');
  fs.writeFileSync(file, `#!/bin/sh\necho '${version}'\n`);
  fs.chmodSync(file, mode === undefined ? 0o755 : mode);
  return { dir, file };
}

async function withPath(dir, fn) {
  const saved = process.env.PATH;
  process.env.PATH = dir + path.delimiter + '/nonexistent-dir';
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

// ---- tests -----------------------------------------------------------------

test('resolveServerPath finds a bare name on PATH', () => {
  const dir = tempDir();
  const bin = fakeBinary(dir);
  const env = { PATH: ['/nonexistent-dir', dir].join(path.delimiter) };
  assert.deepEqual(extension.resolveServerPath('notes-lsp', { env, platform: 'linux' }), { found: bin });
});

test('resolveServerPath skips files that are not executable', () => {
  const dir = tempDir();
  fakeBinary(dir, 'notes-lsp', 0o644);
  const env = { PATH: dir };
  const result = extension.resolveServerPath('notes-lsp', { env, platform: 'linux' });
  assert.equal(result.found, undefined);
  assert.equal(result.searched, 'PATH');
});

test('resolveServerPath takes absolute, ~/ and workspace-relative paths', () => {
  const dir = tempDir();
  const bin = fakeBinary(dir);
  assert.deepEqual(extension.resolveServerPath(bin, { env: { PATH: '' } }), { found: bin });
  assert.deepEqual(
    extension.resolveServerPath('~/notes-lsp', { env: { PATH: '' }, homedir: dir }),
    { found: bin },
  );
  const sub = path.join(dir, 'target', 'debug');
  fs.mkdirSync(sub, { recursive: true });
  const built = fakeBinary(sub);
  assert.deepEqual(
    extension.resolveServerPath('target/debug/notes-lsp', { env: { PATH: '' }, workspaceFolder: dir }),
    { found: built },
  );
  const missing = path.join(dir, 'nope', 'notes-lsp');
  assert.deepEqual(extension.resolveServerPath(missing, { env: { PATH: '' } }), { found: undefined, searched: missing });
});

test('activate with no binary shows an error naming the path and how to install', async () => {
  reset({ 'notesLsp.path': '/opt/nowhere/notes-lsp' });
  await extension.activate(fakeContext());
  assert.equal(state.clients.length, 0, 'no language client is started');
  assert.equal(state.errors.length, 1, 'one error message');
  const { message, items } = state.errors[0];
  assert.match(message, /\/opt\/nowhere\/notes-lsp/);
  assert.match(message, /cargo install --locked --path \./);
  assert.match(message, /notesLsp\.path/);
  assert.deepEqual(items, ['Open Settings']);
  await extension.deactivate();
});

test('activate with the default setting and nothing on PATH explains PATH', async () => {
  reset({});
  await withPath(tempDir(), () => extension.activate(fakeContext()));
  assert.equal(state.clients.length, 0);
  assert.equal(state.errors.length, 1);
  assert.match(state.errors[0].message, /"notes-lsp" was not found on PATH/);
  assert.match(state.errors[0].message, /cargo install --locked --path \./);
  await extension.deactivate();
});

test('activate starts `notes-lsp --stdio` for Markdown with the settings', async () => {
  const dir = tempDir();
  const bin = fakeBinary(dir);
  reset({
    'notesLsp.logLevel': 'debug',
    'notesLsp.trace.server': 'verbose',
    'notesLsp.diagnostics': { 'unanswered-question': 'off', 'python-syntax': 'warning' },
    'notesLsp.features.outline': false,
    'notesLsp.features.folding': true,
    'notesLsp.run': { onSave: true, python: 'python3.13', timeout: 5 },
    'notesLsp.outline.samples': 'all',
  });
  await withPath(dir, () => extension.activate(fakeContext()));
  assert.equal(state.errors.length, 0, JSON.stringify(state.errors));
  assert.equal(state.clients.length, 1);
  const client = state.clients[0];
  assert.equal(client.id, 'notesLsp', 'client id matches the notesLsp.trace.server setting');
  assert.ok(client.started);

  const server = client.serverOptions;
  assert.equal(server.command, bin);
  assert.deepEqual(server.args, ['--stdio']);
  assert.equal(server.transport, undefined, 'no transport: the client would append a second --stdio');
  assert.equal(server.options.env.NOTES_LSP_LOG, 'debug');
  assert.equal(server.options.env.HOME, process.env.HOME, 'the rest of the environment is kept');

  const options = client.clientOptions;
  assert.deepEqual(options.documentSelector, [
    { scheme: 'file', language: 'markdown' },
    { scheme: 'untitled', language: 'markdown' },
  ]);
  assert.deepEqual(options.initializationOptions, {
    diagnostics: { 'unanswered-question': 'off', 'python-syntax': 'warning' },
    features: { outline: false, folding: true },
    run: { onSave: true, python: 'python3.13', timeout: 5 },
    outline: { samples: 'all' },
  });
  assert.deepEqual(options.synchronize, { configurationSection: 'notesLsp' });
  await extension.deactivate();
  assert.ok(client.stopped);
});

test('chooseServer: the setting, else the bundled server, else PATH', () => {
  const onPath = tempDir();
  const pathBin = fakeBinary(onPath);
  const env = { PATH: onPath };
  const ext = fakeExtension('notes-lsp 9.9.9 (bundled)');
  const other = fakeBinary(tempDir());

  assert.deepEqual(extension.chooseServer('', { env, platform: 'linux', extensionPath: ext.dir }), {
    found: ext.file,
    source: 'bundled',
  });
  assert.deepEqual(extension.chooseServer(other, { env, platform: 'linux', extensionPath: ext.dir }), {
    found: other,
    source: 'setting',
  });
  assert.deepEqual(
    extension.chooseServer('notes-lsp', { env, platform: 'linux', extensionPath: ext.dir }),
    { found: pathBin, source: 'setting' },
    'a bare name set on purpose is looked up on PATH',
  );
  assert.deepEqual(extension.chooseServer('  ', { env, platform: 'linux', extensionPath: tempDir() }), {
    found: pathBin,
    source: 'PATH',
  });
  assert.deepEqual(extension.chooseServer('', { env: { PATH: '' }, platform: 'linux', extensionPath: tempDir() }), {
    found: undefined,
    searched: 'PATH',
    source: 'PATH',
  });
  assert.equal(
    extension.bundledServerPath('/ext', 'win32'),
    path.join('/ext', 'server', 'notes-lsp.exe'),
  );
});

test('chooseServer makes a bundled server that lost its mode bits executable again', () => {
  const ext = fakeExtension('notes-lsp 9.9.9', 0o644);
  const chosen = extension.chooseServer('', { env: { PATH: '' }, platform: 'linux', extensionPath: ext.dir });
  assert.deepEqual(chosen, { found: ext.file, source: 'bundled' });
  assert.ok(fs.statSync(ext.file).mode & 0o100, 'executable by its owner');
});

test('activate runs the bundled server and says so, with its version, in the output channel', async () => {
  const ext = fakeExtension('notes-lsp 9.9.9 (abcdef123456 2026-12-07)');
  const onPath = tempDir();
  fakeBinary(onPath);
  reset({});
  await withPath(onPath, () => extension.activate(fakeContext(ext.dir)));
  assert.equal(state.errors.length, 0, JSON.stringify(state.errors));
  assert.equal(state.clients.length, 1);
  assert.equal(state.clients[0].serverOptions.command, ext.file, 'the bundled server, not the one on PATH');
  const lines = state.channels[0].lines;
  assert.ok(
    lines.includes(
      `Using the server bundled with the extension, ${ext.file}: notes-lsp 9.9.9 (abcdef123456 2026-12-07)`,
    ),
    lines.join('\n'),
  );
  await extension.deactivate();
});

test('activate with notesLsp.path set runs that server and says so', async () => {
  const ext = fakeExtension('notes-lsp 9.9.9 (bundled)');
  const mine = fakeExtension('notes-lsp 0.0.1 (mine)');
  reset({ 'notesLsp.path': mine.file });
  await extension.activate(fakeContext(ext.dir));
  assert.equal(state.clients[0].serverOptions.command, mine.file);
  const lines = state.channels[0].lines;
  assert.ok(lines.includes(`Using the server from notesLsp.path, ${mine.file}: notes-lsp 0.0.1 (mine)`), lines.join('\n'));
  await extension.deactivate();
});

test('middleware turns outline and folding off client-side', async () => {
  const document = { uri: 'file:///notes.md' };
  const middleware = extension.createMiddleware(fakeVscode);
  let calls = 0;
  const next = () => { calls += 1; return ['from server']; };

  reset({ 'notesLsp.features.outline': false, 'notesLsp.features.folding': false });
  assert.equal(middleware.provideDocumentSymbols(document, {}, next), null);
  assert.equal(middleware.provideFoldingRanges(document, {}, {}, next), null);
  assert.equal(calls, 0, 'the server is not asked');

  reset({});
  assert.deepEqual(middleware.provideDocumentSymbols(document, {}, next), ['from server']);
  assert.deepEqual(middleware.provideFoldingRanges(document, {}, {}, next), ['from server']);
  assert.equal(calls, 2, 'on by default');
});

test('changing notesLsp.path restarts the server; the restart command works', async () => {
  const dir = tempDir();
  fakeBinary(dir);
  reset({});
  await withPath(dir, async () => {
    await extension.activate(fakeContext());
    assert.equal(state.clients.length, 1);

    const other = tempDir();
    const otherBin = fakeBinary(other);
    state.settings['notesLsp.path'] = otherBin;
    for (const listener of state.configListeners) {
      listener({ affectsConfiguration: (key) => key === 'notesLsp.path' || key === 'notesLsp' });
    }
    await state.commands.get('notesLsp.restartServer')();
    assert.ok(state.clients[0].stopped, 'old client stopped');
    const latest = state.clients[state.clients.length - 1];
    assert.equal(latest.serverOptions.command, otherBin);
    assert.ok(latest.started);

    // A trace change is handled by the client itself: no restart.
    const count = state.clients.length;
    for (const listener of state.configListeners) {
      listener({ affectsConfiguration: (key) => key === 'notesLsp.trace.server' || key === 'notesLsp' });
    }
    await state.commands.get('notesLsp.restartServer')();
    assert.equal(state.clients.length, count + 1, 'only the explicit restart started a client');
  });
  await extension.deactivate();
});
