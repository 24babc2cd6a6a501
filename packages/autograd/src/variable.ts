/**
 * `Variable`: a Tensor that remembers how it was computed, so gradients can flow back to it.
 *
 * - `data` is the Tensor; `grad` the accumulated gradient (a Variable, so that with
 *   `createGraph` it can itself be differentiated), or null;
 * - `requiresGrad` marks leaves whose gradient we want; ops on such Variables record their
 *   `creator` Function (unless grad mode is off, see `noGrad`);
 * - `backward()` computes d(this)/d(leaf) for every leaf that requires grad and adds it to `leaf.grad`.
 *
 * ```ts
 * const x = variable([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
 * const y = x.mul(x).sum();   // same op names as Tensor
 * y.backward();
 * x.grad?.toArray();          // [2, 4, 6]
 * ```
 */
import {
  Tensor,
  DTypeError,
  ShapeError,
  ValueError,
  checkOptions,
  fmtShape,
  formatTensor,
  promote,
  scalarTensor,
  tensor,
  extremeArgs,
  optionKeys,
  type DimArg,
  type DimArgs,
  type DimOptions,
  type DType,
  type ExtremeArgs,
  type NestedArray,
  type ReduceArgs,
  type ReduceOptions,
  type TensorData,
  type VarArgs,
  type VarOptions,
} from '@dl/tensor';
import { runBackward } from './engine';
import type { Function } from './function';
import * as A from './functions/arithmetic';
import * as M from './functions/math';
import * as R from './functions/reduce';
import * as S from './functions/shape';
import * as X from './functions/indexing';
import * as L from './functions/linalg';
import * as K from './functions/masked';

/** What Variable ops accept as operands: Variables, Tensors (constants) and JS scalars. */
export type VariableLike = Variable | Tensor | number | boolean;

export interface VariableOptions {
  requiresGrad?: boolean;
  dtype?: DType;
  /** Shown by `toDot` and in error messages. */
  name?: string;
}

export interface BackwardOptions {
  /** d(loss)/d(this): required unless this Variable has one element (then 1). */
  gradient?: VariableLike;
  /** Keep the graph for another backward through it (default: same as createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself so that gradients can be differentiated again. */
  createGraph?: boolean;
}

/** Options of `new Variable(data, opts)` and `new Parameter(data, opts)`. */
export interface VariableInit {
  requiresGrad?: boolean;
  /** Shown by `toDot` and in error messages. */
  name?: string;
}

/** The keys of each options object: an unknown key (`requires_grad`, `retain_graph`, a typo) is a ValueError. */
const VARIABLE_INIT_OPTIONS = optionKeys<VariableInit>({ requiresGrad: true, name: true });
const VARIABLE_OPTIONS = optionKeys<VariableOptions>({ requiresGrad: true, dtype: true, name: true });
const BACKWARD_OPTIONS = optionKeys<BackwardOptions>({ gradient: true, retainGraph: true, createGraph: true });

export type { ReduceOptions, VarOptions } from '@dl/tensor';

export class Variable {
  data: Tensor;
  grad: Variable | null = null;
  requiresGrad: boolean;
  name: string | null;
  private creatorFn: Function | null = null;
  private gen = 0;
  private keepGrad = false;

  constructor(data: Tensor, opts: VariableInit = {}) {
    if (!(data instanceof Tensor)) throw new ValueError('Variable: data must be a Tensor; use variable(data) for arrays');
    checkOptions('Variable', opts, VARIABLE_INIT_OPTIONS);
    this.data = data;
    this.requiresGrad = opts.requiresGrad ?? false;
    this.name = opts.name ?? null;
  }

  /** The Function that produced this Variable (null for leaves and for results of noGrad). */
  get creator(): Function | null {
    return this.creatorFn;
  }

  /** Depth in the graph: leaves are 0, an op's outputs one more than its deepest input. */
  get generation(): number {
    return this.gen;
  }

  /** @internal Called by Function.apply. */
  setCreator(f: Function): void {
    this.creatorFn = f;
    this.gen = f.generation + 1;
  }

  /** A leaf is a Variable the user made (no creator). Only leaves get `.grad` by default. */
  get isLeaf(): boolean {
    return this.creatorFn === null;
  }

