/**
 * Type-checks a submission (run confined, like student code: the TypeScript compiler reads
 * untrusted text) against @dl's declarations. Type errors are feedback only: the code is
 * transpiled and graded by the grader meanwhile. Sends back one line on fd 3:
 * `{ "diagnostics": ["src/a.ts:3:5: ..."] }`.
 *
 * Node's own types are not loaded (they are most of the checking time and student code needs
 * none of them): a small ambient declaration gives `console` and the timers.
 */
import { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { COMPILER_OPTIONS, formatDiagnostic } from './tsload';

const MAX_DIAGNOSTICS = 20;

const AMBIENT_FILE = '__dl_grade_ambient__.d.ts';
const AMBIENT = `
declare var console: { log(...data: any[]): void; error(...data: any[]): void; warn(...data: any[]): void; info(...data: any[]): void; debug(...data: any[]): void; table(data: any): void };
declare function setTimeout(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): any;
declare function clearTimeout(id: any): void;
declare function setInterval(handler: (...args: any[]) => void, timeout?: number, ...args: any[]): any;
declare function clearInterval(id: any): void;
declare function queueMicrotask(callback: () => void): void;
declare var process: any;
declare function require(id: string): any;
`;

function main(): void {
  const { files, trusted } = JSON.parse(process.argv[2]) as { files: string[]; trusted: string[] };
  const root = process.cwd();
  const abs = files.map((f) => resolve(root, f));
  const ambient = join(root, AMBIENT_FILE);
  const options: ts.CompilerOptions = { ...COMPILER_OPTIONS, noEmit: true, inlineSourceMap: false, inlineSources: false, types: [], lib: ['lib.es2022.d.ts'] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === ambient ? AMBIENT : readFile(f));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => f === ambient || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (f === ambient ? ts.createSourceFile(f, AMBIENT, lang) : getSourceFile(f, lang, onError, create));
  const anchor = join(trusted[0], '__resolve__.ts');
  host.resolveModuleNameLiterals = (lits, containing, _redirect, opts) =>
    lits.map((lit) => {
      const name = lit.text;
      const bare = !(name.startsWith('.') || name.startsWith('/'));
      return ts.resolveModuleName(name, bare ? anchor : containing, opts, host);
    });
  const program = ts.createProgram([...abs, ambient], options, host);
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || abs.includes(resolve(d.file.fileName)));
  const diagnostics = diags.slice(0, MAX_DIAGNOSTICS).map((d) => formatDiagnostic(d).replace(`${root}/`, ''));
  if (diags.length > MAX_DIAGNOSTICS) diagnostics.push(`… and ${diags.length - MAX_DIAGNOSTICS} more`);
  const channel = new Socket({ fd: 3, readable: false, writable: true });
  channel.end(`${JSON.stringify({ diagnostics })}\n`, () => process.exit(0));
}

main();
