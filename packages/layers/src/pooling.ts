/**
 * Pooling layers over `(N, C, H, W)` (or unbatched `(C, H, W)`) inputs: `MaxPool2d`, `AvgPool2d`,
 * `AdaptiveAvgPool2d`.
 *
 * ```ts
 * new MaxPool2d(2).call(x).shape;              // [N, 6, 28, 28] -> [N, 6, 14, 14]
 * new AvgPool2d(3, { stride: 1, padding: 1 });  // keeps H and W
 * new AdaptiveAvgPool2d(1).call(x).shape;      // [N, C, H, W] -> [N, C, 1, 1] (global average)
 * ```
 */
import { Variable, avgPool2d, flatten, gather, matmul, maxPool2d, reshape } from '@dl/autograd';
import { ShapeError, Tensor, ValueError, checkOptions, fmtShape, maxPool2dWithIndices, optionKeys, poolOutputSize } from '@dl/tensor';
import { floatInput, pyRepr, toPair, type Pair } from './checks';
import { Module, type Input } from './module';

interface Geometry {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

function checkPoolPadding(label: string, g: Geometry): void {
  if (g.padding[0] > g.kernel[0] / 2 || g.padding[1] > g.kernel[1] / 2) {
    throw new ValueError(`${label}: padding ${pyRepr(g.padding)} must be at most half of the kernel size ${pyRepr(g.kernel)}`);
  }
}

/** Checks a pooling input (float, 3-D or 4-D, big enough) and returns it as a Variable. */
function poolInput(label: string, x: Input, g: Geometry): Variable {
  const v = floatInput(label, x, null);
  if (v.ndim !== 3 && v.ndim !== 4) {
    throw new ShapeError(`${label}: expected a 4-D input (N, C, H, W) or a 3-D unbatched one (C, H, W), got ${v.ndim}-D ${fmtShape(v.shape)}`);
  }
  const hw = [v.shape[v.ndim - 2], v.shape[v.ndim - 1]];
  const out = [0, 1].map((i) => poolOutputSize(hw[i], g.kernel[i], g.stride[i], g.padding[i], g.dilation[i], g.ceilMode));
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      `${label}: the input ${fmtShape(v.shape)} is too small: its ${hw[0]}x${hw[1]} planes give an output of ${out[0]}x${out[1]}; ` +
        'use a larger input, a smaller kernel or more padding',
    );
  }
  return v;
}

export interface MaxPool2dOptions<R extends boolean = boolean> {
  /** Step of the window (default: the kernel size). */
  stride?: Pair | null;
  /** Implicit -inf padding on each side (at most half the kernel; default 0). */
  padding?: Pair;
  /** Spacing between window taps (default 1). */
  dilation?: Pair;
  /** Round the output size up, letting the last window hang over the edge (default false). */
  ceilMode?: boolean;
  /** Also return the argmax positions (`h * W + w` in each input plane), as PyTorch. */
  returnIndices?: R;
}

const MAX_POOL2D_OPTIONS = optionKeys<MaxPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true, returnIndices: true });

/** What `MaxPool2d.forward` returns: the pooled values, and with `returnIndices` the int32 argmax positions too. */
export type MaxPool2dOutput<R extends boolean> = R extends true ? [Variable, Tensor] : Variable;

/**
 * Max pooling: `y[n, c, i, j] = max_{a < kH, b < kW} x[n, c, i sH - pH + a dH, j sW - pW + b dW]`.
 *
 * Shapes: `(N, C, H, W)` -> `(N, C, H_out, W_out)`, `H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1`
 * (`ceil` with `ceilMode`). The gradient goes to the position of each window's maximum.
 *
 * ```ts
 * new MaxPool2d(2).call(x).shape;                              // [1, 6, 28, 28] -> [1, 6, 14, 14]
 * const [y, idx] = new MaxPool2d(2, { returnIndices: true }).call(x); // idx: int32 positions
 * ```
 */
