/**
 * Values checked by hand (the course's worked examples included), the class API, reductions, and
 * how inputs and targets may be given. PyTorch parity is in parity.test.ts, gradient checks in
 * gradcheck.test.ts, extreme values in stability.test.ts, errors in errors.test.ts.
 */
import { Variable, logSoftmax, variable } from '@dl/autograd';
import { Tensor, randn, tensor } from '@dl/tensor';
import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  L1Loss,
  Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
  SumSquaredError,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  sumSquaredError,
} from './index';

const f64 = (data: number[] | number[][]) => tensor(data, { dtype: 'float64' });
const i32 = (data: number[] | number) => tensor(data, { dtype: 'int32' });
const leaf = (data: number[] | number[][]) => variable(data, { dtype: 'float64', requiresGrad: true });
const arr = (v: Variable | Tensor | null | undefined) => (v instanceof Variable ? v.data : v)?.toArray();

describe("the course's sum-of-squares error E = 1/2 sum_k (y_k - t_k)^2", () => {
  it("gives 4.705 on the course's example, with gradient y - t", () => {
    const y = leaf([13.5, 20.1, 0.7]);
    const t = f64([12.1, 22.8, 0.3]);
    const E = sumSquaredError(y, t);
    expect(E.item()).toBeCloseTo(4.705, 12);
    E.backward();
    const g = y.grad!.data.toTypedArray();
    [1.4, -2.7, 0.4].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
    expect(new SumSquaredError().forward(y, t).item()).toBeCloseTo(4.705, 12);
  });

  it("'batchmean' is the course's 1/(2N) sum_n sum_k (y_nk - t_nk)^2; 'mean' and 'none' too", () => {
    const y = f64([[1, 2], [3, 4], [5, 6]]);
    const t = f64([[0, 0], [0, 0], [0, 0]]);
    expect(sumSquaredError(y, t, { reduction: 'batchmean' }).item()).toBeCloseTo(91 / 6, 12);
    expect(sumSquaredError(y, t, { reduction: 'mean' }).item()).toBeCloseTo(91 / 12, 12);
    expect(arr(sumSquaredError(y, t, { reduction: 'none' }))).toEqual([[0.5, 2], [4.5, 8], [12.5, 18]]);
    expect(new SumSquaredError({ reduction: 'batchmean' }).call(y, t).item()).toBeCloseTo(91 / 6, 12);
    // half of MSE's sum
    expect(sumSquaredError(y, t).item()).toBeCloseTo(mseLoss(y, t, { reduction: 'sum' }).item() / 2, 12);
  });
});

describe('regression losses by hand', () => {
  const x = f64([1, 2, 3, -1]);
  const t = f64([1, 2.5, 5, 1.5]); // z = [0, -0.5, -2, -2.5]

  it('mseLoss / MSELoss', () => {
    expect(mseLoss(x, t).item()).toBeCloseTo((0 + 0.25 + 4 + 6.25) / 4, 14);
    expect(mseLoss(x, t, { reduction: 'sum' }).item()).toBeCloseTo(10.5, 14);
    expect(arr(new MSELoss({ reduction: 'none' }).forward(x, t))).toEqual([0, 0.25, 4, 6.25]);
  });

  it('l1Loss / L1Loss, gradient sign(z) with 0 at a tie', () => {
    const xv = leaf([1, 2, 3, -1]);
    const l = new L1Loss().forward(xv, t);
    expect(l.item()).toBeCloseTo(5 / 4, 14);
    l.backward();
    expect(arr(xv.grad)).toEqual([0, -0.25, -0.25, -0.25]);
    expect(l1Loss(x, t, { reduction: 'sum' }).item()).toBeCloseTo(5, 14);
  });

  it('huberLoss: quadratic inside delta, linear outside', () => {
    // delta = 1: [0, 0.125, 1 * (2 - 0.5), 1 * (2.5 - 0.5)]
    expect(arr(huberLoss(x, t, { reduction: 'none' }))).toEqual([0, 0.125, 1.5, 2]);
    // delta = 2.2: [0, 0.125, 2, 2.2 * (2.5 - 1.1)]
    const h = arr(new HuberLoss({ delta: 2.2, reduction: 'none' }).forward(x, t)) as number[];
    [0, 0.125, 2, 2.2 * 1.4].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 14));
  });

  it('smoothL1Loss: huberLoss(delta = beta) / beta; beta = 0 is L1', () => {
    for (const beta of [0.3, 1, 2.2]) {
      const s = smoothL1Loss(x, t, { beta, reduction: 'none' }).data.toTypedArray();
      const h = huberLoss(x, t, { delta: beta, reduction: 'none' }).data.toTypedArray();
      s.forEach((v, i) => expect(v).toBeCloseTo(h[i] / beta, 14));
    }
    expect(arr(new SmoothL1Loss({ beta: 0, reduction: 'none' }).forward(x, t))).toEqual([0, 0.5, 2, 2.5]);
  });

  it('float targets may be Variables (gradient -dL/dx) or int tensors (converted)', () => {
    const xv = leaf([1, 2]);
    const tv = leaf([0, 4]);
    mseLoss(xv, tv).backward();
    expect(arr(xv.grad)).toEqual([1, -2]);
    expect(arr(tv.grad)).toEqual([-1, 2]);
    expect(mseLoss(f64([1, 2]), i32([0, 4])).item()).toBeCloseTo(2.5, 14);
    expect(mseLoss(f64([1, 2]), i32([0, 4])).dtype).toBe('float64');
  });

  it('empty inputs: mean is NaN (0/0), sum is 0, as PyTorch', () => {
    const e = new Tensor(new Float64Array(0), [0, 3]);
    expect(mseLoss(e, e).item()).toBeNaN();
    expect(mseLoss(e, e, { reduction: 'sum' }).item()).toBe(0);
  });
});

