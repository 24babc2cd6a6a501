/**
 * Property-based gradient checks of conv2d (stride, padding incl. 'same', dilation, groups, bias,
 * unbatched inputs), maxPool2d (distinct values), avgPool2d (ceilMode, countIncludePad) and
 * im2col / col2im, w.r.t. every input, on non-contiguous float64 leaves. Strides, paddings and
 * dilations are drawn per axis, so they are often different for H and W.
 */
import fc from 'fast-check';
import { convOutputSize, poolOutputSize } from '@dl/tensor';
import { Variable, avgPool2d, col2im, conv2d, im2col, maxPool2d, mul, sum } from '../index';
import { DOMAIN, check, gradOf, leafArb, leavesArb } from '../testing/arbitraries';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const RUNS = 15;

/** Smallest input size for which a (dilated) kernel fits once with the padding. */
const minInput = (k: number, d: number, p: number) => Math.max(1, d * (k - 1) + 1 - 2 * p);

describe('conv2d', () => {
  const geometry = fc
    .record({
      n: fc.integer({ min: 0, max: 2 }),
      groups: fc.integer({ min: 1, max: 2 }),
      cinG: fc.integer({ min: 1, max: 2 }),
      coutG: fc.integer({ min: 1, max: 2 }),
      k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 })),
      padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      extra: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      same: fc.boolean(),
      bias: fc.boolean(),
      unbatched: fc.boolean(),
    })
    .map((g) => {
      // padding 'same' needs stride 1 and an even dilated kernel extent
      const same = g.same && [0, 1].every((i) => (g.dilation[i] * (g.k[i] - 1)) % 2 === 0);
      const stride: [number, number] = same ? [1, 1] : g.stride;
      const pad = same ? [0, 1].map((i) => (g.dilation[i] * (g.k[i] - 1)) / 2) : g.padding;
      const h = minInput(g.k[0], g.dilation[0], pad[0]) + g.extra[0];
      const w = minInput(g.k[1], g.dilation[1], pad[1]) + g.extra[1];
      const cin = g.groups * g.cinG;
      const cout = g.groups * g.coutG;
      const xShape = g.unbatched ? [cin, h, w] : [g.n, cin, h, w];
      const opts = { stride, padding: same ? ('same' as const) : g.padding, dilation: g.dilation, groups: g.groups };
      return { xShape, wShape: [cout, g.cinG, g.k[0], g.k[1]], cout, bias: g.bias, opts };
    });

  it('gradcheck w.r.t. input, weight and bias', () => {
    fc.assert(
      fc.property(
        geometry.chain((g) => fc.tuple(fc.constant(g), leavesArb([g.xShape, g.wShape, [g.cout]]))),
        ([g, [x, w, b]]) =>
          g.bias ? check((x, w, b) => conv2d(x, w, b, g.opts), [x, w, b]) : check((x, w) => conv2d(x, w, null, g.opts), [x, w]),
      ),
      { numRuns: RUNS },
    );
  });

  it('with an input that needs no gradient (weight and bias only) and vice versa', () => {
    const noGrad = { requiresGrad: false };
    fc.assert(
      fc.property(
        geometry.chain((g) =>
          fc.tuple(fc.constant(g), leafArb(g.xShape, {}, noGrad), leafArb(g.wShape), leafArb([g.cout]), leafArb(g.xShape), leafArb(g.wShape, {}, noGrad)),
        ),
        ([g, xc, w, b, x, wc]) => check((xc, w, b) => conv2d(xc, w, b, g.opts), [xc, w, b]) && check((x, wc) => conv2d(x, wc, null, g.opts), [x, wc]),
      ),
      { numRuns: RUNS },
    );
  });
});

/** Pooling geometry: kernel, stride (or the default = kernel), padding <= kernel / 2, dilation. */
const poolGeometry = (withDilation: boolean) =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 2 }),
      c: fc.integer({ min: 1, max: 2 }),
      k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      stride: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })), { nil: null }),
      padFrac: fc.tuple(fc.boolean(), fc.boolean()),
      dilation: withDilation ? fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })) : fc.constant<[number, number]>([1, 1]),
      extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
      ceilMode: fc.boolean(),
      unbatched: fc.boolean(),
    })
    .map((g) => {
      const padding: [number, number] = [0, 1].map((i) => (g.padFrac[i] ? Math.floor(g.k[i] / 2) : 0)) as [number, number];
      const size = [0, 1].map((i) => minInput(g.k[i], g.dilation[i], padding[i]) + g.extra[i]);
      const xShape = g.unbatched ? [g.c, size[0], size[1]] : [g.n, g.c, size[0], size[1]];
      return { xShape, k: g.k, stride: g.stride, padding, dilation: g.dilation, ceilMode: g.ceilMode };
    });

