/**
 * `--optimizer NAME` to an @dl/optim optimizer over a model's parameters.
 *
 * | name     | optimizer                                   |
 * |----------|---------------------------------------------|
 * | adam     | Adam(lr, betas [0.9, 0.999], eps 1e-8, weightDecay as L2) |
 * | adamw    | AdamW(lr, weightDecay decoupled: θ ← θ(1 − lr·λ)) |
 * | sgd      | SGD(lr, momentum μ (default 0), weightDecay) |
 * | momentum | SGD(lr, momentum 0.9): v ← μv + g, θ ← θ − lr·v |
 * | adagrad  | Adagrad(lr, weightDecay)                    |
 * | adadelta | Adadelta(lr, weightDecay)                   |
 * | rmsprop  | RMSprop(lr, momentum, weightDecay)          |
 *
 * ```ts
 * const opt = makeOptimizer('adam', model.parameters(), { lr: 1e-3, momentum: 0, weightDecay: 0 });
 * ```
 */
import type { Variable } from '@dl/autograd';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '@dl/optim';
import type { OptimizerName } from './args';

export interface OptimizerSettings {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export function makeOptimizer(name: OptimizerName, params: Variable[], s: OptimizerSettings): Optimizer {
  const { lr, momentum, weightDecay } = s;
  switch (name) {
    case 'adam':
      return new Adam(params, { lr, weightDecay });
    case 'adamw':
      return new AdamW(params, { lr, weightDecay });
    case 'sgd':
    case 'momentum':
      return new SGD(params, { lr, momentum, weightDecay });
    case 'adagrad':
      return new Adagrad(params, { lr, weightDecay });
    case 'adadelta':
      return new Adadelta(params, { lr, weightDecay });
    case 'rmsprop':
      return new RMSprop(params, { lr, momentum, weightDecay });
  }
}
