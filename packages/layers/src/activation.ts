/**
 * Activation functions, as modules (`new ReLU()`, for Sequential) and as functions (`relu(x)`,
 * also reachable as `functional.relu`):
 *
 * | name        | f(x)                                                     | f'(x)                         |
 * |-------------|----------------------------------------------------------|-------------------------------|
 * | relu        | max(x, 0)                                                | 1 if x > 0 else 0             |
 * | leakyRelu   | x if x > 0 else a x                                      | 1 if x > 0 else a             |
 * | gelu        | x Phi(x) = x/2 (1 + erf(x / sqrt 2))                     | Phi(x) + x phi(x)             |
 * | gelu 'tanh' | x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))            | (composed)                    |
 * | sigmoid     | 1 / (1 + exp(-x))                                        | s (1 - s)                     |
 * | tanh        | (e^x - e^-x) / (e^x + e^-x)                              | 1 - t^2                       |
 * | softmax     | exp(x_i) / sum_j exp(x_j) along `dim`                    | y (gy - sum(gy y))            |
 * | logSoftmax  | x_i - log sum_j exp(x_j) along `dim`                     | gy - softmax sum(gy)          |
 * | step        | 1 if x > 0 else 0 (the course's threshold unit)          | 0                             |
 *
 * ```ts
 * import { Sequential, Linear, GELU, functional as F } from '@dl/layers';
 * const mlp = new Sequential(new Linear(4, 8), new GELU(), new Linear(8, 2));
 * const p = F.softmax(mlp.call(x), -1);
 * ```
 */
import {
  Function,
  Variable,
  add,
  exp,
  logSoftmax as agLogSoftmax,
  mul,
  relu as agRelu,
  sigmoid as agSigmoid,
  softmax as agSoftmax,
  step as agStep,
  tanh as agTanh,
  where,
} from '@dl/autograd';
import { Tensor, ValueError, allocStorage } from '@dl/tensor';
import { pyNumber } from './checks';
import { Module, asVariable, type Input } from './module';

// ---- erf -------------------------------------------------------------------------------------------

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_PI = Math.sqrt(Math.PI);

/**
 * erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt in double precision (about 1e-15 absolute error):
 * - |x| < 2.5: the series `erf(z) = 2/sqrt(pi) exp(-z^2) sum_n (2 z^2)^n z / (1 3 5 ... (2n+1))`
 *   (positive terms, so no cancellation);
 * - 2.5 <= |x| < 6: `erf = 1 - erfc` with erfc's continued fraction
 *   `erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...))))`, evaluated by Lentz's method;
 * - |x| >= 6: +-1 (erfc(6) is below half an ulp of 1).
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  let r: number;
  if (z < 2.5) {
    const z2 = 2 * z * z;
    let term = z;
    let sum = z;
    for (let n = 0; n < 100; n++) {
      term *= z2 / (2 * n + 3);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
  } else if (z < 6) {
    const tiny = 1e-300;
    let f = z;
    let c = z;
    let d = 0;
    for (let n = 1; n < 200; n++) {
      const a = n / 2;
      d = z + a * d;
      d = 1 / (d === 0 ? tiny : d);
      c = z + a / c;
      if (c === 0) c = tiny;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-z * z) / SQRT_PI / f;
  } else r = 1;
  return x < 0 ? -r : r;
}

/**
 * The error function as a differentiable op: forward elementwise in double precision (see
 * {@link erfScalar}), backward `gx = gy * 2/sqrt(pi) * exp(-x^2)` with Variable ops (so it can be
 * differentiated again). (@dl/autograd has no erf primitive yet.)
 */
class Erf extends Function {
  forward(x: Tensor): Tensor {
    const src = x.toTypedArray();
    const out = allocStorage(x.dtype, src.length);
    for (let i = 0; i < src.length; i++) out[i] = erfScalar(src[i]);
    return new Tensor(out, x.shape);
  }
  backward(gy: Variable): Variable {
    const x = this.inputs[0];
    return mul(gy, mul(exp(mul(mul(x, x), -1)), TWO_OVER_SQRT_PI));
  }
}

function floatVariable(op: string, x: Input): Variable {
  const v = asVariable(x);
  if (v.dtype !== 'float32' && v.dtype !== 'float64') {
    throw new ValueError(`${op}: expected a floating-point input, got ${v.dtype}; convert it with .float()`);
  }
  return v;
}

/** The error function `erf(x)`, elementwise (float inputs). */
export function erf(x: Input): Variable {
  return new Erf().apply(floatVariable('erf', x));
}

// ---- functional forms ----------------------------------------------------------------------------

/** `max(x, 0)` elementwise. */
export function relu(x: Input): Variable {
  return agRelu(asVariable(x));
}

