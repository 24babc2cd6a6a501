/**
 * View ops: new shapes and strides over the same storage, no data copied (except `reshape` of a
 * layout that cannot be viewed, and `contiguous`).
 *
 * A view of element `(i0, i1, ...)` reads `storage[offset + i0 * strides[0] + i1 * strides[1] ...]`,
 * so transposing swaps two strides, slicing moves the offset and multiplies a stride by the step,
 * and broadcasting sets a stride to 0.
 */
import { getBackend } from '../backend';
import { checkAllocation } from '../dtype';
import { IndexError, ShapeError, ValueError, fmtShape } from '../errors';
import { checkViewBounds, contiguousStrides, normalizeDim, numelOf, resolveShape, type Shape } from '../shape';
import { Tensor } from '../tensor';

/**
 * A view of `x`'s storage with the given geometry (shares storage; `offset` and `strides` count
 * storage elements, as PyTorch's `as_strided`). Refused with an IndexError when it would reach
 * outside the storage.
 */
export function asStrided(x: Tensor, shape: Shape, strides: readonly number[], offset = x.offset): Tensor {
  checkViewBounds('asStrided', x.storage.length, shape, strides, offset);
  return new Tensor(x.storage, shape, strides, offset);
}

/** A row-major copy of `x` (or `x` itself when it is already contiguous); `op` names it in errors. */
export function contiguous(x: Tensor, op = 'contiguous'): Tensor {
  if (x.isContiguous()) return x;
  checkAllocation(op, x.shape, x.dtype); // an expanded view can be far larger than its storage
  return new Tensor(getBackend().cast(x, x.dtype), x.shape);
}

/**
 * Strides that let `x` be seen with `newShape` without copying, or null. Dims of x are grouped into
 * runs that are contiguous with each other; each run can be split into any sizes with the same
 * product.
 */
function viewStrides(x: Tensor, newShape: readonly number[]): number[] | null {
  const oldShape = x.shape.filter((s) => s !== 1);
  const oldStrides = x.strides.filter((_, i) => x.shape[i] !== 1);
  if (x.numel() === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length || oi < oldShape.length) {
    // skip size-1 new dims: any stride works
    if (ni < newShape.length && newShape[ni] === 1) {
      out[ni++] = 1;
      continue;
    }
    if (oi >= oldShape.length || ni >= newShape.length) return null;
    // take a run of old dims that are mutually contiguous and match a run of new dims in size
    let oldSize = oldShape[oi];
    let newSize = newShape[ni];
    const runStart = ni;
    let oEnd = oi;
    let nEnd = ni;
    while (oldSize !== newSize) {
      if (oldSize < newSize) {
        oEnd++;
        if (oEnd >= oldShape.length || oldStrides[oEnd - 1] !== oldStrides[oEnd] * oldShape[oEnd]) return null;
        oldSize *= oldShape[oEnd];
      } else {
        nEnd++;
        if (nEnd >= newShape.length) return null;
        newSize *= newShape[nEnd];
      }
    }
    // the innermost old stride of the run; new dims of the run get row-major strides over it
    let stride = oldStrides[oEnd];
    for (let k = nEnd; k >= runStart; k--) {
      out[k] = stride;
      stride *= newShape[k];
    }
    oi = oEnd + 1;
    ni = nEnd + 1;
  }
  return out;
}

function checkedShape(op: string, x: Tensor, shape: Shape): number[] {
  const s = resolveShape(op, shape, x.numel());
  if (numelOf(s) !== x.numel()) {
    throw new ShapeError(
      `${op}: shape ${fmtShape(shape)} is invalid for input of size ${x.numel()} (shape ${fmtShape(x.shape)})`,
    );
  }
  return s;
}

/** `view`: same data, new shape; fails if the layout cannot be viewed (then use `reshape`). */
export function view(x: Tensor, shape: Shape): Tensor {
  const s = checkedShape('view', x, shape);
  const strides = viewStrides(x, s);
  if (strides === null) {
    throw new ShapeError(
      `view: a tensor of shape ${fmtShape(x.shape)} with strides ${fmtShape(x.strides)} cannot be viewed as ` +
        `${fmtShape(s)} without copying; use reshape() (copies when needed) or call contiguous() first`,
    );
  }
  return asStrided(x, s, strides);
}

