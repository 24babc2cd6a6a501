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
import { DataFormatError } from '../errors';

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

/**
 * Parses an IDX file of unsigned bytes with `ndim` dims (`what` says what the file should hold, for
 * the messages, e.g. 'MNIST images'). Throws DataFormatError naming `file` on a bad magic number,
 * wrong type or dim count, a zero dim, or data shorter or longer than the header says.
 */
export function parseIdx(bytes: Uint8Array, file: string, ndim: number, what: string): IdxArray {
  const fix = `the file is not a valid ${what} file or is damaged: replace it with a fresh copy`;
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
  const have = bytes.length - header;
  if (have < count) {
    throw new DataFormatError(
      file,
      `truncated: the header says [${dims.join(', ')}] = ${count} bytes of data, but only ${have} follow`,
      'the file is incomplete (an interrupted download or copy): replace it with a fresh copy',
    );
  }
  if (have > count) {
    throw new DataFormatError(file, `${have - count} unexpected bytes after the [${dims.join(', ')}] data the header announces`, fix);
  }
  return { dims, data: bytes.subarray(header) };
}
