/**
 * Native `reduce`, `argReduce`, `cumsum`, `softmax` and `logSoftmax` (C++: native/reduce.cc,
 * native/softmax.cc, bindings in native/reduce_napi.cc), on views of any layout (transposed,
 * sliced with steps, offsets, broadcast stride-0 dims) with up to {@link MAX_NATIVE_DIMS} dims.
 *
 * - `reduce` (sum, prod, max, min over any sorted set of dims): float32 -> float32,
 *   float64 -> float64, int32 -> int32, bool -> int32 (sum, prod), bool -> bool (max, min).
 *   Exactly the js backend's results for prod, max, min and int sums (NaN propagation and the sign
 *   of a zero max included). Float sums are combined in another order than js's sequential double
 *   sum: float64 in double with interleaved partial sums, float32 in float32 partial sums of at
 *   most 32 elements (35 rows) added into double; they differ from js by at most about
 *   `2 n 2^-53 sum|x|` (+ `35 * 2^-24 * sum|x|` for float32) before the final rounding.
 * - `argReduce` (max / min with the first index; NaN is the extreme): all four dtypes, exact.
 * - `cumsum`: float32, float64, int32 -> int32, bool -> int32; exact (float prefixes are summed in
 *   double and rounded once, like js).
 * - `softmax` / `logSoftmax`: float32 and float64, along any dim. float64 follows js's formula
 *   with libm's exp (last-bit differences); float32 runs in float32 with a vectorised exp (< 1 ulp)
 *   and the sum in double: within a few ulp of js (bounds: `softmaxTolerance` in reduce.test.ts).
 *
 * Sent to js: other dtype combinations, int32 sums and cumsums over more than 2^22 elements per
 * output (js's double accumulation stops being exact beyond 2^53, and only js reproduces its
 * rounding), 0-d inputs of argReduce / cumsum / softmax and empty arg-reduced dims (the op layer
 * handles those) and more than {@link MAX_NATIVE_DIMS} dims. Tiny reductions ({@link SMALL_REDUCE},
 * {@link SMALL_FULL_REDUCE}) run as plain JS loops here, cheaper than a call into C++.
 */
import type { Backend, KernelName, ReduceOp, View } from '../../backend';
import type { DType, Storage } from '../../dtype';
import { jsBackend } from '../js';
import { MAX_NATIVE_DIMS, allocOutput, geometry, isFloatDType, numel, type FloatArray, type NativeAddon } from './addon';

export interface ReduceAddon {
  /** op: 0 sum, 1 prod, 2 max, 3 min; xGeom lists the kept dims first, then the reduced ones; out: prod(kept sizes) elements. */
  reduce(op: number, x: Storage, xGeom: Float64Array, nKept: number, out: Storage): void;
  /** op: 2 max, 3 min; values (x's type) and indices: numel / shape[axis] elements. */
  argReduce(op: number, x: Storage, xGeom: Float64Array, axis: number, values: Storage, indices: Int32Array): void;
  /** out: dense, x's shape (Int32Array for int32 and bool). */
  cumsum(x: Storage, xGeom: Float64Array, axis: number, out: Storage): void;
  /** log: 0 softmax, 1 logSoftmax; out: dense, x's shape and type. */
  softmax(log: number, x: FloatArray, xGeom: Float64Array, axis: number, out: FloatArray): void;
}

export const REDUCE_KERNELS: readonly KernelName[] = ['reduce', 'argReduce', 'cumsum', 'softmax', 'logSoftmax'];

/** Numbering shared with native/reduce.h `ReduceOp`. */
const OP_CODES: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3 };

/**
 * Reductions of at most this many elements are done by a JS loop here (the js backend's arithmetic,
 * so the same results) instead of a call into C++, which costs about 0.5-0.8 us with its arguments.
 * Measured on x86-64, Node 20: a JS loop reduces a tiny strided view in about the time of the call,
 * a contiguous one (see {@link SMALL_FULL_REDUCE}) much faster.
 */
export const SMALL_REDUCE = 16;

/**
 * Full reductions of a contiguous tensor (`loss.sum()`) of at most this many elements run as a
 * plain JS loop: about 1.5 ns per element, below the cost of the C++ call up to ~500 elements.
 */
export const SMALL_FULL_REDUCE = 512;

