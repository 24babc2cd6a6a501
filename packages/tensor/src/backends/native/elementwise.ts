/**
 * Native elementwise kernels: `binary`, `unary`, `cast`, `assign` and `where` over every dtype
 * (float32, float64, int32, bool) and any strides (contiguous, broadcast stride 0, transposed,
 * sliced), with results identical to the js backend's:
 *
 * - `binary(op, a, b, outDtype)`, `out[i] = op(a[i], b[i])`: every {@link BinaryOp} when `a` and `b`
 *   share a dtype and `outDtype` is that dtype or `bool` (what the op layer sends: it promotes
 *   both operands first). int32 arithmetic wraps as the js backend's (`Math.imul`, `| 0`,
 *   exponentiation by squaring); comparisons and logical ops give bool.
 * - `unary(op, x, outDtype)`: every {@link UnaryOp}, every input/output dtype pair.
 * - `cast(x, dtype)`: a contiguous copy converted as a typed-array store converts (float -> int32
 *   truncates toward 0 and wraps, NaN -> 0; anything -> bool is `v !== 0`, NaN -> true).
 * - `assign(dst, src)`: writes into the strided view `dst`; when `src` and `dst` share memory,
 *   src is read completely first (through a temporary), as in js.
 * - `where(cond, a, b, outDtype)`: `a`, `b` of `outDtype`, `cond` of any dtype.
 *
 * Arithmetic, comparisons and copies are bit-identical to js. exp, log, sin, cos, tanh, sigmoid and
 * pow are computed in double and rounded: float64 ones may differ from js (V8's libm) in the last
 * bit; float32 exp/log/tanh/sigmoid use vector code (native/vmath.h) and equal js except, rarely,
 * by one float32 ulp.
 *
 * What stays with js: views of more than {@link MAX_NATIVE_DIMS} dims, `binary` with operands of
 * two dtypes or an output dtype other than theirs or bool, `where` whose a/b dtype is not the
 * output dtype (the op layer never sends these). Tiny binary, unary, cast and assign calls
 * ({@link SMALL_ELEMENTWISE} elements or fewer, contiguous / scalar / repeated-row layouts) run as
 * plain JS loops here, since a call into C++ costs more than the work; `where` always calls C++.
 *
 * Example: `binary('add', a, b, 'float32')` with a `[2, 3]` contiguous and b a `[3]` row expanded
 * to `[2, 3]` (strides `[0, 1]`) reaches `addon.binary(0, a, 0, 6, b, 0, 3, out)`; with a transposed
 * instead it reaches `addon.binaryStrided(0, a, aGeom, b, bGeom, out)`.
 */
import type { Backend, BinaryOp, KernelName, UnaryOp, View } from '../../backend';
import type { DType, Storage } from '../../dtype';
import { jsBackend } from '../js';
import { MAX_NATIVE_DIMS, allocOutput, numel, period, type NativeAddon } from './addon';

export interface ElementwiseAddon {
  /** `out[i] = op(a[aOff + i % aPeriod], b[bOff + i % bPeriod])`; a, b of one type, out of that type or Uint8Array. */
  binary(op: number, a: Storage, aOff: number, aPeriod: number, b: Storage, bOff: number, bPeriod: number, out: Storage): void;
  /** `out[i] = op(a[.], b[.])` over two strided views of one shape (geometries from `geometry()`). */
  binaryStrided(op: number, a: Storage, aGeom: Float64Array, b: Storage, bGeom: Float64Array, out: Storage): void;
  /** `out[i] = op(x[xOff + i])`, out of any type. */
  unary(op: number, x: Storage, xOff: number, out: Storage): void;
  unaryStrided(op: number, x: Storage, xGeom: Float64Array, out: Storage): void;
  /** A contiguous copy of the view converted to out's type. */
  cast(x: Storage, xGeom: Float64Array, out: Storage): void;
  /** Writes src into the view dst, converting; overlapping src and dst are allowed. */
  assign(dst: Storage, dstGeom: Float64Array, src: Storage, srcGeom: Float64Array): void;
  /** `out[i] = cond[.] !== 0 ? a[.] : b[.]`; a, b and out of one type. */
  where(cond: Storage, condGeom: Float64Array, a: Storage, aGeom: Float64Array, b: Storage, bGeom: Float64Array, out: Storage): void;
  /** Turns the vector float32 exp/log/tanh/sigmoid on or off (libm); returns whether they are on. */
  setElementwiseSimd(on: boolean): boolean;
}

