/**
 * im2col / col2im: the reference ("js") implementations of `torch.nn.functional.unfold` and `fold`.
 *
 * im2col cuts every kernel-sized window out of an image and lays it out as one column, so that a
 * convolution becomes a single matrix product (see `conv.ts`):
 *
 *   x     [N, C, H, W]
 *   cols  [N, C * kH * kW, L]      L = H_out * W_out, the number of windows
 *
 *   cols[n, (c * kH + ki) * kW + kj, i * W_out + j] = x[n, c, i * sH - pH + ki * dH, j * sW - pW + kj * dW]
 *
 * (0 where the position falls in the zero padding). Rows are channel-major, then kernel row, then
 * kernel column; columns run over the windows in row-major order, exactly as PyTorch lays them out.
 *
 * col2im is the adjoint (transpose) of im2col: every entry of `cols` is added back to the image
 * pixel it was copied from, so pixels covered by several windows receive the sum of their copies,
 * and entries that came from the padding are dropped.
 *
 * Both kernels receive contiguous views (offset 0, row-major strides); we read `view.storage` at
 * `view.offset + flatIndex`.
 */
import type { UnfoldParams, View } from '../../backend';
import { allocStorage, type DType, type Storage } from '../../dtype';

import { convOutputSize } from '../../geometry';

export { convOutputSize };

/**
 * A storage of `dtype` holding the values of `acc`. The image backward kernels add many
 * contributions into each output entry; they accumulate in a Float64Array (so float32 results are
 * rounded once, at the end) and convert with this helper. No copy is made for float64.
 */
export function fromFloat64(acc: Float64Array, dtype: DType): Storage {
  if (dtype === 'float64') return acc;
  const out = allocStorage(dtype, acc.length);
  out.set(acc); // typed-array `set` converts each element to the target type
  return out;
}

/** `torch.nn.functional.unfold`: x `[N, C, H, W]` -> columns `[N, C * kH * kW, L]`. */
export function im2col(x: View, p: UnfoldParams): Storage {
  const [N, C, H, W] = x.shape;
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [dH, dW] = p.dilation;
  const Hout = convOutputSize(H, kH, sH, pH, dH);
  const Wout = convOutputSize(W, kW, sW, pW, dW);
  const L = Hout * Wout;
  const rows = C * kH * kW;

  const xs = x.storage;
  const out = allocStorage(x.dtype, N * rows * L); // zero-filled: padding stays 0
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + (n * C + c) * H * W; // start of x[n, c]
      for (let ki = 0; ki < kH; ki++) {
        for (let kj = 0; kj < kW; kj++) {
          const row = (c * kH + ki) * kW + kj;
          const rowStart = (n * rows + row) * L; // start of cols[n, row, :]
          for (let i = 0; i < Hout; i++) {
            const h = i * sH - pH + ki * dH; // input row read by window (i, .)
            if (h < 0 || h >= H) continue; // padding: leave the zeros
            for (let j = 0; j < Wout; j++) {
              const w = j * sW - pW + kj * dW;
              if (w < 0 || w >= W) continue;
              out[rowStart + i * Wout + j] = xs[plane + h * W + w];
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * `torch.nn.functional.fold` (the adjoint of {@link im2col}): columns `[N, C * kH * kW, L]` ->
 * image `xShape = [N, C, H, W]`, summing the entries that land on the same pixel.
 */
export function col2im(cols: View, xShape: readonly number[], p: UnfoldParams): Storage {
  const [N, C, H, W] = xShape;
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [dH, dW] = p.dilation;
  const Hout = convOutputSize(H, kH, sH, pH, dH);
  const Wout = convOutputSize(W, kW, sW, pW, dW);
  const L = Hout * Wout;
  const rows = C * kH * kW;

  const cs = cols.storage;
  const acc = allocStorage('float64', N * C * H * W, 'col2im', [N, C, H, W]) as Float64Array;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W; // start of image[n, c]
      for (let ki = 0; ki < kH; ki++) {
        for (let kj = 0; kj < kW; kj++) {
          const row = (c * kH + ki) * kW + kj;
          const rowStart = cols.offset + (n * rows + row) * L;
          for (let i = 0; i < Hout; i++) {
            const h = i * sH - pH + ki * dH;
            if (h < 0 || h >= H) continue; // this entry came from the padding: drop it
            for (let j = 0; j < Wout; j++) {
              const w = j * sW - pW + kj * dW;
              if (w < 0 || w >= W) continue;
              acc[plane + h * W + w] += cs[rowStart + i * Wout + j];
            }
          }
        }
      }
    }
  }
  return fromFloat64(acc, cols.dtype);
}
