/**
 * `Tensor`: an n-dimensional array of one dtype, stored as a typed array (`storage`) seen through
 * a `shape`, `strides` and an `offset`. Element `(i0, i1, ...)` lives at
 * `storage[offset + i0 * strides[0] + i1 * strides[1] + ...]`, so reshape (when possible),
 * transpose, slicing and expand are views that share storage; `contiguous()` copies when needed.
 *
 * Tensors are immutable values from the point of view of the ops (every op returns a new tensor);
 * only the methods ending in `_` (`copy_`, `fill_`) write into an existing storage.
 *
 * ```ts
 * const a = tensor([[1, 2], [3, 4]]);   // float32 by default
 * const b = a.transpose(0, 1);           // a view, no copy
 * a.matmul(b).sum(1).toArray();        // [12, 32] (or .sum({ dim: 1 }))
 * ```
 */
import type { View } from './backend';
import { getBackend } from './backend';
import { checkAllocation, dtypeOfStorage, type DType, type Storage } from './dtype';
import { ValueError, fmtShape } from './errors';
import { formatTensor } from './format';
import { TRACKING, trackTensor } from './memory-track';
import {
  dimArg,
  extremeArgs,
  reduceArgs,
  varArgs,
  type DimArg,
  type DimArgs,
  type DimOptions,
  type ExtremeArgs,
  type ReduceArgs,
  type ReduceOptions,
  type VarArgs,
  type VarOptions,
} from './reduce-args';
import { checkViewBounds, contiguousStrides, normalizeDim, numelOf, type Shape } from './shape';
import * as E from './ops/elementwise';
import * as I from './ops/indexing';
import * as J from './ops/join';
import * as L from './ops/linalg';
import * as M from './ops/masked';
import * as R from './ops/reduce';
import * as V from './ops/views';

/** A tensor, a JS number or a boolean: what binary ops accept as their other operand. */
export type TensorLike = Tensor | number | boolean;

export type { DimArg, DimOptions, ReduceOptions, VarOptions } from './reduce-args';

/** Values and their positions along one dim, as returned by `max(dim)` and `min(dim)`. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** Nested arrays of numbers or booleans, as `toArray()` returns them. */
export type NestedArray = number | boolean | NestedArray[];

export class Tensor implements View {
  readonly storage: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;

