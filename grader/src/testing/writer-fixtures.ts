/**
 * GradeResults for the writers' tests: built through the same arithmetic the grader uses (a task's
 * score is points × passed weight / total weight), so the fixtures stay consistent.
 *
 * ```ts
 * const r = result([task('and', 'AND', 'AND ゲート', 2, [kase('t1', true), kase('t2', false)])]);
 * r.score; // 1
 * ```
 */
import { roundScore, taskStatus, type CaseResult, type GradeResult, type TaskResult, type Visibility } from '../result';
import { text, type Text } from '../text';

export interface CaseSpec {
  readonly name: Text;
  readonly passed: boolean;
  readonly visibility?: Visibility;
  readonly weight?: number;
  readonly feedback?: readonly Text[];
  readonly durationS?: number;
}

export function kase(name: Text, passed: boolean, more: Omit<CaseSpec, 'name' | 'passed'> = {}): CaseSpec {
  return { name, passed, ...more };
}

export interface TaskExtras {
  readonly notes?: readonly Text[];
  readonly stdout?: string;
  readonly stderr?: string;
  readonly durationS?: number;
}

export function task(id: string, en: string, ja: string, points: number, cases: readonly CaseSpec[], extras: TaskExtras = {}): TaskResult {
  const total = cases.reduce((s, c) => s + (c.weight ?? 1), 0);
  const built: CaseResult[] = cases.map((c) => {
    const weight = c.weight ?? 1;
    const maxScore = total > 0 ? (points * weight) / total : 0;
    return {
      task: id,
      name: c.name,
      visibility: c.visibility ?? 'public',
      weight,
      passed: c.passed,
      score: c.passed ? maxScore : 0,
      maxScore,
      feedback: c.feedback ?? [],
      durationS: c.durationS ?? 0.01,
    };
  });
  const score = roundScore(built.reduce((s, c) => s + c.score, 0));
  return {
    id,
    title: text(en, ja),
    points,
    score,
    status: taskStatus(score, points),
    durationS: extras.durationS ?? built.reduce((s, c) => s + c.durationS, 0),
    cases: built,
    notes: extras.notes ?? [],
    stdout: extras.stdout ?? '',
    stderr: extras.stderr ?? '',
    limits: { timeS: 20, memoryMB: 1024 },
    seed: 0,
  };
}

export function result(tasks: readonly TaskResult[], more: Partial<Pick<GradeResult, 'notes' | 'executionTimeS' | 'isolation'>> = {}): GradeResult {
  return {
    assignment: { id: '01-perceptron', title: text('Perceptrons and logic gates', 'パーセプトロンと論理ゲート') },
    score: roundScore(tasks.reduce((s, t) => s + t.score, 0)),
    maxScore: roundScore(tasks.reduce((s, t) => s + t.points, 0)),
    executionTimeS: more.executionTimeS ?? 2.4,
    tasks,
    notes: more.notes ?? [],
    isolation: more.isolation ?? {
      separateProcess: true,
      uid: null,
      network: 'not isolated',
      rlimits: true,
      notes: [text('network access was not blocked (no unshare available)', 'ネットワークは遮断されていません (unshare が使えません)')],
    },
    environment: { grader: '0.1.0', dl: '0.1.0', node: 'v20.20.2', platform: 'linux-x64', backend: 'js', threads: 1 },
    gradedAt: '2025-01-01T00:00:00.000Z',
  };
}

const fb = (en: string, ja: string): Text => text(en, ja);

/** Every case passed. */
export const FULL = result([
  task('and', 'AND gate', 'AND ゲート', 2, [kase('truth table', true), kase(text('random weights', 'ランダムな重み'), true, { visibility: 'hidden' })]),
  task('or', 'OR gate', 'OR ゲート', 3, [kase('truth table', true)]),
]);

/** Nothing passed; a task crashed. */
export const ZERO = result([
  task('and', 'AND gate', 'AND ゲート', 2, [
    kase('truth table', false, { feedback: [fb('and(1, 1) returned 0, expected 1', 'and(1, 1) が 0 を返しました (期待値 1)')] }),
    kase('random weights', false, { visibility: 'hidden', feedback: [fb('2 of 4 outputs differ', '4 つ中 2 つの出力が違います')] }),
  ], { notes: [fb('time limit exceeded (20 s)', '制限時間 (20 秒) を超えました')], stderr: 'RangeError: Maximum call stack size exceeded\n    at and (src/perceptron.ts:3:10)' }),
  task('or', 'OR gate', 'OR ゲート', 3, [], { notes: [fb('src/perceptron.ts does not export or()', 'src/perceptron.ts が or() を export していません')] }),
]);

/** Some passed, unequal weights, thirds that do not round evenly. */
export const PARTIAL = result([
  task('and', 'AND gate', 'AND ゲート', 1, [kase('a', true), kase('b', false, { feedback: ['b'] }), kase('c', true)]),
  task('xor', 'XOR gate', 'XOR ゲート', 4, [
    kase('two layers', true, { weight: 3 }),
    kase('hidden grid', false, { weight: 1, visibility: 'hidden', feedback: [fb('accuracy 0.5 < 1', '正解率 0.5 < 1')] }),
  ], { stdout: 'debug: w = [0.5, -0.5]\n' }),
]);

/** Notes everywhere, output with characters that formats must escape. */
export const NOTES = result([
  task('and', 'AND | <gate> & "quotes"', 'AND | <ゲート>', 2, [
    kase('pipes | and\nnewlines', false, { feedback: [fb('line 1 | x < y && z > w\nline 2 ]]> --', '1 行目 | x < y\n2 行目')] }),
    kase('control chars', false, { feedback: ['bell \u0007 escape \u001b[31m nul \u0000 ffff \uffff lone \ud800 end'] }),
  ], { notes: [fb('memory limit exceeded (1024 MiB)', 'メモリ制限 (1024 MiB) を超えました')], stdout: 'printed | <b>bold</b>\n', stderr: 'warn\u001b[0m' }),
], {
  notes: [fb('ignored file: notes.txt', '無視したファイル: notes.txt'), fb('compile: unused variable x', 'コンパイル: 使われていない変数 x')],
});

/** Japanese titles and feedback, full-width characters, an emoji. */
export const JAPANESE = result([
  task('perceptron', 'Perceptron', '単純パーセプトロン', 2, [
    kase(text('weights', '重みの更新'), true),
    kase(text('bias', 'バイアス項'), false, { feedback: [fb('bias not updated', 'バイアスが更新されていません（学習率 ０.１）😀')] }),
  ]),
  task('mlp', 'MLP', '多層パーセプトロン（ＭＬＰ）', 3, [kase(text('forward', '順伝播'), true)]),
]);

/** Numbers that must not reach a file as NaN or Infinity. */
export const NANS: GradeResult = (() => {
  const r = result([task('and', 'AND gate', 'AND ゲート', 2, [kase('t', true, { durationS: Number.NaN })])], { executionTimeS: Number.POSITIVE_INFINITY });
  const t = r.tasks[0];
  return { ...r, tasks: [{ ...t, durationS: Number.NaN, cases: [{ ...t.cases[0], score: Number.NaN }] }], score: Number.NaN };
})();

export const ALL: Readonly<Record<string, GradeResult>> = { FULL, ZERO, PARTIAL, NOTES, JAPANESE, NANS };
