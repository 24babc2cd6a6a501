/**
 * Hidden tests of assignment 04: seeded random inputs, large values (|x| up to 1e300 for the
 * activation functions, scores shifted by ±900 for the softmax, saturated sigmoid layers), other
 * sizes, and properties (σ(−x) = 1 − σ(x), softmax sums to 1, the layer mean is scale-invariant,
 * σ(logit(p)) = p). Expected values are computed here from the definitions (exactly, with
 * fractions, for the layer mean); the step function is never evaluated at 0.
 */
import { defineTests, T, type Check, type Rng, type TensorValue, type Value } from '@dl/grader';

// ---- helpers (the same as in the public tests) ----

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

// ---- helpers of the hidden tests ----

/** A number from [lo, hi) that is at least `away` from 0. */
function nonZero(rng: Rng, lo: number, hi: number, away = 1e-6): number {
  let v: number;
  do v = rng.uniform(lo, hi);
  while (Math.abs(v) < away);
  return v;
}

function randVec(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => rng.uniform(lo, hi));
}

function randMat(rng: Rng, m: number, n: number, lo: number, hi: number): number[][] {
  return Array.from({ length: m }, () => randVec(rng, n, lo, hi));
}

function randIntMat(rng: Rng, m: number, n: number, lo: number, hi: number): number[][] {
  return Array.from({ length: m }, () => Array.from({ length: n }, () => rng.int(lo, hi)));
}

const NAMES = ['step', 'sigmoid', 'tanh', 'relu', 'identity'];

