/**
 * Regression metrics with sklearn's semantics: `mse`, `rmse`, `mae`, `r2`.
 *
 * Inputs are `[N]` (one output) or `[N, D]` (D outputs; more dims are flattened to
 * `[N, D = numel / N]`), pred and target of the same shape (`[N]` and `[N, 1]` are the same thing,
 * as in sklearn; any other mismatch is an error rather than a broadcast). Sums run in float64.
 *
 * With several outputs, `multioutput` says what is returned (sklearn's `multioutput`):
 * `'uniformAverage'` (default) the mean of the per-output scores, `'rawValues'` one score per
 * output, and for `r2` also `'varianceWeighted'` (the mean weighted by each target's variance).
 */
import { ShapeError, ValueError, checkOptions, fmtShape } from '@dl/tensor';
import { checkNotEmpty, readInput, type MetricInput } from './input';

/** How per-output scores are combined (sklearn's `multioutput`). */
export type Multioutput = 'uniformAverage' | 'rawValues';

export interface RegressionOptions {
  /** `'uniformAverage'` (default): one number; `'rawValues'`: one number per output column. */
  multioutput?: Multioutput;
}

export interface R2Options {
  /** As `RegressionOptions`, plus `'varianceWeighted'`: per-output scores weighted by the targets' variances. */
  multioutput?: Multioutput | 'varianceWeighted';
  /**
   * sklearn's `force_finite` (default true): a constant target gives 1 for a perfect prediction and
   * 0 otherwise, instead of NaN (0/0) and -Infinity (x/0).
   */
  forceFinite?: boolean;
}

interface Columns {
  pred: ArrayLike<number>;
  target: ArrayLike<number>;
  n: number;
  d: number;
}

function readPair(op: string, pred: MetricInput, target: MetricInput): Columns {
  const p = readInput(op, 'pred', pred);
  const t = readInput(op, 'target', target);
  const asMatrix = (s: readonly number[], what: string): [number, number] => {
    if (s.length === 0) throw new ShapeError(`${op}: ${what} is a scalar (shape []); pass values of shape [N] or [N, D]`);
    const n = s[0];
    const d = s.slice(1).reduce((a, b) => a * b, 1);
    return [n, d];
  };
  const [pn, pd] = asMatrix(p.shape, 'pred');
  const [tn, td] = asMatrix(t.shape, 'target');
  const same = p.shape.length === t.shape.length && p.shape.every((v, i) => v === t.shape[i]);
  const column = pn === tn && pd === 1 && td === 1; // [N] vs [N, 1]
  if (!same && !column) {
    throw new ShapeError(
      `${op}: pred ${fmtShape(p.shape)} and target ${fmtShape(t.shape)} must have the same shape ([N] and [N, 1] count as equal); reshape one of them (e.g. pred.reshape(-1) for a [N, 1] model output)`,
    );
  }
  checkNotEmpty(op, tn);
  return { pred: p.values, target: t.values, n: tn, d: td };
}

function finish(op: string, perOutput: number[], multioutput: string | undefined): number | number[] {
  const mode = multioutput ?? 'uniformAverage';
  if (mode === 'rawValues') return perOutput;
  if (mode !== 'uniformAverage') {
    throw new ValueError(`${op}: multioutput must be 'uniformAverage' or 'rawValues', got ${String(mode)}`);
  }
  return perOutput.reduce((a, b) => a + b, 0) / perOutput.length;
}

/** Per-output mean of `f(pred - target)`. */
function meanPerOutput(cols: Columns, f: (diff: number) => number): number[] {
  const { pred, target, n, d } = cols;
  const out = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j] += f(pred[i * d + j] - target[i * d + j]);
  return out.map((s) => s / n);
}

/**
 * Mean squared error `MSE = (1/N) sum_i (pred_i - target_i)^2` (sklearn's `mean_squared_error`).
 *
 * ```ts
 * mse([2.5, 0.0, 2, 8], [3, -0.5, 2, 7]); // 0.375
 * ```
 */
export function mse(pred: MetricInput, target: MetricInput, options?: RegressionOptions & { multioutput?: 'uniformAverage' }): number;
export function mse(pred: MetricInput, target: MetricInput, options: RegressionOptions & { multioutput: 'rawValues' }): number[];
export function mse(pred: MetricInput, target: MetricInput, options: RegressionOptions = {}): number | number[] {
  checkOptions('mse', options, ['multioutput']);
  return finish('mse', meanPerOutput(readPair('mse', pred, target), (e) => e * e), options.multioutput);
}

