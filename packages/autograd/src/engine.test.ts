/**
 * Graph mechanics: accumulation, generation order, leaf/non-leaf gradients, grad mode,
 * retainGraph / createGraph (higher-order derivatives), user-defined Functions, dtypes and
 * broadcasting.
 */
import { ValueError, tensor, zeros, type Tensor } from '@dl/tensor';
import {
  Function,
  Parameter,
  Variable,
  enableGrad,
  gradcheck,
  isGradEnabled,
  noGrad,
  variable,
  withGradMode,
} from './index';

const f64 = (v: number | number[] | number[][], name?: string): Variable =>
  variable(v, { requiresGrad: true, dtype: 'float64', name });
const gradOf = (v: Variable): number | number[] => {
  expect(v.grad).not.toBeNull();
  return (v.grad as Variable).toArray() as number | number[];
};

describe('gradient accumulation when a variable is used more than once', () => {
  it('y = x + x: dy/dx = 2', () => {
    const x = f64(3);
    const y = x.add(x);
    expect(y.item()).toBe(6);
    y.backward();
    expect(x.grad?.item()).toBe(2);
  });

  it('y = x + x + x: dy/dx = 3 (DeZero step 14)', () => {
    const x = f64(3);
    x.add(x).add(x).backward();
    expect(x.grad?.item()).toBe(3);
  });

  it('y = x * x * x: dy/dx = 3 x^2', () => {
    const x = f64(2);
    const y = x.mul(x).mul(x);
    expect(y.item()).toBe(8);
    y.backward();
    expect(x.grad?.item()).toBe(12);
  });

  it('diamond: a = 2x, b = a + 1, c = 3a, y = b c; dy/dx = 2 (c + 3 b)', () => {
    const x = f64(1.5);
    const a = x.mul(2); // 3
    const b = a.add(1); // 4
    const c = a.mul(3); // 9
    const y = b.mul(c); // 36
    expect(y.item()).toBe(36);
    y.backward();
    // dy/da = c + 3 b = 9 + 12 = 21, dy/dx = 42
    expect(x.grad?.item()).toBe(42);
  });

  it('elementwise: y = sum(x * x + x) gives 2 x + 1 per element', () => {
    const x = f64([1, -2, 0.5]);
    x.mul(x).add(x).sum().backward();
    expect(gradOf(x)).toEqual([3, -3, 2]);
  });

  it('the same Variable as both inputs of a user Function accumulates both gradients', () => {
    const x = f64([1, 2]);
    x.mul(x).sum().backward();
    expect(gradOf(x)).toEqual([2, 4]);
  });
});

describe('generation order', () => {
  it('a = x^2, y = a^2 + a^2: the creator of a runs once, after both uses added up (y = 2 x^4, dy/dx = 8 x^3)', () => {
    const x = f64(2);
    const a = x.pow(2);
    const y = a.pow(2).add(a.pow(2));
    expect(y.item()).toBe(32);
    expect(x.generation).toBe(0);
    expect(a.generation).toBe(1);
    expect(y.generation).toBe(3);
    expect(y.creator?.generation).toBe(2);
    y.backward();
    expect(x.grad?.item()).toBe(64);
  });

  it('paths of different lengths into the same variable', () => {
    // y = a^2 + exp(log(a)) * 1 * 1 with a = 3 x: dy/da = 2a + 1, dy/dx = 3 (2a + 1)
    const x = f64(1);
    const a = x.mul(3);
    const long = a.log().exp().mul(1).mul(1);
    const y = a.pow(2).add(long);
    y.backward();
    expect(x.grad?.item()).toBeCloseTo(21, 12);
    expect(long.generation).toBeGreaterThan(a.pow(2).generation);
  });

  it('counts the calls of each backward: every Function runs exactly once', () => {
    let calls = 0;
    class Twice extends Function {
      forward(x: Tensor): Tensor {
        return x.mul(2);
      }
      backward(gy: Variable): Variable {
        calls++;
        return gy.mul(2);
      }
    }
    const x = f64(1);
    const a = new Twice().apply(x);
    const y = a.add(a.mul(a)).add(a.exp());
    y.backward();
    expect(calls).toBe(1);
    // dy/da = 1 + 2a + e^a with a = 2
    expect(x.grad?.item()).toBeCloseTo(2 * (1 + 4 + Math.exp(2)), 12);
  });
});

