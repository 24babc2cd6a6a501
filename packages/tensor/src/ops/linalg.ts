/**
 * Linear algebra: `matmul` with PyTorch's rules and `linear` (`y = x W^T + b`).
 *
 * matmul(a, b):
 * - 1-D x 1-D: dot product (0-d result);
 * - 2-D x 2-D: matrix product `[M, K] x [K, N] -> [M, N]`;
 * - 1-D a is treated as `[1, K]` and 1-D b as `[K, 1]`, the added dim removed afterwards;
 * - otherwise batched: leading (batch) dims broadcast, `[..., M, K] x [..., K, N] -> [..., M, N]`.
 */
import { getBackend } from '../backend';
import { checkAllocation } from '../dtype';
import { DTypeError, ShapeError, fmtShape } from '../errors';
import { broadcastShapes, numelOf } from '../shape';
import { Tensor } from '../tensor';
import { binary, promote, toDType } from './elementwise';
import { expand, reshape, squeeze, transpose, unsqueeze } from './views';

/** Merges all leading dims into one batch dim (a view when the layout allows, else a copy). */
function as3d(x: Tensor): Tensor {
  const [m, n] = x.shape.slice(-2);
  const b = numelOf(x.shape.slice(0, -2));
  return x.ndim === 3 ? x : reshape(x, [b, m, n]);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(b instanceof Tensor)) throw new DTypeError('matmul: the second operand must be a Tensor');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both arguments need at least 1 dim, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use mul() for scalars`,
    );
  }
  const dtype = promote([a, b]);
  if (dtype === 'bool') throw new DTypeError('matmul: bool tensors are not supported; convert with .int() or .float()');
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const [m, k] = a2.shape.slice(-2);
  const [k2, n] = b2.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${k} != ${k2})`,
    );
  }
  const batchA = a2.shape.slice(0, -2);
  const batchB = b2.shape.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', batchA, batchB);
  } catch {
    throw new ShapeError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied: ` +
        `batch dims ${fmtShape(batchA)} and ${fmtShape(batchB)} cannot be broadcast`,
    );
  }
  checkAllocation('matmul', [...batch, m, n], dtype);
  const ea = as3d(expand(toDType(a2, dtype), [...batch, m, k]));
  const eb = as3d(expand(toDType(b2, dtype), [...batch, k, n]));
  let out = new Tensor(getBackend().matmul(ea, eb, dtype), [...batch, m, n]);
  if (a.ndim === 1) out = squeeze(out, -2);
  if (b.ndim === 1) out = squeeze(out, -1);
  return out;
}

/**
 * `y = x W^T + b`: x `(*, in)`, weight `(out, in)`, bias `(out)` -> `(*, out)`.
 *
 * ```ts
 * linear(ones([2, 3]), ones([4, 3]), zeros([4])).shape; // [2, 4]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError(
      `linear: input ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)} do not fit: ` +
        `weight must be [out_features, in_features] with in_features equal to the input's last size`,
    );
  }
  const y = matmul(x, transpose(weight, 0, 1));
  return bias ? binary('add', y, bias) : y;
}
