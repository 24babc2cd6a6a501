/**
 * `dl train`: load the data (holding out `--val-split` of the training samples for validation),
 * build the model and optimizer (or restore them from `--resume`), train with a checkpoint per
 * epoch (and `best.safetensors` for the epoch with the best validation accuracy), then evaluate
 * the best epoch's model once on the test split and write the outputs (metrics.json,
 * history.csv, the plots and report.html) into `--out`.
 *
 * ```ts
 * const code = await runTrain(parseArgs(['train', '--epochs', '2']) as TrainArgs, processContext(argv));
 * ```
 * Returns the exit status: 0 when done, 130 when stopped by Ctrl-C (a checkpoint was saved).
 */
import { existsSync, mkdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { manualSeed } from '@dl/tensor';
import type { TrainArgs } from '../args';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint, type RunSettings } from '../checkpoint';
import { cliVersion, useBackend, type CliContext } from '../context';
import { loadData } from '../datasets';
import { CliError, EXIT_INTERRUPTED, UsageError } from '../errors';
import { buildModel, countParameters } from '../models';
import { makeOptimizer } from '../optimizers';
import { prepareOutDir, type OutDir } from '../out-dir';
import { formatCount, formatPercent } from '../progress';
import { writeRunOutputs } from '../run-outputs';
import { BEST_CHECKPOINT_FILE, bestEpoch, evaluate, trainLoop, type RunProgress, type TrainSettings } from '../training';

/** The settings of a new run, from the command line. */
export function settingsFromArgs(a: TrainArgs): TrainSettings {
  return {
    model: a.model,
    dataset: a.dataset,
    dataDir: a.dataDir,
    epochs: a.epochs,
    batchSize: a.batchSize,
    lr: a.lr,
    optimizer: a.optimizer,
    momentum: a.momentum,
    weightDecay: a.weightDecay,
    seed: a.seed,
    trainSize: a.trainSize,
    testSize: a.testSize,
    valSplit: a.valSplit,
  };
}

/** Options that may differ from the checkpoint's when resuming (they do not change the results). */
const RESUMABLE = new Set(['epochs', 'out', 'backend', 'log-every', 'report', 'data-dir', 'download', 'resume']);

/** Maps an option name to its TrainSettings field. */
const FIELD: Record<string, keyof TrainSettings> = {
  model: 'model',
  dataset: 'dataset',
  'batch-size': 'batchSize',
  lr: 'lr',
  optimizer: 'optimizer',
  momentum: 'momentum',
  'weight-decay': 'weightDecay',
  seed: 'seed',
  'train-size': 'trainSize',
  'test-size': 'testSize',
  'val-split': 'valSplit',
};

/**
 * The settings of a resumed run: the checkpoint's, with `--epochs` and `--data-dir` taken from
 * the command line when given. Options that would change the results (model, optimizer, lr,
 * seed, ...) must not differ from the checkpoint's.
 *
 * @throws UsageError naming the option, the checkpoint's value and the way out; CliError for a
 *   checkpoint without a validation split (written by dl 0.1, which validated on the test split).
 */
export function resumeSettings(saved: RunSettings, a: TrainArgs, completed: number): TrainSettings {
  const valSplit = (saved as Partial<TrainSettings>).valSplit;
  if (typeof valSplit !== 'number' || !(valSplit > 0 && valSplit < 1)) {
    throw new CliError(
      `dl train --resume ${a.resume ?? ''}: the checkpoint has no validation split (an earlier dl wrote it, validating on the test split), ` +
        'so its run cannot go on the same way; start a new run (dl eval and dl predict still read it)',
    );
  }
  const old: TrainSettings = { ...saved, valSplit };
  const given = new Set(a.given);
  const fresh = settingsFromArgs(a);
  for (const name of given) {
    if (RESUMABLE.has(name)) continue;
    const field = FIELD[name];
    if (field === undefined) continue;
    if (fresh[field] !== old[field]) {
      throw new UsageError(
        `dl train --resume: the checkpoint was trained with --${name} ${String(old[field])}; --${name} ${String(fresh[field])} cannot change ` +
          'in a resumed run (drop the option, or start a new run without --resume)',
        'train',
      );
    }
  }
  const epochs = given.has('epochs') ? a.epochs : saved.epochs;
  if (epochs < completed) {
    throw new UsageError(`dl train --resume: the checkpoint has completed ${completed} epochs; --epochs ${epochs} must be at least ${completed}`, 'train');
  }
  return { ...old, epochs, dataDir: given.has('data-dir') ? a.dataDir : saved.dataDir };
}

