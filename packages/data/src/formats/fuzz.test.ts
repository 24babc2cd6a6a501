/**
 * Fuzz tests of every parser: random bytes, and random truncations, byte flips, insertions,
 * deletions and appended garbage applied to valid files. Each parser must either return a result
 * that is consistent with its input or throw a DataFormatError; any other exception fails, and a
 * hang fails by the test timeout.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as fc from 'fast-check';
import { DataFormatError, DatasetNotFoundError } from '../errors';
import { CIFAR10 } from '../datasets/cifar';
import { MNIST } from '../datasets/mnist';
import { makeCifarRecords, makeIdx, makeJpeg, makePng, makeTar, makeTempDir, randomBytesSeeded, removeDir, writeMnistFiles } from '../testing/fixtures';
import { parseCifarBinary } from './cifar';
import { gunzip, maybeGunzip } from './gzip';
import { parseIdx } from './idx';
import { decodeImage } from './image';
import { readTar } from './tar';

type Mutation = (b: Uint8Array) => Uint8Array;

/** Uniform in [0, 1) (fc.double favours tiny values, which would only ever touch the first bytes). */
const frac = fc.integer({ min: 0, max: 1 << 20 }).map((v) => v / ((1 << 20) + 1));

/** A random damage to a file. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  frac.map((f): Mutation => (b) => b.slice(0, Math.floor(f * b.length))),
  fc.array(fc.tuple(frac, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map(
    (flips): Mutation => (b) => {
      const out = b.slice();
      for (const [at, v] of flips) if (out.length > 0) out[Math.floor(at * out.length)] = v;
      return out;
    },
  ),
  fc.tuple(frac, fc.uint8Array({ minLength: 1, maxLength: 40 })).map(
    ([at, ins]): Mutation => (b) => {
      const k = Math.floor(at * b.length);
      return Uint8Array.from([...b.subarray(0, k), ...ins, ...b.subarray(k)]);
    },
  ),
  fc.tuple(frac, fc.integer({ min: 1, max: 600 })).map(
    ([at, n]): Mutation => (b) => {
      const k = Math.floor(at * b.length);
      return Uint8Array.from([...b.subarray(0, k), ...b.subarray(k + n)]);
    },
  ),
  fc.uint8Array({ minLength: 1, maxLength: 100 }).map((tail): Mutation => (b) => Uint8Array.from([...b, ...tail])),
);

/** Random bytes, or a damaged version of one of the valid files. */
function inputs(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...valid), mutation).map(([b, m]) => m(b)) },
  );
}

/** Runs `parse`; a result goes to `check`, a DataFormatError is fine, anything else fails. */
function parsesOrThrowsClean<T>(parse: () => T, check: (r: T) => void): void {
  let result: T;
  try {
    result = parse();
  } catch (e) {
    if (e instanceof DataFormatError) return;
    throw e;
  }
  check(result);
}

const RUNS = 200;

