import fc from 'fast-check';
import { Variable, gradcheck } from '@dl/autograd';
import { Generator, randint, randn, tensor, zeros } from '@dl/tensor';
import { Embedding } from './index';
import { RUNS, gradOf, seedArb } from './testing/gradcheck';

const ids = (v: number[][] | number[]) => tensor(v, { dtype: 'int32' });

describe('Embedding', () => {
  it('prints like PyTorch', () => {
    expect(new Embedding(10, 3).toString()).toBe('Embedding(10, 3)');
    expect(new Embedding(10, 3, { paddingIdx: -1 }).toString()).toBe('Embedding(10, 3, padding_idx=9)');
  });

  it('initialises from N(0, 1) with the padding row zeroed, reproducibly', () => {
    const e = new Embedding(200, 50, { paddingIdx: 3, generator: new Generator(4) });
    const w = Array.from(e.weight.data.toTypedArray());
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(std).toBeGreaterThan(0.95);
    expect(std).toBeLessThan(1.05);
    expect(e.weight.data.select(0, 3).toArray()).toEqual(new Array(50).fill(0));
    const again = new Embedding(200, 50, { paddingIdx: 3, generator: new Generator(4) });
    expect(again.weight.toArray()).toEqual(e.weight.toArray());
  });

  it('looks up rows: int32 indices of any shape (*) -> (*, embeddingDim)', () => {
    const e = new Embedding(4, 2, { dtype: 'float64' });
    e.weight.data.copy_(tensor([[0, 1], [2, 3], [4, 5], [6, 7]]));
    expect(e.call(ids([3, 0])).toArray()).toEqual([[6, 7], [0, 1]]);
    expect(e.call(ids([[1, 1], [2, 3]])).toArray()).toEqual([[[2, 3], [2, 3]], [[4, 5], [6, 7]]]);
    expect(e.call(tensor(2, { dtype: 'int32' })).toArray()).toEqual([4, 5]);
    expect(e.call(zeros([2, 0], { dtype: 'int32' })).shape).toEqual([2, 0, 2]);
    expect(e.call(new Variable(ids([1]))).toArray()).toEqual([[2, 3]]);
  });

  it('adds up the gradient of repeated indices and gives none to the padding row', () => {
    const e = new Embedding(5, 2, { paddingIdx: 0, dtype: 'float64' });
    e.weight.data.select(0, 0).fill_(7); // a non-zero padding row is returned as it is
    const y = e.call(ids([[0, 2, 2], [4, 0, 2]]));
    expect(y.data.select(0, 0).select(0, 0).toArray()).toEqual([7, 7]);
    y.sum().backward();
    expect(e.weight.grad?.toArray()).toEqual([[0, 0], [0, 0], [3, 3], [0, 0], [1, 1]]);
  });

  it('rejects float indices, out-of-range indices and bad options', () => {
    const e = new Embedding(10, 3);
    expect(() => e.call(zeros([2, 3]))).toThrow('Embedding(10, 3): expected int32 indices, got a float32 input [2, 3]; convert it with .int()');
    expect(() => e.call(ids([[1, 12]]))).toThrow(
      'Embedding(10, 3): index 12 is out of range [0, 10) (input [1, 2]); token ids must be smaller than numEmbeddings',
    );
    expect(() => e.call(ids([-1]))).toThrow(/index -1 is out of range/);
    expect(() => new Embedding(10, 3, { paddingIdx: 10 })).toThrow(/paddingIdx must be an integer in \[-10, 10\), got 10/);
    expect(() => new Embedding(0, 3)).toThrow(/numEmbeddings must be an integer >= 1/);
  });

  it('gradcheck w.r.t. the weight (first and second order) on random index shapes', () => {
    // the padding row gets no gradient by design: the checked function weighs its output rows by 0
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
        fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
        seedArb,
        (num, dim, shape, pad, seed) => {
          const paddingIdx = pad === null ? null : pad % num;
          const e = new Embedding(num, dim, { paddingIdx, generator: new Generator(seed), dtype: 'float64' });
          const idx = randint(0, num, shape, { generator: new Generator(seed + 1) });
          const keep = idx.ne(paddingIdx ?? -1).double().unsqueeze(-1);
          const r = randn([...shape, dim], { dtype: 'float64', generator: new Generator(seed + 2) }).mul(keep);
          gradcheck(() => e.call(idx).mul(r), [e.weight]);
          // squared output: the gradient depends on the weight, so its derivative is checked too
          return gradcheck(gradOf((w) => e.call(idx).mul(e.call(idx)).mul(r).sum().add(w.mul(0).sum())), [e.weight]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gradcheck sees that the padding row gets no gradient (it would fail with the row weighed in)', () => {
    const e = new Embedding(3, 2, { paddingIdx: 0, dtype: 'float64' });
    const idx = ids([0, 1, 0]);
    expect(gradcheck(() => e.call(idx), [e.weight], { raiseException: false })).toBe(false);
    expect(gradcheck(() => e.call(idx).mul(idx.ne(0).double().unsqueeze(-1)), [e.weight])).toBe(true);
  });
});
