// VS Code client for notes-lsp: starts `notes-lsp --stdio` for Markdown files: the server
// bundled in a platform-specific .vsix (server/notes-lsp), unless notesLsp.path names another.
//
// Plain CommonJS, no build step. Everything VS Code-specific goes through the
// `vscode` module and `vscode-languageclient/node`; the helpers at the top
// (path resolution, settings) are exported so tests can run them under node.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SECTION = 'notesLsp';
const DEFAULT_COMMAND = 'notes-lsp';
const INSTALL_HINT =
  'Install the .vsix built for your platform (it carries the server), or install notes-lsp ' +
  'with `cargo install --locked --path .` from a checkout of notes-lsp';
// Client-side settings: everything else under `notesLsp` belongs to the server.
const CLIENT_ONLY_KEYS = ['path', 'logLevel', 'trace'];
// A change to any of these needs a new server process (new binary, new
// environment or new initializationOptions).
const RESTART_KEYS = ['path', 'logLevel', 'diagnostics'];

function isExecutableFile(file, platform) {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch (_err) {
    return false;
  }
}

// Expands `~`, `${userHome}` and `${workspaceFolder}` in a configured path.
function expandPath(configured, opts) {
  const home = opts.homedir || os.homedir();
  let p = configured.trim();
  if (p === '~') {
    p = home;
  } else if (p.startsWith('~/') || p.startsWith('~\\')) {
    p = path.join(home, p.slice(2));
  }
  p = p.split('${userHome}').join(home);
  if (opts.workspaceFolder) {
    p = p.split('${workspaceFolder}').join(opts.workspaceFolder);
  }
  return p;
}

// Finds the server binary the way a shell would.
//   configured: the `notesLsp.path` setting (a bare name, or a path)
//   opts: { env, platform, workspaceFolder, homedir } (all optional)
// Returns { found: '/abs/path' } or { found: undefined, searched: 'where we looked' }.
function resolveServerPath(configured, opts) {
  opts = opts || {};
  const env = opts.env || process.env;
  const platform = opts.platform || process.platform;
  const name = expandPath(configured && configured.trim() ? configured : DEFAULT_COMMAND, opts);
  const hasSeparator = name.includes('/') || (platform === 'win32' && name.includes('\\'));

  if (path.isAbsolute(name) || hasSeparator) {
    const base = opts.workspaceFolder || process.cwd();
    const file = path.resolve(base, name);
    const candidates = [file];
    if (platform === 'win32' && !path.extname(file)) {
      candidates.push(file + '.exe');
    }
    for (const candidate of candidates) {
      if (isExecutableFile(candidate, platform)) {
        return { found: candidate };
      }
    }
    return { found: undefined, searched: file };
  }

  const pathVar = env.PATH || env.Path || '';
  const dirs = pathVar.split(path.delimiter).filter((d) => d.length > 0);
  const exts = [''];
  if (platform === 'win32') {
    exts.push(...(env.PATHEXT || '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e).map((e) => e.toLowerCase()));
  }
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate, platform)) {
        return { found: candidate };
      }
    }
  }
  return { found: undefined, searched: 'PATH' };
}

function missingServerMessage(configured, searched) {
  const where = searched === 'PATH' ? `on PATH` : `at ${searched}`;
  const setting = configured ? ' (setting notesLsp.path)' : ', and this extension carries no server for this platform';
  return (
    `Notes LSP: the server "${configured || DEFAULT_COMMAND}" was not found ${where}${setting}. ` +
    `${INSTALL_HINT} (it goes to ~/.cargo/bin, which must be on PATH), ` +
    'or set notesLsp.path to the full path of the notes-lsp binary.'
  );
}

// The server a platform-specific .vsix carries (scripts/package-vscode.sh puts it there).
function bundledServerPath(extensionPath, platform) {
  return path.join(extensionPath, 'server', (platform || process.platform) === 'win32' ? 'notes-lsp.exe' : 'notes-lsp');
}

// Which server to run:
//   configured: the `notesLsp.path` setting; empty (the default) means the bundled server,
//     else `notes-lsp` on PATH
//   opts: as for resolveServerPath, plus extensionPath
// Returns { found, source } where source is 'setting', 'bundled' or 'PATH', or
// { found: undefined, searched, source }.
function chooseServer(configured, opts) {
  opts = opts || {};
  const platform = opts.platform || process.platform;
  const setting = (configured || '').trim();
  if (setting) {
    return Object.assign(resolveServerPath(setting, opts), { source: 'setting' });
  }
  if (opts.extensionPath) {
    const bundled = bundledServerPath(opts.extensionPath, platform);
    if (platform !== 'win32' && fs.existsSync(bundled) && !isExecutableFile(bundled, platform)) {
      // An unpacker that dropped the mode bits: the file is ours, make it runnable again.
      try {
        fs.chmodSync(bundled, 0o755);
      } catch (_err) {
        // Read-only install: reported as not found below, with the PATH fallback tried first.
      }
    }
    if (isExecutableFile(bundled, platform)) {
      return { found: bundled, source: 'bundled' };
    }
  }
  return Object.assign(resolveServerPath(DEFAULT_COMMAND, opts), { source: 'PATH' });
}

