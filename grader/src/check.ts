/**
 * The judgements tests make (`check.equal`, `check.close`, `check.ok`), with feedback that helps:
 * shape or dtype mismatch, max abs/rel error, the first differing index. For hidden cases the
 * feedback never shows an expected value.
 *
 * Closeness, elementwise: |got - want| <= atol + rtol * |want| (NaN matches NaN, +-inf match
 * themselves), defaults atol = 1e-6, rtol = 1e-5.
 *
 * ```ts
 * const c = new Checker(false);
 * c.close([1, 2.0000001], [1, 2], 'y');   // true
 * c.close(T([[1, 2]]), T([1, 2]), 'y');   // false: "y: shape [1, 2], expected [2]"
 * ```
 */
import type { Check, CloseOptions } from './spec';
import { both, type Text } from './text';
import { isBytesValue, isTensorValue, nestedShape, type Value } from './values';

export interface Numeric {
  readonly shape: readonly number[];
  readonly data: readonly number[];
  readonly dtype: string | null;
}

/** Reads a number, boolean, nested array of numbers or tensor value as shape + data; null if not numeric. */
export function asNumeric(v: Value): Numeric | null {
  if (typeof v === 'number') return { shape: [], data: [v], dtype: null };
  if (typeof v === 'boolean') return { shape: [], data: [v ? 1 : 0], dtype: null };
  if (isTensorValue(v)) return { shape: v.shape, data: v.data, dtype: v.dtype };
  if (Array.isArray(v)) {
    let shape: number[];
    try {
      shape = nestedShape(v as never);
    } catch {
      return null;
    }
    const data: number[] = [];
    const walk = (x: Value, d: number): boolean => {
      if (d === shape.length) {
        if (typeof x === 'number') return data.push(x) > 0;
        if (typeof x === 'boolean') return data.push(x ? 1 : 0) > 0;
        return false;
      }
      return Array.isArray(x) && x.length === shape[d] && x.every((e) => walk(e, d + 1));
    };
    return walk(v, 0) ? { shape, data, dtype: null } : null;
  }
  return null;
}

const MAX_SHOW = 160;

