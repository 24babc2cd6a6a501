// Winograd F(2x2, 3x3) convolution for 3x3 kernels with stride 1 and no dilation (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2015), used by conv.cc for the forward pass,
// for the input gradient (through the flipped kernel) and for the weight gradient (through the
// transposed algorithm F(3x3, 2x2), which shares the input transform).
//
// Each 2x2 block of outputs of one (image, output channel) is computed from the 4x4 input patch d
// above it (rows 2 ty - pH .. 2 ty - pH + 3, columns alike, 0 outside the image):
//
//   U[co, ci] = G g[co, ci] G^T                      (4x4, once per call)
//   V[ci, t]  = B^T d[ci, t] B                       (4x4 per channel and tile)
//   M[xi]     = U[xi] . V[xi]    for each of the 16 entries xi: a GEMM [Cout_g x Cin_g] . [Cin_g x tiles]
//   y tile    = A^T M[co, t] A + bias[co]            (2x2, clipped at odd edges)
//
// with B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
//      G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]],
//      A^T = [[1, 1, 1, 0], [0, 1, -1, -1]].
// That is 16 multiplies per channel pair and tile instead of 36 (2.25x fewer), for the price of
// the transforms, which pay off once both channel counts are about 8 or more.
//
// Example: x = ones [1, 1, 4, 4], w = ones [1, 1, 3, 3], padding 1 gives the same y as the direct
// sum: 4 at the corners, 6 on the edges and 9 inside.
//
// The result differs from the direct sum by rounding only (the transforms add and halve exactly
// representable coefficients); non-finite inputs are NOT handled like the direct sum (an inf in
// one pixel turns the whole 2x2 tile into NaN), so callers use it on finite data only.
#pragma once

#include "conv.h"

namespace dl {

// Whether the geometry suits Winograd F(2x2, 3x3): 3x3 kernel, stride 1, dilation 1, padding <= 2.
bool winograd_fits(const ConvGeom& g);

// y = conv2d(x, w, bias) (bias may be null) for a geometry where winograd_fits holds.
template <typename T>
void winograd_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y);

// gx = dL/dx of conv2d for a geometry where winograd_fits holds: the 'full' correlation of gy
// with the kernel flipped in both axes and its in/out channels swapped, padding 2 - p.
template <typename T>
void winograd_backward_input(const ConvGeom& g, const T* gy, const T* w, T* gx);

// gw = dL/dw of conv2d for a geometry where winograd_fits holds, by the transposed algorithm
// F(3x3, 2x2): with the same input transform V = B^T d B and A = (A^T)^T,
//   gw[co, ci] = G^T (sum over tiles t of (A gy[co]_t A^T) * V[ci, t], elementwise) G
// (16 GEMMs [Cout_g x tiles] . [tiles x Cin_g]).
template <typename T>
void winograd_backward_weight(const ConvGeom& g, const T* gy, const T* x, T* gw);

}  // namespace dl
