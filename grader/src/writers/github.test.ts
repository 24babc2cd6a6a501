import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL, FULL, JAPANESE, NANS, PARTIAL, ZERO } from '../testing/writer-fixtures';
import { text } from '../text';
import {
  classroomErrorResult, classroomResult, classroomWorkflow, encodeClassroomResult, GITHUB_RESULT_FILE, shQuote, writeGithub,
} from './github';

/** YAML parser: the workspace's hoisted `yaml` package if present, else python3's PyYAML. */
function parseYaml(src: string): any {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('yaml') as { parse(s: string): unknown }).parse(src);
  } catch {
    const out = execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: src, encoding: 'utf8' });
    return JSON.parse(out);
  }
}

/** What the reporter does with a step's result (its main.js + notify-classroom.js, restated). */
function reporterPoints(encoded: string): { totalPoints: number; maxPoints: number; failed: boolean } {
  const results = JSON.parse(Buffer.from(encoded, 'base64').toString('utf-8'));
  const maxPoints = results.max_score || 0;
  const totalPoints = results.tests.reduce((s: number, t: { score: number }) => s + t.score, 0);
  return { totalPoints, maxPoints, failed: results.status === 'fail' || results.status === 'error' };
}

describe('github classroom result', () => {
  test('one test per case with the reporter\'s field names', () => {
    const o = classroomResult(PARTIAL, 'en');
    expect(o.version).toBe(1);
    expect(o.status).toBe('fail');
    expect(o.max_score).toBe(5);
    expect(o.tests.map((t) => [t.name, t.status, t.score])).toEqual([
      ['AND gate: a', 'pass', 0.333333],
      ['AND gate: b', 'fail', 0],
      ['AND gate: c', 'pass', 0.333333],
      ['XOR gate: two layers', 'pass', 3],
      ['XOR gate: hidden grid', 'fail', 0],
    ]);
    for (const t of o.tests) {
      expect(Object.keys(t).sort()).toEqual(['duration', 'filename', 'line_no', 'message', 'name', 'score', 'status']);
      expect(t.line_no).toBe(0);
      expect(t.filename).toBe('');
    }
    expect(o.tests[4].message).toBe('accuracy 0.5 < 1\n\n--- Output of your code (stdout, truncated) ---\ndebug: w = [0.5, -0.5]\n');
    expect(o.tests[0].duration).toBe(10);
  });

  test('full marks pass; a task without cases is an error test with its notes', () => {
    expect(classroomResult(FULL, 'en').status).toBe('pass');
    const zero = classroomResult(ZERO, 'ja');
    expect(zero.status).toBe('fail');
    expect(zero.tests.map((t) => t.status)).toEqual(['fail', 'fail', 'error']);
    expect(zero.tests[2]).toMatchObject({ name: 'OR ゲート', score: 0, message: 'src/perceptron.ts が or() を export していません' });
    expect(zero.tests[0].message).toBe('and(1, 1) が 0 を返しました (期待値 1)\n\n制限時間 (20 秒) を超えました');
    expect(zero.tests[1].message).toContain('RangeError'); // the hidden case carries the task's stderr
  });

  test('the base64 round trip gives the reporter the model\'s points, also for Japanese text', () => {
    for (const r of Object.values(ALL)) {
      const p = reporterPoints(encodeClassroomResult(writeGithub(r, 'ja')));
      expect(p.maxPoints).toBe(Number.isFinite(r.maxScore) ? r.maxScore : 0);
      expect(p.totalPoints).toBeCloseTo(Number.isFinite(r.score) ? r.score : 0, 5);
      expect(p.failed).toBe(r !== ALL.FULL && r !== ALL.NANS);
    }
    const decoded = Buffer.from(encodeClassroomResult(writeGithub(JAPANESE, 'ja')), 'base64').toString('utf-8');
    expect(decoded).toContain('バイアスが更新されていません（学習率 ０.１）😀');
  });

  test('no NaN in the JSON', () => {
    const s = writeGithub(NANS, 'en');
    expect(s).not.toMatch(/NaN|Infinity|null/);
    expect(s.split('\n')).toHaveLength(2);
  });

  test('error result', () => {
    const o = classroomErrorResult([text('no result', '結果なし')], 10);
    expect(o).toEqual({ version: 1, status: 'error', max_score: 10, tests: [{ name: 'dl-grade', status: 'error', score: 0, message: 'no result\n結果なし', filename: '', line_no: 0, duration: 0 }] });
  });

  test('shQuote', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(execFileSync('bash', ['-c', `printf %s ${shQuote("a 'b' $c \\n")}`], { encoding: 'utf8' })).toBe("a 'b' $c \\n");
  });
});

