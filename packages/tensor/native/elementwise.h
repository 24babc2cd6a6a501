// Elementwise kernels of the native backend: unary math and binary arithmetic / comparisons over
// float32, float64, int32 and bool (uint8) storages, on contiguous, periodic (scalar or repeated
// row) or arbitrarily strided operands (broadcast stride 0, transposed, sliced, negative). cast,
// assign and where are in copy.h.
//
// Results equal those of the `js` reference backend, which computes every element in JS doubles
// and stores it into the output's typed array:
// - arithmetic is exact IEEE in the element type (a float32 add equals the float64 add rounded to
//   float32, since float64 holds every float32 sum exactly enough to round once); int32 add, sub,
//   mul and pow wrap modulo 2^32 (as `(a + b) | 0`, `Math.imul`, and the js backend's
//   exponentiation by squaring, where x ** -n is 0 unless |x| = 1); int32 div converts the double
//   quotient (NaN and +-inf become 0, other values are truncated toward 0 and wrapped);
// - comparisons and logical ops give bool (0/1); NaN compares unequal to everything, and counts as
//   true in logical ops;
// - a bool result of arithmetic (e.g. add of two bool tensors) is `value != 0`;
// - exp, log, sin, cos, tanh, sigmoid and pow are computed in double and rounded to the output.
//   float64 uses C's libm, which may differ from V8's in the last bit (tanh and sigmoid by up to
//   3; pow by 2, 1 and 0.5 is exactly V8's: a * a, a, sqrt(a)). float32 exp, log, tanh and
//   sigmoid use vector code (AVX2, chosen at run time; see vmath.h) whose double-precision
//   result is within ~1e-13 relative of the exact value before rounding to float32, so they equal
//   js except, rarely, by one float32 ulp.
//
// Example: binary(kAdd, kF32, a, 1, b, 4, kF32, out, 8) with a = [10] and b = [1, 2, 3, 4]
// gives out = [11, 12, 13, 14, 11, 12, 13, 14].
#pragma once

#include <cstddef>
#include <cstdint>

namespace dl {

// Element types of the storages; the numbering is napi_args.h's ElemType (bool is uint8).
enum class Dtype : int { kF32 = 0, kF64 = 1, kI32 = 2, kBool = 3 };

inline size_t dtype_size(Dtype t) { return t == Dtype::kF64 ? 8 : t == Dtype::kBool ? 1 : 4; }

// Numbering shared with src/backends/native/elementwise.ts (keep the lists in step, in the order of
// BinaryOp / UnaryOp in src/backend.ts).
enum class BinaryOp : int {
  kAdd = 0, kSub, kMul, kDiv, kPow, kMaximum, kMinimum,
  kEq, kNe, kLt, kLe, kGt, kGe, kLogicalAnd, kLogicalOr, kLogicalXor, kCount
};
enum class UnaryOp : int {
  kNeg = 0, kAbs, kSign, kExp, kLog, kSqrt, kSin, kCos, kTanh, kSigmoid, kRelu, kStep, kLogicalNot, kCount
};

// One strided operand: element (i_0, ..., i_{n-1}) is at data[offset + sum_d i_d * strides[d]]
// (data typed by the Dtype given alongside; strides in elements, any sign, 0 for broadcast).
struct StridedIn {
  const void* data;
  int64_t offset;
  const int64_t* strides;
};

// True when binary(op) can read two operands of dtype `in` and write `out`: every op, for
// out == in or out == bool (the op layer promotes both operands to one dtype and asks for that
// dtype or bool; other combinations stay with js).
bool binary_supported(BinaryOp op, Dtype in, Dtype out);

// out[i] = op(a[i % pa], b[i % pb]) for i in [0, n) (a, b already at their view's offset; both of
// dtype `in`). A period of n is a plain contiguous operand, 1 a broadcast scalar, and anything in
// between an operand repeated along leading broadcast dims (a bias row of length N added to an
// [M, N] matrix has period N). Returns false (doing nothing) if !binary_supported(op, in, out).
bool binary_periodic(BinaryOp op, Dtype in, const void* a, int64_t pa, const void* b, int64_t pb, Dtype out_t,
                     void* out, int64_t n);

// out[i] = op(a[idx_a(i)], b[idx_b(i)]) over a `shape` of `ndim` dims (<= 16) in row-major order,
// out contiguous. Returns false if !binary_supported(op, in, out).
// Example: shape [2, 3], a strides [1, 2] (a transposed 3x2 matrix), b strides [0, 1] (a row).
bool binary_strided(BinaryOp op, Dtype in, int ndim, const int64_t* shape, StridedIn a, StridedIn b, Dtype out_t,
                    void* out);

// out[i] = op(x[i]) for i in [0, n), x contiguous (already at its offset). Every (in, out) pair
// works: the value is computed as js does (in double) and stored with the output's conversion.
void unary_contiguous(UnaryOp op, Dtype in, const void* x, Dtype out_t, void* out, int64_t n);

// out[i] = op(x[idx(i)]) over `shape` in row-major order, out contiguous.
void unary_strided(UnaryOp op, Dtype in, int ndim, const int64_t* shape, StridedIn x, Dtype out_t, void* out);

}  // namespace dl
