// Reductions of the native backend: sum / prod / max / min over any set of dims, max / min with
// the index along one dim, and cumulative sums. Inputs are strided views of any layout (negative
// and 0 strides included), given as a base pointer, an offset and `ndim` sizes and strides;
// outputs are dense row-major arrays that the kernels overwrite completely. Results equal the js
// backend's (src/backends/js/reduce.ts) exactly, except float sums, which may differ by rounding
// (see reduce()).
#pragma once

#include <cstdint>

namespace dl {

// Numbering shared with src/backends/native/reduce.ts.
enum class ReduceOp : int { kSum = 0, kProd = 1, kMax = 2, kMin = 3, kCount = 4 };

// out[i] = op over the reduced dims of x, where the view is given with its dims PERMUTED so that
// the `nkept` kept dims come first (output order, row-major: out has prod(shape[0..nkept)) elements)
// and the reduced ones after them (in the order the js backend walks them).
//
//   out[i0, .., i_{nk-1}] = op_{j} x[offset + sum_d i_d * strides[d] + sum_r j_r * strides[nk + r]]
//
// Example: x [2, 3] contiguous, reduce dim 0 (column sums): shape [3, 2], strides [1, 3], nkept 1;
// out[j] = x[j] + x[3 + j].
//
// Semantics (those of the js backend): sum starts at 0, prod at 1, max / min propagate NaN;
// an empty reduction gives 0 / 1 / -inf / +inf (0 for int32 and bool outputs of max / min).
// Accumulation: float64 sums and all products in double, float32 sums in float32 partial sums of
// at most 32 elements (interleaved lanes) or 35 rows (column sums) that are added into double
// accumulators (a float32 add is four times cheaper than a float->double conversion); ints in
// int64 for sums and double for products (then wrapped to int32 like JS's `| 0`). Products are
// computed in the js backend's order, so they are bit-identical to it; max / min / int sums are
// exact in any order; float sums are combined in another order than the js backend's sequential
// double sum (lanes, pairwise, and chunks split between threads in a way that depends only on the
// sizes, so results do not depend on the thread count): they differ from it by at most about
// 2 n 2^-53 sum|x| (+ 35 * 2^-24 sum|x| for float32) before the final rounding. int32 sums are
// exact (= js) while the reduction has at most 2^22 elements (the js backend's double sum is exact
// up to 2^53).
//
// Element types: float -> float, double -> double, int32 -> int32 (any op), uint8 (bool) ->
// int32 (sum, prod), uint8 -> uint8 (max, min).
void reduce(ReduceOp op, const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, float* out);
void reduce(ReduceOp op, const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, double* out);
void reduce(ReduceOp op, const int32_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, int32_t* out);
void reduce(ReduceOp op, const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, int32_t* out);
void reduce(ReduceOp op, const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, uint8_t* out);

// Max (is_max) or min along `axis` with the index of the extreme: values / indices have x's shape
// without the axis (row-major, dense). The first extreme wins ties; a NaN counts as the extreme
// (the first NaN of a line gives NaN and its index), exactly as the js backend. The axis must not
// be empty (shape[axis] >= 1).
//
// Example: x = [[3, 7, 7], [NaN, 1, 9]], axis 1, max: values [7, NaN], indices [1, 0].
void arg_reduce(bool is_max, const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
                int axis, float* values, int32_t* indices);
void arg_reduce(bool is_max, const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
                int axis, double* values, int32_t* indices);
void arg_reduce(bool is_max, const int32_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
                int axis, int32_t* values, int32_t* indices);
void arg_reduce(bool is_max, const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
                int axis, uint8_t* values, int32_t* indices);

// out[.., k, ..] = x[.., 0, ..] + ... + x[.., k, ..] along `axis`; out is dense with x's shape.
// Accumulated in double for floats (each prefix rounded to float once: bit-identical to the js
// backend) and in int64 for ints, wrapped to int32 (= js while the axis has at most 2^22
// elements). Types: float, double, int32 -> int32, uint8 (bool) -> int32.
//
// Example: x = [[1, 2, 3], [4, 5, 6]], axis 1: out = [[1, 3, 6], [4, 9, 15]].
void cumsum(const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            float* out);
void cumsum(const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            double* out);
void cumsum(const int32_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            int32_t* out);
void cumsum(const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            int32_t* out);

}  // namespace dl
