import fc from 'fast-check';
import { Variable, conv2d } from '@dl/autograd';
import { Generator, Tensor, ones, tensor, zeros } from '@dl/tensor';
import { Conv2d, type PaddingMode } from './index';
import { RUNS, gradOf, gradcheckModule, leaf, seedArb } from './testing/gradcheck';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

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
    expect(() => new Conv2d(3, 4, 3, { paddingMode: 'mirror' as never })).toThrow(
      `Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got "mirror"`,
    );
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

  describe('paddingMode (PyTorch padding_mode)', () => {
    /**
     * Pads one [H, W] plane by the definition of each mode, row by row and then column by column
     * (written independently of pad(): reflect mirrors without the edge, replicate repeats the
     * edge, circular takes the other end).
     */
    function padPlane(plane: number[][], [top, bottom, left, right]: number[], mode: PaddingMode): number[][] {
      const line = (r: number[], a: number, b: number): number[] => {
        const n = r.length;
        if (mode === 'zeros') return [...new Array<number>(a).fill(0), ...r, ...new Array<number>(b).fill(0)];
        if (mode === 'replicate') return [...new Array<number>(a).fill(r[0]), ...r, ...new Array<number>(b).fill(r[n - 1])];
        if (mode === 'circular') return [...r.slice(n - a), ...r, ...r.slice(0, b)];
        return [...r.slice(1, a + 1).reverse(), ...r, ...r.slice(n - 1 - b, n - 1).reverse()];
      };
      const rows = plane.map((r) => line(r, left, right));
      const cols = rows[0].map((_, j) => line(rows.map((r) => r[j]), top, bottom));
      return cols[0].map((_, i) => cols.map((c) => c[i]));
    }

    const modeArb = fc.constantFrom<PaddingMode>('reflect', 'replicate', 'circular', 'zeros');
    const caseArb = fc
      .record({
        mode: modeArb,
        k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
        dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
        stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
        pad: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
        same: fc.boolean(),
        hw: fc.tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 })),
        bias: fc.boolean(),
        unbatched: fc.boolean(),
      })
      .map((c) => {
        const span = [0, 1].map((i) => c.dilation[i] * (c.k[i] - 1));
        // 'same' pads the total span, the top/left getting the smaller half (as PyTorch)
        const pads = c.same ? [Math.floor(span[0] / 2), span[0] - Math.floor(span[0] / 2), Math.floor(span[1] / 2), span[1] - Math.floor(span[1] / 2)] : [c.pad[0], c.pad[0], c.pad[1], c.pad[1]];
        const limit = (p: number, n: number): boolean => (c.mode === 'reflect' ? p < n : c.mode === 'circular' ? p <= n : true);
        const fits = [0, 1].every((i) => limit(pads[2 * i], c.hw[i]) && limit(pads[2 * i + 1], c.hw[i]) && c.hw[i] + pads[2 * i] + pads[2 * i + 1] > span[i]);
        return { ...c, stride: c.same ? ([1, 1] as [number, number]) : c.stride, pads, fits };
      })
      .filter((c) => c.fits);

    it('equals conv2d without padding of the input padded by the definition of the mode', () => {
      fc.assert(
        fc.property(caseArb, seedArb, (c, seed) => {
          const conv = new Conv2d(2, 3, c.k, {
            stride: c.stride,
            padding: c.same ? 'same' : c.pad,
            dilation: c.dilation,
            bias: c.bias,
            paddingMode: c.mode,
            dtype: 'float64',
            generator: new Generator(seed),
          });
          const x = leaf([1, 2, c.hw[0], c.hw[1]], seed + 1, 1, false);
          const planes = (x.data.toArray() as number[][][][])[0].map((p) => padPlane(p, c.pads, c.mode));
          const xp = tensor([planes], { dtype: 'float64' });
          const want = conv2d(xp, conv.weight, conv.bias, { stride: c.stride, dilation: c.dilation });
          const got = c.unbatched ? conv.call(x.squeeze(0)).unsqueeze(0) : conv.call(x);
          expect(got.shape).toEqual(want.shape);
          const [a, b] = [got.data.toTypedArray(), want.data.toTypedArray()];
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b[i])));
        }),
        { numRuns: 150 },
      );
    });

    it('gradcheck w.r.t. input, weight and bias, and second derivatives w.r.t. the input', () => {
      fc.assert(
        fc.property(caseArb, seedArb, (c, seed) => {
          const conv = new Conv2d(2, 2, c.k, {
            stride: c.stride,
            padding: c.same ? 'same' : c.pad,
            dilation: c.dilation,
            bias: c.bias,
            paddingMode: c.mode,
            generator: new Generator(seed),
          });
          const x = leaf(c.unbatched ? [2, c.hw[0], c.hw[1]] : [1, 2, c.hw[0], c.hw[1]], seed + 1);
          const r = leaf(conv.double().call(x).shape, seed + 2, 1, false);
          return (
            gradcheckModule(conv, [x], (v) => conv.call(v)) &&
            gradcheckModule(conv, [x], gradOf((v) => conv.call(v).mul(conv.call(v)).mul(r).sum()) as never)
          );
        }),
        { numRuns: RUNS },
      );
    }, SLOW_TEST_TIMEOUT);

    it("prints padding_mode as PyTorch does when it is not 'zeros'", () => {
      expect(new Conv2d(3, 8, 3, { padding: 1, paddingMode: 'reflect' }).toString()).toBe(
        'Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect)',
      );
      expect(new Conv2d(3, 8, 3, { padding: 1, paddingMode: 'zeros' }).toString()).toBe('Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
      expect(new Conv2d(1, 1, 3, { paddingMode: 'circular' }).paddingMode).toBe('circular');
    });

    it("rejects paddings beyond PyTorch's limits, naming the layer, the shapes and the fix", () => {
      const reflect = new Conv2d(1, 2, 3, { padding: [2, 1], paddingMode: 'reflect' });
      expect(() => reflect.call(zeros([1, 1, 2, 5]))).toThrow(
        "Conv2d(1 -> 2, kernel_size=(3, 3)): paddingMode 'reflect' needs the padding to be smaller than the input's height and width (as in PyTorch), " +
          "but the padding (2, 1) does not fit the 2x5 planes of the input [1, 1, 2, 5]; use a larger input, a smaller padding, or paddingMode 'replicate' or 'circular'",
      );
      expect(() => reflect.call(zeros([1, 1, 3, 5]))).not.toThrow();
      const circular = new Conv2d(1, 1, 4, { padding: 'same', paddingMode: 'circular' });
      expect(() => circular.call(zeros([1, 1, 1, 4]))).toThrow(
        /paddingMode 'circular' needs the padding to be at most the input's height and width \(as in PyTorch\), but the padding \(top 1, bottom 2, left 1, right 2\) does not fit the 1x4 planes of the input \[1, 1, 1, 4\]; use a larger input, a smaller padding, or paddingMode 'reflect' or 'replicate'/,
      );
      expect(new Conv2d(1, 1, 3, { padding: 5, paddingMode: 'replicate' }).call(zeros([1, 1, 1, 1])).shape).toEqual([1, 1, 9, 9]);
    });
  });
});
