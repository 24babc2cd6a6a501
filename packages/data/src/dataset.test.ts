import * as fc from 'fast-check';
import { Generator, IndexError, ShapeError, Tensor, ValueError, arange, randn, tensor } from '@dl/tensor';
import { defaultCollate } from './collate';
import { ConcatDataset, Dataset, Subset, TensorDataset, gatherRows, randomSplit } from './dataset';

class Range extends Dataset<number> {
  constructor(private readonly n: number, private readonly base = 0) {
    super();
  }
  get length(): number {
    return this.n;
  }
  get(i: number): number {
    if (i < 0 || i >= this.n) throw new IndexError(`Range: ${i}`);
    return this.base + i;
  }
}

describe('TensorDataset', () => {
  const x = arange(12).float().reshape(4, 3);
  const y = tensor([0, 1, 2, 3], { dtype: 'int32' });
  const ds = new TensorDataset(x, y);

  it('gives rows of every tensor, negative indices from the end', () => {
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(1);
    expect(xi.toArray()).toEqual([3, 4, 5]);
    expect(yi.item()).toBe(1);
    expect(ds.get(-1)[1].item()).toBe(3);
    expect([...ds].length).toBe(4);
  });

  it('checks indices and sizes', () => {
    expect(() => ds.get(4)).toThrow(new IndexError('TensorDataset.get: index 4 is out of range for a dataset of length 4 (valid: -4..3)'));
    expect(() => ds.get(1.5)).toThrow(IndexError);
    expect(() => new TensorDataset(x, tensor([1, 2]))).toThrow(ShapeError);
    expect(() => new TensorDataset(x, tensor([1, 2]))).toThrow(/tensor 0 has shape \[4, 3\] \(4 samples\) but tensor 1 has shape \[2\]/);
    expect(() => new TensorDataset()).toThrow(ValueError);
  });

  it('getBatch equals collating the samples (contiguous and strided tensors)', () => {
    const strided = randn([6, 5]).transpose(0, 1); // [5, 6], not contiguous
    const contiguous = randn([5, 2, 3]);
    const sliced = randn([7, 4]).narrow(0, 2, 5); // contiguous with an offset
    const d = new TensorDataset(strided, contiguous, sliced);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 4 }), { minLength: 1, maxLength: 9 }), (idx) => {
        const fast = d.getBatch(idx);
        const slow = defaultCollate(idx.map((i) => d.get(i)));
        fast.forEach((t, k) => {
          expect(t.shape).toEqual(slow[k].shape);
          expect(t.toArray()).toEqual(slow[k].toArray());
        });
      }),
      { numRuns: 50 },
    );
  });

  it('gatherRows copies rows in the order given', () => {
    const t = arange(6, undefined, undefined, { dtype: 'int32' }).reshape(3, 2);
    const g = gatherRows(t, [2, 0, 2]);
    expect(g.dtype).toBe('int32');
    expect(g.toArray()).toEqual([[4, 5], [0, 1], [4, 5]]);
  });
});

describe('Subset and ConcatDataset', () => {
  it('Subset maps indices and validates them', () => {
    const s = new Subset(new Range(10), [7, 2, 2]);
    expect([...s]).toEqual([7, 2, 2]);
    expect(s.get(-1)).toBe(2);
    expect(() => new Subset(new Range(3), [0, 3])).toThrow(/indices\[1\] = 3 is not an index of a dataset of length 3/);
    expect(s.getBatch([0])).toBeUndefined();
  });

  it('Subset keeps the parent fast path', () => {
    const ds = new TensorDataset(arange(10).float());
    const s = new Subset(ds, [9, 3]);
    expect(s.getBatch([1, 0])?.[0].toArray()).toEqual([3, 9]);
  });

  it('ConcatDataset equals concatenating the lists', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }), (sizes) => {
        const parts = sizes.map((n, k) => new Range(n, 100 * k));
        const cat = new ConcatDataset(parts);
        const expected = parts.flatMap((p) => [...p]);
        expect(cat.length).toBe(expected.length);
        expect([...cat]).toEqual(expected);
        if (expected.length > 0) expect(cat.get(-1)).toBe(expected[expected.length - 1]);
        expect(() => cat.get(expected.length)).toThrow(IndexError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('randomSplit', () => {
  it('splits counts into disjoint subsets covering everything', () => {
    const [a, b, c] = randomSplit(new Range(10), [5, 3, 2], { generator: new Generator(1) });
    expect([a.length, b.length, c.length]).toEqual([5, 3, 2]);
    expect([...a, ...b, ...c].sort((p, q) => p - q)).toEqual([...new Range(10)]);
  });

  it('distributes the remainder of fractions round-robin (PyTorch rule)', () => {
    const parts = randomSplit(new Range(10), [0.33, 0.33, 0.34], { generator: new Generator(0) });
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 99 }), (n, pct) => {
        const [p, q] = randomSplit(new Range(n), [pct / 100, 1 - pct / 100], { generator: new Generator(n) });
        expect(p.length + q.length).toBe(n);
        expect(Math.abs(p.length - (pct / 100) * n)).toBeLessThanOrEqual(1);
        expect(new Set([...p, ...q]).size).toBe(n);
      }),
      { numRuns: 100 },
    );
  });

  it('is reproducible with a seeded generator', () => {
    const one = randomSplit(new Range(50), [0.5, 0.5], { generator: new Generator(7) })[0].indices;
    const two = randomSplit(new Range(50), [0.5, 0.5], { generator: new Generator(7) })[0].indices;
    const other = randomSplit(new Range(50), [0.5, 0.5], { generator: new Generator(8) })[0].indices;
    expect(one).toEqual(two);
    expect(one).not.toEqual(other);
  });

  it('rejects lengths that do not fit', () => {
    expect(() => randomSplit(new Range(10), [5, 4])).toThrow(/sum to 9 but the dataset has 10 samples/);
    expect(() => randomSplit(new Range(10), [0.5, 0.6])).toThrow(ValueError);
    expect(() => randomSplit(new Range(10), [])).toThrow(ValueError);
  });
});

it('Dataset subclasses iterate their samples', () => {
  expect([...new Range(3, 5)]).toEqual([5, 6, 7]);
  expect(new TensorDataset(randn([2, 1])).get(0)[0]).toBeInstanceOf(Tensor);
});
