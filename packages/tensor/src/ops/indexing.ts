/**
 * Indexing by integer tensors: `index` (x[idx] along dim 0), `indexSelect`, `gather`, and their
 * adjoints `indexAdd`, `scatterAdd`; plus `copyInto`, the in-place write behind `copy_`/`fill_`.
 * Every index is range-checked here, so kernels can trust them.
 */
import { getBackend } from '../backend';
import { DTypeError, IndexError, ShapeError, fmtShape } from '../errors';
import { normalizeDim } from '../shape';
import { Tensor, type TensorLike } from '../tensor';
import { asTensor, toDType } from './elementwise';
import { expand, reshape } from './views';

/** Int32 index tensor from a tensor or a list, checked to lie in [-size, size) and wrapped to >= 0. */
function checkIndex(
  op: string,
  index: Tensor | readonly number[],
  size: number,
  dimDesc: string,
  shape: readonly number[],
): Tensor {
  const t = index instanceof Tensor ? index : new Tensor(Int32Array.from(index), [index.length]);
  if (t.dtype !== 'int32') {
    throw new DTypeError(`${op}: index must be an int32 tensor, got ${t.dtype}; convert with .int()`);
  }
  const vals = t.toTypedArray();
  let wrapped = false;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v < -size || v >= size) {
      throw new IndexError(`${op}: index ${v} is out of bounds for ${dimDesc} with size ${size} (shape ${fmtShape(shape)})`);
    }
    if (v < 0) {
      vals[i] = v + size;
      wrapped = true;
    }
  }
  return wrapped ? new Tensor(vals, t.shape) : t;
}

/** Entries of `dim` picked by a 1-D index: the result has `index.length` entries in `dim`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  const d = normalizeDim('indexSelect', dim, x.shape);
  const idx = checkIndex('indexSelect', index, x.shape[d] ?? 1, `dim ${d}`, x.shape);
  if (idx.ndim !== 1) throw new ShapeError(`indexSelect: index must be 1-D, got shape ${fmtShape(idx.shape)}`);
  if (x.ndim === 0) return reshape(indexSelect(reshape(x, [1]), 0, idx), idx.shape[0] === 1 ? [] : [idx.shape[0]]);
  const shape = [...x.shape];
  shape[d] = idx.shape[0];
  return new Tensor(getBackend().indexSelect(x, d, idx), shape);
}

/** `x[index]` for an int index tensor of any shape: result shape `index.shape + x.shape[1:]`. */
export function index(x: Tensor, index: Tensor | readonly number[]): Tensor {
  if (x.ndim === 0) throw new IndexError('index: a 0-d tensor cannot be indexed');
  const idx = index instanceof Tensor ? index : new Tensor(Int32Array.from(index), [index.length]);
  const flat = indexSelect(x, 0, reshape(idx, [idx.numel()]));
  return reshape(flat, [...idx.shape, ...x.shape.slice(1)]);
}

function checkGatherShapes(op: string, x: Tensor, d: number, idx: Tensor, other?: Tensor): void {
  if (idx.ndim !== x.ndim) {
    throw new ShapeError(
      `${op}: index ${fmtShape(idx.shape)} must have as many dims as the input ${fmtShape(x.shape)}`,
    );
  }
  idx.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i]) {
      throw new ShapeError(
        `${op}: index ${fmtShape(idx.shape)} is larger than the input ${fmtShape(x.shape)} at dim ${i}`,
      );
    }
    if (other && s > other.shape[i]) {
      throw new ShapeError(`${op}: index ${fmtShape(idx.shape)} is larger than src ${fmtShape(other.shape)} at dim ${i}`);
    }
  });
}

/** `out[i][j][k] = x[i][index[i][j][k]][k]` for dim = 1 (and likewise for other dims). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim('gather', dim, x.shape);
  const idx = checkIndex('gather', index, x.shape[d] ?? 1, `dim ${d}`, x.shape);
  checkGatherShapes('gather', x, d, idx);
  return new Tensor(getBackend().gather(x, d, idx), idx.shape);
}

/** A copy of `x` with `out[i][index[i][j][k]][k] += src[i][j][k]` (dim = 1); repeated indices add up. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim('scatterAdd', dim, x.shape);
  const idx = checkIndex('scatterAdd', index, x.shape[d] ?? 1, `dim ${d}`, x.shape);
  checkGatherShapes('scatterAdd', x, d, idx, src);
  return new Tensor(getBackend().scatterAdd(x, d, idx, toDType(src, x.dtype)), x.shape);
}

/** A copy of `x` with slice `index[j]` of `dim` increased by slice j of `src`. */
export function indexAdd(x: Tensor, dim: number, index: Tensor | readonly number[], src: Tensor): Tensor {
  const d = normalizeDim('indexAdd', dim, x.shape);
  const idx = checkIndex('indexAdd', index, x.shape[d] ?? 1, `dim ${d}`, x.shape);
  const want = [...x.shape];
  want[d] = idx.numel();
  if (src.ndim !== x.ndim || src.shape.some((s, i) => s !== want[i])) {
    throw new ShapeError(`indexAdd: src must have shape ${fmtShape(want)}, got ${fmtShape(src.shape)}`);
  }
  return new Tensor(getBackend().indexAdd(x, d, reshape(idx, [idx.numel()]), toDType(src, x.dtype)), x.shape);
}

/** Writes `src` (broadcast to dst's shape) into the view `dst`, in place. */
export function copyInto(dst: Tensor, src: TensorLike): void {
  const s = asTensor(src, dst.dtype);
  getBackend().assign(dst, expand(s, dst.shape));
}
