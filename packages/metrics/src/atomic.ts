/**
 * Atomic file writes: every file this package writes goes through `writeFileAtomic`, so a reader
 * (a browser refreshing a report, a resumed run reading a history) sees either the old file or the
 * complete new one, never a half-written file, even if the process dies mid-write.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { randomBytes } from 'crypto';
import { DLError, ValueError } from '@dl/tensor';

/**
 * Writes `data` (a string as UTF-8, or bytes) to `path` atomically: to a temporary file
 * `.<name>.<pid>.<random>.tmp` in the same directory, flushed to disk (fsync), then renamed over
 * `path` (a rename within one directory is atomic on POSIX file systems). On failure the temporary
 * file is removed and the old `path`, if any, is untouched. The directory must exist. Temporary
 * files of earlier writes of `path` that were killed half-way are removed first (see
 * {@link removeStaleTemps}).
 *
 * ```ts
 * writeFileAtomic('out/history.json', JSON.stringify(history));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const op = 'writeFileAtomic';
  if (typeof path !== 'string' || path === '') throw new ValueError(`${op}: path must be a non-empty string, got ${String(path)}`);
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new ValueError(`${op}: data for '${path}' must be a string or a Uint8Array/Buffer`);
  }
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ValueError(`${op}: cannot write '${path}': directory '${dir}' does not exist; create it first (fs.mkdirSync(dir, { recursive: true }))`);
  }
  if (existsSync(full) && statSync(full).isDirectory()) {
    throw new ValueError(`${op}: cannot write '${path}': it is a directory; pass a file path`);
  }
  removeStaleTemps(full);
  const tmp = join(dir, `.${basename(full)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, full);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may not exist
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new DLError(`${op}: could not write '${path}': ${why}`);
  }
  syncDirectory(dir);
}

/** Flushes the directory entry (the rename) to disk where the platform allows it; best effort. */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported everywhere (e.g. Windows); the rename itself is already atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** `.<name>.<pid>.<12 hex digits>.tmp`: the temporary files of {@link writeFileAtomic}. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that earlier atomic writes of `path` left when their process was
 * killed: those whose pid no longer runs, or is this process's (its writes are synchronous, so
 * such a file was left by an earlier process with the same pid). The same rule as @dl/layers'
 * atomic writer (which this package cannot depend on). Best effort; returns the names removed.
 */
export function removeStaleTemps(path: string): string[] {
  const full = resolve(path);
  const dir = dirname(full);
  const base = basename(full);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || m[1] !== base) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && processAlive(pid)) continue;
    try {
      const p = join(dir, name);
      if (!lstatSync(p).isFile()) continue;
      unlinkSync(p);
      removed.push(name);
    } catch {
      // gone already
    }
  }
  return removed;
}
