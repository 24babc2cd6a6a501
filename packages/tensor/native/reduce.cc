// Reductions, arg-max/min and cumulative sums (see reduce.h for the contracts).
//
// reduce: the reduced dims are merged (and, for the ops whose result does not depend on the
// order, sorted by stride so the innermost walk has the smallest one), then one of two loops runs:
// - "inner" (the reduced elements of one output are the contiguous direction, e.g. row sums):
//   each output reduces its elements, unit-stride runs with 32 interleaved partial results that
//   the compiler turns into vector code; a few large outputs (a full sum) are cut into fixed
//   chunks of the reduced space, one task each, the partial results combined in order;
// - "vertical" (the outputs are the contiguous direction, e.g. column sums of a matrix): a block
//   of up to kBlock neighbouring outputs keeps a row of partial results, and the reduced positions
//   add unit-stride rows into it, four rows per pass, so memory is read contiguously.
// float32 sums keep their partial results in float32 for at most 32 elements / 35 rows and then
// add them into double accumulators. The per-element functions (run_*, vstep_*) are compiled twice
// on x86, for the baseline and for AVX2+FMA, and picked at run time (use_avx2()); elsewhere the
// baseline (NEON on aarch64) is used.
#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <vector>

#include "axis.h"

namespace dl {
namespace {

constexpr int64_t kFlush = 1024;     // elements summed in float32 before they go into double
constexpr int kFlushRows = 32;       // rows of the vertical loop summed in float32 likewise (32 to 35)
constexpr int64_t kBlock = 512;      // outputs per block of the vertical loop
constexpr int64_t kPerTask = 32768;  // element-operations per task of the pool, at least
constexpr int64_t kSplit = 32768;    // reduced elements per chunk when a few outputs are split

// JavaScript's ToInt32 (what `v | 0` does): NaN and infinities give 0, others wrap modulo 2^32.
inline int32_t to_int32(double v) {
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(std::trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}
inline int32_t wrap_int32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

// ---- the ops: accumulator type, start value, one step, combining partial results, result -----
// kReorder: the result may be computed in any order (lanes, chunks, sorted dims);
// kFixZero: a zero result takes the sign of the first zero in the js backend's order.
// Fast: the type of the innermost partial results, combined into Acc every kFlush elements (or
// kFlushRows rows) by flush(); only float32 sums use one (float) that differs from Acc (double):
// short float32 partial sums run four times faster than converting every element to double.

template <typename T>
struct SumFloat {
  using Acc = double;
  using Out = T;
  using Fast = T;
  static constexpr bool kReorder = true, kFixZero = false;
  static DL_ALWAYS_INLINE Acc init() { return 0.0; }
  static DL_ALWAYS_INLINE Acc step(Acc a, T v) { return a + static_cast<double>(v); }
  static DL_ALWAYS_INLINE Acc merge(Acc a, Acc b) { return a + b; }
  static DL_ALWAYS_INLINE Fast fast_init() { return T(0); }
  static DL_ALWAYS_INLINE Fast fast_step(Fast f, T v) { return f + v; }
  static DL_ALWAYS_INLINE Fast fast_merge(Fast f, Fast g) { return f + g; }
  static DL_ALWAYS_INLINE Acc flush(Acc a, Fast f) { return a + static_cast<double>(f); }
  static DL_ALWAYS_INLINE Out finish(Acc a) { return static_cast<Out>(a); }
  static Out empty() { return Out(0); }
};

// Fast = Acc for the ops below.
template <typename Op, typename A, typename T>
struct SameFast {
  using Fast = A;
  static DL_ALWAYS_INLINE A fast_init() { return Op::init(); }
  static DL_ALWAYS_INLINE A fast_step(A f, T v) { return Op::step(f, v); }
  static DL_ALWAYS_INLINE A flush(A a, A f) { return Op::merge(a, f); }
};

template <typename T>
struct SumInt : SameFast<SumInt<T>, int64_t, T> {  // int32 / bool -> int32, exact in int64
  using Acc = int64_t;
  using Out = int32_t;
  static constexpr bool kReorder = true, kFixZero = false;
  static DL_ALWAYS_INLINE Acc init() { return 0; }
  static DL_ALWAYS_INLINE Acc step(Acc a, T v) { return a + static_cast<int64_t>(v); }
  static DL_ALWAYS_INLINE Acc merge(Acc a, Acc b) { return a + b; }
  static DL_ALWAYS_INLINE Out finish(Acc a) { return wrap_int32(a); }
  static Out empty() { return 0; }
};

template <typename T, typename O>
struct Prod : SameFast<Prod<T, O>, double, T> {  // in double and in the js backend's order (overflow and rounding included)
  using Acc = double;
  using Out = O;
  static constexpr bool kReorder = false, kFixZero = false;
  static DL_ALWAYS_INLINE Acc init() { return 1.0; }
  static DL_ALWAYS_INLINE Acc step(Acc a, T v) { return a * static_cast<double>(v); }
  static DL_ALWAYS_INLINE Acc merge(Acc a, Acc b) { return a * b; }
  static DL_ALWAYS_INLINE Out finish(Acc a) {
    if constexpr (std::is_same<O, int32_t>::value) {
      return to_int32(a);
    } else {
      return static_cast<Out>(a);
    }
  }
  static Out empty() { return Out(1); }
};

// NaN wins: (v > a | v is NaN) ? v : a keeps a NaN accumulator and takes a NaN element.
template <typename T, bool kMax>
struct ExtremeFloat : SameFast<ExtremeFloat<T, kMax>, T, T> {
  using Acc = T;
  using Out = T;
  static constexpr bool kReorder = true, kFixZero = true;
  static DL_ALWAYS_INLINE Acc init() { return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity(); }
  static DL_ALWAYS_INLINE Acc step(Acc a, T v) { return ((kMax ? v > a : v < a) | (v != v)) ? v : a; }
  static DL_ALWAYS_INLINE Acc merge(Acc a, Acc b) { return step(a, b); }
  static DL_ALWAYS_INLINE Out finish(Acc a) { return a; }
  static Out empty() { return init(); }
};

template <typename T, bool kMax>
struct ExtremeInt : SameFast<ExtremeInt<T, kMax>, T, T> {
  using Acc = T;
  using Out = T;
  static constexpr bool kReorder = true, kFixZero = false;
  static DL_ALWAYS_INLINE Acc init() { return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max(); }
  static DL_ALWAYS_INLINE Acc step(Acc a, T v) { return (kMax ? v > a : v < a) ? v : a; }
  static DL_ALWAYS_INLINE Acc merge(Acc a, Acc b) { return step(a, b); }
  static DL_ALWAYS_INLINE Out finish(Acc a) { return a; }
  static Out empty() { return 0; }  // js: -Infinity | 0 and Uint8Array's conversion of +-Infinity
};

// ---- per-element loops, compiled for the baseline and for AVX2 ----------------------------------

// Interleaved accumulators of a unit-stride run: 32 of them (4 or 8 AVX2 registers), enough to hide
// the latency of the adds; a lane loop this long is vectorised by the compiler as a loop (a 16-lane
// one is left to the SLP vectoriser, which gives up on the NaN-aware selects of max / min).
constexpr int kLanes = 32;

// f[j] combined with p[i + j], p[i + L + j], ... for the elements [i, end) (the last partial
// group of L updates only the first lanes).
template <typename Op, typename T>
DL_ALWAYS_INLINE void lanes_block(typename Op::Fast* __restrict f, const T* __restrict p, int64_t i, int64_t end) {
  using F = typename Op::Fast;
  constexpr int L = kLanes;
  F g[L], t[L];  // locals the compiler can keep in registers; t takes the last partial group
  for (int j = 0; j < L; j++) g[j] = t[j] = Op::fast_init();
  for (; i + L <= end; i += L) {
    for (int j = 0; j < L; j++) g[j] = Op::fast_step(g[j], p[i + j]);
  }
  const int64_t rest = end - i;
  for (int64_t j = 0; j < rest; j++) t[j] = Op::fast_step(t[j], p[i + j]);
  for (int j = 0; j < L; j++) {
    if constexpr (std::is_same<F, typename Op::Acc>::value) f[j] = Op::merge(g[j], t[j]);
    else f[j] = Op::fast_merge(g[j], t[j]);
  }
}

// The L lanes folded pairwise into one Acc (f is overwritten). float32 sums fold in float32 down to
// 8 lanes (partial sums of at most 4 x 32 elements), then in double.
template <typename Op>
DL_ALWAYS_INLINE typename Op::Acc fold_lanes(typename Op::Fast* __restrict f) {
  using Acc = typename Op::Acc;
  constexpr int L = kLanes;
  if constexpr (std::is_same<typename Op::Fast, Acc>::value) {
    for (int w = L / 2; w >= 1; w /= 2) {
      for (int j = 0; j < w; j++) f[j] = Op::merge(f[j], f[j + w]);
    }
    return f[0];
  } else {
    for (int w = L / 2; w >= 8; w /= 2) {
      for (int j = 0; j < w; j++) f[j] = Op::fast_merge(f[j], f[j + w]);
    }
    Acc r[8];
    for (int j = 0; j < 8; j++) r[j] = Op::flush(Op::init(), f[j]);
    for (int w = 4; w >= 1; w /= 2) {
      for (int j = 0; j < w; j++) r[j] = Op::merge(r[j], r[j + w]);
    }
    return r[0];
  }
}

// The L Acc lanes combined pairwise into one (acc is overwritten).
template <typename Op>
DL_ALWAYS_INLINE typename Op::Acc merge_lanes(typename Op::Acc* acc) {
  for (int w = kLanes / 2; w >= 1; w /= 2) {
    for (int j = 0; j < w; j++) acc[j] = Op::merge(acc[j], acc[j + w]);
  }
  return acc[0];
}

// a combined with the n elements p[0], p[s], ..., p[(n-1) s]. Unit-stride runs of 16 or more go
// through L interleaved partial results; float32 sums move theirs into double lanes every kFlush
// elements.
template <typename Op, typename T>
DL_ALWAYS_INLINE typename Op::Acc run_body(typename Op::Acc a, const T* __restrict p, int64_t n, int64_t s) {
  using Acc = typename Op::Acc;
  using F = typename Op::Fast;
  constexpr int L = kLanes;
  if (Op::kReorder && s == 1 && n >= 16) {
    const int64_t block = std::is_same<F, Acc>::value ? n : kFlush;
    F f[L];
    int64_t end = std::min(n, block);
    lanes_block<Op, T>(f, p, 0, end);
    if (end == n) return Op::merge(a, fold_lanes<Op>(f));
    Acc acc[L];
    for (int j = 0; j < L; j++) acc[j] = Op::flush(Op::init(), f[j]);
    for (int64_t i = end; i < n; i = end) {
      end = std::min(n, i + block);
      lanes_block<Op, T>(f, p, i, end);
      for (int j = 0; j < L; j++) acc[j] = Op::flush(acc[j], f[j]);
    }
    return Op::merge(a, merge_lanes<Op>(acc));
  }
  for (int64_t i = 0; i < n; i++) a = Op::step(a, p[i * s]);
  return a;
}

// a combined with `count` runs of n contiguous elements, run c at p + c * stride (L <= n < kFlush; e.g.
// the H x W plane of every image for one channel of a bias gradient): the L partial results carry
// on from run to run, and go into Acc lanes before they would take in more than kFlush elements,
// so short runs do not each pay for a fold of the lanes.
template <typename Op, typename T>
DL_ALWAYS_INLINE typename Op::Acc runs_body(typename Op::Acc a, const T* __restrict p, int64_t n, int64_t count,
                                            int64_t stride) {
  using Acc = typename Op::Acc;
  using F = typename Op::Fast;
  constexpr int L = kLanes;
  // f: the lanes of whole groups of L (kept in registers); t: those of each run's last n % L
  // elements (indexed at run time, so in memory)
  F f[L], t[L];
  Acc acc[L];
  for (int j = 0; j < L; j++) {
    f[j] = t[j] = Op::fast_init();
    acc[j] = Op::init();
  }
  auto flush = [&] {
    for (int j = 0; j < L; j++) {
      acc[j] = Op::flush(Op::flush(acc[j], f[j]), t[j]);
      f[j] = t[j] = Op::fast_init();
    }
  };
  const int64_t whole = n / L * L;
  // elements since the last flush: at most kFlush / L per lane of f, and (n >= L) at most
  // kFlush / n <= L runs, so at most L per lane of t
  int64_t pending = 0;
  for (int64_t c = 0; c < count; c++) {
    if (pending + n > kFlush) {
      flush();
      pending = 0;
    }
    const T* __restrict q = p + c * stride;
    for (int64_t i = 0; i < whole; i += L) {
      for (int j = 0; j < L; j++) f[j] = Op::fast_step(f[j], q[i + j]);
    }
    for (int64_t j = 0; j < n - whole; j++) t[j] = Op::fast_step(t[j], q[whole + j]);
    pending += n;
  }
  flush();
  return Op::merge(a, merge_lanes<Op>(acc));
}

// f[j] combined with p[r * rs + j * s] for the rows r < rows (1 to 4, in order) and j < m: several
// rows per pass so that f is loaded and stored once for them.
template <typename Op, typename T>
DL_ALWAYS_INLINE void vstep_body(typename Op::Fast* __restrict f, const T* __restrict p, int64_t rs, int rows, int64_t m,
                                 int64_t s) {
  const T* __restrict p1 = p + rs;
  const T* __restrict p2 = p + 2 * rs;
  const T* __restrict p3 = p + 3 * rs;
  if (s == 1 && rows == 4) {
    for (int64_t j = 0; j < m; j++) {
      f[j] = Op::fast_step(Op::fast_step(Op::fast_step(Op::fast_step(f[j], p[j]), p1[j]), p2[j]), p3[j]);
    }
  } else if (s == 1) {
    for (int r = 0; r < rows; r++) {
      const T* __restrict q = p + r * rs;
      for (int64_t j = 0; j < m; j++) f[j] = Op::fast_step(f[j], q[j]);
    }
  } else {
    for (int r = 0; r < rows; r++) {
      const T* __restrict q = p + r * rs;
      for (int64_t j = 0; j < m; j++) f[j] = Op::fast_step(f[j], q[j * s]);
    }
  }
}

// acc[j] takes in f[j], which restarts, for j < m.
template <typename Op>
DL_ALWAYS_INLINE void vflush_body(typename Op::Acc* __restrict acc, typename Op::Fast* __restrict f, int64_t m) {
  for (int64_t j = 0; j < m; j++) {
    acc[j] = Op::flush(acc[j], f[j]);
    f[j] = Op::fast_init();
  }
}

template <typename Op, typename T>
typename Op::Acc run_base(typename Op::Acc a, const T* p, int64_t n, int64_t s) { return run_body<Op, T>(a, p, n, s); }
template <typename Op, typename T>
typename Op::Acc runs_base(typename Op::Acc a, const T* p, int64_t n, int64_t count, int64_t stride) {
  return runs_body<Op, T>(a, p, n, count, stride);
}
template <typename Op, typename T>
void vstep_base(typename Op::Fast* f, const T* p, int64_t rs, int rows, int64_t m, int64_t s) {
  vstep_body<Op, T>(f, p, rs, rows, m, s);
}
template <typename Op>
void vflush_base(typename Op::Acc* acc, typename Op::Fast* f, int64_t m) { vflush_body<Op>(acc, f, m); }
#if defined(DL_X86)
template <typename Op>
DL_TARGET_AVX2 void vflush_avx2(typename Op::Acc* acc, typename Op::Fast* f, int64_t m) { vflush_body<Op>(acc, f, m); }
template <typename Op, typename T>
DL_TARGET_AVX2 typename Op::Acc run_avx2(typename Op::Acc a, const T* p, int64_t n, int64_t s) { return run_body<Op, T>(a, p, n, s); }
template <typename Op, typename T>
DL_TARGET_AVX2 typename Op::Acc runs_avx2(typename Op::Acc a, const T* p, int64_t n, int64_t count, int64_t stride) {
  return runs_body<Op, T>(a, p, n, count, stride);
}
template <typename Op, typename T>
DL_TARGET_AVX2 void vstep_avx2(typename Op::Fast* f, const T* p, int64_t rs, int rows, int64_t m, int64_t s) {
  vstep_body<Op, T>(f, p, rs, rows, m, s);
}
#endif

template <typename Op, typename T>
struct Loops {
  using Acc = typename Op::Acc;
  Acc (*run)(Acc, const T*, int64_t, int64_t);
  Acc (*runs)(Acc, const T*, int64_t, int64_t, int64_t);
  void (*vstep)(typename Op::Fast*, const T*, int64_t, int, int64_t, int64_t);
  void (*vflush)(Acc*, typename Op::Fast*, int64_t);
  static Loops pick() {
#if defined(DL_X86)
    if (use_avx2()) return {run_avx2<Op, T>, runs_avx2<Op, T>, vstep_avx2<Op, T>, vflush_avx2<Op>};
#endif
    return {run_base<Op, T>, runs_base<Op, T>, vstep_base<Op, T>, vflush_base<Op>};
  }
};

// ---- reduce ---------------------------------------------------------------------------------

template <typename Op, typename T>
void reduce_impl(const T* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int nkept,
                 typename Op::Out* out) {
  using Acc = typename Op::Acc;
  int64_t M = 1;
  bool empty_reduction = false;
  for (int d = 0; d < ndim; d++) {
    if (d < nkept) M *= shape[d];
    else if (shape[d] == 0) empty_reduction = true;
  }
  if (M == 0) return;
  if (empty_reduction) {
    std::fill(out, out + M, Op::empty());
    return;
  }
  const Dims kept(nkept, shape, strides);
  const Dims ordered(ndim - nkept, shape + nkept, strides + nkept);  // the js backend's order
  Dims fast = ordered;
  if (Op::kReorder) {  // largest |stride| outermost, so the innermost run has the smallest
    int idx[Dims::kMax];
    const int nr = ndim - nkept;
    for (int r = 0; r < nr; r++) idx[r] = nkept + r;
    std::stable_sort(idx, idx + nr, [&](int a, int b) { return std::llabs(strides[a]) > std::llabs(strides[b]); });
    fast = Dims();
    for (int r = 0; r < nr; r++) fast.push(shape[idx[r]], strides[idx[r]]);
  }
  const int64_t R = ordered.total();
  const T* base = x + offset;
  const Loops<Op, T> loops = Loops<Op, T>::pick();
  const int threads = num_threads();

  const bool vertical =
      kept.n >= 1 && (fast.n == 0 || std::llabs(kept.stride[kept.n - 1]) < std::llabs(fast.stride[fast.n - 1]));

  // Reduced elements [r0, r1) of the output whose kept elements start at koff; all of them as
  // runs_body's regular short runs when they are.
  const bool short_runs =
      Op::kReorder && fast.n == 2 && fast.stride[1] == 1 && fast.shape[1] >= kLanes && fast.shape[1] < kFlush;
  auto reduce_range = [&](int64_t koff, int64_t r0, int64_t r1, Acc a) {
    if (short_runs && r0 == 0 && r1 == R) return loops.runs(a, base + koff, fast.shape[1], fast.shape[0], fast.stride[0]);
    for_runs(fast, r0, r1, [&](int64_t off, int64_t len, int64_t step) { a = loops.run(a, base + koff + off, len, step); });
    return a;
  };

  if (!vertical) {
    const int64_t chunks = Op::kReorder && M < 8 && R >= 2 * kSplit ? std::min<int64_t>((R + kSplit - 1) / kSplit, 256) : 1;
    if (chunks == 1) {
      parallel_ranges(M, tasks_for(static_cast<double>(M) * R, kPerTask), [&](int64_t o0, int64_t o1) {
        for_runs(kept, o0, o1, [&](int64_t koff, int64_t len, int64_t kstep) {
          for (int64_t i = 0; i < len; i++) out[o0 + i] = Op::finish(reduce_range(koff + i * kstep, 0, R, Op::init()));
          o0 += len;
        });
      });
    } else {  // a few large outputs: fixed chunks of the reduced space, combined in order
      std::vector<Acc> part(static_cast<size_t>(M * chunks));
      auto task = [&](int64_t t) {
        const int64_t o = t / chunks, c = t % chunks;
        part[t] = reduce_range(kept.offset_of(o), R * c / chunks, R * (c + 1) / chunks, Op::init());
      };
      if (threads > 1) parallel_for(M * chunks, task);
      else for (int64_t t = 0; t < M * chunks; t++) task(t);
      for (int64_t o = 0; o < M; o++) {
        Acc a = part[o * chunks];
        for (int64_t c = 1; c < chunks; c++) a = Op::merge(a, part[o * chunks + c]);
        out[o] = Op::finish(a);
      }
    }
  } else {
    const Dims kouter = kept.outer();
    const int64_t W = kept.shape[kept.n - 1], ks = kept.stride[kept.n - 1];
    const int64_t B = std::min(W, kBlock), nb = (W + B - 1) / B, units = kouter.total() * nb;
    // Accumulates reduced elements [r0, r1) into acc[0, m) for outputs starting at koff.
    auto accumulate = [&](Acc* acc, int64_t koff, int64_t m, int64_t r0, int64_t r1) {
      if constexpr (std::is_same<typename Op::Fast, Acc>::value) {
        for_runs(fast, r0, r1, [&](int64_t off, int64_t len, int64_t step) {
          const T* p = base + koff + off;
          for (int64_t k = 0; k < len; k += 4) loops.vstep(acc, p + k * step, step, static_cast<int>(std::min<int64_t>(4, len - k)), m, ks);
        });
      } else {  // rows summed in Fast, into acc every kFlushRows rows
        typename Op::Fast f[kBlock];
        int rows = 0;
        auto flush = [&] {
          loops.vflush(acc, f, m);
          rows = 0;
        };
        for (int64_t j = 0; j < m; j++) f[j] = Op::fast_init();
        for_runs(fast, r0, r1, [&](int64_t off, int64_t len, int64_t step) {
          const T* p = base + koff + off;
          for (int64_t k = 0; k < len; k += 4) {
            const int r = static_cast<int>(std::min<int64_t>(4, len - k));
            loops.vstep(f, p + k * step, step, r, m, ks);
            rows += r;
            if (rows >= kFlushRows) flush();
          }
        });
        if (rows > 0) flush();
      }
    };
    auto unit_origin = [&](int64_t u, int64_t* koff, int64_t* o, int64_t* m) {
      const int64_t q = u / nb, b = u % nb;
      *koff = kouter.offset_of(q) + b * B * ks;
      *o = q * W + b * B;
      *m = std::min(B, W - b * B);
    };
    const int64_t chunks =
        Op::kReorder && units < 4 && R * B >= 2 * kSplit ? std::min<int64_t>((R * B + kSplit - 1) / kSplit, 64) : 1;
    if (chunks == 1) {
      parallel_ranges(units, tasks_for(static_cast<double>(M) * R, kPerTask), [&](int64_t u0, int64_t u1) {
        Acc acc[kBlock];
        for (int64_t u = u0; u < u1; u++) {
          int64_t koff, o, m;
          unit_origin(u, &koff, &o, &m);
          for (int64_t j = 0; j < m; j++) acc[j] = Op::init();
          accumulate(acc, koff, m, 0, R);
          for (int64_t j = 0; j < m; j++) out[o + j] = Op::finish(acc[j]);
        }
      });
    } else {  // few blocks of outputs, long reduction: fixed chunks, partial rows combined in order
      std::vector<Acc> part(static_cast<size_t>(units * chunks * B));
      auto task = [&](int64_t t) {
        const int64_t u = t / chunks, c = t % chunks;
        int64_t koff, o, m;
        unit_origin(u, &koff, &o, &m);
        Acc* acc = part.data() + t * B;
        for (int64_t j = 0; j < m; j++) acc[j] = Op::init();
        accumulate(acc, koff, m, R * c / chunks, R * (c + 1) / chunks);
      };
      if (threads > 1) parallel_for(units * chunks, task);
      else for (int64_t t = 0; t < units * chunks; t++) task(t);
      for (int64_t u = 0; u < units; u++) {
        int64_t koff, o, m;
        unit_origin(u, &koff, &o, &m);
        Acc* acc = part.data() + u * chunks * B;
        for (int64_t c = 1; c < chunks; c++) {
          for (int64_t j = 0; j < m; j++) acc[j] = Op::merge(acc[j], acc[c * B + j]);
        }
        for (int64_t j = 0; j < m; j++) out[o + j] = Op::finish(acc[j]);
      }
    }
  }

  if (Op::kFixZero) {  // max / min equal to zero: the first zero in the js backend's order decides the sign
    for (int64_t o = 0; o < M; o++) {
      if (out[o] != 0) continue;
      const T* p = base + kept.offset_of(o);
      bool found = false;
      for_runs(ordered, 0, R, [&](int64_t off, int64_t len, int64_t step) {
        for (int64_t i = 0; i < len && !found; i++) {
          if (p[off + i * step] == 0) {
            out[o] = p[off + i * step];
            found = true;
          }
        }
      });
    }
  }
}

template <typename T, typename O>
void reduce_dispatch(ReduceOp op, const T* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
                     int nkept, O* out) {
  constexpr bool kFloat = std::is_floating_point<T>::value;
  if constexpr (std::is_same<T, O>::value && kFloat) {
    switch (op) {
      case ReduceOp::kSum: return reduce_impl<SumFloat<T>>(x, offset, ndim, shape, strides, nkept, out);
      case ReduceOp::kProd: return reduce_impl<Prod<T, T>>(x, offset, ndim, shape, strides, nkept, out);
      case ReduceOp::kMax: return reduce_impl<ExtremeFloat<T, true>>(x, offset, ndim, shape, strides, nkept, out);
      case ReduceOp::kMin: return reduce_impl<ExtremeFloat<T, false>>(x, offset, ndim, shape, strides, nkept, out);
      default: return;
    }
  } else if constexpr (std::is_same<O, int32_t>::value) {  // int32 -> int32 (all), uint8 -> int32 (sum, prod)
    switch (op) {
      case ReduceOp::kSum: return reduce_impl<SumInt<T>>(x, offset, ndim, shape, strides, nkept, out);
      case ReduceOp::kProd: return reduce_impl<Prod<T, int32_t>>(x, offset, ndim, shape, strides, nkept, out);
      default: break;
    }
    if constexpr (std::is_same<T, int32_t>::value) {
      if (op == ReduceOp::kMax) return reduce_impl<ExtremeInt<T, true>>(x, offset, ndim, shape, strides, nkept, out);
      if (op == ReduceOp::kMin) return reduce_impl<ExtremeInt<T, false>>(x, offset, ndim, shape, strides, nkept, out);
    }
  } else {  // uint8 -> uint8 (max, min)
    if (op == ReduceOp::kMax) return reduce_impl<ExtremeInt<T, true>>(x, offset, ndim, shape, strides, nkept, out);
    if (op == ReduceOp::kMin) return reduce_impl<ExtremeInt<T, false>>(x, offset, ndim, shape, strides, nkept, out);
  }
}

// ---- arg-max / arg-min ----------------------------------------------------------------------

// Whether v replaces the current extreme b: strictly better, or the first NaN (a NaN b stays).
template <typename T, bool kMax>
DL_ALWAYS_INLINE bool better(T v, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    return (b == b) & ((kMax ? v > b : v < b) | (v != v));
  } else {
    return kMax ? v > b : v < b;
  }
}

// m lines side by side: line j starts at p[j * s] and steps by `step` along the axis.
template <typename T, bool kMax>
DL_ALWAYS_INLINE void arg_block_body(const T* __restrict p, int64_t len, int64_t step, int64_t m, int64_t s,
                                     T* __restrict bv, int32_t* __restrict bi) {
  for (int64_t j = 0; j < m; j++) {
    bv[j] = p[j * s];
    bi[j] = 0;
  }
  for (int64_t k = 1; k < len; k++) {
    const T* q = p + k * step;
    const int32_t kk = static_cast<int32_t>(k);
    if (s == 1) {
      for (int64_t j = 0; j < m; j++) {
        const T v = q[j];
        const bool u = better<T, kMax>(v, bv[j]);
        bv[j] = u ? v : bv[j];
        bi[j] = u ? kk : bi[j];
      }
    } else {
      for (int64_t j = 0; j < m; j++) {
        const T v = q[j * s];
        const bool u = better<T, kMax>(v, bv[j]);
        bv[j] = u ? v : bv[j];
        bi[j] = u ? kk : bi[j];
      }
    }
  }
}

template <typename T, bool kMax>
void arg_block_base(const T* p, int64_t len, int64_t step, int64_t m, int64_t s, T* bv, int32_t* bi) {
  arg_block_body<T, kMax>(p, len, step, m, s, bv, bi);
}
#if defined(DL_X86)
template <typename T, bool kMax>
DL_TARGET_AVX2 void arg_block_avx2(const T* p, int64_t len, int64_t step, int64_t m, int64_t s, T* bv, int32_t* bi) {
  arg_block_body<T, kMax>(p, len, step, m, s, bv, bi);
}
#endif

template <typename T, bool kMax>
void arg_reduce_impl(const T* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
                     T* values, int32_t* indices) {
  int64_t ostrides[Dims::kMax];
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    ostrides[d] = d == axis ? 0 : s;
    if (d != axis) s *= shape[d];
  }
  const AxisLines lines(ndim, shape, strides, offset, ostrides, axis);
  const int64_t len = lines.len, step = lines.xstep;
  if (len == 0) return;
  auto block = arg_block_base<T, kMax>;
#if defined(DL_X86)
  if (use_avx2()) block = arg_block_avx2<T, kMax>;
#endif
  lines.blocks(kBlock, tasks_for(static_cast<double>(lines.num_lines()) * len, kPerTask),
               [&](int64_t xoff, int64_t ooff, int64_t m, int64_t xs, int64_t os) {
                 const T* p = x + xoff;
                 if (m > 1 && std::llabs(xs) < std::llabs(step)) {  // lines side by side
                   T bv[kBlock];
                   int32_t bi[kBlock];
                   block(p, len, step, m, xs, bv, bi);
                   for (int64_t j = 0; j < m; j++) {
                     values[ooff + j * os] = bv[j];
                     indices[ooff + j * os] = bi[j];
                   }
                   return;
                 }
                 for (int64_t j = 0; j < m; j++) {  // one line at a time, stopping at a NaN
                   const T* q = p + j * xs;
                   T b = q[0];
                   int32_t bk = 0;
                   for (int64_t k = 1; k < len; k++) {
                     const T v = q[k * step];
                     if (better<T, kMax>(v, b)) {
                       b = v;
                       bk = static_cast<int32_t>(k);
                       if (v != v) break;
                     }
                   }
                   values[ooff + j * os] = b;
                   indices[ooff + j * os] = bk;
                 }
               });
}

// ---- cumsum ---------------------------------------------------------------------------------

template <typename T, typename Acc, typename O>
DL_ALWAYS_INLINE O cum_finish(Acc a) {
  if constexpr (std::is_same<O, int32_t>::value) {
    return wrap_int32(a);
  } else {
    return static_cast<O>(a);
  }
}

// m lines side by side: x line j at p[j * xs] stepping by xstep, out line j at o[j * os] stepping by ostep.
template <typename T, typename Acc, typename O>
DL_ALWAYS_INLINE void cum_block_body(const T* __restrict p, int64_t len, int64_t xstep, int64_t m, int64_t xs,
                                     O* __restrict o, int64_t ostep, int64_t os) {
  Acc acc[kBlock];
  for (int64_t j = 0; j < m; j++) acc[j] = 0;
  for (int64_t k = 0; k < len; k++) {
    const T* q = p + k * xstep;
    O* r = o + k * ostep;
    if (xs == 1 && os == 1) {
      for (int64_t j = 0; j < m; j++) {
        acc[j] += static_cast<Acc>(q[j]);
        r[j] = cum_finish<T, Acc, O>(acc[j]);
      }
    } else {
      for (int64_t j = 0; j < m; j++) {
        acc[j] += static_cast<Acc>(q[j * xs]);
        r[j * os] = cum_finish<T, Acc, O>(acc[j]);
      }
    }
  }
}

template <typename T, typename Acc, typename O>
void cum_block_base(const T* p, int64_t len, int64_t xstep, int64_t m, int64_t xs, O* o, int64_t ostep, int64_t os) {
  cum_block_body<T, Acc, O>(p, len, xstep, m, xs, o, ostep, os);
}
#if defined(DL_X86)
template <typename T, typename Acc, typename O>
DL_TARGET_AVX2 void cum_block_avx2(const T* p, int64_t len, int64_t xstep, int64_t m, int64_t xs, O* o, int64_t ostep,
                                   int64_t os) {
  cum_block_body<T, Acc, O>(p, len, xstep, m, xs, o, ostep, os);
}
#endif

template <typename T, typename Acc, typename O>
void cumsum_impl(const T* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis, O* out) {
  int64_t ostrides[Dims::kMax];
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    ostrides[d] = s;
    s *= shape[d];
  }
  const AxisLines lines(ndim, shape, strides, offset, ostrides, axis);
  if (lines.len == 0) return;
  auto block = cum_block_base<T, Acc, O>;
#if defined(DL_X86)
  if (use_avx2()) block = cum_block_avx2<T, Acc, O>;
#endif
  // Lines that are contiguous side by side go in wide blocks (vector code); otherwise (the axis is
  // the contiguous dim) 8 lines at a time, whose independent sums overlap in the pipeline.
  const int64_t line_step = lines.walk.strides[0][lines.walk.ndim - 1];
  const int64_t width = std::llabs(line_step) == 1 ? kBlock : 8;
  lines.blocks(width, tasks_for(static_cast<double>(lines.num_lines()) * lines.len, kPerTask),
               [&](int64_t xoff, int64_t ooff, int64_t m, int64_t xs, int64_t os) {
                 block(x + xoff, lines.len, lines.xstep, m, xs, out + ooff, lines.ostep, os);
               });
}

}  // namespace

