/**
 * @dl/optim: optimizers, gradient clipping and learning-rate schedulers over @dl/autograd, with
 * PyTorch 1.13's update rules (parameter trajectories match `torch.optim` step for step).
 *
 * ```ts
 * import { Adam, StepLR, clipGradNorm } from '@dl/optim';
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new StepLR(opt, { stepSize: 10, gamma: 0.5 });
 * opt.zeroGrad();
 * lossFn.forward(model.forward(x), y).backward();
 * clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 * sched.step(); // once per epoch
 * ```
 */
export {
  Optimizer,
  type BufferSpec,
  type FloatArray,
  type GroupOptions,
  type GroupStateValue,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamGroupStateDict,
  type ParamState,
  type ParamStateDict,
  type ParamView,
  type ParamsInput,
  type SchedulerGroupFields,
} from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
export { Adagrad, type AdagradOptions } from './adagrad';
export { Adadelta, type AdadeltaOptions } from './adadelta';
export { RMSprop, type RMSpropOptions } from './rmsprop';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LinearLR,
  type CosineAnnealingLROptions,
  type ExponentialLROptions,
  type LRSchedulerOptions,
  type LinearLROptions,
  type MultiStepLROptions,
  type SchedulerStateDict,
  type SchedulerStateValue,
  type StepLROptions,
} from './lr-scheduler';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau';
