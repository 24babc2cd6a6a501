// JS bindings of the native backend (loaded by src/backends/native/index.ts).
//
// Every function is synchronous and works on the JS typed arrays directly: inputs are read where
// they are and outputs are written into Float32Array / Float64Array the caller allocated. Arrays,
// offsets and strides are checked here (types, integers, every element in bounds), so a wrong
// call throws a JS error instead of reading out of bounds.
//
//   gemm(a, aOff, aBs, aRs, aCs, b, bOff, bBs, bRs, bCs, out, batch, M, N, K)
//       out[b, i, j] = sum_k a[aOff + b*aBs + i*aRs + k*aCs] * b[bOff + b*bBs + k*bRs + j*bCs]
//   binary(op, a, aOff, aPeriod, b, bOff, bPeriod, out)
//       out[i] = op(a[aOff + i % aPeriod], b[bOff + i % bPeriod]) for i < out.length
//   unary(op, x, xOff, out)           out[i] = op(x[xOff + i])
//   info()                            { simd, cpuSimd, gemmKernelF32, gemmKernelF64, threads, blas, blasError }
//   setNumThreads(n), setBlas(name), setSimdLevel(name)
#include <napi.h>

#include <cmath>
#include <string>

#include "blas.h"
#include "elementwise.h"
#include "gemm.h"
#include "threadpool.h"

namespace {

// The arguments of a hot call. The kernels are reached through plain N-API callbacks (see
// `hot` below) rather than Napi::CallbackInfo, which allocates its argument array on the heap
// beyond 6 arguments: for tiny tensors the call overhead is the whole cost.
struct Args {
  static constexpr size_t kMax = 16;
  napi_env env;
  size_t argc = kMax;
  napi_value argv[kMax];
  Napi::Env Env() const { return Napi::Env(env); }
  size_t Length() const { return argc; }
  napi_value operator[](size_t i) const { return argv[i]; }
};

// Wraps `F` as a raw N-API callback: fills Args, turns C++ exceptions into JS ones.
template <void (*F)(const Args&)>
napi_value hot(napi_env env, napi_callback_info cbinfo) {
  Args args;
  args.env = env;
  if (napi_get_cb_info(env, cbinfo, &args.argc, args.argv, nullptr, nullptr) != napi_ok) return nullptr;
  if (args.argc > Args::kMax) args.argc = Args::kMax;
  try {
    F(args);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

// A typed-array argument: element type, length and data pointer (one napi call).
struct ArrayArg {
  napi_typedarray_type type;
  size_t length;
  void* data;
};

ArrayArg array_arg(const Args& info, size_t i, const char* fn) {
  ArrayArg a{};
  napi_value ab;
  size_t byte_offset;
  if (napi_get_typedarray_info(info.env, info[i], &a.type, &a.length, &a.data, &ab, &byte_offset) != napi_ok ||
      (a.type != napi_float32_array && a.type != napi_float64_array)) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) +
                                               " must be a Float32Array or a Float64Array");
  }
  return a;
}

// A non-negative integer argument (sizes, offsets, strides, periods).
int64_t int_arg(napi_env env, napi_value v, size_t i, const char* fn) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0 || std::floor(d) != d) {
    throw Napi::TypeError::New(env, std::string(fn) + ": argument " + std::to_string(i) +
                                        " must be a non-negative integer");
  }
  return static_cast<int64_t>(d);
}
int64_t int_arg(const Args& info, size_t i, const char* fn) { return int_arg(info.env, info[i], i, fn); }

// True when the byte ranges [p, p + n) and [q, q + m) overlap.
bool overlaps(const void* p, size_t n, const void* q, size_t m) {
  const char* a = static_cast<const char*>(p);
  const char* b = static_cast<const char*>(q);
  return a < b + m && b < a + n;
}

// Throws unless every element a strided walk can touch lies inside the array: the largest index
// is off + sum (size_d - 1) * stride_d (all strides are >= 0), checked when no size is 0.
void check_extent(const Args& info, const char* fn, const char* what, const ArrayArg& a,
                  int64_t off, std::initializer_list<std::pair<int64_t, int64_t>> dims) {
  double last = static_cast<double>(off);
  for (const auto& d : dims) {
    if (d.first == 0) return;  // empty: nothing is read
    last += static_cast<double>(d.first - 1) * static_cast<double>(d.second);
  }
  if (last >= static_cast<double>(a.length)) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + what + " reaches element " +
                                                std::to_string(static_cast<int64_t>(last)) + " of an array of " +
                                                std::to_string(a.length));
  }
}

