// Internal helpers shared by the elementwise kernels (elementwise.cc) and the copies (copy.cc):
// the C++ type of each dtype, the conversions a JS typed-array store applies, splitting an element
// range over the thread pool, and strided walks that start and stop at any element.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "elementwise.h"
#include "strided.h"
#include "threadpool.h"

namespace dl {
namespace ew {

// Elements per parallel task: memory-bound loops need many elements per thread to gain anything,
// costly ones (transcendental functions, tens of cycles each) far fewer.
constexpr int64_t kCheapPerTask = int64_t(1) << 18;
constexpr int64_t kCostlyPerTask = int64_t(1) << 14;

// Splits [0, n) into chunks of at least `per_task` elements, run on the pool when there are two
// or more of them; f(i0, i1) for each chunk.
template <typename F>
void split_range(int64_t n, int64_t per_task, F&& f) {
  if (n < 2 * per_task || num_threads() <= 1) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
  const int64_t ntasks = std::min<int64_t>((n + per_task - 1) / per_task, int64_t(4) * num_threads());
  const int64_t chunk = (n + ntasks - 1) / ntasks;
  parallel_for(ntasks, [&](int64_t t) {
    const int64_t i0 = t * chunk, i1 = std::min(n, (t + 1) * chunk);
    if (i0 < i1) f(i0, i1);
  });
}

// Elements [i0, i1) (row-major) of the walk's views, as row pieces: f(off, len, step) with off[k]
// the storage offset of the piece's first element in view k. A chunk may start and end inside rows.
template <int K, typename F>
void walk_segments(const RowWalk<K>& w, int64_t i0, int64_t i1, F&& f) {
  if (i0 >= i1) return;
  const int64_t len = w.row_length();
  const int64_t r0 = i0 / len, r1 = (i1 + len - 1) / len;
  int64_t r = r0;
  w.rows(r0, r1, [&](const int64_t* off, int64_t n, const int64_t* step) {
    const int64_t s = std::max<int64_t>(i0 - r * len, 0), e = std::min<int64_t>(i1 - r * len, n);
    int64_t o[K];
    for (int k = 0; k < K; k++) o[k] = off[k] + s * step[k];
    f(static_cast<const int64_t*>(o), e - s, step);
    ++r;
  });
}

// Tiles of the transposed walks: kTileRows rows by kTileCols columns.
constexpr int64_t kTileRows = 16, kTileCols = 128;

// Whether walking row by row reads some view across its memory layout: its row step is neither 0
// nor +-1 while its next dim out has unit stride (a transposed operand), and the rows are long
// enough to matter. Reading such a view one row at a time touches one cache line per element;
// walk_tiled reads a band of kTileRows rows per column block instead, using each line kTileRows
// times.
template <int K>
bool wants_tiles(const RowWalk<K>& w) {
  if (w.ndim < 2 || w.row_length() < kTileCols || w.shape[w.ndim - 2] < 2 * kTileRows) return false;
  for (int k = 0; k < K; k++) {
    const int64_t in = w.strides[k][w.ndim - 1], next = w.strides[k][w.ndim - 2];
    if (in != 0 && in != 1 && in != -1 && (next == 1 || next == -1)) return true;
  }
  return false;
}

// All elements of the walk as row pieces f(off, len, step) (as walk_segments), visited in tiles
// of kTileRows rows x kTileCols columns, bands of rows split over the pool. Every element is visited
// once; the order differs from row-major, so the writes must go to distinct places.
template <int K, typename F>
void walk_tiled(const RowWalk<K>& w, int64_t per_task, F&& f) {
  const int64_t rows = w.num_rows(), len = w.row_length();
  const int64_t bands = (rows + kTileRows - 1) / kTileRows;
  const int64_t bands_per_task = std::max<int64_t>(1, per_task / (kTileRows * len));
  split_range(bands, bands_per_task, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t r0 = b * kTileRows, r1 = std::min(rows, r0 + kTileRows);
      for (int64_t c0 = 0; c0 < len; c0 += kTileCols) {
        const int64_t n = std::min(kTileCols, len - c0);
        w.rows(r0, r1, [&](const int64_t* off, int64_t, const int64_t* step) {
          int64_t o[K];
          for (int k = 0; k < K; k++) o[k] = off[k] + c0 * step[k];
          f(static_cast<const int64_t*>(o), n, step);
        });
      }
    }
  });
}

// Runs f over every element of the walk (n of them): in tiles when wants_tiles (and `tiles_ok`),
// otherwise as row pieces of consecutive element ranges split over the pool.
template <int K, typename F>
void walk_all(const RowWalk<K>& w, int64_t per_task, bool tiles_ok, F&& f) {
  if (tiles_ok && wants_tiles(w)) return walk_tiled(w, per_task, f);
  split_range(w.num_rows() * w.row_length(), per_task,
              [&](int64_t i0, int64_t i1) { walk_segments(w, i0, i1, f); });
}

// Row-major strides of a contiguous array of `shape`.
inline void contiguous_strides(int ndim, const int64_t* shape, int64_t* strides) {
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
}

inline int64_t numel(int ndim, const int64_t* shape) {
  int64_t n = 1;
  for (int d = 0; d < ndim; d++) n *= shape[d];
  return n;
}

// JS's ToInt32, which an Int32Array store applies (and the js backend's `Math.trunc(v) | 0` for
// finite v): NaN and +-inf give 0, other values are truncated toward 0 and wrapped modulo 2^32.
// Examples: 3.7 -> 3, -3.7 -> -3, 2^31 -> -2^31, NaN -> 0.
inline int32_t js_to_int32(double v) {
  if (v > -2147483649.0 && v < 2147483648.0) return static_cast<int32_t>(v);
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(std::trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

// What a storage of type To holds after the js backend stores v (a value read from a storage of
// type From): float types round to nearest, int32 as js_to_int32, bool is v != 0 (NaN is true).
template <typename To, typename From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, uint8_t>) {
    return v != 0 ? 1 : 0;
  } else if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, int32_t>) {
    if constexpr (std::is_integral_v<From>) return static_cast<int32_t>(v);
    else return js_to_int32(static_cast<double>(v));
  } else {
    return static_cast<To>(v);
  }
}

// Calls f(T{}) with T the C++ type of dtype t.
template <typename F>
inline void with_type(Dtype t, F&& f) {
  switch (t) {
    case Dtype::kF32: f(float{}); break;
    case Dtype::kF64: f(double{}); break;
    case Dtype::kI32: f(int32_t{}); break;
    default: f(uint8_t{}); break;
  }
}

// Block conversions for the paths that compute through doubles.
// dst[i] = src[i * step] as double (exact for every dtype).
inline void load_as_double(Dtype t, const char* src, int64_t step, double* dst, int64_t n) {
  with_type(t, [&](auto tag) {
    using T = decltype(tag);
    const T* s = reinterpret_cast<const T*>(src);
    for (int64_t i = 0; i < n; i++) dst[i] = static_cast<double>(s[i * step]);
  });
}

// dst[i] = convert<To>(src[i]) for a block of Src (double or uint8) into a contiguous dst of dtype t.
template <typename Src>
inline void store_converted(const Src* src, Dtype t, char* dst, int64_t n) {
  with_type(t, [&](auto tag) {
    using T = decltype(tag);
    T* __restrict d = reinterpret_cast<T*>(dst);
    for (int64_t i = 0; i < n; i++) d[i] = convert<T>(src[i]);
  });
}

// Block length of the paths that go through a buffer on the stack.
constexpr int64_t kBlock = 256;

}  // namespace ew
}  // namespace dl
