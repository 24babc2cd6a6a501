/**
 * Batched matrix product of the `js` backend.
 *
 * `out[b, i, j] = sum_k a[b, i, k] * b[b, k, j]` for a `[B, M, K]`, b `[B, K, N]`. The loop order is
 * i-k-j: the innermost loop walks a row of `b` and a row of `out` with unit stride, which is the
 * cache-friendly order for row-major data (compare with the naive i-j-k order, which strides down
 * a column of `b`).
 */
import type { View } from '../../backend';
import { allocStorage, type DType, type Storage } from '../../dtype';
import { readValues } from './strided';

export function matmul(a: View, b: View, outDtype: DType): Storage {
  const [B, M, K] = a.shape;
  const N = b.shape[2];
  const av = readValues(a); // contiguous [B, M, K]
  const bv = readValues(b); // contiguous [B, K, N]
  const acc = allocStorage('float64', B * M * N, 'matmul', [B, M, N]) as Float64Array;
  for (let bi = 0; bi < B; bi++) {
    const aBase = bi * M * K;
    const bBase = bi * K * N;
    const oBase = bi * M * N;
    for (let i = 0; i < M; i++) {
      const oRow = oBase + i * N;
      for (let k = 0; k < K; k++) {
        const aik = av[aBase + i * K + k];
        const bRow = bBase + k * N;
        for (let j = 0; j < N; j++) acc[oRow + j] += aik * bv[bRow + j];
      }
    }
  }
  const out = allocStorage(outDtype, acc.length);
  if (outDtype === 'int32') for (let i = 0; i < acc.length; i++) out[i] = acc[i] | 0;
  else out.set(acc);
  return out;
}
