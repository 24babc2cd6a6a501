/**
 * Native `matmul`: float32 and float64, any non-negative strides (row-major, transposed as in
 * `x.matmul(w.T)`, sliced, broadcast batch dims): a cache-blocked, multi-threaded SIMD GEMM
 * (native/gemm.cc), or the system OpenBLAS when `DL_BLAS=openblas`. It accumulates in the element
 * type, as PyTorch does (the js backend accumulates float32 products in float64), so float32
 * results can differ from js in the last bits. int32 products (native/intmatmul.cc, any strides)
 * equal js's bit for bit, overflow included: js sums the products in float64 and stores `sum | 0`,
 * and the C++ does exactly that (in wrapping int32 arithmetic when no float64 step can round, i.e.
 * K * max|a| * max|b| <= 2^52). Tiny products run as a JS loop; other dtypes (mixed ones, which
 * the op layer never sends: it promotes both operands first) go to js.
 */
import type { Backend, KernelName, View } from '../../backend';
import { allocStorage, type DType, type Storage } from '../../dtype';
import { jsBackend } from '../js';
import { allocOutput, geometry, isFloatDType, type FloatArray, type NativeAddon } from './addon';

export interface MatmulAddon {
  gemm(
    a: FloatArray, aOff: number, aBatchStride: number, aRowStride: number, aColStride: number,
    b: FloatArray, bOff: number, bBatchStride: number, bRowStride: number, bColStride: number,
    out: FloatArray, batch: number, m: number, n: number, k: number,
  ): void;
  /**
   * `out[b, i, j] = (sum_k a[b, i, k] * b[b, k, j]) | 0` (sum in float64, k ascending, as js) for
   * int32 views a `[B, M, K]`, b `[B, K, N]` of any strides; out contiguous `[B, M, N]`.
   */
  intMatmul(a: Int32Array, aGeom: Float64Array, b: Int32Array, bGeom: Float64Array, out: Int32Array): void;
}

export const MATMUL_KERNELS: readonly KernelName[] = ['matmul'];

/**
 * Matrix products of at most this many multiply-adds (batch * M * N * K) run as a JS loop: a call
 * into C++, plus handing it V8's small on-heap typed arrays, costs more than the arithmetic.
 */
export const SMALL_MATMUL = 256;

/**
 * out[b, i, j] = sum_k a[b, i, k] * b[b, k, j] straight from the strided storages, summed in
 * double in ascending k (like the js backend) for tiny products. An Int32Array output applies
 * `| 0` on store, which is exactly js's int32 matmul.
 */
function smallMatmul(a: View, b: View, out: FloatArray | Int32Array, batch: number, m: number, n: number, k: number): void {
  const as = a.storage;
  const bs = b.storage;
  const [sab, sai, sak] = a.strides;
  const [sbb, sbk, sbj] = b.strides;
  let o = 0;
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      const ai = a.offset + p * sab + i * sai;
      for (let j = 0; j < n; j++) {
        const bj = b.offset + p * sbb + j * sbj;
        let s = 0;
        for (let q = 0; q < k; q++) s += as[ai + q * sak] * bs[bj + q * sbk];
        out[o++] = s;
      }
    }
  }
}

export function matmulKernels(addon: NativeAddon): Pick<Backend, 'matmul'> {
  function intMatmul(a: View, b: View): Int32Array {
    const [batch, m, k] = a.shape;
    const n = b.shape[2];
    const size = batch * m * n;
    if (size === 0 || k === 0) return allocStorage('int32', size, 'matmul') as Int32Array;
    if (size * k <= SMALL_MATMUL) {
      const out = allocStorage('int32', size, 'matmul') as Int32Array;
      smallMatmul(a, b, out, batch, m, n, k);
      return out;
    }
    const out = allocOutput('int32', size) as Int32Array;
    addon.intMatmul(a.storage as Int32Array, geometry(a), b.storage as Int32Array, geometry(b), out);
    return out;
  }

  function matmul(a: View, b: View, outDtype: DType): Storage {
    if (outDtype === 'int32' && a.dtype === 'int32' && b.dtype === 'int32') return intMatmul(a, b);
    if (!isFloatDType(outDtype) || a.dtype !== outDtype || b.dtype !== outDtype) {
      return jsBackend.matmul(a, b, outDtype);
    }
    const [batch, m, k] = a.shape;
    const n = b.shape[2];
    const sa = a.strides;
    const sb = b.strides;
    if (sa[0] < 0 || sa[1] < 0 || sa[2] < 0 || sb[0] < 0 || sb[1] < 0 || sb[2] < 0) {
      return jsBackend.matmul(a, b, outDtype);
    }
    const size = batch * m * n;
    // K = 0: the sum over nothing is 0 (a zeroed array, not allocOutput's uninitialised one)
    if (size === 0 || k === 0) return allocStorage(outDtype, size, 'matmul');
    const out = allocOutput(outDtype, size);
    if (size * k <= SMALL_MATMUL) {
      smallMatmul(a, b, out, batch, m, n, k);
      return out;
    }
    addon.gemm(
      a.storage as FloatArray, a.offset, sa[0], sa[1], sa[2],
      b.storage as FloatArray, b.offset, sb[0], sb[1], sb[2],
      out, batch, m, n, k,
    );
    return out;
  }
  return { matmul };
}
