import fc from 'fast-check';
import { Variable, gradcheck, variable } from '@dl/autograd';
import { Generator, randn, tensor } from '@dl/tensor';
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Step, Tanh, functional as F } from './index';
import { erfScalar } from './activation';
import { RUNS, gradOf, leaf, seedArb } from './testing/gradcheck';

const f64 = { dtype: 'float64' as const };

describe('erf', () => {
  it('is accurate to about 1e-15 (values from a libm erf)', () => {
    const table: [number, number][] = [
      [0, 0],
      [1e-10, 1.1283791670955126e-10],
      [-0.1, -0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [2.4999, 0.9995928300996666],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [-4, -0.9999999845827421],
      [5, 0.9999999999984626],
      [5.9, 0.9999999999999999],
      [6.5, 1],
      [-30, -1],
    ];
    for (const [x, want] of table) expect(Math.abs(erfScalar(x) - want)).toBeLessThanOrEqual(2e-15 * Math.max(Math.abs(want), 1e-10));
    expect(erfScalar(NaN)).toBeNaN();
    expect(erfScalar(Infinity)).toBe(1);
  });

  it('is odd and increasing', () => {
    let prev = -1;
    const bad: number[] = [];
    for (let x = -7; x <= 7; x += 0.01) {
      const y = erfScalar(x);
      if (erfScalar(-x) !== -y || y < prev) bad.push(x);
      prev = y;
    }
    expect(bad).toEqual([]);
  });

  it('gradcheck of F.erf, first and second order', () => {
    const x = variable(tensor([-3, -1.2, -0.3, 0, 0.4, 1, 2.4, 2.6, 4]), { ...f64, requiresGrad: true });
    expect(gradcheck((v) => F.erf(v), [x])).toBe(true);
    expect(gradcheck(gradOf((v) => F.erf(v).mul(v).sum()), [x])).toBe(true);
  });
});

describe('activation modules and functions', () => {
  it('print like PyTorch', () => {
    expect(new ReLU().toString()).toBe('ReLU()');
    expect(new LeakyReLU().toString()).toBe('LeakyReLU(negative_slope=0.01)');
    expect(new LeakyReLU(0.2).toString()).toBe('LeakyReLU(negative_slope=0.2)');
    expect(new GELU().toString()).toBe("GELU(approximate='none')");
    expect(new GELU('tanh').toString()).toBe("GELU(approximate='tanh')");
    expect(new Sigmoid().toString()).toBe('Sigmoid()');
    expect(new Tanh().toString()).toBe('Tanh()');
    expect(new Softmax(1).toString()).toBe('Softmax(dim=1)');
    expect(new LogSoftmax(-1).toString()).toBe('LogSoftmax(dim=-1)');
    expect(new Softmax().toString()).toBe('Softmax(dim=None)');
    expect(new Step().toString()).toBe('Step()');
  });

  it('compute their formulas', () => {
    const x = tensor([-2, -0.5, 0, 0.5, 3], f64);
    expect(new ReLU().call(x).toArray()).toEqual([0, 0, 0, 0.5, 3]);
    expect(new LeakyReLU(0.1).call(x).toArray()).toEqual([-0.2, -0.05, 0, 0.5, 3]);
    expect(new Step().call(x).toArray()).toEqual([0, 0, 0, 1, 1]);
    const sig = new Sigmoid().call(x).toArray() as number[];
    sig.forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-[-2, -0.5, 0, 0.5, 3][i])), 14));
    const th = new Tanh().call(x).toArray() as number[];
    th.forEach((v, i) => expect(v).toBeCloseTo(Math.tanh([-2, -0.5, 0, 0.5, 3][i]), 14));
    // GELU(x) = x Phi(x): Phi(1) = 0.8413447460685429
    expect(new GELU().call(tensor([1], f64)).item()).toBeCloseTo(0.8413447460685429, 14);
    expect(new GELU().call(tensor([-1], f64)).item()).toBeCloseTo(-(1 - 0.8413447460685429), 14);
    const approx = new GELU('tanh').call(tensor([1], f64)).item();
    expect(approx).toBeCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715))), 14);
    expect(Math.abs(approx - 0.8413447460685429)).toBeLessThan(1e-3);
  });

  it('softmax rows sum to 1, log-softmax is its log, stable for extreme logits', () => {
    const x = tensor([[1000, 0, -1000], [1, 2, 3]], f64);
    const p = new Softmax(1).call(x).toArray() as number[][];
    expect(p[0]).toEqual([1, 0, 0]);
    expect(p[1].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    const lp = new LogSoftmax(1).call(x).toArray() as number[][];
    expect(lp[0][0]).toBe(0);
    expect(lp[0][2]).toBe(-2000);
    lp[1].forEach((v, i) => expect(v).toBeCloseTo(Math.log(p[1][i]), 14));
  });

  it("softmax without a dim takes PyTorch's implicit one (0 for 0-, 1- and 3-D inputs, else 1)", () => {
    const x3 = randn([2, 3, 4], { generator: new Generator(1) });
    expect(new Softmax().call(x3).toArray()).toEqual(F.softmax(x3, 0).toArray());
    const x2 = randn([2, 3], { generator: new Generator(2) });
    expect(new Softmax().call(x2).toArray()).toEqual(F.softmax(x2, 1).toArray());
    expect(F.logSoftmax(x2).toArray()).toEqual(F.logSoftmax(x2, 1).toArray());
  });

  it('the step function passes no gradient (the course: why perceptrons cannot be trained by backprop)', () => {
    const x = variable([-1, 0.5, 2], { requiresGrad: true });
    new Step().call(x).sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 0, 0]);
  });

  it('work inside Sequential and accept Tensors or Variables', () => {
    const net = new Sequential(new ReLU(), new Tanh(), new Sigmoid(), new GELU(), new LeakyReLU(), new Softmax(-1));
    const y = net.call(randn([2, 3]));
    expect(y).toBeInstanceOf(Variable);
    expect(y.shape).toEqual([2, 3]);
  });

  it('reject bad options and int inputs where a float is needed', () => {
    expect(() => new GELU('fast' as never)).toThrow("GELU: approximate must be 'none' or 'tanh', got 'fast'");
    expect(() => new LeakyReLU(NaN)).toThrow(/negativeSlope must be a finite number/);
    expect(() => new Softmax(0.5)).toThrow(/dim must be an integer/);
    expect(() => F.gelu(tensor([1, 2], { dtype: 'int32' }))).toThrow(/gelu: expected a floating-point input, got int32/);
  });

  /** Values at least 0.05 away from 0 (the kink of relu / leakyRelu). */
  const awayFromZero = (shape: number[], seed: number): Variable => {
    const v = leaf(shape, seed, 2);
    const d = v.data.toTypedArray();
    for (let i = 0; i < d.length; i++) if (Math.abs(d[i]) < 0.05) d[i] = d[i] < 0 ? -0.05 - d[i] : 0.05 + d[i];
    return new Variable(tensor(d, f64).reshape(shape), { requiresGrad: true });
  };

  const cases: [string, (v: Variable) => Variable][] = [
    ['relu', (v) => new ReLU().call(v)],
    ['leakyRelu', (v) => new LeakyReLU(0.2).call(v)],
    ['gelu', (v) => new GELU().call(v)],
    ['gelu tanh', (v) => new GELU('tanh').call(v)],
    ['sigmoid', (v) => new Sigmoid().call(v)],
    ['tanh', (v) => new Tanh().call(v)],
    ['softmax', (v) => new Softmax(-1).call(v)],
    ['logSoftmax', (v) => new LogSoftmax(0).call(v)],
    ['step', (v) => new Step().call(v)],
  ];

  it.each(cases)('gradcheck of %s on random shapes', (_name, f) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), seedArb, (shape, seed) =>
        gradcheck(f, [awayFromZero(shape, seed)]),
      ),
      { numRuns: RUNS },
    );
  });

  it('second derivatives of gelu (both forms), sigmoid, tanh and softmax', () => {
    const x = awayFromZero([2, 3], 5);
    for (const f of [F.gelu, (v: Variable) => F.gelu(v, 'tanh'), F.sigmoid, F.tanh, (v: Variable) => F.softmax(v, 1)]) {
      expect(gradcheck(gradOf((v) => f(v).mul(f(v)).sum()), [x])).toBe(true);
    }
  });
});
