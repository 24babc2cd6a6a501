/**
 * `dl eval --checkpoint PATH [--dataset NAME]`: the model of a checkpoint on a test split: mean
 * cross-entropy, accuracy, the confusion matrix (rows: true class, columns: predicted) and
 * per-class precision / recall / F1.
 *
 * ```text
 * $ dl eval --checkpoint runs/mnist-mlp/checkpoint.safetensors
 * dl eval: mlp (epoch 10) on MNIST (embedded digits) test split: 2,000 samples
 * loss 0.0931  accuracy 97.05% (1,941/2,000)  macro F1 0.970
 * confusion matrix (rows: true class, columns: predicted class)
 *  true\pred     0     1 ...
 * ```
 */
import { confusionMatrix, precisionRecallF1 } from '@dl/metrics';
import type { EvalArgs } from '../args';
import { loadCheckpoint } from '../checkpoint';
import { useBackend, type CliContext } from '../context';
import { loadSplit } from '../datasets';
import { CliError, UsageError } from '../errors';
import { buildModel } from '../models';
import { formatCount } from '../progress';
import { evaluate } from '../training';

/** A confusion matrix as aligned text, with class names as row and column heads. */
export function formatConfusionMatrix(cm: readonly (readonly number[])[], classes: readonly string[]): string {
  const short = classes.map((c) => (c.length > 8 ? c.slice(0, 8) : c));
  const width = Math.max(5, ...short.map((c) => c.length), ...cm.flat().map((v) => String(v).length)) + 1;
  const headW = Math.max(10, ...short.map((c) => c.length)) + 1;
  const lines = [`${'true\\pred'.padStart(headW)}${short.map((c) => c.padStart(width)).join('')}`];
  cm.forEach((row, i) => lines.push(`${short[i].padStart(headW)}${row.map((v) => String(v).padStart(width)).join('')}`));
  return lines.join('\n');
}

/** Rows of a [C, C] count tensor's values. */
export function matrixRows(values: ArrayLike<number>, c: number): number[][] {
  return Array.from({ length: c }, (_, i) => Array.from({ length: c }, (_, j) => values[i * c + j]));
}

export async function runEval(a: EvalArgs, ctx: CliContext): Promise<number> {
  const backend = useBackend(a.backend);
  const ck = loadCheckpoint(a.checkpoint);
  const st = ck.state;
  const dataset = a.dataset ?? st.settings.dataset;
  const sameData = dataset === st.settings.dataset;
  const data = await loadSplit(
    {
      dataset,
      dataDir: a.dataDir ?? (sameData ? st.settings.dataDir : null),
      download: a.download,
      trainSize: null,
      testSize: a.testSize ?? (sameData ? st.settings.testSize : null),
      command: 'eval',
    },
    'test',
  );
  if (data.inputShape.join('x') !== st.inputShape.join('x') || data.classes.length !== st.classes.length) {
    // only --dataset (or --data-dir) can bring data of another shape: a command line that does not fit the checkpoint
    throw new UsageError(
      `dl eval: checkpoint '${a.checkpoint}' takes inputs [${st.inputShape.join(', ')}] with ${st.classes.length} classes, but ` +
        `${data.description} has [${data.inputShape.join(', ')}] and ${data.classes.length}; evaluate it on a dataset of that shape ` +
        `(--dataset ${st.settings.dataset}, or leave --dataset out)`,
      'eval',
    );
  }
  const model = buildModel(st.settings.model, { inputShape: st.inputShape, numClasses: st.classes.length });
  try {
    model.loadStateDict(ck.modelState);
  } catch (e) {
    throw new CliError(`checkpoint '${a.checkpoint}' does not fit the ${st.settings.model} model: ${(e as Error).message}`);
  }
  const r = evaluate(model, data.dataset, a.batchSize, { now: ctx.now });
  const c = data.classes.length;
  const cm = matrixRows(confusionMatrix(r.predictions, r.targets, c).toTypedArray(), c);
  const per = precisionRecallF1(r.predictions, r.targets, { numClasses: c, average: 'none' });
  const macro = precisionRecallF1(r.predictions, r.targets, { numClasses: c, average: 'macro' });
  if (a.json) {
    const result = {
      checkpoint: a.checkpoint,
      model: st.settings.model,
      epoch: st.epoch,
      dataset: data.description,
      samples: r.samples,
      loss: r.loss,
      accuracy: r.accuracy,
      correct: r.correct,
      classes: data.classes,
      confusionMatrix: cm,
      perClass: data.classes.map((name, i) => ({ class: name, precision: per.precision[i], recall: per.recall[i], f1: per.f1[i], support: per.support[i] })),
      macro: { precision: macro.precision, recall: macro.recall, f1: macro.f1 },
      seconds: r.seconds,
      backend,
    };
    ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const w = ctx.stdout;
  w.write(`dl eval: ${st.settings.model} (epoch ${st.epoch}) on ${data.description} test split: ${formatCount(r.samples)} samples\n`);
  w.write(
    `loss ${r.loss.toFixed(4)}  accuracy ${(100 * r.accuracy).toFixed(2)}% (${formatCount(r.correct)}/${formatCount(r.samples)})  macro F1 ${macro.f1.toFixed(3)}\n`,
  );
  w.write(`confusion matrix (rows: true class, columns: predicted class)\n${formatConfusionMatrix(cm, data.classes)}\n`);
  w.write(`${'class'.padStart(12)} precision  recall      f1  support\n`);
  data.classes.forEach((name, i) => {
    w.write(
      `${name.slice(0, 12).padStart(12)} ${per.precision[i].toFixed(3).padStart(9)} ${per.recall[i].toFixed(3).padStart(7)} ${per.f1[i].toFixed(3).padStart(7)} ${String(per.support[i]).padStart(8)}\n`,
    );
  });
  return 0;
}
