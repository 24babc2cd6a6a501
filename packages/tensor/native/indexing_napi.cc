// JS bindings of the gather, scatterAdd, indexSelect, indexAdd kernels (indexing.h), and of the
// int32 matrix product (intmatmul.h). Views travel as (storage, geometry) pairs (`view_arg`):
// x / base / src any of Float32Array, Float64Array, Int32Array, Uint8Array (one type per call),
// index an Int32Array; `out` is a contiguous array of the data's type that the kernel fills.
//
//   gather(x, xGeom, dim, index, indexGeom, out)          out has index's shape
//       out[..., j, ...] = x[..., index[..., j, ...], ...]           (j along dim)
//   indexSelect(x, xGeom, dim, index, indexGeom, out)     index 1-D; out = x's shape, n along dim
//       out[..., j, ...] = x[..., index[j], ...]
//   scatterAdd(base, baseGeom, dim, index, indexGeom, src, srcGeom, out)     out has base's shape
//       out = base; out[..., index[..., j, ...], ...] += src[..., j, ...]   (row-major order)
//   indexAdd(base, baseGeom, dim, index, indexGeom, src, srcGeom, out)       index 1-D
//       out = base; out[..., index[j], ...] += src[..., j, ...]
//   intMatmul(a, aGeom, b, bGeom, out)    a [B, M, K], b [B, K, N] Int32Array views, out [B, M, N]
//
// Index values outside [0, size of dim) throw a RangeError "<kernel>: index v is out of range for
// dim d of size s" (nothing is read or written out of bounds); shapes that do not fit, and out
// arrays that overlap an input, throw too.
#include <string>

#include "bindings.h"
#include "indexing.h"
#include "intmatmul.h"
#include "napi_args.h"

