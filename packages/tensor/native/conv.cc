// conv2d and its gradients (see conv.h for the formulas and the choice of algorithm).
#include "conv.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "chunk_sum.h"
#include "cpu.h"
#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"
#include "winograd.h"

namespace dl {

namespace {

std::atomic<int> g_algorithm{0};

// Kg (= Cin_g kH kW) up to which the automatic choice takes the direct loops. Measured with
// bench/conv.js on x86-64 (AVX2): even the course's 1 -> 10 channel 3x3 layer (Kg = 9) runs about
// 2x faster as im2col + GEMM than direct (rows of 26 outputs are too short for the loops to
// vectorise well), so only the degenerate Kg = 0 goes direct.
constexpr int64_t kDirectMaxKg = 0;

// Budget of a column buffer (elements): blocks of output positions are sized so that Kg x block
// stays about this big (fits in L2 with the GEMM's packed panels). A block has at least
// kMinBlock positions so the GEMM keeps a useful width.
constexpr int64_t kColsBudget = int64_t(1) << 18;
constexpr int64_t kMinBlock = 64;

// Multiply-adds below which a GEMM-path call stays on one thread.
constexpr double kParallelMacs = 1 << 17;

// A growable per-thread buffer (scratch.h); `slot` separates the buffers one thread uses at the same time.
template <typename T>
T* scratch(int slot, int64_t n) {
  thread_local ScratchBuffer<T> bufs[3];
  return bufs[slot].get(n);
}

// True when no element of p[0..n) is inf or NaN (the exponent bits are not all ones); written
// as an or of integer compares so that it vectorises (for double, on the upper 32 bits of each
// element, which hold the exponent on the little-endian targets this addon builds for).
bool all_finite(const float* p, int64_t n) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, p + i, 4);
    bad |= static_cast<uint32_t>((u & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}
bool all_finite(const double* p, int64_t n) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "all_finite(double) reads the upper word");
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t w[2];
    std::memcpy(w, p + i, 8);
    bad |= static_cast<uint32_t>((w[1] & 0x7ff00000u) == 0x7ff00000u);
  }
  return bad == 0;
}

// all_finite on the thread pool for large arrays (a layer's activations: a scan of megabytes).
template <typename T>
bool all_finite_threaded(const T* p, int64_t n) {
  constexpr int64_t kChunk = int64_t(1) << 17;  // elements per task
  if (n < 2 * kChunk || num_threads() < 2) return all_finite(p, n);
  std::atomic<bool> ok{true};
  parallel_for((n + kChunk - 1) / kChunk, [&](int64_t c) {
    if (ok.load(std::memory_order_relaxed) && !all_finite(p + c * kChunk, std::min(kChunk, n - c * kChunk))) {
      ok.store(false, std::memory_order_relaxed);
    }
  });
  return ok.load();
}

bool padded(const Window2d& w) { return w.pH > 0 || w.pW > 0; }

// 1x1 kernel, stride 1, no padding: the columns are x itself (L == H * W).
bool pointwise(const Window2d& w) {
  return w.kH == 1 && w.kW == 1 && w.sH == 1 && w.sW == 1 && w.pH == 0 && w.pW == 0;
}

// When the automatic choice takes Winograd F(2x2, 3x3) for a 3x3 stride-1 layer: both Cin_g and
// Cout_g at least kWinogradMinChannels (kWinogradMinChannelsWeight for the weight gradient) and
// an output of at least kWinogradMinSize in both dims. Below, the transforms (or the packing of
// short GEMMs) cost more than the multiplies saved: timing both algorithms (setConvAlgorithm 1
// and 3) on x86-64 (AVX2) over 8..128 channels and 4x4..28x28 outputs, Winograd's weight
// gradient lost at 8 -> 16 channels and its forward pass at 4x4 outputs.
constexpr int64_t kWinogradMinChannels = 8;
constexpr int64_t kWinogradMinChannelsWeight = 16;
constexpr int64_t kWinogradMinSize = 6;

