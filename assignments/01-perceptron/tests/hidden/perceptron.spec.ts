/**
 * Hidden tests of assignment 01: seeded random inputs (never on a unit's boundary, where the
 * course's two step conventions differ) and consistency between the gates and the XOR layers.
 * Expected values are computed here from the definitions; the reference solution is not needed.
 */
import { defineTests, type Value } from '@dl/grader';

const INPUTS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];

/** Inputs or parameters are redrawn while the weighted sum is this close to the boundary. */
const MARGIN = 1e-6;

function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

export default defineTests([
  {
    task: 'step',
    name: { en: 'step on random and tiny non-zero numbers', ja: 'ランダムな値とごく小さい 0 以外の値での step' },
    run: async ({ student, check, rng }) => {
      const xs = [1e-12, -1e-12, 1e6, -1e6];
      for (let i = 0; i < 16; i++) {
        let x = 0;
        while (x === 0) x = rng.uniform(-10, 10);
        xs.push(x);
      }
      for (const x of xs) check.equal(await student.call('step', x), x > 0 ? 1 : 0, `step(${x})`);
    },
  },
  {
    task: 'perceptron',
    name: { en: 'random weights, biases and inputs', ja: 'ランダムな重み・バイアス・入力' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 30; i++) {
        let x1: number, x2: number, w1: number, w2: number, b: number, a: number;
        do {
          x1 = rng.uniform(-2, 2);
          x2 = rng.uniform(-2, 2);
          w1 = rng.uniform(-2, 2);
          w2 = rng.uniform(-2, 2);
          b = rng.uniform(-2, 2);
          a = w1 * x1 + w2 * x2 + b;
        } while (Math.abs(a) < MARGIN);
        check.equal(await student.call('perceptron', x1, x2, w1, w2, b), a > 0 ? 1 : 0, `perceptron(${x1}, ${x2}, ${w1}, ${w2}, ${b})`);
      }
    },
  },
  {
    task: 'perceptron',
    name: { en: 'truth tables of random gates given by their weights', ja: '重みで与えたランダムなゲートの真理値表' },
    run: async ({ student, check, rng }) => {
      for (let k = 0; k < 5; k++) {
        const w1 = rng.uniform(-1, 1);
        const w2 = rng.uniform(-1, 1);
        const b = rng.uniform(-1, 1);
        for (const [x1, x2] of INPUTS) {
          const a = w1 * x1 + w2 * x2 + b;
          if (Math.abs(a) < MARGIN) continue;
          check.equal(await student.call('perceptron', x1, x2, w1, w2, b), a > 0 ? 1 : 0, `perceptron(${x1}, ${x2}, ${w1}, ${w2}, ${b})`);
        }
      }
    },
  },
  {
    task: 'bias',
    name: { en: 'thetaToBias on random (w1, w2, θ)', ja: 'ランダムな (w1, w2, θ) での thetaToBias' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 10; i++) {
        const w1 = rng.uniform(-3, 3);
        const w2 = rng.uniform(-3, 3);
        const theta = rng.uniform(-3, 3);
        const got = await student.call('thetaToBias', w1, w2, theta);
        if (!isRecord(got)) {
          check.fail({ en: 'thetaToBias must return an object { w1, w2, b }', ja: 'thetaToBias はオブジェクト { w1, w2, b } を返してください' });
          return;
        }
        const label = `thetaToBias(${w1}, ${w2}, ${theta})`;
        check.close([got.w1, got.w2, got.b] as Value, [w1, w2, -theta], `${label} → [w1, w2, b]`);
      }
    },
  },
  {
    task: 'bias',
    name: { en: 'threshold form on random points matches the bias form', ja: 'ランダムな点で閾値の形がバイアスの形と一致する' },
    run: async ({ student, check, rng }) => {
      for (let i = 0; i < 20; i++) {
        let x1: number, x2: number, w1: number, w2: number, theta: number, s: number;
        do {
          x1 = rng.uniform(-2, 2);
          x2 = rng.uniform(-2, 2);
          w1 = rng.uniform(-2, 2);
          w2 = rng.uniform(-2, 2);
          theta = rng.uniform(-2, 2);
          s = w1 * x1 + w2 * x2;
        } while (Math.abs(s - theta) < MARGIN);
        check.equal(await student.call('perceptronTheta', x1, x2, w1, w2, theta), s > theta ? 1 : 0, `perceptronTheta(${x1}, ${x2}, ${w1}, ${w2}, ${theta})`);
      }
    },
  },
  {
    task: 'gates',
    name: { en: 'gates in a shuffled order, twice; NAND is NOT AND', ja: '順番を入れ替えて2回ずつ; NAND は AND の否定' },
    run: async ({ student, check, rng }) => {
      const table: Record<string, number[]> = { AND: [0, 0, 0, 1], NAND: [1, 1, 1, 0], OR: [0, 1, 1, 1] };
      const queries: Array<[string, number]> = [];
      for (const g of Object.keys(table)) for (let i = 0; i < 4; i++) queries.push([g, i], [g, i]);
      for (let i = queries.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [queries[i], queries[j]] = [queries[j], queries[i]];
      }
      for (const [g, i] of queries) {
        const [x1, x2] = INPUTS[i];
        check.equal(await student.call(g, x1, x2), table[g][i], `${g}(${x1}, ${x2})`);
      }
    },
  },
  {
    task: 'xor',
    name: { en: 'XOR is the output y of the two layers, built from your gates', ja: 'XOR は2層の出力 y で、自分のゲートから作られている' },
    run: async ({ student, check }) => {
      for (const [x1, x2] of INPUTS) {
        const layers = await student.call('xorLayers', x1, x2);
        if (!isRecord(layers)) {
          check.fail({ en: 'xorLayers must return an object { s1, s2, y }', ja: 'xorLayers はオブジェクト { s1, s2, y } を返してください' });
          return;
        }
        const xor = await student.call('XOR', x1, x2);
        check.equal(xor, x1 !== x2 ? 1 : 0, `XOR(${x1}, ${x2})`);
        check.equal(layers.y, xor, `xorLayers(${x1}, ${x2}).y = XOR(${x1}, ${x2})`);
        check.equal(layers.s1, await student.call('NAND', x1, x2), `xorLayers(${x1}, ${x2}).s1 = NAND(${x1}, ${x2})`);
        check.equal(layers.s2, await student.call('OR', x1, x2), `xorLayers(${x1}, ${x2}).s2 = OR(${x1}, ${x2})`);
        check.equal(await student.call('AND', layers.s1, layers.s2), layers.y, `AND(s1, s2) = y for (${x1}, ${x2})`);
      }
    },
  },
]);
