// 2-D convolution (cross-correlation, as PyTorch's conv2d) and its two gradients for the native
// backend, float and double, on contiguous NCHW data.
//
// Shapes, with Cin_g = Cin / G and Cout_g = Cout / G (G groups):
//
//   x     [N, Cin, H, W]        w  [Cout, Cin_g, kH, kW]        bias [Cout] (optional)
//   y     [N, Cout, Hout, Wout] Hout = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1, Wout alike
//
//   y[n, co, i, j] = bias[co] + sum_{ci < Cin_g, ki < kH, kj < kW}
//                      x[n, g Cin_g + ci, i sH - pH + ki dH, j sW - pW + kj dW] * w[co, ci, ki, kj]
//
// with g = co / Cout_g and x read as 0 in the padding. The gradients are the adjoints:
//
//   gx[n, c, h, w]        = sum over (co, i, j, ki, kj) hitting (h, w) of gy[n, co, i, j] * w[co, ci, ki, kj]
//   gw[co, ci, ki, kj]    = sum_{n, i, j} gy[n, co, i, j] * x[n, g Cin_g + ci, i sH - pH + ki dH, j sW - pW + kj dW]
//
// Example: x = ones [1, 1, 4, 4], w = ones [2, 1, 3, 3], padding 1: y [1, 2, 4, 4] holds 4 at the
// corners, 6 on the edges and 9 inside; with gy = ones, gw = [[[[9, 12, 9], [12, 16, 12], [9, 12, 9]]]] twice.
//
// Algorithms (picked per call by conv_algorithm(), all exact adjoints of the same sums):
// - "winograd" (winograd.h): F(2x2, 3x3) for 3x3 kernels with stride 1, no dilation and padding
//   <= 2, all three passes (2.25x fewer multiplies). The automatic choice takes it when both
//   Cin_g and Cout_g are at least 8 (16 for the weight gradient), the output at least 6 x 6, and
//   the two operands of the pass finite (an inf would spread NaN over its whole 2x2 tile). On
//   bench/conv.js's 32 -> 64 channel layer (`node bench/conv.js --rounds 3`, 2 threads) the
//   forward, input- and weight-gradient times went from 5.07, 4.71, 5.67 ms with "gemm" to 2.82,
//   2.99, 2.72 ms.
// - "gemm": per image and group, columns cols = im2col(x[n, g]) of Kg = Cin_g kH kW rows (in blocks
//   of output positions so the buffer stays about 1-2 MB), then
//     y[n, g] = w[g] . cols,   gcols = w[g]^T . gy[n, g] -> gx by col2im,   gw[g]^T += cols . gy[n, g]^T
//   with the packed SIMD GEMM (gemm.h); 1x1 kernels with stride 1 and no padding use x itself.
//   Weight-gradient blocks of at most 256 outputs (Kg x Cout_g, e.g. a first layer on 1-channel
//   images) use vectorised dot products instead, as packing would cost more than the sums.
//   Threads take whole images (the GEMM then runs on one thread) when there are enough of them,
//   otherwise the GEMM is threaded. gw sums per-chunk partials in a fixed order, so results do not
//   depend on scheduling (only on the thread count). This is the default.
// - "direct": loops over output rows that skip the padding exactly like the js reference. Used
//   whenever zero padding meets a non-finite w (forward) or gy (weight gradient), where the
//   GEMM's 0 * inf = NaN would differ from the reference, which never multiplies padding; and
//   for Kg = 0. (Measured slower than the GEMM even for a 1-channel 3x3 first layer, so it is not
//   picked for speed; set_conv_algorithm(2) forces it.)
// Sums are in T (PyTorch's choice; the js reference sums in double), in a different order from
// js: float32 results agree with it to about eps * Kg * max|x| * max|w| (forward), likewise with
// Cout_g (input gradient) and N * Hout * Wout (weight gradient).
#pragma once

#include <cstdint>

#include "unfold.h"

namespace dl {

struct ConvGeom {
  int64_t N, Cin, Cout, G;  // batch, channels, groups (Cin and Cout divisible by G)
  Window2d win;             // H, W, kernel, stride, padding, dilation, Hout, Wout
  int64_t cin_g() const { return Cin / G; }
  int64_t cout_g() const { return Cout / G; }
  int64_t kg() const { return cin_g() * win.kk(); }  // rows of the columns of one group
};

// Algorithm selection, for tests and benchmarks: 0 = automatic (default), 1 = always GEMM
// (except where the direct kernel is needed for non-finite values), 2 = always direct,
// 3 = Winograd wherever the geometry and the data allow it (else as 0).
void set_conv_algorithm(int mode);
int conv_algorithm();

// y = conv2d(x, w, bias): every element of y [N, Cout, Hout, Wout] is written. bias may be null.
template <typename T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y);

// gx [N, Cin, H, W] = dL/dx given gy [N, Cout, Hout, Wout] and w (every element written).
template <typename T>
void conv2d_backward_input(const ConvGeom& g, const T* gy, const T* w, T* gx);

// gw [Cout, Cin_g, kH, kW] = dL/dw given gy and x (every element written).
template <typename T>
void conv2d_backward_weight(const ConvGeom& g, const T* gy, const T* x, T* gw);

}  // namespace dl
