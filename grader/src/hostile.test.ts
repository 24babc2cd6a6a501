/**
 * Hostile and careless submissions (fixtures/hostile/*), each graded by the real dl-grade
 * command against the mini assignment. For each: the grader exits 0, results.json is valid,
 * the hostile behaviour costs only the task it sits in (scale), and nothing a student sees
 * holds the secret planted in the hidden tests and reference, or a hidden expected value.
 */
import { createServer, type Server } from 'node:http';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeIsolation } from './sandbox';
import { buildMini, FIXTURES, runCli, type MiniBuild } from './testing/mini';

jest.setTimeout(240_000);

let mini: MiniBuild;
let server: Server;
let hits = 0;
const PORT_FILE = '/tmp/dl-grade-hostile-port';
const iso = probeIsolation();

beforeAll(async () => {
  mini = buildMini();
  server = createServer((_req, res) => {
    hits++;
    res.end(mini.secret);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  writeFileSync(PORT_FILE, String(typeof addr === 'object' && addr ? addr.port : 0));
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(PORT_FILE, { force: true });
  rmSync(mini.root, { recursive: true, force: true });
});

interface Graded {
  readonly code: number | null;
  readonly results: { score: number; tests: { name: string; score: number; max_score: number; status: string; output?: string }[]; output?: string };
  readonly seen: string;
  readonly taskScores: Record<string, number>;
}

async function grade(name: string, prepare?: (dir: string) => void): Promise<Graded> {
  const sub = join(mini.root, 'subs', name);
  cpSync(join(FIXTURES, 'hostile', name), sub, { recursive: true });
  prepare?.(sub);
  const out = join(mini.root, 'out', name);
  mkdirSync(out, { recursive: true });
  const r = await runCli(['run', '--assignment', mini.autograder, '--submission', sub, '--out', out, '--format', 'gradescope,junit,github,md', '--lang', 'en']);
  const files = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'));
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Graded['results'];
  const taskScores: Record<string, number> = {};
  for (const t of results.tests) {
    const id = /^(Add two numbers|Scale a tensor|A Function: square)/.exec(t.name)?.[1] ?? t.name;
    taskScores[id] = (taskScores[id] ?? 0) + t.score;
  }
  return { code: r.code, results, seen: [r.stdout, r.stderr, ...files].join('\n'), taskScores };
}

function expectValid(g: Graded): void {
  expect(g.code).toBe(0);
  expect(g.results.tests.reduce((a, t) => a + t.max_score, 0)).toBeCloseTo(10);
  expect(Number.isFinite(g.results.score)).toBe(true);
  expect(g.results.tests.length).toBe(6);
  for (const t of g.results.tests) expect(['passed', 'failed']).toContain(t.status);
}

function expectNoLeak(g: Graded): void {
  expect(g.seen).not.toContain(mini.secret);
  expect(g.seen).not.toContain('4817');
}

const ADD = 'Add two numbers';
const SCALE = 'Scale a tensor';
const SQUARE = 'A Function: square';

function expectOnlyScaleLost(g: Graded): void {
  expectValid(g);
  expectNoLeak(g);
  expect(g.taskScores[ADD]).toBeCloseTo(2);
  expect(g.taskScores[SQUARE]).toBeCloseTo(5);
  expect(g.taskScores[SCALE]).toBe(0);
}

function scaleFeedback(g: Graded): string {
  return g.results.tests.filter((t) => t.name.startsWith(SCALE)).map((t) => t.output ?? '').join('\n');
}

test('the correct solution scores full marks', async () => {
  const sub = join(mini.root, 'subs', 'good');
  cpSync(join(FIXTURES, 'good'), sub, { recursive: true });
  const out = join(mini.root, 'out', 'good');
  const r = await runCli(['run', '--assignment', mini.autograder, '--submission', sub, '--out', out]);
  expect(r.code).toBe(0);
  expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).score).toBe(10);
});

test.each([
  ['infinite-loop', /time limit/],
  ['alloc-bomb', /memory|allocation/i],
  ['exit-midway', /ended the process/],
  ['sleep-past-limit', /time limit/],
  ['throw-non-error', /non-Error/],
  ['nan-output', /differ/],
  ['wrong-shape', /shape/],
  ['huge-output', /more than|larger than|memory/],
  ['missing-export', /'scale' is not exported/],
  ['monkey-patch', /.+/],
  ['fake-results', /differ/],
])('%s costs only its own task, with feedback', async (name, why) => {
  const g = await grade(name);
  expectOnlyScaleLost(g);
  expect(scaleFeedback(g)).toMatch(why);
});

test('a fork bomb is contained and leaves no process behind', async () => {
  const g = await grade('fork-bomb');
  expectOnlyScaleLost(g);
  if (!iso.setpriv) return; // without a uid of its own, the sweep cannot find the task's processes
  // Killed processes may linger a moment as zombies until init reaps them: they run nothing.
  const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      return uid >= 200000 && !/^State:\s+Z/m.test(status);
    } catch {
      return false;
    }
  });
  expect(left).toEqual([]);
});

