/**
 * Adagrad: PyTorch 1.13's `torch.optim.Adagrad` update (dense gradients).
 */
import type { Variable } from '@dl/autograd';
import { checkBoolean, checkKeys, checkNumber } from './checks';
import { Optimizer, newBuffer, type BufferSpec, type ParamGroup, type ParamView, type ParamsInput } from './optimizer';

/** Options of {@link Adagrad}; every one can also be set per parameter group. */
export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** η: the learning rate decays as γ / (1 + (t − 1) η) (default 0). */
  lrDecay?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** τ: the starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** ε added to the denominator (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type AdagradGroup = ParamGroup<Required<AdagradOptions>>;

const ADAGRAD_KEYS = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize'] as const;

/**
 * Adagrad (Duchi et al.), as `torch.optim.Adagrad`: each weight's step is divided by the root of
 * the sum of its squared gradients so far.
 *
 * ```text
 * input: γ (lr), θ₀ (params), f(θ) (objective), λ (weightDecay), τ (initialAccumulatorValue),
 *        η (lrDecay), ε (eps), maximize
 * initialize: sum₀ ← τ  (state sum, created with the optimizer)
 * for t = 1, 2, ...                                  (t = state step)
 *   g_t ← ∇θ f_t(θ_{t-1})                            (−∇ if maximize)
 *   clr ← γ / (1 + (t − 1) η)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   sum_t ← sum_{t-1} + g_t²
 *   θ_t ← θ_{t-1} − clr · g_t / (√sum_t + ε)
 * ```
 *
 * ```ts
 * const opt = new Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-3 });
 * ```
 */
export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  constructor(params: ParamsInput<Required<AdagradOptions>>, options: AdagradOptions = {}) {
    checkKeys('Adagrad', options, ADAGRAD_KEYS);
    super(params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
    });
  }

  protected validateGroup(group: AdagradGroup, where: string): void {
    checkNumber(where, 'lr', group.lr, { min: 0, what: 'the learning rate' });
    checkNumber(where, 'lrDecay', group.lrDecay, { min: 0 });
    checkNumber(where, 'weightDecay', group.weightDecay, { min: 0 });
    checkNumber(where, 'initialAccumulatorValue', group.initialAccumulatorValue, { min: 0 });
    checkNumber(where, 'eps', group.eps, { min: 0 });
    checkBoolean(where, 'maximize', group.maximize);
  }

  protected bufferSpec(): BufferSpec {
    return { required: ['sum'] };
  }

  /** As PyTorch: the state (step 0, sum filled with initialAccumulatorValue) exists from the start. */
  protected override initParamState(param: Variable, group: AdagradGroup): void {
    this.stateOf(param).buffers.sum = newBuffer(param, group.initialAccumulatorValue);
  }

  protected update(view: ParamView, group: AdagradGroup): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    const step = ++view.state.step;
    const sum = this.buffer(view, 'sum', group.initialAccumulatorValue);
    const clr = lr / (1 + (step - 1) * lrDecay);
    const sign = maximize ? -1 : 1;
    const p = view.data;
    const g = view.grad;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      let gi = sign * g[i];
      if (weightDecay !== 0) gi += weightDecay * p[i];
      const s = sum[i] + gi * gi;
      sum[i] = s;
      p[i] = p[i] - clr * (gi / (Math.sqrt(s) + eps));
    }
  }
}