export default defineTests([
  // ================= activations =================
  {
    task: 'activations',
    name: { en: 'step on random, tiny and huge non-zero numbers', ja: 'ランダム・ごく小さい・とても大きい 0 以外の値での step' },
    run: async ({ student, check, rng }) => {
      const xs = [1e-300, -1e-300, 1e300, -1e300];
      for (let i = 0; i < 12; i++) xs.push(nonZero(rng, -10, 10));
      for (const x of xs) check.equal(await student.call('step', x), x > 0 ? 1 : 0, `step(${x})`);
    },
  },
  {
    task: 'activations',
    name: { en: 'sigmoid on random and extreme x (±709 … ±1e300), and σ(−x) = 1 − σ(x)', ja: 'ランダムな x と極端な x (±709 〜 ±1e300) でのシグモイド、σ(−x) = 1 − σ(x)' },
    run: async ({ student, check, rng }) => {
      const xs = [709, -709, 710, -710, 745, -745, 800, -800, 1e4, -1e4, 1e300, -1e300];
      for (let i = 0; i < 12; i++) xs.push(rng.uniform(-30, 30));
      for (const x of xs) {
        const y = await student.call('sigmoid', x);
        if (!closeFinite(check, y, sigmoidRef(x), `sigmoid(${x})`, SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 })) continue;
        check.ok(typeof y === 'number' && y >= 0 && y <= 1, `sigmoid(${x})`, { en: `got ${y}, outside [0, 1]`, ja: `結果 ${y} が [0, 1] の外です` });
      }
      for (let i = 0; i < 5; i++) {
        const x = rng.uniform(-8, 8);
        const a = await student.call('sigmoid', x);
        const b = await student.call('sigmoid', -x);
        if (typeof a === 'number' && typeof b === 'number') check.close(a + b, 1, `sigmoid(${x}) + sigmoid(${-x})`, { atol: 1e-12 });
        else check.fail({ en: `sigmoid(${x}) must return a number`, ja: `sigmoid(${x}) は数値を返してください` });
      }
    },
  },
  {
    task: 'activations',
    name: { en: 'tanh on random and extreme x; ReLU and identity on random x', ja: 'ランダムな x と極端な x での tanh; ランダムな x での ReLU と恒等関数' },
    run: async ({ student, check, rng }) => {
      const xs = [355, -355, 710, -710, 1e4, -1e4, 1e300, -1e300];
      for (let i = 0; i < 10; i++) xs.push(rng.uniform(-5, 5));
      for (const x of xs) closeFinite(check, await student.call('tanh', x), Math.tanh(x), `tanh(${x})`, TANH_HINT, { atol: 1e-12, rtol: 1e-9 });
      for (let i = 0; i < 10; i++) {
        const x = nonZero(rng, -50, 50);
        check.close(await student.call('relu', x), Math.max(x, 0), `relu(${x})`, { atol: 0, rtol: 1e-15 });
        check.close(await student.call('identity', x), x, `identity(${x})`, { atol: 0, rtol: 0 });
      }
    },
  },

  // ================= softmax =================
  {
    task: 'softmax',
    name: { en: 'softmax of random vectors (K = 1, 2, 4, 10): values, sum 1, shape', ja: 'ランダムなベクトル (K = 1, 2, 4, 10) のソフトマックス: 値、合計 1、形状' },
    run: async ({ student, check, rng }) => {
      for (const k of [1, 2, 4, 10, 10]) {
        const a = randVec(rng, k, -6, 6);
        const y = await student.call('softmax', T(a));
        const label = `softmax of a random vector of length ${k}`;
        if (!closeFinite(check, y, T(softmaxRef(a)), label, SOFTMAX_HINT, { atol: 1e-12, rtol: 1e-6 })) continue;
        const d = numbersOf(y) as number[];
        check.close(d.reduce((s, v) => s + v, 0), 1, `${label}: sum`, { atol: 1e-9 });
      }
    },
  },
  {
    task: 'softmax',
    name: { en: 'shifted and spread-out scores (±900, ±800): no overflow, same softmax', ja: 'ずらしたスコア・離れたスコア (±900、±800): オーバーフローせず同じソフトマックス' },
    run: async ({ student, check, rng }) => {
      const a = randVec(rng, 5, -3, 3);
      const want = T(softmaxRef(a));
      for (const c of [900, -900, 500.5]) {
        closeFinite(check, await student.call('softmax', T(a.map((v) => v + c))), want, `softmax(a + ${c}) for a random a of length 5`, SOFTMAX_HINT, { atol: 1e-9, rtol: 1e-6 });
      }
      const spread = [0, 800, -800, 799];
      closeFinite(check, await student.call('softmax', T(spread)), T(softmaxRef(spread)), `softmax(${spread.join(', ')})`, SOFTMAX_HINT, { atol: 1e-12, rtol: 1e-6 });
    },
  },
  {
    task: 'softmax',
    name: { en: 'predictClass on random scores with the 10 MNIST labels', ja: 'MNIST の 10 ラベルとランダムなスコアでの predictClass' },
    run: async ({ student, check, rng }) => {
      const labels = Array.from({ length: 10 }, (_, i) => String(i));
      for (let t = 0; t < 6; t++) {
        const a = randVec(rng, 10, -4, 4).map((v) => v + (t >= 4 ? 1000 : 0));
        const best = a.indexOf(Math.max(...a));
        const ok = check.equal(await student.call('predictClass', T(a), labels), labels[best], `predictClass(random scores${t >= 4 ? ' + 1000' : ''}, ['0', …, '9'])`);
        if (!ok && t >= 4 && firstTime(check, SOFTMAX_HINT)) check.fail(SOFTMAX_HINT);
      }
      check.equal(await student.call('predictClass', T([-1, 9, 2]), ['cat', 'dog', 'bird']), 'dog', "predictClass((−1, 9, 2), ['cat', 'dog', 'bird'])");
    },
  },

  // ================= forward =================
  {
    task: 'forward',
    name: { en: 'activate on a random matrix, every activation, shape kept', ja: 'ランダムな行列での activate (すべての活性化関数、形状を保つ)' },
    run: async ({ student, check, rng }) => {
      const m = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => nonZero(rng, -6, 6)));
      m[0][0] = 1000;
      m[2][3] = -1000;
      for (const h of NAMES) {
        closeFinite(check, await student.call('activate', T(m), h), T(m.map((r) => r.map(ACT[h]))), `activate(random [3, 4] matrix, '${h}')`, h === 'tanh' ? TANH_HINT : SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 });
      }
    },
  },
  {
    task: 'forward',
    name: { en: 'layer with random W of other shapes ([4, 3], [1, 5], [3, 3])', ja: '別の形状のランダムな W ([4, 3]、[1, 5]、[3, 3]) での layer' },
    run: async ({ student, check, rng }) => {
      for (const [m, n] of [[4, 3], [1, 5], [3, 3]]) {
        for (const h of NAMES) {
          const W = randMat(rng, m, n, -1, 1);
          const z = randVec(rng, n, -2, 2);
          let b = randVec(rng, m, -1, 1);
          // keep the step function away from 0
          b = b.map((bi, i) => (Math.abs(matVec(W, z, b)[i]) < 1e-6 ? bi + 0.5 : bi));
          const want = T(matVec(W, z, b).map(ACT[h]));
          check.close(await student.call('layer', T(W), T(z), T(b), h), want, `layer(random W [${m}, ${n}], z, b, '${h}')`, { atol: 1e-12, rtol: 1e-9 });
        }
      }
    },
  },
  {
    task: 'forward',
    name: { en: 'the 2-3-2 network with random weights: every intermediate value', ja: 'ランダムな重みの 2-3-2 ネットワーク: すべての途中の値' },
    run: async ({ student, check, rng }) => {
      for (const scale of [1, 1, 600]) {
        const p = {
          W1: randMat(rng, 3, 2, -scale, scale),
          b1: randVec(rng, 3, -1, 1),
          W2: randMat(rng, 2, 3, -scale, scale),
          b2: randVec(rng, 2, -1, 1),
          W3: randMat(rng, 2, 2, -2, 2),
          b3: randVec(rng, 2, -1, 1),
        };
        const x = randVec(rng, 2, -2, 2);
        const a1 = matVec(p.W1, x, p.b1);
        const z1 = a1.map(sigmoidRef);
        const a2 = matVec(p.W2, z1, p.b2);
        const z2 = a2.map(sigmoidRef);
        const a3 = matVec(p.W3, z2, p.b3);
        const net = { W1: T(p.W1), b1: T(p.b1), W2: T(p.W2), b2: T(p.b2), W3: T(p.W3), b3: T(p.b3) };
        const r = await student.call('forward3', T(x), net);
        if (!isRecord(r)) return void check.fail({ en: 'forward3 must return { a1, z1, a2, z2, a3, y }', ja: 'forward3 は { a1, z1, a2, z2, a3, y } を返してください' });
        const o = { atol: 1e-9, rtol: 1e-7 };
        const tag = scale > 1 ? ' (large weights: saturated sigmoids)' : '';
        const want: Record<string, number[]> = { a1, z1, a2, z2, a3, y: a3 };
        for (const k of ['a1', 'z1', 'a2', 'z2', 'a3', 'y']) {
          if (!closeFinite(check, r[k], T(want[k]), `${k}${tag}`, SIGMOID_HINT, o)) break;
        }
      }
    },
  },

  // ================= layer-mean =================
  {
    task: 'layer-mean',
    name: { en: 'layerMean of random integer vectors', ja: 'ランダムな整数ベクトルの layerMean' },
    run: async ({ student, check, hidden, rng }) => {
      for (let t = 0; t < 6; t++) {
        const v = Array.from({ length: rng.int(2, 5) }, () => rng.int(1, 40));
        if (t === 5) v[0] = -v[0]; // one negative entry (a sum of 0 is avoided below)
        if (v.reduce((a, b) => a + b, 0) === 0) v[1] += 1;
        const s = v.reduce((a, b) => a + b, 0);
        const h = await student.call('layerMean', v);
        if (!checkExactVec(check, hidden, h, v.map((e) => q(e, s)), `layerMean([${v.join(', ')}])`)) meanHint(check, h, `layerMean([${v.join(', ')}])`);
      }
    },
  },
  {
    task: 'layer-mean',
    name: { en: 'the layer-mean network with random integer inputs and weights (other sizes)', ja: 'ランダムな整数の入力と重み (別のサイズ) での層の平均のネットワーク' },
    run: async ({ student, check, hidden, rng }) => {
      for (const [nIn, nH, nOut] of [[2, 3, 2], [3, 4, 2], [2, 2, 3]]) {
        const x = Array.from({ length: nIn }, () => rng.int(1, 5));
        const W1 = randIntMat(rng, nIn, nH, 1, 6);
        const W2 = randIntMat(rng, nH, nOut, 1, 6);
        const target = rng.int(0, 2);
        const r = await student.call('layerMeanNetwork', x, W1, W2, target);
        if (!isRecord(r)) return void check.fail({ en: 'layerMeanNetwork must return { hPrime, h, yPrime, y, gap }', ja: 'layerMeanNetwork は { hPrime, h, yPrime, y, gap } を返してください' });
        const w = layerMeanExact(x, W1, W2, target);
        const at = `${nIn}-${nH}-${nOut} network`;
        const before = check.failures;
        checkExactVec(check, hidden, r.hPrime, w.hPrime, `${at}: h'`);
        checkExactVec(check, hidden, r.h, w.h, `${at}: h`);
        checkExactVec(check, hidden, r.yPrime, w.yPrime, `${at}: y'`);
        checkExactVec(check, hidden, r.y, w.y, `${at}: y`);
        checkExact(check, hidden, r.gap, w.gap, `${at}: gap = target − y_1`);
        if (check.failures > before) return void layerMeanHints(check, r);
      }
    },
  },
  {
    task: 'layer-mean',
    name: { en: "the seminar's weights with x = (2, 4): the layer mean does not depend on the input's scale", ja: 'ゼミの重みで x = (2, 4): 層の平均は入力の大きさによらない' },
    run: async ({ student, check, hidden }) => {
      const W1 = [[1, 2, 3], [4, 5, 6]];
      const W2 = [[1, 2], [3, 4], [5, 6]];
      const r = await student.call('layerMeanNetwork', [2, 4], W1, W2, 1);
      if (!isRecord(r)) return void check.fail({ en: 'layerMeanNetwork must return { hPrime, h, yPrime, y, gap }', ja: 'layerMeanNetwork は { hPrime, h, yPrime, y, gap } を返してください' });
      checkExactVec(check, hidden, r.hPrime, [q(18), q(24), q(30)], "h' for x = (2, 4)");
      checkExactVec(check, hidden, r.h, [q(1, 4), q(1, 3), q(5, 12)], 'h for x = (2, 4) (same as for x = (1, 2))');
      checkExactVec(check, hidden, r.y, [q(10, 23), q(13, 23)], 'y for x = (2, 4) (same as for x = (1, 2))');
      checkExact(check, hidden, r.gap, q(13, 23), 'gap for x = (2, 4)');
      if (check.failures > 0) layerMeanHints(check, r);
    },
  },

  // ================= logit =================
  {
    task: 'logit',
    name: { en: 'odds and logit of random p; σ(logit(p)) = p; logit(1 − p) = −logit(p)', ja: 'ランダムな p のオッズとロジット; σ(logit(p)) = p; logit(1 − p) = −logit(p)' },
    run: async ({ student, check, rng }) => {
      const ps = [1e-9, 0.999999, 0.25];
      for (let i = 0; i < 8; i++) ps.push(rng.uniform(0.001, 0.999));
      for (const p of ps) {
        check.close(await student.call('odds', p), p / (1 - p), `odds(${p})`, { atol: 1e-12, rtol: 1e-9 });
        const u = await student.call('logit', p);
        if (!check.close(u, Math.log(p / (1 - p)), `logit(${p})`, { atol: 1e-12, rtol: 1e-9 })) continue;
        check.close(sigmoidRef(u as number), p, `σ(logit(${p})) (σ computed by the test)`, { atol: 1e-12, rtol: 1e-9 });
      }
      for (let i = 0; i < 4; i++) {
        const p = rng.uniform(0.01, 0.99);
        const a = await student.call('logit', p);
        const b = await student.call('logit', 1 - p);
        if (typeof a === 'number' && typeof b === 'number') check.close(a + b, 0, `logit(${p}) + logit(1 − ${p})`, { atol: 1e-9 });
        else check.fail({ en: 'logit must return a number', ja: 'logit は数値を返してください' });
      }
    },
  },
  {
    task: 'logit',
    name: { en: 'binaryProbs on random and extreme logits: [σ(u), 1 − σ(u)], sums to 1', ja: 'ランダムなロジットと極端なロジットでの binaryProbs: [σ(u), 1 − σ(u)]、合計 1' },
    run: async ({ student, check, rng }) => {
      const us = [800, -800, 1e4, -1e4];
      for (let i = 0; i < 8; i++) us.push(rng.uniform(-20, 20));
      for (const u of us) {
        const r = await student.call('binaryProbs', u);
        if (!closeFinite(check, r, [sigmoidRef(u), sigmoidRef(-u)], `binaryProbs(${u})`, SIGMOID_HINT, { atol: 1e-12, rtol: 1e-9 })) continue;
        const d = numbersOf(r) as number[];
        check.close(d[0] + d[1], 1, `binaryProbs(${u}): sum`, { atol: 1e-12 });
      }
    },
  },

  // ================= one-hot =================
  {
    task: 'one-hot',
    name: { en: 'oneHot of random labels and class counts', ja: 'ランダムなラベルとクラス数での oneHot' },
    run: async ({ student, check, rng }) => {
      for (let t = 0; t < 8; t++) {
        const k = [10, 3, 12, 1][t % 4];
        const label = rng.int(0, k - 1);
        const want = Array.from({ length: k }, (_, i) => (i === label ? 1 : 0));
        check.close(await student.call('oneHot', label, k), T(want), `oneHot(${label}, ${k})`, { atol: 0, rtol: 0 });
      }
      const l = rng.int(0, 9);
      check.close(await student.call('oneHot', l), T(Array.from({ length: 10 }, (_, i) => (i === l ? 1 : 0))), `oneHot(${l})`, { atol: 0, rtol: 0 });
    },
  },
  {
    task: 'one-hot',
    name: { en: 'oneHotBatch of a random mini-batch (N = 8, and N = 1)', ja: 'ランダムなミニバッチ (N = 8、N = 1) の oneHotBatch' },
    run: async ({ student, check, rng }) => {
      const labels = Array.from({ length: 8 }, () => rng.int(0, 9));
      const rows = (ls: number[], k: number) => ls.map((l) => Array.from({ length: k }, (_, i) => (i === l ? 1 : 0)));
      check.close(await student.call('oneHotBatch', labels, 10), T(rows(labels, 10)), `oneHotBatch([${labels.join(', ')}], 10)`, { atol: 0, rtol: 0 });
      check.close(await student.call('oneHotBatch', [4], 5), T(rows([4], 5)), 'oneHotBatch([4], 5)', { atol: 0, rtol: 0 });
    },
  },
]);
