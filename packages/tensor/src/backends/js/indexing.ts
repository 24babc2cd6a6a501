/**
 * Indexing kernels of the `js` backend: gather / scatterAdd (per-element indices along a dim) and
 * indexSelect / indexAdd (whole slices picked by a 1-D index). Each pair is adjoint: the gradient
 * of gather is scatterAdd and the gradient of indexSelect is indexAdd.
 *
 * Index values reaching a kernel are already checked to be in range by the Tensor layer.
 */
import type { View } from '../../backend';
import { allocStorage, type Storage } from '../../dtype';
import { contiguousStrides } from '../../shape';
import { readValues, splitAt } from './strided';

/**
 * `out[o, j, i] = x[o, index[o, j, i], i]` with `(o, j, i)` the (outer, dim, inner) split of
 * index's shape. x may be larger than index in every dim but `dim` (PyTorch allows that).
 */
export function gather(x: View, dim: number, index: View): Storage {
  const idx = readValues(index);
  const out = allocStorage(x.dtype, idx.length);
  const xs = x.strides;
  let p = 0;
  // walk index's shape with an odometer and compute x's offset directly from strides
  const nd = index.shape.length;
  const pos = new Array<number>(nd).fill(0);
  for (let n = 0; n < idx.length; n++) {
    let off = x.offset;
    for (let d = 0; d < nd; d++) off += (d === dim ? idx[p] : pos[d]) * xs[d];
    out[p++] = x.storage[off];
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d] < index.shape[d]) break;
      pos[d] = 0;
    }
  }
  return out;
}

/** A contiguous copy of `base` with `out[..., index[e], ...] += src[e]` for each element e of index. */
export function scatterAdd(base: View, dim: number, index: View, src: View): Storage {
  const out = allocStorage(base.dtype, base.shape.reduce((a, b) => a * b, 1));
  out.set(readValues(base));
  const idx = readValues(index);
  // src may be larger than index: read it through its own strides at index's positions
  const nd = index.shape.length;
  const pos = new Array<number>(nd).fill(0);
  const outStrides = contiguousStrides(base.shape);
  for (let p = 0; p < idx.length; p++) {
    let o = 0;
    let s = src.offset;
    for (let d = 0; d < nd; d++) {
      o += (d === dim ? idx[p] : pos[d]) * outStrides[d];
      s += pos[d] * src.strides[d];
    }
    out[o] += src.storage[s];
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d] < index.shape[d]) break;
      pos[d] = 0;
    }
  }
  return out;
}

/** `out[o, j, i] = x[o, index[j], i]`: output has x's shape with `shape[dim] = index.length`. */
export function indexSelect(x: View, dim: number, index: View): Storage {
  const idx = readValues(index);
  const vals = readValues(x);
  const { outer, size, inner } = splitAt(x.shape, dim);
  const out = allocStorage(x.dtype, outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const from = (o * size + idx[j]) * inner;
      const to = (o * idx.length + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i] = vals[from + i];
    }
  }
  return out;
}

/** A copy of `base` with slice `index[j]` along `dim` increased by slice `j` of src. */
export function indexAdd(base: View, dim: number, index: View, src: View): Storage {
  const idx = readValues(index);
  const sv = readValues(src);
  const out = allocStorage(base.dtype, base.shape.reduce((a, b) => a * b, 1));
  out.set(readValues(base));
  const { outer, size, inner } = splitAt(base.shape, dim);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const to = (o * size + idx[j]) * inner;
      const from = (o * idx.length + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i] += sv[from + i];
    }
  }
  return out;
}
