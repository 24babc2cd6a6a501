// cast, assign and where (see copy.h). Row kernels per (input type, output type) pair, driven by
// RowWalk over the views and split over the pool for large arrays.
#include "copy.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "elementwise_common.h"

namespace dl {
namespace {

using ew::convert;

// o[i * so] = convert<To>(x[i * sx]) for i < n.
using ConvertRow = void (*)(const char* x, int64_t sx, char* o, int64_t so, int64_t n);

template <typename From, typename To>
void convert_row(const char* px, int64_t sx, char* po, int64_t so, int64_t n) {
  const From* __restrict x = reinterpret_cast<const From*>(px);
  To* __restrict o = reinterpret_cast<To*>(po);
  if (sx == 1 && so == 1) {
    if constexpr (std::is_same_v<From, To> && !std::is_same_v<To, uint8_t>) {
      std::memcpy(o, x, sizeof(To) * static_cast<size_t>(n));
    } else {
      for (int64_t i = 0; i < n; i++) o[i] = convert<To>(x[i]);
    }
  } else if (so == 1 && sx == 0) {
    const To v = convert<To>(x[0]);
    for (int64_t i = 0; i < n; i++) o[i] = v;
  } else if (so == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = convert<To>(x[i * sx]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i * so] = convert<To>(x[i * sx]);
  }
}

ConvertRow convert_kernel(Dtype from, Dtype to) {
  ConvertRow k = nullptr;
  ew::with_type(from, [&](auto f) {
    ew::with_type(to, [&](auto t) { k = convert_row<decltype(f), decltype(t)>; });
  });
  return k;
}

// Whether a view writes each of its elements to a distinct place: sorted by |stride|, each dim
// must step over everything the smaller ones span.
bool distinct_places(int ndim, const int64_t* shape, const int64_t* strides) {
  std::pair<int64_t, int64_t> dims[RowWalk<1>::kMaxDims];  // (|stride|, size)
  int nd = 0;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 0) return true;
    if (shape[d] == 1) continue;
    dims[nd++] = {strides[d] < 0 ? -strides[d] : strides[d], shape[d]};
  }
  std::sort(dims, dims + nd);
  int64_t span = 0;  // largest distance between two elements of the dims so far
  for (int i = 0; i < nd; i++) {
    if (dims[i].first <= span) return false;
    span += (dims[i].second - 1) * dims[i].first;
  }
  return true;
}

template <typename C, typename T>
void where_row(const char* pc, int64_t sc, const char* pa, int64_t sa, const char* pb, int64_t sb, char* po,
               int64_t n) {
  const C* __restrict c = reinterpret_cast<const C*>(pc);
  const T* __restrict a = reinterpret_cast<const T*>(pa);
  const T* __restrict b = reinterpret_cast<const T*>(pb);
  T* __restrict o = reinterpret_cast<T*>(po);
  // Both values are loaded unconditionally, so the select compiles to a branch-free blend.
  if (sc == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) {
      const T x = a[i], y = b[i];
      o[i] = convert<T>(c[i] != 0 ? x : y);
    }
  } else if (sc == 1 && sa == 1 && sb == 0) {
    const T y = b[0];
    for (int64_t i = 0; i < n; i++) {
      const T x = a[i];
      o[i] = convert<T>(c[i] != 0 ? x : y);
    }
  } else if (sc == 1 && sa == 0 && sb == 1) {
    const T x = a[0];
    for (int64_t i = 0; i < n; i++) {
      const T y = b[i];
      o[i] = convert<T>(c[i] != 0 ? x : y);
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const T x = a[i * sa], y = b[i * sb];
      o[i] = convert<T>(c[i * sc] != 0 ? x : y);
    }
  }
}

// o[i] = x[i * sx] for i < n, no conversion (a bool storage keeps its bytes).
template <typename T>
void copy_row(const char* px, int64_t sx, char* po, int64_t so, int64_t n) {
  const T* __restrict x = reinterpret_cast<const T*>(px);
  T* __restrict o = reinterpret_cast<T*>(po);
  for (int64_t i = 0; i < n; i++) o[i * so] = x[i * sx];
}

using WhereRow = void (*)(const char*, int64_t, const char*, int64_t, const char*, int64_t, char*, int64_t);

}  // namespace

void view_span(const void* data, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, size_t esize,
               const char** lo, const char** hi) {
  int64_t a = offset, b = offset;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 0) {
      *lo = *hi = static_cast<const char*>(data);
      return;
    }
    const int64_t span = (shape[d] - 1) * strides[d];
    if (span >= 0) b += span;
    else a += span;
  }
  *lo = static_cast<const char*>(data) + a * static_cast<int64_t>(esize);
  *hi = static_cast<const char*>(data) + (b + 1) * static_cast<int64_t>(esize);
}

