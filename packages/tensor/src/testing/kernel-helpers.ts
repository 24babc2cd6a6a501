/** Helpers shared by the js kernel tests (not part of the build). */
import type { View } from '../backend';

/** A contiguous float view over `data` (row-major strides, offset 0). */
export function view(shape: number[], data: ArrayLike<number>, dtype: 'float32' | 'float64' = 'float64'): View {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const storage = dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data);
  return { dtype, storage, shape, strides, offset: 0 };
}

/** Deterministic values in [-1, 1) (mulberry32), so fast-check only has to shrink the geometry. */
export function randomData(seed: number, n: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** The inner product of two equal-length arrays (asserts the lengths match). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