export class MaxPool2d<R extends boolean = false> extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
  readonly returnIndices: R;
  private readonly g: Geometry;

  constructor(kernelSize: Pair, opts: MaxPool2dOptions<R> = {}) {
    super();
    const L = 'MaxPool2d';
    checkOptions(L, opts, MAX_POOL2D_OPTIONS);
    const kernel = toPair(L, 'kernelSize', kernelSize, 1);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
    this.returnIndices = (opts.returnIndices ?? false) as R;
    this.g = {
      kernel,
      stride: toPair(L, 'stride', this.stride, 1),
      padding: toPair(L, 'padding', this.padding, 0),
      dilation: toPair(L, 'dilation', this.dilation, 1),
      ceilMode: this.ceilMode,
    };
    checkPoolPadding(L, this.g);
  }

  forward(x: Input): MaxPool2dOutput<R> {
    const v = poolInput(`MaxPool2d(kernel_size=${pyRepr(this.kernelSize)})`, x, this.g);
    const o = { stride: this.g.stride, padding: this.g.padding, dilation: this.g.dilation, ceilMode: this.ceilMode };
    if (!this.returnIndices) return maxPool2d(v, this.g.kernel, o) as MaxPool2dOutput<R>;
    // the values are the input at the argmax positions: gathering them gives the same gradient
    const { indices } = maxPool2dWithIndices(v.data, this.g.kernel, o);
    const picked = gather(flatten(v, -2), -1, indices.flatten(-2));
    const out: [Variable, Tensor] = [reshape(picked, indices.shape), indices];
    return out as MaxPool2dOutput<R>;
  }

  override extraRepr(): string {
    return (
      `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}, ` +
      `dilation=${pyRepr(this.dilation)}, ceil_mode=${pyRepr(this.ceilMode)}`
    );
  }
}

export interface AvgPool2dOptions {
  /** Step of the window (default: the kernel size). */
  stride?: Pair | null;
  /** Zero padding on each side (at most half the kernel; default 0). */
  padding?: Pair;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /**
   * Divide every window's sum by this nonzero integer instead of the window size (PyTorch's
   * `divisor_override`; countIncludePad then has no effect). Default null: the window size.
   */
  divisorOverride?: number | null;
}

const AVG_POOL2D_OPTIONS = optionKeys<AvgPool2dOptions>({ stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true });

/**
 * Average pooling: `y[n, c, i, j] = 1/(kH kW) sum_{a, b} x[n, c, i sH - pH + a, j sW - pW + b]`
 * (with `countIncludePad: false` the divisor counts only the input cells in the window; with
 * `divisorOverride: d` it is d, whatever the window).
 *
 * ```ts
 * new AvgPool2d(2, { divisorOverride: 1 }).call(x); // the sum of each 2x2 window
 * ```
 *
 * Shapes: `(N, C, H, W)` -> `(N, C, H_out, W_out)` as for MaxPool2d (no dilation).
 *
 * ```ts
 * new AvgPool2d(2).call(x).shape; // [1, 6, 28, 28] -> [1, 6, 14, 14]
 * ```
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  private readonly g: Geometry;

  constructor(kernelSize: Pair, opts: AvgPool2dOptions = {}) {
    super();
    const L = 'AvgPool2d';
    checkOptions(L, opts, AVG_POOL2D_OPTIONS);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    const d = opts.divisorOverride ?? null;
    if (d !== null && (typeof d !== 'number' || !Number.isInteger(d) || d === 0)) {
      throw new ValueError(
        `AvgPool2d: divisorOverride must be a nonzero integer (PyTorch's divisor_override), got ${JSON.stringify(d)}; leave it out to divide by the window size`,
      );
    }
    this.divisorOverride = d;
    this.g = {
      kernel: toPair(L, 'kernelSize', kernelSize, 1),
      stride: toPair(L, 'stride', this.stride, 1),
      padding: toPair(L, 'padding', this.padding, 0),
      dilation: [1, 1],
      ceilMode: this.ceilMode,
    };
    checkPoolPadding(L, this.g);
  }

  forward(x: Input): Variable {
    const v = poolInput(`AvgPool2d(kernel_size=${pyRepr(this.kernelSize)})`, x, this.g);
    return avgPool2d(v, this.g.kernel, {
      stride: this.g.stride,
      padding: this.g.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/** An adaptive output size: a number, or `[h, w]` where null keeps the input's size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/**
 * The `[out, n]` averaging matrix of adaptive pooling along one axis: row i averages input cells
 * `floor(i n / out) .. ceil((i + 1) n / out) - 1` (PyTorch's windows, which may overlap).
 */