describe('crossEntropy / CrossEntropyLoss by hand', () => {
  it("softmax of u = (3, 1, 4) is (0.259, 0.035, 0.705) (the course's example): loss -log 0.705", () => {
    const p = [Math.exp(3), Math.exp(1), Math.exp(4)];
    const s = p[0] + p[1] + p[2];
    const loss = crossEntropy(f64([3, 1, 4]), i32(2));
    expect(loss.item()).toBeCloseTo(-Math.log(p[2] / s), 14);
    expect(p[2] / s).toBeCloseTo(0.705, 3);
  });

  it('the gradient is (softmax - onehot) / N, and the graph is one fused node', () => {
    const x = leaf([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
    const t = i32([0, 1]);
    const loss = new CrossEntropyLoss().forward(x, t);
    expect(loss.creator?.name).toBe('CrossEntropy');
    expect(loss.creator?.inputs[0]).toBe(x);
    loss.backward();
    const sm = x.data.softmax(1).toArray() as number[][];
    const g = x.grad!.data.toArray() as number[][];
    sm.forEach((row, i) => row.forEach((v, c) => expect(g[i][c]).toBeCloseTo((v - (c === [0, 1][i] ? 1 : 0)) / 2, 14)));
  });

  it('equals nllLoss(logSoftmax(x)) for every option', () => {
    const x = randn([5, 4], { dtype: 'float64' });
    const t = i32([0, 3, -100, 2, 1]);
    const weight = f64([0.5, 1, 2, 3]);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const a = crossEntropy(x, t, { weight, reduction });
      const b = nllLoss(logSoftmax(x, 1), t, { weight, reduction });
      const av = a.data.toTypedArray();
      b.data.toTypedArray().forEach((v, i) => expect(av[i]).toBeCloseTo(v, 13));
    }
  });

  it("weighted 'mean' divides by the total weight of the non-ignored targets", () => {
    const x = f64([[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    const lp = x.logSoftmax(1).toArray() as number[][];
    const loss = crossEntropy(x, i32([0, 2, -100]), { weight: [2, 1, 5] });
    expect(loss.item()).toBeCloseTo(-(2 * lp[0][0] + 5 * lp[1][2]) / 7, 14);
  });

  it('every target ignored: mean is NaN with a zero gradient, sum is 0 (PyTorch 1.13)', () => {
    const x = leaf([[1, 2], [3, 4]]);
    const loss = crossEntropy(x, i32([-100, -100]));
    expect(loss.item()).toBeNaN();
    loss.backward();
    expect(arr(x.grad)).toEqual([[0, 0], [0, 0]]);
    expect(crossEntropy(x, i32([-100, -100]), { reduction: 'sum' }).item()).toBe(0);
  });

  it('labelSmoothing mixes in the uniform distribution: same as probability targets without ignored entries', () => {
    const x = randn([3, 4], { dtype: 'float64' });
    const t = i32([0, 3, 1]);
    const onehot = f64([[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]);
    const a = crossEntropy(x, t, { labelSmoothing: 0.2 }).item();
    const b = crossEntropy(x, onehot, { labelSmoothing: 0.2 }).item();
    const c = crossEntropy(x, onehot.mul(0.8).add(0.05)).item();
    expect(a).toBeCloseTo(b, 14);
    expect(a).toBeCloseTo(c, 14);
  });

  it('K-dim inputs [N, C, H, W] and unbatched inputs [C]', () => {
    const x = randn([2, 3, 2, 2], { dtype: 'float64' });
    const t = new Tensor(Int32Array.from([0, 1, 2, 0, 1, 1, 2, 0]), [2, 2, 2]);
    expect(crossEntropy(x, t, { reduction: 'none' }).shape).toEqual([2, 2, 2]);
    // the same as flattening the positions into the batch
    const flat = x.permute(0, 2, 3, 1).reshape(8, 3);
    expect(crossEntropy(x, t).item()).toBeCloseTo(crossEntropy(flat, t.reshape(8)).item(), 14);
    const u = crossEntropy(f64([1, 2, 3]), i32(1), { reduction: 'none' });
    expect(u.shape).toEqual([]);
  });

  it('class-index targets may be Variables; Tensor inputs give a constant result', () => {
    const out = crossEntropy(f64([[1, 2]]), new Variable(i32([1])));
    expect(out).toBeInstanceOf(Variable);
    expect(out.requiresGrad).toBe(false);
  });
});

describe('nllLoss / NLLLoss by hand', () => {
  it("the course's example: y = (0.1, 0.05, 0.6, 0, ...), t = class 2 gives -log 0.6 = 0.51", () => {
    const y = f64([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]);
    expect(nllLoss(y.log(), i32(2)).item()).toBeCloseTo(-Math.log(0.6), 14);
    expect(nllLoss(y.log(), i32(2)).item()).toBeCloseTo(0.51, 2);
  });

  it('picks -w[t] x[t]; ignoreIndex may be a real class', () => {
    const x = f64([[-1, -2, -3], [-4, -5, -6]]);
    const l = new NLLLoss({ weight: [1, 2, 3], ignoreIndex: 0, reduction: 'none' }).forward(x, i32([0, 2]));
    expect(arr(l)).toEqual([0, 18]);
    expect(new NLLLoss({ weight: [1, 2, 3], ignoreIndex: 0 }).forward(x, i32([0, 2])).item()).toBeCloseTo(6, 14);
  });
});

describe('binary cross-entropy by hand', () => {
  it('binaryCrossEntropy / BCELoss', () => {
    expect(binaryCrossEntropy(f64([0.9, 0.2]), f64([1, 0])).item()).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 14);
    expect(new BCELoss({ weight: [2, 1] }).forward(f64([0.9, 0.2]), i32([1, 0])).item()).toBeCloseTo(
      -(2 * Math.log(0.9) + Math.log(0.8)) / 2,
      14,
    );
  });

  it('logs are clamped at -100: x = 0 with t = 1 costs 100', () => {
    expect(binaryCrossEntropy(f64([0]), f64([1])).item()).toBe(100);
    expect(binaryCrossEntropy(f64([1, 0]), f64([1, 0])).item()).toBe(0);
  });

  it('binaryCrossEntropyWithLogits equals BCE of sigmoid, with posWeight scaling the positive term', () => {
    const x = f64([2.2, -1.4, 0.3]);
    const t = f64([1, 0, 0.4]);
    const s = x.sigmoid().toTypedArray();
    const bce = (pw: number) =>
      -[0, 1, 2].map((i) => pw * t.toTypedArray()[i] * Math.log(s[i]) + (1 - t.toTypedArray()[i]) * Math.log(1 - s[i])).reduce((a, b) => a + b) / 3;
    expect(binaryCrossEntropyWithLogits(x, t).item()).toBeCloseTo(bce(1), 14);
    expect(new BCEWithLogitsLoss({ posWeight: [3] }).forward(x, t).item()).toBeCloseTo(bce(3), 14);
  });
});

describe('loss classes', () => {
  it('are Loss instances with forward and call, and print their options', () => {
    const l = new CrossEntropyLoss({ labelSmoothing: 0.1, weight: [1, 2] });
    expect(l).toBeInstanceOf(Loss);
    const x = f64([[1, 2]]);
    expect(l.call(x, i32([1])).item()).toBe(l.forward(x, i32([1])).item());
    expect(String(l)).toBe("CrossEntropyLoss(reduction='mean', weight=[2], ignoreIndex=-100, labelSmoothing=0.1)");
    expect(String(new HuberLoss({ delta: 2 }))).toBe("HuberLoss(reduction='mean', delta=2)");
    expect(String(new MSELoss({ reduction: 'sum' }))).toBe("MSELoss(reduction='sum')");
  });

  it('default to reduction mean (SumSquaredError to sum)', () => {
    expect(new MSELoss().reduction).toBe('mean');
    expect(new BCEWithLogitsLoss().reduction).toBe('mean');
    expect(new SumSquaredError().reduction).toBe('sum');
  });
});
