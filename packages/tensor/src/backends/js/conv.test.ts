import fc from 'fast-check';
import type { Conv2dParams } from '../../backend';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
import { convOutputSize, im2col } from './unfold';
import { dot, randomData, view } from '../../testing/kernel-helpers';

function expectClose(a: number, b: number, rtol = 1e-10): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(a), Math.abs(b)));
}

const params = (s: [number, number] = [1, 1], p: [number, number] = [0, 0], d: [number, number] = [1, 1], groups = 1): Conv2dParams => ({
  stride: s,
  padding: p,
  dilation: d,
  groups,
});

// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 2], [3, 4]]
const x3x3 = view([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const w2x2 = view([1, 1, 2, 2], [1, 2, 3, 4]);

describe('conv2d: hand-computed cases', () => {
  it('slides the kernel without flipping it (cross-correlation)', () => {
    // y[0,0] = 1*1 + 2*2 + 4*3 + 5*4 = 37, and so on
    expect(Array.from(conv2d(x3x3, w2x2, null, params()))).toEqual([37, 47, 67, 77]);
  });

  it('adds the bias of each output channel', () => {
    expect(Array.from(conv2d(x3x3, w2x2, view([1], [10]), params()))).toEqual([47, 57, 77, 87]);
  });

  it('stride 2 and padding 1: windows start at -1 and 1, the padding reads as 0', () => {
    // (0,0): only x[0,0]*w[1,1] = 4; (0,1): 2*3 + 3*4 = 18; (1,0): 4*2 + 7*4 = 36; (1,1): 5+12+24+36 = 77
    expect(Array.from(conv2d(x3x3, w2x2, null, params([2, 2], [1, 1])))).toEqual([4, 18, 36, 77]);
  });

  it('dilation 2 spreads the kernel over the corners', () => {
    // 1*1 + 3*2 + 7*3 + 9*4
    expect(Array.from(conv2d(x3x3, w2x2, null, params([1, 1], [0, 0], [2, 2])))).toEqual([64]);
  });

  it('asymmetric stride and padding', () => {
    // stride (1, 2), padding (0, 1): H_out = 2, W_out = 2, column windows start at -1 and 1
    // (0,0): 1*2 + 4*4 = 18; (0,1): 2*1 + 3*2 + 5*3 + 6*4 = 47; (1,0): 4*2 + 7*4 = 36; (1,1): 5+12+24+36 = 77
    expect(Array.from(conv2d(x3x3, w2x2, null, params([1, 2], [0, 1])))).toEqual([18, 47, 36, 77]);
  });

  it('groups: each output channel only sees its group of input channels', () => {
    const x = view([1, 2, 1, 2], [1, 2, 10, 20]);
    const w = view([4, 1, 1, 1], [2, 3, 5, 7]); // channels 0,1 read input 0; channels 2,3 read input 1
    expect(Array.from(conv2d(x, w, null, params([1, 1], [0, 0], [1, 1], 2)))).toEqual([2, 4, 3, 6, 50, 100, 70, 140]);
  });

  it('sums over input channels and keeps several output channels and batches apart', () => {
    const x = view([2, 2, 1, 1], [1, 2, 3, 4]);
    const w = view([3, 2, 1, 1], [1, 1, 1, -1, 0, 2]);
    // y[n, co] = w[co, 0] * x[n, 0] + w[co, 1] * x[n, 1]
    expect(Array.from(conv2d(x, w, view([3], [0, 0, 100]), params()))).toEqual([3, -1, 104, 7, -1, 108]);
  });

  it('keeps float32', () => {
    const y = conv2d(view([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9], 'float32'), view([1, 1, 2, 2], [1, 2, 3, 4], 'float32'), null, params());
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([37, 47, 67, 77]);
  });
});

describe('conv2d backward: hand-computed cases', () => {
  const ones = view([1, 1, 2, 2], [1, 1, 1, 1]);

  it('dL/dx with gy = 1: each pixel gets the sum of the weights that touched it', () => {
    expect(Array.from(conv2dBackwardInput(ones, w2x2, [1, 1, 3, 3], params()))).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  it('dL/dx with stride 2 and padding 1 (each pixel in exactly one window)', () => {
    const gy = view([1, 1, 2, 2], [1, 10, 100, 1000]);
    // pixel (h, w) lies in window (floor((h+1)/2), floor((w+1)/2)) at kernel offset ((h+1)%2, (w+1)%2)
    expect(Array.from(conv2dBackwardInput(gy, w2x2, [1, 1, 3, 3], params([2, 2], [1, 1])))).toEqual([
      4, 30, 40, 200, 1000, 2000, 400, 3000, 4000,
    ]);
  });

  it('dL/dw with gy = 1: each weight gets the sum of the pixels it multiplied', () => {
    // w[ki, kj] <- sum of x[ki..ki+1, kj..kj+1]
    expect(Array.from(conv2dBackwardWeight(ones, x3x3, [1, 1, 2, 2], params()))).toEqual([12, 16, 24, 28]);
  });

  it('dL/dw with groups', () => {
    const x = view([1, 2, 1, 2], [1, 2, 10, 20]);
    const gy = view([1, 4, 1, 2], [1, 0, 0, 1, 1, 1, 2, 0]);
    expect(Array.from(conv2dBackwardWeight(gy, x, [4, 1, 1, 1], params([1, 1], [0, 0], [1, 1], 2)))).toEqual([1, 2, 30, 20]);
  });

  it('keeps the dtype of gy', () => {
    const gy = view([1, 1, 2, 2], [1, 1, 1, 1], 'float32');
    expect(conv2dBackwardInput(gy, w2x2, [1, 1, 3, 3], params())).toBeInstanceOf(Float32Array);
    expect(conv2dBackwardWeight(gy, x3x3, [1, 1, 2, 2], params())).toBeInstanceOf(Float32Array);
  });
});

/** A random conv geometry whose output is at least 1x1. */
const geometry = fc.record({
  N: fc.integer({ min: 1, max: 2 }),
  groups: fc.integer({ min: 1, max: 3 }),
  cinG: fc.integer({ min: 1, max: 2 }),
  coutG: fc.integer({ min: 1, max: 2 }),
  kH: fc.integer({ min: 1, max: 3 }),
  kW: fc.integer({ min: 1, max: 3 }),
  sH: fc.integer({ min: 1, max: 3 }),
  sW: fc.integer({ min: 1, max: 3 }),
  pH: fc.integer({ min: 0, max: 2 }),
  pW: fc.integer({ min: 0, max: 2 }),
  dH: fc.integer({ min: 1, max: 2 }),
  dW: fc.integer({ min: 1, max: 2 }),
  extraH: fc.integer({ min: 0, max: 4 }),
  extraW: fc.integer({ min: 0, max: 4 }),
  seed: fc.integer(),
});
type Geometry = typeof geometry extends fc.Arbitrary<infer T> ? T : never;

/** Shapes, params and float64 data of one random case. */
function setup(g: Geometry) {
  const H = Math.max(1, g.dH * (g.kH - 1) + 1 - 2 * g.pH) + g.extraH;
  const W = Math.max(1, g.dW * (g.kW - 1) + 1 - 2 * g.pW) + g.extraW;
  const Cin = g.cinG * g.groups;
  const Cout = g.coutG * g.groups;
  const Hout = convOutputSize(H, g.kH, g.sH, g.pH, g.dH);
  const Wout = convOutputSize(W, g.kW, g.sW, g.pW, g.dW);
  const xShape = [g.N, Cin, H, W];
  const wShape = [Cout, g.cinG, g.kH, g.kW];
  const yShape = [g.N, Cout, Hout, Wout];
  const p = params([g.sH, g.sW], [g.pH, g.pW], [g.dH, g.dW], g.groups);
  const x = randomData(g.seed, g.N * Cin * H * W);
  const w = randomData(g.seed ^ 0x1234567, Cout * g.cinG * g.kH * g.kW);
  const b = randomData(g.seed ^ 0x7654321, Cout);
  const gy = randomData(g.seed ^ 0x5bd1e995, g.N * Cout * Hout * Wout);
  return { xShape, wShape, yShape, p, x, w, b, gy, Hout, Wout };
}

describe('conv2d properties (float64, random geometries)', () => {
  it('backward kernels are the adjoints: <conv(x, w), gy> == <x, dx(gy)> == <w, dw(gy)>', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { xShape, wShape, yShape, p, x, w, gy } = setup(g);
        const y = conv2d(view(xShape, x), view(wShape, w), null, p);
        expect(y.length).toBe(gy.length);
        const lhs = dot(y, gy);
        const gx = conv2dBackwardInput(view(yShape, gy), view(wShape, w), xShape, p);
        const gw = conv2dBackwardWeight(view(yShape, gy), view(xShape, x), wShape, p);
        expectClose(dot(x, gx), lhs);
        expectClose(dot(w, gw), lhs);
      }),
      { numRuns: 300 },
    );
  });

  it('equals im2col followed by a matrix product with the reshaped weights, plus the bias', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { xShape, wShape, p, x, w, b, Hout, Wout } = setup(g);
        const y = conv2d(view(xShape, x), view(wShape, w), view([b.length], b), p);
        const cols = im2col(view(xShape, x), { kernelSize: [g.kH, g.kW], stride: p.stride, padding: p.padding, dilation: p.dilation });
        // cols: [N, Cin*kH*kW, L]; the rows of group gr are the contiguous block gr*K .. gr*K + K - 1
        const [N, Cin] = xShape;
        const Cout = wShape[0];
        const K = g.cinG * g.kH * g.kW; // one row of the reshaped weight matrix [Cout, K]
        const L = Hout * Wout;
        const rows = Cin * g.kH * g.kW;
        for (let n = 0; n < N; n++) {
          for (let co = 0; co < Cout; co++) {
            const gr = Math.floor(co / g.coutG);
            for (let l = 0; l < L; l++) {
              let s = b[co];
              for (let k = 0; k < K; k++) s += w[co * K + k] * cols[(n * rows + gr * K + k) * L + l];
              expectClose(y[(n * Cout + co) * L + l], s, 1e-12);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
