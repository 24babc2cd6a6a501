/**
 * Boolean-mask selection, PyTorch's `x[mask]` / `torch.masked_select(x, mask)`: the elements of `x`
 * where `mask` is true, in row-major order, as a new 1-D tensor of x's dtype.
 *
 * ```ts
 * const X = tensor([[10, 40], [15, 30], [1, 0]], { dtype: 'int32' });
 * X.maskedSelect(X.gt(20));   // tensor([40, 30])   (the course's X[X > 20])
 * ```
 *
 * As in PyTorch, `x` and `mask` are broadcast to a common shape first, so a mask can repeat over
 * rows (`mask` of shape [3] on `x` of shape [2, 3]) and one row can be picked several times. The
 * mask must be a bool tensor (make it with a comparison such as `x.gt(20)`, or convert with
 * `.bool()`); PyTorch refuses other dtypes too.
 *
 * Composed from existing kernels (a pass over the mask on the host, then `indexSelect` on the
 * flattened, broadcast input), so every backend has it. `maskedSelectIndex` gives the positions it
 * picks: @dl/autograd scatters the gradient back through them.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors';
import { numelOf } from '../shape';
import { Tensor } from '../tensor';
import { indexSelect } from './indexing';
import { expand, reshape } from './views';

/** What `maskedSelect` picks: the broadcast shape and the row-major positions (int32, 1-D) in it. */
export interface MaskedSelectIndex {
  /** The shape `x` and `mask` broadcast to. */
  shape: number[];
  /** Flat positions, in the broadcast shape, where the mask is true (ascending). */
  index: Tensor;
}

/**
 * Checks `mask` against an input of shape `xShape` (bool dtype, broadcastable shapes) and returns
 * the broadcast shape with the flat positions where the mask is true. `op` names the caller in errors.
 */
export function maskedSelectIndex(op: string, xShape: readonly number[], mask: Tensor): MaskedSelectIndex {
  if (!(mask instanceof Tensor)) {
    throw new ValueError(
      `${op}: mask must be a bool tensor, got ${describe(mask)}; make it with a comparison such as x.gt(20)`,
    );
  }
  if (mask.dtype !== 'bool') {
    throw new DTypeError(
      `${op}: mask must be a bool tensor, got ${mask.dtype} (mask shape ${fmtShape(mask.shape)}, input shape ` +
        `${fmtShape(xShape)}); make it with a comparison such as x.gt(20), or convert with mask.bool()`,
    );
  }
  const shape = broadcastMask(op, xShape, mask.shape);
  const m = expand(mask, shape).toTypedArray();
  let count = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) count++;
  const index = new Int32Array(count);
  for (let i = 0, k = 0; i < m.length; i++) if (m[i] !== 0) index[k++] = i;
  return { shape, index: new Tensor(index, [count]) };
}

/** The elements of `x` where `mask` (bool, broadcastable with x) is true: a 1-D tensor of x's dtype. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const { shape, index } = maskedSelectIndex('maskedSelect', x.shape, mask);
  const flat = reshape(expand(x, shape), [numelOf(shape)]);
  return indexSelect(flat, 0, index);
}

/** Broadcast shape of input and mask, with an error that says which is which and how to fix it. */
function broadcastMask(op: string, xShape: readonly number[], mShape: readonly number[]): number[] {
  const n = Math.max(xShape.length, mShape.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const a = i < n - xShape.length ? 1 : xShape[i - (n - xShape.length)];
    const b = i < n - mShape.length ? 1 : mShape[i - (n - mShape.length)];
    if (a !== b && a !== 1 && b !== 1) {
      throw new ShapeError(
        `${op}: the mask's shape ${fmtShape(mShape)} cannot be broadcast with the input's shape ${fmtShape(xShape)} ` +
          `(size ${b} vs ${a} at dim ${i - n}); give the mask the input's shape (e.g. x.gt(20)), or size 1 where it should repeat`,
      );
    }
    out[i] = a === 1 ? b : a;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array (wrap it with tensor(...) as booleans, or compare a tensor: x.gt(20))';
  if (typeof v === 'object') return (v as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
  return `a ${typeof v}`;
}
