// JS bindings of the elementwise kernels (elementwise.h) and the copies (copy.h). Arrays are
// Float32Array, Float64Array, Int32Array or Uint8Array (bool); `geom` arguments are the
// Float64Array geometry of a strided view, [offset, ndim, ...shape, ...strides] (napi_args.h).
// Outputs are contiguous arrays the caller allocated, of the output dtype, with one element per
// element of the shape, and must not share memory with the inputs.
//
//   binary(op, a, aOff, aPeriod, b, bOff, bPeriod, out)
//       out[i] = op(a[aOff + i % aPeriod], b[bOff + i % bPeriod]) for i < out.length
//   binaryStrided(op, a, aGeom, b, bGeom, out)       a and b of one shape, out[i] = op(a[.], b[.])
//       (a and b of one type; out of that type or Uint8Array: see binary_supported)
//   unary(op, x, xOff, out)                         out[i] = op(x[xOff + i])
//   unaryStrided(op, x, xGeom, out)                 out[i] = op(x[.]) in row-major order
//   cast(x, xGeom, out)                             out[i] = x[.] converted to out's type
//   assign(dst, dstGeom, src, srcGeom)              dst[.] = src[.] converted (overlap allowed)
//   where(cond, condGeom, a, aGeom, b, bGeom, out)  out[i] = cond[.] != 0 ? a[.] : b[.]
//   setElementwiseSimd(on)                          use (true) or not (false) the vector float32
//                                                   exp/log/tanh/sigmoid; returns the new state
#include "bindings.h"
#include "copy.h"
#include "elementwise.h"
#include "napi_args.h"
#include "vmath.h"

