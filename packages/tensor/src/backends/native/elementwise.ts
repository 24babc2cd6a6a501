/**
 * Native `binary` ({@link NATIVE_BINARY_OPS}) and `unary` ({@link NATIVE_UNARY_OPS}) when the
 * operands and the result share one float dtype and each operand is contiguous, a broadcast scalar
 * or repeated along leading dims (a bias row). Arithmetic results are identical to the js
 * backend's; exp/log/sin/cos/tanh/sigmoid may differ in the last bit (C's libm instead of V8's).
 * Other dtypes, ops and layouts go to js. Tiny ops ({@link SMALL_ELEMENTWISE} elements) run as
 * plain JS loops here.
 */
import type { Backend, BinaryOp, KernelName, UnaryOp, View } from '../../backend';
import type { DType, Storage } from '../../dtype';
import { jsBackend } from '../js';
import { allocOutput, isFloatDType, numel, period, type FloatArray, type NativeAddon } from './addon';

export interface ElementwiseAddon {
  binary(op: number, a: FloatArray, aOff: number, aPeriod: number, b: FloatArray, bOff: number, bPeriod: number, out: FloatArray): void;
  unary(op: number, x: FloatArray, xOff: number, out: FloatArray): void;
}

export const ELEMENTWISE_KERNELS: readonly KernelName[] = ['binary', 'unary'];

/** Numbering shared with native/elementwise.h. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, sign: 2, exp: 3, log: 4, sqrt: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9, relu: 10, step: 11,
};

export const NATIVE_BINARY_OPS = Object.keys(BINARY_CODES) as readonly BinaryOp[];
export const NATIVE_UNARY_OPS = Object.keys(UNARY_CODES) as readonly UnaryOp[];

/**
 * Sizes up to which a plain JS loop beats a call into C++ (measured on x86-64, Node 20: the call
 * plus handing V8's small on-heap typed arrays to C++ costs about 0.3-0.6 us).
 */
export const SMALL_ELEMENTWISE = 64;

// Same formulas as the js backend (and native/elementwise.cc), so results are identical to js.

function smallBinary(code: number, a: FloatArray, ao: number, pa: number, b: FloatArray, bo: number, pb: number, out: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const x = a[ao + (i % pa)];
    const y = b[bo + (i % pb)];
    let r: number;
    switch (code) {
      case 0: r = x + y; break;
      case 1: r = x - y; break;
      case 2: r = x * y; break;
      case 3: r = x / y; break;
      case 4: r = Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y; break;
      default: r = Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y;
    }
    out[i] = r;
  }
}

function smallUnary(code: number, x: FloatArray, xo: number, out: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    let r: number;
    switch (code) {
      case 0: r = -v; break;
      case 1: r = Math.abs(v); break;
      case 2: r = v > 0 ? 1 : v < 0 ? -1 : v; break;
      case 3: r = Math.exp(v); break;
      case 4: r = Math.log(v); break;
      case 5: r = Math.sqrt(v); break;
      case 6: r = Math.sin(v); break;
      case 7: r = Math.cos(v); break;
      case 8: r = Math.tanh(v); break;
      case 9: r = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)); break;
      case 10: r = v > 0 ? v : Number.isNaN(v) ? v : 0; break;
      default: r = v > 0 ? 1 : Number.isNaN(v) ? v : 0;
    }
    out[i] = r;
  }
}

export function elementwiseKernels(addon: NativeAddon): Pick<Backend, 'binary' | 'unary'> {
  function binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage {
    const code = BINARY_CODES[op];
    if (code !== undefined && isFloatDType(outDtype) && a.dtype === outDtype && b.dtype === outDtype) {
      const n = numel(a.shape);
      if (n === 0) return allocOutput(outDtype, 0);
      const pa = period(a);
      const pb = pa > 0 ? period(b) : -1;
      if (pb > 0) {
        const out = allocOutput(outDtype, n);
        const as = a.storage as FloatArray;
        const bs = b.storage as FloatArray;
        if (n <= SMALL_ELEMENTWISE) smallBinary(code, as, a.offset, pa, bs, b.offset, pb, out);
        else addon.binary(code, as, a.offset, pa, bs, b.offset, pb, out);
        return out;
      }
    }
    return jsBackend.binary(op, a, b, outDtype);
  }

  function unary(op: UnaryOp, x: View, outDtype: DType): Storage {
    const code = UNARY_CODES[op];
    if (code !== undefined && isFloatDType(outDtype) && x.dtype === outDtype) {
      const n = numel(x.shape);
      if (n === 0) return allocOutput(outDtype, 0);
      if (period(x) === n) {
        const out = allocOutput(outDtype, n);
        const xs = x.storage as FloatArray;
        if (n <= SMALL_ELEMENTWISE) smallUnary(code, xs, x.offset, out);
        else addon.unary(code, xs, x.offset, out);
        return out;
      }
    }
    return jsBackend.unary(op, x, outDtype);
  }

  return { binary, unary };
}
