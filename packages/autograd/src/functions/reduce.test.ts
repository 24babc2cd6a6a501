/**
 * Property-based gradient checks of the reductions: sum, sumTo, mean, prod (with zeros, against a
 * hand formula), amax/amin, max/min with dim, var/std (biased and unbiased), logsumexp, softmax,
 * logSoftmax and cumsum, over random dims (negative ones included) and keepdim, on random shapes
 * and non-contiguous float64 leaves.
 */
import fc from 'fast-check';
import { numelOf } from '@dl/tensor';
import { amax, amin, cumsum, logSoftmax, logsumexp, mean, prod, softmax, sum, sumTo, variance, type Variable } from '../index';
import {
  DOMAIN,
  anyLeafArb,
  check,
  dimArb,
  leafArb,
  makeLeaf,
  normDims,
  operandShapeArb,
  reduceDimsArb,
  shapeArb,
  type Domain,
  type ShapeOptions,
} from '../testing/arbitraries';

const RUNS = 25;

type Dims = number | number[] | undefined;

/** A leaf of a random shape with reduction dims and keepdim. */
function reductionArb(s: ShapeOptions = {}, domain: Domain = {}): fc.Arbitrary<[Variable, Dims, boolean]> {
  return shapeArb(s).chain((shape) => fc.tuple(leafArb(shape, domain), reduceDimsArb(shape.length), fc.boolean()));
}

