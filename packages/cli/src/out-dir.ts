/**
 * The output directory of `dl train` (`--out`), made ready before any data is loaded or any epoch
 * is trained, so that a run that could not save its work fails at once with a message saying what
 * to do, instead of after an epoch:
 *
 * 1. paths in the kernel's virtual file systems (`/proc`, `/sys`, `/dev`) are refused (Node's
 *    recursive mkdir loops forever on `/proc/x`);
 * 2. the directory is created level by level (each level at most twice, so it always ends), with
 *    an error naming the level that cannot be created;
 * 3. it must be writable: the lock file below is the probe;
 * 4. a lock file `.dl-train.lock` (JSON: pid, host, process start time, when, the command line)
 *    keeps a second `dl train` from writing its checkpoints into the same directory: the second
 *    run is refused, naming the first. A lock whose process no longer runs on this host (killed,
 *    crashed, or a pid reused by an unrelated process) is stale: it is taken over, with a note.
 *    The lock is released when the run ends, however it ends (an error, Ctrl-C; a second Ctrl-C
 *    exits through `process.exit`, whose 'exit' event releases it);
 * 5. temporary files of atomic writes killed half-way (`<name>.tmp-<pid>-<hex>` of processes that
 *    no longer run) are removed, with a note.
 *
 * ```ts
 * const dir = prepareOutDir('runs/mnist-mlp', { stderr: process.stderr, commandLine: 'dl train' });
 * try { ... } finally { dir.release(); }
 * ```
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { hostname } from 'os';
import { isAbsolute, join, parse, relative, resolve, sep } from 'path';
import { processAlive, removeStaleTemps } from '@dl/layers';
import { CliError } from './errors';
import type { OutputStream } from './progress';

/** The lock file's name in the output directory. */
export const LOCK_FILE = '.dl-train.lock';

/** File systems of the kernel, where no run's outputs belong. */
export const SYSTEM_DIRS = ['/proc', '/sys', '/dev'] as const;

/** What a lock file records about the run holding it. */
export interface LockInfo {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), or null elsewhere. */
  start: string | null;
  /** When the lock was taken (ISO 8601). */
  since: string;
  command: string;
}

/** A prepared output directory; `release()` removes the lock (idempotent). */
export interface OutDir {
  path: string;
  lockFile: string;
  release(): void;
}

export interface PrepareOptions {
  /** Where notes go (a stale lock taken over, stale temporary files removed). */
  stderr: OutputStream;
  /** The command line, recorded in the lock for whoever finds it. */
  commandLine?: string;
}

/** Locks this process holds (path -> release), released on process exit. */
const held = new Map<string, () => void>();
let exitHook = false;

/** The start time of a process (field 22 of `/proc/<pid>/stat`), or null where there is no /proc. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields restart after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** The system directory (`/proc`, `/sys`, `/dev`) that `p` is in, or null. */
function systemDir(p: string): string | null {
  for (const d of SYSTEM_DIRS) if (p === d || p.startsWith(d + sep)) return d;
  return null;
}

/** The real path of `p`: the deepest existing ancestor resolved through symlinks, plus the rest. */
function realPath(p: string): string {
  let existing = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(fs.realpathSync(existing), ...rest);
    } catch {
      const { dir, base } = parse(existing);
      if (dir === existing) return p;
      rest.unshift(base);
      existing = dir;
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Creates `dir` level by level (see the module comment); errors name the option and the level. */
function makeDirs(out: string, dir: string): void {
  const { root } = parse(dir);
  const parts = relative(root, dir).split(sep).filter((x) => x !== '');
  let at = root;
  for (const part of parts) {
    at = join(at, part);
    for (let attempt = 0; ; attempt++) {
      let st: fs.Stats | null = null;
      try {
        st = fs.statSync(at);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') throw new CliError(`--out ${out}: cannot use '${at}' (${errorText(e)}); choose another directory with --out DIR`);
      }
      if (st !== null) {
        if (!st.isDirectory()) throw new CliError(`--out ${out}: '${at}' exists and is not a directory; choose another directory with --out DIR`);
        break;
      }
      try {
        fs.mkdirSync(at);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' && attempt === 0) continue; // made by someone else meanwhile: look again
        throw new CliError(`cannot create the output directory '${out}': creating '${at}' failed (${errorText(e)}); choose another with --out DIR`);
      }
    }
  }
}

function readLock(file: string): { info: LockInfo | null; ageMs: number } | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const ageMs = Date.now() - fs.statSync(file).mtimeMs;
    try {
      const v = JSON.parse(text) as Partial<LockInfo>;
      if (typeof v.pid === 'number' && typeof v.host === 'string') {
        return { info: { pid: v.pid, host: v.host, start: typeof v.start === 'string' ? v.start : null, since: String(v.since ?? '?'), command: String(v.command ?? '?') }, ageMs };
      }
    } catch {
      // half-written (a crash between creating and filling it): judged by its age below
    }
    return { info: null, ageMs };
  } catch {
    return null; // removed meanwhile
  }
}

