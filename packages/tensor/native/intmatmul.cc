// Batched int32 matrix product (see intmatmul.h).
#include "intmatmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "cpu.h"
#include "gemm.h"
#include "threadpool.h"

// Forces the block body and the packing into their AVX2 and baseline copies.
#if defined(__GNUC__)
#define DL_INTMM_INLINE inline __attribute__((always_inline))
#else
#define DL_INTMM_INLINE inline
#endif

namespace dl {
namespace {

// Block sizes: a task computes an MB x NB block of one output matrix, walking K in KB steps with
// that KB x NB block of b packed contiguously (256 KiB of int32: about an L2).
constexpr int64_t MB = 64, NB = 256, KB = 256;

// Products (multiply-adds) below which the product runs on the calling thread alone.
constexpr double kParallelFlops = 1 << 17;

// max |x[b, r, c]| (as int64, so |INT32_MIN| = 2^31 fits). A broadcast batch is read once.
int64_t max_abs(const IntOperand& x, int64_t batch, int64_t R, int64_t C) {
  int64_t m = 0;
  const int64_t nb = x.bs == 0 ? std::min<int64_t>(batch, 1) : batch;
  for (int64_t p = 0; p < nb; p++) {
    for (int64_t r = 0; r < R; r++) {
      const int32_t* row = x.data + p * x.bs + r * x.rs;
      for (int64_t c = 0; c < C; c++) {
        const int64_t v = row[c * x.cs];
        m = std::max(m, v < 0 ? -v : v);
      }
    }
  }
  return m;
}

// JavaScript's ToInt32 (`x | 0`) of a finite integer-valued double: x modulo 2^32 into [-2^31, 2^31).
inline int32_t to_int32(double x) {
  if (!std::isfinite(x)) return 0;
  double m = std::fmod(std::trunc(x), 4294967296.0);  // exact, in (-2^32, 2^32)
  if (m < 0) m += 4294967296.0;                         // exact, in [0, 2^32)
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

// Packs b[k0:k1, j0:j0+nb] of one batch into bt (row-major, nb wide).
template <typename U>
DL_INTMM_INLINE void pack_b(const int32_t* B, const IntOperand& b, int64_t k0, int64_t k1, int64_t j0, int64_t nb, U* bt) {
  for (int64_t k = k0; k < k1; k++) {
    const int32_t* row = B + k * b.rs + j0 * b.cs;
    U* dst = bt + (k - k0) * nb;
    if (b.cs == 1) {
      for (int64_t j = 0; j < nb; j++) dst[j] = static_cast<U>(row[j]);
    } else {
      for (int64_t j = 0; j < nb; j++) dst[j] = static_cast<U>(row[j * b.cs]);
    }
  }
}

// One MB x NB output block when no float64 step of the js sum can round: the exact sum modulo
// 2^32, in uint32 (any order gives the same result). The inner j loop vectorises; inlined into
// an AVX2 copy below (x86 baseline SSE2 has no 32-bit vector multiply).
DL_INTMM_INLINE void block_exact_impl(const int32_t* A, const IntOperand& a, const int32_t* B, const IntOperand& b,
                                      int64_t K, int64_t i0, int64_t mb, int64_t j0, int64_t nb, int32_t* out,
                                      int64_t N, uint32_t* acc, uint32_t* bt) {
  for (int64_t t = 0; t < mb * nb; t++) acc[t] = 0;
  for (int64_t k0 = 0; k0 < K; k0 += KB) {
    const int64_t k1 = std::min(K, k0 + KB);
    pack_b(B, b, k0, k1, j0, nb, bt);
    for (int64_t i = 0; i < mb; i++) {
      const int32_t* arow = A + (i0 + i) * a.rs;
      uint32_t* __restrict crow = acc + i * nb;
      for (int64_t k = k0; k < k1; k++) {
        const uint32_t aik = static_cast<uint32_t>(arow[k * a.cs]);
        const uint32_t* __restrict brow = bt + (k - k0) * nb;
        for (int64_t j = 0; j < nb; j++) crow[j] += aik * brow[j];
      }
    }
  }
  for (int64_t i = 0; i < mb; i++) {
    for (int64_t j = 0; j < nb; j++) out[(i0 + i) * N + j0 + j] = static_cast<int32_t>(acc[i * nb + j]);
  }
}

void block_exact_base(const int32_t* A, const IntOperand& a, const int32_t* B, const IntOperand& b, int64_t K,
                      int64_t i0, int64_t mb, int64_t j0, int64_t nb, int32_t* out, int64_t N, uint32_t* acc,
                      uint32_t* bt) {
  block_exact_impl(A, a, B, b, K, i0, mb, j0, nb, out, N, acc, bt);
}

#if defined(DL_X86)
DL_TARGET_AVX2 void block_exact_avx2(const int32_t* A, const IntOperand& a, const int32_t* B, const IntOperand& b,
                                     int64_t K, int64_t i0, int64_t mb, int64_t j0, int64_t nb, int32_t* out,
                                     int64_t N, uint32_t* acc, uint32_t* bt) {
  block_exact_impl(A, a, B, b, K, i0, mb, j0, nb, out, N, acc, bt);
}
#endif

void block_exact(bool avx2, const int32_t* A, const IntOperand& a, const int32_t* B, const IntOperand& b, int64_t K,
                 int64_t i0, int64_t mb, int64_t j0, int64_t nb, int32_t* out, int64_t N) {
  std::unique_ptr<uint32_t[]> acc(new uint32_t[static_cast<size_t>(mb * nb)]);
  std::unique_ptr<uint32_t[]> bt(new uint32_t[static_cast<size_t>(std::max<int64_t>(std::min(K, KB) * nb, 1))]);
#if defined(DL_X86)
  if (avx2) {
    block_exact_avx2(A, a, B, b, K, i0, mb, j0, nb, out, N, acc.get(), bt.get());
    return;
  }
#endif
  (void)avx2;
  block_exact_base(A, a, B, b, K, i0, mb, j0, nb, out, N, acc.get(), bt.get());
}

// The same block replaying the js float64 accumulation: each product rounded once to double (from
// its exact int64 value), added in ascending k from 0, then ToInt32.
void block_js_order(const int32_t* A, const IntOperand& a, const int32_t* B, const IntOperand& b, int64_t K,
                    int64_t i0, int64_t mb, int64_t j0, int64_t nb, int32_t* out, int64_t N) {
  std::vector<double> acc(static_cast<size_t>(mb * nb), 0.0);
  std::vector<int64_t> bt(static_cast<size_t>(std::min(K, KB) * nb));
  for (int64_t k0 = 0; k0 < K; k0 += KB) {
    const int64_t k1 = std::min(K, k0 + KB);
    pack_b(B, b, k0, k1, j0, nb, bt.data());
    for (int64_t i = 0; i < mb; i++) {
      const int32_t* arow = A + (i0 + i) * a.rs;
      double* crow = acc.data() + i * nb;
      for (int64_t k = k0; k < k1; k++) {
        const int64_t aik = arow[k * a.cs];
        const int64_t* brow = bt.data() + (k - k0) * nb;
        for (int64_t j = 0; j < nb; j++) crow[j] += static_cast<double>(aik * brow[j]);
      }
    }
  }
  for (int64_t i = 0; i < mb; i++) {
    for (int64_t j = 0; j < nb; j++) out[(i0 + i) * N + j0 + j] = to_int32(acc[i * nb + j]);
  }
}

}  // namespace

void int_matmul(int64_t batch, int64_t M, int64_t N, int64_t K, IntOperand a, IntOperand b, int32_t* out) {
  if (batch == 0 || M == 0 || N == 0) return;
  const double bound = static_cast<double>(K) * static_cast<double>(max_abs(a, batch, M, K)) *
                       static_cast<double>(max_abs(b, batch, K, N));
  // bound is within a factor (1 + 2^-52) of the true one, so <= 2^52 means the largest partial
  // sum is < 2^53: every float64 value of the js loop is an exact integer.
  const bool exact = bound <= 4503599627370496.0;
  const int64_t mblocks = (M + MB - 1) / MB, nblocks = (N + NB - 1) / NB;
  const int64_t per_batch = mblocks * nblocks;
  const double flops = static_cast<double>(batch) * M * N * K;
  // the AVX2 copy when the GEMM's level allows it (so DL_SIMD=scalar / setSimdLevel test both)
  const char* level = simd_level();
  const bool avx2 = std::strcmp(level, "avx2-fma") == 0 || std::strcmp(level, "avx512f") == 0;
  parallel_for(
      batch * per_batch,
      [&](int64_t t) {
        const int64_t p = t / per_batch, r = t % per_batch;
        const int64_t i0 = (r / nblocks) * MB, j0 = (r % nblocks) * NB;
        const int64_t mb = std::min(MB, M - i0), nb = std::min(NB, N - j0);
        const int32_t* A = a.data + p * a.bs;
        const int32_t* B = b.data + p * b.bs;
        int32_t* C = out + p * M * N;
        if (exact) {
          block_exact(avx2, A, a, B, b, K, i0, mb, j0, nb, C, N);
        } else {
          block_js_order(A, a, B, b, K, i0, mb, j0, nb, C, N);
        }
      },
      flops < kParallelFlops ? 1 : 0);
}

}  // namespace dl