/** Number of elements in each reduced group. */
function groupSize(shape: readonly number[], dim: Dims): number {
  return normDims(dim, shape.length).reduce((a, d) => a * shape[d], 1);
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

describe('sum / mean', () => {
  it('sum over random dims, keepdim or not', () => {
    fc.assert(
      fc.property(reductionArb(), ([x, dim, keepdim]) => check((x) => sum(x, { dim, keepdim }), [x]) && check((x) => x.sum({ dim, keepdim }), [x])),
      { numRuns: RUNS },
    );
  });

  it('mean over random dims, keepdim or not (non-empty groups)', () => {
    fc.assert(
      fc.property(
        reductionArb().filter(([x, dim]) => groupSize(x.shape, dim) > 0),
        ([x, dim, keepdim]) => check((x) => mean(x, { dim, keepdim }), [x]) && check((x) => x.mean({ dim, keepdim }), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('sumTo undoes broadcasting to any shape that broadcasts to the input', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(leafArb(s), operandShapeArb(s))),
        ([x, target]) => {
          const y = sumTo(x, target);
          expect(y.shape).toEqual(target);
          return check((x) => sumTo(x, target), [x]) && check((x) => x.sumTo(target), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('prod', () => {
  it('gradcheck on nonzero values, random dims and keepdim', () => {
    fc.assert(
      fc.property(
        reductionArb({ maxNumel: 24 }, { min: -1.5, max: 1.5, avoid: [0], margin: 0.3 }),
        ([x, dim, keepdim]) => check((x) => prod(x, { dim, keepdim }), [x]) && check((x) => x.prod({ dim, keepdim }), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  // prod is multilinear, so central differences are exact even with zeros in the input
  const withZerosArb = shapeArb({ maxNumel: 24 }).chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.array(fc.constantFrom(0, 0, 0.5, -0.75, 1.25, -1.5, 2), { minLength: numelOf(shape), maxLength: numelOf(shape) }),
      reduceDimsArb(shape.length),
      fc.boolean(),
    ),
  );

  it('with zeros in the input (one or several per group): gradcheck', () => {
    fc.assert(
      fc.property(withZerosArb, ([shape, vals, dim, keepdim]) => check((x) => prod(x, { dim, keepdim }), [makeLeaf(shape, vals)])),
      { numRuns: RUNS },
    );
  });

  it('with zeros in the input: gradient = product of the other entries of the group (hand formula)', () => {
    fc.assert(
      fc.property(withZerosArb, ([shape, vals, dim, keepdim]) => {
        const x = makeLeaf(shape, vals);
        prod(x, { dim, keepdim }).sum().backward();
        const dims = normDims(dim, shape.length);
        const key = (f: number) =>
          unravel(f, shape)
            .filter((_, d) => !dims.includes(d))
            .join(',');
        const want = vals.map((_, i) => {
          let p = 1;
          for (let j = 0; j < vals.length; j++) if (j !== i && key(j) === key(i)) p *= vals[j];
          return p;
        });
        const got = Array.from(x.grad?.data.toTypedArray() ?? []);
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 12));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('amax / amin / max and min with dim (distinct values)', () => {
  // extremes need non-empty groups
  const extremeArb = reductionArb({ minSize: 1 }, DOMAIN.distinct);

  it('amax and amin over random dims, keepdim or not', () => {
    fc.assert(
      fc.property(extremeArb, ([x, dim, keepdim]) =>
        check((x) => [amax(x, { dim, keepdim }), amin(x, { dim, keepdim })], [x]) &&
        check((x) => [x.amax({ dim, keepdim }), x.amin({ dim, keepdim })], [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('max() and min() of everything', () => {
    fc.assert(
      fc.property(anyLeafArb({ minSize: 1 }, DOMAIN.distinct), (x) => check((x) => [x.max(), x.min()], [x])),
      { numRuns: RUNS },
    );
  });

  it('max({ dim }) and min({ dim }) values, keepdim or not', () => {
    fc.assert(
      fc.property(
        shapeArb({ minSize: 1 }).chain((s) => fc.tuple(leafArb(s, DOMAIN.distinct), dimArb(s.length), fc.boolean())),
        ([x, dim, keepdim]) => {
          const { values, indices } = x.max({ dim, keepdim });
          expect(indices.requiresGrad).toBe(false);
          expect(indices.shape).toEqual(values.shape);
          return check((x) => [x.max({ dim, keepdim }).values, x.min({ dim, keepdim }).values], [x]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('var / std', () => {
  // non-empty groups; unbiased needs >= 2 elements per group; std needs var > 0 (distinct values)
  const varArb = (minGroup: number) =>
    reductionArb({ minSize: 1, maxSize: 3 }, { distinct: true, min: -1, max: 1, margin: 0.05 }).filter(
      ([x, dim]) => groupSize(x.shape, dim) >= minGroup,
    );

  it.each([true, false])('var, unbiased %s', (unbiased) => {
    fc.assert(
      fc.property(varArb(unbiased ? 2 : 1), ([x, dim, keepdim]) =>
        check((x) => variance(x, { dim, keepdim, unbiased }), [x]) && check((x) => x.var({ dim, keepdim, unbiased }), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it.each([true, false])('std, unbiased %s', (unbiased) => {
    fc.assert(
      fc.property(varArb(2), ([x, dim, keepdim]) => check((x) => x.std({ dim, keepdim, unbiased }), [x])),
      { numRuns: RUNS },
    );
  });
});

describe('logsumexp / softmax / logSoftmax / cumsum', () => {
  it('logsumexp over random dims, keepdim or not (empty groups included)', () => {
    fc.assert(
      fc.property(reductionArb({}, { min: -3, max: 3 }), ([x, dim, keepdim]) => {
        const y = logsumexp(x, { dim, keepdim });
        const want = x.data.logsumexp({ dim, keepdim });
        expect(y.shape).toEqual(want.shape);
        expect(Array.from(y.data.toTypedArray())).toEqual(Array.from(want.toTypedArray()).map((v) => expect.closeTo(v, 12)));
        return check((x) => logsumexp(x, { dim, keepdim }), [x]) && check((x) => x.logsumexp({ dim, keepdim }), [x]);
      }),
      { numRuns: RUNS },
    );
  });

  it('logsumexp of large values (no overflow, gradient = softmax)', () => {
    fc.assert(
      fc.property(reductionArb({ minSize: 1 }, { min: 700, max: 710 }), ([x, dim, keepdim]) => check((x) => logsumexp(x, { dim, keepdim }), [x])),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['softmax', (x: Variable, d: number) => softmax(x, d)],
    ['logSoftmax', (x: Variable, d: number) => logSoftmax(x, d)],
    ['Variable.softmax', (x: Variable, d: number) => x.softmax(d)],
    ['Variable.logSoftmax', (x: Variable, d: number) => x.logSoftmax(d)],
    ['cumsum', (x: Variable, d: number) => cumsum(x, d)],
    ['Variable.cumsum', (x: Variable, d: number) => x.cumsum(d)],
  ])('%s along a random dim (0-d inputs included)', (_name, f) => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(leafArb(s, { min: -3, max: 3 }), dimArb(s.length))),
        ([x, dim]) => check((x) => f(x, dim), [x]),
      ),
      { numRuns: RUNS },
    );
  });
});
