/**
 * Property-based gradient checks of the elementwise math Functions (exp, log, sqrt, sin, cos,
 * tanh, sigmoid, relu, abs, clamp, step, cast), on random shapes and non-contiguous float64
 * leaves, with values kept in each op's domain and away from its kinks.
 */
import fc from 'fast-check';
import { Tensor, tensor } from '@dl/tensor';
import { abs, cast, clamp, cos, exp, log, relu, sigmoid, sin, sqrt, step, tanh, variable, type Variable } from '../index';
import { DOMAIN, anyLeafArb, check, leafArb, makeLeaf, shapeArb, valuesArb, type Domain } from '../testing/arbitraries';

const RUNS = 25;

describe('smooth elementwise functions', () => {
  const cases: [string, (x: Variable) => Variable, Domain][] = [
    ['exp', (x) => exp(x), { min: -3, max: 3 }],
    ['Variable.exp', (x) => x.exp(), { min: -3, max: 3 }],
    ['log', (x) => log(x), DOMAIN.positive],
    ['Variable.log', (x) => x.log(), DOMAIN.positive],
    ['sqrt', (x) => sqrt(x), DOMAIN.positive],
    ['Variable.sqrt', (x) => x.sqrt(), DOMAIN.positive],
    ['sin', (x) => sin(x), { min: -4, max: 4 }],
    ['Variable.sin', (x) => x.sin(), { min: -4, max: 4 }],
    ['cos', (x) => cos(x), { min: -4, max: 4 }],
    ['Variable.cos', (x) => x.cos(), { min: -4, max: 4 }],
    ['tanh', (x) => tanh(x), { min: -3, max: 3 }],
    ['Variable.tanh', (x) => x.tanh(), { min: -3, max: 3 }],
    ['sigmoid', (x) => sigmoid(x), { min: -4, max: 4 }],
    ['Variable.sigmoid', (x) => x.sigmoid(), { min: -4, max: 4 }],
  ];
  it.each(cases)('%s: gradcheck', (_name, f, domain) => {
    fc.assert(
      fc.property(anyLeafArb({}, domain), (x) => check(f, [x])),
      { numRuns: RUNS },
    );
  });

  it('compositions reuse outputs and inputs in backward (exp(x) * sin(x) / sqrt(x))', () => {
    fc.assert(
      fc.property(anyLeafArb({}, DOMAIN.positive), (x) => check((x) => exp(x).mul(sin(x)).div(sqrt(x)).add(log(x).tanh()), [x])),
      { numRuns: RUNS },
    );
  });
});

