/**
 * A PNG grid of images with their true and predicted labels: the picture the course asks students
 * to show. Each cell holds the image (scaled up by an integer factor, nearest neighbour) inside a
 * frame, green when the prediction is right and red when it is wrong, and two lines of text
 * centred under it, `true: <label>` (black) and `pred: <label>` (green or red), drawn with a
 * built-in 5x7 font. A cell is as wide as its widest label, and cells are at least one character
 * apart, so that long class names (Fashion-MNIST's `T-shirt/top`) never run into the next cell;
 * `maxWidth` lowers the number of columns so that the grid can be shown unscaled. Encoded with
 * pngjs.
 *
 * ```
 *  pad  +-----cell-----+ gap +-----cell-----+ pad
 *       |  frame+image |     |              |
 *       |    true: 7   |     |              |
 *       |    pred: 1   |     |              |
 * ```
 */
import { PNG } from 'pngjs';
import { ShapeError, ValueError, checkOptions, fmtShape, optionKeys } from '@dl/tensor';
import { writeFileAtomic } from '../atomic';
import { readInput, readLabels, readPredictions, type MetricInput } from '../input';
import { ADVANCE, LINE_HEIGHT, drawText, fillRect, textWidth, type RGB, type RGBAImage } from './font';

export interface PredictionGridOptions {
  /** Label names by class index (default: the index, e.g. '7'). */
  classNames?: readonly string[];
  /** Cells per row (default: min(N, 10)). */
  cols?: number;
  /**
   * The widest the grid may be, in pixels (e.g. the width of the page that shows it): fewer
   * columns are used when `cols` would make it wider (never fewer than 1). Default: no limit.
   */
  maxWidth?: number;
  /** Integer magnification of the images (default 2: a 28x28 digit becomes 56x56). */
  scale?: number;
  /** Integer magnification of the 5x7 font (default 1). */
  textScale?: number;
  /**
   * The values drawn as black and white: `'auto'` (default) stretches each image's own min..max
   * (so normalised inputs such as `(x - 0.1307) / 0.3081` look right), or a fixed `[lo, hi]` such
   * as `[0, 1]` or `[0, 255]`. Values outside are clamped; NaN is drawn black.
   */
  range?: 'auto' | readonly [number, number];
  /** Frame thickness in pixels (default 2). */
  frame?: number;
}

/** The keys of PredictionGridOptions: an unknown key (`class_names`, `colums`) is a ValueError. */
const PREDICTION_GRID_OPTIONS = optionKeys<PredictionGridOptions>({
  classNames: true, cols: true, maxWidth: true, scale: true, textScale: true, range: true, frame: true,
});

const WHITE: RGB = [255, 255, 255];
const BLACK: RGB = [0, 0, 0];
/** Frame and text color of a correct prediction. */
export const CORRECT_COLOR: RGB = [0, 160, 0];
/** Frame and text color of a mistake. */
export const WRONG_COLOR: RGB = [220, 0, 0];

/** Space around the grid and between rows of cells, and between the framed image and the text, in pixels. */
const PAD = 6;
const TEXT_GAP = 3;
const MAX_PIXELS = 64 * 1024 * 1024;

/** Images as `[N, C, H, W]` values with C = 1 (gray) or 3 (RGB). */
interface Images {
  values: ArrayLike<number>;
  n: number;
  channels: 1 | 3;
  height: number;
  width: number;
}

function readImages(op: string, images: unknown): Images {
  const { values, shape } = readInput(op, 'images', images);
  if (shape.length === 3) return { values, n: shape[0], channels: 1, height: shape[1], width: shape[2] };
  if (shape.length === 4 && (shape[1] === 1 || shape[1] === 3)) {
    return { values, n: shape[0], channels: shape[1] as 1 | 3, height: shape[2], width: shape[3] };
  }
  const hint =
    shape.length === 2
      ? `; flat images must be reshaped first, e.g. images.reshape(-1, 1, 28, 28) for MNIST`
      : shape.length === 4 && shape[3] === 3
        ? '; channels-last images must be permuted to NCHW first: images.permute(0, 3, 1, 2)'
        : '';
  throw new ShapeError(`${op}: images must be [N, H, W] (gray) or [N, C, H, W] with C = 1 or 3 (NCHW), got shape ${fmtShape(shape)}${hint}`);
}

