// im2col / col2im (torch.nn.functional.unfold / fold) for the native backend, and the block
// versions of them that the convolution kernels (conv.cc) build on.
//
// Layout (NCHW, contiguous): an image x [N, C, H, W]; its columns cols [N, C * kH * kW, L] with
// L = H_out * W_out windows, H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1 (W_out alike):
//
//   cols[n, (c * kH + ki) * kW + kj, i * W_out + j] = x[n, c, i sH - pH + ki dH, j sW - pW + kj dW]
//
// (0 where that position is in the zero padding). col2im is the adjoint: every column entry is
// added back onto the pixel it was copied from; entries from the padding are dropped.
//
// Example: x [1, 1, 3, 3] = 0..8, a 2x2 kernel, stride 1, no padding: L = 4 windows and
//   cols[0] = [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]
// and col2im(cols) = [[0, 2, 2], [6, 16, 10], [6, 14, 8]] (each pixel times its window count).
#pragma once

#include <algorithm>
#include <cstdint>

#include "threadpool.h"

namespace dl {

// Sliding-window geometry along both spatial axes. Hout/Wout are derived by the caller (see
// conv_output_size) and must be >= 0; sizes may be 0.
struct Window2d {
  int64_t H, W;          // input plane
  int64_t kH, kW;        // kernel
  int64_t sH, sW;        // stride (>= 1)
  int64_t pH, pW;        // zero padding on each side (>= 0)
  int64_t dH, dW;        // dilation (>= 1)
  int64_t Hout, Wout;    // number of window positions
  int64_t L() const { return Hout * Wout; }
  int64_t kk() const { return kH * kW; }
};

// ceil(a / b) for a >= 0, b >= 1.
inline int64_t ceil_div_pos(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Runs fn(p0, p1) over [0, items) in chunks: inline when items * work_per_item is below ~32k (a
// parallel_for costs a few microseconds), else on the thread pool, about 4 chunks per thread of
// at least ~16k units of work each. `work_per_item` is in element moves or multiply-adds.
template <typename F>
void for_chunks(int64_t items, int64_t work_per_item, F&& fn) {
  if (items <= 0) return;
  const int threads = num_threads();
  const int64_t per = std::max<int64_t>(1, work_per_item);
  int64_t chunk = items;
  if (threads > 1 && items >= 2 && items * per >= (int64_t(1) << 15)) {
    const int64_t min_chunk = ceil_div_pos(int64_t(1) << 14, per);
    chunk = std::min(items, std::max(min_chunk, ceil_div_pos(items, 4 * static_cast<int64_t>(threads))));
  }
  const int64_t ntasks = ceil_div_pos(items, chunk);
  if (ntasks <= 1) {
    fn(int64_t(0), items);
    return;
  }
  parallel_for(ntasks, [&](int64_t t) { fn(t * chunk, std::min(items, (t + 1) * chunk)); });
}

// floor((in + 2 pad - dil (k - 1) - 1) / stride) + 1, the window count of a convolution/unfold
// (may be <= 0 when the dilated kernel does not fit; callers reject that).
int64_t conv_output_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil);

// The output positions o in [0, n_out) whose tap o * stride + off lies inside [0, size):
// [*lo, *hi) (empty when *lo >= *hi).
void valid_range(int64_t off, int64_t stride, int64_t size, int64_t n_out, int64_t* lo, int64_t* hi);

// Columns [l0, l1) of the im2col of the C planes at x (plane c at x + c * H * W), written densely
// as cols[r * (l1 - l0) + (l - l0)] for rows r = (c * kH + ki) * kW + kj < C * kH * kW.
template <typename T>
void im2col_block(const Window2d& g, const T* x, int64_t C, int64_t l0, int64_t l1, T* cols);

// The adjoint of im2col_block: adds cols (laid out as above) onto the C planes at x, accumulating
// in T, row by row of cols. cols is used as scratch: its entries from the padding may be zeroed.
template <typename T>
void col2im_block_add(const Window2d& g, T* cols, int64_t C, int64_t l0, int64_t l1, T* x);

// im2col of a whole batch: x [N, C, H, W] -> cols [N, C * kH * kW, L]; every element of cols is
// written. Threaded over the (n, c) planes when large. Pure data movement (exact).
template <typename T>
void im2col(const Window2d& g, int64_t N, int64_t C, const T* x, T* cols);

// col2im of a whole batch: cols [N, C * kH * kW, L] -> x [N, C, H, W] (every element written).
// Each pixel's sum is accumulated in double in the order (ki, kj) and rounded once, exactly as the
// js backend does, so the results are identical to js for both float types.
template <typename T>
void col2im(const Window2d& g, int64_t N, int64_t C, const T* cols, T* x);

}  // namespace dl
