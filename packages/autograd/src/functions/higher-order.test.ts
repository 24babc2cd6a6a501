/**
 * Second- (and third-) order gradient checks. `gradOf(f)` computes the first derivatives with
 * `backward({ createGraph: true })`, so they are Variables with a graph back to the inputs;
 * gradcheck of `gradOf(f)` then compares the derivative of those gradients (the Hessian,
 * cross terms between inputs included) with central differences of the first gradients.
 *
 * Scalars are formed as `sum(w * y)` with fixed pseudo-random weights `w`, so that no symmetry
 * hides a wrong term. Linear ops (pooling, im2col, indexing, slicing) get a square or a tanh on top,
 * which sends the second pass through their backward Functions' own backward.
 */
import fc from 'fast-check';
import {
  amax,
  avgPool2d,
  cat,
  col2im,
  conv2d,
  cumsum,
  div,
  exp,
  gather,
  im2col,
  indexSelect,
  log,
  logSoftmax,
  logsumexp,
  matmul,
  maxPool2d,
  mul,
  numericalGrad,
  permute,
  pow,
  prod,
  sigmoid,
  sin,
  slice,
  softmax,
  sqrt,
  sum,
  tanh,
  variance,
  type Variable,
} from '../index';
import {
  DOMAIN,
  broadcastShapesArb,
  check,
  dimArb,
  gradOf,
  indexTensorArb,
  leafArb,
  leavesArb,
  shapeArb,
  weightsFor,
  type Domain,
} from '../testing/arbitraries';

/** x.grad, which must be set (backward ran). */
function readGrad(x: Variable): Variable {
  if (!x.grad) throw new Error('expected x.grad to be set by backward()');
  return x.grad;
}

const RUNS = 15;
const small = { maxNumel: 12, maxDims: 3 };
const seedArb = fc.integer();

/** sum(w * y) for fixed pseudo-random weights w of y's shape. */
const wsum = (y: Variable, seed: number) => sum(mul(y, weightsFor(y.shape, seed)));

/** gradcheck of the first gradients of `f`: checks every second derivative. */
const checkHessian = (f: (...xs: Variable[]) => Variable, xs: Variable[]) => check(gradOf(f), xs);

describe('second derivatives of elementwise functions', () => {
  const cases: [string, (x: Variable) => Variable, Domain][] = [
    ['tanh', (x) => tanh(x), { min: -2, max: 2 }],
    ['sigmoid', (x) => sigmoid(x), { min: -3, max: 3 }],
    ['exp', (x) => exp(x), { min: -2, max: 2 }],
    ['log', (x) => log(x), DOMAIN.positive],
    ['sqrt', (x) => sqrt(x), DOMAIN.positive],
    ['sin', (x) => sin(x), { min: -3, max: 3 }],
    ['cos', (x) => x.cos(), { min: -3, max: 3 }],
    ['pow(x, 3)', (x) => pow(x, 3), {}],
    ['pow(x, -1.5)', (x) => pow(x, -1.5), DOMAIN.positive],
    ['abs(x) * x (uses the sign mask)', (x) => x.abs().mul(x), DOMAIN.awayFromZero],
  ];
  it.each(cases)('%s', (_name, op, domain) => {
    fc.assert(
      fc.property(shapeArb(small).chain((s) => leafArb(s, domain)), seedArb, (x, seed) => checkHessian((x) => wsum(op(x), seed), [x])),
      { numRuns: RUNS },
    );
  });
});