/**
 * Root mean squared error `RMSE = sqrt(MSE)`, per output, then averaged (sklearn's
 * `root_mean_squared_error`: with several outputs this is the mean of the per-output RMSEs, not the
 * square root of the overall MSE).
 *
 * ```ts
 * rmse([2.5, 0.0, 2, 8], [3, -0.5, 2, 7]); // 0.6123724356957945
 * ```
 */
export function rmse(pred: MetricInput, target: MetricInput, options?: RegressionOptions & { multioutput?: 'uniformAverage' }): number;
export function rmse(pred: MetricInput, target: MetricInput, options: RegressionOptions & { multioutput: 'rawValues' }): number[];
export function rmse(pred: MetricInput, target: MetricInput, options: RegressionOptions = {}): number | number[] {
  checkOptions('rmse', options, ['multioutput']);
  const perOutput = meanPerOutput(readPair('rmse', pred, target), (e) => e * e).map(Math.sqrt);
  return finish('rmse', perOutput, options.multioutput);
}

/**
 * Mean absolute error `MAE = (1/N) sum_i |pred_i - target_i|` (sklearn's `mean_absolute_error`).
 *
 * ```ts
 * mae([2.5, 0.0, 2, 8], [3, -0.5, 2, 7]); // 0.5
 * ```
 */
export function mae(pred: MetricInput, target: MetricInput, options?: RegressionOptions & { multioutput?: 'uniformAverage' }): number;
export function mae(pred: MetricInput, target: MetricInput, options: RegressionOptions & { multioutput: 'rawValues' }): number[];
export function mae(pred: MetricInput, target: MetricInput, options: RegressionOptions = {}): number | number[] {
  checkOptions('mae', options, ['multioutput']);
  return finish('mae', meanPerOutput(readPair('mae', pred, target), Math.abs), options.multioutput);
}

/**
 * Coefficient of determination (sklearn's `r2_score`), per output:
 *
 * ```
 * R^2 = 1 - SS_res / SS_tot,  SS_res = sum_i (target_i - pred_i)^2,  SS_tot = sum_i (target_i - mean(target))^2
 * ```
 *
 * 1 is a perfect fit, 0 is as good as predicting the mean, and it can be any negative number.
 * A constant target (`SS_tot = 0`) gives 1 for a perfect prediction and 0 otherwise (with
 * `forceFinite: false`: NaN and -Infinity). Fewer than two samples give NaN, as in sklearn (which
 * warns).
 *
 * ```ts
 * r2([2.5, 0.0, 2, 8], [3, -0.5, 2, 7]); // 0.9486081370449679
 * r2([1, 2, 3], [1, 2, 3]);              // 1
 * r2([2, 2, 2], [1, 2, 3]);              // 0
 * r2([3, 2, 1], [1, 2, 3]);              // -3
 * ```
 */
export function r2(pred: MetricInput, target: MetricInput, options?: R2Options & { multioutput?: 'uniformAverage' | 'varianceWeighted' }): number;
export function r2(pred: MetricInput, target: MetricInput, options: R2Options & { multioutput: 'rawValues' }): number[];
export function r2(pred: MetricInput, target: MetricInput, options: R2Options = {}): number | number[] {
  const op = 'r2';
  checkOptions(op, options, ['multioutput', 'forceFinite']);
  const cols = readPair(op, pred, target);
  const { pred: p, target: t, n, d } = cols;
  const mode = options.multioutput ?? 'uniformAverage';
  if (mode !== 'uniformAverage' && mode !== 'rawValues' && mode !== 'varianceWeighted') {
    throw new ValueError(`${op}: multioutput must be 'uniformAverage', 'rawValues' or 'varianceWeighted', got ${String(mode)}`);
  }
  const forceFinite = options.forceFinite ?? true;
  if (n < 2) return mode === 'rawValues' ? new Array<number>(d).fill(NaN) : NaN;

  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += t[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const ssRes = new Array<number>(d).fill(0);
  const ssTot = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      ssRes[j] += (t[k] - p[k]) ** 2;
      ssTot[j] += (t[k] - mean[j]) ** 2;
    }
  }
  const scores = ssRes.map((res, j) => {
    const tot = ssTot[j];
    if (tot !== 0) return 1 - res / tot;
    if (res === 0) return forceFinite ? 1 : NaN;
    return forceFinite ? 0 : -Infinity;
  });
  if (mode === 'rawValues') return scores;
  const totalWeight = ssTot.reduce((a, b) => a + b, 0);
  // varianceWeighted weighs by SS_tot; when every target is constant sklearn falls back to the uniform mean.
  if (mode === 'uniformAverage' || totalWeight === 0) return scores.reduce((a, b) => a + b, 0) / d;
  let s = 0;
  for (let j = 0; j < d; j++) s += ssTot[j] * scores[j];
  return s / totalWeight;
}
