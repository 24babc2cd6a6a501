/**
 * Values that cross between the grader and the process running student code: JSON plus tensors
 * and the non-finite numbers JSON cannot hold. Both sides use this one codec.
 *
 * ```ts
 * const x = T([[1, 2], [3, 4]]);            // { $tensor: true, dtype: 'float64', shape: [2, 2], data: [1, 2, 3, 4] }
 * decodeWire(encodeWire({ a: NaN })).a;      // NaN
 * ```
 */
import type { DType } from '@dl/tensor';

// Taken at load, before any student code runs in the same process.
const jsonStringify = JSON.stringify;
const jsonParse = JSON.parse;

export interface TensorValue {
  readonly $tensor: true;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major values; booleans as 0/1. */
  readonly data: readonly number[];
}

/**
 * Bytes (a file's content: trained weights as safetensors, an image): a Uint8Array on the student's
 * side, base64 on the wire.
 */
export interface BytesValue {
  readonly $bytes: string;
}

/** What a test sends to student code and gets back. */
export type Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | TensorValue
  | BytesValue
  | readonly Value[]
  | { readonly [k: string]: Value };

export function isTensorValue(v: unknown): v is TensorValue {
  return typeof v === 'object' && v !== null && (v as { $tensor?: unknown }).$tensor === true;
}

export function isBytesValue(v: unknown): v is BytesValue {
  return typeof v === 'object' && v !== null && typeof (v as { $bytes?: unknown }).$bytes === 'string';
}

/** Bytes as a value: `bytes(readFileSync('x.png'))`. */
export function bytes(data: Uint8Array): BytesValue {
  return { $bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

/** The bytes of a bytes value (e.g. to read returned safetensors with @dl/layers' deserialize). */
export function bytesOf(v: BytesValue): Uint8Array {
  return new Uint8Array(Buffer.from(v.$bytes, 'base64'));
}

type Nested = number | boolean | readonly Nested[];

/** Shape of a nested array (throws on ragged input). */
export function nestedShape(v: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as Nested;
  }
  return shape;
}

function flatten(v: Nested, shape: readonly number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (Array.isArray(v)) throw new Error('ragged nested array: deeper than its first element');
    out.push(typeof v === 'boolean' ? (v ? 1 : 0) : (v as number));
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[depth]) {
    throw new Error(`ragged nested array: expected length ${shape[depth]} at depth ${depth}`);
  }
  for (const e of v) flatten(e as Nested, shape, depth + 1, out);
}

/**
 * A tensor value from a nested array (or a flat array with a shape). dtype defaults to float64,
 * the dtype tests compare in.
 */
export function T(data: Nested, opts: { shape?: readonly number[]; dtype?: DType } = {}): TensorValue {
  const inferred = nestedShape(data);
  const flat: number[] = [];
  flatten(data, inferred, 0, flat);
  const shape = opts.shape ? [...opts.shape] : inferred;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== flat.length) {
    throw new Error(`T: ${flat.length} values cannot take shape [${shape.join(', ')}]`);
  }
  return { $tensor: true, dtype: opts.dtype ?? 'float64', shape, data: flat };
}

/** Nested arrays of a tensor value (for messages and for code that wants plain arrays). */
export function toNested(t: TensorValue): Nested {
  if (t.shape.length === 0) return t.data[0];
  let i = 0;
  const build = (d: number): Nested => {
    const n = t.shape[d];
    const out: Nested[] = [];
    for (let k = 0; k < n; k++) out.push(d === t.shape.length - 1 ? t.data[i++] : build(d + 1));
    return out;
  };
  return build(0);
}

// ---- wire codec: JSON with tags for non-finite numbers and undefined ----

const NUM_TAG = '$num';

function encodeNumber(x: number): unknown {
  if (Number.isFinite(x)) return Object.is(x, -0) ? { [NUM_TAG]: '-0' } : x;
  return { [NUM_TAG]: Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity' };
}

/** Encodes a Value as JSON text. Throws on cycles, functions, symbols and bigints. */
export function encodeWire(v: unknown): string {
  const seen = new Set<unknown>();
  const enc = (x: unknown): unknown => {
    if (x === undefined) return { $undef: true };
    if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
    if (typeof x === 'number') return encodeNumber(x);
    if (typeof x !== 'object') throw new TypeError(`cannot send a ${typeof x}`);
    if (seen.has(x)) throw new TypeError('cannot send a value that contains itself');
    seen.add(x);
    try {
      if (Array.isArray(x)) return x.map(enc);
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(x)) {
        out[k] = k === 'data' && isTensorValue(x) ? (val as number[]).map(encodeNumber) : enc(val);
      }
      return out;
    } finally {
      seen.delete(x);
    }
  };
  return jsonStringify(enc(v));
}

/** Decodes what encodeWire wrote. Validates tensor values (shape, dtype, size). */
export function decodeWire(s: string): Value {
  return reviveValue(jsonParse(s));
}

const DTYPES = new Set(['float32', 'float64', 'int32', 'bool']);

export function reviveValue(x: unknown, depth = 0): Value {
  if (depth > 64) throw new TypeError('value nested more than 64 levels deep');
  if (x === null || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number') return x;
  if (Array.isArray(x)) return x.map((e) => reviveValue(e, depth + 1));
  if (typeof x !== 'object') throw new TypeError(`unexpected ${typeof x} in a value`);
  const o = x as Record<string, unknown>;
  if (NUM_TAG in o) {
    const s = o[NUM_TAG];
    if (s === 'NaN') return NaN;
    if (s === 'Infinity') return Infinity;
    if (s === '-Infinity') return -Infinity;
    if (s === '-0') return -0;
    throw new TypeError(`bad number tag ${String(s)}`);
  }
  if (o.$undef === true) return undefined;
  if ('$bytes' in o) {
    if (typeof o.$bytes !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.$bytes)) throw new TypeError('bad bytes value');
    return { $bytes: o.$bytes };
  }
  if (o.$tensor === true) {
    const { dtype, shape, data } = o;
    if (typeof dtype !== 'string' || !DTYPES.has(dtype)) throw new TypeError(`bad tensor dtype ${String(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError('bad tensor shape');
    if (!Array.isArray(data)) throw new TypeError('bad tensor data');
    const vals = data.map((d) => reviveValue(d, depth + 1));
    if (!vals.every((d) => typeof d === 'number')) throw new TypeError('tensor data must be numbers');
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (size !== vals.length) throw new TypeError(`tensor of shape [${shape.join(', ')}] with ${vals.length} values`);
    return { $tensor: true, dtype: dtype as DType, shape: shape as number[], data: vals as number[] };
  }
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(o)) out[k] = reviveValue(v, depth + 1);
  return out;
}
