/**
 * 2-D convolution: the reference ("js") implementations of the forward pass and its two gradients,
 * written as plain loops so that every index is visible.
 *
 * Shapes (NCHW, as PyTorch):
 *
 *   x     [N, C_in, H, W]
 *   w     [C_out, C_in / groups, kH, kW]
 *   bias  [C_out]   (optional)
 *   y     [N, C_out, H_out, W_out]
 *   H_out = floor((H + 2 * pH - dH * (kH - 1) - 1) / sH) + 1      (W_out likewise)
 *
 * Like PyTorch's `conv2d`, this is a cross-correlation (the kernel is not flipped). With groups,
 * the C_in input channels and C_out output channels are split into `groups` equal blocks and block
 * g of the outputs only sees block g of the inputs. Writing Cin_g = C_in / groups and
 * Cout_g = C_out / groups, output channel co belongs to group g = floor(co / Cout_g) and
 *
 *   y[n, co, i, j] = b[co] + sum_{ci, ki, kj} x[n, g*Cin_g + ci, i*sH - pH + ki*dH, j*sW - pW + kj*dW] * w[co, ci, ki, kj]
 *
 * with ci < Cin_g, ki < kH, kj < kW, and x read as 0 outside the image (zero padding).
 *
 * The same computation can be written as im2col followed by a matrix product (see `unfold.ts`):
 * `y[n, g] = w[g].reshape(Cout_g, Cin_g*kH*kW) @ im2col(x[n, g])`; the tests check both agree.
 *
 * The backward kernels are the exact adjoints of the forward map. Every product
 * `x[n, c, h, w] * w[co, ci, ki, kj]` that contributed to `y[n, co, i, j]` sends gy[n, co, i, j]
 * back along the same path:
 *
 *   dL/dx[n, c, h, w]      += gy[n, co, i, j] * w[co, ci, ki, kj]
 *   dL/dw[co, ci, ki, kj]  += gy[n, co, i, j] * x[n, c, h, w]
 *
 * (the bias gradient, `gy.sum over n, i, j`, is a plain reduction and is not a kernel here).
 *
 * Inputs are contiguous views (offset 0, row-major strides): element [a, b, c, d] of a view of
 * shape [A, B, C, D] is `storage[offset + ((a * B + b) * C + c) * D + d]`.
 */
import type { Conv2dParams, View } from '../../backend';
import { allocStorage, type Storage } from '../../dtype';
import { convOutputSize } from '../../geometry';
import { fromFloat64 } from './unfold';

/** Forward convolution: y `[N, C_out, H_out, W_out]`, in x's dtype (see the module comment). */
export function conv2d(x: View, w: View, bias: View | null, p: Conv2dParams): Storage {
  const [N, Cin, H, W] = x.shape;
  const [Cout, CinG, kH, kW] = w.shape;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [dH, dW] = p.dilation;
  const CoutG = Cout / p.groups; // output channels per group
  const Hout = convOutputSize(H, kH, sH, pH, dH);
  const Wout = convOutputSize(W, kW, sW, pW, dW);

  const xs = x.storage;
  const ws = w.storage;
  const y = allocStorage(x.dtype, N * Cout * Hout * Wout);
  let o = 0; // flat index into y, which we fill in row-major order
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      const g = Math.floor(co / CoutG); // the group of this output channel
      const b = bias === null ? 0 : bias.storage[bias.offset + co];
      for (let i = 0; i < Hout; i++) {
        for (let j = 0; j < Wout; j++) {
          let sum = b;
          for (let ci = 0; ci < CinG; ci++) {
            const c = g * CinG + ci; // the input channel that ci of group g stands for
            const xPlane = x.offset + (n * Cin + c) * H * W; // start of x[n, c]
            const wPlane = w.offset + (co * CinG + ci) * kH * kW; // start of w[co, ci]
            for (let ki = 0; ki < kH; ki++) {
              const h = i * sH - pH + ki * dH;
              if (h < 0 || h >= H) continue; // zero padding contributes nothing
              for (let kj = 0; kj < kW; kj++) {
                const ww = j * sW - pW + kj * dW;
                if (ww < 0 || ww >= W) continue;
                sum += xs[xPlane + h * W + ww] * ws[wPlane + ki * kW + kj];
              }
            }
          }
          y[o++] = sum;
        }
      }
    }
  }
  return y;
}

