// Argument handling shared by the JS bindings of the native backend (addon.cc and the
// *_napi.cc files). Every binding is synchronous and works on the caller's typed arrays in place;
// these helpers check types, integers and bounds so that a wrong call throws a JS error instead of
// reading or writing out of bounds.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace dl {

// The arguments of a hot call. Kernels are reached through plain N-API callbacks (see `hot`)
// rather than Napi::CallbackInfo, which allocates its argument array on the heap beyond 6
// arguments: for tiny tensors the call overhead is the whole cost.
struct Args {
  static constexpr size_t kMax = 20;
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

// Adds `cb` to `exports` as a function called `name`.
void export_raw(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb);

// Element types of the storages (see src/dtype.ts): bool is a Uint8Array.
enum class ElemType : int { kF32 = 0, kF64 = 1, kI32 = 2, kU8 = 3 };

// Bit masks for array_arg's `allowed`.
constexpr unsigned kAllowF32 = 1u << 0, kAllowF64 = 1u << 1, kAllowI32 = 1u << 2, kAllowU8 = 1u << 3;
constexpr unsigned kAllowFloat = kAllowF32 | kAllowF64;
constexpr unsigned kAllowAll = kAllowFloat | kAllowI32 | kAllowU8;

// A typed-array argument: element type, length and data pointer (one napi call).
struct ArrayArg {
  ElemType type;
  size_t length;  // in elements
  void* data;
  size_t elem_size() const { return type == ElemType::kF64 ? 8 : type == ElemType::kU8 ? 1 : 4; }
  template <typename T> T* as() const { return static_cast<T*>(data); }
};

// Argument i as a typed array of one of the `allowed` types (default: Float32Array / Float64Array).
ArrayArg array_arg(const Args& info, size_t i, const char* fn, unsigned allowed = kAllowFloat);

// A non-negative integer argument (sizes, offsets, strides, periods).
int64_t int_arg(napi_env env, napi_value v, size_t i, const char* fn);
inline int64_t int_arg(const Args& info, size_t i, const char* fn) { return int_arg(info.env, info[i], i, fn); }

// Any integer argument (may be negative).
int64_t signed_int_arg(const Args& info, size_t i, const char* fn);

// A number argument (a scalar operand).
double number_arg(const Args& info, size_t i, const char* fn);

// True when the byte ranges [p, p + n) and [q, q + m) overlap.
bool overlaps(const void* p, size_t n, const void* q, size_t m);
inline bool overlaps(const ArrayArg& a, const ArrayArg& b) {
  return overlaps(a.data, a.length * a.elem_size(), b.data, b.length * b.elem_size());
}

// Throws unless every element a strided walk can touch lies inside the array: the largest index
// is off + sum (size_d - 1) * stride_d (strides >= 0), checked when no size is 0.
void check_extent(const Args& info, const char* fn, const char* what, const ArrayArg& a, int64_t off,
                  std::initializer_list<std::pair<int64_t, int64_t>> dims);

// A strided view received as two arguments: its storage and a Float64Array geometry
// `[offset, ndim, shape_0 .. shape_{ndim-1}, stride_0 .. stride_{ndim-1}]` (see `geometry()` in
// src/backends/native/addon.ts). Strides may be negative or 0 (broadcast); every reachable
// element is checked to be inside the array.
struct ViewArg {
  static constexpr int kMaxDims = 16;
  ArrayArg array;
  int64_t offset;
  int ndim;
  int64_t shape[kMaxDims];
  int64_t strides[kMaxDims];
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) n *= shape[d];
    return n;
  }
};
ViewArg view_arg(const Args& info, size_t array_index, size_t geometry_index, const char* fn,
                 unsigned allowed = kAllowFloat);

// Throws a RangeError / TypeError "<fn>: <message>".
[[noreturn]] void throw_range(const Args& info, const char* fn, const std::string& message);
[[noreturn]] void throw_type(const Args& info, const char* fn, const std::string& message);

}  // namespace dl
