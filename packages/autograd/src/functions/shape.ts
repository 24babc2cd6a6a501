/**
 * Shape Functions: the gradient of a view puts gy back where the view's elements came from.
 *
 * | op       | backward                                                     |
 * |----------|--------------------------------------------------------------|
 * | reshape  | gx = gy reshaped to x's shape                                |
 * | permute  | gx = gy permuted by the inverse permutation                  |
 * | expand   | gx = sumTo(gy, x's shape)                                    |
 * | slice    | gx = zeros of x's shape with gy written into the sliced part |
 * | cat      | gx_i = the part of gy that came from input i                 |
 *
 * `transpose`, `select`, `narrow`, `squeeze`, `unsqueeze`, `flatten`, `split`, `chunk`, `stack`
 * are composed from these.
 */
import {
  Tensor,
  cat as tensorCat,
  normalizeDim,
  resultType,
  zeros,
  IndexError,
  ShapeError,
  fmtShape,
} from '@dl/tensor';
import { Function } from '../function';
import { Variable, toVariable, type VariableLike } from '../variable';
import { cast } from './math';
import { sumTo } from './reduce';

export class Reshape extends Function {
  constructor(
    private readonly shape: readonly number[],
    private readonly strict: boolean,
  ) {
    super();
  }
  override get name(): string {
    return this.strict ? 'View' : 'Reshape';
  }
  forward(x: Tensor): Tensor {
    return this.strict ? x.view(this.shape) : x.reshape(this.shape);
  }
  backward(gy: Variable): Variable {
    return reshape(gy, this.inputs[0].shape);
  }
}

export class Permute extends Function {
  constructor(private readonly dims: readonly number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.permute(this.dims);
  }
  backward(gy: Variable): Variable {
    const d = this.dims.map((v) => (v < 0 ? v + this.dims.length : v));
    return permute(
      gy,
      d.map((_, i) => d.indexOf(i)),
    );
  }
}

export class Expand extends Function {
  constructor(private readonly shape: readonly number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.expand(this.shape);
  }
  backward(gy: Variable): Variable {
    return sumTo(gy, this.inputs[0].shape);
  }
}

export class Contiguous extends Function {
  forward(x: Tensor): Tensor {
    return x.contiguous();
  }
  backward(gy: Variable): Variable {
    return gy;
  }
}

/** `x[start:end:step]` along `dim`. */
export class Slice extends Function {
  constructor(
    private readonly dim: number,
    private readonly start: number | undefined,
    private readonly end: number | undefined,
    private readonly step: number | undefined,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.slice(this.dim, this.start, this.end, this.step);
  }
  backward(gy: Variable): Variable {
    return new SliceBackward(this.inputs[0].shape, this.dim, this.start, this.end, this.step).apply(gy);
  }
}

/** Writes g into the slice of a zero tensor: the adjoint of Slice (and its own gradient is Slice). */
export class SliceBackward extends Function {
  constructor(
    private readonly xShape: readonly number[],
    private readonly dim: number,
    private readonly start: number | undefined,
    private readonly end: number | undefined,
    private readonly step: number | undefined,
  ) {
    super();
  }
  forward(g: Tensor): Tensor {
    const out = zeros(this.xShape, { dtype: g.dtype });
    out.slice(this.dim, this.start, this.end, this.step).copy_(g);
    return out;
  }
  backward(ggx: Variable): Variable {
    return slice(ggx, this.dim, this.start, this.end, this.step);
  }
}

export class Cat extends Function {
  constructor(private readonly dim: number) {
    super();
  }
  forward(...xs: Tensor[]): Tensor {
    return tensorCat(xs, this.dim);
  }
  backward(gy: Variable): Variable[] {
    let at = 0;
    return this.inputs.map((x) => {
      const size = x.shape[this.dim];
      const g = slice(gy, this.dim, at, at + size);
      at += size;
      return g;
    });
  }
}

export function reshape(x: VariableLike, shape: readonly number[]): Variable {
  return new Reshape(shape, false).apply(x);
}

export function view(x: VariableLike, shape: readonly number[]): Variable {
  return new Reshape(shape, true).apply(x);
}

export function permute(x: VariableLike, dims: readonly number[]): Variable {
  return new Permute(dims).apply(x);
}

export function transpose(x: VariableLike, dim0: number, dim1: number): Variable {
  const v = toVariable(x);
  if (v.ndim === 0) return v;
  const a = normalizeDim('transpose', dim0, v.ndim);
  const b = normalizeDim('transpose', dim1, v.ndim);
  return permute(
    v,
    v.shape.map((_, i) => (i === a ? b : i === b ? a : i)),
  );
}

export function expand(x: VariableLike, shape: readonly number[]): Variable {
  return new Expand(shape).apply(x);
}

export function contiguous(x: VariableLike): Variable {
  return new Contiguous().apply(x);
}

