// Test helper: lets a child `node` process run this package's TypeScript sources directly
// (`node -r ./src/testing/ts-register.js src/testing/dl-child.ts train ...`), so that the tests
// that spawn `dl` exercise the current sources, not a possibly stale dist/. Each .ts file under
// src/ is transpiled with TypeScript's transpileModule (no type checking: `tsc --noEmit` does that).
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function compileTs(module, filename) {
  if (!filename.startsWith(root + path.sep)) throw new Error(`ts-register: refusing to compile ${filename} (outside ${root})`);
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
