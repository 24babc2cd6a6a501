/**
 * The argument forms of every reduction on Variable and of the free functions (read by @dl/tensor's
 * shared parsers): PyTorch's positional forms give the values and the gradients of the options
 * form, and malformed arguments are refused with the same messages as on Tensor.
 */
import fc from 'fast-check';
import { IndexError, ValueError, tensor, type Tensor } from '@dl/tensor';
import {
  amax,
  amin,
  cumsum,
  logSoftmax,
  logsumexp,
  mean,
  prod,
  softmax,
  std,
  sum,
  variance,
  variable,
  type Variable,
} from '../index';
import { leafArb, shapeArb } from '../testing/arbitraries';

const DATA = [
  [0, 1, 2],
  [9, 4, 5],
  [6, 7, 8],
  [11, 10, 9],
];
const leaf = () => variable(DATA, { dtype: 'float64', requiresGrad: true });

/** Values and input gradient of `f` (the gradient of sum(f(x) * w) for a fixed weight w). */
function run(f: (x: Variable) => Variable, x: Variable = leaf()): { y: Tensor; g: Tensor | null } {
  x.zeroGrad();
  const y = f(x);
  if (y.requiresGrad) {
    const w = tensor(Float64Array.from({ length: y.numel() }, (_, i) => 1 + ((i * 7) % 5)), { shape: y.shape });
    y.mul(w).sum().backward();
  }
  return { y: y.data, g: x.grad ? x.grad.data : null };
}

function expectSame(a: { y: Tensor; g: Tensor | null }, b: { y: Tensor; g: Tensor | null }): void {
  expect(a.y.shape).toEqual(b.y.shape);
  expect(a.y.dtype).toBe(b.y.dtype);
  expect(a.y.toArray()).toEqual(b.y.toArray());
  expect(a.g?.toArray() ?? null).toEqual(b.g?.toArray() ?? null);
}

describe('positional dims on Variable (the bug: they were ignored)', () => {
  it('sum(1), argmax(1), mean(0), max(1)', () => {
    const x = leaf();
    expect(x.sum(1).toArray()).toEqual([3, 18, 21, 30]);
    expect(x.argmax(1).toArray()).toEqual([2, 0, 2, 0]);
    expect(x.mean(0).toArray()).toEqual([6.5, 5.5, 6]);
    const { values, indices } = x.max(1);
    expect(values.toArray()).toEqual([2, 9, 8, 11]);
    expect(indices.toArray()).toEqual([2, 0, 2, 0]);
    values.sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });
});

