/**
 * `dl train --out DIR` before any training: system paths, directories that cannot be written, a
 * second run in the same directory (refused, naming the first; the lock is released on exit,
 * Ctrl-C included; a stale lock is taken over), temporary files of interrupted writes removed.
 */
import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'fs';
import { hostname } from 'os';
import { join } from 'path';
import { LOCK_FILE } from './out-dir';
import { spawnDl } from './testing/child';
import { tempDir } from './testing/files';
import { runCli, type CliResult } from './testing/run';

// every test here trains or spawns dl: each has a generous limit of its own, never jest's 5 s default
const LIMIT = 120_000;

const DEAD = 2 ** 22 + 1; // no process has this pid (Linux's pid_max is at most 2^22)
const SMALL = ['--train-size', '200', '--test-size', '50', '--batch-size', '50', '--epochs', '1', '--no-report'];

test('--out in /proc is refused at once, naming the option (Node would loop forever creating /proc/x)', async () => {
  const r = await runCli(['train', ...SMALL, '--out', '/proc/x']);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('dl: error: --out /proc/x: /proc is a virtual file system of the kernel, not a place for files; choose a directory of your own, e.g. --out runs/my-run\n');
  const file = join(tempDir(), 'file');
  writeFileSync(file, 'x');
  const under = await runCli(['train', ...SMALL, '--out', join(file, 'run')]);
  expect(under.code).toBe(1);
  expect(under.stderr).toMatch(/^dl: error: --out .*file\/run: '.*file' exists and is not a directory; choose another directory with --out DIR\n$/);
}, LIMIT);

test('an existing --out directory that cannot be written fails before training, saying what to do', async () => {
  const parent = tempDir();
  chmodSync(parent, 0o755);
  const out = join(parent, 'read-only');
  mkdirSync(out);
  chmodSync(out, 0o555);
  const args = ['train', ...SMALL, '--log-every', '1', '--out', out];
  // root may write anywhere: run dl as an unprivileged user then
  const r: CliResult | { code: number | null; stdout: string; stderr: string } =
    process.getuid?.() === 0 ? await spawnDl(args, { uid: 65534, gid: 65534, timeoutMs: 100_000 }) : await runCli(args);
  expect(r.stderr).toMatch(
    new RegExp(
      `^dl: error: the output directory '${out}' is not writable \\(creating \\.dl-train\\.lock in it failed: EACCES: permission denied.*\\); ` +
        `dl train writes its checkpoint there after every epoch\\. Make it writable \\(e\\.g\\. chmod u\\+w '${out}'\\), or choose another with --out DIR\\n$`,
    ),
  );
  expect(r.code).toBe(1);
  expect(r.stdout).not.toMatch(/epoch 1\//); // no epoch was trained
  expect(r.stderr).not.toContain('a bug in dl');
}, LIMIT);

test('a second dl train with the same --out is refused while the first runs; the first releases its lock on Ctrl-C', async () => {
  const out = tempDir();
  let second: Promise<CliResult> | null = null;
  const first = await spawnDl(['train', '--train-size', '2000', '--test-size', '100', '--batch-size', '20', '--epochs', '2', '--log-every', '1', '--no-report', '--out', out], {
    timeoutMs: 100_000,
    onOutput: (child, _stdout, stderr) => {
      if (second === null && /batch 1\//.test(stderr)) {
        // the first run is training and holds the lock: the second is refused before it loads anything
        second = runCli(['train', ...SMALL, '--out', out]);
        child.kill('SIGINT');
      }
    },
  });
  expect(second).not.toBeNull();
  const r = await (second as unknown as Promise<CliResult>);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(
      `^dl: error: the output directory '${out}' is in use: another dl train \\(pid \\d+ on this host, since [-\\d:.TZ]+: dl train --train-size 2000 .*\\) is writing to it\\. ` +
        "Two runs in one directory would overwrite each other's checkpoints\\. Wait for that run to finish, or give this one another --out DIR\\n$",
    ),
  );
  expect(first.code).toBe(130);
  expect(first.stderr).toContain('checkpoint saved to');
  expect(first.stderr).not.toContain('second Ctrl-C');
  expect(readdirSync(out)).not.toContain(LOCK_FILE); // released on the way out
  // the directory is free again: the run resumes there
  const resumed = await runCli(['train', '--resume', join(out, 'checkpoint.safetensors'), '--epochs', '1', '--no-report']);
  expect(resumed.stderr).toBe('');
  expect(resumed.code).toBe(0);
  expect(readdirSync(out)).not.toContain(LOCK_FILE);
}, LIMIT);

test('a lock left by a run that was killed is taken over with a note; temporary files of its interrupted writes are removed', async () => {
  const out = tempDir();
  writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: DEAD, host: hostname(), start: null, since: '2025-01-01T00:00:00.000Z', command: 'dl train' }));
  const stale = `checkpoint.safetensors.tmp-${DEAD}-0123456789ab`;
  writeFileSync(join(out, stale), 'half a checkpoint');
  const r = await runCli(['train', ...SMALL, '--out', out]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`dl train: note: took over the stale lock of pid ${DEAD} (since 2025-01-01T00:00:00.000Z) in ${out}: process ${DEAD} no longer runs (it was killed or crashed)\n`);
  expect(r.stderr).toContain(`dl train: note: removed 1 temporary file left in ${out} by writes that were interrupted: ${stale}\n`);
  expect(existsSync(join(out, stale))).toBe(false);
  expect(readdirSync(out)).not.toContain(LOCK_FILE);
  // and on resume too
  writeFileSync(join(out, stale), 'half a checkpoint');
  const resumed = await runCli(['train', '--resume', join(out, 'checkpoint.safetensors'), '--epochs', '2', '--no-report']);
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toContain(`removed 1 temporary file left in ${out}`);
  expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
}, LIMIT);

test('a process that exits through process.exit (as on a second Ctrl-C) releases its lock', async () => {
  const out = tempDir();
  // a child that takes the lock and exits at once, as main.ts does on a second Ctrl-C
  const script =
    `const { prepareOutDir } = require(${JSON.stringify(join(__dirname, 'out-dir.ts'))});` +
    `prepareOutDir(${JSON.stringify(out)}, { stderr: process.stderr });` +
    `require('fs').accessSync(${JSON.stringify(join(out, LOCK_FILE))});` +
    'process.exit(130);';
  const child = spawnSync(process.execPath, ['-r', join(__dirname, 'testing', 'ts-register.js'), '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(130);
  expect(readdirSync(out)).toEqual([]);
}, LIMIT);
