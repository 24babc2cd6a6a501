/**
 * The HTML report of `dl train`: one self-contained file, `<out>/report.html`, that opens in any
 * browser without a network.
 *
 * Contents, top to bottom: the test metrics of the best epoch's model (chosen by validation
 * accuracy; the test split is used once, at the end); the learning curves on the training and
 * validation sets (inline SVG); the test confusion matrix (inline SVG) and per-class precision /
 * recall / F1; a grid of test images with their true and predicted labels, mistakes marked (PNG
 * embedded as a `data:` URI); the hyperparameters, the model, the timings and the environment;
 * the per-epoch history (the best epoch marked); and the metrics JSON (embedded, and linked as the
 * `metrics.json` file next to the report).
 *
 * Self-contained means: no scripts at all, no external style sheets, fonts or images; a
 * Content-Security-Policy meta tag (`default-src 'none'`) makes the browser refuse any request
 * the page might still try. The inline SVGs get their `id`s prefixed so that two charts never
 * share an id (`url(#clip1)` of one chart must not pick the other's clip path).
 *
 * ```ts
 * const html = renderReport(input);
 * writeReport('runs/mnist-mlp', input); // -> 'runs/mnist-mlp/report.html', written atomically
 * ```
 */
import { join } from 'path';
import { writeFileAtomic } from './atomic';
import type { EpochRecord } from './checkpoint';
import { formatCount, formatDuration, formatPercent } from './progress';
import type { TrainSettings } from './training';

export const REPORT_FILE = 'report.html';

/** The width of the report's content in CSS pixels: the prediction grid is drawn to fit it, so that it is shown unscaled. */
export const REPORT_WIDTH = 1100;

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ReportInput {
  title: string;
  /** The command that made the run (shown, to reproduce it). */
  commandLine: string;
  settings: TrainSettings;
  dataDescription: string;
  trainSamples: number;
  valSamples: number;
  testSamples: number;
  inputShape: readonly number[];
  classes: readonly string[];
  /** The model's printout (`model.toString()`) and its number of parameters. */
  modelText: string;
  parameterCount: number;
  history: readonly EpochRecord[];
  /** The epoch whose model was tested (best validation accuracy) and its validation metrics. */
  best: { epoch: number; valLoss: number; valAccuracy: number };
  /** The test metrics of that model. */
  final: { loss: number; accuracy: number; correct: number; samples: number };
  perClass: readonly ClassScores[];
  macro: { precision: number; recall: number; f1: number };
  /** confusion[t][p]: test samples of true class t predicted as p. */
  confusion: readonly (readonly number[])[];
  timings: { totalSeconds: number; dataSeconds: number; trainSeconds: number; evalSeconds: number; samplesPerSecond: number };
  environment: Record<string, string>;
  learningCurvesSvg: string;
  confusionMatrixSvg: string;
  predictionGridPng: Uint8Array;
  /** The metrics JSON text (also written as `metricsFile` next to the report). */
  metricsJson: string;
  metricsFile: string;
  checkpointFile: string;
  bestCheckpointFile: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Makes an SVG document fit for inlining in HTML: drops the XML declaration and DOCTYPE, and
 * prefixes every `id` (and the `url(#id)` / `href="#id"` references to it) with `prefix`.
 */
export function inlineSvg(svg: string, prefix: string): string {
  let s = svg.replace(/<\?xml[^>]*\?>\s*/g, '').replace(/<!DOCTYPE[^>]*>\s*/gi, '').trim();
  if (!s.startsWith('<svg')) throw new Error(`report: expected an SVG document, got text starting with ${JSON.stringify(s.slice(0, 20))}`);
  const ids = new Set<string>();
  for (const m of s.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size === 0) return s;
  const re = (id: string): string => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const id of ids) {
    const e = re(id);
    s = s
      .replace(new RegExp(`(\\sid=")${e}"`, 'g'), `$1${prefix}${id}"`)
      .replace(new RegExp(`url\\(#${e}\\)`, 'g'), `url(#${prefix}${id})`)
      .replace(new RegExp(`((?:xlink:)?href=")#${e}"`, 'g'), `$1#${prefix}${id}"`);
  }
  return s;
}

