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
import { SafetensorsError, deserializeWithMetadata, serialize, type Module, type StateDict } from '@dl/layers';
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
 * Reads and checks a checkpoint written by {@link saveCheckpoint}.
 *
 * @throws CliError naming the file when it is missing, not a safetensors file, not a dl
 *   checkpoint, of a newer version, or inconsistent (missing tensors, malformed state).
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

function checkState(v: unknown, bad: (what: string) => CliError): CheckpointState {
  const obj = (x: unknown, what: string): Record<string, unknown> => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw bad(`state: ${what} is missing or not an object`);
    return x as Record<string, unknown>;
  };
  const s = obj(v, 'the state');
  const settings = obj(s.settings, 'settings');
  const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  const need = (cond: boolean, what: string): void => {
    if (!cond) throw bad(`state: ${what}; the file is damaged or from another program`);
  };
  need((MODEL_NAMES as readonly unknown[]).includes(settings.model), `unknown model ${JSON.stringify(settings.model)}`);
  need((DATASET_NAMES as readonly unknown[]).includes(settings.dataset), `unknown dataset ${JSON.stringify(settings.dataset)}`);
  need((OPTIMIZER_NAMES as readonly unknown[]).includes(settings.optimizer), `unknown optimizer ${JSON.stringify(settings.optimizer)}`);
  for (const k of ['epochs', 'batchSize', 'seed']) need(isNat(settings[k]), `settings.${k} is not a whole number`);
  for (const k of ['lr', 'momentum', 'weightDecay']) need(typeof settings[k] === 'number', `settings.${k} is not a number`);
  need(Array.isArray(s.inputShape) && s.inputShape.length === 3 && s.inputShape.every((n) => isNat(n) && n > 0), 'inputShape is not [C, H, W]');
  need(Array.isArray(s.classes) && s.classes.length > 0 && s.classes.every((c) => typeof c === 'string'), 'classes is not a list of names');
  need(isNat(s.epoch) && isNat(s.batch), 'epoch / batch are not whole numbers');
  need(Array.isArray(s.history), 'history is not a list');
  const opt = obj(s.optimizer, 'optimizer');
  need(Array.isArray(opt.paramGroups), 'optimizer.paramGroups is not a list');
  const steps = obj(opt.steps, 'optimizer.steps');
  need(Object.values(steps).every(isNat), 'optimizer.steps are not whole numbers');
  need(s.partial === null || typeof s.partial === 'object', 'partial is not an object');
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
