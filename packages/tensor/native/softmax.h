// softmax / logSoftmax of the native backend along one axis of a strided view (any layout), into a
// dense row-major output of the same shape, and the vectorisable float exp they use.
#pragma once

#include <cstdint>

namespace dl {

// Along `axis`, for every line x_0 .. x_{n-1} (m = max_k x_k, or 0 when the max is -inf):
//   softmax:    out_k = exp(x_k - m) / sum_j exp(x_j - m)
//   logSoftmax: out_k = (x_k - m) - log(sum_j exp(x_j - m))
// exactly the js backend's formulas, so its special cases come out the same: a NaN or a +inf in
// a line makes the whole line NaN, -inf elements give 0 (softmax) / -inf (logSoftmax), a line of
// only -inf gives NaN.
//
// float64 uses libm's exp and log and divides like the js backend (differences: the order of the
// sum, and libm vs V8 in the last bit). float32 computes x - m and exp in float32 with exp_f32
// below (vector code) and the sum in double: within a few ulp of the js backend's all-double
// result (about (3 + |x_k - m|) * 2^-24 relative for softmax; for logSoftmax an absolute
// 2^-23 * (|x_k - m| + |log sum|)), and probabilities under 2^-126 (1.2e-38) may come out as 0.
//
// Example: x = [[1, 2, 3]] along axis 1: softmax [0.0900, 0.2447, 0.6652],
// logSoftmax [-2.4076, -1.4076, -0.4076].
void softmax(bool log, const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
             int axis, float* out);
void softmax(bool log, const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
             int axis, double* out);

// out[i] = e^x[i] for i < n, float32, vectorised (AVX2+FMA when available, else the baseline
// SSE2 / NEON), error within 1 ulp for x in [-87.6, 88.3] (checked on every float there; results
// below 2^-126 = 1.2e-38 lose precision as subnormals); x < -87.68 gives 0 (exact value under 8.3e-39),
// x > 88.37 gives +inf (exact value from 2.5e38 up), -inf gives 0, +inf gives +inf, NaN gives NaN.
//   e^x = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 split in two
//   parts so that n * ln2_hi is exact), e^r = 1 + r + r^2 q(r) with q of degree 4 fitted for
//   relative error (max 3.1e-9 on the interval), 2^n put into the exponent bits. Error checked
//   by comparing with double exp on every float in range, baseline and AVX2 builds: max 0.99 ulp.
void exp_f32(const float* x, float* out, int64_t n);

}  // namespace dl
