/** File-system helpers of the datasets: finding a file under several names, atomic writes. */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

/** True when `p` is an existing regular file (symlinks followed). */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** True when `p` is an existing directory (symlinks followed). */
export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The first existing file `dir/name` over dirs (outer loop) and names (inner loop), or null. */
export function findFile(dirs: readonly string[], names: readonly string[]): string | null {
  for (const d of dirs) {
    for (const n of names) {
      const p = path.join(d, n);
      if (isFile(p)) return p;
    }
  }
  return null;
}

/**
 * Writes `bytes` to `file` atomically: a temporary file in the same directory
 * (`file.tmp-<pid>-<random>`), fsync, then rename over `file`. Readers never see a partial file;
 * on failure the temporary file is removed.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}
