// softmax / logSoftmax and the vectorisable float exp (see softmax.h).
//
// Two loops, as in reduce.cc: when the axis is the contiguous dim of both x and the output (softmax
// over classes of a [batch, classes] tensor), each line is done in three unit-stride passes (max;
// exp and store; scale, or subtract the log of the sum); otherwise up to kBlock neighbouring lines
// are done side by side, the inner loop running across the lines. The float32 loops are compiled
// for the baseline and, on x86, for AVX2+FMA (picked at run time); float64 ones call libm's exp.
#include "softmax.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "axis.h"

namespace dl {
namespace {

constexpr int64_t kBlock = 256;     // lines side by side
constexpr int64_t kPerTask = 8192;  // elements per task (each costs an exp)

template <bool kFma>
DL_ALWAYS_INLINE float mul_add(float a, float b, float c) {
  if constexpr (kFma) {
    return std::fma(a, b, c);  // only instantiated in functions compiled with FMA
  } else {
    return a * b + c;
  }
}

// e^x in float32 (see exp_f32 in softmax.h), branch-free and without float-to-int conversion so
// that the loops calling it vectorise (GCC will not if-convert a branch around float arithmetic
// while -ftrapping-math is on, its default).
// c ? a : b through bit masks: a plain ?: here lets GCC fold the constant into the arithmetic
// that follows and branch around it, which stops vectorisation.
DL_ALWAYS_INLINE float select_bits(bool c, float a, float b) {
  uint32_t ua, ub;
  std::memcpy(&ua, &a, sizeof ua);
  std::memcpy(&ub, &b, sizeof ub);
  const uint32_t mask = 0u - static_cast<uint32_t>(c);
  const uint32_t r = (ua & mask) | (ub & ~mask);
  float f;
  std::memcpy(&f, &r, sizeof f);
  return f;
}

template <bool kFma>
DL_ALWAYS_INLINE float exp1(float x) {
  // Clamped so that 2^n below is 0 for x < -87.68 and +inf for x > 88.37; NaN passes through.
  float xc = select_bits(x < -88.0f, -88.0f, x);
  xc = select_bits(xc > 89.0f, 89.0f, xc);
  // n = round(x / ln 2): adding and removing 1.5 * 2^23 rounds to an integer (|x / ln 2| < 2^22).
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // r = x - n ln 2 with ln 2 = 0.693359375 - 2.12194440e-4 (n * 0.693359375 is exact).
  float r = mul_add<kFma>(n, -0.693359375f, xc);
  r = mul_add<kFma>(n, 2.12194440e-4f, r);
  // e^r = 1 + r + r^2 q(r), q fitted (relative error of e^r at most 3.1e-9 for |r| <= ln2 / 2).
  float q = 1.3814593e-3f;
  q = mul_add<kFma>(q, r, 8.3687082e-3f);
  q = mul_add<kFma>(q, r, 4.1668389e-2f);
  q = mul_add<kFma>(q, r, 1.6666521e-1f);
  q = mul_add<kFma>(q, r, 4.9999994e-1f);
  const float p = 1.0f + mul_add<kFma>(r * r, q, r);
  // 2^n: 2^23 + 127 + n holds 127 + n (in [0, 255]) in its low mantissa bits; shifted up by 23 it
  // is the exponent field of 2^n (0 for n = -127, inf for n = 128).
  const float biased = n + 8388735.0f;
  uint32_t bits;
  std::memcpy(&bits, &biased, sizeof bits);
  bits <<= 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

template <bool kFma>
DL_ALWAYS_INLINE void exp_body(const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = exp1<kFma>(x[i]);
}

// Interleaved accumulators of the line loops (see reduce.cc).
constexpr int kLanes = 32;

// The max of a line with NaN propagation; -inf (all -inf) becomes 0, the js backend's shift.
template <typename T>
DL_ALWAYS_INLINE T line_shift(const T* __restrict x, int64_t n) {
  constexpr int L = kLanes;
  T m = -std::numeric_limits<T>::infinity();
  if (n < 16) {
    for (int64_t i = 0; i < n; i++) m = ((x[i] > m) | (x[i] != x[i])) ? x[i] : m;
  } else {
    T acc[L];
    for (int j = 0; j < L; j++) acc[j] = m;
    int64_t i = 0;
    for (; i + L <= n; i += L) {
      for (int j = 0; j < L; j++) acc[j] = ((x[i + j] > acc[j]) | (x[i + j] != x[i + j])) ? x[i + j] : acc[j];
    }
    const int64_t rest = n - i;
    for (int64_t j = 0; j < rest; j++) acc[j] = ((x[i + j] > acc[j]) | (x[i + j] != x[i + j])) ? x[i + j] : acc[j];
    for (int w = L / 2; w >= 1; w /= 2) {
      for (int j = 0; j < w; j++) acc[j] = ((acc[j + w] > acc[j]) | (acc[j + w] != acc[j + w])) ? acc[j + w] : acc[j];
    }
    m = acc[0];
  }
  return m == -std::numeric_limits<T>::infinity() ? T(0) : m;
}

// The sum of a line, in double.
template <typename T>
DL_ALWAYS_INLINE double line_sum(const T* __restrict x, int64_t n) {
  constexpr int L = kLanes;
  if (n < 16) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += static_cast<double>(x[i]);
    return s;
  }
  double acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    for (int j = 0; j < L; j++) acc[j] += static_cast<double>(x[i + j]);
  }
  const int64_t rest = n - i;
  for (int64_t j = 0; j < rest; j++) acc[j] += static_cast<double>(x[i + j]);
  for (int w = L / 2; w >= 1; w /= 2) {
    for (int j = 0; j < w; j++) acc[j] += acc[j + w];
  }
  return acc[0];
}

// `count` lines of length n, line j at x + j * xs and out + j * os, both contiguous along the axis.
template <bool kFma>
DL_ALWAYS_INLINE void lines_f32_body(bool log, const float* __restrict x, int64_t xs, float* __restrict out, int64_t os,
                                     int64_t count, int64_t n) {
  for (int64_t l = 0; l < count; l++) {
    const float* xl = x + l * xs;
    float* ol = out + l * os;
    const float m = line_shift(xl, n);
    for (int64_t i = 0; i < n; i++) ol[i] = exp1<kFma>(xl[i] - m);
    const double s = line_sum(ol, n);
    if (log) {
      const float ls = static_cast<float>(std::log(s));
      for (int64_t i = 0; i < n; i++) ol[i] = (xl[i] - m) - ls;
    } else {
      const float inv = static_cast<float>(1.0 / s);
      for (int64_t i = 0; i < n; i++) ol[i] *= inv;
    }
  }
}

// m lines side by side (m <= kBlock): line j at p[j * xs] stepping by xstep along the axis, its
// output at o[j * os] stepping by ostep. kUnit: xs == os == 1.
template <bool kFma, bool kUnit>
DL_ALWAYS_INLINE void block_f32_body(bool log, const float* __restrict p, int64_t len, int64_t xstep, int64_t m,
                                     int64_t xs_, float* __restrict o, int64_t ostep, int64_t os_) {
  const int64_t xs = kUnit ? 1 : xs_, os = kUnit ? 1 : os_;
  float mx[kBlock];
  double s[kBlock];
  for (int64_t j = 0; j < m; j++) {
    mx[j] = -std::numeric_limits<float>::infinity();
    s[j] = 0.0;
  }
  for (int64_t k = 0; k < len; k++) {
    const float* q = p + k * xstep;
    for (int64_t j = 0; j < m; j++) {
      const float v = q[j * xs];
      mx[j] = ((v > mx[j]) | (v != v)) ? v : mx[j];
    }
  }
  for (int64_t j = 0; j < m; j++) mx[j] = mx[j] == -std::numeric_limits<float>::infinity() ? 0.0f : mx[j];
  for (int64_t k = 0; k < len; k++) {
    const float* q = p + k * xstep;
    float* r = o + k * ostep;
    for (int64_t j = 0; j < m; j++) {
      const float e = exp1<kFma>(q[j * xs] - mx[j]);
      s[j] += static_cast<double>(e);
      r[j * os] = e;
    }
  }
  if (log) {
    float ls[kBlock];
    for (int64_t j = 0; j < m; j++) ls[j] = static_cast<float>(std::log(s[j]));
    for (int64_t k = 0; k < len; k++) {
      const float* q = p + k * xstep;
      float* r = o + k * ostep;
      for (int64_t j = 0; j < m; j++) r[j * os] = (q[j * xs] - mx[j]) - ls[j];
    }
  } else {
    float inv[kBlock];
    for (int64_t j = 0; j < m; j++) inv[j] = static_cast<float>(1.0 / s[j]);
    for (int64_t k = 0; k < len; k++) {
      float* r = o + k * ostep;
      for (int64_t j = 0; j < m; j++) r[j * os] *= inv[j];
    }
  }
}

template <bool kFma>
DL_ALWAYS_INLINE void block_f32(bool log, const float* p, int64_t len, int64_t xstep, int64_t m, int64_t xs, float* o,
                                int64_t ostep, int64_t os) {
  if (xs == 1 && os == 1) block_f32_body<kFma, true>(log, p, len, xstep, m, xs, o, ostep, os);
  else block_f32_body<kFma, false>(log, p, len, xstep, m, xs, o, ostep, os);
}

void exp_base(const float* x, float* out, int64_t n) { exp_body<false>(x, out, n); }
void lines_f32_base(bool log, const float* x, int64_t xs, float* out, int64_t os, int64_t count, int64_t n) {
  lines_f32_body<false>(log, x, xs, out, os, count, n);
}
void block_f32_base(bool log, const float* p, int64_t len, int64_t xstep, int64_t m, int64_t xs, float* o,
                    int64_t ostep, int64_t os) {
  block_f32<false>(log, p, len, xstep, m, xs, o, ostep, os);
}
#if defined(DL_X86)
DL_TARGET_AVX2 void exp_avx2(const float* x, float* out, int64_t n) { exp_body<true>(x, out, n); }
DL_TARGET_AVX2 void lines_f32_avx2(bool log, const float* x, int64_t xs, float* out, int64_t os, int64_t count,
                                   int64_t n) {
  lines_f32_body<true>(log, x, xs, out, os, count, n);
}
DL_TARGET_AVX2 void block_f32_avx2(bool log, const float* p, int64_t len, int64_t xstep, int64_t m, int64_t xs,
                                   float* o, int64_t ostep, int64_t os) {
  block_f32<true>(log, p, len, xstep, m, xs, o, ostep, os);
}
#endif

// float64: the js backend's arithmetic (exp and log from libm, a division per element).
void lines_f64(bool log, const double* x, int64_t xs, double* out, int64_t os, int64_t count, int64_t n) {
  for (int64_t l = 0; l < count; l++) {
    const double* xl = x + l * xs;
    double* ol = out + l * os;
    const double m = line_shift(xl, n);
    for (int64_t i = 0; i < n; i++) ol[i] = std::exp(xl[i] - m);
    const double s = line_sum(ol, n);
    if (log) {
      const double ls = std::log(s);
      for (int64_t i = 0; i < n; i++) ol[i] = (xl[i] - m) - ls;
    } else {
      for (int64_t i = 0; i < n; i++) ol[i] /= s;
    }
  }
}

void block_f64(bool log, const double* p, int64_t len, int64_t xstep, int64_t m, int64_t xs, double* o, int64_t ostep,
               int64_t os) {
  double mx[kBlock], s[kBlock];
  for (int64_t j = 0; j < m; j++) {
    mx[j] = -std::numeric_limits<double>::infinity();
    s[j] = 0.0;
  }
  for (int64_t k = 0; k < len; k++) {
    for (int64_t j = 0; j < m; j++) {
      const double v = p[k * xstep + j * xs];
      mx[j] = ((v > mx[j]) | (v != v)) ? v : mx[j];
    }
  }
  for (int64_t j = 0; j < m; j++) mx[j] = mx[j] == -std::numeric_limits<double>::infinity() ? 0.0 : mx[j];
  for (int64_t k = 0; k < len; k++) {
    for (int64_t j = 0; j < m; j++) {
      const double e = std::exp(p[k * xstep + j * xs] - mx[j]);
      s[j] += e;
      o[k * ostep + j * os] = e;
    }
  }
  if (log) {
    for (int64_t j = 0; j < m; j++) s[j] = std::log(s[j]);
    for (int64_t k = 0; k < len; k++) {
      for (int64_t j = 0; j < m; j++) o[k * ostep + j * os] = (p[k * xstep + j * xs] - mx[j]) - s[j];
    }
  } else {
    for (int64_t k = 0; k < len; k++) {
      for (int64_t j = 0; j < m; j++) o[k * ostep + j * os] /= s[j];
    }
  }
}

template <typename T, typename Lines, typename Block>
void softmax_impl(bool log, const T* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
                  int axis, T* out, Lines lines_fn, Block block_fn) {
  int64_t ostrides[Dims::kMax];
  int64_t st = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    ostrides[d] = st;
    st *= shape[d];
  }
  const AxisLines lines(ndim, shape, strides, offset, ostrides, axis);
  const int64_t len = lines.len;
  if (len == 0) return;
  const int64_t ntasks = tasks_for(static_cast<double>(lines.num_lines()) * len, kPerTask);
  if (lines.xstep == 1 && lines.ostep == 1) {  // the axis is contiguous: line by line
    lines.blocks(kBlock, ntasks, [&](int64_t xoff, int64_t ooff, int64_t m, int64_t xs, int64_t os) {
      lines_fn(log, x + xoff, xs, out + ooff, os, m, len);
    });
  } else {
    lines.blocks(kBlock, ntasks, [&](int64_t xoff, int64_t ooff, int64_t m, int64_t xs, int64_t os) {
      block_fn(log, x + xoff, len, lines.xstep, m, xs, out + ooff, lines.ostep, os);
    });
  }
}

}  // namespace

void exp_f32(const float* x, float* out, int64_t n) {
#if defined(DL_X86)
  if (use_avx2()) return exp_avx2(x, out, n);
#endif
  exp_base(x, out, n);
}

void softmax(bool log, const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
             float* out) {
  auto lines_fn = lines_f32_base;
  auto block_fn = block_f32_base;
#if defined(DL_X86)
  if (use_avx2()) {
    lines_fn = lines_f32_avx2;
    block_fn = block_f32_avx2;
  }
#endif
  softmax_impl(log, x, offset, ndim, shape, strides, axis, out, lines_fn, block_fn);
}

void softmax(bool log, const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
             int axis, double* out) {
  softmax_impl(log, x, offset, ndim, shape, strides, axis, out, lines_f64, block_f64);
}

}  // namespace dl
