/**
 * Numerical differentiation and gradient checking (central differences), as PyTorch's
 * `torch.autograd.gradcheck` and DeZero's `gradient_check`.
 *
 * Central difference: `df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`, error O(eps^2).
 * Use float64: in float32 the rounding error of f (about 1e-7 |f|) divided by 2 eps swamps the result.
 *
 * ```ts
 * const x = variable(randn([3, 4], { dtype: 'float64' }), { requiresGrad: true });
 * gradcheck((x) => x.tanh().sum(), [x]); // true, or throws GradcheckError showing where it differs
 * ```
 */
import { DLError, Tensor, checkOptions, fmtShape, optionKeys } from '@dl/tensor';
import { noGrad } from './mode';
import { Variable } from './variable';

export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3): |analytical - numerical| <= atol + rtol |numerical|. */
  rtol?: number;
  /** Throw a GradcheckError on failure (default) or return false. */
  raiseException?: boolean;
}

export class GradcheckError extends DLError {}

const GRADCHECK_OPTIONS = optionKeys<GradcheckOptions>({ eps: true, atol: true, rtol: true, raiseException: true });

type Fn = (...inputs: Variable[]) => Variable | Variable[];

function outputsOf(fn: Fn, inputs: Variable[]): Variable[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? out : [out];
}

/** Storage positions of each element of a view, checking that no two elements share memory. */
function elementOffsets(v: Variable, which: number): number[] {
  const t = v.data;
  const out: number[] = [];
  const walk = (d: number, off: number) => {
    if (d === t.ndim) {
      out.push(off);
      return;
    }
    for (let i = 0; i < t.shape[d]; i++) walk(d + 1, off + i * t.strides[d]);
  };
  walk(0, t.offset);
  if (new Set(out).size !== out.length) {
    throw new GradcheckError(
      `gradcheck: input ${which} (shape ${fmtShape(t.shape)}) has elements sharing memory (e.g. from expand); ` +
        'perturbing one would change several. Pass .contiguous() of it instead',
    );
  }
  return out;
}

function flatValues(vs: Variable[]): Float64Array[] {
  return vs.map((v) => Float64Array.from(v.data.toTypedArray()));
}

/**
 * Numerical Jacobians: `result[i][o]` is a row-major `[numel(output o), numel(input i)]` matrix of
 * d output_o / d input_i, by central differences on each input element.
 */
export function numericalJacobian(fn: Fn, inputs: Variable[], eps = 1e-6): Float64Array[][] {
  return inputs.map((x, i) => {
    const offs = elementOffsets(x, i);
    const st = x.data.storage;
    let cols: Float64Array[] = [];
    let outSizes: number[] = [];
    offs.forEach((off, j) => {
      const orig = st[off];
      st[off] = orig + eps;
      const plus = noGrad(() => flatValues(outputsOf(fn, inputs)));
      st[off] = orig - eps;
      const minus = noGrad(() => flatValues(outputsOf(fn, inputs)));
      st[off] = orig;
      if (j === 0) {
        outSizes = plus.map((p) => p.length);
        cols = outSizes.map((n) => new Float64Array(n * offs.length));
      }
      plus.forEach((p, o) => {
        for (let k = 0; k < p.length; k++) cols[o][k * offs.length + j] = (p[k] - minus[o][k]) / (2 * eps);
      });
    });
    if (offs.length === 0) {
      outSizes = noGrad(() => outputsOf(fn, inputs)).map((o) => o.numel());
      cols = outSizes.map(() => new Float64Array(0));
    }
    return cols;
  });
}

/**
 * The gradient of a scalar function by central differences, one Tensor per input (for teaching:
 * compare with what `backward()` gives).
 */
export function numericalGrad(fn: (...inputs: Variable[]) => Variable, inputs: Variable[], eps = 1e-6): Tensor[] {
  const jac = numericalJacobian(fn, inputs, eps);
  return inputs.map((x, i) => {
    if (jac[i].length !== 1 || jac[i][0].length !== x.numel()) {
      throw new GradcheckError('numericalGrad: fn must return one Variable with one element; use numericalJacobian otherwise');
    }
    return new Tensor(Float64Array.from(jac[i][0]), x.shape).to(x.dtype);
  });
}

