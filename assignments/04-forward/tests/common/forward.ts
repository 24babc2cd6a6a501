/**
 * Helpers shared by the public and hidden tests of assignment 04 (activation functions and the
 * forward pass). Students get this file with the public tests: it holds no expected values.
 */
import type { Check, TensorValue, Value } from '@dl/grader';

export type Tv = TensorValue;
export type Bi = { en: string; ja: string };

export function isRecord(v: Value): v is { readonly [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !('$tensor' in v);
}

export function isTensor(v: Value): v is Tv {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { $tensor?: unknown }).$tensor === true;
}

export function numbersOf(v: Value): number[] | null {
  if (typeof v === 'number') return [v];
  if (isTensor(v)) return [...v.data];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return null;
}

/** Cases that already showed a hint (each hint is shown once per case). */
export const hinted = new WeakMap<Check, Set<string>>();

export function firstTime(check: Check, hint: Bi, key = hint.en): boolean {
  const seen = hinted.get(check) ?? new Set<string>();
  hinted.set(check, seen);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** check.close, but a NaN or an infinity where a finite value is expected gets `hint` (once per case). */
export function closeFinite(check: Check, got: Value, want: Value, label: string, hint: Bi, opts?: { atol?: number; rtol?: number }): boolean {
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

export const SIGMOID_HINT: Bi = {
  en: 'exp overflows to Infinity for arguments above about 709, and Infinity/Infinity is NaN: compute 1 / (1 + exp(−x)) (or exp(x) / (1 + exp(x)) only where x < 0).',
  ja: 'exp は引数がおよそ 709 を超えると Infinity になり、Infinity/Infinity は NaN です。1 / (1 + exp(−x)) で計算してください (exp(x) / (1 + exp(x)) を使うのは x < 0 のときだけにします)。',
};
export const TANH_HINT: Bi = {
  en: 'e^x overflows to Infinity for x above about 709, so (e^x − e^−x)/(e^x + e^−x) becomes Infinity/Infinity = NaN for large |x|: use Math.tanh, or rewrite it with e^(−2|x|), which cannot overflow.',
  ja: 'e^x は x がおよそ 709 を超えると Infinity になるので、|x| が大きいと (e^x − e^−x)/(e^x + e^−x) が Infinity/Infinity = NaN になります。Math.tanh を使うか、オーバーフローしない e^(−2|x|) を使う形に書き換えてください。',
};
export const SOFTMAX_HINT: Bi = {
  en: 'exp(1000) overflows to Infinity (and exp(−1000) underflows to 0), so exp(a_k)/Σ exp(a_i) becomes NaN: subtract the maximum score from every score before exp (the softmax does not change).',
  ja: 'exp(1000) は Infinity に (exp(−1000) は 0 に) なり、exp(a_k)/Σ exp(a_i) が NaN になります。exp の前にすべてのスコアから最大値を引いてください (ソフトマックスの値は変わりません)。',
};

export function sigmoidRef(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function softmaxRef(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export const ACT: Record<string, (x: number) => number> = {
  step: (x) => (x > 0 ? 1 : 0),
  sigmoid: sigmoidRef,
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
  identity: (x) => x,
};

/** W z + b for W given as rows. */
export function matVec(W: number[][], z: number[], b: number[]): number[] {
  return W.map((row, i) => row.reduce((s, w, j) => s + w * z[j], 0) + b[i]);
}

// ---- exact fractions (task layer-mean): the student's answer may be a number or { num, den } ----

export interface Q {
  n: bigint;
  d: bigint;
}

export function bgcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function q(n: bigint | number, d: bigint | number = 1n): Q {
  let nn = BigInt(n);
  let dd = BigInt(d);
  if (dd < 0n) [nn, dd] = [-nn, -dd];
  const g = bgcd(nn, dd) || 1n;
  return { n: nn / g, d: dd / g };
}

export const qAdd = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
export const qMul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const qDiv = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
export const qNum = (a: Q): number => Number(a.n) / Number(a.d);
export const qShow = (a: Q): string => (a.d === 1n ? `${a.n}` : `${a.n}/${a.d}`);

export function showExact(v: Value): string {
  if (isRecord(v) && typeof v.num === 'number' && typeof v.den === 'number') return `${v.num}/${v.den}`;
  return JSON.stringify(v) ?? String(v);
}

/** Why `got` is not `want` (null when it is): a float within 1e-12, or an exact fraction equal to it. */
export function exactMismatch(got: Value, want: Q): Bi | null {
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
export function checkExactVec(check: Check, hidden: boolean, got: Value, want: readonly Q[], label: string): boolean {
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

export function checkExact(check: Check, hidden: boolean, got: Value, want: Q, label: string): boolean {
  const b = exactMismatch(got, want);
  if (b === null) return true;
  const exp = hidden ? { en: '', ja: '' } : { en: `, expected ${qShow(want)} (≈ ${qNum(want)})`, ja: `、期待値 ${qShow(want)} (≈ ${qNum(want)})` };
  return check.fail({ en: `${label}: ${b.en}${exp.en}`, ja: `${label}: ${b.ja}${exp.ja}` });
}

/** The seminar's network computed exactly. */
export function layerMeanExact(x: number[], W1: number[][], W2: number[][], target: number) {
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
export function exactSum(v: Value): number | null {
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
export function meanHint(check: Check, got: Value, what: string, output = false): void {
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
export function layerMeanHints(check: Check, r: { readonly [k: string]: Value }): void {
  meanHint(check, r.h, 'h');
  meanHint(check, r.y, 'y', true);
}
