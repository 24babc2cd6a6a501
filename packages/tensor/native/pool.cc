// Max and average pooling (see pool.h).
#include "pool.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu.h"
#include "gemm.h"  // use_avx2()
#include "scratch.h"
#include "simd_vec.h"
#include "unfold.h"

namespace dl {

namespace {

// The window of output o along one axis for average pooling, as the reference computes it:
// [start, end) clipped to the input, and `padded`, its length before clipping to the input (but
// after clipping to the padded input).
struct AvgWindow {
  int64_t start, end, padded;
};
AvgWindow avg_window(int64_t o, int64_t k, int64_t s, int64_t pad, int64_t size) {
  const int64_t start = o * s - pad;
  const int64_t end = std::min(start + k, size + pad);
  return {std::max<int64_t>(start, 0), std::min(end, size), end - start};
}

std::vector<AvgWindow> avg_windows(int64_t n, int64_t k, int64_t s, int64_t pad, int64_t size) {
  std::vector<AvgWindow> w(static_cast<size_t>(n));
  for (int64_t o = 0; o < n; ++o) w[static_cast<size_t>(o)] = avg_window(o, k, s, pad, size);
  return w;
}

// One window position of max pooling, the reference's rule: the first in-image position, a
// strictly larger value (so the first of equal values stays) or a NaN (which always takes over).
template <typename T>
void max_pool_window(const PoolGeom& g, const T* xp, int64_t hs, int64_t kilo, int64_t kihi, int64_t ws,
                     int64_t kjlo, int64_t kjhi, T* v_out, int32_t* i_out) {
  T best = -std::numeric_limits<T>::infinity();
  int64_t bi = -1;  // -1: no in-image position seen yet
  for (int64_t ki = kilo; ki < kihi; ++ki) {
    const int64_t h = hs + ki * g.dH;
    for (int64_t kj = kjlo; kj < kjhi; ++kj) {
      const int64_t w = ws + kj * g.dW;
      const T v = xp[h * g.W + w];
      if (bi < 0 || v > best || v != v) {
        best = v;
        bi = h * g.W + w;
      }
    }
  }
  *v_out = best;
  *i_out = static_cast<int32_t>(bi);
}

// vals[j], idx[j] for j < n: the running max over the taps seen so far and its index, updated
// with the tap values v[j] at indices base + j * step (the same rule as max_pool_window). Written
// as selects over arrays so that the compiler vectorises it: on real data the comparison is
// unpredictable, and a branch per tap cost ~20 ns per window.
template <typename T>
void max_pool_update(int64_t n, const T* __restrict v, int32_t base, int32_t step, T* __restrict vals,
                     int32_t* __restrict idx) {
  for (int64_t j = 0; j < n; ++j) {
    const T x = v[j];
    const bool take = (x > vals[j]) | (x != x);
    vals[j] = take ? x : vals[j];
    idx[j] = take ? base + static_cast<int32_t>(j) * step : idx[j];
  }
}

template <typename T>
void max_pool_first(int64_t n, const T* __restrict v, int32_t base, int32_t step, T* __restrict vals,
                    int32_t* __restrict idx) {
  for (int64_t j = 0; j < n; ++j) {
    vals[j] = v[j];
    idx[j] = base + static_cast<int32_t>(j) * step;
  }
}

// Pools one plane. Windows whose columns are all inside the image ([ja, jb)) are done a row of
// windows at a time, tap by tap (in the window's row-major order, which keeps the tie and NaN
// rules); the others one by one.
template <typename T>
void max_pool_plane(const PoolGeom& g, const T* xp, T* vp, int32_t* ip, const int64_t* kjlo, const int64_t* kjhi,
                    int64_t ja, int64_t jb, T* tap) {
  for (int64_t i = 0; i < g.Hout; ++i) {
    const int64_t hs = i * g.sH - g.pH;
    int64_t kilo, kihi;
    valid_range(hs, g.dH, g.H, g.kH, &kilo, &kihi);  // kernel rows inside the image
    T* vr = vp + i * g.Wout;
    int32_t* ir = ip + i * g.Wout;
    const bool rows = kilo < kihi && ja < jb;
    for (int64_t j = 0; j < g.Wout; ++j) {
      if (rows && j == ja) j = jb;  // done below
      if (j >= g.Wout) break;
      max_pool_window(g, xp, hs, kilo, kihi, j * g.sW - g.pW, kjlo[j], kjhi[j], vr + j, ir + j);
    }
    if (!rows) continue;
    const int64_t n = jb - ja;
    bool first = true;
    for (int64_t ki = kilo; ki < kihi; ++ki) {
      const int64_t h = hs + ki * g.dH;
      for (int64_t kj = 0; kj < g.kW; ++kj) {
        const int64_t base = h * g.W + ja * g.sW - g.pW + kj * g.dW;  // the tap of window ja
        const T* v = xp + base;
        if (g.sW != 1) {
          for (int64_t j = 0; j < n; ++j) tap[j] = xp[base + j * g.sW];
          v = tap;
        }
        const int32_t b32 = static_cast<int32_t>(base), s32 = static_cast<int32_t>(g.sW);
        if (first) {
          max_pool_first(n, v, b32, s32, vr + ja, ir + ja);
          first = false;
        } else {
          max_pool_update(n, v, b32, s32, vr + ja, ir + ja);
        }
      }
    }
  }
}

// The first input column of each of W neighbouring 2x2 windows, from the group's first: 2 * lane.
template <typename I, int W>
__attribute__((always_inline)) inline I window_columns() {
  I c;
  for (int l = 0; l < W; ++l) c[l] = 2 * l;
  return c;
}

// Runs group(j) over the windows [0, n) of a row, W at a time, the last group moved back to end
// at n when n >= W (its first windows done twice, to the same values); returns the first window
// left to the one-by-one code (n when none is).
template <int W, typename F>
__attribute__((always_inline)) inline int64_t window_groups(int64_t n, F&& group) {
  int64_t j = 0;
  for (; j + W <= n; j += W) group(j);
  if (j < n && n >= W) {
    group(n - W);
    j = n;
  }
  return j;
}

// 2x2 windows with stride 2, no padding or dilation, every window inside the image: the usual
// pooling layer of a CNN, done W windows of a row at a time with vectors of B bytes (float only).
bool pool_2x2(const PoolGeom& g) {
  return g.kH == 2 && g.kW == 2 && g.sH == 2 && g.sW == 2 && g.pH == 0 && g.pW == 0 && g.dH == 1 && g.dW == 1 &&
         2 * g.Hout <= g.H && 2 * g.Wout <= g.W;
}

template <int B>
__attribute__((always_inline)) inline void max_pool_2x2_plane(const PoolGeom& g, const float* xp, float* vp,
                                                              int32_t* ip) {
  using Vc = Vec<float, B>;
  using V = typename Vc::V;
  using I = typename Vc::I;
  constexpr int W = Vc::W;
  const I lane2 = window_columns<I, W>();
  const int32_t w32 = static_cast<int32_t>(g.W);
  for (int64_t i = 0; i < g.Hout; ++i) {
    const float* r0 = xp + 2 * i * g.W;
    const float* r1 = r0 + g.W;
    float* vr = vp + i * g.Wout;
    int32_t* ir = ip + i * g.Wout;
    auto group = [&](int64_t j) {  // windows j .. j + W - 1 of the row
      const V x0 = vload<V>(r0 + 2 * j), x1 = vload<V>(r0 + 2 * j + W);
      const V y0 = vload<V>(r1 + 2 * j), y1 = vload<V>(r1 + 2 * j + W);
      // the taps (0, 0), (0, 1), (1, 0), (1, 1) of W windows
      const V a = Vc::even(x0, x1), b = Vc::odd(x0, x1), c = Vc::even(y0, y1), d = Vc::odd(y0, y1);
      // max_pool_window's rule, tap by tap: a larger value or a NaN takes over
      const I ia = lane2 + static_cast<int32_t>(2 * i * g.W + 2 * j);
      V best = a;
      I bi = ia;
      I t = (b > best) | (b != b);
      best = t ? b : best;
      bi = t ? ia + 1 : bi;
      t = (c > best) | (c != c);
      best = t ? c : best;
      bi = t ? ia + w32 : bi;
      t = (d > best) | (d != d);
      best = t ? d : best;
      bi = t ? ia + (w32 + 1) : bi;
      vstore(vr + j, best);
      vstore(ir + j, bi);
    };
    int64_t j = window_groups<W>(g.Wout, group);
    for (; j < g.Wout; ++j) max_pool_window(g, xp, 2 * i, 0, 2, 2 * j, 0, 2, vr + j, ir + j);
  }
}

void max_pool_2x2_base(const PoolGeom& g, const float* xp, float* vp, int32_t* ip) {
  max_pool_2x2_plane<16>(g, xp, vp, ip);
}
#if defined(DL_X86)
DL_TARGET_AVX2 void max_pool_2x2_avx2(const PoolGeom& g, const float* xp, float* vp, int32_t* ip) {
  max_pool_2x2_plane<32>(g, xp, vp, ip);
}
#endif

// The backward pass of a pool_2x2 layer on one plane (float only). Each input position lies in
// one window, so an index inside its window is the only one to reach its position, and the
// gradient there is 0 + that window's gy (the reference's double sum of one value rounds back to
// it; adding the 0 turns a -0 into +0 as the sum does); every other position gets 0. Each pair of input rows is written once, W windows at a time: the
// 4 taps of a window take gy or 0 by the index, interleaved into the two rows. Returns false,
// having written part of the plane, when an index is not inside its window (a negative one, one
// past the plane, or one the caller made up): the caller then runs the general loop.
template <int B>
__attribute__((always_inline)) inline bool max_unpool_2x2_plane(const PoolGeom& g, const float* gp,
                                                                const int32_t* ip, float* out) {
  using Vc = Vec<float, B>;
  using V = typename Vc::V;
  using I = typename Vc::I;
  constexpr int W = Vc::W;
  const I lane2 = window_columns<I, W>();
  const int32_t w32 = static_cast<int32_t>(g.W);
  const V zero = {};
  for (int64_t i = 0; i < g.Hout; ++i) {
    float* r0 = out + 2 * i * g.W;
    float* r1 = r0 + g.W;
    const float* gr = gp + i * g.Wout;
    const int32_t* ir = ip + i * g.Wout;
    const int32_t row0 = static_cast<int32_t>(2 * i * g.W);
    I bad = {};
    auto group = [&](int64_t j) {  // windows j .. j + W - 1 of the row
      const V v = vload<V>(gr + j) + zero;
      // the index against the window's 4 positions (compared, not subtracted: a caller's index
      // may be anything, and int32 differences could overflow)
      const I idx = vload<I>(ir + j), at = lane2 + (row0 + static_cast<int32_t>(2 * j));
      const I ta = idx == at, tb = idx == at + 1, tc = idx == at + w32, td = idx == at + (w32 + 1);
      bad |= ~(ta | tb | tc | td);
      const V a = ta ? v : zero, b = tb ? v : zero, c = tc ? v : zero, e = td ? v : zero;
      vstore(r0 + 2 * j, Vc::zip_lo(a, b));
      vstore(r0 + 2 * j + W, Vc::zip_hi(a, b));
      vstore(r1 + 2 * j, Vc::zip_lo(c, e));
      vstore(r1 + 2 * j + W, Vc::zip_hi(c, e));
    };
    int64_t j = window_groups<W>(g.Wout, group);
    for (; j < g.Wout; ++j) {
      const int64_t d = static_cast<int64_t>(ir[j]) - (row0 + 2 * j);
      if (d != 0 && d != 1 && d != g.W && d != g.W + 1) return false;
      const float v = gr[j] + 0.0f;
      r0[2 * j] = d == 0 ? v : 0.0f;
      r0[2 * j + 1] = d == 1 ? v : 0.0f;
      r1[2 * j] = d == g.W ? v : 0.0f;
      r1[2 * j + 1] = d == g.W + 1 ? v : 0.0f;
    }
    for (int l = 0; l < W; ++l) {
      if (bad[l] != 0) return false;
    }
    std::fill(r0 + 2 * g.Wout, r0 + g.W, 0.0f);  // a last column no window covers
    std::fill(r1 + 2 * g.Wout, r1 + g.W, 0.0f);
  }
  std::fill(out + 2 * g.Hout * g.W, out + g.H * g.W, 0.0f);  // a last row no window covers
  return true;
}

bool max_unpool_2x2_base(const PoolGeom& g, const float* gp, const int32_t* ip, float* out) {
  return max_unpool_2x2_plane<16>(g, gp, ip, out);
}
#if defined(DL_X86)
DL_TARGET_AVX2 bool max_unpool_2x2_avx2(const PoolGeom& g, const float* gp, const int32_t* ip, float* out) {
  return max_unpool_2x2_plane<32>(g, gp, ip, out);
}
#endif

// Whether window (i, j) can have picked `at`: an in-image position h * W + w of the window, or -1
// when the window has no in-image position (max_pool2d's index for a window wholly in the padding).
bool picked_by_window(const PoolGeom& g, int64_t i, int64_t j, int64_t at) {
  const int64_t hs = i * g.sH - g.pH, ws = j * g.sW - g.pW;
  if (at < 0 || at >= g.H * g.W) {
    if (at != -1) return false;
    int64_t a, b, c, d;
    valid_range(hs, g.dH, g.H, g.kH, &a, &b);
    valid_range(ws, g.dW, g.W, g.kW, &c, &d);
    return a >= b || c >= d;
  }
  const int64_t dh = at / g.W - hs, dw = at % g.W - ws;
  return dh >= 0 && dw >= 0 && dh % g.dH == 0 && dw % g.dW == 0 && dh / g.dH < g.kH && dw / g.dW < g.kW;
}

// What average pooling divides window (a, b)'s sum by, as the reference: divisor_override when
// nonzero, else the window size with (count_include_pad) or without the padding.
int64_t avg_divisor(const PoolGeom& g, const AvgWindow& a, const AvgWindow& b) {
  if (g.divisor_override != 0) return g.divisor_override;
  return g.count_include_pad ? a.padded * b.padded : (a.end - a.start) * (b.end - b.start);
}

// A per-thread double buffer of n elements (scratch.h).
double* acc_buffer(int64_t n) {
  thread_local ScratchBuffer<double> buf;
  return buf.get(n);
}

// Where the gradient of one plane is summed: gx itself for double, a per-thread double buffer of
// HW elements for float (rounded into gx by finish_plane), as the reference sums in double.
template <typename T>
double* plane_sums(T* out, int64_t HW) {
  if constexpr (std::is_same<T, double>::value) {
    return out;
  } else {
    return acc_buffer(HW);
  }
}

template <typename T>
void finish_plane(const double* sums, T* out, int64_t HW) {
  if constexpr (!std::is_same<T, double>::value) {
    for (int64_t k = 0; k < HW; ++k) out[k] = static_cast<T>(sums[k]);
  }
}

}  // namespace

int64_t pool_output_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (span >= 0 ? span / stride : -ceil_div_pos(-span, stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

template <typename T>
void max_pool2d(const PoolGeom& g, const T* x, T* values, int32_t* indices) {
  const int64_t HW = g.H * g.W, L = g.Hout * g.Wout;
  // kernel columns inside the image, per output column, and the output columns [ja, jb) whose
  // windows have all their columns inside
  std::vector<int64_t> kjlo(static_cast<size_t>(g.Wout)), kjhi(static_cast<size_t>(g.Wout));
  int64_t ja = g.Wout, jb = g.Wout;
  for (int64_t j = 0; j < g.Wout; ++j) {
    valid_range(j * g.sW - g.pW, g.dW, g.W, g.kW, &kjlo[j], &kjhi[j]);
    const bool full = kjlo[j] == 0 && kjhi[j] == g.kW;
    if (full && ja == g.Wout) ja = j;
    if (full) jb = j + 1;
  }
  if (ja >= jb) ja = jb = 0;
  if constexpr (std::is_same<T, float>::value) {
    if (pool_2x2(g)) {
      auto plane = max_pool_2x2_base;
#if defined(DL_X86)
      if (use_avx2()) plane = max_pool_2x2_avx2;
#endif
      for_chunks(g.N * g.C, L * 4 + 1, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) plane(g, x + p * HW, values + p * L, indices + p * L);
      });
      return;
    }
  }
  for_chunks(g.N * g.C, L * g.kH * g.kW + 1, [&](int64_t p0, int64_t p1) {
    std::vector<T> tap(static_cast<size_t>(g.sW != 1 ? jb - ja : 0));
    for (int64_t p = p0; p < p1; ++p) {
      max_pool_plane(g, x + p * HW, values + p * L, indices + p * L, kjlo.data(), kjhi.data(), ja, jb, tap.data());
    }
  });
}

template <typename T>
bool max_pool2d_backward(const PoolGeom& g, const T* gy, const int32_t* indices, T* gx) {
  const int64_t HW = g.H * g.W, L = g.Hout * g.Wout;
  std::atomic<bool> ok{true};
  // plane p: each gy value added (in double, as the reference) at its index
  auto sum_plane = [&](int64_t p) {
    const T* gp = gy + p * L;
    const int32_t* ip = indices + p * L;
    T* out = gx + p * HW;
    double* a = plane_sums(out, HW);
    std::fill(a, a + HW, 0.0);
    for (int64_t k = 0; k < L; ++k) {
      const int64_t at = ip[k];
      if (!picked_by_window(g, k / g.Wout, k % g.Wout, at)) {
        ok.store(false, std::memory_order_relaxed);
        return;
      }
      if (at < 0) continue;  // a window wholly in the padding routes nothing
      a[at] += static_cast<double>(gp[k]);
    }
    finish_plane(a, out, HW);
  };
  if constexpr (std::is_same<T, float>::value) {
    if (pool_2x2(g)) {
      auto plane = max_unpool_2x2_base;
#if defined(DL_X86)
      if (use_avx2()) plane = max_unpool_2x2_avx2;
#endif
      for_chunks(g.N * g.C, L + HW, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          if (!plane(g, gy + p * L, indices + p * L, gx + p * HW)) sum_plane(p);
        }
      });
      return ok.load();
    }
  }
  for_chunks(g.N * g.C, L + HW, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) sum_plane(p);
  });
  return ok.load();
}

