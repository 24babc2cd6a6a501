import fc from 'fast-check';
import { Variable, gradcheck } from '@dl/autograd';
import { Generator, Tensor, randn, tensor, zeros } from '@dl/tensor';
import { BatchNorm1d, BatchNorm2d, LayerNorm, Sequential, functional as F } from './index';
import { RUNS, gradOf, gradcheckModule, leaf, seedArb } from './testing/gradcheck';

const f64 = { dtype: 'float64' as const };
const arr = (t: Tensor | Variable | null): number[] => Array.from((t instanceof Variable ? t.data : (t as Tensor)).toTypedArray());

/** Per-channel mean and variance (biased) of x over every dim except 1. */
function channelStats(x: Tensor): { mean: number[]; biased: number[]; count: number } {
  const c = x.shape[1];
  const perm = [1, 0, ...x.shape.slice(2).map((_, i) => i + 2)];
  const v = arr(x.permute(perm).contiguous());
  const count = v.length / c;
  const mean: number[] = [];
  const biased: number[] = [];
  for (let k = 0; k < c; k++) {
    const part = v.slice(k * count, (k + 1) * count);
    const m = part.reduce((a, b) => a + b, 0) / count;
    mean.push(m);
    biased.push(part.reduce((a, b) => a + (b - m) ** 2, 0) / count);
  }
  return { mean, biased, count };
}

function expectAllClose(a: number[], b: number[], tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol));
}

