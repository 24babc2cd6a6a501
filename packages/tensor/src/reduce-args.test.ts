/**
 * The argument forms of every reduction on Tensor (reduce-args.ts): PyTorch's positional forms
 * (`x.sum(1)`, `x.argmax(1)`, `x.var(1, false, true)`, ...) give what the options object gives,
 * and anything else is refused with a ValueError naming the op and the accepted forms.
 */
import fc from 'fast-check';
import { IndexError, Tensor, ValueError, arange, describeArg, tensor, type NestedArray } from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

/** The motivating [4, 3] example: rows 0..3 of [0, 1, 2] + 3 * row, with a 9 breaking the order in row 1. */
const x43 = () =>
  tensor(
    [
      [0, 1, 2],
      [9, 4, 5],
      [6, 7, 8],
      [11, 10, 9],
    ],
    { dtype: 'float64' },
  );

const same = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  expect(a.toArray()).toEqual(b.toArray());
};

describe('positional dims (the bug: they were ignored)', () => {
  it('sum(1), argmax(1), mean(0), max(1) reduce the dim they are given', () => {
    const x = x43();
    expect(x.sum(1).toArray()).toEqual([3, 18, 21, 30]);
    expect(x.argmax(1).toArray()).toEqual([2, 0, 2, 0]);
    expect(x.mean(0).toArray()).toEqual([6.5, 5.5, 6]);
    const { values, indices } = x.max(1);
    expect(values.toArray()).toEqual([2, 9, 8, 11]);
    expect(indices.toArray()).toEqual([2, 0, 2, 0]);
  });

  it('the accuracy-loop idiom: out.argmax(1).eq(target)', () => {
    const target = tensor([2, 0, 1, 0], { dtype: 'int32' });
    expect(x43().argmax(1).eq(target).sum().item()).toBe(3);
  });
});

/** Each reduction: [name, positional call, the same call in the options form]. */
const PAIRS: [string, (x: Tensor) => Tensor, (x: Tensor) => Tensor][] = [
  ['sum(1)', (x) => x.sum(1), (x) => x.sum({ dim: 1 })],
  ['sum(-1, true)', (x) => x.sum(-1, true), (x) => x.sum({ dim: -1, keepdim: true })],
  ['sum([0, 1])', (x) => x.sum([0, 1]), (x) => x.sum({ dim: [0, 1] })],
  ['sum([1, 0], true)', (x) => x.sum([1, 0], true), (x) => x.sum({ dim: [1, 0], keepdim: true })],
  ['sum(undefined, true)', (x) => x.sum(undefined, true), (x) => x.sum({ keepdim: true })],
  ['mean(0)', (x) => x.mean(0), (x) => x.mean({ dim: 0 })],
  ['mean(1, true)', (x) => x.mean(1, true), (x) => x.mean({ dim: 1, keepdim: true })],
  ['mean([0, 1])', (x) => x.mean([0, 1]), (x) => x.mean({ dim: [0, 1] })],
  ['prod(1)', (x) => x.prod(1), (x) => x.prod({ dim: 1 })],
  ['prod(0, true)', (x) => x.prod(0, true), (x) => x.prod({ dim: 0, keepdim: true })],
  ['amax(1)', (x) => x.amax(1), (x) => x.amax({ dim: 1 })],
  ['amax([0, 1], true)', (x) => x.amax([0, 1], true), (x) => x.amax({ dim: [0, 1], keepdim: true })],
  ['amin(0)', (x) => x.amin(0), (x) => x.amin({ dim: 0 })],
  ['amin(1, true)', (x) => x.amin(1, true), (x) => x.amin({ dim: 1, keepdim: true })],
  ['max(1).values', (x) => x.max(1).values, (x) => x.max({ dim: 1 }).values],
  ['max(1, true).indices', (x) => x.max(1, true).indices, (x) => x.max({ dim: 1, keepdim: true }).indices],
  ['min(0).values', (x) => x.min(0).values, (x) => x.min({ dim: 0 }).values],
  ['min(-1, true).indices', (x) => x.min(-1, true).indices, (x) => x.min({ dim: -1, keepdim: true }).indices],
  ['argmax(1)', (x) => x.argmax(1), (x) => x.argmax({ dim: 1 })],
  ['argmax(0, true)', (x) => x.argmax(0, true), (x) => x.argmax({ dim: 0, keepdim: true })],
  ['argmax(undefined, true)', (x) => x.argmax(undefined, true), (x) => x.argmax({ keepdim: true })],
  ['argmin(1)', (x) => x.argmin(1), (x) => x.argmin({ dim: 1 })],
  ['argmin(-2, true)', (x) => x.argmin(-2, true), (x) => x.argmin({ dim: -2, keepdim: true })],
  ['var(1)', (x) => x.var(1), (x) => x.var({ dim: 1 })],
  ['var(false)', (x) => x.var(false), (x) => x.var({ unbiased: false })],
  ['var(true)', (x) => x.var(true), (x) => x.var({ correction: 1 })],
  ['var(0, false)', (x) => x.var(0, false), (x) => x.var({ dim: 0, correction: 0 })],
  ['var(1, true, true)', (x) => x.var(1, true, true), (x) => x.var({ dim: 1, unbiased: true, keepdim: true })],
  ['var([0, 1], false)', (x) => x.var([0, 1], false), (x) => x.var({ dim: [0, 1], unbiased: false })],
  ['std(1)', (x) => x.std(1), (x) => x.std({ dim: 1 })],
  ['std(false)', (x) => x.std(false), (x) => x.std({ unbiased: false })],
  ['std(0, false, true)', (x) => x.std(0, false, true), (x) => x.std({ dim: 0, correction: 0, keepdim: true })],
  ['logsumexp(1)', (x) => x.logsumexp(1), (x) => x.logsumexp({ dim: 1 })],
  ['logsumexp([0, 1], true)', (x) => x.logsumexp([0, 1], true), (x) => x.logsumexp({ dim: [0, 1], keepdim: true })],
  ['softmax(1)', (x) => x.softmax(1), (x) => x.softmax({ dim: 1 })],
  ['logSoftmax(0)', (x) => x.logSoftmax(0), (x) => x.logSoftmax({ dim: 0 })],
  ['cumsum(1)', (x) => x.cumsum(1), (x) => x.cumsum({ dim: 1 })],
];

