/**
 * Binary (and multi-label) classification losses. Input and target have the same shape `(*)`;
 * `weight` (and `posWeight`) broadcast to it; `reduction: 'none'` keeps `(*)`, 'mean' divides by
 * the number of elements (the weights do not enter the divisor), 'sum' adds up.
 *
 *     binaryCrossEntropy:            l = -w [t log x + (1 - t) log(1 - x)],   x in [0, 1]
 *     binaryCrossEntropyWithLogits:  l = -w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]
 *
 * Both are single Functions written as PyTorch 1.13 computes them:
 * - BCE clamps each log at -100, so x = 0 or 1 gives a finite loss, and its input gradient is
 *   `w (x - t) / max(x (1 - x), 1e-12)`;
 * - BCE with logits uses `-log sigmoid(x) = m + log(exp(-m) + exp(-x - m))`, `m = max(-x, 0)`, which
 *   never overflows: logits of +-1e30 give finite losses and gradients. Prefer it to
 *   `sigmoid` followed by BCE.
 */
import { Function, type Variable } from '@dl/autograd';
import { ValueError, checkOptions, fmtShape, optionKeys, type Tensor } from '@dl/tensor';
import {
  Loss,
  checkReduction,
  elementWeight,
  floatInput,
  floatTarget,
  reduce,
  type LossInput,
  type LossOptions,
  type WeightLike,
} from './common';

/** PyTorch's floor for x (1 - x) in BCE's input gradient: 1e-12 as a float32 constant, as in its kernel. */
const BCE_EPS = Math.fround(1e-12);
/** PyTorch's floor for each log in BCE. */
const LOG_FLOOR = -100;

/**
 * Elementwise BCE `-w [t max(log x, -100) + (1 - t) max(log(1 - x), -100)]` of inputs (x, t).
 *
 * Backward: `gx = gy w (x - t) / max(x (1 - x), 1e-12)` (PyTorch's formula),
 * `gt = gy w [max(log(1 - x), -100) - max(log x, -100)]`, the derivative of the clamped loss
 * (PyTorch 1.13 leaves these logs unclamped, giving +-inf at x = 0 or 1).
 */
export class BinaryCrossEntropy extends Function {
  constructor(private readonly weight: Tensor | null) {
    super();
  }
  forward(x: Tensor, t: Tensor): Tensor {
    const logx = x.log().clamp(LOG_FLOOR, null);
    const log1mx = x.neg().add(1).log().clamp(LOG_FLOOR, null);
    // (t - 1) log(1 - x) - t log(x)
    const l = t.sub(1).mul(log1mx).sub(t.mul(logx));
    return this.weight ? l.mul(this.weight) : l;
  }
  backward(gy: Variable): (Variable | null)[] {
    const [x, t] = this.inputs;
    const g = this.weight ? gy.mul(this.weight) : gy;
    const gx = x.requiresGrad ? g.mul(x.sub(t)).div(x.mul(x.neg().add(1)).clamp(BCE_EPS, null)) : null;
    const gt = t.requiresGrad ? g.mul(x.neg().add(1).log().clamp(LOG_FLOOR, null).sub(x.log().clamp(LOG_FLOOR, null))) : null;
    return [gx, gt];
  }
}

/**
 * Elementwise BCE on logits: `w [(1 - t) x + lw softplus(-x)]`, `lw = 1 + (pw - 1) t`,
 * `softplus(-x) = m + log(exp(-m) + exp(-x - m))`, `m = max(-x, 0)`.
 *
 * Backward: `gx = gy w (lw sigmoid(x) - pw t)` (`sigmoid(x) - t` without posWeight),
 * `gt = gy w ((pw - 1) softplus(-x) - x)`.
 */
export class BinaryCrossEntropyWithLogits extends Function {
  constructor(
    private readonly weight: Tensor | null,
    private readonly posWeight: Tensor | null,
  ) {
    super();
  }
  override get name(): string {
    return 'BCEWithLogits';
  }
  forward(x: Tensor, t: Tensor): Tensor {
    const m = x.neg().clamp(0, null);
    const sp = m.neg().exp().add(x.neg().sub(m).exp()).log().add(m); // softplus(-x) = -log sigmoid(x)
    const lw = this.posWeight ? this.posWeight.sub(1).mul(t).add(1) : null;
    let l = t.neg().add(1).mul(x).add(lw ? lw.mul(sp) : sp);
    if (this.weight) l = l.mul(this.weight);
    return l;
  }
  backward(gy: Variable): (Variable | null)[] {
    const [x, t] = this.inputs;
    const pw = this.posWeight;
    const g = this.weight ? gy.mul(this.weight) : gy;
    let gx: Variable | null = null;
    if (x.requiresGrad) {
      const s = x.sigmoid();
      gx = pw ? g.mul(s.mul(t.mul(pw.sub(1)).add(1)).sub(t.mul(pw))) : g.mul(s.sub(t));
    }
    let gt: Variable | null = null;
    if (t.requiresGrad) {
      if (pw) {
        const m = x.neg().relu();
        const sp = m.neg().exp().add(x.neg().sub(m).exp()).log().add(m);
        gt = g.mul(sp.mul(pw.sub(1)).sub(x));
      } else gt = g.mul(x.neg());
    }
    return [gx, gt];
  }
}

