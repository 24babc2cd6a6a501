/**
 * The files `dl train` leaves in `--out` when training ends:
 *
 * | file                    | what |
 * |-------------------------|------|
 * | checkpoint.safetensors  | (written by the loop) weights, optimizer state, history, settings of the last epoch |
 * | best.safetensors        | (written by the loop) the same of the best epoch by validation accuracy |
 * | metrics.json            | settings, the sizes of the three sets, the best epoch and its validation metrics, the test metrics of its model (loss, accuracy, confusion matrix, per-class P/R/F1), history, timings, environment |
 * | history.csv             | one row per epoch: trainLoss, trainAcc, valLoss, valAcc (validation set), lr, seconds |
 * | learning-curves.svg     | loss and accuracy per epoch, train and validation |
 * | confusion-matrix.svg    | the test confusion matrix (best epoch's model) as a heatmap |
 * | predictions.png         | the first 40 test images with true and predicted labels, mistakes in red |
 * | report.html             | all of the above in one self-contained page |
 *
 * With `--no-report` only checkpoint, metrics.json and history.csv are written. Every file is
 * written atomically.
 */
import { arch, cpus, platform } from 'os';
import { join } from 'path';
import { DataLoader } from '@dl/data';
import type { Sequential } from '@dl/layers';
import type { Tensor } from '@dl/tensor';
import { History, confusionMatrix, confusionMatrixSVG, learningCurvesSVG, precisionRecallF1, predictionGridPNG } from '@dl/metrics';
import { writeFileAtomic } from './atomic';
import type { EpochRecord } from './checkpoint';
import { matrixRows } from './commands/eval';
import { countParameters } from './models';
import { REPORT_WIDTH, writeReport, type ClassScores, type ReportInput } from './report';
import { asBatch, type ClassificationData, type Evaluation, type TrainSettings } from './training';

export const METRICS_FILE = 'metrics.json';
/** How many test images the prediction grid shows. */
export const GRID_IMAGES = 40;

export interface RunOutputsInput {
  out: string;
  report: boolean;
  commandLine: string;
  settings: TrainSettings;
  data: ClassificationData;
  /** The model as tested: the best epoch's weights. */
  model: Sequential;
  history: readonly EpochRecord[];
  /** The epoch whose model was tested (the best by validation accuracy), its validation metrics and checkpoint. */
  best: BestEpoch;
  /** The test split's results of that model. */
  test: Evaluation;
  /** The last epoch's checkpoint. */
  checkpoint: string;
  timings: { totalSeconds: number; dataSeconds: number; trainSeconds: number; evalSeconds: number };
  environment: { backend: string; version: string };
  now: () => number;
}

/**
 * The prediction grid of the report: test images 3x, labels in the 5x7 font at 2x, as many
 * columns (up to 10) as fit the report's width, so that the page shows it unscaled and long class
 * names (Fashion-MNIST's) stay apart and readable: MNIST gets 10 columns, Fashion-MNIST 5.
 */
export function predictionGrid(x: Tensor, targets: Int32Array, predictions: Int32Array, classNames: readonly string[]): Buffer {
  return predictionGridPNG(x, targets, predictions, { classNames, cols: 10, maxWidth: REPORT_WIDTH, range: [0, 1], scale: 3, textScale: 2 });
}

/** The epoch whose model `dl train` tests. */
export interface BestEpoch {
  epoch: number;
  valLoss: number;
  valAccuracy: number;
  checkpoint: string;
}

/** The per-epoch records as a @dl/metrics History (names: trainLoss, trainAcc, valLoss, valAcc, lr, seconds). */
export function toHistory(records: readonly EpochRecord[]): History {
  const h = new History();
  for (const r of records) {
    h.record(r.epoch, { trainLoss: r.trainLoss, trainAcc: r.trainAccuracy, valLoss: r.valLoss, valAcc: r.valAccuracy, lr: r.lr, seconds: r.seconds });
  }
  return h;
}