function describeSettings(s: RunSettings): string {
  const extra = [s.momentum !== 0 ? `momentum ${s.momentum}` : '', s.weightDecay !== 0 ? `weight decay ${s.weightDecay}` : ''].filter((x) => x !== '');
  return `${s.optimizer} lr ${s.lr}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}, batch ${s.batchSize}, ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}, seed ${s.seed}`;
}

export async function runTrain(a: TrainArgs, ctx: CliContext): Promise<number> {
  const dirs: OutDir[] = []; // the output directory, locked for this run: released however the run ends
  try {
    return await train(a, ctx, dirs);
  } finally {
    for (const d of dirs) d.release();
  }
}

async function train(a: TrainArgs, ctx: CliContext, dirs: OutDir[]): Promise<number> {
  const t0 = ctx.now();
  const backend = useBackend(a.backend);
  let resumed: LoadedCheckpoint | null = null;
  let settings: TrainSettings;
  let out = a.out;
  if (a.resume !== null) {
    resumed = loadCheckpoint(a.resume);
    settings = resumeSettings(resumed.state.settings, a, resumed.state.epoch);
    if (!a.given.includes('out')) out = dirname(a.resume);
  } else {
    settings = settingsFromArgs(a);
  }
  // system paths refused, created level by level, writable, locked against a second run, stale temporary files removed
  dirs.push(prepareOutDir(out, { stderr: ctx.stderr, commandLine: ctx.commandLine }));
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create the output directory '${out}': ${(e as Error).message}; choose another with --out DIR`);
  }

  const tData = ctx.now();
  const data = await loadData({
    dataset: settings.dataset,
    dataDir: settings.dataDir,
    download: a.download,
    trainSize: settings.trainSize,
    testSize: settings.testSize,
    valSplit: settings.valSplit,
    seed: settings.seed,
    command: 'train',
  });
  const dataSeconds = (ctx.now() - tData) / 1000;

  manualSeed(settings.seed);
  const model = buildModel(settings.model, { inputShape: data.inputShape, numClasses: data.classes.length });
  const optimizer = makeOptimizer(settings.optimizer, model.parameters(), settings);
  let progress: RunProgress = { epoch: 0, batch: 0, partial: null, history: [], trainSeconds: 0 };
  if (resumed !== null) {
    const st = resumed.state;
    if (st.inputShape.join('x') !== data.inputShape.join('x') || st.classes.length !== data.classes.length) {
      throw new CliError(
        `checkpoint '${resumed.path}' was trained on inputs [${st.inputShape.join(', ')}] with ${st.classes.length} classes, ` +
          `but ${data.description} has [${data.inputShape.join(', ')}] and ${data.classes.length}; resume with the same dataset`,
      );
    }
    try {
      model.loadStateDict(resumed.modelState);
      optimizer.loadStateDict(resumed.optimizerState);
    } catch (e) {
      throw new CliError(`checkpoint '${resumed.path}' does not fit the ${settings.model} model: ${(e as Error).message}`);
    }
    optimizer.stepCount = st.optimizer.stepCount;
    progress = { epoch: st.epoch, batch: st.batch, partial: st.partial, history: st.history, trainSeconds: st.trainSeconds };
  }

  const w = ctx.stdout;
  w.write(
    `dl train: ${settings.model} on ${data.description}: ${formatCount(data.train.length)} training / ${formatCount(data.val.length)} validation / ` +
      `${formatCount(data.test.length)} test samples, ` +
      `input [${data.inputShape.join(', ')}], ${data.classes.length} classes\n`,
  );
  w.write(`  ${formatCount(countParameters(model))} parameters; ${describeSettings(settings)}; backend ${backend}; output ${out}\n`);
  if (resumed !== null) {
    const where = progress.batch > 0 ? `epoch ${progress.epoch + 1}, batch ${progress.batch + 1}` : `epoch ${progress.epoch + 1}`;
    w.write(
      progress.epoch >= settings.epochs
        ? `  resumed from ${resumed.path}: all ${settings.epochs} epochs are done; evaluating and writing the outputs\n`
        : `  resuming from ${resumed.path} at ${where}\n`,
    );
  }

  const result = await trainLoop({
    model,
    optimizer,
    settings,
    data,
    progress,
    out,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    stop: ctx.stop,
    logEvery: a.logEvery,
    onBatch: ctx.onBatch,
    now: ctx.now,
  });
  const checkpoint = result.checkpoint ?? (resumed !== null ? resumed.path : join(out, CHECKPOINT_FILE));
  if (result.status === 'interrupted') {
    const p = result.progress;
    const where = p.batch > 0 ? `in epoch ${p.epoch + 1} after batch ${p.batch}` : `after epoch ${p.epoch}`;
    ctx.stderr.write(`interrupted ${where}: checkpoint saved to ${checkpoint}\nresume with: dl train --resume ${checkpoint}\n`);
    return EXIT_INTERRUPTED;
  }

  // the model of the best epoch (by validation) is the one tested, once
  const history = result.progress.history;
  const last = history[history.length - 1];
  const best = bestEpoch(history) ?? last;
  let bestPath = result.best ?? join(resumed !== null ? dirname(resumed.path) : out, BEST_CHECKPOINT_FILE);
  let tested = best;
  if (best.epoch !== last.epoch) {
    let loaded: LoadedCheckpoint | null = null;
    try {
      loaded = loadCheckpoint(bestPath);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      ctx.stderr.write(`dl train: warning: cannot read the best epoch's checkpoint: ${e.message}\n`);
    }
    if (loaded !== null && loaded.state.epoch === best.epoch) model.loadStateDict(loaded.modelState);
    else {
      if (loaded !== null) ctx.stderr.write(`dl train: warning: ${bestPath} holds epoch ${loaded.state.epoch}, not the best epoch ${best.epoch}\n`);
      ctx.stderr.write(`dl train: warning: testing the last epoch's weights (epoch ${last.epoch}) instead of the best epoch's (${best.epoch})\n`);
      tested = last;
      bestPath = checkpoint;
    }
  } else if (result.best === null && !existsSync(bestPath)) {
    // the best epoch is the last one, saved in an earlier session whose best.safetensors is gone: copy the checkpoint
    bestPath = join(out, BEST_CHECKPOINT_FILE);
    saveCheckpoint(bestPath, readFileSync(checkpoint));
  }
  const test = evaluate(model, data.test, 500, { now: ctx.now });
  const written = await writeRunOutputs({
    out,
    report: a.report,
    commandLine: ctx.commandLine,
    settings,
    data,
    model,
    history,
    best: { epoch: tested.epoch, valLoss: tested.valLoss, valAccuracy: tested.valAccuracy, checkpoint: bestPath },
    test,
    checkpoint,
    timings: {
      totalSeconds: (ctx.now() - t0) / 1000,
      dataSeconds,
      trainSeconds: result.progress.trainSeconds,
      evalSeconds: history.reduce((s, r) => s + r.valSeconds, 0) + test.seconds,
    },
    environment: { backend, version: cliVersion() },
    now: ctx.now,
  });
  w.write(
    `best epoch ${tested.epoch}/${settings.epochs}: validation accuracy ${formatPercent(tested.valAccuracy)}, loss ${tested.valLoss.toFixed(4)} ` +
      `(${formatCount(data.val.length)} samples)\n`,
  );
  w.write(
    `test accuracy ${formatPercent(test.accuracy, 2)} (${formatCount(test.correct)}/${formatCount(test.samples)}), loss ${test.loss.toFixed(4)}; ` +
      `${((ctx.now() - t0) / 1000).toFixed(1)} s in all\n`,
  );
  w.write(`checkpoint: ${checkpoint} (epoch ${last.epoch}, the last; --resume continues from it)\n`);
  w.write(`best checkpoint: ${bestPath} (epoch ${tested.epoch}, for dl eval and dl predict)\n`);
  for (const [what, path] of written) w.write(`${what}: ${path}\n`);
  return 0;
}

