/**
 * The training loop of `dl train`: minibatch training with validation after every epoch, a
 * checkpoint after every epoch (and a copy of it as the best one when its validation is the best
 * so far), and a clean stop (with a checkpoint) when asked to.
 *
 * One epoch, as in the course (`for images, labels in train_loader`):
 *
 *     model.train()
 *     for each batch (x [B, C, H, W] float32, y [B] int32) in a fresh shuffle of the training set:
 *         optimizer.zeroGrad()
 *         loss = CrossEntropyLoss(model(x), y)          mean over the batch
 *         loss.backward(); optimizer.step()
 *         lossSum += loss * B; correct += #(argmax(model(x)) == y)
 *     trainLoss = lossSum / N, trainAccuracy = correct / N
 *     model.eval(); validation loss and accuracy on the validation set, without gradients
 *
 * The validation set is held out of the training split (`--val-split`, see datasets.ts); the
 * test split is not looked at until training is over. The best epoch is the one with the highest
 * validation accuracy (ties: the lower validation loss, then the earlier epoch); its checkpoint is
 * also written as `best.safetensors`, and `dl train` reports the test metrics of that model.
 *
 * The shuffle of epoch e comes from `new Generator(epochSeed(seed, e))`, so a run resumed from a
 * checkpoint (even one saved in the middle of an epoch) sees the same batches as an uninterrupted
 * run, and ends with bit-identical weights.
 *
 * Between batches the loop yields to the event loop (one `setImmediate`), so that a SIGINT
 * handler can run and ask it to stop; it then finishes the current batch, saves a checkpoint and
 * returns `interrupted`.
 */
import { DataLoader, type DatasetLike } from '@dl/data';
import type { Sequential } from '@dl/layers';
import { CrossEntropyLoss } from '@dl/losses';
import type { Optimizer } from '@dl/optim';
import { Generator, Tensor } from '@dl/tensor';
import { noGrad } from '@dl/autograd';
import { join } from 'path';
import {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  epochSeed,
  saveCheckpoint,
  serializeCheckpoint,
  type EpochRecord,
  type PartialEpoch,
  type RunSettings,
} from './checkpoint';
import { CliError } from './errors';
import { ProgressReporter, formatCount, formatDuration, formatPercent, type OutputStream } from './progress';

/** A labelled image dataset: samples `[image [C, H, W] float32, label]`, batches `[x [B, C, H, W], y [B] int32]`. */
export type ImageDataset = DatasetLike<[Tensor, number]>;

/** The file the checkpoint of the best epoch (by validation) is copied to, next to {@link CHECKPOINT_FILE}. */
export const BEST_CHECKPOINT_FILE = 'best.safetensors';

/**
 * The settings of a run: the checkpoint's {@link RunSettings} and the validation fraction, saved
 * in the same JSON (checkpoints of dl 0.1, which validated on the test split, have no `valSplit`).
 */
export type TrainSettings = RunSettings & { valSplit: number };

/** The data of a run, as {@link loadData} in datasets.ts gives it. */
export interface ClassificationData {
  /** e.g. "MNIST (embedded digits)". */
  description: string;
  /** The training samples (without the validation ones), the validation samples, the test split. */
  train: ImageDataset;
  val: ImageDataset;
  test: ImageDataset;
  classes: string[];
  inputShape: [number, number, number];
  lightOnDark: boolean;
}

/** Set `requested` to stop training after the current batch (the SIGINT handler does). */
export interface StopSignal {
  requested: boolean;
}

/** Where a run stands; saved in checkpoints. */
export interface RunProgress {
  /** Completed epochs. */
  epoch: number;
  /** Batches done in the next epoch (0 at an epoch boundary). */
  batch: number;
  partial: PartialEpoch | null;
  history: EpochRecord[];
  trainSeconds: number;
}

export interface TrainLoopOptions {
  model: Sequential;
  optimizer: Optimizer;
  settings: TrainSettings;
  data: ClassificationData;
  progress: RunProgress;
  /** Output directory (must exist): the checkpoint goes to `<out>/checkpoint.safetensors`, the best one to `<out>/best.safetensors`. */
  out: string;
  stdout: OutputStream;
  stderr: OutputStream;
  stop: StopSignal;
  logEvery?: number;
  /** Called after every training batch (tests use it to stop at a chosen batch). */
  onBatch?: (epoch: number, batch: number) => void;
  now?: () => number;
}

export interface TrainLoopResult {
  status: 'done' | 'interrupted';
  /** The checkpoint written last (null if none was written in this session). */
  checkpoint: string | null;
  /** The best checkpoint written in this session (null if no epoch of this session beat the earlier ones). */
  best: string | null;
  progress: RunProgress;
}

