import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, type Schema } from '../testing/json-schema';
import { ALL, FULL, JAPANESE, NANS, NOTES, PARTIAL, ZERO } from '../testing/writer-fixtures';
import { render, text, type Lang } from '../text';
import { gradescopeErrorResults, gradescopeResults, outputCarrier, processOutput, writeGradescope } from './gradescope';

const SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../schemas/gradescope-results.schema.json'), 'utf8')) as Schema;

/** The writer's own contract on top of the documented format: every test says all of this. */
function strictProfile(schema: Schema): Schema {
  const s = JSON.parse(JSON.stringify(schema)) as { required: string[]; properties: { tests: { items: { required?: string[] } } } };
  s.required = ['score', 'execution_time', 'output', 'output_format', 'tests'];
  s.properties.tests.items.required = ['name', 'number', 'score', 'max_score', 'status', 'visibility', 'output', 'tags'];
  return s as unknown as Schema;
}
const STRICT = strictProfile(SCHEMA);

/** A python3 with the jsonschema package, if any. */
const PYTHON = ['python3', '/usr/bin/python3'].find((py) => {
  try {
    execFileSync(py, ['-c', 'import jsonschema'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

const LANGS: Lang[] = ['en', 'ja'];

describe('gradescope results.json', () => {
  for (const [name, r] of Object.entries(ALL)) {
    for (const lang of LANGS) {
      test(`${name} (${lang}) is valid against the schema and the writer's profile`, () => {
        const json = JSON.parse(writeGradescope(r, lang, { hiddenVisibility: 'after_due_date' }));
        expect(validate(SCHEMA, json)).toEqual([]);
        expect(validate(STRICT, json)).toEqual([]);
      });
    }
  }

  test('the validator catches planted bugs', () => {
    const good = gradescopeResults(PARTIAL, 'en');
    const bad = (f: (o: Record<string, any>) => void): Record<string, any> => {
      const o = JSON.parse(JSON.stringify(good));
      f(o);
      return o;
    };
    expect(validate(SCHEMA, bad((o) => { o.tests[0].status = 'pass'; }))).toEqual([
      '$.tests[0].status: "pass" is not one of ["passed","failed"]',
    ]);
    // max_score on a test is optional in Gradescope's format; the writer's profile requires it.
    const noMax = bad((o) => { delete o.tests[1].max_score; });
    expect(validate(SCHEMA, noMax)).toEqual([]);
    expect(validate(STRICT, noMax)).toEqual(["$.tests[1]: missing required property 'max_score'"]);
    expect(validate(SCHEMA, bad((o) => { delete o.score; }))).toEqual(["$: missing required property 'score'"]);
    expect(validate(SCHEMA, bad((o) => { o.tests[0].visibility = 'public'; }))).toHaveLength(1);
    expect(validate(SCHEMA, bad((o) => { o.tests[0].max_score = null; }))).toEqual(['$.tests[0].max_score: expected number, got null']);
    expect(validate(SCHEMA, bad((o) => { o.execution_time = -1; }))).toEqual(['$.execution_time: -1 is less than the minimum 0']);
    expect(validate(SCHEMA, bad((o) => { o.tests[0].expected = [1, 2]; }))).toEqual(["$.tests[0]: unexpected property 'expected'"]);
    expect(validate(SCHEMA, bad((o) => { o.maxscore = 5; }))).toEqual(["$: unexpected property 'maxscore'"]);
    expect(validate(SCHEMA, bad((o) => { o.output_format = 'markdown'; }))).toHaveLength(1);
    expect(validate(SCHEMA, bad((o) => { o.tests[0].tags = 'and'; }))).toEqual(['$.tests[0].tags: expected array, got string']);
  });

  (PYTHON ? test : test.skip)('python jsonschema (Draft7Validator) agrees on the outputs and on a planted bug', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gs-schema-'));
    try {
      const schemaPath = join(__dirname, '../../schemas/gradescope-results.schema.json');
      const docs = Object.values(ALL).flatMap((r) => LANGS.map((l) => gradescopeResults(r, l, { hiddenVisibility: 'hidden' })));
      const planted = JSON.parse(JSON.stringify(docs[0]));
      planted.tests[0].status = 'ok';
      writeFileSync(join(dir, 'docs.json'), JSON.stringify([...docs, planted]));
      const script = [
        'import json, sys, jsonschema',
        'schema = json.load(open(sys.argv[1]))',
        'jsonschema.Draft7Validator.check_schema(schema)',
        'v = jsonschema.Draft7Validator(schema)',
        'print(json.dumps([len(list(v.iter_errors(d))) for d in json.load(open(sys.argv[2]))]))',
      ].join('\n');
      const counts = JSON.parse(execFileSync(PYTHON!, ['-c', script, schemaPath, join(dir, 'docs.json')], { encoding: 'utf8' })) as number[];
      expect(counts.slice(0, -1).every((c) => c === 0)).toBe(true);
      expect(counts[counts.length - 1]).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('one test per case, numbered task.case, with the model numbers', () => {
    const o = gradescopeResults(PARTIAL, 'en');
    expect(o.tests.map((t) => t.number)).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2']);
    expect(o.tests.map((t) => t.name)).toEqual(['AND gate: a', 'AND gate: b', 'AND gate: c', 'XOR gate: two layers', 'XOR gate: hidden grid']);
    expect(o.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'passed', 'passed', 'failed']);
    expect(o.tests.map((t) => t.max_score)).toEqual([0.333333, 0.333333, 0.333333, 3, 1]);
    expect(o.tests.map((t) => t.score)).toEqual([0.333333, 0, 0.333333, 3, 0]);
    expect(o.score).toBe(PARTIAL.score);
    expect(o.execution_time).toBe(3);
    expect(o.output_format).toBe('text');
  });

  test('full marks and zero', () => {
    const full = gradescopeResults(FULL, 'en');
    expect(full.score).toBe(5);
    expect(full.tests.every((t) => t.status === 'passed' && t.score === t.max_score)).toBe(true);
    const zero = gradescopeResults(ZERO, 'en');
    expect(zero.score).toBe(0);
    expect(zero.tests).toHaveLength(2); // the OR task has no cases
    expect(zero.tests.every((t) => t.status === 'failed' && t.score === 0)).toBe(true);
  });

  test('visibility: public cases visible, hidden cases take the option (default visible)', () => {
    expect(gradescopeResults(PARTIAL, 'en').tests.map((t) => t.visibility)).toEqual(['visible', 'visible', 'visible', 'visible', 'visible']);
    const o = gradescopeResults(PARTIAL, 'en', { hiddenVisibility: 'after_published', visibility: 'after_due_date', stdoutVisibility: 'hidden' });
    expect(o.tests.map((t) => t.visibility)).toEqual(['visible', 'visible', 'visible', 'visible', 'after_published']);
    expect(o.visibility).toBe('after_due_date');
    expect(o.stdout_visibility).toBe('hidden');
    expect('visibility' in gradescopeResults(PARTIAL, 'en')).toBe(false);
    expect(() => gradescopeResults(PARTIAL, 'en', { hiddenVisibility: 'secret' as never })).toThrow(/hiddenVisibility/);
  });

  test('case output is its feedback in the chosen language; stdout rides on the first hidden case', () => {
    const en = gradescopeResults(PARTIAL, 'en');
    expect(en.tests[1].output).toBe('b');
    expect(en.tests[3].output).toBe('');
    expect(en.tests[4].output).toBe('accuracy 0.5 < 1\n\n--- Output of your code (stdout, truncated) ---\ndebug: w = [0.5, -0.5]\n');
    const ja = gradescopeResults(PARTIAL, 'ja');
    expect(ja.tests[4].output.startsWith('正解率 0.5 < 1\n\n--- あなたのコードの出力')).toBe(true);
    expect(outputCarrier(NOTES.tasks[0])).toBe(0);
    const notes = gradescopeResults(NOTES, 'en');
    expect(notes.tests[0].output).toContain('printed | <b>bold</b>');
    expect(notes.tests[0].output).toContain('--- Errors of your code (stderr, truncated) ---\nwarn\u001b[0m');
    expect(notes.tests[1].output).not.toContain('printed');
  });

  test('top-level output: title, score, submission notes, task notes, isolation; tasks without cases carry their own output', () => {
    const out = gradescopeResults(NOTES, 'en').output;
    expect(out).toBe([
      'Perceptrons and logic gates',
      'Score: 0 / 2',
      '',
      'Submission notes:',
      '- ignored file: notes.txt',
      '- compile: unused variable x',
      '',
      'Task notes:',
      '- [AND | <gate> & "quotes"] memory limit exceeded (1024 MiB)',
      '',
      'Isolation:',
      '- separate process: yes',
      '- user id: unchanged',
      '- network: not isolated',
      '- resource limits (rlimit): yes',
      '- network access was not blocked (no unshare available)',
      '- graded with @dl/grader 0.1.0, @dl 0.1.0, Node v20.20.2 on linux-x64, backend js, 1 thread(s)',
    ].join('\n'));
    const zero = gradescopeResults(ZERO, 'ja').output;
    expect(zero).toContain('課題ごとの注意:\n- [AND ゲート] 制限時間 (20 秒) を超えました\n- [OR ゲート] src/perceptron.ts が or() を export していません');
    // ZERO's OR task has no cases and no output; a task without cases but with output shows it at the top.
    const noCases = { ...ZERO, tasks: [ZERO.tasks[0], { ...ZERO.tasks[1], stdout: 'hello from or\n' }] };
    expect(gradescopeResults(noCases, 'en').output).toContain('[OR gate]\n--- Output of your code (stdout, truncated) ---\nhello from or\n');
    expect(processOutput(ZERO.tasks[1], 'en')).toBe('');
  });

  test('Japanese text is written as UTF-8, not escaped', () => {
    const s = writeGradescope(JAPANESE, 'ja');
    expect(s).toContain('"name": "多層パーセプトロン（ＭＬＰ）: 順伝播"');
    expect(s).toContain('😀');
    expect(s.endsWith('}\n')).toBe(true);
  });

  test('no NaN or Infinity reaches the file', () => {
    const s = writeGradescope(NANS, 'en');
    expect(s).not.toMatch(/NaN|Infinity|null/);
    const o = JSON.parse(s);
    expect(o.score).toBe(0);
    expect(o.execution_time).toBe(0);
    expect(o.tests[0].score).toBe(0);
  });

  test('writes only what the model holds: exact keys, outputs rebuilt from the model', () => {
    for (const r of Object.values(ALL)) {
      const o = gradescopeResults(r, 'en', { hiddenVisibility: 'hidden' });
      expect(Object.keys(o).sort()).toEqual(['execution_time', 'extra_data', 'output', 'output_format', 'score', 'tests']);
      let i = 0;
      r.tasks.forEach((t) => {
        t.cases.forEach((c, ci) => {
          const test = o.tests[i++];
          expect(Object.keys(test).sort()).toEqual(['max_score', 'name', 'number', 'output', 'score', 'status', 'tags', 'visibility']);
          const fb = c.feedback.map((f) => render(f, 'en')).join('\n');
          const extra = ci === outputCarrier(t) ? processOutput(t, 'en') : '';
          expect(test.output).toBe([fb, extra].filter((p) => p !== '').join('\n\n'));
          expect(test.tags).toEqual([t.id, c.visibility]);
        });
      });
      expect(o.tests).toHaveLength(i);
    }
  });

  test('error results: zero score, both languages, valid', () => {
    const o = gradescopeErrorResults([text('The autograder failed.', '自動採点が失敗しました。')]);
    expect(o).toEqual({ score: 0, execution_time: 0, output: 'The autograder failed.\n\n自動採点が失敗しました。', output_format: 'text', tests: [] });
    expect(validate(STRICT, o)).toEqual([]);
  });
});
