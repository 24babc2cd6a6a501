/**
 * Stochastic gradient descent, optionally with momentum, dampening, Nesterov momentum, weight
 * decay and maximization: PyTorch 1.13's `torch.optim.SGD` update, step for step.
 */
import { ValueError } from '@dl/tensor';
import { checkBoolean, checkKeys, checkNumber } from './checks';
import { Optimizer, type BufferSpec, type FloatArray, type ParamGroup, type ParamView, type ParamsInput } from './optimizer';
import { sgdSimd, type SGDScalars } from './simd';

/** Options of {@link SGD}; every one can also be set per parameter group. */
export interface SGDOptions {
  /** Learning rate γ (no default: give it here or in every group). */
  lr?: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const SGD_KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

/**
 * Stochastic gradient descent (optionally with momentum), as `torch.optim.SGD`.
 *
 * ```text
 * input: γ (lr), θ₀ (params), f(θ) (objective), λ (weightDecay), μ (momentum), τ (dampening),
 *        nesterov, maximize
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1})                       (−∇ if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   if μ ≠ 0:
 *     if t > 1:  b_t ← μ b_{t-1} + (1 − τ) g_t      (b = state momentumBuffer)
 *     else:      b_t ← g_t                          (first step: the buffer is the gradient, undamped)
 *     if nesterov: g_t ← g_t + μ b_t
 *     else:        g_t ← b_t
 *   θ_t ← θ_{t-1} − γ g_t
 * ```
 *
 * This is PyTorch's form of momentum (`v ← μ v + g; p ← p − lr v`), not Sutskever's
 * (`v ← μ v + lr g; p ← p − v`): the two differ when the learning rate changes.
 *
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); lossFn.forward(model.forward(x), y).backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<Required<SGDOptions>> {
  constructor(params: ParamsInput<Required<SGDOptions>>, options: SGDOptions = {}) {
    checkKeys('SGD', options, SGD_KEYS);
    super(
      params,
      {
        lr: options.lr ?? NaN, // no default: every group must then give its own
        momentum: options.momentum ?? 0,
        dampening: options.dampening ?? 0,
        weightDecay: options.weightDecay ?? 0,
        nesterov: options.nesterov ?? false,
        maximize: options.maximize ?? false,
      },
      { lrRequired: options.lr === undefined },
    );
  }

  protected validateGroup(group: ParamGroup<Required<SGDOptions>>, where: string): void {
    checkNumber(where, 'lr', group.lr, { min: 0, what: 'the learning rate' });
    checkNumber(where, 'momentum', group.momentum, { min: 0 });
    checkNumber(where, 'dampening', group.dampening);
    checkNumber(where, 'weightDecay', group.weightDecay, { min: 0 });
    checkBoolean(where, 'nesterov', group.nesterov);
    checkBoolean(where, 'maximize', group.maximize);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new ValueError(
        `${where}: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${group.momentum} and ` +
          `dampening ${group.dampening}; set { momentum: 0.9 } (and no dampening) or nesterov: false`,
      );
    }
  }

  protected bufferSpec(group: ParamGroup<Required<SGDOptions>>): BufferSpec {
    return { required: [], optional: group.momentum !== 0 ? ['momentumBuffer'] : [] };
  }

  protected update(view: ParamView, group: ParamGroup<Required<SGDOptions>>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    view.state.step++;
    const scalars: SGDScalars = { lr, momentum, dampening, weightDecay, nesterov, sign: maximize ? -1 : 1 };
    if (momentum === 0) {
      if (!sgdSimd(view.data, view.grad, null, scalars)) sgdKernel(view.data, view.grad, null, false, scalars);
      return;
    }
    // first step: the buffer is the gradient itself (PyTorch clones it), undamped
    const first = view.state.buffers.momentumBuffer === undefined;
    const buf = this.buffer(view, 'momentumBuffer');
    if (first || !sgdSimd(view.data, view.grad, buf, scalars)) sgdKernel(view.data, view.grad, buf, first, scalars);
  }
}

/**
 * One pass over a parameter: d ← sign·g (+ λθ); with a buffer b: b ← d on the first step, else
 * b ← μb + (1 − τ)d, then d ← nesterov ? d + μb : b; θ ← θ − γd. Computed in double, stored in
 * the arrays' dtype.
 */
export function sgdKernel(p: FloatArray, g: FloatArray, buf: FloatArray | null, first: boolean, s: SGDScalars): void {
  const { lr, momentum, dampening, weightDecay, nesterov, sign } = s;
  const n = p.length;
  if (buf === null) {
    if (weightDecay === 0) {
      for (let i = 0; i < n; i++) p[i] = p[i] - lr * (sign * g[i]);
    } else {
      for (let i = 0; i < n; i++) p[i] = p[i] - lr * (sign * g[i] + weightDecay * p[i]);
    }
    return;
  }
  const damp = 1 - dampening;
  for (let i = 0; i < n; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    const b = first ? d : momentum * buf[i] + damp * d;
    buf[i] = b;
    p[i] = p[i] - lr * (nesterov ? d + momentum * b : b);
  }
}
