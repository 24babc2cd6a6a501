/**
 * Numerical stability: extreme logits (+-1e4 in float32 and float64, +-1e30 where the dtype holds
 * the differences) give finite losses and gradients with the right values, never NaN or Infinity.
 */
import { Variable } from '@dl/autograd';
import { Tensor, tensor, type DType } from '@dl/tensor';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, nllLoss, smoothL1Loss } from './index';

function leaf(data: number[] | number[][], dtype: DType): Variable {
  return new Variable(tensor(data, { dtype }), { requiresGrad: true });
}

/** The gradient's data (a function, so TypeScript does not narrow `.grad` after `x.grad = null`). */
const grad = (v: Variable): Tensor | undefined => v.grad?.data;

function allFinite(t: Tensor | undefined): boolean {
  return t !== undefined && Array.from(t.toTypedArray()).every(Number.isFinite);
}

const i32 = (d: number[]) => tensor(d, { dtype: 'int32' });

describe('cross-entropy with extreme logits', () => {
  const cases: [DType, number][] = [
    ['float32', 1e4],
    ['float64', 1e4],
    ['float32', 1e30],
    ['float64', 1e30],
    ['float64', 1e300],
  ];
  it.each(cases)('%s, logits +-%d: finite loss and gradient, the exact values', (dtype, big) => {
    const x = leaf([[big, -big, 0], [-big, big, 3], [0, 0, -big]], dtype);
    const t = i32([1, 1, 2]);
    for (const o of [{}, { labelSmoothing: 0.1 }, { weight: [1, 2, 3] }]) {
      x.grad = null;
      const loss = crossEntropy(x, t, o);
      expect(Number.isFinite(loss.item())).toBe(true);
      loss.backward();
      expect(allFinite(grad(x))).toBe(true);
    }
    x.grad = null;
    const loss = crossEntropy(x, t, { reduction: 'sum' });
    // row 0: -log p[1] = 2 big; row 1: log(1 + e^-big + e^(3 - big)) ~ 0; row 2: big + log 2
    expect(loss.item() / (3 * big + Math.LN2)).toBeCloseTo(1, 6);
    loss.backward();
    const g = grad(x)!.toArray() as number[][];
    expect(g[0]).toEqual([1, -1, 0]);
    expect(g[1].map((v) => Math.abs(v))).toEqual([0, 0, 0]);
    expect(g[2][0]).toBeCloseTo(0.5, 6);
    expect(g[2][2]).toBe(-1);
  });

  it('class probabilities with extreme logits stay finite', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = leaf([[1e4, -1e4], [-1e4, 1e4]], dtype);
      const t = new Variable(tensor([[0, 1], [0.5, 0.5]], { dtype }), { requiresGrad: true });
      const loss = crossEntropy(x, t);
      expect(loss.item()).toBeCloseTo((2e4 + 1e4) / 2, 0);
      loss.backward();
      expect(allFinite(grad(x))).toBe(true);
      expect(allFinite(grad(t))).toBe(true);
    }
  });

  it('nllLoss of logSoftmax of extreme logits', () => {
    const x = leaf([[1e30, -1e30]], 'float64');
    const loss = nllLoss(x.logSoftmax(1), i32([1]));
    expect(loss.item()).toBe(2e30);
    loss.backward();
    expect(x.grad?.toArray()).toEqual([[1, -1]]);
  });
});

describe('BCE with logits: no exp overflow', () => {
  const cases: [DType, number][] = [
    ['float32', 1e4],
    ['float64', 1e4],
    ['float32', 1e30],
    ['float64', 1e30],
    ['float64', 1e300],
  ];
  it.each(cases)('%s, logits +-%d', (dtype, big) => {
    const x = leaf([big, -big, big, -big], dtype);
    const t = new Variable(tensor([1, 1, 0, 0], { dtype }), { requiresGrad: true });
    for (const posWeight of [null, [2.5]]) {
      x.grad = null;
      t.grad = null;
      const loss = binaryCrossEntropyWithLogits(x, t, { reduction: 'none', posWeight });
      const pw = posWeight ? 2.5 : 1;
      const l = loss.data.toTypedArray();
      expect(l[0]).toBe(0);
      expect(l[1] / (pw * big)).toBeCloseTo(1, 6);
      expect(l[2] / big).toBeCloseTo(1, 6);
      expect(l[3]).toBe(0);
      loss.sum().backward();
      // d/dx = lw sigmoid(x) - pw t
      expect(Array.from(grad(x)!.toTypedArray())).toEqual([0, -pw, 1, 0]);
      expect(allFinite(grad(t))).toBe(true);
    }
  });
});

describe('BCE of probabilities at 0 and 1, Huber / smooth L1 with huge residuals', () => {
  it('BCE: finite loss (logs clamped at -100) and gradients at x = 0 and 1', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = leaf([0, 1, 0, 1], dtype);
      const t = new Variable(tensor([0, 1, 1, 0], { dtype }), { requiresGrad: true });
      const loss = binaryCrossEntropy(x, t, { reduction: 'none' });
      expect(Array.from(loss.data.toTypedArray(), (v) => v + 0)).toEqual([0, 0, 100, 100]); // + 0: no -0
      loss.sum().backward();
      expect(allFinite(grad(x))).toBe(true);
      expect(Array.from(t.grad!.data.toTypedArray())).toEqual([100, -100, 100, -100]);
    }
  });

  it('Huber and smooth L1 never square a huge residual (finite in float32 at 1e30)', () => {
    const x = leaf([1e30, -1e30], 'float32');
    const t = tensor([0, 0]);
    const h = huberLoss(x, t, { reduction: 'sum', delta: 0.5 });
    expect(h.item() / 1e30).toBeCloseTo(1, 5);
    h.backward();
    expect(x.grad?.toArray()).toEqual([0.5, -0.5]);
    expect(Number.isFinite(smoothL1Loss(x, t).item())).toBe(true);
  });
});
