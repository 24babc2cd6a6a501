/**
 * Deterministic transforms: `compose`, `toTensor`, `normalize`, `resize`, `centerCrop`.
 *
 * ```ts
 * const t = compose([toTensor(), normalize([0.1307], [0.3081])]);
 * t(rawImage); // float32 [1, 28, 28], (x / 255 - 0.1307) / 0.3081
 * ```
 */
import { DTypeError, ShapeError, Tensor, ValueError, checkOptions, fmtShape, tensor } from '@dl/tensor';
import { allocImage, readFlat, sizePair, toImageTensor, type Interpolation, type RawImage, type Transform } from './image';
import { sampleAt } from './warp';

/**
 * Chains transforms left to right: `compose([f, g, h])(x) = h(g(f(x)))`. The first may take
 * another input type (e.g. `toTensor()` taking a RawImage); the rest map Tensor to Tensor.
 */
export function compose<I = Tensor>(transforms: readonly [Transform<I, Tensor>, ...Transform[]]): Transform<I, Tensor>;
export function compose(transforms: readonly []): Transform;
export function compose<I>(transforms: readonly Transform<I | Tensor, Tensor>[]): Transform<I, Tensor | I> {
  transforms.forEach((t, k) => {
    if (typeof t !== 'function') throw new ValueError(`compose: transforms[${k}] is not a function`);
  });
  return (x: I) => {
    let y: I | Tensor = x;
    for (const t of transforms) y = t(y);
    return y;
  };
}

/**
 * Converts an image to a float tensor `[C, H, W]` in `[0, 1]`: `x = byte / 255` (computed in
 * float32, like torchvision's ToTensor).
 *
 * Accepts
 * - a RawImage (interleaved HWC bytes, as `readImage` gives): -> `[channels, height, width]`;
 * - an int32 Tensor `[H, W]` or `[H, W, C]` of values 0..255 (like a NumPy uint8 array) -> `[C, H, W]`;
 * - a float Tensor, taken to be an image already in `[0, 1]`: `[C, H, W]` is returned as it is and
 *   `[H, W]` becomes `[1, H, W]`. So `toTensor()` may start a pipeline over @dl's datasets, which
 *   give float images already (unlike torchvision's, which give PIL images).
 */
export function toTensor(): Transform<RawImage | Tensor, Tensor> {
  return (img) => {
    if (img instanceof Tensor) {
      if (img.dtype === 'float32' || img.dtype === 'float64') {
        if (img.ndim === 3) return img;
        if (img.ndim === 2) return img.unsqueeze(0);
        throw new ShapeError(`toTensor: a float image must be [C, H, W] or [H, W], got ${fmtShape(img.shape)}`);
      }
      if (img.dtype !== 'int32') throw new DTypeError(`toTensor: expected bytes as an int32 Tensor [H, W] or [H, W, C], got dtype ${img.dtype}`);
      if (img.ndim !== 2 && img.ndim !== 3) {
        throw new ShapeError(`toTensor: an int32 image must be [H, W] or [H, W, C] (values 0..255), got ${fmtShape(img.shape)}`);
      }
      const hwc = img.ndim === 2 ? img.unsqueeze(2) : img;
      return hwc.permute(2, 0, 1).float().div(255).contiguous();
    }
    const { width, height, channels, data } = img ?? {};
    if (!Number.isInteger(width) || !Number.isInteger(height) || !Number.isInteger(channels) || width < 1 || height < 1 || channels < 1 || !data) {
      throw new ValueError('toTensor: expected a RawImage { width, height, channels, data } or a Tensor');
    }
    const plane = width * height;
    if (data.length !== plane * channels) {
      throw new ShapeError(`toTensor: a ${width}x${height} image with ${channels} channels needs ${plane * channels} bytes, data has ${data.length}`);
    }
    // De-interleave HWC -> CHW, then one float32 division for the whole image.
    const chw = new Float32Array(plane * channels);
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < plane; p++) chw[c * plane + p] = data[p * channels + c];
    }
    return new Tensor(chw, [channels, height, width]).div(255);
  };
}

