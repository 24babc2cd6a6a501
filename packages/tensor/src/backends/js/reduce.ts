/**
 * Reduction kernels of the `js` backend: sum/prod/max/min over several dims, arg-max/min over one
 * dim, cumulative sums and the fused (log-)softmax.
 *
 * Layout trick used throughout: view the input as `[outer, size, inner]` around the reduced dim,
 * so element `(o, k, i)` sits at `o * size * inner + k * inner + i` of a contiguous copy.
 */
import type { ReduceOp, View } from '../../backend';
import { allocStorage, type DType, type Storage } from '../../dtype';
import { readValues, splitAt } from './strided';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

function combine(op: ReduceOp, acc: number, v: number): number {
  switch (op) {
    case 'sum':
      return acc + v;
    case 'prod':
      return acc * v;
    case 'max': // NaN wins, as in PyTorch
      return Number.isNaN(acc) || Number.isNaN(v) ? NaN : v > acc ? v : acc;
    case 'min':
      return Number.isNaN(acc) || Number.isNaN(v) ? NaN : v < acc ? v : acc;
  }
}

/**
 * `out[kept index] = op over the reduced dims`. Works by permuting the reduced dims to the end
 * (a strided walk, no copy) so that each output element reduces one contiguous run of values.
 */
export function reduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage {
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const permuted: View = {
    dtype: x.dtype,
    storage: x.storage,
    offset: x.offset,
    shape: order.map((d) => x.shape[d]),
    strides: order.map((d) => x.strides[d]),
  };
  const outN = kept.reduce((a, d) => a * x.shape[d], 1);
  const runLen = dims.reduce((a, d) => a * x.shape[d], 1);
  const vals = readValues(permuted);
  const out = allocStorage(outDtype, outN);
  for (let o = 0; o < outN; o++) {
    let acc = INIT[op];
    for (let k = 0; k < runLen; k++) acc = combine(op, acc, vals[o * runLen + k]);
    out[o] = outDtype === 'int32' ? acc | 0 : acc;
  }
  return out;
}

export function argReduce(op: 'max' | 'min', x: View, dim: number): { values: Storage; indices: Int32Array } {
  const { outer, size, inner } = splitAt(x.shape, dim);
  const vals = readValues(x);
  const values = allocStorage(x.dtype, outer * inner);
  const indices = allocStorage('int32', outer * inner) as Int32Array;
  const better = op === 'max' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = vals[o * size * inner + i];
      let bestK = 0;
      for (let k = 1; k < size && !Number.isNaN(best); k++) {
        const v = vals[(o * size + k) * inner + i];
        if (Number.isNaN(v) || better(v, best)) {
          best = v;
          bestK = k;
        }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = bestK;
    }
  }
  return { values, indices };
}

export function cumsum(x: View, dim: number, outDtype: DType): Storage {
  const { outer, size, inner } = splitAt(x.shape, dim);
  const vals = readValues(x);
  const out = allocStorage(outDtype, vals.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let k = 0; k < size; k++) {
        const p = (o * size + k) * inner + i;
        acc += vals[p];
        out[p] = outDtype === 'int32' ? acc | 0 : acc;
      }
    }
  }
  return out;
}

/** Shared body of softmax and logSoftmax: shift by the max for stability. */
function softmaxLike(x: View, dim: number, log: boolean): Storage {
  const { outer, size, inner } = splitAt(x.shape, dim);
  const vals = readValues(x);
  const out = allocStorage(x.dtype, vals.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * size + k) * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, vals[at(k)]);
      if (m === -Infinity) m = 0; // all -inf: avoid -inf - -inf = NaN in the shift
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(vals[at(k)] - m);
      const logS = Math.log(s);
      for (let k = 0; k < size; k++) {
        const z = vals[at(k)] - m;
        out[at(k)] = log ? z - logS : Math.exp(z) / s;
      }
    }
  }
  return out;
}

export function softmax(x: View, dim: number): Storage {
  return softmaxLike(x, dim, false);
}

export function logSoftmax(x: View, dim: number): Storage {
  return softmaxLike(x, dim, true);
}
