/**
 * The confusion matrix as an SVG heatmap: rows = true class (y axis, "True label"), columns =
 * predicted class (x axis, "Predicted label"), the value written in each cell, darker = more.
 * Rendered with Vega-Lite (see `./vega`).
 */
import type { TopLevelSpec } from 'vega-lite';
import { ValueError, checkOptions, optionKeys } from '@dl/tensor';
import { writeFileAtomic } from '../atomic';
import { readConfusionMatrix, type ConfusionMatrixInput, type ConfusionNormalize } from '../classification';
import { checkIdPrefix, renderVegaLiteSVG } from './vega';

export interface ConfusionMatrixPlotOptions {
  /** Names of the classes in index order (default '0', '1', ...). Must be distinct. */
  classNames?: readonly string[];
  /**
   * Color and write normalised values instead of counts: `'true'` (each row sums to 1: recall on
   * the diagonal), `'pred'` (each column sums to 1: precision on the diagonal) or `'all'`; `false`
   * or absent: counts.
   */
  normalize?: ConfusionNormalize | false;
  /** Write the value in each cell (default: when C <= 30). */
  showValues?: boolean;
  /** A title above the matrix. */
  title?: string;
  /** Side of one cell in pixels (default: 40 up to 15 classes, smaller after, at least 8). */
  cellSize?: number;
  /** Prefix for the SVG's ids so several charts can be inlined in one page (default 'dl-cm-'). */
  idPrefix?: string;
}

interface Cell {
  trueLabel: string;
  predLabel: string;
  count: number;
  value: number;
  text: string;
}

const CONFUSION_PLOT_OPTIONS = optionKeys<ConfusionMatrixPlotOptions>({ classNames: true, normalize: true, showValues: true, title: true, cellSize: true, idPrefix: true });

/** The Vega-Lite spec of the heatmap (a `rect` layer and a `text` layer over the same cells). */
export function confusionMatrixSpec(cm: ConfusionMatrixInput, options: ConfusionMatrixPlotOptions = {}): TopLevelSpec {
  checkOptions('confusionMatrixSpec', options, CONFUSION_PLOT_OPTIONS);
  const op = 'confusionMatrixSVG';
  const { values, size: c } = readConfusionMatrix(op, cm);
  const names = options.classNames ?? Array.from({ length: c }, (_, i) => String(i));
  if (!Array.isArray(names) || names.length !== c || !names.every((n) => typeof n === 'string')) {
    throw new ValueError(`${op}: classNames must be ${c} strings (one per row of the ${c}x${c} matrix), got ${Array.isArray(names) ? names.length : typeof names}`);
  }
  if (new Set(names).size !== c) throw new ValueError(`${op}: classNames must be distinct, got [${names.join(', ')}]`);
  const normalize = options.normalize ?? false;
  if (normalize !== false && normalize !== 'true' && normalize !== 'pred' && normalize !== 'all') {
    throw new ValueError(`${op}: normalize must be 'true', 'pred', 'all' or false, got ${String(normalize)}`);
  }
  const cellSize = options.cellSize ?? Math.max(8, Math.min(40, Math.floor(600 / c)));
  if (!(typeof cellSize === 'number' && cellSize >= 4 && cellSize <= 200)) {
    throw new ValueError(`${op}: cellSize must be a number of pixels in [4, 200], got ${String(cellSize)}`);
  }
  const showValues = options.showValues ?? c <= 30;

  const rowSum = new Array<number>(c).fill(0);
  const colSum = new Array<number>(c).fill(0);
  let total = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      rowSum[i] += values[i * c + j];
      colSum[j] += values[i * c + j];
      total += values[i * c + j];
    }
  }
  const cells: Cell[] = [];
  let max = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const count = values[i * c + j];
      const den = normalize === 'true' ? rowSum[i] : normalize === 'pred' ? colSum[j] : normalize === 'all' ? total : 1;
      const value = den === 0 ? 0 : count / den;
      max = Math.max(max, value);
      const text = normalize === false ? String(count) : value.toFixed(2);
      cells.push({ trueLabel: names[i], predLabel: names[j], count, value, text });
    }
  }
  const longest = Math.max(...names.map((n) => n.length));
  const colorTitle = normalize === false ? 'Count' : normalize === 'true' ? 'Row fraction' : normalize === 'pred' ? 'Column fraction' : 'Fraction';
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      mark: { type: 'rect' },
      encoding: {
        color: {
          field: 'value',
          type: 'quantitative',
          title: colorTitle,
          scale: { scheme: 'blues', domain: [0, max > 0 ? max : 1] },
        },
      },
    },
  ];
  if (showValues) {
    layers.push({
      mark: { type: 'text', fontSize: Math.max(7, Math.min(12, Math.floor(cellSize / 3.2))) },
      encoding: {
        text: { field: 'text', type: 'nominal' },
        color: { condition: { test: `datum.value > ${max / 2}`, value: 'white' }, value: 'black' },
      },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(options.title !== undefined ? { title: options.title } : {}),
    background: 'white',
    width: cellSize * c,
    height: cellSize * c,
    data: { values: cells },
    encoding: {
      x: {
        field: 'predLabel',
        type: 'ordinal',
        sort: [...names],
        title: 'Predicted label',
        axis: { labelAngle: longest > 3 ? -45 : 0 },
      },
      y: { field: 'trueLabel', type: 'ordinal', sort: [...names], title: 'True label' },
    },
    layer: layers,
  };
}

/**
 * The confusion matrix (rows = true class, columns = predicted, as `confusionMatrix` returns it)
 * as an SVG heatmap string: one cell per (true, predicted) pair with its count (or normalised
 * value) written in it, class names on both axes, a color legend.
 *
 * ```ts
 * const cm = confusionMatrix(logits, labels, 10);
 * const svg = await confusionMatrixSVG(cm, { classNames: ['0', '1', ...], normalize: 'true' });
 * ```
 */
export async function confusionMatrixSVG(cm: ConfusionMatrixInput, options: ConfusionMatrixPlotOptions = {}): Promise<string> {
  checkOptions('confusionMatrixSVG', options, CONFUSION_PLOT_OPTIONS);
  const idPrefix = options.idPrefix ?? 'dl-cm-';
  checkIdPrefix('confusionMatrixSVG', idPrefix);
  return renderVegaLiteSVG(confusionMatrixSpec(cm, options), idPrefix);
}

/** Writes `confusionMatrixSVG(cm, options)` to `path` atomically. */
export async function saveConfusionMatrixSVG(path: string, cm: ConfusionMatrixInput, options: ConfusionMatrixPlotOptions = {}): Promise<void> {
  checkOptions('saveConfusionMatrixSVG', options, CONFUSION_PLOT_OPTIONS);
  writeFileAtomic(path, await confusionMatrixSVG(cm, options));
}
