/**
 * Classification metrics on class indices or scores: accuracy, top-k accuracy, the confusion
 * matrix (sklearn's layout) and its normalisations.
 *
 * `pred` is either class indices `[N]` or scores `[N, C]` (logits or probabilities; the predicted
 * class is the argmax over dim 1, the first maximum on ties, NaN counting as the maximum as in
 * `torch.argmax`). `target` is class indices `[N]` (a `[N, 1]` column is accepted). Both may be
 * Tensors, Variables (anything with `.data`), arrays or typed arrays.
 */
import { Tensor, ShapeError, ValueError, fmtShape } from '@dl/tensor';
import {
  checkNotEmpty,
  checkPositiveInt,
  checkSameLength,
  greater,
  readInput,
  readLabels,
  readPredictions,
  type MetricInput,
} from './input';

/**
 * Fraction of samples whose predicted class equals the target:
 * `accuracy = (1/N) sum_i [argmax(pred_i) == target_i]`, in [0, 1] (sklearn's `accuracy_score`).
 *
 * ```ts
 * accuracy([0, 2, 1, 3], [0, 1, 2, 3]);            // 0.5
 * accuracy([[0.1, 0.9], [0.8, 0.2]], [1, 1]);       // 0.5 (logits [N, C] -> argmax)
 * ```
 */
export function accuracy(pred: MetricInput, target: MetricInput): number {
  const op = 'accuracy';
  const p = readPredictions(op, pred);
  const t = readLabels(op, 'target', target, p.numClasses, 'the scores in pred');
  checkSameLength(op, p.labels, t);
  checkNotEmpty(op, t.length);
  let correct = 0;
  for (let i = 0; i < t.length; i++) if (p.labels[i] === t[i]) correct++;
  return correct / t.length;
}

/**
 * Fraction of samples whose target class is among the `k` highest scores:
 * `(1/N) sum_i [rank_i(target_i) < k]`, where `rank_i(c)` counts the classes scored above `c`
 * (ties: a lower class index ranks first, so `k = 1` is exactly `accuracy`). `scores` is `[N, C]`,
 * `1 <= k <= C`. sklearn's `top_k_accuracy_score` breaks ties the other way (higher index first);
 * the two agree whenever the scores of a row are distinct.
 *
 * ```ts
 * topKAccuracy([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]], [0, 1, 2, 2], 2); // 0.75
 * ```
 */
export function topKAccuracy(scores: MetricInput, target: MetricInput, k: number): number {
  const op = 'topKAccuracy';
  const { values, shape } = readInput(op, 'scores', scores);
  if (shape.length !== 2) {
    throw new ShapeError(`${op}: scores must be [N, C] (logits or probabilities), got shape ${fmtShape(shape)}`);
  }
  const [n, c] = shape;
  checkPositiveInt(op, 'k', k);
  if (k > c) throw new ValueError(`${op}: k = ${k} is larger than the number of classes C = ${c} (scores ${fmtShape(shape)}); use 1 <= k <= C`);
  const t = readLabels(op, 'target', target, c, 'the scores');
  if (t.length !== n) {
    throw new ShapeError(`${op}: scores ${fmtShape(shape)} have ${n} samples but target has ${t.length}`);
  }
  checkNotEmpty(op, n);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const label = t[i];
    const s = values[row + label];
    let rank = 0;
    for (let j = 0; j < c && rank < k; j++) {
      const v = values[row + j];
      // Classes scored higher, and equal scores at a lower index (NaN equals NaN here).
      if (greater(v, s) || (j < label && (v === s || (v !== v && s !== s)))) rank++;
    }
    if (rank < k) hits++;
  }
  return hits / n;
}

/**
 * The confusion matrix `M` as an int32 Tensor `[C, C]`: `M[i][j]` counts samples of true class `i`
 * predicted as class `j` (rows = true class, columns = predicted, as sklearn's
 * `confusion_matrix`). `M.sum() == N`, and the diagonal holds the correct predictions.
 *
 * `numClasses` defaults to C of scores `[N, C]`, else to `max(label) + 1` over pred and target;
 * pass it so that classes absent from a small batch still get a row and a column.
 *
 * ```ts
 * confusionMatrix([0, 0, 2, 2, 0, 2], [2, 0, 2, 2, 0, 1], 3).toArray();
 * // [[2, 0, 0],
 * //  [0, 0, 1],
 * //  [1, 0, 2]]
 * ```
 */