  /** Asks a non-leaf Variable to keep its gradient in `.grad` during backward. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new ValueError("retainGrad: can't retain the gradient of a Variable that does not require grad");
    this.keepGrad = true;
    return this;
  }

  get retainsGrad(): boolean {
    return this.keepGrad;
  }

  get shape(): readonly number[] {
    return this.data.shape;
  }
  get dtype(): DType {
    return this.data.dtype;
  }
  get ndim(): number {
    return this.data.ndim;
  }
  numel(): number {
    return this.data.numel();
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    return dim === undefined ? this.data.size() : this.data.size(dim);
  }
  item(): number {
    return this.data.item();
  }
  toArray(): NestedArray {
    return this.data.toArray();
  }
  toString(): string {
    const values = this.data.toTypedArray();
    if (this.creatorFn) return formatTensor(values, this.shape, this.dtype, { gradFn: `${this.creatorFn.name}Backward` });
    return formatTensor(values, this.shape, this.dtype, { requiresGrad: this.requiresGrad });
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** A Variable sharing this data but cut from the graph (no creator, no grad). */
  detach(): Variable {
    return new Variable(this.data);
  }

  /** Clears `.grad` (sets it to null). */
  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Back-propagates from this Variable: every leaf that requires grad gets d(this)/d(leaf) added
   * to its `.grad`. Functions are visited in decreasing generation, so a Variable used twice has
   * both contributions summed before its creator runs.
   */
  backward(opts: BackwardOptions = {}): void {
    checkOptions('backward', opts, BACKWARD_OPTIONS);
    if (!this.requiresGrad) {
      throw new ValueError(
        'backward: this Variable does not require grad and has no creator; create the inputs with ' +
          '{ requiresGrad: true } (and do not compute it inside noGrad)',
      );
    }
    let gy: Variable;
    if (opts.gradient === undefined) {
      if (this.numel() !== 1) {
        throw new ShapeError(
          `backward: a gradient can be implicitly created only for one-element outputs, got shape ${fmtShape(this.shape)}; ` +
            'pass { gradient } with the same shape (or call .sum() first)',
        );
      }
      gy = new Variable(scalarTensor(1, this.dtype).reshape(this.shape));
    } else {
      gy = toVariable(opts.gradient, this);
      if (gy.ndim !== this.ndim || gy.shape.some((s, i) => s !== this.shape[i])) {
        throw new ShapeError(
          `backward: gradient has shape ${fmtShape(gy.shape)} but the output has shape ${fmtShape(this.shape)}; they must match`,
        );
      }
    }
    const createGraph = opts.createGraph ?? false;
    runBackward(this, gy, { createGraph, retainGraph: opts.retainGraph ?? createGraph });
  }

  // ---- arithmetic (broadcasting, scalars allowed) ----
  add(other: VariableLike): Variable {
    return A.add(this, other);
  }
  sub(other: VariableLike): Variable {
    return A.sub(this, other);
  }
  mul(other: VariableLike): Variable {
    return A.mul(this, other);
  }
  div(other: VariableLike): Variable {
    return A.div(this, other);
  }
  pow(exponent: VariableLike): Variable {
    return A.pow(this, exponent);
  }
  neg(): Variable {
    return A.neg(this);
  }
  maximum(other: VariableLike): Variable {
    return A.maximum(this, other);
  }
  minimum(other: VariableLike): Variable {
    return A.minimum(this, other);
  }
  /** `cond ? this : other` (PyTorch's `x.where(cond, y)`). */
  where(cond: VariableLike, other: VariableLike): Variable {
    return A.where(cond, this, other);
  }
  clamp(min?: number | null, max?: number | null): Variable {
    return M.clamp(this, min ?? null, max ?? null);
  }

  // ---- comparisons and logic: results carry no gradient ----
  eq(other: VariableLike): Variable {
    return A.compare('eq', this, other);
  }
  ne(other: VariableLike): Variable {
    return A.compare('ne', this, other);
  }
  lt(other: VariableLike): Variable {
    return A.compare('lt', this, other);
  }
  le(other: VariableLike): Variable {
    return A.compare('le', this, other);
  }
  gt(other: VariableLike): Variable {
    return A.compare('gt', this, other);
  }
  ge(other: VariableLike): Variable {
    return A.compare('ge', this, other);
  }
  logicalAnd(other: VariableLike): Variable {
    return A.compare('logicalAnd', this, other);
  }
  logicalOr(other: VariableLike): Variable {
    return A.compare('logicalOr', this, other);
  }
  logicalXor(other: VariableLike): Variable {
    return A.compare('logicalXor', this, other);
  }
  logicalNot(): Variable {
    return new Variable(this.data.logicalNot());
  }