void reduce(ReduceOp op, const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, float* out) {
  reduce_dispatch(op, x, offset, ndim, shape, strides, nkept, out);
}
void reduce(ReduceOp op, const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, double* out) {
  reduce_dispatch(op, x, offset, ndim, shape, strides, nkept, out);
}
void reduce(ReduceOp op, const int32_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, int32_t* out) {
  reduce_dispatch(op, x, offset, ndim, shape, strides, nkept, out);
}
void reduce(ReduceOp op, const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, int32_t* out) {
  reduce_dispatch(op, x, offset, ndim, shape, strides, nkept, out);
}
void reduce(ReduceOp op, const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides,
            int nkept, uint8_t* out) {
  reduce_dispatch(op, x, offset, ndim, shape, strides, nkept, out);
}

#define DL_ARG_REDUCE(T)                                                                                      \
  void arg_reduce(bool is_max, const T* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, \
                  int axis, T* values, int32_t* indices) {                                                   \
    if (is_max) arg_reduce_impl<T, true>(x, offset, ndim, shape, strides, axis, values, indices);           \
    else arg_reduce_impl<T, false>(x, offset, ndim, shape, strides, axis, values, indices);                 \
  }
DL_ARG_REDUCE(float)
DL_ARG_REDUCE(double)
DL_ARG_REDUCE(int32_t)
DL_ARG_REDUCE(uint8_t)
#undef DL_ARG_REDUCE

void cumsum(const float* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            float* out) {
  cumsum_impl<float, double, float>(x, offset, ndim, shape, strides, axis, out);
}
void cumsum(const double* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            double* out) {
  cumsum_impl<double, double, double>(x, offset, ndim, shape, strides, axis, out);
}
void cumsum(const int32_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            int32_t* out) {
  cumsum_impl<int32_t, int64_t, int32_t>(x, offset, ndim, shape, strides, axis, out);
}
void cumsum(const uint8_t* x, int64_t offset, int ndim, const int64_t* shape, const int64_t* strides, int axis,
            int32_t* out) {
  cumsum_impl<uint8_t, int64_t, int32_t>(x, offset, ndim, shape, strides, axis, out);
}

}  // namespace dl