// Without a uid of its own (grader not root, or its install not readable by others) the student's
// code can read what the grader's user can: these attacks are then out of the grader's reach (its
// results say so), and the tests say they were skipped rather than pass.
const confined = iso.setpriv ? test : test.skip;

confined.each(['cat-hidden', 'read-hidden-fs', 'proc-parent'])('%s reads no hidden file and no grader memory', async (name) => {
  const g = await grade(name);
  expectValid(g);
  expectNoLeak(g);
  expect(g.results.score).toBe(10);
});

confined('a submission cannot write into the results folder', async () => {
  const g = await grade('write-results');
  expectOnlyScaleLost(g);
  expect(g.seen).toContain('could not write');
});

test('fake results printed on stdout change nothing', async () => {
  const g = await grade('fake-results');
  expect(g.results.score).toBe(7);
});

test('hidden expected values never reach feedback; public ones do', async () => {
  const g = await grade('wrong-answers');
  expectValid(g);
  expectNoLeak(g);
  const add = g.results.tests.filter((t) => t.name.startsWith(ADD));
  expect(add.every((t) => t.status === 'failed')).toBe(true);
  expect(add.map((t) => t.output).join('\n')).toContain('got 4818');
  expect(add.map((t) => t.output).join('\n')).toContain('expected 5');
  expect(add.map((t) => t.output).join('\n')).toContain('not shown');
});

test('no network: a request to a server on 127.0.0.1 never arrives', async () => {
  const before = hits;
  const g = await grade('http-request');
  expectValid(g);
  expectNoLeak(g);
  if (iso.netns) expect(hits).toBe(before);
  else console.warn('network isolation is not available here: the request may have arrived');
});

test('a node_modules/@dl shadow in the submission is ignored', async () => {
  const g = await grade('shadow-dl', (dir) => {
    for (const pkg of ['tensor', 'grader', 'autograd']) {
      const d = join(dir, 'node_modules', '@dl', pkg);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'package.json'), `{"name": "@dl/${pkg}", "version": "9.9.9", "main": "index.js"}\n`);
      writeFileSync(join(d, 'index.js'), "console.log('SHADOW-DL-LOADED'); module.exports = {};\n");
    }
  });
  expectValid(g);
  expect(g.results.score).toBe(10);
  expect(g.seen).not.toContain('SHADOW-DL-LOADED');
  expect(g.seen).toContain('node_modules in the submission is ignored');
});

test('type errors are feedback; the code still runs', async () => {
  const g = await grade('type-error');
  expectValid(g);
  expect(g.results.score).toBe(10);
  expect(g.results.output).toMatch(/TypeScript reported problems[\s\S]*src\/mini\.ts:\d+:\d+/);
});

test('code that does not compile fails every task with the message, and nothing crashes', async () => {
  const g = await grade('syntax-error');
  expectValid(g);
  expect(g.results.score).toBe(0);
  expect(scaleFeedback(g)).toMatch(/does not compile \(syntax errors\)[\s\S]*src\/mini\.ts:\d+:\d+/);
});

describe('bad input', () => {
  test('a zip instead of a folder', async () => {
    const zip = join(mini.root, 'sub.zip');
    writeFileSync(zip, Buffer.from('PK\u0003\u0004 not really a zip'));
    const out = join(mini.root, 'out', 'zip');
    const r = await runCli(['run', '--assignment', mini.autograder, '--submission', zip, '--out', out, '--lang', 'ja']);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.score).toBe(0);
    expect(JSON.stringify(res)).toContain('zip');
    expect(JSON.stringify(res)).toContain('展開');
  });

  test('missing files, non-UTF-8 text, a file over the size limit, a symlink', async () => {
    const cases: [string, (d: string) => void, RegExp][] = [
      ['missing', () => undefined, /missing/],
      ['latin1', (d) => writeFileSync(join(d, 'src', 'mini.ts'), Buffer.from([0x2f, 0x2f, 0xe9, 0xe8, 0x0a])), /UTF-8/],
      ['huge', (d) => writeFileSync(join(d, 'src', 'mini.ts'), `// ${'x'.repeat(600 * 1024)}\n`), /larger than the limit/],
      ['link', (d) => require('node:fs').symlinkSync(join(mini.autograder, 'manifest.json'), join(d, 'src', 'mini.ts')), /regular file/],
    ];
    for (const [name, make, why] of cases) {
      const sub = join(mini.root, 'subs', `bad-${name}`);
      mkdirSync(join(sub, 'src'), { recursive: true });
      make(sub);
      const out = join(mini.root, 'out', `bad-${name}`);
      const r = await runCli(['run', '--assignment', mini.autograder, '--submission', sub, '--out', out, '--lang', 'en']);
      expect(r.code).toBe(0);
      const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      expect(res.score).toBe(0);
      expect(JSON.stringify(res)).toMatch(why);
      expect(existsSync(join(out, 'results.json'))).toBe(true);
    }
  });
});
