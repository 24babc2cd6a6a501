/**
 * The course's worked examples, reproduced exactly with the autograd engine (float64 throughout
 * unless a test says otherwise).
 */
import { Variable, noGrad, numericalGrad, softmax, stack, variable } from './index';

const f64 = (v: number, name?: string): Variable => variable(v, { requiresGrad: true, dtype: 'float64', name });

describe('f(x1, x2, x3) = (x1 - 2 x2 - 1)^2 + (x2 x3 - 1)^2 + 1', () => {
  const f = (x1: Variable, x2: Variable, x3: Variable): Variable =>
    x1.sub(x2.mul(2)).sub(1).pow(2).add(x2.mul(x3).sub(1).pow(2)).add(1);

  it('at (1, 2, 3) is 42 with gradient (-8, 46, 20)', () => {
    const [x1, x2, x3] = [f64(1, 'x1'), f64(2, 'x2'), f64(3, 'x3')];
    const y = f(x1, x2, x3);
    expect(y.dtype).toBe('float64');
    expect(y.item()).toBe(42);
    y.backward();
    expect(x1.grad?.item()).toBe(-8);
    expect(x2.grad?.item()).toBe(46);
    expect(x3.grad?.item()).toBe(20);
  });

  it('numericalGrad (central differences) agrees with backward', () => {
    const xs = [f64(1), f64(2), f64(3)];
    const [x1, x2, x3] = xs;
    f(x1, x2, x3).backward();
    const num = numericalGrad((a, b, c) => f(a, b, c), xs);
    expect(num).toHaveLength(3);
    num.forEach((g, i) => {
      expect(g.dtype).toBe('float64');
      expect(g.shape).toEqual([]);
      expect(g.item()).toBeCloseTo(xs[i].grad?.item() as number, 6);
    });
    expect(num.map((g) => g.item())).toEqual([expect.closeTo(-8, 6), expect.closeTo(46, 6), expect.closeTo(20, 6)]);
    // numericalGrad leaves the inputs as they were
    expect(xs.map((x) => x.item())).toEqual([1, 2, 3]);
  });
});

describe('apples and oranges (computational graph with a tax)', () => {
  it('2 apples at 100 yen and 3 oranges at 150 yen with tax 1.1 cost 715; gradients as in the textbook', () => {
    const apple = f64(100, 'apple');
    const appleNum = f64(2, 'apple_num');
    const orange = f64(150, 'orange');
    const orangeNum = f64(3, 'orange_num');
    const tax = f64(1.1, 'tax');

    const applePrice = apple.mul(appleNum); // 200
    const orangePrice = orange.mul(orangeNum); // 450
    const allPrice = applePrice.add(orangePrice); // 650
    const price = allPrice.mul(tax); // 715

    expect(applePrice.item()).toBe(200);
    expect(orangePrice.item()).toBe(450);
    expect(allPrice.item()).toBe(650);
    expect(price.item()).toBeCloseTo(715, 10);

    price.backward();
    expect(apple.grad?.item()).toBeCloseTo(2.2, 12);
    expect(appleNum.grad?.item()).toBeCloseTo(110, 10);
    expect(orange.grad?.item()).toBeCloseTo(3.3, 12);
    expect(orangeNum.grad?.item()).toBeCloseTo(165, 10);
    expect(tax.grad?.item()).toBe(650);
  });
});

describe('s = x w1, t = s^2, y = t + w2', () => {
  it('at x = 2, w1 = 3, w2 = 4 gives y = 40, dy/dw1 = 24, dy/dw2 = 1', () => {
    const x = variable(2, { dtype: 'float64' }); // data: no gradient wanted
    const w1 = f64(3, 'w1');
    const w2 = f64(4, 'w2');
    const s = x.mul(w1);
    const t = s.pow(2);
    const y = t.add(w2);
    expect(s.item()).toBe(6);
    expect(t.item()).toBe(36);
    expect(y.item()).toBe(40);
    y.backward();
    expect(w1.grad?.item()).toBe(24); // dy/dt * dt/ds * ds/dw1 = 1 * 2s * x
    expect(w2.grad?.item()).toBe(1);
    expect(x.grad).toBeNull();
  });
});

