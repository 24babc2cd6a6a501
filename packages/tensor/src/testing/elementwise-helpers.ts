/**
 * Helpers for the native elementwise cross-check tests (not part of the build): values of every
 * dtype with the awkward cases mixed in, operands of any shape in several memory layouts (offset,
 * transposed, stepped, broadcast, negative strides), and comparison in units in the last place.
 */
import type { DType, Storage } from '../dtype';
import { Tensor } from '../tensor';

/**
 * Deterministic values in [-1, 1) from a seed (xorshift32). Its state lives in an Int32Array, so
 * no number is boxed per call: filling the million-element arrays of the threading tests stays fast.
 */
export function fastRng(seed: number): () => number {
  const s = new Int32Array([seed * 2654435761 + 1]);
  if (s[0] === 0) s[0] = 1; // 0 is a fixed point
  return () => {
    let x = s[0];
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[0] = x;
    return x / 2147483648;
  };
}

export const ALL_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export function allocDtype(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    default: return new Uint8Array(n);
  }
}

const FLOAT_SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e-30, 88.5, -745.2, 1, -1, 0.5, 2, 3e9, -2.5e9, 1e-40];
const INT_SPECIAL = [0, 1, -1, 2, -2, 2147483647, -2147483648, 65536, 46341, -46341, 3, 31, 30];

/**
 * `n` values of `dtype` from a seed. Floats: mostly in [-8, 8) (integers now and then, so that
 * comparisons hit equality), with NaN, infinities, signed zeros, huge and tiny values when
 * `special`; int32: small values, with the extremes when `special`; bool: 0/1.
 */
export function valuesOf(dtype: DType, n: number, seed: number, special: boolean): Storage {
  const r = fastRng(seed);
  const out = allocDtype(dtype, n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (dtype === 'bool') out[i] = u > 0 ? 1 : 0;
    else if (dtype === 'int32') out[i] = special && u > 0.7 ? INT_SPECIAL[Math.floor((u - 0.7) * 130) % INT_SPECIAL.length] : Math.round(r() * 20);
    else if (special && u > 0.75) out[i] = FLOAT_SPECIAL[Math.floor((u - 0.75) * 200) % FLOAT_SPECIAL.length];
    else out[i] = u < -0.8 ? Math.round(r() * 4) : r() * 8;
  }
  return out;
}

/**
 * How an operand of a given shape lies in memory:
 * - contiguous: row-major, at an offset in a longer storage;
 * - transposed: the storage holds the reversed shape row-major (all dims reversed);
 * - stepped: every other element of the last dim (as x[..., ::2]);
 * - scalar: one value broadcast (all strides 0);
 * - row: the trailing dims repeated along the first (stride 0 in dim 0);
 * - column: one value per leading index, broadcast along the last dim (stride 0 in the last dim);
 * - flipped: the first dim walks backwards (negative stride, via asStrided);
 * - padded: rows of the last two dims padded and the last two dims swapped (a slice of a wider
 *   transposed matrix).
 */
export const EW_LAYOUTS = ['contiguous', 'transposed', 'stepped', 'scalar', 'row', 'column', 'flipped', 'padded'] as const;
export type EwLayout = (typeof EW_LAYOUTS)[number];

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let p = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = p;
    p *= shape[d];
  }
  return s;
}

/** A tensor of `shape` and `dtype` laid out as `layout`, its values from `seed`. */
export function operand(dtype: DType, shape: readonly number[], layout: EwLayout, seed: number, special: boolean): Tensor {
  const nd = shape.length;
  const offset = seed % 3;
  let strides: number[];
  switch (layout) {
    case 'contiguous':
      strides = contiguousStrides(shape);
      break;
    case 'transposed':
      strides = contiguousStrides([...shape].reverse()).reverse();
      break;
    case 'stepped': {
      const wide = [...shape];
      if (nd > 0) wide[nd - 1] *= 2;
      strides = contiguousStrides(wide);
      if (nd > 0) strides[nd - 1] = 2;
      break;
    }
    case 'scalar':
      strides = new Array<number>(nd).fill(0);
      break;
    case 'row':
      strides = contiguousStrides(shape);
      if (nd > 1) {
        strides = [0, ...contiguousStrides(shape.slice(1))];
      }
      break;
    case 'column':
      strides = nd > 0 ? [...contiguousStrides(shape.slice(0, nd - 1)), 0] : [];
      break;
    case 'flipped':
      strides = contiguousStrides(shape);
      if (nd > 0) strides[0] = -strides[0];
      break;
    case 'padded': {
      if (nd < 2) {
        strides = contiguousStrides(shape);
        break;
      }
      // element (.., i, j) at j * (R + 3) + i within each matrix: columns of length R padded by 3
      const R = shape[nd - 2];
      const C = shape[nd - 1];
      strides = contiguousStrides([...shape.slice(0, nd - 2), C, R + 3]);
      const lead = strides.slice(0, nd - 2);
      strides = [...lead, 1, R + 3];
      break;
    }
  }
  // storage covering every element reachable from `offset` (negative strides reach backwards)
  let lo = 0;
  let hi = 0;
  let empty = false;
  for (let d = 0; d < nd; d++) {
    if (shape[d] === 0) empty = true;
    const span = (shape[d] - 1) * strides[d];
    if (span >= 0) hi += span;
    else lo += span;
  }
  const start = offset - (empty ? 0 : lo);
  const storage = valuesOf(dtype, start + (empty ? 0 : hi) + 1 + 2, seed, special);
  return new Tensor(storage, shape, strides, start);
}

/** The integers in the representation of a float, ordered like the floats (for ulp distances). */
function ordered(x: number, dtype: 'float32' | 'float64'): bigint {
  if (dtype === 'float32') {
    const i = new Int32Array(new Float32Array([x]).buffer)[0];
    return BigInt(i < 0 ? -(i & 0x7fffffff) : i);
  }
  const b = new BigInt64Array(new Float64Array([x]).buffer)[0];
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/**
 * Units in the last place between two values of a float dtype: 0 when they are the same
 * (Object.is, or both NaN), Infinity when only one is NaN.
 */
export function ulpDistance(a: number, b: number, dtype: 'float32' | 'float64'): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const d = ordered(a, dtype) - ordered(b, dtype);
  return Number(d < 0n ? -d : d);
}

/** Whether two arrays hold the same bytes (a fast first check; NaNs may differ in their bits). */
function sameBytes(a: Storage, b: Storage): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const wide = a.byteLength % 4 === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0;
  const x = wide ? new Int32Array(a.buffer, a.byteOffset, a.byteLength / 4) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = wide ? new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Checks `got` against `want`: same typed-array class and length, and each element the same
 * (Object.is, NaN equal to NaN) or, for float dtypes, within `maxUlps`. Names the first bad element.
 */
export function expectSameValues(got: Storage, want: Storage, what: string, maxUlps = 0): void {
  expect(got.constructor).toBe(want.constructor);
  expect(got.length).toBe(want.length);
  if (sameBytes(got, want)) return;
  const dtype = got instanceof Float32Array ? 'float32' : got instanceof Float64Array ? 'float64' : null;
  for (let i = 0; i < want.length; i++) {
    const same = Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
    if (same) continue;
    if (dtype !== null && maxUlps > 0 && ulpDistance(got[i], want[i], dtype) <= maxUlps) continue;
    throw new Error(`${what}: element ${i} is ${got[i]}, js gives ${want[i]}${maxUlps > 0 ? ` (more than ${maxUlps} ulp apart)` : ''}`);
  }
}
