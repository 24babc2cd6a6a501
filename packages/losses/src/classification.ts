/**
 * Multi-class losses: cross-entropy on logits and the negative log-likelihood on log-probabilities,
 * with PyTorch 1.13's options and semantics.
 *
 * Shapes: input `[C]`, `[N, C]` or `[N, C, d1, ...]` (classes in dim 1, e.g. `[N, C, H, W]` for
 * segmentation); target either class indices, int32 of the input's shape without the class dim
 * (`[]`, `[N]`, `[N, d1, ...]`), or (cross-entropy only) class probabilities, float of the input's
 * shape. `reduction: 'none'` gives one loss per sample position, shape `[]`, `[N]` or `[N, d1, ...]`.
 *
 * With class indices `t_i`, per-class `weight` w (default all 1), `v_i = 0` where
 * `t_i == ignoreIndex` (default -100) and 1 elsewhere, and `w_i = v_i w[t_i]`:
 *
 *     nllLoss:       l_i = -w_i x_i[t_i]
 *     crossEntropy:  l_i = (1 - eps) (-w_i log p_i[t_i]) + (eps / C) (-v_i sum_c w[c] log p_i[c]),
 *                    p_i = softmax(x_i), eps = labelSmoothing
 *     'mean' = sum_i l_i / sum_i w_i   (NaN when every target is ignored: 0/0, as PyTorch)
 *
 * With class probabilities `q` (cross-entropy only; ignoreIndex does not apply):
 *
 *     l_i = -sum_c w[c] q'_i[c] log p_i[c],  q' = (1 - eps) q + eps / C
 *     'mean' = sum_i l_i / (number of sample positions)   (weights do not enter the divisor)
 *
 * log p is computed as logSoftmax (log-sum-exp with the max subtracted), so logits of any finite
 * size give finite losses and gradients.
 */
import { Variable } from '@dl/autograd';
import { Tensor, ValueError, checkOptions, fmtShape, optionKeys } from '@dl/tensor';
import {
  Loss,
  asVariable,
  checkReduction,
  floatInput,
  floatTarget,
  sameShape,
  type LossInput,
  type LossOptions,
  type Reduction,
  type WeightLike,
} from './common';
import { checkIgnoreIndex, checkInputLayout, classTargets, classWeight } from './class-targets';
import { CrossEntropyIndices } from './cross-entropy-function';

export interface NLLLossOptions extends LossOptions {
  /** Per-class weight, shape `[C]` (default: all 1). */
  weight?: WeightLike | null;
  /** Targets equal to this are skipped: no loss, no gradient, not counted by 'mean' (default -100). */
  ignoreIndex?: number;
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mix the targets with the uniform distribution: `q' = (1 - eps) q + eps / C`, eps in [0, 1] (default 0). */
  labelSmoothing?: number;
}

const NLL_OPTIONS = optionKeys<NLLLossOptions>({ reduction: true, weight: true, ignoreIndex: true });
const CROSS_ENTROPY_OPTIONS = optionKeys<CrossEntropyLossOptions>({ reduction: true, weight: true, ignoreIndex: true, labelSmoothing: true });

/**
 * Cross-entropy of logits against class indices or class probabilities (PyTorch's
 * `F.cross_entropy`): `logSoftmax` then the negative log-likelihood, in one fused step for class
 * indices. See the file header for the exact formulas of weight, ignoreIndex and labelSmoothing.
 *
 * ```ts
 * const logits = variable([[2, 1, 0.1], [0.5, 2.5, 0.3]], { requiresGrad: true });
 * const loss = crossEntropy(logits, tensor([0, 1], { dtype: 'int32' })); // mean of -log p[target]
 * loss.backward();                                                         // grad = (softmax - onehot) / N
 * ```
 */
export function crossEntropy(input: LossInput, target: LossInput, opts: CrossEntropyLossOptions = {}): Variable {
  checkOptions('crossEntropy', opts, CROSS_ENTROPY_OPTIONS);
  return crossEntropyImpl('crossEntropy', input, target, opts);
}

/**
 * Negative log-likelihood of log-probabilities (PyTorch's `F.nll_loss`): `l_i = -w[t_i] x_i[t_i]`,
 * use it after `logSoftmax`. `crossEntropy(x, t)` equals `nllLoss(logSoftmax(x, 1), t)`.
 *
 * ```ts
 * const logp = logSoftmax(variable([[2, 1, 0.1]], { requiresGrad: true }), 1);
 * nllLoss(logp, tensor([0], { dtype: 'int32' })).item(); // -logp[0][0] = 0.417
 * ```
 */
export function nllLoss(input: LossInput, target: LossInput, opts: NLLLossOptions = {}): Variable {
  checkOptions('nllLoss', opts, NLL_OPTIONS);
  return nllLossImpl('nllLoss', input, target, opts);
}