/** Analytical Jacobians by back-propagating a one-hot gradient for each output element. */
export function analyticalJacobian(fn: Fn, inputs: Variable[]): Float64Array[][] {
  const saved = inputs.map((x) => x.grad);
  try {
    const outs = outputsOf(fn, inputs);
    const jac = inputs.map(() => outs.map((o) => new Float64Array(o.numel() * 0)));
    inputs.forEach((x, i) => {
      outs.forEach((o, k) => {
        jac[i][k] = new Float64Array(o.numel() * x.numel());
      });
    });
    outs.forEach((o, k) => {
      if (!o.requiresGrad) return; // no input reaches it: its Jacobian is zero
      const n = o.numel();
      for (let e = 0; e < n; e++) {
        const g = new Float64Array(n);
        g[e] = 1;
        for (const x of inputs) x.grad = null;
        o.backward({ gradient: new Tensor(g, o.shape).to(o.dtype), retainGraph: true });
        inputs.forEach((x, i) => {
          if (!x.grad) return;
          const gx = x.grad.data.toTypedArray();
          for (let j = 0; j < gx.length; j++) jac[i][k][e * x.numel() + j] = gx[j];
        });
      }
    });
    return jac;
  } finally {
    inputs.forEach((x, i) => {
      x.grad = saved[i];
    });
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = shape[d] === 0 ? 0 : flat % shape[d];
    flat = shape[d] === 0 ? 0 : Math.floor(flat / shape[d]);
  }
  return idx;
}

/**
 * Checks backward against central differences for every input that requires grad. Returns true,
 * or throws a GradcheckError naming the output, the input and the element where they differ.
 */
export function gradcheck(fn: Fn, inputs: Variable[], opts: GradcheckOptions = {}): boolean {
  checkOptions('gradcheck', opts, GRADCHECK_OPTIONS);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  const fail = (msg: string): false => {
    if (raiseException) throw new GradcheckError(msg);
    return false;
  };
  inputs.forEach((x, i) => {
    if (!(x instanceof Variable)) throw new GradcheckError(`gradcheck: input ${i} is not a Variable`);
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new GradcheckError(
        `gradcheck: input ${i} is ${x.dtype}; use float64 inputs (variable(data, { dtype: 'float64' })), ` +
          'float32 is too imprecise for finite differences',
      );
    }
  });
  const checked = inputs.map((x) => x.requiresGrad);
  if (!checked.some(Boolean)) return fail('gradcheck: no input requires grad; nothing to check');
  const num = numericalJacobian(fn, inputs, eps);
  const ana = analyticalJacobian(fn, inputs);
  const outs = noGrad(() => outputsOf(fn, inputs));
  for (let i = 0; i < inputs.length; i++) {
    if (!checked[i]) continue;
    for (let o = 0; o < outs.length; o++) {
      const n = num[i][o];
      const a = ana[i][o];
      const cols = inputs[i].numel();
      for (let k = 0; k < n.length; k++) {
        if (!(Math.abs(a[k] - n[k]) <= atol + rtol * Math.abs(n[k]))) {
          const outIdx = unravel(Math.floor(k / cols), outs[o].shape);
          const inIdx = unravel(k % cols, inputs[i].shape);
          return fail(
            `gradcheck: Jacobian mismatch for output ${o} with respect to input ${i}, ` +
              `d out[${outIdx.join(', ')}] / d in[${inIdx.join(', ')}]: numerical ${n[k]}, analytical ${a[k]} ` +
              `(atol ${atol}, rtol ${rtol}; input shape ${fmtShape(inputs[i].shape)}, output shape ${fmtShape(outs[o].shape)})`,
          );
        }
      }
    }
  }
  return true;
}