/** Longest run of int32 values summed natively: js's double sum is exact (= int64) up to 2^53. */
const MAX_EXACT_INT_SUM = 2 ** 22;

/** The geometry of `x` with its dims listed in `order` (see `geometry()` in addon.ts). */
function permutedGeometry(x: View, order: readonly number[]): Float64Array {
  const nd = order.length;
  const g = new Float64Array(2 + 2 * nd);
  g[0] = x.offset;
  g[1] = nd;
  for (let i = 0; i < nd; i++) {
    g[2 + i] = x.shape[order[i]];
    g[2 + nd + i] = x.strides[order[i]];
  }
  return g;
}

/** Whether `dims` are strictly increasing integers in [0, ndim). */
function sortedDims(dims: readonly number[], ndim: number): boolean {
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (!Number.isInteger(d) || d < 0 || d >= ndim || (i > 0 && d <= dims[i - 1])) return false;
  }
  return true;
}

/** Whether the native reduce takes this input / output dtype pair for `op`. */
function nativeReduceTypes(op: ReduceOp, x: DType, out: DType): boolean {
  if (isFloatDType(x) || x === 'int32') return out === x;
  // bool
  return op === 'max' || op === 'min' ? out === 'bool' : out === 'int32';
}

// ---- tiny inputs: the js backend's arithmetic as plain loops ----------------------------------

/** The storage offsets of `x`'s elements in row-major order of the dims listed in `order`. */
function offsetsIn(x: View, order: readonly number[], n: number): number[] {
  const offs = new Array<number>(n);
  const nd = order.length;
  const idx = new Array<number>(nd).fill(0);
  let off = x.offset;
  for (let i = 0; i < n; i++) {
    offs[i] = off;
    for (let k = nd - 1; k >= 0; k--) {
      const d = order[k];
      off += x.strides[d];
      if (++idx[k] < x.shape[d]) break;
      off -= x.strides[d] * x.shape[d];
      idx[k] = 0;
    }
  }
  return offs;
}

/** Whether `x` is row-major contiguous (size-1 dims may have any stride). */
function isContiguous(x: View): boolean {
  let expected = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.shape[d] === 1) continue;
    if (x.strides[d] !== expected) return false;
    expected *= x.shape[d];
  }
  return true;
}

/** One output of reduce: `op` over the storage values at `offs[k0 .. k1)` (or offset + k when offs is null). */
function reduceValues(op: ReduceOp, s: Storage, offs: number[] | null, k0: number, k1: number, base: number): number {
  let acc = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  for (let k = k0; k < k1; k++) {
    const v = s[offs === null ? base + k : offs[k]];
    if (op === 'sum') acc += v;
    else if (op === 'prod') acc *= v;
    else if (Number.isNaN(acc) || Number.isNaN(v)) acc = NaN;
    else if (op === 'max' ? v > acc : v < acc) acc = v;
  }
  return acc;
}

function smallReduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage {
  const nd = x.shape.length;
  if (dims.length === nd && isContiguous(x)) {  // a full reduction of a contiguous tensor (a loss)
    const out = allocOutput(outDtype, 1);
    const acc = reduceValues(op, x.storage, null, 0, numel(x.shape), x.offset);
    out[0] = outDtype === 'int32' ? acc | 0 : acc;
    return out;
  }
  const kept: number[] = [];
  for (let d = 0; d < nd; d++) if (!dims.includes(d)) kept.push(d);
  let outN = 1;
  for (const d of kept) outN *= x.shape[d];
  let runLen = 1;
  for (const d of dims) runLen *= x.shape[d];
  const offs = offsetsIn(x, [...kept, ...dims], outN * runLen);
  const out = allocOutput(outDtype, outN);
  for (let o = 0; o < outN; o++) {
    const acc = reduceValues(op, x.storage, offs, o * runLen, (o + 1) * runLen, 0);
    out[o] = outDtype === 'int32' ? acc | 0 : acc;
  }
  return out;
}

// ---- the kernels ----------------------------------------------------------------------------------

