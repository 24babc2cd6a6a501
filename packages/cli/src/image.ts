/**
 * Turning a picture into the input a model was trained on, for `dl predict`.
 *
 * Steps, for a decoded 8-bit image (gray, gray + alpha, RGB or RGBA) and a model input [C, H, W]:
 *
 * 1. alpha: transparent pixels are composited over white (`v = a·v + (1 − a)·255`), as on paper;
 * 2. channels: to gray with the ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B` when C = 1, or
 *    gray replicated to 3 channels when C = 3;
 * 3. square: padded to a square with the mean colour of the border, so digits keep their aspect;
 * 4. size: resampled to H x W by area averaging (each output pixel is the mean of the input area
 *    it covers, weighted by overlap; this is a box filter when shrinking and nearest-like when
 *    growing);
 * 5. scale to [0, 1] (`v / 255`, as `toTensor` does for training data) and, when asked,
 *    invert (`1 − v`): MNIST digits are light strokes on a dark ground, a scanned or drawn digit
 *    is usually dark ink on white paper.
 *
 * ```ts
 * const x = prepareImage(raw, { shape: [1, 28, 28], invert: 'auto', lightOnDark: true });
 * x.tensor.shape; // [1, 1, 28, 28]  (a batch of one)
 * x.inverted;     // true for black ink on white paper
 * ```
 */
import { Tensor } from '@dl/tensor';
import { CliError } from './errors';

/** A decoded image: interleaved 8-bit channels, pixel (y, x) channel c at `data[(y * width + x) * channels + c]`. */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  channels: number;
  data: Uint8Array | Uint8ClampedArray;
}

export interface PrepareOptions {
  /** The model's input [C, H, W]; C is 1 or 3. */
  shape: readonly [number, number, number];
  invert: 'auto' | 'yes' | 'no';
  /** Whether the training images were light on dark (then `auto` inverts light-background pictures). */
  lightOnDark: boolean;
}

export interface PreparedImage {
  /** [1, C, H, W] float32 in [0, 1]. */
  tensor: Tensor;
  inverted: boolean;
}

/** Planar float channels (0..255) after alpha compositing: `planes[c][y * w + x]`. */
function toPlanes(img: DecodedImage, channelsOut: number): Float32Array[] {
  const { width: w, height: h, channels: ch, data } = img;
  if (![1, 2, 3, 4].includes(ch)) throw new CliError(`image: ${ch} channels per pixel are not supported (1 to 4)`);
  if (!(w > 0 && h > 0) || data.length < w * h * ch) {
    throw new CliError(`image: ${w}x${h} with ${ch} channels needs ${w * h * ch} bytes, got ${data.length}`);
  }
  const hasAlpha = ch === 2 || ch === 4;
  const color = ch >= 3;
  const planes = Array.from({ length: channelsOut }, () => new Float32Array(w * h));
  for (let i = 0; i < w * h; i++) {
    const p = i * ch;
    const a = hasAlpha ? data[p + ch - 1] / 255 : 1;
    const r = data[p] * a + (1 - a) * 255;
    const g = color ? data[p + 1] * a + (1 - a) * 255 : r;
    const b = color ? data[p + 2] * a + (1 - a) * 255 : r;
    if (channelsOut === 1) planes[0][i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      planes[0][i] = r;
      planes[1][i] = g;
      planes[2][i] = b;
    }
  }
  return planes;
}

/** The mean of the outermost ring of pixels of a plane (w x h). */
export function borderMean(plane: Float32Array, w: number, h: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y === 0 || y === h - 1 || x === 0 || x === w - 1) {
        sum += plane[y * w + x];
        n++;
      }
    }
  }
  return n > 0 ? sum / n : 0;
}

/** Pads a plane to a square, centred, filling with `fill`. */
export function padToSquare(plane: Float32Array, w: number, h: number, fill: number): { plane: Float32Array; size: number } {
  if (w === h) return { plane, size: w };
  const size = Math.max(w, h);
  const out = new Float32Array(size * size).fill(fill);
  const ox = Math.floor((size - w) / 2);
  const oy = Math.floor((size - h) / 2);
  for (let y = 0; y < h; y++) out.set(plane.subarray(y * w, (y + 1) * w), (y + oy) * size + ox);
  return { plane: out, size };
}

/**
 * Resamples a plane from w x h to ow x oh by area averaging: output pixel (X, Y) covers input
 * [X·w/ow, (X+1)·w/ow) x [Y·h/oh, (Y+1)·h/oh) and is the overlap-weighted mean of the pixels there.
 */
export function resizeArea(plane: Float32Array, w: number, h: number, ow: number, oh: number): Float32Array {
  if (w === ow && h === oh) return plane.slice();
  const out = new Float32Array(ow * oh);
  const sx = w / ow;
  const sy = h / oh;
  for (let Y = 0; Y < oh; Y++) {
    const y0 = Y * sy;
    const y1 = y0 + sy;
    for (let X = 0; X < ow; X++) {
      const x0 = X * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(h, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          sum += plane[y * w + x] * wx * wy;
          area += wx * wy;
        }
      }
      out[Y * ow + X] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

/** The model input for one decoded image (see the module comment for the steps). */
export function prepareImage(img: DecodedImage, opts: PrepareOptions): PreparedImage {
  const [c, h, w] = opts.shape;
  if (c !== 1 && c !== 3) throw new CliError(`image: the model takes ${c} input channels; dl predict handles 1 (gray) or 3 (RGB)`);
  const planes = toPlanes(img, c);
  const gray = c === 1 ? planes[0] : planes[0].map((r, i) => 0.299 * r + 0.587 * planes[1][i] + 0.114 * planes[2][i]);
  const border = borderMean(gray, img.width, img.height) / 255;
  const inverted = opts.invert === 'yes' || (opts.invert === 'auto' && opts.lightOnDark && border > 0.5);
  const out = new Float32Array(c * h * w);
  planes.forEach((p, k) => {
    const fill = borderMean(p, img.width, img.height);
    const sq = padToSquare(p, img.width, img.height, fill);
    const r = resizeArea(sq.plane, sq.size, sq.size, w, h);
    for (let i = 0; i < h * w; i++) {
      const v = Math.min(1, Math.max(0, r[i] / 255));
      out[k * h * w + i] = inverted ? 1 - v : v;
    }
  });
  return { tensor: new Tensor(out, [1, c, h, w]), inverted };
}
