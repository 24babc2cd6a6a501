/**
 * @dl/autograd: define-by-run automatic differentiation over @dl/tensor.
 *
 * ```ts
 * import { variable } from '@dl/autograd';
 * const x = variable([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
 * const y = x.mul(x).sum();
 * y.backward();
 * x.grad?.toArray(); // [2, 4, 6]
 * ```
 */
export { Variable, Parameter, variable, toVariable } from './variable';
export type { BackwardOptions, ReduceOptions, VarOptions, VariableInit, VariableLike, VariableOptions } from './variable';
export { Function, type BackwardResult } from './function';
export { enableGrad, isGradEnabled, noGrad, withGradMode } from './mode';
export {
  GradcheckError,
  analyticalJacobian,
  gradcheck,
  numericalGrad,
  numericalJacobian,
  type GradcheckOptions,
} from './gradcheck';
export { toDot, type DotOptions } from './dot';
export { add, div, maximum, minimum, mul, neg, pow, sub, where } from './functions/arithmetic';
export { abs, cast, clamp, cos, exp, log, relu, sigmoid, sin, sqrt, step, tanh } from './functions/math';
export { amax, amin, cumsum, logSoftmax, logsumexp, mean, prod, softmax, std, sum, sumTo, variance } from './functions/reduce';
export {
  cat,
  chunk,
  contiguous,
  expand,
  flatten,
  narrow,
  permute,
  reshape,
  select,
  slice,
  split,
  squeeze,
  stack,
  transpose,
  unbind,
  unsqueeze,
  view,
} from './functions/shape';
export { gather, index, indexAdd, indexSelect, scatterAdd } from './functions/indexing';
export { maskedSelect } from './functions/masked';
export { linear, matmul } from './functions/linalg';
export { avgPool2d, col2im, conv2d, im2col, maxPool2d } from './functions/nn';
export { PAD_OPTIONS, pad, type PadMode, type PadOptions } from './functions/pad';