describe('BatchNorm1d / BatchNorm2d', () => {
  it('print like PyTorch', () => {
    expect(new BatchNorm2d(6).toString()).toBe('BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(new BatchNorm1d(3, { momentum: null, affine: false, eps: 1e-3, trackRunningStats: false }).toString()).toBe(
      'BatchNorm1d(3, eps=0.001, momentum=None, affine=False, track_running_stats=False)',
    );
  });

  it("have PyTorch's parameters, buffers and state-dict keys (weight 1, bias 0, running mean 0 / var 1, int32 batch count)", () => {
    const bn = new BatchNorm2d(4);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(arr(bn.weight)).toEqual([1, 1, 1, 1]);
    expect(arr(bn.bias)).toEqual([0, 0, 0, 0]);
    expect(arr(bn.runningMean)).toEqual([0, 0, 0, 0]);
    expect(arr(bn.runningVar)).toEqual([1, 1, 1, 1]);
    expect(bn.numBatchesTracked?.dtype).toBe('int32');
    expect(bn.numBatchesTracked?.shape).toEqual([]);
    expect(bn.eps).toBe(1e-5);
    expect(bn.momentum).toBe(0.1);
    const plain = new BatchNorm1d(3, { affine: false, trackRunningStats: false });
    expect(plain.parameters()).toHaveLength(0);
    expect(Object.keys(plain.stateDict())).toEqual([]);
    expect(plain.runningMean).toBeNull();
  });

  it('normalize each channel with the batch statistics in training and update the running ones (unbiased variance)', () => {
    const bn = new BatchNorm2d(3, f64);
    const x = randn([4, 3, 2, 5], { ...f64, generator: new Generator(1) }).mul(3).add(2);
    const y = bn.call(x);
    const ys = channelStats(y.data);
    expectAllClose(ys.mean, [0, 0, 0], 1e-12);
    ys.biased.forEach((v) => expect(v).toBeCloseTo(1, 4)); // 1 - eps / var
    const xs = channelStats(x);
    const unbiased = xs.biased.map((v) => (v * xs.count) / (xs.count - 1));
    expectAllClose(arr(bn.runningMean), xs.mean.map((m) => 0.1 * m));
    expectAllClose(arr(bn.runningVar), unbiased.map((v) => 0.9 + 0.1 * v));
    expect(arr(bn.numBatchesTracked)).toEqual([1]);
  });

  it('with momentum null keep the cumulative average of the batch statistics', () => {
    const bn = new BatchNorm1d(2, { ...f64, momentum: null });
    const means: number[][] = [];
    const vars: number[][] = [];
    for (let k = 0; k < 4; k++) {
      const x = randn([5, 2, 3], { ...f64, generator: new Generator(k) }).add(k);
      const s = channelStats(x);
      means.push(s.mean);
      vars.push(s.biased.map((v) => (v * s.count) / (s.count - 1)));
      bn.call(x);
    }
    expectAllClose(arr(bn.runningMean), [0, 1].map((c) => means.reduce((a, m) => a + m[c], 0) / 4));
    expectAllClose(arr(bn.runningVar), [0, 1].map((c) => vars.reduce((a, v) => a + v[c], 0) / 4));
    expect(arr(bn.numBatchesTracked)).toEqual([4]);
  });

  it('use the running statistics in evaluation mode and leave them unchanged', () => {
    const bn = new BatchNorm1d(2, f64);
    bn.weight?.data.copy_(tensor([2, -1]));
    bn.bias?.data.copy_(tensor([0.5, 1]));
    bn.runningMean?.copy_(tensor([1, -2]));
    bn.runningVar?.copy_(tensor([4, 0.25]));
    bn.eval();
    const x = tensor([[3, 0], [1, -2]], f64);
    const y = arr(bn.call(x));
    const e = 1e-5;
    const want = [
      ((3 - 1) / Math.sqrt(4 + e)) * 2 + 0.5,
      ((0 + 2) / Math.sqrt(0.25 + e)) * -1 + 1,
      ((1 - 1) / Math.sqrt(4 + e)) * 2 + 0.5,
      ((-2 + 2) / Math.sqrt(0.25 + e)) * -1 + 1,
    ];
    expectAllClose(y, want);
    expect(arr(bn.runningMean)).toEqual([1, -2]);
    expect(arr(bn.numBatchesTracked)).toEqual([0]);
    // a batch of one is fine in evaluation mode
    expect(bn.call(tensor([[1, 2]], f64)).shape).toEqual([1, 2]);
  });

  it('without trackRunningStats use batch statistics in both modes', () => {
    const bn = new BatchNorm1d(2, { ...f64, trackRunningStats: false });
    const x = randn([6, 2], { ...f64, generator: new Generator(3) });
    const a = arr(bn.call(x));
    const b = arr(bn.eval().call(x));
    expectAllClose(a, b, 0);
    expect(bn.buffers()).toEqual([]);
  });

  it("throw PyTorch's error for one value per channel in training, and clear errors for wrong inputs", () => {
    expect(() => new BatchNorm1d(10).call(zeros([1, 10]))).toThrow(
      'BatchNorm1d(10): expected more than 1 value per channel when training, got input [1, 10]; use a batch of 2 or more, or call model.eval() to normalize with the running statistics',
    );
    expect(() => new BatchNorm2d(1).call(zeros([1, 1, 1, 1]))).toThrow(/more than 1 value per channel/);
    expect(new BatchNorm1d(2).call(zeros([1, 2, 3])).shape).toEqual([1, 2, 3]); // N * L = 3 values
    expect(() => new BatchNorm2d(3).call(zeros([2, 4, 5, 5]))).toThrow(
      'BatchNorm2d(3): input [2, 4, 5, 5] has 4 channels (dim 1), expected 3; the channels must be dim 1 (N, C, ...)',
    );
    expect(() => new BatchNorm2d(3).call(zeros([3, 5, 5]))).toThrow('BatchNorm2d(3): expected a 4-D input (N, C, H, W), got a 3-D input [3, 5, 5]');
    expect(() => new BatchNorm1d(3).call(zeros([2, 3, 4, 4]))).toThrow(/expected a 2-D \(N, C\) or 3-D \(N, C, L\) input, got a 4-D input/);
    expect(() => new BatchNorm1d(3).call(zeros([2, 3], { dtype: 'int32' }))).toThrow(/dtype int32/);
    expect(() => new BatchNorm1d(0)).toThrow(/numFeatures must be an integer >= 1/);
    expect(() => new BatchNorm1d(2, { momentum: 2 })).toThrow(/momentum must be in \[0, 1\] or null/);
  });

  it('switch with model.train() / model.eval() inside containers', () => {
    const net = new Sequential(new BatchNorm1d(2));
    net.eval();
    net.call(randn([3, 2]));
    expect(arr((net.at(0) as BatchNorm1d).numBatchesTracked)).toEqual([0]);
    net.train();
    net.call(randn([3, 2]));
    expect(arr((net.at(0) as BatchNorm1d).numBatchesTracked)).toEqual([1]);
  });

  const bnCase = fc.record({
    kind: fc.constantFrom('1d2', '1d3', '2d'),
    n: fc.integer({ min: 2, max: 3 }),
    c: fc.integer({ min: 1, max: 3 }),
    l: fc.integer({ min: 1, max: 3 }),
    affine: fc.boolean(),
    training: fc.boolean(),
  });

  it('gradcheck w.r.t. input, weight and bias, in training (batch statistics) and evaluation mode', () => {
    fc.assert(
      fc.property(bnCase, seedArb, (g, seed) => {
        const bn = g.kind === '2d' ? new BatchNorm2d(g.c, { affine: g.affine }) : new BatchNorm1d(g.c, { affine: g.affine });
        const shape = g.kind === '1d2' ? [g.n, g.c] : g.kind === '1d3' ? [g.n, g.c, g.l] : [g.n, g.c, g.l, 2];
        bn.double();
        if (g.affine) {
          bn.weight?.data.copy_(randn([g.c], { ...f64, generator: new Generator(seed + 2) }));
          bn.bias?.data.copy_(randn([g.c], { ...f64, generator: new Generator(seed + 3) }));
        }
        bn.runningMean?.copy_(randn([g.c], { ...f64, generator: new Generator(seed + 4) }));
        bn.runningVar?.copy_(randn([g.c], { ...f64, generator: new Generator(seed + 5) }).abs().add(0.5));
        bn.train(g.training);
        const x = leaf(shape, seed, 2);
        return gradcheckModule(bn, [x], (v) => bn.call(v));
      }),
      { numRuns: RUNS },
    );
  });

  it('backward with createGraph (the differentiable path) gives the same gradients as the fast one', () => {
    const layers: [BatchNorm1d | BatchNorm2d | LayerNorm, number[]][] = [
      [new BatchNorm2d(3, f64), [2, 3, 2, 2]],
      [new BatchNorm1d(3, { ...f64, affine: false }), [2, 3, 4]],
      [new LayerNorm([3, 2], f64), [2, 3, 2]],
    ];
    for (const [layer, shape] of layers) {
      layer.parameters().forEach((p, i) => p.data.copy_(randn(p.shape, { ...f64, generator: new Generator(i + 10) })));
      const x = leaf(shape, 6).data;
      const r = randn(shape, { ...f64, generator: new Generator(7) });
      const grads = [false, true].map((createGraph) => {
        const xv = new Variable(x.clone(), { requiresGrad: true });
        layer.zeroGrad();
        layer.call(xv).mul(r).sum().backward({ createGraph });
        return [xv, ...layer.parameters()].map((v) => arr(v.grad));
      });
      grads[0].forEach((g, i) => expectAllClose(grads[1][i], g, 1e-12));
    }
  });

  it('second derivatives through the fused normalization (backward with createGraph)', () => {
    const bn = new BatchNorm1d(2, f64);
    bn.weight?.data.copy_(tensor([1.5, -0.7]));
    const x = leaf([3, 2, 2], 4);
    const r = randn([3, 2, 2], { ...f64, generator: new Generator(8) });
    const w = bn.weight as Variable;
    expect(gradcheck(gradOf((xv, wv) => bn.call(xv).mul(r).mul(bn.call(xv)).sum().add(wv.mul(0).sum())), [x, w])).toBe(true);
  });
});