template <typename T>
void avg_pool2d(const PoolGeom& g, const T* x, T* y) {
  const int64_t HW = g.H * g.W, L = g.Hout * g.Wout;
  const std::vector<AvgWindow> wh = avg_windows(g.Hout, g.kH, g.sH, g.pH, g.H);
  const std::vector<AvgWindow> ww = avg_windows(g.Wout, g.kW, g.sW, g.pW, g.W);
  for_chunks(g.N * g.C, L * g.kH * g.kW + 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * HW;
      T* yp = y + p * L;
      for (int64_t i = 0; i < g.Hout; ++i) {
        const AvgWindow& a = wh[static_cast<size_t>(i)];
        for (int64_t j = 0; j < g.Wout; ++j) {
          const AvgWindow& b = ww[static_cast<size_t>(j)];
          if (a.start >= a.end || b.start >= b.end) {
            yp[i * g.Wout + j] = T(0);  // nothing of the image under this window
            continue;
          }
          double sum = 0;
          for (int64_t h = a.start; h < a.end; ++h) {
            for (int64_t w = b.start; w < b.end; ++w) sum += static_cast<double>(xp[h * g.W + w]);
          }
          yp[i * g.Wout + j] = static_cast<T>(sum / static_cast<double>(avg_divisor(g, a, b)));
        }
      }
    }
  });
}

