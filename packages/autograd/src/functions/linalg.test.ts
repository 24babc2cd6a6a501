/**
 * Property-based gradient checks of matmul (1-D, 2-D, batched with broadcast batch dims, and the
 * mixed 1-D / batched cases) and linear (with and without bias), w.r.t. every input, on
 * non-contiguous float64 leaves.
 */
import fc from 'fast-check';
import { linear, matmul } from '../index';
import { broadcastShapesArb, check, leafArb, leavesArb, shapeArb } from '../testing/arbitraries';

const RUNS = 25;
const dimSize = fc.integer({ min: 0, max: 3 });

describe('matmul', () => {
  it('1-D @ 1-D (dot product)', () => {
    fc.assert(
      fc.property(
        dimSize.chain((k) => leavesArb([[k], [k]])),
        ([a, b]) => check((a, b) => matmul(a, b), [a, b]) && check((a, b) => a.matmul(b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('1-D @ 2-D and 2-D @ 1-D', () => {
    fc.assert(
      fc.property(
        fc.tuple(dimSize, dimSize, dimSize).chain(([m, k, n]) => leavesArb([[k], [k, n], [m, k], [k]])),
        ([v, b, a, w]) => check((v, b) => matmul(v, b), [v, b]) && check((a, w) => matmul(a, w), [a, w]),
      ),
      { numRuns: RUNS },
    );
  });

  it('2-D @ 2-D', () => {
    fc.assert(
      fc.property(
        fc.tuple(dimSize, dimSize, dimSize).chain(([m, k, n]) => leavesArb([[m, k], [k, n]])),
        ([a, b]) => check((a, b) => matmul(a, b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('batched, with broadcast batch dims (e.g. [2, 1, M, K] @ [3, K, N])', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(broadcastShapesArb(2, { minDims: 1, maxDims: 2, maxSize: 3, maxNumel: 6 }), fc.integer({ min: 1, max: 3 }), dimSize, fc.integer({ min: 1, max: 3 }))
          .chain(([[ba, bb], m, k, n]) => leavesArb([[...ba, m, k], [...bb, k, n]])),
        ([a, b]) => check((a, b) => matmul(a, b), [a, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('batched @ 1-D and 1-D @ batched', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(shapeArb({ minDims: 1, maxDims: 2, maxSize: 3, maxNumel: 6 }), fc.integer({ min: 1, max: 3 }), dimSize)
          .chain(([batch, m, k]) => leavesArb([[...batch, m, k], [k], [k], [...batch, k, m]])),
        ([a, v, w, b]) => check((a, v) => matmul(a, v), [a, v]) && check((w, b) => matmul(w, b), [w, b]),
      ),
      { numRuns: RUNS },
    );
  });

  it('one operand a constant (no gradient for it) and the same leaf on both sides', () => {
    fc.assert(
      fc.property(
        fc.tuple(dimSize, dimSize).chain(([m, k]) => fc.tuple(leafArb([m, k]), leafArb([k, m], {}, { requiresGrad: false }), leafArb([k, k]))),
        ([a, c, s]) => check((a, c) => [matmul(a, c), matmul(c, a)], [a, c]) && check((s) => matmul(s, s), [s]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('linear', () => {
  it('y = x W^T + b: gradcheck w.r.t. x, weight and bias, for inputs of 1-3 dims', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(shapeArb({ maxDims: 2, maxSize: 3, maxNumel: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }))
          .chain(([batch, inF, outF]) => leavesArb([[...batch, inF], [outF, inF], [outF]])),
        fc.boolean(),
        ([x, w, b], withBias) =>
          withBias ? check((x, w, b) => linear(x, w, b), [x, w, b]) : check((x, w) => linear(x, w), [x, w]) && check((x, w) => linear(x, w, null), [x, w]),
      ),
      { numRuns: RUNS },
    );
  });
});
