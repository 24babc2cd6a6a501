/**
 * Random strided views for the native backend's cross-check tests (not part of the build): any
 * shape laid out in memory in a random dim order, with steps between elements, negative and
 * broadcast (0) strides and an offset, over storages of every dtype, filled with values that mix
 * in the awkward cases (NaN, infinities, signed zeros, ties, int32 extremes).
 */
import type { View } from '../backend';
import type { DType, Storage } from '../dtype';
import { rng } from './native-helpers';

export interface LayoutOptions {
  /** Probability of a dim with stride 0 (a broadcast dim), of a negative stride, of a step of 2 or 3. */
  broadcast?: number;
  negative?: number;
  step?: number;
  /** Lay the dims out in a random order (a transposed / permuted view). */
  permute?: boolean;
}

/** Kinds of values: `plain` uniform in [-1, 1) (x scale), `special` with NaN / inf / signed zeros mixed in, `ties` small integers. */
export type ValueKind = 'plain' | 'special' | 'ties';

function allocFor(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    default: return new Uint8Array(n);
  }
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1];
const INT_SPECIAL = [2147483647, -2147483648, 0, -1, 1, 1 << 30, -(1 << 30)];

/** Fills `s` with values of the kind asked for (deterministic in `seed`). */
export function fillValues(s: Storage, dtype: DType, seed: number, kind: ValueKind, scale = 1): void {
  const r = rng(seed);
  for (let i = 0; i < s.length; i++) {
    const u = r();
    const v = r();
    if (dtype === 'bool') s[i] = u > 0 ? 1 : 0;
    else if (dtype === 'int32') {
      s[i] = kind === 'special' && u > 0.6 ? INT_SPECIAL[Math.floor((v + 1) * 3.5) % 7] : Math.round(v * (kind === 'ties' ? 2 : 1000));
    } else if (kind === 'ties') {
      const t = Math.round(v * 2);
      s[i] = t === 0 && u > 0.3 ? -0 : t; // signed zeros tie with each other
    }
    else if (kind === 'special' && u > 0.85) s[i] = SPECIAL[Math.floor((v + 1) * 3.5) % SPECIAL.length];
    else s[i] = v * scale;
  }
}

/**
 * A view of `shape` over a fresh storage of `dtype`: each dim gets a random step (1, 2 or 3), may
 * be negative or broadcast (stride 0), the dims are nested in memory in a random order, and the
 * view starts at a small offset. Deterministic in `seed`.
 */
export function randomView(
  dtype: DType,
  shape: readonly number[],
  seed: number,
  kind: ValueKind = 'plain',
  opts: LayoutOptions = {},
  scale = 1,
): View {
  const r = rng(seed ^ 0x5bd1e995);
  const p = (x: number | undefined, def: number) => (r() + 1) / 2 < (x ?? def);
  const nd = shape.length;
  const order = Array.from({ length: nd }, (_, i) => i);
  if (opts.permute ?? true) {
    for (let i = nd - 1; i > 0; i--) {
      const j = Math.floor(((r() + 1) / 2) * (i + 1)) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const strides = new Array<number>(nd).fill(0);
  let span = 1; // elements spanned by the dims laid out so far
  for (let k = nd - 1; k >= 0; k--) {
    const d = order[k];
    if (p(opts.broadcast, 0.12)) continue; // stride 0
    const step = p(opts.step, 0.25) ? 2 + (r() > 0 ? 1 : 0) : 1;
    strides[d] = span * step;
    span *= Math.max(shape[d], 1) * step;
  }
  let offset = Math.floor(((r() + 1) / 2) * 4);
  const empty = shape.some((s) => s === 0);
  for (let d = 0; d < nd; d++) {
    if (strides[d] !== 0 && p(opts.negative, 0.12)) {
      if (!empty) offset += (shape[d] - 1) * strides[d];
      strides[d] = -strides[d];
    }
  }
  let hi = offset;
  if (!empty) for (let d = 0; d < nd; d++) if (strides[d] > 0) hi += (shape[d] - 1) * strides[d];
  const storage = allocFor(dtype, hi + 1 + 2);
  fillValues(storage, dtype, seed, kind, scale);
  return { dtype, storage, shape: [...shape], strides, offset };
}

/** A dense row-major view of `shape` (offset 0) over fresh storage. */
export function denseView(dtype: DType, shape: readonly number[], seed: number, kind: ValueKind = 'plain', scale = 1): View {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const storage = allocFor(dtype, s);
  fillValues(storage, dtype, seed, kind, scale);
  return { dtype, storage, shape: [...shape], strides, offset: 0 };
}

/** Element i of got and want are the same value (Object.is: NaN equals NaN, 0 differs from -0). */
export function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) {
      throw new Error(`${what}: element ${i} is ${Object.is(got[i], -0) ? '-0' : got[i]}, expected ${Object.is(want[i], -0) ? '-0' : want[i]}`);
    }
  }
}

/**
 * |got - want| <= tol(i, want) elementwise, where NaN and infinities must match exactly.
 */
export function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number, w: number) => number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isFinite(w) ? Math.abs(g - w) <= tol(i, w) : Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w));
    if (!ok) throw new Error(`${what}: element ${i} is ${g}, expected ${w} (tolerance ${Number.isFinite(w) ? tol(i, w) : 'exact'})`);
  }
}