template <typename T>
void avg_pool2d_backward(const PoolGeom& g, const T* gy, T* gx) {
  const int64_t HW = g.H * g.W, L = g.Hout * g.Wout;
  const std::vector<AvgWindow> wh = avg_windows(g.Hout, g.kH, g.sH, g.pH, g.H);
  const std::vector<AvgWindow> ww = avg_windows(g.Wout, g.kW, g.sW, g.pW, g.W);
  for_chunks(g.N * g.C, L * g.kH * g.kW + HW, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* gp = gy + p * L;
      T* out = gx + p * HW;
      double* s = plane_sums(out, HW);
      std::fill(s, s + HW, 0.0);
      for (int64_t i = 0; i < g.Hout; ++i) {
        const AvgWindow& a = wh[static_cast<size_t>(i)];
        for (int64_t j = 0; j < g.Wout; ++j) {
          const AvgWindow& b = ww[static_cast<size_t>(j)];
          const double gv = static_cast<double>(gp[i * g.Wout + j]);
          if (a.start >= a.end || b.start >= b.end) continue;  // the forward output was a constant 0
          const double share = gv / static_cast<double>(avg_divisor(g, a, b));
          for (int64_t h = a.start; h < a.end; ++h) {
            for (int64_t w = b.start; w < b.end; ++w) s[h * g.W + w] += share;
          }
        }
      }
      finish_plane(s, out, HW);
    }
  });
}

#define DL_POOL_INSTANTIATE(T)                                                                     \
  template void max_pool2d<T>(const PoolGeom&, const T*, T*, int32_t*);                           \
  template bool max_pool2d_backward<T>(const PoolGeom&, const T*, const int32_t*, T*);            \
  template void avg_pool2d<T>(const PoolGeom&, const T*, T*);                                     \
  template void avg_pool2d_backward<T>(const PoolGeom&, const T*, T*);
DL_POOL_INSTANTIATE(float)
DL_POOL_INSTANTIATE(double)
#undef DL_POOL_INSTANTIATE

}  // namespace dl
