/**
 * Native image kernels (native/conv.cc, pool.cc, unfold.cc), float32 and float64, on contiguous
 * NCHW views (what the op layer hands over; any offset):
 *
 * - `conv2d`, `conv2dBackwardInput`, `conv2dBackwardWeight` with stride, padding, dilation, groups
 *   and an optional bias: im2col + the packed SIMD GEMM per image (threads take whole images; the
 *   weight gradient of small layers as vectorised dot products), see native/conv.h. Exact
 *   row loops that skip the padding, as js does, take over when padding meets an inf/NaN weight
 *   (forward) or output gradient (weight gradient), so that 0 * inf never appears. The forward is
 *
 *     y[n, co, i, j] = b[co] + sum_{ci, ki, kj} x[n, g*Cin_g + ci, i*sH - pH + ki*dH, j*sW - pW + kj*dW] * w[co, ci, ki, kj]
 *
 *   and the gradients are its adjoints (see src/backends/js/conv.ts). Sums run in the element type
 *   and in another order than js (which sums float32 data in float64), so float32 results agree
 *   with js to a few `eps * K * max|a| * max|b|`, K the length of each sum (Cin_g kH kW forward,
 *   Cout_g kH kW for dx, N H_out W_out for dw); float64 ones to the same bound with float64's eps.
 * - `maxPool2d` (+ int32 indices `h * W + w` per plane, as PyTorch), `maxPool2dBackward`,
 *   `avgPool2d`, `avgPool2dBackward` (ceilMode, countIncludePad, padding, dilation for max) and
 *   `im2col` / `col2im`: identical to js, sums included (accumulated in double in js's order).
 *
 * Example (through the op layer, which picks this backend by default):
 *
 * ```ts
 * const y = conv2d(x, w, b, { padding: 1 });             // x [100, 32, 14, 14], w [64, 32, 3, 3]
 * const gx = conv2dBackwardInput(gy, w, x.shape, conv2dParams(w.shape, { padding: 1 }));
 * ```
 *
 * Sent to js: other dtypes or mixed dtypes, views that are not row-major contiguous, shapes the op
 * layer would reject (not 4-D, empty output windows), average pooling with dilation (js throws),
 * max-pool gradients with non-int32 indices or with an index outside its window (js throws the error).
 */
import type { Backend, Conv2dParams, KernelName, Pool2dParams, UnfoldParams, View } from '../../backend';
import type { DType, Storage } from '../../dtype';
import { convOutputSize, poolOutputSize } from '../../geometry';
import { jsBackend } from '../js';
import { allocOutput, geometry, isFloatDType, numel, type FloatArray, type NativeAddon } from './addon';

export interface ImageAddon {
  /** y = conv2d(x, w, bias); `conv` = [sH, sW, pH, pW, dH, dW, groups]; out has y's length. */
  conv2d(
    x: FloatArray, xGeom: Float64Array, w: FloatArray, wGeom: Float64Array,
    bias: FloatArray | null, biasGeom: Float64Array | null, out: FloatArray, conv: Float64Array,
  ): void;
  /** dL/dx: `xShape` = [N, C_in, H, W]. */
  conv2dBackwardInput(gy: FloatArray, gyGeom: Float64Array, w: FloatArray, wGeom: Float64Array, out: FloatArray, xShape: Float64Array, conv: Float64Array): void;
  /** dL/dw: `wShape` = [C_out, C_in / groups, kH, kW]. */
  conv2dBackwardWeight(gy: FloatArray, gyGeom: Float64Array, x: FloatArray, xGeom: Float64Array, out: FloatArray, wShape: Float64Array, conv: Float64Array): void;
  /** `pool` = [kH, kW, sH, sW, pH, pW, dH, dW, ceilMode, countIncludePad, divisorOverride (0: none)]. */
  maxPool2d(x: FloatArray, xGeom: Float64Array, values: FloatArray, indices: Int32Array, pool: Float64Array): void;
  /**
   * False (out unspecified) when an index is not one its window can have picked (an in-image
   * position of the window, or -1 for a window wholly in the padding); the js kernel then reports it.
   */
  maxPool2dBackward(
    gy: FloatArray, gyGeom: Float64Array, indices: Int32Array, indicesGeom: Float64Array,
    out: FloatArray, xShape: Float64Array, pool: Float64Array,
  ): boolean;
  avgPool2d(x: FloatArray, xGeom: Float64Array, out: FloatArray, pool: Float64Array): void;
  avgPool2dBackward(gy: FloatArray, gyGeom: Float64Array, out: FloatArray, xShape: Float64Array, pool: Float64Array): void;
  /** `unfold` = [kH, kW, sH, sW, pH, pW, dH, dW]. */
  im2col(x: FloatArray, xGeom: Float64Array, out: FloatArray, unfold: Float64Array): void;
  col2im(cols: FloatArray, colsGeom: Float64Array, out: FloatArray, xShape: Float64Array, unfold: Float64Array): void;
  /** Conv algorithm for tests and benchmarks: 0 automatic (default), 1 im2col + GEMM, 2 direct loops, 3 Winograd F(2x2, 3x3) where it applies. */
  setConvAlgorithm(mode: number): void;
}

