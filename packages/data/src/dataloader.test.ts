import * as fc from 'fast-check';
import { Generator, Tensor, ValueError, arange, tensor } from '@dl/tensor';
import { DataLoader } from './dataloader';
import { Dataset, TensorDataset } from './dataset';
import { BatchSampler, SequentialSampler } from './samplers';

/** A dataset of [x = [i, 2i], y = i % 3] that counts its get calls. */
class Counting extends Dataset<[Tensor, number]> {
  gets = 0;
  constructor(private readonly n: number) {
    super();
  }
  get length(): number {
    return this.n;
  }
  get(i: number): [Tensor, number] {
    this.gets++;
    return [tensor([i, 2 * i]), i % 3];
  }
}

function ids(loader: Iterable<[Tensor, Tensor]>): number[][] {
  return [...loader].map(([x]) => (x.select(1, 0).toArray() as number[]));
}

describe('DataLoader', () => {
  it('batches in order and knows its length', () => {
    const loader = new DataLoader(new Counting(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x]) => x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    const [x, y] = batches[0];
    expect(x.toArray()).toEqual([[0, 0], [1, 2], [2, 4], [3, 6]]);
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([0, 1, 2, 0]);
    expect(new DataLoader(new Counting(10), { batchSize: 4, dropLast: true }).length).toBe(2);
    expect(new DataLoader(new Counting(3)).length).toBe(3);
  });

  it('shuffles every epoch, covers every sample once, reproducibly with a seeded generator', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), (n, bs, dropLast) => {
        const loader = new DataLoader(new Counting(n), { batchSize: bs, shuffle: true, dropLast, generator: new Generator(n) });
        const e1 = ids(loader);
        expect(e1.length).toBe(loader.length);
        const seen = e1.flat();
        if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        else expect(new Set(seen).size).toBe(Math.floor(n / bs) * bs);
        const same = new DataLoader(new Counting(n), { batchSize: bs, shuffle: true, dropLast, generator: new Generator(n) });
        expect(ids(same)).toEqual(e1);
      }),
      { numRuns: 60 },
    );
    const loader = new DataLoader(new Counting(30), { batchSize: 5, shuffle: true, generator: new Generator(1) });
    expect(ids(loader).flat()).not.toEqual(ids(loader).flat()); // a new order each epoch
  });

  it('uses the dataset fast path with the default collate and never calls get', () => {
    const ds = new TensorDataset(arange(20).float().reshape(10, 2), arange(10, undefined, undefined, { dtype: 'int32' }));
    const spy = jest.spyOn(ds, 'get');
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(2) });
    const batches = [...loader];
    expect(spy).not.toHaveBeenCalled();
    const slow = [...new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(2), collate: (s) => s })];
    expect(batches.map(([, y]) => y.toArray())).toEqual(slow.map((b) => b.map(([, y]) => y.item())));
  });

  it('takes a custom collate, a sampler or a batch sampler', () => {
    const loader = new DataLoader(new Counting(5), { batchSize: 2, collate: (s) => s.map(([, y]) => y).join(',') });
    expect([...loader]).toEqual(['0,1', '2,0', '1']);
    const backwards = { length: 3, *[Symbol.iterator]() { yield* [4, 3, 2]; } };
    expect(ids(new DataLoader(new Counting(5), { batchSize: 2, sampler: backwards }))).toEqual([[4, 3], [2]]);
    const bs = new BatchSampler(new SequentialSampler(5), 4);
    const viaBatchSampler = new DataLoader(new Counting(5), { batchSampler: bs });
    expect(viaBatchSampler.length).toBe(2);
    expect(ids(viaBatchSampler)).toEqual([[0, 1, 2, 3], [4]]);
  });

  it('rejects contradictory options with the fix', () => {
    const ds = new Counting(4);
    const sampler = new SequentialSampler(4);
    expect(() => new DataLoader(ds, { sampler, shuffle: true })).toThrow(/sampler and shuffle are mutually exclusive/);
    expect(() => new DataLoader(ds, { batchSampler: new BatchSampler(sampler, 2), batchSize: 3 })).toThrow(
      new ValueError('DataLoader: batchSampler is mutually exclusive with batchSize; the batch sampler already decides batches and order'),
    );
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader({} as Counting)).toThrow(/dataset must have/);
  });

  it('types batches of the default collate as tensors', () => {
    const loader = new DataLoader(new Counting(2), { batchSize: 2 });
    for (const [x, y] of loader) {
      const shapes: number[][] = [x.shape.slice(), y.shape.slice()]; // compiles only if x, y are Tensors
      expect(shapes).toEqual([[2, 2], [2]]);
    }
  });
});
