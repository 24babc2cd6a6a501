// Helpers shared by the reduction-family kernels (reduce.cc, softmax.cc): walks over the lines
// of a strided view along one axis, index spaces of merged dims, and the per-function SIMD
// variants.
//
// A view of shape [2, 5, 3] seen along axis 1 is made of 2 * 3 = 6 lines of length 5. `AxisLines`
// pairs it with a second layout (the output) and hands out blocks of neighbouring lines:
// f(xoff, ooff, m, xs, os) gets m lines whose first elements are at x[xoff + j * xs] and
// out[ooff + j * os] (j < m); along the axis they step by `xstep` / `ostep`. Kernels then either
// walk each line (when the axis is the contiguous dim) or walk the axis once for the whole block,
// with the m lines side by side in the inner loop (when the lines are the contiguous direction),
// so the innermost loop reads memory with unit stride whenever the layout allows it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "cpu.h"
#include "gemm.h"  // simd_level()
#include "strided.h"
#include "threadpool.h"

#if defined(__GNUC__) || defined(__clang__)
#define DL_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define DL_ALWAYS_INLINE inline
#endif

namespace dl {

// Dims with sizes and strides, size-1 dims dropped and neighbours merged where the outer one
// steps over exactly the whole inner one (dim d, d+1 with stride[d] == stride[d+1] * shape[d+1]):
// the row-major order of the elements is unchanged. n == 0 means a single element.
struct Dims {
  static constexpr int kMax = 16;
  int n = 0;
  int64_t shape[kMax];
  int64_t stride[kMax];

  Dims() = default;
  Dims(int nd, const int64_t* shp, const int64_t* str) {
    for (int d = 0; d < nd; d++) push(shp[d], str[d]);
  }
  void push(int64_t size, int64_t st) {
    if (size == 1) return;
    if (n > 0 && stride[n - 1] == st * size) {
      shape[n - 1] *= size;
      stride[n - 1] = st;
      return;
    }
    shape[n] = size;
    stride[n] = st;
    n++;
  }
  int64_t total() const {
    int64_t t = 1;
    for (int d = 0; d < n; d++) t *= shape[d];
    return t;
  }
  // Storage offset (relative) of the element with row-major index i.
  int64_t offset_of(int64_t i) const {
    int64_t off = 0;
    for (int d = n - 1; d >= 0; d--) {
      off += (i % shape[d]) * stride[d];
      i /= shape[d];
    }
    return off;
  }
  // Dims without the last one.
  Dims outer() const {
    Dims o = *this;
    if (o.n > 0) o.n--;
    return o;
  }
};

// Calls f(off, len, step) for the elements with row-major indices [r0, r1) of `d`, in order, cut
// into runs along the last dim: element k of a run is at relative offset off + k * step.
template <typename F>
void for_runs(const Dims& d, int64_t r0, int64_t r1, F&& f) {
  if (r0 >= r1) return;
  if (d.n == 0) {
    f(int64_t(0), int64_t(1), int64_t(0));
    return;
  }
  const int last = d.n - 1;
  const int64_t inner = d.shape[last], step = d.stride[last];
  int64_t idx[Dims::kMax];
  int64_t q = r0 / inner, j = r0 % inner, off = j * step;
  for (int k = last - 1; k >= 0; k--) {
    idx[k] = q % d.shape[k];
    q /= d.shape[k];
    off += idx[k] * d.stride[k];
  }
  for (;;) {
    const int64_t len = std::min(inner - j, r1 - r0);
    f(off, len, step);
    r0 += len;
    if (r0 >= r1) return;
    off -= j * step;
    j = 0;
    for (int k = last - 1; k >= 0; k--) {  // odometer over the outer dims
      off += d.stride[k];
      if (++idx[k] < d.shape[k]) break;
      off -= d.stride[k] * d.shape[k];
      idx[k] = 0;
    }
  }
}

// Splits [0, n) into `ntasks` near-equal parts run on the pool (inline when ntasks <= 1).
template <typename F>
void parallel_ranges(int64_t n, int64_t ntasks, F&& f) {
  ntasks = std::max<int64_t>(1, std::min(ntasks, n));
  if (ntasks == 1) {
    f(int64_t(0), n);
    return;
  }
  const int64_t chunk = (n + ntasks - 1) / ntasks;
  parallel_for((n + chunk - 1) / chunk, [&](int64_t t) { f(t * chunk, std::min(n, (t + 1) * chunk)); });
}

// How many tasks `work` element-operations deserve, `per_task` at least each (1: run inline).
inline int64_t tasks_for(double work, double per_task) {
  const int threads = num_threads();
  if (threads <= 1 || work < 2 * per_task) return 1;
  return std::min<int64_t>(static_cast<int64_t>(work / per_task), int64_t(4) * threads);
}

// The lines of a strided view x along `axis`, paired with an output layout of the same shape
// (`ostrides`; an axis stride of 0 for outputs that drop the axis, like argmax's).
struct AxisLines {
  RowWalk<2> walk;  // over the dims other than the axis
  int64_t len;      // length of the axis
  int64_t xstep;    // stride along the axis in x
  int64_t ostep;    // ... in the output