export function slice(x: VariableLike, dim: number, start?: number, end?: number, step?: number): Variable {
  return new Slice(dim, start, end, step).apply(x);
}

export function narrow(x: VariableLike, dim: number, start: number, length: number): Variable {
  const v = toVariable(x);
  v.data.narrow(dim, start, length); // validates, with narrow's own error message
  const d = normalizeDim('narrow', dim, v.ndim);
  const s = start < 0 ? start + v.shape[d] : start;
  return slice(v, d, s, s + length);
}

export function select(x: VariableLike, dim: number, index: number): Variable {
  const v = toVariable(x);
  const d = normalizeDim('select', dim, v.ndim);
  const size = v.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${fmtShape(v.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  return squeeze(slice(v, d, i, i + 1), d);
}

export function squeeze(x: VariableLike, dim?: number | readonly number[]): Variable {
  const v = toVariable(x);
  return reshape(v, v.data.squeeze(dim).shape);
}

export function unsqueeze(x: VariableLike, dim: number): Variable {
  const v = toVariable(x);
  return reshape(v, v.data.unsqueeze(dim).shape);
}

export function flatten(x: VariableLike, startDim = 0, endDim = -1): Variable {
  const v = toVariable(x);
  return reshape(v, v.data.flatten(startDim, endDim).shape);
}

/**
 * Splits `x` along `dim` into views of the given sizes; one Function for all parts, so the
 * backward is a single `cat` of the parts' gradients (zeros for unused parts): O(numel) however
 * many parts there are.
 */
export class Split extends Function {
  constructor(
    private readonly sizes: readonly number[],
    private readonly dim: number,
  ) {
    super();
  }
  forward(x: Tensor): Tensor[] {
    let at = 0;
    return this.sizes.map((n) => {
      const part = x.narrow(this.dim, at, n);
      at += n;
      return part;
    });
  }
  backward(...gys: Variable[]): Variable {
    return cat(gys, this.dim);
  }
}

export function split(x: VariableLike, splitSize: number | readonly number[], dim = 0): Variable[] {
  const v = toVariable(x);
  const d = normalizeDim('split', dim, v.ndim);
  const sizes = v.data.split(splitSize, d).map((p) => p.shape[d]); // validates and gives the sizes
  return new Split(sizes, d).applyMulti(v);
}

/**
 * The slices of `x` along `dim` (each without that dim), as `torch.unbind`:
 * `[T, B, H]` -> T Variables of shape `[B, H]`. Backward stacks the slices' gradients (zeros for
 * unused ones), so walking a sequence step by step costs O(numel) in backward, not O(T * numel).
 *
 * ```ts
 * const steps = unbind(x, 0); // x: [T, B, I]
 * ```
 */
export class Unbind extends Function {
  constructor(private readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor[] {
    const out: Tensor[] = [];
    for (let i = 0; i < x.shape[this.dim]; i++) out.push(x.select(this.dim, i));
    return out;
  }
  backward(...gys: Variable[]): Variable {
    return stack(gys, this.dim);
  }
}

export function unbind(x: VariableLike, dim = 0): Variable[] {
  const v = toVariable(x);
  const d = normalizeDim('unbind', dim, v.ndim);
  return new Unbind(d).applyMulti(v);
}

export function chunk(x: VariableLike, chunks: number, dim = 0): Variable[] {
  const v = toVariable(x);
  const sizes = v.data.chunk(chunks, dim).map((p) => p.shape[normalizeDim('chunk', dim, v.ndim)]);
  return split(v, sizes, dim);
}

/** Concatenates along `dim` (dtypes promote; each input gets its part of the gradient). */
export function cat(xs: readonly VariableLike[], dim = 0): Variable {
  const vs = xs.map((x) => toVariable(x));
  if (vs.length === 0) return new Variable(tensorCat([], dim)); // throws cat's error
  const d = normalizeDim('cat', dim, Math.max(vs[0].ndim, 1));
  const dtype = resultType(vs.map((v) => ({ dtype: v.dtype, rank: 2 })));
  return new Cat(d).apply(...vs.map((v) => cast(v, dtype)));
}

/** Joins same-shaped Variables along a new dim. */
export function stack(xs: readonly VariableLike[], dim = 0): Variable {
  const vs = xs.map((x) => toVariable(x));
  if (vs.length === 0) return new Variable(tensorCat([], dim));
  vs.forEach((v, k) => {
    if (v.ndim !== vs[0].ndim || v.shape.some((s, i) => s !== vs[0].shape[i])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${fmtShape(vs[0].shape)} at entry 0 and ${fmtShape(v.shape)} at entry ${k}`,
      );
    }
  });
  const d = normalizeDim('stack', dim, vs[0].ndim + 1);
  return cat(
    vs.map((v) => unsqueeze(v, d)),
    d,
  );
}