export const ELEMENTWISE_KERNELS: readonly KernelName[] = ['binary', 'unary', 'cast', 'assign', 'where'];

/** Numbering shared with native/elementwise.h. */
const BINARY_CODES: Record<BinaryOp, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6,
  eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12, logicalAnd: 13, logicalOr: 14, logicalXor: 15,
};
const UNARY_CODES: Record<UnaryOp, number> = {
  neg: 0, abs: 1, sign: 2, exp: 3, log: 4, sqrt: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9, relu: 10, step: 11, logicalNot: 12,
};
/** Codes from this one on give 0/1 (comparisons and logical ops). */
const FIRST_PREDICATE = BINARY_CODES.eq;

export const NATIVE_BINARY_OPS = Object.keys(BINARY_CODES) as readonly BinaryOp[];
export const NATIVE_UNARY_OPS = Object.keys(UNARY_CODES) as readonly UnaryOp[];

/**
 * Sizes up to which a plain JS loop beats a call into C++ (measured on x86-64, Node 20: the call
 * plus handing V8's small on-heap typed arrays to C++ costs about 0.3-0.6 us).
 */
export const SMALL_ELEMENTWISE = 64;

// ---- the tiny-array loops (the js backend's formulas, stored into the output typed array) -------

// These rely on the store of the output typed array doing the conversion: Float32Array rounds,
// Int32Array applies ToInt32 (what the js backend's `Math.trunc(v) | 0` does for finite v, 0 for
// NaN and inf). Cases that need more (int32 mul/pow, arithmetic stored as bool) go to C++.

function smallBinary(code: number, a: Storage, ao: number, pa: number, b: Storage, bo: number, pb: number, out: Storage): void {
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
      case 4: r = Math.pow(x, y); break;
      case 5: r = Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y; break;
      case 6: r = Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y; break;
      case 7: r = x === y ? 1 : 0; break;
      case 8: r = x !== y ? 1 : 0; break;
      case 9: r = x < y ? 1 : 0; break;
      case 10: r = x <= y ? 1 : 0; break;
      case 11: r = x > y ? 1 : 0; break;
      case 12: r = x >= y ? 1 : 0; break;
      case 13: r = x !== 0 && y !== 0 ? 1 : 0; break;
      case 14: r = x !== 0 || y !== 0 ? 1 : 0; break;
      default: r = (x !== 0) !== (y !== 0) ? 1 : 0;
    }
    out[i] = r;
  }
}

function smallUnary(code: number, x: Storage, xo: number, px: number, out: Storage): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = x[xo + (i % px)];
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
      case 11: r = v > 0 ? 1 : Number.isNaN(v) ? v : 0; break;
      default: r = v === 0 ? 1 : 0;
    }
    out[i] = r;
  }
}

/** `out[i] = convert(x[xo + i % px])`; bool outputs are normalised to 0/1 (`v !== 0`, NaN -> 1). */
function smallCopy(x: Storage, xo: number, px: number, out: Storage, toBool: boolean): void {
  const n = out.length;
  if (toBool) for (let i = 0; i < n; i++) out[i] = x[xo + (i % px)] !== 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) out[i] = x[xo + (i % px)];
}

// ---- geometry arguments without allocation -----------------------------------------------------

/** One reusable Float64Array per argument slot and ndim (calls are synchronous, so reuse is safe). */
const GEOMETRY: Float64Array[][] = [[], [], []];

/** `[offset, ndim, ...shape, ...strides]` of `v` (see `geometry()` in addon.ts) in scratch slot `slot`. */
function geom(v: View, slot: number): Float64Array {
  const nd = v.shape.length;
  let g = GEOMETRY[slot][nd];
  if (g === undefined) g = GEOMETRY[slot][nd] = new Float64Array(2 + 2 * nd);
  g[0] = v.offset;
  g[1] = nd;
  for (let i = 0; i < nd; i++) {
    g[2 + i] = v.shape[i];
    g[2 + nd + i] = v.strides[i];
  }
  return g;
}

