/**
 * Creating tensors: from JS data (`tensor`), filled (`zeros`, `ones`, `full`, `eye`), ranges
 * (`arange`, `linspace`) and random (`rand`, `randn`, `randint`, `randperm`, from the seedable
 * generator in `random.ts`).
 *
 * JS numbers do not say whether they are integers or floats (`1.0 === 1`), so number data becomes
 * float32 unless a dtype is given; booleans become bool; typed arrays keep their own dtype
 * (Uint8Array is read as bool). `arange` follows PyTorch: all-integer arguments give int32.
 */
import { allocStorage, castScalar, dtypeOfStorage, isDType, DEFAULT_FLOAT, type DType, type Storage } from '../dtype';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors';
import { defaultGenerator, type Generator } from '../random';
import { checkOptions, optionKeys } from '../options';
import { numelOf, resolveShape, type Shape } from '../shape';
import { Tensor, type NestedArray } from '../tensor';
import { toDType } from './elementwise';

export interface CreateOptions {
  dtype?: DType;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** The keys of the options objects, checked by every creation function (an unknown key is a ValueError). */
const CREATE_OPTIONS = optionKeys<CreateOptions>({ dtype: true });
const TENSOR_OPTIONS = optionKeys<CreateOptions & { shape?: Shape }>({ dtype: true, shape: true });
const RANDOM_OPTIONS = optionKeys<RandomOptions>({ dtype: true, generator: true });

/** Input accepted by `tensor()`. */
export type TensorData = NestedArray | readonly NestedArray[] | Storage | Tensor;

function checkDType(op: string, dtype: DType | undefined): void {
  if (dtype !== undefined && !isDType(dtype)) {
    throw new DTypeError(`${op}: unknown dtype '${String(dtype)}'; use 'float32', 'float64', 'int32' or 'bool'`);
  }
}

function shapeOf(op: string, shape: Shape): number[] {
  return resolveShape(op, shape);
}

/** Walks nested arrays, checking they are rectangular, and collects leaves. */
function flattenNested(data: NestedArray | readonly NestedArray[]): { shape: number[]; values: number[]; allBool: boolean } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  let allBool = true;
  const walk = (v: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof v === 'number') allBool = false;
      else if (typeof v !== 'boolean') {
        throw new ValueError(
          `tensor: ${Array.isArray(v) ? 'ragged nested array' : `unsupported value ${JSON.stringify(v)}`} at index ` +
            `[${path.join(', ')}]; expected numbers or booleans in a rectangular nested array of shape ${fmtShape(shape)}`,
        );
      }
      values.push(Number(v));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ValueError(
        `tensor: ragged nested array: expected ${Array.isArray(v) ? `length ${shape[depth]}` : 'an array'} at index ` +
          `[${path.join(', ')}], got ${Array.isArray(v) ? `length ${v.length}` : JSON.stringify(v)}; every row must have the same length`,
      );
    }
    v.forEach((c, i) => walk(c, depth + 1, [...path, i]));
  };
  walk(data, 0, []);
  if (values.length === 0) allBool = false;
  return { shape, values, allBool };
}

function fromValues(op: string, values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const s = allocStorage(dtype, values.length, op, shape);
  for (let i = 0; i < values.length; i++) s[i] = castScalar(values[i], dtype);
  return new Tensor(s, shape);
}

/** A tensor of `shape` whose element i is `value(i)`, written straight into its storage. */
function generate(op: string, shape: readonly number[], dtype: DType, value: (i: number) => number): Tensor {
  const st = allocStorage(dtype, numelOf(shape), op, shape);
  for (let i = 0; i < st.length; i++) st[i] = castScalar(value(i), dtype);
  return new Tensor(st, shape);
}

/**
 * A new tensor from nested arrays, a typed array (with `shape`, default 1-D), a number, a boolean
 * or another tensor (copied). The data is always copied.
 *
 * ```ts
 * tensor([[1, 2], [3, 4]]);                          // float32, shape [2, 2]
 * tensor([1, 2, 3], { dtype: 'int32' });
 * tensor(new Float64Array(6), { shape: [2, 3] });
 * ```
 */