describe('every reduction: the positional form equals the options form', () => {
  it.each(PAIRS)('%s', (_, positional, object) => {
    same(positional(x43()), object(x43()));
  });

  it('positional forms reduce the right dims (values checked by hand)', () => {
    const x = x43();
    expect(x.sum(1, true).toArray()).toEqual([[3], [18], [21], [30]]);
    expect(x.sum([0, 1]).item()).toBe(72);
    expect(x.prod(1).toArray()).toEqual([0, 180, 336, 990]);
    expect(x.amax(0).toArray()).toEqual([11, 10, 9]);
    expect(x.amin(1).toArray()).toEqual([0, 4, 6, 9]);
    expect(x.min(0).indices.toArray()).toEqual([0, 0, 0]);
    expect(x.argmin(1).toArray()).toEqual([0, 1, 0, 2]);
    expect(x.var(1).toArray()).toEqual([1, 7, 1, 1]);
    expect(x.var(1, false).toArray()).toEqual([2 / 3, 14 / 3, 2 / 3, 2 / 3]);
    expect(x.std(1, true, true).shape).toEqual([4, 1]);
    const lse = x.exp().sum(1).log().toArray() as number[];
    (x.logsumexp(1).toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(lse[i], 12));
    expect(x.cumsum(0).select(0, 3).toArray()).toEqual([26, 22, 24]);
  });

  it('no argument: every dim (max/min without a dim give the overall extreme as a tensor)', () => {
    const x = x43();
    expect(x.sum().item()).toBe(72);
    expect(x.sum(undefined).item()).toBe(72);
    expect(x.max().item()).toBe(11);
    expect((x.max.bind(x) as (...a: unknown[]) => Tensor)(undefined).item()).toBe(11); // a trailing undefined is omitted
    expect(x.min().item()).toBe(0);
    expect(x.argmax().item()).toBe(9);
    expect(x.var().item()).toBeCloseTo(x.var({}).item(), 15);
  });

  it('var / std: correction divides by n - correction, clamped at 0 as in PyTorch', () => {
    const v = tensor([1, 2, 4], { dtype: 'float64' });
    expect(v.var({ correction: 0 }).item()).toBeCloseTo(14 / 9, 14);
    expect(v.var({ correction: 2 }).item()).toBeCloseTo(14 / 3, 14);
    expect(v.var({ correction: 3 }).item()).toBe(Infinity); // n - 3 = 0, as torch.var(correction=3)
    expect(v.var({ correction: 5 }).item()).toBe(Infinity); // clamped at 0
    expect(tensor([1, 2, 3], { dtype: 'float64' }).var({ correction: -1 }).item()).toBe(0.5); // torch gives 0.5
    expect(tensor([], { dtype: 'float64' }).var().item()).toBeNaN(); // torch.zeros(0).var() is nan
  });
});