/** [name, positional, options form] on Variable methods and on the free functions. */
const PAIRS: [string, (x: Variable) => Variable, (x: Variable) => Variable][] = [
  ['x.sum(1)', (x) => x.sum(1), (x) => x.sum({ dim: 1 })],
  ['x.sum(-1, true)', (x) => x.sum(-1, true), (x) => x.sum({ dim: -1, keepdim: true })],
  ['x.sum([0, 1])', (x) => x.sum([0, 1]), (x) => x.sum({ dim: [0, 1] })],
  ['x.sum(undefined, true)', (x) => x.sum(undefined, true), (x) => x.sum({ keepdim: true })],
  ['x.mean(0)', (x) => x.mean(0), (x) => x.mean({ dim: 0 })],
  ['x.mean(1, true)', (x) => x.mean(1, true), (x) => x.mean({ dim: 1, keepdim: true })],
  ['x.prod(1)', (x) => x.prod(1), (x) => x.prod({ dim: 1 })],
  ['x.prod([0, 1], true)', (x) => x.prod([0, 1], true), (x) => x.prod({ dim: [0, 1], keepdim: true })],
  ['x.amax(1)', (x) => x.amax(1), (x) => x.amax({ dim: 1 })],
  ['x.amin(0, true)', (x) => x.amin(0, true), (x) => x.amin({ dim: 0, keepdim: true })],
  ['x.max(1).values', (x) => x.max(1).values, (x) => x.max({ dim: 1 }).values],
  ['x.max(0, true).indices', (x) => x.max(0, true).indices, (x) => x.max({ dim: 0, keepdim: true }).indices],
  ['x.min(1).values', (x) => x.min(1).values, (x) => x.min({ dim: 1 }).values],
  ['x.min(-1, true).indices', (x) => x.min(-1, true).indices, (x) => x.min({ dim: -1, keepdim: true }).indices],
  ['x.argmax(1)', (x) => x.argmax(1), (x) => x.argmax({ dim: 1 })],
  ['x.argmax(0, true)', (x) => x.argmax(0, true), (x) => x.argmax({ dim: 0, keepdim: true })],
  ['x.argmin(1)', (x) => x.argmin(1), (x) => x.argmin({ dim: 1 })],
  ['x.var(1)', (x) => x.var(1), (x) => x.var({ dim: 1 })],
  ['x.var(false)', (x) => x.var(false), (x) => x.var({ unbiased: false })],
  ['x.var(0, false, true)', (x) => x.var(0, false, true), (x) => x.var({ dim: 0, correction: 0, keepdim: true })],
  ['x.std(1)', (x) => x.std(1), (x) => x.std({ dim: 1 })],
  ['x.std([0, 1], false)', (x) => x.std([0, 1], false), (x) => x.std({ dim: [0, 1], unbiased: false })],
  ['x.logsumexp(1)', (x) => x.logsumexp(1), (x) => x.logsumexp({ dim: 1 })],
  ['x.logsumexp(0, true)', (x) => x.logsumexp(0, true), (x) => x.logsumexp({ dim: 0, keepdim: true })],
  ['x.softmax(1)', (x) => x.softmax(1), (x) => x.softmax({ dim: 1 })],
  ['x.logSoftmax(0)', (x) => x.logSoftmax(0), (x) => x.logSoftmax({ dim: 0 })],
  ['x.cumsum(1)', (x) => x.cumsum(1), (x) => x.cumsum({ dim: 1 })],
  ['sum(x, 1, true)', (x) => sum(x, 1, true), (x) => sum(x, { dim: 1, keepdim: true })],
  ['mean(x, [0, 1])', (x) => mean(x, [0, 1]), (x) => mean(x, { dim: [0, 1] })],
  ['prod(x, 0)', (x) => prod(x, 0), (x) => prod(x, { dim: 0 })],
  ['amax(x, 1)', (x) => amax(x, 1), (x) => amax(x, { dim: 1 })],
  ['amin(x, 1, true)', (x) => amin(x, 1, true), (x) => amin(x, { dim: 1, keepdim: true })],
  ['variance(x, 1, false)', (x) => variance(x, 1, false), (x) => variance(x, { dim: 1, unbiased: false })],
  ['std(x, 0, true, true)', (x) => std(x, 0, true, true), (x) => std(x, { dim: 0, keepdim: true })],
  ['logsumexp(x, 1)', (x) => logsumexp(x, 1), (x) => logsumexp(x, { dim: 1 })],
  ['softmax(x, 0)', (x) => softmax(x, 0), (x) => softmax(x, { dim: 0 })],
  ['logSoftmax(x, 1)', (x) => logSoftmax(x, 1), (x) => logSoftmax(x, { dim: 1 })],
  ['cumsum(x, 0)', (x) => cumsum(x, 0), (x) => cumsum(x, { dim: 0 })],
];

describe('every reduction: the positional form equals the options form (values and gradients)', () => {
  it.each(PAIRS)('%s', (_, positional, object) => {
    expectSame(run(positional), run(object));
  });

  it('Variable methods give what the Tensor methods give', () => {
    const x = leaf();
    expect(x.sum(1).toArray()).toEqual(x.data.sum(1).toArray());
    expect(x.var(1, false, true).toArray()).toEqual(x.data.var(1, false, true).toArray());
    expect(x.std(0).toArray()).toEqual(x.data.std(0).toArray());
    expect(x.argmin(0, true).toArray()).toEqual(x.data.argmin(0, true).toArray());
    expect(x.max().item()).toBe(11);
    expect(x.min().item()).toBe(0);
  });
});