/**
 * Why the lock `info` is stale (its run no longer runs), or null when it is held by a live run (or
 * one that cannot be checked: on another host).
 */
function staleReason(file: string, info: LockInfo | null, ageMs: number): string | null {
  if (info === null) return ageMs > 10_000 ? 'the lock file is empty or unreadable (its run crashed while taking it)' : null;
  if (info.host !== hostname()) return null;
  if (info.pid === process.pid) return held.has(file) ? null : 'its pid is this process (an earlier process had the same pid)';
  if (!processAlive(info.pid)) return `process ${info.pid} no longer runs (it was killed or crashed)`;
  const start = processStart(info.pid);
  if (info.start !== null && start !== null && start !== info.start) return `process ${info.pid} that holds it is not the run that took it (its pid was reused)`;
  return null;
}

function lockError(out: string, file: string, info: LockInfo | null): CliError {
  const who =
    info === null
      ? 'another dl train is starting in it'
      : `another dl train (pid ${info.pid} on ${info.host === hostname() ? 'this host' : `host ${info.host}`}, since ${info.since}: ${info.command}) is writing to it`;
  return new CliError(
    `the output directory '${out}' is in use: ${who}. Two runs in one directory would overwrite each other's checkpoints. ` +
      `Wait for that run to finish, or give this one another --out DIR` +
      (info !== null && info.host !== hostname() ? `; if that run is no longer running, delete ${file}` : ''),
  );
}

/** Takes the lock of `dir` (see the module comment). */
function takeLock(out: string, dir: string, opts: PrepareOptions): string {
  const file = join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), start: processStart(process.pid), since: new Date().toISOString(), command: opts.commandLine ?? 'dl train' };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new CliError(
          `the output directory '${out}' is not writable (creating ${LOCK_FILE} in it failed: ${errorText(e)}); ` +
            `dl train writes its checkpoint there after every epoch. Make it writable (e.g. chmod u+w '${dir}'), or choose another with --out DIR`,
        );
      }
      const found = readLock(file);
      if (found === null) continue; // released meanwhile: try again
      const why = staleReason(file, found.info, found.ageMs);
      if (why === null) throw lockError(out, file, found.info);
      // move it aside first, so that of two runs taking it over at once only one succeeds
      const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        fs.renameSync(file, aside);
        fs.unlinkSync(aside);
      } catch {
        continue; // someone else took it over first: look again
      }
      const was = found.info !== null ? ` of pid ${found.info.pid} (since ${found.info.since})` : '';
      opts.stderr.write(`dl train: note: took over the stale lock${was} in ${dir}: ${why}\n`);
      continue;
    }
    try {
      fs.writeSync(fd, `${JSON.stringify(info)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return file;
  }
  throw lockError(out, file, readLock(file)?.info ?? null);
}

function releaseLock(file: string): void {
  held.delete(file);
  try {
    const found = readLock(file);
    if (found?.info?.pid === process.pid && found.info.host === hostname()) fs.unlinkSync(file);
  } catch {
    // gone already
  }
}

/**
 * Makes `out` ready for a run (see the module comment) and returns it locked.
 *
 * @throws CliError naming `--out` and what to do: a system directory, a level that cannot be
 *   created, a directory that is not writable, or one in use by another run.
 */
export function prepareOutDir(out: string, opts: PrepareOptions): OutDir {
  const dir = resolve(out);
  for (const p of [dir, realPath(dir)]) {
    const sys = systemDir(p);
    if (sys !== null) {
      throw new CliError(
        `--out ${out}: ${p === dir ? '' : `it leads to ${p}, and `}${sys} is a virtual file system of the kernel, not a place for files; ` +
          'choose a directory of your own, e.g. --out runs/my-run',
      );
    }
  }
  if (!isAbsolute(dir)) throw new CliError(`--out ${out}: cannot resolve the path`);
  makeDirs(out, dir);
  const lockFile = takeLock(out, dir, opts);
  const release = (): void => releaseLock(lockFile);
  held.set(lockFile, release);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const r of [...held.values()]) r();
    });
  }
  const removed = removeStaleTemps(dir);
  if (removed.length > 0) {
    opts.stderr.write(`dl train: note: removed ${removed.length} temporary file${removed.length === 1 ? '' : 's'} left in ${dir} by writes that were interrupted: ${removed.join(', ')}\n`);
  }
  return { path: dir, lockFile, release };
}
