// Elementwise kernels (see elementwise.h).
//
// Structure: every op is a small functor with its exact js formula in double (`ref`) and, where
// that is provably the same, a version in the element type (`op`). A "row kernel" applies one op
// to a row: n elements with an element step per operand (1 contiguous, 0 broadcast, anything
// else strided), the output contiguous. Typed row kernels exist for the combinations that matter
// (float and int32 arithmetic in their own type, comparisons of any type to bool, float math);
// every other combination goes through doubles in blocks on the stack (load as double, the
// float64 kernel, convert to the output as a JS typed-array store would), which is exactly what
// the js backend computes. The drivers cut the element range into rows (periodic operands: runs
// where no operand wraps; strided operands: RowWalk rows) and split large ranges over the pool.
#include "elementwise.h"

#include <cstring>
#include <limits>

#include "elementwise_common.h"
#include "vmath.h"

namespace dl {
namespace {

using ew::convert;

template <typename T>
constexpr bool kIsInt = std::is_same_v<T, int32_t>;

// ---- binary ops -----------------------------------------------------------------------------

// JS's Math.pow on top of C's pow. They differ where JS gives NaN (a NaN exponent, and
// (+-1) ** +-inf), and in rounding: V8 gives exactly a * a for a ** 2 and sqrt(a) for a ** 0.5
// (with +0 for -0 and +inf for -inf), which glibc's pow misses in the last bit now and then, so
// those (common) exponents are done here; other results may differ from V8's by 1 ulp.
inline double js_pow(double a, double b) {
  if (b != b) return std::numeric_limits<double>::quiet_NaN();
  if (b == 2) return a * a;
  if (b == 1) return a;
  if (b == 0.5) return a == -std::numeric_limits<double>::infinity() ? -a : std::sqrt(a) + 0.0;
  if ((a == 1 || a == -1) && std::isinf(b)) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(a, b);
}

// The js backend's int32 power: exponentiation by squaring with wrapping products; a negative
// exponent gives 0 unless |a| = 1.
inline int32_t int_pow(int32_t a, int32_t b) {
  if (b < 0) return a == 1 ? 1 : a == -1 ? (b % 2 == 0 ? 1 : -1) : 0;
  uint32_t r = 1, base = static_cast<uint32_t>(a);
  for (uint32_t e = static_cast<uint32_t>(b); e > 0; e >>= 1) {
    if (e & 1) r *= base;
    base *= base;
  }
  return static_cast<int32_t>(r);
}

inline int32_t wrap(uint32_t v) { return static_cast<int32_t>(v); }

// kPred: the result is bool (comparisons, logical ops); kCostly: tens of cycles per element.
struct Add {
  static constexpr bool kPred = false, kCostly = false;
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) return wrap(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
    else return a + b;
  }
  static double ref(double a, double b) { return a + b; }
};
struct Sub {
  static constexpr bool kPred = false, kCostly = false;
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) return wrap(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
    else return a - b;
  }
  static double ref(double a, double b) { return a - b; }
};
struct Mul {
  static constexpr bool kPred = false, kCostly = false;
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) return wrap(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));  // Math.imul
    else return a * b;
  }
  static double ref(double a, double b) { return a * b; }
};
struct Div {
  static constexpr bool kPred = false, kCostly = false;
  // int32: the double quotient converted by ToInt32. For |a|, |b| < 2^31 its truncation is C's
  // integer division; x / 0 (inf or NaN) gives 0, and -2^31 / -1 = 2^31 wraps to -2^31.
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) {
      if (b == 0) return 0;
      if (b == -1) return wrap(0u - static_cast<uint32_t>(a));
      return a / b;
    } else {
      return a / b;
    }
  }
  static double ref(double a, double b) { return a / b; }
};
struct Pow {
  static constexpr bool kPred = false, kCostly = true;
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) return int_pow(a, b);
    else return static_cast<T>(js_pow(static_cast<double>(a), static_cast<double>(b)));
  }
  static double ref(double a, double b) { return js_pow(a, b); }
};
// NaN if either is NaN (as torch.maximum), otherwise the larger; maximum(-0, +0) is the second,
// exactly as the js backend's `a > b ? a : b`.
struct Maximum {
  static constexpr bool kPred = false, kCostly = false;
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) return a > b ? a : b;
    else return (a != a || b != b) ? std::numeric_limits<T>::quiet_NaN() : (a > b ? a : b);
  }
  static double ref(double a, double b) { return op<double>(a, b); }
};
struct Minimum {
  static constexpr bool kPred = false, kCostly = false;
  template <typename T> static T op(T a, T b) {
    if constexpr (kIsInt<T>) return a < b ? a : b;
    else return (a != a || b != b) ? std::numeric_limits<T>::quiet_NaN() : (a < b ? a : b);
  }
  static double ref(double a, double b) { return op<double>(a, b); }
};

