/**
 * Turning a picture into the input a model was trained on, for `dl predict`.
 *
 * Steps, for a decoded 8-bit image (gray, gray + alpha, RGB or RGBA) and a model input [C, H, W]:
 *
 * 1. alpha: transparent pixels are composited over white (`v = a·v + (1 − a)·255`), as on paper;
 * 2. channels: to gray with the ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B` when C = 1, or
 *    gray replicated to 3 channels when C = 3;
 * 3. invert (`1 − v`) when asked, or in `auto` mode when the model was trained on light strokes on
 *    a dark ground (MNIST, Fashion-MNIST) and the picture's border is light (mean above 0.5):
 *    a digit drawn or scanned in dark ink on white paper;
 * 4. then, with a {@link FitOptions} (`fit`, for gray models), the picture is made the way the
 *    dataset's images were made (LeCun et al. for MNIST):
 *    a. levels: the ground's level (the median of the border ring, plus three robust standard
 *       deviations of it, so that paper noise counts as ground) becomes 0, white stays 1;
 *    b. crop to the bounding box of the ink (every pixel above the ground);
 *    c. scale so that the larger side is `fit.box` pixels (MNIST: 20), keeping the aspect ratio,
 *       anti-aliased (area averaging when shrinking, bilinear when enlarging); a faint result
 *       (brightest pixel below 0.98: gray ink, thin strokes) is stretched so that its brightest
 *       pixel is 1, as in MNIST, where every digit has pixels of 254 or 255;
 *    d. place it in the H x W field (28 x 28) so that its centre of mass lands at the centre
 *       (`centre: 'mass'`, MNIST), or its box in the middle (`centre: 'box'`, Fashion-MNIST), by
 *       whole pixels, kept inside the field.
 *    An image that is already MNIST-like (28 x 28, light digit on black, 20-pixel box, centred by
 *    its mass) comes out unchanged (every MNIST test digit does).
 * 4'. without `fit` (colour models, `--preprocess resize`): pad to a square with the mean colour
 *    of the border, so that the picture keeps its aspect, and resample to H x W by area averaging
 *    (each output pixel is the overlap-weighted mean of the input area it covers).
 * 5. values are in [0, 1] (`v / 255`, as `toTensor` does for training data).
 *
 * ```ts
 * const x = prepareImage(raw, { shape: [1, 28, 28], invert: 'auto', lightOnDark: true, fit: datasetFit('mnist') });
 * x.tensor.shape; // [1, 1, 28, 28]  (a batch of one)
 * x.inverted;     // true for black ink on white paper
 * ```
 */
import { Tensor } from '@dl/tensor';
import type { DatasetName } from './args';
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
  /** Crop, scale and centre the ink as the dataset's images were made (gray models only); null or absent: pad and resize. */
  fit?: FitOptions | null;
}

/** How a dataset's images were framed (step 4 of the module comment). */
export interface FitOptions {
  /** The larger side of the ink's bounding box, in pixels of the model input (MNIST: 20). */
  box: number;
  /** Where the box goes: its centre of mass at the field's centre (MNIST), or the box in the middle. */
  centre: 'mass' | 'box';
}

/**
 * How each dataset's images were made, for `dl predict --preprocess auto`: MNIST's digits were
 * scaled into a 20 x 20 box and centred by their centre of mass in 28 x 28; Fashion-MNIST's
 * products were trimmed, scaled so that the longer side is 28 and centred; CIFAR-10's photos are
 * whole scenes (null: pad and resize).
 */