/** A short, readable rendering of a value for feedback. */
export function show(v: Value): string {
  let s: string;
  if (typeof v === 'number') s = fmt(v);
  else if (v === undefined) s = 'undefined';
  else if (isBytesValue(v)) s = `<${Math.floor((v.$bytes.length * 3) / 4)} bytes>`;
  else if (isTensorValue(v)) {
    s = `tensor(shape [${v.shape.join(', ')}], ${v.dtype}) ${JSON.stringify(v.data.slice(0, 12).map(fmtNum))}${v.data.length > 12 ? '…' : ''}`;
  } else {
    try {
      s = JSON.stringify(v, (_k, x) => (typeof x === 'number' ? fmtNum(x) : x)) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > MAX_SHOW ? `${s.slice(0, MAX_SHOW)}…` : s;
}

function fmtNum(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function fmt(x: number): string {
  if (Object.is(x, -0)) return '-0';
  return Number.isFinite(x) && !Number.isInteger(x) ? String(Number(x.toPrecision(10))) : String(x);
}

function multiIndex(flat: number, shape: readonly number[]): string {
  if (shape.length === 0) return '';
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

function deepEqual(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (isTensorValue(a) || isTensorValue(b)) {
    if (!isTensorValue(a) || !isTensorValue(b)) return false;
    return a.dtype === b.dtype && deepEqual(a.shape as Value, b.shape as Value) && deepEqual(a.data as Value, b.data as Value);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, (b as Value[])[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (!deepEqual(ka, kb)) return false;
    return ka.every((k) => deepEqual((a as Record<string, Value>)[k], (b as Record<string, Value>)[k]));
  }
  return a === b;
}

function labelled(label: Text, en: string, ja: string): Text {
  return both((l) => `${typeof label === 'string' ? label : label[l]}: ${l === 'en' ? en : ja}`);
}

/** One case's judgements. `hidden` hides expected values from feedback. */
export class Checker implements Check {
  readonly feedback: Text[] = [];
  private failed = 0;

  constructor(private readonly hidden: boolean) {}

  get failures(): number {
    return this.failed;
  }

  private want(v: string): { en: string; ja: string } {
    return this.hidden
      ? { en: '(the expected value of a hidden test is not shown)', ja: '(非公開テストの期待値は表示されません)' }
      : { en: `expected ${v}`, ja: `期待値 ${v}` };
  }

  fail(message: Text): false {
    this.failed++;
    this.feedback.push(message);
    return false;
  }

  ok(cond: boolean, label: Text, why?: Text): boolean {
    if (cond) return true;
    return this.fail(why === undefined ? labelled(label, 'failed', '不合格') : labelled(label, typeof why === 'string' ? why : why.en, typeof why === 'string' ? why : why.ja));
  }

  equal(got: Value, want: Value, label: Text): boolean {
    if (deepEqual(got, want)) return true;
    const w = this.want(show(want));
    return this.fail(labelled(label, `got ${show(got)}, ${w.en}`, `結果 ${show(got)}、${w.ja}`));
  }

  close(got: Value, want: Value, label: Text, opts: CloseOptions = {}): boolean {
    const atol = opts.atol ?? 1e-6;
    const rtol = opts.rtol ?? 1e-5;
    const w = asNumeric(want);
    if (!w) throw new TypeError(`check.close: the expected value for '${typeof label === 'string' ? label : label.en}' is not numeric (a bug in the test)`);
    const g = asNumeric(got);
    if (!g) {
      const kind = w.shape.length === 0 ? 'a number' : `numbers of shape [${w.shape.join(', ')}]`;
      const kindJa = w.shape.length === 0 ? '数値' : `形状 [${w.shape.join(', ')}] の数値`;
      return this.fail(labelled(label, `expected ${kind}, got ${show(got)}`, `${kindJa}を返すべきところ、${show(got)} が返されました`));
    }
    const gs = g.shape.join(', ');
    const ws = w.shape.join(', ');
    if (g.data.length !== w.data.length || gs !== ws) {
      return this.fail(labelled(label, `shape [${gs}], expected [${ws}]`, `形状が [${gs}] です。正しくは [${ws}]`));
    }
    if (opts.dtype && w.dtype !== null && g.dtype !== w.dtype) {
      return this.fail(labelled(label, `dtype ${g.dtype ?? 'number'}, expected ${w.dtype}`, `dtype が ${g.dtype ?? 'number'} です。正しくは ${w.dtype}`));
    }
    let bad = 0;
    let first = -1;
    let maxAbs = 0;
    let maxRel = 0;
    for (let i = 0; i < w.data.length; i++) {
      const a = g.data[i];
      const b = w.data[i];
      let ok: boolean;
      if (Number.isNaN(b) || Number.isNaN(a)) ok = Number.isNaN(a) && Number.isNaN(b);
      else if (!Number.isFinite(b) || !Number.isFinite(a)) ok = a === b;
      else {
        const err = Math.abs(a - b);
        maxAbs = Math.max(maxAbs, err);
        if (b !== 0) maxRel = Math.max(maxRel, err / Math.abs(b));
        ok = err <= atol + rtol * Math.abs(b);
      }
      if (!ok) {
        bad++;
        if (first < 0) first = i;
      }
    }
    if (bad === 0) return true;
    const at = multiIndex(first, w.shape);
    const gotAt = fmt(g.data[first]);
    const wv = this.want(fmt(w.data[first]));
    const n = w.data.length;
    const where = n === 1 ? '' : ` at index ${at}`;
    const whereJa = n === 1 ? '' : `インデックス ${at} で`;
    return this.fail(
      labelled(
        label,
        `${bad} of ${n} values differ; first${where}: got ${gotAt}, ${wv.en}; max abs error ${maxAbs.toExponential(3)}, max rel error ${maxRel.toExponential(3)} (tolerance ${atol} + ${rtol}·|expected|)`,
        `${n} 個中 ${bad} 個の値が一致しません。最初の不一致は${whereJa}結果 ${gotAt}、${wv.ja}。最大絶対誤差 ${maxAbs.toExponential(3)}、最大相対誤差 ${maxRel.toExponential(3)} (許容: ${atol} + ${rtol}·|期待値|)`,
      ),
    );
  }
}