// Winograd for a pass, on finite operands only (see winograd.h): a, b are (x, w) forward,
// (gy, w) for the input gradient and (gy, x) for the weight gradient.
template <typename T>
bool use_winograd(const ConvGeom& g, int64_t min_channels, const T* a, int64_t na, const T* b, int64_t nb) {
  const int mode = g_algorithm.load(std::memory_order_relaxed);
  if (mode == 1 || mode == 2 || !winograd_fits(g)) return false;
  if (mode == 0 && (g.cin_g() < min_channels || g.cout_g() < min_channels || g.win.Hout < kWinogradMinSize ||
                    g.win.Wout < kWinogradMinSize)) {
    return false;
  }
  return all_finite_threaded(a, na) && all_finite_threaded(b, nb);
}

bool use_direct(const ConvGeom& g) {
  const int mode = g_algorithm.load(std::memory_order_relaxed);
  if (mode == 1) return false;
  if (mode == 2) return true;
  return g.kg() <= kDirectMaxKg;
}

// Output positions per column block.
int64_t block_size(const ConvGeom& g) {
  const int64_t L = g.win.L(), kg = std::max<int64_t>(g.kg(), 1);
  if (kg * L <= kColsBudget) return L;
  return std::min(L, std::max(kMinBlock, (kColsBudget / kg) / 16 * 16));
}

// Whether whole images (x groups) go to the threads, each running its GEMMs on one thread, rather
// than one item at a time with threaded GEMMs.
bool items_in_parallel(int64_t items, double macs) {
  const int t = num_threads();
  return t > 1 && items >= 2 * static_cast<int64_t>(t) && macs >= kParallelMacs;
}

// Runs fn(item) for every item in [0, n), on the threads when `parallel`.
template <typename F>
void run_items(int64_t n, bool parallel, F&& fn) {
  if (parallel) {
    parallel_for(n, [&](int64_t t) { fn(t); });
  } else {
    for (int64_t t = 0; t < n; ++t) fn(t);
  }
}

template <typename T>
void gemm1(int64_t M, int64_t N, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
           int64_t csb, T* c) {
  gemm_batched(1, M, N, K, StridedBatch<T>{a, 0, rsa, csa}, StridedBatch<T>{b, 0, rsb, csb}, c);
}

// ---- small products with a long sum: C = A . B^T, both read along k ----

// Output sizes (M * N) up to which the weight gradient uses gemm_nt_small instead of the packed
// GEMM: for the course's 1 -> 10 channel layer (9 x 10 outputs, sums of 676) the GEMM spent ~80%
// of its time packing.
constexpr int64_t kSmallNtMaxOut = 256;

// C[i * N + j] = sum_k A[i * lda + k] * B[j * ldb + k] (portable version): rows of A against 4
// rows of B at a time, each sum held in kLanes independent partial sums so that the compiler can
// vectorise it without reordering a single sum (no -ffast-math); the lanes are added at the end.
template <typename T>
void gemm_nt_small_base(int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb, T* C) {
  constexpr int kLanes = 32 / sizeof(T) * 2;  // two 256-bit registers' worth
  const int64_t kv = K / kLanes * kLanes;
  for (int64_t i = 0; i < M; ++i) {
    const T* __restrict a = A + i * lda;
    int64_t j = 0;
    for (; j + 4 <= N; j += 4) {
      const T* __restrict b0 = B + j * ldb;
      const T* __restrict b1 = b0 + ldb;
      const T* __restrict b2 = b1 + ldb;
      const T* __restrict b3 = b2 + ldb;
      T s0[kLanes] = {}, s1[kLanes] = {}, s2[kLanes] = {}, s3[kLanes] = {};
      for (int64_t k = 0; k < kv; k += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
          const T av = a[k + l];
          s0[l] += av * b0[k + l];
          s1[l] += av * b1[k + l];
          s2[l] += av * b2[k + l];
          s3[l] += av * b3[k + l];
        }
      }
      T r0 = 0, r1 = 0, r2 = 0, r3 = 0;
      for (int l = 0; l < kLanes; ++l) {
        r0 += s0[l];
        r1 += s1[l];
        r2 += s2[l];
        r3 += s3[l];
      }
      for (int64_t k = kv; k < K; ++k) {
        r0 += a[k] * b0[k];
        r1 += a[k] * b1[k];
        r2 += a[k] * b2[k];
        r3 += a[k] * b3[k];
      }
      C[i * N + j] = r0;
      C[i * N + j + 1] = r1;
      C[i * N + j + 2] = r2;
      C[i * N + j + 3] = r3;
    }
    for (; j < N; ++j) {
      const T* __restrict b0 = B + j * ldb;
      T s0[kLanes] = {};
      for (int64_t k = 0; k < kv; k += kLanes) {
        for (int l = 0; l < kLanes; ++l) s0[l] += a[k + l] * b0[k + l];
      }
      T r0 = 0;
      for (int l = 0; l < kLanes; ++l) r0 += s0[l];
      for (int64_t k = kv; k < K; ++k) r0 += a[k] * b0[k];
      C[i * N + j] = r0;
    }
  }
}

