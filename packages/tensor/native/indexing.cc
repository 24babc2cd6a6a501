// gather / scatterAdd / indexSelect / indexAdd (see indexing.h).
#include "indexing.h"

#include <algorithm>
#include <cstring>

#include "strided.h"
#include "threadpool.h"

namespace dl {
namespace {

// Positions per parallel task, and the fewest positions worth threading (the work per position
// is a load, a bounds check and a store: a few ns, so a task must be large to pay for a wake-up).
constexpr int64_t kPerTask = 16384;
constexpr int64_t kParallelMin = 32768;

inline int64_t checked(int32_t v, int64_t size, int dim) {
  // one unsigned compare catches negative values too
  if (static_cast<uint64_t>(static_cast<int64_t>(v)) >= static_cast<uint64_t>(size)) {
    throw IndexOutOfRange(v, size, dim);
  }
  return v;
}

// a + b as a JS typed-array store of the sum does it: int32 and uint8 wrap around.
template <typename T> inline T add(T a, T b) { return a + b; }
template <> inline int32_t add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
template <> inline uint8_t add(uint8_t a, uint8_t b) { return static_cast<uint8_t>(a + b); }

// f(off, n, step) over the elements [e0, e1) of a RowWalk (row-major), cutting the first and last
// rows where the range starts or ends inside them.
template <int K, typename F>
void walk_range(const RowWalk<K>& w, int64_t e0, int64_t e1, F&& f) {
  const int64_t len = w.row_length();
  if (e0 >= e1 || len == 0) return;
  int64_t r = e0 / len;
  const int64_t r1 = (e1 + len - 1) / len;
  w.rows(r, r1, [&](const int64_t* off, int64_t n, const int64_t* step) {
    const int64_t b = std::max<int64_t>(e0 - r * len, 0), e = std::min<int64_t>(e1 - r * len, n);
    int64_t o[K];
    for (int k = 0; k < K; k++) o[k] = off[k] + b * step[k];
    f(static_cast<const int64_t*>(o), e - b, step);
    r++;
  });
}

// Runs body(e0, e1) over [0, n) in parallel chunks when n is large, inline otherwise.
template <typename F>
void split_range(int64_t n, F&& body) {
  if (n < kParallelMin || num_threads() == 1) {
    body(int64_t(0), n);
    return;
  }
  const int64_t ntasks = std::min<int64_t>((n + kPerTask - 1) / kPerTask, int64_t(4) * num_threads());
  const int64_t chunk = (n + ntasks - 1) / ntasks;
  parallel_for(ntasks, [&](int64_t t) { body(t * chunk, std::min(n, (t + 1) * chunk)); });
}

// The walk of a plan: view 0 the index, 1 data (without dim), 2 dense.
RowWalk<3> plan_walk(const IndexPlan& p) {
  const int64_t* strides[3] = {p.idx_strides, p.data_strides, p.dense_strides};
  const int64_t off[3] = {p.idx_off, p.data_off, p.dense_off};
  return RowWalk<3>(p.ndim, p.shape, strides, off);
}

template <typename T>
void scatter_serial(const IndexPlan& p, T* data, const T* dense) {
  const RowWalk<3> w = plan_walk(p);
  const int32_t* idx = p.idx;
  const int64_t ds = p.dim_stride, size = p.dim_size;
  const int dim = p.dim;
  w.rows(0, w.num_rows(), [&](const int64_t* off, int64_t n, const int64_t* step) {
    const int32_t* ip = idx + off[0];
    T* dp = data + off[1];
    const T* sp = dense + off[2];
    const int64_t si = step[0], sd = step[1], ss = step[2];
    if (si == 0) {  // one index for the whole row (indexAdd, or an index broadcast along the row)
      T* to = dp + checked(*ip, size, dim) * ds;
      if (sd == 1 && ss == 1) {
        for (int64_t t = 0; t < n; t++) to[t] = add(to[t], sp[t]);
      } else {
        for (int64_t t = 0; t < n; t++) to[t * sd] = add(to[t * sd], sp[t * ss]);
      }
    } else {
      for (int64_t t = 0; t < n; t++) {
        T& d = dp[t * sd + checked(ip[t * si], size, dim) * ds];
        d = add(d, sp[t * ss]);
      }
    }
  });
}

}  // namespace

template <typename T>
void index_gather(const IndexPlan& p, const T* data, T* dense) {
  const RowWalk<3> w = plan_walk(p);
  const int64_t n = w.num_rows() * w.row_length();
  const int32_t* idx = p.idx;
  const int64_t ds = p.dim_stride, size = p.dim_size;
  const int dim = p.dim;
  split_range(n, [&](int64_t e0, int64_t e1) {
    walk_range(w, e0, e1, [&](const int64_t* off, int64_t m, const int64_t* step) {
      const int32_t* ip = idx + off[0];
      const T* xp = data + off[1];
      T* op = dense + off[2];
      const int64_t si = step[0], sx = step[1], so = step[2];
      if (si == 0) {  // one index for the whole row: copy a slice (an embedding row, say)
        const T* from = xp + checked(*ip, size, dim) * ds;
        if (sx == 1 && so == 1) {
          std::memcpy(op, from, static_cast<size_t>(m) * sizeof(T));
        } else {
          for (int64_t t = 0; t < m; t++) op[t * so] = from[t * sx];
        }
      } else {
        for (int64_t t = 0; t < m; t++) op[t * so] = xp[t * sx + checked(ip[t * si], size, dim) * ds];
      }
    });
  });
}

template <typename T>
void index_scatter_add(const IndexPlan& p, T* data, const T* dense) {
  const int64_t n = p.numel();
  if (n == 0) return;
  // Split the largest dim other than `dim`: each task walks its sub-box in row-major order, so
  // every destination still receives its adds in the js order, and no two tasks share one.
  int q = -1;
  for (int d = 0; d < p.ndim; d++) {
    if (d != p.dim && (q < 0 || p.shape[d] > p.shape[q])) q = d;
  }
  if (n < kParallelMin || num_threads() == 1 || q < 0 || p.shape[q] < 2) {
    scatter_serial(p, data, dense);
    return;
  }
  const int64_t len = p.shape[q];
  const int64_t ntasks = std::min<int64_t>({len, (n + kPerTask - 1) / kPerTask, int64_t(4) * num_threads()});
  const int64_t chunk = (len + ntasks - 1) / ntasks;
  parallel_for(ntasks, [&](int64_t t) {
    const int64_t q0 = t * chunk, q1 = std::min(len, q0 + chunk);
    if (q0 >= q1) return;
    IndexPlan sub = p;
    sub.shape[q] = q1 - q0;
    sub.idx_off += q0 * p.idx_strides[q];
    sub.data_off += q0 * p.data_strides[q];
    sub.dense_off += q0 * p.dense_strides[q];
    scatter_serial(sub, data, dense);
  });
}

template <typename T>
void strided_copy(int ndim, const int64_t* shape, const int64_t* strides, const T* v, T* out) {
  int64_t dense[RowWalk<2>::kMaxDims];
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    dense[d] = s;
    s *= shape[d];
  }
  const int64_t* st[2] = {strides, dense};
  const int64_t off[2] = {0, 0};
  const RowWalk<2> w(ndim, shape, st, off);
  split_range(w.num_rows() * w.row_length(), [&](int64_t e0, int64_t e1) {
    walk_range(w, e0, e1, [&](const int64_t* o, int64_t m, const int64_t* step) {
      if (step[0] == 1 && step[1] == 1) {
        std::memcpy(out + o[1], v + o[0], static_cast<size_t>(m) * sizeof(T));
      } else {
        for (int64_t t = 0; t < m; t++) out[o[1] + t * step[1]] = v[o[0] + t * step[0]];
      }
    });
  });
}

template void index_gather<uint8_t>(const IndexPlan&, const uint8_t*, uint8_t*);
template void index_gather<uint32_t>(const IndexPlan&, const uint32_t*, uint32_t*);
template void index_gather<uint64_t>(const IndexPlan&, const uint64_t*, uint64_t*);
template void index_scatter_add<uint8_t>(const IndexPlan&, uint8_t*, const uint8_t*);
template void index_scatter_add<int32_t>(const IndexPlan&, int32_t*, const int32_t*);
template void index_scatter_add<float>(const IndexPlan&, float*, const float*);
template void index_scatter_add<double>(const IndexPlan&, double*, const double*);
template void strided_copy<uint8_t>(int, const int64_t*, const int64_t*, const uint8_t*, uint8_t*);
template void strided_copy<uint32_t>(int, const int64_t*, const int64_t*, const uint32_t*, uint32_t*);
template void strided_copy<uint64_t>(int, const int64_t*, const int64_t*, const uint64_t*, uint64_t*);

}  // namespace dl
