/**
 * A second, independent cross-entropy for the tests: composed from @dl/autograd ops (logSoftmax,
 * gather, where, sum) exactly as the formulas in classification.ts read, without the fused
 * Function. Property tests check that the fused CrossEntropyIndices gives the same values and
 * gradients on random shapes and options.
 */
import { Variable, logSoftmax } from '@dl/autograd';
import { Tensor } from '@dl/tensor';
import type { Reduction } from '../common';

export interface ReferenceOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  labelSmoothing?: number;
  reduction?: Reduction;
}

/** Cross-entropy of logits x `[N, C, d...]` against int32 class indices t `[N, d...]`. */
export function referenceCrossEntropy(x: Variable, t: Tensor, opts: ReferenceOptions = {}): Variable {
  const { weight = null, ignoreIndex = -100, labelSmoothing: eps = 0, reduction = 'mean' } = opts;
  const C = x.shape[1];
  const logp = logSoftmax(x, 1);
  const valid = t.ne(ignoreIndex).unsqueeze(1); // [N, 1, d...]
  const safe = t.where(t.ne(ignoreIndex), 0).unsqueeze(1);
  const wRow = weight ? weight.indexSelect(0, safe.flatten()).reshape(safe.shape) : safe.mul(0).add(1).double().to(x.dtype);
  const wi = wRow.where(valid, 0);
  const nll = logp.gather(1, safe).where(valid, 0).mul(wi).neg(); // [N, 1, d...]
  const wb = weight ? weight.reshape(x.shape.map((s, i) => (i === 1 ? s : 1))) : null;
  const smooth = (wb ? logp.mul(wb) : logp).sum({ dim: 1, keepdim: true }).where(valid, 0).neg();
  const loss = nll.mul(1 - eps).add(smooth.mul(eps / C));
  if (reduction === 'none') return loss.squeeze(1);
  if (reduction === 'sum') return loss.sum();
  return loss.sum().div(wi.sum().item());
}
