/**
 * Shared pieces of the image transforms: the `Transform` and `RawImage` types, reading a
 * `[C, H, W]` (or `[H, W]`) float tensor into a flat array, and building the result tensor.
 *
 * Layout: element `(c, y, x)` of an image is `data[(c * H + y) * W + x]`; `x` grows to the right,
 * `y` downwards; pixel centres are at integer coordinates.
 */
import { DTypeError, Generator, ShapeError, Tensor, ValueError, defaultGenerator, fmtShape } from '@dl/tensor';

/** A transform: a function of one sample. Random transforms draw from their `generator`. */
export type Transform<I = Tensor, O = Tensor> = (input: I) => O;

/**
 * Decoded 8-bit image, interleaved (HWC): pixel `(y, x)` channel `c` is
 * `data[(y * width + x) * channels + c]`, 0..255. What `readImage` returns and `toTensor` takes.
 */
export interface RawImage {
  width: number;
  height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  channels: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Options shared by random transforms. */
export interface RandomOptions {
  /** Source of randomness (default: the global generator seeded by `manualSeed`). */
  generator?: Generator;
}

/** Sampling of a point between pixel centres. */
export type Interpolation = 'nearest' | 'bilinear';

/** A float image read into a flat array (`data` may be a view of the tensor's storage: read only). */
export interface FlatImage {
  data: Float32Array | Float64Array;
  c: number;
  h: number;
  w: number;
  /** False for an `[H, W]` input: the result is given back as `[H, W]` too. */
  hasChannelDim: boolean;
  dtype: 'float32' | 'float64';
}

/** Reads a `[C, H, W]` or `[H, W]` float tensor; `op` names the transform in errors. */
export function readFlat(op: string, x: Tensor): FlatImage {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor image [C, H, W] or [H, W], got ${typeof x}`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new DTypeError(`${op}: expected a float image in [0, 1], got dtype ${x.dtype}; convert it with toTensor() first`);
  }
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new ShapeError(`${op}: expected an image of shape [C, H, W] or [H, W], got ${fmtShape(x.shape)}; transforms work on one sample, not on a batch`);
  }
  const hasChannelDim = x.ndim === 3;
  const [c, h, w] = hasChannelDim ? x.shape : [1, ...x.shape];
  const n = c * h * w;
  const data = x.isContiguous()
    ? (x.storage as Float32Array | Float64Array).subarray(x.offset, x.offset + n)
    : (x.toTypedArray() as Float32Array | Float64Array);
  return { data, c, h, w, hasChannelDim, dtype: x.dtype };
}

/** A new array for an image of `c * h * w` elements of `dtype`. */
export function allocImage(dtype: 'float32' | 'float64', n: number): Float32Array | Float64Array {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** Wraps `data` as `[c, h, w]` (or `[h, w]` when the input had no channel dim). */
export function toImageTensor(data: Float32Array | Float64Array, c: number, h: number, w: number, hasChannelDim: boolean): Tensor {
  return new Tensor(data, hasChannelDim ? [c, h, w] : [h, w]);
}

/** Uniform draw in `[lo, hi]` (exactly `lo` when `lo === hi`, without using the generator). */
export function uniformIn(g: Generator, lo: number, hi: number): number {
  return lo === hi ? lo : lo + (hi - lo) * g.uniform();
}

/** The generator of a random transform. */
export function generatorOf(opts: RandomOptions): Generator {
  return opts.generator ?? defaultGenerator;
}

/** `[h, w]` from a number or a pair, checked positive integers. */
export function sizePair(op: string, size: number | readonly [number, number]): [number, number] {
  const pair: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!pair.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ValueError(`${op}: size must be a positive integer or a pair [height, width] of them, got ${JSON.stringify(size)}`);
  }
  return pair;
}

/**
 * A range `[lo, hi]` from a number `d` (meaning `[-d, d]`, d >= 0) or a pair with lo <= hi.
 */
export function symmetricRange(op: string, name: string, v: number | readonly [number, number]): [number, number] {
  if (typeof v === 'number') {
    if (!(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a non-negative number or a pair [min, max], got ${v}`);
    return [-v, v];
  }
  if (v.length !== 2 || !(v[0] <= v[1]) || !Number.isFinite(v[0]) || !Number.isFinite(v[1])) {
    throw new ValueError(`${op}: ${name} must be a pair [min, max] with min <= max, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}
