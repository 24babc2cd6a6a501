/**
 * Adam and AdamW: PyTorch 1.13's `torch.optim.Adam` / `torch.optim.AdamW` updates (single-tensor
 * form), with amsgrad and maximize, as one fused loop per parameter.
 */
import { checkBetas, checkBoolean, checkKeys, checkNumber } from './checks';
import { adamSimd, type AdamScalars } from './simd';
import { Optimizer, type BufferSpec, type FloatArray, type ParamGroup, type ParamView, type ParamsInput } from './optimizer';

/** Options of {@link Adam} and {@link AdamW}; every one can also be set per parameter group. */
export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** [β₁, β₂]: decay rates of the running averages of the gradient and of its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
  /** λ: L2 penalty added to the gradient for Adam (default 0); decoupled decay rate for AdamW (default 1e-2). */
  weightDecay?: number;
  /** Use the AMSGrad variant: the maximum of the second moments so far (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

type AdamGroup = ParamGroup<Required<AdamOptions>>;

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

/** What Adam and AdamW share; they differ only in how weight decay enters. */
abstract class AdamBase extends Optimizer<Required<AdamOptions>> {
  /** true for AdamW: θ ← θ (1 − γλ) before the update instead of g ← g + λθ. */
  protected abstract readonly decoupled: boolean;

  protected validateGroup(group: AdamGroup, where: string): void {
    checkNumber(where, 'lr', group.lr, { min: 0, what: 'the learning rate' });
    checkBetas(where, group.betas);
    checkNumber(where, 'eps', group.eps, { min: 0 });
    checkNumber(where, 'weightDecay', group.weightDecay, { min: 0 });
    checkBoolean(where, 'amsgrad', group.amsgrad);
    checkBoolean(where, 'maximize', group.maximize);
  }

  protected bufferSpec(group: AdamGroup): BufferSpec {
    return group.amsgrad ? { required: ['expAvg', 'expAvgSq', 'maxExpAvgSq'] } : { required: ['expAvg', 'expAvgSq'] };
  }

  protected update(view: ParamView, group: AdamGroup): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = betas;
    const step = ++view.state.step;
    const expAvg = this.buffer(view, 'expAvg');
    const expAvgSq = this.buffer(view, 'expAvgSq');
    const maxExpAvgSq = amsgrad ? this.buffer(view, 'maxExpAvgSq') : null;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
    const decay = this.decoupled ? 1 - lr * weightDecay : 1;
    const l2 = this.decoupled ? 0 : weightDecay;
    const scalars: AdamScalars = { beta1, beta2, eps, stepSize, biasCorrection2Sqrt, decay, l2, sign: maximize ? -1 : 1 };
    // float32: four lanes at a time in WebAssembly (float32 arithmetic, as PyTorch); else the loop
    if (!adamSimd(view.data, view.grad, expAvg, expAvgSq, maxExpAvgSq, scalars)) {
      adamKernel(view.data, view.grad, expAvg, expAvgSq, maxExpAvgSq, scalars);
    }
  }
}

/**
 * One pass over a parameter: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², (v̂max ← max(v̂max, v)),
 * θ ← θ − stepSize · m / (√v / √(1−β₂ᵗ) + ε). Values are computed in double and stored in the
 * arrays' dtype.
 */
export function adamKernel(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, s: AdamScalars): void {
  const { beta1, beta2, eps, stepSize, biasCorrection2Sqrt, decay, l2, sign } = s;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const n = p.length;
  if (vMax === null && decay === 1 && l2 === 0 && sign === 1) {
    // the common case, without the branches
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = beta1 * m[i] + a1 * gi;
      const vi = beta2 * v[i] + a2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] - stepSize * (mi / (Math.sqrt(vi) / biasCorrection2Sqrt + eps));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let pi = p[i];
    let gi = sign * g[i];
    if (l2 !== 0) gi += l2 * pi;
    if (decay !== 1) pi *= decay;
    const mi = beta1 * m[i] + a1 * gi;
    const vi = beta2 * v[i] + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let vHat = vi;
    if (vMax !== null) {
      const prev = vMax[i];
      // max that propagates NaN, as torch.maximum
      if (prev > vi || prev !== prev) vHat = prev;
      vMax[i] = vHat;
    }
    p[i] = pi - stepSize * (mi / (Math.sqrt(vHat) / biasCorrection2Sqrt + eps));
  }
}

/**
 * Adam, as `torch.optim.Adam` (weight decay as an L2 term added to the gradient).
 *
 * ```text
 * input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weightDecay), amsgrad, maximize, ε (eps)
 * initialize: m₀ ← 0 (expAvg), v₀ ← 0 (expAvgSq), v̂₀max ← 0 (maxExpAvgSq)
 * for t = 1, 2, ...                                  (t = state step)
 *   g_t ← ∇θ f_t(θ_{t-1})                            (−∇ if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   m_t ← β₁ m_{t-1} + (1 − β₁) g_t
 *   v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
 *   biasCorrection1 ← 1 − β₁ᵗ;  biasCorrection2 ← 1 − β₂ᵗ
 *   stepSize ← γ / biasCorrection1
 *   if amsgrad:  v̂max_t ← max(v̂max_{t-1}, v_t);  denom ← √v̂max_t / √biasCorrection2 + ε
 *   else:        denom ← √v_t / √biasCorrection2 + ε
 *   θ_t ← θ_{t-1} − stepSize · m_t / denom
 * ```
 * (the same as θ_t ← θ_{t-1} − γ m̂_t / (√v̂_t + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).)
 *
 * ```ts
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  constructor(params: ParamsInput<Required<AdamOptions>>, options: AdamOptions = {}) {
    checkKeys('Adam', options, ADAM_KEYS);
    super(params, resolve(options, 0));
  }
}

/**
 * AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter), the
 * parameters shrunk by γλ each step instead of λθ added to the gradient.
 *
 * ```text
 * input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), ε (eps), λ (weightDecay, default 1e-2),
 *        amsgrad, maximize
 * initialize: m₀ ← 0 (expAvg), v₀ ← 0 (expAvgSq), v̂₀max ← 0 (maxExpAvgSq)
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1})                            (−∇ if maximize)
 *   θ_t ← θ_{t-1} − γ λ θ_{t-1}
 *   m_t ← β₁ m_{t-1} + (1 − β₁) g_t
 *   v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
 *   stepSize ← γ / (1 − β₁ᵗ)
 *   if amsgrad:  v̂max_t ← max(v̂max_{t-1}, v_t);  denom ← √v̂max_t / √(1 − β₂ᵗ) + ε
 *   else:        denom ← √v_t / √(1 − β₂ᵗ) + ε
 *   θ_t ← θ_t − stepSize · m_t / denom
 * ```
 *
 * ```ts
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  constructor(params: ParamsInput<Required<AdamOptions>>, options: AdamOptions = {}) {
    checkKeys('AdamW', options, ADAM_KEYS);
    super(params, resolve(options, 1e-2));
  }
}

function resolve(options: AdamOptions, weightDecay: number): Required<AdamOptions> {
  return {
    lr: options.lr ?? 1e-3,
    betas: Array.isArray(options.betas) ? [options.betas[0], options.betas[1]] : (options.betas ?? [0.9, 0.999]),
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  };
}
