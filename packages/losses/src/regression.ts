/**
 * Regression losses: squared error, absolute error and their blend (Huber / smooth L1), plus the
 * course's sum-of-squares error. With `z = input - target` elementwise, input and target of the
 * same shape `(*)`, and `reduction` `'mean'` (default), `'sum'` or `'none'` (result `(*)`):
 *
 * | loss                  | per element                                                   |
 * |-----------------------|---------------------------------------------------------------|
 * | `mseLoss`             | `z^2`                                                         |
 * | `l1Loss`              | `|z|`                                                         |
 * | `huberLoss` (delta)   | `z^2 / 2` if `|z| < delta`, else `delta (|z| - delta / 2)`    |
 * | `smoothL1Loss` (beta) | `z^2 / (2 beta)` if `|z| < beta`, else `|z| - beta / 2`       |
 * | `sumSquaredError`     | `z^2 / 2`, summed by default: `E = 1/2 sum_k (y_k - t_k)^2`   |
 *
 * Huber and smooth L1 are the same curve scaled: `smoothL1Loss(x, t, { beta }) =
 * huberLoss(x, t, { delta: beta }) / beta` (for beta > 0; beta = 0 gives the L1 loss).
 *
 * Targets may be Variables (the gradient then flows to them too); int/bool targets are converted to
 * the input's dtype. Input and target must have the same shape (PyTorch broadcasts with a warning).
 */
import type { Variable } from '@dl/autograd';
import { ValueError, checkOptions, optionKeys } from '@dl/tensor';
import { LOSS_OPTIONS, Loss, checkReduction, floatInput, floatTarget, reduce, type LossInput, type LossOptions } from './common';

/** Both operands checked, and their difference `z = input - target`. */
function difference(op: string, input: LossInput, target: LossInput): Variable {
  const x = floatInput(op, input);
  return x.sub(floatTarget(op, x, target));
}

/**
 * Mean squared error: `l_i = (x_i - t_i)^2`, averaged (default), summed or kept.
 *
 * ```ts
 * mseLoss(tensor([1, 2, 3]), tensor([1, 2, 5])).item(); // 4 / 3
 * ```
 */
export function mseLoss(input: LossInput, target: LossInput, opts: LossOptions = {}): Variable {
  checkOptions('mseLoss', opts, LOSS_OPTIONS);
  return mseImpl('mseLoss', input, target, opts);
}

function mseImpl(op: string, input: LossInput, target: LossInput, opts: LossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const z = difference(op, input, target);
  return reduce(z.mul(z), reduction);
}

/**
 * Mean absolute error: `l_i = |x_i - t_i|` (gradient `sign(x_i - t_i)`, 0 where they are equal).
 *
 * ```ts
 * l1Loss(tensor([1, 2, 3]), tensor([1, 2, 5])).item(); // 2 / 3
 * ```
 */
export function l1Loss(input: LossInput, target: LossInput, opts: LossOptions = {}): Variable {
  checkOptions('l1Loss', opts, LOSS_OPTIONS);
  return l1Impl('l1Loss', input, target, opts);
}

function l1Impl(op: string, input: LossInput, target: LossInput, opts: LossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  return reduce(difference(op, input, target).abs(), reduction);
}

export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1, must be > 0). */
  delta?: number;
}

const HUBER_OPTIONS = optionKeys<HuberLossOptions>({ reduction: true, delta: true });

/**
 * Huber loss: `l_i = z_i^2 / 2` if `|z_i| < delta`, else `delta (|z_i| - delta / 2)`, with
 * `z = x - t`. Computed as `m^2 / 2 + delta (|z| - m)` with `m = min(|z|, delta)`: a large
 * residual is never squared, so the loss and its gradient stay finite for any finite z.
 *
 * ```ts
 * huberLoss(tensor([0, 0]), tensor([0.5, 3]), { delta: 1, reduction: 'none' }).toArray(); // [0.125, 2.5]
 * ```
 */
