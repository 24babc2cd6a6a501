// Elementwise kernels (see elementwise.h). Each op is a small inline functor; the loops are
// written so the compiler vectorises the cheap ones (add, mul, max, ...), and large arrays are
// split between the threads of the pool (big enough that the split pays for itself).
#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "threadpool.h"

namespace dl {
namespace {

// Elements per parallel task: memory-bound ops need many elements per thread to gain anything,
// transcendental ones (tens of cycles each) far fewer.
constexpr int64_t kCheapPerTask = int64_t(1) << 18;
constexpr int64_t kCostlyPerTask = int64_t(1) << 14;

// Splits [0, n) into chunks of at least `per_task` elements, run on the pool when there are two
// or more of them.
template <typename F>
void split_range(int64_t n, int64_t per_task, F&& f) {
  if (n < 2 * per_task || num_threads() <= 1) {
    f(int64_t(0), n);
    return;
  }
  const int64_t ntasks = std::min<int64_t>((n + per_task - 1) / per_task, int64_t(4) * num_threads());
  const int64_t chunk = (n + ntasks - 1) / ntasks;
  parallel_for(ntasks, [&](int64_t t) { f(t * chunk, std::min(n, (t + 1) * chunk)); });
}

// ---- binary ---------------------------------------------------------------------------------

struct Add { template <typename T> T operator()(T a, T b) const { return a + b; } };
struct Sub { template <typename T> T operator()(T a, T b) const { return a - b; } };
struct Mul { template <typename T> T operator()(T a, T b) const { return a * b; } };
struct Div { template <typename T> T operator()(T a, T b) const { return a / b; } };
// NaN if either is NaN (as torch.maximum), otherwise the larger; maximum(-0, +0) is the second,
// exactly as the js backend's `a > b ? a : b`.
struct Max {
  template <typename T> T operator()(T a, T b) const {
    return (a != a || b != b) ? std::numeric_limits<T>::quiet_NaN() : (a > b ? a : b);
  }
};
struct Min {
  template <typename T> T operator()(T a, T b) const {
    return (a != a || b != b) ? std::numeric_limits<T>::quiet_NaN() : (a < b ? a : b);
  }
};

// out[i] = f(a[i % pa], b[i % pb]) for i in [i0, i1): walks the range in runs during which neither
// operand wraps around its period; a period of 1 is a scalar and never limits a run.
template <typename T, typename F>
void binary_range(F f, const T* a, int64_t pa, const T* b, int64_t pb, T* out, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1;) {
    int64_t len = i1 - i;
    const int64_t ia = pa == 1 ? 0 : i % pa;
    const int64_t ib = pb == 1 ? 0 : i % pb;
    if (pa != 1) len = std::min(len, pa - ia);
    if (pb != 1) len = std::min(len, pb - ib);
    const T* __restrict x = a + ia;
    const T* __restrict y = b + ib;
    T* __restrict o = out + i;
    if (pa == 1 && pb == 1) {
      std::fill(o, o + len, f(x[0], y[0]));
    } else if (pa == 1) {
      const T s = x[0];
      for (int64_t k = 0; k < len; ++k) o[k] = f(s, y[k]);
    } else if (pb == 1) {
      const T s = y[0];
      for (int64_t k = 0; k < len; ++k) o[k] = f(x[k], s);
    } else {
      for (int64_t k = 0; k < len; ++k) o[k] = f(x[k], y[k]);
    }
    i += len;
  }
}

template <typename T, typename F>
void binary_with(F f, const T* a, int64_t pa, const T* b, int64_t pb, T* out, int64_t n) {
  split_range(n, kCheapPerTask, [&](int64_t i0, int64_t i1) { binary_range(f, a, pa, b, pb, out, i0, i1); });
}

template <typename T>
void binary_impl(BinaryOp op, const T* a, int64_t pa, const T* b, int64_t pb, T* out, int64_t n) {
  switch (op) {
    case BinaryOp::kAdd: return binary_with(Add{}, a, pa, b, pb, out, n);
    case BinaryOp::kSub: return binary_with(Sub{}, a, pa, b, pb, out, n);
    case BinaryOp::kMul: return binary_with(Mul{}, a, pa, b, pb, out, n);
    case BinaryOp::kDiv: return binary_with(Div{}, a, pa, b, pb, out, n);
    case BinaryOp::kMaximum: return binary_with(Max{}, a, pa, b, pb, out, n);
    case BinaryOp::kMinimum: return binary_with(Min{}, a, pa, b, pb, out, n);
    default: return;
  }
}

// ---- unary ----------------------------------------------------------------------------------

// Transcendental functions go through double, then round to T: for float32 this is what the js
// backend computes (Math.exp in double, stored into a Float32Array).
template <typename T, typename G>
inline T via_double(G g, T x) { return static_cast<T>(g(static_cast<double>(x))); }

struct Neg { template <typename T> T operator()(T x) const { return -x; } };
struct Abs { template <typename T> T operator()(T x) const { return std::fabs(x); } };
// 1, -1, or x itself for zeros (keeping their sign) and NaN.
struct Sign { template <typename T> T operator()(T x) const { return x > 0 ? T(1) : x < 0 ? T(-1) : x; } };
struct Sqrt { template <typename T> T operator()(T x) const { return std::sqrt(x); } };  // correctly rounded
struct Exp { template <typename T> T operator()(T x) const { return via_double([](double v) { return std::exp(v); }, x); } };
struct Log { template <typename T> T operator()(T x) const { return via_double([](double v) { return std::log(v); }, x); } };
struct Sin { template <typename T> T operator()(T x) const { return via_double([](double v) { return std::sin(v); }, x); } };
struct Cos { template <typename T> T operator()(T x) const { return via_double([](double v) { return std::cos(v); }, x); } };
struct Tanh { template <typename T> T operator()(T x) const { return via_double([](double v) { return std::tanh(v); }, x); } };
// sigmoid(x) = 1 / (1 + e^-x), written so that e^|x| never overflows into inf / inf.
struct Sigmoid {
  template <typename T> T operator()(T x) const {
    return via_double([](double v) {
      if (v >= 0) return 1.0 / (1.0 + std::exp(-v));
      const double e = std::exp(v);
      return e / (1.0 + e);
    }, x);
  }
};
// max(x, 0), NaN passing through.
struct Relu { template <typename T> T operator()(T x) const { return x > 0 ? x : (x != x ? x : T(0)); } };
// 1 for x > 0, else 0, NaN passing through.
struct Step { template <typename T> T operator()(T x) const { return x > 0 ? T(1) : (x != x ? x : T(0)); } };

template <typename T, typename F>
void unary_with(F f, int64_t per_task, const T* x, T* out, int64_t n) {
  split_range(n, per_task, [&](int64_t i0, int64_t i1) {
    const T* __restrict in = x;
    T* __restrict o = out;
    for (int64_t i = i0; i < i1; ++i) o[i] = f(in[i]);
  });
}

template <typename T>
void unary_impl(UnaryOp op, const T* x, T* out, int64_t n) {
  switch (op) {
    case UnaryOp::kNeg: return unary_with(Neg{}, kCheapPerTask, x, out, n);
    case UnaryOp::kAbs: return unary_with(Abs{}, kCheapPerTask, x, out, n);
    case UnaryOp::kSign: return unary_with(Sign{}, kCheapPerTask, x, out, n);
    case UnaryOp::kExp: return unary_with(Exp{}, kCostlyPerTask, x, out, n);
    case UnaryOp::kLog: return unary_with(Log{}, kCostlyPerTask, x, out, n);
    case UnaryOp::kSqrt: return unary_with(Sqrt{}, kCheapPerTask, x, out, n);
    case UnaryOp::kSin: return unary_with(Sin{}, kCostlyPerTask, x, out, n);
    case UnaryOp::kCos: return unary_with(Cos{}, kCostlyPerTask, x, out, n);
    case UnaryOp::kTanh: return unary_with(Tanh{}, kCostlyPerTask, x, out, n);
    case UnaryOp::kSigmoid: return unary_with(Sigmoid{}, kCostlyPerTask, x, out, n);
    case UnaryOp::kRelu: return unary_with(Relu{}, kCheapPerTask, x, out, n);
    case UnaryOp::kStep: return unary_with(Step{}, kCheapPerTask, x, out, n);
    default: return;
  }
}

}  // namespace

void binary(BinaryOp op, const float* a, int64_t pa, const float* b, int64_t pb, float* out, int64_t n) {
  binary_impl(op, a, pa, b, pb, out, n);
}
void binary(BinaryOp op, const double* a, int64_t pa, const double* b, int64_t pb, double* out, int64_t n) {
  binary_impl(op, a, pa, b, pb, out, n);
}
void unary(UnaryOp op, const float* x, float* out, int64_t n) { unary_impl(op, x, out, n); }
void unary(UnaryOp op, const double* x, double* out, int64_t n) { unary_impl(op, x, out, n); }

}  // namespace dl
