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
import * as zlib from 'zlib';
import { checkOptions } from '@dl/tensor';
import { DataFormatError } from '../errors';
import type { RawImage } from '../transforms/image';
import { readBytes } from './gzip';

/**
 * The default pixel limit of `decodeImage`: 4096 x 4096 = 16,777,216 pixels (a 16.7-megapixel
 * photo; image classification inputs are far smaller). Larger images are refused before anything
 * is allocated for them; pass `maxPixels` to allow them.
 */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/** Options of `decodeImage` / `readImage`. */
export interface DecodeImageOptions {
  /** Convert to 1 (gray), 3 (RGB) or 4 (RGBA) channels; default: the image's own. */
  channels?: 1 | 3 | 4;
  /**
   * Refuse images with more pixels (width x height, from the PNG IHDR or the JPEG frame header,
   * checked before decoding) than this; default {@link DEFAULT_MAX_PIXELS} (4096 x 4096).
   */
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
  checkOptions('decodeImage', options, ['channels', 'maxPixels']);
  const { channels } = options;
  if (channels !== undefined && channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DataFormatError(file, `channels must be 1, 3 or 4, got ${String(channels)}`);
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (typeof maxPixels !== 'number' || !(maxPixels >= 1)) {
    throw new DataFormatError(file, `maxPixels must be a number >= 1, got ${String(maxPixels)}`, `leave it out for the default ${DEFAULT_MAX_PIXELS} (4096 x 4096)`);
  }
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
  checkOptions('readImage', options, ['channels', 'maxPixels']);
  return decodeImage(readBytes(path), path, options);
}

function checkSize(file: string, kind: string, width: number, height: number, maxPixels: number): void {
  if (!(width > 0 && height > 0)) throw new DataFormatError(file, `${kind} header gives an empty size ${width}x${height}`, 'the file is damaged');
  if (width * height > maxPixels) {
    throw new DataFormatError(
      file,
      `${kind} image of ${width}x${height} pixels is larger than the limit of ${maxPixels} pixels`,
      'the file is damaged, or shrink the image, or pass a larger maxPixels (decodeImage / readImage option)',
    );
  }
}

const PNG_CHANNELS: Record<number, { channels: number; depths: number[]; name: string }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16], name: 'gray' },
  2: { channels: 3, depths: [8, 16], name: 'RGB' },
  3: { channels: 1, depths: [1, 2, 4, 8], name: 'palette' },
  4: { channels: 2, depths: [8, 16], name: 'gray+alpha' },
  6: { channels: 4, depths: [8, 16], name: 'RGBA' },
};

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Bytes of filtered scanlines (one filter byte per row) of a `width` x `height` image of `bpp` bits per pixel. */
function scanlineBytes(width: number, height: number, bpp: number): number {
  return width > 0 && height > 0 ? height * (1 + Math.ceil((width * bpp) / 8)) : 0;
}

/**
 * Checks a PNG's structure before it is decoded: every chunk lies inside the file, IHDR's bit depth
 * and colour type are valid, and the IDAT data inflates to exactly the bytes IHDR's size implies
 * (inflation is capped there, so a relabelled or bomb-like file costs at most that much). A 12x10
 * image relabelled 8192x8192 would otherwise decode as a padded image of zeros.
 */
function checkPngData(bytes: Uint8Array, file: string, view: DataView, width: number, height: number): void {
  const fix = 'the file is damaged or its header was altered: replace it';
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  const interlace = bytes[28];
  const ct = PNG_CHANNELS[colorType];
  if (ct === undefined) throw new DataFormatError(file, `corrupt PNG: IHDR colour type ${colorType} is not one of 0, 2, 3, 4, 6`, fix);
  if (!ct.depths.includes(bitDepth)) {
    throw new DataFormatError(file, `corrupt PNG: IHDR bit depth ${bitDepth} is not valid for colour type ${colorType} (${ct.name}: ${ct.depths.join(', ')})`, fix);
  }
  if (interlace > 1) throw new DataFormatError(file, `corrupt PNG: IHDR interlace method ${interlace} is not 0 or 1`, fix);
  const bpp = ct.channels * bitDepth;
  const expected = interlace === 0 ? scanlineBytes(width, height, bpp) : ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + scanlineBytes(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy), bpp), 0);
  const idat: Uint8Array[] = [];
  let at = 8;
  while (at + 8 <= bytes.length) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (at + 12 + len > bytes.length) {
      throw new DataFormatError(file, `corrupt PNG: truncated: chunk '${type}' at byte ${at} declares ${len} bytes, but the file ends at ${bytes.length}`, 'the file is damaged: replace it');
    }
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + len));
    at += 12 + len;
    if (type === 'IEND') break;
  }
  if (idat.length === 0) throw new DataFormatError(file, 'corrupt PNG: no IDAT chunk (no image data)', fix);
  const what = `IHDR's ${width}x${height} ${ct.name} at ${bitDepth} bits${interlace === 1 ? ' (interlaced)' : ''} needs exactly ${expected} bytes of scanlines`;
  let inflated: number;
  try {
    inflated = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(expected, 1) }).length;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataFormatError(file, `corrupt PNG: the image data inflates to more than ${expected} bytes; ${what}`, fix);
    }
    throw new DataFormatError(file, `corrupt PNG: the image data cannot be inflated (${e instanceof Error ? e.message : String(e)})`, 'the file is damaged: replace it');
  }
  if (inflated !== expected) throw new DataFormatError(file, `corrupt PNG: the image data inflates to ${inflated} bytes, but ${what}`, fix);
}