/**
 * Whether every pooling window along an axis holds at least one input element: with dilation a
 * window can consist of padding only (its max is -inf, which has no derivative).
 */
function everyWindowHits(size: number, k: number, s: number, p: number, d: number, ceil: boolean): boolean {
  const out = poolOutputSize(size, k, s, p, d, ceil);
  for (let o = 0; o < out; o++) {
    let hit = false;
    for (let j = 0; j < k; j++) {
      const i = o * s - p + j * d;
      if (i >= 0 && i < size) hit = true;
    }
    if (!hit) return false;
  }
  return true;
}

describe('maxPool2d (distinct values, so each window has one maximum)', () => {
  it('gradcheck with stride, padding, dilation and ceilMode', () => {
    fc.assert(
      fc.property(
        poolGeometry(true)
          .filter((g) =>
            [0, 1].every((i) =>
              everyWindowHits(g.xShape[g.xShape.length - 2 + i], g.k[i], (g.stride ?? g.k)[i], g.padding[i], g.dilation[i], g.ceilMode),
            ),
          )
          .chain((g) => fc.tuple(fc.constant(g), leafArb(g.xShape, DOMAIN.distinct))),
        ([g, x]) => check((x) => maxPool2d(x, g.k, { stride: g.stride, padding: g.padding, dilation: g.dilation, ceilMode: g.ceilMode }), [x]),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('avgPool2d', () => {
  it('gradcheck with stride, padding, ceilMode and countIncludePad true / false', () => {
    fc.assert(
      fc.property(
        poolGeometry(false).chain((g) => fc.tuple(fc.constant(g), fc.boolean(), leafArb(g.xShape))),
        ([g, countIncludePad, x]) =>
          check((x) => avgPool2d(x, g.k, { stride: g.stride, padding: g.padding, ceilMode: g.ceilMode, countIncludePad }), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('gradcheck with divisorOverride (PyTorch divisor_override), first and second order', () => {
    fc.assert(
      fc.property(
        poolGeometry(false).chain((g) => fc.tuple(fc.constant(g), fc.constantFrom(1, 3, -2), leafArb(g.xShape))),
        ([g, divisorOverride, x]) => {
          const f = (x: Variable) => avgPool2d(x, g.k, { stride: g.stride, padding: g.padding, ceilMode: g.ceilMode, divisorOverride });
          return check(f, [x]) && check(gradOf((x) => sum(mul(f(x), f(x)))), [x]);
        },
      ),
      { numRuns: RUNS },
    );
  }, SLOW_TEST_TIMEOUT);
});

describe('im2col / col2im', () => {
  const geometry = fc
    .record({
      n: fc.integer({ min: 0, max: 2 }),
      c: fc.integer({ min: 1, max: 2 }),
      k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 })),
      padding: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      extra: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    })
    .map((g) => {
      const h = minInput(g.k[0], g.dilation[0], g.padding[0]) + g.extra[0];
      const w = minInput(g.k[1], g.dilation[1], g.padding[1]) + g.extra[1];
      const blocks =
        convOutputSize(h, g.k[0], g.stride[0], g.padding[0], g.dilation[0]) * convOutputSize(w, g.k[1], g.stride[1], g.padding[1], g.dilation[1]);
      return {
        xShape: [g.n, g.c, h, w],
        colsShape: [g.n, g.c * g.k[0] * g.k[1], blocks],
        size: [h, w] as [number, number],
        k: g.k,
        opts: { stride: g.stride, padding: g.padding, dilation: g.dilation },
      };
    });

  it('im2col: gradcheck', () => {
    fc.assert(
      fc.property(
        geometry.chain((g) => fc.tuple(fc.constant(g), leafArb(g.xShape))),
        ([g, x]) => check((x) => im2col(x, g.k, g.opts), [x]),
      ),
      { numRuns: RUNS },
    );
  });

  it('col2im: gradcheck (overlapping windows sum)', () => {
    fc.assert(
      fc.property(
        geometry.chain((g) => fc.tuple(fc.constant(g), leafArb(g.colsShape))),
        ([g, cols]) => check((c) => col2im(c, g.size, g.k, g.opts), [cols]),
      ),
      { numRuns: RUNS },
    );
  });
});