describe('gradient descent on L(a, b) = sum over D of (a x + b - y)^2', () => {
  it('converges to the least-squares line a = 3/2, b = 1/3 for D = {(1, 2), (2, 3), (3, 5)}', () => {
    const xs = variable([1, 2, 3], { dtype: 'float64' });
    const ys = variable([2, 3, 5], { dtype: 'float64' });
    const a = f64(0, 'a');
    const b = f64(0, 'b');
    const loss = (): Variable => a.mul(xs).add(b).sub(ys).pow(2).sum();

    // the first gradient by hand: dL/da = sum 2 (a x + b - y) x = -2 (2 + 6 + 15) = -46, dL/db = -2 (2 + 3 + 5) = -20
    const l0 = loss();
    expect(l0.item()).toBe(4 + 9 + 25);
    l0.backward();
    expect(a.grad?.item()).toBe(-46);
    expect(b.grad?.item()).toBe(-20);
    a.zeroGrad();
    b.zeroGrad();

    const lr = 0.05; // below 2 / lambda_max of the Hessian 2 [[14, 6], [6, 3]] (about 0.06)
    let last = Infinity;
    for (let it = 0; it < 1000; it++) {
      const l = loss();
      expect(l.item()).toBeLessThanOrEqual(last + 1e-12); // the loss never goes up
      last = l.item();
      l.backward();
      noGrad(() => {
        a.data = a.sub((a.grad as Variable).mul(lr)).data;
        b.data = b.sub((b.grad as Variable).mul(lr)).data;
      });
      a.zeroGrad();
      b.zeroGrad();
      expect(a.creator).toBeNull();
    }
    expect(a.item()).toBeCloseTo(3 / 2, 6);
    expect(b.item()).toBeCloseTo(1 / 3, 6);
    // minimum: residuals (-1/6, 1/3, -1/6), L = 1/36 + 1/9 + 1/36 = 1/6
    expect(loss().item()).toBeCloseTo(1 / 6, 10);
    // and the gradient vanishes there
    loss().backward();
    expect(Math.abs(a.grad?.item() as number)).toBeLessThan(1e-6);
    expect(Math.abs(b.grad?.item() as number)).toBeLessThan(1e-6);
  });
});

describe('softmax', () => {
  it('of u = (3, 1, 4) is (0.259, 0.035, 0.705)', () => {
    const u = variable([3, 1, 4], { dtype: 'float64' });
    const p = softmax(u, 0);
    const v = p.toArray() as number[];
    expect(v[0]).toBeCloseTo(0.259, 3);
    expect(v[1]).toBeCloseTo(0.035, 3);
    expect(v[2]).toBeCloseTo(0.705, 3);
    const z = Math.exp(3) + Math.exp(1) + Math.exp(4);
    expect(v[0]).toBeCloseTo(Math.exp(3) / z, 14);
    expect(v[1]).toBeCloseTo(Math.exp(1) / z, 14);
    expect(v[2]).toBeCloseTo(Math.exp(4) / z, 14);
    expect(v[0] + v[1] + v[2]).toBeCloseTo(1, 14);
    expect(u.softmax(-1).toArray()).toEqual(v);
  });

  it('is unchanged by adding a constant to u (so its gradient along (1, 1, 1) is 0)', () => {
    const u = variable([3, 1, 4], { dtype: 'float64', requiresGrad: true });
    const shifted = (u.add(100).softmax(0).toArray() as number[]).map((x, i) => x - (u.softmax(0).toArray() as number[])[i]);
    shifted.forEach((d) => expect(Math.abs(d)).toBeLessThan(1e-14));
    // d p_0 / d u: p_0 (delta_0j - p_j); the row sums to 0
    u.softmax(0).select(0, 0).backward();
    const g = u.grad?.toArray() as number[];
    const p = u.softmax(0).toArray() as number[];
    expect(g[0]).toBeCloseTo(p[0] * (1 - p[0]), 14);
    expect(g[1]).toBeCloseTo(-p[0] * p[1], 14);
    expect(g[2]).toBeCloseTo(-p[0] * p[2], 14);
    expect(g[0] + g[1] + g[2]).toBeCloseTo(0, 14);
  });
});

describe('perceptron with a step activation', () => {
  const inputs = variable(
    [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    { dtype: 'float64' },
  );
  /** y = step(x w + b) for each row x of `xs`. */
  const perceptron = (xs: Variable, w: [number, number], b: number): Variable =>
    xs.matmul(variable(w, { dtype: 'float64' })).add(b).step();
  const AND = (xs: Variable) => perceptron(xs, [0.5, 0.5], -0.7);
  const NAND = (xs: Variable) => perceptron(xs, [-0.5, -0.5], 0.7);
  const OR = (xs: Variable) => perceptron(xs, [0.5, 0.5], -0.2);

  it('AND, NAND and OR reproduce their truth tables', () => {
    expect(AND(inputs).toArray()).toEqual([0, 0, 0, 1]);
    expect(NAND(inputs).toArray()).toEqual([1, 1, 1, 0]);
    expect(OR(inputs).toArray()).toEqual([0, 1, 1, 1]);
  });

  it('XOR is not linearly separable but two layers (NAND, OR -> AND) compute it', () => {
    const s1 = NAND(inputs);
    const s2 = OR(inputs);
    const hidden = stack([s1, s2], 1); // [4, 2]: each row (s1, s2) feeds the second layer
    expect(hidden.shape).toEqual([4, 2]);
    expect(AND(hidden).toArray()).toEqual([0, 1, 1, 0]);
  });

  it('the step function passes no gradient (why training uses sigmoid instead)', () => {
    const w = variable([0.5, 0.5], { dtype: 'float64', requiresGrad: true });
    inputs.matmul(w).add(-0.7).step().sum().backward();
    expect(w.grad?.toArray()).toEqual([0, 0]);
  });
});