export function elementwiseKernels(addon: NativeAddon): Pick<Backend, 'binary' | 'unary' | 'cast' | 'assign' | 'where'> {
  function binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage {
    const code = BINARY_CODES[op];
    if (code === undefined || a.dtype !== b.dtype || (outDtype !== a.dtype && outDtype !== 'bool') || a.shape.length > MAX_NATIVE_DIMS) {
      return jsBackend.binary(op, a, b, outDtype);
    }
    const n = numel(a.shape);
    const out = allocOutput(outDtype, n);
    if (n === 0) return out;
    const pa = period(a);
    const pb = pa > 0 ? period(b) : -1;
    if (pb > 0) {
      const plainStore = outDtype === 'bool' ? code >= FIRST_PREDICATE : outDtype !== 'int32' || (op !== 'mul' && op !== 'pow');
      if (n <= SMALL_ELEMENTWISE && plainStore) smallBinary(code, a.storage, a.offset, pa, b.storage, b.offset, pb, out);
      else addon.binary(code, a.storage, a.offset, pa, b.storage, b.offset, pb, out);
    } else {
      addon.binaryStrided(code, a.storage, geom(a, 0), b.storage, geom(b, 1), out);
    }
    return out;
  }

  function unary(op: UnaryOp, x: View, outDtype: DType): Storage {
    const code = UNARY_CODES[op];
    if (code === undefined || x.shape.length > MAX_NATIVE_DIMS) return jsBackend.unary(op, x, outDtype);
    const n = numel(x.shape);
    const out = allocOutput(outDtype, n);
    if (n === 0) return out;
    const px = period(x);
    if (n <= SMALL_ELEMENTWISE && px > 0 && (outDtype !== 'bool' || op === 'logicalNot')) {
      smallUnary(code, x.storage, x.offset, px, out);
    } else if (px === n) {
      addon.unary(code, x.storage, x.offset, out);
    } else {
      addon.unaryStrided(code, x.storage, geom(x, 0), out);
    }
    return out;
  }

  function cast(x: View, dtype: DType): Storage {
    if (x.shape.length > MAX_NATIVE_DIMS) return jsBackend.cast(x, dtype);
    const n = numel(x.shape);
    const out = allocOutput(dtype, n);
    if (n === 0) return out;
    const px = n <= SMALL_ELEMENTWISE ? period(x) : -1;
    if (px > 0) smallCopy(x.storage, x.offset, px, out, dtype === 'bool');
    else addon.cast(x.storage, geom(x, 0), out);
    return out;
  }

  function assign(dst: View, src: View): void {
    if (dst.shape.length > MAX_NATIVE_DIMS) return jsBackend.assign(dst, src);
    const n = numel(dst.shape);
    if (n === 0) return;
    if (n <= SMALL_ELEMENTWISE && dst.storage.buffer !== src.storage.buffer && period(dst) === n) {
      const ps = period(src);
      if (ps > 0) {
        const d = dst.storage;
        const s = src.storage;
        const o = dst.offset;
        const so = src.offset;
        if (dst.dtype === 'bool') for (let i = 0; i < n; i++) d[o + i] = s[so + (i % ps)] !== 0 ? 1 : 0;
        else for (let i = 0; i < n; i++) d[o + i] = s[so + (i % ps)];
        return;
      }
    }
    addon.assign(dst.storage, geom(dst, 0), src.storage, geom(src, 1));
  }

  function where(cond: View, a: View, b: View, outDtype: DType): Storage {
    if (a.dtype !== outDtype || b.dtype !== outDtype || cond.shape.length > MAX_NATIVE_DIMS) {
      return jsBackend.where(cond, a, b, outDtype);
    }
    const n = numel(cond.shape);
    const out = allocOutput(outDtype, n);
    if (n === 0) return out;
    addon.where(cond.storage, geom(cond, 0), a.storage, geom(a, 1), b.storage, geom(b, 2), out);
    return out;
  }

  return { binary, unary, cast, assign, where };
}
