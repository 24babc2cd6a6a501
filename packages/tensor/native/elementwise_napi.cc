// JS bindings of the elementwise kernels (elementwise.h):
//
//   binary(op, a, aOff, aPeriod, b, bOff, bPeriod, out)
//       out[i] = op(a[aOff + i % aPeriod], b[bOff + i % bPeriod]) for i < out.length
//   unary(op, x, xOff, out)           out[i] = op(x[xOff + i])
#include "bindings.h"
#include "elementwise.h"
#include "napi_args.h"

namespace dl {
namespace {

void Binary(const Args& info) {
  const char* fn = "binary";
  if (info.Length() != 8) throw Napi::TypeError::New(info.Env(), "binary: expected 8 arguments");
  const int64_t op = int_arg(info, 0, fn);
  if (op >= static_cast<int64_t>(BinaryOp::kCount)) throw Napi::RangeError::New(info.Env(), "binary: unknown op");
  const ArrayArg a = array_arg(info, 1, fn), b = array_arg(info, 4, fn), out = array_arg(info, 7, fn);
  if (a.type != b.type || a.type != out.type) {
    throw Napi::TypeError::New(info.Env(), "binary: a, b and out must have the same type");
  }
  const int64_t a_off = int_arg(info, 2, fn), pa = int_arg(info, 3, fn);
  const int64_t b_off = int_arg(info, 5, fn), pb = int_arg(info, 6, fn);
  const int64_t n = static_cast<int64_t>(out.length);
  if (n == 0) return;
  if (pa < 1 || pb < 1) throw Napi::RangeError::New(info.Env(), "binary: periods must be >= 1");
  check_extent(info, fn, "a", a, a_off, {{pa, 1}});
  check_extent(info, fn, "b", b, b_off, {{pb, 1}});
  const auto o = static_cast<BinaryOp>(op);
  if (a.type == ElemType::kF32) {
    binary(o, static_cast<const float*>(a.data) + a_off, pa, static_cast<const float*>(b.data) + b_off, pb,
               static_cast<float*>(out.data), n);
  } else {
    binary(o, static_cast<const double*>(a.data) + a_off, pa, static_cast<const double*>(b.data) + b_off, pb,
               static_cast<double*>(out.data), n);
  }
}

void Unary(const Args& info) {
  const char* fn = "unary";
  if (info.Length() != 4) throw Napi::TypeError::New(info.Env(), "unary: expected 4 arguments");
  const int64_t op = int_arg(info, 0, fn);
  if (op >= static_cast<int64_t>(UnaryOp::kCount)) throw Napi::RangeError::New(info.Env(), "unary: unknown op");
  const ArrayArg x = array_arg(info, 1, fn), out = array_arg(info, 3, fn);
  if (x.type != out.type) throw Napi::TypeError::New(info.Env(), "unary: x and out must have the same type");
  const int64_t off = int_arg(info, 2, fn);
  const int64_t n = static_cast<int64_t>(out.length);
  check_extent(info, fn, "x", x, off, {{n, 1}});
  const auto o = static_cast<UnaryOp>(op);
  if (x.type == ElemType::kF32) {
    unary(o, static_cast<const float*>(x.data) + off, static_cast<float*>(out.data), n);
  } else {
    unary(o, static_cast<const double*>(x.data) + off, static_cast<double*>(out.data), n);
  }
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  export_raw(env, exports, "binary", hot<Binary>);
  export_raw(env, exports, "unary", hot<Unary>);
}

}  // namespace dl
