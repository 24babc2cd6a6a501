/**
 * Test helper: PNG files made from a drawing function, encoded with pngjs (the encoder @dl/data
 * and @dl/metrics use; hoisted in the workspace).
 */
import { writeFileSync } from 'fs';
import { PNG } from 'pngjs';

/** RGBA of pixel (x, y), each 0..255. */
export type Painter = (x: number, y: number) => readonly [number, number, number, number];

/**
 * PNG bytes of a width x height RGBA image painted by `paint`. Rows are stored unfiltered: pngjs's
 * adaptive filter choice is fast in plain Node but about 500 times slower inside jest's module
 * sandbox (14 s for twelve 260x220 images on the development machine).
 */
export function pngBytes(width: number, height: number, paint: Painter): Buffer {
  const png = new PNG({ width, height, filterType: 0 });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = paint(x, y);
      const i = (y * width + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png, { filterType: 0 });
}

/** Writes a PNG file painted by `paint` and returns its path. */
export function writePng(path: string, width: number, height: number, paint: Painter): string {
  writeFileSync(path, pngBytes(width, height, paint));
  return path;
}

/** An MNIST-like picture from a [28 * 28] float array in [0, 1] (light strokes on dark). */
export function digitPainter(pixels: ArrayLike<number>, opts: { darkOnLight?: boolean; scale?: number } = {}): Painter {
  const s = opts.scale ?? 1;
  return (x, y) => {
    const v = pixels[Math.floor(y / s) * 28 + Math.floor(x / s)];
    const g = Math.round(255 * (opts.darkOnLight === true ? 1 - v : v));
    return [g, g, g, 255];
  };
}
