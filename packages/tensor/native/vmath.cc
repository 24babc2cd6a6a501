// Vector float32 exp, log, tanh and sigmoid (see vmath.h for the formulas and the accuracy).
#include "vmath.h"

#include <atomic>
#include <cmath>
#include <cstring>

#include "cpu.h"

namespace dl {
namespace {

// ---- libm fallback: the js backend's formulas in double, rounded to float32 -------------------

inline float exp_ref(float x) { return static_cast<float>(std::exp(static_cast<double>(x))); }
inline float log_ref(float x) { return static_cast<float>(std::log(static_cast<double>(x))); }
inline float tanh_ref(float x) { return static_cast<float>(std::tanh(static_cast<double>(x))); }
inline float sigmoid_ref(float x) {
  const double v = x;
  if (v >= 0) return static_cast<float>(1.0 / (1.0 + std::exp(-v)));
  const double e = std::exp(v);
  return static_cast<float>(e / (1.0 + e));
}

template <float (*F)(float)>
void map_ref(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = F(x[i]);
}

#if defined(DL_X86)

// ---- AVX2 + FMA: four doubles per vector ---------------------------------------------------------

// 1/k! for k = 0..12, highest first (Horner order).
constexpr double kExpPoly[] = {
    1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0,
    1.0 / 120.0,       1.0 / 24.0,       1.0 / 6.0,       0.5,            1.0,           1.0};
constexpr double kLn2Hi = 0x1.62e42fefa39efp-1;  // ln 2 rounded to double
constexpr double kLn2Lo = 0x1.abc9e3b39803fp-56;  // ln 2 - kLn2Hi
constexpr double kLog2e = 0x1.71547652b82fep0;

// e^x for every lane; x in any range (NaN passes through, results beyond the float32 range are
// only good enough to round to 0 or inf in float32: x is clamped to [-150, 100]).
DL_TARGET_AVX2 inline __m256d exp_pd(__m256d x) {
  const __m256d xc = _mm256_min_pd(_mm256_max_pd(x, _mm256_set1_pd(-150.0)), _mm256_set1_pd(100.0));
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(xc, _mm256_set1_pd(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(kLn2Hi), xc);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(kLn2Lo), r);
  __m256d p = _mm256_set1_pd(kExpPoly[0]);
  for (int k = 1; k < 13; k++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(kExpPoly[k]));
  // 2^n: n + 1.5 * 2^52 holds n in its low bits; add the exponent bias and shift it into place.
  const __m256i k = _mm256_castpd_si256(_mm256_add_pd(n, _mm256_set1_pd(0x1.8p52)));
  const __m256i scale = _mm256_slli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)), 52);
  const __m256d y = _mm256_mul_pd(p, _mm256_castsi256_pd(scale));
  return _mm256_blendv_pd(y, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

DL_TARGET_AVX2 inline __m256d abs_pd(__m256d x) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x); }

DL_TARGET_AVX2 inline __m256d sigmoid_pd(__m256d x) {
  const __m256d e = exp_pd(_mm256_or_pd(x, _mm256_set1_pd(-0.0)));  // e^-|x|
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d num = _mm256_blendv_pd(one, e, _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_LT_OQ));
  return _mm256_div_pd(num, _mm256_add_pd(one, e));
}

// Odd Taylor coefficients of tanh: x, x^3, ..., x^13 (highest first).
constexpr double kTanhPoly[] = {21844.0 / 6081075.0, -1382.0 / 155925.0, 62.0 / 2835.0, -17.0 / 315.0,
                                2.0 / 15.0,          -1.0 / 3.0,         1.0};

DL_TARGET_AVX2 inline __m256d tanh_pd(__m256d x) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d a = abs_pd(x);
  const __m256d one = _mm256_set1_pd(1.0);
  // |x| >= 1/8: 1 - 2 / (e^2|x| + 1), with the sign of x
  const __m256d e = exp_pd(_mm256_add_pd(a, a));
  const __m256d big = _mm256_or_pd(_mm256_sub_pd(one, _mm256_div_pd(_mm256_set1_pd(2.0), _mm256_add_pd(e, one))),
                                   _mm256_and_pd(x, sign));
  // |x| < 1/8: x (1 + x^2 (c3 + x^2 (c5 + ...)))
  const __m256d z = _mm256_mul_pd(x, x);
  __m256d p = _mm256_set1_pd(kTanhPoly[0]);
  for (int k = 1; k < 7; k++) p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(kTanhPoly[k]));
  const __m256d small = _mm256_mul_pd(p, x);
  return _mm256_blendv_pd(big, small, _mm256_cmp_pd(a, _mm256_set1_pd(0.125), _CMP_LT_OQ));
}