export const IMAGE_KERNELS: readonly KernelName[] = [
  'conv2d',
  'conv2dBackwardInput',
  'conv2dBackwardWeight',
  'maxPool2d',
  'maxPool2dBackward',
  'avgPool2d',
  'avgPool2dBackward',
  'im2col',
  'col2im',
];

/** Row-major contiguous (strides of dims of size 1 do not matter), with `nd` dims. */
function dense(v: View, nd: number): boolean {
  if (v.shape.length !== nd) return false;
  let expect = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== expect) return false;
    expect *= v.shape[d];
  }
  return true;
}

/** A float view of `dtype`, contiguous with `nd` dims. */
function floatDense(v: View, dtype: DType, nd: number): boolean {
  return v.dtype === dtype && isFloatDType(dtype) && dense(v, nd);
}

const shape4 = (s: readonly number[]): Float64Array | null => (s.length === 4 ? Float64Array.from(s) : null);

function convParams(p: Conv2dParams): Float64Array {
  return Float64Array.of(p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups);
}

function poolParams(p: Pool2dParams): Float64Array {
  return Float64Array.of(
    p.kernelSize[0], p.kernelSize[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1],
    p.dilation[0], p.dilation[1], p.ceilMode ? 1 : 0, p.countIncludePad ? 1 : 0, p.divisorOverride ?? 0,
  );
}

function unfoldParams(p: UnfoldParams): Float64Array {
  return Float64Array.of(p.kernelSize[0], p.kernelSize[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1]);
}

/** The conv geometry fits (what the op layer checks), so the native call will not throw. */
function convFits(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): [number, number] | null {
  const [, cin, h, w] = xShape;
  const [cout, cinG, kh, kw] = wShape;
  const g = p.groups;
  if (!(g >= 1) || cin !== cinG * g || cout % g !== 0) return null;
  const ho = convOutputSize(h, kh, p.stride[0], p.padding[0], p.dilation[0]);
  const wo = convOutputSize(w, kw, p.stride[1], p.padding[1], p.dilation[1]);
  return ho >= 1 && wo >= 1 ? [ho, wo] : null;
}

