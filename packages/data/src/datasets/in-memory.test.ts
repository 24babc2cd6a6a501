import * as fc from 'fast-check';
import { Generator, IndexError, ShapeError, Tensor } from '@dl/tensor';
import { DataLoader } from '../dataloader';
import { defaultCollate } from '../collate';
import { randomBytesSeeded } from '../testing/fixtures';
import { InMemoryImageDataset } from './in-memory';

function make(n: number, options: { floatCache?: boolean; transform?: (x: Tensor) => Tensor } = {}) {
  const images = randomBytesSeeded(n * 2 * 3 * 4, n);
  const targets = Int32Array.from({ length: n }, (_, i) => i % 3);
  return new InMemoryImageDataset(images, targets, [2, 3, 4], ['a', 'b', 'c'], options);
}

describe('InMemoryImageDataset', () => {
  it('get gives float32 [C, H, W] = byte / 255 and the label', () => {
    const ds = make(5);
    const [x, y] = ds.get(3);
    expect(x.shape).toEqual([2, 3, 4]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.toTypedArray())).toEqual(Array.from(ds.rawImage(3), (b) => Math.fround(b / 255)));
    expect(y).toBe(0);
    expect(ds.get(-1)[1]).toBe(1);
    expect(() => ds.get(5)).toThrow(IndexError);
  });

  it('getBatch equals collating get, with and without the float cache', () => {
    for (const floatCache of [true, false]) {
      const ds = make(9, { floatCache });
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 12 }), (idx) => {
          const [x, y] = ds.getBatch(idx) as [Tensor, Tensor];
          const [xs, ys] = defaultCollate(idx.map((i) => ds.get(i)));
          expect(x.shape).toEqual([idx.length, 2, 3, 4]);
          expect(x.toTypedArray()).toEqual(xs.toTypedArray());
          expect(y.dtype).toBe('int32');
          expect(y.toArray()).toEqual(ys.toArray());
        }),
        { numRuns: 30 },
      );
    }
  });

  it('every byte maps to the float32 quotient byte / 255 in both paths', () => {
    const images = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const floatCache of [true, false]) {
      const ds = new InMemoryImageDataset(images, new Int32Array(1), [1, 16, 16], ['x'], { floatCache });
      const [x] = ds.getBatch([0]) as [Tensor, Tensor];
      expect(Array.from(x.toTypedArray())).toEqual(Array.from(images, (b) => Math.fround(b / 255)));
    }
  });

  it('a transform turns the fast path off and runs per sample', () => {
    const ds = make(4, { transform: (x) => x.mul(0) });
    expect(ds.getBatch([0])).toBeUndefined();
    const [[x]] = [...new DataLoader(ds, { batchSize: 4, shuffle: true, generator: new Generator(0) })];
    expect(x.shape).toEqual([4, 2, 3, 4]);
    expect(x.abs().sum().item()).toBe(0);
  });

  it('checks sizes and labels', () => {
    expect(() => new InMemoryImageDataset(new Uint8Array(10), new Int32Array(2), [1, 2, 2], ['a'])).toThrow(
      new ShapeError('InMemoryImageDataset: 2 targets need 2 x [1, 2, 2] = 8 image bytes, got 10'),
    );
    expect(() => new InMemoryImageDataset(new Uint8Array(4), Int32Array.from([1]), [1, 2, 2], ['a'])).toThrow(/target 1 of sample 0 is not a class index \(0..0\)/);
  });
});
