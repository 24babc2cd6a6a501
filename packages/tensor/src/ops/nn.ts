/**
 * Neural-network kernels on Tensors: `conv2d` and its two gradients, `maxPool2d` / `avgPool2d` and
 * their gradients, `im2col` / `col2im`. This layer checks shapes and normalises arguments
 * (a number or an `[h, w]` pair); the backend does the arithmetic on contiguous NCHW data.
 *
 * Shapes: x `(N, C_in, H, W)`, weight `(C_out, C_in / groups, kH, kW)`, bias `(C_out)`, output
 * `(N, C_out, H_out, W_out)` with `H_out = floor((H + 2 p - d (kH - 1) - 1) / s) + 1`.
 */
import { getBackend, type Conv2dParams, type Pool2dParams, type UnfoldParams } from '../backend';
import { isFloating } from '../dtype';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors';
import { convOutputSize, poolOutputSize } from '../geometry';
import { checkOptions, optionKeys } from '../options';
import { Tensor } from '../tensor';
import { contiguous, squeeze, unsqueeze } from './views';
import { toDType } from './elementwise';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding on each side, or 'valid' (none) / 'same' (output size = input size, stride 1). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

export interface MaxPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  /** Divide every window's sum by this nonzero integer instead of the window size (PyTorch's `divisor_override`). */
  divisorOverride?: number | null;
}

export interface UnfoldOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

/** The keys of each options object, checked by the functions (an unknown key is an error). */
export const CONV2D_OPTIONS = optionKeys<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: true });
export const MAX_POOL2D_OPTIONS = optionKeys<MaxPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });
export const AVG_POOL2D_OPTIONS = optionKeys<AvgPool2dOptions>({
  stride: true,
  padding: true,
  ceilMode: true,
  countIncludePad: true,
  divisorOverride: true,
});
export const UNFOLD_OPTIONS = optionKeys<UnfoldOptions>({ stride: true, padding: true, dilation: true });

function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new ValueError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

function requireFloat4d(op: string, name: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`${op}: ${name} must be float32 or float64, got ${x.dtype}; convert with .float()`);
  }
  if (x.ndim !== 4) {
    throw new ShapeError(`${op}: expected a 4-D ${name} (N, C, H, W), got shape ${fmtShape(x.shape)}`);
  }
}

/** Runs a 4-D op on a 3-D (unbatched C, H, W) input by adding and removing the batch dim. */
function batched(x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  return x.ndim === 3 ? squeeze(f(unsqueeze(x, 0)), 0) : f(x);
}

/** Checks conv2d's options (`op` names the caller in messages) and normalises them to pairs. */
export function conv2dParams(weightShape: readonly number[], opts: Conv2dOptions, op = 'conv2d'): Conv2dParams {
  checkOptions(op, opts, CONV2D_OPTIONS);
  const stride = pair('conv2d', 'stride', opts.stride ?? 1, 1);
  const dilation = pair('conv2d', 'dilation', opts.dilation ?? 1, 1);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`conv2d: groups must be a positive integer, got ${groups}`);
  let padding: [number, number];
  if (opts.padding === 'valid') padding = [0, 0];
  else if (opts.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError("conv2d: padding='same' needs stride 1");
    const total = [0, 1].map((i) => dilation[i] * (weightShape[2 + i] - 1));
    if (total.some((t) => t % 2 !== 0)) {
      throw new ValueError(
        `conv2d: padding='same' with kernel ${fmtShape(weightShape.slice(2))} and dilation ${fmtShape(dilation)} ` +
          'needs uneven padding, which is not supported; pad explicitly instead',
      );
    }
    padding = [total[0] / 2, total[1] / 2];
  } else padding = pair('conv2d', 'padding', opts.padding ?? 0, 0);
  return { stride, padding, dilation, groups };
}

function conv2dOutShape(op: string, xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): number[] {
  const [n, cin, h, w] = xShape;
  const [cout, cinG, kh, kw] = wShape;
  if (cin !== cinG * p.groups || cout % p.groups !== 0) {
    throw new ShapeError(
      `${op}: input ${fmtShape(xShape)} and weight ${fmtShape(wShape)} with groups=${p.groups} do not fit: ` +
        `expected weight [C_out, C_in / groups, kH, kW] = [*, ${cin / p.groups}, *, *] and C_out divisible by groups`,
    );
  }
  const ho = convOutputSize(h, kh, p.stride[0], p.padding[0], p.dilation[0]);
  const wo = convOutputSize(w, kw, p.stride[1], p.padding[1], p.dilation[1]);
  if (ho < 1 || wo < 1) {
    throw new ShapeError(
      `${op}: the input's spatial size ${h}x${w} (padding ${p.padding.join('x')}) is smaller than the ` +
        `dilated kernel ${p.dilation[0] * (kh - 1) + 1}x${p.dilation[1] * (kw - 1) + 1}; pad the input or use a smaller kernel`,
    );
  }
  return [n, cout, ho, wo];
}

