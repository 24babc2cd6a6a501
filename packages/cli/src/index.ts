/**
 * @dl/cli: the `dl` command (train, evaluate and use @dl models from a terminal) and the pieces
 * it is made of, for programs that want to drive a training run themselves.
 *
 * ```ts
 * import { run, processContext } from '@dl/cli';
 * const argv = ['train', '--epochs', '2', '--out', 'runs/quick'];
 * const code = await run(argv, processContext(argv)); // 0; runs/quick/report.html written
 * ```
 *
 * From a shell: `npx dl train`, `npx dl eval --checkpoint runs/mnist-mlp/checkpoint.safetensors`,
 * `npx dl predict --checkpoint runs/mnist-mlp/checkpoint.safetensors digit.png`.
 */
export { main, run } from './main';
export {
  BACKEND_NAMES,
  COMMAND_NAMES,
  DATASET_NAMES,
  DEFAULT_LR,
  EVAL_OPTIONS,
  MODEL_NAMES,
  OPTIMIZER_NAMES,
  PREDICT_OPTIONS,
  TRAIN_OPTIONS,
  helpText,
  parseArgs,
  type BackendName,
  type Command,
  type CommandName,
  type DatasetName,
  type EvalArgs,
  type HelpArgs,
  type ModelName,
  type OptimizerName,
  type PredictArgs,
  type TrainArgs,
  type VersionArgs,
} from './args';
export { parseOptions, type OptionKind, type OptionSpec, type OptionValue, type ParsedOptions } from './options';
export { CliError, UsageError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE } from './errors';
export { processContext, type CliContext } from './context';
export { buildModel, countParameters, type ModelSpec } from './models';
export { makeOptimizer, type OptimizerSettings } from './optimizers';
export { loadData, loadSplit, type LoadDataOptions, type SplitData } from './datasets';
export {
  evaluate,
  epochLine,
  trainLoop,
  type ClassificationData,
  type Evaluation,
  type ImageDataset,
  type RunProgress,
  type StopSignal,
  type TrainLoopOptions,
  type TrainLoopResult,
} from './training';
export {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  epochSeed,
  loadCheckpoint,
  saveCheckpoint,
  serializeCheckpoint,
  type CheckpointState,
  type EpochRecord,
  type LoadedCheckpoint,
  type PartialEpoch,
  type RunSettings,
} from './checkpoint';
export { writeFileAtomic, type AtomicFs } from './atomic';
export { ProgressReporter, renderBar, renderLogLine, type BatchProgress, type OutputStream } from './progress';
export { REPORT_FILE, escapeHtml, inlineSvg, renderReport, writeReport, type ClassScores, type ReportInput } from './report';
export { METRICS_FILE, toHistory, writeRunOutputs, type RunOutputsInput } from './run-outputs';
export { prepareImage, resizeArea, type DecodedImage, type PrepareOptions, type PreparedImage } from './image';
export { runTrain, resumeSettings, settingsFromArgs } from './commands/train';
export { runEval, formatConfusionMatrix } from './commands/eval';
export { runPredict, topK, type Prediction } from './commands/predict';