/**
 * The Backend methods of this family on top of the addon.
 *
 * - `reduce(op, x, dims, outDtype)`: `out[kept] = op_{reduced} x`, shape `x.shape` without `dims`;
 *   e.g. `x = [[1, 2, 3], [4, 5, 6]]`, sum over `[0]` -> `[5, 7, 9]` (the kept dims and then the
 *   reduced ones are handed to C++ as one permuted geometry).
 * - `argReduce(op, x, dim)`: values and first indices of the max / min along `dim`;
 *   e.g. max of `[[3, 7, 7], [NaN, 1, 9]]` along 1 -> values `[7, NaN]`, indices `[1, 0]`.
 * - `cumsum(x, dim, outDtype)`: `out[.., k, ..] = sum_{i <= k} x[.., i, ..]`, x's shape.
 * - `softmax(x, dim)` / `logSoftmax(x, dim)`: `exp(x - m) / sum exp(x - m)` and
 *   `x - m - log(sum exp(x - m))` along `dim` (m the max, 0 when it is -inf), x's shape.
 */
export function reduceKernels(addon: NativeAddon): Pick<Backend, 'reduce' | 'argReduce' | 'cumsum' | 'softmax' | 'logSoftmax'> {
  function reduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage {
    const nd = x.shape.length;
    if (nd <= MAX_NATIVE_DIMS && nativeReduceTypes(op, x.dtype, outDtype) && sortedDims(dims, nd)) {
      let runLen = 1;
      for (const d of dims) runLen *= x.shape[d];
      if (!(op === 'sum' && x.dtype === 'int32' && runLen > MAX_EXACT_INT_SUM)) {
        const n = numel(x.shape);
        if (n <= SMALL_REDUCE || (n <= SMALL_FULL_REDUCE && dims.length === nd && isContiguous(x))) {
          return smallReduce(op, x, dims, outDtype);
        }
        const order: number[] = [];
        for (let d = 0; d < nd; d++) if (!dims.includes(d)) order.push(d);
        const nKept = order.length;
        let outN = 1;
        for (let i = 0; i < nKept; i++) outN *= x.shape[order[i]];
        for (const d of dims) order.push(d);
        const out = allocOutput(outDtype, outN);
        addon.reduce(OP_CODES[op], x.storage, permutedGeometry(x, order), nKept, out);
        return out;
      }
    }
    return jsBackend.reduce(op, x, dims, outDtype);
  }

  function argReduce(op: 'max' | 'min', x: View, dim: number): { values: Storage; indices: Int32Array } {
    const nd = x.shape.length;
    if (nd >= 1 && nd <= MAX_NATIVE_DIMS && Number.isInteger(dim) && dim >= 0 && dim < nd && x.shape[dim] > 0) {
      const n = numel(x.shape) / x.shape[dim];
      const values = allocOutput(x.dtype, n);
      const indices = allocOutput('int32', n) as Int32Array;
      addon.argReduce(OP_CODES[op], x.storage, geometry(x), dim, values, indices);
      return { values, indices };
    }
    return jsBackend.argReduce(op, x, dim);
  }

  function cumsum(x: View, dim: number, outDtype: DType): Storage {
    const nd = x.shape.length;
    if (
      nd >= 1 && nd <= MAX_NATIVE_DIMS && Number.isInteger(dim) && dim >= 0 && dim < nd &&
      (isFloatDType(x.dtype) ? outDtype === x.dtype : outDtype === 'int32') &&
      !(x.dtype === 'int32' && x.shape[dim] > MAX_EXACT_INT_SUM)
    ) {
      const out = allocOutput(outDtype, numel(x.shape));
      if (out.length > 0) addon.cumsum(x.storage, geometry(x), dim, out);
      return out;
    }
    return jsBackend.cumsum(x, dim, outDtype);
  }

  function softmaxLike(x: View, dim: number, log: boolean): Storage {
    const nd = x.shape.length;
    if (isFloatDType(x.dtype) && nd >= 1 && nd <= MAX_NATIVE_DIMS && Number.isInteger(dim) && dim >= 0 && dim < nd) {
      const out = allocOutput(x.dtype, numel(x.shape));
      addon.softmax(log ? 1 : 0, x.storage as FloatArray, geometry(x), dim, out as FloatArray);
      return out;
    }
    return log ? jsBackend.logSoftmax(x, dim) : jsBackend.softmax(x, dim);
  }

  return {
    reduce,
    argReduce,
    cumsum,
    softmax: (x, dim) => softmaxLike(x, dim, false),
    logSoftmax: (x, dim) => softmaxLike(x, dim, true),
  };
}
