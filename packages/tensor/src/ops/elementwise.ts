/**
 * Elementwise ops with broadcasting and PyTorch's type promotion (see `dtype.ts`).
 *
 * Result dtypes: arithmetic (`add`, `sub`, `mul`, `pow`, `maximum`, `minimum`) takes the promoted
 * dtype; `div` and the transcendental functions (`exp`, `log`, `sqrt`, `sin`, `cos`, `tanh`,
 * `sigmoid`) give a float for integer inputs; comparisons and logical ops give `bool`.
 */
import { getBackend, type BinaryOp, type UnaryOp } from '../backend';
import { allocStorage, castScalar, checkAllocation, isDType, isFloating, resultType, scalarDType, DEFAULT_FLOAT, type DType } from '../dtype';
import { DTypeError } from '../errors';
import { broadcastAll, broadcastShapes } from '../shape';
import { Tensor, type TensorLike } from '../tensor';
import { expand } from './views';

const FLOAT_RESULT: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid']);
const NO_BOOL: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['neg', 'abs', 'relu']);
const BOOL_RESULT: ReadonlySet<BinaryOp> = new Set<BinaryOp>([
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
  'logicalXor',
]);

/** A 0-d tensor holding `v` as `dtype`. */
export function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  const s = allocStorage(dtype, 1);
  s[0] = castScalar(typeof v === 'boolean' ? Number(v) : v, dtype);
  return new Tensor(s, []);
}

/** The dtype an op over these operands computes in (`torch.result_type`). */
export function promote(operands: readonly TensorLike[]): DType {
  return resultType(
    operands.map((o) =>
      o instanceof Tensor ? { dtype: o.dtype, rank: o.ndim > 0 ? 2 : 1 } : { dtype: scalarDType(o), rank: 0 },
    ),
  );
}

/** Turns a scalar operand into a 0-d tensor of `dtype`; tensors pass through. */
export function asTensor(x: TensorLike, dtype: DType): Tensor {
  return x instanceof Tensor ? x : scalarTensor(x, dtype);
}

export function toDType(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (!isDType(dtype)) {
    throw new DTypeError(`to: unknown dtype '${String(dtype)}'; use 'float32', 'float64', 'int32' or 'bool'`);
  }
  return new Tensor(getBackend().cast(x, dtype), x.shape);
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  if (x.dtype === 'bool' && NO_BOOL.has(op)) {
    throw new DTypeError(`${op}: not supported for bool tensors; convert first with .int() or .float()`);
  }
  const out: DType = op === 'logicalNot' ? 'bool' : FLOAT_RESULT.has(op) && !isFloating(x.dtype) ? DEFAULT_FLOAT : x.dtype;
  return new Tensor(getBackend().unary(op, x, out), x.shape);
}

export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  if (!(a instanceof Tensor)) throw new DTypeError(`${op}: the first operand must be a Tensor`);
  checkOperand(op, b);
  let compute = promote([a, b]);
  if (op === 'div' && !isFloating(compute)) compute = DEFAULT_FLOAT;
  if (op === 'sub' && compute === 'bool') {
    throw new DTypeError(`sub: subtracting bool tensors is not supported; use logicalXor() or convert with .int()`);
  }
  if (op === 'pow' && compute === 'int32' && typeof b === 'number' && b < 0) {
    throw new DTypeError(`pow: integers to negative integer powers are not allowed; use .float() first`);
  }
  const ta = asTensor(a, compute);
  const tb = asTensor(b, compute);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const out: DType = BOOL_RESULT.has(op) ? 'bool' : compute;
  checkAllocation(op, shape, out); // broadcasting can ask for far more than either operand holds
  const ea = expand(toDType(ta, compute), shape);
  const eb = expand(toDType(tb, compute), shape);
  return new Tensor(getBackend().binary(op, ea, eb, out), shape);
}

/** `cond ? a : b` elementwise, broadcasting all three; the result dtype promotes a and b. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(cond instanceof Tensor)) throw new DTypeError('where: the condition must be a Tensor');
  checkOperand('where', a);
  checkOperand('where', b);
  const dtype = promote([a, b]);
  const ta = toDType(asTensor(a, dtype), dtype);
  const tb = toDType(asTensor(b, dtype), dtype);
  const shape = broadcastAll('where', [cond.shape, ta.shape, tb.shape]);
  checkAllocation('where', shape, dtype);
  return new Tensor(
    getBackend().where(expand(cond, shape), expand(ta, shape), expand(tb, shape), dtype),
    shape,
  );
}

/** `min(max(x, lo), hi)`; NaN stays NaN. */
export function clamp(x: Tensor, lo: number | Tensor | null, hi: number | Tensor | null): Tensor {
  if (lo === null && hi === null) throw new DTypeError('clamp: give at least one of min and max');
  let y = x;
  if (lo !== null) y = binary('maximum', y, lo);
  if (hi !== null) y = binary('minimum', y, hi);
  return y;
}

function checkOperand(op: string, v: unknown): void {
  if (v instanceof Tensor || typeof v === 'number' || typeof v === 'boolean') return;
  const what = v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
  throw new DTypeError(
    `${op}: expected a Tensor, a number or a boolean, got ${what}` +
      (what === 'Variable' ? ' (mix with Variables through the Variable method, e.g. variable.add(tensor))' : ''),
  );
}
