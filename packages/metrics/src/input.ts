/**
 * Turning metric inputs into flat numbers with a shape, with clear errors.
 *
 * A metric input is a `Tensor`, anything holding one in `.data` (an `@dl/autograd` Variable or
 * Parameter; this package does not import autograd), a plain (nested) array of numbers, or a typed
 * array. Values are read in row-major order as float64 numbers, whatever the dtype (bool gives 0/1).
 *
 * ```ts
 * readInput('accuracy', 'pred', [[0.1, 0.9], [0.8, 0.2]]); // { values: [0.1, 0.9, 0.8, 0.2], shape: [2, 2] }
 * ```
 */
import { Tensor, ValueError, ShapeError, fmtShape } from '@dl/tensor';

/** Something that holds a Tensor in `.data`, such as an `@dl/autograd` Variable. */
export interface TensorHolder {
  readonly data: Tensor;
}

/** Nested arrays of numbers (`[1, 2]`, `[[1, 2], [3, 4]]`, ...). */
export type NestedNumbers = number | readonly NestedNumbers[];

/** Everything a metric accepts as predictions, targets or scores. */
export type MetricInput =
  | Tensor
  | TensorHolder
  | readonly NestedNumbers[]
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array;

/** Flat row-major values and their shape. */
export interface FlatInput {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** Describes what was passed, for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') {
    const name = (x as { constructor?: { name?: string } }).constructor?.name;
    return name ? `a ${name}` : 'an object';
  }
  return `a ${typeof x}`;
}

/**
 * What is read from a Tensor. Checked structurally as well as with `instanceof`, so that a Tensor
 * from a second copy of @dl/tensor (two installed versions) is still accepted.
 */
interface TensorView {
  readonly shape: readonly number[];
  toTypedArray(): ArrayLike<number>;
}

function isTensorView(x: unknown): x is TensorView {
  if (x instanceof Tensor) return true;
  if (typeof x !== 'object' || x === null) return false;
  const v = x as { shape?: unknown; toTypedArray?: unknown };
  return Array.isArray(v.shape) && typeof v.toTypedArray === 'function';
}

/** The Tensor inside `x`, if `x` is a Tensor or holds one in `.data` (a Variable), else null. */
function tensorOf(x: unknown): TensorView | null {
  if (isTensorView(x)) return x;
  if (typeof x === 'object' && x !== null && 'data' in x) {
    const data = (x as { data: unknown }).data;
    if (isTensorView(data)) return data;
  }
  return null;
}

/**
 * Reads `x` (argument `what` of `op`) into flat values and a shape. Nested arrays must be
 * rectangular and hold only numbers (booleans count as 0/1).
 */
export function readInput(op: string, what: string, x: unknown): FlatInput {
  const t = tensorOf(x);
  if (t !== null) return { values: t.toTypedArray(), shape: [...t.shape] };
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number>;
    return { values: Array.from(arr, Number), shape: [arr.length] };
  }
  if (Array.isArray(x)) return readNested(op, what, x);
  throw new ValueError(
    `${op}: ${what} must be a Tensor, a Variable (anything with a Tensor in .data), an array of numbers or a typed array, got ${describe(x)}`,
  );
}

function readNested(op: string, what: string, x: readonly unknown[]): FlatInput {
  const shape: number[] = [];
  let level: unknown = x;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const values: number[] = [];
  const walk = (node: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof node === 'number') values.push(node);
      else if (typeof node === 'boolean') values.push(node ? 1 : 0);
      else throw new ValueError(`${op}: ${what}${path} is ${describe(node)}; expected a number (arrays must be rectangular)`);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[dim]) {
      const got = Array.isArray(node) ? `length ${node.length}` : describe(node);
      throw new ValueError(
        `${op}: ${what} is a ragged array: ${what}${path} has ${got} but ${fmtShape(shape.slice(0, dim + 1))} was expected from the first elements; every row must have the same length`,
      );
    }
    for (let i = 0; i < node.length; i++) walk(node[i], dim + 1, `${path}[${i}]`);
  };
  walk(x, 0, '');
  return { values, shape };
}