describe('wrong arguments are refused with the op, the accepted forms and what was given', () => {
  const SUM_FORMS = 'sum(), sum(dim, keepdim?), sum([dims], keepdim?) or sum({ dim, keepdim })';
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = (f: (x: any) => unknown) => () => f(x43());

  const CASES: [string, () => unknown, RegExp][] = [
    ["a string dim: sum('1')", call((x) => x.sum('1')), new RegExp(`^sum: expected ${esc(SUM_FORMS)}; got sum\\('1'\\): dim must be an integer`)],
    ['a float dim: sum(1.5)', call((x) => x.sum(1.5)), /^sum: expected .*; got sum\(1\.5\): dim must be an integer or a list of integers/],
    ['NaN dim', call((x) => x.mean(NaN)), /^mean: expected mean\(\), .*; got mean\(NaN\)/],
    ['a float in a list', call((x) => x.sum([0, 0.5])), /^sum: .*got sum\(\[0, 0\.5\]\): dim must be a list of integers/],
    ['a string keepdim', call((x) => x.sum(1, 'true')), /^sum: .*got sum\(1, 'true'\): keepdim must be a boolean/],
    ['an unknown option', call((x) => x.sum({ dims: 1 })), /^sum: .*got sum\(\{ dims: 1 \}\): unknown option 'dims' \(known: dim, keepdim\)/],
    ['unknown options', call((x) => x.amax({ axis: 1, keepdims: true })), /^amax: .*unknown options 'axis', 'keepdims'/],
    ['an extra argument', call((x) => x.sum(1, true, 0)), /^sum: .*got sum\(1, true, 0\): 3 arguments, at most 2/],
    ['an argument after the options object', call((x) => x.mean({ dim: 1 }, true)), /^mean: .*the options object must be the only argument/],
    ['a string dim in the options', call((x) => x.prod({ dim: '0' })), /^prod: .*got prod\(\{ dim: '0' \}\): dim must be an integer/],
    ['null dim', call((x) => x.logsumexp(null)), /^logsumexp: expected logsumexp\(\), .*got logsumexp\(null\)/],
    ['a list to argmax', call((x) => x.argmax([0, 1])), /^argmax: expected argmax\(\), argmax\(dim, keepdim\?\) or argmax\(\{ dim, keepdim \}\); got argmax\(\[0, 1\]\): dim must be an integer \(one dim, not a list\)/],
    ['a float dim to argmin', call((x) => x.argmin(0.5)), /^argmin: .*got argmin\(0\.5\)/],
    ['a tensor to max', call((x) => x.max(x)), /^max: .*got max\(Tensor of shape \[4, 3\]\): .*use maximum\(other\)/],
    ['keepdim without a dim to max', call((x) => x.max({ keepdim: true })), /^max: .*got max\(\{ keepdim: true \}\): dim is required/],
    ['a string dim to min', call((x) => x.min('0')), /^min: expected min\(\), min\(dim, keepdim\?\) or min\(\{ dim, keepdim \}\); got min\('0'\)/],
    ['both unbiased and correction', call((x) => x.var({ unbiased: false, correction: 0 })), /^var: .*give unbiased or correction, not both/],
    ['a string unbiased', call((x) => x.std(1, 'no')), /^std: expected std\(\), std\(unbiased\), std\(dim, unbiased\?, keepdim\?\), .*got std\(1, 'no'\): unbiased must be a boolean/],
    ['var(unbiased) with more', call((x) => x.var(true, true)), /^var: .*got var\(true, true\): 2 arguments, at most 1/],
    ['a string correction', call((x) => x.var({ correction: '1' })), /^var: .*correction must be a finite number/],
    ['four arguments to var', call((x) => x.var(0, true, true, 1)), /^var: .*4 arguments, at most 3/],
    ['softmax without dim', call((x) => x.softmax()), /^softmax: expected softmax\(dim\) or softmax\(\{ dim \}\); got softmax\(\): dim is required/],
    ['softmax with a string dim', call((x) => x.softmax('1')), /^softmax: .*got softmax\('1'\): dim must be an integer/],
    ['logSoftmax with a keepdim', call((x) => x.logSoftmax(1, true)), /^logSoftmax: .*2 arguments, at most 1/],
    ['cumsum with a list', call((x) => x.cumsum([0])), /^cumsum: .*dim must be an integer \(one dim, not a list\)/],
    ['cumsum with keepdim in the options', call((x) => x.cumsum({ dim: 0, keepdim: true })), /^cumsum: .*unknown option 'keepdim' \(known: dim\)/],
  ];

  it.each(CASES)('%s', (_, f, message) => {
    expect(f).toThrow(ValueError);
    expect(f).toThrow(message);
  });

  it('dims out of range still get the IndexError naming the shape', () => {
    expect(() => x43().sum(2)).toThrow(IndexError);
    expect(() => x43().sum(2)).toThrow(/^sum: dim 2 is out of range for a tensor of shape \[4, 3\]/);
    expect(() => x43().argmax(-3)).toThrow(/^argmax: dim -3 is out of range for a tensor of shape \[4, 3\]/);
    expect(() => x43().max(2)).toThrow(/^max: dim 2 is out of range for a tensor of shape \[4, 3\]/);
  });

  it('describeArg writes arguments as they would be written in a call', () => {
    expect(describeArg('1')).toBe("'1'");
    expect(describeArg(-0)).toBe('-0');
    expect(describeArg([0, [1]])).toBe('[0, [1]]');
    expect(describeArg({})).toBe('{}');
    expect(describeArg({ dim: 1, keepdim: undefined })).toBe('{ dim: 1, keepdim: undefined }');
    expect(describeArg(arange(3))).toBe('Tensor of shape [3]');
    expect(describeArg(new Map())).toBe('Map');
    expect(describeArg(() => 1)).toBe('a function');
  });
});