namespace dl {
namespace {

Dtype dtype_of(const ArrayArg& a) { return static_cast<Dtype>(static_cast<int>(a.type)); }

void expect_args(const Args& info, size_t n, const char* fn) {
  if (info.Length() != n) throw_type(info, fn, "expected " + std::to_string(n) + " arguments");
}

int64_t op_arg(const Args& info, size_t i, const char* fn, int count) {
  const int64_t op = int_arg(info, i, fn);
  if (op >= count) throw_range(info, fn, "unknown op " + std::to_string(op));
  return op;
}

// Checks that `v` has the shape of `ref`.
void same_shape(const Args& info, const char* fn, const ViewArg& ref, const ViewArg& v, const char* what) {
  bool ok = v.ndim == ref.ndim;
  for (int d = 0; ok && d < v.ndim; d++) ok = v.shape[d] == ref.shape[d];
  if (!ok) throw_range(info, fn, std::string(what) + " must have the shape of the first view");
}

// A contiguous output of `n` elements that shares no memory with the inputs.
void check_out(const Args& info, const char* fn, const ArrayArg& out, double n,
               std::initializer_list<const ArrayArg*> inputs) {
  if (static_cast<double>(out.length) != n) {
    throw_range(info, fn, "out must have " + std::to_string(static_cast<int64_t>(n)) + " elements, not " +
                              std::to_string(out.length));
  }
  for (const ArrayArg* in : inputs) {
    if (overlaps(out, *in)) throw_range(info, fn, "out must not share memory with an input");
  }
}

StridedIn strided(const ViewArg& v) { return StridedIn{v.array.data, v.offset, v.strides}; }

double numel_of(const ViewArg& v) {
  double n = 1;
  for (int d = 0; d < v.ndim; d++) n *= static_cast<double>(v.shape[d]);
  return n;
}

void Binary(const Args& info) {
  const char* fn = "binary";
  expect_args(info, 8, fn);
  const auto op = static_cast<BinaryOp>(op_arg(info, 0, fn, static_cast<int>(BinaryOp::kCount)));
  const ArrayArg a = array_arg(info, 1, fn, kAllowAll), b = array_arg(info, 4, fn, kAllowAll);
  const ArrayArg out = array_arg(info, 7, fn, kAllowAll);
  if (a.type != b.type) throw_type(info, fn, "a and b must have the same type");
  if (!binary_supported(op, dtype_of(a), dtype_of(out))) throw_type(info, fn, "out must have the type of a, or be a Uint8Array");
  const int64_t a_off = int_arg(info, 2, fn), pa = int_arg(info, 3, fn);
  const int64_t b_off = int_arg(info, 5, fn), pb = int_arg(info, 6, fn);
  const int64_t n = static_cast<int64_t>(out.length);
  if (n == 0) return;
  if (pa < 1 || pb < 1) throw_range(info, fn, "periods must be >= 1");
  check_extent(info, fn, "a", a, a_off, {{pa, 1}});
  check_extent(info, fn, "b", b, b_off, {{pb, 1}});
  check_out(info, fn, out, static_cast<double>(n), {&a, &b});
  const size_t es = a.elem_size();
  binary_periodic(op, dtype_of(a), static_cast<const char*>(a.data) + a_off * es, pa,
                  static_cast<const char*>(b.data) + b_off * es, pb, dtype_of(out), out.data, n);
}

void BinaryStrided(const Args& info) {
  const char* fn = "binaryStrided";
  expect_args(info, 6, fn);
  const auto op = static_cast<BinaryOp>(op_arg(info, 0, fn, static_cast<int>(BinaryOp::kCount)));
  const ViewArg a = view_arg(info, 1, 2, fn, kAllowAll), b = view_arg(info, 3, 4, fn, kAllowAll);
  const ArrayArg out = array_arg(info, 5, fn, kAllowAll);
  if (a.array.type != b.array.type) throw_type(info, fn, "a and b must have the same type");
  if (!binary_supported(op, dtype_of(a.array), dtype_of(out))) {
    throw_type(info, fn, "out must have the type of a, or be a Uint8Array");
  }
  same_shape(info, fn, a, b, "b");
  check_out(info, fn, out, numel_of(a), {&a.array, &b.array});
  binary_strided(op, dtype_of(a.array), a.ndim, a.shape, strided(a), strided(b), dtype_of(out), out.data);
}

void Unary(const Args& info) {
  const char* fn = "unary";
  expect_args(info, 4, fn);
  const auto op = static_cast<UnaryOp>(op_arg(info, 0, fn, static_cast<int>(UnaryOp::kCount)));
  const ArrayArg x = array_arg(info, 1, fn, kAllowAll), out = array_arg(info, 3, fn, kAllowAll);
  const int64_t off = int_arg(info, 2, fn);
  const int64_t n = static_cast<int64_t>(out.length);
  check_extent(info, fn, "x", x, off, {{n, 1}});
  check_out(info, fn, out, static_cast<double>(n), {&x});
  unary_contiguous(op, dtype_of(x), static_cast<const char*>(x.data) + off * x.elem_size(), dtype_of(out), out.data, n);
}

void UnaryStrided(const Args& info) {
  const char* fn = "unaryStrided";
  expect_args(info, 4, fn);
  const auto op = static_cast<UnaryOp>(op_arg(info, 0, fn, static_cast<int>(UnaryOp::kCount)));
  const ViewArg x = view_arg(info, 1, 2, fn, kAllowAll);
  const ArrayArg out = array_arg(info, 3, fn, kAllowAll);
  check_out(info, fn, out, numel_of(x), {&x.array});
  unary_strided(op, dtype_of(x.array), x.ndim, x.shape, strided(x), dtype_of(out), out.data);
}

void Cast(const Args& info) {
  const char* fn = "cast";
  expect_args(info, 3, fn);
  const ViewArg x = view_arg(info, 0, 1, fn, kAllowAll);
  const ArrayArg out = array_arg(info, 2, fn, kAllowAll);
  check_out(info, fn, out, numel_of(x), {&x.array});
  cast_strided(dtype_of(x.array), x.ndim, x.shape, strided(x), dtype_of(out), out.data);
}

void Assign(const Args& info) {
  const char* fn = "assign";
  expect_args(info, 4, fn);
  const ViewArg dst = view_arg(info, 0, 1, fn, kAllowAll), src = view_arg(info, 2, 3, fn, kAllowAll);
  same_shape(info, fn, dst, src, "src");
  assign_strided(dtype_of(dst.array), dst.ndim, dst.shape, strided(dst), dtype_of(src.array), strided(src));
}

void Where(const Args& info) {
  const char* fn = "where";
  expect_args(info, 7, fn);
  const ViewArg c = view_arg(info, 0, 1, fn, kAllowAll), a = view_arg(info, 2, 3, fn, kAllowAll),
                b = view_arg(info, 4, 5, fn, kAllowAll);
  const ArrayArg out = array_arg(info, 6, fn, kAllowAll);
  if (a.array.type != b.array.type || a.array.type != out.type) {
    throw_type(info, fn, "a, b and out must have the same type");
  }
  same_shape(info, fn, c, a, "a");
  same_shape(info, fn, c, b, "b");
  check_out(info, fn, out, numel_of(c), {&c.array, &a.array, &b.array});
  where_strided(dtype_of(c.array), dtype_of(out), c.ndim, c.shape, strided(c), strided(a), strided(b), out.data);
}

Napi::Value SetElementwiseSimd(const Napi::CallbackInfo& info) {
  if (!info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "setElementwiseSimd: expected a boolean");
  return Napi::Boolean::New(info.Env(), set_vmath_simd(info[0].As<Napi::Boolean>().Value()));
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  export_raw(env, exports, "binary", hot<Binary>);
  export_raw(env, exports, "binaryStrided", hot<BinaryStrided>);
  export_raw(env, exports, "unary", hot<Unary>);
  export_raw(env, exports, "unaryStrided", hot<UnaryStrided>);
  export_raw(env, exports, "cast", hot<Cast>);
  export_raw(env, exports, "assign", hot<Assign>);
  export_raw(env, exports, "where", hot<Where>);
  exports.Set("setElementwiseSimd", Napi::Function::New(env, SetElementwiseSimd, "setElementwiseSimd"));
}

}  // namespace dl