/**
 * `x[c] = (x[c] - mean[c]) / std[c]` per channel, for `[C, H, W]`, `[N, C, H, W]` (a whole batch) or
 * `[H, W]` (one channel). A single number applies to every channel.
 *
 * ```ts
 * normalize([0.1307], [0.3081]);                               // MNIST's mean and std
 * normalize([0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]); // CIFAR-10
 * ```
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const m = typeof mean === 'number' ? [mean] : [...mean];
  const s = typeof std === 'number' ? [std] : [...std];
  if (m.length === 0 || s.length === 0 || !m.every(Number.isFinite) || !s.every(Number.isFinite)) {
    throw new ValueError(`normalize: mean and std must be finite numbers or lists of them, got mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)}`);
  }
  if (s.some((v) => v === 0)) throw new ValueError(`normalize: std ${JSON.stringify(std)} contains 0; std must be non-zero`);
  return (x) => {
    if (!(x instanceof Tensor) || (x.dtype !== 'float32' && x.dtype !== 'float64')) {
      throw new DTypeError('normalize: expected a float image tensor; convert it with toTensor() first');
    }
    if (x.ndim < 2 || x.ndim > 4) throw new ShapeError(`normalize: expected [C, H, W], [N, C, H, W] or [H, W], got ${fmtShape(x.shape)}`);
    const C = x.ndim === 2 ? 1 : x.shape[x.ndim - 3];
    const expand = (v: number[], name: string): number[] => {
      if (v.length === 1) return new Array<number>(C).fill(v[0]);
      if (v.length !== C) {
        throw new ShapeError(`normalize: ${name} has ${v.length} values but the image ${fmtShape(x.shape)} has ${C} channels; give one value per channel`);
      }
      return v;
    };
    const shape = x.ndim === 2 ? [1, 1] : [C, 1, 1];
    const mt = tensor(expand(m, 'mean'), { dtype: x.dtype }).reshape(shape);
    const st = tensor(expand(s, 'std'), { dtype: x.dtype }).reshape(shape);
    return x.sub(mt).div(st);
  };
}

/** Options of `resize`. */
export interface ResizeOptions {
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
}

/**
 * Resizes an image. `size = [h, w]` gives that size; a single number `s` scales the smaller edge
 * to `s` and keeps the aspect ratio (`round(s * long / short)` for the other edge), as torchvision.
 *
 * Sampling as torchvision with `antialias=False` (align_corners = false): output pixel `x` reads
 * input `(x + 0.5) * W_in / W_out - 0.5`, clamped to the image.
 */
export function resize(size: number | readonly [number, number], options: ResizeOptions = {}): Transform {
  checkOptions('resize', options, ['interpolation']);
  const interpolation = options.interpolation ?? 'bilinear';
  sizePair('resize', size);
  return (x) => {
    const img = readFlat('resize', x);
    let oh: number;
    let ow: number;
    if (typeof size === 'number') {
      if (img.h <= img.w) [oh, ow] = [size, Math.max(1, Math.round((size * img.w) / img.h))];
      else [oh, ow] = [Math.max(1, Math.round((size * img.h) / img.w)), size];
    } else [oh, ow] = size;
    const out = allocImage(img.dtype, img.c * oh * ow);
    const sy = img.h / oh;
    const sx = img.w / ow;
    for (let y = 0; y < oh; y++) {
      const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.h - 1);
      for (let xx = 0; xx < ow; xx++) {
        const fx = Math.min(Math.max((xx + 0.5) * sx - 0.5, 0), img.w - 1);
        for (let c = 0; c < img.c; c++) {
          out[(c * oh + y) * ow + xx] = sampleAt(img.data, c * img.h * img.w, img.h, img.w, fx, fy, interpolation, 0);
        }
      }
    }
    return toImageTensor(out, img.c, oh, ow, img.hasChannelDim);
  };
}

/** Cuts the central `size` region: top = `round((H - h) / 2)`; an image smaller than size is padded with 0 first. */
export function centerCrop(size: number | readonly [number, number]): Transform {
  const [th, tw] = sizePair('centerCrop', size);
  return (x) => {
    const img = readFlat('centerCrop', x);
    const top = Math.round((img.h - th) / 2);
    const left = Math.round((img.w - tw) / 2);
    return cropImage(img.data, img.c, img.h, img.w, top, left, th, tw, 0, img.dtype, img.hasChannelDim);
  };
}

/**
 * The window `[top, top + h) x [left, left + w)` of an image; parts outside it read `fill`.
 * One row copy per channel row.
 */
export function cropImage(
  src: Float32Array | Float64Array,
  c: number,
  H: number,
  W: number,
  top: number,
  left: number,
  h: number,
  w: number,
  fill: number,
  dtype: 'float32' | 'float64',
  hasChannelDim: boolean,
): Tensor {
  const out = allocImage(dtype, c * h * w);
  if (fill !== 0) out.fill(fill);
  const x0 = Math.max(left, 0);
  const x1 = Math.min(left + w, W);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      const sy = top + y;
      if (sy < 0 || sy >= H || x1 <= x0) continue;
      const from = (ch * H + sy) * W;
      out.set(src.subarray(from + x0, from + x1), (ch * h + y) * w + (x0 - left));
    }
  }
  return toImageTensor(out, c, h, w, hasChannelDim);
}
