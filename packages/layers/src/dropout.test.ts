import fc from 'fast-check';
import { gradcheck, variable } from '@dl/autograd';
import { Generator, manualSeed, ones, randn } from '@dl/tensor';
import { Dropout, Sequential, functional as F } from './index';
import { RUNS, leaf, seedArb } from './testing/gradcheck';

describe('Dropout', () => {
  it('prints like PyTorch', () => {
    expect(new Dropout().toString()).toBe('Dropout(p=0.5, inplace=False)');
    expect(new Dropout(0.25).toString()).toBe('Dropout(p=0.25, inplace=False)');
    expect(new Dropout(0).toString()).toBe('Dropout(p=0.0, inplace=False)');
  });

  it('zeroes about p of the elements in training and scales the others by 1 / (1 - p)', () => {
    const d = new Dropout(0.3, { generator: new Generator(1) });
    const y = Array.from(d.call(ones([100, 100])).data.toTypedArray());
    const zerosFrac = y.filter((v) => v === 0).length / y.length;
    expect(zerosFrac).toBeGreaterThan(0.27);
    expect(zerosFrac).toBeLessThan(0.33);
    const kept = y.filter((v) => v !== 0);
    expect(Math.max(...kept.map((v) => Math.abs(v - 1 / 0.7)))).toBeLessThan(1e-6);
    // the mean is kept (inverted dropout)
    expect(y.reduce((a, b) => a + b, 0) / y.length).toBeCloseTo(1, 1);
  });

  it('is the identity in evaluation mode, and for p = 0; p = 1 gives zeros', () => {
    const x = randn([4, 5]);
    const d = new Dropout(0.5);
    expect(d.eval().call(x).toArray()).toEqual(x.toArray());
    expect(new Sequential(new Dropout(0.9)).eval().call(x).toArray()).toEqual(x.toArray());
    expect(new Dropout(0).call(x).toArray()).toEqual(x.toArray());
    expect(Array.from(new Dropout(1).call(x).data.toTypedArray()).every((v) => v === 0)).toBe(true);
  });

  it('is reproducible from a generator and from the global seed', () => {
    const x = ones([8, 8]);
    const a = new Dropout(0.5, { generator: new Generator(5) }).call(x).toArray();
    const b = new Dropout(0.5, { generator: new Generator(5) }).call(x).toArray();
    expect(b).toEqual(a);
    manualSeed(11);
    const c = new Dropout(0.5).call(x).toArray();
    manualSeed(11);
    const d = new Dropout(0.5).call(x).toArray();
    expect(d).toEqual(c);
    expect(c).not.toEqual(a);
    // two calls draw two different masks
    const drop = new Dropout(0.5, { generator: new Generator(5) });
    expect(drop.call(x).toArray()).not.toEqual(drop.call(x).toArray());
  });

  it('passes gradients through the kept elements only, scaled', () => {
    const x = variable(ones([6, 6], { dtype: 'float64' }), { requiresGrad: true });
    const y = new Dropout(0.5, { generator: new Generator(3) }).call(x);
    y.sum().backward();
    // dy/dx is the mask itself: 0 or 2, equal to y for x = 1
    expect(x.grad?.toArray()).toEqual(y.toArray());
  });

  it('gradcheck on random shapes and p (the mask redrawn from the same seed at every evaluation)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.double({ min: 0, max: 0.9, noNaN: true }), seedArb, (shape, p, seed) => {
        const g = new Generator(seed);
        const d = new Dropout(p, { generator: g });
        return gradcheck(
          (x) => {
            g.manualSeed(seed);
            return d.call(x);
          },
          [leaf(shape, seed)],
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('has a functional form F.dropout(x, p, training, generator)', () => {
    const x = ones([3, 3]);
    expect(F.dropout(x, 0.5, false).toArray()).toEqual(x.toArray());
    expect(F.dropout(x, 0.5, true, new Generator(2)).toArray()).toEqual(new Dropout(0.5, { generator: new Generator(2) }).call(x).toArray());
  });

  it('rejects a p outside [0, 1] and non-float inputs', () => {
    expect(() => new Dropout(1.5)).toThrow('Dropout: the dropout probability p must be between 0 and 1, got 1.5');
    expect(() => new Dropout(-0.1)).toThrow(/between 0 and 1/);
    expect(() => new Dropout(0.5).call(ones([2], { dtype: 'int32' }))).toThrow(/dropout: input \[2\] has dtype int32/);
  });
});
