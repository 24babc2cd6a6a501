// Batched int32 matrix product of the native backend, equal bit for bit to the `js` backend's:
//
//   out[b, i, j] = ToInt32( sum_k a[b, i, k] * b[b, k, j] )
//
// where, as in src/backends/js/matmul.ts, every product is a float64 product (rounded when it
// exceeds 2^53), the sum is accumulated in float64 in ascending k starting from 0, and ToInt32 is
// JavaScript's `x | 0` (truncate, then wrap modulo 2^32 into [-2^31, 2^31)).
//
// When K * max|a| * max|b| <= 2^52 no float64 step rounds, so the float64 sum is the exact integer
// sum and ToInt32 of it is the sum modulo 2^32: that case (every product of moderate integers)
// runs in wrapping uint32 arithmetic, which vectorises. Otherwise the float64 accumulation is
// replayed exactly (the product is formed exactly in int64 and rounded once to double, which is
// what a double multiplication gives, so no fused multiply-add can creep in).
//
// Example: a = [[1, 2, 3]], b = [[1], [0], [1]] -> [[4]]; a = [[65536]], b = [[65536]] -> [[0]]
// (2^32 wraps to 0); a = [[2^31 - 1, 2^31 - 1]], b = [[2^31 - 1], [2^31 - 1]] -> [[0]]: each
// product 2^62 - 2^32 + 1 rounds to 2^62 - 2^32 in float64, their sum 2^63 - 2^33 wraps to 0 (the
// exact sum would wrap to 2).
#pragma once

#include <cstdint>

namespace dl {

// A strided int32 operand: element (b, r, c) is data[b * bs + r * rs + c * cs] (any signs; 0 for a
// broadcast batch).
struct IntOperand {
  const int32_t* data;
  int64_t bs, rs, cs;
};

// out (contiguous [batch, M, N]) = a [batch, M, K] . b [batch, K, N]; threaded when large.
void int_matmul(int64_t batch, int64_t M, int64_t N, int64_t K, IntOperand a, IntOperand b, int32_t* out);

}  // namespace dl
