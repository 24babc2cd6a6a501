/**
 * Reductions: `sum`, `mean`, `prod`, `amax`/`amin`, `max`/`min` over a dim with indices,
 * `argmax`/`argmin`, `var`/`std`, `logsumexp`, `softmax`/`logSoftmax`, `cumsum`.
 *
 * Dims: `dim` may be one dim, a list, or omitted (all dims); `keepdim: true` keeps reduced dims as
 * size 1 so the result broadcasts against the input. Integer and bool inputs sum to int32;
 * `mean`, `var`, `std`, `softmax` need floating point (call `.float()` first), like PyTorch.
 */
import { getBackend, type ReduceOp } from '../backend';
import { allocStorage, isFloating, DEFAULT_FLOAT, type DType } from '../dtype';
import { DTypeError, ShapeError, fmtShape } from '../errors';
import { normalizeDim, normalizeDims } from '../shape';
import type { DimOptions, ReduceOptions } from '../reduce-args';
import { Tensor, type ValuesIndices } from '../tensor';
import { binary, toDType, unary, where } from './elementwise';
import { reshape } from './views';

/** The output shape of reducing `dims` of `shape`. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((s, i) => (dims.includes(i) ? 1 : s)) : shape.filter((_, i) => !dims.includes(i));
}

function requireFloat(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`${op}: expected a floating-point tensor, got ${x.dtype}; convert first with .float()`);
  }
}

function reduceOp(op: ReduceOp, name: string, x: Tensor, opts: ReduceOptions, outDtype: DType): Tensor {
  const dims = normalizeDims(name, opts.dim, x.shape);
  if ((op === 'max' || op === 'min') && dims.some((d) => x.shape[d] === 0)) {
    throw new ShapeError(
      `${name}: cannot reduce over a dim of size 0 (shape ${fmtShape(x.shape)}): the result has no identity value`,
    );
  }
  const storage = getBackend().reduce(op, x, dims, outDtype);
  return new Tensor(storage, reducedShape(x.shape, dims, opts.keepdim ?? false));
}

const intOrSame = (d: DType): DType => (isFloating(d) ? d : 'int32');

export function sum(x: Tensor, opts: ReduceOptions): Tensor {
  return reduceOp('sum', 'sum', x, opts, intOrSame(x.dtype));
}

export function prod(x: Tensor, opts: ReduceOptions): Tensor {
  return reduceOp('prod', 'prod', x, opts, intOrSame(x.dtype));
}

/** `sum(x) / n` with n the number of reduced elements. */
export function mean(x: Tensor, opts: ReduceOptions): Tensor {
  requireFloat('mean', x);
  const dims = normalizeDims('mean', opts.dim, x.shape);
  const n = dims.reduce((a, d) => a * x.shape[d], 1);
  return binary('div', sum(x, opts), n);
}

export function amax(x: Tensor, opts: ReduceOptions): Tensor {
  return reduceOp('max', 'amax', x, opts, x.dtype);
}

export function amin(x: Tensor, opts: ReduceOptions): Tensor {
  return reduceOp('min', 'amin', x, opts, x.dtype);
}

/** max/min along one dim with the index (first occurrence) of each extreme. */
export function maxDim(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean, name: string = op): ValuesIndices {
  const d = normalizeDim(name, dim, x.shape);
  if (x.ndim === 0) return { values: x, indices: new Tensor(allocStorage('int32', 1), []) };
  if (x.shape[d] === 0) {
    throw new ShapeError(`${name}: cannot reduce dim ${dim} of size 0 (shape ${fmtShape(x.shape)})`);
  }
  const { values, indices } = getBackend().argReduce(op, x, d);
  const shape = reducedShape(x.shape, [d], keepdim);
  return { values: new Tensor(values, shape), indices: new Tensor(indices, shape) };
}