describe('LayerNorm', () => {
  it('prints like PyTorch and has weight 1 and bias 0 of the normalized shape', () => {
    expect(new LayerNorm(512).toString()).toBe('LayerNorm((512,), eps=1e-05, elementwise_affine=True)');
    expect(new LayerNorm([3, 4], { eps: 1e-6, elementwiseAffine: false }).toString()).toBe(
      'LayerNorm((3, 4), eps=1e-06, elementwise_affine=False)',
    );
    const ln = new LayerNorm([3, 4]);
    expect(ln.weight?.shape).toEqual([3, 4]);
    expect(arr(ln.weight).every((v) => v === 1)).toBe(true);
    expect(arr(ln.bias).every((v) => v === 0)).toBe(true);
    expect(new LayerNorm(3, { elementwiseAffine: false }).parameters()).toHaveLength(0);
  });

  it('normalizes each sample over its last dims, the same in training and evaluation', () => {
    const ln = new LayerNorm(4, f64);
    const x = tensor([[1, 2, 3, 4], [10, 10, 10, 14]], f64);
    const y = arr(ln.call(x));
    const m = 2.5;
    const s = Math.sqrt(1.25 + 1e-5);
    expectAllClose(y.slice(0, 4), [1, 2, 3, 4].map((v) => (v - m) / s));
    expectAllClose(arr(ln.eval().call(x)), y, 0);
    expect(new LayerNorm([2, 3]).call(zeros([5, 4, 2, 3])).shape).toEqual([5, 4, 2, 3]);
  });

  it('rejects inputs whose last dims do not match', () => {
    expect(() => new LayerNorm(10).call(zeros([3, 5]))).toThrow('LayerNorm((10,)): expected an input of shape [*, 10], got [3, 5]');
    expect(() => new LayerNorm([2, 3]).call(zeros([3]))).toThrow(/expected an input of shape \[\*, 2, 3\], got \[3\]/);
    expect(() => new LayerNorm(0)).toThrow(/normalizedShape must be a size >= 1/);
  });

  it('has a functional form F.layerNorm', () => {
    const x = randn([2, 5], { ...f64, generator: new Generator(2) });
    const ln = new LayerNorm(5, f64);
    expectAllClose(arr(F.layerNorm(x, [5], ln.weight, ln.bias)), arr(ln.call(x)), 0);
    expectAllClose(arr(F.layerNorm(x, [5])), arr(ln.call(x)), 0);
  });

  it('gradcheck w.r.t. input, weight and bias on random shapes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        seedArb,
        (lead, norm, affine, seed) => {
          if (norm.reduce((a, b) => a * b, 1) < 2) norm = [...norm, 2];
          const ln = new LayerNorm(norm, { elementwiseAffine: affine });
          ln.double();
          ln.weight?.data.copy_(randn(norm, { ...f64, generator: new Generator(seed + 1) }));
          ln.bias?.data.copy_(randn(norm, { ...f64, generator: new Generator(seed + 2) }));
          return gradcheckModule(ln, [leaf([...lead, ...norm], seed)], (v) => ln.call(v));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