describe('wrong arguments are refused as on Tensor', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = (f: (x: any) => unknown) => () => f(leaf());
  const CASES: [string, () => unknown, RegExp][] = [
    ["x.sum('1')", call((x) => x.sum('1')), /^sum: expected sum\(\), sum\(dim, keepdim\?\), sum\(\[dims\], keepdim\?\) or sum\(\{ dim, keepdim \}\); got sum\('1'\)/],
    ['x.mean(0.5)', call((x) => x.mean(0.5)), /^mean: .*got mean\(0\.5\): dim must be an integer/],
    ['x.prod({ axis: 0 })', call((x) => x.prod({ axis: 0 })), /^prod: .*unknown option 'axis'/],
    ['x.amax(0, true, 1)', call((x) => x.amax(0, true, 1)), /^amax: .*3 arguments, at most 2/],
    ['x.amin(0, 1)', call((x) => x.amin(0, 1)), /^amin: .*got amin\(0, 1\): keepdim must be a boolean/],
    ['x.max(x)', call((x) => x.max(x)), /^max: .*got max\(Variable of shape \[4, 3\]\).*use maximum\(other\)/],
    ['x.min([0])', call((x) => x.min([0])), /^min: .*one dim, not a list/],
    ['x.argmax(1.5)', call((x) => x.argmax(1.5)), /^argmax: expected argmax\(\), .*got argmax\(1\.5\)/],
    ["x.argmin('0')", call((x) => x.argmin('0')), /^argmin: .*got argmin\('0'\)/],
    ['x.var({ unbiased: 1 })', call((x) => x.var({ unbiased: 1 })), /^var: .*unbiased must be a boolean/],
    ["x.std(0, true, 'yes')", call((x) => x.std(0, true, 'yes')), /^std: .*keepdim must be a boolean/],
    ['x.logsumexp({ dim: 0 }, true)', call((x) => x.logsumexp({ dim: 0 }, true)), /^logsumexp: .*the options object must be the only argument/],
    ['x.softmax()', call((x) => x.softmax()), /^softmax: expected softmax\(dim\) or softmax\(\{ dim \}\); got softmax\(\): dim is required/],
    ["x.logSoftmax('1')", call((x) => x.logSoftmax('1')), /^logSoftmax: .*dim must be an integer/],
    ['x.cumsum(0, 1)', call((x) => x.cumsum(0, 1)), /^cumsum: .*2 arguments, at most 1/],
    ["sum(x, '1')", call((x) => sum(x, '1' as never)), /^sum: .*got sum\('1'\)/],
    ['variance(x, { correction: NaN })', call((x) => variance(x, { correction: NaN })), /^var: .*correction must be a finite number/],
    ['std(x, { unbiased: true, correction: 1 })', call((x) => std(x, { unbiased: true, correction: 1 })), /^std: .*give unbiased or correction, not both/],
  ];

  it.each(CASES)('%s', (_, f, message) => {
    expect(f).toThrow(ValueError);
    expect(f).toThrow(message);
  });

  it('dims out of range still get the IndexError naming the op', () => {
    expect(() => leaf().sum(2)).toThrow(IndexError);
    expect(() => leaf().max(2)).toThrow(/^max: dim 2 is out of range for a tensor with 2 dims/);
    expect(() => leaf().argmax(-3)).toThrow(/^argmax: dim -3 is out of range for a tensor of shape \[4, 3\]/);
  });
});

describe('property: positional and options forms agree on random shapes and dims (values and gradients)', () => {
  const caseArb = shapeArb({ minDims: 1, maxDims: 3, minSize: 1 }).chain((shape) =>
    fc.record({
      x: leafArb(shape, { distinct: true }),
      dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      dims: fc.shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: 1 },
      ),
      keepdim: fc.boolean(),
      unbiased: fc.boolean(),
    }),
  );

  it('multi-dim reductions and var/std', () => {
    fc.assert(
      fc.property(caseArb, ({ x, dim, dims, keepdim, unbiased }) => {
        for (const op of ['sum', 'mean', 'prod', 'amax', 'amin', 'logsumexp'] as const) {
          const f = (v: Variable, ...a: unknown[]) => (v[op] as (...b: unknown[]) => Variable)(...a);
          expectSame(run((v) => f(v, dims, keepdim), x), run((v) => f(v, { dim: dims, keepdim }), x));
          expectSame(run((v) => f(v, dim), x), run((v) => f(v, { dim }), x));
        }
        for (const op of ['var', 'std'] as const) {
          const f = (v: Variable, ...a: unknown[]) => (v[op] as (...b: unknown[]) => Variable)(...a);
          expectSame(run((v) => f(v, dims, unbiased, keepdim), x), run((v) => f(v, { dim: dims, unbiased, keepdim }), x));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('one-dim reductions', () => {
    fc.assert(
      fc.property(caseArb, ({ x, dim, keepdim }) => {
        expectSame(run((v) => v.max(dim, keepdim).values, x), run((v) => v.max({ dim, keepdim }).values, x));
        expectSame(run((v) => v.min(dim, keepdim).values, x), run((v) => v.min({ dim, keepdim }).values, x));
        expectSame(run((v) => v.argmax(dim, keepdim), x), run((v) => v.argmax({ dim, keepdim }), x));
        expectSame(run((v) => v.argmin(dim, keepdim), x), run((v) => v.argmin({ dim, keepdim }), x));
        expectSame(run((v) => v.softmax(dim), x), run((v) => v.softmax({ dim }), x));
        expectSame(run((v) => v.cumsum(dim), x), run((v) => v.cumsum({ dim }), x));
      }),
      { numRuns: 40 },
    );
  });
});