/** Index of the largest/smallest value along `dim`, or in the flattened tensor when omitted. */
export function argExtreme(op: 'max' | 'min', x: Tensor, opts: DimOptions): Tensor {
  const name = `arg${op}`;
  if (opts.dim === undefined) {
    const flat = reshape(x, [x.numel()]);
    const r = maxDim(op, flat, 0, false, name).indices;
    return opts.keepdim ? reshape(r, x.shape.map(() => 1)) : r;
  }
  return maxDim(op, x, opts.dim, opts.keepdim ?? false, name).indices;
}

/**
 * `sum((x - mean)^2) / (n - correction)`: correction 1 (unbiased, the default) or 0; the divisor is
 * clamped at 0 as in PyTorch (so one element with correction 1 gives NaN).
 */
export function variance(x: Tensor, opts: ReduceOptions & { correction?: number }): Tensor {
  requireFloat('var', x);
  const dims = normalizeDims('var', opts.dim, x.shape);
  const n = dims.reduce((a, d) => a * x.shape[d], 1);
  const mu = mean(x, { dim: dims, keepdim: true });
  const dev = binary('sub', x, mu);
  const ss = sum(binary('mul', dev, dev), { dim: dims, keepdim: opts.keepdim ?? false });
  return binary('div', ss, Math.max(0, n - (opts.correction ?? 1)));
}

/** `log(sum(exp(x)))` computed stably as `m + log(sum(exp(x - m)))`, m the max. */
export function logsumexp(x: Tensor, opts: ReduceOptions): Tensor {
  const xf = isFloating(x.dtype) ? x : toDType(x, DEFAULT_FLOAT);
  const dims = normalizeDims('logsumexp', opts.dim, xf.shape);
  if (xf.numel() === 0 || dims.some((d) => xf.shape[d] === 0)) {
    const s = sum(unary('exp', xf), opts);
    return unary('log', s);
  }
  const m = amax(xf, { dim: dims, keepdim: true });
  const finiteM = where(unary('abs', m).eq(Infinity), 0, m); // shifting by +-inf would give NaN
  const s = sum(unary('exp', binary('sub', xf, finiteM)), { dim: dims, keepdim: true });
  const out = binary('add', unary('log', s), finiteM);
  return opts.keepdim ? out : reshape(out, reducedShape(xf.shape, dims, false));
}

/** softmax(x)_i = exp(x_i) / sum_j exp(x_j) along `dim`; `log` gives log-softmax. */
export function softmax(x: Tensor, dim: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  requireFloat(name, x);
  const d = normalizeDim(name, dim, x.shape);
  if (x.ndim === 0) return softmax(reshape(x, [1]), 0, log).reshape([]);
  const b = getBackend();
  return new Tensor(log ? b.logSoftmax(x, d) : b.softmax(x, d), x.shape);
}

/** y_i = x_0 + ... + x_i along `dim`. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('cumsum', dim, x.shape);
  if (x.ndim === 0) return toDType(x, intOrSame(x.dtype));
  return new Tensor(getBackend().cumsum(x, d, intOrSame(x.dtype)), x.shape);
}

/**
 * Sums `x` down to `shape`, undoing broadcasting: leading extra dims are summed away and dims where
 * `shape` has size 1 are summed with keepdim. Autograd uses it to reduce gradients of broadcast
 * operands (`[2, 3]` summed to `[3]` or `[1, 3]`).
 */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (x.ndim === shape.length && x.shape.every((s, i) => s === shape[i])) return x;
  const lead = x.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumTo: cannot sum shape ${fmtShape(x.shape)} to the larger ${fmtShape(shape)}`);
  const dims: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && x.shape[i] !== 1) dims.push(i);
    else if (shape[i - lead] !== x.shape[i]) {
      throw new ShapeError(`sumTo: shape ${fmtShape(x.shape)} does not broadcast from ${fmtShape(shape)}`);
    }
  }
  const s = sum(x, { dim: dims, keepdim: true });
  return reshape(s, shape);
}