#if defined(DL_X86)
// AVX2 + FMA: 4 rows of B at a time, two 256-bit partial sums per row (8 independent chains to
// cover the FMA latency), added horizontally at the end. Written with intrinsics: GCC's own
// vectorisation of the lane loops above was good for float but shuffled heavily for double.
struct Avx2F {
  using T = float;
  using V = __m256;
  static constexpr int kW = 8;
  static DL_TARGET_AVX2 V zero() { return _mm256_setzero_ps(); }
  static DL_TARGET_AVX2 V load(const T* p) { return _mm256_loadu_ps(p); }
  static DL_TARGET_AVX2 V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static DL_TARGET_AVX2 T sum(V a, V b) {
    const __m256 s = _mm256_add_ps(a, b);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    return _mm_cvtss_f32(q);
  }
};
struct Avx2D {
  using T = double;
  using V = __m256d;
  static constexpr int kW = 4;
  static DL_TARGET_AVX2 V zero() { return _mm256_setzero_pd(); }
  static DL_TARGET_AVX2 V load(const T* p) { return _mm256_loadu_pd(p); }
  static DL_TARGET_AVX2 V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static DL_TARGET_AVX2 T sum(V a, V b) {
    const __m256d s = _mm256_add_pd(a, b);
    __m128d q = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));
    return _mm_cvtsd_f64(q);
  }
};

template <class S>
DL_TARGET_AVX2 void gemm_nt_small_avx2(int64_t M, int64_t N, int64_t K, const typename S::T* A, int64_t lda,
                                       const typename S::T* B, int64_t ldb, typename S::T* C) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::kW;
  const int64_t k2 = K / (2 * W) * (2 * W);
  for (int64_t i = 0; i < M; ++i) {
    const T* a = A + i * lda;
    int64_t j = 0;
    for (; j + 4 <= N; j += 4) {
      const T* b0 = B + j * ldb;
      const T* b1 = b0 + ldb;
      const T* b2 = b1 + ldb;
      const T* b3 = b2 + ldb;
      V s0 = S::zero(), t0 = S::zero(), s1 = S::zero(), t1 = S::zero();
      V s2 = S::zero(), t2 = S::zero(), s3 = S::zero(), t3 = S::zero();
      for (int64_t k = 0; k < k2; k += 2 * W) {
        const V x0 = S::load(a + k), x1 = S::load(a + k + W);
        s0 = S::fma(x0, S::load(b0 + k), s0);
        t0 = S::fma(x1, S::load(b0 + k + W), t0);
        s1 = S::fma(x0, S::load(b1 + k), s1);
        t1 = S::fma(x1, S::load(b1 + k + W), t1);
        s2 = S::fma(x0, S::load(b2 + k), s2);
        t2 = S::fma(x1, S::load(b2 + k + W), t2);
        s3 = S::fma(x0, S::load(b3 + k), s3);
        t3 = S::fma(x1, S::load(b3 + k + W), t3);
      }
      T r0 = S::sum(s0, t0), r1 = S::sum(s1, t1), r2 = S::sum(s2, t2), r3 = S::sum(s3, t3);
      for (int64_t k = k2; k < K; ++k) {
        r0 += a[k] * b0[k];
        r1 += a[k] * b1[k];
        r2 += a[k] * b2[k];
        r3 += a[k] * b3[k];
      }
      C[i * N + j] = r0;
      C[i * N + j + 1] = r1;
      C[i * N + j + 2] = r2;
      C[i * N + j + 3] = r3;
    }
    for (; j < N; ++j) {
      const T* b0 = B + j * ldb;
      V s0 = S::zero(), t0 = S::zero();
      for (int64_t k = 0; k < k2; k += 2 * W) {
        s0 = S::fma(S::load(a + k), S::load(b0 + k), s0);
        t0 = S::fma(S::load(a + k + W), S::load(b0 + k + W), t0);
      }
      T r0 = S::sum(s0, t0);
      for (int64_t k = k2; k < K; ++k) r0 += a[k] * b0[k];
      C[i * N + j] = r0;
    }
  }
}

