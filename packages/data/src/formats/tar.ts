/**
 * A small reader for (uncompressed) tar archives, enough for the dataset archives
 * (`cifar-10-binary.tar.gz` after gunzip). Formats: POSIX ustar (with the 155-byte name prefix),
 * GNU long names (type 'L') and pax extended headers (type 'x', its `path` record); old v7 headers
 * work too.
 *
 * Layout: 512-byte blocks. Each member is a header block
 *
 * ```text
 * offset size field
 *      0  100 name (NUL-terminated)       124   12 size (octal ASCII, or base-256 when byte 124 has bit 7)
 *    148    8 checksum (octal): sum of the 512 header bytes with this field read as 8 spaces
 *    156    1 type: '0' or NUL file, '5' directory, 'x' pax header, 'L' GNU long name, ...
 *    257    6 "ustar" magic                345  155 name prefix (ustar)
 * ```
 *
 * followed by the data padded to a multiple of 512 bytes. The archive ends with zero blocks (or
 * simply at the end of the bytes).
 */
import { DataFormatError } from '../errors';

/** One member. `data` is a view of the archive bytes (no copy). */
export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  data: Uint8Array;
}

const BLOCK = 512;

function cString(bytes: Uint8Array, from: number, len: number): string {
  let end = from;
  while (end < from + len && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, end - from).toString('utf8');
}

function parseNumber(bytes: Uint8Array, from: number, len: number, file: string, what: string, at: number): number {
  if (bytes[from] & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit of the first byte set.
    if (bytes[from] & 0x40) throw new DataFormatError(file, `tar header at byte ${at}: negative ${what}`, 'the archive is damaged: download it again');
    let v = bytes[from] & 0x3f;
    for (let i = from + 1; i < from + len; i++) {
      v = v * 256 + bytes[i];
      if (v > Number.MAX_SAFE_INTEGER) throw new DataFormatError(file, `tar header at byte ${at}: ${what} is too large`, 'the archive is damaged: download it again');
    }
    return v;
  }
  const s = cString(bytes, from, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) {
    throw new DataFormatError(file, `tar header at byte ${at}: ${what} field '${s.slice(0, 20)}' is not an octal number`, 'the file is not a tar archive or is damaged: download it again');
  }
  return parseInt(s, 8);
}

function isZeroBlock(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + BLOCK; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Lists the members of a tar archive. Throws DataFormatError naming `file` on a header whose
 * checksum does not match, a bad number field, or a member whose data runs past the end.
 */
export function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const entries: TarEntry[] = [];
  const fix = 'the file is not a tar archive or is damaged: download it again';
  let at = 0;
  let longName: string | null = null;
  while (at < bytes.length) {
    if (at + BLOCK > bytes.length) {
      if (bytes.subarray(at).every((b) => b === 0)) break;
      throw new DataFormatError(file, `truncated: ${bytes.length - at} stray bytes at byte ${at}, less than a 512-byte tar header`, 'the archive is incomplete: download it again');
    }
    if (isZeroBlock(bytes, at)) break;
    const stored = parseNumber(bytes, at + 148, 8, file, 'checksum', at);
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
      const b = i >= 148 && i < 156 ? 0x20 : bytes[at + i];
      unsigned += b;
      signed += b >= 128 ? b - 256 : b;
    }
    if (stored !== unsigned && stored !== signed) {
      throw new DataFormatError(file, `tar header at byte ${at}: checksum ${stored} does not match the header's sum ${unsigned}`, fix);
    }
    const size = parseNumber(bytes, at + 124, 12, file, 'size', at);
    const typeByte = bytes[at + 156];
    const type = typeByte === 0 ? '0' : String.fromCharCode(typeByte);
    let name = cString(bytes, at, 100);
    if (cString(bytes, at + 257, 5) === 'ustar') {
      const prefix = cString(bytes, at + 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const dataStart = at + BLOCK;
    if (dataStart + size > bytes.length) {
      throw new DataFormatError(
        file,
        `truncated: member '${name}' (header at byte ${at}) has ${size} bytes of data but the archive ends after ${bytes.length - dataStart}`,
        'the archive is incomplete (an interrupted download?): download it again',
      );
    }
    const data = bytes.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      const path = paxPath(data);
      if (path !== null) longName = path;
      continue;
    }
    if (type === 'g') continue;
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    entries.push({ name, type: type === '0' || type === '7' ? 'file' : type === '5' ? 'directory' : 'other', data });
  }
  return entries;
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records), or null. */
function paxPath(data: Uint8Array): string | null {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  let path: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) path = m[1];
  }
  return path;
}
