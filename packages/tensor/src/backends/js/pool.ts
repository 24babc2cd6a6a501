/**
 * 2-D max and average pooling: the reference ("js") implementations, with PyTorch 1.13 semantics.
 *
 * Shapes (NCHW): x `[N, C, H, W]` -> y `[N, C, H_out, W_out]`; every (n, c) plane is pooled on its
 * own. Output window (i, j) starts at input position (i * sH - pH, j * sW - pW) and reads the
 * kernel positions
 *
 *   h = i * sH - pH + ki * dH   (ki < kH),     w = j * sW - pW + kj * dW   (kj < kW)
 *
 * Positions outside the image are padding: -inf for max pooling (they never win), 0 for average
 * pooling. H_out and W_out come from {@link pool2dOutputSize}.
 *
 * Inputs are contiguous views (offset 0, row-major strides); plane (n, c) of x starts at
 * `x.offset + (n * C + c) * H * W`.
 */
import type { Pool2dParams, View } from '../../backend';
import { allocStorage, type Storage } from '../../dtype';
import { IndexError, ValueError } from '../../errors';
import { poolOutputSize } from '../../geometry';
import { fromFloat64 } from './unfold';

export { poolOutputSize as pool2dOutputSize } from '../../geometry';

/** H_out and W_out of a pooling of an `[N, C, H, W]` input. */
function outputHW(H: number, W: number, p: Pool2dParams): [number, number] {
  return [
    poolOutputSize(H, p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode),
    poolOutputSize(W, p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode),
  ];
}

/**
 * Max pooling: `values[n, c, i, j]` is the largest x in window (i, j) and `indices[n, c, i, j]` its
 * flat position `h * W + w` within the plane x[n, c] (as PyTorch's `return_indices=True`).
 *
 * As PyTorch: a NaN in the window is the max (the result is NaN); among equal values the first in
 * row-major window order wins, except that a later NaN replaces an earlier one (PyTorch's test is
 * `v > max || isnan(v)`), so the index points at the window's last NaN. A window lying entirely in
 * the padding (impossible with PyTorch's `padding <= kernel / 2` rule) gives -inf with index -1.
 */
export function maxPool2d(x: View, p: Pool2dParams): { values: Storage; indices: Int32Array } {
  const [N, C, H, W] = x.shape;
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [dH, dW] = p.dilation;
  const [Hout, Wout] = outputHW(H, W, p);

  const xs = x.storage;
  const values = allocStorage(x.dtype, N * C * Hout * Wout);
  const indices = allocStorage('int32', N * C * Hout * Wout) as Int32Array;
  let o = 0; // flat output index, row-major
  for (let plane = 0; plane < N * C; plane++) {
    const base = x.offset + plane * H * W; // start of x[n, c]
    for (let i = 0; i < Hout; i++) {
      for (let j = 0; j < Wout; j++) {
        let best = -Infinity;
        let bestIndex = -1; // -1: no in-bounds position seen yet
        for (let ki = 0; ki < kH; ki++) {
          const h = i * sH - pH + ki * dH;
          if (h < 0 || h >= H) continue; // padding row: acts as -inf, never the max
          for (let kj = 0; kj < kW; kj++) {
            const w = j * sW - pW + kj * dW;
            if (w < 0 || w >= W) continue;
            const v = xs[base + h * W + w];
            // strict `>` keeps the first of equal values; NaN always takes over
            if (bestIndex < 0 || v > best || Number.isNaN(v)) {
              best = v;
              bestIndex = h * W + w;
            }
          }
        }
        values[o] = best;
        indices[o] = bestIndex;
        o++;
      }
    }
  }
  return { values, indices };
}

/**
 * Gradient of {@link maxPool2d}: each gy entry goes, whole, to the input position its window
 * picked (`indices`, with gy's shape); positions picked by several windows receive the sum.
 * Output `xShape`, in gy's dtype.
 *
 * Every index must be one its window can have picked: an in-image position `h * W + w` of window
 * (i, j) under `p`, or -1 for a window with no in-image position (it routes nothing). Anything
 * else (indices from another input size or another kernel, stride, padding or dilation, or
 * edited by hand) is an IndexError naming the index, its gy position and the window.
 */