void gemm_nt_small_x86(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                       float* C) {
  gemm_nt_small_avx2<Avx2F>(M, N, K, A, lda, B, ldb, C);
}
void gemm_nt_small_x86(int64_t M, int64_t N, int64_t K, const double* A, int64_t lda, const double* B,
                       int64_t ldb, double* C) {
  gemm_nt_small_avx2<Avx2D>(M, N, K, A, lda, B, ldb, C);
}
#endif

template <typename T>
void gemm_nt_small(int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb, T* C) {
#if defined(DL_X86)
  if (use_avx2()) return gemm_nt_small_x86(M, N, K, A, lda, B, ldb, C);
#endif
  gemm_nt_small_base(M, N, K, A, lda, B, ldb, C);
}

// ---- direct loops (also the exact fallback for non-finite values in the padding) ----

// One output plane y[n, co]: bias, then every tap (ci, ki, kj) added over the valid rows and
// columns, in the reference's order.
template <typename T>
void direct_forward_plane(const ConvGeom& g, const T* xg, const T* wco, T b, T* yp) {
  const Window2d& v = g.win;
  const int64_t HW = v.H * v.W, Cg = g.cin_g();
  std::fill(yp, yp + v.L(), b);
  for (int64_t ci = 0; ci < Cg; ++ci) {
    const T* xp = xg + ci * HW;
    for (int64_t ki = 0; ki < v.kH; ++ki) {
      const int64_t offh = ki * v.dH - v.pH;
      int64_t ilo, ihi;
      valid_range(offh, v.sH, v.H, v.Hout, &ilo, &ihi);
      for (int64_t kj = 0; kj < v.kW; ++kj) {
        const int64_t offw = kj * v.dW - v.pW;
        int64_t jlo, jhi;
        valid_range(offw, v.sW, v.W, v.Wout, &jlo, &jhi);
        const T wv = wco[(ci * v.kH + ki) * v.kW + kj];
        for (int64_t i = ilo; i < ihi; ++i) {
          T* __restrict yr = yp + i * v.Wout + jlo;
          const int64_t base = (i * v.sH + offh) * v.W + offw + jlo * v.sW;
          if (v.sW == 1) {
            const T* __restrict xr = xp + base;
            for (int64_t j = 0; j < jhi - jlo; ++j) yr[j] += wv * xr[j];
          } else {
            const T* xr = xp + base;
            for (int64_t j = 0; j < jhi - jlo; ++j) yr[j] += wv * xr[j * v.sW];
          }
        }
      }
    }
  }
}

template <typename T>
void direct_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const Window2d& v = g.win;
  const int64_t L = v.L(), HW = v.H * v.W, Cg = g.cin_g(), Coutg = g.cout_g(), kg = g.kg();
  for_chunks(g.N * g.Cout, L * std::max<int64_t>(kg, 1), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t n = p / g.Cout, co = p % g.Cout, grp = co / Coutg;
      direct_forward_plane(g, x + (n * g.Cin + grp * Cg) * HW, w + co * kg, bias ? bias[co] : T(0), y + p * L);
    }
  });
}