/**
 * 2-D cross-correlation (what deep learning calls convolution):
 * `y[n, co, i, j] = b[co] + sum_{ci, a, c} x[n, g * C_in/g + ci, i s - p + a d, j s - p + c d] w[co, ci, a, c]`.
 *
 * ```ts
 * conv2d(ones([1, 1, 4, 4]), ones([2, 1, 3, 3]), null, { padding: 1 }).shape; // [1, 2, 4, 4]
 * ```
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  return batched(x, (x4) => {
    requireFloat4d('conv2d', 'input', x4);
    requireFloat4d('conv2d', 'weight', weight);
    const p = conv2dParams(weight.shape, opts);
    const shape = conv2dOutShape('conv2d', x4.shape, weight.shape, p);
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== shape[1])) {
      throw new ShapeError(`conv2d: bias must have shape [${shape[1]}], got ${fmtShape(bias.shape)}`);
    }
    const dt = x4.dtype;
    const storage = getBackend().conv2d(
      contiguous(x4),
      contiguous(toDType(weight, dt)),
      bias ? contiguous(toDType(bias, dt)) : null,
      p,
    );
    return new Tensor(storage, shape);
  });
}

/** dL/dx of conv2d: gy `(N, C_out, H_out, W_out)` and the weight -> `xShape`. */
export function conv2dBackwardInput(gy: Tensor, weight: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor {
  const shape = conv2dOutShape('conv2dBackwardInput', xShape, weight.shape, p);
  checkGradShape('conv2dBackwardInput', gy, shape);
  const st = getBackend().conv2dBackwardInput(contiguous(gy), contiguous(toDType(weight, gy.dtype)), xShape, p);
  return new Tensor(st, xShape);
}

/** dL/dw of conv2d: gy and the input x -> `wShape`. */
export function conv2dBackwardWeight(gy: Tensor, x: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
  const shape = conv2dOutShape('conv2dBackwardWeight', x.shape, wShape, p);
  checkGradShape('conv2dBackwardWeight', gy, shape);
  const st = getBackend().conv2dBackwardWeight(contiguous(gy), contiguous(toDType(x, gy.dtype)), wShape, p);
  return new Tensor(st, wShape);
}

function checkGradShape(op: string, gy: Tensor, want: readonly number[]): void {
  if (gy.ndim !== want.length || gy.shape.some((s, i) => s !== want[i])) {
    throw new ShapeError(`${op}: gradient has shape ${fmtShape(gy.shape)}, expected ${fmtShape(want)}`);
  }
}

/**
 * Normalises pooling options (max or average; unchecked keys: see {@link maxPool2dParams} and
 * {@link avgPool2dParams}, which check them first) to pairs.
 */
export function pool2dParams(
  op: string,
  kernelSize: Pair,
  opts: {
    stride?: Pair | null;
    padding?: Pair;
    dilation?: Pair;
    ceilMode?: boolean;
    countIncludePad?: boolean;
    divisorOverride?: number | null;
  },
): Pool2dParams {
  const k = pair(op, 'kernelSize', kernelSize, 1);
  const padding = pair(op, 'padding', opts.padding ?? 0, 0);
  if (padding[0] > k[0] / 2 || padding[1] > k[1] / 2) {
    throw new ValueError(`${op}: padding ${fmtShape(padding)} should be at most half of the kernel size ${fmtShape(k)}`);
  }
  const divisor = opts.divisorOverride ?? null;
  if (divisor !== null && (typeof divisor !== 'number' || !Number.isInteger(divisor) || divisor === 0)) {
    throw new ValueError(
      `${op}: divisorOverride must be a nonzero integer (as PyTorch's divisor_override), got ${JSON.stringify(divisor)}; ` +
        'leave it out (or null) to divide by the window size',
    );
  }
  return {
    kernelSize: k,
    stride: opts.stride == null ? k : pair(op, 'stride', opts.stride, 1),
    padding,
    dilation: pair(op, 'dilation', opts.dilation ?? 1, 1),
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride: divisor,
  };
}

/** Checks max pooling's options (an unknown key is an error naming `op`) and normalises them. */
export function maxPool2dParams(kernelSize: Pair, opts: MaxPool2dOptions, op = 'maxPool2d'): Pool2dParams {
  return pool2dParams(op, kernelSize, checkOptions(op, opts, MAX_POOL2D_OPTIONS) ?? {});
}

/** Checks average pooling's options (an unknown key is an error naming `op`) and normalises them. */
export function avgPool2dParams(kernelSize: Pair, opts: AvgPool2dOptions, op = 'avgPool2d'): Pool2dParams {
  return pool2dParams(op, kernelSize, checkOptions(op, opts, AVG_POOL2D_OPTIONS) ?? {});
}

/** Pooled output shape for a 4-D input. */
export function pool2dOutShape(op: string, xShape: readonly number[], p: Pool2dParams): number[] {
  const [n, c, h, w] = xShape;
  const ho = poolOutputSize(h, p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode);
  const wo = poolOutputSize(w, p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode);
  if (ho < 1 || wo < 1) {
    throw new ShapeError(`${op}: input ${fmtShape(xShape)} is too small for kernel ${fmtShape(p.kernelSize)} (output ${ho}x${wo})`);
  }
  return [n, c, ho, wo];
}

/** Max pooling with the argmax positions (`h * W + w` within each plane), as `max_pool2d(return_indices=True)`. */
export function maxPool2dWithIndices(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): { values: Tensor; indices: Tensor } {
  const x4 = x.ndim === 3 ? unsqueeze(x, 0) : x;
  requireFloat4d('maxPool2d', 'input', x4);
  const p = maxPool2dParams(kernelSize, opts);
  const shape = pool2dOutShape('maxPool2d', x4.shape, p);
  const r = getBackend().maxPool2d(contiguous(x4), p);
  const values = new Tensor(r.values, shape);
  const indices = new Tensor(r.indices, shape);
  return x.ndim === 3 ? { values: squeeze(values, 0), indices: squeeze(indices, 0) } : { values, indices };
}

/** `y[n, c, i, j] = max over the window` of x. */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(x, kernelSize, opts).values;
}