void Gemm(const Args& info) {
  const char* fn = "gemm";
  if (info.Length() != 15) throw Napi::TypeError::New(info.Env(), "gemm: expected 15 arguments");
  const ArrayArg a = array_arg(info, 0, fn), b = array_arg(info, 5, fn), c = array_arg(info, 10, fn);
  if (a.type != b.type || a.type != c.type) {
    throw Napi::TypeError::New(info.Env(), "gemm: a, b and out must have the same type");
  }
  const int64_t a_off = int_arg(info, 1, fn), a_bs = int_arg(info, 2, fn), a_rs = int_arg(info, 3, fn),
                a_cs = int_arg(info, 4, fn);
  const int64_t b_off = int_arg(info, 6, fn), b_bs = int_arg(info, 7, fn), b_rs = int_arg(info, 8, fn),
                b_cs = int_arg(info, 9, fn);
  const int64_t batch = int_arg(info, 11, fn), M = int_arg(info, 12, fn), N = int_arg(info, 13, fn),
                K = int_arg(info, 14, fn);
  check_extent(info, fn, "a", a, a_off, {{batch, a_bs}, {M, a_rs}, {K, a_cs}});
  check_extent(info, fn, "b", b, b_off, {{batch, b_bs}, {K, b_rs}, {N, b_cs}});
  if (static_cast<double>(batch) * M * N != static_cast<double>(c.length)) {
    throw Napi::RangeError::New(info.Env(), "gemm: out must have batch * M * N elements");
  }
  const size_t es = a.type == napi_float32_array ? 4 : 8;
  if (overlaps(c.data, c.length * es, a.data, a.length * es) || overlaps(c.data, c.length * es, b.data, b.length * es)) {
    throw Napi::RangeError::New(info.Env(), "gemm: out must not share memory with a or b");
  }
  if (a.type == napi_float32_array) {
    dl::gemm_batched(batch, M, N, K, dl::StridedBatch<float>{static_cast<const float*>(a.data) + a_off, a_bs, a_rs, a_cs},
                     dl::StridedBatch<float>{static_cast<const float*>(b.data) + b_off, b_bs, b_rs, b_cs},
                     static_cast<float*>(c.data));
  } else {
    dl::gemm_batched(batch, M, N, K,
                     dl::StridedBatch<double>{static_cast<const double*>(a.data) + a_off, a_bs, a_rs, a_cs},
                     dl::StridedBatch<double>{static_cast<const double*>(b.data) + b_off, b_bs, b_rs, b_cs},
                     static_cast<double*>(c.data));
  }
}

void Binary(const Args& info) {
  const char* fn = "binary";
  if (info.Length() != 8) throw Napi::TypeError::New(info.Env(), "binary: expected 8 arguments");
  const int64_t op = int_arg(info, 0, fn);
  if (op >= static_cast<int64_t>(dl::BinaryOp::kCount)) throw Napi::RangeError::New(info.Env(), "binary: unknown op");
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
  const auto o = static_cast<dl::BinaryOp>(op);
  if (a.type == napi_float32_array) {
    dl::binary(o, static_cast<const float*>(a.data) + a_off, pa, static_cast<const float*>(b.data) + b_off, pb,
               static_cast<float*>(out.data), n);
  } else {
    dl::binary(o, static_cast<const double*>(a.data) + a_off, pa, static_cast<const double*>(b.data) + b_off, pb,
               static_cast<double*>(out.data), n);
  }
}

void Unary(const Args& info) {
  const char* fn = "unary";
  if (info.Length() != 4) throw Napi::TypeError::New(info.Env(), "unary: expected 4 arguments");
  const int64_t op = int_arg(info, 0, fn);
  if (op >= static_cast<int64_t>(dl::UnaryOp::kCount)) throw Napi::RangeError::New(info.Env(), "unary: unknown op");
  const ArrayArg x = array_arg(info, 1, fn), out = array_arg(info, 3, fn);
  if (x.type != out.type) throw Napi::TypeError::New(info.Env(), "unary: x and out must have the same type");
  const int64_t off = int_arg(info, 2, fn);
  const int64_t n = static_cast<int64_t>(out.length);
  check_extent(info, fn, "x", x, off, {{n, 1}});
  const auto o = static_cast<dl::UnaryOp>(op);
  if (x.type == napi_float32_array) {
    dl::unary(o, static_cast<const float*>(x.data) + off, static_cast<float*>(out.data), n);
  } else {
    dl::unary(o, static_cast<const double*>(x.data) + off, static_cast<double*>(out.data), n);
  }
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", dl::simd_level());
  o.Set("cpuSimd", dl::cpu_simd_level());
  o.Set("gemmKernelF32", dl::gemm_kernel_name(false));
  o.Set("gemmKernelF64", dl::gemm_kernel_name(true));
  o.Set("threads", dl::num_threads());
  o.Set("blas", dl::blas_name());
  o.Set("blasError", dl::blas_env_error());
  return o;
}

void SetNumThreads(const Napi::CallbackInfo& info) {
  const int64_t n = int_arg(info.Env(), info[0], 0, "setNumThreads");
  if (n < 1 || n > 1024) throw Napi::RangeError::New(info.Env(), "setNumThreads: n must be in [1, 1024]");
  dl::set_num_threads(static_cast<int>(n));
}

void SetBlas(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setBlas: name must be a string");
  std::string why;
  if (!dl::set_blas(info[0].As<Napi::String>().Utf8Value(), &why)) {
    throw Napi::Error::New(info.Env(), "setBlas: " + why);
  }
}

Napi::Value SetSimdLevel(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setSimdLevel: name must be a string");
  return Napi::Boolean::New(info.Env(), dl::set_simd_level(info[0].As<Napi::String>().Utf8Value().c_str()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto raw = [&](const char* name, napi_callback cb) {
    napi_value f;
    NAPI_THROW_IF_FAILED(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &f), exports);
    exports.Set(name, Napi::Value(env, f));
  };
  raw("gemm", hot<Gemm>);
  raw("binary", hot<Binary>);
  raw("unary", hot<Unary>);
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("setBlas", Napi::Function::New(env, SetBlas, "setBlas"));
  exports.Set("setSimdLevel", Napi::Function::New(env, SetSimdLevel, "setSimdLevel"));
  return exports;
}

}  // namespace

NODE_API_MODULE(dl_native, Init)
