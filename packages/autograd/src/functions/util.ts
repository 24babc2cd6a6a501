/** Small helpers shared by the Function definitions. */
import type { Tensor } from '@dl/tensor';
import { Variable, toVariable, type VariableLike } from '../variable';
import { cast } from './math';
import { sumTo } from './reduce';

/** Both operands of a binary op as Variables (scalars take the dtype they promote to). */
export function operands(a: VariableLike, b: VariableLike): [Variable, Variable] {
  const va = a instanceof Variable ? a : toVariable(a, ...(b instanceof Variable ? [b] : []));
  const vb = toVariable(b, va);
  return [va, vb];
}

/**
 * Fits a gradient to its input: sums broadcast dims away (`sumTo`) and converts to the input's
 * dtype (an f32 input of an f64 op gets an f32 gradient).
 */
export function fitGrad(g: Variable, x: Variable): Variable {
  let r = sumTo(g, x.shape);
  if (r.dtype !== x.dtype) r = cast(r, x.dtype);
  return r;
}

/** A Variable constant (no gradient) holding `t`. */
export function constant(t: Tensor): Variable {
  return new Variable(t);
}
