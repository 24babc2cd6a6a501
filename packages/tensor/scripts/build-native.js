#!/usr/bin/env node
/**
 * Builds the native backend's C++ addon (build/Release/dl_native.node) with node-gyp.
 *
 * - As the package's `install` script (run by `npm ci` / `npm install`) it never fails the
 *   installation: without a C++ toolchain @dl/tensor still works with its js backend. On failure
 *   it prints one line and keeps node-gyp's output in build/native-build-failed.log (the native
 *   backend's error message points there). DL_SKIP_NATIVE=1 skips the build.
 * - With --strict (`npm run build:native -w @dl/tensor`) it shows the compiler's output and exits
 *   with node-gyp's status.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const strict = process.argv.includes('--strict');
const logFile = path.join(root, 'build', 'native-build-failed.log');
const retry = 'install g++, make and python3, then run `npm run build:native -w @dl/tensor`';

if (!strict && process.env.DL_SKIP_NATIVE) {
  console.log('@dl/tensor: DL_SKIP_NATIVE is set; not building the native backend (the js backend is used)');
  process.exit(0);
}

// npm runs scripts with its own node-gyp in npm_config_node_gyp; otherwise use the one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp && fs.existsSync(gyp) ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, {
  cwd: root,
  stdio: strict ? 'inherit' : 'pipe',
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  shell: process.platform === 'win32' && cmd === 'node-gyp',
});

if (r.status === 0 && !r.error) process.exit(0);

if (strict) {
  if (r.error) console.error(`@dl/tensor: could not run node-gyp (${r.error.message}); ${retry}`);
  process.exit(r.status || 1);
}

const output = `${r.stdout || ''}${r.stderr || ''}`;
const lines = output.split('\n').map((l) => l.trim());
/** The most telling line of node-gyp's output: a compiler error, node-gyp's own error, a missing tool. */
function findReason() {
  if (r.error) return `node-gyp could not be run: ${r.error.message}`;
  const patterns = [
    /(?:fatal error|error): .*/, // compiler
    /.*(?:not found|No such file or directory).*/, // missing compiler, make, headers
    /^gyp ERR! stack Error: (.*)/, // node-gyp's own (no Python, headers download failed, ...)
    /^gyp ERR! (?!stack|System|command|cwd|node|not ok)(.*)/,
  ];
  for (const re of patterns) {
    for (const l of lines) {
      const m = re.exec(l);
      if (m && (m[1] || m[0]).trim()) return (m[1] || m[0]).trim();
    }
  }
  return `node-gyp exited with status ${r.status}`;
}
const reason = findReason();
try {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, `${cmd} ${args.join(' ')}\n${r.error ? r.error.stack : ''}\n${output}`);
} catch {
  // best effort: the one-line message below still says what to do
}
console.warn(
  `@dl/tensor: native backend not built (${reason.slice(0, 200)}); using the js backend. ` +
    `Details: ${path.relative(process.cwd(), logFile) || logFile}. To get it: ${retry}.`,
);