export function huberLoss(input: LossInput, target: LossInput, opts: HuberLossOptions = {}): Variable {
  checkOptions('huberLoss', opts, HUBER_OPTIONS);
  return huberImpl('huberLoss', input, target, opts);
}

function huberImpl(op: string, input: LossInput, target: LossInput, opts: HuberLossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const delta = checkDelta(op, opts.delta ?? 1);
  const a = difference(op, input, target).abs();
  const m = a.clamp(null, delta);
  return reduce(m.mul(m).mul(0.5).add(a.sub(m).mul(delta)), reduction);
}

export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1, must be >= 0; 0 gives the L1 loss). */
  beta?: number;
}

const SMOOTH_L1_OPTIONS = optionKeys<SmoothL1LossOptions>({ reduction: true, beta: true });

/**
 * Smooth L1 loss: `l_i = z_i^2 / (2 beta)` if `|z_i| < beta`, else `|z_i| - beta / 2`, with
 * `z = x - t`. Equal to `huberLoss` with `delta = beta`, divided by beta: its linear part has slope
 * 1 whatever beta is, while Huber's has slope delta. `beta = 0` is the L1 loss.
 *
 * ```ts
 * smoothL1Loss(tensor([0, 0]), tensor([0.5, 3]), { beta: 1, reduction: 'none' }).toArray(); // [0.125, 2.5]
 * ```
 */
export function smoothL1Loss(input: LossInput, target: LossInput, opts: SmoothL1LossOptions = {}): Variable {
  checkOptions('smoothL1Loss', opts, SMOOTH_L1_OPTIONS);
  return smoothL1Impl('smoothL1Loss', input, target, opts);
}

function smoothL1Impl(op: string, input: LossInput, target: LossInput, opts: SmoothL1LossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const beta = checkBeta(op, opts.beta ?? 1);
  const a = difference(op, input, target).abs();
  if (beta === 0) return reduce(a, reduction);
  const m = a.clamp(null, beta);
  return reduce(m.mul(m).mul(0.5 / beta).add(a.sub(m)), reduction);
}

/** How `sumSquaredError` combines the per-element terms `(y_k - t_k)^2 / 2`. */
export type SumSquaredErrorReduction = 'sum' | 'batchmean' | 'mean' | 'none';

export interface SumSquaredErrorOptions {
  /**
   * `'sum'` (default): `E = 1/2 sum_k (y_k - t_k)^2` over every element;
   * `'batchmean'`: that sum divided by the batch size N = `y.shape[0]`, the course's
   * `L = 1/(2N) sum_n sum_k (y_nk - t_nk)^2`;
   * `'mean'`: divided by the number of elements (half of mseLoss); `'none'`: `(y_k - t_k)^2 / 2` each.
   */
  reduction?: SumSquaredErrorReduction;
}

const SSE_OPTIONS = optionKeys<SumSquaredErrorOptions>({ reduction: true });

/**
 * The course's sum-of-squares error (2乗和誤差):
 *
 *     E = 1/2 sum_k (y_k - t_k)^2      y_k: the network's output, t_k: the teacher data
 *
 * Its gradient is simply `dE/dy_k = y_k - t_k`, which is why the course pairs it with an identity
 * output layer. Over a minibatch `y, t: [N, K]`, `{ reduction: 'batchmean' }` gives the course's
 * `L = 1/(2N) sum_n sum_k (y_nk - t_nk)^2`.
 *
 * ```ts
 * sumSquaredError(tensor([13.5, 20.1, 0.7]), tensor([12.1, 22.8, 0.3])).item(); // 4.705 (the course's example)
 * ```
 */
export function sumSquaredError(input: LossInput, target: LossInput, opts: SumSquaredErrorOptions = {}): Variable {
  checkOptions('sumSquaredError', opts, SSE_OPTIONS);
  return sseImpl('sumSquaredError', input, target, opts);
}

