// JS bindings of the reductions, argmax/argmin, cumsum, softmax/logSoftmax kernels (reduce.h,
// softmax.h). Views come as (storage, geometry) pairs (napi_args.h `view_arg`); outputs are fresh
// dense typed arrays of the exact length, which must not overlap the input.
//
//   reduce(op, x, xGeom, nKept, out)
//       op: 0 sum, 1 prod, 2 max, 3 min. xGeom has the kept dims first, then the reduced ones
//       (see reduce.h); out has prod(kept sizes) elements. Types (x -> out): Float32Array ->
//       Float32Array, Float64Array -> Float64Array, Int32Array -> Int32Array,
//       Uint8Array -> Int32Array (sum, prod) or Uint8Array (max, min).
//   argReduce(op, x, xGeom, axis, values, indices)
//       op: 2 max, 3 min; values: x's type, indices: Int32Array, both numel / shape[axis] long.
//   cumsum(x, xGeom, axis, out)
//       out: numel elements; Float32Array / Float64Array as x, Int32Array for Int32Array and Uint8Array.
//   softmax(log, x, xGeom, axis, out)
//       log: 0 softmax, 1 logSoftmax; x and out Float32Array or Float64Array, out numel long.
#include <cstdint>
#include <string>

#include "bindings.h"
#include "napi_args.h"
#include "reduce.h"
#include "softmax.h"

