/**
 * fast-check + float64 gradcheck for every loss, on random shapes and options: w.r.t. the input,
 * and w.r.t. the target for the losses with float targets (regression, BCE, BCE with logits,
 * cross-entropy with probabilities). The fused cross-entropy is also compared with a composed
 * reference (src/testing/reference.ts) and checked to second order.
 */
import fc from 'fast-check';
import { Variable, enableGrad, gradcheck } from '@dl/autograd';
import { Generator, Tensor, rand, randint, randn } from '@dl/tensor';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  sumSquaredError,
  type Reduction,
} from './index';
import { referenceCrossEntropy } from './testing/reference';
import { firstMismatch } from './testing/fixtures';

const RUNS = 40;

const reductionArb = fc.constantFrom<Reduction>('none', 'mean', 'sum');
const shapeArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 });
const seedArb = fc.integer({ min: 0, max: 1_000_000 });

function leaf(t: Tensor): Variable {
  return new Variable(t.to('float64'), { requiresGrad: true });
}

/** Residuals z with |z| in [0.05, 2.05] and |z| at least 0.02 away from `kink` (central differences stay on one side). */
function residuals(shape: number[], g: Generator, kink: number): Tensor {
  const u = rand(shape, { dtype: 'float64', generator: g }).toTypedArray();
  const s = rand(shape, { dtype: 'float64', generator: g }).toTypedArray();
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) {
    let a = 0.05 + 2 * u[i];
    if (Math.abs(a - kink) < 0.02) a = kink + 0.05;
    out[i] = s[i] < 0.5 ? -a : a;
  }
  return new Tensor(out, shape);
}

