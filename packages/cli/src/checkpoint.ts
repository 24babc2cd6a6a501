/**
 * Checkpoints of `dl train`: one safetensors file holding everything needed to continue a run
 * exactly where it stopped, or to evaluate / use the model.
 *
 * Format (`DIR/checkpoint.safetensors`, written atomically after every epoch and on Ctrl-C):
 *
 *     tensors   model.<name>                  the model's state dict (`model.1.weight` [300, 784] F32, ...)
 *               optimizer.<i>.<buffer>        optimizer buffers of parameter i (`optimizer.0.expAvg`, ...),
 *                                             i counting parameters in model.parameters() order
 *     metadata  format   "dl-checkpoint"
 *               version  "1"
 *               epoch    completed epochs, for people reading the header ("3")
 *               state    JSON of {@link CheckpointState}: the model's name, input shape and classes, the
 *                        training settings (seed included), the epoch and the batch within the next
 *                        epoch where training stopped, the running sums of that partial epoch, the
 *                        per-epoch history, the optimizer's parameter groups and per-parameter step counts
 *               dl.sha256  each tensor's dtype and SHA-256 (written by @dl/layers' serialize, verified
 *                        on load: a damaged or edited file is refused, naming the tensor)
 *
 * Shuffling needs no saved random state: epoch e's order is drawn from a generator seeded with
 * {@link epochSeed}(seed, e), so a resumed run replays the same orders. Everything else that is
 * random (the initial weights) is in the weights themselves.
 *
 * PyTorch reads it too: `safetensors.torch.load_file(path)` gives the tensors; the model's are
 * those under `model.` (strip the prefix for `load_state_dict`).
 *
 * ```ts
 * saveCheckpoint('runs/x/checkpoint.safetensors', { model, optimizer, state });
 * const ck = loadCheckpoint('runs/x/checkpoint.safetensors');
 * model.loadStateDict(ck.modelState);
 * optimizer.loadStateDict(ck.optimizerState);
 * ```
 */
import * as fs from 'fs';
import { SafetensorsChecksumError, SafetensorsError, deserializeWithMetadata, serialize, type Module, type StateDict } from '@dl/layers';
import type { Optimizer, OptimizerStateDict, ParamGroupStateDict, ParamStateDict } from '@dl/optim';
import { Tensor } from '@dl/tensor';
import { DATASET_NAMES, MODEL_NAMES, OPTIMIZER_NAMES, type DatasetName, type ModelName, type OptimizerName } from './args';
import { writeFileAtomic, type AtomicFs } from './atomic';
import { CliError } from './errors';

export const CHECKPOINT_FORMAT = 'dl-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** The file name `dl train` writes in its output directory. */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** One epoch's results, as kept in the history. Losses are means over samples; accuracies are 0..1. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** Wall-clock seconds of the epoch's training (validation excluded). */
  seconds: number;
  /** Seconds of the epoch's validation pass. */
  valSeconds: number;
  samplesPerSecond: number;
  lr: number;
}

/** The settings of a run that a checkpoint keeps (the `dl train` options, resolved). */
export interface RunSettings {
  model: ModelName;
  dataset: DatasetName;
  dataDir: string | null;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  momentum: number;
  weightDecay: number;
  seed: number;
  trainSize: number | null;
  testSize: number | null;
}

/** Running sums of an epoch stopped in the middle (Ctrl-C), so that the resumed epoch reports the same means. */
export interface PartialEpoch {
  lossSum: number;
  correct: number;
  samples: number;
  seconds: number;
}

/** Everything of a checkpoint but the tensors (stored as JSON in the `state` metadata). */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  settings: RunSettings;
  /** One sample's shape [C, H, W], the class names, and whether images are light strokes on a dark ground (MNIST). */
  inputShape: [number, number, number];
  classes: string[];
  lightOnDark: boolean;
  /** Completed epochs. */
  epoch: number;
  /** Batches already done in epoch `epoch + 1` (0 at an epoch boundary). */
  batch: number;
  partial: PartialEpoch | null;
  history: EpochRecord[];
  optimizer: {
    name: OptimizerName;
    paramGroups: ParamGroupStateDict[];
    /** Step count per parameter index, for parameters the optimizer has updated. */
    steps: Record<string, number>;
    stepCount: number;
  };
  /** Total seconds of training (all sessions), and when this file was written (ISO 8601). */
  trainSeconds: number;
  savedAt: string;
}

/** A checkpoint as read back. */
export interface LoadedCheckpoint {
  path: string;
  state: CheckpointState;
  modelState: StateDict;
  optimizerState: OptimizerStateDict;
}

