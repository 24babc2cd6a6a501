// Indexing kernels of the native backend: gather / scatterAdd (one index per element, along a dim)
// and indexSelect / indexAdd (whole slices picked by a 1-D index), for every storage type
// (float32, float64, int32, bool as uint8), on strided views. Results equal the `js` backend's
// bit for bit: the copies are plain data movement and the adds happen in the js order (row-major
// over the index positions), in the element type (int32 and bool wrap around, as a JS Int32Array
// or Uint8Array store does).
//
// The four kernels are two walks over one geometry, an IndexPlan:
//
//   at each position pos of `shape` (row-major):
//     v     = idx[idx_off + sum_d pos[d] * idx_strides[d]]        must satisfy 0 <= v < dim_size
//     where = data_off + sum_d pos[d] * data_strides[d] + v * dim_stride   (data_strides[dim] = 0)
//     here  = dense_off + sum_d pos[d] * dense_strides[d]
//   gather-like: dense[here] = data[where]        scatter-like: data[where] += dense[here]
//
// gather(x, dim, index):      shape = index.shape, data = x, dense = the contiguous output.
// indexSelect(x, dim, index): shape = x.shape with shape[dim] = index length, the 1-D index seen
//                             with stride 0 in every other dim; data = x, dense = the output.
// scatterAdd(base, dim, index, src): the output (a contiguous copy of base) is data, src is
//                             dense, shape = index.shape.
// indexAdd(base, dim, index, src):   as indexSelect's index, dense = src, shape = src.shape.
//
// Example: gather of x = [[1, 2], [3, 4]] along dim 1 with index [[1], [0]] gives [[2], [3]];
// scatterAdd of those back into zeros [2, 2] gives [[0, 2], [3, 0]].
//
// Every index is checked: a value outside [0, dim_size) throws IndexOutOfRange (the binding turns
// it into a JS RangeError) and nothing outside the views is read or written. Negative indices are
// rejected too: the Tensor layer (src/ops/indexing.ts) wraps them before they reach a kernel.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace dl {

// An index value outside [0, size) along `dim`.
struct IndexOutOfRange : std::runtime_error {
  int64_t value, size;
  int dim;
  IndexOutOfRange(int64_t v, int64_t s, int d)
      : std::runtime_error("index " + std::to_string(v) + " is out of range for dim " + std::to_string(d) +
                           " of size " + std::to_string(s)),
        value(v), size(s), dim(d) {}
};

struct IndexPlan {
  static constexpr int kMaxDims = 16;
  int ndim = 0;
  int dim = 0;  // the indexed dim (for error messages)
  int64_t shape[kMaxDims];
  const int32_t* idx = nullptr;
  int64_t idx_off = 0;
  int64_t idx_strides[kMaxDims];
  int64_t data_off = 0;
  int64_t data_strides[kMaxDims];  // 0 at dim
  int64_t dim_stride = 0;
  int64_t dim_size = 0;
  int64_t dense_off = 0;
  int64_t dense_strides[kMaxDims];
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) n *= shape[d];
    return n;
  }
};

// dense[here] = data[where] for every position (T: uint8_t, uint32_t or uint64_t: a bit copy).
// Threaded over positions when there are many (the writes are to distinct elements).
template <typename T>
void index_gather(const IndexPlan& p, const T* data, T* dense);

// data[where] += dense[here] for every position, in row-major order of the positions, so repeated
// destinations add up in the js order (T: uint8_t and int32_t wrap around, float, double).
// Threaded only by splitting a dim other than `dim`: positions that differ there write distinct
// destinations (data must be laid out so that they do, as the contiguous output is).
template <typename T>
void index_scatter_add(const IndexPlan& p, T* data, const T* dense);

// out[i] = v[i] (row-major) for a strided view v of `ndim` dims: the contiguous copy of base that
// scatterAdd and indexAdd start from. Bit copy, T as for index_gather.
template <typename T>
void strided_copy(int ndim, const int64_t* shape, const int64_t* strides, const T* v, T* out);

}  // namespace dl
