/**
 * Elementwise kernels of the `js` backend: unary math, binary arithmetic and comparisons, `where`,
 * `cast` and `assign`. Each computes in JS doubles and stores into the output dtype (float32
 * rounds, int32 truncates toward zero and wraps, bool is 0/1).
 */
import type { BinaryOp, UnaryOp, View } from '../../backend';
import { allocStorage, type DType, type Storage } from '../../dtype';
import { offsets, readValues } from './strided';

/** `out = op(x)`. Formulas: sigmoid(x) = 1 / (1 + e^-x); relu(x) = max(x, 0); step(x) = x > 0 ? 1 : 0. */
const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), // keeps NaN and signed zero
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  step: (x) => (x > 0 ? 1 : Number.isNaN(x) ? x : 0),
  logicalNot: (x) => (x === 0 ? 1 : 0),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  logicalXor: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0),
};

/** Integer division and powers need integer semantics when the result dtype is int32. */
function intBinary(op: BinaryOp): ((a: number, b: number) => number) | null {
  if (op === 'pow') {
    return (a, b) => {
      if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
      // exponentiation by squaring, wrapping like int32 arithmetic
      let r = 1;
      let base = a;
      for (let e = b; e > 0; e = Math.floor(e / 2)) {
        if (e % 2 === 1) r = Math.imul(r, base);
        base = Math.imul(base, base);
      }
      return r;
    };
  }
  if (op === 'mul') return (a, b) => Math.imul(a, b);
  return null;
}

/** Converts one double into what a storage of `dtype` should hold. */
function storeFn(dtype: DType): ((v: number) => number) | null {
  if (dtype === 'bool') return (v) => (v !== 0 ? 1 : 0); // NaN is nonzero: true, as in PyTorch
  if (dtype === 'int32') return (v) => (Number.isFinite(v) ? Math.trunc(v) | 0 : 0);
  return null; // typed-array stores round float32 and keep float64 as is
}

function store(out: Storage, dtype: DType, values: ArrayLike<number>): Storage {
  const f = storeFn(dtype);
  if (f === null) out.set(values);
  else for (let i = 0; i < values.length; i++) out[i] = f(values[i]);
  return out;
}

export function cast(x: View, dtype: DType): Storage {
  const n = x.shape.reduce((a, b) => a * b, 1);
  return store(allocStorage(dtype, n), dtype, readValues(x));
}

export function assign(dst: View, src: View): void {
  const vals = readValues(src);
  const off = offsets(dst);
  const f = storeFn(dst.dtype);
  for (let i = 0; i < off.length; i++) dst.storage[off[i]] = f === null ? vals[i] : f(vals[i]);
}

export function unary(op: UnaryOp, x: View, outDtype: DType): Storage {
  const f = UNARY[op];
  const vals = readValues(x);
  for (let i = 0; i < vals.length; i++) vals[i] = f(vals[i]);
  return store(allocStorage(outDtype, vals.length), outDtype, vals);
}

export function binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage {
  const f = (outDtype === 'int32' ? intBinary(op) : null) ?? BINARY[op];
  const av = readValues(a);
  const bv = readValues(b);
  for (let i = 0; i < av.length; i++) av[i] = f(av[i], bv[i]);
  return store(allocStorage(outDtype, av.length), outDtype, av);
}

export function where(cond: View, a: View, b: View, outDtype: DType): Storage {
  const c = readValues(cond);
  const av = readValues(a);
  const bv = readValues(b);
  for (let i = 0; i < c.length; i++) av[i] = c[i] !== 0 ? av[i] : bv[i];
  return store(allocStorage(outDtype, av.length), outDtype, av);
}
