import * as fs from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { processAlive, removeStaleTemps, writeFileAtomic } from './atomic';

/** A pid no process can have: Linux's pid_max is at most 2^22. */
const DEAD = 2 ** 22 + 1;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'dl-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const touch = (name: string): void => fs.writeFileSync(join(dir, name), 'x');

test('processAlive: this process and its parent run, an impossible pid does not', () => {
  expect(processAlive(process.pid)).toBe(true);
  expect(processAlive(process.ppid)).toBe(true);
  expect(processAlive(DEAD)).toBe(false);
  expect(processAlive(0)).toBe(false);
});

test('a write removes the stale temporary files of its target only: dead writers, and earlier processes with this pid', () => {
  touch(`a.bin.tmp-${DEAD}-0123456789ab`); // its writer was killed
  touch(`a.bin.tmp-${process.pid}-aaaaaaaaaaaa`); // left by an earlier process that had this pid
  touch(`a.bin.tmp-${process.ppid}-bbbbbbbbbbbb`); // a live writer: left alone
  touch(`b.bin.tmp-${DEAD}-0123456789ab`); // another file's: left for its own next write
  touch('a.bin.tmp-notes'); // not the pattern
  writeFileAtomic(join(dir, 'a.bin'), 'new');
  expect(fs.readdirSync(dir).sort()).toEqual(['a.bin', `a.bin.tmp-${process.ppid}-bbbbbbbbbbbb`, 'a.bin.tmp-notes', `b.bin.tmp-${DEAD}-0123456789ab`].sort());
  expect(fs.readFileSync(join(dir, 'a.bin'), 'utf8')).toBe('new');
});

test('removeStaleTemps(dir) removes the stale temporary files of every target, and says which', () => {
  touch(`a.bin.tmp-${DEAD}-0123456789ab`);
  touch(`b.json.tmp-${DEAD}-0123456789ab`);
  touch(`c.json.tmp-${process.ppid}-0123456789ab`);
  fs.mkdirSync(join(dir, `d.tmp-${DEAD}-0123456789ab`)); // a directory is never removed
  expect(removeStaleTemps(dir).sort()).toEqual([`a.bin.tmp-${DEAD}-0123456789ab`, `b.json.tmp-${DEAD}-0123456789ab`]);
  expect(fs.readdirSync(dir).sort()).toEqual([`c.json.tmp-${process.ppid}-0123456789ab`, `d.tmp-${DEAD}-0123456789ab`]);
  expect(removeStaleTemps(join(dir, 'missing'))).toEqual([]);
});

test('the directory is fsynced after the rename (so that the rename itself is durable)', () => {
  // the module object behind `import * as fs` in atomic.ts, whose functions the spies replace
  const nodeFs = jest.requireActual<typeof fs>('fs');
  const events: string[] = [];
  const open = jest.spyOn(nodeFs, 'openSync');
  const sync = jest.spyOn(nodeFs, 'fsyncSync').mockImplementation((fd) => {
    let i = open.mock.results.length - 1; // the latest open of this fd (numbers are reused)
    while (i >= 0 && open.mock.results[i].value !== fd) i--;
    events.push(`fsync ${i >= 0 && open.mock.calls[i][0] === dir ? 'dir' : 'file'}`);
  });
  try {
    writeFileAtomic(join(dir, 'a.bin'), 'x', {
      openSync: (p, f, m) => nodeFs.openSync(p, f, m),
      writeSync: (fd, b, o, l) => nodeFs.writeSync(fd, b, o, l),
      fsyncSync: (fd) => nodeFs.fsyncSync(fd),
      closeSync: (fd) => nodeFs.closeSync(fd),
      renameSync: (a, b) => {
        events.push('rename');
        nodeFs.renameSync(a, b);
      },
      unlinkSync: (p) => nodeFs.unlinkSync(p),
    });
  } finally {
    open.mockRestore();
    sync.mockRestore();
  }
  expect(events).toEqual(['fsync file', 'rename', 'fsync dir']);
});