// 2 / (2k + 1) for k = 8 .. 0 (atanh series, highest first).
constexpr double kLogPoly[] = {2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0,
                               2.0 / 7.0,  2.0 / 5.0,  2.0 / 3.0,  2.0};

DL_TARGET_AVX2 inline __m256d log_pd(__m256d x) {
  const __m256i bits = _mm256_castpd_si256(x);
  // x = 2^e m with m in [1, 2) (x > 0 normal: every float32 value is a normal double)
  const __m256d m0 = _mm256_castsi256_pd(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)), _mm256_set1_epi64x(0x3FF0000000000000LL)));
  const __m256i ebits = _mm256_or_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x4330000000000000LL));
  __m256d e = _mm256_sub_pd(_mm256_castsi256_pd(ebits), _mm256_set1_pd(0x1p52 + 1023.0));
  // m in [sqrt(1/2), sqrt(2))
  const __m256d big = _mm256_cmp_pd(m0, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
  const __m256d m = _mm256_blendv_pd(m0, _mm256_mul_pd(m0, _mm256_set1_pd(0.5)), big);
  e = _mm256_add_pd(e, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
  const __m256d f = _mm256_sub_pd(m, _mm256_set1_pd(1.0));
  const __m256d s = _mm256_div_pd(f, _mm256_add_pd(f, _mm256_set1_pd(2.0)));
  const __m256d z = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(kLogPoly[0]);
  for (int k = 1; k < 9; k++) p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(kLogPoly[k]));
  const __m256d r = _mm256_fmadd_pd(e, _mm256_set1_pd(kLn2Hi), _mm256_fmadd_pd(e, _mm256_set1_pd(kLn2Lo), _mm256_mul_pd(p, s)));
  // +inf and NaN give themselves, x < 0 NaN, +-0 -inf
  __m256d y = _mm256_blendv_pd(r, x, _mm256_cmp_pd(x, _mm256_set1_pd(INFINITY), _CMP_NLT_UQ));
  y = _mm256_blendv_pd(y, _mm256_set1_pd(NAN), _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_LT_OQ));
  return _mm256_blendv_pd(y, _mm256_set1_pd(-INFINITY), _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_EQ_OQ));
}

// y[i] = F(x[i]) over float32 arrays, 8 at a time; the tail goes through a zero-padded block so
// it is computed by the same code.
template <__m256d (*F)(__m256d)>
DL_TARGET_AVX2 void map_avx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d lo = F(_mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    const __m256d hi = F(_mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
    _mm_storeu_ps(y + i, _mm256_cvtpd_ps(lo));
    _mm_storeu_ps(y + i + 4, _mm256_cvtpd_ps(hi));
  }
  if (i < n) {
    float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(buf, x + i, sizeof(float) * static_cast<size_t>(n - i));
    _mm_storeu_ps(buf, _mm256_cvtpd_ps(F(_mm256_cvtps_pd(_mm_loadu_ps(buf)))));
    _mm_storeu_ps(buf + 4, _mm256_cvtpd_ps(F(_mm256_cvtps_pd(_mm_loadu_ps(buf + 4)))));
    std::memcpy(y + i, buf, sizeof(float) * static_cast<size_t>(n - i));
  }
}

bool cpu_has_avx2() { return detect_simd() >= Simd::kAvx2; }

#else

bool cpu_has_avx2() { return false; }

#endif

std::atomic<bool>& simd_flag() {
  static std::atomic<bool> on{cpu_has_avx2()};
  return on;
}

}  // namespace

bool vmath_simd() { return simd_flag().load(std::memory_order_relaxed); }

bool set_vmath_simd(bool on) {
  simd_flag().store(on && cpu_has_avx2(), std::memory_order_relaxed);
  return vmath_simd();
}

#if defined(DL_X86)
#define DL_VMATH(name, vec, ref)                                 \
  void name(const float* x, float* y, int64_t n) {               \
    if (vmath_simd()) map_avx2<vec>(x, y, n);                    \
    else map_ref<ref>(x, y, n);                                  \
  }
#else
#define DL_VMATH(name, vec, ref) \
  void name(const float* x, float* y, int64_t n) { map_ref<ref>(x, y, n); }
#endif

DL_VMATH(vexp_f32, exp_pd, exp_ref)
DL_VMATH(vlog_f32, log_pd, log_ref)
DL_VMATH(vtanh_f32, tanh_pd, tanh_ref)
DL_VMATH(vsigmoid_f32, sigmoid_pd, sigmoid_ref)

#undef DL_VMATH

}  // namespace dl