#define DL_PREDICATE(Name, expr)                                                         \
  struct Name {                                                                          \
    static constexpr bool kPred = true, kCostly = false;                                 \
    template <typename T> static uint8_t op(T a, T b) { return (expr) ? 1 : 0; }         \
    static double ref(double a, double b) { return (expr) ? 1.0 : 0.0; }                 \
  };
DL_PREDICATE(Eq, a == b)
DL_PREDICATE(Ne, a != b)
DL_PREDICATE(Lt, a < b)
DL_PREDICATE(Le, a <= b)
DL_PREDICATE(Gt, a > b)
DL_PREDICATE(Ge, a >= b)
DL_PREDICATE(LogicalAnd, a != 0 && b != 0)
DL_PREDICATE(LogicalOr, a != 0 || b != 0)
DL_PREDICATE(LogicalXor, (a != 0) != (b != 0))
#undef DL_PREDICATE

// ---- binary row kernels ---------------------------------------------------------------------

// o[i] = Op(a[i * sa], b[i * sb]) for i < n; o contiguous of type R (T, or bool for predicates).
using BinaryRow = void (*)(const char* a, int64_t sa, const char* b, int64_t sb, char* o, int64_t n);

template <typename Op, typename T, typename R>
void binary_row(const char* pa, int64_t sa, const char* pb, int64_t sb, char* po, int64_t n) {
  const T* __restrict a = reinterpret_cast<const T*>(pa);
  const T* __restrict b = reinterpret_cast<const T*>(pb);
  R* __restrict o = reinterpret_cast<R*>(po);
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = Op::template op<T>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const T s = b[0];
    for (int64_t i = 0; i < n; i++) o[i] = Op::template op<T>(a[i], s);
  } else if (sa == 0 && sb == 1) {
    const T s = a[0];
    for (int64_t i = 0; i < n; i++) o[i] = Op::template op<T>(s, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = Op::template op<T>(a[i * sa], b[i * sb]);
  }
}

// pow of a float row by a broadcast exponent: x ** 2, x ** 1 and x ** 0.5 are common (squared
// errors, norms) and get vectorisable loops with js_pow's results: x * x (for float32 the exact
// double product rounded once), x itself, and sqrt(x) with +0 for -0 and +inf for -inf.
template <typename T>
void pow_row(const char* pa, int64_t sa, const char* pb, int64_t sb, char* po, int64_t n) {
  if (sa == 1 && sb == 0) {
    const T* __restrict a = reinterpret_cast<const T*>(pa);
    T* __restrict o = reinterpret_cast<T*>(po);
    const T e = *reinterpret_cast<const T*>(pb);
    if (e == 2) {
      for (int64_t i = 0; i < n; i++) o[i] = static_cast<T>(static_cast<double>(a[i]) * static_cast<double>(a[i]));
      return;
    }
    if (e == 1) {
      for (int64_t i = 0; i < n; i++) o[i] = a[i];
      return;
    }
    if (e == 0.5) {
      for (int64_t i = 0; i < n; i++) o[i] = a[i] == -std::numeric_limits<T>::infinity() ? -a[i] : std::sqrt(a[i]) + T(0);
      return;
    }
  }
  binary_row<Pow, T, T>(pa, sa, pb, sb, po, n);
}

