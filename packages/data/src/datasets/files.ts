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

/** `<name>.tmp-<pid>-<12 hex digits>`: the temporary files of {@link writeFileAtomic}. */
const TEMP_NAME = /^(.+)\.tmp-(\d+)-[0-9a-f]{12}$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that earlier atomic writes of `file` left when their process was
 * killed: those whose pid no longer runs, or is this process's (its writes are synchronous, so such
 * a file is an earlier process's with the same pid). The same rule as @dl/layers' atomic writer
 * (which this package cannot depend on). Best effort; returns the names removed.
 */
export function removeStaleTemps(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
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
      const p = path.join(dir, name);
      if (!fs.lstatSync(p).isFile()) continue;
      fs.unlinkSync(p);
      removed.push(name);
    } catch {
      // gone already
    }
  }
  return removed;
}

/**
 * Writes `bytes` to `file` atomically: a temporary file in the same directory
 * (`file.tmp-<pid>-<random>`), fsync, rename over `file`, then fsync of the directory (so that the
 * rename survives a power cut). Readers never see a partial file; on failure the temporary file is
 * removed, and the temporary files of earlier writes that were killed are removed first (see
 * {@link removeStaleTemps}).
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  removeStaleTemps(file);
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
  let dirFd: number | null = null;
  try {
    dirFd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dirFd);
  } catch {
    // not possible everywhere (Windows); the rename is atomic anyway
  } finally {
    if (dirFd !== null) fs.closeSync(dirFd);
  }
}
