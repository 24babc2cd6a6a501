/**
 * Validation shared by the class-index losses (cross-entropy, NLL): the input's layout
 * `[C]`, `[N, C]` or `[N, C, d1, ...]`, an int32 target of the matching shape whose values are
 * class indices or `ignoreIndex`, and an optional per-class weight.
 */
import { Variable } from '@dl/autograd';
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, allocStorage, fmtShape, tensor, type DType } from '@dl/tensor';
import { sameShape, type WeightLike } from './common';

/** A validated class-index target, with the input lifted to `[N, C, d1, ...]`. */
export interface ClassTargets {
  /** The input as `[N, C, d1, ...]` (a `[C]` input becomes `[1, C]`). */
  x: Variable;
  /** True when the input was a single sample `[C]` (the result is then reshaped back). */
  unbatched: boolean;
  /** Number of classes. */
  C: number;
  /** Target indices `[N, 1, d1, ...]` with ignored entries replaced by 0 (safe to gather). */
  index: Tensor;
  /** `[N, 1, d1, ...]` bool, true where the target is not ignoreIndex; null when none is ignored. */
  valid: Tensor | null;
  /** Number of targets that are not ignored. */
  validCount: number;
}

/** The expected target shape for an input: the input's shape without the class dim. */
export function targetShapeFor(inputShape: readonly number[]): number[] {
  return inputShape.length === 1 ? [] : [inputShape[0], ...inputShape.slice(2)];
}

export function checkInputLayout(op: string, x: Variable): void {
  if (x.ndim === 0) {
    throw new ShapeError(`${op}: input must be [C], [N, C] or [N, C, d1, ...] (classes in dim 1), got a 0-d input`);
  }
}

/**
 * Checks a class-index target against the input and prepares the gather index. Errors name the
 * shapes, the bad value and C.
 */
export function classTargets(op: string, input: Variable, target: Tensor, ignoreIndex: number): ClassTargets {
  checkInputLayout(op, input);
  const C = input.ndim === 1 ? input.shape[0] : input.shape[1];
  const expected = targetShapeFor(input.shape);
  if (target.dtype !== 'int32') {
    const probs = target.dtype !== 'bool' && sameShape(target.shape, input.shape);
    throw new DTypeError(
      `${op}: class-index targets must be int32, got a ${target.dtype} target of shape ${fmtShape(target.shape)} for input ` +
        `${fmtShape(input.shape)}; convert it with target.int()` +
        (op.toLowerCase().startsWith('cross') && !probs
          ? `, or pass class probabilities as a float target of the input's shape ${fmtShape(input.shape)}`
          : ''),
    );
  }
  if (!sameShape(target.shape, expected)) {
    throw new ShapeError(
      `${op}: target shape ${fmtShape(target.shape)} does not match input shape ${fmtShape(input.shape)}; expected ` +
        `${fmtShape(expected)} (the input's shape without the class dim ${input.ndim === 1 ? 0 : 1})`,
    );
  }
  const values = target.toTypedArray();
  const safe = allocStorage('int32', values.length) as Int32Array; // allocStorage: counted by memory()
  let mask: Uint8Array | null = null;
  let validCount = values.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) {
      if (mask === null) mask = (allocStorage('bool', values.length) as Uint8Array).fill(1);
      mask[i] = 0;
      validCount--;
    } else if (v < 0 || v >= C) {
      throw new IndexError(
        `${op}: target value ${v} is out of range for ${C} classes (expected 0..${C - 1}, or ignoreIndex ${ignoreIndex}); ` +
          `input ${fmtShape(input.shape)}, target ${fmtShape(target.shape)}`,
      );
    } else safe[i] = v;
  }
  const unbatched = input.ndim === 1;
  const x = unbatched ? input.reshape([1, C]) : input;
  const idxShape = [x.shape[0], 1, ...x.shape.slice(2)];
  return {
    x,
    unbatched,
    C,
    index: new Tensor(safe, idxShape),
    valid: mask === null ? null : new Tensor(mask, idxShape),
    validCount,
  };
}

/** A per-class weight as a `[C]` Tensor of the input's dtype. */
export function classWeight(op: string, weight: WeightLike | null | undefined, C: number, dtype: DType): Tensor | null {
  if (weight === null || weight === undefined) return null;
  const w = weight instanceof Tensor ? weight : tensor(Array.from(weight), { dtype });
  if (w.dtype === 'bool') throw new DTypeError(`${op}: weight must hold numbers, got bool`);
  if (w.ndim !== 1 || w.shape[0] !== C) {
    throw new ShapeError(`${op}: weight must have one entry per class, shape [${C}], got ${fmtShape(w.shape)}`);
  }
  return w.dtype === dtype ? w : w.to(dtype);
}

export function checkIgnoreIndex(op: string, ignoreIndex: number): number {
  if (!Number.isInteger(ignoreIndex)) throw new ValueError(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  return ignoreIndex;
}