/** Results of a pass over a dataset without gradients. */
export interface Evaluation {
  loss: number;
  accuracy: number;
  correct: number;
  samples: number;
  /** Predicted and true class of every sample, in dataset order. */
  predictions: Int32Array;
  targets: Int32Array;
  /** Softmax probabilities [N, classes], row-major (only when asked for). */
  probabilities: Float32Array | null;
  seconds: number;
}

/** Checks and returns a batch `[x, y]` from a DataLoader. */
export function asBatch(b: unknown, what: string): [Tensor, Tensor] {
  if (!Array.isArray(b) || b.length < 2 || !(b[0] instanceof Tensor) || !(b[1] instanceof Tensor)) {
    throw new CliError(`${what}: a batch must be [images, labels] tensors; the dataset yields something else`);
  }
  const [x, y] = b as [Tensor, Tensor];
  if (x.ndim !== 4 || y.ndim !== 1 || y.shape[0] !== x.shape[0]) {
    throw new CliError(`${what}: expected images [B, C, H, W] and labels [B], got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`);
  }
  return [x.dtype === 'float32' ? x : x.float(), y.dtype === 'int32' ? y : y.int()];
}

/** How many entries of `pred` equal `y` (both int32 [B]). */
function countCorrect(pred: Tensor, y: Tensor): number {
  return pred.eq(y).sum().item();
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Mean cross-entropy, accuracy and predictions of `model` on `dataset`, in eval mode and without
 * gradients (the model is left in eval mode).
 */
export function evaluate(model: Sequential, dataset: ImageDataset, batchSize: number, opts: { probabilities?: boolean; now?: () => number } = {}): Evaluation {
  const now = opts.now ?? (() => Date.now());
  const t0 = now();
  const lossFn = new CrossEntropyLoss({ reduction: 'sum' });
  const n = dataset.length;
  const predictions = new Int32Array(n);
  const targets = new Int32Array(n);
  let probabilities: Float32Array | null = null;
  let lossSum = 0;
  let correct = 0;
  let pos = 0;
  model.eval();
  noGrad(() => {
    for (const raw of new DataLoader(dataset, { batchSize })) {
      const [x, y] = asBatch(raw, 'evaluate');
      const logits = model.call(x);
      lossSum += lossFn.forward(logits, y).item();
      const pred = logits.data.argmax({ dim: 1 }).int();
      correct += countCorrect(pred, y);
      predictions.set(pred.contiguous().toTypedArray() as Int32Array, pos);
      targets.set(y.contiguous().toTypedArray() as Int32Array, pos);
      if (opts.probabilities === true) {
        const p = logits.data.softmax(1).contiguous().toTypedArray() as Float32Array;
        if (probabilities === null) probabilities = new Float32Array(n * logits.shape[1]);
        probabilities.set(p, pos * logits.shape[1]);
      }
      pos += x.shape[0];
    }
  });
  return {
    loss: n > 0 ? lossSum / n : NaN,
    accuracy: n > 0 ? correct / n : NaN,
    correct,
    samples: n,
    predictions,
    targets,
    probabilities,
    seconds: (now() - t0) / 1000,
  };
}

/**
 * Trains from `progress` (epoch, batch) up to `settings.epochs`, printing one summary line per
 * epoch on `stdout` and a progress bar on a TTY `stderr`; saves `<out>/checkpoint.safetensors`
 * after every epoch, and also when `stop.requested` becomes true (then returns `interrupted`).
 */
export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  const { model, optimizer, settings, data, stop } = o;
  const now = o.now ?? (() => Date.now());
  const lossFn = new CrossEntropyLoss();
  const reporter = new ProgressReporter(o.stderr, o.logEvery ?? 0, now);
  const progress: RunProgress = { ...o.progress, history: [...o.progress.history] };
  const checkpointPath = join(o.out, CHECKPOINT_FILE);
  const bestPath = join(o.out, BEST_CHECKPOINT_FILE);
  let written: string | null = null;
  let bestWritten: string | null = null;
  const save = (): Uint8Array => {
    const bytes = serializeCheckpoint(model, optimizer, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      settings,
      inputShape: data.inputShape,
      classes: data.classes,
      lightOnDark: data.lightOnDark,
      epoch: progress.epoch,
      batch: progress.batch,
      partial: progress.partial,
      history: progress.history,
      optimizer: { name: settings.optimizer },
      trainSeconds: progress.trainSeconds,
      savedAt: new Date().toISOString(),
    });
    saveCheckpoint(checkpointPath, bytes);
    written = checkpointPath;
    return bytes;
  };

  while (progress.epoch < settings.epochs) {
    const epoch = progress.epoch + 1;
    const loader = new DataLoader(data.train, { batchSize: settings.batchSize, shuffle: true, generator: new Generator(epochSeed(settings.seed, epoch)) });
    const batches = loader.length;
    const startBatch = progress.batch;
    const acc: PartialEpoch = progress.partial ?? { lossSum: 0, correct: 0, samples: 0, seconds: 0 };
    let sessionSamples = 0;
    let sessionBatches = 0;
    const t0 = now();
    model.train();
    let b = 0;
    for (const indices of loader.batchSampler) {
      b++;
      if (b <= startBatch) continue; // done before the checkpoint this run resumed from
      const [x, y] = asBatch(loader.fetch(indices), 'train');
      optimizer.zeroGrad();
      const logits = model.call(x);
      const loss = lossFn.forward(logits, y);
      loss.backward();
      optimizer.step();
      const n = x.shape[0];
      const l = loss.item();
      if (!Number.isFinite(l)) {
        reporter.clear();
        throw new CliError(
          `train: the loss became ${l} at epoch ${epoch}, batch ${b}; training diverged. Lower the learning rate (--lr ${settings.lr / 10})`,
        );
      }
      acc.lossSum += l * n;
      acc.correct += countCorrect(logits.data.argmax({ dim: 1 }).int(), y);
      acc.samples += n;
      sessionSamples += n;
      sessionBatches++;
      const seconds = (now() - t0) / 1000;
      reporter.update({
        epoch,
        epochs: settings.epochs,
        batch: b,
        batches,
        loss: acc.lossSum / acc.samples,
        accuracy: acc.correct / acc.samples,
        samples: sessionSamples,
        seconds,
        sessionBatches,
      });
      o.onBatch?.(epoch, b);
      await yieldToEventLoop();
      if (stop.requested && b < batches) {
        reporter.clear();
        const elapsed = (now() - t0) / 1000;
        progress.batch = b;
        progress.partial = { ...acc, seconds: acc.seconds + elapsed };
        progress.trainSeconds += elapsed;
        save();
        return { status: 'interrupted', checkpoint: written, best: bestWritten, progress };
      }
    }
    reporter.clear();
    const seconds = acc.seconds + (now() - t0) / 1000;
    progress.trainSeconds += (now() - t0) / 1000;
    const val = evaluate(model, data.val, Math.max(settings.batchSize, 500), { now });
    const record: EpochRecord = {
      epoch,
      trainLoss: acc.lossSum / acc.samples,
      trainAccuracy: acc.correct / acc.samples,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      seconds,
      valSeconds: val.seconds,
      samplesPerSecond: seconds > 0 ? acc.samples / seconds : 0,
      lr: optimizer.paramGroups[0].lr,
    };
    progress.history.push(record);
    progress.epoch = epoch;
    progress.batch = 0;
    progress.partial = null;
    const bytes = save();
    if (bestEpoch(progress.history)?.epoch === epoch) {
      saveCheckpoint(bestPath, bytes);
      bestWritten = bestPath;
    }
    const perEpoch = progress.history.reduce((s, r) => s + r.seconds + r.valSeconds, 0) / progress.history.length;
    o.stdout.write(`${epochLine(record, settings.epochs, batches, perEpoch * (settings.epochs - epoch))}\n`);
    if (stop.requested && progress.epoch < settings.epochs) return { status: 'interrupted', checkpoint: written, best: bestWritten, progress };
  }
  return { status: 'done', checkpoint: written, best: bestWritten, progress };
}

/**
 * The best epoch of a history: the highest validation accuracy; ties go to the lower validation
 * loss, then to the earlier epoch. Null for an empty history.
 */
export function bestEpoch(history: readonly EpochRecord[]): EpochRecord | null {
  let best: EpochRecord | null = null;
  for (const r of history) {
    if (best === null || r.valAccuracy > best.valAccuracy || (r.valAccuracy === best.valAccuracy && r.valLoss < best.valLoss)) best = r;
  }
  return best;
}

/** The summary line printed after each epoch. */
export function epochLine(r: EpochRecord, epochs: number, batches: number, etaSeconds: number): string {
  const w = String(epochs).length;
  return (
    `epoch ${String(r.epoch).padStart(w)}/${epochs}  ` +
    `train loss ${r.trainLoss.toFixed(4)} acc ${formatPercent(r.trainAccuracy)}  ` +
    `val loss ${r.valLoss.toFixed(4)} acc ${formatPercent(r.valAccuracy)}  ` +
    `${batches} batches ${r.seconds.toFixed(1)} s  ${formatCount(r.samplesPerSecond)} samples/s  ETA ${formatDuration(etaSeconds)}`
  );
}