function adaptiveMatrix(n: number, out: number, dtype: 'float32' | 'float64'): Tensor {
  const m = dtype === 'float64' ? new Float64Array(out * n) : new Float32Array(out * n);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  }
  return new Tensor(m, [out, n]);
}

/**
 * Average pooling to a fixed output size, whatever the input size: output cell `(i, j)` averages
 * rows `floor(i H / H_out) .. ceil((i + 1) H / H_out) - 1` and the matching columns.
 *
 * Shapes: `(N, C, H, W)` -> `(N, C, H_out, W_out)`. When the output sizes divide the input sizes this
 * is `avgPool2d` with kernel = stride = `H / H_out`; otherwise the (possibly overlapping) windows
 * are averaged by two small matrix products, `A_H x A_W^T`, which are differentiable as they are.
 *
 * ```ts
 * new AdaptiveAvgPool2d(1).call(x).shape;          // [8, 512, 7, 7] -> [8, 512, 1, 1]
 * new AdaptiveAvgPool2d([5, null]).call(y).shape;  // [2, 3, 10, 9] -> [2, 3, 5, 9]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    const vals = typeof outputSize === 'number' ? [outputSize] : outputSize;
    if ((typeof outputSize !== 'number' && vals.length !== 2) || vals.some((s) => s !== null && (!Number.isInteger(s) || s < 1))) {
      throw new ValueError(`AdaptiveAvgPool2d: outputSize must be an integer >= 1 or a pair [h, w] of them (null keeps the input size), got ${JSON.stringify(outputSize)}`);
    }
    this.outputSize = outputSize;
  }

  forward(x: Input): Variable {
    const label = `AdaptiveAvgPool2d(output_size=${this.reprSize()})`;
    const v = floatInput(label, x, null);
    if (v.ndim !== 3 && v.ndim !== 4) {
      throw new ShapeError(`${label}: expected a 4-D input (N, C, H, W) or a 3-D unbatched one (C, H, W), got ${v.ndim}-D ${fmtShape(v.shape)}`);
    }
    const h = v.shape[v.ndim - 2];
    const w = v.shape[v.ndim - 1];
    const [oh, ow] = typeof this.outputSize === 'number' ? [this.outputSize, this.outputSize] : [this.outputSize[0] ?? h, this.outputSize[1] ?? w];
    if (h === 0 || w === 0) throw new ShapeError(`${label}: the input ${fmtShape(v.shape)} has empty planes`);
    if (h % oh === 0 && w % ow === 0) {
      if (oh === h && ow === w) return v;
      const k: [number, number] = [h / oh, w / ow];
      return avgPool2d(v, k, { stride: k });
    }
    const dt = v.dtype as 'float32' | 'float64';
    let y = ow === w ? v : matmul(v, new Variable(adaptiveMatrix(w, ow, dt).transpose(0, 1)));
    if (oh !== h) y = matmul(new Variable(adaptiveMatrix(h, oh, dt)), y);
    return y;
  }

  private reprSize(): string {
    return typeof this.outputSize === 'number' ? String(this.outputSize) : `(${this.outputSize.map((s) => (s === null ? 'None' : String(s))).join(', ')})`;
  }

  override extraRepr(): string {
    return `output_size=${this.reprSize()}`;
  }
}
