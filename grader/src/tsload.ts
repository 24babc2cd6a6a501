/**
 * TypeScript to CommonJS, and loading modules from compiled text with module resolution pinned
 * to trusted folders. Used for assignment specs (in the grader) and for student code (in the
 * child process and in `dl-grade test`).
 *
 * ```ts
 * const js = transpile('export const x: number = 1;', 'a.ts');
 * const mod = loadModuleTree('/bundle/tests/public/a.spec.js', [graderDir]); // its ../common imports too
 * ```
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { runInThisContext } from 'node:vm';
import ts from 'typescript';

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  strict: true,
  skipLibCheck: true,
  inlineSourceMap: true,
  inlineSources: true,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  types: [],
};

/** Transpiles one file (no type check). Syntax errors are returned, not thrown. */
export function transpile(source: string, fileName: string): { js: string; errors: string[] } {
  const out = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).map((d) => formatDiagnostic(d));
  return { js: out.outputText, errors };
}

export function formatDiagnostic(d: ts.Diagnostic): string {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${msg}`;
  }
  return msg;
}

type ModuleInternals = typeof Module & {
  _nodeModulePaths(dir: string): string[];
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: { paths?: string[] }): string;
};
const M = Module as ModuleInternals;

function isBare(request: string): boolean {
  return !(request.startsWith('.') || request.startsWith('/') || request.startsWith('node:') || Module.isBuiltin(request));
}

/**
 * From now on, bare imports (`@dl/tensor`, `typescript`, ...) made by modules under `roots`
 * resolve only from `trusted` folders, never from node_modules next to those modules: a
 * submission cannot shadow @dl with its own copy.
 */
export function pinBareImports(roots: readonly string[], trusted: readonly string[]): void {
  const orig = M._resolveFilename;
  M._resolveFilename = function (request, parent, isMain, options) {
    const from = (parent as { filename?: string } | undefined)?.filename ?? '';
    if (isBare(request) && roots.some((r) => from.startsWith(r))) {
      return orig.call(this, request, parent, isMain, { paths: [...trusted] });
    }
    return orig.call(this, request, parent, isMain, options);
  };
}

/**
 * Bare imports that the usual lookup cannot find are looked up in `fallback` (used by
 * `dl-grade test`: a student folder without its own node_modules still finds @dl through the
 * grader's install).
 */
const fallbacks = new Set<string>();

export function fallbackBareImports(fallback: readonly string[]): void {
  const key = fallback.join('\0');
  if (fallbacks.has(key)) return;
  fallbacks.add(key);
  const orig = M._resolveFilename;
  M._resolveFilename = function (request, parent, isMain, options) {
    try {
      return orig.call(this, request, parent, isMain, options);
    } catch (e) {
      if (!isBare(request) || (e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
      return orig.call(this, request, parent, isMain, { paths: [...fallback] });
    }
  };
}

/** Makes `require('x.ts')` work (transpile on load) for files under `roots`. */
export function registerTsExtension(): void {
  const exts = (Module as unknown as { _extensions: Record<string, (m: Module, f: string) => void> })._extensions;
  if (exts['.ts']) return;
  exts['.ts'] = (m, filename) => {
    const fs = require('node:fs') as typeof import('node:fs');
    const { js, errors } = transpile(fs.readFileSync(filename, 'utf8'), filename);
    if (errors.length) throw new SyntaxError(errors.join('\n'));
    (m as unknown as { _compile(code: string, f: string): void })._compile(js, filename);
  };
}

/**
 * Loads a trusted module (an assignment's spec) and the relative modules it imports (its
 * tests/common helpers), each transpiled when it is .ts. Relative imports are loaded here, bare
 * imports (@dl/grader, @dl/tensor) through `trusted`, wherever the files lie: a bundle in /tmp
 * has no node_modules of its own. Independent of Node's resolver, so it works the same under a
 * test runner that replaces it.
 */
export function loadModuleTree(file: string, trusted: readonly string[], cache = new Map<string, { exports: unknown }>()): Record<string, unknown> {
  const known = cache.get(file);
  if (known) return known.exports as Record<string, unknown>;
  const src = readFileSync(file, 'utf8');
  let js = src;
  if (file.endsWith('.ts')) {
    const t = transpile(src, file);
    if (t.errors.length) throw new SyntaxError(t.errors.join('\n'));
    js = t.js;
  }
  const requires = trusted.map((t) => createRequire(join(t, '__trusted__.js')));
  const trustedRequire = (id: string): unknown => {
    for (const [i, r] of requires.entries()) {
      try {
        return r(id);
      } catch (e) {
        if (i === requires.length - 1 || !/Cannot find module/.test((e as Error).message)) throw e;
      }
    }
    return undefined;
  };
  const dir = dirname(file);
  const localRequire = (id: string): unknown => {
    if (!id.startsWith('./') && !id.startsWith('../')) return trustedRequire(id);
    const base = resolvePath(dir, id);
    const found = [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')].find((p) => existsSync(p) && statSync(p).isFile());
    if (!found) throw new Error(`${file}: cannot find '${id}'`);
    return loadModuleTree(found, trusted, cache);
  };
  const module = { exports: {} as unknown };
  cache.set(file, module);
  const fn = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${js}\n})`, { filename: file }) as (
    e: unknown, r: (id: string) => unknown, m: { exports: unknown }, f: string, d: string) => void;
  fn(module.exports, localRequire, module, file, dir);
  return module.exports as Record<string, unknown>;
}