/** Writes the outputs (see the module comment); returns `[what, path]` of each file written. */
export async function writeRunOutputs(o: RunOutputsInput): Promise<[string, string][]> {
  const written: [string, string][] = [];
  const c = o.data.classes.length;
  const { predictions, targets } = o.test;
  const cm = matrixRows(confusionMatrix(predictions, targets, c).toTypedArray(), c);
  const per = precisionRecallF1(predictions, targets, { numClasses: c, average: 'none' });
  const macro = precisionRecallF1(predictions, targets, { numClasses: c, average: 'macro' });
  const perClass: ClassScores[] = o.data.classes.map((_, i) => ({ precision: per.precision[i], recall: per.recall[i], f1: per.f1[i], support: per.support[i] }));
  const history = toHistory(o.history);
  const trained = o.history.reduce((s, r) => s + r.samplesPerSecond * r.seconds, 0);
  const trainTime = o.history.reduce((s, r) => s + r.seconds, 0);
  const timings = { ...o.timings, samplesPerSecond: trainTime > 0 ? trained / trainTime : 0 };
  const cpu = cpus();
  const environment: Record<string, string> = {
    date: new Date().toISOString(),
    dl: `@dl/cli ${o.environment.version}`,
    node: process.version,
    backend: o.environment.backend,
    platform: `${platform()} ${arch()}`,
    cpu: cpu.length > 0 ? `${cpu[0].model.trim()} (${cpu.length} threads)` : 'unknown',
  };
  const metrics = {
    format: 'dl-run-metrics',
    version: 1,
    settings: o.settings,
    data: {
      description: o.data.description,
      trainSamples: o.data.train.length,
      valSamples: o.data.val.length,
      testSamples: o.data.test.length,
      valSplit: o.settings.valSplit,
      inputShape: o.data.inputShape,
      classes: o.data.classes,
    },
    model: { name: o.settings.model, parameters: countParameters(o.model) },
    best: { epoch: o.best.epoch, valLoss: o.best.valLoss, valAccuracy: o.best.valAccuracy, valSamples: o.data.val.length, checkpoint: o.best.checkpoint },
    test: {
      epoch: o.best.epoch,
      loss: o.test.loss,
      accuracy: o.test.accuracy,
      correct: o.test.correct,
      samples: o.test.samples,
      macro: { precision: macro.precision, recall: macro.recall, f1: macro.f1 },
      perClass: o.data.classes.map((name, i) => ({ class: name, ...perClass[i] })),
      confusionMatrix: cm,
    },
    history: history.toJSON(),
    timings,
    environment,
    checkpoint: o.checkpoint,
  };
  const metricsJson = JSON.stringify(metrics, null, 2);
  const metricsPath = join(o.out, METRICS_FILE);
  writeFileAtomic(metricsPath, `${metricsJson}\n`);
  written.push(['metrics', metricsPath]);
  const csvPath = join(o.out, 'history.csv');
  writeFileAtomic(csvPath, history.toCSV());
  written.push(['history', csvPath]);
  if (!o.report) return written;

  const title = `dl train: ${o.settings.model} on ${o.data.description}`;
  const learningCurvesSvg = await learningCurvesSVG(history, { idPrefix: 'lc-' });
  const confusionMatrixSvg = await confusionMatrixSVG(cm, { classNames: o.data.classes, idPrefix: 'cm-' });
  const n = Math.min(GRID_IMAGES, o.data.test.length);
  const [x] = asBatch(new DataLoader(o.data.test, { batchSize: n }).fetch(Array.from({ length: n }, (_, i) => i)), 'prediction grid');
  const predictionGridPng = predictionGrid(x, targets.subarray(0, n), predictions.subarray(0, n), o.data.classes);
  for (const [what, file, content] of [
    ['learning curves', 'learning-curves.svg', learningCurvesSvg],
    ['confusion matrix', 'confusion-matrix.svg', confusionMatrixSvg],
    ['predictions', 'predictions.png', predictionGridPng],
  ] as const) {
    const path = join(o.out, file);
    writeFileAtomic(path, content);
    written.push([what, path]);
  }
  const input: ReportInput = {
    title,
    commandLine: o.commandLine,
    settings: o.settings,
    dataDescription: o.data.description,
    trainSamples: o.data.train.length,
    valSamples: o.data.val.length,
    testSamples: o.data.test.length,
    inputShape: o.data.inputShape,
    classes: o.data.classes,
    modelText: o.model.toString(),
    parameterCount: countParameters(o.model),
    history: o.history,
    best: o.best,
    final: { loss: o.test.loss, accuracy: o.test.accuracy, correct: o.test.correct, samples: o.test.samples },
    perClass,
    macro: { precision: macro.precision, recall: macro.recall, f1: macro.f1 },
    confusion: cm,
    timings,
    environment,
    learningCurvesSvg,
    confusionMatrixSvg,
    predictionGridPng,
    metricsJson,
    metricsFile: METRICS_FILE,
    checkpointFile: o.checkpoint,
    bestCheckpointFile: o.best.checkpoint,
  };
  written.push(['report', writeReport(o.out, input)]);
  return written;
}
