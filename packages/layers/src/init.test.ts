import { Parameter, Variable } from '@dl/autograd';
import { Generator, Tensor, manualSeed, zeros } from '@dl/tensor';
import { init } from './index';

const values = (t: Tensor | Variable): number[] => Array.from((t instanceof Variable ? t.data : t).toTypedArray());
const stats = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
};
const param = (shape: number[]) => init.emptyParameter(shape);

describe('init: fans and gains', () => {
  it('computes fans as PyTorch: Linear [out, in], Conv [out, in, kH, kW]', () => {
    expect(init.calculateFans(param([300, 784]))).toEqual([784, 300]);
    expect(init.calculateFans(zeros([16, 3, 5, 5]))).toEqual([75, 400]);
    expect(() => init.calculateFans(zeros([5]))).toThrow('init: fan in and fan out need a tensor with at least 2 dims, got shape [5]');
  });

  it("has PyTorch's gain table", () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as never)).toThrow("calculateGain: unknown nonlinearity 'swish'");
  });
});

describe('init: distributions', () => {
  it('uniform and normal fill in place with the requested range / moments', () => {
    const p = param([100, 100]);
    expect(init.uniform(p, -2, 3)).toBe(p);
    const u = stats(values(p));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    expect(u.mean).toBeCloseTo(0.5, 1);
    expect(u.std).toBeCloseTo(5 / Math.sqrt(12), 1);
    init.normal(p, 1, 0.5);
    const n = stats(values(p));
    expect(n.mean).toBeCloseTo(1, 1);
    expect(n.std).toBeCloseTo(0.5, 1);
  });

  it('constant, zeros and ones', () => {
    const p = param([2, 3]);
    expect(values(init.constant(p, 0.25))).toEqual(new Array(6).fill(0.25));
    expect(values(init.ones(p))).toEqual(new Array(6).fill(1));
    expect(values(init.zeros(p))).toEqual(new Array(6).fill(0));
  });

  it('xavier: U(-b, b) with b = gain sqrt(6 / (fanIn + fanOut)), N(0, gain^2 2 / (fanIn + fanOut))', () => {
    const p = param([200, 300]);
    const b = Math.sqrt(6 / 500);
    init.xavierUniform(p);
    const u = stats(values(p));
    expect(u.max).toBeLessThanOrEqual(b);
    expect(u.min).toBeGreaterThanOrEqual(-b);
    expect(u.max).toBeGreaterThan(0.99 * b);
    init.xavierNormal(p, { gain: init.calculateGain('tanh') });
    expect(stats(values(p)).std).toBeCloseTo((5 / 3) * Math.sqrt(2 / 500), 2);
  });

  it('kaiming: He init with fan mode and nonlinearity; a = sqrt(5) gives U(-1/sqrt(fanIn), 1/sqrt(fanIn))', () => {
    const p = param([64, 3, 5, 5]); // fanIn 75, fanOut 1600
    init.kaimingUniform(p, { a: Math.sqrt(5) });
    const u = stats(values(p));
    expect(u.max).toBeLessThanOrEqual(1 / Math.sqrt(75));
    expect(u.max).toBeGreaterThan(0.99 / Math.sqrt(75));
    init.kaimingNormal(p, { nonlinearity: 'relu' });
    expect(stats(values(p)).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(75), 2);
    init.kaimingNormal(p, { mode: 'fanOut', nonlinearity: 'relu' });
    expect(stats(values(p)).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(1600), 3);
    // default: leaky_relu with a = 0, i.e. gain sqrt(2), fanIn
    init.kaimingUniform(p);
    expect(stats(values(p)).max).toBeLessThanOrEqual(Math.sqrt(3) * (Math.SQRT2 / Math.sqrt(75)));
  });

  it('initialising a tensor with a zero-size dim is a no-op, as PyTorch', () => {
    const p = param([0, 5]);
    expect(init.kaimingUniform(p)).toBe(p);
    expect(init.kaimingNormal(param([3, 0]))).toBeInstanceOf(Parameter);
    expect(init.xavierUniform(param([0, 3])).shape).toEqual([0, 3]);
  });
});

describe('init: seeding and targets', () => {
  it('is reproducible from manualSeed or a Generator, and a Generator leaves the global stream alone', () => {
    manualSeed(3);
    const a = values(init.normal(param([10])));
    manualSeed(3);
    const b = values(init.normal(param([10])));
    expect(b).toEqual(a);
    const g1 = values(init.uniform(param([10]), 0, 1, { generator: new Generator(9) }));
    const g2 = values(init.uniform(param([10]), 0, 1, { generator: new Generator(9) }));
    expect(g2).toEqual(g1);
    manualSeed(3);
    init.uniform(param([10]), 0, 1, { generator: new Generator(1) });
    expect(values(init.normal(param([10])))).toEqual(a);
  });

  it('fills Parameters, Variables, Tensors and views in place; float64 keeps full precision', () => {
    const t = zeros([3, 4], { dtype: 'float64' });
    init.constant(t.select(0, 1), 1 / 3);
    expect(values(t).slice(4, 8)).toEqual(new Array(4).fill(1 / 3));
    expect(values(t).slice(0, 4)).toEqual([0, 0, 0, 0]);
    const v = new Variable(zeros([2]));
    init.ones(v);
    expect(values(v)).toEqual([1, 1]);
    expect(init.emptyParameter([2, 2], 'float64').dtype).toBe('float64');
  });

  it('rejects int tensors and bad ranges', () => {
    expect(() => init.uniform(zeros([2], { dtype: 'int32' }))).toThrow('init.uniform: can only fill floating-point tensors, got int32');
    expect(() => init.uniform(param([2]), 1, 0)).toThrow('init.uniform: need a <= b, got a=1, b=0');
    expect(() => init.normal(param([2]), 0, -1)).toThrow('init.normal: std must be >= 0, got -1');
    expect(() => init.ones({} as never)).toThrow(/init.constant: expected a Parameter, Variable or Tensor/);
  });
});