  static RowWalk<2> make_walk(int ndim, const int64_t* shape, const int64_t* xstrides, int64_t xoff,
                              const int64_t* ostrides, int axis) {
    int64_t shp[RowWalk<2>::kMaxDims], xs[RowWalk<2>::kMaxDims], os[RowWalk<2>::kMaxDims];
    int nd = 0;
    for (int d = 0; d < ndim; d++) {
      if (d == axis) continue;
      shp[nd] = shape[d];
      xs[nd] = xstrides[d];
      os[nd] = ostrides[d];
      nd++;
    }
    const int64_t* strides[2] = {xs, os};
    const int64_t offs[2] = {xoff, 0};
    return RowWalk<2>(nd, shp, strides, offs);
  }

  AxisLines(int ndim, const int64_t* shape, const int64_t* xstrides, int64_t xoff, const int64_t* ostrides, int axis)
      : walk(make_walk(ndim, shape, xstrides, xoff, ostrides, axis)),
        len(shape[axis]),
        xstep(xstrides[axis]),
        ostep(ostrides[axis]) {}

  int64_t num_lines() const { return walk.num_rows() * walk.row_length(); }

  // Calls f(xoff, ooff, m, xs, os) for blocks of at most `block` lines covering every line once,
  // on `ntasks` tasks of the pool (blocks are made smaller when there would be fewer than ntasks).
  template <typename F>
  void blocks(int64_t block, int64_t ntasks, F&& f) const {
    const int64_t nr = walk.num_rows(), n = walk.row_length();
    if (nr == 0 || n == 0) return;
    if (ntasks > 1 && nr < ntasks) {
      const int64_t per_row = (ntasks + nr - 1) / nr;
      block = std::max<int64_t>(1, std::min(block, (n + per_row - 1) / per_row));
    }
    const int64_t nb = (n + block - 1) / block;  // blocks per row of the walk
    auto run = [&](int64_t u0, int64_t u1) {  // units u = row * nb + block index
      if (nb == 1) {
        walk.rows(u0, u1, [&](const int64_t* off, int64_t, const int64_t* step) { f(off[0], off[1], n, step[0], step[1]); });
        return;
      }
      for (int64_t r = u0 / nb; r * nb < u1; r++) {
        const int64_t b0 = std::max<int64_t>(u0 - r * nb, 0), b1 = std::min(u1 - r * nb, nb);
        walk.rows(r, r + 1, [&](const int64_t* off, int64_t, const int64_t* step) {
          for (int64_t b = b0; b < b1; b++) {
            const int64_t j0 = b * block;
            f(off[0] + j0 * step[0], off[1] + j0 * step[1], std::min(block, n - j0), step[0], step[1]);
          }
        });
      }
    };
    parallel_ranges(nr * nb, ntasks, run);
  }
};

}  // namespace dl