export function datasetFit(dataset: DatasetName): FitOptions | null {
  switch (dataset) {
    case 'mnist':
      return { box: 20, centre: 'mass' };
    case 'fashion-mnist':
      return { box: 28, centre: 'box' };
    case 'cifar10':
      return null;
  }
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

/**
 * Resamples a plane from w x h to ow x oh by bilinear interpolation between pixel centres (edges
 * clamped): the anti-aliased way to enlarge.
 */
export function resizeBilinear(plane: Float32Array, w: number, h: number, ow: number, oh: number): Float32Array {
  const out = new Float32Array(ow * oh);
  const sx = w / ow;
  const sy = h / oh;
  for (let Y = 0; Y < oh; Y++) {
    const fy = Math.min(h - 1, Math.max(0, (Y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let X = 0; X < ow; X++) {
      const fx = Math.min(w - 1, Math.max(0, (X + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const top = plane[y0 * w + x0] * (1 - tx) + plane[y0 * w + x1] * tx;
      const bottom = plane[y1 * w + x0] * (1 - tx) + plane[y1 * w + x1] * tx;
      out[Y * ow + X] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Step 4 of the module comment for one plane of light ink on a dark ground, values in [0, 1]:
 * levels, crop to the ink, scale the larger side to `fit.box`, place in an ow x oh field.
 * A plane without ink gives a black field.
 */
export function fitPlane(plane: Float32Array, w: number, h: number, ow: number, oh: number, fit: FitOptions): Float32Array {
  const out = new Float32Array(ow * oh);
  // a. levels: the ground (border ring: median + 3 robust standard deviations) to 0, white stays 1
  const ring: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (y === 0 || y === h - 1 || x === 0 || x === w - 1) ring.push(plane[y * w + x]);
  }
  const med = median(ring);
  const mad = median(ring.map((v) => Math.abs(v - med)));
  const ground = med + 3 * 1.4826 * mad;
  let peak = -Infinity;
  for (let i = 0; i < w * h; i++) if (plane[i] > peak) peak = plane[i];
  if (!(peak - ground > 1e-6)) return out;
  // b. the ink's bounding box
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (plane[y * w + x] > ground) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const crop = new Float32Array(cw * ch);
  const range = 1 - ground;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) crop[y * cw + x] = Math.max(0, (plane[(y + y0) * w + x + x0] - ground) / range);
  }
  // c. the larger side to fit.box (at most the field), anti-aliased; a faint result stretched to a peak of 1
  const box = Math.max(1, Math.min(fit.box, ow, oh));
  const s = box / Math.max(cw, ch);
  const nw = Math.min(ow, Math.max(1, Math.round(cw * s)));
  const nh = Math.min(oh, Math.max(1, Math.round(ch * s)));
  const scaled = s <= 1 ? resizeArea(crop, cw, ch, nw, nh) : resizeBilinear(crop, cw, ch, nw, nh);
  let top = 0;
  for (const v of scaled) if (v > top) top = v;
  if (top > 0 && top < 0.98) for (let i = 0; i < scaled.length; i++) scaled[i] = Math.min(1, scaled[i] / top);
  // d. placement: by the centre of mass (index coordinates, as MNIST: its digits have it at 14, 14 in 28 x 28) or the box
  let ox: number;
  let oy: number;
  if (fit.centre === 'mass') {
    let m = 0;
    let mx = 0;
    let my = 0;
    for (let y = 0; y < nh; y++) {
      for (let x = 0; x < nw; x++) {
        const v = scaled[y * nw + x];
        m += v;
        mx += v * x;
        my += v * y;
      }
    }
    ox = Math.round(ow / 2 - mx / m);
    oy = Math.round(oh / 2 - my / m);
  } else {
    ox = Math.floor((ow - nw) / 2);
    oy = Math.floor((oh - nh) / 2);
  }
  ox = Math.min(ow - nw, Math.max(0, ox));
  oy = Math.min(oh - nh, Math.max(0, oy));
  for (let y = 0; y < nh; y++) out.set(scaled.subarray(y * nw, (y + 1) * nw), (y + oy) * ow + ox);
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
  const fit = opts.fit ?? null;
  if (fit !== null && c === 1) {
    const v = planes[0].map((x) => {
      const u = Math.min(1, Math.max(0, x / 255));
      return inverted ? 1 - u : u;
    });
    out.set(fitPlane(v, img.width, img.height, w, h, fit));
    return { tensor: new Tensor(out, [1, c, h, w]), inverted };
  }
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
