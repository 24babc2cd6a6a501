/**
 * @dl/losses: loss functions over @dl/autograd, as classes (`new CrossEntropyLoss().forward(y, t)`)
 * and as functions (`crossEntropy(y, t)`), with PyTorch 1.13's options and semantics.
 *
 * ```ts
 * import { CrossEntropyLoss } from '@dl/losses';
 * const lossFn = new CrossEntropyLoss();
 * const loss = lossFn.forward(model.forward(x), y); // logits [N, C], y int32 [N]
 * loss.backward();
 * ```
 */
export { Loss, type LossInput, type LossOptions, type Reduction, type WeightLike } from './common';
export {
  HuberLoss,
  L1Loss,
  MSELoss,
  SmoothL1Loss,
  SumSquaredError,
  huberLoss,
  l1Loss,
  mseLoss,
  smoothL1Loss,
  sumSquaredError,
  type HuberLossOptions,
  type SmoothL1LossOptions,
  type SumSquaredErrorOptions,
  type SumSquaredErrorReduction,
} from './regression';
export {
  CrossEntropyLoss,
  NLLLoss,
  crossEntropy,
  nllLoss,
  type CrossEntropyLossOptions,
  type NLLLossOptions,
} from './classification';
export { CrossEntropyIndices, type CrossEntropyConfig } from './cross-entropy-function';
export {
  BCELoss,
  BCEWithLogitsLoss,
  BinaryCrossEntropy,
  BinaryCrossEntropyWithLogits,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
} from './binary';
