/**
 * Reading files that may be gzip-compressed: detected by the gzip magic bytes `1f 8b` (not by the
 * name), so `x.gz` files that were already unpacked, and raw files named without `.gz`, both work.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { DataFormatError } from '../errors';

/** Largest decompressed size accepted (guards against corrupt sizes and gzip bombs): 2 GiB. */
export const MAX_GUNZIP_BYTES = 2 ** 31 - 1;

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip data; corrupt or truncated data throws a DataFormatError naming `file`. */
export function gunzip(bytes: Uint8Array, file: string, maxBytes = MAX_GUNZIP_BYTES): Uint8Array {
  try {
    const out = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DataFormatError(file, `corrupt or truncated gzip data (${why})`, 'the file is damaged or incompletely downloaded: replace it with a fresh copy');
  }
}

/** The decompressed contents of `bytes` when they are gzip data, else `bytes` themselves. */
export function maybeGunzip(bytes: Uint8Array, file: string, maxBytes = MAX_GUNZIP_BYTES): Uint8Array {
  return isGzip(bytes) ? gunzip(bytes, file, maxBytes) : bytes;
}

/** Reads a whole file (gunzipping it when it is gzip data); read errors name the file. */
export function readMaybeGzip(path: string): Uint8Array {
  return maybeGunzip(readBytes(path), path);
}

/** Reads a whole file; read errors (missing, a directory, no permission) become DataFormatErrors naming it. */
export function readBytes(path: string): Uint8Array {
  try {
    const b = fs.readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw readError(path, e);
  }
}

/** The DataFormatError for a file that cannot be opened or read (missing, a directory, no permission). */
export function readError(path: string, e: unknown): DataFormatError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
  return new DataFormatError(path, `cannot read the file: ${why}`, 'check the path and its permissions');
}

/**
 * The first `n` bytes of a file (fewer if it is shorter) and its size, without reading the rest;
 * errors as {@link readBytes}.
 */
export function readHead(path: string, n: number): { head: Uint8Array; size: number } {
  let fd: number | null = null;
  try {
    fd = fs.openSync(path, 'r');
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const head = new Uint8Array(Math.min(n, st.size));
    let got = 0;
    while (got < head.length) {
      const r = fs.readSync(fd, head, got, head.length - got, got);
      if (r === 0) break;
      got += r;
    }
    return { head: head.subarray(0, got), size: st.size };
  } catch (e) {
    throw readError(path, e);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
