/**
 * Helpers for the native indexing and int32 matmul cross-checks (not part of the build): views of
 * any dtype and shape in several memory layouts, int32 index views, and an exact comparison.
 */
import type { DType, Storage } from '../dtype';
import { Tensor } from '../tensor';
import { rng, strided3d, type Layout } from './native-helpers';

/**
 * How an n-d view lies in memory: row-major, column-major (every dim transposed), stepped (every
 * other element of a larger padded array, like x[::2, ::2]), broadcast (every other dim has
 * stride 0), reversed (negative strides: the row-major array read backwards).
 */
export const ND_LAYOUTS = ['contiguous', 'columnMajor', 'stepped', 'broadcast', 'reversed'] as const;
export type NdLayout = (typeof ND_LAYOUTS)[number];

export function storageOf(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

/**
 * Seeded values for a dtype. Floats have magnitudes from 2^-20 to 2^20 (so the order of a sum
 * changes its rounding) and, with `special`, NaN, infinities and -0 mixed in; int32 values span
 * the whole range half of the time (so sums wrap around); bool values are 0 or 1.
 */
export function fillValues(s: Storage, seed: number, special = false): void {
  const r = rng(seed);
  const n = s.length;
  if (s instanceof Uint8Array) {
    for (let i = 0; i < n; i++) s[i] = r() < 0 ? 0 : 1;
  } else if (s instanceof Int32Array) {
    for (let i = 0; i < n; i++) s[i] = r() < 0 ? Math.round(r() * 100) : Math.floor(r() * 2 ** 31);
  } else {
    const odd = [NaN, Infinity, -Infinity, -0];
    for (let i = 0; i < n; i++) {
      const u = r();
      s[i] = special && u > 0.9 ? odd[Math.floor((u - 0.9) * 40) % 4] : u * 2 ** ((i * 7919) % 21);
    }
  }
}

/** Strides (and the offset that keeps every element at index >= 0) of `shape` in `layout`. */
function layoutOf(shape: readonly number[], layout: NdLayout, seed: number): { strides: number[]; offset: number; span: number } {
  const nd = shape.length;
  const strides = new Array<number>(nd).fill(0);
  let s = 1;
  switch (layout) {
    case 'contiguous':
    case 'reversed':
      for (let d = nd - 1; d >= 0; d--) {
        strides[d] = s;
        s *= Math.max(shape[d], 1);
      }
      break;
    case 'columnMajor':
      for (let d = 0; d < nd; d++) {
        strides[d] = s;
        s *= Math.max(shape[d], 1);
      }
      break;
    case 'stepped':
      for (let d = nd - 1; d >= 0; d--) {
        strides[d] = 2 * s;
        s *= 2 * Math.max(shape[d], 1) + 1;
      }
      break;
    case 'broadcast':
      for (let d = nd - 1; d >= 0; d--) {
        if (d % 2 === 0) continue;
        strides[d] = s;
        s *= Math.max(shape[d], 1);
      }
      break;
  }
  if (layout === 'reversed') for (let d = 0; d < nd; d++) strides[d] = -strides[d];
  let lo = 0;
  let hi = 0;
  for (let d = 0; d < nd; d++) {
    const e = (Math.max(shape[d], 1) - 1) * strides[d];
    if (e < 0) lo += e;
    else hi += e;
  }
  const offset = -lo + (seed % 3);
  return { strides, offset, span: offset + hi + 1 + 2 };
}

/** A view of `shape` and `dtype` lying in memory as `layout` says, filled with seeded values. */
export function ndView(dtype: DType, shape: readonly number[], layout: NdLayout, seed: number, special = false): Tensor {
  const { strides, offset, span } = layoutOf(shape, layout, seed);
  const storage = storageOf(dtype, span);
  fillValues(storage, seed, special);
  return new Tensor(storage, shape, strides, offset);
}

/** An int32 index view of `shape` in `layout` with values in [0, size) (size >= 1 unless empty). */
export function indexView(shape: readonly number[], size: number, layout: NdLayout, seed: number): Tensor {
  const { strides, offset, span } = layoutOf(shape, layout, seed);
  const storage = new Int32Array(span);
  const r = rng(seed ^ 0x5bd1e995);
  for (let i = 0; i < span; i++) storage[i] = size > 0 ? Math.floor(((r() + 1) / 2) * size) : 0;
  return new Tensor(storage, shape, strides, offset);
}

/**
 * Checks that two storages are the same typed array type and hold the same values, element by
 * element with Object.is (so NaN matches NaN but -0 does not match +0), naming the first mismatch.
 */
export function expectSame(got: Storage, want: Storage, what: string): void {
  if (got.constructor !== want.constructor) throw new Error(`${what}: got a ${got.constructor.name}, expected a ${want.constructor.name}`);
  if (got.length !== want.length) throw new Error(`${what}: got ${got.length} elements, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** Magnitudes of int32 test values: below 2^7, below 2^16, the whole range, or small with a few huge. */
export const INT_MAGNITUDES = ['small', 'medium', 'large', 'mixed'] as const;
export type IntMagnitude = (typeof INT_MAGNITUDES)[number];

/** The int32 counterpart of strided3d: the same layouts, values of the given magnitude. */
export function intStrided3d(shape: [number, number, number], layout: Layout, seed: number, magnitude: IntMagnitude): Tensor {
  const f = strided3d('float64', shape, layout, seed);
  const s = new Int32Array(f.storage.length);
  const r = rng(seed ^ 0x2545f491);
  for (let i = 0; i < s.length; i++) {
    const u = r();
    switch (magnitude) {
      case 'small': s[i] = Math.round(u * 127); break;
      case 'medium': s[i] = Math.round(u * 65535); break;
      case 'large': s[i] = u < -0.95 ? -(2 ** 31) : Math.round(u * (2 ** 31 - 1)); break;
      case 'mixed': s[i] = Math.abs(u) > 0.97 ? Math.round(u * (2 ** 31 - 1)) : Math.round(u * 9); break;
    }
  }
  return new Tensor(s, f.shape, f.strides, f.offset);
}
