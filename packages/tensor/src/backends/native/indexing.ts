/**
 * Native gather, scatterAdd, indexSelect, indexAdd (native/indexing.cc): every dtype (float32,
 * float64, int32, bool), views of any strides (transposed, sliced with steps, offsets, broadcast
 * stride 0) for the data, the index and src, up to {@link MAX_NATIVE_DIMS} dims. Results equal the
 * js backend's exactly: gather and indexSelect move data; scatterAdd and indexAdd add in the js
 * order (row-major over the index / src positions) in the element type, so float sums round the
 * same way, and int32 and bool sums wrap as a JS Int32Array / Uint8Array store does (a bool
 * destination hit by three `true`s holds 3, or 4 if it was already true, as in js).
 *
 * - `gather(x, dim, index)`: `out[..., j, ...] = x[..., index[..., j, ...], ...]`, out has
 *   index's shape. Hot use: picking each row's target log-probability, `logp.gather(1, target[N, 1])`.
 * - `indexSelect(x, dim, index)`: `out[..., j, ...] = x[..., index[j], ...]`. Hot use: an
 *   embedding lookup, rows of a `[V, D]` table (one memcpy per row).
 * - `scatterAdd(base, dim, index, src)`: a copy of base with `out[..., index[..., j, ...], ...] += src[..., j, ...]`.
 * - `indexAdd(base, dim, index, src)`: a copy of base with `out[..., index[j], ...] += src[..., j, ...]`.
 *
 * Example: `gather([[1, 2], [3, 4]], 1, [[1], [0]])` is `[[2], [3]]`.
 *
 * Index values reaching a kernel are in range and non-negative (the Tensor layer checks and wraps
 * them); the C++ checks each one anyway and throws a RangeError naming the kernel, the dim and the
 * value, rather than reading or writing out of bounds (negative ones included).
 *
 * Sent to js: tiny calls (fewer than {@link SMALL_INDEXING} elements: the native call costs more),
 * an index that is not int32, src of another dtype than base, a 0-d x for indexSelect / indexAdd
 * (the Tensor layer never sends one), more than 16 dims.
 */
import type { Backend, KernelName, View } from '../../backend';
import type { Storage } from '../../dtype';
import { jsBackend } from '../js';
import { MAX_NATIVE_DIMS, allocOutput, numel, type NativeAddon } from './addon';

export interface IndexingAddon {
  /** out (index's shape, contiguous) = x gathered along dim through index. */
  gather(x: Storage, xGeom: Float64Array, dim: number, index: Int32Array, indexGeom: Float64Array, out: Storage): void;
  /** out (x's shape with index.length along dim, contiguous) = x's slices index[j] along dim. */
  indexSelect(x: Storage, xGeom: Float64Array, dim: number, index: Int32Array, indexGeom: Float64Array, out: Storage): void;
  /** out (base's shape, contiguous) = base with src scattered in along dim through index. */
  scatterAdd(
    base: Storage, baseGeom: Float64Array, dim: number, index: Int32Array, indexGeom: Float64Array,
    src: Storage, srcGeom: Float64Array, out: Storage,
  ): void;
  /** out (base's shape, contiguous) = base with slice j of src added to slice index[j] along dim. */
  indexAdd(
    base: Storage, baseGeom: Float64Array, dim: number, index: Int32Array, indexGeom: Float64Array,
    src: Storage, srcGeom: Float64Array, out: Storage,
  ): void;
}

export const INDEXING_KERNELS: readonly KernelName[] = ['gather', 'scatterAdd', 'indexSelect', 'indexAdd'];

/**
 * Calls that touch fewer elements than this (output elements for gather / indexSelect; base plus
 * index / src elements for scatterAdd / indexAdd) go to the js backend: there a native call (about
 * 0.6 us with its output) costs more than js's loop. Measured with a gather of [N, 4] by [N, 1]:
 * js 0.37 us vs native 0.63 us at N = 8, js 1.8 us vs native 1.3 us at N = 16.
 */
export const SMALL_INDEXING = 16;

/**
 * The geometry argument of a view (as `geometry()` in addon.ts: `[offset, ndim, ...shape,
 * ...strides]`) written into a Float64Array kept per argument slot and ndim. Reusing it halves the
 * cost of a small call (a new Float64Array costs about as much as the native call); that is safe
 * because the calls are synchronous and the C++ keeps nothing.
 */
const scratch: Float64Array[] = [];
function geo(slot: number, v: View): Float64Array {
  const nd = v.shape.length;
  const key = slot * (MAX_NATIVE_DIMS + 1) + nd;
  const g = scratch[key] ?? (scratch[key] = new Float64Array(2 + 2 * nd));
  g[0] = v.offset;
  g[1] = nd;
  for (let i = 0; i < nd; i++) {
    g[2 + i] = v.shape[i];
    g[2 + nd + i] = v.strides[i];
  }
  return g;
}

/** Whether C++ takes a view of this many dims. */
function fits(v: View): boolean {
  return v.shape.length <= MAX_NATIVE_DIMS;
}

export function indexingKernels(addon: NativeAddon): Pick<Backend, 'gather' | 'scatterAdd' | 'indexSelect' | 'indexAdd'> {
  function gather(x: View, dim: number, index: View): Storage {
    const n = numel(index.shape);
    if (n < SMALL_INDEXING || index.dtype !== 'int32' || !fits(x)) return jsBackend.gather(x, dim, index);
    const out = allocOutput(x.dtype, n);
    addon.gather(x.storage, geo(0, x), dim, index.storage as Int32Array, geo(1, index), out);
    return out;
  }

  function indexSelect(x: View, dim: number, index: View): Storage {
    const n = x.shape.length === 0 ? 0 : (numel(x.shape) / x.shape[dim]) * index.shape[0];
    // (n is NaN when x.shape[dim] is 0: then nothing to select natively either)
    if (x.shape.length === 0 || !(n >= SMALL_INDEXING) || index.dtype !== 'int32' || !fits(x)) {
      return jsBackend.indexSelect(x, dim, index);
    }
    const out = allocOutput(x.dtype, n);
    addon.indexSelect(x.storage, geo(0, x), dim, index.storage as Int32Array, geo(1, index), out);
    return out;
  }

  function scatterAdd(base: View, dim: number, index: View, src: View): Storage {
    const n = numel(base.shape);
    if (
      n + numel(index.shape) < SMALL_INDEXING || index.dtype !== 'int32' || src.dtype !== base.dtype ||
      !fits(base)
    ) {
      return jsBackend.scatterAdd(base, dim, index, src);
    }
    const out = allocOutput(base.dtype, n);
    addon.scatterAdd(
      base.storage, geo(0, base), dim, index.storage as Int32Array, geo(1, index), src.storage, geo(2, src), out,
    );
    return out;
  }

  function indexAdd(base: View, dim: number, index: View, src: View): Storage {
    const n = numel(base.shape);
    if (
      base.shape.length === 0 || n + numel(src.shape) < SMALL_INDEXING || index.dtype !== 'int32' ||
      src.dtype !== base.dtype || !fits(base)
    ) {
      return jsBackend.indexAdd(base, dim, index, src);
    }
    const out = allocOutput(base.dtype, n);
    addon.indexAdd(
      base.storage, geo(0, base), dim, index.storage as Int32Array, geo(1, index), src.storage, geo(2, src), out,
    );
    return out;
  }

  return { gather, scatterAdd, indexSelect, indexAdd };
}