// A binary op bound to its dtypes: a typed row kernel, or the float64 one (R = double, or bool
// for predicates) used through blocks of doubles.
struct BinaryKernel {
  BinaryRow typed = nullptr;
  BinaryRow f64 = nullptr;
  bool f64_gives_bool = false;
  Dtype in = Dtype::kF64, out = Dtype::kF64;
  bool costly = false;

  void run(const char* a, int64_t sa, const char* b, int64_t sb, char* o, int64_t n) const {
    if (typed != nullptr) return typed(a, sa, b, sb, o, n);
    const size_t es = dtype_size(in), os = dtype_size(out);
    double da[ew::kBlock], db[ew::kBlock];
    alignas(8) char r[ew::kBlock * sizeof(double)];
    for (int64_t i = 0; i < n; i += ew::kBlock) {
      const int64_t len = std::min(ew::kBlock, n - i);
      ew::load_as_double(in, a + i * sa * es, sa, da, len);
      ew::load_as_double(in, b + i * sb * es, sb, db, len);
      f64(reinterpret_cast<const char*>(da), 1, reinterpret_cast<const char*>(db), 1, r, len);
      if (f64_gives_bool) ew::store_converted(reinterpret_cast<const uint8_t*>(r), out, o + i * os, len);
      else ew::store_converted(reinterpret_cast<const double*>(r), out, o + i * os, len);
    }
  }
};

template <typename Op>
BinaryKernel make_binary(Dtype in, Dtype out) {
  BinaryKernel k;
  k.in = in;
  k.out = out;
  k.costly = Op::kCostly;
  if constexpr (Op::kPred) {
    k.f64 = binary_row<Op, double, uint8_t>;
    k.f64_gives_bool = true;
    if (out == Dtype::kBool) {
      ew::with_type(in, [&](auto tag) { k.typed = binary_row<Op, decltype(tag), uint8_t>; });
    }
  } else {
    k.f64 = binary_row<Op, double, double>;
    if (out == in) {
      switch (in) {
        case Dtype::kF32: k.typed = binary_row<Op, float, float>; break;
        case Dtype::kF64: k.typed = binary_row<Op, double, double>; break;
        case Dtype::kI32: k.typed = binary_row<Op, int32_t, int32_t>; break;
        default: break;  // bool: through doubles, then != 0
      }
    }
  }
  if constexpr (std::is_same_v<Op, Pow>) {
    if (out == in && in == Dtype::kF32) k.typed = pow_row<float>;
    if (out == in && in == Dtype::kF64) k.typed = pow_row<double>;
  }
  if (k.typed == nullptr) k.costly = true;
  return k;
}

BinaryKernel binary_kernel(BinaryOp op, Dtype in, Dtype out) {
  switch (op) {
    case BinaryOp::kAdd: return make_binary<Add>(in, out);
    case BinaryOp::kSub: return make_binary<Sub>(in, out);
    case BinaryOp::kMul: return make_binary<Mul>(in, out);
    case BinaryOp::kDiv: return make_binary<Div>(in, out);
    case BinaryOp::kPow: return make_binary<Pow>(in, out);
    case BinaryOp::kMaximum: return make_binary<Maximum>(in, out);
    case BinaryOp::kMinimum: return make_binary<Minimum>(in, out);
    case BinaryOp::kEq: return make_binary<Eq>(in, out);
    case BinaryOp::kNe: return make_binary<Ne>(in, out);
    case BinaryOp::kLt: return make_binary<Lt>(in, out);
    case BinaryOp::kLe: return make_binary<Le>(in, out);
    case BinaryOp::kGt: return make_binary<Gt>(in, out);
    case BinaryOp::kGe: return make_binary<Ge>(in, out);
    case BinaryOp::kLogicalAnd: return make_binary<LogicalAnd>(in, out);
    case BinaryOp::kLogicalOr: return make_binary<LogicalOr>(in, out);
    default: return make_binary<LogicalXor>(in, out);
  }
}

// ---- unary ops ------------------------------------------------------------------------------

// Transcendental functions go through double, then round to T: for float32 this is what the js
// backend computes (Math.exp in double, stored into a Float32Array).
template <typename T, typename G>
inline T via_double(G g, T x) { return static_cast<T>(g(static_cast<double>(x))); }