// One input-gradient plane gx[n, c]: every (co, ki, kj) of c's group scattered over the valid
// rows and columns, in the reference's order.
template <typename T>
void direct_backward_input(const ConvGeom& g, const T* gy, const T* w, T* gx) {
  const Window2d& v = g.win;
  const int64_t L = v.L(), HW = v.H * v.W, Cg = g.cin_g(), Coutg = g.cout_g(), kk = v.kk();
  for_chunks(g.N * g.Cin, L * std::max<int64_t>(Coutg * kk, 1), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t n = p / g.Cin, c = p % g.Cin, grp = c / Cg, ci = c % Cg;
      T* gxp = gx + p * HW;
      std::fill(gxp, gxp + HW, T(0));
      for (int64_t co = grp * Coutg; co < (grp + 1) * Coutg; ++co) {
        const T* gyp = gy + (n * g.Cout + co) * L;
        const T* wc = w + (co * Cg + ci) * kk;
        for (int64_t ki = 0; ki < v.kH; ++ki) {
          const int64_t offh = ki * v.dH - v.pH;
          int64_t ilo, ihi;
          valid_range(offh, v.sH, v.H, v.Hout, &ilo, &ihi);
          for (int64_t kj = 0; kj < v.kW; ++kj) {
            const int64_t offw = kj * v.dW - v.pW;
            int64_t jlo, jhi;
            valid_range(offw, v.sW, v.W, v.Wout, &jlo, &jhi);
            const T wv = wc[ki * v.kW + kj];
            for (int64_t i = ilo; i < ihi; ++i) {
              const T* __restrict gr = gyp + i * v.Wout + jlo;
              const int64_t base = (i * v.sH + offh) * v.W + offw + jlo * v.sW;
              if (v.sW == 1) {
                T* __restrict xr = gxp + base;
                for (int64_t j = 0; j < jhi - jlo; ++j) xr[j] += wv * gr[j];
              } else {
                T* xr = gxp + base;
                for (int64_t j = 0; j < jhi - jlo; ++j) xr[j * v.sW] += wv * gr[j];
              }
            }
          }
        }
      }
    }
  });
}

// gw over the images [n0, n1) into acc [Cout, Kg] (added to it): each entry a sum of row-wise
// products, accumulated per column in `row` and then summed.
template <typename T>
void direct_backward_weight_range(const ConvGeom& g, const T* gy, const T* x, int64_t n0, int64_t n1, T* acc) {
  const Window2d& v = g.win;
  const int64_t L = v.L(), HW = v.H * v.W, Cg = g.cin_g(), Coutg = g.cout_g(), kk = v.kk();
  T* row = scratch<T>(2, v.Wout);
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t co = 0; co < g.Cout; ++co) {
      const int64_t grp = co / Coutg;
      const T* gyp = gy + (n * g.Cout + co) * L;
      for (int64_t ci = 0; ci < Cg; ++ci) {
        const T* xp = x + (n * g.Cin + grp * Cg + ci) * HW;
        for (int64_t ki = 0; ki < v.kH; ++ki) {
          const int64_t offh = ki * v.dH - v.pH;
          int64_t ilo, ihi;
          valid_range(offh, v.sH, v.H, v.Hout, &ilo, &ihi);
          for (int64_t kj = 0; kj < v.kW; ++kj) {
            const int64_t offw = kj * v.dW - v.pW;
            int64_t jlo, jhi;
            valid_range(offw, v.sW, v.W, v.Wout, &jlo, &jhi);
            const int64_t nj = jhi - jlo;
            if (nj <= 0 || ilo >= ihi) continue;
            T* __restrict r = row;
            std::fill(r, r + nj, T(0));
            for (int64_t i = ilo; i < ihi; ++i) {
              const T* __restrict gr = gyp + i * v.Wout + jlo;
              const int64_t base = (i * v.sH + offh) * v.W + offw + jlo * v.sW;
              if (v.sW == 1) {
                const T* __restrict xr = xp + base;
                for (int64_t j = 0; j < nj; ++j) r[j] += gr[j] * xr[j];
              } else {
                const T* xr = xp + base;
                for (int64_t j = 0; j < nj; ++j) r[j] += gr[j] * xr[j * v.sW];
              }
            }
            T s = 0;
            for (int64_t j = 0; j < nj; ++j) s += r[j];
            acc[(co * Cg + ci) * kk + ki * v.kW + kj] += s;
          }
        }
      }
    }
  }
}

// Sums per-chunk partial weight gradients: images are split into a fixed number of chunks (a
// function of N and the thread count only), each chunk's gradient is computed into its own
// zeroed buffer by `range(n0, n1, acc)`, and the chunks are added in order. With `transposed`,
// the buffers hold each group's block transposed, [Kg, Cout_g] (what the GEMM path produces),
// and are transposed into gw [Cout, Kg] here.
template <typename T, typename F>
void weight_grad_chunks(const ConvGeom& g, double macs, bool transposed, T* gw, F&& range) {
  const int64_t wn = g.Cout * g.kg();
  const int64_t nchunks = image_chunks(g.N, macs >= kParallelMacs);
  if (nchunks == 1 && !transposed) {
    std::fill(gw, gw + wn, T(0));
    range(int64_t(0), g.N, gw);
    return;
  }
  const std::vector<T> part = sum_image_chunks<T>(g.N, nchunks, wn, range);
  if (!transposed) {
    std::copy(part.begin(), part.begin() + wn, gw);
    return;
  }
  const int64_t kg = g.kg(), cg = g.cout_g();
  for (int64_t grp = 0; grp < g.G; ++grp) {
    const T* src = part.data() + grp * kg * cg;  // [Kg, Cout_g]
    T* dst = gw + grp * cg * kg;                  // [Cout_g, Kg]
    for (int64_t r = 0; r < kg; ++r) {
      for (int64_t co = 0; co < cg; ++co) dst[co * kg + r] = src[r * cg + co];
    }
  }
}

}  // namespace

