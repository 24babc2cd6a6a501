/**
 * Indexing Functions. Each forward has an adjoint that is its backward, and vice versa, so
 * gradients of any order flow:
 *
 * | op          | backward (to the differentiable input)          |
 * |-------------|-------------------------------------------------|
 * | indexSelect | gx = zeros.indexAdd(dim, index, gy)             |
 * | indexAdd    | gbase = gy, gsrc = gy.indexSelect(dim, index)   |
 * | gather      | gx = zeros.scatterAdd(dim, index, gy)           |
 * | scatterAdd  | gbase = gy, gsrc = gy.gather(dim, index)        |
 *
 * Repeated indices add up (scatter-add), which is what makes the gradient of `x[idx]` right when
 * idx picks the same row twice.
 */
import { Tensor, normalizeDim, zeros } from '@dl/tensor';
import { Function } from '../function';
import { Variable, toVariable, type VariableLike } from '../variable';
import { reshape } from './shape';
import { fitGrad } from './util';

function indexTensor(index: VariableLike | readonly number[]): Tensor {
  if (index instanceof Variable) return index.data;
  if (index instanceof Tensor) return index;
  if (Array.isArray(index)) return new Tensor(Int32Array.from(index), [index.length]);
  return new Tensor(Int32Array.of(Number(index)), []);
}

export class IndexSelect extends Function {
  constructor(
    private readonly dim: number,
    private readonly index: Tensor,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.indexSelect(this.dim, this.index);
  }
  backward(gy: Variable): Variable {
    const base = new Variable(zeros(this.inputs[0].shape, { dtype: gy.dtype }));
    return indexAdd(base, this.dim, this.index, gy);
  }
}

export class IndexAdd extends Function {
  constructor(
    private readonly dim: number,
    private readonly index: Tensor,
  ) {
    super();
  }
  forward(base: Tensor, src: Tensor): Tensor {
    return base.indexAdd(this.dim, this.index, src);
  }
  backward(gy: Variable): Variable[] {
    const [base, src] = this.inputs;
    return [fitGrad(gy, base), fitGrad(indexSelect(gy, this.dim, this.index), src)];
  }
}

export class Gather extends Function {
  constructor(
    private readonly dim: number,
    private readonly index: Tensor,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.gather(this.dim, this.index);
  }
  backward(gy: Variable): Variable {
    const base = new Variable(zeros(this.inputs[0].shape, { dtype: gy.dtype }));
    return scatterAdd(base, this.dim, this.index, gy);
  }
}

/** scatterAdd with src of exactly index's shape (the public function narrows a larger src first). */
export class ScatterAdd extends Function {
  constructor(
    private readonly dim: number,
    private readonly index: Tensor,
  ) {
    super();
  }
  forward(base: Tensor, src: Tensor): Tensor {
    return base.scatterAdd(this.dim, this.index, src);
  }
  backward(gy: Variable): Variable[] {
    const [base, src] = this.inputs;
    return [fitGrad(gy, base), fitGrad(gather(gy, this.dim, this.index), src)];
  }
}

export function indexSelect(x: VariableLike, dim: number, index: VariableLike | readonly number[]): Variable {
  const v = toVariable(x);
  return new IndexSelect(normalizeDim('indexSelect', dim, v.ndim), indexTensor(index)).apply(v);
}

export function indexAdd(x: VariableLike, dim: number, index: VariableLike | readonly number[], src: VariableLike): Variable {
  const v = toVariable(x);
  return new IndexAdd(normalizeDim('indexAdd', dim, v.ndim), indexTensor(index)).apply(v, toVariable(src, v));
}

export function gather(x: VariableLike, dim: number, index: VariableLike): Variable {
  const v = toVariable(x);
  return new Gather(normalizeDim('gather', dim, v.ndim), indexTensor(index)).apply(v);
}

export function scatterAdd(x: VariableLike, dim: number, index: VariableLike, src: VariableLike): Variable {
  const v = toVariable(x);
  const idx = indexTensor(index);
  let s = toVariable(src, v);
  // PyTorch lets src be larger than index; only the part index covers is used
  if (s.ndim === idx.ndim && s.shape.some((n, i) => n !== idx.shape[i])) {
    idx.shape.forEach((n, i) => {
      if (n < s.shape[i]) s = s.narrow(i, 0, n);
    });
  }
  return new ScatterAdd(normalizeDim('scatterAdd', dim, v.ndim), idx).apply(v, s);
}

/** `x[index]` along dim 0 for an int index of any shape: result `index.shape + x.shape[1:]`. */
export function index(x: VariableLike, index: VariableLike | readonly number[]): Variable {
  const v = toVariable(x);
  const idx = indexTensor(index);
  const flat = indexSelect(v, 0, idx.reshape([idx.numel()]));
  return reshape(flat, [...idx.shape, ...v.shape.slice(1)]);
}
