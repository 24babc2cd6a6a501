// Matrix products for the native backend (see gemm.cc for the algorithm).
//
// Operands are strided: element (i, j) of a matrix X lives at X[i * rs + j * cs], so row-major,
// transposed (column-major) and sliced views all come in without a copy. Strides are in
// elements and must be >= 0. The output C is written row-major and dense: C[i * N + j].
#pragma once

#include <cstdint>
#include <vector>

namespace dl {

// A strided batch of matrices: matrix b, element (i, j) at data[b * bs + i * rs + j * cs].
template <typename T>
struct StridedBatch {
  const T* data;
  int64_t bs, rs, cs;
};

// C[b] = A[b] . B[b] for b in [0, batch): A[b] is M x K, B[b] is K x N, C is dense
// [batch, M, N] (overwritten, so its previous contents do not matter). Works for any sizes,
// 0 included (K == 0 gives zeros). Uses the thread pool when the work is large enough, and the
// system BLAS when one is enabled (see blas.h) and the operands' layout suits it.
void gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<float> A,
                  StridedBatch<float> B, float* C);
void gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<double> A,
                  StridedBatch<double> B, double* C);

// C[i * ldc + j] += (A . B)[i, j] for i < M, j < N: the built-in kernel (never BLAS) adding its
// tiles into C (e.g. a gradient summed over chunks) instead of overwriting it.
void gemm_accumulate(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B,
                     int64_t rsb, int64_t csb, float* C, int64_t ldc);
void gemm_accumulate(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B,
                     int64_t rsb, int64_t csb, double* C, int64_t ldc);

// A left operand packed once into the built-in kernel's layout, for many products A . B on the
// calling thread (never BLAS): gemm_batched packs A again on every call, which costs as much as
// a good part of the product when B is narrow (the Winograd transformed weights times each chunk
// of tiles, say). The kernel is the instruction-set level's at construction.
//
//   PackedA<float> a(M, K, A, K, 1);           // A row-major M x K
//   a.multiply(N, B, N, 1, C, N);              // C = A . B, B row-major K x N
template <typename T>
class PackedA {
 public:
  PackedA(int64_t M, int64_t K, const T* A, int64_t rsa, int64_t csa);
  // C[i * ldc + j] = (A . B)[i, j] for i < M, j < N, with B K x N (element (p, j) at
  // B[p * rsb + j * csb]); K == 0 gives zeros.
  void multiply(int64_t N, const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc) const;

 private:
  int64_t M_, K_;
  int level_;  // the Simd of cpu.h
  std::vector<T> data_;
};

// The built-in kernel only (never BLAS), single matrix, for tests and benchmarks.
void gemm_builtin(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa,
                  const float* B, int64_t rsb, int64_t csb, float* C);
void gemm_builtin(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa,
                  const double* B, int64_t rsb, int64_t csb, double* C);

// Name of the micro-kernel chosen for this CPU, e.g. "avx2-fma 6x16" (f32) / "avx2-fma 6x8" (f64).
const char* gemm_kernel_name(bool f64);

// Instruction-set level the GEMM uses: "avx512f", "avx2-fma", "neon" or "scalar". By default the
// best this CPU runs (AVX-512 only on Intel, see cpu.h), or the environment variable DL_SIMD.
const char* simd_level();

// True when kernels compiled for AVX2+FMA may run: x86 at level avx2-fma or avx512f (so DL_SIMD /
// set_simd_level also switch the other kernel families, and tests can force their baseline code).
inline bool use_avx2() {
#if defined(__x86_64__) || defined(_M_X64)
  return simd_level()[0] == 'a';
#else
  return false;
#endif
}

// The best level this CPU supports.
const char* cpu_simd_level();

// Selects a level, e.g. to test or compare kernels: "avx512f", "avx2-fma", "neon", "scalar" or
// "auto". Returns false (and changes nothing) when the CPU cannot run it.
bool set_simd_level(const char* level);

}  // namespace dl
