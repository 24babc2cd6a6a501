import * as fs from 'fs';
import * as path from 'path';
import { makeTempDir, removeDir } from '../testing/fixtures';
import { writeFileAtomic } from './files';

const DEAD = 2 ** 22 + 1; // no process has this pid (Linux's pid_max is at most 2^22)

test('writeFileAtomic removes the temporary files of earlier writes of the same file that were killed', () => {
  const dir = makeTempDir();
  try {
    const file = path.join(dir, 'train-images-idx3-ubyte.gz');
    const stale = `train-images-idx3-ubyte.gz.tmp-${DEAD}-0123456789ab`; // a download killed half-way
    const live = `train-images-idx3-ubyte.gz.tmp-${process.ppid}-0123456789ab`; // a writer that still runs
    const other = `t10k-images-idx3-ubyte.gz.tmp-${DEAD}-0123456789ab`; // another file's: left for its own write
    for (const n of [stale, live, other]) fs.writeFileSync(path.join(dir, n), 'partial');
    writeFileAtomic(file, Uint8Array.from([1, 2, 3]));
    expect(fs.readdirSync(dir).sort()).toEqual([other, live, 'train-images-idx3-ubyte.gz'].sort());
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
  } finally {
    removeDir(dir);
  }
});
