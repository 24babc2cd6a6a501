/**
 * The documentation's examples work as pasted: every ```ts / ```js block of docs/, the READMEs of
 * the repository, the packages, the grader and the assignments is type-checked under strict and
 * run by tools/doc-blocks.js (the conventions are in docs/README.md). The test lives in @dl/cli
 * because this package depends on every other @dl package (and, through nx's
 * implicitDependencies, on @dl/grader), so all of them are built before it runs.
 *
 * The whole check takes about a minute on the 2-core development machine, mostly the one
 * TypeScript program (~10 s) and training `dl train` for the cli README's block (~13 s); its
 * timeout is generous because other builds may share the cores.
 */
import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..', '..', '..');
const TOOL = join(ROOT, 'tools', 'doc-blocks.js');

interface Block {
  file: string;
  line: number;
  lang: 'ts' | 'js';
  status: 'passed' | 'failed' | 'not run' | 'fragment';
  reason?: string;
  expectsOutput?: boolean;
  errors: string[];
  ms?: number;
}
interface Result {
  blocks: Block[];
  checkMs: number;
  totalMs: number;
}
interface ParsedBlock {
  file: string;
  line: number;
  indent: number;
  lang: 'ts' | 'js';
  code: string;
  skip: { kind: 'not run' | 'fragment'; reason: string } | null;
  expected: string | null;
  errors: string[];
}
interface Tool {
  docFiles(root?: string): string[];
  parseBlocks(text: string, file: string): ParsedBlock[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tool = require(TOOL) as Tool;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs `node tools/doc-blocks.js --json ...args` and parses its result. */
function runTool(args: string[]): Promise<{ code: number | null; result: Result; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOOL, '--json', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, result: JSON.parse(stdout) as Result, stderr });
      } catch {
        reject(new Error(`doc-blocks exited with ${code} without a JSON result:\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe('the code blocks of the documentation', () => {
  it(
    'all type-check under strict and run as pasted, with the output they declare',
    async () => {
      const { code, result } = await runTool([]);
      const failures = result.blocks.filter((b) => b.status === 'failed').map((b) => `${b.file}:${b.line}\n${b.errors.join('\n')}`);
      expect(failures).toEqual([]);
      expect(code).toBe(0);

      // the files named by the course's issue are covered, and most blocks really run
      const files = new Set(result.blocks.map((b) => b.file));
      for (const f of ['README.md', 'docs/autograd.md', 'packages/autograd/README.md', 'packages/losses/README.md', 'grader/README.md']) {
        expect(files).toContain(f);
      }
      const passed = result.blocks.filter((b) => b.status === 'passed');
      expect(passed.length).toBeGreaterThanOrEqual(15);
      expect(passed.filter((b) => b.expectsOutput).length).toBeGreaterThanOrEqual(5);
      // every skipped block says why
      for (const b of result.blocks.filter((x) => x.status === 'not run' || x.status === 'fragment')) {
        expect(b.reason).toMatch(/\w{3,}/);
      }
    },
    900_000,
  );
});

describe('tools/doc-blocks.js', () => {
  it('finds the documented files: docs, READMEs of the root, packages, grader and assignments', () => {
    const files = tool.docFiles(ROOT);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/autograd.md', 'packages/cli/README.md', 'grader/README.md', 'grader/README.ja.md']));
    expect(files.some((f) => /^assignments\/[^/]+\/README\.md$/.test(f))).toBe(true);
    expect(files.every((f) => !/(^|\/)(node_modules|dist)\//.test(f))).toBe(true);
  });

  it('parses blocks, their markers and declared outputs, and ignores other languages and nested fences', () => {
    const md = [
      '# t', //                                                1
      '```ts', //                                              2
      'console.log(1);', //                                    3
      '```', //                                                4
      '', //                                                   5
      '<!-- output -->', //                                    6
      '```text', //                                            7
      '1', //                                                  8
      '```', //                                                9
      '<!-- not run: needs the Fashion-MNIST files -->', //  10
      '```typescript', //                                     11
      'const a: number = 1;', //                              12
      '```', //                                               13
      '- item', //                                            14
      '', //                                                  15
      '  <!-- fragment: a signature -->', //                  16
      '  ```js', //                                           17
      '  f(x)', //                                            18
      '  ```', //                                             19
      '````md', //                                            20
      '```ts', //                                             21
      'not a block of its own', //                            22
      '```', //                                               23
      '````', //                                              24
      '```json', //                                           25
      '{}', //                                                26
      '```', //                                               27
      '<!-- fragment -->', //                                 28
      '```javascript', //                                     29
      'x', //                                                 30
      '```', //                                               31
      '```ts', //                                             32
      'y', //                                                 33
      '```', //                                               34
      '<!-- output -->', //                                   35
      'no block follows', //                                  36
    ].join('\n');
    const blocks = tool.parseBlocks(md, 'doc.md');
    expect(blocks.map((b) => [b.line, b.lang, b.skip?.kind ?? null, b.expected])).toEqual([
      [2, 'ts', null, '1'],
      [11, 'ts', 'not run', null],
      [17, 'js', 'fragment', null],
      [29, 'js', 'fragment', null],
      [32, 'ts', null, null],
    ]);
    expect(blocks[0].code).toBe('console.log(1);\n');
    expect(blocks[1].skip?.reason).toBe('needs the Fashion-MNIST files');
    expect(blocks[2]).toMatchObject({ indent: 2, code: 'f(x)\n' });
    expect(blocks.slice(0, 3).every((b) => b.errors.length === 0)).toBe(true);
    expect(blocks[3].errors.join()).toMatch(/needs a reason/);
    expect(blocks[4].errors.join()).toMatch(/<!-- output --> at line 35 must be followed by a ```text block/);
  });

  it(
    'reports each kind of failure with the Markdown file and line, and passes the rest',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'doc-blocks-test-'));
      try {
        const file = join(dir, 'fixture.md');
        const md = [
          '```ts', //                                                         1: passes, output checked
          "import { tensor } from '@dl/tensor';", //                          2
          'console.log(tensor([1, 2]).sum().item());', //                     3
          '```', //                                                           4
          '<!-- output -->', //                                               5
          '```text', //                                                       6
          '3', //                                                             7
          '```', //                                                           8
          '```ts', //                                                         9: a type error on line 11
          'const n: number = 1;', //                                         10
          'const s: string = n;', //                                         11
          'console.log(s);', //                                              12
          '```', //                                                          13
          '```ts', //                                                        14: prints something else
          "console.log('two');", //                                          15
          '```', //                                                          16
          '<!-- output -->', //                                              17
          '```text', //                                                      18
          'one', //                                                          19
          '```', //                                                          20
          '```js', //                                                        21: throws on line 23
          "const x = 1;", //                                                 22
          "if (x) throw new Error('boom');", //                              23
          '```', //                                                          24
          '<!-- not run: would loop forever -->', //                         25
          '```ts', //                                                        26: type-checked, not run
          'while (true) {}', //                                              27
          '```', //                                                          28
          '<!-- fragment: a signature -->', //                               29
          '```ts', //                                                        30: neither
          'export function f(x): number', //                                 31
          '```', //                                                          32
          '```js', //                                                        33: times out
          'setTimeout(() => {}, 1e9);', //                                   34
          '```', //                                                          35
          '```ts', //                                                        36: implicit any under strict
          'const g = (v) => v;', //                                          37
          'console.log(g(1));', //                                           38
          '```', //                                                          39
        ].join('\n');
        writeFileSync(file, md);
        const rel = relative(ROOT, file);
        const { code, result } = await runTool(['--timeout', '4', file]);
        expect(code).toBe(1);
        const byLine = new Map(result.blocks.map((b) => [b.line, b]));
        expect([...byLine.keys()]).toEqual([1, 9, 14, 21, 26, 30, 33, 36]);
        expect(byLine.get(1)).toMatchObject({ status: 'passed', expectsOutput: true, errors: [] });
        expect(byLine.get(9)?.status).toBe('failed');
        expect(byLine.get(9)?.errors[0]).toMatch(new RegExp(`^${escapeRe(rel)}:11:7 error TS2322: Type 'number' is not assignable to type 'string'`));
        expect(byLine.get(14)?.errors.join('\n')).toContain(`${rel}:14: stdout differs from the declared output\n--- expected\none\n--- got\ntwo`);
        const thrown = byLine.get(21)?.errors.join('\n') ?? '';
        expect(thrown).toContain(`${rel}:21: exited with status 1`);
        expect(thrown).toContain('Error: boom');
        expect(thrown).toContain(`${rel}:23`); // the stack trace points into the Markdown file
        expect(byLine.get(26)).toMatchObject({ status: 'not run', reason: 'would loop forever', errors: [] });
        expect(byLine.get(30)).toMatchObject({ status: 'fragment', reason: 'a signature', errors: [] });
        expect(byLine.get(33)?.errors.join('\n')).toContain(`${rel}:33: timed out after 4 s`);
        expect(byLine.get(36)?.errors.join('\n')).toMatch(new RegExp(`${escapeRe(rel)}:37:\\d+ error TS7006: Parameter 'v' implicitly has an 'any' type`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
