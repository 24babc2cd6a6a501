import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DataFormatError } from '../errors';
import { makeTar, makeTempDir, removeDir } from '../testing/fixtures';
import { readTar } from './tar';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('readTar', () => {
  it('lists files and directories with their data', () => {
    const big = new Uint8Array(1300).map((_, i) => i & 0xff);
    const tar = makeTar([{ name: 'dir/' }, { name: 'dir/a.txt', data: Buffer.from('hello') }, { name: 'dir/big.bin', data: big }, { name: 'empty' }]);
    const entries = readTar(tar, 'x.tar');
    expect(entries.map((e) => [e.name, e.type, e.data.length])).toEqual([
      ['dir/', 'directory', 0],
      ['dir/a.txt', 'file', 5],
      ['dir/big.bin', 'file', 1300],
      ['empty', 'file', 0],
    ]);
    expect(text(entries[1].data)).toBe('hello');
    expect(entries[2].data).toEqual(big);
  });

  it('reads archives made by the system tar (GNU long names, ustar prefix)', () => {
    let hasTar = true;
    try {
      execFileSync('tar', ['--version'], { stdio: 'ignore' });
    } catch {
      hasTar = false;
    }
    if (!hasTar) return;
    const dir = makeTempDir();
    try {
      const long = 'd'.repeat(60) + '/' + 'n'.repeat(70) + '.bin';
      fs.mkdirSync(path.join(dir, 'src', path.dirname(long)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', long), Buffer.from('long name'));
      fs.writeFileSync(path.join(dir, 'src', 'short.txt'), Buffer.alloc(700, 65));
      for (const format of ['gnu', 'ustar', 'pax']) {
        const out = path.join(dir, `a-${format}.tar`);
        execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', path.join(dir, 'src'), '.']);
        const files = readTar(new Uint8Array(fs.readFileSync(out)), out).filter((e) => e.type === 'file');
        const byName = new Map(files.map((e) => [e.name.replace(/^\.\//, ''), text(e.data)]));
        expect(byName.get(long)).toBe('long name');
        expect(byName.get('short.txt')).toBe('A'.repeat(700));
      }
    } finally {
      removeDir(dir);
    }
  });

  it('rejects bad checksums, bad numbers and truncated members, naming the file', () => {
    const tar = makeTar([{ name: 'a.bin', data: new Uint8Array(1000) }]);
    const bad = tar.slice();
    bad[0] ^= 1;
    expect(() => readTar(bad, 'c.tar')).toThrow(DataFormatError);
    expect(() => readTar(bad, 'c.tar')).toThrow(/^c\.tar: tar header at byte 0: checksum \d+ does not match/);
    expect(() => readTar(tar.subarray(0, 1000), 'c.tar')).toThrow(/truncated: member 'a.bin' \(header at byte 0\) has 1000 bytes of data but the archive ends after 488/);
    expect(() => readTar(tar.subarray(0, 300), 'c.tar')).toThrow(/300 stray bytes/);
    const notOctal = tar.slice();
    notOctal.set(Buffer.from('9'), 124);
    expect(() => readTar(notOctal, 'c.tar')).toThrow(DataFormatError);
    expect(readTar(new Uint8Array(1024), 'z.tar')).toEqual([]);
  });
});