function describeServer(chosen) {
  switch (chosen.source) {
    case 'bundled':
      return `the server bundled with the extension, ${chosen.found}`;
    case 'setting':
      return `the server from notesLsp.path, ${chosen.found}`;
    default:
      return `notes-lsp from PATH, ${chosen.found} (this extension carries no server for this platform)`;
  }
}

// What `<server> --version` prints ("notes-lsp 0.1.0 (4f3c2a1b9e0d 2026-12-07)"), or why not.
function serverVersion(file) {
  return new Promise((resolve) => {
    childProcess.execFile(file, ['--version'], { timeout: 5000 }, (err, stdout) => {
      const text = String(stdout || '').trim();
      resolve(err ? `--version failed: ${err.message}` : text || '--version printed nothing');
    });
  });
}

// The server's own settings: the `notesLsp` section without the client-only keys,
// as a plain JSON object. Sent as initializationOptions.
function serverSettings(config) {
  const plain = JSON.parse(JSON.stringify(config || {}));
  for (const key of CLIENT_ONLY_KEYS) {
    delete plain[key];
  }
  return plain;
}

function serverEnvironment(logLevel, baseEnv) {
  const env = Object.assign({}, baseEnv || process.env);
  if (logLevel) {
    env.NOTES_LSP_LOG = logLevel;
  }
  return env;
}

function featureEnabled(vscode, feature, document) {
  const config = vscode.workspace.getConfiguration(SECTION, document && document.uri);
  return config.get(`features.${feature}`, true) !== false;
}

// Middleware that turns our outline / folding off client-side when the user
// prefers VS Code's built-in Markdown ones. Returning null makes our provider
// contribute nothing; VS Code drops an empty outline group entirely.
function createMiddleware(vscode) {
  return {
    provideDocumentSymbols(document, token, next) {
      if (!featureEnabled(vscode, 'outline', document)) {
        return null;
      }
      return next(document, token);
    },
    provideFoldingRanges(document, context, token, next) {
      if (!featureEnabled(vscode, 'folding', document)) {
        return null;
      }
      return next(document, context, token);
    },
  };
}

let client;
let outputChannel;
let starting = Promise.resolve();

function firstWorkspaceFolder(vscode) {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length > 0 ? folders[0].uri.fsPath : undefined;
}

async function startClient(vscode, extensionPath) {
  const { LanguageClient } = require('vscode-languageclient/node');
  const config = vscode.workspace.getConfiguration(SECTION);
  const configured = config.get('path', '') || '';
  const workspaceFolder = firstWorkspaceFolder(vscode);
  const resolved = chooseServer(configured, { workspaceFolder, extensionPath });

  if (!resolved.found) {
    const message = missingServerMessage(configured, resolved.searched);
    outputChannel.appendLine(message);
    vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
      if (choice === 'Open Settings') {
        vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
      }
    });
    return undefined;
  }

  const serverOptions = {
    command: resolved.found,
    args: ['--stdio'],
    options: {
      cwd: workspaceFolder,
      env: serverEnvironment(config.get('logLevel')),
    },
  };

  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'untitled', language: 'markdown' },
    ],
    initializationOptions: serverSettings(config),
    synchronize: { configurationSection: SECTION },
    outputChannel,
    traceOutputChannel: outputChannel,
    middleware: createMiddleware(vscode),
  };

  // The id `notesLsp` makes the client honour the `notesLsp.trace.server` setting.
  const newClient = new LanguageClient(SECTION, 'Notes LSP', serverOptions, clientOptions);
  outputChannel.appendLine(`Using ${describeServer(resolved)}: ${await serverVersion(resolved.found)}`);
  outputChannel.appendLine(`Starting ${resolved.found} --stdio`);
  try {
    await newClient.start();
  } catch (err) {
    const message = `Notes LSP: could not start ${resolved.found}: ${err && err.message ? err.message : err}`;
    outputChannel.appendLine(message);
    vscode.window.showErrorMessage(message);
  }
  return newClient;
}

async function stopClient() {
  const old = client;
  client = undefined;
  if (old) {
    try {
      await old.stop();
    } catch (_err) {
      // Stopping a server that never started or already died fails; nothing to do.
    }
  }
}

function restart(vscode, extensionPath) {
  // Serialise restarts so two quick setting changes don't start two servers.
  starting = starting.then(async () => {
    await stopClient();
    client = await startClient(vscode, extensionPath);
  });
  return starting;
}

function activate(context) {
  const vscode = require('vscode');
  const extensionPath = context.extensionPath;
  outputChannel = vscode.window.createOutputChannel('Notes LSP');
  context.subscriptions.push(outputChannel);

  context.subscriptions.push(
    vscode.commands.registerCommand('notesLsp.restartServer', () => restart(vscode, extensionPath)),
    vscode.commands.registerCommand('notesLsp.showOutput', () => outputChannel.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        restart(vscode, extensionPath);
      }
    }),
    { dispose: () => { stopClient(); } },
  );

  return restart(vscode, extensionPath);
}

function deactivate() {
  return stopClient();
}

module.exports = {
  activate,
  deactivate,
  // exported for tests
  resolveServerPath,
  chooseServer,
  bundledServerPath,
  missingServerMessage,
  serverSettings,
  serverEnvironment,
  createMiddleware,
};