// kInt: `op` is also right for int32 (wrapping as ToInt32 of the double result); kVec: a vmath.h
// function does float32 rows.
struct Neg {
  static constexpr bool kCostly = false, kInt = true;
  template <typename T> static T op(T x) {
    if constexpr (kIsInt<T>) return wrap(0u - static_cast<uint32_t>(x));
    else return -x;
  }
};
struct Abs {
  static constexpr bool kCostly = false, kInt = true;
  template <typename T> static T op(T x) {
    if constexpr (kIsInt<T>) return x < 0 ? wrap(0u - static_cast<uint32_t>(x)) : x;
    else return std::fabs(x);
  }
};
// 1, -1, or x itself for zeros (keeping their sign) and NaN.
struct Sign {
  static constexpr bool kCostly = false, kInt = true;
  template <typename T> static T op(T x) { return x > 0 ? T(1) : x < 0 ? T(-1) : x; }
};
struct Sqrt {  // correctly rounded in both float types, so the same as rounding the double root
  static constexpr bool kCostly = false, kInt = false;
  template <typename T> static T op(T x) { return std::sqrt(x); }
};
struct Exp {
  static constexpr bool kCostly = true, kInt = false;
  template <typename T> static T op(T x) { return via_double([](double v) { return std::exp(v); }, x); }
};
struct Log {
  static constexpr bool kCostly = true, kInt = false;
  template <typename T> static T op(T x) { return via_double([](double v) { return std::log(v); }, x); }
};
struct Sin {
  static constexpr bool kCostly = true, kInt = false;
  template <typename T> static T op(T x) { return via_double([](double v) { return std::sin(v); }, x); }
};
struct Cos {
  static constexpr bool kCostly = true, kInt = false;
  template <typename T> static T op(T x) { return via_double([](double v) { return std::cos(v); }, x); }
};
struct Tanh {
  static constexpr bool kCostly = true, kInt = false;
  template <typename T> static T op(T x) { return via_double([](double v) { return std::tanh(v); }, x); }
};
// sigmoid(x) = 1 / (1 + e^-x), written so that e^|x| never overflows into inf / inf.
struct Sigmoid {
  static constexpr bool kCostly = true, kInt = false;
  template <typename T> static T op(T x) {
    return via_double([](double v) {
      if (v >= 0) return 1.0 / (1.0 + std::exp(-v));
      const double e = std::exp(v);
      return e / (1.0 + e);
    }, x);
  }
};
// max(x, 0), NaN passing through.
struct Relu {
  static constexpr bool kCostly = false, kInt = true;
  template <typename T> static T op(T x) { return x > 0 ? x : (x != x ? x : T(0)); }
};
// 1 for x > 0, else 0, NaN passing through.
struct Step {
  static constexpr bool kCostly = false, kInt = true;
  template <typename T> static T op(T x) { return x > 0 ? T(1) : (x != x ? x : T(0)); }
};

// ---- unary row kernels ----------------------------------------------------------------------

// o[i] = Op(x[i * sx]) for i < n, o contiguous.
using UnaryRow = void (*)(const char* x, int64_t sx, char* o, int64_t n);