export function tensor(data: TensorData, opts: CreateOptions & { shape?: Shape } = {}): Tensor {
  checkOptions('tensor', opts, TENSOR_OPTIONS);
  checkDType('tensor', opts.dtype);
  let t: Tensor;
  if (data instanceof Tensor) t = data.clone();
  else if (ArrayBuffer.isView(data)) {
    const dt = dtypeOfStorage(data);
    if (dt === null) throw new DTypeError('tensor: typed arrays must be Float32Array, Float64Array, Int32Array or Uint8Array');
    const shape = opts.shape ? resolveShape('tensor', opts.shape, data.length) : [data.length];
    if (numelOf(shape) !== data.length) {
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} needs ${numelOf(shape)} elements, the data has ${data.length}`);
    }
    const copy = allocStorage(dt, data.length, 'tensor', shape);
    copy.set(data);
    t = new Tensor(copy, shape);
  } else {
    const { shape, values, allBool } = flattenNested(data);
    let finalShape: number[] = shape;
    if (opts.shape) {
      finalShape = resolveShape('tensor', opts.shape, values.length);
      if (numelOf(finalShape) !== values.length) {
        throw new ShapeError(`tensor: shape ${fmtShape(opts.shape)} needs ${numelOf(finalShape)} elements, the data has ${values.length}`);
      }
    }
    return fromValues('tensor', values, finalShape, opts.dtype ?? (allBool ? 'bool' : DEFAULT_FLOAT));
  }
  return opts.dtype ? toDType(t, opts.dtype) : t;
}

/** A tensor of `shape` filled with `value` (float32 for numbers, bool for booleans, unless dtype is given). */
export function full(shape: Shape, value: number | boolean, opts: CreateOptions = {}): Tensor {
  return filled('full', shape, value, opts);
}

/** `full` under the name of the op that asked (in its errors). */
function filled(op: string, shape: Shape, value: number | boolean, opts: CreateOptions): Tensor {
  checkOptions(op, opts, CREATE_OPTIONS);
  checkDType(op, opts.dtype);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : DEFAULT_FLOAT);
  const s = shapeOf(op, shape);
  const st = allocStorage(dtype, numelOf(s), op, s);
  const v = castScalar(Number(value), dtype);
  if (!Object.is(v, 0)) st.fill(v); // a new storage is already zeroed: no pass over it for zeros
  return new Tensor(st, s);
}

export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}

export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  return filled('ones', shape, 1, opts);
}

export function zerosLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  checkOptions('zerosLike', opts, CREATE_OPTIONS);
  return full(x.shape, 0, { dtype: opts.dtype ?? x.dtype });
}

export function onesLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  checkOptions('onesLike', opts, CREATE_OPTIONS);
  return full(x.shape, 1, { dtype: opts.dtype ?? x.dtype });
}

export function fullLike(x: Tensor, value: number | boolean, opts: CreateOptions = {}): Tensor {
  checkOptions('fullLike', opts, CREATE_OPTIONS);
  return full(x.shape, value, { dtype: opts.dtype ?? x.dtype });
}

/**
 * `[start, start + step, ...)` below `end`. `arange(5)` is `[0, 1, 2, 3, 4]` (int32, as PyTorch
 * gives integers for integer arguments); `arange(0, 1, 0.25)` is float32.
 */
export function arange(startOrEnd: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  checkOptions('arange', opts, CREATE_OPTIONS);
  checkDType('arange', opts.dtype);
  const [start, stop] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
  if (step === 0 || !Number.isFinite(step) || !Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new ValueError(`arange: start, end and step must be finite and step non-zero, got (${start}, ${stop}, ${step})`);
  }
  if ((stop - start) / step < 0) {
    throw new ValueError(`arange: step ${step} goes away from end: start ${start}, end ${stop}`);
  }
  const n = Math.ceil((stop - start) / step);
  const allInt = [start, stop, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (allInt ? 'int32' : DEFAULT_FLOAT);
  return generate('arange', [n], dtype, (i) => start + i * step);
}

/** `steps` evenly spaced values from `start` to `end` inclusive (float32). */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  checkOptions('linspace', opts, CREATE_OPTIONS);
  checkDType('linspace', opts.dtype);
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  // fill from both ends, as PyTorch does, so the last value is exactly `end`
  const half = Math.floor(steps / 2);
  // (one step gives `start`, as in PyTorch)
  return generate('linspace', [steps], opts.dtype ?? DEFAULT_FLOAT, (i) =>
    i < half || steps === 1 ? start + i * d : end - (steps - 1 - i) * d,
  );
}

/** Identity matrix `[n, m]` (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  const t = filled('eye', [n, m], 0, opts);
  for (let i = 0; i < Math.min(n, m); i++) t.storage[i * m + i] = 1;
  return t;
}

function randomTensor(op: string, shape: Shape, opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkOptions(op, opts, RANDOM_OPTIONS);
  checkDType(op, opts.dtype);
  const dtype = opts.dtype ?? DEFAULT_FLOAT;
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const s = shapeOf(op, shape);
  const g = opts.generator ?? defaultGenerator;
  const st = allocStorage(dtype, numelOf(s), op, s);
  for (let i = 0; i < st.length; i++) st[i] = draw(g);
  return new Tensor(st, s);
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomTensor('rand', shape, opts, (g) => g.uniform());
}

/** Standard normal samples. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomTensor('randn', shape, opts, (g) => g.normal());
}

export function randLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  checkOptions('randLike', opts, RANDOM_OPTIONS);
  return rand(x.shape, { dtype: isFloatDType(x.dtype) ? x.dtype : DEFAULT_FLOAT, ...opts });
}

export function randnLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  checkOptions('randnLike', opts, RANDOM_OPTIONS);
  return randn(x.shape, { dtype: isFloatDType(x.dtype) ? x.dtype : DEFAULT_FLOAT, ...opts });
}

const isFloatDType = (d: DType) => d === 'float32' || d === 'float64';

/** Uniform integers in [low, high) (int32 unless dtype is given). */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  checkOptions('randint', opts, RANDOM_OPTIONS);
  checkDType('randint', opts.dtype);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ValueError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const s = shapeOf('randint', shape);
  const g = opts.generator ?? defaultGenerator;
  return generate('randint', s, opts.dtype ?? 'int32', () => g.integer(low, high));
}

/** A random permutation of `0..n-1` (Fisher-Yates; int32). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkOptions('randperm', opts, RANDOM_OPTIONS);
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randperm: n must be a non-negative integer, got ${n}`);
  const g = opts.generator ?? defaultGenerator;
  const p = allocStorage('int32', n, 'randperm', [n]) as Int32Array;
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return opts.dtype && opts.dtype !== 'int32' ? toDType(new Tensor(p, [n]), opts.dtype) : new Tensor(p, [n]);
}
