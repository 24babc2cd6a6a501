/**
 * Input checks and printing helpers shared by the layers (internal: not exported from the package).
 *
 * Every check names the layer (`Linear(784 -> 300)`), the shape it got and the fix.
 */
import { Variable } from '@dl/autograd';
import { DTypeError, ShapeError, Tensor, ValueError, fmtShape, type DType } from '@dl/tensor';
import { asVariable, type Input } from './module';

/** Either `n` or `[h, w]`: how kernel sizes, strides, paddings and dilations are given. */
export type Pair = number | readonly [number, number];

/** `[n, n]` for a number, a checked copy for a pair (integers >= min). */
export function toPair(label: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if ((typeof v !== 'number' && (!Array.isArray(v) || v.length !== 2)) || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new ValueError(`${label}: ${name} must be an integer >= ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Python's repr of a number, a pair (a tuple) or a string, for `extraRepr`: `2`, `(2, 2)`, `'same'`. */
export function pyRepr(v: number | boolean | string | null | readonly number[]): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return pyNumber(v);
  return v.length === 1 ? `(${pyNumber(v[0])},)` : `(${v.map((x) => pyNumber(x)).join(', ')})`;
}

/**
 * Python's formatting of a number: ints as they are; floats (`isFloat`) as Python's `repr` does:
 * the shortest round-trip digits, scientific below 1e-4 or from 1e16 (`1e-05`), and `1.0` for integral values.
 */
export function pyNumber(v: number, isFloat = false): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && !isFloat) return String(v);
  const [mant, expStr] = v.toExponential().split('e');
  const exp = Number(expStr);
  if (v !== 0 && (exp < -4 || exp >= 16)) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}

/**
 * Checks a layer input: a Tensor or Variable of a floating dtype equal to the layer's parameters'
 * dtype (PyTorch does not mix float32 and float64 in one layer either). Returns it as a Variable.
 */
export function floatInput(label: string, x: Input, dtype: DType | null): Variable {
  if (!(x instanceof Tensor) && !(x instanceof Variable)) {
    throw new ValueError(`${label}: expected a Tensor or a Variable as input, got ${x === null ? 'null' : typeof x}`);
  }
  const v = asVariable(x);
  if (v.dtype !== 'float32' && v.dtype !== 'float64') {
    throw new DTypeError(`${label}: input ${fmtShape(v.shape)} has dtype ${v.dtype}, expected a floating-point input; convert it with .float()`);
  }
  if (dtype !== null && v.dtype !== dtype) {
    const fix = dtype === 'float64' ? '.double()' : '.float()';
    throw new DTypeError(
      `${label}: input ${fmtShape(v.shape)} is ${v.dtype} but the layer's parameters are ${dtype}; ` +
        `convert the input with x${fix} or the model with model.${v.dtype === 'float64' ? 'double()' : 'float()'}`,
    );
  }
  return v;
}

/** Throws unless `v.ndim` is one of `allowed`, describing what each accepted rank means. */
export function checkNdim(label: string, v: Variable, allowed: readonly number[], what: string): void {
  if (!allowed.includes(v.ndim)) {
    throw new ShapeError(`${label}: expected ${what}, got a ${v.ndim}-D input ${fmtShape(v.shape)}`);
  }
}

/** The dtype of a module's first parameter (null for a module without parameters). */
export function paramDType(...ps: (Variable | null | undefined)[]): DType | null {
  for (const p of ps) if (p) return p.dtype;
  return null;
}
