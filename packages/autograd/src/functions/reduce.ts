/**
 * Reduction Functions. The gradient of a reduction spreads gy back over the reduced dims:
 *
 * | op                | backward                                                        |
 * |-------------------|-----------------------------------------------------------------|
 * | sum               | gx = broadcast(gy) to x's shape                                  |
 * | sumTo             | gx = broadcast(gy) (sumTo undoes broadcasting; they are adjoint) |
 * | amax / amin       | gy shared evenly among the positions equal to the extreme       |
 * | max/min with dim  | gy goes to the returned index (scatter-add)                     |
 * | prod              | gx = gy * prod / x (product of the others where x = 0)          |
 * | softmax           | gx = y * (gy - sum(gy * y))                                      |
 * | logSoftmax        | gx = gy - exp(y) * sum(gy)                                       |
 * | cumsum            | gx = reverse cumulative sum of gy                               |
 *
 * | std (sqrt of var) | gvar = gy / (2 std), taken as 0 where std == 0 (PyTorch's std_backward) |
 *
 * `mean`, `var` and `logsumexp` are composed from these and need no backward of their own; `std`
 * is `var` followed by a square root whose gradient is masked at 0 (see {@link StdSqrt}).
 *
 * Every reduction reads its arguments with @dl/tensor's shared parsers (`reduceArgs`, `varArgs`,
 * `dimArg`), so `sum(x, 1)`, `sum(x, 1, true)`, `sum(x, [0, 1])` and `sum(x, { dim: 1 })` all work,
 * as on Tensor, and malformed arguments get the same message.
 */
import {
  dimArg,
  normalizeDim,
  normalizeDims,
  reduceArgs,
  reducedShape,
  tensor,
  varArgs,
  where as tensorWhere,
  zeros,
  type DimArgs,
  type ReduceArgs,
  type Tensor,
  type VarArgs,
} from '@dl/tensor';
import { Function } from '../function';
import { Variable, toVariable, type VariableLike } from '../variable';
import { add, div, mul, sub, where } from './arithmetic';
import { exp, log } from './math';
import { expand, reshape } from './shape';
import { scatterAdd } from './indexing';
import { constant } from './util';

/** Reshapes gy of a reduction to keepdim form so that it broadcasts against x. */
function keepdimGrad(gy: Variable, xShape: readonly number[], dims: readonly number[]): Variable {
  return reshape(gy, reducedShape(xShape, dims, true));
}

export class Sum extends Function {
  constructor(
    private readonly dims: number[],
    private readonly keepdim: boolean,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.sum({ dim: this.dims, keepdim: this.keepdim });
  }
  backward(gy: Variable): Variable {
    const x = this.inputs[0];
    return expand(keepdimGrad(gy, x.shape, this.dims), x.shape);
  }
}

export class SumTo extends Function {
  constructor(private readonly shape: readonly number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.sum({ dim: broadcastDims(x.shape, this.shape), keepdim: true }).reshape(this.shape);
  }
  backward(gy: Variable): Variable {
    return expand(gy, this.inputs[0].shape);
  }
}

/** The dims of `from` that broadcasting `to` -> `from` created or stretched. */
function broadcastDims(from: readonly number[], to: readonly number[]): number[] {
  const lead = from.length - to.length;
  return from.map((_, i) => i).filter((i) => i < lead || (to[i - lead] === 1 && from[i] !== 1));
}

export class AExtreme extends Function {
  constructor(
    private readonly op: 'max' | 'min',
    private readonly dims: number[],
    private readonly keepdim: boolean,
  ) {
    super();
  }
  override get name(): string {
    return this.op === 'max' ? 'Amax' : 'Amin';
  }
  forward(x: Tensor): Tensor {
    const o = { dim: this.dims, keepdim: this.keepdim };
    return this.op === 'max' ? x.amax(o) : x.amin(o);
  }
  backward(gy: Variable): Variable {
    const x = this.inputs[0];
    const yk = this.outputs[0].data.reshape(reducedShape(x.shape, this.dims, true));
    const hit = x.data.eq(yk).to(gy.dtype);
    const share = constant(hit.div(hit.sum({ dim: this.dims, keepdim: true })));
    return mul(keepdimGrad(gy, x.shape, this.dims), share);
  }
}

export class MaxDim extends Function {
  indices: Tensor | null = null;
  constructor(
    private readonly op: 'max' | 'min',
    private readonly dim: number,
    private readonly keepdim: boolean,
  ) {
    super();
  }
  override get name(): string {
    return this.op === 'max' ? 'Max' : 'Min';
  }
  forward(x: Tensor): Tensor {
    const r = this.op === 'max' ? x.max({ dim: this.dim, keepdim: this.keepdim }) : x.min({ dim: this.dim, keepdim: this.keepdim });
    this.indices = r.indices;
    return r.values;
  }
  backward(gy: Variable): Variable {
    const x = this.inputs[0];
    const shape = reducedShape(x.shape, [this.dim], true);
    const idx = constant((this.indices as Tensor).reshape(shape));
    const base = constant(zeros(x.shape, { dtype: gy.dtype }));
    return scatterAdd(base, this.dim, idx, reshape(gy, shape));
  }
}

