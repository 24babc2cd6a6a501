// GEMM: C = A . B for row-major float32/float64 output, A (M x K) and B (K x N) strided.
//
//   C[i, j] = sum_{k < K} A[i, k] * B[k, j]
//
// The algorithm is the classic "Goto / BLIS" layering, which keeps every operand in the cache
// level where it is reused most:
//
//   for jc in 0..N step NC                      (5th loop) a block of columns of B and C
//     for pc in 0..K step KC                    (4th loop) a KC-deep slice of the sum
//       pack B[pc:pc+KC, jc:jc+NC] -> Bp        NR-wide micro-panels, sized for the L3 cache
//       for ic in 0..M step MC                  (3rd loop, parallel) a block of rows of A and C
//         pack A[ic:ic+MC, pc:pc+KC] -> Ap      MR-tall micro-panels, sized for the L2 cache
//         for jr in 0..NC step NR               (2nd loop) one micro-panel of Bp (stays in L1)
//           for ir in 0..MC step MR             (1st loop) one micro-panel of Ap
//             C[ic+ir : +MR, jc+jr : +NR] (+)= Ap_panel . Bp_panel     <- the micro-kernel
//
// Packing copies a block into the exact order the micro-kernel reads it: Ap holds, for each k,
// the MR values A[ir..ir+MR, k] next to each other; Bp holds, for each k, the NR values
// B[k, jr..jr+NR]. So the micro-kernel streams both with unit stride whatever the layout of A and
// B was (row-major, transposed, or any strides: packing is where strides are handled, with fast
// loops when one of the two strides is 1: a copy when the packed order is the memory order, 4x4
// (2x2 for doubles) transposes in registers when it is the other one). Partial panels at the
// edges are padded with zeros, so the micro-kernel always computes a full MR x NR tile; edge
// tiles are computed into a small buffer and only their valid part is copied to C. The first KC
// slice overwrites C, the following ones accumulate, so C never needs clearing.
//
// The micro-kernel keeps the MR x NR tile of C in registers for the whole KC loop: per k it loads
// NR values of B (NR / lanes vectors), broadcasts each of the MR values of A and does MR * NR /
// lanes fused multiply-adds. With AVX2 (16 vector registers of 8 floats) a 6 x 16 tile uses 12
// accumulators + 2 B vectors + 1 broadcast; float64 uses 6 x 8. AVX-512 (32 registers of 16
// floats) uses 12 x 32 / 12 x 16 (24 accumulators; the default on Intel only, see cpu.h), NEON
// (32 registers of 4 floats) 8 x 8 / 8 x 4. The portable fallback is plain C++ the compiler
// vectorises for the baseline ISA. Each kernel prefetches its C tile before the k loop.
//
// Threads: B is packed once per (jc, pc) block by all threads together, then the rows blocks
// (and, when there are too few of them, column ranges too) are handed out dynamically, each
// thread packing its own Ap into a thread-local buffer.
//
// Matrix-vector products (M == 1 or N == 1) skip all this: see gemv(). PackedA keeps a packed A
// for many products on one thread (the Winograd convolution's transformed weights), and
// gemm_accumulate adds into C instead of overwriting it (the first slice accumulates too).
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

#include "blas.h"
#include "cpu.h"
#include "scratch.h"
#include "simd_vec.h"
#include "threadpool.h"

namespace dl {
namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// Work (in multiply-adds, M * N * K) below which a product runs on one thread: waking the
// other threads and splitting the blocks costs a few microseconds.
constexpr int64_t kParallelMacs = int64_t(64) * 64 * 64;

// A growable 64-byte-aligned scratch buffer; one per thread and purpose (thread_local), so the
// packing buffers are allocated once and then reused.
// Its size counts in the addon's scratch memory (scratch.h).
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  ~Scratch() {
    std::free(p);
    scratch_resized(static_cast<int64_t>(bytes), 0);
  }
  template <typename T>
  T* get(int64_t n) {
    const size_t need = static_cast<size_t>(round_up(static_cast<int64_t>(n * sizeof(T)) + 64, 64));
    if (need > bytes) {
      const int64_t before = static_cast<int64_t>(bytes);
      std::free(p);
      p = std::aligned_alloc(64, need);
      if (p == nullptr) {
        bytes = 0;
        scratch_resized(before, 0);
        throw std::bad_alloc();
      }
      bytes = need;
      scratch_resized(before, static_cast<int64_t>(need));
    }
    return static_cast<T*>(p);
  }
};

thread_local Scratch tls_apack;  // Ap of the thread running a macro-kernel task
thread_local Scratch tls_bpack;  // Bp of the thread that called gemm (shared with the workers)

// ---------------------------------------------------------------------------------------------
// Micro-kernels. Each computes, for a full MR x NR tile,
//   C[r * ldc + j] (+)= sum_{p < kc} a[p * MR + r] * b[p * NR + j]
// overwriting C when `acc` is false. `a` and `b` are packed panels (64-byte aligned).

// Portable fallback: the compiler unrolls and vectorises this for the baseline instruction set.
template <typename T, int MR, int NR>
void ukr_generic(int64_t kc, const T* __restrict a, const T* __restrict b, T* __restrict c, int64_t ldc,
                 bool acc) {
  T t[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int r = 0; r < MR; ++r) {
      const T ar = a[p * MR + r];
      for (int j = 0; j < NR; ++j) t[r][j] += ar * b[p * NR + j];
    }
  }
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NR; ++j) c[r * ldc + j] = acc ? c[r * ldc + j] + t[r][j] : t[r][j];
  }
}

#if defined(DL_X86)

// Asks for the C tile early: it is read (and written) only after the whole k loop, and on large
// products it is out of cache by then, so fetching it while the FMAs run hides that latency.
template <typename T, int MR, int NR>
inline void prefetch_c(const T* c, int64_t ldc) {
  for (int r = 0; r < MR; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + NR - 1), _MM_HINT_T0);
  }
}

// AVX2 + FMA, float32, 6 x 16: rows r = 0..5 of the tile in (cR0, cR1), 8 floats each.
DL_TARGET_AVX2 void ukr_avx2_s6x16(int64_t kc, const float* __restrict a, const float* __restrict b,
                                   float* __restrict c, int64_t ldc, bool acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  prefetch_c<float, 6, 16>(c, ldc);
#define DL_ROW(r)                                    \
  {                                                  \
    const __m256 ar = _mm256_broadcast_ss(a + r);    \
    c##r##0 = _mm256_fmadd_ps(ar, b0, c##r##0);      \
    c##r##1 = _mm256_fmadd_ps(ar, b1, c##r##1);      \
  }
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    DL_ROW(0) DL_ROW(1) DL_ROW(2) DL_ROW(3) DL_ROW(4) DL_ROW(5)
    a += 6;
    b += 16;
  }
