/**
 * @dl/metrics: classification and regression metrics with sklearn's semantics, a per-epoch
 * `History` exported as JSON/CSV, and plots as files: learning curves and confusion-matrix heatmaps
 * (SVG, rendered server-side by Vega-Lite) and prediction grids (PNG).
 *
 * ```ts
 * import { accuracy, confusionMatrix, History, learningCurvesSVG } from '@dl/metrics';
 * accuracy(logits, labels);                 // logits [N, C] -> argmax, labels [N]
 * confusionMatrix(logits, labels, 10);      // int32 [10, 10], rows = true, columns = predicted
 * ```
 */
export {
  accuracy,
  confusionMatrix,
  normalizeConfusionMatrix,
  topKAccuracy,
  type ConfusionMatrixInput,
  type ConfusionNormalize,
} from './classification';
export {
  precisionRecallF1,
  type AveragedScores,
  type Average,
  type IllDefined,
  type PerClassScores,
  type PrecisionRecallF1Options,
} from './precision-recall';
export { mae, mse, r2, rmse, type Multioutput, type R2Options, type RegressionOptions } from './regression';
export type { MetricInput, NestedNumbers, TensorHolder } from './input';
export { History, type BestValue, type HistoryJSON, type HistoryRow, type JSONNumber, type MetricValues } from './history';
export { writeFileAtomic } from './atomic';
export {
  learningCurvesSVG,
  learningCurvesSpec,
  saveLearningCurvesSVG,
  type LearningCurvesOptions,
} from './plots/learning-curves';
export {
  confusionMatrixSVG,
  confusionMatrixSpec,
  saveConfusionMatrixSVG,
  type ConfusionMatrixPlotOptions,
} from './plots/confusion-matrix-plot';
export {
  CORRECT_COLOR,
  WRONG_COLOR,
  predictionGridPNG,
  savePredictionGridPNG,
  type PredictionGridOptions,
} from './plots/prediction-grid';
export { FONT_CHARACTERS, drawText, textWidth, type RGB, type RGBAImage } from './plots/font';