function positiveInt(op: string, name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new ValueError(`${op}: ${name} must be an integer in [1, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Maps image `i`'s values to bytes 0..255 per `range`. */
function toBytes(img: Images, i: number, range: 'auto' | readonly [number, number]): Uint8Array {
  const size = img.channels * img.height * img.width;
  const start = i * size;
  let lo: number;
  let hi: number;
  if (range === 'auto') {
    lo = Infinity;
    hi = -Infinity;
    for (let k = 0; k < size; k++) {
      const v = img.values[start + k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi - lo > 1e-12)) {
      // A constant image (or all NaN): show it against 0..1 (or 0..its value) rather than divide by 0.
      lo = Number.isFinite(lo) ? Math.min(0, lo) : 0;
      hi = Number.isFinite(hi) ? Math.max(1, hi) : 1;
    }
  } else {
    [lo, hi] = range;
  }
  const out = new Uint8Array(size);
  const k255 = 255 / (hi - lo);
  for (let k = 0; k < size; k++) {
    const v = (img.values[start + k] - lo) * k255;
    out[k] = v > 0 ? (v < 255 ? Math.round(v) : 255) : 0; // NaN -> 0
  }
  return out;
}

/**
 * The grid as PNG bytes (a Buffer). `images` is `[N, H, W]`, `[N, 1, H, W]` or `[N, 3, H, W]`;
 * `trueLabels` class indices `[N]`; `predLabels` class indices `[N]` or scores `[N, C]` (argmax).
 * Cells are filled row by row, `cols` per row. All sizes are whole pixels:
 *
 * ```
 * frameW = W * scale + 2 * frame          frameH = H * scale + 2 * frame
 * cellW  = max(frameW, widest text line)  cellH  = frameH + 3 + 2 * 8 * textScale
 * gap    = max(6, 6 * textScale)          (one character of the font between cells)
 * width  = cols * cellW + (cols - 1) * gap + 2 * 6          height = rows * cellH + (rows + 1) * 6
 * cell (r, c) starts at (6 + c * (cellW + gap), 6 + r * (cellH + 6)); the framed image and each
 * text line are centred in the cell's width
 * ```
 *
 * With `maxWidth`, cols is lowered until width <= maxWidth (or cols is 1).
 *
 * ```ts
 * const png = predictionGridPNG(x.reshape(-1, 1, 28, 28), y, logits, { cols: 8 });
 * writeFileAtomic('out/predictions.png', png);
 * ```
 */
export function predictionGridPNG(
  images: MetricInput,
  trueLabels: MetricInput,
  predLabels: MetricInput,
  options: PredictionGridOptions = {},
): Buffer {
  const op = 'predictionGridPNG';
  checkOptions(op, options, PREDICTION_GRID_OPTIONS);
  const img = readImages(op, images);
  const names = options.classNames;
  if (names !== undefined && (!Array.isArray(names) || !names.every((s) => typeof s === 'string'))) {
    throw new ValueError(`${op}: classNames must be an array of strings (one per class)`);
  }
  const numClasses = names?.length;
  const truth = readLabels(op, 'trueLabels', trueLabels, numClasses, 'classNames');
  const pred = readPredictions(op, predLabels, numClasses, 'predLabels', 'classNames').labels;
  if (truth.length !== img.n || pred.length !== img.n) {
    throw new ShapeError(`${op}: ${img.n} images but ${truth.length} true labels and ${pred.length} predictions; pass one of each per image`);
  }
  if (img.n === 0) throw new ValueError(`${op}: got 0 images; there is nothing to draw`);
  if (img.height === 0 || img.width === 0) throw new ShapeError(`${op}: images of size ${img.height}x${img.width} cannot be drawn`);
  let cols = Math.min(positiveInt(op, 'cols', options.cols ?? Math.min(img.n, 10), 10000), img.n);
  const maxWidth = options.maxWidth === undefined ? Infinity : positiveInt(op, 'maxWidth', options.maxWidth, 1_000_000);
  const scale = positiveInt(op, 'scale', options.scale ?? 2, 64);
  const textScale = positiveInt(op, 'textScale', options.textScale ?? 1, 16);
  const frame = positiveInt(op, 'frame', options.frame ?? 2, 64);
  const range = options.range ?? 'auto';
  if (range !== 'auto' && !(Array.isArray(range) && range.length === 2 && range.every(Number.isFinite) && range[1] > range[0])) {
    throw new ValueError(`${op}: range must be 'auto' or [lo, hi] with lo < hi (e.g. [0, 1] or [0, 255]), got ${JSON.stringify(range)}`);
  }

  const labelOf = (k: number): string => names?.[k] ?? String(k);
  const lines = Array.from(truth, (t, i) => [`true: ${labelOf(t)}`, `pred: ${labelOf(pred[i])}`]);
  const widestText = Math.max(...lines.flat().map((s) => textWidth(s, textScale)));
  const frameW = img.width * scale + 2 * frame;
  const frameH = img.height * scale + 2 * frame;
  const cellW = Math.max(frameW, widestText);
  const cellH = frameH + TEXT_GAP + 2 * LINE_HEIGHT * textScale;
  const gap = Math.max(PAD, ADVANCE * textScale);
  const gridWidth = (c: number): number => c * cellW + (c - 1) * gap + 2 * PAD;
  while (cols > 1 && gridWidth(cols) > maxWidth) cols--;
  const rows = Math.ceil(img.n / cols);
  const width = gridWidth(cols);
  const height = rows * cellH + (rows + 1) * PAD;
  if (width * height > MAX_PIXELS) {
    throw new ValueError(`${op}: the grid would be ${width}x${height} pixels; draw fewer images, or lower scale/textScale`);
  }

  const png = new PNG({ width, height, colorType: 6 });
  const canvas: RGBAImage = { width, height, data: png.data };
  fillRect(canvas, 0, 0, width, height, WHITE);
  const plane = img.height * img.width;
  for (let i = 0; i < img.n; i++) {
    const x0 = PAD + (i % cols) * (cellW + gap);
    const y0 = PAD + Math.floor(i / cols) * (cellH + PAD);
    const fx = x0 + Math.floor((cellW - frameW) / 2);
    const ok = truth[i] === pred[i];
    fillRect(canvas, fx, y0, frameW, frameH, ok ? CORRECT_COLOR : WRONG_COLOR);
    const bytes = toBytes(img, i, range);
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const p = y * img.width + x;
        const color: RGB = img.channels === 1 ? [bytes[p], bytes[p], bytes[p]] : [bytes[p], bytes[plane + p], bytes[2 * plane + p]];
        fillRect(canvas, fx + frame + x * scale, y0 + frame + y * scale, scale, scale, color);
      }
    }
    const ty = y0 + frameH + TEXT_GAP;
    const centred = (text: string): number => x0 + Math.floor((cellW - textWidth(text, textScale)) / 2);
    drawText(canvas, centred(lines[i][0]), ty, lines[i][0], BLACK, textScale);
    drawText(canvas, centred(lines[i][1]), ty + LINE_HEIGHT * textScale, lines[i][1], ok ? CORRECT_COLOR : WRONG_COLOR, textScale);
  }
  return PNG.sync.write(png);
}

/** Writes `predictionGridPNG(...)` to `path` atomically. */
export function savePredictionGridPNG(
  path: string,
  images: MetricInput,
  trueLabels: MetricInput,
  predLabels: MetricInput,
  options: PredictionGridOptions = {},
): void {
  checkOptions('savePredictionGridPNG', options, PREDICTION_GRID_OPTIONS);
  writeFileAtomic(path, predictionGridPNG(images, trueLabels, predLabels, options));
}