function sseImpl(op: string, input: LossInput, target: LossInput, opts: SumSquaredErrorOptions): Variable {
  const reduction = checkSseReduction(op, opts.reduction);
  const z = difference(op, input, target);
  const half = z.mul(z).mul(0.5);
  if (reduction === 'none') return half;
  if (reduction === 'mean') return half.mean();
  if (reduction === 'sum') return half.sum();
  if (z.ndim === 0) throw new ValueError(`${op}: reduction 'batchmean' needs a batch dim, got a 0-d input`);
  return half.sum().div(z.shape[0]);
}

function checkDelta(op: string, delta: number): number {
  if (!(delta > 0) || !Number.isFinite(delta)) throw new ValueError(`${op}: delta must be a positive finite number, got ${delta}`);
  return delta;
}

function checkBeta(op: string, beta: number): number {
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new ValueError(`${op}: beta must be a finite number >= 0, got ${beta}`);
  return beta;
}

function checkSseReduction(op: string, reduction: string | undefined): SumSquaredErrorReduction {
  const r = reduction ?? 'sum';
  if (r !== 'sum' && r !== 'batchmean' && r !== 'mean' && r !== 'none') {
    throw new ValueError(`${op}: reduction must be 'sum', 'batchmean', 'mean' or 'none', got '${r}'`);
  }
  return r;
}

/** Mean squared error as a module; see `mseLoss`. `new MSELoss().forward(y, t)`. */
export class MSELoss extends Loss {
  forward(input: LossInput, target: LossInput): Variable {
    return mseImpl('MSELoss', input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error as a module; see `l1Loss`. */
export class L1Loss extends Loss {
  forward(input: LossInput, target: LossInput): Variable {
    return l1Impl('L1Loss', input, target, { reduction: this.reduction });
  }
}

/** Huber loss as a module; see `huberLoss`. `new HuberLoss({ delta: 0.5 })`. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: HuberLossOptions = {}) {
    super(opts, HUBER_OPTIONS);
    this.delta = checkDelta('HuberLoss', opts.delta ?? 1);
  }
  forward(input: LossInput, target: LossInput): Variable {
    return huberImpl('HuberLoss', input, target, { reduction: this.reduction, delta: this.delta });
  }
  protected override extraRepr(): string {
    return `${super.extraRepr()}, delta=${this.delta}`;
  }
}

/** Smooth L1 loss as a module; see `smoothL1Loss` (= Huber with delta = beta, divided by beta). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: SmoothL1LossOptions = {}) {
    super(opts, SMOOTH_L1_OPTIONS);
    this.beta = checkBeta('SmoothL1Loss', opts.beta ?? 1);
  }
  forward(input: LossInput, target: LossInput): Variable {
    return smoothL1Impl('SmoothL1Loss', input, target, { reduction: this.reduction, beta: this.beta });
  }
  protected override extraRepr(): string {
    return `${super.extraRepr()}, beta=${this.beta}`;
  }
}

/**
 * The course's sum-of-squares error `E = 1/2 sum_k (y_k - t_k)^2` as a module; see
 * `sumSquaredError`. Its default reduction is `'sum'` (not `'mean'`), as the formula says.
 */
export class SumSquaredError {
  readonly reduction: SumSquaredErrorReduction;
  constructor(opts: SumSquaredErrorOptions = {}) {
    checkOptions('SumSquaredError', opts, SSE_OPTIONS);
    this.reduction = checkSseReduction('SumSquaredError', opts.reduction);
  }
  forward(input: LossInput, target: LossInput): Variable {
    return sseImpl('SumSquaredError', input, target, { reduction: this.reduction });
  }
  call(input: LossInput, target: LossInput): Variable {
    return this.forward(input, target);
  }
  toString(): string {
    return `SumSquaredError(reduction='${this.reduction}')`;
  }
}