namespace dl {
namespace {

constexpr unsigned kAllowData = kAllowAll;

int64_t dim_arg(const Args& info, size_t i, const char* fn, int ndim) {
  const int64_t dim = int_arg(info, i, fn);
  // a 0-d tensor has one "dim 0" of size 1 (gather / scatterAdd of scalars)
  if (dim >= (ndim == 0 ? 1 : ndim)) {
    throw_range(info, fn, "dim " + std::to_string(dim) + " is out of range for " + std::to_string(ndim) + " dims");
  }
  return dim;
}

// The number of elements of a shape, in double (a broadcast view may claim more than int64 holds).
double count(int ndim, const int64_t* shape) {
  double n = 1;
  for (int d = 0; d < ndim; d++) n *= static_cast<double>(shape[d]);
  return n;
}

void check_out(const Args& info, const char* fn, const ArrayArg& out, const ViewArg& data, double numel,
               std::initializer_list<const ArrayArg*> inputs) {
  if (out.type != data.array.type) throw_type(info, fn, "out must have the type of the data");
  if (static_cast<double>(out.length) != numel) {
    throw_range(info, fn, "out must have " + std::to_string(static_cast<int64_t>(numel)) + " elements, got " +
                              std::to_string(out.length));
  }
  for (const ArrayArg* in : inputs) {
    if (overlaps(out, *in)) throw_range(info, fn, "out must not share memory with an input");
  }
}

// The walk of scatterAdd / indexAdd visits every index / src position; refuse absurd counts (only
// broadcast views can claim them) instead of overflowing.
void check_positions(const Args& info, const char* fn, const IndexPlan& p) {
  if (count(p.ndim, p.shape) > 9007199254740992.0) throw_range(info, fn, "too many index positions");
}

void contiguous_strides(int ndim, const int64_t* shape, int64_t* strides) {
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
}

std::string shape_str(const ViewArg& v) {
  std::string s = "[";
  for (int d = 0; d < v.ndim; d++) s += (d ? ", " : "") + std::to_string(v.shape[d]);
  return s + "]";
}

// data (view) read or written at dim through the index; everything else through `plan`'s shape.
void set_data(IndexPlan& p, const ViewArg& data, int dim) {
  p.data_off = data.offset;
  for (int d = 0; d < data.ndim; d++) p.data_strides[d] = d == dim ? 0 : data.strides[d];
  p.dim_stride = data.ndim ? data.strides[dim] : 0;
  p.dim_size = data.ndim ? data.shape[dim] : 1;
}

// The 1-D index of indexSelect / indexAdd, seen with p's shape: stride 0 outside dim.
void set_index_1d(IndexPlan& p, const ViewArg& index, int dim) {
  p.idx = index.array.as<int32_t>();
  p.idx_off = index.offset;
  for (int d = 0; d < p.ndim; d++) p.idx_strides[d] = d == dim ? index.strides[0] : 0;
}

void set_index(IndexPlan& p, const ViewArg& index) {
  p.idx = index.array.as<int32_t>();
  p.idx_off = index.offset;
  p.ndim = index.ndim;
  for (int d = 0; d < index.ndim; d++) {
    p.shape[d] = index.shape[d];
    p.idx_strides[d] = index.strides[d];
  }
}

template <typename F>
void run_kernel(const Args& info, const char* fn, F&& f) {
  try {
    f();
  } catch (const IndexOutOfRange& e) {
    throw_range(info, fn, e.what());
  }
}

void gather_typed(const Args& info, const char* fn, const IndexPlan& p, const ArrayArg& data, const ArrayArg& out) {
  run_kernel(info, fn, [&] {
    switch (data.type) {
      case ElemType::kU8: index_gather(p, data.as<const uint8_t>(), out.as<uint8_t>()); break;
      case ElemType::kF32:
      case ElemType::kI32: index_gather(p, data.as<const uint32_t>(), out.as<uint32_t>()); break;
      case ElemType::kF64: index_gather(p, data.as<const uint64_t>(), out.as<uint64_t>()); break;
    }
  });
}

// out = contiguous copy of base, then the scatter of `p` (whose data is out) from src.
void scatter_typed(const Args& info, const char* fn, const IndexPlan& p, const ViewArg& base, const ArrayArg& src,
                   const ArrayArg& out) {
  const int nd = base.ndim;
  switch (base.array.elem_size()) {
    case 1: strided_copy(nd, base.shape, base.strides, base.array.as<const uint8_t>() + base.offset, out.as<uint8_t>()); break;
    case 4: strided_copy(nd, base.shape, base.strides, base.array.as<const uint32_t>() + base.offset, out.as<uint32_t>()); break;
    default: strided_copy(nd, base.shape, base.strides, base.array.as<const uint64_t>() + base.offset, out.as<uint64_t>()); break;
  }
  run_kernel(info, fn, [&] {
    switch (out.type) {
      case ElemType::kU8: index_scatter_add(p, out.as<uint8_t>(), src.as<const uint8_t>()); break;
      case ElemType::kI32: index_scatter_add(p, out.as<int32_t>(), src.as<const int32_t>()); break;
      case ElemType::kF32: index_scatter_add(p, out.as<float>(), src.as<const float>()); break;
      case ElemType::kF64: index_scatter_add(p, out.as<double>(), src.as<const double>()); break;
    }
  });
}

void Gather(const Args& info) {
  const char* fn = "gather";
  if (info.Length() != 6) throw_type(info, fn, "expected 6 arguments");
  const ViewArg x = view_arg(info, 0, 1, fn, kAllowData);
  const int dim = static_cast<int>(dim_arg(info, 2, fn, x.ndim));
  const ViewArg index = view_arg(info, 3, 4, fn, kAllowI32);
  const ArrayArg out = array_arg(info, 5, fn, kAllowData);
  if (index.ndim != x.ndim) {
    throw_range(info, fn, "index " + shape_str(index) + " must have as many dims as x " + shape_str(x));
  }
  for (int d = 0; d < x.ndim; d++) {
    if (d != dim && index.shape[d] > x.shape[d]) {
      throw_range(info, fn, "index " + shape_str(index) + " is larger than x " + shape_str(x) + " at dim " + std::to_string(d));
    }
  }
  check_out(info, fn, out, x, count(index.ndim, index.shape), {&x.array, &index.array});
  IndexPlan p;
  p.dim = dim;
  set_index(p, index);
  set_data(p, x, dim);
  p.dense_off = 0;
  contiguous_strides(p.ndim, p.shape, p.dense_strides);
  gather_typed(info, fn, p, x.array, out);
}

void IndexSelect(const Args& info) {
  const char* fn = "indexSelect";
  if (info.Length() != 6) throw_type(info, fn, "expected 6 arguments");
  const ViewArg x = view_arg(info, 0, 1, fn, kAllowData);
  if (x.ndim == 0) throw_range(info, fn, "x must have at least 1 dim");
  const int dim = static_cast<int>(dim_arg(info, 2, fn, x.ndim));
  const ViewArg index = view_arg(info, 3, 4, fn, kAllowI32);
  const ArrayArg out = array_arg(info, 5, fn, kAllowData);
  if (index.ndim != 1) throw_range(info, fn, "index must be 1-D, got " + shape_str(index));
  IndexPlan p;
  p.dim = dim;
  p.ndim = x.ndim;
  for (int d = 0; d < x.ndim; d++) p.shape[d] = d == dim ? index.shape[0] : x.shape[d];
  check_out(info, fn, out, x, count(p.ndim, p.shape), {&x.array, &index.array});
  set_index_1d(p, index, dim);
  set_data(p, x, dim);
  p.dense_off = 0;
  contiguous_strides(p.ndim, p.shape, p.dense_strides);
  gather_typed(info, fn, p, x.array, out);
}

void ScatterAdd(const Args& info) {
  const char* fn = "scatterAdd";
  if (info.Length() != 8) throw_type(info, fn, "expected 8 arguments");
  const ViewArg base = view_arg(info, 0, 1, fn, kAllowData);
  const int dim = static_cast<int>(dim_arg(info, 2, fn, base.ndim));
  const ViewArg index = view_arg(info, 3, 4, fn, kAllowI32);
  const ViewArg src = view_arg(info, 5, 6, fn, kAllowData);
  const ArrayArg out = array_arg(info, 7, fn, kAllowData);
  if (src.array.type != base.array.type) throw_type(info, fn, "src must have the type of base");
  if (index.ndim != base.ndim || src.ndim != base.ndim) {
    throw_range(info, fn, "base " + shape_str(base) + ", index " + shape_str(index) + " and src " + shape_str(src) +
                              " must have the same number of dims");
  }
  for (int d = 0; d < base.ndim; d++) {
    if ((d != dim && index.shape[d] > base.shape[d]) || index.shape[d] > src.shape[d]) {
      throw_range(info, fn, "index " + shape_str(index) + " is larger than base " + shape_str(base) + " or src " +
                                shape_str(src) + " at dim " + std::to_string(d));
    }
  }
  check_out(info, fn, out, base, count(base.ndim, base.shape), {&base.array, &index.array, &src.array});
  IndexPlan p;
  p.dim = dim;
  set_index(p, index);
  int64_t dense[ViewArg::kMaxDims];
  contiguous_strides(base.ndim, base.shape, dense);
  ViewArg outv = base;  // out seen as a contiguous view of base's shape
  outv.offset = 0;
  for (int d = 0; d < base.ndim; d++) outv.strides[d] = dense[d];
  set_data(p, outv, dim);
  p.dense_off = src.offset;
  for (int d = 0; d < src.ndim; d++) p.dense_strides[d] = src.strides[d];
  check_positions(info, fn, p);
  scatter_typed(info, fn, p, base, src.array, out);
}

void IndexAdd(const Args& info) {
  const char* fn = "indexAdd";
  if (info.Length() != 8) throw_type(info, fn, "expected 8 arguments");
  const ViewArg base = view_arg(info, 0, 1, fn, kAllowData);
  if (base.ndim == 0) throw_range(info, fn, "base must have at least 1 dim");
  const int dim = static_cast<int>(dim_arg(info, 2, fn, base.ndim));
  const ViewArg index = view_arg(info, 3, 4, fn, kAllowI32);
  const ViewArg src = view_arg(info, 5, 6, fn, kAllowData);
  const ArrayArg out = array_arg(info, 7, fn, kAllowData);
  if (src.array.type != base.array.type) throw_type(info, fn, "src must have the type of base");
  if (index.ndim != 1) throw_range(info, fn, "index must be 1-D, got " + shape_str(index));
  bool fits = src.ndim == base.ndim;
  for (int d = 0; fits && d < base.ndim; d++) fits = src.shape[d] == (d == dim ? index.shape[0] : base.shape[d]);
  if (!fits) {
    throw_range(info, fn, "src " + shape_str(src) + " does not fit base " + shape_str(base) + " and index " +
                              shape_str(index) + " at dim " + std::to_string(dim));
  }
  check_out(info, fn, out, base, count(base.ndim, base.shape), {&base.array, &index.array, &src.array});
  IndexPlan p;
  p.dim = dim;
  p.ndim = src.ndim;
  for (int d = 0; d < src.ndim; d++) p.shape[d] = src.shape[d];
  set_index_1d(p, index, dim);
  int64_t dense[ViewArg::kMaxDims];
  contiguous_strides(base.ndim, base.shape, dense);
  ViewArg outv = base;
  outv.offset = 0;
  for (int d = 0; d < base.ndim; d++) outv.strides[d] = dense[d];
  set_data(p, outv, dim);
  p.dense_off = src.offset;
  for (int d = 0; d < src.ndim; d++) p.dense_strides[d] = src.strides[d];
  check_positions(info, fn, p);
  scatter_typed(info, fn, p, base, src.array, out);
}

void IntMatmul(const Args& info) {
  const char* fn = "intMatmul";
  if (info.Length() != 5) throw_type(info, fn, "expected 5 arguments");
  const ViewArg a = view_arg(info, 0, 1, fn, kAllowI32);
  const ViewArg b = view_arg(info, 2, 3, fn, kAllowI32);
  const ArrayArg out = array_arg(info, 4, fn, kAllowI32);
  if (a.ndim != 3 || b.ndim != 3 || a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1]) {
    throw_range(info, fn, "a " + shape_str(a) + " and b " + shape_str(b) + " must be [B, M, K] and [B, K, N]");
  }
  const int64_t batch = a.shape[0], M = a.shape[1], K = a.shape[2], N = b.shape[2];
  if (static_cast<double>(batch) * M * N != static_cast<double>(out.length)) {
    throw_range(info, fn, "out must have B * M * N elements");
  }
  if (overlaps(out, a.array) || overlaps(out, b.array)) throw_range(info, fn, "out must not share memory with a or b");
  int_matmul(batch, M, N, K, IntOperand{a.array.as<const int32_t>() + a.offset, a.strides[0], a.strides[1], a.strides[2]},
             IntOperand{b.array.as<const int32_t>() + b.offset, b.strides[0], b.strides[1], b.strides[2]},
             out.as<int32_t>());
}

}  // namespace

void register_indexing(Napi::Env env, Napi::Object exports) {
  export_raw(env, exports, "gather", hot<Gather>);
  export_raw(env, exports, "indexSelect", hot<IndexSelect>);
  export_raw(env, exports, "scatterAdd", hot<ScatterAdd>);
  export_raw(env, exports, "indexAdd", hot<IndexAdd>);
  export_raw(env, exports, "intMatmul", hot<IntMatmul>);
}

}  // namespace dl