describe('property: positional and options forms agree on random shapes and dims', () => {
  const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
  /** A float64 tensor of a random shape with distinct-ish random values. */
  const caseArb = shapeArb.chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      values: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: numel(shape), maxLength: numel(shape) }),
      dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      dims: fc.shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: 1 },
      ),
      keepdim: fc.boolean(),
      unbiased: fc.boolean(),
    }),
  );
  const eqArr = (a: NestedArray, b: NestedArray) => expect(a).toEqual(b);

  it('multi-dim reductions and var/std: f(dims, keepdim) == f({ dim: dims, keepdim })', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, values, dims, dim, keepdim, unbiased }) => {
        const x = tensor(Float64Array.from(values), { shape });
        for (const op of ['sum', 'mean', 'prod', 'amax', 'amin', 'logsumexp'] as const) {
          const f = x[op].bind(x) as (...a: unknown[]) => Tensor;
          same(f(dims, keepdim), f({ dim: dims, keepdim }));
          same(f(dim, keepdim), f({ dim, keepdim }));
          same(f(dim), f({ dim }));
        }
        for (const op of ['var', 'std'] as const) {
          const f = x[op].bind(x) as (...a: unknown[]) => Tensor;
          same(f(dims, unbiased, keepdim), f({ dim: dims, unbiased, keepdim }));
          same(f(dim, unbiased), f({ dim, correction: unbiased ? 1 : 0 }));
          same(f(unbiased), f({ unbiased }));
        }
      }),
      { numRuns: 60 },
    );
  }, SLOW_TEST_TIMEOUT);

  it('one-dim reductions: f(dim, keepdim) == f({ dim, keepdim })', () => {
    fc.assert(
      fc.property(caseArb, ({ shape, values, dim, keepdim }) => {
        const x = tensor(Float64Array.from(values), { shape });
        for (const op of ['max', 'min'] as const) {
          const a = x[op](dim, keepdim);
          const b = x[op]({ dim, keepdim });
          same(a.values, b.values);
          same(a.indices, b.indices);
        }
        same(x.argmax(dim, keepdim), x.argmax({ dim, keepdim }));
        same(x.argmin(dim, keepdim), x.argmin({ dim, keepdim }));
        eqArr(x.softmax(dim).toArray(), x.softmax({ dim }).toArray());
        eqArr(x.logSoftmax(dim).toArray(), x.logSoftmax({ dim }).toArray());
        eqArr(x.cumsum(dim).toArray(), x.cumsum({ dim }).toArray());
      }),
      { numRuns: 60 },
    );
  });
});

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
