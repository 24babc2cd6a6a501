/**
 * Saving and loading state dicts in the safetensors format, so that weights move between @dl and
 * PyTorch (Python's `safetensors.torch.save_file` / `load_file`).
 *
 * Layout of a file:
 *
 *     [8 bytes]  N, the header length, an unsigned 64-bit little-endian integer
 *     [N bytes]  the header: UTF-8 JSON, padded with spaces to a multiple of 8
 *                { "__metadata__"?: { string: string },
 *                  name: { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ... }
 *     [rest]     the tensors' raw little-endian bytes, row-major; `data_offsets` are relative to
 *                the start of this section, and the tensors tile it exactly (no gap, no overlap)
 *
 * Written: `F32`, `F64`, `I32`, `BOOL` (one byte, 0 or 1), names sorted, data in that order.
 * Read: those, plus what PyTorch commonly writes, converted: `F16`/`BF16` -> float32, `I64`/`U64`/
 * `U32` -> int32 (an error if a value does not fit), `I16`/`U16`/`I8`/`U8` -> int32.
 *
 * ```ts
 * save(model.stateDict(), 'model.safetensors', { metadata: { epoch: '3' } });
 * model.loadStateDict(load('model.safetensors'));
 * const { tensors, metadata } = loadWithMetadata('model.safetensors');
 * ```
 *
 * `save` writes atomically (see `atomic.ts`): a temporary file in the same directory, fsync, then
 * rename, so a crash leaves either the old file or the new one (and the temporary files of writes
 * killed half-way are removed by the next save of the same file). Every way a file can be damaged
 * (truncated, wrong header length, invalid JSON, unknown dtype, offsets out of range, overlapping or
 * leaving gaps, shape and byte length disagreeing) is a SafetensorsError naming the file.
 *
 * Checksums: unless `{ checksum: false }`, the header's `__metadata__` gets a `dl.sha256` entry, a
 * JSON object giving each tensor's dtype as saved and the SHA-256 of its data bytes:
 * `{"fc.weight":{"dtype":"F32","sha256":"9f86d0..."}}` (in Python:
 * `hashlib.sha256(t.numpy().tobytes()).hexdigest()`). Loading verifies it when present, so bytes
 * changed inside the data section, or a dtype edited in the header, are errors naming the tensor
 * instead of silently different weights. Files without it (PyTorch's) load as before; PyTorch reads
 * ours and ignores the entry.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { endianness } from 'os';
import { Variable } from '@dl/autograd';
import { DLError, Tensor, checkOptions, fmtShape, optionKeys, type DType, type Storage } from '@dl/tensor';
import { writeFileAtomic, type AtomicFs } from './atomic';

/** A damaged or unsupported safetensors file, or a state dict that cannot be saved. */
export class SafetensorsError extends DLError {}

/** A well-formed safetensors file whose tensors do not match the `dl.sha256` checksums saved with them. */
export class SafetensorsChecksumError extends SafetensorsError {}

/** The dtypes @dl writes, by its own dtype. */
const WRITE_DTYPE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** Bytes per element of each dtype @dl reads, and the @dl dtype it becomes. */
const READ_DTYPES: Record<string, { size: number; to: DType }> = {
  F64: { size: 8, to: 'float64' },
  F32: { size: 4, to: 'float32' },
  F16: { size: 2, to: 'float32' },
  BF16: { size: 2, to: 'float32' },
  I64: { size: 8, to: 'int32' },
  U64: { size: 8, to: 'int32' },
  I32: { size: 4, to: 'int32' },
  U32: { size: 4, to: 'int32' },
  I16: { size: 2, to: 'int32' },
  U16: { size: 2, to: 'int32' },
  I8: { size: 1, to: 'int32' },
  U8: { size: 1, to: 'int32' },
  BOOL: { size: 1, to: 'bool' },
};

/** The safetensors dtypes `load` accepts. */
export const SAFETENSORS_DTYPES: readonly string[] = Object.keys(READ_DTYPES);