describe('.grad on leaves and non-leaves', () => {
  it('accumulates across two backward calls on leaves (like PyTorch) and zeroGrad clears it', () => {
    const x = f64([1, 2, 3]);
    x.mul(x).sum().backward();
    expect(gradOf(x)).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(gradOf(x)).toEqual([5, 7, 9]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(3).sum().backward();
    expect(gradOf(x)).toEqual([3, 3, 3]);
  });

  it('non-leaf variables keep no grad unless retainGrad()', () => {
    const x = f64(2);
    const a = x.mul(3);
    const b = a.pow(2);
    const y = b.add(1);
    expect(a.isLeaf).toBe(false);
    expect(x.isLeaf).toBe(true);
    b.retainGrad();
    expect(b.retainsGrad).toBe(true);
    y.backward();
    expect(a.grad).toBeNull();
    expect(b.grad?.item()).toBe(1);
    expect(y.grad).toBeNull();
    expect(x.grad?.item()).toBe(36); // 2 * 3x * 3
  });

  it('retainGrad on the output itself keeps the seed gradient', () => {
    const x = f64([1, 2]);
    const y = x.mul(2).retainGrad();
    y.backward({ gradient: tensor([10, 20], { dtype: 'float64' }) });
    expect(gradOf(y)).toEqual([10, 20]);
    expect(gradOf(x)).toEqual([20, 40]);
  });

  it('retainGrad on a Variable that does not require grad is an error', () => {
    expect(() => variable([1]).retainGrad()).toThrow(ValueError);
  });

  it('inputs with requiresGrad false get no grad (and their ops record nothing)', () => {
    const x = f64([1, 2]);
    const c = variable([3, 4], { dtype: 'float64' });
    expect(c.requiresGrad).toBe(false);
    const y = x.mul(c).sum();
    y.backward();
    expect(gradOf(x)).toEqual([3, 4]);
    expect(c.grad).toBeNull();
    const d = c.mul(2);
    expect(d.requiresGrad).toBe(false);
    expect(d.creator).toBeNull();
  });

  it('backward on a leaf sets its own grad to the seed', () => {
    const x = f64(5);
    x.backward();
    expect(x.grad?.item()).toBe(1);
  });
});

describe('grad mode', () => {
  it('noGrad produces no creator and isGradEnabled toggles', () => {
    const x = f64(2);
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.item()).toBe(4);
    expect(y.creator).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
  });

  it('enableGrad inside noGrad records again, and each scope restores the previous mode', () => {
    const x = f64(2);
    noGrad(() => {
      const y = enableGrad(() => {
        expect(isGradEnabled()).toBe(true);
        return x.mul(x);
      });
      expect(isGradEnabled()).toBe(false);
      expect(y.creator).not.toBeNull();
      y.backward();
    });
    expect(x.grad?.item()).toBe(4);
    expect(withGradMode(false, () => isGradEnabled())).toBe(false);
  });

  it('the mode is restored after a throw', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(() =>
        enableGrad(() => {
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it('backward itself runs without recording unless createGraph', () => {
    const x = f64(3);
    x.mul(x).backward();
    expect(x.grad?.creator).toBeNull();
    expect(isGradEnabled()).toBe(true);
  });
});

describe('detach', () => {
  it('shares the data but cuts the graph', () => {
    const x = f64([1, 2]);
    const a = x.mul(3);
    const d = a.detach();
    expect(d.data).toBe(a.data);
    expect(d.creator).toBeNull();
    expect(d.requiresGrad).toBe(false);
    expect(d.grad).toBeNull();
    // y = a * stop_gradient(a): dy/dx = 3 * d only through the first factor
    a.mul(d).sum().backward();
    expect(gradOf(x)).toEqual([9, 18]);
  });
});

describe('retainGraph', () => {
  it('a second backward through a freed graph throws an error mentioning retainGraph', () => {
    const x = f64(2);
    const y = x.mul(x);
    y.backward();
    expect(y.creator?.isReleased).toBe(true);
    expect(() => y.backward()).toThrow(ValueError);
    expect(() => y.backward()).toThrow(/retainGraph/);
    expect(() => y.backward()).toThrow(/Mul/);
    expect(x.grad?.item()).toBe(4); // the failed calls added nothing
  });

  it('works with { retainGraph: true }: gradients add up', () => {
    const x = f64(2);
    const y = x.mul(x).exp();
    y.backward({ retainGraph: true });
    expect(y.creator?.isReleased).toBe(false);
    const g1 = x.grad?.item() as number;
    expect(g1).toBeCloseTo(2 * 2 * Math.exp(4), 10);
    y.backward();
    expect(x.grad?.item()).toBeCloseTo(2 * g1, 10);
    expect(() => y.backward()).toThrow(/retainGraph/);
  });

  it('a freed subgraph is only a problem if backward reaches it', () => {
    const x = f64(2);
    const a = x.mul(3);
    a.backward({ gradient: tensor(1, { dtype: 'float64' }) });
    // a new graph that uses x (a leaf) directly is fine
    x.mul(x).backward();
    expect(x.grad?.item()).toBe(3 + 4);
  });
});

describe('createGraph: higher-order derivatives', () => {
  it("the gradient is itself differentiable: f(x) = x^3, f' = 3 x^2, f'' = 6 x, f''' = 6", () => {
    const x = f64(2);
    x.pow(3).backward({ createGraph: true });
    const g1 = x.grad as Variable;
    expect(g1.item()).toBe(12);
    expect(g1.creator).not.toBeNull();
    expect(g1.requiresGrad).toBe(true);
    x.zeroGrad();
    g1.backward({ createGraph: true });
    const g2 = x.grad as Variable;
    expect(g2.item()).toBe(12);
    x.zeroGrad();
    g2.backward();
    expect(x.grad?.item()).toBe(6);
  });

  it("Newton's method on f(x) = x^4 - 2 x^2 from x = 2 converges to the minimum at 1", () => {
    const f = (x: Variable): Variable => x.pow(4).sub(x.pow(2).mul(2));
    // hand-computed Newton steps: x <- x - f'(x) / f''(x), f' = 4x^3 - 4x, f'' = 12x^2 - 4
    const expected: number[] = [2];
    for (let i = 0; i < 7; i++) {
      const v = expected[i];
      expected.push(v - (4 * v ** 3 - 4 * v) / (12 * v ** 2 - 4));
    }
    expect(expected[1]).toBeCloseTo(16 / 11, 15); // 2 - 24 / 44

    const x = f64(2, 'x');
    const iterates = [x.item()];
    for (let i = 0; i < 7; i++) {
      x.zeroGrad();
      f(x).backward({ createGraph: true });
      const gx = x.grad as Variable;
      x.zeroGrad();
      gx.backward();
      const gx2 = x.grad as Variable;
      const v = x.item();
      expect(gx.item()).toBeCloseTo(4 * v ** 3 - 4 * v, 10);
      expect(gx2.item()).toBeCloseTo(12 * v ** 2 - 4, 10);
      noGrad(() => {
        x.data = x.sub(gx.div(gx2)).data;
      });
      iterates.push(x.item());
    }
    iterates.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    expect(Math.abs(iterates[7] - 1)).toBeLessThan(1e-12);
    // quadratic convergence: the error roughly squares each step
    expect(iterates.slice(1, 7).map((v) => Math.abs(v - 1))).toEqual([
      expect.closeTo(0.4545454545, 9),
      expect.closeTo(0.1510467894, 9),
      expect.closeTo(0.025325929, 9),
      expect.closeTo(0.000908452, 9),
      expect.closeTo(1.2353e-6, 9),
      expect.closeTo(0, 9),
    ]);
  });

  it.each([
    ['sin', (x: Variable) => x.sin(), (v: number) => -Math.sin(v)],
    ['cos', (x: Variable) => x.cos(), (v: number) => -Math.cos(v)],
    ['tanh', (x: Variable) => x.tanh(), (v: number) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
    ['x^3', (x: Variable) => x.pow(3), (v: number) => 6 * v],
    ['exp', (x: Variable) => x.exp(), (v: number) => Math.exp(v)],
    ['sigmoid', (x: Variable) => x.sigmoid(), (v: number) => {
      const s = 1 / (1 + Math.exp(-v));
      return s * (1 - s) * (1 - 2 * s);
    }],
  ])("second derivative of %s matches the formula", (_name, fn, d2) => {
    const xs = [-1.3, -0.2, 0.4, 1.7];
    const x = f64(xs);
    fn(x).sum().backward({ createGraph: true });
    const g = x.grad as Variable;
    x.zeroGrad();
    g.sum().backward();
    (gradOf(x) as number[]).forEach((v, i) => expect(v).toBeCloseTo(d2(xs[i]), 12));
  });

  it('third and fourth derivatives of sin (DeZero step 34)', () => {
    const x = f64(1);
    let y = x.sin();
    const derivs: number[] = [];
    for (let i = 0; i < 4; i++) {
      x.zeroGrad();
      y.backward({ createGraph: true });
      y = x.grad as Variable;
      derivs.push(y.item());
    }
    expect(derivs[0]).toBeCloseTo(Math.cos(1), 14);
    expect(derivs[1]).toBeCloseTo(-Math.sin(1), 14);
    expect(derivs[2]).toBeCloseTo(-Math.cos(1), 14);
    expect(derivs[3]).toBeCloseTo(Math.sin(1), 14);
  });

  it('mixed partials: d/dy (df/dx) of f = x^2 y^3 is 6 x y^2', () => {
    const x = f64(2);
    const y = f64(3);
    x.pow(2).mul(y.pow(3)).backward({ createGraph: true });
    const gx = x.grad as Variable; // 2 x y^3 = 108
    expect(gx.item()).toBe(108);
    x.zeroGrad();
    y.zeroGrad();
    gx.backward();
    expect(y.grad?.item()).toBe(6 * 2 * 9);
    expect(x.grad?.item()).toBe(2 * 27);
  });
});

describe('user-defined Functions', () => {
  class Square extends Function {
    forward(x: Tensor): Tensor {
      return x.mul(x);
    }
    backward(gy: Variable): Variable {
      const [x] = this.inputs;
      return gy.mul(x).mul(2);
    }
  }

  /** Two outputs: (sin x, cos x). */
  class SinCos extends Function {
    forward(x: Tensor): Tensor[] {
      return [x.sin(), x.cos()];
    }
    backward(gs: Variable, gc: Variable): Variable {
      const [x] = this.inputs;
      return gs.mul(x.cos()).sub(gc.mul(x.sin()));
    }
  }

  it('Square works with backward and gradcheck', () => {
    const x = f64([3, -1]);
    const y = new Square().apply(x);
    expect(y.toArray()).toEqual([9, 1]);
    expect(y.creator).toBeInstanceOf(Square);
    expect(y.creator?.name).toBe('Square');
    expect(y.creator?.inputs[0]).toBe(x);
    expect(y.creator?.outputs[0]).toBe(y);
    y.sum().backward();
    expect(gradOf(x)).toEqual([6, -2]);
    expect(gradcheck((v) => new Square().apply(v), [f64([0.3, -1.2, 2])])).toBe(true);
  });

  it('Square composes and supports createGraph (backward written with Variable ops)', () => {
    const x = f64(3);
    new Square().apply(new Square().apply(x)).backward({ createGraph: true }); // x^4
    const g = x.grad as Variable;
    expect(g.item()).toBe(108);
    x.zeroGrad();
    g.backward();
    expect(x.grad?.item()).toBe(108); // 12 x^2
  });

  it('a two-output Function: both outputs, one output, and gradcheck', () => {
    const x = f64([0.5, 2]);
    const [s, c] = new SinCos().applyMulti(x);
    expect(s.creator).toBe(c.creator);
    expect(s.toArray()).toEqual([Math.sin(0.5), Math.sin(2)]);
    expect(c.toArray()).toEqual([Math.cos(0.5), Math.cos(2)]);
    s.mul(2).add(c.mul(3)).sum().backward();
    (gradOf(x) as number[]).forEach((g, i) => {
      const v = [0.5, 2][i];
      expect(g).toBeCloseTo(2 * Math.cos(v) - 3 * Math.sin(v), 14);
    });

    // only the second output used: the first gets a zero gradient
    const z = f64([0.5, 2]);
    new SinCos().applyMulti(z)[1].sum().backward();
    (gradOf(z) as number[]).forEach((g, i) => expect(g).toBeCloseTo(-Math.sin([0.5, 2][i]), 14));

    expect(gradcheck((v) => new SinCos().applyMulti(v), [f64([0.1, -0.7, 1.9])])).toBe(true);
  });

  it('apply without any input requiring grad records nothing', () => {
    const y = new Square().apply(variable([2], { dtype: 'float64' }));
    expect(y.creator).toBeNull();
    expect(y.requiresGrad).toBe(false);
  });

  it('a backward returning a wrong-shaped gradient is caught', () => {
    class Bad extends Function {
      forward(x: Tensor): Tensor {
        return x.sum();
      }
      backward(gy: Variable): Variable {
        return gy; // should be expanded to x's shape
      }
    }
    const x = f64([1, 2, 3]);
    expect(() => new Bad().apply(x).backward()).toThrow(/Bad\.backward returned a gradient of shape \[\] for input 0 of shape \[3\]/);
  });
});

describe('Parameter and the variable() factory', () => {
  it('Parameter defaults requiresGrad to true', () => {
    const p = new Parameter(zeros([2, 3]));
    expect(p).toBeInstanceOf(Variable);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(new Parameter(zeros([1]), { requiresGrad: false }).requiresGrad).toBe(false);
    expect(new Parameter(zeros([1]), { name: 'W' }).name).toBe('W');
  });

  it('variable() makes float32 by default, honours dtype, shares or converts a Tensor', () => {
    const a = variable([1, 2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.requiresGrad).toBe(false);
    expect(a.name).toBeNull();
    const b = variable([[1, 2]], { dtype: 'float64', requiresGrad: true, name: 'b' });
    expect(b.dtype).toBe('float64');
    expect(b.shape).toEqual([1, 2]);
    expect(b.requiresGrad).toBe(true);
    expect(b.name).toBe('b');
    const t = tensor([1, 2], { dtype: 'float64' });
    expect(variable(t).data).toBe(t); // shared
    const c = variable(t, { dtype: 'float32' });
    expect(c.dtype).toBe('float32');
    expect(c.toArray()).toEqual([1, 2]);
    expect(variable(7, { dtype: 'int32' }).dtype).toBe('int32');
    expect(variable(b).data).toBe(b.data);
    expect(variable(b).requiresGrad).toBe(false);
  });

  it('the Variable constructor rejects non-Tensors', () => {
    expect(() => new Variable([1, 2] as unknown as Tensor)).toThrow(ValueError);
  });
});

describe('printing', () => {
  it('shows requires_grad on leaves and grad_fn on results', () => {
    const x = variable([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    expect(x.toString()).toBe('tensor([1., 2., 3.], dtype=float64, requires_grad=True)');
    expect(x.mul(2).toString()).toBe('tensor([2., 4., 6.], dtype=float64, grad_fn=<MulBackward0>)');
    expect(x.sum().toString()).toMatch(/^tensor\(6\., dtype=float64, grad_fn=<SumBackward0>\)$/);
    expect(variable([1.5, 2]).toString()).toBe('tensor([1.5000, 2.0000])');
    expect(noGrad(() => x.mul(2)).toString()).toBe('tensor([2., 4., 6.], dtype=float64)');
    expect(String(x)).toBe(x.toString());
  });
});

describe('dtypes and broadcasting', () => {
  it('a float32 leaf used in a float64 op gets a float32 gradient', () => {
    const a = variable([1, 2], { requiresGrad: true, dtype: 'float32' });
    const b = variable([3, 4], { requiresGrad: true, dtype: 'float64' });
    const y = a.mul(b).sum();
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(b.grad?.dtype).toBe('float64');
    expect(gradOf(a)).toEqual([3, 4]);
    expect(gradOf(b)).toEqual([1, 2]);
  });

  it('explicit casts are differentiable and give the gradient back in the source dtype', () => {
    const a = variable([1.5], { requiresGrad: true, dtype: 'float32' });
    const y = a.double().mul(2).sum();
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(gradOf(a)).toEqual([2]);
  });

  it('python scalars keep the dtype of the Variable', () => {
    const x = variable([1, 2], { requiresGrad: true, dtype: 'float64' });
    expect(x.mul(0.1).dtype).toBe('float64');
    expect(x.mul(0.1).toArray()).toEqual([0.1, 0.2]);
    const y = variable([1], { requiresGrad: true });
    expect(y.mul(0.1).dtype).toBe('float32');
  });

  it('broadcast gradients are summed back: x [3] + y [2, 3] -> x.grad [3]', () => {
    const x = f64([1, 2, 3]);
    const y = f64([
      [10, 20, 30],
      [40, 50, 60],
    ]);
    const z = x.add(y);
    expect(z.shape).toEqual([2, 3]);
    z.backward({ gradient: tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' }) });
    expect(x.grad?.shape).toEqual([3]);
    expect(gradOf(x)).toEqual([5, 7, 9]);
    expect(y.grad?.shape).toEqual([2, 3]);
    expect(y.grad?.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('broadcasting with size-1 dims and scalars: x [2, 1] * w [1, 3], b [] ', () => {
    const x = f64([[1], [2]]);
    const w = f64([[1, 2, 3]]);
    const b = f64(0.5);
    x.mul(w).add(b).sum().backward();
    expect(x.grad?.shape).toEqual([2, 1]);
    expect(x.grad?.toArray()).toEqual([[6], [6]]);
    expect(w.grad?.shape).toEqual([1, 3]);
    expect(w.grad?.toArray()).toEqual([[3, 3, 3]]);
    expect(b.grad?.shape).toEqual([]);
    expect(b.grad?.item()).toBe(6);
  });
});