function poolOut(xShape: readonly number[], p: Pool2dParams): [number, number] | null {
  const ho = poolOutputSize(xShape[2], p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode);
  const wo = poolOutputSize(xShape[3], p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode);
  return ho >= 1 && wo >= 1 ? [ho, wo] : null;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

type ImageKernel =
  | 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight' | 'maxPool2d' | 'maxPool2dBackward'
  | 'avgPool2d' | 'avgPool2dBackward' | 'im2col' | 'col2im';

export function imageKernels(addon: NativeAddon): Pick<Backend, ImageKernel> {
  function conv2d(x: View, w: View, bias: View | null, p: Conv2dParams): Storage {
    const dt = x.dtype;
    const hw = floatDense(x, dt, 4) && floatDense(w, dt, 4) ? convFits(x.shape, w.shape, p) : null;
    if (hw === null || (bias !== null && !(floatDense(bias, dt, 1) && bias.shape[0] === w.shape[0]))) {
      return jsBackend.conv2d(x, w, bias, p);
    }
    const out = allocOutput(dt as 'float32' | 'float64', x.shape[0] * w.shape[0] * hw[0] * hw[1]);
    addon.conv2d(
      x.storage as FloatArray, geometry(x), w.storage as FloatArray, geometry(w),
      bias ? (bias.storage as FloatArray) : null, bias ? geometry(bias) : null, out, convParams(p),
    );
    return out;
  }

  function conv2dBackwardInput(gy: View, w: View, xShape: readonly number[], p: Conv2dParams): Storage {
    const dt = gy.dtype;
    const xs = shape4(xShape);
    const hw = xs && floatDense(gy, dt, 4) && floatDense(w, dt, 4) ? convFits(xShape, w.shape, p) : null;
    if (xs === null || hw === null || !sameShape(gy.shape, [xShape[0], w.shape[0], hw[0], hw[1]])) {
      return jsBackend.conv2dBackwardInput(gy, w, xShape, p);
    }
    const out = allocOutput(dt as 'float32' | 'float64', numel(xShape));
    addon.conv2dBackwardInput(gy.storage as FloatArray, geometry(gy), w.storage as FloatArray, geometry(w), out, xs, convParams(p));
    return out;
  }

  function conv2dBackwardWeight(gy: View, x: View, wShape: readonly number[], p: Conv2dParams): Storage {
    const dt = gy.dtype;
    const ws = shape4(wShape);
    const hw = ws && floatDense(gy, dt, 4) && floatDense(x, dt, 4) ? convFits(x.shape, wShape, p) : null;
    if (ws === null || hw === null || !sameShape(gy.shape, [x.shape[0], wShape[0], hw[0], hw[1]])) {
      return jsBackend.conv2dBackwardWeight(gy, x, wShape, p);
    }
    const out = allocOutput(dt as 'float32' | 'float64', numel(wShape));
    addon.conv2dBackwardWeight(gy.storage as FloatArray, geometry(gy), x.storage as FloatArray, geometry(x), out, ws, convParams(p));
    return out;
  }

  function maxPool2d(x: View, p: Pool2dParams): { values: Storage; indices: Int32Array } {
    const hw = floatDense(x, x.dtype, 4) ? poolOut(x.shape, p) : null;
    if (hw === null) return jsBackend.maxPool2d(x, p);
    const n = x.shape[0] * x.shape[1] * hw[0] * hw[1];
    const values = allocOutput(x.dtype as 'float32' | 'float64', n);
    const indices = allocOutput('int32', n) as Int32Array;
    addon.maxPool2d(x.storage as FloatArray, geometry(x), values, indices, poolParams(p));
    return { values, indices };
  }

  function maxPool2dBackward(gy: View, indices: View, xShape: readonly number[], p: Pool2dParams): Storage {
    const xs = shape4(xShape);
    const hw = xs && floatDense(gy, gy.dtype, 4) && indices.dtype === 'int32' && dense(indices, 4) ? poolOut(xShape, p) : null;
    const want = hw ? [xShape[0], xShape[1], hw[0], hw[1]] : [];
    if (xs !== null && hw !== null && sameShape(gy.shape, want) && sameShape(indices.shape, want)) {
      const out = allocOutput(gy.dtype as 'float32' | 'float64', numel(xShape));
      const ok = addon.maxPool2dBackward(
        gy.storage as FloatArray, geometry(gy), indices.storage as Int32Array, geometry(indices), out, xs, poolParams(p),
      );
      if (ok) return out;
    }
    return jsBackend.maxPool2dBackward(gy, indices, xShape, p);
  }

  function avgPool2d(x: View, p: Pool2dParams): Storage {
    const hw = floatDense(x, x.dtype, 4) && p.dilation[0] === 1 && p.dilation[1] === 1 ? poolOut(x.shape, p) : null;
    if (hw === null) return jsBackend.avgPool2d(x, p);
    const out = allocOutput(x.dtype as 'float32' | 'float64', x.shape[0] * x.shape[1] * hw[0] * hw[1]);
    addon.avgPool2d(x.storage as FloatArray, geometry(x), out, poolParams(p));
    return out;
  }

  function avgPool2dBackward(gy: View, xShape: readonly number[], p: Pool2dParams): Storage {
    const xs = shape4(xShape);
    const hw = xs && floatDense(gy, gy.dtype, 4) && p.dilation[0] === 1 && p.dilation[1] === 1 ? poolOut(xShape, p) : null;
    if (xs === null || hw === null || !sameShape(gy.shape, [xShape[0], xShape[1], hw[0], hw[1]])) {
      return jsBackend.avgPool2dBackward(gy, xShape, p);
    }
    const out = allocOutput(gy.dtype as 'float32' | 'float64', numel(xShape));
    addon.avgPool2dBackward(gy.storage as FloatArray, geometry(gy), out, xs, poolParams(p));
    return out;
  }

  function im2col(x: View, p: UnfoldParams): Storage {
    if (!floatDense(x, x.dtype, 4)) return jsBackend.im2col(x, p);
    const [n, c, h, w] = x.shape;
    const ho = convOutputSize(h, p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0]);
    const wo = convOutputSize(w, p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1]);
    if (ho < 1 || wo < 1) return jsBackend.im2col(x, p);
    const out = allocOutput(x.dtype as 'float32' | 'float64', n * c * p.kernelSize[0] * p.kernelSize[1] * ho * wo);
    addon.im2col(x.storage as FloatArray, geometry(x), out, unfoldParams(p));
    return out;
  }

  function col2im(cols: View, xShape: readonly number[], p: UnfoldParams): Storage {
    const xs = shape4(xShape);
    if (xs === null || !floatDense(cols, cols.dtype, 3)) return jsBackend.col2im(cols, xShape, p);
    const ho = convOutputSize(xShape[2], p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0]);
    const wo = convOutputSize(xShape[3], p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1]);
    const want = [xShape[0], xShape[1] * p.kernelSize[0] * p.kernelSize[1], ho * wo];
    if (ho < 1 || wo < 1 || !sameShape(cols.shape, want)) return jsBackend.col2im(cols, xShape, p);
    const out = allocOutput(cols.dtype as 'float32' | 'float64', numel(xShape));
    addon.col2im(cols.storage as FloatArray, geometry(cols), out, xs, unfoldParams(p));
    return out;
  }

  return {
    conv2d,
    conv2dBackwardInput,
    conv2dBackwardWeight,
    maxPool2d,
    maxPool2dBackward,
    avgPool2d,
    avgPool2dBackward,
    im2col,
    col2im,
  };
}
