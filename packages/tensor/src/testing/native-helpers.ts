/**
 * Helpers shared by the native backend's cross-check tests (not part of the build): seeded random
 * data, strided operands in several memory layouts, and a tolerance check that names the first
 * bad element.
 */
import { Tensor } from '../tensor';

export type FloatDType = 'float32' | 'float64';
export const EPS: Record<FloatDType, number> = { float32: 2 ** -23, float64: 2 ** -52 };

/** Deterministic values in [-1, 1) from a seed (mulberry32), so a failing case replays exactly. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export function alloc(dtype: FloatDType, n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/**
 * How a [B, R, C] matmul operand lies in memory: contiguous, transposed (each matrix stored
 * column by column), strided (both strides > 1, like x[:, ::2, ::2]), padded rows or columns
 * (a slice of a wider matrix), or one matrix broadcast over the batch (batch stride 0).
 */
export const LAYOUTS = ['contiguous', 'transposed', 'strided', 'rowPadded', 'colPadded', 'broadcastBatch'] as const;
export type Layout = (typeof LAYOUTS)[number];

export function strided3d(dtype: FloatDType, shape: [number, number, number], layout: Layout, seed: number): Tensor {
  const [B, R, C] = shape;
  let strides: [number, number, number];
  switch (layout) {
    case 'contiguous': strides = [R * C, C, 1]; break;
    case 'transposed': strides = [R * C, 1, R]; break;
    case 'strided': strides = [(2 * R + 1) * (2 * C + 3), 2 * C + 3, 2]; break;
    case 'rowPadded': strides = [R * (C + 3), C + 3, 1]; break;
    case 'colPadded': strides = [(R + 2) * C, 1, R + 2]; break;
    case 'broadcastBatch': strides = [0, C, 1]; break;
  }
  const offset = seed % 5;
  const last = B * R * C === 0 ? 0 : (B - 1) * strides[0] + (R - 1) * strides[1] + (C - 1) * strides[2];
  const storage = alloc(dtype, offset + last + 1 + 2);
  const r = rng(seed);
  for (let i = 0; i < storage.length; i++) storage[i] = r();
  return new Tensor(storage, shape, strides, offset);
}

export function maxAbs(t: Tensor): number {
  let m = 0;
  for (const v of t.contiguous().toTypedArray()) m = Math.max(m, Math.abs(v));
  return m;
}

/** Checks |got - want| <= tol elementwise, naming the first bad element. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
    }
  }
}

