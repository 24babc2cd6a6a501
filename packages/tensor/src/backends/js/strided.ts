/**
 * Walking strided views in row-major order: the one loop every elementwise kernel of the `js`
 * backend is built on.
 *
 * For a view with shape `[2, 3]` and strides `[1, 2]` (a transposed 3x2 matrix), `offsets` yields
 * storage positions `off, off+2, off+4, off+1, off+3, off+5`: element `(i, j)` lives at
 * `offset + i * strides[0] + j * strides[1]`.
 */
import type { View } from '../../backend';
import { allocStorage } from '../../dtype';

/** Storage offsets of every element of `v`, in row-major order of its shape. */
export function offsets(v: View): Int32Array | Float64Array {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const out = allocStorage(n < 2 ** 31 ? 'int32' : 'float64', n) as Int32Array | Float64Array;
  if (n === 0) return out;
  const nd = v.shape.length;
  if (nd === 0) {
    out[0] = v.offset;
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = nd - 1;
  const lastSize = v.shape[last];
  const lastStride = v.strides[last];
  let base = v.offset;
  let k = 0;
  for (;;) {
    for (let j = 0; j < lastSize; j++) out[k++] = base + j * lastStride;
    // odometer over the leading dims
    let d = last - 1;
    while (d >= 0) {
      idx[d]++;
      base += v.strides[d];
      if (idx[d] < v.shape[d]) break;
      base -= v.strides[d] * v.shape[d];
      idx[d] = 0;
      d--;
    }
    if (d < 0) return out;
  }
}

/** True when `v` is row-major contiguous (its elements are `storage[offset .. offset + n)`). */
export function isContiguousView(v: View): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] === 1) continue;
    if (v.strides[i] !== expected) return false;
    expected *= v.shape[i];
  }
  return true;
}

/** The values of `v` in row-major order, as plain numbers (a fresh array). */
export function readValues(v: View): Float64Array {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const out = allocStorage('float64', n) as Float64Array;
  if (isContiguousView(v)) {
    for (let i = 0; i < n; i++) out[i] = v.storage[v.offset + i];
  } else {
    const off = offsets(v);
    for (let i = 0; i < n; i++) out[i] = v.storage[off[i]];
  }
  return out;
}

/** Splits a shape around `dim` into (outer, size, inner) so that element (o, k, i) is at o*size*inner + k*inner + i. */
export function splitAt(shape: readonly number[], dim: number): { outer: number; size: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, size: shape[dim] ?? 1, inner };
}