  // ---- elementwise math ----
  exp(): Variable {
    return M.exp(this);
  }
  log(): Variable {
    return M.log(this);
  }
  sqrt(): Variable {
    return M.sqrt(this);
  }
  sin(): Variable {
    return M.sin(this);
  }
  cos(): Variable {
    return M.cos(this);
  }
  tanh(): Variable {
    return M.tanh(this);
  }
  sigmoid(): Variable {
    return M.sigmoid(this);
  }
  relu(): Variable {
    return M.relu(this);
  }
  abs(): Variable {
    return M.abs(this);
  }
  sign(): Variable {
    return new Variable(this.data.sign());
  }
  /** Heaviside step (x > 0); its gradient is 0 almost everywhere. */
  step(): Variable {
    return M.step(this);
  }
  to(dtype: DType): Variable {
    return M.cast(this, dtype);
  }
  float(): Variable {
    return this.to('float32');
  }
  double(): Variable {
    return this.to('float64');
  }
  int(): Variable {
    return this.to('int32');
  }
  bool(): Variable {
    return this.to('bool');
  }

  // ---- reductions ----
  //
  // The same argument forms as Tensor's (PyTorch's positional ones or an options object, read by
  // @dl/tensor's shared parsers): `y.sum(1)`, `y.sum(1, true)`, `y.sum([0, 1])`,
  // `y.sum({ dim: 1, keepdim: true })`, `out.argmax(1)`, `x.std(1, false)`.

