// Copies with dtype conversion for the native backend: cast (a contiguous copy of any view),
// assign (writing into a strided view) and where (a select of two views by a condition view).
// Views are strided as in elementwise.h (any strides, 0 for broadcast, at most 16 dims).
//
// Conversions are those of a JS typed-array store of the value as a double, which is what the js
// backend does: to float32 rounds to nearest (int32 values above 2^24 too), to int32 truncates
// toward 0 and wraps modulo 2^32 with NaN and +-inf giving 0 (3.7 -> 3, -3.7 -> -3, 2^31 -> -2^31),
// to bool is `v != 0` (NaN -> true, -0 -> false; a bool storage holding 2 is normalised to 1).
#pragma once

#include <cstdint>

#include "elementwise.h"

namespace dl {

// out[i] = convert(x[idx(i)]) for the elements of `shape` in row-major order; out contiguous of
// type out_t. Example: shape [2, 2], x = float32 [1.5, -2.5, 3, 4] with strides [1, 2] (the
// transpose), out_t int32: out = [1, 3, -2, 4].
void cast_strided(Dtype in, int ndim, const int64_t* shape, StridedIn x, Dtype out_t, void* out);

// dst[idx_dst(i)] = convert(src[idx_src(i)]) for the elements of `shape`, dst a strided view
// (dst.data written through, its offset and strides as in StridedIn). As in the js backend, every
// value of src is read before dst is written: when the memory the two views span overlaps (e.g.
// x[1:] = x[:-1]), src is first copied to a temporary. When dst maps several elements to one
// place (stride 0, or overlapping strides from asStrided), the writes happen in row-major order on
// one thread, so the last one wins, as in js.
void assign_strided(Dtype dst_t, int ndim, const int64_t* shape, StridedIn dst, Dtype src_t, StridedIn src);

// out[i] = cond[idx_c(i)] != 0 ? a[idx_a(i)] : b[idx_b(i)], a, b and out of dtype t (a bool result
// normalised to 0/1), cond of any dtype (NaN is true). Example: cond = [1, 0, 1] (bool),
// a = [1, 2, 3], b = [9] broadcast (stride 0): out = [1, 9, 3].
void where_strided(Dtype cond_t, Dtype t, int ndim, const int64_t* shape, StridedIn cond, StridedIn a, StridedIn b,
                   void* out);

// Byte range [lo, hi) a view of `shape` / `strides` / `offset` over elements of `esize` bytes at
// `data` can touch (empty when the shape has a 0).
void view_span(const void* data, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, size_t esize,
               const char** lo, const char** hi);

}  // namespace dl
