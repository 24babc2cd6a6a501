/**
 * Shape arithmetic shared by every op: sizes, contiguous strides, dim normalisation and
 * NumPy/PyTorch broadcasting.
 *
 * Broadcasting: align shapes at their last dim; each pair of sizes must be equal or one of them 1;
 * the result takes the larger. `[2, 1, 3]` and `[4, 1]` broadcast to `[2, 4, 3]`.
 */
import { IndexError, ShapeError, ValueError, fmtShape } from './errors';

export type Shape = readonly number[];

/** Number of elements: the product of the sizes (1 for a scalar shape `[]`). */
export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major (C-contiguous) strides for `shape`: `[2, 3, 4] -> [12, 4, 1]`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= Math.max(shape[i], 1);
  }
  return strides;
}

/**
 * Turns a possibly negative `dim` into `0..ndim-1`, or throws naming the op. Pass the tensor's shape
 * instead of its ndim to have the error message name the shape.
 */
export function normalizeDim(op: string, dim: number, ndimOrShape: number | Shape): number {
  const ndim = typeof ndimOrShape === 'number' ? ndimOrShape : ndimOrShape.length;
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    const what =
      typeof ndimOrShape === 'number'
        ? `a tensor with ${ndim} dim${ndim === 1 ? '' : 's'}`
        : `a tensor of shape ${fmtShape(ndimOrShape)}`;
    throw new IndexError(`${op}: dim ${dim} is out of range for ${what} (expected a dim in [${-n}, ${n - 1}])`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalises a list of dims (sorted, no repeats); `undefined` means all dims. */
export function normalizeDims(
  op: string,
  dims: number | readonly number[] | undefined,
  ndimOrShape: number | Shape,
): number[] {
  const ndim = typeof ndimOrShape === 'number' ? ndimOrShape : ndimOrShape.length;
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(op, d, ndimOrShape));
  const sorted = [...new Set(out)].sort((a, b) => a - b);
  if (sorted.length !== out.length) {
    throw new IndexError(`${op}: dim ${JSON.stringify(list)} contains a repeated dim`);
  }
  return ndim === 0 ? [] : sorted;
}

/**
 * Checks that a view of `shape` with `strides` at `offset` reads only elements of a storage of
 * `storageLength`: shape sizes non-negative integers, strides integers (negative ones allowed),
 * offset a non-negative integer, and (unless the view is empty) every position
 * `offset + sum(i_k * strides[k])` in `[0, storageLength)`. The lowest and highest positions are
 * `offset` plus the negative and the positive `(size - 1) * stride` terms. Throws an IndexError
 * naming `op`, so an out-of-bounds view is refused when it is made, not when it is read.
 */
export function checkViewBounds(
  op: string,
  storageLength: number,
  shape: Shape,
  strides: readonly number[],
  offset: number,
): void {
  const geometry = () => `shape ${fmtShape(shape)}, strides ${fmtShape(strides)} and offset ${offset}`;
  if (strides.length !== shape.length) {
    throw new ShapeError(`${op}: ${strides.length} strides for a shape of ${shape.length} dims (${geometry()})`);
  }
  if (!shape.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new ValueError(`${op}: invalid shape ${fmtShape(shape)}; sizes must be non-negative integers`);
  }
  if (!strides.every(Number.isInteger)) throw new ValueError(`${op}: strides must be integers, got ${fmtShape(strides)}`);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ValueError(`${op}: the offset must be a non-negative integer, got ${offset}`);
  }
  let lo = offset;
  let hi = offset;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return; // an empty view reads nothing
    const reach = (shape[i] - 1) * strides[i];
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  if (lo < 0 || hi >= storageLength) {
    throw new IndexError(
      `${op}: a view with ${geometry()} reads storage positions ${lo} to ${hi}, outside the storage of ` +
        `${storageLength} element${storageLength === 1 ? '' : 's'} (positions 0 to ${storageLength - 1}); ` +
        'choose a shape, strides and offset that stay inside it',
    );
  }
}

/** The broadcast of two shapes, or a ShapeError naming the op. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x !== y && x !== 1 && y !== 1) {
      throw new ShapeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast ` +
          `(size ${x} vs ${y} at dim ${i - n}); sizes must match or one of them be 1`,
      );
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** The broadcast of any number of shapes. */
export function broadcastAll(op: string, shapes: readonly Shape[]): number[] {
  return shapes.reduce<number[]>((acc, s) => broadcastShapes(op, acc, s), []);
}

/** Checks a user-given shape: non-negative integers, at most one -1 (inferred from `numel`). */
export function resolveShape(op: string, shape: Shape, numel?: number): number[] {
  let infer = -1;
  let known = 1;
  shape.forEach((s, i) => {
    if (s === -1 && numel !== undefined) {
      if (infer >= 0) throw new ValueError(`${op}: only one dim can be inferred (-1), got ${fmtShape(shape)}`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new ValueError(`${op}: invalid shape ${fmtShape(shape)}; sizes must be non-negative integers`);
    } else known *= s;
  });
  const out = [...shape];
  if (infer >= 0 && numel !== undefined) {
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${numel}`);
    }
    out[infer] = numel / known;
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