export interface BCELossOptions extends LossOptions {
  /** Weight of each element, broadcast to the input's shape (default: all 1). */
  weight?: WeightLike | null;
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /**
   * Weight of the positive term, broadcast to the input's shape: shape `[C]` weighs each of C
   * labels (last dim), e.g. `negatives / positives` to balance a rare class (default: all 1).
   */
  posWeight?: WeightLike | null;
}

const BCE_OPTIONS = optionKeys<BCELossOptions>({ reduction: true, weight: true });
const BCE_LOGITS_OPTIONS = optionKeys<BCEWithLogitsLossOptions>({ reduction: true, weight: true, posWeight: true });

/**
 * Binary cross-entropy of probabilities (PyTorch's `F.binary_cross_entropy`):
 * `l = -w [t log x + (1 - t) log(1 - x)]`, logs clamped at -100. Input values must lie in [0, 1].
 *
 * ```ts
 * binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])).item(); // (-log 0.9 - log 0.8) / 2 = 0.164
 * ```
 */
export function binaryCrossEntropy(input: LossInput, target: LossInput, opts: BCELossOptions = {}): Variable {
  checkOptions('binaryCrossEntropy', opts, BCE_OPTIONS);
  return bceImpl('binaryCrossEntropy', input, target, opts);
}

/**
 * Binary cross-entropy of logits (PyTorch's `F.binary_cross_entropy_with_logits`): the same as
 * `binaryCrossEntropy(sigmoid(x), t)` but stable for any logit, with an optional `posWeight`:
 * `l = -w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]`.
 *
 * ```ts
 * binaryCrossEntropyWithLogits(tensor([2.2, -1.4]), tensor([1, 0])).item(); // ~0.164
 * ```
 */
export function binaryCrossEntropyWithLogits(input: LossInput, target: LossInput, opts: BCEWithLogitsLossOptions = {}): Variable {
  checkOptions('binaryCrossEntropyWithLogits', opts, BCE_LOGITS_OPTIONS);
  return bceWithLogitsImpl('binaryCrossEntropyWithLogits', input, target, opts);
}

function bceImpl(op: string, input: LossInput, target: LossInput, opts: BCELossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const x = floatInput(op, input);
  const t = floatTarget(op, x, target);
  checkProbabilities(op, x);
  const w = opts.weight == null ? null : elementWeight(op, 'weight', opts.weight, x.dtype, x.shape);
  return reduce(new BinaryCrossEntropy(w).apply(x, t), reduction);
}

function bceWithLogitsImpl(op: string, input: LossInput, target: LossInput, opts: BCEWithLogitsLossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const x = floatInput(op, input);
  const t = floatTarget(op, x, target);
  const w = opts.weight == null ? null : elementWeight(op, 'weight', opts.weight, x.dtype, x.shape);
  const pw = opts.posWeight == null ? null : elementWeight(op, 'posWeight', opts.posWeight, x.dtype, x.shape);
  return reduce(new BinaryCrossEntropyWithLogits(w, pw).apply(x, t), reduction);
}

/** BCE's input must be probabilities: a value outside [0, 1] (or NaN) is a clear error, as in PyTorch. */
function checkProbabilities(op: string, x: Variable): void {
  const v = x.data.toTypedArray();
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0 && v[i] <= 1)) {
      throw new ValueError(
        `${op}: input values must be probabilities in [0, 1], got ${x.dtype === 'float32' ? Number(v[i].toPrecision(8)) : v[i]} at flat index ${i} of input ${fmtShape(x.shape)}; ` +
          'apply sigmoid first, or better pass the logits to binaryCrossEntropyWithLogits / BCEWithLogitsLoss',
      );
    }
  }
}

/** Binary cross-entropy of probabilities as a module; see `binaryCrossEntropy`. */
export class BCELoss extends Loss {
  readonly weight: WeightLike | null;
  constructor(opts: BCELossOptions = {}) {
    super(opts, BCE_OPTIONS);
    this.weight = opts.weight ?? null;
  }
  forward(input: LossInput, target: LossInput): Variable {
    return bceImpl('BCELoss', input, target, { reduction: this.reduction, weight: this.weight });
  }
}

/**
 * Binary cross-entropy of logits as a module; see `binaryCrossEntropyWithLogits`.
 *
 * ```ts
 * const lossFn = new BCEWithLogitsLoss({ posWeight: tensor([3]) }); // positives count 3x
 * const loss = lossFn.forward(model.forward(x), y);                 // logits and 0/1 labels [N, 1]
 * ```
 */
export class BCEWithLogitsLoss extends Loss {
  readonly weight: WeightLike | null;
  readonly posWeight: WeightLike | null;
  constructor(opts: BCEWithLogitsLossOptions = {}) {
    super(opts, BCE_LOGITS_OPTIONS);
    this.weight = opts.weight ?? null;
    this.posWeight = opts.posWeight ?? null;
  }
  forward(input: LossInput, target: LossInput): Variable {
    return bceWithLogitsImpl('BCEWithLogitsLoss', input, target, {
      reduction: this.reduction,
      weight: this.weight,
      posWeight: this.posWeight,
    });
  }
}