function num(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function keyValues(rows: readonly [string, string][]): string {
  return `<table class="kv"><tbody>\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}\n</tbody></table>`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: ${REPORT_WIDTH}px; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
.sub { color: #57606a; margin-top: 0; } code, pre { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; border-radius: 6px; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { padding: .25rem .7rem; border-bottom: 1px solid #eaeef2; text-align: right; }
th { background: #f6f8fa; } table.kv th, table.kv td { text-align: left; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; } .card { border: 1px solid #d0d7de; border-radius: 8px; padding: .6rem 1rem; min-width: 9rem; }
.card b { display: block; font-size: 1.5rem; } .card span { color: #57606a; font-size: .85rem; }
figure { margin: 1rem 0; } figcaption { color: #57606a; font-size: .9rem; } .plots svg { max-width: 100%; height: auto; }
img.grid { image-rendering: pixelated; max-width: 100%; border: 1px solid #d0d7de; }
`;

/** The report as one HTML document (see the module comment). */
export function renderReport(r: ReportInput): string {
  const s = r.settings;
  const png = Buffer.from(r.predictionGridPng).toString('base64');
  const cards: [string, string][] = [
    [formatPercent(r.final.accuracy, 2), `test accuracy (${formatCount(r.final.correct)}/${formatCount(r.final.samples)})`],
    [num(r.final.loss), 'test loss (cross-entropy)'],
    [num(r.macro.f1, 3), 'test macro F1'],
    [`${r.best.epoch} / ${s.epochs}`, `best epoch (validation accuracy ${formatPercent(r.best.valAccuracy)})`],
    [formatDuration(r.timings.totalSeconds), 'total time (m:ss)'],
    [formatCount(r.timings.samplesPerSecond), 'training samples/s'],
  ];
  const hyper: [string, string][] = [
    ['model', `${s.model} (${formatCount(r.parameterCount)} parameters)`],
    [
      'dataset',
      `${r.dataDescription}: ${formatCount(r.trainSamples)} training / ${formatCount(r.valSamples)} validation / ${formatCount(r.testSamples)} test samples, ` +
        `input [${r.inputShape.join(', ')}], ${r.classes.length} classes`,
    ],
    ['validation split', `${s.valSplit} of the training split, drawn with the seed; picks the best epoch`],
    ['epochs', String(s.epochs)],
    ['batch size', String(s.batchSize)],
    ['optimizer', s.optimizer],
    ['learning rate', String(s.lr)],
    ['momentum', String(s.momentum)],
    ['weight decay', String(s.weightDecay)],
    ['seed', String(s.seed)],
    ['loss', 'cross-entropy (softmax on logits), mean over the batch'],
  ];
  const timings: [string, string][] = [
    ['total (this session)', `${r.timings.totalSeconds.toFixed(1)} s`],
    ['loading data', `${r.timings.dataSeconds.toFixed(2)} s`],
    ['training (all sessions)', `${r.timings.trainSeconds.toFixed(1)} s`],
    ['validation + final evaluation', `${r.timings.evalSeconds.toFixed(1)} s`],
    ['mean epoch', r.history.length > 0 ? `${(r.history.reduce((a, h) => a + h.seconds, 0) / r.history.length).toFixed(2)} s` : '-'],
  ];
  const historyRows = r.history.map((h) => [
    h.epoch === r.best.epoch ? `${h.epoch} (best)` : String(h.epoch),
    num(h.trainLoss),
    formatPercent(h.trainAccuracy),
    num(h.valLoss),
    formatPercent(h.valAccuracy),
    h.seconds.toFixed(2),
    formatCount(h.samplesPerSecond),
    String(h.lr),
  ]);
  const classRows = r.perClass.map((c, i) => [r.classes[i] ?? String(i), num(c.precision, 3), num(c.recall, 3), num(c.f1, 3), String(c.support)]);
  classRows.push(['macro average', num(r.macro.precision, 3), num(r.macro.recall, 3), num(r.macro.f1, 3), String(r.final.samples)]);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(r.title)}</h1>
<p class="sub">${escapeHtml(r.environment.date ?? '')} &middot; <code>${escapeHtml(r.commandLine)}</code></p>
<section id="final">
<h2>Test metrics</h2>
<p>The model of epoch ${r.best.epoch} (the best validation accuracy, ${escapeHtml(formatPercent(r.best.valAccuracy))} on ${formatCount(r.valSamples)} held-out training samples), evaluated once on the ${formatCount(r.final.samples)} test samples after training.</p>
<div class="cards">
${cards.map(([v, l]) => `<div class="card"><b>${escapeHtml(v)}</b><span>${escapeHtml(l)}</span></div>`).join('\n')}
</div>
</section>
<section id="learning-curves" class="plots">
<h2>Learning curves</h2>
<figure>${inlineSvg(r.learningCurvesSvg, 'lc-')}
<figcaption>Loss and accuracy per epoch on the training set (mean over the epoch's batches, while training) and on the validation set (${formatCount(r.valSamples)} samples held out of the training split, after the epoch). The test set is not used here.</figcaption></figure>
</section>
<section id="confusion-matrix" class="plots">
<h2>Confusion matrix</h2>
<figure>${inlineSvg(r.confusionMatrixSvg, 'cm-')}
<figcaption>Rows: true class; columns: predicted class; ${formatCount(r.final.samples)} test samples, the model of epoch ${r.best.epoch}.</figcaption></figure>
${table(['class', 'precision', 'recall', 'F1', 'support'], classRows)}
</section>
<section id="predictions">
<h2>Predictions</h2>
<figure><img class="grid" alt="test images with true and predicted labels" src="data:image/png;base64,${png}">
<figcaption>The first test images with their true and predicted labels (the model of epoch ${r.best.epoch}); mistakes are marked.</figcaption></figure>
</section>
<section id="hyperparameters">
<h2>Hyperparameters</h2>
${keyValues(hyper)}
<details><summary>Model</summary><pre>${escapeHtml(r.modelText)}</pre></details>
</section>
<section id="timings">
<h2>Timings</h2>
${keyValues(timings)}
</section>
<section id="history">
<h2>History</h2>
${table(['epoch', 'train loss', 'train acc', 'val loss', 'val acc', 'seconds', 'samples/s', 'lr'], historyRows)}
</section>
<section id="environment">
<h2>Environment</h2>
${keyValues(Object.entries(r.environment))}
</section>
<section id="metrics">
<h2>Metrics JSON</h2>
<p>Also in <a href="${escapeHtml(r.metricsFile)}">${escapeHtml(r.metricsFile)}</a> next to this report; the best epoch's checkpoint is <code>${escapeHtml(r.bestCheckpointFile)}</code>, the last one's <code>${escapeHtml(r.checkpointFile)}</code>.</p>
<details><summary>Show</summary><pre id="metrics-json">${escapeHtml(r.metricsJson)}</pre></details>
</section>
</body>
</html>
`;
}

/** Writes `<dir>/report.html` atomically and returns its path. */
export function writeReport(dir: string, input: ReportInput): string {
  const path = join(dir, REPORT_FILE);
  writeFileAtomic(path, renderReport(input));
  return path;
}
