/**
 * Resampling an image at arbitrary points: the core of rotation, affine transforms and elastic
 * distortion. Points outside the image read `fill`.
 *
 * - nearest: the value of the pixel whose centre is closest (`round(x)`, `round(y)`);
 * - bilinear: `v = (1-fy)((1-fx) v00 + fx v01) + fy((1-fx) v10 + fx v11)` with
 *   `x0 = floor(x)`, `fx = x - x0` (likewise y); neighbours outside the image count as `fill`.
 *
 * At integer coordinates both give the pixel itself exactly, so an identity map returns the input.
 */
import type { Interpolation } from './image';

/** Value of channel plane `src[base .. base + h*w)` at point (x, y). */
export function sampleAt(
  src: Float32Array | Float64Array,
  base: number,
  h: number,
  w: number,
  x: number,
  y: number,
  interpolation: Interpolation,
  fill: number,
): number {
  if (interpolation === 'nearest') {
    const xi = Math.round(x);
    const yi = Math.round(y);
    return xi >= 0 && xi < w && yi >= 0 && yi < h ? src[base + yi * w + xi] : fill;
  }
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (yy: number, xx: number): number => (xx >= 0 && xx < w && yy >= 0 && yy < h ? src[base + yy * w + xx] : fill);
  let top = at(y0, x0);
  if (fx !== 0) top = (1 - fx) * top + fx * at(y0, x0 + 1);
  if (fy === 0) return top;
  let bottom = at(y0 + 1, x0);
  if (fx !== 0) bottom = (1 - fx) * bottom + fx * at(y0 + 1, x0 + 1);
  return (1 - fy) * top + fy * bottom;
}

/**
 * `out(c, y, x) = src(c, a*x + b*y + tx, d*x + e*y + ty)`: `inverse = [a, b, tx, d, e, ty]` maps each
 * output pixel to the input point it reads (the inverse of the geometric transform).
 */
export function warpAffine(
  src: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  c: number,
  h: number,
  w: number,
  inverse: readonly [number, number, number, number, number, number],
  interpolation: Interpolation,
  fill: number,
): void {
  const [a, b, tx, d, e, ty] = inverse;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = a * x + b * y + tx;
      const sy = d * x + e * y + ty;
      for (let ch = 0; ch < c; ch++) {
        const base = ch * h * w;
        out[base + y * w + x] = sampleAt(src, base, h, w, sx, sy, interpolation, fill);
      }
    }
  }
}
