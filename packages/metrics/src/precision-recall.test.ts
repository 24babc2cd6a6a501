import { tensor } from '@dl/tensor';
import { precisionRecallF1 } from './index';

// sklearn's documentation example for precision_score / recall_score / f1_score (and, with
// cat = 0, dog = 1, pig = 2, for precision_recall_fscore_support):
// y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
const target = [0, 1, 2, 0, 1, 2];
const pred = [0, 2, 1, 0, 0, 1];

describe('precisionRecallF1 against sklearn', () => {
  it("per class (average: 'none'): precision [0.667, 0, 0], recall [1, 0, 0], f1 [0.8, 0, 0]", () => {
    const r = precisionRecallF1(pred, target, { average: 'none' });
    expect(r.precision).toEqual([2 / 3, 0, 0]);
    expect(r.recall).toEqual([1, 0, 0]);
    expect(r.f1).toEqual([0.8, 0, 0]);
    expect(r.support).toEqual([2, 2, 2]);
    expect(r.warnings).toEqual([]);
  });

  it("macro (default): 0.2222, 0.3333, 0.2667; micro: 0.3333 everywhere; weighted = macro here", () => {
    const macro = precisionRecallF1(pred, target);
    expect(macro.precision).toBeCloseTo(2 / 9, 15);
    expect(macro.recall).toBeCloseTo(1 / 3, 15);
    expect(macro.f1).toBeCloseTo(0.8 / 3, 15);
    expect(macro.support).toBe(6);
    const micro = precisionRecallF1(pred, target, { average: 'micro' });
    expect([micro.precision, micro.recall, micro.f1]).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const weighted = precisionRecallF1(pred, target, { average: 'weighted' });
    expect(weighted.precision).toBeCloseTo(2 / 9, 15);
    expect(weighted.f1).toBeCloseTo(0.8 / 3, 15);
  });

  it('weights by support with unequal classes (hand-computed)', () => {
    // true [0, 0, 0, 1], pred [0, 0, 1, 1]: M = [[2, 1], [0, 1]], P = [1, 0.5], R = [2/3, 1], F1 = [0.8, 2/3]
    const t = [0, 0, 0, 1];
    const p = tensor([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7]]); // scores -> argmax [0, 0, 1, 1]
    const none = precisionRecallF1(p, t, { average: 'none' });
    expect(none.precision).toEqual([1, 0.5]);
    expect(none.recall).toEqual([2 / 3, 1]);
    expect(none.f1[0]).toBeCloseTo(0.8, 15);
    expect(none.f1[1]).toBeCloseTo(2 / 3, 15);
    const w = precisionRecallF1(p, t, { average: 'weighted' });
    expect(w.precision).toBeCloseTo(0.875, 15);
    expect(w.recall).toBeCloseTo(0.75, 15);
    expect(w.f1).toBeCloseTo(23 / 30, 15);
    const m = precisionRecallF1(p, t, { average: 'macro' });
    expect(m.precision).toBeCloseTo(0.75, 15);
    expect(m.recall).toBeCloseTo(5 / 6, 15);
    expect(m.f1).toBeCloseTo(11 / 15, 15);
  });
});

describe('precisionRecallF1 zero division (sklearn zero_division)', () => {
  // sklearn: precision_score([0, 1, 2, 0, 1, 2], [0, 0, 0, 0, 0, 0], average=None) -> [0.333, 0, 0] (warns);
  // zero_division=1 -> [0.333, 1, 1]; zero_division=np.nan -> [0.333, nan, nan]
  const allZero = [0, 0, 0, 0, 0, 0];

  it('sets ill-defined precision to 0 by default and flags it', () => {
    const r = precisionRecallF1(allZero, target, { average: 'none' });
    expect(r.precision).toEqual([1 / 3, 0, 0]);
    expect(r.recall).toEqual([1, 0, 0]);
    expect(r.f1).toEqual([0.5, 0, 0]);
    expect(r.illDefined).toEqual({ precision: [1, 2], recall: [], f1: [] });
    expect(r.warnings).toEqual(['precision is ill-defined and set to 0 for classes [1, 2] (no predicted samples)']);
  });

  it('uses zeroDivision 1 or NaN (NaN is left out of the macro average)', () => {
    expect(precisionRecallF1(allZero, target, { average: 'none', zeroDivision: 1 }).precision).toEqual([1 / 3, 1, 1]);
    const nan = precisionRecallF1(allZero, target, { average: 'none', zeroDivision: NaN });
    expect(nan.precision).toEqual([1 / 3, NaN, NaN]);
    expect(precisionRecallF1(allZero, target, { zeroDivision: NaN }).precision).toBeCloseTo(1 / 3, 15);
    expect(precisionRecallF1(allZero, target, { zeroDivision: 1 }).precision).toBeCloseTo(7 / 9, 15);
  });

  it('counts classes absent from both pred and target (labels = range(numClasses))', () => {
    const r = precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 1], { numClasses: 3, average: 'none' });
    expect(r.precision).toEqual([1, 0.5, 0]);
    expect(r.support).toEqual([3, 1, 0]);
    expect(r.illDefined).toEqual({ precision: [2], recall: [2], f1: [2] });
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings[2]).toBe('f1 is ill-defined and set to 0 for classes [2] (no true nor predicted samples)');
    expect(precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 1], { numClasses: 3 }).precision).toBeCloseTo(0.5, 15);
    expect(precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 1], { numClasses: 3, zeroDivision: NaN }).precision).toBeCloseTo(0.75, 15);
  });
});

describe('precisionRecallF1 errors', () => {
  it('checks its options and inputs', () => {
    expect(() => precisionRecallF1(pred, target, { average: 'samples' as never })).toThrow(
      "precisionRecallF1: average must be 'macro', 'micro', 'weighted' or 'none', got samples",
    );
    expect(() => precisionRecallF1(pred, target, { zeroDivision: 0.5 })).toThrow(/zeroDivision must be 0, 1 or NaN, got 0.5/);
    expect(() => precisionRecallF1([0, 1], [0], { numClasses: 2 })).toThrow(/pred has 2 samples but target has 1/);
    expect(() => precisionRecallF1([], [], { numClasses: 2 })).toThrow(/precisionRecallF1: got 0 samples/);
    expect(() => precisionRecallF1([0, 3], [0, 1], { numClasses: 3 })).toThrow(/precisionRecallF1: pred\[1\] = 3 is outside \[0, 3\)/);
  });
});
