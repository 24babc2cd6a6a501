/**
 * Atomic file writes: the bytes go to a temporary file in the same directory
 * (`<name>.tmp-<pid>-<random>`), are flushed to disk (fsync), and the temporary file is renamed
 * over the target. A reader, or a crash at any moment, sees either the old file or the new one,
 * never half of one; if anything fails the temporary file is removed and the old file is left as
 * it was.
 *
 * ```ts
 * writeFileAtomic('runs/mnist-mlp/metrics.json', JSON.stringify(metrics));
 * ```
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { basename, dirname, join } from 'path';

/** The file-system calls an atomic write makes (Node's `fs`; tests pass one that fails on purpose). */
export interface AtomicFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const nodeFs: AtomicFs = {
  openSync: (p, f, m) => fs.openSync(p, f, m),
  writeSync: (fd, b, o, l) => fs.writeSync(fd, b, o, l),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
};

/** The prefix of the temporary files an atomic write of `path` may create (to look for leftovers). */
export function tempPrefix(path: string): string {
  return `${basename(path)}.tmp-`;
}

/**
 * Writes `data` to `path` atomically (see the module comment). The directory must exist.
 *
 * @throws Error from the file system, with the path in the message; the old file is intact.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, io: AtomicFs = nodeFs): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${randomBytes(6).toString('hex')}`);
  let fd: number | null = null;
  try {
    fd = io.openSync(tmp, 'wx', 0o644);
    let written = 0;
    while (written < bytes.length) written += io.writeSync(fd, bytes, written, bytes.length - written);
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = null;
    io.renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        io.closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    try {
      io.unlinkSync(tmp);
    } catch {
      // the temporary file may not exist (open failed) or be gone already
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`could not write ${path}: ${msg} (the previous file, if any, is unchanged)`);
  }
}
