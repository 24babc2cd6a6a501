/**
 * Joining and splitting: `cat`, `stack` (copy into a new tensor) and `split`, `chunk` (views).
 */
import { getBackend } from '../backend';
import { allocStorage, resultType } from '../dtype';
import { ShapeError, ValueError, fmtShape } from '../errors';
import { normalizeDim, numelOf } from '../shape';
import { Tensor } from '../tensor';
import { narrow, slice, unsqueeze } from './views';

/** Concatenates along `dim`; shapes must match except in `dim`. Dtypes promote. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('cat: expected a non-empty list of tensors');
  const first = tensors[0];
  if (first.ndim === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated; use stack()');
  const d = normalizeDim('cat', dim, first.shape);
  tensors.forEach((t, k) => {
    const ok = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!ok) {
      throw new ShapeError(
        `cat: tensor ${k} has shape ${fmtShape(t.shape)}, which does not match tensor 0's ${fmtShape(first.shape)} ` +
          `outside dim ${d}; all sizes but dim ${d} must agree`,
      );
    }
  });
  const dtype = resultType(tensors.map((t) => ({ dtype: t.dtype, rank: 2 })));
  const shape = [...first.shape];
  shape[d] = tensors.reduce((a, t) => a + t.shape[d], 0);
  const out = new Tensor(allocStorage(dtype, numelOf(shape), 'cat', shape), shape);
  let at = 0;
  for (const t of tensors) {
    if (t.numel() > 0) getBackend().assign(slice(out, d, at, at + t.shape[d]), t);
    at += t.shape[d];
  }
  return out;
}

/** Joins same-shaped tensors along a new dim `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack: expected a non-empty list of tensors');
  const s0 = tensors[0].shape;
  tensors.forEach((t, k) => {
    if (t.ndim !== s0.length || t.shape.some((s, i) => s !== s0[i])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${fmtShape(s0)} at entry 0 and ${fmtShape(t.shape)} at entry ${k}`,
      );
    }
  });
  const d = normalizeDim('stack', dim, s0.length + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/**
 * Splits into views along `dim`: chunks of `splitSize` (the last may be smaller), or pieces of the
 * listed sizes, which must add up to the dim's size.
 */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.shape);
  const n = x.shape[d];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0) {
      throw new ValueError(`split: splitSize must be a positive integer, got ${splitSize}`);
    }
    const out: Tensor[] = [];
    for (let s = 0; s < n; s += splitSize) out.push(narrow(x, d, s, Math.min(splitSize, n - s)));
    return out.length > 0 ? out : [x];
  }
  const total = splitSize.reduce((a, b) => a + b, 0);
  if (total !== n || splitSize.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ShapeError(
      `split: sizes ${fmtShape(splitSize)} must be non-negative and sum to ${n}, the size of dim ${dim} ` +
        `(shape ${fmtShape(x.shape)})`,
    );
  }
  let at = 0;
  return splitSize.map((s) => {
    const t = narrow(x, d, at, s);
    at += s;
    return t;
  });
}

/** Splits into `chunks` views of size ceil(n / chunks) (fewer when n is small). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim('chunk', dim, x.shape);
  // a dim of size 0 gives `chunks` empty pieces, as in PyTorch (split alone would give one)
  if (x.shape[d] === 0) return split(x, new Array<number>(chunks).fill(0), d);
  const size = Math.max(Math.ceil(x.shape[d] / chunks), 1);
  return split(x, size, d);
}
