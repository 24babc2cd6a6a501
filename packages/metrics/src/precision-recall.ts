/**
 * Precision, recall and F1 for single-label multiclass classification, with sklearn's
 * `precision_recall_fscore_support` conventions (labels = all classes `0..C-1`).
 *
 * Per class `c`, from the confusion matrix (rows = true, columns = predicted):
 *
 * ```
 * tp_c = M[c][c]   predicted_c = sum_i M[i][c]   support_c = sum_j M[c][j]
 * precision_c = tp_c / predicted_c
 * recall_c    = tp_c / support_c
 * f1_c        = 2 tp_c / (predicted_c + support_c)     (= 2 P R / (P + R) when both are defined)
 * ```
 *
 * A ratio 0/0 (no sample predicted as c for precision, no sample of class c for recall, neither for
 * F1) is ill-defined: like sklearn's `zero_division`, it is set to `zeroDivision` (0 by default;
 * 1, or NaN to leave it out of the macro average), and the result says so in `illDefined` and
 * `warnings` (nothing is printed).
 */
import { ValueError, checkOptions } from '@dl/tensor';
import { confusionCounts } from './classification';
import { checkNotEmpty, type MetricInput } from './input';

/** How per-class scores are combined. */
export type Average = 'macro' | 'micro' | 'weighted' | 'none';

export interface PrecisionRecallF1Options {
  /** Number of classes C (default: C of scores `[N, C]`, else `max(label) + 1`). Classes absent from both pred and target still count (sklearn with `labels=range(C)`). */
  numClasses?: number;
  /**
   * `'macro'` (default): the unweighted mean over classes; `'micro'`: computed from the summed
   * counts (equals accuracy for single-label multiclass); `'weighted'`: the mean weighted by each
   * class's support; `'none'`: one score per class.
   */
  average?: Average;
  /** The value of an ill-defined 0/0 ratio: 0 (default), 1, or NaN (NaN scores are left out of averages). */
  zeroDivision?: number;
}

/** Class indices whose score was ill-defined (0/0) and set to `zeroDivision`. */
export interface IllDefined {
  /** Classes no sample was predicted as. */
  readonly precision: readonly number[];
  /** Classes with no sample in target. */
  readonly recall: readonly number[];
  /** Classes absent from both pred and target. */
  readonly f1: readonly number[];
}

interface ScoresBase {
  readonly illDefined: IllDefined;
  /** sklearn-like messages for each ill-defined score, e.g. `precision is ill-defined and set to 0 for classes [2] (no predicted samples)`. */
  readonly warnings: readonly string[];
}

/** Averaged scores (`average: 'macro' | 'micro' | 'weighted'`); `support` is N. */
export interface AveragedScores extends ScoresBase {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Per-class scores (`average: 'none'`), index = class; `support[c]` counts class c in target. */
export interface PerClassScores extends ScoresBase {
  readonly precision: number[];
  readonly recall: number[];
  readonly f1: number[];
  readonly support: number[];
}

/**
 * Precision, recall, F1 and support, per class or averaged (see the module doc for the formulas).
 *
 * ```ts
 * // sklearn's documentation example, with cat = 0, dog = 1, pig = 2:
 * const target = [0, 1, 2, 0, 1, 2], pred = [0, 2, 1, 0, 0, 1];
 * precisionRecallF1(pred, target, { average: 'macro' }); // precision 0.2222, recall 0.3333, f1 0.2667
 * precisionRecallF1(pred, target, { average: 'micro' }); // all 0.3333 (= accuracy)
 * precisionRecallF1(pred, target, { average: 'none' });  // precision [0.667, 0, 0], recall [1, 0, 0], f1 [0.8, 0, 0]
 * ```
 */
export function precisionRecallF1(
  pred: MetricInput,
  target: MetricInput,
  options: PrecisionRecallF1Options & { average: 'none' },
): PerClassScores;
export function precisionRecallF1(
  pred: MetricInput,
  target: MetricInput,
  options?: PrecisionRecallF1Options & { average?: 'macro' | 'micro' | 'weighted' },
): AveragedScores;
export function precisionRecallF1(
  pred: MetricInput,
  target: MetricInput,
  options: PrecisionRecallF1Options = {},
): AveragedScores | PerClassScores {
  const op = 'precisionRecallF1';
  checkOptions(op, options, ['numClasses', 'average', 'zeroDivision']);
  const average = options.average ?? 'macro';
  if (!['macro', 'micro', 'weighted', 'none'].includes(average)) {
    throw new ValueError(`${op}: average must be 'macro', 'micro', 'weighted' or 'none', got ${String(average)}`);
  }
  const zd = options.zeroDivision ?? 0;
  if (!(zd === 0 || zd === 1 || Number.isNaN(zd))) {
    throw new ValueError(`${op}: zeroDivision must be 0, 1 or NaN, got ${String(zd)}`);
  }
  const { counts: cm, numClasses: c } = confusionCounts(op, pred, target, options.numClasses);
  const tp = new Array<number>(c).fill(0);
  const predicted = new Array<number>(c).fill(0);
  const support = new Array<number>(c).fill(0);
  for (let i = 0; i < c; i++) {
    tp[i] = cm[i * c + i];
    for (let j = 0; j < c; j++) {
      support[i] += cm[i * c + j];
      predicted[j] += cm[i * c + j];
    }
  }
  const n = support.reduce((a, b) => a + b, 0);
  checkNotEmpty(op, n);

  const ill = { precision: [] as number[], recall: [] as number[], f1: [] as number[] };
  const divide = (num: number, den: number, list: number[], cls: number): number => {
    if (den !== 0) return num / den;
    list.push(cls);
    return zd;
  };
  const precision = tp.map((t, k) => divide(t, predicted[k], ill.precision, k));
  const recall = tp.map((t, k) => divide(t, support[k], ill.recall, k));
  const f1 = tp.map((t, k) => divide(2 * t, predicted[k] + support[k], ill.f1, k));
  const warnings = warningsFor(ill, zd);

  if (average === 'none') return { precision, recall, f1, support, illDefined: ill, warnings };
  if (average === 'micro') {
    // Summed over classes, predicted and support both total N > 0: never ill-defined.
    const tpSum = tp.reduce((a, b) => a + b, 0);
    return { precision: tpSum / n, recall: tpSum / n, f1: (2 * tpSum) / (2 * n), support: n, illDefined: ill, warnings };
  }
  const weights = average === 'weighted' ? support : null;
  return {
    precision: nanAverage(precision, weights),
    recall: nanAverage(recall, weights),
    f1: nanAverage(f1, weights),
    support: n,
    illDefined: ill,
    warnings,
  };
}

/** Weighted mean of the non-NaN values (sklearn's `_nanaverage`); NaN when every value is NaN. */
function nanAverage(values: readonly number[], weights: readonly number[] | null): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    const w = weights === null ? 1 : weights[i];
    num += w * values[i];
    den += w;
  }
  return den === 0 ? NaN : num / den;
}

function warningsFor(ill: IllDefined, zd: number): string[] {
  const out: string[] = [];
  const say = (what: string, classes: readonly number[], why: string): void => {
    if (classes.length > 0) out.push(`${what} is ill-defined and set to ${zd} for classes [${classes.join(', ')}] (${why})`);
  };
  say('precision', ill.precision, 'no predicted samples');
  say('recall', ill.recall, 'no true samples');
  say('f1', ill.f1, 'no true nor predicted samples');
  return out;
}
