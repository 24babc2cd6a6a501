/**
 * The output directory's preparation (out-dir.ts): system paths, level-by-level creation, the
 * lock against a second run (stale locks taken over), stale temporary files.
 */
import * as fs from 'fs';
import { hostname } from 'os';
import { join } from 'path';
import { CliError } from './errors';
import { LOCK_FILE, prepareOutDir, processStart, type LockInfo } from './out-dir';
import { captureStream } from './testing/streams';
import { tempDir } from './testing/files';

jest.setTimeout(30_000);

/** A pid no process can have: Linux's pid_max is at most 2^22. */
const DEAD = 2 ** 22 + 1;

function writeLock(dir: string, info: Partial<LockInfo>): void {
  const full: LockInfo = { pid: DEAD, host: hostname(), start: null, since: '2025-01-01T00:00:00.000Z', command: 'dl train --epochs 9', ...info };
  fs.writeFileSync(join(dir, LOCK_FILE), JSON.stringify(full));
}

describe('paths', () => {
  test.each(['/proc/x', '/proc/self/y/z', '/sys/dl-run', '/dev/dl-run'])('%s is refused at once (Node would loop forever in mkdir for /proc/x)', (p) => {
    const err = captureStream();
    expect(() => prepareOutDir(p, { stderr: err })).toThrow(CliError);
    expect(() => prepareOutDir(p, { stderr: err })).toThrow(
      new RegExp(`^--out ${p}: /(proc|sys|dev) is a virtual file system of the kernel, not a place for files; choose a directory of your own, e\\.g\\. --out runs/my-run$`),
    );
  });

  test('a symlink into /proc is refused too', () => {
    const dir = tempDir();
    fs.symlinkSync('/proc/self', join(dir, 'link'));
    expect(() => prepareOutDir(join(dir, 'link', 'run'), { stderr: captureStream() })).toThrow(/it leads to \/proc\/.*run, and \/proc is a virtual file system/);
  });

  test('creates missing levels; a file in the way is named', () => {
    const dir = tempDir();
    const out = prepareOutDir(join(dir, 'a', 'b', 'c'), { stderr: captureStream() });
    out.release();
    expect(fs.statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    fs.writeFileSync(join(dir, 'file'), 'x');
    expect(() => prepareOutDir(join(dir, 'file', 'run'), { stderr: captureStream() })).toThrow(
      new RegExp(`^--out .*file/run: '.*file' exists and is not a directory; choose another directory with --out DIR$`),
    );
  });
});

describe('the lock', () => {
  test('a second run in the same directory is refused, naming the first; released, the directory can be used again', () => {
    const dir = tempDir();
    const first = prepareOutDir(dir, { stderr: captureStream(), commandLine: 'dl train --out x' });
    const lock = JSON.parse(fs.readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockInfo;
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), command: 'dl train --out x' });
    expect(() => prepareOutDir(dir, { stderr: captureStream() })).toThrow(
      new RegExp(
        `^the output directory '${dir}' is in use: another dl train \\(pid ${process.pid} on this host, since .*: dl train --out x\\) is writing to it\\. ` +
          "Two runs in one directory would overwrite each other's checkpoints\\. Wait for that run to finish, or give this one another --out DIR$",
      ),
    );
    first.release();
    first.release(); // idempotent
    expect(fs.existsSync(join(dir, LOCK_FILE))).toBe(false);
    prepareOutDir(dir, { stderr: captureStream() }).release();
  });

  test('a lock whose process no longer runs is taken over, with a note', () => {
    const dir = tempDir();
    writeLock(dir, { pid: DEAD });
    const err = captureStream();
    const out = prepareOutDir(dir, { stderr: err });
    expect(err.text()).toBe(`dl train: note: took over the stale lock of pid ${DEAD} (since 2025-01-01T00:00:00.000Z) in ${dir}: process ${DEAD} no longer runs (it was killed or crashed)\n`);
    expect((JSON.parse(fs.readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockInfo).pid).toBe(process.pid);
    out.release();
  });

  test('a lock with this pid that this process did not take (an earlier process with the same pid) is stale', () => {
    const dir = tempDir();
    writeLock(dir, { pid: process.pid });
    const err = captureStream();
    prepareOutDir(dir, { stderr: err }).release();
    expect(err.text()).toMatch(/took over the stale lock of pid \d+ .*: its pid is this process \(an earlier process had the same pid\)/);
  });

  test('a live process holds its lock; the same pid with another start time is a reused pid', () => {
    const dir = tempDir();
    writeLock(dir, { pid: process.ppid, start: processStart(process.ppid) });
    expect(() => prepareOutDir(dir, { stderr: captureStream() })).toThrow(new RegExp(`another dl train \\(pid ${process.ppid} on this host`));
    if (processStart(process.ppid) !== null) {
      writeLock(dir, { pid: process.ppid, start: '1' });
      const err = captureStream();
      prepareOutDir(dir, { stderr: err }).release();
      expect(err.text()).toContain(`process ${process.ppid} that holds it is not the run that took it (its pid was reused)`);
    }
  });

  test("another host's lock cannot be checked: refused, saying how to remove it", () => {
    const dir = tempDir();
    writeLock(dir, { pid: 123, host: 'elsewhere.example' });
    expect(() => prepareOutDir(dir, { stderr: captureStream() })).toThrow(
      new RegExp(`another dl train \\(pid 123 on host elsewhere\\.example, .*; if that run is no longer running, delete ${dir}/\\.dl-train\\.lock$`),
    );
  });

  test('an empty lock file is a run starting (refused), or a crashed one when it is old (taken over)', () => {
    const dir = tempDir();
    fs.writeFileSync(join(dir, LOCK_FILE), '');
    expect(() => prepareOutDir(dir, { stderr: captureStream() })).toThrow(/is in use: another dl train is starting in it/);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(join(dir, LOCK_FILE), old, old);
    const err = captureStream();
    prepareOutDir(dir, { stderr: err }).release();
    expect(err.text()).toContain('the lock file is empty or unreadable (its run crashed while taking it)');
  });
});

test('temporary files of interrupted writes are removed, with a note; those of running writers stay', () => {
  const dir = tempDir();
  const stale = `checkpoint.safetensors.tmp-${DEAD}-0123456789ab`;
  const live = `metrics.json.tmp-${process.ppid}-0123456789ab`;
  fs.writeFileSync(join(dir, stale), 'half');
  fs.writeFileSync(join(dir, live), 'being written');
  const err = captureStream();
  prepareOutDir(dir, { stderr: err }).release();
  expect(err.text()).toBe(`dl train: note: removed 1 temporary file left in ${dir} by writes that were interrupted: ${stale}\n`);
  expect(fs.readdirSync(dir)).toEqual([live]);
});
