/**
 * Adadelta: PyTorch 1.13's `torch.optim.Adadelta` update.
 */
import { checkBoolean, checkKeys, checkNumber } from './checks';
import { Optimizer, type BufferSpec, type ParamGroup, type ParamView, type ParamsInput } from './optimizer';

/** Options of {@link Adadelta}; every one can also be set per parameter group. */
export interface AdadeltaOptions {
  /** γ: scales the step before it is applied (default 1.0). */
  lr?: number;
  /** ρ: decay rate of the running averages (default 0.9). */
  rho?: number;
  /** ε inside the square roots (default 1e-6). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type AdadeltaGroup = ParamGroup<Required<AdadeltaOptions>>;

const ADADELTA_KEYS = ['lr', 'rho', 'eps', 'weightDecay', 'maximize'] as const;

/**
 * Adadelta (Zeiler), as `torch.optim.Adadelta`: the step is the ratio of the RMS of past updates
 * to the RMS of past gradients, times the gradient.
 *
 * ```text
 * input: γ (lr), θ₀ (params), f(θ) (objective), ρ (rho), λ (weightDecay), ε (eps), maximize
 * initialize: v₀ ← 0 (squareAvg), u₀ ← 0 (accDelta)
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1})                            (−∇ if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   v_t ← ρ v_{t-1} + (1 − ρ) g_t²
 *   Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
 *   u_t ← ρ u_{t-1} + (1 − ρ) Δx_t²
 *   θ_t ← θ_{t-1} − γ Δx_t
 * ```
 *
 * ```ts
 * const opt = new Adadelta(model.parameters()); // lr 1.0, rho 0.9
 * ```
 */
export class Adadelta extends Optimizer<Required<AdadeltaOptions>> {
  constructor(params: ParamsInput<Required<AdadeltaOptions>>, options: AdadeltaOptions = {}) {
    checkKeys('Adadelta', options, ADADELTA_KEYS);
    super(params, {
      lr: options.lr ?? 1.0,
      rho: options.rho ?? 0.9,
      eps: options.eps ?? 1e-6,
      weightDecay: options.weightDecay ?? 0,
      maximize: options.maximize ?? false,
    });
  }

  protected validateGroup(group: AdadeltaGroup, where: string): void {
    checkNumber(where, 'lr', group.lr, { min: 0, what: 'the learning rate' });
    checkNumber(where, 'rho', group.rho, { min: 0, max: 1 });
    checkNumber(where, 'eps', group.eps, { min: 0 });
    checkNumber(where, 'weightDecay', group.weightDecay, { min: 0 });
    checkBoolean(where, 'maximize', group.maximize);
  }

  protected bufferSpec(): BufferSpec {
    return { required: ['squareAvg', 'accDelta'] };
  }

  protected update(view: ParamView, group: AdadeltaGroup): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    view.state.step++;
    const squareAvg = this.buffer(view, 'squareAvg');
    const accDelta = this.buffer(view, 'accDelta');
    const sign = maximize ? -1 : 1;
    const a = 1 - rho;
    const p = view.data;
    const g = view.grad;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      let gi = sign * g[i];
      if (weightDecay !== 0) gi += weightDecay * p[i];
      const v = rho * squareAvg[i] + a * gi * gi;
      squareAvg[i] = v;
      const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(v + eps)) * gi;
      accDelta[i] = rho * accDelta[i] + a * delta * delta;
      p[i] = p[i] - lr * delta;
    }
  }
}
