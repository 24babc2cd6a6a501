/**
 * Atomic file writes, shared by `save` (safetensors) and the `dl` command's checkpoints and outputs:
 *
 * 1. stale temporary files of earlier writes of the same file are removed (see below);
 * 2. the bytes go to a temporary file in the same directory, `<name>.tmp-<pid>-<12 hex digits>`;
 * 3. it is flushed to disk (fsync) and renamed over `<name>` (atomic on POSIX file systems);
 * 4. the directory is fsynced, so that the rename itself survives a power cut.
 *
 * A reader, or a crash at any moment, sees either the old file or the new one, never half of one.
 * If a step fails the temporary file is removed and the old file is left as it was.
 *
 * A process killed during step 2 or 3 (SIGKILL, a power cut) cannot remove its temporary file. Such
 * a file is *stale* when the process named by its `<pid>` no longer runs (or is this process: its
 * own writes are synchronous, so a temporary file with its pid that exists before a write starts
 * was left by an earlier process that had the same pid, as in containers). Every write removes the
 * stale temporary files of its target; {@link removeStaleTemps} removes those of every file in a
 * directory (`dl train` calls it when it starts or resumes). Files of running processes are never
 * touched (pids are only meaningful on this host: a directory shared over a network file system
 * with writers on other hosts should not be cleaned).
 *
 * ```ts
 * writeFileAtomic('runs/x/checkpoint.safetensors', bytes);
 * removeStaleTemps('runs/x'); // ['checkpoint.safetensors.tmp-4242-0123456789ab'] when pid 4242 died mid-write
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

/** Node's `fs`, as an {@link AtomicFs}. */
export const nodeAtomicFs: AtomicFs = {
  openSync: (p, f, m) => fs.openSync(p, f, m),
  writeSync: (fd, b, o, l) => fs.writeSync(fd, b, o, l),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
};

/** The prefix of the temporary files an atomic write of `path` creates (`<name>.tmp-`). */
export function tempPrefix(path: string): string {
  return `${basename(path)}.tmp-`;
}

/** `<name>.tmp-<pid>-<hex>`: the target's name and the writer's pid, or null for other names. */
const TEMP_NAME = /^(.+)\.tmp-(\d+)-[0-9a-f]{12}$/;

/** Temporary files this process is writing right now (never stale). */
const inProgress = new Set<string>();

/** True when a process with this pid runs (on this host). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the stale temporary files of atomic writes in `dir` (see the module comment): of the file
 * named `target` only, or of every file when `target` is not given. Best effort: files that cannot
 * be listed or removed are left. Returns the names removed.
 */
export function removeStaleTemps(dir: string, target?: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || (target !== undefined && m[1] !== target)) continue;
    const path = join(dir, name);
    if (inProgress.has(path)) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && processAlive(pid)) continue;
    try {
      if (!fs.lstatSync(path).isFile()) continue;
      fs.unlinkSync(path);
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** Flushes a directory's entries (a rename in it) to disk where the platform allows it; best effort. */
export function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported everywhere (e.g. Windows cannot open directories); the rename is atomic anyway
  } finally {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing more to do
      }
    }
  }
}

/**
 * Writes `data` (a string as UTF-8, or bytes) to `path` atomically (see the module comment). The
 * directory must exist.
 *
 * @throws the file system's error (its message names the temporary file or `path`); the old file
 *   is intact and the temporary file removed. Callers add what they were writing.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, io: AtomicFs = nodeAtomicFs): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const dir = dirname(path);
  removeStaleTemps(dir, basename(path));
  const tmp = join(dir, `${tempPrefix(path)}${process.pid}-${randomBytes(6).toString('hex')}`);
  inProgress.add(tmp);
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
    throw e;
  } finally {
    inProgress.delete(tmp);
  }
  syncDirectory(dir);
}