/** The reference implementation refuses headers above 100 MB; so do we (it also bounds allocation). */
const MAX_HEADER = 100_000_000;

const LITTLE_ENDIAN = endianness() === 'LE';

/** What can be saved: Tensors, or Variables / Parameters (their data is saved). */
export type SaveableStateDict = Record<string, Tensor | Variable>;

export interface SaveOptions {
  /** Free-form string metadata stored in the header's `__metadata__` (e.g. `{ format: 'pt' }`). */
  metadata?: Record<string, string>;
  /**
   * Store each tensor's SHA-256 in `__metadata__['dl.sha256']` (default true; see the module
   * comment). `false` writes exactly what Python's `safetensors` writes for the same tensors.
   */
  checksum?: boolean;
  /** The file-system calls of `save` (tests pass one that fails on purpose). */
  io?: AtomicFs;
}

const SAVE_OPTIONS = optionKeys<SaveOptions>({ metadata: true, checksum: true, io: true });

/** The `__metadata__` key holding the tensors' checksums. */
export const CHECKSUM_KEY = 'dl.sha256';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Tensors and header metadata, as `loadWithMetadata` / `deserializeWithMetadata` return them. */
export interface LoadedSafetensors {
  tensors: Record<string, Tensor>;
  /**
   * The header's `__metadata__`, or null when the file has none. The `dl.sha256` checksums (see
   * the module comment) are verified and left out.
   */
  metadata: Record<string, string> | null;
}

// ---- writing ---------------------------------------------------------------------------------

/**
 * The safetensors bytes of a state dict (in memory; `save` writes them to a file).
 *
 * ```ts
 * const bytes = serialize({ w: tensor([[1, 2], [3, 4]]) }); // Uint8Array
 * deserialize(bytes).w.toArray();                           // [[1, 2], [3, 4]]
 * ```
 */
export function serialize(stateDict: SaveableStateDict, opts: SaveOptions = {}): Uint8Array {
  const what = 'serialize';
  checkOptions(what, opts, SAVE_OPTIONS);
  if (stateDict === null || typeof stateDict !== 'object') {
    throw new SafetensorsError(`${what}: expected a state dict { name: Tensor }, got ${stateDict === null ? 'null' : typeof stateDict}`);
  }
  const names = Object.keys(stateDict).sort(compareNames);
  // [key, value] pairs, written in this order (a JS object would move integer-like keys first)
  const header: [string, unknown][] = [];
  const metadata = opts.metadata !== undefined ? checkMetadata(what, opts.metadata) : undefined;
  const checksums: [string, { dtype: string; sha256: string }][] | null = opts.checksum === false || names.length === 0 ? null : [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') {
      throw new SafetensorsError(`${what}: '__metadata__' is reserved by the format and cannot name a tensor; rename it`);
    }
    const value: unknown = stateDict[name];
    const t = value instanceof Variable ? value.data : value;
    if (!(t instanceof Tensor)) {
      throw new SafetensorsError(`${what}: '${name}' is not a Tensor (got ${describe(value)}); a state dict maps names to tensors`);
    }
    const bytes = tensorBytes(t);
    header.push([name, { dtype: WRITE_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] }]);
    if (checksums !== null) checksums.push([name, { dtype: WRITE_DTYPE[t.dtype], sha256: sha256(bytes) }]);
    chunks.push(bytes);
    offset += bytes.length;
  }
  // the checksums replace any given in `metadata`; fromEntries keeps a tensor named '__proto__' an own key
  const meta = checksums !== null ? { ...(metadata ?? {}), [CHECKSUM_KEY]: JSON.stringify(Object.fromEntries(checksums)) } : metadata;
  if (meta !== undefined) header.unshift(['__metadata__', meta]);
  const json = new TextEncoder().encode(`{${header.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded); // spaces, as the reference implementation pads
  let pos = 8 + padded;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/**
 * Saves a state dict to `path` in the safetensors format, atomically: the bytes go to
 * `path.tmp-<pid>-<random>` in the same directory, are fsynced, and the temporary file is renamed
 * over `path` (removed again if anything fails).
 *
 * ```ts
 * save(model.stateDict(), 'mlp.safetensors');
 * save(model.stateDict(), 'mlp.safetensors', { metadata: { epochs: '10', accuracy: '0.98' } });
 * ```
 * In Python: `safetensors.torch.load_file('mlp.safetensors')` gives the same tensors.
 */
export function save(stateDict: SaveableStateDict, path: string, opts: SaveOptions = {}): void {
  checkOptions('save', opts, SAVE_OPTIONS);
  const bytes = serialize(stateDict, opts);
  try {
    writeFileAtomic(path, bytes, opts.io);
  } catch (err) {
    throw new SafetensorsError(`save: could not write '${path}': ${errorMessage(err)}`);
  }
}

/** Row-major little-endian bytes of a tensor (bool as one byte 0/1). */
function tensorBytes(t: Tensor): Uint8Array {
  // A contiguous tensor's bytes are copied as they are (slice is a byte copy, so NaN payloads
  // survive); other layouts go through the backend's contiguous copy.
  const values = t.isContiguous() ? t.storage.slice(t.offset, t.offset + t.numel()) : t.toTypedArray();
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (t.dtype === 'bool') return bytes.map((b) => (b !== 0 ? 1 : 0));
  if (!LITTLE_ENDIAN) swapBytes(bytes, values.BYTES_PER_ELEMENT);
  return bytes;
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function checkMetadata(what: string, metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new SafetensorsError(`${what}: metadata must be an object of strings, got ${describe(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') {
      throw new SafetensorsError(`${what}: metadata values must be strings, but '${k}' is ${describe(v)}; convert it with String(...)`);
    }
  }
  return Object.fromEntries(Object.entries(metadata)) as Record<string, string>;
}

