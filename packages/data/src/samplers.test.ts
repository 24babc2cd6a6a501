import * as fc from 'fast-check';
import { Generator, ValueError, manualSeed } from '@dl/tensor';
import { BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler } from './samplers';

const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('samplers', () => {
  it('SequentialSampler visits 0..n-1', () => {
    expect([...new SequentialSampler(4)]).toEqual([0, 1, 2, 3]);
    expect(new SequentialSampler({ length: 2 }).length).toBe(2);
    expect(() => new SequentialSampler(-1)).toThrow(ValueError);
  });

  it('RandomSampler draws a permutation, a new one each epoch, reproducible from the seed', () => {
    const s = new RandomSampler(20, { generator: new Generator(3) });
    const e1 = [...s];
    const e2 = [...s];
    expect(sorted(e1)).toEqual(range(20));
    expect(sorted(e2)).toEqual(range(20));
    expect(e1).not.toEqual(e2);
    const again = new RandomSampler(20, { generator: new Generator(3) });
    expect([...again]).toEqual(e1);
    expect([...again]).toEqual(e2);
  });

  it('RandomSampler uses the global generator when none is given', () => {
    manualSeed(5);
    const a = [...new RandomSampler(10)];
    manualSeed(5);
    expect([...new RandomSampler(10)]).toEqual(a);
  });

  it('RandomSampler with numSamples and replacement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 70 }), fc.boolean(), (n, k, replacement) => {
        const s = new RandomSampler(n, { generator: new Generator(n * 100 + k), numSamples: k, replacement });
        const out = [...s];
        expect(out.length).toBe(k);
        expect(s.length).toBe(k);
        expect(out.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
        if (!replacement) {
          // each full block of n is a permutation
          for (let b = 0; b + n <= k; b += n) expect(sorted(out.slice(b, b + n))).toEqual(range(n));
          if (k <= n) expect(new Set(out).size).toBe(k);
        }
      }),
      { numRuns: 100 },
    );
    expect(() => new RandomSampler(5, { numSamples: -1 })).toThrow(ValueError);
    expect(() => new RandomSampler(0, { replacement: true, numSamples: 1 })).toThrow(ValueError);
  });

  it('SubsetRandomSampler permutes the given indices', () => {
    const s = new SubsetRandomSampler([10, 20, 30, 40], { generator: new Generator(0) });
    expect(sorted([...s])).toEqual([10, 20, 30, 40]);
    expect(s.length).toBe(4);
    expect(() => new SubsetRandomSampler([1, -1])).toThrow(ValueError);
  });

  it('BatchSampler groups indices; length matches what it yields', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (n, bs, dropLast) => {
        const b = new BatchSampler(new SequentialSampler(n), bs, { dropLast });
        const batches = [...b];
        expect(batches.length).toBe(b.length);
        expect(b.length).toBe(dropLast ? Math.floor(n / bs) : Math.ceil(n / bs));
        expect(batches.every((x, k) => x.length === bs || (!dropLast && k === batches.length - 1))).toBe(true);
        expect(batches.flat()).toEqual(range(n).slice(0, dropLast ? Math.floor(n / bs) * bs : n));
      }),
      { numRuns: 100 },
    );
    expect(() => new BatchSampler(new SequentialSampler(3), 0)).toThrow(/batchSize must be a positive integer, got 0/);
  });
});
