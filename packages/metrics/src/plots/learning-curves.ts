/**
 * Learning curves as SVG: one panel per metric (loss, accuracy, ...), epochs on x, one line per
 * split (train, validation, test), a shared legend. Rendered with Vega-Lite (see `./vega`).
 */
import type { TopLevelSpec } from 'vega-lite';
import { ValueError, checkOptions, optionKeys } from '@dl/tensor';
import { writeFileAtomic } from '../atomic';
import { History, type HistoryJSON } from '../history';
import { checkIdPrefix, renderVegaLiteSVG } from './vega';

export interface LearningCurvesOptions {
  /**
   * The panels, by base name (default `['loss', 'acc']`, those recorded). A panel for base `b`
   * draws the History's `train<B>` (train), `val<B>` (validation), `test<B>` (test) and `b` itself,
   * those recorded (`'loss'` -> `trainLoss`, `valLoss`; `'lr'` -> `lr`).
   */
  metrics?: readonly string[];
  /** Panel titles (and y-axis titles) by base name; defaults: loss -> 'Loss', acc -> 'Accuracy', others as named. */
  titles?: Readonly<Record<string, string>>;
  /** A title above the panels. */
  title?: string;
  /** Size of each panel's plot area in pixels (default 320 x 220). */
  width?: number;
  height?: number;
  /** Prefix for the SVG's ids so several charts can be inlined in one page (default 'dl-lc-'). */
  idPrefix?: string;
}

/** A split of the data, the color of its line, and the History name prefix that selects it. */
const SPLITS = [
  { prefix: 'train', label: 'train', color: '#1f77b4' },
  { prefix: 'val', label: 'validation', color: '#ff7f0e' },
  { prefix: 'test', label: 'test', color: '#2ca02c' },
] as const;

const DEFAULT_TITLES: Readonly<Record<string, string>> = { loss: 'Loss', acc: 'Accuracy', accuracy: 'Accuracy' };

interface Point {
  epoch: number;
  value: number;
  split: string;
}

interface Panel {
  base: string;
  title: string;
  points: Point[];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The panels to draw: which History series go in which panel. */
function collectPanels(op: string, history: History, options: LearningCurvesOptions): Panel[] {
  const explicit = options.metrics !== undefined;
  const bases = options.metrics ?? ['loss', 'acc'];
  if (!Array.isArray(bases) || bases.length === 0 || !bases.every((b) => typeof b === 'string' && b !== '')) {
    throw new ValueError(`${op}: metrics must be a non-empty array of base names such as ['loss', 'acc']`);
  }
  const panels: Panel[] = [];
  for (const base of bases) {
    const points: Point[] = [];
    const names = [...SPLITS.map((s) => ({ name: s.prefix + capitalize(base), label: s.label })), { name: base, label: base }];
    for (const { name, label } of names) {
      if (!history.has(name)) continue;
      for (const p of history.series(name)) {
        if (Number.isFinite(p.value)) points.push({ epoch: p.epoch, value: p.value, split: label });
      }
    }
    const title = options.titles?.[base] ?? DEFAULT_TITLES[base] ?? base;
    if (points.length > 0) panels.push({ base, title, points });
    else if (explicit) {
      throw new ValueError(
        `${op}: nothing to draw for '${base}': none of ${names.map((n) => n.name).join(', ')} has a finite value (recorded: ${history.metricNames.join(', ') || 'nothing'})`,
      );
    }
  }
  if (panels.length === 0) {
    throw new ValueError(
      `${op}: the history has none of trainLoss, valLoss, trainAcc, valAcc (recorded: ${history.metricNames.join(', ') || 'nothing'}); pass { metrics: [...] } with base names of recorded metrics`,
    );
  }
  return panels;
}

const LEARNING_CURVES_OPTIONS = optionKeys<LearningCurvesOptions>({ metrics: true, titles: true, title: true, width: true, height: true, idPrefix: true });

/**
 * The Vega-Lite spec of the learning curves: a horizontal row of panels, each with x = epoch
 * ("Epoch"), y = the metric (titled as the panel), one colored line with points per split, and one
 * legend ("Split") for all panels. Non-finite values (a diverged loss) are left out.
 */
export function learningCurvesSpec(history: History | HistoryJSON, options: LearningCurvesOptions = {}): TopLevelSpec {
  checkOptions('learningCurvesSpec', options, LEARNING_CURVES_OPTIONS);
  const op = 'learningCurvesSVG';
  const h = history instanceof History ? history : History.fromJSON(history, op);
  const width = options.width ?? 320;
  const height = options.height ?? 220;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 50 && v <= 4000)) {
      throw new ValueError(`${op}: ${name} must be a number of pixels in [50, 4000], got ${String(v)}`);
    }
  }
  const panels = collectPanels(op, h, options);
  const used = new Set(panels.flatMap((p) => p.points.map((q) => q.split)));
  const domain: string[] = [];
  const range: string[] = [];
  for (const s of SPLITS) {
    if (!used.has(s.label)) continue;
    domain.push(s.label);
    range.push(s.color);
  }
  const extraColors = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  for (const u of used) {
    if (domain.includes(u)) continue;
    range.push(extraColors[range.length % extraColors.length]);
    domain.push(u);
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(options.title !== undefined ? { title: options.title } : {}),
    background: 'white',
    config: { view: { stroke: '#ddd' } },
    hconcat: panels.map((panel) => ({
      title: panel.title,
      width,
      height,
      data: { values: panel.points },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: panel.title, scale: { zero: false } },
        color: { field: 'split', type: 'nominal', title: 'Split', scale: { domain, range }, sort: domain },
      },
    })),
  };
}

/**
 * The learning curves as an SVG document string (inline it in HTML, or write it with
 * `saveLearningCurvesSVG`). Panels as `learningCurvesSpec`; default panels: loss (trainLoss,
 * valLoss) and accuracy (trainAcc, valAcc).
 *
 * ```ts
 * const svg = await learningCurvesSVG(history);                       // loss + accuracy panels
 * const lr = await learningCurvesSVG(history, { metrics: ['lr'] });   // any recorded metric
 * ```
 */
export async function learningCurvesSVG(history: History | HistoryJSON, options: LearningCurvesOptions = {}): Promise<string> {
  checkOptions('learningCurvesSVG', options, LEARNING_CURVES_OPTIONS);
  const idPrefix = options.idPrefix ?? 'dl-lc-';
  checkIdPrefix('learningCurvesSVG', idPrefix);
  return renderVegaLiteSVG(learningCurvesSpec(history, options), idPrefix);
}

/** Writes `learningCurvesSVG(history, options)` to `path` atomically. */
export async function saveLearningCurvesSVG(path: string, history: History | HistoryJSON, options: LearningCurvesOptions = {}): Promise<void> {
  checkOptions('saveLearningCurvesSVG', options, LEARNING_CURVES_OPTIONS);
  writeFileAtomic(path, await learningCurvesSVG(history, options));
}