describe('fuzz: every parser parses consistently or throws DataFormatError', () => {
  it('IDX', () => {
    const valid = [makeIdx([3, 5, 4], randomBytesSeeded(60, 1)), makeIdx([7], randomBytesSeeded(7, 2))];
    fc.assert(
      fc.property(inputs(valid), fc.constantFrom(1, 3), (bytes, ndim) =>
        parsesOrThrowsClean(
          () => parseIdx(bytes, 'f.idx', ndim, 'test'),
          (r) => {
            expect(r.dims.length).toBe(ndim);
            expect(r.data.length).toBe(r.dims.reduce((a, b) => a * b, 1));
            expect(r.data.length + 4 + 4 * ndim).toBe(bytes.length);
          },
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('CIFAR binary', () => {
    const valid = [makeCifarRecords([[1, 2, 3]], 1).bytes, makeCifarRecords([[5], [77]], 2).bytes];
    fc.assert(
      fc.property(inputs(valid), fc.constantFrom([10], [20, 100]), (bytes, ranges) =>
        parsesOrThrowsClean(
          () => parseCifarBinary(bytes, 'b.bin', ranges, 'CIFAR'),
          (r) => {
            expect(r.images.length).toBe(r.count * 3072);
            expect(r.count * (ranges.length + 3072)).toBe(bytes.length);
            r.labels.forEach((l, k) => l.forEach((v) => expect(v).toBeLessThan(ranges[k])));
          },
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('tar', () => {
    const valid = [
      makeTar([{ name: 'd/' }, { name: 'd/a.bin', data: randomBytesSeeded(700, 3) }, { name: 'b.txt', data: Buffer.from('hi') }]),
      makeTar([{ name: 'x', data: randomBytesSeeded(10, 4) }]),
    ];
    fc.assert(
      fc.property(inputs(valid), (bytes) =>
        parsesOrThrowsClean(
          () => readTar(bytes, 'a.tar'),
          (entries) => {
            for (const e of entries) {
              expect(typeof e.name).toBe('string');
              expect(e.data.buffer).toBe(bytes.buffer); // a view inside the input
              expect(e.data.byteOffset + e.data.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
            }
          },
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('gzip', () => {
    const valid = [new Uint8Array(zlib.gzipSync(randomBytesSeeded(3000, 5))), new Uint8Array(zlib.gzipSync(new Uint8Array(5000)))];
    fc.assert(
      fc.property(inputs(valid), (bytes) => {
        parsesOrThrowsClean(
          () => gunzip(bytes, 'f.gz'),
          (out) => expect(out).toBeInstanceOf(Uint8Array),
        );
        parsesOrThrowsClean(
          () => maybeGunzip(bytes, 'f'),
          (out) => expect(out).toBeInstanceOf(Uint8Array),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('PNG and JPEG (pngjs, jpeg-js behind decodeImage)', () => {
    const valid = [
      makePng(6, 5, 3, randomBytesSeeded(90, 6)),
      makePng(4, 4, 1, randomBytesSeeded(16, 7)),
      makePng(3, 2, 4, randomBytesSeeded(24, 8)),
      makeJpeg(8, 8, randomBytesSeeded(192, 9)),
    ];
    fc.assert(
      fc.property(inputs(valid), fc.constantFrom(undefined, 1, 3, 4), (bytes, channels) =>
        parsesOrThrowsClean(
          () => decodeImage(bytes, 'i.png', { channels, maxPixels: 1 << 20 }),
          (img) => {
            expect(img.width).toBeGreaterThan(0);
            expect(img.height).toBeGreaterThan(0);
            if (channels) expect(img.channels).toBe(channels);
            expect(img.data.length).toBe(img.width * img.height * img.channels);
          },
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('whole datasets on disk: damaged MNIST and CIFAR files', () => {
    const dir = makeTempDir();
    try {
      writeMnistFiles(dir, 4, 3, { gzip: true });
      const labelsGz = fs.readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
      const imagesGz = fs.readFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'));
      const test = makeCifarRecords([[1, 2]], 3).bytes;
      const archive = zlib.gzipSync(makeTar([{ name: 'cifar-10-batches-bin/test_batch.bin', data: test }]));
      fc.assert(
        fc.property(fc.constantFrom('labels', 'images', 'cifar'), mutation, (which, m) => {
          const target = which === 'labels' ? 't10k-labels-idx1-ubyte.gz' : which === 'images' ? 't10k-images-idx3-ubyte.gz' : 'cifar-10-binary.tar.gz';
          const source = which === 'labels' ? labelsGz : which === 'images' ? imagesGz : archive;
          fs.writeFileSync(path.join(dir, target), m(new Uint8Array(source)));
          try {
            const ds = which === 'cifar' ? new CIFAR10({ root: dir, train: false }) : new MNIST({ root: dir, train: false });
            expect(ds.images.length).toBe(ds.length * (which === 'cifar' ? 3072 : 784));
          } catch (e) {
            if (!(e instanceof DataFormatError || e instanceof DatasetNotFoundError)) throw e;
          } finally {
            fs.writeFileSync(path.join(dir, target), source);
          }
        }),
        { numRuns: 100 },
      );
    } finally {
      removeDir(dir);
    }
  });
});
