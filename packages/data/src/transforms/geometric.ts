/**
 * Random geometric augmentations on `[C, H, W]` (or `[H, W]`) float images: `randomCrop`,
 * `randomHorizontalFlip`, `randomRotation`, `randomAffine`, and the deterministic functions they
 * are built from (`pad`-and-crop, `hflip`, `affine`).
 *
 * Geometry: pixel centres at integer coordinates, the centre of rotation/scaling/shear is the image
 * centre `c = ((W - 1) / 2, (H - 1) / 2)`, x to the right, y downwards. A positive angle turns the
 * picture counter-clockwise as seen on screen (torchvision's convention).
 *
 * ```ts
 * const augment = compose([
 *   randomCrop(28, { padding: 2, generator: g }),
 *   randomRotation(10, { generator: g }),
 * ]);
 * ```
 */
import { ValueError, checkOptions, optionKeys } from '@dl/tensor';
import { cropImage } from './basic';
import {
  allocImage,
  generatorOf,
  readFlat,
  sizePair,
  symmetricRange,
  toImageTensor,
  uniformIn,
  type Interpolation,
  type RandomOptions,
  type Transform,
} from './image';
import { warpAffine } from './warp';
import type { Tensor } from '@dl/tensor';

/** Padding as torchvision: `p` (all sides), `[left/right, top/bottom]` or `[left, top, right, bottom]`. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

function paddingOf(op: string, p: Padding): [number, number, number, number] {
  const v: number[] = typeof p === 'number' ? [p, p, p, p] : p.length === 2 ? [p[0], p[1], p[0], p[1]] : [...p];
  if (v.length !== 4 || !v.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new ValueError(`${op}: padding must be a non-negative integer, [lr, tb] or [left, top, right, bottom], got ${JSON.stringify(p)}`);
  }
  return [v[0], v[1], v[2], v[3]];
}

/** Options of `randomCrop`. */
export interface RandomCropOptions extends RandomOptions {
  /** Border added before cropping (default 0). */
  padding?: Padding;
  /** Value of the added border (default 0). */
  fill?: number;
  /** Pad images smaller than `size` up to it instead of failing (default false). */
  padIfNeeded?: boolean;
}

/**
 * Pads the image (constant `fill`), then cuts a `size` window at a uniformly random position:
 * `top ~ U{0..H+pt+pb-h}`, `left ~ U{0..W+pl+pr-w}`. With `padding: 4` and `size` equal to the image
 * size this shifts the image by up to 4 pixels (the usual CIFAR/MNIST augmentation).
 */
export function randomCrop(size: number | readonly [number, number], options: RandomCropOptions = {}): Transform {
  checkOptions('randomCrop', options, optionKeys<RandomCropOptions>({ generator: true, padding: true, fill: true, padIfNeeded: true }));
  const [h, w] = sizePair('randomCrop', size);
  const [pl, pt, pr, pb] = paddingOf('randomCrop', options.padding ?? 0);
  const fill = options.fill ?? 0;
  const g = generatorOf(options);
  return (x) => {
    const img = readFlat('randomCrop', x);
    let H = img.h + pt + pb;
    let W = img.w + pl + pr;
    let extraTop = 0;
    let extraLeft = 0;
    if (H < h || W < w) {
      if (!options.padIfNeeded) {
        throw new ValueError(
          `randomCrop: crop size [${h}, ${w}] is larger than the padded image [${H}, ${W}]; add padding, crop smaller, or pass padIfNeeded: true`,
        );
      }
      extraTop = Math.max(0, h - H);
      extraLeft = Math.max(0, w - W);
      H = Math.max(H, h);
      W = Math.max(W, w);
    }
    // Position of the window in padded coordinates, then shifted back to the image's own coordinates.
    const top = g.integer(0, H - h + 1) - pt - extraTop;
    const left = g.integer(0, W - w + 1) - pl - extraLeft;
    return cropImage(img.data, img.c, img.h, img.w, top, left, h, w, fill, img.dtype, img.hasChannelDim);
  };
}

/** Mirrors the image left-right: `out(c, y, x) = in(c, y, W - 1 - x)`. */
export function hflip(x: Tensor): Tensor {
  const img = readFlat('hflip', x);
  const out = allocImage(img.dtype, img.data.length);
  const { w } = img;
  for (let row = 0; row < img.c * img.h; row++) {
    const base = row * w;
    for (let i = 0; i < w; i++) out[base + i] = img.data[base + w - 1 - i];
  }
  return toImageTensor(out, img.c, img.h, img.w, img.hasChannelDim);
}