describe('piecewise functions, away from their kinks', () => {
  it('relu (values at distance >= 0.01 from 0)', () => {
    fc.assert(
      fc.property(anyLeafArb({}, DOMAIN.awayFromZero), (x) => check((x) => relu(x), [x]) && check((x) => x.relu(), [x])),
      { numRuns: RUNS },
    );
  });

  it('abs (values at distance >= 0.01 from 0)', () => {
    fc.assert(
      fc.property(anyLeafArb({}, DOMAIN.awayFromZero), (x) => check((x) => abs(x), [x]) && check((x) => x.abs(), [x])),
      { numRuns: RUNS },
    );
  });

  it('abs at exactly 0 has gradient 0, as the central difference (|e| - |-e|) / 2e', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(fc.constant(s), valuesArb(s.reduce((a, b) => a * b, 1), DOMAIN.awayFromZero))),
        fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
        ([s, vals], zero) => check((x) => abs(x), [makeLeaf(s, vals.map((v, i) => (zero[i] ? 0 : v)))]),
      ),
      { numRuns: RUNS },
    );
  });

  it('relu and clamp pass gy only where the mask holds: a NaN or inf in gy elsewhere gives 0 (as PyTorch)', () => {
    const x = variable(tensor([-1, 2, -3, 0.5], { dtype: 'float32' }), { requiresGrad: true });
    relu(x).backward({ gradient: tensor([NaN, 1, Infinity, -2], { dtype: 'float32' }) });
    expect(x.grad!.data.toArray()).toEqual([0, 1, 0, -2]);
    const z = variable(tensor([-1, 0.5, 3], { dtype: 'float64' }), { requiresGrad: true });
    clamp(z, 0, 1).backward({ gradient: tensor([NaN, 5, -Infinity], { dtype: 'float64' }) });
    expect(z.grad!.data.toArray()).toEqual([0, 5, 0]);
  });

  it('step has gradient 0', () => {
    fc.assert(
      fc.property(anyLeafArb({}, DOMAIN.awayFromZero), (x) => check((x) => step(x), [x]) && check((x) => x.step(), [x])),
      { numRuns: RUNS },
    );
  });

  it('clamp with min only, max only and both (values at distance >= 0.01 from the bounds)', () => {
    const boundsArb: fc.Arbitrary<[number | null, number | null]> = fc.oneof(
      fc.tuple(fc.constantFrom(-1, -0.5, 0, 0.3), fc.constant(null)),
      fc.tuple(fc.constant(null), fc.constantFrom(-0.3, 0, 0.5, 1)),
      fc.tuple(fc.constantFrom(-1, -0.5, 0), fc.constantFrom(0.2, 0.5, 1)),
    );
    fc.assert(
      fc.property(
        boundsArb.chain(([lo, hi]) =>
          fc.tuple(fc.constant(lo), fc.constant(hi), anyLeafArb({}, { avoid: [lo, hi].filter((b): b is number => b !== null), margin: 0.01 })),
        ),
        ([lo, hi, x]) => check((x) => clamp(x, lo, hi), [x]) && check((x) => x.clamp(lo, hi), [x]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('cast', () => {
  it('float64 -> float64 is a no-op that returns the Variable itself', () => {
    fc.assert(
      fc.property(anyLeafArb(), (x) => {
        expect(cast(x, 'float64')).toBe(x);
        expect(x.to('float64')).toBe(x);
        expect(x.double()).toBe(x);
        return check((x) => cast(x, 'float64').mul(2), [x]);
      }),
      { numRuns: RUNS },
    );
  });

  it('float64 -> float32 -> float64 round-trips values through Math.fround', () => {
    fc.assert(
      fc.property(anyLeafArb({}, { min: -1e6, max: 1e6 }), (x) => {
        const y = cast(cast(x, 'float32'), 'float64');
        expect(y.dtype).toBe('float64');
        const got = Array.from(y.data.toTypedArray());
        const want = Array.from(x.data.toTypedArray(), (v) => Math.fround(v));
        expect(got).toEqual(want);
      }),
      { numRuns: RUNS },
    );
  });

  it('float64 -> float32 -> float64: gradcheck on float32-exact values (eps 2^-8, exact in float32)', () => {
    const exact: Domain = { min: -2, max: 2, lattice: 2 ** -8 };
    fc.assert(
      fc.property(anyLeafArb({}, exact), (x) =>
        check((x) => cast(cast(x, 'float32'), 'float64').mul(x), [x], { eps: 2 ** -8, atol: 1e-5 }) &&
        check((x) => x.float().double().sin(), [x], { eps: 2 ** -8, atol: 1e-4, rtol: 1e-3 }),
      ),
      { numRuns: RUNS },
    );
  });

  it('a float32 leaf used in float64 math gets a float32 gradient with the float64 values rounded', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.tuple(fc.constant(s), valuesArb(s.reduce((a, b) => a * b, 1)))),
        ([s, vals]) => {
          const x32 = variable(new Tensor(Float32Array.from(vals), s), { requiresGrad: true });
          const w = new Tensor(Float64Array.from(vals, (_, i) => 0.1 * i + 1 / 3), s);
          cast(x32, 'float64').mul(w).sum().backward();
          expect(x32.grad?.dtype).toBe('float32');
          expect(Array.from(x32.grad?.data.toTypedArray() ?? [])).toEqual(Array.from(w.toTypedArray(), (v) => Math.fround(v)));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('leaf layouts', () => {
  it('elementwise ops read non-contiguous leaves correctly (NaN-filled gaps never leak)', () => {
    fc.assert(
      fc.property(anyLeafArb({ minDims: 1 }, DOMAIN.positive, { layout: 'strided' }), (x) => {
        const y = log(x).add(sqrt(x)).sum();
        expect(Number.isFinite(y.item())).toBe(true);
        return check((x) => log(x).add(sqrt(x)), [x]);
      }),
      { numRuns: RUNS },
    );
  });

  it('leafArb honours the requested shape', () => {
    fc.assert(
      fc.property(leafArb([2, 3, 1]), (x) => {
        expect(x.shape).toEqual([2, 3, 1]);
        expect(x.requiresGrad).toBe(true);
        expect(x.dtype).toBe('float64');
      }),
      { numRuns: 5 },
    );
  });
});