namespace dl {
namespace {

// Number of elements of the view; throws beyond 2^53 (broadcast dims may be huge without
// touching much memory, and the kernels count in int64).
int64_t checked_numel(const Args& info, const char* fn, const ViewArg& v, int from = 0, int to = -1) {
  if (to < 0) to = v.ndim;
  double n = 1;
  for (int d = from; d < to; d++) n *= static_cast<double>(v.shape[d]);
  if (n > 9007199254740992.0) throw_range(info, fn, "the view has more than 2^53 elements");
  return static_cast<int64_t>(n);
}

void check_out(const Args& info, const char* fn, const ArrayArg& out, int64_t n, const ViewArg& x, const char* what) {
  if (static_cast<int64_t>(out.length) != n) {
    throw_range(info, fn, std::string(what) + " must have " + std::to_string(n) + " elements, not " +
                              std::to_string(out.length));
  }
  if (n > 0 && overlaps(out, x.array)) throw_range(info, fn, std::string(what) + " must not overlap the input");
}

int axis_arg(const Args& info, size_t i, const char* fn, const ViewArg& x) {
  const int64_t axis = int_arg(info, i, fn);
  if (axis >= x.ndim) throw_range(info, fn, "axis " + std::to_string(axis) + " out of range for " + std::to_string(x.ndim) + " dims");
  return static_cast<int>(axis);
}

void Reduce(const Args& info) {
  const char* fn = "reduce";
  if (info.Length() != 5) throw_type(info, fn, "expected 5 arguments");
  const int64_t op = int_arg(info, 0, fn);
  if (op >= static_cast<int64_t>(ReduceOp::kCount)) throw_range(info, fn, "unknown op");
  const ViewArg x = view_arg(info, 1, 2, fn, kAllowAll);
  const int64_t nkept = int_arg(info, 3, fn);
  if (nkept > x.ndim) throw_range(info, fn, "nKept is larger than the number of dims");
  const int nk = static_cast<int>(nkept);
  const ArrayArg out = array_arg(info, 4, fn, kAllowAll);
  checked_numel(info, fn, x);
  check_out(info, fn, out, checked_numel(info, fn, x, 0, nk), x, "out");
  const auto o = static_cast<ReduceOp>(op);
  const bool extreme = o == ReduceOp::kMax || o == ReduceOp::kMin;
  const int64_t* sh = x.shape;
  const int64_t* st = x.strides;
  switch (x.array.type) {
    case ElemType::kF32:
      if (out.type != ElemType::kF32) break;
      return reduce(o, x.array.as<float>(), x.offset, x.ndim, sh, st, nk, out.as<float>());
    case ElemType::kF64:
      if (out.type != ElemType::kF64) break;
      return reduce(o, x.array.as<double>(), x.offset, x.ndim, sh, st, nk, out.as<double>());
    case ElemType::kI32:
      if (out.type != ElemType::kI32) break;
      return reduce(o, x.array.as<int32_t>(), x.offset, x.ndim, sh, st, nk, out.as<int32_t>());
    case ElemType::kU8:
      if (out.type == ElemType::kI32 && !extreme) {
        return reduce(o, x.array.as<uint8_t>(), x.offset, x.ndim, sh, st, nk, out.as<int32_t>());
      }
      if (out.type == ElemType::kU8 && extreme) {
        return reduce(o, x.array.as<uint8_t>(), x.offset, x.ndim, sh, st, nk, out.as<uint8_t>());
      }
      break;
  }
  throw_type(info, fn, "unsupported input / output array types for this op");
}

void ArgReduce(const Args& info) {
  const char* fn = "argReduce";
  if (info.Length() != 6) throw_type(info, fn, "expected 6 arguments");
  const int64_t op = int_arg(info, 0, fn);
  if (op != static_cast<int64_t>(ReduceOp::kMax) && op != static_cast<int64_t>(ReduceOp::kMin)) {
    throw_range(info, fn, "op must be 2 (max) or 3 (min)");
  }
  const ViewArg x = view_arg(info, 1, 2, fn, kAllowAll);
  const int axis = axis_arg(info, 3, fn, x);
  const ArrayArg values = array_arg(info, 4, fn, kAllowAll);
  const ArrayArg indices = array_arg(info, 5, fn, kAllowI32);
  const int64_t numel = checked_numel(info, fn, x);
  const int64_t n = x.shape[axis] == 0 ? checked_numel(info, fn, x, 0, axis) * checked_numel(info, fn, x, axis + 1)
                                       : numel / x.shape[axis];
  if (x.shape[axis] == 0 && n > 0) throw_range(info, fn, "cannot reduce an empty axis");
  if (values.type != x.array.type) throw_type(info, fn, "values must have the input's array type");
  check_out(info, fn, values, n, x, "values");
  check_out(info, fn, indices, n, x, "indices");
  if (n > 0 && overlaps(values, indices)) throw_range(info, fn, "values and indices must not overlap");
  const bool is_max = op == static_cast<int64_t>(ReduceOp::kMax);
  int32_t* idx = indices.as<int32_t>();
  switch (x.array.type) {
    case ElemType::kF32:
      return arg_reduce(is_max, x.array.as<float>(), x.offset, x.ndim, x.shape, x.strides, axis, values.as<float>(), idx);
    case ElemType::kF64:
      return arg_reduce(is_max, x.array.as<double>(), x.offset, x.ndim, x.shape, x.strides, axis, values.as<double>(), idx);
    case ElemType::kI32:
      return arg_reduce(is_max, x.array.as<int32_t>(), x.offset, x.ndim, x.shape, x.strides, axis, values.as<int32_t>(), idx);
    case ElemType::kU8:
      return arg_reduce(is_max, x.array.as<uint8_t>(), x.offset, x.ndim, x.shape, x.strides, axis, values.as<uint8_t>(), idx);
  }
}

void Cumsum(const Args& info) {
  const char* fn = "cumsum";
  if (info.Length() != 4) throw_type(info, fn, "expected 4 arguments");
  const ViewArg x = view_arg(info, 0, 1, fn, kAllowAll);
  const int axis = axis_arg(info, 2, fn, x);
  const ArrayArg out = array_arg(info, 3, fn, kAllowAll);
  check_out(info, fn, out, checked_numel(info, fn, x), x, "out");
  const ElemType want = x.array.type == ElemType::kU8 ? ElemType::kI32 : x.array.type;
  if (out.type != want) throw_type(info, fn, "out must be a Float32Array / Float64Array like x, or an Int32Array for int32 and bool");
  switch (x.array.type) {
    case ElemType::kF32: return cumsum(x.array.as<float>(), x.offset, x.ndim, x.shape, x.strides, axis, out.as<float>());
    case ElemType::kF64: return cumsum(x.array.as<double>(), x.offset, x.ndim, x.shape, x.strides, axis, out.as<double>());
    case ElemType::kI32: return cumsum(x.array.as<int32_t>(), x.offset, x.ndim, x.shape, x.strides, axis, out.as<int32_t>());
    case ElemType::kU8: return cumsum(x.array.as<uint8_t>(), x.offset, x.ndim, x.shape, x.strides, axis, out.as<int32_t>());
  }
}

void Softmax(const Args& info) {
  const char* fn = "softmax";
  if (info.Length() != 5) throw_type(info, fn, "expected 5 arguments");
  const int64_t log = int_arg(info, 0, fn);
  if (log > 1) throw_range(info, fn, "log must be 0 or 1");
  const ViewArg x = view_arg(info, 1, 2, fn, kAllowFloat);
  const int axis = axis_arg(info, 3, fn, x);
  const ArrayArg out = array_arg(info, 4, fn, kAllowFloat);
  if (out.type != x.array.type) throw_type(info, fn, "out must have x's array type");
  check_out(info, fn, out, checked_numel(info, fn, x), x, "out");
  if (x.array.type == ElemType::kF32) {
    softmax(log == 1, x.array.as<float>(), x.offset, x.ndim, x.shape, x.strides, axis, out.as<float>());
  } else {
    softmax(log == 1, x.array.as<double>(), x.offset, x.ndim, x.shape, x.strides, axis, out.as<double>());
  }
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  export_raw(env, exports, "reduce", hot<Reduce>);
  export_raw(env, exports, "argReduce", hot<ArgReduce>);
  export_raw(env, exports, "cumsum", hot<Cumsum>);
  export_raw(env, exports, "softmax", hot<Softmax>);
}

}  // namespace dl