void set_conv_algorithm(int mode) { g_algorithm.store(mode, std::memory_order_relaxed); }
int conv_algorithm() { return g_algorithm.load(std::memory_order_relaxed); }

template <typename T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const Window2d& v = g.win;
  const int64_t L = v.L(), HW = v.H * v.W, Cg = g.cin_g(), Coutg = g.cout_g(), kg = g.kg();
  if (g.N * g.Cout * L == 0) return;
  if (use_winograd(g, kWinogradMinChannels, x, g.N * g.Cin * HW, w, g.Cout * kg)) {
    winograd_forward(g, x, w, bias, y);
    return;
  }
  if (use_direct(g) || (padded(v) && !all_finite(w, g.Cout * kg))) {
    direct_forward(g, x, w, bias, y);
    return;
  }
  const double macs = static_cast<double>(g.N) * g.Cout * L * kg;
  const int64_t items = g.N * g.G, lb_max = block_size(g);
  const bool pw = pointwise(v);
  run_items(items, items_in_parallel(items, macs), [&](int64_t it) {
    const int64_t n = it / g.G, grp = it % g.G;
    const T* xg = x + (n * g.Cin + grp * Cg) * HW;
    const T* wg = w + grp * Coutg * kg;
    T* yg = y + (n * g.Cout + grp * Coutg) * L;
    if (pw) {
      gemm1<T>(Coutg, L, Cg, wg, kg, 1, xg, HW, 1, yg);
    } else {
      for (int64_t l0 = 0; l0 < L; l0 += lb_max) {
        const int64_t lb = std::min(lb_max, L - l0);
        T* cols = scratch<T>(0, kg * lb);
        im2col_block(v, xg, Cg, l0, l0 + lb, cols);
        if (lb == L) {
          gemm1<T>(Coutg, L, kg, wg, kg, 1, cols, lb, 1, yg);
        } else {
          T* tmp = scratch<T>(1, Coutg * lb);
          gemm1<T>(Coutg, lb, kg, wg, kg, 1, cols, lb, 1, tmp);
          for (int64_t co = 0; co < Coutg; ++co) std::copy(tmp + co * lb, tmp + (co + 1) * lb, yg + co * L + l0);
        }
      }
    }
    if (bias != nullptr) {
      for (int64_t co = 0; co < Coutg; ++co) {
        const T b = bias[grp * Coutg + co];
        T* r = yg + co * L;
        for (int64_t k = 0; k < L; ++k) r[k] += b;
      }
    }
  });
}

template <typename T>
void conv2d_backward_input(const ConvGeom& g, const T* gy, const T* w, T* gx) {
  const Window2d& v = g.win;
  const int64_t L = v.L(), HW = v.H * v.W, Cg = g.cin_g(), Coutg = g.cout_g(), kg = g.kg();
  if (g.N * g.Cin * HW == 0) return;
  if (use_winograd(g, kWinogradMinChannels, gy, g.N * g.Cout * L, w, g.Cout * kg)) {
    winograd_backward_input(g, gy, w, gx);
    return;
  }
  if (use_direct(g)) {
    direct_backward_input(g, gy, w, gx);
    return;
  }
  const double macs = static_cast<double>(g.N) * g.Cout * L * kg;
  const int64_t items = g.N * g.G, lb_max = block_size(g);
  const bool pw = pointwise(v);
  run_items(items, items_in_parallel(items, macs), [&](int64_t it) {
    const int64_t n = it / g.G, grp = it % g.G;
    const T* gyg = gy + (n * g.Cout + grp * Coutg) * L;
    const T* wg = w + grp * Coutg * kg;
    T* gxg = gx + (n * g.Cin + grp * Cg) * HW;
    if (pw) {  // gx[n, g] = w[g]^T . gy[n, g]
      gemm1<T>(Cg, L, Coutg, wg, 1, kg, gyg, L, 1, gxg);
      return;
    }
    std::fill(gxg, gxg + Cg * HW, T(0));
    for (int64_t l0 = 0; l0 < L; l0 += lb_max) {
      const int64_t lb = std::min(lb_max, L - l0);
      T* gcols = scratch<T>(0, kg * lb);
      gemm1<T>(kg, lb, Coutg, wg, 1, kg, gyg + l0, L, 1, gcols);
      col2im_block_add(v, gcols, Cg, l0, l0 + lb, gxg);
    }
  });
}

