// Vector float32 exp, log, tanh and sigmoid for the elementwise kernels (elementwise.cc).
//
// Each value is widened to double, the function is evaluated in double with a polynomial (AVX2 +
// FMA, four lanes, selected at run time), and the result is rounded once to float32. The double
// result is within about 1e-14 relative of the exact value, so the float32 result is the correctly
// rounded one except when the exact value lies within that distance of a rounding boundary (about
// one element in 10^7, then off by one float32 ulp). The js backend computes the same functions in
// double with V8's libm and rounds the same way, so both agree to within one ulp. Special values
// follow JS: exp(-inf) = 0, exp(+inf) = inf, log(0) = -inf, log(x < 0) = NaN, tanh(+-inf) = +-1,
// tanh(-0) = -0, sigmoid(-inf) = 0, NaN -> NaN.
//
//   exp(x)     = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2 (|r| <= ln(2)/2), e^r by its
//                Taylor polynomial of degree 12
//   log(x)     = k ln 2 + 2 atanh(s), x = 2^k m (m in [sqrt(1/2), sqrt(2))), s = (m - 1) / (m + 1),
//                atanh by its odd series through s^17
//   tanh(x)    = sign(x) (1 - 2 / (e^(2|x|) + 1)), or its odd Taylor series through x^13 when
//                |x| < 1/8 (where the subtraction would cancel)
//   sigmoid(x) = 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) otherwise (as the js backend)
//
// Without AVX2 (or on other architectures) the same functions are computed with C's libm in double
// and rounded to float32, as the js backend does.
//
// Example: vexp_f32(x, y, 3) with x = [0, 1, -inf] gives y = [1, 2.7182817, 0].
#pragma once

#include <cstdint>

namespace dl {

// y[i] = f(x[i]) for i in [0, n); x and y may be the same array. Results do not depend on the
// position of an element in the array (tails are padded and computed by the same vector code).
void vexp_f32(const float* x, float* y, int64_t n);
void vlog_f32(const float* x, float* y, int64_t n);
void vtanh_f32(const float* x, float* y, int64_t n);
void vsigmoid_f32(const float* x, float* y, int64_t n);

// Whether the vector code is in use (false: libm). `set_vmath_simd(false)` forces libm (for tests
// and comparisons); `set_vmath_simd(true)` restores the vector code where the CPU has it. Returns
// the new state.
bool vmath_simd();
bool set_vmath_simd(bool on);

}  // namespace dl