#undef DL_ROW
#define DL_STORE(r)                                                                   \
  {                                                                                   \
    float* cr = c + (r) * ldc;                                                        \
    if (acc) {                                                                        \
      c##r##0 = _mm256_add_ps(c##r##0, _mm256_loadu_ps(cr));                          \
      c##r##1 = _mm256_add_ps(c##r##1, _mm256_loadu_ps(cr + 8));                      \
    }                                                                                 \
    _mm256_storeu_ps(cr, c##r##0);                                                    \
    _mm256_storeu_ps(cr + 8, c##r##1);                                                \
  }
  DL_STORE(0) DL_STORE(1) DL_STORE(2) DL_STORE(3) DL_STORE(4) DL_STORE(5)
#undef DL_STORE
}

// AVX2 + FMA, float64, 6 x 8: rows in (cR0, cR1), 4 doubles each.
DL_TARGET_AVX2 void ukr_avx2_d6x8(int64_t kc, const double* __restrict a, const double* __restrict b,
                                  double* __restrict c, int64_t ldc, bool acc) {
  __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
  __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
  __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
  __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
  __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd();
  __m256d c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
  prefetch_c<double, 6, 8>(c, ldc);
#define DL_ROW(r)                                    \
  {                                                  \
    const __m256d ar = _mm256_broadcast_sd(a + r);   \
    c##r##0 = _mm256_fmadd_pd(ar, b0, c##r##0);      \
    c##r##1 = _mm256_fmadd_pd(ar, b1, c##r##1);      \
  }
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m256d b0 = _mm256_load_pd(b);
    const __m256d b1 = _mm256_load_pd(b + 4);
    DL_ROW(0) DL_ROW(1) DL_ROW(2) DL_ROW(3) DL_ROW(4) DL_ROW(5)
    a += 6;
    b += 8;
  }
#undef DL_ROW
#define DL_STORE(r)                                                                   \
  {                                                                                   \
    double* cr = c + (r) * ldc;                                                       \
    if (acc) {                                                                        \
      c##r##0 = _mm256_add_pd(c##r##0, _mm256_loadu_pd(cr));                          \
      c##r##1 = _mm256_add_pd(c##r##1, _mm256_loadu_pd(cr + 4));                      \
    }                                                                                 \
    _mm256_storeu_pd(cr, c##r##0);                                                    \
    _mm256_storeu_pd(cr + 4, c##r##1);                                                \
  }
  DL_STORE(0) DL_STORE(1) DL_STORE(2) DL_STORE(3) DL_STORE(4) DL_STORE(5)
#undef DL_STORE
}

// AVX-512F, float32, 12 x 32: rows r = 0..11 in (cR_0, cR_1), 16 floats each; 24 accumulators,
// 2 B vectors and a broadcast out of the 32 vector registers.
DL_TARGET_AVX512 void ukr_avx512_s12x32(int64_t kc, const float* __restrict a, const float* __restrict b,
                                        float* __restrict c, int64_t ldc, bool acc) {
#define DL_ACC(r) __m512 c##r##_0 = _mm512_setzero_ps(), c##r##_1 = _mm512_setzero_ps();
  DL_ACC(0) DL_ACC(1) DL_ACC(2) DL_ACC(3) DL_ACC(4) DL_ACC(5)
  DL_ACC(6) DL_ACC(7) DL_ACC(8) DL_ACC(9) DL_ACC(10) DL_ACC(11)
#undef DL_ACC
  prefetch_c<float, 12, 32>(c, ldc);
#define DL_ROW(r)                                    \
  {                                                  \
    const __m512 ar = _mm512_set1_ps(a[r]);          \
    c##r##_0 = _mm512_fmadd_ps(ar, b0, c##r##_0);    \
    c##r##_1 = _mm512_fmadd_ps(ar, b1, c##r##_1);    \
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
    DL_ROW(0) DL_ROW(1) DL_ROW(2) DL_ROW(3) DL_ROW(4) DL_ROW(5)
    DL_ROW(6) DL_ROW(7) DL_ROW(8) DL_ROW(9) DL_ROW(10) DL_ROW(11)
    a += 12;
    b += 32;
  }
#undef DL_ROW
#define DL_STORE(r)                                                                   \
  {                                                                                   \
    float* cr = c + (r) * ldc;                                                        \
    if (acc) {                                                                        \
      c##r##_0 = _mm512_add_ps(c##r##_0, _mm512_loadu_ps(cr));                        \
      c##r##_1 = _mm512_add_ps(c##r##_1, _mm512_loadu_ps(cr + 16));                   \
    }                                                                                 \
    _mm512_storeu_ps(cr, c##r##_0);                                                   \
    _mm512_storeu_ps(cr + 16, c##r##_1);                                              \
  }
  DL_STORE(0) DL_STORE(1) DL_STORE(2) DL_STORE(3) DL_STORE(4) DL_STORE(5)
  DL_STORE(6) DL_STORE(7) DL_STORE(8) DL_STORE(9) DL_STORE(10) DL_STORE(11)
#undef DL_STORE
}

// AVX-512F, float64, 12 x 16: rows in (cR_0, cR_1), 8 doubles each.
DL_TARGET_AVX512 void ukr_avx512_d12x16(int64_t kc, const double* __restrict a, const double* __restrict b,
                                        double* __restrict c, int64_t ldc, bool acc) {
#define DL_ACC(r) __m512d c##r##_0 = _mm512_setzero_pd(), c##r##_1 = _mm512_setzero_pd();
  DL_ACC(0) DL_ACC(1) DL_ACC(2) DL_ACC(3) DL_ACC(4) DL_ACC(5)
  DL_ACC(6) DL_ACC(7) DL_ACC(8) DL_ACC(9) DL_ACC(10) DL_ACC(11)
#undef DL_ACC
  prefetch_c<double, 12, 16>(c, ldc);
#define DL_ROW(r)                                    \
  {                                                  \
    const __m512d ar = _mm512_set1_pd(a[r]);         \
    c##r##_0 = _mm512_fmadd_pd(ar, b0, c##r##_0);    \
    c##r##_1 = _mm512_fmadd_pd(ar, b1, c##r##_1);    \
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < kc; ++p) {
    const __m512d b0 = _mm512_load_pd(b);
    const __m512d b1 = _mm512_load_pd(b + 8);
    DL_ROW(0) DL_ROW(1) DL_ROW(2) DL_ROW(3) DL_ROW(4) DL_ROW(5)
    DL_ROW(6) DL_ROW(7) DL_ROW(8) DL_ROW(9) DL_ROW(10) DL_ROW(11)
    a += 12;
    b += 16;
  }
#undef DL_ROW
#define DL_STORE(r)                                                                   \
  {                                                                                   \
    double* cr = c + (r) * ldc;                                                       \
    if (acc) {                                                                        \
      c##r##_0 = _mm512_add_pd(c##r##_0, _mm512_loadu_pd(cr));                        \
      c##r##_1 = _mm512_add_pd(c##r##_1, _mm512_loadu_pd(cr + 8));                    \
    }                                                                                 \
    _mm512_storeu_pd(cr, c##r##_0);                                                   \
    _mm512_storeu_pd(cr + 8, c##r##_1);                                               \
  }
  DL_STORE(0) DL_STORE(1) DL_STORE(2) DL_STORE(3) DL_STORE(4) DL_STORE(5)
  DL_STORE(6) DL_STORE(7) DL_STORE(8) DL_STORE(9) DL_STORE(10) DL_STORE(11)
#undef DL_STORE
}

#endif  // DL_X86

#if defined(DL_NEON)

// NEON, float32, 8 x 8: per k, A's 8 values sit in two vectors (a0, a1) and each row r is
// updated with a lane of them (fused multiply-add by element), B's 8 values in (b0, b1).
void ukr_neon_s8x8(int64_t kc, const float* __restrict a, const float* __restrict b, float* __restrict c,
                   int64_t ldc, bool acc) {
  float32x4_t c00 = vdupq_n_f32(0), c01 = vdupq_n_f32(0), c10 = vdupq_n_f32(0), c11 = vdupq_n_f32(0);
  float32x4_t c20 = vdupq_n_f32(0), c21 = vdupq_n_f32(0), c30 = vdupq_n_f32(0), c31 = vdupq_n_f32(0);
  float32x4_t c40 = vdupq_n_f32(0), c41 = vdupq_n_f32(0), c50 = vdupq_n_f32(0), c51 = vdupq_n_f32(0);
  float32x4_t c60 = vdupq_n_f32(0), c61 = vdupq_n_f32(0), c70 = vdupq_n_f32(0), c71 = vdupq_n_f32(0);
#define DL_ROW(r, av, lane)                             \
  c##r##0 = vfmaq_laneq_f32(c##r##0, b0, av, lane);     \
  c##r##1 = vfmaq_laneq_f32(c##r##1, b1, av, lane);
  for (int64_t p = 0; p < kc; ++p) {
    const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
    DL_ROW(0, a0, 0) DL_ROW(1, a0, 1) DL_ROW(2, a0, 2) DL_ROW(3, a0, 3)
    DL_ROW(4, a1, 0) DL_ROW(5, a1, 1) DL_ROW(6, a1, 2) DL_ROW(7, a1, 3)
    a += 8;
    b += 8;
  }
#undef DL_ROW
#define DL_STORE(r)                                                  \
  {                                                                  \
    float* cr = c + (r) * ldc;                                       \
    if (acc) {                                                       \
      c##r##0 = vaddq_f32(c##r##0, vld1q_f32(cr));                   \
      c##r##1 = vaddq_f32(c##r##1, vld1q_f32(cr + 4));               \
    }                                                                \
    vst1q_f32(cr, c##r##0);                                          \
    vst1q_f32(cr + 4, c##r##1);                                      \
  }
  DL_STORE(0) DL_STORE(1) DL_STORE(2) DL_STORE(3) DL_STORE(4) DL_STORE(5) DL_STORE(6) DL_STORE(7)
#undef DL_STORE
}

// NEON, float64, 8 x 4: A's 8 values in four 2-lane vectors, B's 4 values in (b0, b1).
void ukr_neon_d8x4(int64_t kc, const double* __restrict a, const double* __restrict b, double* __restrict c,
                   int64_t ldc, bool acc) {
  float64x2_t c00 = vdupq_n_f64(0), c01 = vdupq_n_f64(0), c10 = vdupq_n_f64(0), c11 = vdupq_n_f64(0);
  float64x2_t c20 = vdupq_n_f64(0), c21 = vdupq_n_f64(0), c30 = vdupq_n_f64(0), c31 = vdupq_n_f64(0);
  float64x2_t c40 = vdupq_n_f64(0), c41 = vdupq_n_f64(0), c50 = vdupq_n_f64(0), c51 = vdupq_n_f64(0);
  float64x2_t c60 = vdupq_n_f64(0), c61 = vdupq_n_f64(0), c70 = vdupq_n_f64(0), c71 = vdupq_n_f64(0);
#define DL_ROW(r, av, lane)                             \
  c##r##0 = vfmaq_laneq_f64(c##r##0, b0, av, lane);     \
  c##r##1 = vfmaq_laneq_f64(c##r##1, b1, av, lane);
  for (int64_t p = 0; p < kc; ++p) {
    const float64x2_t a0 = vld1q_f64(a), a1 = vld1q_f64(a + 2), a2 = vld1q_f64(a + 4), a3 = vld1q_f64(a + 6);
    const float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2);
    DL_ROW(0, a0, 0) DL_ROW(1, a0, 1) DL_ROW(2, a1, 0) DL_ROW(3, a1, 1)
    DL_ROW(4, a2, 0) DL_ROW(5, a2, 1) DL_ROW(6, a3, 0) DL_ROW(7, a3, 1)
    a += 8;
    b += 4;
  }
#undef DL_ROW
#define DL_STORE(r)                                                  \
  {                                                                  \
    double* cr = c + (r) * ldc;                                      \
    if (acc) {                                                       \
      c##r##0 = vaddq_f64(c##r##0, vld1q_f64(cr));                   \
      c##r##1 = vaddq_f64(c##r##1, vld1q_f64(cr + 2));               \
    }                                                                \
    vst1q_f64(cr, c##r##0);                                          \
    vst1q_f64(cr + 2, c##r##1);                                      \
  }
  DL_STORE(0) DL_STORE(1) DL_STORE(2) DL_STORE(3) DL_STORE(4) DL_STORE(5) DL_STORE(6) DL_STORE(7)
#undef DL_STORE
}

#endif  // DL_NEON

// ---------------------------------------------------------------------------------------------
// Kernel descriptions: tile shape, cache blocking and the micro-kernel.
//   KC: depth of a slice; a KC x NR micro-panel of B should fill about half of L1.
//   MC: rows of a packed A block (MC x KC), sized to sit in L2.
//   NC: columns of a packed B block (KC x NC), sized for L3; a multiple of NR.

// The largest KC of any kernel (the length of the zero rows that pad partial panels).
constexpr int64_t kMaxKC = 256;

template <typename T_, int MR_, int NR_, int64_t MC_, int64_t KC_, int64_t NC_>
struct KernelBase {
  using T = T_;
  static constexpr int MR = MR_, NR = NR_;
  static constexpr int64_t MC = MC_, KC = KC_, NC = NC_;
  static_assert(MC % MR == 0 && NC % NR == 0, "blocks must hold whole micro-panels");
  static_assert(KC <= kMaxKC, "partial panels are padded from zero rows of kMaxKC");
};

struct GenericS : KernelBase<float, 4, 8, 128, 256, 2048> {
  static constexpr const char* name = "scalar 4x8";
  static void ukr(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc) {
    ukr_generic<float, 4, 8>(kc, a, b, c, ldc, acc);
  }
};
struct GenericD : KernelBase<double, 4, 4, 64, 256, 2048> {
  static constexpr const char* name = "scalar 4x4";
  static void ukr(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, bool acc) {
    ukr_generic<double, 4, 4>(kc, a, b, c, ldc, acc);
  }
};

#if defined(DL_X86)
struct Avx2S : KernelBase<float, 6, 16, 168, 256, 4080> {
  static constexpr const char* name = "avx2-fma 6x16";
  static void ukr(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc) {
    ukr_avx2_s6x16(kc, a, b, c, ldc, acc);
  }
};
struct Avx2D : KernelBase<double, 6, 8, 96, 256, 4080> {
  static constexpr const char* name = "avx2-fma 6x8";
  static void ukr(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, bool acc) {
    ukr_avx2_d6x8(kc, a, b, c, ldc, acc);
  }
};
// A 32-wide B micro-panel is twice as wide as AVX2's, so KC is smaller to keep it in L1
// (192 x 32 x 4 B = 24 KiB, for the 48 KiB L1 of recent Intel cores; 32 KiB on Zen 4).
struct Avx512S : KernelBase<float, 12, 32, 240, 192, 4096> {
  static constexpr const char* name = "avx512f 12x32";
  static void ukr(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc) {
    ukr_avx512_s12x32(kc, a, b, c, ldc, acc);
  }
};
struct Avx512D : KernelBase<double, 12, 16, 120, 192, 4096> {
  static constexpr const char* name = "avx512f 12x16";
  static void ukr(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, bool acc) {
    ukr_avx512_d12x16(kc, a, b, c, ldc, acc);
  }
};
#endif

#if defined(DL_NEON)
// Cortex-A57: 32 KiB L1d, 2 MiB L2 shared by 4 cores.
struct NeonS : KernelBase<float, 8, 8, 128, 256, 4096> {
  static constexpr const char* name = "neon 8x8";
  static void ukr(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc) {
    ukr_neon_s8x8(kc, a, b, c, ldc, acc);
  }
};
struct NeonD : KernelBase<double, 8, 4, 64, 256, 2048> {
  static constexpr const char* name = "neon 8x4";
  static void ukr(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, bool acc) {
    ukr_neon_d8x4(kc, a, b, c, ldc, acc);
  }
};
#endif

// ---------------------------------------------------------------------------------------------
// Packing

// Packing transposes row-major A and column-major B blocks. Both are done W x W at a time in
// 16-byte vectors (simd_vec.h; W = 4 floats or 2 doubles, any target): W rows of W values are
// loaded, transposed in registers and stored as W runs of W values.

// Zeros standing in for the rows (columns) past the edge of a partial micro-panel.
template <typename T>
const T* zero_row() {
  static const T zeros[kMaxKC] = {};
  return zeros;
}

// out[q * ld + i] = src[i][p + q] for i, q < W: W runs of W values, loaded as vectors, transposed
// in registers and stored as W runs of W values.
template <typename T>
inline void transpose_block(const T* const* src, int64_t p, T* __restrict out, int64_t ld) {
  using V = typename Vec<T, 16>::V;
  constexpr int W = Vec<T, 16>::W;
  V v[W];
  for (int i = 0; i < W; ++i) v[i] = vload<V>(src[i] + p);
  transpose_square<V>(v);
  for (int q = 0; q < W; ++q) vstore(out + q * ld, v[q]);
}

// One micro-panel from row-major A (element (r, p) at a[r * rsa + p]), rows past mr read as 0:
// out[p * MR + r] = a[r * rsa + p] for r < MR, p < kc.
template <typename T, int MR>
void pack_a_rows(int64_t mr, int64_t kc, const T* a, int64_t rsa, T* __restrict out) {
  using V = typename Vec<T, 16>::V;
  constexpr int W = Vec<T, 16>::W;
  const T* row[MR];
  for (int r = 0; r < MR; ++r) row[r] = r < mr ? a + r * rsa : zero_row<T>();
  int64_t p = 0;
  for (; p + W <= kc; p += W) {
    int r = 0;
    for (; r + W <= MR; r += W) transpose_block(row + r, p, out + p * MR + r, MR);
    if constexpr (W == 4 && MR % 4 == 2) {  // two rows left (MR = 6): pairs (a[r][p], a[r + 1][p])
      const V x = vload<V>(row[r] + p), y = vload<V>(row[r + 1] + p);
      const V lo = Lanes<4>::zip_lo(x, y), hi = Lanes<4>::zip_hi(x, y);
      std::memcpy(out + p * MR + r, &lo, 2 * sizeof(T));
      std::memcpy(out + (p + 1) * MR + r, reinterpret_cast<const T*>(&lo) + 2, 2 * sizeof(T));
      std::memcpy(out + (p + 2) * MR + r, &hi, 2 * sizeof(T));
      std::memcpy(out + (p + 3) * MR + r, reinterpret_cast<const T*>(&hi) + 2, 2 * sizeof(T));
      r += 2;
    }
    for (; r < MR; ++r) {
      for (int q = 0; q < W; ++q) out[(p + q) * MR + r] = row[r][p + q];
    }
  }
  for (; p < kc; ++p) {
    for (int r = 0; r < MR; ++r) out[p * MR + r] = row[r][p];
  }
}

// One micro-panel from column-major B (element (p, j) at b[j * csb + p]), columns past nr read
// as 0: out[p * NR + j] = b[j * csb + p] for j < NR, p < kc.
template <typename T, int NR>
void pack_b_cols(int64_t nr, int64_t kc, const T* b, int64_t csb, T* __restrict out) {
  constexpr int W = Vec<T, 16>::W;
  static_assert(NR % W == 0, "B micro-panels hold whole vectors");
  const T* col[NR];
  for (int j = 0; j < NR; ++j) col[j] = j < nr ? b + j * csb : zero_row<T>();
  int64_t p = 0;
  for (; p + W <= kc; p += W) {
    for (int j = 0; j < NR; j += W) transpose_block(col + j, p, out + p * NR + j, NR);
  }
  for (; p < kc; ++p) {
    for (int j = 0; j < NR; ++j) out[p * NR + j] = col[j][p];
  }
}

// Packs the mc x kc block at `a` (element (i, p) at a[i * rsa + p * csa]) into MR-row micro-panels:
// out[panel][p * MR + r] = a[(panel * MR + r) * rsa + p * csa], rows past mc set to 0.
template <typename T, int MR>
void pack_a(int64_t mc, int64_t kc, const T* a, int64_t rsa, int64_t csa, T* __restrict out) {
  for (int64_t i = 0; i < mc; i += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - i);
    const T* src = a + i * rsa;
    if (mr == MR && rsa == 1) {
      // A transposed in memory: the MR values of one k are adjacent.
      for (int64_t p = 0; p < kc; ++p) {
        const T* s = src + p * csa;
        for (int r = 0; r < MR; ++r) out[p * MR + r] = s[r];
      }
    } else if (csa == 1) {
      pack_a_rows<T, MR>(mr, kc, src, rsa, out);
    } else if (mr == MR) {
      // General strides: MR row streams read side by side.
      for (int64_t p = 0; p < kc; ++p) {
        for (int r = 0; r < MR; ++r) out[p * MR + r] = src[r * rsa + p * csa];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        int r = 0;
        for (; r < mr; ++r) out[p * MR + r] = src[r * rsa + p * csa];
        for (; r < MR; ++r) out[p * MR + r] = T(0);
      }
    }
    out += MR * kc;
  }
}

// Packs one kc x nr micro-panel of B (element (p, j) at b[p * rsb + j * csb]), nr <= NR:
// out[p * NR + j] = b[p * rsb + j * csb], columns past nr set to 0.
template <typename T, int NR>
void pack_b_panel(int64_t kc, int64_t nr, const T* b, int64_t rsb, int64_t csb, T* __restrict out) {
  if (nr == NR && csb == 1) {
    // Row-major B: each k contributes NR adjacent values.
    for (int64_t p = 0; p < kc; ++p) std::memcpy(out + p * NR, b + p * rsb, sizeof(T) * NR);
  } else if (rsb == 1) {
    pack_b_cols<T, NR>(nr, kc, b, csb, out);  // transposed B (as in x . W^T)
  } else {
    for (int64_t p = 0; p < kc; ++p) {
      int64_t j = 0;
      for (; j < nr; ++j) out[p * NR + j] = b[p * rsb + j * csb];
      for (; j < NR; ++j) out[p * NR + j] = T(0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix-vector products (M == 1 or N == 1). Packing would cost as much as the arithmetic there and
// the MR x NR tiles would be mostly padding, so these loops read the matrix once, directly.

// sum_k x[k] * y[k], both contiguous. Independent lanes let the compiler vectorise the sum
// without reassociating it (which it may not do without -ffast-math).
template <typename T>
T dot_generic(const T* __restrict x, const T* __restrict y, int64_t K) {
  constexpr int L = 16;
  T acc[L] = {};
  int64_t k = 0;
  for (; k + L <= K; k += L) {
    for (int l = 0; l < L; ++l) acc[l] += x[k + l] * y[k + l];
  }
  T s = 0;
  for (int l = 0; l < L; ++l) s += acc[l];
  for (; k < K; ++k) s += x[k] * y[k];
  return s;
}

// y[j] = sum_k x[k] * B[k * rsb + j] for j < n: for each block of 16 columns the sums stay in
// registers (16 independent lanes, vectorised by the compiler) while the rows of B stream past.
template <typename T>
void gemv_rows_generic(int64_t n, int64_t K, const T* __restrict x, const T* __restrict B, int64_t rsb,
                       T* __restrict y) {
  constexpr int L = 16;
  int64_t j = 0;
  for (; j + L <= n; j += L) {
    T acc[L] = {};
    for (int64_t k = 0; k < K; ++k) {
      const T xk = x[k];
      const T* b = B + k * rsb + j;
      for (int l = 0; l < L; ++l) acc[l] += xk * b[l];
    }
    for (int l = 0; l < L; ++l) y[j + l] = acc[l];
  }
  for (; j < n; ++j) {
    T s = 0;
    for (int64_t k = 0; k < K; ++k) s += x[k] * B[k * rsb + j];
    y[j] = s;
  }
}

#if defined(DL_X86)
DL_TARGET_AVX2 float dot_avx2(const float* __restrict x, const float* __restrict y, int64_t K) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 32 <= K; k += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k + 8), _mm256_loadu_ps(y + k + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k + 16), _mm256_loadu_ps(y + k + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k + 24), _mm256_loadu_ps(y + k + 24), s3);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  float s = 0;
  for (float v : lanes) s += v;
  for (; k < K; ++k) s += x[k] * y[k];
  return s;
}
DL_TARGET_AVX2 double dot_avx2(const double* __restrict x, const double* __restrict y, int64_t K) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  int64_t k = 0;
  for (; k + 16 <= K; k += 16) {
    s0 = _mm256_fmadd_pd(_mm256_loadu_pd(x + k), _mm256_loadu_pd(y + k), s0);
    s1 = _mm256_fmadd_pd(_mm256_loadu_pd(x + k + 4), _mm256_loadu_pd(y + k + 4), s1);
    s2 = _mm256_fmadd_pd(_mm256_loadu_pd(x + k + 8), _mm256_loadu_pd(y + k + 8), s2);
    s3 = _mm256_fmadd_pd(_mm256_loadu_pd(x + k + 12), _mm256_loadu_pd(y + k + 12), s3);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  double s = 0;
  for (double v : lanes) s += v;
  for (; k < K; ++k) s += x[k] * y[k];
  return s;
}
// gemv_rows_generic with 32 (float) / 16 (double) columns per block in four AVX2 registers.
DL_TARGET_AVX2 void gemv_rows_avx2(int64_t n, int64_t K, const float* __restrict x, const float* __restrict B,
                                   int64_t rsb, float* __restrict y) {
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; ++k) {
      const __m256 xk = _mm256_set1_ps(x[k]);
      const float* b = B + k * rsb + j;
      s0 = _mm256_fmadd_ps(xk, _mm256_loadu_ps(b), s0);
      s1 = _mm256_fmadd_ps(xk, _mm256_loadu_ps(b + 8), s1);
      s2 = _mm256_fmadd_ps(xk, _mm256_loadu_ps(b + 16), s2);
      s3 = _mm256_fmadd_ps(xk, _mm256_loadu_ps(b + 24), s3);
    }
    _mm256_storeu_ps(y + j, s0);
    _mm256_storeu_ps(y + j + 8, s1);
    _mm256_storeu_ps(y + j + 16, s2);
    _mm256_storeu_ps(y + j + 24, s3);
  }
  if (j < n) gemv_rows_generic(n - j, K, x, B + j, rsb, y + j);
}
DL_TARGET_AVX2 void gemv_rows_avx2(int64_t n, int64_t K, const double* __restrict x, const double* __restrict B,
                                   int64_t rsb, double* __restrict y) {
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
    for (int64_t k = 0; k < K; ++k) {
      const __m256d xk = _mm256_set1_pd(x[k]);
      const double* b = B + k * rsb + j;
      s0 = _mm256_fmadd_pd(xk, _mm256_loadu_pd(b), s0);
      s1 = _mm256_fmadd_pd(xk, _mm256_loadu_pd(b + 4), s1);
      s2 = _mm256_fmadd_pd(xk, _mm256_loadu_pd(b + 8), s2);
      s3 = _mm256_fmadd_pd(xk, _mm256_loadu_pd(b + 12), s3);
    }
    _mm256_storeu_pd(y + j, s0);
    _mm256_storeu_pd(y + j + 4, s1);
    _mm256_storeu_pd(y + j + 8, s2);
    _mm256_storeu_pd(y + j + 12, s3);
  }
  if (j < n) gemv_rows_generic(n - j, K, x, B + j, rsb, y + j);
}
#endif

Simd level();

template <typename T>
T dot(const T* x, const T* y, int64_t K) {
#if defined(DL_X86)
  if (level() >= Simd::kAvx2) return dot_avx2(x, y, K);
#endif
  return dot_generic(x, y, K);
}

template <typename T>
void gemv_rows(int64_t n, int64_t K, const T* x, const T* B, int64_t rsb, T* y) {
#if defined(DL_X86)
  if (level() >= Simd::kAvx2) return gemv_rows_avx2(n, K, x, B, rsb, y);
#endif
  gemv_rows_generic(n, K, x, B, rsb, y);
}

thread_local Scratch tls_vec;  // x made contiguous

// y[j] = sum_k x[k * incx] * B[k * rsb + j * csb] for j < n, on up to `threads` threads (over
// ranges of j). Columns of B contiguous (rsb == 1, as W^T in x . W^T): one dot product per j.
// Rows contiguous (csb == 1): blocks of y summed in registers over the rows of B (gemv_rows).
template <typename T>
void gemv(int64_t n, int64_t K, const T* x, int64_t incx, const T* B, int64_t rsb, int64_t csb, T* y,
          int threads) {
  if (incx != 1) {
    T* xc = tls_vec.get<T>(K);
    for (int64_t k = 0; k < K; ++k) xc[k] = x[k * incx];
    x = xc;
  }
  auto range = [&](int64_t j0, int64_t j1) {
    if (rsb == 1 || K == 1) {
      for (int64_t j = j0; j < j1; ++j) y[j] = K == 1 ? x[0] * B[j * csb] : dot(x, B + j * csb, K);
    } else if (csb == 1) {
      gemv_rows(j1 - j0, K, x, B + j0, rsb, y + j0);
    } else {
      for (int64_t j = j0; j < j1; ++j) {
        T s = 0;
        for (int64_t k = 0; k < K; ++k) s += x[k] * B[k * rsb + j * csb];
        y[j] = s;
      }
    }
  };
  // A few chunks of y per thread, whole register blocks (32 columns) unless n is small.
  const int64_t chunk = round_up(ceil_div(n, 4 * threads), 32);
  const int64_t nchunks = ceil_div(n, chunk);
  if (threads > 1 && nchunks > 1) {
    parallel_for(nchunks, [&](int64_t t) { range(t * chunk, std::min(n, (t + 1) * chunk)); }, threads);
  } else {
    for (int64_t t = 0; t < nchunks; ++t) range(t * chunk, std::min(n, (t + 1) * chunk));
  }
}

// ---------------------------------------------------------------------------------------------
// The blocked driver for one matrix product, on up to `threads` threads.

// C[r * ldc + j] (+)= (Ap panel . Bp panel)[r, j] for r < mr, j < nr: the micro-kernel straight
// into C for a full tile, through a buffer for an edge tile.
template <class Kn>
inline void micro_tile(int64_t kc, const typename Kn::T* a, const typename Kn::T* b, typename Kn::T* c, int64_t ldc,
                       int64_t mr, int64_t nr, bool acc) {
  using T = typename Kn::T;
  constexpr int MR = Kn::MR, NR = Kn::NR;
  if (mr == MR && nr == NR) {
    Kn::ukr(kc, a, b, c, ldc, acc);
    return;
  }
  alignas(64) T tile[MR * NR];
  Kn::ukr(kc, a, b, tile, NR, false);
  for (int64_t r = 0; r < mr; ++r) {
    for (int64_t j = 0; j < nr; ++j) c[r * ldc + j] = acc ? c[r * ldc + j] + tile[r * NR + j] : tile[r * NR + j];
  }
}

template <class Kn>
void gemm_blocked(int64_t M, int64_t N, int64_t K, const typename Kn::T* A, int64_t rsa, int64_t csa,
                  const typename Kn::T* B, int64_t rsb, int64_t csb, typename Kn::T* C, int64_t ldc,
                  int threads, bool accumulate = false) {
  using T = typename Kn::T;
  constexpr int MR = Kn::MR, NR = Kn::NR;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (accumulate) return;
    for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, T(0));
    return;
  }
  if (!accumulate && M == 1) return gemv(N, K, A, csa, B, rsb, csb, C, threads);  // row vector . B
  if (!accumulate && N == 1 && ldc == 1) return gemv(M, K, B, rsb, A, csa, rsa, C, threads);  // (A . b)^T = b^T . A^T

  // Rows per task: the cache-sized MC on one thread. On several, a multiple of `threads` row
  // blocks of (about) equal height, at most MC, so that the threads finish together: e.g. M = 1024
  // on 2 threads gives 8 blocks of 132 rows rather than 7 of 168 (4 + 3, a thread idle 1/8 of
  // the time). Dynamic scheduling of the blocks still evens out a core slowed by other work.
  int64_t mc = Kn::MC;
  if (threads > 1) {
    const int64_t rounds = ceil_div(M, threads * Kn::MC);  // blocks per thread
    mc = std::min<int64_t>(Kn::MC, round_up(ceil_div(M, rounds * threads), MR));
  }
  const int64_t n_ic = ceil_div(M, mc);

  const int64_t nc_max = std::min<int64_t>(N, Kn::NC);
  const int64_t kc_max = std::min<int64_t>(K, Kn::KC);
  T* bp = tls_bpack.get<T>(round_up(nc_max, NR) * kc_max);

  for (int64_t jc = 0; jc < N; jc += Kn::NC) {
    const int64_t nc = std::min<int64_t>(Kn::NC, N - jc);
    const int64_t n_panels = ceil_div(nc, NR);
    // Too few row blocks for the threads (small M): also split the B panels between tasks.
    int64_t n_jn = 1;
    if (threads > 1 && n_ic < 2 * threads) {
      n_jn = std::min<int64_t>(n_panels, ceil_div(2 * threads, n_ic));
    }
    const int64_t panels_per_jn = ceil_div(n_panels, n_jn);
    n_jn = ceil_div(n_panels, panels_per_jn);

    for (int64_t pc = 0; pc < K; pc += Kn::KC) {
      const int64_t kc = std::min<int64_t>(Kn::KC, K - pc);
      const bool acc = accumulate || pc > 0;

      // Pack B[pc:pc+kc, jc:jc+nc], a chunk of micro-panels per task.
      const T* bsrc = B + pc * rsb + jc * csb;
      auto pack_b = [&](int64_t t0, int64_t t1) {
        for (int64_t q = t0; q < t1; ++q) {
          pack_b_panel<T, NR>(kc, std::min<int64_t>(NR, nc - q * NR), bsrc + q * NR * csb, rsb, csb,
                              bp + q * NR * kc);
        }
      };
      if (threads > 1 && n_panels >= 2 * threads) {
        const int64_t chunk = ceil_div(n_panels, 2 * threads);
        parallel_for(ceil_div(n_panels, chunk),
                     [&](int64_t t) { pack_b(t * chunk, std::min(n_panels, (t + 1) * chunk)); }, threads);
      } else {
        pack_b(0, n_panels);
      }

      // Macro-kernel tasks: row block ic x range of B panels.
      auto task = [&](int64_t t) {
        const int64_t ic = (t / n_jn) * mc;
        const int64_t q0 = (t % n_jn) * panels_per_jn;
        const int64_t q1 = std::min(n_panels, q0 + panels_per_jn);
        const int64_t mcur = std::min(mc, M - ic);
        T* ap = tls_apack.get<T>(round_up(mcur, MR) * kc);
        pack_a<T, MR>(mcur, kc, A + ic * rsa + pc * csa, rsa, csa, ap);
        for (int64_t q = q0; q < q1; ++q) {
          const int64_t j = jc + q * NR;
          const int64_t nr = std::min<int64_t>(NR, N - j);
          const T* bpanel = bp + q * NR * kc;
          for (int64_t ir = 0; ir < mcur; ir += MR) {
            micro_tile<Kn>(kc, ap + ir * kc, bpanel, C + (ic + ir) * ldc + j, ldc, std::min<int64_t>(MR, mcur - ir), nr,
                           acc);
          }
        }
      };
      const int64_t ntasks = n_ic * n_jn;
      if (threads > 1 && ntasks > 1) {
        parallel_for(ntasks, task, threads);
      } else {
        for (int64_t t = 0; t < ntasks; ++t) task(t);
      }
    }
  }
}

// PackedA's layout: A cut into KC-deep slices, each slice into MR-row micro-panels (pack_a), the
// slices one after the other.
template <class Kn>
int64_t packed_a_size(int64_t M, int64_t K) {
  return round_up(std::max<int64_t>(M, 1), Kn::MR) * K;
}
template <class Kn>
void packed_a_fill(int64_t M, int64_t K, const typename Kn::T* A, int64_t rsa, int64_t csa, typename Kn::T* out) {
  for (int64_t pc = 0; pc < K; pc += Kn::KC) {
    const int64_t kc = std::min<int64_t>(Kn::KC, K - pc);
    pack_a<typename Kn::T, Kn::MR>(M, kc, A + pc * csa, rsa, csa, out + round_up(M, Kn::MR) * pc);
  }
}

// C = A . B on the calling thread with A packed by packed_a_fill: one NR-wide micro-panel of B at
// a time (it stays in L1) against all of A's panels.
template <class Kn>
void packed_a_multiply(int64_t M, int64_t K, const typename Kn::T* ap, int64_t N, const typename Kn::T* B,
                       int64_t rsb, int64_t csb, typename Kn::T* C, int64_t ldc) {
  using T = typename Kn::T;
  constexpr int MR = Kn::MR, NR = Kn::NR;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, T(0));
    return;
  }
  T* bp = tls_bpack.get<T>(NR * std::min<int64_t>(K, Kn::KC));
  for (int64_t pc = 0; pc < K; pc += Kn::KC) {
    const int64_t kc = std::min<int64_t>(Kn::KC, K - pc);
    const T* a = ap + round_up(M, MR) * pc;
    for (int64_t j = 0; j < N; j += NR) {
      const int64_t nr = std::min<int64_t>(NR, N - j);
      pack_b_panel<T, NR>(kc, nr, B + pc * rsb + j * csb, rsb, csb, bp);
      for (int64_t ir = 0; ir < M; ir += MR) {
        micro_tile<Kn>(kc, a + ir * kc, bp, C + ir * ldc + j, ldc, std::min<int64_t>(MR, M - ir), nr, pc > 0);
      }
    }
  }
}

// Threads worth using for `macs` multiply-adds: one below kParallelMacs, then roughly one more
// per kParallelMacs / 2 of work, up to the pool size.
int threads_for(double macs) {
  const int pool = num_threads();
  if (pool <= 1 || macs < static_cast<double>(kParallelMacs)) return 1;
  const double by_work = macs / (static_cast<double>(kParallelMacs) / 2);
  return by_work >= pool ? pool : std::max(1, static_cast<int>(by_work));
}

// A batch of products with kernel Kn: one product at a time with all threads when each is big,
// whole products as tasks when they are small and numerous.
template <class Kn>
void gemm_batched_with(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<typename Kn::T> A,
                       StridedBatch<typename Kn::T> B, typename Kn::T* C) {
  const double macs = static_cast<double>(M) * N * K;
  const int threads_total = threads_for(macs * batch);
  auto one = [&](int64_t b, int threads) {
    gemm_blocked<Kn>(M, N, K, A.data + b * A.bs, A.rs, A.cs, B.data + b * B.bs, B.rs, B.cs, C + b * M * N, N,
                     threads);
  };
  if (batch > 1 && threads_total > 1 && threads_for(macs) < threads_total) {
    parallel_for(batch, [&](int64_t b) { one(b, 1); }, threads_total);
  } else {
    const int t = threads_for(macs);
    for (int64_t b = 0; b < batch; ++b) one(b, t);
  }
}

// ---------------------------------------------------------------------------------------------
// Dispatch on the instruction-set level (detected once, overridable for tests).

std::atomic<int> g_level{-1};

// The level named `s` if this CPU runs it ("auto": the preferred one), else -1.
int parse_level(std::string_view s) {
  const Simd best = detect_simd();
  if (s == "auto") return static_cast<int>(preferred_simd());
  if (s == "scalar") return static_cast<int>(Simd::kScalar);
  if (s == "neon" && best == Simd::kNeon) return static_cast<int>(Simd::kNeon);
  if (s == "avx2-fma" && best >= Simd::kAvx2) return static_cast<int>(Simd::kAvx2);
  if (s == "avx512f" && best == Simd::kAvx512) return static_cast<int>(Simd::kAvx512);
  return -1;
}

// The level in use: DL_SIMD when set to one this CPU runs, else the preferred one.
Simd level() {
  int l = g_level.load(std::memory_order_relaxed);
  if (l < 0) {
    const char* env = std::getenv("DL_SIMD");
    l = env != nullptr ? parse_level(env) : -1;
    if (l < 0) l = static_cast<int>(preferred_simd());
    g_level.store(l, std::memory_order_relaxed);
  }
  return static_cast<Simd>(l);
}

template <typename T>
struct Dispatch;

template <>
struct Dispatch<float> {
  template <typename F>
  static auto with(F&& f) {
    return at(level(), f);
  }
  template <typename F>
  static auto at(Simd l, F&& f) {
    switch (l) {
#if defined(DL_X86)
      case Simd::kAvx512: return f(Avx512S{});
      case Simd::kAvx2: return f(Avx2S{});
#endif
#if defined(DL_NEON)
      case Simd::kNeon: return f(NeonS{});
#endif
      default: return f(GenericS{});
    }
  }
};

template <>
struct Dispatch<double> {
  template <typename F>
  static auto with(F&& f) {
    return at(level(), f);
  }
  template <typename F>
  static auto at(Simd l, F&& f) {
    switch (l) {
#if defined(DL_X86)
      case Simd::kAvx512: return f(Avx512D{});
      case Simd::kAvx2: return f(Avx2D{});
#endif
#if defined(DL_NEON)
      case Simd::kNeon: return f(NeonD{});
#endif
      default: return f(GenericD{});
    }
  }
};

template <typename T>
void gemm_batched_impl(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<T> A, StridedBatch<T> B,
                       T* C) {
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (K > 0 && blas_gemm_batched(batch, M, N, K, A, B, C)) return;
  Dispatch<T>::with([&](auto kn) { gemm_batched_with<decltype(kn)>(batch, M, N, K, A, B, C); });
}

template <typename T>
void gemm_builtin_impl(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B,
                       int64_t rsb, int64_t csb, T* C) {
  Dispatch<T>::with([&](auto kn) {
    gemm_blocked<decltype(kn)>(M, N, K, A, rsa, csa, B, rsb, csb, C, N,
                               threads_for(static_cast<double>(M) * N * K));
  });
}

template <typename T>
void gemm_accumulate_impl(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B,
                          int64_t rsb, int64_t csb, T* C, int64_t ldc) {
  Dispatch<T>::with([&](auto kn) {
    gemm_blocked<decltype(kn)>(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, threads_for(static_cast<double>(M) * N * K),
                               true);
  });
}

}  // namespace

void gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<float> A, StridedBatch<float> B,
                  float* C) {
  gemm_batched_impl(batch, M, N, K, A, B, C);
}
void gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, StridedBatch<double> A,
                  StridedBatch<double> B, double* C) {
  gemm_batched_impl(batch, M, N, K, A, B, C);
}

