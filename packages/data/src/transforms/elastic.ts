/**
 * Elastic distortion (Simard, Steinkraus & Platt, "Best Practices for Convolutional Neural Networks
 * Applied to Visual Document Analysis", ICDAR 2003), the augmentation the course cites for MNIST.
 *
 * Algorithm, for an image of H x W pixels:
 * 1. draw two random displacement fields `dx, dy` of H x W values, each uniform in [-1, 1]
 *    (first all of dx, then all of dy, row-major, from the generator);
 * 2. smooth each with a Gaussian of standard deviation `sigma` (separable, truncated at
 *    `4 sigma`, normalised to sum 1, borders mirrored: ... b a | a b c ... as scipy's 'reflect');
 * 3. scale both by `alpha`;
 * 4. `out(c, y, x) = in(c, y + dy(y, x), x + dx(y, x))` with bilinear interpolation (`fill` outside).
 *
 * Small `sigma` gives nearly random (noisy) fields; large `sigma` nearly rigid shifts; `alpha` sets
 * the strength. Simard et al. use sigma = 4, alpha = 34 on 28 x 28 digits (the defaults).
 * `alpha = 0` gives the input back unchanged.
 */
import { ValueError, checkOptions, optionKeys } from '@dl/tensor';
import { allocImage, generatorOf, readFlat, toImageTensor, type Interpolation, type RandomOptions, type Transform } from './image';
import { sampleAt } from './warp';

/** Options of `elasticDistortion`. */
export interface ElasticOptions extends RandomOptions {
  /** Strength: displacements are scaled by alpha pixels (default 34). */
  alpha?: number;
  /** Smoothness: std of the Gaussian in pixels, > 0 (default 4). */
  sigma?: number;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** Value read outside the image (default 0). */
  fill?: number;
}

/** Normalised 1-D Gaussian taps `k[j] ∝ exp(-j^2 / (2 sigma^2))`, `j = -r..r`, `r = ceil(4 sigma)`. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(4 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let j = -r; j <= r; j++) sum += k[j + r] = Math.exp(-(j * j) / (2 * sigma * sigma));
  for (let j = 0; j < k.length; j++) k[j] /= sum;
  return k;
}

/** Mirror index into `0..n-1` (half-sample symmetric: -1 -> 0, n -> n-1). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** Separable Gaussian smoothing of an h x w field, in place (rows, then columns). */
export function gaussianBlur2d(field: Float64Array, h: number, w: number, sigma: number): void {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const line = new Float64Array(Math.max(h, w));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) line[x] = field[y * w + x];
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = -r; j <= r; j++) acc += k[j + r] * line[reflect(x + j, w)];
      field[y * w + x] = acc;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) line[y] = field[y * w + x];
    for (let y = 0; y < h; y++) {
      let acc = 0;
      for (let j = -r; j <= r; j++) acc += k[j + r] * line[reflect(y + j, h)];
      field[y * w + x] = acc;
    }
  }
}

/** Random elastic distortion of a `[C, H, W]` or `[H, W]` image (see the algorithm above). */
export function elasticDistortion(options: ElasticOptions = {}): Transform {
  checkOptions('elasticDistortion', options, optionKeys<ElasticOptions>({ generator: true, alpha: true, sigma: true, interpolation: true, fill: true }));
  const alpha = options.alpha ?? 34;
  const sigma = options.sigma ?? 4;
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new ValueError(`elasticDistortion: alpha must be a non-negative number, got ${alpha}`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new ValueError(`elasticDistortion: sigma must be a positive number, got ${sigma}`);
  const interpolation = options.interpolation ?? 'bilinear';
  const fill = options.fill ?? 0;
  const g = generatorOf(options);
  return (x) => {
    const img = readFlat('elasticDistortion', x);
    const { c, h, w } = img;
    const n = h * w;
    const dx = new Float64Array(n);
    const dy = new Float64Array(n);
    for (let i = 0; i < n; i++) dx[i] = 2 * g.uniform() - 1;
    for (let i = 0; i < n; i++) dy[i] = 2 * g.uniform() - 1;
    gaussianBlur2d(dx, h, w, sigma);
    gaussianBlur2d(dy, h, w, sigma);
    const out = allocImage(img.dtype, c * n);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const p = y * w + xx;
        const sx = xx + alpha * dx[p];
        const sy = y + alpha * dy[p];
        for (let ch = 0; ch < c; ch++) out[ch * n + p] = sampleAt(img.data, ch * n, h, w, sx, sy, interpolation, fill);
      }
    }
    return toImageTensor(out, c, h, w, img.hasChannelDim);
  };
}
