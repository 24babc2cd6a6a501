/**
 * Property tests: random labels and scores, checking identities every correct implementation obeys.
 */
import fc from 'fast-check';
import { accuracy, confusionMatrix, mse, precisionRecallF1, r2, rmse, topKAccuracy } from './index';

const RUNS = { numRuns: 150, seed: 20240905 };

/** C in [2, 6], N in [1, 40], labels and argmax-able scores for the same N. */
const problem = fc.integer({ min: 2, max: 6 }).chain((c) =>
  fc.integer({ min: 1, max: 40 }).chain((n) =>
    fc.record({
      c: fc.constant(c),
      target: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
      pred: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
      scores: fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: c, maxLength: c }), { minLength: n, maxLength: n }),
    }),
  ),
);

describe('classification properties', () => {
  it('accuracy is in [0, 1] and equals trace(M) / N; M sums to N with row sums = class counts', () => {
    fc.assert(
      fc.property(problem, ({ c, target, pred }) => {
        const acc = accuracy(pred, target);
        const m = confusionMatrix(pred, target, c).toArray() as number[][];
        let total = 0;
        let trace = 0;
        for (let i = 0; i < c; i++) {
          const row = m[i].reduce((a, b) => a + b, 0);
          if (row !== target.filter((t) => t === i).length) return false;
          const col = m.reduce((a, r) => a + r[i], 0);
          if (col !== pred.filter((p) => p === i).length) return false;
          total += row;
          trace += m[i][i];
        }
        return acc >= 0 && acc <= 1 && total === target.length && Math.abs(acc - trace / target.length) < 1e-15;
      }),
      RUNS,
    );
  });

  it('micro precision = recall = F1 = accuracy (single-label multiclass); macro scores in [0, 1]', () => {
    fc.assert(
      fc.property(problem, ({ c, target, pred }) => {
        const acc = accuracy(pred, target);
        const micro = precisionRecallF1(pred, target, { numClasses: c, average: 'micro' });
        const macro = precisionRecallF1(pred, target, { numClasses: c, average: 'macro' });
        const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;
        return (
          close(micro.f1, acc) &&
          close(micro.precision, acc) &&
          close(micro.recall, acc) &&
          [macro.precision, macro.recall, macro.f1].every((v) => v >= 0 && v <= 1)
        );
      }),
      RUNS,
    );
  });

  it('weighted recall equals accuracy; per-class F1 is the harmonic mean of P and R where both are defined', () => {
    fc.assert(
      fc.property(problem, ({ c, target, pred }) => {
        const w = precisionRecallF1(pred, target, { numClasses: c, average: 'weighted' });
        const none = precisionRecallF1(pred, target, { numClasses: c, average: 'none' });
        const harmonicOk = none.f1.every((f, k) => {
          const p = none.precision[k];
          const r = none.recall[k];
          if (none.illDefined.precision.includes(k) || none.illDefined.recall.includes(k)) return true;
          return p + r === 0 ? f === 0 : Math.abs(f - (2 * p * r) / (p + r)) < 1e-12;
        });
        return Math.abs(w.recall - accuracy(pred, target)) < 1e-12 && harmonicOk;
      }),
      RUNS,
    );
  });

  it('top-k accuracy grows with k, is accuracy at k = 1 and 1 at k = C', () => {
    fc.assert(
      fc.property(problem, ({ c, target, scores }) => {
        let prev = topKAccuracy(scores, target, 1);
        if (prev !== accuracy(scores, target)) return false;
        for (let k = 2; k <= c; k++) {
          const cur = topKAccuracy(scores, target, k);
          if (cur < prev) return false;
          prev = cur;
        }
        return prev === 1;
      }),
      RUNS,
    );
  });
});

describe('regression properties', () => {
  const values = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 30 });

  it('r2 of a perfect prediction is 1; mse >= 0 and rmse^2 = mse', () => {
    fc.assert(
      fc.property(values, values, (t, noise) => {
        const p = t.map((v, i) => v + (noise[i % noise.length] ?? 0));
        const m = mse(p, t);
        return r2(t, t) === 1 && m >= 0 && Math.abs(rmse(p, t) ** 2 - m) <= 1e-9 * Math.max(1, m);
      }),
      RUNS,
    );
  });

  it('r2 = 1 - mse / var(target) (population variance) when the target is not constant', () => {
    fc.assert(
      fc.property(values, values, (t, noise) => {
        const mean = t.reduce((a, b) => a + b, 0) / t.length;
        const variance = t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length;
        fc.pre(variance > 1e-6);
        const p = t.map((v, i) => v + (noise[i % noise.length] ?? 0));
        const expected = 1 - mse(p, t) / variance;
        return Math.abs(r2(p, t) - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
      }),
      RUNS,
    );
  });
});
