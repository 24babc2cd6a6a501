// Elementwise kernels of the native backend, float32 and float64. Their results match the `js`
// reference backend: arithmetic is exact IEEE in the element type (a float32 add equals the
// float64 add rounded to float32, which is what js stores); exp/log/tanh/... of float32 values
// are computed in double and rounded, as js does.
#pragma once

#include <cstdint>

namespace dl {

// Numbering shared with src/backends/native/index.ts (keep the two lists in step).
enum class BinaryOp : int { kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kCount };
enum class UnaryOp : int {
  kNeg = 0, kAbs, kSign, kExp, kLog, kSqrt, kSin, kCos, kTanh, kSigmoid, kRelu, kStep, kCount
};

// out[i] = op(a[i % pa], b[i % pb]) for i in [0, n). A period of n is a plain contiguous operand,
// 1 a broadcast scalar, and anything in between an operand repeated along leading broadcast dims
// (a bias row of length N added to an [M, N] matrix has period N).
void binary(BinaryOp op, const float* a, int64_t pa, const float* b, int64_t pb, float* out, int64_t n);
void binary(BinaryOp op, const double* a, int64_t pa, const double* b, int64_t pb, double* out, int64_t n);

// out[i] = op(x[i]) for i in [0, n).
void unary(UnaryOp op, const float* x, float* out, int64_t n);
void unary(UnaryOp op, const double* x, double* out, int64_t n);

}  // namespace dl
