/**
 * Boolean-mask selection, `x[mask]` (PyTorch's `masked_select`), differentiable with respect to x.
 *
 * | op           | backward                                                                 |
 * |--------------|--------------------------------------------------------------------------|
 * | maskedSelect | gx = sumTo(zeros(broadcast shape).flatten().indexAdd(0, positions, gy)) |
 *
 * The gradient is scattered back into zeros at the positions the mask selected (the rest of x
 * gets 0); where the input was broadcast over the mask, the contributions are summed back to x's
 * shape. The backward is built from differentiable Functions (indexAdd, reshape, sumTo), so
 * higher-order gradients flow. The mask itself gets no gradient (it is a bool tensor).
 */
import { Tensor, ValueError, maskedSelectIndex, zeros } from '@dl/tensor';
import { Function } from '../function';
import { Variable, toVariable, type VariableLike } from '../variable';
import { indexAdd } from './indexing';
import { sumTo } from './reduce';
import { reshape } from './shape';

export class MaskedSelect extends Function {
  /** The broadcast shape and the flat positions (in it) that the mask selects. */
  private readonly shape: number[];
  private readonly index: Tensor;

  constructor(xShape: readonly number[], mask: Tensor) {
    super();
    const { shape, index } = maskedSelectIndex('maskedSelect', xShape, mask);
    this.shape = shape;
    this.index = index;
  }

  forward(x: Tensor): Tensor {
    const n = this.shape.reduce((a, b) => a * b, 1);
    return x.expand(this.shape).reshape([n]).indexSelect(0, this.index);
  }

  backward(gy: Variable): Variable {
    const n = this.shape.reduce((a, b) => a * b, 1);
    const flat = indexAdd(new Variable(zeros([n], { dtype: gy.dtype })), 0, this.index, gy);
    return sumTo(reshape(flat, this.shape), this.inputs[0].shape);
  }
}

/** `x[mask]`: the elements of x where the bool `mask` (broadcastable with x) is true, as a 1-D Variable. */
export function maskedSelect(x: VariableLike, mask: Tensor | Variable): Variable {
  const v = toVariable(x);
  const m = mask instanceof Variable ? mask.data : mask;
  if (!(m instanceof Tensor)) {
    throw new ValueError('maskedSelect: mask must be a bool tensor (or a Variable holding one); make it with a comparison such as x.gt(20)');
  }
  return new MaskedSelect(v.shape, m).apply(v);
}
