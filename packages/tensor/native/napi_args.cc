// Argument checks shared by the bindings (see napi_args.h).
#include "napi_args.h"

#include <cmath>

namespace dl {

void export_raw(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb) {
  napi_value f;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &f));
  exports.Set(name, Napi::Value(env, f));
}

[[noreturn]] void throw_range(const Args& info, const char* fn, const std::string& message) {
  throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + message);
}

[[noreturn]] void throw_type(const Args& info, const char* fn, const std::string& message) {
  throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + message);
}

ArrayArg array_arg(const Args& info, size_t i, const char* fn, unsigned allowed) {
  napi_typedarray_type type;
  ArrayArg a{};
  napi_value ab;
  size_t byte_offset;
  bool ok = i < info.Length() &&
            napi_get_typedarray_info(info.env, info[i], &type, &a.length, &a.data, &ab, &byte_offset) == napi_ok;
  unsigned bit = 0;
  if (ok) {
    switch (type) {
      case napi_float32_array: a.type = ElemType::kF32; bit = kAllowF32; break;
      case napi_float64_array: a.type = ElemType::kF64; bit = kAllowF64; break;
      case napi_int32_array: a.type = ElemType::kI32; bit = kAllowI32; break;
      case napi_uint8_array: a.type = ElemType::kU8; bit = kAllowU8; break;
      default: break;
    }
  }
  if (!ok || (bit & allowed) == 0) {
    std::string names;
    const std::pair<unsigned, const char*> all[] = {
        {kAllowF32, "Float32Array"}, {kAllowF64, "Float64Array"}, {kAllowI32, "Int32Array"}, {kAllowU8, "Uint8Array"}};
    for (const auto& p : all) {
      if (allowed & p.first) names += std::string(names.empty() ? "" : " or a ") + p.second;
    }
    throw_type(info, fn, "argument " + std::to_string(i) + " must be a " + names);
  }
  return a;
}

int64_t int_arg(napi_env env, napi_value v, size_t i, const char* fn) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0 || std::floor(d) != d) {
    throw Napi::TypeError::New(env, std::string(fn) + ": argument " + std::to_string(i) +
                                        " must be a non-negative integer");
  }
  return static_cast<int64_t>(d);
}

int64_t signed_int_arg(const Args& info, size_t i, const char* fn) {
  double d;
  if (i >= info.Length() || napi_get_value_double(info.env, info[i], &d) != napi_ok || !(std::fabs(d) <= 9007199254740991.0) ||
      std::floor(d) != d) {
    throw_type(info, fn, "argument " + std::to_string(i) + " must be an integer");
  }
  return static_cast<int64_t>(d);
}

double number_arg(const Args& info, size_t i, const char* fn) {
  double d;
  if (i >= info.Length() || napi_get_value_double(info.env, info[i], &d) != napi_ok) {
    throw_type(info, fn, "argument " + std::to_string(i) + " must be a number");
  }
  return d;
}

bool overlaps(const void* p, size_t n, const void* q, size_t m) {
  const char* a = static_cast<const char*>(p);
  const char* b = static_cast<const char*>(q);
  return a < b + m && b < a + n;
}

void check_extent(const Args& info, const char* fn, const char* what, const ArrayArg& a, int64_t off,
                  std::initializer_list<std::pair<int64_t, int64_t>> dims) {
  double last = static_cast<double>(off);
  for (const auto& d : dims) {
    if (d.first == 0) return;  // empty: nothing is read
    last += static_cast<double>(d.first - 1) * static_cast<double>(d.second);
  }
  if (last >= static_cast<double>(a.length)) {
    throw_range(info, fn, std::string(what) + " reaches element " + std::to_string(static_cast<int64_t>(last)) +
                              " of an array of " + std::to_string(a.length));
  }
}

ViewArg view_arg(const Args& info, size_t array_index, size_t geometry_index, const char* fn, unsigned allowed) {
  ViewArg v{};
  v.array = array_arg(info, array_index, fn, allowed);
  napi_typedarray_type type;
  size_t len;
  void* data;
  napi_value ab;
  size_t byte_offset;
  if (geometry_index >= info.Length() ||
      napi_get_typedarray_info(info.env, info[geometry_index], &type, &len, &data, &ab, &byte_offset) != napi_ok ||
      type != napi_float64_array || len < 2) {
    throw_type(info, fn, "argument " + std::to_string(geometry_index) +
                             " must be a Float64Array [offset, ndim, ...shape, ...strides]");
  }
  const double* g = static_cast<const double*>(data);
  const double nd = g[1];
  if (!(nd >= 0 && nd <= ViewArg::kMaxDims) || std::floor(nd) != nd || len != 2 + 2 * static_cast<size_t>(nd)) {
    throw_range(info, fn, "geometry argument " + std::to_string(geometry_index) + " is malformed (ndim " +
                              std::to_string(nd) + ", at most " + std::to_string(ViewArg::kMaxDims) + ")");
  }
  v.ndim = static_cast<int>(nd);
  auto integer = [&](double d, bool nonneg) {
    if (std::floor(d) != d || !(std::fabs(d) <= 9007199254740991.0) || (nonneg && d < 0)) {
      throw_range(info, fn, "geometry argument " + std::to_string(geometry_index) + " holds a non-integer or negative size");
    }
    return static_cast<int64_t>(d);
  };
  v.offset = integer(g[0], true);
  double lo = static_cast<double>(v.offset), hi = lo;
  bool empty = false;
  for (int d = 0; d < v.ndim; d++) {
    v.shape[d] = integer(g[2 + d], true);
    v.strides[d] = integer(g[2 + v.ndim + d], false);
    if (v.shape[d] == 0) empty = true;
    const double span = static_cast<double>(v.shape[d] - 1) * static_cast<double>(v.strides[d]);
    if (span >= 0) hi += span; else lo += span;
  }
  if (!empty && (lo < 0 || hi >= static_cast<double>(v.array.length))) {
    throw_range(info, fn, "view of argument " + std::to_string(array_index) + " reaches element " +
                              std::to_string(static_cast<int64_t>(lo < 0 ? lo : hi)) + " of an array of " +
                              std::to_string(v.array.length));
  }
  return v;
}

}  // namespace dl