void gemm_accumulate(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B,
                     int64_t rsb, int64_t csb, float* C, int64_t ldc) {
  gemm_accumulate_impl(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc);
}
void gemm_accumulate(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B,
                     int64_t rsb, int64_t csb, double* C, int64_t ldc) {
  gemm_accumulate_impl(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc);
}

void gemm_builtin(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B,
                  int64_t rsb, int64_t csb, float* C) {
  gemm_builtin_impl(M, N, K, A, rsa, csa, B, rsb, csb, C);
}
void gemm_builtin(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B,
                  int64_t rsb, int64_t csb, double* C) {
  gemm_builtin_impl(M, N, K, A, rsa, csa, B, rsb, csb, C);
}

template <typename T>
PackedA<T>::PackedA(int64_t M, int64_t K, const T* A, int64_t rsa, int64_t csa)
    : M_(M), K_(K), level_(static_cast<int>(level())) {
  Dispatch<T>::at(static_cast<Simd>(level_), [&](auto kn) {
    data_.resize(static_cast<size_t>(packed_a_size<decltype(kn)>(M, K)));
    packed_a_fill<decltype(kn)>(M, K, A, rsa, csa, data_.data());
  });
}

template <typename T>
void PackedA<T>::multiply(int64_t N, const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc) const {
  Dispatch<T>::at(static_cast<Simd>(level_), [&](auto kn) { packed_a_multiply<decltype(kn)>(M_, K_, data_.data(), N, B, rsb, csb, C, ldc); });
}

template class PackedA<float>;
template class PackedA<double>;

const char* gemm_kernel_name(bool f64) {
  if (f64) return Dispatch<double>::with([](auto kn) { return decltype(kn)::name; });
  return Dispatch<float>::with([](auto kn) { return decltype(kn)::name; });
}

const char* simd_level() { return simd_name(level()); }

const char* cpu_simd_level() { return simd_name(detect_simd()); }

bool set_simd_level(const char* name) {
  const int l = parse_level(name);
  if (l < 0) return false;
  g_level.store(l, std::memory_order_relaxed);
  return true;
}

}  // namespace dl