  /**
   * Sum over every dim, or over `dim` (one dim or a list); `keepdim` keeps them as size 1.
   *
   * ```ts
   * x.sum();                          // every element
   * x.sum(1);  x.sum(1, true);        // PyTorch's x.sum(1), x.sum(1, keepdim=True)
   * x.sum([0, 1]);
   * x.sum({ dim: 1, keepdim: true }); // the options form
   * ```
   */
  sum(opts?: ReduceOptions): Variable;
  sum(dim: DimArg | undefined, keepdim?: boolean): Variable;
  sum(...args: ReduceArgs): Variable {
    return R.sum(this, ...args);
  }
  /** Mean over every dim or over `dim`: `x.mean(0)`, `x.mean(-1, true)`, `x.mean({ dim: [1, 2] })`. */
  mean(opts?: ReduceOptions): Variable;
  mean(dim: DimArg | undefined, keepdim?: boolean): Variable;
  mean(...args: ReduceArgs): Variable {
    return R.mean(this, ...args);
  }
  /** Product over every dim or over `dim`: `x.prod(1)`, `x.prod({ dim: 1, keepdim: true })`. */
  prod(opts?: ReduceOptions): Variable;
  prod(dim: DimArg | undefined, keepdim?: boolean): Variable;
  prod(...args: ReduceArgs): Variable {
    return R.prod(this, ...args);
  }
  /**
   * Largest value overall; with a dim (one dim) the values (differentiable) and their indices:
   * `x.max()`, `const { values, indices } = x.max(1)` (or `x.max(1, true)`, `x.max({ dim: 1 })`).
   */
  max(): Variable;
  max(dim: number, keepdim?: boolean): { values: Variable; indices: Variable };
  max(opts: { dim: number; keepdim?: boolean }): { values: Variable; indices: Variable };
  max(...args: ExtremeArgs): Variable | { values: Variable; indices: Variable } {
    const { dim, keepdim } = extremeArgs('max', args, true);
    return dim === undefined ? R.amax(this) : R.maxDim('max', this, dim, keepdim);
  }
  /** Smallest value overall; with a dim the values and their indices (`x.min(0)`, `x.min({ dim: 0 })`). */
  min(): Variable;
  min(dim: number, keepdim?: boolean): { values: Variable; indices: Variable };
  min(opts: { dim: number; keepdim?: boolean }): { values: Variable; indices: Variable };
  min(...args: ExtremeArgs): Variable | { values: Variable; indices: Variable } {
    const { dim, keepdim } = extremeArgs('min', args, true);
    return dim === undefined ? R.amin(this) : R.maxDim('min', this, dim, keepdim);
  }
  /** Largest values over every dim or over `dim` (no indices): `x.amax(1)`, `x.amax({ dim: [0, 1] })`. */
  amax(opts?: ReduceOptions): Variable;
  amax(dim: DimArg | undefined, keepdim?: boolean): Variable;
  amax(...args: ReduceArgs): Variable {
    return R.amax(this, ...args);
  }
  /** Smallest values over every dim or over `dim`: `x.amin(1)`, `x.amin({ dim: 1, keepdim: true })`. */
  amin(opts?: ReduceOptions): Variable;
  amin(dim: DimArg | undefined, keepdim?: boolean): Variable;
  amin(...args: ReduceArgs): Variable {
    return R.amin(this, ...args);
  }
  /**
   * Index of the largest value along `dim` (a constant int32 Variable), or in the flattened data:
   * `out.argmax(1)` (PyTorch's accuracy-loop idiom), `out.argmax(1, true)`, `out.argmax({ dim: 1 })`.
   */
  argmax(opts?: DimOptions): Variable;
  argmax(dim: number | undefined, keepdim?: boolean): Variable;
  argmax(...args: ExtremeArgs): Variable {
    return new Variable(this.data.argmax(extremeArgs('argmax', args)));
  }
  /** Index of the smallest value along `dim`, or in the flattened data: `x.argmin(0)`, `x.argmin({ dim: 0 })`. */
  argmin(opts?: DimOptions): Variable;
  argmin(dim: number | undefined, keepdim?: boolean): Variable;
  argmin(...args: ExtremeArgs): Variable {
    return new Variable(this.data.argmin(extremeArgs('argmin', args)));
  }
  /**
   * Variance, dividing by `n - correction` (unbiased `n - 1` by default; `n` with `unbiased: false`
   * or `correction: 0`): `x.var()`, `x.var(false)`, `x.var(1)`, `x.var(1, false, true)` (dim,
   * unbiased, keepdim, as PyTorch), `x.var({ dim: 1, correction: 0 })`.
   */
  var(opts?: VarOptions): Variable;
  var(unbiased: boolean): Variable;
  var(dim: DimArg | undefined, unbiased?: boolean, keepdim?: boolean): Variable;
  var(...args: VarArgs): Variable {
    return R.variance(this, ...args);
  }
  /**
   * Standard deviation, with var's arguments (`x.std(1)`, `x.std(1, false)`, `x.std({ dim: 1 })`).
   * Its gradient is 0 where the standard deviation is 0, as in PyTorch.
   */
  std(opts?: VarOptions): Variable;
  std(unbiased: boolean): Variable;
  std(dim: DimArg | undefined, unbiased?: boolean, keepdim?: boolean): Variable;
  std(...args: VarArgs): Variable {
    return R.std(this, ...args);
  }
  /** `log(sum(exp(x)))` over every dim or over `dim`, stably: `x.logsumexp(1)`, `x.logsumexp({ dim: 1 })`. */
  logsumexp(opts?: ReduceOptions): Variable;
  logsumexp(dim: DimArg | undefined, keepdim?: boolean): Variable;
  logsumexp(...args: ReduceArgs): Variable {
    return R.logsumexp(this, ...args);
  }
  /** Softmax along `dim`: `x.softmax(1)` or `x.softmax({ dim: 1 })`. */
  softmax(dim: number): Variable;
  softmax(opts: { dim: number }): Variable;
  softmax(...args: DimArgs): Variable {
    return R.softmax(this, ...args);
  }
  /** Log-softmax along `dim`: `x.logSoftmax(1)` or `x.logSoftmax({ dim: 1 })`. */
  logSoftmax(dim: number): Variable;
  logSoftmax(opts: { dim: number }): Variable;
  logSoftmax(...args: DimArgs): Variable {
    return R.logSoftmax(this, ...args);
  }
  /** Cumulative sum along `dim`: `x.cumsum(0)` or `x.cumsum({ dim: 0 })`. */
  cumsum(dim: number): Variable;
  cumsum(opts: { dim: number }): Variable;
  cumsum(...args: DimArgs): Variable {
    return R.cumsum(this, ...args);
  }
  /** Sums down to `shape`, undoing broadcasting. */
  sumTo(shape: readonly number[]): Variable {
    return R.sumTo(this, shape);
  }