export function maxPool2dBackward(gy: View, indices: View, xShape: readonly number[], p: Pool2dParams): Storage {
  const [N, C, H, W] = xShape;
  const [, , Hout, Wout] = gy.shape;
  const gys = gy.storage;
  const idx = indices.storage;
  const gx = allocStorage('float64', N * C * H * W) as Float64Array;
  for (let plane = 0; plane < N * C; plane++) {
    for (let k = 0; k < Hout * Wout; k++) {
      const o = plane * Hout * Wout + k; // flat position of gy[n, c, i, j]
      const at = Number(idx[indices.offset + o]);
      const i = Math.floor(k / Wout);
      const j = k % Wout;
      if (!pickedByWindow(p, H, W, i, j, at)) throw outsideWindow(p, xShape, [Math.floor(plane / C), plane % C, i, j], at);
      if (at < 0) continue; // an all-padding window has no input to route to
      gx[plane * H * W + at] += gys[gy.offset + o];
    }
  }
  return fromFloat64(gx, gy.dtype);
}

/** The positions `start + t * step` (t < k) of one axis of a window that lie in [0, size). */
function windowTaps(start: number, step: number, k: number, size: number): number[] {
  const taps: number[] = [];
  for (let t = 0; t < k; t++) {
    const v = start + t * step;
    if (v >= 0 && v < size) taps.push(v);
  }
  return taps;
}

/**
 * Whether window (i, j) can have picked `at`: an in-image position `h * W + w` of the window, or
 * -1 when the window has no in-image position (what {@link maxPool2d} records for it).
 */
function pickedByWindow(p: Pool2dParams, H: number, W: number, i: number, j: number, at: number): boolean {
  const hs = i * p.stride[0] - p.padding[0];
  const ws = j * p.stride[1] - p.padding[1];
  if (!Number.isInteger(at) || at < 0 || at >= H * W) {
    if (at !== -1) return false;
    return windowTaps(hs, p.dilation[0], p.kernelSize[0], H).length === 0 || windowTaps(ws, p.dilation[1], p.kernelSize[1], W).length === 0;
  }
  const dh = Math.floor(at / W) - hs;
  const dw = (at % W) - ws;
  return dh >= 0 && dw >= 0 && dh % p.dilation[0] === 0 && dw % p.dilation[1] === 0 && dh / p.dilation[0] < p.kernelSize[0] && dw / p.dilation[1] < p.kernelSize[1];
}

function outsideWindow(p: Pool2dParams, xShape: readonly number[], at4: number[], at: number): IndexError {
  const [, , H, W] = xShape;
  const [, , i, j] = at4;
  const rows = windowTaps(i * p.stride[0] - p.padding[0], p.dilation[0], p.kernelSize[0], H);
  const cols = windowTaps(j * p.stride[1] - p.padding[1], p.dilation[1], p.kernelSize[1], W);
  const where =
    rows.length === 0 || cols.length === 0
      ? 'which lies wholly in the padding (its index must be -1)'
      : `which covers rows [${rows.join(', ')}] and columns [${cols.join(', ')}], i.e. indices h * ${W} + w`;
  const pos = at >= 0 && at < H * W && Number.isInteger(at) ? ` (row ${Math.floor(at / W)}, column ${at % W})` : at >= H * W ? ` (past the ${H}x${W} plane)` : '';
  return new IndexError(
    `maxPool2dBackward: index ${at}${pos} at gy position [${at4.join(', ')}] is outside its window ` +
      `(kernel [${p.kernelSize.join(', ')}], stride [${p.stride.join(', ')}], padding [${p.padding.join(', ')}], dilation [${p.dilation.join(', ')}]), ` +
      `${where}, for an input of shape [${xShape.join(', ')}]; pass the indices that maxPool2dWithIndices returned for this input with the same options`,
  );
}

