import fc from 'fast-check';
import type { Pool2dParams, View } from '../../backend';
import { ValueError } from '../../errors';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, pool2dOutputSize } from './pool';
import { im2col } from './unfold';
import { dot, randomData, view } from '../../testing/kernel-helpers';

function indexView(shape: number[], data: Int32Array): View {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { dtype: 'int32', storage: data, shape, strides, offset: 0 };
}

function params(k: [number, number], opts: Partial<Pool2dParams> = {}): Pool2dParams {
  return { kernelSize: k, stride: k, padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true, ...opts };
}

// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
const x3x3 = view([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe('pool2dOutputSize', () => {
  it.each([
    // in, kernel, stride, padding, dilation, ceilMode -> out (values checked against PyTorch 1.13)
    [5, 2, 2, 1, 1, true, 3],
    [5, 2, 2, 1, 1, false, 3],
    [6, 3, 2, 1, 1, true, 4],
    [7, 3, 2, 1, 1, true, 4],
    [4, 2, 3, 0, 1, true, 2], // ceil adds a partial window ...
    [4, 2, 3, 0, 1, false, 1],
    [8, 3, 3, 1, 2, true, 3],
    [10, 3, 4, 1, 1, true, 3], // ... which is dropped when it would start in the right padding
    [2, 2, 3, 1, 1, true, 1],
    [1, 1, 2, 0, 1, true, 1],
  ])('in %i, kernel %i, stride %i, padding %i, dilation %i, ceil %s -> %i', (n, k, s, p, d, c, out) => {
    expect(pool2dOutputSize(n, k, s, p, d, c)).toBe(out);
  });
});

describe('maxPool2d: hand-computed cases', () => {
  it('2x2 windows, stride 1', () => {
    const { values, indices } = maxPool2d(x3x3, params([2, 2], { stride: [1, 1] }));
    expect(Array.from(values)).toEqual([5, 6, 8, 9]);
    expect(Array.from(indices)).toEqual([4, 5, 7, 8]); // flat h * W + w in the plane
  });

  it('ceil mode keeps the partial windows at the edges', () => {
    const { values, indices } = maxPool2d(x3x3, params([2, 2], { ceilMode: true }));
    expect(Array.from(values)).toEqual([5, 6, 8, 9]);
    expect(Array.from(indices)).toEqual([4, 5, 7, 8]);
    const floor = maxPool2d(x3x3, params([2, 2]));
    expect(Array.from(floor.values)).toEqual([5]);
  });

  it('padding acts as -inf, even next to negative values', () => {
    const { values, indices } = maxPool2d(view([1, 1, 3, 3], [-1, -2, -3, -4, -5, -6, -7, -8, -9]), params([2, 2], { padding: [1, 1] }));
    // windows start at (-1,-1), (-1,1), (1,-1), (1,1)
    expect(Array.from(values)).toEqual([-1, -2, -4, -5]);
    expect(Array.from(indices)).toEqual([0, 1, 3, 4]);
  });

  it('dilation', () => {
    const { values, indices } = maxPool2d(x3x3, params([2, 2], { stride: [1, 1], dilation: [2, 2] }));
    expect(Array.from(values)).toEqual([9]);
    expect(Array.from(indices)).toEqual([8]);
  });

  it('ties take the first position; NaN is the max (PyTorch reports the last NaN)', () => {
    const ties = maxPool2d(view([1, 1, 2, 2], [3, 3, 3, 3]), params([2, 2]));
    expect(Array.from(ties.indices)).toEqual([0]);
    const x = view([1, 1, 1, 7], [NaN, 1, NaN, 2, 5, 5, -1]);
    const { values, indices } = maxPool2d(x, params([1, 4], { stride: [1, 1] }));
    expect(Array.from(values)).toEqual([NaN, NaN, NaN, 5]);
    expect(Array.from(indices)).toEqual([2, 2, 2, 4]); // as torch.nn.functional.max_pool2d
  });

  it('a window of -inf reports its first in-image position', () => {
    const { values, indices } = maxPool2d(view([1, 1, 1, 3], [-Infinity, -Infinity, -Infinity]), params([1, 2], { stride: [1, 1], padding: [0, 1] }));
    expect(Array.from(values)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(Array.from(indices)).toEqual([0, 0, 1, 2]);
  });

  it('works plane by plane and keeps float32', () => {
    const x = view([1, 2, 2, 2], [1, 4, 2, 3, 8, 5, 6, 7], 'float32');
    const { values, indices } = maxPool2d(x, params([2, 2]));
    expect(values).toBeInstanceOf(Float32Array);
    expect(Array.from(values)).toEqual([4, 8]);
    expect(Array.from(indices)).toEqual([1, 0]);
  });
});

describe('maxPool2dBackward: hand-computed cases', () => {
  it('routes each gradient to its argmax, summing where windows share it', () => {
    const p = params([2, 2], { stride: [1, 1] });
    const x = view([1, 1, 3, 3], [0, 0, 0, 0, 9, 0, 0, 0, 0]); // the center wins all four windows
    const { indices } = maxPool2d(x, p);
    const gy = view([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(Array.from(maxPool2dBackward(gy, indexView([1, 1, 2, 2], indices), [1, 1, 3, 3], p))).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });
});

describe('avgPool2d: hand-computed cases', () => {
  it('2x2 windows, stride 1', () => {
    expect(Array.from(avgPool2d(x3x3, params([2, 2], { stride: [1, 1] })))).toEqual([3, 4, 6, 7]);
  });

  it('padding with countIncludePad: the divisor is the whole window', () => {
    // windows start at -1 and 1; each has 4 positions
    expect(Array.from(avgPool2d(x3x3, params([2, 2], { padding: [1, 1] })))).toEqual([0.25, 1.25, 2.75, 7]);
  });

  it('padding without countIncludePad: the divisor counts only the image', () => {
    expect(Array.from(avgPool2d(x3x3, params([2, 2], { padding: [1, 1], countIncludePad: false })))).toEqual([1, 2.5, 5.5, 7]);
  });

  it('ceil mode: a window beyond the padded input is clipped, also for the divisor', () => {
    // windows (0,0) {1,2,4,5}, (0,1) {3,6}, (1,0) {7,8}, (1,1) {9}: as torch, 3 / 4.5 / 7.5 / 9
    expect(Array.from(avgPool2d(x3x3, params([2, 2], { ceilMode: true })))).toEqual([3, 4.5, 7.5, 9]);
    // with padding 1 the extra ceil window would start in the right padding: dropped
    expect(Array.from(avgPool2d(x3x3, params([2, 2], { padding: [1, 1], ceilMode: true })))).toEqual([0.25, 1.25, 2.75, 7]);
  });

  it('keeps float32', () => {
    expect(avgPool2d(view([1, 1, 2, 2], [1, 2, 3, 4], 'float32'), params([2, 2]))).toBeInstanceOf(Float32Array);
  });

  it('rejects dilation (PyTorch has no dilated average pooling)', () => {
    expect(() => avgPool2d(x3x3, params([2, 2], { dilation: [2, 1] }))).toThrow(ValueError);
  });
});

describe('avgPool2dBackward: hand-computed cases', () => {
  it('spreads gy / divisor over each window', () => {
    const gy = view([1, 1, 2, 2], [4, 8, 12, 16]);
    expect(Array.from(avgPool2dBackward(gy, [1, 1, 3, 3], params([2, 2], { stride: [1, 1] })))).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    // countIncludePad false with padding: window (0,1) covers {2, 3}, divisor 2
    expect(Array.from(avgPool2dBackward(gy, [1, 1, 3, 3], params([2, 2], { padding: [1, 1], countIncludePad: false })))).toEqual([
      4, 4, 4, 6, 4, 4, 6, 4, 4,
    ]);
  });
});

/** A random pooling geometry (PyTorch's rule: padding <= kernel / 2) with at least one output. */
const geometry = fc.record({
  N: fc.integer({ min: 1, max: 2 }),
  C: fc.integer({ min: 1, max: 3 }),
  kH: fc.integer({ min: 1, max: 4 }),
  kW: fc.integer({ min: 1, max: 4 }),
  sH: fc.integer({ min: 1, max: 3 }),
  sW: fc.integer({ min: 1, max: 3 }),
  padH: fc.nat(), // reduced modulo floor(k / 2) + 1 below
  padW: fc.nat(),
  dH: fc.integer({ min: 1, max: 2 }),
  dW: fc.integer({ min: 1, max: 2 }),
  ceilMode: fc.boolean(),
  countIncludePad: fc.boolean(),
  extraH: fc.integer({ min: 0, max: 4 }),
  extraW: fc.integer({ min: 0, max: 4 }),
  seed: fc.integer(),
});
type Geometry = typeof geometry extends fc.Arbitrary<infer T> ? T : never;

function setup(g: Geometry, dilated: boolean) {
  const dH = dilated ? g.dH : 1;
  const dW = dilated ? g.dW : 1;
  const pH = g.padH % (Math.floor(g.kH / 2) + 1);
  const pW = g.padW % (Math.floor(g.kW / 2) + 1);
  const H = Math.max(1, dH * (g.kH - 1) + 1 - 2 * pH) + g.extraH;
  const W = Math.max(1, dW * (g.kW - 1) + 1 - 2 * pW) + g.extraW;
  const p: Pool2dParams = {
    kernelSize: [g.kH, g.kW],
    stride: [g.sH, g.sW],
    padding: [pH, pW],
    dilation: [dH, dW],
    ceilMode: g.ceilMode,
    countIncludePad: g.countIncludePad,
  };
  const Hout = pool2dOutputSize(H, g.kH, g.sH, pH, dH, g.ceilMode);
  const Wout = pool2dOutputSize(W, g.kW, g.sW, pW, dW, g.ceilMode);
  const xShape = [g.N, g.C, H, W];
  const yShape = [g.N, g.C, Hout, Wout];
  const x = randomData(g.seed, g.N * g.C * H * W);
  const gy = randomData(g.seed ^ 0x5bd1e995, g.N * g.C * Hout * Wout);
  return { p, H, W, Hout, Wout, xShape, yShape, x, gy };
}

describe('pooling properties (float64, random geometries)', () => {
  it('maxPool2d picks the first largest in-image position of each window', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        // round the data so that ties happen
        const { p, H, W, Hout, Wout, xShape, x } = setup(g, true);
        const xr = x.map((v) => Math.round(v * 2) + 0); // + 0 turns -0 into 0
        const { values, indices } = maxPool2d(view(xShape, xr), p);
        expect(values.length).toBe(g.N * g.C * Hout * Wout);
        for (let plane = 0; plane < g.N * g.C; plane++) {
          for (let i = 0; i < Hout; i++) {
            for (let j = 0; j < Wout; j++) {
              // the window's in-image positions, in row-major order
              const window: number[] = [];
              for (let ki = 0; ki < g.kH; ki++) {
                for (let kj = 0; kj < g.kW; kj++) {
                  const h = i * p.stride[0] - p.padding[0] + ki * p.dilation[0];
                  const w = j * p.stride[1] - p.padding[1] + kj * p.dilation[1];
                  if (h >= 0 && h < H && w >= 0 && w < W) window.push(h * W + w);
                }
              }
              // Math.max() of nothing is -inf: a window entirely in the padding (dilation can skip
              // over a small image) gives -inf with index -1
              const best = Math.max(...window.map((k) => xr[plane * H * W + k]));
              const first = window.find((k) => xr[plane * H * W + k] === best) ?? -1;
              const o = (plane * Hout + i) * Wout + j;
              expect(values[o]).toBe(best);
              expect(indices[o]).toBe(first);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('maxPool2dBackward scatters gy to the positions in indices', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { p, H, W, xShape, yShape, x, gy } = setup(g, true);
        const { indices } = maxPool2d(view(xShape, x), p);
        const gx = maxPool2dBackward(view(yShape, gy), indexView(yShape, indices), xShape, p);
        const expected = new Float64Array(x.length);
        const per = yShape[2] * yShape[3];
        let lhs = 0; // <x read at the indices, gy>: maxPool2dBackward is the adjoint of that read
        for (let o = 0; o < gy.length; o++) {
          if (indices[o] < 0) continue; // an all-padding window routes nowhere
          expected[Math.floor(o / per) * H * W + indices[o]] += gy[o];
          lhs += x[Math.floor(o / per) * H * W + indices[o]] * gy[o];
        }
        expect(Array.from(gx)).toEqual(Array.from(expected));
        expect(Math.abs(dot(x, gx) - lhs)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(lhs)));
      }),
      { numRuns: 200 },
    );
  });

  it('avgPool2dBackward is the adjoint of avgPool2d: <avg(x), gy> == <x, avgBackward(gy)>', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { p, xShape, yShape, x, gy } = setup(g, false);
        const y = avgPool2d(view(xShape, x), p);
        const gx = avgPool2dBackward(view(yShape, gy), xShape, p);
        const lhs = dot(y, gy);
        expect(Math.abs(dot(x, gx) - lhs)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(lhs)));
      }),
      { numRuns: 300 },
    );
  });

  it('without ceil mode and counting the padding, avgPool2d is the mean of the im2col columns', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { p, Hout, Wout, xShape, x } = setup({ ...g, ceilMode: false, countIncludePad: true }, false);
        const y = avgPool2d(view(xShape, x), p);
        const cols = im2col(view(xShape, x), p); // zero padding, [N, C*kH*kW, L]
        const K = g.kH * g.kW;
        const L = Hout * Wout;
        for (let plane = 0; plane < g.N * g.C; plane++) {
          for (let l = 0; l < L; l++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += cols[(plane * K + k) * L + l];
            expect(Math.abs(y[plane * L + l] - s / K)).toBeLessThanOrEqual(1e-12);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