export function confusionMatrix(pred: MetricInput, target: MetricInput, numClasses?: number): Tensor {
  const { counts, numClasses: c } = confusionCounts('confusionMatrix', pred, target, numClasses);
  return new Tensor(counts, [c, c]);
}

/**
 * The confusion matrix's counts, row-major, with errors naming `op`.
 * @internal shared with precisionRecallF1.
 */
export function confusionCounts(
  op: string,
  pred: MetricInput,
  target: MetricInput,
  numClasses?: number,
): { counts: Int32Array; numClasses: number } {
  if (numClasses !== undefined) checkPositiveInt(op, 'numClasses', numClasses);
  const { labels: p, numClasses: scoreClasses } = readPredictions(op, pred, numClasses);
  const t = readLabels(op, 'target', target, numClasses ?? scoreClasses, numClasses !== undefined ? 'numClasses' : 'the scores in pred');
  checkSameLength(op, p, t);
  if (numClasses === undefined && scoreClasses === undefined && t.length === 0) {
    throw new ValueError(`${op}: cannot infer the number of classes from 0 samples; pass numClasses`);
  }
  const c = numClasses ?? scoreClasses ?? Math.max(...maxOf(p, t)) + 1;
  const counts = new Int32Array(c * c);
  for (let i = 0; i < t.length; i++) counts[t[i] * c + p[i]]++;
  return { counts, numClasses: c };
}

function maxOf(a: Int32Array, b: Int32Array): [number, number] {
  let ma = -1;
  let mb = -1;
  for (let i = 0; i < a.length; i++) if (a[i] > ma) ma = a[i];
  for (let i = 0; i < b.length; i++) if (b[i] > mb) mb = b[i];
  return [ma, mb];
}

/** How to normalise a confusion matrix (sklearn's `normalize`): over true rows, predicted columns or everything. */
export type ConfusionNormalize = 'true' | 'pred' | 'all';

/** A confusion matrix as a square matrix of counts: a Tensor `[C, C]` or nested arrays. */
export type ConfusionMatrixInput = MetricInput;

/**
 * Reads a confusion matrix `[C, C]` of non-negative finite values into flat row-major numbers.
 * @internal used by the plots too.
 */
export function readConfusionMatrix(op: string, cm: unknown): { values: Float64Array; size: number } {
  const { values, shape } = readInput(op, 'cm', cm);
  if (shape.length !== 2 || shape[0] !== shape[1] || shape[0] === 0) {
    throw new ShapeError(`${op}: cm must be a square matrix [C, C] with C >= 1 (rows = true class, columns = predicted), got shape ${fmtShape(shape)}`);
  }
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (!(out[i] >= 0) || !Number.isFinite(out[i])) {
      const c = shape[0];
      throw new ValueError(`${op}: cm[${Math.floor(i / c)}][${i % c}] = ${out[i]}; counts must be finite and non-negative`);
    }
  }
  return { values: out, size: shape[0] };
}

/**
 * A float64 Tensor `[C, C]` of the confusion matrix normalised as sklearn does:
 * `'true'` divides each row by its sum (row i: how true class i was predicted; the diagonal is the
 * per-class recall), `'pred'` each column by its sum (the diagonal is the per-class precision),
 * `'all'` everything by the total. A row/column/total of zero gives zeros (sklearn's `nan_to_num`).
 *
 * ```ts
 * normalizeConfusionMatrix([[2, 0], [1, 3]], 'true').toArray(); // [[1, 0], [0.25, 0.75]]
 * ```
 */
export function normalizeConfusionMatrix(cm: ConfusionMatrixInput, normalize: ConfusionNormalize): Tensor {
  const op = 'normalizeConfusionMatrix';
  const { values, size: c } = readConfusionMatrix(op, cm);
  if (normalize !== 'true' && normalize !== 'pred' && normalize !== 'all') {
    throw new ValueError(`${op}: normalize must be 'true' (rows), 'pred' (columns) or 'all', got ${String(normalize)}`);
  }
  const out = new Float64Array(c * c);
  const rowSum = new Float64Array(c);
  const colSum = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const v = values[i * c + j];
      rowSum[i] += v;
      colSum[j] += v;
      total += v;
    }
  }
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const d = normalize === 'true' ? rowSum[i] : normalize === 'pred' ? colSum[j] : total;
      out[i * c + j] = d === 0 ? 0 : values[i * c + j] / d;
    }
  }
  return new Tensor(out, [c, c]);
}