/**
 * The safetensors bytes of a checkpoint (see the module comment for the layout).
 *
 * @param state everything but the tensors; its `optimizer` field is filled from `optimizer`.
 */
export function serializeCheckpoint(model: Module, optimizer: Optimizer, state: Omit<CheckpointState, 'optimizer'> & { optimizer: { name: OptimizerName } }): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) tensors[`model.${k}`] = t;
  const sd = optimizer.stateDict();
  const steps: Record<string, number> = {};
  for (const [i, entry] of Object.entries(sd.state)) {
    for (const [name, v] of Object.entries(entry)) {
      if (name === 'step') steps[i] = v as number;
      else if (v instanceof Tensor) tensors[`optimizer.${i}.${name}`] = v;
      else throw new CliError(`checkpoint: optimizer state '${name}' of parameter ${i} is neither a step count nor a tensor; cannot save it`);
    }
  }
  const full: CheckpointState = {
    ...state,
    optimizer: { name: state.optimizer.name, paramGroups: sd.paramGroups, steps, stepCount: optimizer.stepCount },
  };
  const metadata = { format: CHECKPOINT_FORMAT, version: String(CHECKPOINT_VERSION), epoch: String(state.epoch), state: JSON.stringify(full) };
  return serialize(tensors, { metadata });
}

/**
 * Writes a checkpoint atomically: a temporary file next to `path`, fsync, rename. If writing
 * fails, the previous checkpoint at `path` is untouched and no temporary file is left.
 */
export function saveCheckpoint(path: string, bytes: Uint8Array, io?: AtomicFs): void {
  writeFileAtomic(path, bytes, io);
}

/**
 * Reads and checks a checkpoint written by {@link saveCheckpoint}: the tensors against the SHA-256
 * checksums saved with them (see @dl/layers' serialization), the state's settings and counters
 * (see `checkState`), optimizer buffers being floating point. Model tensors are checked against
 * the model's own dtypes and shapes when they are loaded into it (`Module.loadStateDict`).
 *
 * @throws CliError naming the file when it is missing, not a safetensors file, damaged (checksum),
 *   not a dl checkpoint, of a newer version, or inconsistent (missing tensors, a setting that dl
 *   train could not have written, naming the setting).
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CliError(`checkpoint '${path}' does not exist; dl train writes <out>/${CHECKPOINT_FILE} (e.g. runs/mnist-mlp/${CHECKPOINT_FILE})`);
    }
    if (code === 'EISDIR') throw new CliError(`checkpoint '${path}' is a directory; give the file inside it, e.g. ${path.replace(/\/$/, '')}/${CHECKPOINT_FILE}`);
    throw new CliError(`cannot read checkpoint '${path}': ${(e as Error).message}`);
  }
  let tensors: Record<string, Tensor>;
  let metadata: Record<string, string> | null;
  try {
    ({ tensors, metadata } = deserializeWithMetadata(bytes));
  } catch (e) {
    if (e instanceof SafetensorsChecksumError) {
      throw new CliError(
        `checkpoint '${path}' is damaged: ${e.message.replace(/^[^:]*: /, '').replace(/; the file was changed after it was saved.*$/, '')}; ` +
          'it was changed after dl train saved it (disk or transfer damage, or an edit). Use an intact copy, or train again',
      );
    }
    if (e instanceof SafetensorsError) {
      throw new CliError(`checkpoint '${path}' is not a readable safetensors file (${e.message.replace(/^[^:]*: /, '')}); was it truncated? Train again or use an earlier copy`);
    }
    throw e;
  }
  const bad = (what: string): CliError => new CliError(`checkpoint '${path}': ${what}`);
  if (metadata === null || metadata.format !== CHECKPOINT_FORMAT) {
    throw bad(`a safetensors file, but not a dl checkpoint (no "format": "${CHECKPOINT_FORMAT}" metadata); give a checkpoint written by dl train`);
  }
  const version = Number(metadata.version);
  if (version !== CHECKPOINT_VERSION) {
    throw bad(`checkpoint format version ${metadata.version}, but this dl reads version ${CHECKPOINT_VERSION}; use the dl that wrote it`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata.state ?? '');
  } catch {
    throw bad('its "state" metadata is not valid JSON; the file is damaged');
  }
  const state = checkState(parsed, bad);
  const modelState: StateDict = {};
  const buffers = new Map<number, Record<string, Tensor>>();
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('model.')) modelState[name.slice('model.'.length)] = t;
    else {
      const m = /^optimizer\.(\d+)\.([A-Za-z0-9_]+)$/.exec(name);
      if (m === null) throw bad(`unexpected tensor '${name}' (expected model.* or optimizer.<index>.<buffer>)`);
      if (t.dtype !== 'float32' && t.dtype !== 'float64') {
        throw bad(`optimizer buffer '${name}' is stored as ${t.dtype}, but optimizer state is floating point (float32); the file is damaged`);
      }
      const i = Number(m[1]);
      const rec = buffers.get(i) ?? {};
      rec[m[2]] = t;
      buffers.set(i, rec);
    }
  }
  if (Object.keys(modelState).length === 0) throw bad('it holds no model.* tensors');
  const optState: Record<number, ParamStateDict> = {};
  for (const [key, step] of Object.entries(state.optimizer.steps)) {
    const i = Number(key);
    optState[i] = { step, ...(buffers.get(i) ?? {}) };
    buffers.delete(i);
  }
  if (buffers.size > 0) throw bad(`optimizer buffers for parameter ${[...buffers.keys()][0]} have no step count in the state`);
  return { path, state, modelState, optimizerState: { state: optState, paramGroups: state.optimizer.paramGroups } };
}

/** The input shape and number of classes of each dataset `dl train` reads (what a checkpoint of it must hold). */
export const DATASET_SHAPES: Record<DatasetName, { inputShape: [number, number, number]; classes: number }> = {
  mnist: { inputShape: [1, 28, 28], classes: 10 },
  'fashion-mnist': { inputShape: [1, 28, 28], classes: 10 },
  cifar10: { inputShape: [3, 32, 32], classes: 10 },
};