export class Prod extends Function {
  constructor(
    private readonly dims: number[],
    private readonly keepdim: boolean,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.prod({ dim: this.dims, keepdim: this.keepdim });
  }
  backward(gy: Variable): Variable {
    const x = this.inputs[0];
    const gk = keepdimGrad(gy, x.shape, this.dims);
    const yk = reshape(this.outputs[0], reducedShape(x.shape, this.dims, true));
    if (!x.data.eq(0).toTypedArray().includes(1)) return mul(gk, div(yk, x));
    // with zeros, y / x is undefined: take the product of the other entries directly
    return mul(gk, constant(productOfOthers(x.data, this.dims)));
  }
}

/** For each element, the product of the other elements in its reduced group (no division). */
function productOfOthers(x: Tensor, dims: readonly number[]): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const perm = [...kept, ...dims];
  const xp = x.permute(perm).contiguous();
  const vals = xp.toTypedArray();
  const run = dims.reduce((a, d) => a * x.shape[d], 1);
  const out = new Float64Array(vals.length);
  for (let base = 0; base < vals.length; base += run) {
    for (let i = 0; i < run; i++) {
      let p = 1;
      for (let j = 0; j < run; j++) if (j !== i) p *= vals[base + j];
      out[base + i] = p;
    }
  }
  const inv = perm.map((_, i) => perm.indexOf(i));
  return tensor(out, { shape: xp.shape }).permute(inv).to(x.dtype);
}

export class Softmax extends Function {
  constructor(
    private readonly dim: number,
    private readonly log: boolean,
  ) {
    super();
  }
  override get name(): string {
    return this.log ? 'LogSoftmax' : 'Softmax';
  }
  forward(x: Tensor): Tensor {
    return this.log ? x.logSoftmax(this.dim) : x.softmax(this.dim);
  }
  backward(gy: Variable): Variable {
    const y = this.outputs[0];
    const o = { dim: this.dim, keepdim: true };
    if (this.log) return sub(gy, mul(exp(y), sum(gy, o)));
    return mul(y, sub(gy, sum(mul(gy, y), o)));
  }
}

export class Cumsum extends Function {
  constructor(private readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.cumsum(this.dim);
  }
  backward(gy: Variable): Variable {
    // gx_i = sum_{j >= i} gy_j = total - (gy_0 + ... + gy_i) + gy_i
    return add(sub(sum(gy, { dim: this.dim, keepdim: true }), cumsum(gy, this.dim)), gy);
  }
}

/** Sum over every dim or over `dim`: `sum(x)`, `sum(x, 1)`, `sum(x, [0, 1], true)`, `sum(x, { dim: 1, keepdim: true })`. */
export function sum(x: VariableLike, ...args: ReduceArgs): Variable {
  const { dim, keepdim } = reduceArgs('sum', args);
  const v = toVariable(x);
  return new Sum(normalizeDims('sum', dim, v.ndim), keepdim).apply(v);
}

export function sumTo(x: VariableLike, shape: readonly number[]): Variable {
  const v = toVariable(x);
  if (v.ndim === shape.length && v.shape.every((s, i) => s === shape[i])) return v;
  return new SumTo(shape).apply(v);
}

/** Product over every dim or over `dim`: `prod(x, 1)`, `prod(x, { dim: 1 })`. */
export function prod(x: VariableLike, ...args: ReduceArgs): Variable {
  const { dim, keepdim } = reduceArgs('prod', args);
  const v = toVariable(x);
  return new Prod(normalizeDims('prod', dim, v.ndim), keepdim).apply(v);
}

/** mean = sum / n: `mean(x, 0)`, `mean(x, -1, true)`, `mean(x, { dim: [1, 2] })`. */
export function mean(x: VariableLike, ...args: ReduceArgs): Variable {
  const { dim, keepdim } = reduceArgs('mean', args);
  const v = toVariable(x);
  if (v.dtype !== 'float32' && v.dtype !== 'float64') v.data.mean(); // throws the clear dtype error
  const dims = normalizeDims('mean', dim, v.ndim);
  const n = dims.reduce((a, d) => a * v.shape[d], 1);
  return div(sum(v, { dim: dims, keepdim }), n);
}

/** Largest values over every dim or over `dim`: `amax(x, 1)`, `amax(x, { dim: [0, 1] })`. */
export function amax(x: VariableLike, ...args: ReduceArgs): Variable {
  const { dim, keepdim } = reduceArgs('amax', args);
  const v = toVariable(x);
  return new AExtreme('max', normalizeDims('amax', dim, v.ndim), keepdim).apply(v);
}

/** Smallest values over every dim or over `dim`: `amin(x, 1)`, `amin(x, { dim: 1, keepdim: true })`. */
export function amin(x: VariableLike, ...args: ReduceArgs): Variable {
  const { dim, keepdim } = reduceArgs('amin', args);
  const v = toVariable(x);
  return new AExtreme('min', normalizeDims('amin', dim, v.ndim), keepdim).apply(v);
}

