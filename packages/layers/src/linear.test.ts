import fc from 'fast-check';
import { Variable, variable } from '@dl/autograd';
import { Generator, manualSeed, ones, randn, tensor, zeros } from '@dl/tensor';
import { Flatten, Identity, Linear, Unflatten } from './index';
import { RUNS, gradcheckModule, leaf, seedArb } from './testing/gradcheck';

describe('Linear', () => {
  it('has PyTorch shapes, names and printing', () => {
    const fc1 = new Linear(784, 300);
    expect(fc1.weight.shape).toEqual([300, 784]);
    expect(fc1.bias?.shape).toEqual([300]);
    expect(fc1.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(fc1.toString()).toBe('Linear(in_features=784, out_features=300, bias=True)');
    expect(new Linear(3, 2, { bias: false }).toString()).toBe('Linear(in_features=3, out_features=2, bias=False)');
    expect(new Linear(3, 2, { bias: false }).parameters()).toHaveLength(1);
    expect(fc1.weight.dtype).toBe('float32');
    expect(new Linear(2, 2, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('initialises weight and bias from U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a = sqrt(5))', () => {
    const l = new Linear(400, 200, { generator: new Generator(1) });
    const bound = 1 / Math.sqrt(400);
    const w = Array.from(l.weight.data.toTypedArray());
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    // the variance of U(-b, b) is b^2 / 3
    const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 5);
    expect(Math.max(...w)).toBeGreaterThan(0.95 * bound);
    const b = Array.from((l.bias as Variable).data.toTypedArray());
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...b.map(Math.abs))).toBeGreaterThan(0.8 * bound);
  });

  it('is reproducible from the global seed and from a generator', () => {
    manualSeed(7);
    const a = new Linear(5, 4);
    manualSeed(7);
    const b = new Linear(5, 4);
    expect(b.weight.toArray()).toEqual(a.weight.toArray());
    expect(b.bias?.toArray()).toEqual(a.bias?.toArray());
    const c = new Linear(5, 4, { generator: new Generator(3) });
    const d = new Linear(5, 4, { generator: new Generator(3) });
    expect(d.weight.toArray()).toEqual(c.weight.toArray());
    expect(c.weight.toArray()).not.toEqual(a.weight.toArray());
  });

  it('computes x W^T + b on any number of leading dims', () => {
    const l = new Linear(2, 3, { dtype: 'float64' });
    l.weight.data.copy_(tensor([[1, 2], [3, 4], [5, 6]]));
    (l.bias as Variable).data.copy_(tensor([0.5, -1, 2]));
    expect(l.call(tensor([[1, 1]], { dtype: 'float64' })).toArray()).toEqual([[3.5, 6, 13]]);
    expect(l.call(tensor([1, 0], { dtype: 'float64' })).toArray()).toEqual([1.5, 2, 7]);
    expect(l.call(zeros([2, 4, 2], { dtype: 'float64' })).shape).toEqual([2, 4, 3]);
    expect(l.call(zeros([0, 2], { dtype: 'float64' })).shape).toEqual([0, 3]);
  });

  it('accepts Tensors and Variables and gives gradients to its parameters', () => {
    const l = new Linear(3, 2);
    const y = l.call(ones([4, 3])).sum();
    y.backward();
    expect(l.weight.grad?.shape).toEqual([2, 3]);
    expect(l.bias?.grad?.toArray()).toEqual([4, 4]);
    const x = variable(ones([4, 3]), { requiresGrad: true });
    l.call(x).sum().backward();
    expect(x.grad?.shape).toEqual([4, 3]);
  });

  it('rejects wrong inputs with clear messages', () => {
    const l = new Linear(784, 300);
    expect(() => l.call(zeros([32, 100]))).toThrow(
      'Linear(784 -> 300): got an input with 100 features in its last dim [32, 100], expected 784 (input shape [*, 784])',
    );
    expect(() => l.call(zeros([32, 784], { dtype: 'int32' }))).toThrow(/Linear\(784 -> 300\): input \[32, 784\] has dtype int32.*\.float\(\)/);
    expect(() => l.call(zeros([2, 784], { dtype: 'float64' }))).toThrow(/float64 but the layer's parameters are float32.*model\.double\(\)/);
    expect(() => l.call(tensor(1))).toThrow(/0-D input/);
    expect(() => l.call([1, 2] as never)).toThrow(/expected a Tensor or a Variable/);
    expect(() => new Linear(-1, 3)).toThrow('Linear: inFeatures must be an integer >= 0, got -1');
    expect(() => new Linear(2.5, 3)).toThrow(/inFeatures/);
  });

  it('gradcheck w.r.t. input, weight and bias on random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
        fc.boolean(),
        seedArb,
        (inF, outF, lead, bias, seed) => {
          const l = new Linear(inF, outF, { bias, generator: new Generator(seed) });
          const x = leaf([...lead, inF], seed + 1);
          return gradcheckModule(l, [x], (v) => l.call(v));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('Identity, Flatten, Unflatten', () => {
  it('Identity returns its input', () => {
    const x = randn([2, 3]);
    const v = new Identity().call(x);
    expect(v).toBeInstanceOf(Variable);
    expect(v.data).toBe(x);
    expect(new Identity().toString()).toBe('Identity()');
  });

  it('Flatten keeps the batch dim by default, as PyTorch', () => {
    expect(new Flatten().call(zeros([32, 1, 28, 28])).shape).toEqual([32, 784]);
    expect(new Flatten(0).call(zeros([2, 3, 4])).shape).toEqual([24]);
    expect(new Flatten(1, 2).call(zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
    expect(new Flatten(-3, -2).call(zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
    expect(new Flatten().toString()).toBe('Flatten(start_dim=1, end_dim=-1)');
    expect(() => new Flatten().call(zeros([5]))).toThrow(/Flatten\(start_dim=1, end_dim=-1\): does not fit a 1-D input \[5\]/);
    expect(() => new Flatten(2, 1).call(zeros([2, 3, 4]))).toThrow(/startDim <= endDim/);
  });

  it('Unflatten splits a dim (with one inferred size) and inverts Flatten', () => {
    const x = randn([4, 2, 3]);
    const flat = new Flatten().call(x);
    const back = new Unflatten(1, [2, 3]).call(flat);
    expect(back.toArray()).toEqual(x.toArray());
    expect(new Unflatten(-1, [2, -1]).call(zeros([4, 6])).shape).toEqual([4, 2, 3]);
    expect(new Unflatten(0, [1, 2]).toString()).toBe('Unflatten(dim=0, unflattened_size=(1, 2))');
    expect(() => new Unflatten(1, [4, 2]).call(zeros([4, 6]))).toThrow(/has size 6, which does not split into \[4, 2\]/);
    expect(() => new Unflatten(3, [2, 3]).call(zeros([4, 6]))).toThrow(/dim 3 is out of range for a 2-D input/);
    expect(() => new Unflatten(1, [-1, -1])).toThrow(/at most one -1/);
  });

  it('gradients flow through Flatten and Unflatten unchanged', () => {
    const x = leaf([2, 3, 2], 5);
    new Unflatten(1, [3, 2]).call(new Flatten().call(x)).mul(2).sum().backward();
    expect(x.grad?.toArray()).toEqual(ones([2, 3, 2], { dtype: 'float64' }).mul(2).toArray());
  });
});
