/**
 * Decoding PNG (pngjs) and JPEG (jpeg-js) files into 8-bit RawImages, with the channel conversions
 * of PIL's `Image.convert`:
 *
 * | to \ from | gray (L)       | gray+alpha (LA) | RGB                                   | RGBA         |
 * |-----------|----------------|-----------------|---------------------------------------|--------------|
 * | 1 (L)     | as is          | alpha dropped   | `(19595 R + 38470 G + 7471 B + 2^15) >> 16` (ITU-R 601 luma, PIL's integers) | alpha dropped, luma |
 * | 3 (RGB)   | gray replicated | replicated, alpha dropped | as is                      | alpha dropped (not composited) |
 * | 4 (RGBA)  | replicated, alpha 255 | replicated | alpha 255                           | as is        |
 *
 * Without `channels`, an image keeps its own: PNG gray -> 1, gray+alpha -> 2, RGB or palette ->
 * 3, with alpha (or a palette with transparency) -> 4; JPEG -> 1 when it has one component, else 3.
 * 16-bit PNGs are scaled to 8 bits. EXIF orientation is not applied. Format is told by the magic
 * bytes, not the file name.
 */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DataFormatError } from '../errors';
import type { RawImage } from '../transforms/image';
import { readBytes } from './gzip';

/** Options of `decodeImage` / `readImage`. */
export interface DecodeImageOptions {
  /** Convert to 1 (gray), 3 (RGB) or 4 (RGBA) channels; default: the image's own. */
  channels?: 1 | 3 | 4;
  /** Refuse images with more pixels than this (default 64 Mi pixels). */
  maxPixels?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** 'png', 'jpeg' or null, from the first bytes. */
export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Decodes PNG or JPEG bytes; `file` names the source in errors. */
export function decodeImage(bytes: Uint8Array, file: string, options: DecodeImageOptions = {}): RawImage {
  const { channels } = options;
  if (channels !== undefined && channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DataFormatError(file, `channels must be 1, 3 or 4, got ${String(channels)}`);
  }
  const maxPixels = options.maxPixels ?? 64 * 1024 * 1024;
  const format = imageFormat(bytes);
  if (format === 'png') return decodePng(bytes, file, channels, maxPixels);
  if (format === 'jpeg') return decodeJpeg(bytes, file, channels, maxPixels);
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DataFormatError(
    file,
    `not a PNG or JPEG file (it starts with ${head || 'nothing: the file is empty'})`,
    'convert the image to PNG or JPEG, or remove it from the folder',
  );
}

/** Reads and decodes an image file. */
export function readImage(path: string, options: DecodeImageOptions = {}): RawImage {
  return decodeImage(readBytes(path), path, options);
}

function checkSize(file: string, kind: string, width: number, height: number, maxPixels: number): void {
  if (!(width > 0 && height > 0)) throw new DataFormatError(file, `${kind} header gives an empty size ${width}x${height}`, 'the file is damaged');
  if (width * height > maxPixels) {
    throw new DataFormatError(file, `${kind} image of ${width}x${height} pixels is larger than the limit of ${maxPixels} pixels`, 'the file is damaged, or pass a larger maxPixels');
  }
}

function decodePng(bytes: Uint8Array, file: string, channels: 1 | 3 | 4 | undefined, maxPixels: number): RawImage {
  // Check IHDR before pngjs allocates anything: length 13, type 'IHDR', width, height.
  if (bytes.length < 33) throw new DataFormatError(file, `truncated PNG: ${bytes.length} bytes, less than a PNG header`, 'the file is damaged: replace it');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ihdr = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (view.getUint32(8) !== 13 || ihdr !== 'IHDR') throw new DataFormatError(file, 'corrupt PNG: the first chunk is not a 13-byte IHDR', 'the file is damaged: replace it');
  checkSize(file, 'PNG', view.getUint32(16), view.getUint32(20), maxPixels);
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new DataFormatError(file, `corrupt PNG (${e instanceof Error ? e.message : String(e)})`, 'the file is damaged: replace it');
  }
  const { width, height } = png;
  if (png.data.length !== width * height * 4) {
    throw new DataFormatError(file, `corrupt PNG: decoded ${png.data.length} bytes for ${width}x${height} RGBA`, 'the file is damaged: replace it');
  }
  const gray = !png.color;
  const own = gray ? (png.alpha ? 2 : 1) : png.alpha ? 4 : 3;
  return convert(png.data, width, height, 4, gray, channels ?? own);
}

/** Number of colour components in a JPEG's SOF header, or null if none is found. */
function jpegComponents(bytes: Uint8Array): number | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    const len = (bytes[at + 2] << 8) | bytes[at + 3];
    // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[at + 9];
    if (marker === 0xda || len < 2) return null;
    at += 2 + len;
  }
  return null;
}

function decodeJpeg(bytes: Uint8Array, file: string, channels: 1 | 3 | 4 | undefined, maxPixels: number): RawImage {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new DataFormatError(file, `corrupt JPEG (${e instanceof Error ? e.message : String(e)})`, 'the file is damaged: replace it');
  }
  checkSize(file, 'JPEG', img.width, img.height, maxPixels);
  if (img.data.length !== img.width * img.height * 3) {
    throw new DataFormatError(file, `corrupt JPEG: decoded ${img.data.length} bytes for ${img.width}x${img.height} RGB`, 'the file is damaged: replace it');
  }
  const gray = jpegComponents(bytes) === 1;
  return convert(img.data, img.width, img.height, 3, gray, channels ?? (gray ? 1 : 3));
}

/** Converts interleaved `srcChannels` (3 RGB or 4 RGBA) pixels to `to` channels (see the table). */
function convert(src: Uint8Array, width: number, height: number, srcChannels: 3 | 4, gray: boolean, to: number): RawImage {
  const n = width * height;
  const out = new Uint8Array(n * to);
  for (let p = 0; p < n; p++) {
    const s = p * srcChannels;
    const r = src[s];
    const g = src[s + 1];
    const b = src[s + 2];
    const a = srcChannels === 4 ? src[s + 3] : 255;
    const o = p * to;
    if (to === 1) out[o] = gray ? r : (19595 * r + 38470 * g + 7471 * b + 0x8000) >>> 16;
    else if (to === 2) {
      out[o] = r;
      out[o + 1] = a;
    } else {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      if (to === 4) out[o + 3] = a;
    }
  }
  return { width, height, channels: to, data: out };
}
