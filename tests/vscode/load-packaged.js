// Loads vscode-languageclient/node the way the packaged extension would, from
// the extension folder of an unpacked .vsix, with a stand-in for the `vscode`
// module (which only exists inside VS Code). Fails if the package is missing
// the client or any of its runtime dependencies.
//   node load-packaged.js UNPACKED_VSIX/extension
'use strict';

const path = require('path');
const Module = require('module');

const extensionDir = path.resolve(process.argv[2]);

// Any property, call or `new` on the stand-in gives another stand-in.
function standIn() {
  const target = function () {};
  return new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : standIn()),
    construct: () => standIn(),
    apply: () => standIn(),
  });
}

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return standIn();
  return originalLoad.call(this, request, parent, isMain);
};

const requireFromExtension = Module.createRequire(path.join(extensionDir, 'extension.js'));
const resolved = requireFromExtension.resolve('vscode-languageclient/node');
if (!resolved.startsWith(extensionDir + path.sep)) {
  console.error(`vscode-languageclient/node resolved outside the package: ${resolved}`);
  process.exit(1);
}
const client = requireFromExtension('vscode-languageclient/node');
if (typeof client.LanguageClient !== 'function') {
  console.error('vscode-languageclient/node has no LanguageClient export');
  process.exit(1);
}
console.log(`loaded ${path.relative(extensionDir, resolved)}`);
