import { ShapeError, tensor } from '@dl/tensor';
import { mae, mse, r2, rmse } from './index';

// sklearn's documentation examples (values printed there, full doubles computed with NumPy):
const yTrue = [3, -0.5, 2, 7];
const yPred = [2.5, 0.0, 2, 8];
const multiTrue = [
  [0.5, 1],
  [-1, 1],
  [7, -6],
];
const multiPred = [
  [0, 2],
  [-1, 2],
  [8, -5],
];

describe('mse, rmse, mae', () => {
  it('match sklearn on one output', () => {
    expect(mse(yPred, yTrue)).toBe(0.375);
    expect(rmse(yPred, yTrue)).toBe(0.6123724356957945);
    expect(mae(yPred, yTrue)).toBe(0.5);
  });

  it('match sklearn on two outputs (uniform average, raw values)', () => {
    expect(mse(multiPred, multiTrue)).toBeCloseTo(0.7083333333333334, 15);
    expect(mse(multiPred, multiTrue, { multioutput: 'rawValues' })).toEqual([1.25 / 3, 1]);
    // root_mean_squared_error averages the per-output RMSEs: 0.822..., not sqrt(0.708...)
    expect(rmse(multiPred, multiTrue)).toBeCloseTo(0.8227486121839513, 15);
    expect(rmse(multiPred, multiTrue, { multioutput: 'rawValues' })).toEqual([Math.sqrt(1.25 / 3), 1]);
    expect(mae(multiPred, multiTrue)).toBe(0.75);
    expect(mae(multiPred, multiTrue, { multioutput: 'rawValues' })).toEqual([0.5, 1]);
  });

  it('read Tensors (float32, float64, int32), Variables, and treat [N] and [N, 1] alike', () => {
    expect(mse(tensor(yPred, { dtype: 'float64' }), tensor(yTrue, { dtype: 'float64' }))).toBe(0.375);
    expect(mse({ data: tensor(yPred) }, tensor(yTrue))).toBe(0.375); // these values are exact in float32
    expect(mae(tensor([[1], [2]], { dtype: 'int32' }), [1, 4])).toBe(1);
    expect(mse(tensor([[2.5], [0], [2], [8]]), yTrue)).toBe(0.375);
  });

  it('refuse to broadcast mismatched shapes', () => {
    expect(() => mse([1, 2, 3], [1, 2])).toThrow(
      new ShapeError(
        'mse: pred [3] and target [2] must have the same shape ([N] and [N, 1] count as equal); reshape one of them (e.g. pred.reshape(-1) for a [N, 1] model output)',
      ),
    );
    expect(() => mae([[1, 2]], [1, 2])).toThrow(/mae: pred \[1, 2\] and target \[2\]/);
    expect(() => rmse([], [])).toThrow('rmse: got 0 samples; there is nothing to score');
    expect(() => mse(tensor(1), tensor(1))).toThrow(/pred is a scalar \(shape \[\]\)/);
    expect(() => mse([1], [1], { multioutput: 'median' as never })).toThrow(/multioutput must be 'uniformAverage' or 'rawValues', got median/);
  });
});

describe('r2 (sklearn r2_score)', () => {
  it('matches the documentation examples', () => {
    expect(r2(yPred, yTrue)).toBeCloseTo(0.9486081370449679, 15);
    expect(r2(multiPred, multiTrue, { multioutput: 'varianceWeighted' })).toBeCloseTo(0.9382566585956417, 15);
    expect(r2(multiPred, multiTrue)).toBeCloseTo(0.9368005266622779, 15);
    expect(r2(multiPred, multiTrue, { multioutput: 'rawValues' })).toEqual([1 - 7.5 / 217, 1 - 27 / 294]);
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2([2, 2, 2], [1, 2, 3])).toBe(0);
    expect(r2([3, 2, 1], [1, 2, 3])).toBe(-3);
  });

  it('handles a constant target as sklearn (force_finite)', () => {
    expect(r2([-2, -2, -2], [-2, -2, -2])).toBe(1);
    expect(r2([-2, -2, -2 + 1e-8], [-2, -2, -2])).toBe(0);
    expect(r2([-2, -2, -2], [-2, -2, -2], { forceFinite: false })).toBeNaN();
    expect(r2([-2, -2, -2 + 1e-8], [-2, -2, -2], { forceFinite: false })).toBe(-Infinity);
    // every target constant, one output perfect: variance weighting falls back to the uniform mean
    const t = [
      [1, 5],
      [1, 5],
    ];
    expect(r2([[1, 5], [1, 6]], t, { multioutput: 'varianceWeighted' })).toBe(0.5);
    expect(r2([[1, 5], [1, 6]], t, { multioutput: 'rawValues' })).toEqual([1, 0]);
  });

  it('is NaN with fewer than two samples, as sklearn', () => {
    expect(r2([1], [2])).toBeNaN();
    expect(r2([[1, 2]], [[1, 2]], { multioutput: 'rawValues' })).toEqual([NaN, NaN]);
  });

  it('checks its options', () => {
    expect(() => r2([1, 2], [1, 2], { multioutput: 'weighted' as never })).toThrow(
      "r2: multioutput must be 'uniformAverage', 'rawValues' or 'varianceWeighted', got weighted",
    );
  });
});
