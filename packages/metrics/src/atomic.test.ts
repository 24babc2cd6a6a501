import fs from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { writeFileAtomic } from './index';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(join(tmpdir(), 'dl-metrics-atomic-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes strings and bytes, replaces an existing file, and leaves no temporary file', () => {
    const file = join(dir, 'a.txt');
    writeFileAtomic(file, 'héllo');
    expect(fs.readFileSync(file, 'utf8')).toBe('héllo');
    writeFileAtomic(file, Uint8Array.from([1, 2, 3]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });

  it('writes through a temporary file in the same directory, then renames it', () => {
    const rename = jest.spyOn(fs, 'renameSync');
    const file = join(dir, 'b.json');
    writeFileAtomic(file, '{}');
    expect(rename).toHaveBeenCalledTimes(1);
    const [from, to] = rename.mock.calls[0] as [string, string];
    expect(to).toBe(file);
    expect(from.startsWith(join(dir, '.b.json.'))).toBe(true);
    expect(from.endsWith('.tmp')).toBe(true);
  });

  it('keeps the old file and removes the temporary one when the write fails', () => {
    const file = join(dir, 'c.txt');
    writeFileAtomic(file, 'old');
    jest.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw new Error('EIO: simulated');
    });
    expect(() => writeFileAtomic(file, 'new')).toThrow(`writeFileAtomic: could not write '${file}': EIO: simulated`);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['c.txt']);
  });

  it('says what to do when the directory is missing or the path is a directory', () => {
    const missing = join(dir, 'nope', 'x.txt');
    expect(() => writeFileAtomic(missing, 'x')).toThrow(
      `writeFileAtomic: cannot write '${missing}': directory '${join(dir, 'nope')}' does not exist; create it first (fs.mkdirSync(dir, { recursive: true }))`,
    );
    expect(() => writeFileAtomic(dir, 'x')).toThrow(/it is a directory; pass a file path/);
    expect(() => writeFileAtomic(join(dir, 'd.txt'), 42 as never)).toThrow(/data for '.*d.txt' must be a string or a Uint8Array\/Buffer/);
    expect(() => writeFileAtomic('', 'x')).toThrow(/path must be a non-empty string/);
  });

  it('removes the temporary files of earlier writes of the same file whose process was killed', () => {
    const dead = 2 ** 22 + 1; // no process has this pid (Linux's pid_max is at most 2^22)
    const stale = `.history.json.${dead}.0123456789ab.tmp`;
    const live = `.history.json.${process.ppid}.0123456789ab.tmp`; // a writer that still runs: left alone
    const other = `.report.html.${dead}.0123456789ab.tmp`; // another file's: left for its own write
    for (const n of [stale, live, other]) fs.writeFileSync(join(dir, n), 'partial');
    writeFileAtomic(join(dir, 'history.json'), '{}');
    expect(fs.readdirSync(dir).sort()).toEqual([live, other, 'history.json'].sort());
  });
});
