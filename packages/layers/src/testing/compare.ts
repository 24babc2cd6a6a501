/**
 * Test-only helpers: comparing tensors with reference values (excluded from the build).
 */
import { Variable } from '@dl/autograd';
import { Tensor, fmtShape, tensor, type DType } from '@dl/tensor';

/** A tensor as stored in the fixtures: shape and row-major values. */
export interface Stored {
  shape: number[];
  values: number[];
}

export function fromStored(s: Stored, dtype: DType = 'float64'): Tensor {
  return tensor(s.values, { dtype }).reshape(s.shape);
}

/**
 * Throws unless `actual` has `expected`'s shape and every element satisfies
 * `|a - e| <= rtol * (|e| + 0.01 * max|expected|)`: relative, with a floor at 1% of the tensor's
 * scale for elements that are (nearly) zero through cancellation.
 */
export function expectClose(actual: Tensor | Variable, expected: Stored | Tensor, rtol: number, what: string): void {
  const a = actual instanceof Variable ? actual.data : actual;
  const eShape = expected instanceof Tensor ? [...expected.shape] : expected.shape;
  const eVals = expected instanceof Tensor ? Array.from(expected.toTypedArray()) : expected.values;
  if (a.ndim !== eShape.length || a.shape.some((s, i) => s !== eShape[i])) {
    throw new Error(`${what}: shape ${fmtShape(a.shape)}, expected ${fmtShape(eShape)}`);
  }
  const av = a.toTypedArray();
  const scale = eVals.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < eVals.length; i++) {
    const e = eVals[i];
    const tol = rtol * (Math.abs(e) + 0.01 * scale);
    if (!(Math.abs(av[i] - e) <= tol)) {
      throw new Error(`${what}: element ${i} is ${av[i]}, expected ${e} (difference ${Math.abs(av[i] - e)}, tolerance ${tol})`);
    }
  }
}
