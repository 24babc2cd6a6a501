import fc from 'fast-check';
import { Variable } from '@dl/autograd';
import { Generator, Tensor, arange, randn, tensor, zeros } from '@dl/tensor';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from './index';
import { RUNS, distinctLeaf, gradcheckModule, leaf, seedArb } from './testing/gradcheck';

/** Adaptive average pooling by its definition, one window at a time (the reference). */
function adaptiveReference(x: Tensor, oh: number, ow: number): number[] {
  const [n, c, h, w] = x.shape;
  const v = x.contiguous().toTypedArray();
  const out: number[] = [];
  for (let b = 0; b < n * c; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const [h0, h1] = [Math.floor((i * h) / oh), Math.ceil(((i + 1) * h) / oh)];
        const [w0, w1] = [Math.floor((j * w) / ow), Math.ceil(((j + 1) * w) / ow)];
        let s = 0;
        for (let a = h0; a < h1; a++) for (let d = w0; d < w1; d++) s += v[b * h * w + a * w + d];
        out.push(s / ((h1 - h0) * (w1 - w0)));
      }
    }
  }
  return out;
}

describe('MaxPool2d', () => {
  it('prints like PyTorch', () => {
    expect(new MaxPool2d(2).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(new MaxPool2d([3, 2], { stride: 1, padding: 1, ceilMode: true }).toString()).toBe(
      'MaxPool2d(kernel_size=(3, 2), stride=1, padding=1, dilation=1, ceil_mode=True)',
    );
  });

  it('takes the max of each window; returnIndices gives the argmax positions in each plane', () => {
    const x = arange(16).reshape(1, 1, 4, 4).double();
    expect(new MaxPool2d(2).call(x).toArray()).toEqual([[[[5, 7], [13, 15]]]]);
    const [y, idx] = new MaxPool2d(2, { returnIndices: true }).call(x.neg());
    expect(y.toArray()).toEqual([[[[-0, -2], [-8, -10]]]]);
    expect(idx.dtype).toBe('int32');
    expect(idx.toArray()).toEqual([[[[0, 2], [8, 10]]]]);
    expect(new MaxPool2d(3, { stride: 2, ceilMode: true }).call(zeros([1, 2, 6, 6])).shape).toEqual([1, 2, 3, 3]);
    expect(new MaxPool2d(3, { stride: 2 }).call(zeros([1, 2, 6, 6])).shape).toEqual([1, 2, 2, 2]);
    expect(new MaxPool2d(2).call(zeros([3, 4, 4])).shape).toEqual([3, 2, 2]);
  });

  it('returnIndices output has the same gradient as the plain one', () => {
    const x = distinctLeaf([2, 2, 5, 4], 3);
    const r = randn([2, 2, 3, 3], { dtype: 'float64' });
    new MaxPool2d(2, { padding: 1 }).call(x).mul(r).sum().backward();
    const g1 = x.grad?.toArray();
    x.zeroGrad();
    const [y] = new MaxPool2d(2, { padding: 1, returnIndices: true }).call(x);
    y.mul(r).sum().backward();
    expect(x.grad?.toArray()).toEqual(g1);
  });

  it('rejects wrong inputs with clear messages', () => {
    expect(() => new MaxPool2d(2).call(zeros([4, 4]))).toThrow(/MaxPool2d\(kernel_size=2\): expected a 4-D input.*got 2-D \[4, 4\]/);
    expect(() => new MaxPool2d(5).call(zeros([1, 1, 3, 3]))).toThrow(/too small: its 3x3 planes give an output of 0x0/);
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow('MaxPool2d: padding (2, 2) must be at most half of the kernel size (2, 2)');
    expect(() => new MaxPool2d(0)).toThrow(/kernelSize must be an integer >= 1/);
    expect(() => new MaxPool2d(2).call(zeros([1, 1, 4, 4], { dtype: 'int32' }))).toThrow(/dtype int32/);
  });

  it('gradcheck (stride, padding, dilation, ceilMode, returnIndices) on distinct values', () => {
    fc.assert(
      fc.property(
        fc.record({
          k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
          pad: fc.boolean(),
          dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          ceilMode: fc.boolean(),
          returnIndices: fc.boolean(),
          extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
          unbatched: fc.boolean(),
        }),
        seedArb,
        (g, seed) => {
          const padding: [number, number] = g.pad ? [Math.floor(g.k[0] / 2), Math.floor(g.k[1] / 2)] : [0, 0];
          const m = new MaxPool2d(g.k, { stride: g.stride, padding, dilation: g.dilation, ceilMode: g.ceilMode, returnIndices: g.returnIndices });
          const h = g.dilation[0] * (g.k[0] - 1) + 1 + g.extra[0];
          const w = g.dilation[1] * (g.k[1] - 1) + 1 + g.extra[1];
          const x = distinctLeaf(g.unbatched ? [2, h, w] : [2, 1, h, w], seed);
          return gradcheckModule(m, [x], (v) => {
            const out: Variable | [Variable, Tensor] = m.call(v);
            return Array.isArray(out) ? out[0] : out;
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('AvgPool2d', () => {
  it('prints like PyTorch and averages windows (padding counted unless countIncludePad is false)', () => {
    expect(new AvgPool2d(2).toString()).toBe('AvgPool2d(kernel_size=2, stride=2, padding=0)');
    const x = arange(16).reshape(1, 1, 4, 4).double();
    expect(new AvgPool2d(2).call(x).toArray()).toEqual([[[[2.5, 4.5], [10.5, 12.5]]]]);
    const ones = zeros([1, 1, 2, 2], { dtype: 'float64' }).add(1);
    expect(new AvgPool2d(2, { stride: 2, padding: 1 }).call(ones).toArray()).toEqual([[[[0.25, 0.25], [0.25, 0.25]]]]);
    expect(new AvgPool2d(2, { stride: 2, padding: 1, countIncludePad: false }).call(ones).toArray()).toEqual([[[[1, 1], [1, 1]]]]);
  });

  it('divisorOverride divides every window sum by it (PyTorch divisor_override), countIncludePad or not', () => {
    const x = arange(16).reshape(1, 1, 4, 4).double();
    const m = new AvgPool2d(2, { divisorOverride: 1 });
    expect(m.divisorOverride).toBe(1);
    expect(m.call(x).toArray()).toEqual([[[[10, 18], [42, 50]]]]);
    const ones = zeros([1, 1, 2, 2], { dtype: 'float64' }).add(1);
    for (const countIncludePad of [true, false]) {
      expect(new AvgPool2d(2, { stride: 2, padding: 1, countIncludePad, divisorOverride: 2 }).call(ones).toArray()).toEqual([[[[0.5, 0.5], [0.5, 0.5]]]]);
    }
    expect(new AvgPool2d(2).divisorOverride).toBeNull();
  });

  it('rejects bad options and inputs', () => {
    expect(() => new AvgPool2d(3, { padding: 2 })).toThrow(/padding \(2, 2\) must be at most half of the kernel size/);
    expect(() => new AvgPool2d(2, { divisorOverride: 0 })).toThrow(
      "AvgPool2d: divisorOverride must be a nonzero integer (PyTorch's divisor_override), got 0; leave it out to divide by the window size",
    );
    expect(() => new AvgPool2d(2, { divisorOverride: 2.5 })).toThrow(/got 2\.5/);
    expect(() => new AvgPool2d(2).call(zeros([2, 1, 1, 1]))).toThrow(/AvgPool2d\(kernel_size=2\): the input \[2, 1, 1, 1\] is too small/);
  });

  it('gradcheck (stride, padding, ceilMode, countIncludePad, divisorOverride)', () => {
    fc.assert(
      fc.property(
        fc.record({
          k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
          pad: fc.boolean(),
          ceilMode: fc.boolean(),
          countIncludePad: fc.boolean(),
          divisor: fc.constantFrom(0, 0, 1, 3, -2), // 0: no divisorOverride
          extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
        }),
        seedArb,
        (g, seed) => {
          const padding: [number, number] = g.pad ? [Math.floor(g.k[0] / 2), Math.floor(g.k[1] / 2)] : [0, 0];
          const divisorOverride = g.divisor === 0 ? null : g.divisor;
          const m = new AvgPool2d(g.k, { stride: g.stride, padding, ceilMode: g.ceilMode, countIncludePad: g.countIncludePad, divisorOverride });
          const x = leaf([1, 2, g.k[0] + g.extra[0], g.k[1] + g.extra[1]], seed);
          return gradcheckModule(m, [x], (v) => m.call(v));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('AdaptiveAvgPool2d', () => {
  it('prints like PyTorch', () => {
    expect(new AdaptiveAvgPool2d(1).toString()).toBe('AdaptiveAvgPool2d(output_size=1)');
    expect(new AdaptiveAvgPool2d([5, null]).toString()).toBe('AdaptiveAvgPool2d(output_size=(5, None))');
  });

  it('matches the window-by-window definition, for dividing and non-dividing sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        seedArb,
        (h, w, oh, ow, seed) => {
          const x = randn([2, 2, h, w], { dtype: 'float64', generator: new Generator(seed) });
          const y = new AdaptiveAvgPool2d([oh, ow]).call(x);
          expect(y.shape).toEqual([2, 2, oh, ow]);
          const ref = adaptiveReference(x, oh, ow);
          Array.from(y.data.contiguous().toTypedArray()).forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-12));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps a size given as null and takes unbatched inputs', () => {
    expect(new AdaptiveAvgPool2d([2, null]).call(zeros([1, 3, 5, 7])).shape).toEqual([1, 3, 2, 7]);
    expect(new AdaptiveAvgPool2d(3).call(zeros([4, 7, 5])).shape).toEqual([4, 3, 3]);
    const x = tensor([[[1, 2], [3, 4]]], { dtype: 'float64' });
    expect(new AdaptiveAvgPool2d(1).call(x).toArray()).toEqual([[[2.5]]]);
  });

  it('rejects bad sizes and inputs', () => {
    expect(() => new AdaptiveAvgPool2d(0)).toThrow(/outputSize must be an integer >= 1/);
    expect(() => new AdaptiveAvgPool2d(2).call(zeros([4, 4]))).toThrow(/AdaptiveAvgPool2d\(output_size=2\): expected a 4-D input/);
    expect(() => new AdaptiveAvgPool2d(2).call(zeros([1, 1, 0, 4]))).toThrow(/empty planes/);
  });

  it('gradcheck on random input and output sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        seedArb,
        (h, w, oh, ow, seed) => {
          const m = new AdaptiveAvgPool2d([oh, ow]);
          return gradcheckModule(m, [leaf([1, 2, h, w], seed)], (v) => m.call(v));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
