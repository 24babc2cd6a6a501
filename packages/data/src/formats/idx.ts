/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 *
 * ```text
 * bytes 0-1   0x00 0x00
 * byte  2     data type: 0x08 unsigned byte (the only one MNIST uses; 0x09 int8, 0x0B int16,
 *             0x0C int32, 0x0D float32, 0x0E float64 exist and are rejected here)
 * byte  3     number of dims d (images: 3 = [count, rows, cols]; labels: 1 = [count])
 * 4 * d       each dim as a big-endian uint32
 * rest        the values, row-major; for bytes exactly prod(dims) of them
 * ```
 */
import * as zlib from 'zlib';
import { checkOptions } from '@dl/tensor';
import { DataFormatError } from '../errors';
import { MAX_GUNZIP_BYTES, isGzip, readBytes, readHead } from './gzip';

/** A parsed IDX file of unsigned bytes. `data` is a view of the input (no copy). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

function hex32(bytes: Uint8Array): string {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + (bytes[i] ?? 0);
  return '0x' + v.toString(16).padStart(8, '0');
}

/** The header of an IDX file: its dims, the number of data bytes they declare, and its own length. */
export interface IdxHeader {
  dims: number[];
  /** prod(dims): the number of data bytes that must follow the header. */
  count: number;
  /** 4 + 4 * ndim. */
  headerBytes: number;
}

function fixFor(what: string): string {
  return `the file is not a valid ${what} file or is damaged: replace it with a fresh copy`;
}

/**
 * Parses the header at the start of `bytes` (which may hold only the header, or more). Throws
 * DataFormatError naming `file` on a bad magic number, wrong type or dim count, a zero dim, or a
 * header that is cut short.
 */
export function parseIdxHeader(bytes: Uint8Array, file: string, ndim: number, what: string): IdxHeader {
  const fix = fixFor(what);
  const expected = `0x00000${(0x800 + ndim).toString(16)}`;
  if (bytes.length < 4) {
    throw new DataFormatError(file, `file is ${bytes.length} bytes long, too short for an IDX header (${4 + 4 * ndim} bytes)`, fix);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] !== ndim) {
    let detail = '';
    if (bytes[0] !== 0 || bytes[1] !== 0) detail = 'an IDX file starts with two zero bytes';
    else if (bytes[2] !== 0x08) detail = `data type 0x${bytes[2].toString(16).padStart(2, '0')} (${TYPE_NAMES[bytes[2]] ?? 'unknown'}), expected 0x08 (uint8)`;
    else detail = `${bytes[3]} dims, ${what} have ${ndim}`;
    throw new DataFormatError(file, `bad magic number ${hex32(bytes)} (expected ${expected} for ${what}: ${detail})`, fix);
  }
  const header = 4 + 4 * ndim;
  if (bytes.length < header) {
    throw new DataFormatError(file, `truncated header: ${bytes.length} bytes, an IDX header with ${ndim} dims needs ${header}`, fix);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const v = view.getUint32(4 + 4 * d, false);
    if (v === 0) throw new DataFormatError(file, `dim ${d} of the header is 0`, fix);
    dims.push(v);
    count *= v;
  }
  return { dims, count, headerBytes: header };
}

/** Throws unless `have` (the bytes after the header) is exactly what the header declares. */
function checkDataLength(file: string, h: IdxHeader, have: number, what: string): void {
  if (have < h.count) {
    throw new DataFormatError(
      file,
      `truncated: the header says [${h.dims.join(', ')}] = ${h.count} bytes of data, but only ${have} follow`,
      'the file is incomplete (an interrupted download or copy): replace it with a fresh copy',
    );
  }
  if (have > h.count) {
    throw new DataFormatError(file, `${have - h.count} unexpected bytes after the [${h.dims.join(', ')}] data the header announces`, fixFor(what));
  }
}

/**
 * Parses an IDX file of unsigned bytes with `ndim` dims (`what` says what the file should hold, for
 * the messages, e.g. 'MNIST images'). Throws DataFormatError naming `file` on a bad magic number,
 * wrong type or dim count, a zero dim, or data shorter or longer than the header says.
 */
