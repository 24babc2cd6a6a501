/**
 * Public tests of assignment 01 (perceptrons and logic gates). Run them with `npm test`.
 *
 * The numbers are the course's: the AND teacher data A-D, the perceptrons (w1, w2, b) = (1.0, 1.0,
 * -1.5) (AND) and (1.0, 1.0, -0.5) (OR), the threshold form (w1, w2, θ) = (1.0, 1.0, 0.5), and the
 * XOR table x1 x2 → s1 (NAND) s2 (OR) y (AND).
 *
 * No test evaluates a unit exactly at 0 (the step function's value there is defined both ways in
 * the course), except `step(0)`, where 0 and 1 are both accepted.
 */
import { defineTests, type Value } from '@dl/grader';

/** The four inputs of a two-input gate, in the course's order (A, B, C, D). */
const INPUTS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];

function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

/** The unit with parameters (w1, w2, b), under the strict (> 0) or the non-strict (>= 0) step. */
function unit(x1: number, x2: number, w1: number, w2: number, b: number, strict: boolean): number {
  const a = w1 * x1 + w2 * x2 + b;
  return (strict ? a > 0 : a >= 0) ? 1 : 0;
}

export default defineTests([
  // ---- step ----
  {
    task: 'step',
    name: { en: 'step(x) is 1 for x > 0 and 0 for x < 0', ja: 'step(x) は x > 0 で 1、x < 0 で 0' },
    run: async ({ student, check }) => {
      const cases: Array<[number, number]> = [
        [3, 1],
        [0.5, 1],
        [0.001, 1],
        [-0.001, 0],
        [-2, 0],
        [-100, 0],
      ];
      for (const [x, y] of cases) check.equal(await student.call('step', x), y, `step(${x})`);
    },
  },
  {
    task: 'step',
    name: { en: 'step(0) is 0 or 1 (both course definitions accepted)', ja: 'step(0) は 0 または 1 (講義の2通りの定義のどちらも可)' },
    run: async ({ student, check }) => {
      const y = await student.call('step', 0);
      check.ok(y === 0 || y === 1, 'step(0)', {
        en: `got ${JSON.stringify(y)}; step(0) must be the number 0 or 1`,
        ja: `結果は ${JSON.stringify(y)} です。step(0) は数値 0 または 1 を返してください`,
      });
    },
  },

  // ---- perceptron ----
  {
    task: 'perceptron',
    name: { en: 'course AND perceptron (w1, w2, b) = (1.0, 1.0, -1.5)', ja: '講義の AND パーセプトロン (w1, w2, b) = (1.0, 1.0, -1.5)' },
    run: async ({ student, check }) => {
      const want = [0, 0, 0, 1];
      for (const [i, [x1, x2]] of INPUTS.entries()) {
        check.equal(await student.call('perceptron', x1, x2, 1.0, 1.0, -1.5), want[i], `perceptron(${x1}, ${x2}, 1, 1, -1.5)`);
      }
    },
  },
  {
    task: 'perceptron',
    name: { en: 'course OR perceptron (w1, w2, b) = (1.0, 1.0, -0.5)', ja: '講義の OR パーセプトロン (w1, w2, b) = (1.0, 1.0, -0.5)' },
    run: async ({ student, check }) => {
      const want = [0, 1, 1, 1];
      for (const [i, [x1, x2]] of INPUTS.entries()) {
        check.equal(await student.call('perceptron', x1, x2, 1.0, 1.0, -0.5), want[i], `perceptron(${x1}, ${x2}, 1, 1, -0.5)`);
      }
    },
  },
  {
    task: 'perceptron',
    name: { en: 'negative weights and real-valued inputs', ja: '負の重みと実数の入力' },
    run: async ({ student, check }) => {
      const cases: Array<[number, number, number, number, number]> = [
        [1, 1, -0.5, -0.5, 0.7],
        [0, 1, -0.5, -0.5, 0.7],
        [0.3, -1.2, 2.0, 0.5, 0.1],
        [-0.7, 0.4, 1.5, -2.0, 1.0],
        [2.5, 1.5, -1.0, 1.0, 0.8],
      ];
      for (const [x1, x2, w1, w2, b] of cases) {
        check.equal(
          await student.call('perceptron', x1, x2, w1, w2, b),
          unit(x1, x2, w1, w2, b, true),
          `perceptron(${x1}, ${x2}, ${w1}, ${w2}, ${b})`,
        );
      }
    },
  },

  // ---- bias ----
  {
    task: 'bias',
    name: { en: '(w1, w2, θ) = (1.0, 1.0, 0.5) is (w1, w2, b) = (1.0, 1.0, -0.5)', ja: '(w1, w2, θ) = (1.0, 1.0, 0.5) は (w1, w2, b) = (1.0, 1.0, -0.5) と同じ' },
    run: async ({ student, check }) => {
      const got = await student.call('thetaToBias', 1.0, 1.0, 0.5);
      if (!isRecord(got)) {
        check.fail({ en: `thetaToBias must return an object { w1, w2, b }, got ${JSON.stringify(got)}`, ja: `thetaToBias はオブジェクト { w1, w2, b } を返してください (結果: ${JSON.stringify(got)})` });
        return;
      }
      check.close(got.w1, 1.0, 'thetaToBias(1, 1, 0.5).w1');
      check.close(got.w2, 1.0, 'thetaToBias(1, 1, 0.5).w2');
      check.close(got.b, -0.5, 'thetaToBias(1, 1, 0.5).b');
    },
  },
  {
    task: 'bias',
    name: { en: 'threshold form (1.0, 1.0, 0.5) gives the OR table', ja: '閾値の形 (1.0, 1.0, 0.5) は OR の表になる' },
    run: async ({ student, check }) => {
      const want = [0, 1, 1, 1];
      for (const [i, [x1, x2]] of INPUTS.entries()) {
        check.equal(await student.call('perceptronTheta', x1, x2, 1.0, 1.0, 0.5), want[i], `perceptronTheta(${x1}, ${x2}, 1, 1, 0.5)`);
      }
    },
  },

  // ---- gates ----
  {
    task: 'gates',
    name: { en: 'AND truth table', ja: 'AND の真理値表' },
    run: async ({ student, check }) => {
      const want = [0, 0, 0, 1];
      for (const [i, [x1, x2]] of INPUTS.entries()) check.equal(await student.call('AND', x1, x2), want[i], `AND(${x1}, ${x2})`);
    },
  },
  {
    task: 'gates',
    name: { en: 'NAND truth table', ja: 'NAND の真理値表' },
    run: async ({ student, check }) => {
      const want = [1, 1, 1, 0];
      for (const [i, [x1, x2]] of INPUTS.entries()) check.equal(await student.call('NAND', x1, x2), want[i], `NAND(${x1}, ${x2})`);
    },
  },
  {
    task: 'gates',
    name: { en: 'OR truth table', ja: 'OR の真理値表' },
    run: async ({ student, check }) => {
      const want = [0, 1, 1, 1];
      for (const [i, [x1, x2]] of INPUTS.entries()) check.equal(await student.call('OR', x1, x2), want[i], `OR(${x1}, ${x2})`);
    },
  },

  // ---- and-weights ----
  {
    task: 'and-weights',
    name: { en: 'your (w1, w2, b) reproduce the AND teacher data A-D', ja: '選んだ (w1, w2, b) で AND の教師データ A〜D を再現できる' },
    run: async ({ student, check }) => {
      const got = await student.call('andWeights');
      if (!isRecord(got) || ![got.w1, got.w2, got.b].every((v) => typeof v === 'number' && Number.isFinite(v))) {
        check.fail({
          en: `andWeights must return { w1, w2, b } with finite numbers, got ${JSON.stringify(got)}`,
          ja: `andWeights は有限の数値の { w1, w2, b } を返してください (結果: ${JSON.stringify(got)})`,
        });
        return;
      }
      const [w1, w2, b] = [got.w1, got.w2, got.b] as number[];
      const want = [0, 0, 0, 1];
      // Accepted under either step convention at 0 (> 0 on the perceptron slides, >= 0 on the activation slide).
      const fits = (strict: boolean) => INPUTS.every(([x1, x2], i) => unit(x1, x2, w1, w2, b, strict) === want[i]);
      if (fits(true) || fits(false)) return;
      const names = ['A', 'B', 'C', 'D'];
      const wrong = INPUTS.map(([x1, x2], i) => ({ i, y: unit(x1, x2, w1, w2, b, true) }))
        .filter(({ i, y }) => y !== want[i])
        .map(({ i, y }) => `${names[i]} (${INPUTS[i].join(', ')}) → ${y}`);
      check.fail({
        en: `with (w1, w2, b) = (${w1}, ${w2}, ${b}) the perceptron gives ${wrong.join('; ')}, but AND needs 0, 0, 0, 1 for A, B, C, D`,
        ja: `(w1, w2, b) = (${w1}, ${w2}, ${b}) のパーセプトロンは ${wrong.join('、')} を出力します。AND は A, B, C, D に対して 0, 0, 0, 1 です`,
      });
    },
  },

  // ---- xor ----
  {
    task: 'xor',
    name: { en: 'XOR truth table', ja: 'XOR の真理値表' },
    run: async ({ student, check }) => {
      const want = [0, 1, 1, 0];
      for (const [i, [x1, x2]] of INPUTS.entries()) check.equal(await student.call('XOR', x1, x2), want[i], `XOR(${x1}, ${x2})`);
    },
  },
  {
    task: 'xor',
    name: { en: 'the course table: s1 (NAND), s2 (OR), y (AND)', ja: '講義の表: s1 (NAND)、s2 (OR)、y (AND)' },
    run: async ({ student, check }) => {
      const want = [
        { s1: 1, s2: 0, y: 0 },
        { s1: 1, s2: 1, y: 1 },
        { s1: 1, s2: 1, y: 1 },
        { s1: 0, s2: 1, y: 0 },
      ];
      for (const [i, [x1, x2]] of INPUTS.entries()) {
        check.equal(await student.call('xorLayers', x1, x2), want[i], `xorLayers(${x1}, ${x2})`);
      }
    },
  },
]);