/** Mirrors the image left-right with probability `p` (default 0.5). */
export function randomHorizontalFlip(p = 0.5, options: RandomOptions = {}): Transform {
  checkOptions('randomHorizontalFlip', options, ['generator']);
  if (!(p >= 0 && p <= 1)) throw new ValueError(`randomHorizontalFlip: p must be a probability in [0, 1], got ${p}`);
  const g = generatorOf(options);
  return (x) => {
    readFlat('randomHorizontalFlip', x);
    return g.uniform() < p ? hflip(x) : x;
  };
}

/** Parameters of one affine map (see `affine`). */
export interface AffineParams {
  /** Rotation in degrees, counter-clockwise on screen. */
  angle: number;
  /** Shift in pixels `[tx, ty]` (right, down). */
  translate: readonly [number, number];
  /** Scale factor (> 0). */
  scale: number;
  /** Shear angles in degrees `[sx, sy]`: x' = x + tan(sx) y, y' = y + tan(sy) x. */
  shear: readonly [number, number];
}

/** Options of `affine`, `randomRotation`, `randomAffine`. */
export interface WarpOptions {
  /** Value of pixels that come from outside the image (default 0). */
  fill?: number;
  /** 'nearest' (default, as torchvision) or 'bilinear'. */
  interpolation?: Interpolation;
}

const WARP_OPTIONS = optionKeys<WarpOptions>({ fill: true, interpolation: true });

/**
 * Applies one affine map about the image centre `c`:
 *
 * `p_out = c + t + s R(angle) Sh (p_in - c)`, `R(a) = [[cos a, sin a], [-sin a, cos a]]`,
 * `Sh = [[1, tan sx], [tan sy, 1]]`; each output pixel reads the input at the inverse image of its
 * centre (nearest or bilinear), `fill` outside. angle 0, t 0, s 1, shear 0 is the identity.
 */
export function affine(x: Tensor, params: AffineParams, options: WarpOptions = {}): Tensor {
  checkOptions('affine', options, WARP_OPTIONS);
  const img = readFlat('affine', x);
  const { angle, translate, scale, shear } = params;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new ValueError(`affine: scale must be a positive number, got ${scale}`);
  const rad = (angle * Math.PI) / 180;
  // Multiples of 90 degrees get exact cos/sin, so that they map pixel centres onto pixel centres.
  const quarter = angle % 90 === 0 ? (((angle / 90) % 4) + 4) % 4 : -1;
  const cos = quarter >= 0 ? [1, 0, -1, 0][quarter] : Math.cos(rad);
  const sin = quarter >= 0 ? [0, 1, 0, -1][quarter] : Math.sin(rad);
  const shx = Math.tan((shear[0] * Math.PI) / 180);
  const shy = Math.tan((shear[1] * Math.PI) / 180);
  // Forward linear part M = s R Sh.
  const m00 = scale * (cos + sin * shy);
  const m01 = scale * (cos * shx + sin);
  const m10 = scale * (-sin + cos * shy);
  const m11 = scale * (-sin * shx + cos);
  const det = m00 * m11 - m01 * m10;
  if (!(Math.abs(det) > 1e-12)) {
    throw new ValueError(`affine: the map (angle ${angle}, scale ${scale}, shear [${shear.join(', ')}]) is singular; use shears below 45 degrees`);
  }
  const i00 = m11 / det;
  const i01 = -m01 / det;
  const i10 = -m10 / det;
  const i11 = m00 / det;
  const cx = (img.w - 1) / 2;
  const cy = (img.h - 1) / 2;
  // p_in = c + M^-1 (p_out - c - t)
  const ox = cx + translate[0];
  const oy = cy + translate[1];
  const inverse = [i00, i01, cx - i00 * ox - i01 * oy, i10, i11, cy - i10 * ox - i11 * oy] as const;
  const out = allocImage(img.dtype, img.data.length);
  warpAffine(img.data, out, img.c, img.h, img.w, inverse, options.interpolation ?? 'nearest', options.fill ?? 0);
  return toImageTensor(out, img.c, img.h, img.w, img.hasChannelDim);
}