/** `x` where x > 0, `negativeSlope * x` elsewhere (default slope 0.01, as PyTorch). */
export function leakyRelu(x: Input, negativeSlope = 0.01): Variable {
  const v = floatVariable('leakyRelu', x);
  return where(v.data.gt(0), v, mul(v, negativeSlope));
}

/** GELU's two forms: the exact one with erf ('none', PyTorch's default) or the tanh approximation. */
export type GeluApproximate = 'none' | 'tanh';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit: `x Phi(x) = x/2 (1 + erf(x / sqrt 2))`, or with `approximate: 'tanh'`
 * `x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
 */
export function gelu(x: Input, approximate: GeluApproximate = 'none'): Variable {
  const v = floatVariable('gelu', x);
  if (approximate === 'tanh') {
    const inner = mul(add(v, mul(mul(mul(v, v), v), 0.044715)), SQRT_2_OVER_PI);
    return mul(mul(v, 0.5), add(agTanh(inner), 1));
  }
  if (approximate !== 'none') throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return mul(mul(v, 0.5), add(erf(mul(v, Math.SQRT1_2)), 1));
}

/** `1 / (1 + exp(-x))` elementwise. */
export function sigmoid(x: Input): Variable {
  return agSigmoid(asVariable(x));
}

/** Hyperbolic tangent elementwise. */
export function tanh(x: Input): Variable {
  return agTanh(asVariable(x));
}

/** PyTorch's choice when no dim is given (deprecated there): dim 0 for 0-, 1- and 3-D inputs, else dim 1. */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** `exp(x_i) / sum_j exp(x_j)` along `dim` (computed stably). Without dim, PyTorch's legacy implicit choice. */
export function softmax(x: Input, dim?: number | null): Variable {
  const v = asVariable(x);
  return agSoftmax(v, dim ?? implicitDim(v.ndim));
}

/** `x_i - logsumexp_j(x_j)` along `dim` (stable). Without dim, PyTorch's legacy implicit choice. */
export function logSoftmax(x: Input, dim?: number | null): Variable {
  const v = asVariable(x);
  return agLogSoftmax(v, dim ?? implicitDim(v.ndim));
}

/** The course's step (threshold) function: 1 where x > 0, else 0; its derivative is taken as 0. */
export function step(x: Input): Variable {
  return agStep(asVariable(x));
}

// ---- modules -------------------------------------------------------------------------------------

/** `max(x, 0)`. Shapes: any -> the same. `new ReLU().toString() === 'ReLU()'`. */
export class ReLU extends Module {
  forward(x: Input): Variable {
    return relu(x);
  }
}

/**
 * `x` for x > 0, `negativeSlope * x` otherwise (default 0.01). Shapes: any -> the same.
 * `new LeakyReLU(0.2).toString() === 'LeakyReLU(negative_slope=0.2)'`.
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
      throw new ValueError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
    }
  }
  forward(x: Input): Variable {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyNumber(this.negativeSlope, true)}`;
  }
}

/**
 * Gaussian error linear unit `x Phi(x)` (exact, with erf) or its tanh approximation.
 * Shapes: any -> the same. `new GELU().toString() === "GELU(approximate='none')"`.
 */
export class GELU extends Module {
  constructor(readonly approximate: GeluApproximate = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new ValueError(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
    }
  }
  forward(x: Input): Variable {
    return gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** `1 / (1 + exp(-x))`. Shapes: any -> the same. */
export class Sigmoid extends Module {
  forward(x: Input): Variable {
    return sigmoid(x);
  }
}

/** `tanh(x)`. Shapes: any -> the same. */
export class Tanh extends Module {
  forward(x: Input): Variable {
    return tanh(x);
  }
}

/**
 * Softmax along `dim`: `y_i = exp(x_i) / sum_j exp(x_j)`; each slice along dim sums to 1.
 * Shapes: any -> the same. Without a dim, PyTorch's legacy implicit choice (dim 0 for 0/1/3-D inputs, else 1).
 *
 * ```ts
 * new Softmax(-1).call(logits); // probabilities over the last dim
 * ```
 */
export class Softmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null && !Number.isInteger(dim)) throw new ValueError(`Softmax: dim must be an integer, got ${dim}`);
  }
  forward(x: Input): Variable {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/** `log(softmax(x))` along `dim`, computed stably as `x - logsumexp(x)`. Shapes: any -> the same. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null && !Number.isInteger(dim)) throw new ValueError(`LogSoftmax: dim must be an integer, got ${dim}`);
  }
  forward(x: Input): Variable {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/**
 * The course's step (Heaviside) unit, `1 if x > 0 else 0`, as in the perceptron; its derivative is
 * 0 almost everywhere, so nothing before it learns by gradient descent. Shapes: any -> the same.
 */
export class Step extends Module {
  forward(x: Input): Variable {
    return step(x);
  }
}
