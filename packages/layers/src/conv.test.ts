import fc from 'fast-check';
import { Variable, conv2d } from '@dl/autograd';
import { Generator, Tensor, ones, tensor, zeros } from '@dl/tensor';
import { Conv2d } from './index';
import { RUNS, gradcheckModule, leaf, seedArb } from './testing/gradcheck';

describe('Conv2d', () => {
  it('prints like PyTorch', () => {
    expect(new Conv2d(1, 6, 5).toString()).toBe('Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))');
    expect(new Conv2d(3, 16, 3, { stride: 2, padding: 1 }).toString()).toBe(
      'Conv2d(3, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))',
    );
    expect(new Conv2d(4, 8, [3, 2], { dilation: 2, groups: 2, bias: false, padding: 'same' }).toString()).toBe(
      'Conv2d(4, 8, kernel_size=(3, 2), stride=(1, 1), padding=same, dilation=(2, 2), groups=2, bias=False)',
    );
    expect(new Conv2d(1, 1, 1, { padding: 'valid' }).toString()).toBe('Conv2d(1, 1, kernel_size=(1, 1), stride=(1, 1), padding=valid)');
  });

  it('has weight (C_out, C_in / groups, kH, kW) and bias (C_out), initialised in U(-1/sqrt(fanIn), 1/sqrt(fanIn))', () => {
    const c = new Conv2d(8, 12, [3, 5], { groups: 4, generator: new Generator(2) });
    expect(c.weight.shape).toEqual([12, 2, 3, 5]);
    expect(c.bias?.shape).toEqual([12]);
    const bound = 1 / Math.sqrt(2 * 3 * 5);
    for (const p of c.parameters()) {
      const v = Array.from(p.data.toTypedArray()).map(Math.abs);
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.max(...v)).toBeGreaterThan(0.7 * bound);
    }
  });

  it('computes a known convolution (LeNet-style shape, a hand-made kernel)', () => {
    const c = new Conv2d(1, 1, 2, { bias: false, dtype: 'float64' });
    c.weight.data.copy_(tensor([[[[1, 0], [0, -1]]]]));
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], { dtype: 'float64' });
    expect(c.call(x).toArray()).toEqual([[[[-4, -4], [-4, -4]]]]);
    expect(new Conv2d(1, 6, 5, { padding: 2 }).call(zeros([3, 1, 28, 28])).shape).toEqual([3, 6, 28, 28]);
    expect(new Conv2d(3, 4, 3, { stride: 2 }).call(zeros([3, 9, 9])).shape).toEqual([4, 4, 4]);
  });

  it("keeps the size with padding 'same', also for even kernels (extra zeros at the bottom/right, as PyTorch)", () => {
    for (const k of [1, 2, 3, 4, [2, 5] as const]) {
      for (const d of [1, 2]) {
        const c = new Conv2d(2, 3, k, { padding: 'same', dilation: d });
        expect(c.call(zeros([1, 2, 7, 6])).shape).toEqual([1, 3, 7, 6]);
      }
    }
    // a 2x2 kernel of ones with 'same' sums x[i..i+1, j..j+1] (the extra row/column at the end)
    const c = new Conv2d(1, 1, 2, { padding: 'same', bias: false, dtype: 'float64' });
    c.weight.data.fill_(1);
    const y = c.call(tensor([[[[1, 2], [3, 4]]]], { dtype: 'float64' }));
    expect(y.toArray()).toEqual([[[[10, 6], [7, 4]]]]);
  });

  it('rejects wrong inputs and options with clear messages', () => {
    const c = new Conv2d(1, 6, 5);
    expect(() => c.call(zeros([32, 3, 28, 28]))).toThrow(
      'Conv2d(1 -> 6, kernel_size=(5, 5)): input [32, 3, 28, 28] has 3 channels (dim 1), expected 1; the input must be (N, C, H, W) with C = 1',
    );
    expect(() => c.call(zeros([28, 28]))).toThrow(/expected a 4-D input \(N, C, H, W\) or a 3-D unbatched one \(C, H, W\), got 2-D \[28, 28\]/);
    expect(() => c.call(zeros([1, 1, 3, 3]))).toThrow(/spatial size 3x3.*smaller than the \(dilated\) kernel 5x5/);
    expect(() => c.call(zeros([1, 1, 28, 28], { dtype: 'int32' }))).toThrow(/dtype int32/);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: inChannels (3) and outChannels (4) must both be divisible by groups (2)');
    expect(() => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow(/padding='same' needs stride 1, got stride \(2, 2\)/);
    expect(() => new Conv2d(3, 4, 3, { paddingMode: 'reflect' })).toThrow(/paddingMode 'reflect' is not supported yet, only 'zeros'/);
    expect(() => new Conv2d(3, 4, 0)).toThrow(/kernelSize must be an integer >= 1/);
    expect(() => new Conv2d(3, 4, 3, { padding: -1 })).toThrow(/padding must be an integer >= 0/);
    expect(() => new Conv2d(0, 4, 3)).toThrow(/inChannels must be an integer >= 1/);
  });

  it('trains: gradients reach weight and bias', () => {
    const c = new Conv2d(2, 3, 3, { padding: 1 });
    c.call(ones([2, 2, 4, 4])).sum().backward();
    expect(c.weight.grad?.shape).toEqual([3, 2, 3, 3]);
    expect(c.bias?.grad?.toArray()).toEqual([32, 32, 32]);
  });

  const geometry = fc.record({
    n: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 2 }),
    cinG: fc.integer({ min: 1, max: 2 }),
    coutG: fc.integer({ min: 1, max: 2 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: fc.oneof(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 })), fc.constant('same' as const)),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    extra: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    bias: fc.boolean(),
    unbatched: fc.boolean(),
  });

  it('gradcheck w.r.t. input, weight and bias (stride, padding incl. uneven same, dilation, groups)', () => {
    fc.assert(
      fc.property(geometry, seedArb, (g, seed) => {
        const stride = g.padding === 'same' ? 1 : g.stride;
        const c = new Conv2d(g.groups * g.cinG, g.groups * g.coutG, g.k, {
          stride,
          padding: g.padding,
          dilation: g.dilation,
          groups: g.groups,
          bias: g.bias,
          generator: new Generator(seed),
        });
        const pad = g.padding === 'same' ? [0, 0] : g.padding;
        const h = Math.max(1, g.dilation[0] * (g.k[0] - 1) + 1 - 2 * pad[0]) + g.extra[0];
        const w = Math.max(1, g.dilation[1] * (g.k[1] - 1) + 1 - 2 * pad[1]) + g.extra[1];
        const shape = g.unbatched ? [g.groups * g.cinG, h, w] : [g.n, g.groups * g.cinG, h, w];
        const x = leaf(shape, seed + 1);
        return gradcheckModule(c, [x], (v) => c.call(v));
      }),
      { numRuns: RUNS },
    );
  });

  it('the im2col + matmul path (groups = 1) gives conv2d\'s output and gradients', () => {
    fc.assert(
      fc.property(geometry, seedArb, (g, seed) => {
        const stride = g.padding === 'same' ? 1 : g.stride;
        const padding = g.padding === 'same' ? [0, 1].map((i) => (g.dilation[i] * (g.k[i] - 1)) >> 1) as [number, number] : g.padding;
        const c = new Conv2d(g.cinG, g.coutG, g.k, { stride, padding, dilation: g.dilation, bias: g.bias, generator: new Generator(seed), dtype: 'float64' });
        const h = Math.max(1, g.dilation[0] * (g.k[0] - 1) + 1 - 2 * padding[0]) + g.extra[0];
        const w = Math.max(1, g.dilation[1] * (g.k[1] - 1) + 1 - 2 * padding[1]) + g.extra[1];
        const x = leaf(g.unbatched ? [g.cinG, h, w] : [g.n, g.cinG, h, w], seed + 1);
        const r = (y: Variable) => y.mul(y).sum();
        const viaLayer = c.call(x);
        r(viaLayer).backward();
        const grads = [x, ...c.parameters()].map((p) => p.grad?.data as Tensor);
        [x, ...c.parameters()].forEach((p) => p.zeroGrad());
        const ref = conv2d(x, c.weight, c.bias, { stride, padding, dilation: g.dilation });
        r(ref).backward();
        const close = (a: Tensor, b: Tensor) => a.sub(b).abs().amax().item() <= 1e-12 * (1 + b.abs().amax().item());
        expect(close(viaLayer.data, ref.data)).toBe(true);
        [x, ...c.parameters()].forEach((p, i) => expect(close(grads[i], p.grad?.data as Tensor)).toBe(true));
      }),
      { numRuns: RUNS },
    );
  });

  it('gradcheck with an input that needs no gradient (weights only)', () => {
    const c = new Conv2d(2, 2, 2, { dilation: [2, 1], generator: new Generator(4) });
    const x = leaf([1, 2, 4, 3], 9, 1, false);
    expect(gradcheckModule(c, [x], (v) => c.call(v))).toBe(true);
    expect(x.grad).toBeNull();
    expect(x).toBeInstanceOf(Variable);
  });
});