function decodePng(bytes: Uint8Array, file: string, channels: 1 | 3 | 4 | undefined, maxPixels: number): RawImage {
  // Check IHDR before pngjs allocates anything: length 13, type 'IHDR', width, height.
  if (bytes.length < 33) throw new DataFormatError(file, `truncated PNG: ${bytes.length} bytes, less than a PNG header`, 'the file is damaged: replace it');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ihdr = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (view.getUint32(8) !== 13 || ihdr !== 'IHDR') throw new DataFormatError(file, 'corrupt PNG: the first chunk is not a 13-byte IHDR', 'the file is damaged: replace it');
  checkSize(file, 'PNG', view.getUint32(16), view.getUint32(20), maxPixels);
  checkPngData(bytes, file, view, view.getUint32(16), view.getUint32(20));
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

/** A JPEG's frame header (SOF): marker, size, sampling factors of each component, and where the first scan starts. */
interface JpegFrame {
  marker: number;
  width: number;
  height: number;
  sampling: { h: number; v: number }[];
  /** Offset of the first SOS marker, or -1 if none was found after the SOF. */
  scanAt: number;
}

/** The frame header of a JPEG, or null if no SOF marker comes before the first scan. */
function jpegFrame(bytes: Uint8Array): JpegFrame | null {
  let at = 2;
  let frame: JpegFrame | null = null;
  while (at + 3 < bytes.length) {
    if (bytes[at] !== 0xff) return frame;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    const len = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker === 0xda) {
      if (frame !== null) frame.scanAt = at;
      return frame;
    }
    // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc).
    if (frame === null && marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && at + 10 <= bytes.length) {
      const n = bytes[at + 9];
      const sampling: { h: number; v: number }[] = [];
      for (let k = 0; k < n && at + 12 + 3 * k < bytes.length; k++) {
        const hv = bytes[at + 11 + 3 * k];
        sampling.push({ h: hv >> 4, v: hv & 15 });
      }
      frame = { marker, height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8], sampling, scanAt: -1 };
    }
    if (len < 2) return frame;
    at += 2 + len;
  }
  return frame;
}

/**
 * Checks, before decoding, that a Huffman-coded JPEG has enough scan data for the size its frame
 * header declares: every 8x8 block costs at least 2 bits in a sequential scan (a DC code and an
 * end-of-block code, each at least 1 bit) and at least 1 bit in a progressive one (its DC code).
 * A 12x10 JPEG whose header was relabelled 8000x8000 would otherwise take seconds and gigabytes
 * to decode into padding. (Other coding processes are left to the decoder.)
 */
function checkJpegData(bytes: Uint8Array, file: string, f: JpegFrame): void {
  const minBits = f.marker === 0xc0 || f.marker === 0xc1 ? 2 : f.marker === 0xc2 ? 1 : 0;
  if (minBits === 0 || f.scanAt < 0 || f.sampling.length === 0) return;
  const hmax = Math.max(...f.sampling.map((c) => c.h), 1);
  const vmax = Math.max(...f.sampling.map((c) => c.v), 1);
  let blocks = 0;
  for (const c of f.sampling) blocks += Math.ceil(Math.ceil((f.width * c.h) / hmax) / 8) * Math.ceil(Math.ceil((f.height * c.v) / vmax) / 8);
  const needed = Math.ceil((blocks * minBits) / 8);
  const have = bytes.length - f.scanAt;
  if (have < needed) {
    throw new DataFormatError(
      file,
      `corrupt JPEG: the frame header declares ${f.width}x${f.height} pixels (${blocks} blocks of 8x8), which need at least ${needed} bytes of scan data, but only ${have} bytes follow`,
      'the file is truncated or its header was altered: replace it',
    );
  }
}

function decodeJpeg(bytes: Uint8Array, file: string, channels: 1 | 3 | 4 | undefined, maxPixels: number): RawImage {
  const frame = jpegFrame(bytes);
  if (frame !== null) {
    checkSize(file, 'JPEG', frame.width, frame.height, maxPixels);
    checkJpegData(bytes, file, frame);
  }
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
  const gray = frame !== null && frame.sampling.length === 1;
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
