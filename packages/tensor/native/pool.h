// 2-D max and average pooling and their gradients for the native backend (float and double,
// contiguous NCHW), with the semantics of the js reference (src/backends/js/pool.ts, PyTorch 1.13).
//
// x [N, C, H, W] -> y [N, C, Hout, Wout]; each (n, c) plane is pooled on its own. Window (i, j)
// reads the positions h = i sH - pH + ki dH (ki < kH), w = j sW - pW + kj dW (kj < kW); Hout and
// Wout are pool_output_size (with ceil mode, the last window must start inside the input or its
// left padding).
//
//   max:  y[n, c, i, j] = max of x over the in-image positions of the window, index = h * W + w
//         of the winner (the first of equal values; a NaN wins and a later NaN replaces it);
//         a window wholly in the padding gives -inf and index -1.
//   avg:  y[n, c, i, j] = (sum of x over the in-image part of the window) / divisor, where the
//         divisor counts the padding (countIncludePad) or not, a ceil-mode window being clipped to
//         the padded input first, or is divisor_override when that is nonzero (PyTorch's
//         divisor_override); a window with no in-image position gives 0.
//
// Example: x [1, 1, 2, 4] = [[1, 5, 2, 2], [3, 4, 8, 0]], 2x2 windows, stride 2:
//   max -> [[5, 8]] with indices [[1, 6]],   avg -> [[3.25, 3]].
//
// The gradients route gy back: max to the recorded index, avg evenly (gy / divisor) over the
// window's in-image positions. Sums (avg forward, both gradients) are accumulated in double in the
// reference's order and rounded once, so every result is identical to the js backend's.
#pragma once

#include <cstdint>

namespace dl {

struct PoolGeom {
  int64_t N, C, H, W;
  int64_t kH, kW, sH, sW, pH, pW, dH, dW;  // kernel, stride >= 1, padding >= 0, dilation >= 1
  bool ceil_mode, count_include_pad;
  int64_t divisor_override;  // avg: divide by this instead of the window size when nonzero
  int64_t Hout, Wout;
};

// Window count along one axis (PyTorch's pooling_output_shape).
int64_t pool_output_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil, bool ceil_mode);

// values, indices [N, C, Hout, Wout] (every element written).
template <typename T>
void max_pool2d(const PoolGeom& g, const T* x, T* values, int32_t* indices);

// gx [N, C, H, W] (every element written) from gy and indices [N, C, Hout, Wout]. Every index must
// be one that window (i, j) can have picked: an in-image position h * W + w of the window, or -1
// for a window with no in-image position (which routes nothing). Returns false, leaving gx
// unspecified, on any other index (the caller then reports it).
template <typename T>
bool max_pool2d_backward(const PoolGeom& g, const T* gy, const int32_t* indices, T* gx);

// Average pooling (dilation must be 1): y [N, C, Hout, Wout] (every element written).
template <typename T>
void avg_pool2d(const PoolGeom& g, const T* x, T* y);

// gx [N, C, H, W] (every element written) from gy [N, C, Hout, Wout].
template <typename T>
void avg_pool2d_backward(const PoolGeom& g, const T* gy, T* gx);

}  // namespace dl
