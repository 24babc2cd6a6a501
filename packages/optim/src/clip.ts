/**
 * Gradient clipping, as `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`: both change the
 * `.grad` of the parameters in place, between `backward()` and `optimizer.step()`.
 */
import { Variable } from '@dl/autograd';
import { Tensor, ValueError } from '@dl/tensor';
import { checkNumber } from './checks';
import { describe, type FloatArray } from './optimizer';

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw if the total norm is NaN or infinite instead of scaling by it (default false, as PyTorch 1.13). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients so that their total norm (all gradients seen as one vector) is at most
 * `maxNorm`, and returns that total norm (before clipping):
 *
 * ```text
 * totalNorm ← ‖(‖g₁‖_p, ‖g₂‖_p, ...)‖_p            (max |g| for p = Infinity)
 * clipCoef  ← min(maxNorm / (totalNorm + 1e-6), 1)
 * g_i       ← clipCoef · g_i                        for every gradient
 * ```
 *
 * Parameters without a gradient are skipped; with none at all the result is 0.
 *
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0); // before the step
 * opt.step();
 * ```
 *
 * @param params the parameters whose `.grad` to clip (or one parameter)
 * @param maxNorm the largest total norm allowed (>= 0)
 * @param normType p of the p-norm, > 0, or Infinity (default 2)
 */
export function clipGradNorm(
  params: Iterable<Variable> | Variable,
  maxNorm: number,
  normType = 2,
  opts: ClipGradNormOptions = {},
): number {
  const where = 'clipGradNorm';
  checkNumber(where, 'maxNorm', maxNorm, { min: 0 });
  checkNumber(where, 'normType', normType, { min: 0, minExclusive: true, allowInfinity: true, what: 'p of the p-norm, or Infinity' });
  const grads = gradsOf(where, params);
  if (grads.length === 0) return 0;
  const norms = grads.map((g) => vectorNorm(g.values, normType));
  const totalNorm = vectorNorm(Float64Array.from(norms), normType);
  if (opts.errorIfNonfinite && !Number.isFinite(totalNorm)) {
    throw new ValueError(
      `clipGradNorm: the total norm of order ${normType} of the gradients is ${totalNorm}, so they cannot be clipped; ` +
        'look for the NaN/Inf in the loss or the gradients, or pass { errorIfNonfinite: false } to scale by it anyway',
    );
  }
  const coef = maxNorm / (totalNorm + 1e-6);
  const clamped = coef > 1 ? 1 : coef; // keeps NaN, as torch.clamp
  for (const g of grads) {
    const v = g.values;
    for (let i = 0; i < v.length; i++) v[i] = v[i] * clamped;
    g.commit();
  }
  return totalNorm;
}

/**
 * Clamps every gradient element into [−clipValue, clipValue], in place (NaN stays NaN).
 *
 * ```ts
 * loss.backward();
 * clipGradValue(model.parameters(), 0.5);
 * opt.step();
 * ```
 */
export function clipGradValue(params: Iterable<Variable> | Variable, clipValue: number): void {
  const where = 'clipGradValue';
  checkNumber(where, 'clipValue', clipValue, { min: 0, allowInfinity: true });
  for (const g of gradsOf(where, params)) {
    const v = g.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x > clipValue) v[i] = clipValue;
      else if (x < -clipValue) v[i] = -clipValue;
    }
    g.commit();
  }
}

/** A gradient's elements, contiguous, and how to make changes to them visible in `p.grad`. */
interface GradAccess {
  values: FloatArray;
  commit(): void;
}

function gradsOf(where: string, params: Iterable<Variable> | Variable): GradAccess[] {
  let list: unknown[];
  if (params instanceof Variable) list = [params];
  else if (params !== null && typeof params === 'object' && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function') {
    list = Array.from(params as Iterable<unknown>);
  } else {
    throw new ValueError(`${where}: expected an array of parameters (e.g. model.parameters()) or one parameter, got ${describe(params)}`);
  }
  const out: GradAccess[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Variable)) throw new ValueError(`${where}: parameter ${i} is ${describe(p)}, not a Variable`);
    const grad = p.grad;
    if (grad === null) return;
    const t = grad.data;
    if (t.isContiguous() && grad.isLeaf && (t.dtype === 'float32' || t.dtype === 'float64')) {
      // in place: the gradient owns its storage (autograd gives every leaf its own copy)
      out.push({ values: (t.storage as FloatArray).subarray(t.offset, t.offset + t.numel()), commit: () => {} });
    } else {
      const copy = t.contiguous().to(p.dtype).clone();
      out.push({
        values: copy.storage as FloatArray,
        commit: () => {
          p.grad = new Variable(new Tensor(copy.storage, t.shape));
        },
      });
    }
  });
  return out;
}

/** ‖v‖_p in double: (Σ|v_i|^p)^(1/p); max |v_i| for p = Infinity (NaN if any element is NaN). */
function vectorNorm(v: FloatArray, p: number): number {
  const n = v.length;
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(v[i]);
      if (a > m || a !== a) m = a;
      if (m !== m) break;
    }
    return m;
  }
  let s = 0;
  if (p === 2) {
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    return Math.sqrt(s);
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) s += Math.abs(v[i]);
    return s;
  }
  for (let i = 0; i < n; i++) s += Math.abs(v[i]) ** p;
  return s ** (1 / p);
}