template <typename Op, typename T>
void unary_row(const char* px, int64_t sx, char* po, int64_t n) {
  const T* __restrict x = reinterpret_cast<const T*>(px);
  T* __restrict o = reinterpret_cast<T*>(po);
  if (sx == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = Op::template op<T>(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = Op::template op<T>(x[i * sx]);
  }
}

// float32 rows of a vmath.h function; strided rows are gathered into blocks first.
template <void (*F)(const float*, float*, int64_t)>
void vec_row(const char* px, int64_t sx, char* po, int64_t n) {
  const float* x = reinterpret_cast<const float*>(px);
  float* o = reinterpret_cast<float*>(po);
  if (sx == 1) return F(x, o, n);
  for (int64_t i = 0; i < n; i += ew::kBlock) {
    const int64_t len = std::min(ew::kBlock, n - i);
    for (int64_t k = 0; k < len; k++) o[i + k] = x[(i + k) * sx];
    F(o + i, o + i, len);
  }
}

// logicalNot: x == 0 (so NaN gives 0), any input type, bool out.
template <typename T>
void not_row(const char* px, int64_t sx, char* po, int64_t n) {
  const T* __restrict x = reinterpret_cast<const T*>(px);
  uint8_t* __restrict o = reinterpret_cast<uint8_t*>(po);
  if (sx == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = x[i] == 0 ? 1 : 0;
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = x[i * sx] == 0 ? 1 : 0;
  }
}

struct UnaryKernel {
  UnaryRow typed = nullptr;
  UnaryRow f64 = nullptr;
  Dtype in = Dtype::kF64, out = Dtype::kF64;
  bool costly = false;

  void run(const char* x, int64_t sx, char* o, int64_t n) const {
    if (typed != nullptr) return typed(x, sx, o, n);
    const size_t es = dtype_size(in), os = dtype_size(out);
    double buf[ew::kBlock], res[ew::kBlock];
    for (int64_t i = 0; i < n; i += ew::kBlock) {
      const int64_t len = std::min(ew::kBlock, n - i);
      ew::load_as_double(in, x + i * sx * es, sx, buf, len);
      f64(reinterpret_cast<const char*>(buf), 1, reinterpret_cast<char*>(res), len);
      ew::store_converted(static_cast<const double*>(res), out, o + i * os, len);
    }
  }
};

template <typename Op>
UnaryKernel make_unary(Dtype in, Dtype out, UnaryRow vec_f32 = nullptr) {
  UnaryKernel k;
  k.in = in;
  k.out = out;
  k.costly = Op::kCostly;
  k.f64 = unary_row<Op, double>;
  if (out == in) {
    if (in == Dtype::kF32) k.typed = vec_f32 != nullptr ? vec_f32 : unary_row<Op, float>;
    else if (in == Dtype::kF64) k.typed = unary_row<Op, double>;
    else if (in == Dtype::kI32 && Op::kInt) k.typed = unary_row<Op, int32_t>;
  }
  if (k.typed == nullptr) k.costly = true;
  return k;
}

UnaryKernel unary_kernel(UnaryOp op, Dtype in, Dtype out) {
  switch (op) {
    case UnaryOp::kNeg: return make_unary<Neg>(in, out);
    case UnaryOp::kAbs: return make_unary<Abs>(in, out);
    case UnaryOp::kSign: return make_unary<Sign>(in, out);
    case UnaryOp::kExp: return make_unary<Exp>(in, out, vec_row<vexp_f32>);
    case UnaryOp::kLog: return make_unary<Log>(in, out, vec_row<vlog_f32>);
    case UnaryOp::kSqrt: return make_unary<Sqrt>(in, out);
    case UnaryOp::kSin: return make_unary<Sin>(in, out);
    case UnaryOp::kCos: return make_unary<Cos>(in, out);
    case UnaryOp::kTanh: return make_unary<Tanh>(in, out, vec_row<vtanh_f32>);
    case UnaryOp::kSigmoid: return make_unary<Sigmoid>(in, out, vec_row<vsigmoid_f32>);
    case UnaryOp::kRelu: return make_unary<Relu>(in, out);
    case UnaryOp::kStep: return make_unary<Step>(in, out);
    default: {  // logicalNot: typed for every input; another output type converts the bool
      UnaryKernel k;
      k.in = in;
      k.out = out;
      if (out == Dtype::kBool) {
        ew::with_type(in, [&](auto tag) { k.typed = not_row<decltype(tag)>; });
      } else {
        k.f64 = [](const char* px, int64_t sx, char* po, int64_t n) {
          const double* x = reinterpret_cast<const double*>(px);
          double* o = reinterpret_cast<double*>(po);
          for (int64_t i = 0; i < n; i++) o[i] = x[i * sx] == 0 ? 1.0 : 0.0;
        };
        k.costly = true;
      }
      return k;
    }
  }
}

}  // namespace

// ---- drivers ----------------------------------------------------------------------------------