/** Options of `randomRotation`. */
export interface RandomRotationOptions extends WarpOptions, RandomOptions {}

/**
 * Rotates by an angle drawn uniformly from `[-degrees, degrees]` (or `[min, max]`) about the centre.
 * `randomRotation(0)` is the identity.
 */
export function randomRotation(degrees: number | readonly [number, number], options: RandomRotationOptions = {}): Transform {
  checkOptions('randomRotation', options, optionKeys<RandomRotationOptions>({ fill: true, interpolation: true, generator: true }));
  const warp: WarpOptions = { fill: options.fill, interpolation: options.interpolation };
  const [lo, hi] = symmetricRange('randomRotation', 'degrees', degrees);
  const g = generatorOf(options);
  return (x) => {
    const angle = uniformIn(g, lo, hi);
    return affine(x, { angle, translate: [0, 0], scale: 1, shear: [0, 0] }, warp);
  };
}

/** Options of `randomAffine`. */
export interface RandomAffineOptions extends WarpOptions, RandomOptions {
  /** Rotation range: `d` for `[-d, d]` or `[min, max]` (default 0). */
  degrees?: number | readonly [number, number];
  /** Maximal shift as fractions of the size `[fx, fy]`: tx ~ U(-fx W, fx W), rounded (default none). */
  translate?: readonly [number, number];
  /** Scale range `[min, max]` (default 1). */
  scale?: readonly [number, number];
  /** Shear: `d` (x shear in [-d, d]), `[min, max]` (x shear) or `[xmin, xmax, ymin, ymax]` (default none). */
  shear?: number | readonly [number, number] | readonly [number, number, number, number];
}

/**
 * A random affine map (see `affine`), with the parameters drawn in this order: angle, translation,
 * scale, shear. Default options give the identity.
 *
 * ```ts
 * randomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5, generator: g });
 * ```
 */
export function randomAffine(options: RandomAffineOptions = {}): Transform {
  const op = 'randomAffine';
  checkOptions(
    op,
    options,
    optionKeys<RandomAffineOptions>({ degrees: true, translate: true, scale: true, shear: true, fill: true, interpolation: true, generator: true }),
  );
  const warp: WarpOptions = { fill: options.fill, interpolation: options.interpolation };
  const [dLo, dHi] = symmetricRange(op, 'degrees', options.degrees ?? 0);
  const tr = options.translate ?? [0, 0];
  if (tr.length !== 2 || !tr.every((f) => f >= 0 && f <= 1)) {
    throw new ValueError(`${op}: translate must be a pair [fx, fy] of fractions in [0, 1], got ${JSON.stringify(options.translate)}`);
  }
  const sc = options.scale ?? [1, 1];
  if (sc.length !== 2 || !(sc[0] > 0) || !(sc[0] <= sc[1]) || !Number.isFinite(sc[1])) {
    throw new ValueError(`${op}: scale must be a pair [min, max] with 0 < min <= max, got ${JSON.stringify(options.scale)}`);
  }
  const sh = options.shear ?? 0;
  let shX: [number, number];
  let shY: [number, number] = [0, 0];
  if (typeof sh === 'number' || sh.length === 2) shX = symmetricRange(op, 'shear', typeof sh === 'number' ? sh : [sh[0], sh[1]]);
  else if (sh.length === 4) {
    shX = symmetricRange(op, 'shear', [sh[0], sh[1]]);
    shY = symmetricRange(op, 'shear', [sh[2], sh[3]]);
  } else throw new ValueError(`${op}: shear must be a number, [min, max] or [xmin, xmax, ymin, ymax], got ${JSON.stringify(sh)}`);
  const g = generatorOf(options);
  return (x) => {
    const img = readFlat(op, x);
    const angle = uniformIn(g, dLo, dHi);
    const maxDx = tr[0] * img.w;
    const maxDy = tr[1] * img.h;
    const tx = Math.round(uniformIn(g, -maxDx, maxDx));
    const ty = Math.round(uniformIn(g, -maxDy, maxDy));
    const scale = uniformIn(g, sc[0], sc[1]);
    const shear: [number, number] = [uniformIn(g, shX[0], shX[1]), uniformIn(g, shY[0], shY[1])];
    return affine(x, { angle, translate: [tx, ty], scale, shear }, warp);
  };
}