describe('classroom workflow', () => {
  const pub = classroomWorkflow({ variant: 'public-tests', assignmentDir: 'autograder', maxScore: 5, lang: 'ja' });
  const priv = classroomWorkflow({
    variant: 'private-bundle', assignmentDir: 'hw1/autograder', privateRepository: 'my-course/autograders', privateRef: 'v1', maxScore: 5,
  });

  test('public-tests: checkout, node 20, npm ci, dl-grade, reporter', () => {
    const w = parseYaml(pub);
    expect(w.name).toBe('Autograding Tests');
    expect(w.on).toEqual(['push', 'repository_dispatch', 'workflow_dispatch']);
    expect(w.permissions).toEqual({ checks: 'write', actions: 'read', contents: 'read' });
    const job = w.jobs['run-autograding-tests'];
    expect(job['runs-on']).toBe('ubuntu-latest');
    const steps = job.steps as Array<Record<string, any>>;
    expect(steps.map((s) => s.uses ?? s.run?.split('\n')[0])).toEqual([
      'actions/checkout@v4', 'actions/setup-node@v4', 'npm ci', 'set +e', 'classroom-resources/autograding-grading-reporter@v1',
    ]);
    expect(steps[1].with).toEqual({ 'node-version': '20' });
    expect(steps[3].id).toBe('dlgrade');
    expect(steps[3].run).toContain("npx --no dl-grade run --assignment 'autograder' --submission . --out results --format github --lang ja\n");
    expect(steps[4].env).toEqual({ DLGRADE_RESULTS: '${{ steps.dlgrade.outputs.result }}' });
    expect(steps[4].with).toEqual({ runners: 'dlgrade' });
    expect(pub).toContain('public tests');
    expect(pub).not.toContain('secrets.');
  });

  test('private-bundle: the bundle is fetched with the secret, without persisted credentials', () => {
    const steps = parseYaml(priv).jobs['run-autograding-tests'].steps as Array<Record<string, any>>;
    const fetch = steps[3];
    expect(fetch.uses).toBe('actions/checkout@v4');
    expect(fetch.with).toEqual({
      repository: 'my-course/autograders', ref: 'v1', token: '${{ secrets.DL_AUTOGRADER_TOKEN }}', path: '.dl-autograder', 'persist-credentials': false,
    });
    expect(steps[4].run).toContain("--assignment '.dl-autograder/hw1/autograder' --submission . --out results --format github\n");
    expect(priv).toMatch(/not secret/);
  });

  test('bad options are refused', () => {
    expect(() => classroomWorkflow({ variant: 'private-bundle', assignmentDir: 'a', maxScore: 1 })).toThrow(/privateRepository/);
    expect(() => classroomWorkflow({ variant: 'public-tests', assignmentDir: '../x', maxScore: 1 })).toThrow(/relative path/);
    expect(() => classroomWorkflow({ variant: 'public-tests', assignmentDir: 'a', maxScore: 1, stepId: 'dl-grade' })).toThrow(/stepId/);
  });

  describe('the grading step, run in bash with a stub npx', () => {
    const script = (parseYaml(pub).jobs['run-autograding-tests'].steps as Array<Record<string, any>>)[3].run as string;
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'gh-step-'));
      mkdirSync(join(dir, 'bin'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function run(stub: string): { code: number | null; encoded: string } {
      writeFileSync(join(dir, 'bin', 'npx'), `#!/usr/bin/env bash\n${stub}\n`);
      chmodSync(join(dir, 'bin', 'npx'), 0o755);
      const ghOut = join(dir, 'github_output');
      writeFileSync(ghOut, '');
      const res = spawnSync('bash', ['-c', script], {
        cwd: dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, GITHUB_OUTPUT: ghOut }, encoding: 'utf8',
      });
      const line = readFileSync(ghOut, 'utf8').trim();
      expect(line.startsWith('result=')).toBe(true);
      return { code: res.status, encoded: line.slice('result='.length) };
    }

    test('the result dl-grade writes is handed on', () => {
      const json = writeGithub(PARTIAL, 'ja');
      writeFileSync(join(dir, 'expected.json'), json);
      const { code, encoded } = run(`mkdir -p results && cp expected.json results/${GITHUB_RESULT_FILE}; exit 1`);
      expect(code).toBe(0);
      expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(json);
    });

    test('a crash still gives the reporter a zero-score error result', () => {
      const { code, encoded } = run('echo boom >&2; exit 3');
      expect(code).toBe(0);
      const o = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
      expect(o).toMatchObject({ version: 1, status: 'error', max_score: 5 });
      expect(reporterPoints(encoded)).toEqual({ totalPoints: 0, maxPoints: 5, failed: true });
      expect(o.tests[0].message).toContain('dl-grade が結果を出力しませんでした');
    });
  });
});