bool binary_supported(BinaryOp op, Dtype in, Dtype out) {
  return static_cast<int>(op) >= 0 && op < BinaryOp::kCount && (out == in || out == Dtype::kBool);
}

bool binary_periodic(BinaryOp op, Dtype in, const void* a, int64_t pa, const void* b, int64_t pb, Dtype out_t,
                     void* out, int64_t n) {
  if (!binary_supported(op, in, out_t)) return false;
  const BinaryKernel k = binary_kernel(op, in, out_t);
  const size_t es = dtype_size(in), os = dtype_size(out_t);
  const char* pa_ = static_cast<const char*>(a);
  const char* pb_ = static_cast<const char*>(b);
  char* po = static_cast<char*>(out);
  // Runs during which neither operand wraps around its period; a period of 1 is a scalar (step 0)
  // and never limits a run.
  ew::split_range(n, k.costly ? ew::kCostlyPerTask : ew::kCheapPerTask, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1;) {
      int64_t len = i1 - i;
      const int64_t ia = pa == 1 ? 0 : i % pa;
      const int64_t ib = pb == 1 ? 0 : i % pb;
      if (pa != 1) len = std::min(len, pa - ia);
      if (pb != 1) len = std::min(len, pb - ib);
      k.run(pa_ + ia * es, pa == 1 ? 0 : 1, pb_ + ib * es, pb == 1 ? 0 : 1, po + i * os, len);
      i += len;
    }
  });
  return true;
}

bool binary_strided(BinaryOp op, Dtype in, int ndim, const int64_t* shape, StridedIn a, StridedIn b, Dtype out_t,
                    void* out) {
  if (!binary_supported(op, in, out_t)) return false;
  const BinaryKernel k = binary_kernel(op, in, out_t);
  int64_t os_[RowWalk<3>::kMaxDims];
  ew::contiguous_strides(ndim, shape, os_);
  const int64_t* strides[3] = {os_, a.strides, b.strides};
  const int64_t offs[3] = {0, a.offset, b.offset};
  const RowWalk<3> w(ndim, shape, strides, offs);
  const size_t es = dtype_size(in), os = dtype_size(out_t);
  const char* pa = static_cast<const char*>(a.data);
  const char* pb = static_cast<const char*>(b.data);
  char* po = static_cast<char*>(out);
  ew::walk_all(w, k.costly ? ew::kCostlyPerTask : ew::kCheapPerTask, true,
               [&](const int64_t* off, int64_t len, const int64_t* step) {
                 k.run(pa + off[1] * es, step[1], pb + off[2] * es, step[2], po + off[0] * os, len);
               });
  return true;
}

void unary_contiguous(UnaryOp op, Dtype in, const void* x, Dtype out_t, void* out, int64_t n) {
  const UnaryKernel k = unary_kernel(op, in, out_t);
  const size_t es = dtype_size(in), os = dtype_size(out_t);
  const char* px = static_cast<const char*>(x);
  char* po = static_cast<char*>(out);
  ew::split_range(n, k.costly ? ew::kCostlyPerTask : ew::kCheapPerTask,
                  [&](int64_t i0, int64_t i1) { k.run(px + i0 * es, 1, po + i0 * os, i1 - i0); });
}

void unary_strided(UnaryOp op, Dtype in, int ndim, const int64_t* shape, StridedIn x, Dtype out_t, void* out) {
  const UnaryKernel k = unary_kernel(op, in, out_t);
  int64_t os_[RowWalk<2>::kMaxDims];
  ew::contiguous_strides(ndim, shape, os_);
  const int64_t* strides[2] = {os_, x.strides};
  const int64_t offs[2] = {0, x.offset};
  const RowWalk<2> w(ndim, shape, strides, offs);
  const size_t es = dtype_size(in), os = dtype_size(out_t);
  const char* px = static_cast<const char*>(x.data);
  char* po = static_cast<char*>(out);
  ew::walk_all(w, k.costly ? ew::kCostlyPerTask : ew::kCheapPerTask, true,
               [&](const int64_t* off, int64_t len, const int64_t* step) {
                 k.run(px + off[1] * es, step[1], po + off[0] * os, len);
               });
}

}  // namespace dl
