/**
 * Compiles a submission (run confined, like student code: the TypeScript compiler reads
 * untrusted text). Type-checks the files against @dl's declarations and transpiles each one
 * (even with type errors: they become feedback, and the code still runs). Sends back one line on
 * fd 3: `{ "files": { "src/a.ts": "<js>" }, "diagnostics": ["src/a.ts:3:5: ..."] }`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { COMPILER_OPTIONS, formatDiagnostic, transpile } from './tsload';

const MAX_DIAGNOSTICS = 20;

function main(): void {
  const { files, trusted } = JSON.parse(process.argv[2]) as { files: string[]; trusted: string[] };
  const root = process.cwd();
  const abs = files.map((f) => resolve(root, f));
  const typeRoots = ancestors(trusted[0]).map((d) => join(d, 'node_modules', '@types')).filter((d) => existsSync(d));
  const hasNode = typeRoots.some((d) => existsSync(join(d, 'node')));
  const options: ts.CompilerOptions = { ...COMPILER_OPTIONS, noEmit: true, inlineSourceMap: false, inlineSources: false, types: hasNode ? ['node'] : [], typeRoots };
  const host = ts.createCompilerHost(options);
  const anchor = join(trusted[0], '__resolve__.ts');
  host.resolveModuleNameLiterals = (lits, containing, _redirect, opts) =>
    lits.map((lit) => {
      const name = lit.text;
      const bare = !(name.startsWith('.') || name.startsWith('/'));
      return ts.resolveModuleName(name, bare ? anchor : containing, opts, host);
    });
  const program = ts.createProgram(abs, options, host);
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || abs.includes(resolve(d.file.fileName)));
  const diagnostics = diags.slice(0, MAX_DIAGNOSTICS).map((d) => formatDiagnostic(d).replace(`${root}/`, ''));
  if (diags.length > MAX_DIAGNOSTICS) diagnostics.push(`… and ${diags.length - MAX_DIAGNOSTICS} more`);
  const out: Record<string, string> = {};
  // Syntax errors make a file unusable (TypeScript would refuse it; transpiling would guess).
  const syntax: Record<string, string[]> = {};
  for (const f of files) {
    const sf = program.getSourceFile(resolve(root, f));
    const errs = sf ? program.getSyntacticDiagnostics(sf) : [];
    if (errs.length) syntax[f] = errs.slice(0, 5).map((d) => formatDiagnostic(d).replace(`${root}/`, ''));
    out[f] = transpile(readFileSync(resolve(root, f), 'utf8'), f).js;
  }
  const channel = new Socket({ fd: 3, readable: false, writable: true });
  channel.end(`${JSON.stringify({ files: out, diagnostics, syntax })}\n`, () => process.exit(0));
}

function ancestors(dir: string): string[] {
  const out = [dir];
  while (dirname(out[out.length - 1]) !== out[out.length - 1]) out.push(dirname(out[out.length - 1]));
  return out;
}

main();
