import * as fs from 'fs';
import { join } from 'path';
import { tempPrefix, writeFileAtomic, type AtomicFs } from './atomic';
import { CliError } from './errors';
import { tempDir } from './testing/files';

/** Node's fs, with one call replaced to fail like a full disk or a vanished directory. */
function failing(what: 'writeSync' | 'fsyncSync' | 'renameSync'): AtomicFs {
  const err = (): Error => Object.assign(new Error(`${what}: ENOSPC: no space left on device`), { code: 'ENOSPC' });
  return {
    openSync: (p, f, m) => fs.openSync(p, f, m),
    writeSync:
      what === 'writeSync'
        ? (fd, b, o, l) => {
            fs.writeSync(fd, b, o, Math.min(l, 3)); // half a write reaches the disk, then the disk is full
            throw err();
          }
        : (fd, b, o, l) => fs.writeSync(fd, b, o, l),
    fsyncSync: what === 'fsyncSync' ? () => { throw err(); } : (fd) => fs.fsyncSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync: what === 'renameSync' ? () => { throw err(); } : (a, b) => fs.renameSync(a, b),
    unlinkSync: (p) => fs.unlinkSync(p),
  };
}

test('writes the file and leaves no temporary file', () => {
  const dir = tempDir();
  const path = join(dir, 'metrics.json');
  writeFileAtomic(path, '{"a":1}');
  writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  expect([...fs.readFileSync(path)]).toEqual([1, 2, 3]);
  expect(fs.readdirSync(dir)).toEqual(['metrics.json']);
});

test.each(['writeSync', 'fsyncSync', 'renameSync'] as const)('a failing %s keeps the old file and removes the temporary one', (what) => {
  const dir = tempDir();
  const path = join(dir, 'checkpoint.safetensors');
  writeFileAtomic(path, 'old contents');
  expect(() => writeFileAtomic(path, 'new contents that will not arrive', failing(what))).toThrow(
    /could not write .*checkpoint\.safetensors: .*ENOSPC.*\(the previous file, if any, is unchanged\)/,
  );
  expect(fs.readFileSync(path, 'utf8')).toBe('old contents');
  expect(fs.readdirSync(dir).filter((f) => f.startsWith(tempPrefix(path)))).toEqual([]);
  expect(fs.readdirSync(dir)).toEqual(['checkpoint.safetensors']);
});

test('a missing directory is an error naming the path', () => {
  const dir = tempDir();
  expect(() => writeFileAtomic(join(dir, 'nope', 'x.json'), 'x')).toThrow(/could not write .*nope\/x\.json: .*ENOENT/);
});

test('a temporary file left by a write that was killed (its process is gone) is removed by the next write', () => {
  const dir = tempDir();
  const path = join(dir, 'checkpoint.safetensors');
  const stale = `${tempPrefix(path)}${2 ** 22 + 1}-0123456789ab`; // no process has this pid (Linux pid_max <= 2^22)
  fs.writeFileSync(join(dir, stale), 'half a checkpoint');
  const running = `${tempPrefix(path)}${process.ppid}-0123456789ab`; // a writer that still runs: left alone
  fs.writeFileSync(join(dir, running), 'being written');
  writeFileAtomic(path, 'whole');
  expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', running]);
});

test('a failed write is a CliError (dl reports it as an error, not as a bug)', () => {
  const dir = tempDir();
  expect(() => writeFileAtomic(join(dir, 'nope', 'x.json'), 'x')).toThrow(CliError);
});
