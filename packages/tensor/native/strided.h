// Row-by-row walks over strided views of one shape, for the kernels that accept any layout.
//
// `RowWalk<K>` takes K views of the same shape (an output and its inputs, for example), drops
// size-1 dims and merges neighbouring dims that are contiguous in every view, so a contiguous
// tensor becomes one long row and a transposed matrix stays two dims. `rows(r0, r1, f)` then
// calls f(off, n, step) for rows r0 .. r1-1, where off[k] is the storage offset of the row's first
// element in view k, n the row length and step[k] the element stride inside the row: the inner
// loop is a plain strided (often unit-stride) loop the compiler vectorises.
//
// Example: a [2, 3] view with strides [1, 2] (a transposed 3x2 matrix) has 2 rows of length 3
// with step 2, starting at off and off + 1.
#pragma once

#include <cstdint>

namespace dl {

template <int K>
struct RowWalk {
  static constexpr int kMaxDims = 16;
  int ndim = 0;                   // after merging; dim ndim-1 is the row
  int64_t shape[kMaxDims];
  int64_t strides[K][kMaxDims];
  int64_t base[K];
  bool empty = false;

  // shape/strides of K views with `nd` dims; base offsets off[k].
  RowWalk(int nd, const int64_t* shp, const int64_t* const* strd, const int64_t* off) {
    for (int d = 0; d < nd; d++) {
      if (shp[d] == 0) empty = true;
    }
    for (int k = 0; k < K; k++) base[k] = off[k];
    for (int d = 0; d < nd; d++) {
      if (shp[d] == 1) continue;
      if (ndim > 0) {
        bool merge = true;  // the previous kept dim steps over exactly this whole dim in every view
        for (int k = 0; k < K; k++) merge = merge && strides[k][ndim - 1] == strd[k][d] * shp[d];
        if (merge) {
          shape[ndim - 1] *= shp[d];
          for (int k = 0; k < K; k++) strides[k][ndim - 1] = strd[k][d];
          continue;
        }
      }
      shape[ndim] = shp[d];
      for (int k = 0; k < K; k++) strides[k][ndim] = strd[k][d];
      ndim++;
    }
    if (ndim == 0) {  // a scalar (or all dims of size 1): one row of one element
      shape[0] = 1;
      for (int k = 0; k < K; k++) strides[k][0] = 1;
      ndim = 1;
    }
  }

  int64_t row_length() const { return shape[ndim - 1]; }
  int64_t num_rows() const {
    if (empty) return 0;
    int64_t r = 1;
    for (int d = 0; d + 1 < ndim; d++) r *= shape[d];
    return r;
  }

  // f(const int64_t* off, int64_t n, const int64_t* step) for rows [r0, r1).
  template <typename F>
  void rows(int64_t r0, int64_t r1, F&& f) const {
    if (r0 >= r1) return;
    int64_t idx[kMaxDims];
    int64_t off[K];
    for (int k = 0; k < K; k++) off[k] = base[k];
    int64_t rem = r0;
    for (int d = ndim - 2; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      for (int k = 0; k < K; k++) off[k] += idx[d] * strides[k][d];
    }
    int64_t step[K];
    for (int k = 0; k < K; k++) step[k] = strides[k][ndim - 1];
    const int64_t n = shape[ndim - 1];
    for (int64_t r = r0; r < r1; r++) {
      f(static_cast<const int64_t*>(off), n, static_cast<const int64_t*>(step));
      for (int d = ndim - 2; d >= 0; d--) {  // odometer
        for (int k = 0; k < K; k++) off[k] += strides[k][d];
        if (++idx[d] < shape[d]) break;
        for (int k = 0; k < K; k++) off[k] -= strides[k][d] * shape[d];
        idx[d] = 0;
      }
    }
  }
};

}  // namespace dl