/**
 * dL/dx of {@link conv2d}: gy `[N, C_out, H_out, W_out]` -> `xShape = [N, C_in, H, W]`.
 * Scatters each gy entry back through the weights to the input pixels its window covered;
 * pixels in several windows receive the sum (accumulated in float64, returned in gy's dtype).
 */
export function conv2dBackwardInput(gy: View, w: View, xShape: readonly number[], p: Conv2dParams): Storage {
  const [N, Cin, H, W] = xShape;
  const [Cout, CinG, kH, kW] = w.shape;
  const [, , Hout, Wout] = gy.shape;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [dH, dW] = p.dilation;
  const CoutG = Cout / p.groups;

  const gys = gy.storage;
  const ws = w.storage;
  const gx = allocStorage('float64', N * Cin * H * W, 'conv2dBackwardInput', [N, Cin, H, W]) as Float64Array;
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      const g = Math.floor(co / CoutG);
      const gyPlane = gy.offset + (n * Cout + co) * Hout * Wout; // start of gy[n, co]
      for (let ci = 0; ci < CinG; ci++) {
        const c = g * CinG + ci;
        const gxPlane = (n * Cin + c) * H * W; // start of gx[n, c]
        const wPlane = w.offset + (co * CinG + ci) * kH * kW;
        for (let ki = 0; ki < kH; ki++) {
          for (let kj = 0; kj < kW; kj++) {
            const wv = ws[wPlane + ki * kW + kj];
            for (let i = 0; i < Hout; i++) {
              const h = i * sH - pH + ki * dH;
              if (h < 0 || h >= H) continue; // came from the padding: no input pixel to update
              for (let j = 0; j < Wout; j++) {
                const ww = j * sW - pW + kj * dW;
                if (ww < 0 || ww >= W) continue;
                gx[gxPlane + h * W + ww] += gys[gyPlane + i * Wout + j] * wv;
              }
            }
          }
        }
      }
    }
  }
  return fromFloat64(gx, gy.dtype);
}

/**
 * dL/dw of {@link conv2d}: gy `[N, C_out, H_out, W_out]` and x `[N, C_in, H, W]` ->
 * `wShape = [C_out, C_in / groups, kH, kW]`, in gy's dtype. Each weight is the correlation of the
 * output gradient with the input pixels that weight touched:
 *
 *   dw[co, ci, ki, kj] = sum_{n, i, j} gy[n, co, i, j] * x[n, g*Cin_g + ci, i*sH - pH + ki*dH, j*sW - pW + kj*dW]
 */
export function conv2dBackwardWeight(gy: View, x: View, wShape: readonly number[], p: Conv2dParams): Storage {
  const [N, Cin, H, W] = x.shape;
  const [Cout, CinG, kH, kW] = wShape;
  const [, , Hout, Wout] = gy.shape;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [dH, dW] = p.dilation;
  const CoutG = Cout / p.groups;

  const gys = gy.storage;
  const xs = x.storage;
  const gw = allocStorage(gy.dtype, Cout * CinG * kH * kW);
  let o = 0; // flat index into gw, filled in row-major order
  for (let co = 0; co < Cout; co++) {
    const g = Math.floor(co / CoutG);
    for (let ci = 0; ci < CinG; ci++) {
      const c = g * CinG + ci;
      for (let ki = 0; ki < kH; ki++) {
        for (let kj = 0; kj < kW; kj++) {
          let sum = 0;
          for (let n = 0; n < N; n++) {
            const gyPlane = gy.offset + (n * Cout + co) * Hout * Wout;
            const xPlane = x.offset + (n * Cin + c) * H * W;
            for (let i = 0; i < Hout; i++) {
              const h = i * sH - pH + ki * dH;
              if (h < 0 || h >= H) continue;
              for (let j = 0; j < Wout; j++) {
                const ww = j * sW - pW + kj * dW;
                if (ww < 0 || ww >= W) continue;
                sum += gys[gyPlane + i * Wout + j] * xs[xPlane + h * W + ww];
              }
            }
          }
          gw[o++] = sum;
        }
      }
    }
  }
  return gw;
}