  /**
   * Low-level constructor: prefer the factories (`tensor`, `zeros`, ...). With `strides` (and an
   * `offset`) it makes a view of `storage`; a view that would read outside the storage is refused
   * here, when it is made (an IndexError), not later when it is read.
   */
  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    const dtype = dtypeOfStorage(storage);
    if (dtype === null) throw new ValueError('Tensor: storage must be a Float32Array, Float64Array, Int32Array or Uint8Array');
    this.storage = storage;
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    if (!strides && offset === 0) {
      if (numelOf(shape) !== storage.length) {
        throw new ValueError(
          `Tensor: shape ${fmtShape(shape)} needs ${numelOf(shape)} elements but the storage has ${storage.length}`,
        );
      }
    } else checkViewBounds('Tensor', storage.length, this.shape, this.strides, offset);
    if (TRACKING.on) trackTensor(this, dtype); // memory() counts it until V8 collects it
  }

  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Always 'cpu' for tensors of the js and native backends. */
  get device(): 'cpu' {
    return 'cpu';
  }

  /** Number of elements. */
  numel(): number {
    return numelOf(this.shape);
  }

  /** The shape, or the size of one dim (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim('size', dim, this.shape)];
  }

  isContiguous(): boolean {
    if (this.numel() === 0) return true; // as PyTorch: nothing to lay out (contiguous() gives strides like [1, 1] for [2, 0])
    let expected = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      if (this.shape[i] === 1) continue;
      if (this.strides[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  // ---- conversion and printing ----

  /** Nested JS arrays (a number or boolean for 0-d tensors); bool tensors give booleans. */
  toArray(): NestedArray {
    const flat = this.toTypedArray();
    const isBool = this.dtype === 'bool';
    const build = (dim: number, base: number): NestedArray => {
      if (dim === this.ndim) return isBool ? flat[base] !== 0 : flat[base];
      const n = this.shape[dim];
      const step = numelOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, base + i * step);
      return out;
    };
    return build(0, 0);
  }

  /** A contiguous copy of the elements in row-major order, in this tensor's typed array type. */
  toTypedArray(): Storage {
    checkAllocation('toTypedArray', this.shape, this.dtype); // an expanded view may be far larger than its storage
    return getBackend().cast(this, this.dtype);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) {
      throw new ValueError(
        `item: only a tensor with one element can be converted to a number, got shape ${fmtShape(this.shape)}`,
      );
    }
    return this.toTypedArray()[0];
  }

  /** PyTorch-style text: `tensor([[1., 2.],\n        [3., 4.]])`. */
  toString(): string {
    return formatTensor(this.toTypedArray(), this.shape, this.dtype);
  }

  /** Node's console.log / util.inspect show the PyTorch-style text. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Converts to `dtype` (a copy; `this` when the dtype is already right). */
  to(dtype: DType): Tensor {
    return E.toDType(this, dtype);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }

  /** A contiguous copy that shares nothing with this tensor. */
  clone(): Tensor {
    checkAllocation('clone', this.shape, this.dtype);
    return new Tensor(getBackend().cast(this, this.dtype), this.shape);
  }

  /** In place: writes `src` (broadcast to this shape, converted to this dtype) into this view. */
  copy_(src: TensorLike): this {
    I.copyInto(this, src);
    return this;
  }

  /** In place: sets every element of this view to `value`. */
  fill_(value: number | boolean): this {
    I.copyInto(this, value);
    return this;
  }

  // ---- views ----

  contiguous(): Tensor {
    return V.contiguous(this);
  }
  /** New shape over the same data when possible, else a copy; one size may be -1. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return V.reshape(this, shapeArg(shape));
  }
  /** Like reshape but never copies: errors for layouts that cannot be viewed. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return V.view(this, shapeArg(shape));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return V.permute(this, shapeArg(dims));
  }
  /** Reverses the dims (the matrix transpose for 2-D tensors), like PyTorch's `.T`. */
  get T(): Tensor {
    return V.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  /** Transposes the last two dims (`.mT`). */
  get mT(): Tensor {
    return V.transpose(this, -2, -1);
  }
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }
  /** `x[start:end:step]` along `dim`. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return V.slice(this, dim, start, end, step);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return V.expand(this, shapeArg(shape));
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return V.expand(this, shape);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return V.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return V.flatten(this, startDim, endDim);
  }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return J.split(this, splitSize, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return J.chunk(this, chunks, dim);
  }

  // ---- indexing ----

  /** `x[index]`: entries of dim 0 picked by an int tensor of any shape (result: index.shape + x.shape[1:]). */
  index(index: Tensor | readonly number[]): Tensor {
    return I.index(this, index);
  }
  indexSelect(dim: number, index: Tensor | readonly number[]): Tensor {
    return I.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }
  indexAdd(dim: number, index: Tensor | readonly number[], src: Tensor): Tensor {
    return I.indexAdd(this, dim, index, src);
  }
  /**
   * `x[mask]` (PyTorch's `masked_select`): the elements where the bool `mask` is true, in row-major
   * order, as a 1-D tensor; `mask` broadcasts with `x` (`X.maskedSelect(X.gt(20))`).
   */
  maskedSelect(mask: Tensor): Tensor {
    return M.maskedSelect(this, mask);
  }

  // ---- elementwise ----

  add(other: TensorLike): Tensor {
    return E.binary('add', this, other);
  }
  sub(other: TensorLike): Tensor {
    return E.binary('sub', this, other);
  }
  mul(other: TensorLike): Tensor {
    return E.binary('mul', this, other);
  }
  /** True division: integer inputs give a float result. */
  div(other: TensorLike): Tensor {
    return E.binary('div', this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return E.binary('pow', this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return E.binary('maximum', this, other);
  }
  minimum(other: TensorLike): Tensor {
    return E.binary('minimum', this, other);
  }
  eq(other: TensorLike): Tensor {
    return E.binary('eq', this, other);
  }
  ne(other: TensorLike): Tensor {
    return E.binary('ne', this, other);
  }
  lt(other: TensorLike): Tensor {
    return E.binary('lt', this, other);
  }
  le(other: TensorLike): Tensor {
    return E.binary('le', this, other);
  }
  gt(other: TensorLike): Tensor {
    return E.binary('gt', this, other);
  }
  ge(other: TensorLike): Tensor {
    return E.binary('ge', this, other);
  }
  logicalAnd(other: TensorLike): Tensor {
    return E.binary('logicalAnd', this, other);
  }
  logicalOr(other: TensorLike): Tensor {
    return E.binary('logicalOr', this, other);
  }
  logicalXor(other: TensorLike): Tensor {
    return E.binary('logicalXor', this, other);
  }
  logicalNot(): Tensor {
    return E.unary('logicalNot', this);
  }
  neg(): Tensor {
    return E.unary('neg', this);
  }
  abs(): Tensor {
    return E.unary('abs', this);
  }
  sign(): Tensor {
    return E.unary('sign', this);
  }
  exp(): Tensor {
    return E.unary('exp', this);
  }
  log(): Tensor {
    return E.unary('log', this);
  }
  sqrt(): Tensor {
    return E.unary('sqrt', this);
  }
  sin(): Tensor {
    return E.unary('sin', this);
  }
  cos(): Tensor {
    return E.unary('cos', this);
  }
  tanh(): Tensor {
    return E.unary('tanh', this);
  }
  sigmoid(): Tensor {
    return E.unary('sigmoid', this);
  }
  relu(): Tensor {
    return E.unary('relu', this);
  }
  /** Heaviside step: 1 where x > 0, else 0 (the course's perceptron activation). */
  step(): Tensor {
    return E.unary('step', this);
  }
  /** Limits values to [min, max]; either bound may be omitted. */
  clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
    return E.clamp(this, min ?? null, max ?? null);
  }
  /** `cond ? this : other`, elementwise with broadcasting (PyTorch's `x.where(cond, y)`). */
  where(cond: Tensor, other: TensorLike): Tensor {
    return E.where(cond, this, other);
  }

  // ---- reductions ----
  //
  // Every reduction takes PyTorch's positional arguments or an options object (see reduce-args.ts):
  // `x.sum(1)`, `x.sum(1, true)`, `x.sum([0, 1])` and `x.sum({ dim: 1, keepdim: true })`. Anything
  // else (a string or fractional dim, an unknown option, an extra argument) throws a ValueError
  // that shows the accepted forms.

  /**
   * Sum over every dim, or over `dim` (one dim or a list); `keepdim` keeps them as size 1.
   * Integer and bool tensors sum to int32.
   *
   * ```ts
   * x.sum();                          // every element: a 0-d tensor
   * x.sum(1);                         // PyTorch's x.sum(1)
   * x.sum(1, true);                   // x.sum(1, keepdim=True)
   * x.sum([0, 1]);                    // several dims
   * x.sum({ dim: 1, keepdim: true }); // the options form
   * ```
   */
  sum(opts?: ReduceOptions): Tensor;
  sum(dim: DimArg | undefined, keepdim?: boolean): Tensor;
  sum(...args: ReduceArgs): Tensor {
    return R.sum(this, reduceArgs('sum', args));
  }
  /** Mean over every dim or over `dim` (floating point only): `x.mean(0)`, `x.mean(-1, true)`, `x.mean({ dim: [1, 2] })`. */
  mean(opts?: ReduceOptions): Tensor;
  mean(dim: DimArg | undefined, keepdim?: boolean): Tensor;
  mean(...args: ReduceArgs): Tensor {
    return R.mean(this, reduceArgs('mean', args));
  }
  /** Product over every dim or over `dim`: `x.prod(1)`, `x.prod({ dim: 1, keepdim: true })`. */
  prod(opts?: ReduceOptions): Tensor;
  prod(dim: DimArg | undefined, keepdim?: boolean): Tensor;
  prod(...args: ReduceArgs): Tensor {
    return R.prod(this, reduceArgs('prod', args));
  }
  /**
   * Largest value overall (a 0-d tensor); with a dim (one dim) the values and their indices, as
   * PyTorch's `x.max(dim)`:
   *
   * ```ts
   * x.max();                                      // 0-d tensor
   * const { values, indices } = x.max(1);         // or x.max(1, true), x.max({ dim: 1 })
   * ```
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  max(...args: ExtremeArgs): Tensor | ValuesIndices {
    const { dim, keepdim } = extremeArgs('max', args, true);
    return dim === undefined ? R.amax(this, {}) : R.maxDim('max', this, dim, keepdim);
  }
  /** Smallest value overall; with a dim the values and their indices (`x.min(0)`, `x.min({ dim: 0 })`). */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  min(...args: ExtremeArgs): Tensor | ValuesIndices {
    const { dim, keepdim } = extremeArgs('min', args, true);
    return dim === undefined ? R.amin(this, {}) : R.maxDim('min', this, dim, keepdim);
  }
  /** Largest values over every dim or over `dim` (one or several; no indices): `x.amax(1)`, `x.amax({ dim: [0, 1] })`. */
  amax(opts?: ReduceOptions): Tensor;
  amax(dim: DimArg | undefined, keepdim?: boolean): Tensor;
  amax(...args: ReduceArgs): Tensor {
    return R.amax(this, reduceArgs('amax', args));
  }
  /** Smallest values over every dim or over `dim`: `x.amin(1)`, `x.amin({ dim: 1, keepdim: true })`. */
  amin(opts?: ReduceOptions): Tensor;
  amin(dim: DimArg | undefined, keepdim?: boolean): Tensor;
  amin(...args: ReduceArgs): Tensor {
    return R.amin(this, reduceArgs('amin', args));
  }
  /**
   * Index of the largest value along `dim` (int32), or in the flattened tensor without one:
   * `out.argmax(1)` (PyTorch's accuracy-loop idiom), `x.argmax(1, true)`, `x.argmax({ dim: 1 })`.
   */
  argmax(opts?: DimOptions): Tensor;
  argmax(dim: number | undefined, keepdim?: boolean): Tensor;
  argmax(...args: ExtremeArgs): Tensor {
    return R.argExtreme('max', this, extremeArgs('argmax', args));
  }
  /** Index of the smallest value along `dim`, or in the flattened tensor: `x.argmin(0)`, `x.argmin({ dim: 0 })`. */
  argmin(opts?: DimOptions): Tensor;
  argmin(dim: number | undefined, keepdim?: boolean): Tensor;
  argmin(...args: ExtremeArgs): Tensor {
    return R.argExtreme('min', this, extremeArgs('argmin', args));
  }
  /**
   * Variance over every dim or over `dim`, dividing by `n - correction`: by default the unbiased
   * `n - 1` (PyTorch's default), `n` with `unbiased: false` / `correction: 0`. PyTorch's positional
   * forms work too:
   *
   * ```ts
   * x.var();                 x.var(false);             // all elements; biased
   * x.var(1);                x.var(1, false, true);    // dim, unbiased, keepdim
   * x.var({ dim: 1, correction: 0, keepdim: true });
   * ```
   */
  var(opts?: VarOptions): Tensor;
  var(unbiased: boolean): Tensor;
  var(dim: DimArg | undefined, unbiased?: boolean, keepdim?: boolean): Tensor;
  var(...args: VarArgs): Tensor {
    return R.variance(this, varArgs('var', args));
  }
  /** Standard deviation: `sqrt(var)` with the same arguments (`x.std(1)`, `x.std(1, false)`, `x.std({ dim: 1 })`). */
  std(opts?: VarOptions): Tensor;
  std(unbiased: boolean): Tensor;
  std(dim: DimArg | undefined, unbiased?: boolean, keepdim?: boolean): Tensor;
  std(...args: VarArgs): Tensor {
    return R.variance(this, varArgs('std', args)).sqrt();
  }
  /** `log(sum(exp(x)))` over every dim or over `dim`, computed stably: `x.logsumexp(1)`, `x.logsumexp({ dim: 1 })`. */
  logsumexp(opts?: ReduceOptions): Tensor;
  logsumexp(dim: DimArg | undefined, keepdim?: boolean): Tensor;
  logsumexp(...args: ReduceArgs): Tensor {
    return R.logsumexp(this, reduceArgs('logsumexp', args));
  }
  /** Softmax along `dim`: `x.softmax(1)` or `x.softmax({ dim: 1 })`. */
  softmax(dim: number): Tensor;
  softmax(opts: { dim: number }): Tensor;
  softmax(...args: DimArgs): Tensor {
    return R.softmax(this, dimArg('softmax', args), false);
  }
  /** Log-softmax along `dim`: `x.logSoftmax(1)` or `x.logSoftmax({ dim: 1 })`. */
  logSoftmax(dim: number): Tensor;
  logSoftmax(opts: { dim: number }): Tensor;
  logSoftmax(...args: DimArgs): Tensor {
    return R.softmax(this, dimArg('logSoftmax', args), true);
  }
  /** Cumulative sum along `dim`: `x.cumsum(0)` or `x.cumsum({ dim: 0 })`. */
  cumsum(dim: number): Tensor;
  cumsum(opts: { dim: number }): Tensor;
  cumsum(...args: DimArgs): Tensor {
    return R.cumsum(this, dimArg('cumsum', args));
  }

  // ---- linear algebra ----

  /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }
}

/** Accepts both `f(2, 3)` and `f([2, 3])`. */
function shapeArg(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}