  // ---- shape and views ----
  reshape(...shape: number[] | [readonly number[]]): Variable {
    return S.reshape(this, shapeArg(shape));
  }
  view(...shape: number[] | [readonly number[]]): Variable {
    return S.view(this, shapeArg(shape));
  }
  transpose(dim0: number, dim1: number): Variable {
    return S.transpose(this, dim0, dim1);
  }
  permute(...dims: number[] | [readonly number[]]): Variable {
    return S.permute(this, shapeArg(dims));
  }
  get T(): Variable {
    return S.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  get mT(): Variable {
    return S.transpose(this, -2, -1);
  }
  contiguous(): Variable {
    return S.contiguous(this);
  }
  select(dim: number, index: number): Variable {
    return S.select(this, dim, index);
  }
  narrow(dim: number, start: number, length: number): Variable {
    return S.narrow(this, dim, start, length);
  }
  slice(dim: number, start?: number, end?: number, step?: number): Variable {
    return S.slice(this, dim, start, end, step);
  }
  expand(...shape: number[] | [readonly number[]]): Variable {
    return S.expand(this, shapeArg(shape));
  }
  broadcastTo(shape: readonly number[]): Variable {
    return S.expand(this, shape);
  }
  squeeze(dim?: number | readonly number[]): Variable {
    return S.squeeze(this, dim);
  }
  unsqueeze(dim: number): Variable {
    return S.unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1): Variable {
    return S.flatten(this, startDim, endDim);
  }
  split(splitSize: number | readonly number[], dim = 0): Variable[] {
    return S.split(this, splitSize, dim);
  }
  unbind(dim = 0): Variable[] {
    return S.unbind(this, dim);
  }
  chunk(chunks: number, dim = 0): Variable[] {
    return S.chunk(this, chunks, dim);
  }

  // ---- indexing ----
  index(index: VariableLike | readonly number[]): Variable {
    return X.index(this, index);
  }
  indexSelect(dim: number, index: VariableLike | readonly number[]): Variable {
    return X.indexSelect(this, dim, index);
  }
  gather(dim: number, index: VariableLike): Variable {
    return X.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: VariableLike, src: VariableLike): Variable {
    return X.scatterAdd(this, dim, index, src);
  }
  indexAdd(dim: number, index: VariableLike | readonly number[], src: VariableLike): Variable {
    return X.indexAdd(this, dim, index, src);
  }
  /**
   * `x[mask]` (PyTorch's `masked_select`): the elements where the bool `mask` is true, as a 1-D
   * Variable; the mask broadcasts with x. The gradient goes back to the selected positions.
   */
  maskedSelect(mask: Tensor | Variable): Variable {
    return K.maskedSelect(this, mask);
  }

  // ---- linear algebra ----
  matmul(other: VariableLike): Variable {
    return L.matmul(this, other);
  }
}

/**
 * A Variable that is a trainable weight: `requiresGrad` defaults to true. Modules collect their
 * Parameters for optimizers.
 */
export class Parameter extends Variable {
  constructor(data: Tensor, opts: VariableInit = {}) {
    checkOptions('Parameter', opts, VARIABLE_INIT_OPTIONS);
    super(data, { requiresGrad: opts.requiresGrad ?? true, name: opts.name });
    if (this.requiresGrad) requireFloatForGrad('Parameter', data.dtype);
  }
}

/** Only floating-point values can require gradients (as in PyTorch). */
function requireFloatForGrad(op: string, dtype: DType): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new DTypeError(
      `${op}: only floating-point Variables can require gradients, got ${dtype}; pass { dtype: 'float32' } or 'float64'`,
    );
  }
}

/**
 * Makes a leaf Variable from a Tensor (shared, or converted when `dtype` differs) or from JS data
 * (nested arrays, typed arrays, numbers; float32 unless `dtype` says otherwise).
 */
export function variable(data: TensorData | Variable, opts: VariableOptions = {}): Variable {
  checkOptions('variable', opts, VARIABLE_OPTIONS);
  let t: Tensor;
  if (data instanceof Variable) t = data.data;
  else if (data instanceof Tensor) t = data;
  else t = tensor(data, { dtype: opts.dtype });
  if (opts.dtype && t.dtype !== opts.dtype) t = t.to(opts.dtype);
  if (opts.requiresGrad) requireFloatForGrad('variable', t.dtype);
  return new Variable(t, { requiresGrad: opts.requiresGrad ?? false, name: opts.name });
}

/**
 * Turns an operand into a Variable. Tensors become constants; JS scalars become 0-d constants of the
 * dtype they would promote to against `like` (so float64 data keeps a scalar's full precision).
 */
export function toVariable(v: VariableLike, ...like: Variable[]): Variable {
  if (v instanceof Variable) return v;
  if (v instanceof Tensor) return new Variable(v);
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ValueError(`expected a Variable, a Tensor, a number or a boolean, got ${describe(v)}`);
  }
  const dtype = promote([...like.map((x) => x.data), v]);
  return new Variable(scalarTensor(v, dtype));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array (wrap it with variable() or tensor())';
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

function shapeArg(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}
