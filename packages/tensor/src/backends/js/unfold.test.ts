import fc from 'fast-check';
import type { UnfoldParams } from '../../backend';
import { col2im, convOutputSize, im2col } from './unfold';
import { dot, randomData, view } from '../../testing/kernel-helpers';

const params = (k: [number, number], s: [number, number] = [1, 1], p: [number, number] = [0, 0], d: [number, number] = [1, 1]): UnfoldParams => ({
  kernelSize: k,
  stride: s,
  padding: p,
  dilation: d,
});

const x3x3 = view([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe('convOutputSize', () => {
  it('follows floor((in + 2p - d(k-1) - 1) / s) + 1', () => {
    expect(convOutputSize(3, 2, 1, 0, 1)).toBe(2);
    expect(convOutputSize(3, 2, 2, 1, 1)).toBe(2);
    expect(convOutputSize(3, 2, 1, 0, 2)).toBe(1);
    expect(convOutputSize(7, 3, 2, 1, 1)).toBe(4);
    expect(convOutputSize(8, 2, 3, 0, 1)).toBe(3);
    expect(convOutputSize(5, 3, 1, 2, 2)).toBe(5);
    expect(convOutputSize(2, 3, 1, 0, 1)).toBe(0); // kernel does not fit
  });
});

describe('im2col (unfold)', () => {
  it('cuts 2x2 windows out of a 3x3 image, one column per window', () => {
    const cols = im2col(x3x3, params([2, 2]));
    // rows: kernel offsets (0,0), (0,1), (1,0), (1,1); columns: windows (0,0), (0,1), (1,0), (1,1)
    expect(Array.from(cols)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
  });

  it('fills padding with 0 and honours the stride', () => {
    // windows start at (-1,-1), (-1,1), (1,-1), (1,1)
    const cols = im2col(x3x3, params([2, 2], [2, 2], [1, 1]));
    expect(Array.from(cols)).toEqual([0, 0, 0, 5, 0, 0, 4, 6, 0, 2, 0, 8, 1, 3, 7, 9]);
  });

  it('honours dilation', () => {
    const cols = im2col(x3x3, params([2, 2], [1, 1], [0, 0], [2, 2]));
    expect(Array.from(cols)).toEqual([1, 3, 7, 9]);
  });

  it('orders rows channel-major, then kernel row, then kernel column', () => {
    const x = view([2, 2, 2, 2], Array.from({ length: 16 }, (_, i) => i));
    const cols = im2col(x, params([1, 2]));
    // [N=2, C*kH*kW=4, L=2]; row c*2+kj, column = output row i
    expect(Array.from(cols)).toEqual([
      0, 2, 1, 3, 4, 6, 5, 7, // n = 0: channel 0 (kj = 0, 1), channel 1 (kj = 0, 1)
      8, 10, 9, 11, 12, 14, 13, 15, // n = 1
    ]);
  });

  it('keeps float32', () => {
    const cols = im2col(view([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9], 'float32'), params([2, 2]));
    expect(cols).toBeInstanceOf(Float32Array);
  });
});

describe('col2im (fold)', () => {
  it('sums overlapping windows: folding ones counts how many windows cover each pixel', () => {
    const ones = view([1, 4, 4], new Array<number>(16).fill(1));
    expect(Array.from(col2im(ones, [1, 1, 3, 3], params([2, 2])))).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  it('drops entries that came from the padding', () => {
    const cols = view([1, 4, 4], [0, 0, 0, 5, 0, 0, 4, 6, 0, 2, 0, 8, 1, 3, 7, 9]);
    expect(Array.from(col2im(cols, [1, 1, 3, 3], params([2, 2], [2, 2], [1, 1])))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps float32', () => {
    const cols = view([1, 4, 4], new Array<number>(16).fill(0.1), 'float32');
    const out = col2im(cols, [1, 1, 3, 3], params([2, 2]));
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[4]).toBe(Math.fround(0.4));
  });

  it('is the adjoint of im2col: <im2col(x), c> == <x, col2im(c)>', () => {
    fc.assert(
      fc.property(
        fc.record({
          N: fc.integer({ min: 1, max: 2 }),
          C: fc.integer({ min: 1, max: 3 }),
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
        }),
        (g) => {
          // the smallest image the dilated kernel fits in, plus some extra
          const H = Math.max(1, g.dH * (g.kH - 1) + 1 - 2 * g.pH) + g.extraH;
          const W = Math.max(1, g.dW * (g.kW - 1) + 1 - 2 * g.pW) + g.extraW;
          const p = params([g.kH, g.kW], [g.sH, g.sW], [g.pH, g.pW], [g.dH, g.dW]);
          const L = convOutputSize(H, g.kH, g.sH, g.pH, g.dH) * convOutputSize(W, g.kW, g.sW, g.pW, g.dW);
          const xShape = [g.N, g.C, H, W];
          const colsShape = [g.N, g.C * g.kH * g.kW, L];
          const x = randomData(g.seed, g.N * g.C * H * W);
          const c = randomData(g.seed ^ 0x5bd1e995, colsShape[0] * colsShape[1] * L);
          const lhs = dot(im2col(view(xShape, x), p), c);
          const rhs = dot(x, col2im(view(colsShape, c), xShape, p));
          expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(lhs)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
