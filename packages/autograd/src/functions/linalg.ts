/**
 * Matrix product and `linear`.
 *
 * MatMul on `[..., M, K] x [..., K, N]` (batch dims broadcast):
 *   ga = gy @ b^T  (summed over broadcast batch dims),   gb = a^T @ gy.
 * 1-D operands follow PyTorch (a `[K]` is `[1, K]`, b `[K]` is `[K, 1]`, the extra dim dropped).
 */
import { ShapeError, fmtShape, promote, type Tensor } from '@dl/tensor';
import { Function } from '../function';
import { Variable, toVariable, type VariableLike } from '../variable';
import { add } from './arithmetic';
import { cast } from './math';
import { reshape, squeeze, transpose, unsqueeze } from './shape';
import { fitGrad } from './util';

export class MatMul extends Function {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.matmul(b);
  }
  backward(gy: Variable): (Variable | null)[] {
    const [a, b] = this.inputs;
    const ga = a.requiresGrad ? fitGrad(matmul(gy, transpose(b, -2, -1)), a) : null;
    const gb = b.requiresGrad ? fitGrad(matmul(transpose(a, -2, -1), gy), b) : null;
    return [ga, gb];
  }
}

export function matmul(a: VariableLike, b: VariableLike): Variable {
  const va = toVariable(a);
  const vb = toVariable(b, va);
  if (va.ndim === 0 || vb.ndim === 0) va.data.matmul(vb.data); // throws matmul's error
  if (va.ndim >= 2 && vb.ndim >= 2) {
    const dt = promote([va.data, vb.data]);
    return new MatMul().apply(cast(va, dt), cast(vb, dt));
  }
  // 1-D cases via unsqueeze / squeeze, so only the batched product needs a backward
  const a2 = va.ndim === 1 ? unsqueeze(va, 0) : va;
  const b2 = vb.ndim === 1 ? unsqueeze(vb, 1) : vb;
  let y = matmul(a2, b2);
  if (va.ndim === 1) y = squeeze(y, -2);
  if (vb.ndim === 1) y = squeeze(y, -1);
  return y;
}

/**
 * `y = x W^T + b`: x `(*, in)`, weight `(out, in)`, bias `(out)` -> `(*, out)`. Leading dims of x
 * are flattened into one (`(prod(*), in)`) for the product, so the weight gradient is one matrix
 * product `gy^T x` rather than a batched product summed over the batch.
 */
export function linear(x: VariableLike, weight: VariableLike, bias?: VariableLike | null): Variable {
  const vx = toVariable(x);
  const w = toVariable(weight, vx);
  if (w.ndim !== 2 || vx.ndim === 0 || vx.shape[vx.ndim - 1] !== w.shape[1]) {
    throw new ShapeError(
      `linear: input ${fmtShape(vx.shape)} and weight ${fmtShape(w.shape)} do not fit: ` +
        `weight must be [out_features, in_features] with in_features equal to the input's last size`,
    );
  }
  const x2 = vx.ndim > 2 ? reshape(vx, [vx.shape.slice(0, -1).reduce((a, b) => a * b, 1), vx.shape[vx.ndim - 1]]) : vx;
  let y = matmul(x2, transpose(w, 0, 1));
  if (bias !== undefined && bias !== null) y = add(y, bias);
  return vx.ndim > 2 ? reshape(y, [...vx.shape.slice(0, -1), w.shape[0]]) : y;
}