describe('gradcheck (float64): regression losses w.r.t. input and target', () => {
  it('mseLoss, l1Loss, huberLoss, smoothL1Loss, sumSquaredError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('mse', 'l1', 'huber', 'smoothL1', 'sse'),
        shapeArb,
        reductionArb,
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.boolean(),
        seedArb,
        (kind, shape, reduction, param, zeroBeta, seed) => {
          const g = new Generator(seed);
          const beta = kind === 'smoothL1' && zeroBeta ? 0 : param;
          const t = leaf(randn(shape, { dtype: 'float64', generator: g }));
          const x = leaf(t.data.add(residuals(shape, g, beta)));
          const fn = (x: Variable, t: Variable): Variable => {
            switch (kind) {
              case 'mse':
                return mseLoss(x, t, { reduction });
              case 'l1':
                return l1Loss(x, t, { reduction });
              case 'huber':
                return huberLoss(x, t, { reduction, delta: param });
              case 'smoothL1':
                return smoothL1Loss(x, t, { reduction, beta });
              default:
                return sumSquaredError(x, t, { reduction: reduction === 'mean' ? 'mean' : reduction });
            }
          };
          return gradcheck(fn, [x, t]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** A random class-index problem: logits [N, C, d...] (or [C]), targets with some ignored, options. */
const classProblem = fc.record({
  N: fc.integer({ min: 1, max: 4 }),
  C: fc.integer({ min: 1, max: 4 }),
  extra: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 0, maxLength: 2 }),
  unbatched: fc.boolean(),
  reduction: reductionArb,
  withWeight: fc.boolean(),
  ignore: fc.constantFrom('none', 'default', 'inRange'),
  labelSmoothing: fc.constantFrom(0, 0, 0.1, 0.37, 1),
  seed: seedArb,
});

type ClassProblem = typeof classProblem extends fc.Arbitrary<infer T> ? T : never;

function makeClassProblem(p: ClassProblem) {
  const g = new Generator(p.seed);
  const xShape = p.unbatched ? [p.C] : [p.N, p.C, ...p.extra];
  const tShape = p.unbatched ? [] : [p.N, ...p.extra];
  const x = leaf(randn(xShape, { dtype: 'float64', generator: g }).mul(2));
  const tv = randint(0, p.C, tShape, { generator: g }).toTypedArray();
  const ignoreIndex = p.ignore === 'inRange' ? 0 : -100;
  if (p.ignore === 'default') {
    const r = rand([tv.length], { generator: g }).toTypedArray();
    for (let i = 1; i < tv.length; i++) if (r[i] < 0.4) tv[i] = -100; // element 0 stays, so 'mean' has a divisor
  }
  if (p.ignore === 'inRange' && tv.length > 0 && tv[0] === 0) tv[0] = p.C > 1 ? 1 : 0;
  const target = new Tensor(Int32Array.from(tv), tShape);
  const weight = p.withWeight ? rand([p.C], { dtype: 'float64', generator: g }).add(0.2) : null;
  // with ignoreIndex 0 and C = 1 every target is ignored: 'mean' is NaN there (tested elsewhere)
  const allIgnored = p.ignore === 'inRange' && p.C === 1;
  return { x, target, weight, ignoreIndex, allIgnored };
}

describe('gradcheck (float64): class-index losses w.r.t. the input', () => {
  it('crossEntropy (fused) with weight, ignoreIndex, labelSmoothing, K-dim and unbatched inputs', () => {
    fc.assert(
      fc.property(classProblem, (p) => {
        const { x, target, weight, ignoreIndex, allIgnored } = makeClassProblem(p);
        fc.pre(!(allIgnored && p.reduction === 'mean'));
        const o = { reduction: p.reduction, weight, ignoreIndex, labelSmoothing: p.labelSmoothing };
        return gradcheck((x) => crossEntropy(x, target, o), [x]);
      }),
      { numRuns: RUNS },
    );
  });

  it('nllLoss with weight, ignoreIndex, K-dim and unbatched inputs', () => {
    fc.assert(
      fc.property(classProblem, (p) => {
        const { x, target, weight, ignoreIndex, allIgnored } = makeClassProblem(p);
        fc.pre(!(allIgnored && p.reduction === 'mean'));
        return gradcheck((x) => nllLoss(x, target, { reduction: p.reduction, weight, ignoreIndex }), [x]);
      }),
      { numRuns: RUNS },
    );
  });

  it('the fused crossEntropy equals the composed reference (values and gradients)', () => {
    fc.assert(
      fc.property(classProblem, (p) => {
        const { x, target, weight, ignoreIndex } = makeClassProblem(p);
        const o = { reduction: p.reduction, weight, ignoreIndex, labelSmoothing: p.labelSmoothing };
        const xr = leaf(x.data.clone());
        const fused = crossEntropy(x, target, o);
        const ref = p.unbatched
          ? referenceCrossEntropy(xr.reshape([1, p.C]), target.reshape([1]), o)
          : referenceCrossEntropy(xr, target, o);
        const refOut = p.unbatched && p.reduction === 'none' ? ref.reshape([]) : ref;
        expect(firstMismatch(fused.data, refOut.data, 1e-12)).toBeNull();
        const R = randn(fused.shape, { dtype: 'float64' });
        fused.mul(R).sum().backward();
        refOut.mul(R).sum().backward();
        expect(firstMismatch(x.grad!.data, xr.grad!.data, 1e-12)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('crossEntropy and nllLoss to second order (backward with createGraph, then gradcheck)', () => {
    fc.assert(
      fc.property(classProblem, (p) => {
        const { x, target, weight, ignoreIndex, allIgnored } = makeClassProblem(p);
        fc.pre(!(allIgnored && p.reduction === 'mean'));
        const o = { reduction: p.reduction, weight, ignoreIndex, labelSmoothing: p.labelSmoothing };
        // gradcheck evaluates fn inside noGrad for the numerical Jacobian: enableGrad lets it differentiate
        const gradOf = (loss: (x: Variable) => Variable) => (x: Variable) =>
          enableGrad(() => {
            const l = loss(x);
            const R = new Tensor(Float64Array.from({ length: l.numel() }, (_, i) => 1 + 0.5 * i), l.shape);
            x.grad = null;
            l.mul(R).sum().backward({ createGraph: true });
            const gx = x.grad as Variable | null;
            x.grad = null;
            return gx ?? x.mul(0);
          });
        gradcheck(gradOf((x) => crossEntropy(x, target, o)), [x]);
        const nll = { reduction: p.reduction, weight, ignoreIndex }; // nllLoss has no labelSmoothing (an unknown option is an error)
        return gradcheck(gradOf((x) => nllLoss(x.logSoftmax(x.ndim === 1 ? 0 : 1), target, nll)), [x]);
      }),
      { numRuns: 15 },
    );
  });
});

describe('gradcheck (float64): losses with float targets, w.r.t. input and target', () => {
  const binaryProblem = fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    reduction: reductionArb,
    weight: fc.constantFrom('none', 'last', 'full'),
    posWeight: fc.boolean(),
    seed: seedArb,
  });

  function weightFor(kind: string, shape: number[], g: Generator): Tensor | null {
    if (kind === 'none') return null;
    const s = kind === 'last' ? [shape[shape.length - 1]] : shape;
    return rand(s, { dtype: 'float64', generator: g }).add(0.3);
  }

  it('binaryCrossEntropy (input in (0.05, 0.95))', () => {
    fc.assert(
      fc.property(binaryProblem, ({ shape, reduction, weight: wk, seed }) => {
        const g = new Generator(seed);
        const x = leaf(rand(shape, { dtype: 'float64', generator: g }).mul(0.9).add(0.05));
        const t = leaf(rand(shape, { dtype: 'float64', generator: g }));
        const weight = weightFor(wk, shape, g);
        return gradcheck((x, t) => binaryCrossEntropy(x, t, { reduction, weight }), [x, t]);
      }),
      { numRuns: RUNS },
    );
  });

  it('binaryCrossEntropyWithLogits with weight and posWeight', () => {
    fc.assert(
      fc.property(binaryProblem, ({ shape, reduction, weight: wk, posWeight, seed }) => {
        const g = new Generator(seed);
        const x = leaf(randn(shape, { dtype: 'float64', generator: g }).mul(3));
        const t = leaf(rand(shape, { dtype: 'float64', generator: g }));
        const weight = weightFor(wk, shape, g);
        const pw = posWeight ? weightFor('last', shape, g)?.mul(2) : null;
        return gradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { reduction, weight, posWeight: pw }), [x, t]);
      }),
      { numRuns: RUNS },
    );
  });

  it('crossEntropy with class probabilities (weight, labelSmoothing, K-dim, unbatched)', () => {
    fc.assert(
      fc.property(classProblem, (p) => {
        const g = new Generator(p.seed);
        const shape = p.unbatched ? [p.C] : [p.N, p.C, ...p.extra];
        const x = leaf(randn(shape, { dtype: 'float64', generator: g }).mul(2));
        const t = leaf(rand(shape, { dtype: 'float64', generator: g }));
        const weight = p.withWeight ? rand([p.C], { dtype: 'float64', generator: g }).add(0.2) : null;
        const o = { reduction: p.reduction, weight, labelSmoothing: p.labelSmoothing };
        return gradcheck((x, t) => crossEntropy(x, t, o), [x, t]);
      }),
      { numRuns: RUNS },
    );
  });
});
