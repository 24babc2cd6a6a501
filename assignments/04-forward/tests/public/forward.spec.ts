/**
 * Public tests of assignment 04 (activation functions and the forward pass). Run them with
 * `npm test`.
 *
 * Course numbers used here:
 * - activation functions: step, sigmoid, tanh, ReLU, identity (001 "活性化関数の例"), also at
 *   x = ±1000, where no answer may be NaN; step(0) is never graded (defined both ways);
 * - softmax of u = (3, 1, 4) → 0.259, 0.035, 0.705 (003); the dog/cat/bird scores (9, 2, −1) →
 *   0.99904, 0.000911, 0.0000454 and the class 犬 (001 "例：犬猫鳥判別機");
 * - the 2-3-2 network z = h(Wz + b) (001 "3層NNの推論", "多層パーセプトロンの行列計算"): the course
 *   gives no weights, so these tests give them;
 * - the seminar's network with the layer-mean activation: x = (1, 2), W1 = [[1,2,3],[4,5,6]],
 *   W2 = [[1,2],[3,4],[5,6]] → h' = (9, 12, 15), h = (9/36, 12/36, 15/36), y = 120/276 = 10/23,
 *   gap from the true value 1: 13/23 (000);
 * - P("pumpkin") = 0.98: odds 49, logit log 49 (003);
 * - one-hot vectors of MNIST's 10 classes (003; the slide prints 9 components, a typo).
 */
import { defineTests, T, type Check, type TensorValue, type Value } from '@dl/grader';

// ---- helpers (the same ones are used by the hidden tests) ----

type Tv = TensorValue;
type Bi = { en: string; ja: string };

function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

function isTensor(v: Value): v is Tv {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true;
}

function numbersOf(v: Value): number[] | null {
  if (typeof v === 'number') return [v];
  if (isTensor(v)) return [...v.data];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return null;
}

/** Cases that already showed a hint (each hint is shown once per case). */
const hinted = new WeakMap<Check, Set<string>>();

