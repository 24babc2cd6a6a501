/**
 * Helpers for the native image-kernel tests (not part of the build): contiguous views with an
 * offset and random or special values, and comparisons that treat NaN and infinities exactly.
 */
import type { View } from '../backend';
import { alloc, rng, type FloatDType } from './native-helpers';

export const rowMajor = (shape: readonly number[]): number[] =>
  shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/**
 * A contiguous view of `shape` starting at `offset` in a storage with a spare element at the end,
 * filled with values from `fill(i)` (default: uniform in [-1, 1) from `seed`).
 */
export function denseView(dtype: FloatDType, shape: number[], seed: number, offset = 0, fill?: (r: () => number) => number): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const storage = alloc(dtype, offset + n + 1);
  const r = rng(seed);
  for (let i = 0; i < storage.length; i++) storage[i] = fill ? fill(r) : r();
  return { dtype, storage, shape, strides: rowMajor(shape), offset };
}

/** An int32 contiguous view. */
export function intView(shape: number[], data: ArrayLike<number>, offset = 0): View {
  const storage = new Int32Array(offset + data.length);
  storage.set(Array.from(data), offset);
  return { dtype: 'int32', storage, shape, strides: rowMajor(shape), offset };
}

/** Largest |v| over the view's elements (0 when empty). */
export function viewMaxAbs(v: View): number {
  const n = v.shape.reduce((a, b) => a * b, 1);
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(v.storage[v.offset + i]));
  return m;
}

/** Element-for-element identity (NaN equals NaN; 0 and -0 are told apart only with `signedZeros`). */
export function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (!(g === w || (Number.isNaN(g) && Number.isNaN(w)))) {
      throw new Error(`${what}: element ${i} is ${g}, expected ${w}`);
    }
  }
}

/** |got - want| <= tol, with NaN matching NaN and infinities matching exactly. */
export function expectCloseSpecial(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w) ? Math.abs(g - w) <= tol : g === w;
    if (!ok) throw new Error(`${what}: element ${i} is ${g}, expected ${w} (tolerance ${tol})`);
  }
}
