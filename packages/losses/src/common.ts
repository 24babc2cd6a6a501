/**
 * What every loss shares: the `reduction` option, turning inputs and targets into Variables with
 * clear errors, and the `Loss` base class (`forward` and `call`).
 *
 * | reduction | result                                                       |
 * |-----------|--------------------------------------------------------------|
 * | `'none'`  | one loss per element (or per sample for the class losses)     |
 * | `'mean'`  | their mean (the class losses divide by the total weight)     |
 * | `'sum'`   | their sum                                                    |
 */
import { Variable } from '@dl/autograd';
import { DTypeError, ShapeError, Tensor, ValueError, broadcastShapes, checkOptions, fmtShape, optionKeys, tensor, type DType } from '@dl/tensor';

/** How the per-element losses are combined. PyTorch's default is `'mean'`. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Options every loss accepts. */
export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'` (one loss per element). */
  reduction?: Reduction;
}

/** The keys of LossOptions: what MSELoss, L1Loss and the functions without other options accept. */
export const LOSS_OPTIONS = optionKeys<LossOptions>({ reduction: true });

/** A loss input: a Variable (gradients flow to it) or a Tensor (a constant). */
export type LossInput = Variable | Tensor;

/** A per-class or per-element weight: a Tensor or a plain array of numbers. */
export type WeightLike = Tensor | readonly number[];

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/** Validates the `reduction` option (also at run time, for callers without TypeScript). */
export function checkReduction(op: string, reduction: string | undefined): Reduction {
  const r = reduction ?? 'mean';
  if (!REDUCTIONS.includes(r)) {
    throw new ValueError(`${op}: reduction must be 'none', 'mean' or 'sum', got '${r}'`);
  }
  return r as Reduction;
}

/** The input as a Variable, which must hold floating-point values. */
export function floatInput(op: string, input: LossInput): Variable {
  const v = asVariable(op, 'input', input);
  if (v.dtype !== 'float32' && v.dtype !== 'float64') {
    throw new DTypeError(`${op}: input must be float32 or float64, got ${v.dtype} of shape ${fmtShape(v.shape)}; convert it with .float()`);
  }
  return v;
}

/** A Tensor or Variable as a Variable (Tensors become constants). */
export function asVariable(op: string, what: string, x: unknown): Variable {
  if (x instanceof Variable) return x;
  if (x instanceof Tensor) return new Variable(x);
  const got = x === null ? 'null' : Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x;
  throw new ValueError(`${op}: ${what} must be a Tensor or a Variable, got ${got}`);
}

/**
 * A float target of exactly the input's shape, converted to the input's dtype (int and bool
 * targets such as 0/1 labels are accepted and converted). Unlike PyTorch, which broadcasts with a
 * warning, differing shapes are an error: `[N, 1]` against `[N]` would silently give `[N, N]`.
 */
export function floatTarget(op: string, input: Variable, target: LossInput): Variable {
  const t = asVariable(op, 'target', target);
  if (!sameShape(t.shape, input.shape)) {
    throw new ShapeError(
      `${op}: target shape ${fmtShape(t.shape)} differs from input shape ${fmtShape(input.shape)}; they must be equal ` +
        `(reshape one of them, e.g. target.reshape(${fmtShape(input.shape)}) or output.squeeze(-1))`,
    );
  }
  return t.dtype === input.dtype ? t : t.to(input.dtype);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Sums or averages the per-element losses, or returns them as they are. */
export function reduce(loss: Variable, reduction: Reduction): Variable {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

/** A weight as a Tensor of `dtype` that broadcasts to `shape` (for the elementwise losses). */
export function elementWeight(op: string, what: string, w: WeightLike, dtype: DType, shape: readonly number[]): Tensor {
  const t = w instanceof Tensor ? w : tensor(Array.from(w), { dtype });
  if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'int32') {
    throw new DTypeError(`${op}: ${what} must hold numbers, got ${t.dtype}`);
  }
  let ok = true;
  try {
    ok = sameShape(broadcastShapes(op, t.shape, shape), shape);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ShapeError(
      `${op}: ${what} of shape ${fmtShape(t.shape)} does not broadcast to the input shape ${fmtShape(shape)}; ` +
        'give it the input shape, or a shape that broadcasts to it (e.g. [C] for the last dim)',
    );
  }
  return t.dtype === dtype ? t : t.to(dtype);
}

/**
 * The base of every loss class: options are fixed at construction, `forward(input, target)`
 * computes the loss, and `call(input, target)` is the same (as calling a module).
 *
 * `known` lists the option keys the class accepts (default: `reduction` only); any other key is
 * an error naming the class and the key probably meant. A subclass with more options passes all
 * of its keys: `super(opts, ['reduction', 'delta'])`.
 */
export abstract class Loss {
  readonly reduction: Reduction;

  constructor(opts: LossOptions = {}, known: readonly string[] = LOSS_OPTIONS) {
    checkOptions(this.constructor.name, opts, known);
    this.reduction = checkReduction(this.constructor.name, opts.reduction);
  }

  abstract forward(input: LossInput, target: LossInput): Variable;

  /** Same as `forward` (losses have no hooks). */
  call(input: LossInput, target: LossInput): Variable {
    return this.forward(input, target);
  }

  toString(): string {
    return `${this.constructor.name}(${this.extraRepr()})`;
  }

  /** The options shown by toString. */
  protected extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}