function firstTime(check: Check, hint: Bi, key = hint.en): boolean {
  const seen = hinted.get(check) ?? new Set<string>();
  hinted.set(check, seen);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** check.close, but a NaN or an infinity where a finite value is expected gets `hint` (once per case). */
function closeFinite(check: Check, got: Value, want: Value, label: string, hint: Bi, opts?: { atol?: number; rtol?: number }): boolean {
  const g = numbersOf(got);
  const w = numbersOf(want);
  if (g !== null && w !== null && g.length === w.length && g.some((x, i) => !Number.isFinite(x) && Number.isFinite(w[i]))) {
    const i = g.findIndex((x, k) => !Number.isFinite(x) && Number.isFinite(w[k]));
    const h = firstTime(check, hint) ? hint : { en: '', ja: '' };
    return check.fail({
      en: `${label}: got ${g[i]}${g.length > 1 ? ` at index ${i}` : ''}, a finite number was expected. ${h.en}`.trimEnd(),
      ja: `${label}: ${g.length > 1 ? `インデックス ${i} で ` : ''}${g[i]} が返されましたが、有限の数が正しい値です。${h.ja}`,
    });
  }
  return check.close(got, want, label, opts);
}

const SIGMOID_HINT: Bi = {
  en: 'exp overflows to Infinity for arguments above about 709, and Infinity/Infinity is NaN: compute 1 / (1 + exp(−x)) (or exp(x) / (1 + exp(x)) only where x < 0).',
  ja: 'exp は引数がおよそ 709 を超えると Infinity になり、Infinity/Infinity は NaN です。1 / (1 + exp(−x)) で計算してください (exp(x) / (1 + exp(x)) を使うのは x < 0 のときだけにします)。',
};
const TANH_HINT: Bi = {
  en: 'e^x overflows to Infinity for x above about 709, so (e^x − e^−x)/(e^x + e^−x) becomes Infinity/Infinity = NaN for large |x|: use Math.tanh, or rewrite it with e^(−2|x|), which cannot overflow.',
  ja: 'e^x は x がおよそ 709 を超えると Infinity になるので、|x| が大きいと (e^x − e^−x)/(e^x + e^−x) が Infinity/Infinity = NaN になります。Math.tanh を使うか、オーバーフローしない e^(−2|x|) を使う形に書き換えてください。',
};
const SOFTMAX_HINT: Bi = {
  en: 'exp(1000) overflows to Infinity (and exp(−1000) underflows to 0), so exp(a_k)/Σ exp(a_i) becomes NaN: subtract the maximum score from every score before exp (the softmax does not change).',
  ja: 'exp(1000) は Infinity に (exp(−1000) は 0 に) なり、exp(a_k)/Σ exp(a_i) が NaN になります。exp の前にすべてのスコアから最大値を引いてください (ソフトマックスの値は変わりません)。',
};

function sigmoidRef(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function softmaxRef(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const ACT: Record<string, (x: number) => number> = {
  step: (x) => (x > 0 ? 1 : 0),
  sigmoid: sigmoidRef,
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
  identity: (x) => x,
};

/** W z + b for W given as rows. */
function matVec(W: number[][], z: number[], b: number[]): number[] {
  return W.map((row, i) => row.reduce((s, w, j) => s + w * z[j], 0) + b[i]);
}

// ---- exact fractions (task layer-mean): the student's answer may be a number or { num, den } ----

interface Q {
  n: bigint;
  d: bigint;
}

function bgcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function q(n: bigint | number, d: bigint | number = 1n): Q {
  let nn = BigInt(n);
  let dd = BigInt(d);
  if (dd < 0n) [nn, dd] = [-nn, -dd];
  const g = bgcd(nn, dd) || 1n;
  return { n: nn / g, d: dd / g };
}

const qAdd = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
const qMul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
const qDiv = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
const qNum = (a: Q): number => Number(a.n) / Number(a.d);
const qShow = (a: Q): string => (a.d === 1n ? `${a.n}` : `${a.n}/${a.d}`);

function showExact(v: Value): string {
  if (isRecord(v) && typeof v.num === 'number' && typeof v.den === 'number') return `${v.num}/${v.den}`;
  return JSON.stringify(v) ?? String(v);
}

/** Why `got` is not `want` (null when it is): a float within 1e-12, or an exact fraction equal to it. */
function exactMismatch(got: Value, want: Q): Bi | null {
  if (typeof got === 'number') {
    const w = qNum(want);
    if (Number.isFinite(got) && Math.abs(got - w) <= 1e-12 + 1e-12 * Math.abs(w)) return null;
    return { en: `got ${got}`, ja: `結果 ${got}` };
  }
  if (isRecord(got) && 'num' in got && 'den' in got) {
    const { num, den } = got;
    if (typeof num !== 'number' || typeof den !== 'number' || !Number.isSafeInteger(num) || !Number.isSafeInteger(den) || den === 0) {
      return {
        en: `got ${showExact(got)}: a fraction { num, den } needs integer num and den, den ≠ 0 (or return a plain number)`,
        ja: `結果 ${showExact(got)}: 分数 { num, den } の num と den は整数で、den ≠ 0 です (または普通の数値を返してください)`,
      };
    }
    if (BigInt(num) * want.d === want.n * BigInt(den)) return null;
    return { en: `got ${num}/${den}`, ja: `結果 ${num}/${den}` };
  }
  return {
    en: `got ${showExact(got)}: return a number or a fraction { num, den }`,
    ja: `結果 ${showExact(got)}: 数値または分数 { num, den } を返してください`,
  };
}

/** Compares a vector of exact values; feedback names the first wrong index (and, if public, the expected value). */
function checkExactVec(check: Check, hidden: boolean, got: Value, want: readonly Q[], label: string): boolean {
  if (!Array.isArray(got) || got.length !== want.length) {
    return check.fail({
      en: `${label}: expected an array of ${want.length} values (numbers or { num, den }), got ${showExact(got)}`,
      ja: `${label}: ${want.length} 個の値 (数値または { num, den }) の配列を返してください (結果: ${showExact(got)})`,
    });
  }
  const bad = want.map((w, i) => exactMismatch(got[i], w));
  const first = bad.findIndex((b) => b !== null);
  if (first < 0) return true;
  const b = bad[first] as Bi;
  const n = bad.filter((x) => x !== null).length;
  const exp = hidden ? { en: '', ja: '' } : { en: `, expected ${qShow(want[first])} (≈ ${qNum(want[first])})`, ja: `、期待値 ${qShow(want[first])} (≈ ${qNum(want[first])})` };
  return check.fail({
    en: `${label}: ${n} of ${want.length} values wrong; first at index ${first}: ${b.en}${exp.en} (a float within 1e-12 or an equal fraction is accepted)`,
    ja: `${label}: ${want.length} 個中 ${n} 個が違います。最初はインデックス ${first}: ${b.ja}${exp.ja} (1e-12 以内の小数、または等しい分数なら正解)`,
  });
}

function checkExact(check: Check, hidden: boolean, got: Value, want: Q, label: string): boolean {
  const b = exactMismatch(got, want);
  if (b === null) return true;
  const exp = hidden ? { en: '', ja: '' } : { en: `, expected ${qShow(want)} (≈ ${qNum(want)})`, ja: `、期待値 ${qShow(want)} (≈ ${qNum(want)})` };
  return check.fail({ en: `${label}: ${b.en}${exp.en}`, ja: `${label}: ${b.ja}${exp.ja}` });
}

/** The seminar's network computed exactly. */
function layerMeanExact(x: number[], W1: number[][], W2: number[][], target: number) {
  const mean = (v: Q[]): Q[] => {
    const s = v.reduce(qAdd, q(0));
    return v.map((e) => qDiv(e, s));
  };
  const hPrime = W1[0].map((_, j) => x.reduce((s, xi, i) => qAdd(s, q(xi * W1[i][j])), q(0)));
  const h = mean(hPrime);
  const yPrime = W2[0].map((_, k) => h.reduce((s, hj, j) => qAdd(s, qMul(hj, q(W2[j][k]))), q(0)));
  const y = mean(yPrime);
  return { hPrime, h, yPrime, y, gap: qAdd(q(target), q(-y[0].n, y[0].d)) };
}

/** Sum of a vector of numbers and { num, den } fractions (null if it is not one). */
function exactSum(v: Value): number | null {
  if (!Array.isArray(v)) return null;
  let s = 0;
  for (const e of v) {
    if (typeof e === 'number') s += e;
    else if (isRecord(e) && typeof e.num === 'number' && typeof e.den === 'number') s += e.num / e.den;
    else return null;
  }
  return s;
}

/** A hint (once per case) when a layer-mean output does not sum to 1. */
function meanHint(check: Check, got: Value, what: string, output = false): void {
  const s = exactSum(got);
  if (s === null || !Number.isFinite(s) || Math.abs(s - 1) <= 1e-9) return;
  const n = (got as Value[]).length;
  let hint: Bi;
  let key: string;
  if (Math.abs(s - n) <= 1e-9 * n) {
    key = 'average';
    hint = {
      en: `hint: the values of ${what} sum to ${n}, the number of units: it looks like you divided by the average of the layer (its sum / ${n}). The layer mean divides every unit by the SUM of its layer, h_i = h'_i / Σ_j h'_j, so that the values sum to 1.`,
      ja: `ヒント: ${what} の値の合計がユニット数の ${n} になっています。層の平均値 (合計 / ${n}) で割っているようです。層の平均では各ユニットを層の **合計** で割ります (h_i = h'_i / Σ_j h'_j)。値の合計は 1 になります。`,
    };
  } else if (output) {
    key = 'output';
    hint = {
      en: `hint: the values of ${what} sum to ${s}, not 1: the output layer uses the layer mean too, y_k = y'_k / Σ_j y'_j (the course's y = 120/276).`,
      ja: `ヒント: ${what} の値の合計が 1 ではなく ${s} です。出力層でも層の平均を使います: y_k = y'_k / Σ_j y'_j (講義の y = 120/276)。`,
    };
  } else {
    key = 'sum';
    hint = {
      en: `hint: the values of ${what} sum to ${s}, not 1: the layer mean divides every unit by the SUM of its layer, h_i = h'_i / Σ_j h'_j.`,
      ja: `ヒント: ${what} の値の合計が 1 ではなく ${s} です。層の平均では各ユニットを層の **合計** で割ります: h_i = h'_i / Σ_j h'_j。`,
    };
  }
  if (firstTime(check, hint, `meanHint:${key}`)) check.fail(hint);
}

/** Hints for the usual mistakes, from the student's own answer (sums of h and y). */
function layerMeanHints(check: Check, r: { readonly [k: string]: Value }): void {
  meanHint(check, r.h, 'h');
  meanHint(check, r.y, 'y', true);
}

export default defineTests([
  // ================= activations =================
  {
    task: 'activations',
    name: { en: 'step(x) is 1 for x > 0 and 0 for x < 0; step(0) is not graded', ja: 'step(x) は x > 0 で 1、x < 0 で 0 (step(0) は採点しない)' },
    run: async ({ student, check }) => {
      for (const x of [3, 0.5, 1e-9, -1e-9, -2, 1000, -1000]) check.equal(await student.call('step', x), x > 0 ? 1 : 0, `step(${x})`);
      const y0 = await student.call('step', 0);
      check.ok(y0 === 0 || y0 === 1, 'step(0)', {
        en: `got ${JSON.stringify(y0)}; step(0) may be 0 or 1 (the course defines it both ways), but it must be the number 0 or 1`,
        ja: `結果は ${JSON.stringify(y0)} です。step(0) は 0 でも 1 でも構いません (講義に2通りの定義がある) が、数値 0 か 1 を返してください`,
      });
    },
  },
  {
    task: 'activations',
    name: { en: 'sigmoid: σ(0) = 0.5, σ(±2), and σ(±1000) without NaN', ja: 'シグモイド: σ(0) = 0.5、σ(±2)、NaN にならない σ(±1000)' },
    run: async ({ student, check }) => {
      const cases: Array<[number, number]> = [
        [0, 0.5],
        [2, 0.8807970779778823],
        [-2, 0.11920292202211755],
        [10, 0.9999546021312976],
        [1000, 1],
        [-1000, 0],
      ];
      for (const [x, y] of cases) closeFinite(check, await student.call('sigmoid', x), y, `sigmoid(${x})`, SIGMOID_HINT, { atol: 1e-12, rtol: 1e-12 });
    },
  },
  {
    task: 'activations',
    name: { en: 'tanh (also at ±1000), ReLU and the identity function', ja: 'tanh (±1000 でも)、ReLU、恒等関数' },
    run: async ({ student, check }) => {
      const tanh: Array<[number, number]> = [
        [0, 0],
        [1, 0.7615941559557649],
        [-0.5, -0.46211715726000974],
        [1000, 1],
        [-1000, -1],
      ];
      for (const [x, y] of tanh) closeFinite(check, await student.call('tanh', x), y, `tanh(${x})`, TANH_HINT, { atol: 1e-12, rtol: 1e-12 });
      for (const [x, y] of [[2.5, 2.5], [-3, 0], [0, 0], [1000, 1000], [-1000, 0]]) check.close(await student.call('relu', x), y, `relu(${x})`);
      for (const x of [-1.5, 0, 7, 1000]) check.close(await student.call('identity', x), x, `identity(${x})`);
    },
  },

  // ================= softmax =================
  {
    task: 'softmax',
    name: { en: 'u = (3, 1, 4) → (0.259, 0.035, 0.705)', ja: 'u = (3, 1, 4) → (0.259, 0.035, 0.705)' },
    run: async ({ student, check }) => {
      const y = await student.call('softmax', T([3, 1, 4]));
      if (!check.close(y, T([0.259, 0.035, 0.705]), 'softmax(3, 1, 4) to the course\'s 3 decimals', { atol: 5e-4, rtol: 0 })) return;
      check.close(y, T(softmaxRef([3, 1, 4])), 'softmax(3, 1, 4)', { atol: 1e-9, rtol: 1e-6 });
      const d = numbersOf(y);
      if (d) check.close(d.reduce((a, b) => a + b, 0), 1, 'sum of softmax(3, 1, 4)', { atol: 1e-9 });
    },
  },
  {
    task: 'softmax',
    name: { en: 'dog/cat/bird scores (9, 2, −1) → 0.99904, 0.000911, 0.0000454; the class is 犬', ja: '犬猫鳥判別機のスコア (9, 2, −1) → 0.99904、0.000911、0.0000454; 分類は「犬」' },
    run: async ({ student, check }) => {
      const y = await student.call('softmax', T([9, 2, -1]));
      check.close(y, T([0.99904, 0.000911, 0.0000454]), 'softmax(9, 2, −1) to the course\'s digits', { atol: 5e-6, rtol: 5e-4 });
      check.close(y, T(softmaxRef([9, 2, -1])), 'softmax(9, 2, −1)', { atol: 1e-12, rtol: 1e-6 });
      check.equal(await student.call('predictClass', T([9, 2, -1]), ['犬', '猫', '鳥']), '犬', "predictClass((9, 2, −1), ['犬', '猫', '鳥'])");
      check.equal(await student.call('predictClass', T([-1, 2, 9]), ['犬', '猫', '鳥']), '鳥', "predictClass((−1, 2, 9), ['犬', '猫', '鳥'])");
    },
  },
  {
    task: 'softmax',
    name: { en: 'large scores: softmax(1000, 1001, 1002) = softmax(0, 1, 2), no NaN', ja: '大きなスコア: softmax(1000, 1001, 1002) = softmax(0, 1, 2)、NaN にならない' },
    run: async ({ student, check }) => {
      const want = T(softmaxRef([0, 1, 2]));
      closeFinite(check, await student.call('softmax', T([1000, 1001, 1002])), want, 'softmax(1000, 1001, 1002)', SOFTMAX_HINT, { atol: 1e-9, rtol: 1e-6 });
      closeFinite(check, await student.call('softmax', T([-1000, -999, -998])), want, 'softmax(−1000, −999, −998)', SOFTMAX_HINT, { atol: 1e-9, rtol: 1e-6 });
      if (!check.equal(await student.call('predictClass', T([1000, 1002, 1001]), ['a', 'b', 'c']), 'b', "predictClass((1000, 1002, 1001), ['a', 'b', 'c'])")) {
        if (firstTime(check, SOFTMAX_HINT)) check.fail(SOFTMAX_HINT);
      }
    },
  },

  // ================= forward =================
  {
    task: 'forward',
    name: { en: 'activate applies each activation to every element of a vector', ja: 'activate はベクトルの各要素に活性化関数を適用する' },
    run: async ({ student, check }) => {
      const a = [-1000, -2, -0.5, 0.25, 3, 1000];
      for (const h of Object.keys(ACT)) {
        const want = T(a.map(ACT[h]));
        closeFinite(check, await student.call('activate', T(a), h), want, `activate([${a.join(', ')}], '${h}')`, h === 'tanh' ? TANH_HINT : SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 });
      }
      const m = [[0.5, -1], [2, -3]];
      check.close(await student.call('activate', T(m), 'relu'), T([[0.5, 0], [2, 0]]), "activate([[0.5, −1], [2, −3]], 'relu') keeps the shape");
    },
  },
  {
    task: 'forward',
    name: { en: 'layer: z_j = h(W z_i + b) with W of shape [m, n]', ja: 'layer: z_j = h(W z_i + b)、W の形状は [m, n]' },
    run: async ({ student, check }) => {
      const W = [[1, 2, 3], [4, 5, 6]];
      const z = [1, 0, -1];
      const b = [0.5, 0];
      check.close(await student.call('layer', T(W), T(z), T(b), 'identity'), T([-1.5, -2]), "layer(W, z, b, 'identity') = W z + b");
      check.close(await student.call('layer', T(W), T(z), T(b), 'relu'), T([0, 0]), "layer(W, z, b, 'relu')");
      const z2 = [0.5, -0.25, 0.125];
      const b2 = [-0.6, 0.1];
      for (const h of ['sigmoid', 'tanh', 'step']) {
        check.close(await student.call('layer', T(W), T(z2), T(b2), h), T(matVec(W, z2, b2).map(ACT[h])), `layer(W, [${z2.join(', ')}], [${b2.join(', ')}], '${h}')`, { atol: 1e-12, rtol: 1e-9 });
      }
    },
  },
  {
    task: 'forward',
    name: { en: 'the 2-3-2 network: sigmoid, sigmoid, identity (weights given by the test)', ja: '2-3-2 のネットワーク: シグモイド、シグモイド、恒等関数 (重みはテストが与える)' },
    run: async ({ student, check }) => {
      const net = {
        W1: T([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),
        b1: T([0.1, 0.2, 0.3]),
        W2: T([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]),
        b2: T([0.1, 0.2]),
        W3: T([[0.1, 0.2], [0.3, 0.4]]),
        b3: T([0.1, 0.2]),
      };
      const r = await student.call('forward3', T([1.0, 0.5]), net);
      if (!isRecord(r)) return void check.fail({ en: 'forward3 must return { a1, z1, a2, z2, a3, y }', ja: 'forward3 は { a1, z1, a2, z2, a3, y } を返してください' });
      const o = { atol: 1e-9, rtol: 1e-7 };
      check.close(r.a1, T([0.3, 0.7, 1.1]), 'a1 = W1 x + b1', o);
      check.close(r.z1, T([0.574442516811659, 0.6681877721681662, 0.7502601055951177]), 'z1 = σ(a1)', o);
      check.close(r.a2, T([0.5161598377933344, 1.2140269561658172]), 'a2 = W2 z1 + b2', o);
      check.close(r.z2, T([0.6262493703990729, 0.7710106968556123]), 'z2 = σ(a2)', o);
      check.close(r.a3, T([0.3168270764110298, 0.6962790898619668]), 'a3 = W3 z2 + b3', o);
      check.close(r.y, T([0.3168270764110298, 0.6962790898619668]), 'y = id(a3)', o);
    },
  },

  // ================= layer-mean =================
  {
    task: 'layer-mean',
    name: { en: "layerMean(9, 12, 15) = (9/36, 12/36, 15/36)", ja: 'layerMean(9, 12, 15) = (9/36, 12/36, 15/36)' },
    run: async ({ student, check, hidden }) => {
      const h = await student.call('layerMean', [9, 12, 15]);
      if (!checkExactVec(check, hidden, h, [q(9, 36), q(12, 36), q(15, 36)], 'layerMean([9, 12, 15])')) meanHint(check, h, 'layerMean([9, 12, 15])');
      const h2 = await student.call('layerMean', [1, 3]);
      if (!checkExactVec(check, hidden, h2, [q(1, 4), q(3, 4)], 'layerMean([1, 3])')) meanHint(check, h2, 'layerMean([1, 3])');
    },
  },
  {
    task: 'layer-mean',
    name: { en: "the seminar's network: h' = (9, 12, 15), y = 120/276 = 10/23, gap 1 − 10/23 = 13/23", ja: "ゼミの計算例: h' = (9, 12, 15)、y = 120/276 = 10/23、乖離 1 − 10/23 = 13/23" },
    run: async ({ student, check, hidden }) => {
      const x = [1, 2];
      const W1 = [[1, 2, 3], [4, 5, 6]];
      const W2 = [[1, 2], [3, 4], [5, 6]];
      const r = await student.call('layerMeanNetwork', x, W1, W2, 1);
      if (!isRecord(r)) return void check.fail({ en: 'layerMeanNetwork must return { hPrime, h, yPrime, y, gap }', ja: 'layerMeanNetwork は { hPrime, h, yPrime, y, gap } を返してください' });
      const w = layerMeanExact(x, W1, W2, 1);
      checkExactVec(check, hidden, r.hPrime, [q(9), q(12), q(15)], "h' (hPrime), h'_j = Σ_i x_i W1[i][j]");
      checkExactVec(check, hidden, r.h, [q(9, 36), q(12, 36), q(15, 36)], 'h = layer mean of h\'');
      checkExactVec(check, hidden, r.yPrime, w.yPrime, "y' (yPrime), y'_k = Σ_j h_j W2[j][k]");
      checkExactVec(check, hidden, r.y, [q(10, 23), q(13, 23)], 'y = layer mean of y\' (y_1 = 120/276 = 10/23)');
      checkExact(check, hidden, r.gap, q(13, 23), 'gap = 1 − y_1 (乖離)');
      if (check.failures > 0) layerMeanHints(check, r);
    },
  },

  // ================= logit =================
  {
    task: 'logit',
    name: { en: 'P("pumpkin") = 0.98: odds 49, logit log 49, σ(logit) = 0.98', ja: 'P("かぼちゃ") = 0.98: オッズ 49、ロジット log 49、σ(ロジット) = 0.98' },
    run: async ({ student, check }) => {
      check.close(await student.call('odds', 0.98), 49, 'odds(0.98)', { atol: 1e-9, rtol: 1e-9 });
      const u = await student.call('logit', 0.98);
      check.close(u, Math.log(49), 'logit(0.98) = log(0.98 / 0.02)', { atol: 1e-12, rtol: 1e-9 });
      if (typeof u === 'number') check.close(sigmoidRef(u), 0.98, 'σ(logit(0.98)) (σ computed by the test)', { atol: 1e-12, rtol: 1e-9 });
      check.close(await student.call('logit', 0.5), 0, 'logit(0.5)', { atol: 1e-12 });
      check.close(await student.call('logit', 0.02), -Math.log(49), 'logit(0.02)', { atol: 1e-12, rtol: 1e-9 });
    },
  },
  {
    task: 'logit',
    name: { en: 'binaryProbs(logit(0.98)) = [0.98, 0.02]; no NaN at u = ±1000', ja: 'binaryProbs(logit(0.98)) = [0.98, 0.02]; u = ±1000 でも NaN にならない' },
    run: async ({ student, check }) => {
      check.close(await student.call('binaryProbs', Math.log(49)), [0.98, 0.02], 'binaryProbs(log 49) = [P("pumpkin"), P("not pumpkin")]', { atol: 1e-12, rtol: 1e-9 });
      check.close(await student.call('binaryProbs', 0), [0.5, 0.5], 'binaryProbs(0)', { atol: 1e-12 });
      closeFinite(check, await student.call('binaryProbs', 1000), [1, 0], 'binaryProbs(1000)', SIGMOID_HINT, { atol: 1e-12 });
      closeFinite(check, await student.call('binaryProbs', -1000), [0, 1], 'binaryProbs(−1000)', SIGMOID_HINT, { atol: 1e-12 });
    },
  },

  // ================= one-hot =================
  {
    task: 'one-hot',
    name: { en: 'Zero, One, Two as one-hot vectors of 10 classes', ja: 'Zero、One、Two の 10 クラスのワンホット表現' },
    run: async ({ student, check }) => {
      for (const label of [0, 1, 2]) {
        const want = Array.from({ length: 10 }, (_, i) => (i === label ? 1 : 0));
        const got = await student.call('oneHot', label);
        if (isTensor(got) && got.shape.length === 1 && got.shape[0] === 9) {
          check.fail({
            en: `oneHot(${label}) has 9 components: MNIST has 10 classes (0-9), so a one-hot vector has 10 (the slide's examples print 9, a typo)`,
            ja: `oneHot(${label}) の要素数が 9 です。MNIST は 10 クラス (0〜9) なので、ワンホット表現の要素数は 10 です (スライドの例は 9 要素で印刷されていますが誤植です)`,
          });
          continue;
        }
        check.close(got, T(want), `oneHot(${label}) (numClasses defaults to 10)`);
      }
      check.close(await student.call('oneHot', 9, 10), T([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 'oneHot(9, 10)');
      check.close(await student.call('oneHot', 1, 3), T([0, 1, 0]), 'oneHot(1, 3)');
    },
  },
  {
    task: 'one-hot',
    name: { en: 'one-hot rows of a mini-batch', ja: 'ミニバッチのワンホット表現 (行ごと)' },
    run: async ({ student, check }) => {
      check.close(await student.call('oneHotBatch', [0, 2], 3), T([[1, 0, 0], [0, 0, 1]]), 'oneHotBatch([0, 2], 3)');
      const labels = [7, 2, 1, 0];
      const want = labels.map((l) => Array.from({ length: 10 }, (_, i) => (i === l ? 1 : 0)));
      check.close(await student.call('oneHotBatch', labels), T(want), 'oneHotBatch([7, 2, 1, 0]) (numClasses defaults to 10)');
    },
  },
]);