/** Byte order of the UTF-8 names, as the reference implementation sorts (equal to JS order for ASCII). */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The message of an error, also from another realm (where instanceof Error is false). */
function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return v.constructor?.name ?? 'an object';
  return typeof v;
}

// ---- reading ---------------------------------------------------------------------------------

/**
 * Loads a safetensors file as `{ name: Tensor }` (use `loadWithMetadata` for the header metadata).
 *
 * ```ts
 * model.loadStateDict(load('mlp.safetensors'));
 * ```
 */
export function load(path: string): Record<string, Tensor> {
  return loadWithMetadata(path).tensors;
}

/** Loads a safetensors file: its tensors and its `__metadata__` (null if it has none). */
export function loadWithMetadata(path: string): LoadedSafetensors {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    throw new SafetensorsError(`load: cannot read '${path}': ${errorMessage(err)}`);
  }
  return parse(bytes, `'${path}'`);
}

/** The tensors of safetensors bytes (e.g. from `serialize`, a fetch, or a zip entry). */
export function deserialize(bytes: Uint8Array): Record<string, Tensor> {
  return parse(bytes, 'the buffer').tensors;
}

/** The tensors and metadata of safetensors bytes. */
export function deserializeWithMetadata(bytes: Uint8Array): LoadedSafetensors {
  return parse(bytes, 'the buffer');
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function parse(bytes: Uint8Array, source: string): LoadedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError(`deserialize: expected a Uint8Array, got ${describe(bytes)}`);
  const fail = (msg: string): never => {
    throw new SafetensorsError(`safetensors ${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, but a file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    fail(`the header length ${n} is larger than the rest of the file (${bytes.length - 8} bytes): the file is truncated or not safetensors`);
  }
  const headerLen = Number(n);
  if (headerLen > MAX_HEADER) fail(`the header length ${headerLen} exceeds the 100 MB limit`);
  if (headerLen < 2) fail(`the header length ${headerLen} is too small for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`the header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON header: ${errorMessage(err)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header must be a JSON object');

  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = readMetadata(info, fail);
      continue;
    }
    entries.push(readEntry(name, info, fail));
  }

  // the tensors must tile the data section exactly: sorted by offset, each begins where the last ended
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.end > dataLen) {
      fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] are out of range (the data section has ${dataLen} bytes); the file is truncated or damaged`);
    }
    if (e.begin < pos) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap another tensor's bytes (which end at ${pos})`);
    if (e.begin > pos) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] leave bytes ${pos}..${e.begin} unused; tensors must be contiguous`);
    pos = e.end;
  }
  if (pos !== dataLen) fail(`the tensors cover ${pos} bytes but the data section has ${dataLen}; the file has trailing bytes or is damaged`);
  if (metadata !== null && Object.prototype.hasOwnProperty.call(metadata, CHECKSUM_KEY)) {
    const failChecksum = (msg: string): never => {
      throw new SafetensorsChecksumError(`safetensors ${source}: ${msg}`);
    };
    verifyChecksums(metadata[CHECKSUM_KEY], entries, (e) => bytes.subarray(dataStart + e.begin, dataStart + e.end), failChecksum);
    // verified: the caller gets the metadata it saved
    const rest = Object.entries(metadata).filter(([k]) => k !== CHECKSUM_KEY);
    metadata = rest.length > 0 ? (Object.fromEntries(rest) as Record<string, string>) : null;
  }

  const tensors: [string, Tensor][] = entries.map((e) => [e.name, decodeTensor(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), fail)]);
  // fromEntries defines own properties, so even a tensor named '__proto__' is just a key
  return { tensors: Object.fromEntries(tensors), metadata };
}

/** Checks every tensor against the `dl.sha256` metadata written by `serialize` (see the module comment). */
function verifyChecksums(text: string, entries: Entry[], data: (e: Entry) => Uint8Array, fail: (msg: string) => never): void {
  const damaged = 'the file was changed after it was saved (damaged on disk or in transfer, or edited): use an intact copy, or save it again';
  let sums: unknown;
  try {
    sums = JSON.parse(text);
  } catch {
    return fail(`__metadata__['${CHECKSUM_KEY}'] is not valid JSON; ${damaged}`);
  }
  if (sums === null || typeof sums !== 'object' || Array.isArray(sums)) return fail(`__metadata__['${CHECKSUM_KEY}'] must be a JSON object; ${damaged}`);
  const table = sums as Record<string, unknown>;
  const names = new Set(entries.map((e) => e.name));
  for (const name of Object.keys(table)) {
    if (!names.has(name)) fail(`tensor '${name}' has a checksum but is not in the file; ${damaged}`);
  }
  for (const e of entries) {
    const rec = Object.prototype.hasOwnProperty.call(table, e.name) ? table[e.name] : undefined;
    if (rec === undefined) fail(`tensor '${e.name}' has no checksum in __metadata__['${CHECKSUM_KEY}'] (it was added after saving); ${damaged}`);
    const { dtype, sha256: want } = (rec ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || typeof want !== 'string') fail(`tensor '${e.name}': its checksum entry must be {dtype, sha256}; ${damaged}`);
    if (dtype !== e.dtype) fail(`tensor '${e.name}' is stored as ${e.dtype} but was saved as ${String(dtype)} (its dtype was changed in the header); ${damaged}`);
    const got = sha256(data(e));
    if (got !== want) fail(`tensor '${e.name}': its data does not match the SHA-256 saved with it (saved ${String(want).slice(0, 12)}..., now ${got.slice(0, 12)}...); ${damaged}`);
  }
}

function readMetadata(info: unknown, fail: (msg: string) => never): Record<string, string> {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return fail('__metadata__ must be an object of strings');
  const entries = Object.entries(info as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') fail(`__metadata__ values must be strings, but '${k}' is ${describe(v)}`);
  }
  return Object.fromEntries(entries) as Record<string, string>; // own properties, even '__proto__'
}

function readEntry(name: string, info: unknown, fail: (msg: string) => never): Entry {
  const where = `tensor '${name}'`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    return fail(`${where}: expected {dtype, shape, data_offsets}, got ${describe(info)}`);
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') return fail(`${where}: dtype must be a string, got ${describe(dtype)}`);
  const spec = Object.prototype.hasOwnProperty.call(READ_DTYPES, dtype) ? READ_DTYPES[dtype] : undefined;
  if (!spec) fail(`${where}: unsupported dtype '${dtype}'; supported: ${SAFETENSORS_DTYPES.join(', ')}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    return fail(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return fail(`${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  let numel = 1;
  for (const s of shape as number[]) numel *= s;
  const expected = numel * (spec as { size: number }).size;
  if (!Number.isSafeInteger(expected) || expected !== end - begin) {
    fail(
      `${where}: shape ${fmtShape(shape as number[])} of ${dtype} needs ${Number.isSafeInteger(expected) ? expected : 'too many'} bytes, ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The bytes of one tensor as a @dl Tensor (a fresh, aligned copy; converted where needed). */
function decodeTensor(e: Entry, raw: Uint8Array, fail: (msg: string) => never): Tensor {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = e.shape.reduce((a, s) => a * s, 1);
  let storage: Storage;
  switch (e.dtype) {
    case 'F64':
      storage = LITTLE_ENDIAN ? new Float64Array(copyBuffer(raw)) : Float64Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
      break;
    case 'F32':
      storage = LITTLE_ENDIAN ? new Float32Array(copyBuffer(raw)) : Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
      break;
    case 'I32':
      storage = LITTLE_ENDIAN ? new Int32Array(copyBuffer(raw)) : Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true));
      break;
    case 'F16':
      storage = Float32Array.from({ length: n }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
      break;
    case 'BF16':
      storage = Float32Array.from({ length: n }, (_, i) => bfloat16ToFloat(view.getUint16(2 * i, true)));
      break;
    case 'BOOL': {
      const b = raw.slice();
      const bad = b.findIndex((v) => v > 1);
      if (bad >= 0) fail(`tensor '${e.name}': BOOL byte ${b[bad]} at flat index ${bad} is neither 0 nor 1`);
      storage = b;
      break;
    }
    default:
      storage = integersToInt32(e, view, n, fail);
  }
  return new Tensor(storage, e.shape);
}

function copyBuffer(raw: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(raw.byteLength);
  new Uint8Array(buf).set(raw);
  return buf;
}

/** I64/U64/U32 (checked to fit) and I16/U16/I8/U8 (always fit) as int32. */
function integersToInt32(e: Entry, view: DataView, n: number, fail: (msg: string) => never): Int32Array {
  const out = new Int32Array(n);
  const read: (i: number) => number | bigint =
    e.dtype === 'I64'
      ? (i) => view.getBigInt64(8 * i, true)
      : e.dtype === 'U64'
        ? (i) => view.getBigUint64(8 * i, true)
        : e.dtype === 'U32'
          ? (i) => view.getUint32(4 * i, true)
          : e.dtype === 'I16'
            ? (i) => view.getInt16(2 * i, true)
            : e.dtype === 'U16'
              ? (i) => view.getUint16(2 * i, true)
              : e.dtype === 'I8'
                ? (i) => view.getInt8(i)
                : (i) => view.getUint8(i);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (v < -2147483648 || v > 2147483647) {
      fail(
        `tensor '${e.name}': ${e.dtype} value ${v} at flat index ${i} does not fit int32 (@dl has no 64-bit integers); ` +
          'convert it in Python first, e.g. t.to(torch.int32) or t.double()',
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 mantissa bits) to a JS number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the upper half of a float32. */
function bfloat16ToFloat(h: number): number {
  bf16Scratch.setUint32(0, h << 16);
  return bf16Scratch.getFloat32(0);
}
