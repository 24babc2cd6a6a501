/**
 * Property-based gradient checks of the arithmetic Functions: every differentiable input
 * (broadcast operands included) of add, sub, mul, div, pow, neg, maximum, minimum and where, on
 * random shapes and non-contiguous float64 leaves (see ../testing/arbitraries.ts).
 */
import fc from 'fast-check';
import { Tensor } from '@dl/tensor';
import { add, div, maximum, minimum, mul, neg, pow, sub, where, type Variable } from '../index';
import {
  DOMAIN,
  anyLeafArb,
  boolTensorArb,
  broadcastLeavesArb,
  broadcastShapesArb,
  check,
  leafArb,
  makeLeaf,
  shapeArb,
  valuesArb,
} from '../testing/arbitraries';

const RUNS = 25;
const scalarArb = fc.double({ min: -2, max: 2, noNaN: true });

describe('add / sub / mul: broadcast operands', () => {
  it.each([
    ['add', (a: Variable, b: Variable) => add(a, b)],
    ['sub', (a: Variable, b: Variable) => sub(a, b)],
    ['mul', (a: Variable, b: Variable) => mul(a, b)],
    ['Variable.add', (a: Variable, b: Variable) => a.add(b)],
    ['Variable.sub', (a: Variable, b: Variable) => a.sub(b)],
    ['Variable.mul', (a: Variable, b: Variable) => a.mul(b)],
  ])('%s: gradcheck w.r.t. both operands', (_name, f) => {
    fc.assert(
      fc.property(broadcastLeavesArb(2), ([a, b]) => check(f, [a, b])),
      { numRuns: RUNS },
    );
  });

  it('mul of a Variable by itself (two paths into one leaf)', () => {
    fc.assert(
      fc.property(anyLeafArb(), (x) => check((x) => mul(x, x), [x])),
      { numRuns: RUNS },
    );
  });

  it('with a JS scalar on either side', () => {
    fc.assert(
      fc.property(anyLeafArb(), scalarArb, (x, c) =>
        check((x) => [add(x, c), add(c, x), sub(x, c), sub(c, x), mul(x, c), mul(c, x)], [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('with a constant operand (Variable without grad, or Tensor)', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sa, sb]) =>
          fc.tuple(leafArb(sa), leafArb(sb, {}, { requiresGrad: false })),
        ),
        ([a, b]) => check((a, b) => [mul(a, b), sub(b, a), add(a, b.data), mul(b.data, a)], [a, b]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('div', () => {
  it('gradcheck w.r.t. numerator and (broadcast) denominator', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(leafArb(sa), leafArb(sb, DOMAIN.nonzero))),
        ([a, b]) => check((a, b) => div(a, b), [a, b]) && check((a, b) => a.div(b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('by a denominator that does not require grad, and with scalars', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sa, sb]) =>
          fc.tuple(leafArb(sa, DOMAIN.nonzero), leafArb(sb, DOMAIN.nonzero, { requiresGrad: false })),
        ),
        fc.double({ min: 0.25, max: 2, noNaN: true }),
        ([a, b], c) => check((a, b) => [div(a, b), div(a, c), div(c, a), div(b, a)], [a, b]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('pow', () => {
  it('tensor exponent: gradcheck w.r.t. (broadcast) base and exponent', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(leafArb(sa, DOMAIN.positive), leafArb(sb))),
        ([a, b]) => check((a, b) => pow(a, b), [a, b]) && check((a, b) => a.pow(b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('tensor exponent containing exact zeros, integers and halves', () => {
    const expArb = (shape: number[]) =>
      fc
        .array(fc.constantFrom(0, 0, 1, 2, -1, 0.5, 3), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
        .map((vals) => makeLeaf(shape, vals));
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(leafArb(sa, DOMAIN.positive), expArb(sb))),
        ([a, b]) => check((a, b) => pow(a, b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('zero base with positive integer exponents (d/db = 0 by the limit, d/da = b a^(b-1))', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => {
          const n = s.reduce((a, b) => a * b, 1);
          return fc.tuple(
            fc.array(fc.constantFrom(0, 0, 0.5, 1.5, 2.25), { minLength: n, maxLength: n }).map((v) => makeLeaf(s, v)),
            fc.array(fc.constantFrom(1, 2, 3), { minLength: n, maxLength: n }).map((v) => makeLeaf(s, v)),
          );
        }),
        ([a, b]) => check((a, b) => pow(a, b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('scalar exponent: integers on any nonzero base, reals on a positive base', () => {
    fc.assert(
      fc.property(anyLeafArb({}, DOMAIN.nonzero), fc.constantFrom(0, 1, 2, 3, -1, -2), (x, c) => check((x) => pow(x, c), [x])),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(anyLeafArb({}, DOMAIN.positive), fc.constantFrom(0.5, 1.5, -0.5, 2.7, -1.3), (x, c) => check((x) => x.pow(c), [x])),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(anyLeafArb(), (x) => check((x) => pow(x, 2), [x])), // any base, including near 0
      { numRuns: RUNS },
    );
  });

  it('scalar base, tensor exponent', () => {
    fc.assert(
      fc.property(anyLeafArb(), fc.double({ min: 0.2, max: 3, noNaN: true }), (x, c) => check((x) => pow(c, x), [x])),
      { numRuns: RUNS },
    );
  });
});

describe('neg', () => {
  it('gradcheck', () => {
    fc.assert(
      fc.property(anyLeafArb(), (x) => check((x) => neg(x), [x]) && check((x) => x.neg(), [x])),
      { numRuns: RUNS },
    );
  });
});

describe('maximum / minimum', () => {
  // a on the lattice 0.02 k, b on 0.02 k + 0.01: never within 0.01 of each other
  const pairArb = broadcastShapesArb(2).chain(([sa, sb]) =>
    fc.tuple(leafArb(sa, { lattice: 0.02, phase: 0 }), leafArb(sb, { lattice: 0.02, phase: 0.01 })),
  );

  it.each([
    ['maximum', (a: Variable, b: Variable) => maximum(a, b)],
    ['minimum', (a: Variable, b: Variable) => minimum(a, b)],
    ['Variable.maximum', (a: Variable, b: Variable) => a.maximum(b)],
    ['Variable.minimum', (a: Variable, b: Variable) => a.minimum(b)],
  ])('%s: gradcheck w.r.t. both (broadcast) operands, no ties', (_name, f) => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => check(f, [a, b])),
      { numRuns: RUNS },
    );
  });

  it('ties give each side half the gradient, which is what central differences see', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => {
          const n = s.reduce((p, q) => p * q, 1);
          return fc.tuple(
            fc.constant(s),
            valuesArb(n),
            fc.array(fc.constantFrom(0, 0.5, -0.5), { minLength: n, maxLength: n }), // 0: tie
          );
        }),
        ([s, vals, shift]) => {
          const a = makeLeaf(s, vals);
          const b = makeLeaf(s, vals.map((v, i) => v + shift[i]));
          return check((a, b) => [maximum(a, b), minimum(a, b)], [a, b]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('where', () => {
  it('gradcheck w.r.t. both branches, condition and branches broadcast', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(3).chain(([sc, sa, sb]) => fc.tuple(boolTensorArb(sc), leafArb(sa), leafArb(sb))),
        ([c, a, b]) => check((a, b) => where(c, a, b), [a, b]) && check((a, b) => a.where(c, b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('with a scalar branch and a Variable condition', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sc, sa]) => fc.tuple(boolTensorArb(sc), leafArb(sa))),
        scalarArb,
        ([c, a], k) => {
          const cond = makeLeaf(c.shape, Array.from(c.toTypedArray()), undefined, false).gt(0.5);
          return check((a) => [where(c, a, k), where(cond, k, a)], [a]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('arithmetic results are consistent with @dl/tensor', () => {
  it('forward values of every op equal the Tensor ops on the same (non-contiguous) data', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2).chain(([sa, sb]) => fc.tuple(leafArb(sa, DOMAIN.positive), leafArb(sb, DOMAIN.nonzero))),
        ([a, b]) => {
          const ta: Tensor = a.data.contiguous();
          const tb: Tensor = b.data.contiguous();
          expect(add(a, b).toArray()).toEqual(ta.add(tb).toArray());
          expect(div(a, b).toArray()).toEqual(ta.div(tb).toArray());
          // pow may differ in the last bit between layouts: the native backend computes strided
          // operands with C's pow and tiny contiguous ones with Math.pow (1 ulp apart at most)
          const got = pow(a, b).data.contiguous().toTypedArray();
          const want = ta.pow(tb).contiguous().toTypedArray();
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(want[i]));
        },
      ),
      { numRuns: 10 },
    );
  });
});
