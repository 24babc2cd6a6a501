// JS bindings of the image kernels: conv2d and its gradients (conv.h), max/avg pooling and their
// gradients (pool.h), im2col/col2im (unfold.h). All work on contiguous NCHW views passed as a
// storage plus a `geometry()` Float64Array (checked in bounds and row-major here), write a
// preallocated output of exactly the right length, and throw a TypeError/RangeError on any
// inconsistent argument.
//
//   conv2d(x, xGeom, w, wGeom, bias | null, biasGeom | null, out, conv)
//   conv2dBackwardInput(gy, gyGeom, w, wGeom, out, xShape, conv)
//   conv2dBackwardWeight(gy, gyGeom, x, xGeom, out, wShape, conv)
//       conv = Float64Array [sH, sW, pH, pW, dH, dW, groups]; xShape / wShape = Float64Array [4]
//   maxPool2d(x, xGeom, values, indices, pool)
//   maxPool2dBackward(gy, gyGeom, indices, indicesGeom, out, xShape, pool) -> false on an index that
//       its window cannot have picked (see pool.h)
//   avgPool2d(x, xGeom, out, pool)
//   avgPool2dBackward(gy, gyGeom, out, xShape, pool)
//       pool = Float64Array [kH, kW, sH, sW, pH, pW, dH, dW, ceilMode, countIncludePad, divisorOverride]
//       (divisorOverride 0: divide by the window size)
//   im2col(x, xGeom, out, unfold)
//   col2im(cols, colsGeom, out, xShape, unfold)
//       unfold = Float64Array [kH, kW, sH, sW, pH, pW, dH, dW]
//   setConvAlgorithm(mode)   0 automatic, 1 GEMM, 2 direct, 3 Winograd (tests and benchmarks)
#include <cmath>
#include <string>

#include "bindings.h"
#include "conv.h"
#include "napi_args.h"
#include "pool.h"
#include "unfold.h"