export function parseIdx(bytes: Uint8Array, file: string, ndim: number, what: string): IdxArray {
  const h = parseIdxHeader(bytes, file, ndim, what);
  checkDataLength(file, h, bytes.length - h.headerBytes, what);
  return { dims: h.dims, data: bytes.subarray(h.headerBytes) };
}

/** Decompresses gzip data, producing at most `maxOutputLength` bytes (zlib.gunzipSync by default). */
export type Inflate = (gz: Uint8Array, opts: { maxOutputLength: number; partial: boolean }) => Uint8Array;

/** Options of {@link readIdxFile}. */
export interface ReadIdxOptions {
  /**
   * The gzip decompressor (tests pass one that counts the bytes it produces). `partial: true` is
   * asked for a prefix of the data (the header): it must return what the prefix inflates to
   * without complaining that the stream is cut short.
   */
  inflate?: Inflate;
}

const gunzipSyncInflate: Inflate = (gz, { maxOutputLength, partial }) => {
  const out = zlib.gunzipSync(gz, { maxOutputLength, ...(partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
};

/**
 * Reads an IDX file, raw or gzipped (told by its first bytes). The header is read first: a raw
 * file must be exactly as long as it declares (checked from the file size, before the data is
 * read), and gzip data is inflated from a short prefix for the header and then with its output
 * capped at the declared size, so that a small `.gz` that inflates to gigabytes (damaged, or a
 * gzip bomb) is refused after at most the declared size plus one zlib chunk, never inflated in full.
 * Throws DataFormatError naming `file` as {@link parseIdx} does.
 */
export function readIdxFile(file: string, ndim: number, what: string, opts: ReadIdxOptions = {}): IdxArray {
  checkOptions('readIdxFile', opts, ['inflate']);
  const inflate = opts.inflate ?? gunzipSyncInflate;
  const need = 4 + 4 * ndim;
  const { head: first, size } = readHead(file, Math.max(need, 2));
  const capOf = (h: IdxHeader): number => {
    const total = h.headerBytes + h.count;
    if (total > MAX_GUNZIP_BYTES) {
      throw new DataFormatError(
        file,
        `the header declares [${h.dims.join(', ')}] = ${h.count} bytes of data, more than the ${MAX_GUNZIP_BYTES}-byte limit of one IDX file`,
        fixFor(what),
      );
    }
    return total;
  };
  if (!isGzip(first)) {
    // raw: the file size alone says whether the data fits the header, before the data is read
    const h = parseIdxHeader(first, file, ndim, what);
    capOf(h);
    checkDataLength(file, h, size - h.headerBytes, what);
    return parseIdx(readBytes(file), file, ndim, what);
  }
  const raw = readBytes(file);
  const corrupt = (e: unknown): DataFormatError => {
    if (e instanceof DataFormatError) return e;
    const why = e instanceof Error ? e.message : String(e);
    return new DataFormatError(file, `corrupt or truncated gzip data (${why})`, 'the file is damaged or incompletely downloaded: replace it with a fresh copy');
  };
  // 1. the header, from growing prefixes of the compressed bytes (each inflates to at most ~1000x its size)
  let head: Uint8Array = new Uint8Array(0);
  for (let prefix = 64; ; prefix *= 4) {
    const part = raw.subarray(0, Math.min(prefix, raw.length));
    try {
      head = inflate(part, { maxOutputLength: 1100 * part.length + 1024, partial: true });
    } catch (e) {
      throw corrupt(e);
    }
    if (head.length >= need || part.length === raw.length) break;
  }
  const h = parseIdxHeader(head, file, ndim, what);
  // 2. the whole file, refusing to inflate more than the header declares
  const cap = capOf(h);
  let all: Uint8Array;
  try {
    all = inflate(raw, { maxOutputLength: cap, partial: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new DataFormatError(
        file,
        `the gzip data inflates to more than the ${cap} bytes the header declares (${h.headerBytes}-byte header + [${h.dims.join(', ')}] = ${h.count} bytes of data); decompression was stopped there`,
        `${fixFor(what)} (a header that undercounts its data, or a gzip bomb)`,
      );
    }
    throw corrupt(e);
  }
  return parseIdx(all, file, ndim, what);
}