/**
 * Class labels `[N]` from `x`: every value must be an integer in `[0, numClasses)` (when
 * `numClasses` is given) and non-negative. A `[N, 1]` column is accepted as `[N]`.
 */
export function readLabels(op: string, what: string, x: unknown, numClasses?: number, source = 'numClasses'): Int32Array {
  return labelsFromFlat(op, what, readInput(op, what, x), numClasses, source);
}

/** `source` says where `numClasses` came from, for the error message. */
function labelsFromFlat(op: string, what: string, flat: FlatInput, numClasses: number | undefined, source: string): Int32Array {
  const { values, shape } = flat;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw new ShapeError(
      `${op}: ${what} must be class indices of shape [N], got shape ${fmtShape(shape)}` +
        (shape.length === 2 ? '; for scores [N, C] take argmax over dim 1 first (or pass them as pred)' : ''),
    );
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new ValueError(
        `${op}: ${what}[${i}] = ${v} is not a class index; labels must be integers 0..${numClasses === undefined ? 'C-1' : numClasses - 1}`,
      );
    }
    if (numClasses !== undefined && v >= numClasses) {
      throw new ValueError(
        `${op}: ${what}[${i}] = ${v} is outside [0, ${numClasses}); labels must be class indices 0..${numClasses - 1} (C = ${numClasses} from ${source})`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * `a > b` where NaN counts as larger than every number (as `torch.argmax`, which returns the index
 * of a NaN when there is one).
 */
export function greater(a: number, b: number): boolean {
  if (a !== a) return b === b;
  if (b !== b) return false;
  return a > b;
}

/** Index of the first maximum of `values[start .. start + n)`, NaN counting as the maximum. */
export function argmaxRow(values: ArrayLike<number>, start: number, n: number): number {
  let best = 0;
  let bestValue = values[start];
  for (let c = 1; c < n; c++) {
    const v = values[start + c];
    if (greater(v, bestValue)) {
      best = c;
      bestValue = v;
    }
  }
  return best;
}

/** Predicted classes and, when `pred` held scores, the number of classes those scores had. */
export interface PredictedClasses {
  readonly labels: Int32Array;
  /** C when `pred` was scores `[N, C]`, else undefined. */
  readonly numClasses?: number;
}

/**
 * Predicted class indices from `pred`: class indices `[N]` are checked and returned; scores
 * (logits or probabilities) `[N, C]` give `argmax` over dim 1 (the first maximum on ties).
 */
export function readPredictions(op: string, pred: unknown, numClasses?: number, what = 'pred', source = 'numClasses'): PredictedClasses {
  const flat = readInput(op, what, pred);
  const { values, shape } = flat;
  if (shape.length === 1) return { labels: labelsFromFlat(op, what, flat, numClasses, source) };
  if (shape.length !== 2) {
    throw new ShapeError(
      `${op}: ${what} must be class indices [N] or scores [N, C] (logits or probabilities), got shape ${fmtShape(shape)}; flatten extra dims first`,
    );
  }
  const [n, c] = shape;
  if (c === 1) {
    throw new ShapeError(
      `${op}: ${what} has shape ${fmtShape(shape)}: one score per sample cannot be argmax-ed; for a binary classifier threshold it (pred.gt(0) for logits) into class indices [N], or pass two scores [N, 2]`,
    );
  }
  if (numClasses !== undefined && c !== numClasses) {
    throw new ShapeError(`${op}: ${what} has scores for ${c} classes (shape ${fmtShape(shape)}) but ${source} gives ${numClasses}`);
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = argmaxRow(values, i * c, c);
  return { labels, numClasses: c };
}

/** Checks that `pred` and `target` have the same number of samples. */
export function checkSameLength(op: string, pred: ArrayLike<number>, target: ArrayLike<number>): void {
  if (pred.length !== target.length) {
    throw new ShapeError(
      `${op}: pred has ${pred.length} samples but target has ${target.length}; they must describe the same samples`,
    );
  }
}

/** Throws when there are no samples: a score of nothing is undefined (sklearn raises too). */
export function checkNotEmpty(op: string, n: number): void {
  if (n === 0) throw new ValueError(`${op}: got 0 samples; there is nothing to score`);
}

/** Validates a positive integer option such as `numClasses`. */
export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ValueError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}