/**
 * The window of output (i, j) along one axis for average pooling, as PyTorch computes it:
 * `[start, end)` clipped to the input, and the length counted by `countIncludePad`, which
 * includes padding positions but not the part of a ceil-mode window beyond the padded input.
 */
function avgWindow(o: number, k: number, s: number, pad: number, size: number): { start: number; end: number; padded: number } {
  const start = o * s - pad;
  const end = Math.min(start + k, size + pad); // clip to the padded input
  return { start: Math.max(start, 0), end: Math.min(end, size), padded: end - start };
}

/**
 * What average pooling divides window (wh, ww)'s sum by, as PyTorch: `divisorOverride` when given,
 * else the window size counting the padding (`countIncludePad`) or only the in-image positions.
 */
function avgDivisor(p: Pool2dParams, wh: { start: number; end: number; padded: number }, ww: { start: number; end: number; padded: number }): number {
  if (p.divisorOverride != null) return p.divisorOverride;
  return p.countIncludePad ? wh.padded * ww.padded : (wh.end - wh.start) * (ww.end - ww.start);
}

function checkNoDilation(op: string, p: Pool2dParams): void {
  if (p.dilation[0] !== 1 || p.dilation[1] !== 1) {
    throw new ValueError(`${op}: dilation must be [1, 1] (average pooling has no dilation), got [${p.dilation.join(', ')}]`);
  }
}

/**
 * Average pooling: the mean of each window,
 *
 *   y[n, c, i, j] = sum_{(h, w) in window, inside x} x[n, c, h, w] / divisor
 *
 * where the divisor counts the padding positions when `countIncludePad` (PyTorch's default) and
 * only the in-image positions otherwise, or is `divisorOverride` when that is given. Either way a ceil-mode window that runs past the padded
 * input is clipped there first (so its divisor is smaller than kH * kW). A window with no in-image
 * position gives 0.
 */
export function avgPool2d(x: View, p: Pool2dParams): Storage {
  checkNoDilation('avgPool2d', p);
  const [N, C, H, W] = x.shape;
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [Hout, Wout] = outputHW(H, W, p);

  const xs = x.storage;
  const y = allocStorage(x.dtype, N * C * Hout * Wout);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = x.offset + plane * H * W;
    for (let i = 0; i < Hout; i++) {
      const wh = avgWindow(i, kH, sH, pH, H);
      for (let j = 0; j < Wout; j++) {
        const ww = avgWindow(j, kW, sW, pW, W);
        if (wh.start >= wh.end || ww.start >= ww.end) {
          y[o++] = 0; // nothing of the image under this window
          continue;
        }
        let sum = 0;
        for (let h = wh.start; h < wh.end; h++) {
          for (let w = ww.start; w < ww.end; w++) sum += xs[base + h * W + w];
        }
        y[o++] = sum / avgDivisor(p, wh, ww);
      }
    }
  }
  return y;
}

/**
 * Gradient of {@link avgPool2d}: every in-image position of window (i, j) receives
 * `gy[n, c, i, j] / divisor` (same divisor as the forward pass); overlaps add up.
 * Output `xShape`, in gy's dtype.
 */
export function avgPool2dBackward(gy: View, xShape: readonly number[], p: Pool2dParams): Storage {
  checkNoDilation('avgPool2dBackward', p);
  const [N, C, H, W] = xShape;
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const [, , Hout, Wout] = gy.shape;

  const gys = gy.storage;
  const gx = allocStorage('float64', N * C * H * W) as Float64Array;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let i = 0; i < Hout; i++) {
      const wh = avgWindow(i, kH, sH, pH, H);
      for (let j = 0; j < Wout; j++) {
        const ww = avgWindow(j, kW, sW, pW, W);
        const g = gys[gy.offset + o++];
        if (wh.start >= wh.end || ww.start >= ww.end) continue; // forward output was a constant 0
        const share = g / avgDivisor(p, wh, ww);
        for (let h = wh.start; h < wh.end; h++) {
          for (let w = ww.start; w < ww.end; w++) gx[base + h * W + w] += share;
        }
      }
    }
  }
  return fromFloat64(gx, gy.dtype);
}