/** Routes gy back to the positions in `indices`: output `xShape`. */
export function maxPool2dBackward(gy: Tensor, indices: Tensor, xShape: readonly number[], p: Pool2dParams): Tensor {
  const shape = pool2dOutShape('maxPool2dBackward', xShape, p);
  checkGradShape('maxPool2dBackward', gy, shape);
  return new Tensor(getBackend().maxPool2dBackward(contiguous(gy), contiguous(indices), xShape, p), xShape);
}

/** `y[n, c, i, j] = mean over the window` of x (zero padding counted unless countIncludePad is false). */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  return batched(x, (x4) => {
    requireFloat4d('avgPool2d', 'input', x4);
    const p = avgPool2dParams(kernelSize, opts);
    const shape = pool2dOutShape('avgPool2d', x4.shape, p);
    return new Tensor(getBackend().avgPool2d(contiguous(x4), p), shape);
  });
}

export function avgPool2dBackward(gy: Tensor, xShape: readonly number[], p: Pool2dParams): Tensor {
  const shape = pool2dOutShape('avgPool2dBackward', xShape, p);
  checkGradShape('avgPool2dBackward', gy, shape);
  return new Tensor(getBackend().avgPool2dBackward(contiguous(gy), xShape, p), xShape);
}

/** Checks im2col/col2im's options (an unknown key is an error naming `op`) and normalises them. */
export function unfoldParams(op: string, kernelSize: Pair, opts: UnfoldOptions): UnfoldParams {
  checkOptions(op, opts, UNFOLD_OPTIONS);
  return {
    kernelSize: pair(op, 'kernelSize', kernelSize, 1),
    stride: pair(op, 'stride', opts.stride ?? 1, 1),
    padding: pair(op, 'padding', opts.padding ?? 0, 0),
    dilation: pair(op, 'dilation', opts.dilation ?? 1, 1),
  };
}

function unfoldBlocks(op: string, xShape: readonly number[], p: UnfoldParams): number {
  const ho = convOutputSize(xShape[2], p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0]);
  const wo = convOutputSize(xShape[3], p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1]);
  if (ho < 1 || wo < 1) throw new ShapeError(`${op}: input ${fmtShape(xShape)} is too small for kernel ${fmtShape(p.kernelSize)}`);
  return ho * wo;
}

/** Sliding windows as columns (`F.unfold`): x `(N, C, H, W)` -> `(N, C kH kW, L)`. */
export function im2col(x: Tensor, kernelSize: Pair, opts: UnfoldOptions = {}): Tensor {
  requireFloat4d('im2col', 'input', x);
  const p = unfoldParams('im2col', kernelSize, opts);
  const L = unfoldBlocks('im2col', x.shape, p);
  const shape = [x.shape[0], x.shape[1] * p.kernelSize[0] * p.kernelSize[1], L];
  return new Tensor(getBackend().im2col(contiguous(x), p), shape);
}

/** Sums columns back into an image (`F.fold`): `(N, C kH kW, L)` -> `(N, C, H, W)` with (H, W) = outputSize. */
export function col2im(cols: Tensor, outputSize: Pair, kernelSize: Pair, opts: UnfoldOptions = {}): Tensor {
  const p = unfoldParams('col2im', kernelSize, opts);
  const [h, w] = pair('col2im', 'outputSize', outputSize, 1);
  const kk = p.kernelSize[0] * p.kernelSize[1];
  if (cols.ndim !== 3 || cols.shape[1] % kk !== 0) {
    throw new ShapeError(`col2im: expected columns (N, C * ${kk}, L), got shape ${fmtShape(cols.shape)}`);
  }
  const xShape = [cols.shape[0], cols.shape[1] / kk, h, w];
  const L = unfoldBlocks('col2im', xShape, p);
  if (cols.shape[2] !== L) {
    throw new ShapeError(`col2im: ${cols.shape[2]} columns given, but an image ${h}x${w} has ${L} windows`);
  }
  if (!isFloating(cols.dtype)) throw new DTypeError(`col2im: expected float32 or float64, got ${cols.dtype}`);
  return new Tensor(getBackend().col2im(contiguous(cols), xShape, p), xShape);
}