void cast_strided(Dtype in, int ndim, const int64_t* shape, StridedIn x, Dtype out_t, void* out) {
  const ConvertRow k = convert_kernel(in, out_t);
  int64_t os_[RowWalk<2>::kMaxDims];
  ew::contiguous_strides(ndim, shape, os_);
  const int64_t* strides[2] = {os_, x.strides};
  const int64_t offs[2] = {0, x.offset};
  const RowWalk<2> w(ndim, shape, strides, offs);
  const size_t es = dtype_size(in), os = dtype_size(out_t);
  const char* px = static_cast<const char*>(x.data);
  char* po = static_cast<char*>(out);
  ew::walk_all(w, ew::kCheapPerTask, true, [&](const int64_t* off, int64_t len, const int64_t* step) {
    k(px + off[1] * es, step[1], po + off[0] * os, 1, len);
  });
}

void assign_strided(Dtype dst_t, int ndim, const int64_t* shape, StridedIn dst, Dtype src_t, StridedIn src) {
  const int64_t n = ew::numel(ndim, shape);
  if (n == 0) return;
  const size_t ds = dtype_size(dst_t), ss = dtype_size(src_t);
  const char *dlo, *dhi, *slo, *shi;
  view_span(dst.data, dst.offset, ndim, shape, dst.strides, ds, &dlo, &dhi);
  view_span(src.data, src.offset, ndim, shape, src.strides, ss, &slo, &shi);
  std::vector<char> tmp;
  int64_t tmp_strides[RowWalk<2>::kMaxDims];
  if (dlo < shi && slo < dhi) {  // src is read completely before dst is written
    tmp.resize(static_cast<size_t>(n) * ss);
    ew::contiguous_strides(ndim, shape, tmp_strides);
    ConvertRow raw = nullptr;
    ew::with_type(src_t, [&](auto t) { raw = copy_row<decltype(t)>; });
    const int64_t* strides[2] = {tmp_strides, src.strides};
    const int64_t offs[2] = {0, src.offset};
    const RowWalk<2> w(ndim, shape, strides, offs);
    const char* ps = static_cast<const char*>(src.data);
    w.rows(0, w.num_rows(), [&](const int64_t* off, int64_t len, const int64_t* step) {
      raw(ps + off[1] * ss, step[1], tmp.data() + off[0] * ss, step[0], len);
    });
    src = StridedIn{tmp.data(), 0, tmp_strides};
  }
  const ConvertRow k = convert_kernel(src_t, dst_t);
  const int64_t* strides[2] = {dst.strides, src.strides};
  const int64_t offs[2] = {dst.offset, src.offset};
  const RowWalk<2> w(ndim, shape, strides, offs);
  const char* ps = static_cast<const char*>(src.data);
  char* pd = const_cast<char*>(static_cast<const char*>(dst.data));
  const bool parallel = distinct_places(ndim, shape, dst.strides);
  // dst places all distinct: any order and threads; otherwise row-major on one thread (last wins)
  ew::walk_all(w, parallel ? ew::kCheapPerTask : n, parallel, [&](const int64_t* off, int64_t len, const int64_t* step) {
    k(ps + off[1] * ss, step[1], pd + off[0] * ds, step[0], len);
  });
}

void where_strided(Dtype cond_t, Dtype t, int ndim, const int64_t* shape, StridedIn cond, StridedIn a, StridedIn b,
                   void* out) {
  WhereRow k = nullptr;
  ew::with_type(cond_t, [&](auto c) {
    ew::with_type(t, [&](auto v) { k = where_row<decltype(c), decltype(v)>; });
  });
  int64_t os_[RowWalk<4>::kMaxDims];
  ew::contiguous_strides(ndim, shape, os_);
  const int64_t* strides[4] = {os_, cond.strides, a.strides, b.strides};
  const int64_t offs[4] = {0, cond.offset, a.offset, b.offset};
  const RowWalk<4> w(ndim, shape, strides, offs);
  const size_t cs = dtype_size(cond_t), es = dtype_size(t);
  const char* pc = static_cast<const char*>(cond.data);
  const char* pa = static_cast<const char*>(a.data);
  const char* pb = static_cast<const char*>(b.data);
  char* po = static_cast<char*>(out);
  ew::walk_all(w, ew::kCheapPerTask, true, [&](const int64_t* off, int64_t len, const int64_t* step) {
    k(pc + off[1] * cs, step[1], pa + off[2] * es, step[2], pb + off[3] * es, step[3], po + off[0] * es, len);
  });
}

}  // namespace dl
