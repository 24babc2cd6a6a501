/**
 * Data types and PyTorch's type-promotion rules.
 *
 * | dtype     | storage      | category |
 * |-----------|--------------|----------|
 * | `bool`    | Uint8Array   | 0 (bool) |
 * | `int32`   | Int32Array   | 1 (int)  |
 * | `float32` | Float32Array | 2 (float)|
 * | `float64` | Float64Array | 2 (float)|
 *
 * Promotion (as `torch.result_type`): the result takes the highest category among the operands;
 * within a category the widest dtype wins. Operands are ranked: tensors with at least one dimension
 * first, then zero-dimensional tensors, then plain JS numbers/booleans. A lower-ranked operand only
 * changes the result when its category is higher, e.g. `int32 tensor + 1.5 -> float32`,
 * `float32 tensor + float64 0-d tensor -> float32`, `float32 + float64 -> float64`.
 */
import { constants as bufferConstants } from 'buffer';
import { AllocationError, fmtShape } from './errors';
import { TRACKING, trackStorage } from './memory-track';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that holds elements of each dtype. */
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** The dtype new floating-point tensors get (PyTorch's default dtype). */
export const DEFAULT_FLOAT: DType = 'float32';

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}

/** 0 bool, 1 integer, 2 floating point. */
export function category(d: DType): number {
  return d === 'bool' ? 0 : d === 'int32' ? 1 : 2;
}

const ORDER: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The smallest dtype that holds both (`torch.promote_types`). */
export function promoteTypes(a: DType, b: DType): DType {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** Bytes per element of each dtype's storage. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { bool: 1, int32: 4, float32: 4, float64: 8 };

/**
 * The most elements one storage can have: V8's typed-array length limit (`buffer.constants.MAX_LENGTH`,
 * 2^32 on Node 20; larger on newer Node), never more than 2^53 - 1.
 */
export const MAX_STORAGE_LENGTH: number = Math.min(bufferConstants.MAX_LENGTH, Number.MAX_SAFE_INTEGER);

/**
 * Allocates zeroed storage for `n` elements of `dtype`: the one place storages are made (the
 * native backend's uninitialised outputs go through {@link allocateChecked} as well). `op` and
 * `shape` (default `[n]`) name what the storage is for in the error: a size no typed array can
 * have, or memory the machine does not give, is an {@link AllocationError} with the op, the shape,
 * the bytes asked for and what to do, not V8's bare "Invalid typed array length".
 */
export function allocStorage(dtype: DType, n: number, op?: string, shape?: readonly number[]): Storage {
  return allocateChecked(dtype, n, () => newStorage(dtype, n), op, shape);
}

function newStorage(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/**
 * Runs `make` (which allocates `n` elements of `dtype`) after checking that such a storage can
 * exist, and turns the RangeError of a failed allocation into an {@link AllocationError}. The new
 * storage counts in `memory()` while memory tracking is on.
 */
export function allocateChecked<T extends Storage>(dtype: DType, n: number, make: () => T, op?: string, shape?: readonly number[]): T {
  checkAllocation(op ?? 'allocate', shape ?? [n], dtype, n);
  try {
    const s = make();
    if (TRACKING.on) trackStorage(s, dtype); // memory() counts it until V8 collects it
    return s;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const why = /invalid typed array length/i.test(e.message)
      ? `more elements than a typed array holds here (${e.message})`
      : `the allocation failed (${e.message}): not enough memory`;
    throw allocationError(op ?? 'allocate', shape ?? [n], dtype, n, why);
  }
}

/**
 * Throws the {@link AllocationError} of a storage of `shape` (`n` elements, the product of the
 * shape by default) that cannot exist: ops whose output can be much larger than their inputs
 * (broadcasting, matmul, copies of expanded views) call it before computing, to name themselves.
 */
export function checkAllocation(op: string, shape: readonly number[], dtype: DType, n = numelOfShape(shape)): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw allocationError(op, shape, dtype, n, 'the number of elements is not a safe integer (more than 2^53)');
  }
  if (n > MAX_STORAGE_LENGTH) {
    throw allocationError(op, shape, dtype, n, `a storage holds at most ${MAX_STORAGE_LENGTH} elements (a JavaScript typed array's limit)`);
  }
}

function numelOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function allocationError(op: string, shape: readonly number[], dtype: DType, n: number, why: string): AllocationError {
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  const what =
    shape.length === 1 && shape[0] === n
      ? `${fmtCount(n)} ${dtype} elements`
      : `${dtype === 'int32' ? 'an' : 'a'} ${dtype} tensor of shape ${fmtShape(shape)} (${fmtCount(n)} elements)`;
  return new AllocationError(
    `${op}: cannot allocate ${what}: ${fmtCount(bytes)} bytes (${fmtBytes(bytes)}); ${why}. ` +
      `Use a smaller shape (a smaller batch, fewer features, or the data in chunks)${dtype === 'float64' ? ', or float32 instead of float64' : ''}.`,
  );
}

function fmtCount(n: number): string {
  return Number.isSafeInteger(n) ? n.toLocaleString('en-US') : n.toExponential(3);
}

function fmtBytes(b: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  while (b >= 1024 && u < units.length - 1) {
    b /= 1024;
    u++;
  }
  return u === 0 ? `${b} bytes` : `${b.toFixed(2)} ${units[u]}`;
}

/** The dtype of an existing typed array, or null if it is not one @dl uses. */
export function dtypeOfStorage(s: ArrayBufferView): DType | null {
  if (s instanceof Float32Array) return 'float32';
  if (s instanceof Float64Array) return 'float64';
  if (s instanceof Int32Array) return 'int32';
  if (s instanceof Uint8Array) return 'bool';
  return null;
}

/** Convert one JS number to the value a storage of `dtype` holds (truncation toward 0 for int32; NaN is true as bool). */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case 'bool':
      return v !== 0 ? 1 : 0; // NaN is nonzero, so true (as in PyTorch and C)
    case 'int32':
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
  }
}

/** One operand as seen by type promotion. */
export interface PromotionOperand {
  dtype: DType;
  /** 2: tensor with dims, 1: zero-dim tensor, 0: JS scalar. */
  rank: number;
}

/** The dtype a JS scalar stands for: booleans are bool, integers int32, other numbers float. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int32' : DEFAULT_FLOAT;
}

/** `torch.result_type` over any number of operands (see the module comment). */
export function resultType(ops: readonly PromotionOperand[]): DType {
  // best dtype per rank
  const best: (DType | null)[] = [null, null, null];
  for (const o of ops) {
    const b = best[o.rank];
    best[o.rank] = b === null ? o.dtype : promoteTypes(b, o.dtype);
  }
  let result: DType | null = null;
  for (let r = 2; r >= 0; r--) {
    const d = best[r];
    if (d === null) continue;
    if (result === null) result = d;
    else if (category(d) > category(result)) {
      // a lower-ranked operand of a higher category: the default dtype of that category,
      // unless it is a tensor (then its own dtype)
      result = r === 0 ? (category(d) === 2 ? DEFAULT_FLOAT : d) : d;
    }
  }
  return result ?? DEFAULT_FLOAT;
}