function crossEntropyImpl(op: string, input: LossInput, target: LossInput, opts: CrossEntropyLossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = checkIgnoreIndex(op, opts.ignoreIndex ?? -100);
  const eps = opts.labelSmoothing ?? 0;
  checkLabelSmoothing(op, eps);
  const x = floatInput(op, input);
  checkInputLayout(op, x);
  const classDim = x.ndim === 1 ? 0 : 1;
  const C = x.shape[classDim];
  const weight = classWeight(op, opts.weight, C, x.dtype);
  const t = asVariable(op, 'target', target);
  if ((t.dtype === 'float32' || t.dtype === 'float64') && sameShape(t.shape, x.shape)) {
    return probabilityCrossEntropy(op, x, t, weight, eps, reduction);
  }
  const ct = classTargets(op, x, t.data, ignoreIndex);
  const out = new CrossEntropyIndices({ index: ct.index, valid: ct.valid, weight, labelSmoothing: eps, reduction }).apply(ct.x);
  return ct.unbatched && reduction === 'none' ? out.reshape([]) : out;
}

/** `-sum_c w[c] q'[c] log p[c]` per sample position, q' the smoothed probabilities. */
function probabilityCrossEntropy(
  op: string,
  x: Variable,
  target: Variable,
  weight: Tensor | null,
  eps: number,
  reduction: Reduction,
): Variable {
  const classDim = x.ndim === 1 ? 0 : 1;
  const C = x.shape[classDim];
  let q = floatTarget(op, x, target);
  if (eps > 0) q = q.mul(1 - eps).add(eps / C);
  let prod = x.logSoftmax(classDim).mul(q);
  if (weight) prod = prod.mul(weight.reshape(x.shape.map((s, i) => (i === classDim ? s : 1))));
  if (reduction === 'none') return prod.sum({ dim: classDim }).neg();
  const total = prod.sum().neg();
  return reduction === 'sum' ? total : total.div(C === 0 ? NaN : x.numel() / C);
}

function nllLossImpl(op: string, input: LossInput, target: LossInput, opts: NLLLossOptions): Variable {
  const reduction = checkReduction(op, opts.reduction);
  const ignoreIndex = checkIgnoreIndex(op, opts.ignoreIndex ?? -100);
  const x = floatInput(op, input);
  checkInputLayout(op, x);
  const C = x.ndim === 1 ? x.shape[0] : x.shape[1];
  const weight = classWeight(op, opts.weight, C, x.dtype);
  const t = asVariable(op, 'target', target);
  const ct = classTargets(op, x, t.data, ignoreIndex);
  const { index, valid } = ct;
  const picked = ct.x.gather(1, index); // [N, 1, d1, ...]
  let rowWeight: Tensor | null = weight ? weight.indexSelect(0, index.reshape([index.numel()])).reshape(index.shape) : null;
  if (rowWeight && valid) rowWeight = rowWeight.where(valid, 0);
  let loss = (rowWeight ? picked.mul(rowWeight) : picked).neg();
  // where (not a multiply by the mask): an ignored row gets exactly 0, even from a NaN/inf input or gradient
  if (valid) loss = loss.where(valid, 0);
  if (reduction === 'none') return loss.reshape(ct.unbatched ? [] : [...x.shape.slice(0, 1), ...x.shape.slice(2)]);
  const s = loss.sum();
  if (reduction === 'sum') return s;
  return s.div(rowWeight ? rowWeight.sum().item() : ct.validCount);
}

function checkLabelSmoothing(op: string, eps: number): void {
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
}

/**
 * Cross-entropy loss on logits as a module; see `crossEntropy`. The usual classifier loss:
 *
 * ```ts
 * const lossFn = new CrossEntropyLoss();                      // or { weight, ignoreIndex, labelSmoothing }
 * const loss = lossFn.forward(model.forward(x), y);           // logits [N, C], y int32 [N]
 * loss.backward();
 * ```
 */
export class CrossEntropyLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super(opts, CROSS_ENTROPY_OPTIONS);
    this.weight = opts.weight == null ? null : weightTensor(opts.weight);
    this.ignoreIndex = checkIgnoreIndex('CrossEntropyLoss', opts.ignoreIndex ?? -100);
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    checkLabelSmoothing('CrossEntropyLoss', this.labelSmoothing);
  }

  forward(input: LossInput, target: LossInput): Variable {
    return crossEntropyImpl('CrossEntropyLoss', input, target, {
      reduction: this.reduction,
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.labelSmoothing,
    });
  }

  protected override extraRepr(): string {
    const w = this.weight ? `, weight=${fmtShape(this.weight.shape)}` : '';
    return `${super.extraRepr()}${w}, ignoreIndex=${this.ignoreIndex}, labelSmoothing=${this.labelSmoothing}`;
  }
}

/** Negative log-likelihood loss on log-probabilities as a module; see `nllLoss`. */
export class NLLLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(opts: NLLLossOptions = {}) {
    super(opts, NLL_OPTIONS);
    this.weight = opts.weight == null ? null : weightTensor(opts.weight);
    this.ignoreIndex = checkIgnoreIndex('NLLLoss', opts.ignoreIndex ?? -100);
  }

  forward(input: LossInput, target: LossInput): Variable {
    return nllLossImpl('NLLLoss', input, target, { reduction: this.reduction, weight: this.weight, ignoreIndex: this.ignoreIndex });
  }

  protected override extraRepr(): string {
    const w = this.weight ? `, weight=${fmtShape(this.weight.shape)}` : '';
    return `${super.extraRepr()}${w}, ignoreIndex=${this.ignoreIndex}`;
  }
}

function weightTensor(w: WeightLike): Tensor {
  return w instanceof Tensor ? w : new Tensor(Float64Array.from(w), [w.length]);
}