namespace dl {
namespace {

// Like `hot`, for a binding that returns a value.
template <napi_value (*F)(const Args&)>
napi_value hot_value(napi_env env, napi_callback_info cbinfo) {
  Args args;
  args.env = env;
  if (napi_get_cb_info(env, cbinfo, &args.argc, args.argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (args.argc > Args::kMax) args.argc = Args::kMax;
  try {
    return F(args);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

void expect_args(const Args& info, const char* fn, size_t n) {
  if (info.Length() != n) throw_type(info, fn, "expected " + std::to_string(n) + " arguments");
}

// Argument i as a Float64Array of exactly n integers, each in [lo, 2^31).
void int_list(const Args& info, size_t i, const char* fn, size_t n, int64_t lo, int64_t* out) {
  napi_typedarray_type type;
  size_t len;
  void* data;
  napi_value ab;
  size_t byte_offset;
  if (i >= info.Length() || napi_get_typedarray_info(info.env, info[i], &type, &len, &data, &ab, &byte_offset) != napi_ok ||
      type != napi_float64_array || len != n) {
    throw_type(info, fn, "argument " + std::to_string(i) + " must be a Float64Array of " + std::to_string(n) + " integers");
  }
  const double* d = static_cast<const double*>(data);
  for (size_t k = 0; k < n; ++k) {
    if (!(d[k] >= static_cast<double>(lo) && d[k] < 2147483648.0) || std::floor(d[k]) != d[k]) {
      throw_range(info, fn, "argument " + std::to_string(i) + "[" + std::to_string(k) + "] must be an integer >= " +
                                std::to_string(lo) + ", got " + std::to_string(d[k]));
    }
    out[k] = static_cast<int64_t>(d[k]);
  }
}

// A 4-D (or `nd`-D) contiguous view: row-major strides wherever a dim has more than one element.
struct Dense {
  ArrayArg array;
  int64_t offset;
  int64_t shape[4];
  int64_t numel;
  template <typename T> const T* data() const { return array.as<T>() + offset; }
};

Dense dense_arg(const Args& info, size_t ai, size_t gi, const char* fn, const char* what, int nd, unsigned allowed) {
  const ViewArg v = view_arg(info, ai, gi, fn, allowed);
  if (v.ndim != nd) {
    throw_range(info, fn, std::string(what) + " must be " + std::to_string(nd) + "-D, got " + std::to_string(v.ndim) + "-D");
  }
  Dense d{};
  d.array = v.array;
  d.offset = v.offset;
  int64_t expect = 1;
  for (int k = nd - 1; k >= 0; --k) {
    if (v.shape[k] != 1 && v.strides[k] != expect) throw_range(info, fn, std::string(what) + " must be contiguous");
    expect *= v.shape[k];
  }
  for (int k = 0; k < 4; ++k) d.shape[k] = k < nd ? v.shape[k] : 1;
  d.numel = v.numel();
  return d;
}

// The output array: same element type as `like`, exactly `n` elements (n computed in double so an
// absurd geometry cannot wrap around), not overlapping the inputs.
ArrayArg out_arg(const Args& info, size_t i, const char* fn, ElemType like, double n,
                 std::initializer_list<const ArrayArg*> inputs, unsigned allowed = kAllowFloat) {
  const ArrayArg out = array_arg(info, i, fn, allowed);
  if (allowed == kAllowFloat && out.type != like) throw_type(info, fn, "the output must have the input's type");
  if (static_cast<double>(out.length) != n) {
    throw_range(info, fn, "argument " + std::to_string(i) + " must have " + std::to_string(static_cast<int64_t>(n)) +
                              " elements, got " + std::to_string(out.length));
  }
  for (const ArrayArg* in : inputs) {
    if (in != nullptr && overlaps(out, *in)) throw_range(info, fn, "the output overlaps an input");
  }
  return out;
}

void same_type(const Args& info, const char* fn, const ArrayArg& a, const ArrayArg& b) {
  if (a.type != b.type) throw_type(info, fn, "the float arrays must all have the same type");
}

// Convolution geometry from the input and weight shapes and [sH, sW, pH, pW, dH, dW, groups].
ConvGeom conv_geom(const Args& info, const char* fn, const int64_t* xs, const int64_t* ws, size_t pi) {
  int64_t p[7];
  int_list(info, pi, fn, 7, 0, p);
  if (p[0] < 1 || p[1] < 1 || p[4] < 1 || p[5] < 1 || p[6] < 1) {
    throw_range(info, fn, "stride, dilation and groups must be >= 1");
  }
  ConvGeom g{};
  g.N = xs[0];
  g.Cin = xs[1];
  g.Cout = ws[0];
  g.G = p[6];
  if (g.Cin != ws[1] * g.G || g.Cout % g.G != 0) throw_range(info, fn, "input and weight channels do not fit the groups");
  Window2d& v = g.win;
  v.H = xs[2];
  v.W = xs[3];
  v.kH = ws[2];
  v.kW = ws[3];
  v.sH = p[0];
  v.sW = p[1];
  v.pH = p[2];
  v.pW = p[3];
  v.dH = p[4];
  v.dW = p[5];
  v.Hout = conv_output_size(v.H, v.kH, v.sH, v.pH, v.dH);
  v.Wout = conv_output_size(v.W, v.kW, v.sW, v.pW, v.dW);
  if (v.Hout < 0 || v.Wout < 0) throw_range(info, fn, "the dilated kernel is larger than the padded input");
  return g;
}

double dprod(std::initializer_list<int64_t> xs) {
  double r = 1;
  for (int64_t x : xs) r *= static_cast<double>(x);
  return r;
}

void check_shape(const Args& info, const char* fn, const char* what, const int64_t* got, std::initializer_list<int64_t> want) {
  int k = 0;
  for (int64_t w : want) {
    if (got[k++] != w) throw_range(info, fn, std::string(what) + " has the wrong shape");
  }
}

// ---- convolution ----

void Conv2d(const Args& info) {
  const char* fn = "conv2d";
  expect_args(info, fn, 8);
  const Dense x = dense_arg(info, 0, 1, fn, "x", 4, kAllowFloat);
  const Dense w = dense_arg(info, 2, 3, fn, "w", 4, kAllowFloat);
  same_type(info, fn, x.array, w.array);
  napi_valuetype bt;
  napi_typeof(info.env, info[4], &bt);
  const bool has_bias = bt != napi_null && bt != napi_undefined;
  Dense b{};
  if (has_bias) {
    b = dense_arg(info, 4, 5, fn, "bias", 1, kAllowFloat);
    same_type(info, fn, x.array, b.array);
  }
  const ConvGeom g = conv_geom(info, fn, x.shape, w.shape, 7);
  if (has_bias && b.shape[0] != g.Cout) throw_range(info, fn, "bias must have C_out elements");
  const ArrayArg out = out_arg(info, 6, fn, x.array.type, dprod({g.N, g.Cout, g.win.Hout, g.win.Wout}),
                               {&x.array, &w.array, has_bias ? &b.array : nullptr});
  if (x.array.type == ElemType::kF32) {
    conv2d_forward<float>(g, x.data<float>(), w.data<float>(), has_bias ? b.data<float>() : nullptr, out.as<float>());
  } else {
    conv2d_forward<double>(g, x.data<double>(), w.data<double>(), has_bias ? b.data<double>() : nullptr, out.as<double>());
  }
}

void Conv2dBackwardInput(const Args& info) {
  const char* fn = "conv2dBackwardInput";
  expect_args(info, fn, 7);
  const Dense gy = dense_arg(info, 0, 1, fn, "gy", 4, kAllowFloat);
  const Dense w = dense_arg(info, 2, 3, fn, "w", 4, kAllowFloat);
  same_type(info, fn, gy.array, w.array);
  int64_t xs[4];
  int_list(info, 5, fn, 4, 0, xs);
  const ConvGeom g = conv_geom(info, fn, xs, w.shape, 6);
  check_shape(info, fn, "gy", gy.shape, {g.N, g.Cout, g.win.Hout, g.win.Wout});
  const ArrayArg out = out_arg(info, 4, fn, gy.array.type, dprod({xs[0], xs[1], xs[2], xs[3]}), {&gy.array, &w.array});
  if (gy.array.type == ElemType::kF32) {
    conv2d_backward_input<float>(g, gy.data<float>(), w.data<float>(), out.as<float>());
  } else {
    conv2d_backward_input<double>(g, gy.data<double>(), w.data<double>(), out.as<double>());
  }
}

void Conv2dBackwardWeight(const Args& info) {
  const char* fn = "conv2dBackwardWeight";
  expect_args(info, fn, 7);
  const Dense gy = dense_arg(info, 0, 1, fn, "gy", 4, kAllowFloat);
  const Dense x = dense_arg(info, 2, 3, fn, "x", 4, kAllowFloat);
  same_type(info, fn, gy.array, x.array);
  int64_t ws[4];
  int_list(info, 5, fn, 4, 0, ws);
  const ConvGeom g = conv_geom(info, fn, x.shape, ws, 6);
  check_shape(info, fn, "gy", gy.shape, {g.N, g.Cout, g.win.Hout, g.win.Wout});
  const ArrayArg out = out_arg(info, 4, fn, gy.array.type, dprod({ws[0], ws[1], ws[2], ws[3]}), {&gy.array, &x.array});
  if (gy.array.type == ElemType::kF32) {
    conv2d_backward_weight<float>(g, gy.data<float>(), x.data<float>(), out.as<float>());
  } else {
    conv2d_backward_weight<double>(g, gy.data<double>(), x.data<double>(), out.as<double>());
  }
}

// ---- pooling ----

PoolGeom pool_geom(const Args& info, const char* fn, const int64_t* xs, size_t pi) {
  int64_t p[11];
  int_list(info, pi, fn, 11, -2147483647, p);
  if (p[0] < 1 || p[1] < 1 || p[2] < 1 || p[3] < 1 || p[4] < 0 || p[5] < 0 || p[6] < 1 || p[7] < 1 || p[8] < 0 ||
      p[8] > 1 || p[9] < 0 || p[9] > 1) {
    throw_range(info, fn, "kernel, stride and dilation must be >= 1, padding >= 0, the flags 0 or 1");
  }
  PoolGeom g{};
  g.N = xs[0];
  g.C = xs[1];
  g.H = xs[2];
  g.W = xs[3];
  g.kH = p[0];
  g.kW = p[1];
  g.sH = p[2];
  g.sW = p[3];
  g.pH = p[4];
  g.pW = p[5];
  g.dH = p[6];
  g.dW = p[7];
  g.ceil_mode = p[8] != 0;
  g.count_include_pad = p[9] != 0;
  g.divisor_override = p[10];
  g.Hout = pool_output_size(g.H, g.kH, g.sH, g.pH, g.dH, g.ceil_mode);
  g.Wout = pool_output_size(g.W, g.kW, g.sW, g.pW, g.dW, g.ceil_mode);
  if (g.Hout < 0 || g.Wout < 0) throw_range(info, fn, "the input is too small for the kernel");
  if (g.H * g.W > 2147483647) throw_range(info, fn, "planes of more than 2^31 - 1 elements");
  return g;
}

void MaxPool2d(const Args& info) {
  const char* fn = "maxPool2d";
  expect_args(info, fn, 5);
  const Dense x = dense_arg(info, 0, 1, fn, "x", 4, kAllowFloat);
  const PoolGeom g = pool_geom(info, fn, x.shape, 4);
  const double n = dprod({g.N, g.C, g.Hout, g.Wout});
  const ArrayArg values = out_arg(info, 2, fn, x.array.type, n, {&x.array});
  const ArrayArg indices = out_arg(info, 3, fn, ElemType::kI32, n, {&x.array, &values}, kAllowI32);
  if (x.array.type == ElemType::kF32) {
    max_pool2d<float>(g, x.data<float>(), values.as<float>(), indices.as<int32_t>());
  } else {
    max_pool2d<double>(g, x.data<double>(), values.as<double>(), indices.as<int32_t>());
  }
}

napi_value MaxPool2dBackward(const Args& info) {
  const char* fn = "maxPool2dBackward";
  expect_args(info, fn, 7);
  const Dense gy = dense_arg(info, 0, 1, fn, "gy", 4, kAllowFloat);
  const Dense idx = dense_arg(info, 2, 3, fn, "indices", 4, kAllowI32);
  int64_t xs[4];
  int_list(info, 5, fn, 4, 0, xs);
  const PoolGeom g = pool_geom(info, fn, xs, 6);
  check_shape(info, fn, "gy", gy.shape, {g.N, g.C, g.Hout, g.Wout});
  check_shape(info, fn, "indices", idx.shape, {g.N, g.C, g.Hout, g.Wout});
  const ArrayArg out = out_arg(info, 4, fn, gy.array.type, dprod({xs[0], xs[1], xs[2], xs[3]}), {&gy.array, &idx.array});
  bool ok;
  if (gy.array.type == ElemType::kF32) {
    ok = max_pool2d_backward<float>(g, gy.data<float>(), idx.data<int32_t>(), out.as<float>());
  } else {
    ok = max_pool2d_backward<double>(g, gy.data<double>(), idx.data<int32_t>(), out.as<double>());
  }
  return Napi::Boolean::New(info.Env(), ok);
}

void AvgPool2d(const Args& info) {
  const char* fn = "avgPool2d";
  expect_args(info, fn, 4);
  const Dense x = dense_arg(info, 0, 1, fn, "x", 4, kAllowFloat);
  const PoolGeom g = pool_geom(info, fn, x.shape, 3);
  if (g.dH != 1 || g.dW != 1) throw_range(info, fn, "average pooling has no dilation");
  const ArrayArg out = out_arg(info, 2, fn, x.array.type, dprod({g.N, g.C, g.Hout, g.Wout}), {&x.array});
  if (x.array.type == ElemType::kF32) {
    avg_pool2d<float>(g, x.data<float>(), out.as<float>());
  } else {
    avg_pool2d<double>(g, x.data<double>(), out.as<double>());
  }
}

void AvgPool2dBackward(const Args& info) {
  const char* fn = "avgPool2dBackward";
  expect_args(info, fn, 5);
  const Dense gy = dense_arg(info, 0, 1, fn, "gy", 4, kAllowFloat);
  int64_t xs[4];
  int_list(info, 3, fn, 4, 0, xs);
  const PoolGeom g = pool_geom(info, fn, xs, 4);
  if (g.dH != 1 || g.dW != 1) throw_range(info, fn, "average pooling has no dilation");
  check_shape(info, fn, "gy", gy.shape, {g.N, g.C, g.Hout, g.Wout});
  const ArrayArg out = out_arg(info, 2, fn, gy.array.type, dprod({xs[0], xs[1], xs[2], xs[3]}), {&gy.array});
  if (gy.array.type == ElemType::kF32) {
    avg_pool2d_backward<float>(g, gy.data<float>(), out.as<float>());
  } else {
    avg_pool2d_backward<double>(g, gy.data<double>(), out.as<double>());
  }
}

// ---- im2col / col2im ----

Window2d unfold_geom(const Args& info, const char* fn, const int64_t* xs, size_t pi) {
  int64_t p[8];
  int_list(info, pi, fn, 8, 0, p);
  if (p[0] < 1 || p[1] < 1 || p[2] < 1 || p[3] < 1 || p[6] < 1 || p[7] < 1) {
    throw_range(info, fn, "kernel, stride and dilation must be >= 1");
  }
  Window2d v{xs[2], xs[3], p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 0, 0};
  v.Hout = conv_output_size(v.H, v.kH, v.sH, v.pH, v.dH);
  v.Wout = conv_output_size(v.W, v.kW, v.sW, v.pW, v.dW);
  if (v.Hout < 0 || v.Wout < 0) throw_range(info, fn, "the dilated kernel is larger than the padded input");
  return v;
}

void Im2col(const Args& info) {
  const char* fn = "im2col";
  expect_args(info, fn, 4);
  const Dense x = dense_arg(info, 0, 1, fn, "x", 4, kAllowFloat);
  const Window2d v = unfold_geom(info, fn, x.shape, 3);
  const int64_t N = x.shape[0], C = x.shape[1];
  const ArrayArg out = out_arg(info, 2, fn, x.array.type, dprod({N, C, v.kH, v.kW, v.Hout, v.Wout}), {&x.array});
  if (x.array.type == ElemType::kF32) {
    im2col<float>(v, N, C, x.data<float>(), out.as<float>());
  } else {
    im2col<double>(v, N, C, x.data<double>(), out.as<double>());
  }
}

void Col2im(const Args& info) {
  const char* fn = "col2im";
  expect_args(info, fn, 5);
  const Dense cols = dense_arg(info, 0, 1, fn, "cols", 3, kAllowFloat);
  int64_t xs[4];
  int_list(info, 3, fn, 4, 0, xs);
  const Window2d v = unfold_geom(info, fn, xs, 4);
  check_shape(info, fn, "cols", cols.shape, {xs[0], xs[1] * v.kH * v.kW, v.Hout * v.Wout});
  const ArrayArg out = out_arg(info, 2, fn, cols.array.type, dprod({xs[0], xs[1], xs[2], xs[3]}), {&cols.array});
  if (cols.array.type == ElemType::kF32) {
    col2im<float>(v, xs[0], xs[1], cols.data<float>(), out.as<float>());
  } else {
    col2im<double>(v, xs[0], xs[1], cols.data<double>(), out.as<double>());
  }
}

void SetConvAlgorithm(const Args& info) {
  const char* fn = "setConvAlgorithm";
  expect_args(info, fn, 1);
  const int64_t mode = int_arg(info, 0, fn);
  if (mode > 3) throw_range(info, fn, "mode must be 0 (auto), 1 (gemm), 2 (direct) or 3 (winograd)");
  set_conv_algorithm(static_cast<int>(mode));
}

}  // namespace

void register_image(Napi::Env env, Napi::Object exports) {
  export_raw(env, exports, "conv2d", hot<Conv2d>);
  export_raw(env, exports, "conv2dBackwardInput", hot<Conv2dBackwardInput>);
  export_raw(env, exports, "conv2dBackwardWeight", hot<Conv2dBackwardWeight>);
  export_raw(env, exports, "maxPool2d", hot<MaxPool2d>);
  export_raw(env, exports, "maxPool2dBackward", hot_value<MaxPool2dBackward>);
  export_raw(env, exports, "avgPool2d", hot<AvgPool2d>);
  export_raw(env, exports, "avgPool2dBackward", hot<AvgPool2dBackward>);
  export_raw(env, exports, "im2col", hot<Im2col>);
  export_raw(env, exports, "col2im", hot<Col2im>);
  export_raw(env, exports, "setConvAlgorithm", hot<SetConvAlgorithm>);
}

}  // namespace dl