describe('second derivatives of binary ops (cross terms between broadcast operands)', () => {
  it.each([
    ['mul', (a: Variable, b: Variable) => mul(a, b), {}],
    ['mul then tanh', (a: Variable, b: Variable) => tanh(mul(a, b)), {}],
    ['div', (a: Variable, b: Variable) => div(a, b), DOMAIN.nonzero],
  ] as [string, (a: Variable, b: Variable) => Variable, Domain][])('%s', (_name, op, bDomain) => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2, small).chain(([sa, sb]) => fc.tuple(leafArb(sa), leafArb(sb, bDomain))),
        seedArb,
        ([a, b], seed) => checkHessian((a, b) => wsum(op(a, b), seed), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  // Exponents are kept away from exactly 0: there Pow.backward, like PyTorch's pow_backward_self,
  // returns where(b == 0, 0, ...) with a constant mask, so d2/(da db) at b == 0 comes out 0
  // instead of 1/a (first derivatives at b == 0 are right and are checked in arithmetic.test.ts).
  it('pow with a tensor exponent (base positive, exponent not exactly 0)', () => {
    fc.assert(
      fc.property(
        broadcastShapesArb(2, small).chain(([sa, sb]) =>
          fc.tuple(leafArb(sa, DOMAIN.positive), leafArb(sb, { min: -1.5, max: 1.5, avoid: [0], margin: 0.01 })),
        ),
        seedArb,
        ([a, b], seed) => checkHessian((a, b) => wsum(pow(a, b), seed), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('second derivatives of reductions', () => {
  it.each([
    ['softmax', (x: Variable, d: number) => softmax(x, d), {}],
    ['logSoftmax', (x: Variable, d: number) => logSoftmax(x, d), {}],
    ['cumsum squared', (x: Variable, d: number) => cumsum(x, d).mul(cumsum(x, d)), {}],
    ['logsumexp', (x: Variable, d: number) => logsumexp(x, { dim: d }), {}],
    ['var', (x: Variable, d: number) => variance(x, { dim: d }), {}],
    ['prod (no zeros)', (x: Variable, d: number) => prod(x, { dim: d }), { min: 0.5, max: 1.5 }],
    ['amax squared (distinct values)', (x: Variable, d: number) => amax(x, { dim: d }).pow(2), DOMAIN.distinct],
  ] as [string, (x: Variable, d: number) => Variable, Domain][])('%s along a random dim', (_name, op, domain) => {
    fc.assert(
      fc.property(
        // groups of >= 2 elements (unbiased var of one element is 0 / 0)
        shapeArb({ ...small, minDims: 1, minSize: 2, maxSize: 3 }).chain((s) => fc.tuple(leafArb(s, domain), dimArb(s.length))),
        seedArb,
        ([x, d], seed) => checkHessian((x) => wsum(op(x, d), seed), [x]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('second derivatives through linear maps (their backward Functions are differentiated)', () => {
  it('matmul (batched, broadcast) under tanh', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(broadcastShapesArb(2, { maxDims: 1, maxSize: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }))
          .chain(([[ba, bb], m, k, n]) => leavesArb([[...ba, m, k], [...bb, k, n]])),
        seedArb,
        ([a, b], seed) => checkHessian((a, b) => wsum(tanh(matmul(a, b)), seed), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('slice with step, permute, indexSelect, gather and cat, squared', () => {
    fc.assert(
      fc.property(
        shapeArb({ minDims: 3, maxDims: 3, minSize: 1, maxNumel: 12 }).chain((s) =>
          fc.tuple(leafArb(s), indexTensorArb(s[0], [s[0] + 1]), indexTensorArb(s[1], [s[0], s[1], s[2]])),
        ),
        seedArb,
        ([x, idx, gidx], seed) =>
          checkHessian((x) => {
            const parts = [slice(x, 1, 0, undefined, 2), permute(x, [1, 2, 0]).permute([2, 0, 1]), indexSelect(x, 0, idx), gather(x, 1, gidx)];
            const y = cat(parts.map((p) => p.flatten()));
            return wsum(y.mul(y), seed);
          }, [x]),
      ),
      { numRuns: RUNS },
    );
  });

  const convGeometry = fc.record({
    n: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 2 }),
    k: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.constant(1)),
  });

  it('conv2d: all second derivatives w.r.t. input, weight and bias (under tanh)', () => {
    fc.assert(
      fc.property(
        convGeometry.chain((g) => {
          const h = g.dilation[0] * (g.k[0] - 1) + 1;
          const w = g.dilation[1] * (g.k[1] - 1) + 2;
          return fc.tuple(fc.constant(g), leavesArb([[g.n, g.groups, h, w], [g.groups * 2, 1, g.k[0], g.k[1]], [g.groups * 2]], { min: -1, max: 1 }));
        }),
        seedArb,
        ([g, [x, w, b]], seed) =>
          checkHessian((x, w, b) => wsum(tanh(conv2d(x, w, b, { stride: g.stride, padding: g.padding, dilation: g.dilation, groups: g.groups })), seed), [x, w, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('conv2d squared: the second pass runs Conv2dBackwardInput/Weight backward', () => {
    fc.assert(
      fc.property(
        convGeometry.chain((g) =>
          fc.tuple(fc.constant(g), leavesArb([[1, g.groups, 3, 3], [g.groups, 1, g.k[0], g.k[1]]], { min: -1, max: 1 })),
        ),
        seedArb,
        ([g, [x, w]], seed) =>
          checkHessian((x, w) => {
            const y = conv2d(x, w, null, { stride: g.stride, padding: g.padding, groups: g.groups });
            return wsum(y.mul(y), seed);
          }, [x, w]),
      ),
      { numRuns: RUNS },
    );
  });

  it('maxPool2d, avgPool2d (ceilMode, countIncludePad false), im2col and col2im, squared', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 4 })).chain(([h, w]) => leafArb([1, 2, h, w], DOMAIN.distinct)),
        fc.boolean(),
        seedArb,
        (x, ceilMode, seed) =>
          checkHessian((x) => {
            const parts = [
              maxPool2d(x, 2, { stride: 1, ceilMode }),
              avgPool2d(x, 2, { stride: [2, 1], padding: 1, ceilMode, countIncludePad: false }),
              col2im(im2col(x, [2, 1], { padding: [0, 1] }), [x.shape[2], x.shape[3]], [2, 1], { padding: [0, 1] }),
            ];
            const y = cat(parts.map((p) => p.flatten()));
            return wsum(y.mul(y), seed);
          }, [x]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('the two-backward flow: x.grad after g.sum().backward() adds H 1', () => {
  it.each([
    ['tanh', (x: Variable) => sum(tanh(x).mul(x))],
    ['sigmoid', (x: Variable) => sum(sigmoid(x).mul(sigmoid(x)))],
    ['softmax', (x: Variable) => wsum(softmax(x, -1), 7)],
    ['matmul', (x: Variable) => sum(tanh(matmul(x, x.mT)))],
  ])('%s: x.grad - g equals central differences of sum(g)', (_name, f) => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([m, n]) => leafArb([m, n])),
        (x) => {
          x.grad = null;
          f(x).backward({ createGraph: true });
          const g = readGrad(x);
          expect(g.requiresGrad).toBe(true); // the gradient carries a graph
          const first = Array.from(g.data.toTypedArray());
          g.sum().backward();
          const total = Array.from(readGrad(x).data.toTypedArray());
          x.grad = null;
          const hv = total.map((t, i) => t - first[i]);
          const [num] = numericalGrad((x) => sum(gradOf(f)(x)[0]), [x]);
          Array.from(num.toTypedArray()).forEach((v, i) => expect(Math.abs(hv[i] - v)).toBeLessThan(1e-5 + 1e-3 * Math.abs(v)));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('third derivatives', () => {
  it.each([
    ['tanh', (x: Variable) => tanh(x)],
    ['sigmoid', (x: Variable) => sigmoid(x)],
    ['exp', (x: Variable) => exp(x)],
    ['log', (x: Variable) => log(x.add(3))],
  ])('%s', (_name, op) => {
    fc.assert(
      fc.property(shapeArb({ maxNumel: 6 }).chain((s) => leafArb(s)), seedArb, (x, seed) => {
        const second = gradOf((x) => sum(gradOf((x) => wsum(op(x), seed))(x)[0]));
        return check(second, [x]);
      }),
      { numRuns: RUNS },
    );
  });
});
