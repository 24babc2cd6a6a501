/**
 * RMSprop: PyTorch 1.13's `torch.optim.RMSprop` update, with momentum and the centered variant.
 */
import { checkBoolean, checkKeys, checkNumber } from './checks';
import { Optimizer, type BufferSpec, type ParamGroup, type ParamView, type ParamsInput } from './optimizer';

/** Options of {@link RMSprop}; every one can also be set per parameter group. */
export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** α: decay rate of the running average of the squared gradient (default 0.99). */
  alpha?: number;
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalize by the estimated variance of the gradient instead of its second moment (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type RMSpropGroup = ParamGroup<Required<RMSpropOptions>>;

const RMSPROP_KEYS = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize'] as const;

/**
 * RMSprop (Hinton's lecture notes; centered as in Graves 2013), as `torch.optim.RMSprop`. The
 * square root is taken before ε is added (TensorFlow adds ε inside).
 *
 * ```text
 * input: α (alpha), γ (lr), θ₀ (params), f(θ) (objective), λ (weightDecay), μ (momentum), centered,
 *        ε (eps), maximize
 * initialize: v₀ ← 0 (squareAvg), b₀ ← 0 (momentumBuffer), g₀ave ← 0 (gradAvg)
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1})                            (−∇ if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   v_t ← α v_{t-1} + (1 − α) g_t²
 *   ṽ_t ← v_t
 *   if centered:
 *     g_t^ave ← α g_{t-1}^ave + (1 − α) g_t
 *     ṽ_t ← ṽ_t − (g_t^ave)²
 *   if μ > 0:
 *     b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε)
 *     θ_t ← θ_{t-1} − γ b_t
 *   else:
 *     θ_t ← θ_{t-1} − γ g_t / (√ṽ_t + ε)
 * ```
 *
 * ```ts
 * const opt = new RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 * ```
 */
export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  constructor(params: ParamsInput<Required<RMSpropOptions>>, options: RMSpropOptions = {}) {
    checkKeys('RMSprop', options, RMSPROP_KEYS);
    super(params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validateGroup(group: RMSpropGroup, where: string): void {
    checkNumber(where, 'lr', group.lr, { min: 0, what: 'the learning rate' });
    checkNumber(where, 'alpha', group.alpha, { min: 0 });
    checkNumber(where, 'eps', group.eps, { min: 0 });
    checkNumber(where, 'weightDecay', group.weightDecay, { min: 0 });
    checkNumber(where, 'momentum', group.momentum, { min: 0 });
    checkBoolean(where, 'centered', group.centered);
    checkBoolean(where, 'maximize', group.maximize);
  }

  protected bufferSpec(group: RMSpropGroup): BufferSpec {
    const required = ['squareAvg'];
    if (group.momentum > 0) required.push('momentumBuffer');
    if (group.centered) required.push('gradAvg');
    return { required };
  }

  protected update(view: ParamView, group: RMSpropGroup): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    view.state.step++;
    const squareAvg = this.buffer(view, 'squareAvg');
    const gradAvg = centered ? this.buffer(view, 'gradAvg') : null;
    const buf = momentum > 0 ? this.buffer(view, 'momentumBuffer') : null;
    const sign = maximize ? -1 : 1;
    const a = 1 - alpha;
    const p = view.data;
    const g = view.grad;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      let gi = sign * g[i];
      if (weightDecay !== 0) gi += weightDecay * p[i];
      const v = alpha * squareAvg[i] + a * gi * gi;
      squareAvg[i] = v;
      let avg: number;
      if (gradAvg !== null) {
        const ga = alpha * gradAvg[i] + a * gi;
        gradAvg[i] = ga;
        avg = Math.sqrt(v - ga * ga) + eps;
      } else {
        avg = Math.sqrt(v) + eps;
      }
      if (buf !== null) {
        const b = momentum * buf[i] + gi / avg;
        buf[i] = b;
        p[i] = p[i] - lr * b;
      } else {
        p[i] = p[i] - lr * (gi / avg);
      }
    }
  }
}