/** `reshape`: a view when possible, otherwise a contiguous copy. One size may be -1 (inferred). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const s = checkedShape('reshape', x, shape);
  const strides = viewStrides(x, s);
  if (strides !== null) return asStrided(x, s, strides);
  const c = contiguous(x, 'reshape');
  return asStrided(c, s, contiguousStrides(s));
}

/** Reorders dims: `permute(x, [2, 0, 1])` maps `[A, B, C] -> [C, A, B]`. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(
      `permute: got ${dims.length} dims ${fmtShape(dims)} for a tensor of shape ${fmtShape(x.shape)}; ` +
        `give each of its ${x.ndim} dims once`,
    );
  }
  const d = dims.map((v) => normalizeDim('permute', v, x.shape));
  if (new Set(d).size !== d.length) throw new IndexError(`permute: dims ${fmtShape(dims)} repeat a dim`);
  return asStrided(
    x,
    d.map((i) => x.shape[i]),
    d.map((i) => x.strides[i]),
  );
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return x;
  const a = normalizeDim('transpose', dim0, x.shape);
  const b = normalizeDim('transpose', dim1, x.shape);
  const order = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, order);
}

/**
 * Python-style slice along `dim`: indices `start, start + step, ...` below `end`. Negative start
 * and end count from the end; out-of-range bounds are clamped; `step` must be positive.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeDim('slice', dim, x.shape);
  if (!Number.isInteger(step) || step <= 0) {
    throw new ValueError(`slice: step must be a positive integer, got ${step} (use flip for reversing)`);
  }
  const size = x.shape[d];
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end ?? size), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  return asStrided(x, shape, strides, x.offset + (len > 0 ? s * x.strides[d] : 0));
}

/** `length` entries of `dim` from `start` (which may be negative); errors if they do not fit. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.shape);
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new IndexError(
      `narrow: start ${start} and length ${length} do not fit dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`,
    );
  }
  return slice(x, d, s, s + length);
}

/** Entry `index` of `dim`, removing that dim: `select(x, 0, 1)` is `x[1]`. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.shape);
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(
      `select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`,
    );
  }
  const i = index < 0 ? index + size : index;
  return asStrided(
    x,
    x.shape.filter((_, k) => k !== d),
    x.strides.filter((_, k) => k !== d),
    x.offset + i * x.strides[d],
  );
}

/**
 * Broadcasts `x` to `shape` without copying (stride 0 on repeated dims). A size of -1 keeps
 * x's size. Only size-1 dims (or new leading dims) can grow.
 */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) {
    throw new ShapeError(
      `expand: target ${fmtShape(shape)} has fewer dims than the tensor's shape ${fmtShape(x.shape)}`,
    );
  }
  const outShape = new Array<number>(shape.length);
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i];
    if (i < lead) {
      if (want < 0) throw new ShapeError(`expand: -1 is not allowed for a new leading dim (target ${fmtShape(shape)})`);
      outShape[i] = want;
      strides[i] = 0;
      continue;
    }
    const have = x.shape[i - lead];
    const size = want === -1 ? have : want;
    if (size !== have && have !== 1) {
      throw new ShapeError(
        `expand: the tensor of shape ${fmtShape(x.shape)} cannot be expanded to ${fmtShape(shape)} ` +
          `(size ${have} at dim ${i - lead} is not 1)`,
      );
    }
    outShape[i] = size;
    strides[i] = size === have ? x.strides[i - lead] : 0;
  }
  return asStrided(x, outShape, strides);
}

/** Removes size-1 dims (all of them, or the listed ones when they have size 1). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim('squeeze', d, x.shape));
  const keep = x.shape.map((s, i) => !(s === 1 && dims.includes(i)));
  return asStrided(
    x,
    x.shape.filter((_, i) => keep[i]),
    x.strides.filter((_, i) => keep[i]),
  );
}

/** Inserts a size-1 dim at `dim` (which may be `ndim`, or negative counting from `ndim + 1`). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d] * x.shape[d] : 1);
  return asStrided(x, shape, strides);
}

/** Merges dims `startDim..endDim` (inclusive) into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.shape);
  const e = normalizeDim('flatten', endDim, x.shape);
  if (s > e) throw new IndexError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}