/**
 * Checks the `state` metadata of a checkpoint: every stored setting and counter must be one that
 * `dl train` could have written (batch size >= 1, sizes >= 1 or null, a finite positive learning
 * rate, the input shape of the dataset, an epoch within the run, a history of that many epochs,
 * ...). Resuming, evaluating or predicting from anything else would fail later with an obscure
 * message, or quietly do something else than the run did. Errors name the setting, its value and
 * what it must be.
 */
function checkState(v: unknown, bad: (what: string) => CliError): CheckpointState {
  const obj = (x: unknown, what: string): Record<string, unknown> => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw bad(`state: ${what} is missing or not an object`);
    return x as Record<string, unknown>;
  };
  const s = obj(v, 'the state');
  const settings = obj(s.settings, 'settings');
  const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  const isFinite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const need = (cond: boolean, what: string): void => {
    if (!cond) throw bad(`state: ${what}; the file is damaged or from another program`);
  };
  const show = (x: unknown): string => (x === undefined ? 'missing' : JSON.stringify(x));
  /** `settings.<key>` (the run's `--<option>`) must satisfy `ok`, described by `rule`. */
  const setting = (key: string, option: string, ok: (x: unknown) => boolean, rule: string): void =>
    need(ok(settings[key]), `settings.${key} (--${option}) is ${show(settings[key])}, but it must be ${rule}`);
  setting('model', 'model', (x) => (MODEL_NAMES as readonly unknown[]).includes(x), `one of ${MODEL_NAMES.join(', ')}`);
  setting('dataset', 'dataset', (x) => (DATASET_NAMES as readonly unknown[]).includes(x), `one of ${DATASET_NAMES.join(', ')}`);
  setting('optimizer', 'optimizer', (x) => (OPTIMIZER_NAMES as readonly unknown[]).includes(x), `one of ${OPTIMIZER_NAMES.join(', ')}`);
  setting('epochs', 'epochs', (x) => isNat(x) && x >= 1, 'a whole number >= 1');
  setting('batchSize', 'batch-size', (x) => isNat(x) && x >= 1, 'a whole number >= 1');
  setting('seed', 'seed', isNat, 'a whole number >= 0');
  setting('lr', 'lr', (x) => isFinite(x) && x > 0, 'a finite number > 0');
  setting('momentum', 'momentum', (x) => isFinite(x) && x >= 0, 'a finite number >= 0');
  setting('weightDecay', 'weight-decay', (x) => isFinite(x) && x >= 0, 'a finite number >= 0');
  setting('trainSize', 'train-size', (x) => x === null || (isNat(x) && x >= 1), 'null (all samples) or a whole number >= 1');
  setting('testSize', 'test-size', (x) => x === null || (isNat(x) && x >= 1), 'null (all samples) or a whole number >= 1');
  setting('dataDir', 'data-dir', (x) => x === null || (typeof x === 'string' && x !== ''), 'null or a directory path');
  const optimizer = settings.optimizer as OptimizerName;
  need(
    settings.momentum === 0 || ['sgd', 'momentum', 'rmsprop'].includes(optimizer),
    `settings.momentum (--momentum) is ${String(settings.momentum)}, but --optimizer ${optimizer} takes no momentum (only sgd, momentum and rmsprop do)`,
  );
  need(optimizer !== 'momentum' || (settings.momentum as number) > 0, 'settings.momentum (--momentum) is 0, but --optimizer momentum needs momentum > 0');

  // the data: the input shape and classes must be those of the dataset (or the model would not fit it)
  const dataset = settings.dataset as DatasetName;
  const want = DATASET_SHAPES[dataset];
  need(
    Array.isArray(s.inputShape) && s.inputShape.length === 3 && s.inputShape.every((n, i) => n === want.inputShape[i]),
    `inputShape is ${show(s.inputShape)}, but ${dataset} images are [${want.inputShape.join(', ')}] (settings.dataset and the model's input disagree)`,
  );
  need(
    Array.isArray(s.classes) && s.classes.length === want.classes && s.classes.every((c) => typeof c === 'string'),
    `classes is ${Array.isArray(s.classes) ? `a list of ${s.classes.length}` : show(s.classes)}, but ${dataset} has ${want.classes} class names`,
  );
  need(typeof s.lightOnDark === 'boolean', `lightOnDark is ${show(s.lightOnDark)}, but it must be true or false`);

  // where the run stands
  const epochs = settings.epochs as number;
  need(isNat(s.epoch) && s.epoch <= epochs, `epoch (completed epochs) is ${show(s.epoch)}, but it must be a whole number from 0 to settings.epochs = ${epochs}`);
  need(isNat(s.batch), `batch is ${show(s.batch)}, but it must be a whole number >= 0`);
  const batch = s.batch as number;
  const trainSize = settings.trainSize as number | null;
  if (trainSize !== null) {
    const batches = Math.ceil(trainSize / (settings.batchSize as number));
    need(batch < batches, `batch is ${batch}, but an epoch of ${trainSize} samples (--train-size) in batches of ${String(settings.batchSize)} has ${batches}`);
  }
  need(batch === 0 || (s.epoch as number) < epochs, `batch is ${batch} in epoch ${(s.epoch as number) + 1}, after the last epoch ${epochs}`);
  if (batch === 0) need(s.partial === null, `partial is ${show(s.partial)}, but it must be null at an epoch boundary (batch 0)`);
  else {
    const p = obj(s.partial, `partial (the running sums of the epoch stopped after batch ${batch})`);
    for (const k of ['lossSum', 'correct', 'samples', 'seconds']) need(isFinite(p[k]) && (p[k] as number) >= 0, `partial.${k} is ${show(p[k])}, but it must be a finite number >= 0`);
    need(isNat(p.samples) && isNat(p.correct) && (p.correct as number) <= (p.samples as number), `partial.correct ${show(p.correct)} / samples ${show(p.samples)} are not counts with correct <= samples`);
  }
  need(Array.isArray(s.history) && s.history.length === s.epoch, `history has ${Array.isArray(s.history) ? s.history.length : 'no'} entries, but ${String(s.epoch)} epochs are complete`);
  (s.history as unknown[]).forEach((r, i) => {
    const rec = obj(r, `history[${i}]`);
    need(rec.epoch === i + 1, `history[${i}].epoch is ${show(rec.epoch)}, but it must be ${i + 1}`);
    for (const k of ['trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'seconds', 'valSeconds', 'samplesPerSecond', 'lr']) {
      need(typeof rec[k] === 'number', `history[${i}].${k} is ${show(rec[k])}, but it must be a number`);
    }
  });
  need(isFinite(s.trainSeconds) && (s.trainSeconds as number) >= 0, `trainSeconds is ${show(s.trainSeconds)}, but it must be a finite number >= 0`);

  // the optimizer
  const opt = obj(s.optimizer, 'optimizer');
  need(opt.name === optimizer, `optimizer.name is ${show(opt.name)}, but settings.optimizer is ${JSON.stringify(optimizer)}`);
  need(Array.isArray(opt.paramGroups), 'optimizer.paramGroups is not a list');
  const steps = obj(opt.steps, 'optimizer.steps');
  need(Object.entries(steps).every(([k, n]) => /^\d+$/.test(k) && isNat(n)), 'optimizer.steps are not whole numbers by parameter index');
  need(isNat(opt.stepCount), `optimizer.stepCount is ${show(opt.stepCount)}, but it must be a whole number >= 0`);
  return v as CheckpointState;
}

/**
 * The seed of the generator that shuffles epoch `epoch` (1-based) of a run seeded with `seed`:
 * every epoch has its own order, a function of (seed, epoch) only, so a resumed run shuffles as
 * the uninterrupted one.
 */
export function epochSeed(seed: number, epoch: number): number {
  return (seed * 1_000_003 + epoch * 7919) % 2 ** 48;
}
