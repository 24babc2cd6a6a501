/**
 * `CrossEntropyIndices`: cross-entropy on logits with class-index targets as one differentiable
 * Function, so a training step costs a handful of tensor kernels (logSoftmax, gather, a sum)
 * instead of a chain of recorded ops.
 *
 * For sample positions i (over N and d1, ...), classes c, `p_i = softmax(x_i)`, target `t_i`,
 * class weights `w` (all 1 without a weight), `v_i` = 1 unless `t_i` is ignoreIndex, label
 * smoothing `eps`, and `w_i = v_i w[t_i]`:
 *
 *     loss_i = (1 - eps) (-w_i log p_i[t_i]) + (eps / C) (-v_i sum_c w[c] log p_i[c])
 *     'mean':  sum_i loss_i / sum_i w_i       'sum': sum_i loss_i       'none': loss_i
 *
 * which is PyTorch 1.13's `cross_entropy` (nll_loss of log_softmax, with its label-smoothing term
 * normalised by the same total weight). The gradient is
 *
 *     d loss_i / d x_i[c] = p_i[c] A_i - B_i[c]
 *     A_i = (1 - eps) w_i + (eps / C) v_i sum_k w[k]
 *     B_i[c] = (1 - eps) w_i [c = t_i] + (eps / C) v_i w[c]
 *
 * (softmax minus one-hot in the plain case), times gy (divided by the total weight for 'mean').
 * Ignored positions get exactly 0, also when every target is ignored (the loss is then NaN for
 * 'mean', 0/0, as in PyTorch). Backward is written with Variable ops, so it can be differentiated
 * again.
 */
import { Function, Variable, isGradEnabled, softmax } from '@dl/autograd';
import { Tensor, checkOptions, full, optionKeys, where as tensorWhere, zeros } from '@dl/tensor';
import type { Reduction } from './common';

export interface CrossEntropyConfig {
  /** Target indices `[N, 1, d1, ...]`, ignored entries replaced by 0. */
  index: Tensor;
  /** `[N, 1, d1, ...]` bool, false where the target is ignored; null when none is. */
  valid: Tensor | null;
  /** Per-class weight `[C]` in the input's dtype, or null. */
  weight: Tensor | null;
  labelSmoothing: number;
  reduction: Reduction;
}

const CONFIG_KEYS = optionKeys<CrossEntropyConfig>({ index: true, valid: true, weight: true, labelSmoothing: true, reduction: true });

export class CrossEntropyIndices extends Function {
  /** `w_i` of the formula, `[N, 1, d1, ...]`; null means 1 everywhere. */
  private rowWeight: Tensor | null = null;
  /** The total weight that 'mean' divides by. */
  private total = 0;
  /** log softmax(x), kept for backward: exp of it is the softmax (no second pass over x). */
  private logp: Tensor | null = null;

  constructor(private readonly cfg: CrossEntropyConfig) {
    super();
    checkOptions('CrossEntropyIndices', cfg, CONFIG_KEYS);
  }

  override get name(): string {
    return 'CrossEntropy';
  }

  /** x: logits `[N, C, d1, ...]`. Returns `[N, d1, ...]` ('none') or a scalar. */
  forward(x: Tensor): Tensor {
    const { index, valid, weight, labelSmoothing: eps, reduction } = this.cfg;
    const C = x.shape[1];
    const logp = x.logSoftmax(1);
    this.logp = logp;
    let rowWeight: Tensor | null = weight ? weight.indexSelect(0, index.reshape([index.numel()])).reshape(index.shape) : null;
    if (valid) rowWeight = tensorWhere(valid, rowWeight ?? 1, 0).to(x.dtype);
    this.rowWeight = rowWeight;
    this.total = rowWeight ? rowWeight.sum().item() : index.numel();

    const picked = logp.gather(1, index);
    let loss = rowWeight ? picked.mul(rowWeight).neg() : picked.neg();
    if (eps > 0) {
      const wl = weight ? logp.mul(weight.reshape(classShape(x.shape))) : logp;
      const smooth = wl.sum({ dim: 1, keepdim: true }).neg();
      loss = loss.mul(1 - eps).add(smooth.mul(eps / C));
    }
    if (valid) loss = tensorWhere(valid, loss, 0); // an ignored row may hold anything, even NaN
    if (reduction === 'none') return loss.squeeze(1);
    const s = loss.sum();
    return reduction === 'sum' ? s : s.div(this.total);
  }

  backward(gy: Variable): Variable {
    const { index, valid, weight, labelSmoothing: eps, reduction } = this.cfg;
    const x = this.inputs[0];
    const C = x.shape[1];
    const dtype = x.dtype;
    const rowWeight = this.rowWeight;
    if (reduction === 'mean' && this.total === 0) {
      // 0/0: PyTorch's gradient is NaN for the kept rows and exactly 0 for the ignored ones
      const nan = full(x.shape, NaN, { dtype });
      return new Variable(valid ? tensorWhere(valid, nan, 0) : nan);
    }
    // B = (1 - eps) w_i [c = t_i] + (eps / C) v_i w[c]
    const atTarget = rowWeight ? rowWeight.mul(1 - eps) : full(index.shape, 1 - eps, { dtype });
    let b = zeros(x.shape, { dtype }).scatterAdd(1, index, atTarget);
    // A = (1 - eps) w_i + (eps / C) v_i sum_k w[k]  (1 in the plain case)
    let a: Tensor | number = rowWeight ?? 1;
    if (eps > 0) {
      const k = (eps / C) * (weight ? weight.sum().item() : C);
      const validF = valid ? valid.to(dtype) : null;
      const first: Tensor | number = rowWeight ? rowWeight.mul(1 - eps) : 1 - eps;
      a = validF ? validF.mul(k).add(first) : typeof first === 'number' ? first + k : first.add(k);
      const wc: Tensor | number = weight ? weight.reshape(classShape(x.shape)).mul(eps / C) : eps / C;
      b = b.add(validF ? validF.mul(wc) : wc);
    }
    // the softmax: recorded from x when the backward itself is differentiated (createGraph)
    const p = isGradEnabled() || this.logp === null ? softmax(x, 1) : new Variable(this.logp.exp());
    const gx = (a === 1 ? p : p.mul(a)).sub(b);
    if (reduction === 'none') return gx.mul(gy.unsqueeze(1));
    return gx.mul(reduction === 'sum' ? gy : gy.div(this.total));
  }

  override release(): void {
    super.release();
    this.rowWeight = null;
    this.logp = null;
  }
}

/** `[1, C, 1, ...]`: a per-class vector shaped to broadcast against `[N, C, d1, ...]`. */
function classShape(shape: readonly number[]): number[] {
  return shape.map((s, i) => (i === 1 ? s : 1));
}
