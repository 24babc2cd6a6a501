import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ValueError } from '@dl/tensor';
import { DataFormatError, DatasetNotFoundError } from '../errors';
import { makeCifarRecords, makeTar, makeTempDir, removeDir } from '../testing/fixtures';
import { CIFAR10, CIFAR100 } from './cifar';

const TRAIN = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];

/** Five train batches of 2 records (labels 2k, 2k+1 mod 10) and a test batch of 3. */
function cifar10Files(): Record<string, { bytes: Uint8Array; images: Uint8Array }> {
  const files: Record<string, { bytes: Uint8Array; images: Uint8Array }> = {};
  TRAIN.forEach((f, k) => (files[f] = makeCifarRecords([[(2 * k) % 10, (2 * k + 1) % 10]], k + 1)));
  files['test_batch.bin'] = makeCifarRecords([[7, 8, 9]], 10);
  return files;
}

describe('CIFAR10', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('reads the binary batches in order from a directory', () => {
    const files = cifar10Files();
    for (const [name, f] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), f.bytes);
    const train = new CIFAR10({ root: dir });
    expect(train.length).toBe(10);
    expect(Array.from(train.targets)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Buffer.from(train.rawImage(2)).equals(Buffer.from(files['data_batch_2.bin'].images.subarray(0, 3072)))).toBe(true);
    const [x, y] = train.get(9);
    expect(x.shape).toEqual([3, 32, 32]);
    expect(y).toBe(9);
    expect(train.classes[0]).toBe('airplane');
    const test = new CIFAR10({ root: dir, train: false });
    expect(Array.from(test.targets)).toEqual([7, 8, 9]);
  });

  it('reads the .tar.gz directly (in root, or given as root) and takes names from batches.meta.txt', () => {
    const files = cifar10Files();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const tar = makeTar([
      { name: 'cifar-10-batches-bin/' },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from(names.join('\n') + '\n\n') },
      ...Object.entries(files).map(([n, f]) => ({ name: `cifar-10-batches-bin/${n}`, data: f.bytes })),
    ]);
    const archive = path.join(dir, 'cifar-10-binary.tar.gz');
    fs.writeFileSync(archive, zlib.gzipSync(tar));
    const fromDir = new CIFAR10({ root: dir, train: false });
    expect(Array.from(fromDir.targets)).toEqual([7, 8, 9]);
    expect(fromDir.classes).toEqual(names);
    const fromFile = new CIFAR10({ root: archive });
    expect(fromFile.length).toBe(10);
    expect(Buffer.from(fromFile.images).equals(Buffer.from(Buffer.concat(TRAIN.map((f) => files[f].images))))).toBe(true);
  });

  it('finds the unpacked cifar-10-batches-bin folder', () => {
    const sub = path.join(dir, 'cifar-10-batches-bin');
    fs.mkdirSync(sub);
    for (const [name, f] of Object.entries(cifar10Files())) fs.writeFileSync(path.join(sub, name), f.bytes);
    expect(new CIFAR10({ root: dir }).length).toBe(10);
  });

  it('says which files are missing and where to get them; recognises the Python version', () => {
    fs.mkdirSync(path.join(dir, 'cifar-10-batches-py'));
    expect(() => new CIFAR10({ root: dir, train: false })).toThrow(DatasetNotFoundError);
    expect(() => new CIFAR10({ root: dir, train: false })).toThrow(
      `CIFAR10: test_batch.bin not found in ${dir} or ${dir}/cifar-10-batches-bin, and no cifar-10-binary.tar.gz there ` +
        `(${dir}/cifar-10-batches-py is the Python version, which this reader does not use). ` +
        `Download the binary version https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz into ${dir} (unpacking is optional)`,
    );
    expect(() => new CIFAR10({ root: path.join(dir, 'nope') })).toThrow(/does not exist/);
    expect(() => new CIFAR10({} as { root: string })).toThrow(ValueError);
  });

  it('names the damaged file or archive member', () => {
    const files = cifar10Files();
    for (const [name, f] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), f.bytes);
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), files['data_batch_3.bin'].bytes.subarray(0, 5000));
    expect(() => new CIFAR10({ root: dir })).toThrow(new RegExp(`^${path.join(dir, 'data_batch_3.bin')}: size 5000 bytes is not a positive multiple`));
    const archive = path.join(dir, 'x.tar.gz');
    fs.writeFileSync(archive, zlib.gzipSync(makeTar([{ name: 'test_batch.bin', data: makeCifarRecords([[12]], 1).bytes }])));
    expect(() => new CIFAR10({ root: archive, train: false })).toThrow(DataFormatError);
    expect(() => new CIFAR10({ root: archive, train: false })).toThrow(`${archive}:test_batch.bin: record 0 has label 12`);
    expect(() => new CIFAR10({ root: archive })).toThrow(`${archive}: the archive has no member data_batch_1.bin`);
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'one\ntwo\n');
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), files['data_batch_3.bin'].bytes);
    expect(() => new CIFAR10({ root: dir })).toThrow(/batches\.meta\.txt: lists 2 class names, expected 10/);
  });
});

describe('CIFAR100', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('reads fine or coarse labels with their names', () => {
    const sub = path.join(dir, 'cifar-100-binary');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'train.bin'), makeCifarRecords([[3, 19], [99, 0]], 1).bytes);
    fs.writeFileSync(path.join(sub, 'test.bin'), makeCifarRecords([[1], [2]], 2).bytes);
    const fine = new CIFAR100({ root: dir });
    expect(Array.from(fine.targets)).toEqual([99, 0]);
    expect(fine.classes.length).toBe(100);
    expect(fine.classes[99]).toBe('worm');
    const coarse = new CIFAR100({ root: dir, labelType: 'coarse' });
    expect(Array.from(coarse.targets)).toEqual([3, 19]);
    expect(coarse.classes[19]).toBe('vehicles_2');
    expect(new CIFAR100({ root: dir, train: false }).length).toBe(1);
    expect(() => new CIFAR100({ root: dir, labelType: 'mid' as 'fine' })).toThrow(ValueError);
  });
});
