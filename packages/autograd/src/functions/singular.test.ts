/**
 * Gradients at singular points, where a composed backward meets 0 * inf or 0 / 0: `std` of a
 * constant group (0 in PyTorch, not NaN: one constant row must not poison a batch), and the other
 * composites pinned to what PyTorch 1.13 gives there (values measured with torch 1.13, float64).
 */
import fc from 'fast-check';
import { gradcheck, std, variable, type Variable } from '../index';
import { check, gradOf, leafArb, shapeArb } from '../testing/arbitraries';

const I = Infinity;
const f64 = (data: Parameters<typeof variable>[0]) => variable(data, { dtype: 'float64', requiresGrad: true });

/** y = f(x); backward of sum(y) (or y itself when it has one element); returns [y, x.grad]. */
function grad(f: (x: Variable) => Variable, data: Parameters<typeof variable>[0]): [unknown, unknown] {
  const x = f64(data);
  const y = f(x);
  (y.numel() === 1 ? y : y.sum()).backward();
  return [y.toArray(), x.grad?.toArray()];
}

describe('std: gradient 0 where the standard deviation is 0 (PyTorch std_backward)', () => {
  // torch.tensor([[1., 1, 1], [1, 2, 4]], dtype=float64, requires_grad=True).std(1).sum().backward()
  const ROWS = [
    [1, 1, 1],
    [1, 2, 4],
  ];
  const ROW1_GRAD = [-0.4364357804719848, -0.10910894511799618, 0.545544725589981];

  it('a constant row gets 0, and the other rows keep their gradient (torch: [[0, 0, 0], [-0.4364, -0.1091, 0.5455]])', () => {
    const [y, g] = grad((x) => x.std(1), ROWS);
    expect((y as number[])[0]).toBe(0);
    expect((y as number[])[1]).toBeCloseTo(Math.sqrt(7 / 3), 14);
    const [g0, g1] = g as number[][];
    expect(g0).toEqual([0, 0, 0]);
    g1.forEach((v, i) => expect(v).toBeCloseTo(ROW1_GRAD[i], 14));
  });

  it('every form: method, free function, biased, keepdim, all dims', () => {
    expect(grad((x) => x.std(), [2, 2, 2, 2])[1]).toEqual([0, 0, 0, 0]);
    expect(grad((x) => std(x, { dim: 1, keepdim: true }), ROWS)[1]).toEqual(grad((x) => x.std(1), ROWS)[1]);
    const [, gb] = grad((x) => x.std(1, false), ROWS); // torch: [[0, 0, 0], [-0.3563, -0.0891, 0.4454]]
    expect((gb as number[][])[0]).toEqual([0, 0, 0]);
    expect((gb as number[][])[1][0]).toBeCloseTo(-0.3563483225498992, 14);
    expect(grad((x) => x.std([0, 1]), [[5, 5], [5, 5]])[1]).toEqual([[0, 0], [0, 0]]);
  });

  it('one element: biased std is 0 with gradient 0; unbiased std is NaN with NaN gradient (as torch)', () => {
    expect(grad((x) => x.std(1, false), [[1], [3]])).toEqual([[0, 0], [[0], [0]]]);
    const [y, g] = grad((x) => x.std(1), [[1], [3]]);
    expect((y as number[]).every(Number.isNaN)).toBe(true);
    expect((g as number[][]).flat().every(Number.isNaN)).toBe(true);
  });

  it('float32 too', () => {
    const x = variable(ROWS, { requiresGrad: true });
    x.std(1).sum().backward();
    expect((x.grad?.toArray() as number[][])[0]).toEqual([0, 0, 0]);
  });

  it('a batch loss with one constant row: the gradient equals the one computed without that row', () => {
    const batch = f64([
      [0.5, -1, 2],
      [3, 3, 3],
      [1, 0.25, -0.5],
    ]);
    const rest = f64([
      [0.5, -1, 2],
      [1, 0.25, -0.5],
    ]);
    batch.std(1).mul(batch.mean(1)).sum().backward();
    rest.std(1).mul(rest.mean(1)).sum().backward();
    const gb = batch.grad?.toArray() as number[][];
    const gr = rest.grad?.toArray() as number[][];
    expect(gb.flat().every(Number.isFinite)).toBe(true);
    expect(gb[0]).toEqual(gr[0]);
    expect(gb[2]).toEqual(gr[1]);
    expect(gb[1]).toEqual([0, 0, 0]); // d(std * mean) = dstd * mean + std * dmean = 0 * 3 + 0 * 1/3; torch: [0, 0, 0]
    // torch: [[0.5, 0.25, 0.75], [0, 0, 0], [0.375, 0.25, 0.125]]
    [0.5, 0.25, 0.75].forEach((v, i) => expect(gb[0][i]).toBeCloseTo(v, 14));
  });

  it('gradcheck where std is differentiable, and at constant rows (the central difference is 0 there too)', () => {
    expect(gradcheck((x) => x.std(1), [f64([[0.3, -1.2, 2.5], [1, 1, 1]])])).toBe(true);
    fc.assert(
      fc.property(
        shapeArb({ minDims: 1, maxDims: 3, minSize: 2, maxSize: 3 }).chain((s) =>
          fc.tuple(leafArb(s, { distinct: true, min: -1, max: 1, margin: 0.05 }), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()),
        ),
        ([x, dim, unbiased]) => check((v) => v.std(dim, unbiased), [x]),
      ),
      { numRuns: 25 },
    );
  });

  it('second derivatives stay finite at a constant row (the masked backward is itself NaN-free)', () => {
    const x = f64([
      [1, 1, 1],
      [1, 2, 4],
    ]);
    const [g] = gradOf((v) => v.std(1).sum())(x);
    expect((g.toArray() as number[][])[0]).toEqual([0, 0, 0]);
    const w = variable([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    g.mul(w).sum().backward();
    // torch (create_graph=True, then backward of sum(g * w)): [[0, 0, 0], [-0.046761, 0.070141, -0.023380]]
    const h = x.grad?.toArray() as number[][];
    expect(h[0]).toEqual([0, 0, 0]);
    [-0.04676097647914118, 0.07014146471871206, -0.02338048823957034].forEach((v, i) => expect(h[1][i]).toBeCloseTo(v, 14));
    // away from the singular row the Hessian is right
    expect(check(gradOf((v) => v.std(1).sum()), [f64([[0.3, -1.2, 2.5], [1, 0.5, -0.25]])])).toBe(true);
  });
});

describe('the other composites at their singular points: as PyTorch 1.13', () => {
  // each: [what, f, input, torch's output, torch's gradient of sum(output)]
  const CASES: [string, (x: Variable) => Variable, number[] | number[][], unknown, unknown][] = [
    ['var of a constant row: gradient 0 (no sqrt, no 0/0)', (x) => x.var(1), [[1, 1, 1]], [0], [[0, 0, 0]]],
    ['sqrt at 0: inf', (x) => x.sqrt(), [0, 0], [0, 0], [I, I]],
    ['pow(0, 2): 0', (x) => x.pow(2), [0, 0], [0, 0], [0, 0]],
    ['pow(0, 0): 0, not 0 * inf', (x) => x.pow(0), [0, 0], [1, 1], [0, 0]],
    ['pow(0, 0.5): inf', (x) => x.pow(0.5), [0, 0], [0, 0], [I, I]],
    ['pow(0, -1): -inf', (x) => x.pow(-1), [0, 0], [I, I], [-I, -I]],
    ['prod with one zero: the product of the others', (x) => x.prod(), [0, 2, 3], 0, [6, 0, 0]],
    ['prod with two zeros: 0', (x) => x.prod(), [0, 0, 3], 0, [0, 0, 0]],
    ['abs at 0: 0', (x) => x.abs(), [0, 0], [0, 0], [0, 0]],
    ['amax with ties: shared', (x) => x.amax(), [1, 1], 1, [0.5, 0.5]],
    ['amax of a -inf row: shared', (x) => x.amax(1), [[-I, -I]], [-I], [[0.5, 0.5]]],
    ['logSoftmax with a -inf entry', (x) => x.logSoftmax(1), [[-I, 0]], [[-I, 0]], [[1, -1]]],
  ];

  it.each(CASES)('%s', (_, f, data, y, g) => {
    const [yy, gg] = grad(f, data);
    const close = (a: unknown, b: unknown): void => {
      if (Array.isArray(b)) return (b as unknown[]).forEach((v, i) => close((a as unknown[])[i], v));
      if (Number.isFinite(b as number)) expect(a as number).toBeCloseTo(b as number, 12);
      else expect(a).toBe(b);
    };
    close(yy, y);
    close(gg, g);
  });

  it('logsumexp of an all -inf (or +inf) row: NaN gradient in that row only, as torch 1.13 (even when unused)', () => {
    // torch: logsumexp([[-inf, -inf], [1, 2]], 1) -> [-inf, 2.3133], grad [[nan, nan], [0.2689, 0.7311]]
    const [y, g] = grad((x) => x.logsumexp(1), [[-I, -I], [1, 2]]);
    expect((y as number[])[0]).toBe(-I);
    const [g0, g1] = g as number[][];
    expect(g0.every(Number.isNaN)).toBe(true);
    expect(g1[0]).toBeCloseTo(0.2689414213699951, 14);
    const [, gp] = grad((x) => x.logsumexp(1), [[I, 1], [1, 2]]); // torch: [[nan, 0], ...]
    expect(Number.isNaN((gp as number[][])[0][0])).toBe(true);
    expect((gp as number[][])[0][1]).toBe(0);
    // torch: x.logsumexp(1)[1].backward() still gives [[nan, nan], [0.2689, 0.7311]] (0 * exp(-inf - -inf))
    const [, gu] = grad((x) => x.logsumexp(1).select(0, 1), [[-I, -I], [1, 2]]);
    expect((gu as number[][])[0].every(Number.isNaN)).toBe(true);
    expect((gu as number[][])[1][1]).toBeCloseTo(0.7310585786300049, 14);
  });
});