template <typename T>
void conv2d_backward_weight(const ConvGeom& g, const T* gy, const T* x, T* gw) {
  const Window2d& v = g.win;
  const int64_t L = v.L(), HW = v.H * v.W, Cg = g.cin_g(), Coutg = g.cout_g(), kg = g.kg();
  const int64_t wn = g.Cout * kg;
  if (wn == 0) return;
  const double macs = static_cast<double>(g.N) * g.Cout * L * kg;
  if (g.N * L == 0) {
    std::fill(gw, gw + wn, T(0));
    return;
  }
  if (use_winograd(g, kWinogradMinChannelsWeight, gy, g.N * g.Cout * L, x, g.N * g.Cin * HW)) {
    winograd_backward_weight(g, gy, x, gw);
    return;
  }
  if (use_direct(g) || (padded(v) && !all_finite(gy, g.N * g.Cout * L))) {
    weight_grad_chunks<T>(g, macs, false, gw, [&](int64_t n0, int64_t n1, T* acc) {
      direct_backward_weight_range(g, gy, x, n0, n1, acc);
    });
    return;
  }
  const int64_t lb_max = block_size(g);
  const bool pw = pointwise(v);
  // Per image and group, the transposed block gw[g]^T [Kg, Cout_g] += cols . gy[n, g]^T: with the
  // columns as the GEMM's A (row-major) and gy^T as B this measured ~12% faster than
  // gy . cols^T, whose B operand (cols^T) packs slowly; the chunks are transposed at the end.
  const bool small = kg * Coutg <= kSmallNtMaxOut;
  weight_grad_chunks<T>(g, macs, true, gw, [&](int64_t n0, int64_t n1, T* acc) {
    T* tmp = scratch<T>(1, kg * Coutg);
    for (int64_t n = n0; n < n1; ++n) {
      for (int64_t grp = 0; grp < g.G; ++grp) {
        const T* gyg = gy + (n * g.Cout + grp * Coutg) * L;
        const T* xg = x + (n * g.Cin + grp * Cg) * HW;
        T* ag = acc + grp * kg * Coutg;
        for (int64_t l0 = 0; l0 < L; l0 += lb_max) {
          const int64_t lb = std::min(lb_max, L - l0);
          if (pw) {  // tmp = x[n, g][:, l0:l1] . gy[n, g][:, l0:l1]^T
            gemm1<T>(kg, Coutg, lb, xg + l0, HW, 1, gyg + l0, 1, L, tmp);
          } else {  // tmp = cols . gy[n, g][:, l0:l1]^T
            T* cols = scratch<T>(0, kg * lb);
            im2col_block(v, xg, Cg, l0, l0 + lb, cols);
            if (small) {
              gemm_nt_small<T>(kg, Coutg, lb, cols, lb, gyg + l0, L, tmp);
            } else {
              gemm1<T>(kg, Coutg, lb, cols, lb, 1, gyg + l0, 1, L, tmp);
            }
          }
          for (int64_t k = 0; k < kg * Coutg; ++k) ag[k] += tmp[k];
        }
      }
    }
  });
}

#define DL_CONV_INSTANTIATE(T)                                                                      \
  template void conv2d_forward<T>(const ConvGeom&, const T*, const T*, const T*, T*);              \
  template void conv2d_backward_input<T>(const ConvGeom&, const T*, const T*, T*);                 \
  template void conv2d_backward_weight<T>(const ConvGeom&, const T*, const T*, T*);
DL_CONV_INSTANTIATE(float)
DL_CONV_INSTANTIATE(double)
#undef DL_CONV_INSTANTIATE

}  // namespace dl