/** Values (differentiable) and indices (constant) of the max/min along `dim`. */
export function maxDim(op: 'max' | 'min', x: VariableLike, dim: number, keepdim: boolean): { values: Variable; indices: Variable } {
  const v = toVariable(x);
  const f = new MaxDim(op, normalizeDim(op, dim, v.ndim), keepdim);
  const values = f.apply(v);
  return { values, indices: new Variable(f.indices as Tensor) };
}

/**
 * var = sum((x - mean)^2) / (n - correction), correction 1 (unbiased, the default) or 0, the
 * divisor clamped at 0 as in PyTorch: `variance(x, 1)`, `variance(x, 1, false, true)`,
 * `variance(x, { dim: 1, correction: 0 })`.
 */
export function variance(x: VariableLike, ...args: VarArgs): Variable {
  return varianceOf('var', x, args);
}

/**
 * std = sqrt(var), with var's arguments (`std(x, 1)`, `std(x, { dim: 1, unbiased: false })`). Where
 * the standard deviation is 0 (a constant group) its gradient is 0, not 0 * inf = NaN, as in
 * PyTorch: one constant row does not poison the gradients of the batch.
 */
export function std(x: VariableLike, ...args: VarArgs): Variable {
  return new StdSqrt().apply(varianceOf('std', x, args));
}

function varianceOf(op: string, x: VariableLike, args: readonly unknown[]): Variable {
  const { dim, keepdim, correction } = varArgs(op, args);
  const v = toVariable(x);
  if (v.dtype !== 'float32' && v.dtype !== 'float64') v.data.var(); // throws the clear dtype error
  const dims = normalizeDims(op, dim, v.ndim);
  const n = dims.reduce((a, d) => a * v.shape[d], 1);
  const dev = sub(v, mean(v, { dim: dims, keepdim: true }));
  return div(sum(mul(dev, dev), { dim: dims, keepdim }), Math.max(0, n - correction));
}

/**
 * The square root that ends `std`: backward `gy / (2 y)`, set to 0 where y == 0, as PyTorch's
 * std_backward (`(grad / (2 * result)).masked_fill_(result == 0, 0)`). The denominator is made
 * safe (1 at the masked places) before dividing, so that the recorded backward graph (createGraph)
 * holds no 0 / 0 either. A NaN std (one element, unbiased) keeps its NaN gradient, as in PyTorch.
 */
export class StdSqrt extends Function {
  override get name(): string {
    return 'Std';
  }
  forward(v: Tensor): Tensor {
    return v.sqrt();
  }
  backward(gy: Variable): Variable {
    const y = this.outputs[0];
    const zero = constant(y.data.eq(0));
    return where(zero, 0, div(gy, mul(where(zero, 1, y), 2)));
  }
}

/** logsumexp = m + log(sum(exp(x - m))) with m = max(x) held constant (its gradient cancels). */
export function logsumexp(x: VariableLike, ...args: ReduceArgs): Variable {
  const { dim, keepdim } = reduceArgs('logsumexp', args);
  const v = toVariable(x);
  const dims = normalizeDims('logsumexp', dim, v.ndim);
  // amax has no value over an empty group: no shift there (the result is log(0) = -inf, as PyTorch)
  const empty = dims.some((d) => v.shape[d] === 0);
  const mk = empty ? zeros(reducedShape(v.shape, dims, true), { dtype: v.dtype }) : v.data.amax({ dim: dims, keepdim: true });
  const m = constant(tensorWhere(mk.abs().eq(Infinity).logicalOr(mk.ne(mk)), 0, mk)); // no shift by inf/NaN
  const s = sum(exp(sub(v, m)), { dim: dims, keepdim: true });
  const out = add(log(s), m);
  return keepdim ? out : reshape(out, reducedShape(v.shape, dims, false));
}

/** Softmax along `dim`: `softmax(x, 1)` or `softmax(x, { dim: 1 })`. */
export function softmax(x: VariableLike, ...args: DimArgs): Variable {
  const dim = dimArg('softmax', args);
  const v = toVariable(x);
  if (v.ndim === 0) return reshape(softmax(reshape(v, [1]), 0), []);
  return new Softmax(normalizeDim('softmax', dim, v.ndim), false).apply(v);
}

/** Log-softmax along `dim`: `logSoftmax(x, 1)` or `logSoftmax(x, { dim: 1 })`. */
export function logSoftmax(x: VariableLike, ...args: DimArgs): Variable {
  const dim = dimArg('logSoftmax', args);
  const v = toVariable(x);
  if (v.ndim === 0) return reshape(logSoftmax(reshape(v, [1]), 0), []);
  return new Softmax(normalizeDim('logSoftmax', dim, v.ndim), true).apply(v);
}

/** Cumulative sum along `dim`: `cumsum(x, 0)` or `cumsum(x, { dim: 0 })`. */
export function cumsum(x: VariableLike, ...args: DimArgs): Variable {
  const dim = dimArg('cumsum', args);
  const v = toVariable(x);
  return new Cumsum(normalizeDim('cumsum', dim, Math.max(v.ndim, 1))).apply(v);
}
