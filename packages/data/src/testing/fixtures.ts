/**
 * Test-only helpers: small synthetic dataset files written into temporary directories (nothing big
 * is committed), and a seeded byte generator.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { Generator } from '@dl/tensor';

/** A fresh temporary directory; remove it with `removeDir`. */
export function makeTempDir(prefix = 'dl-data-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** `n` pseudo-random bytes from a seed. */
export function randomBytesSeeded(n: number, seed: number): Uint8Array {
  const g = new Generator(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = g.nextUint32() & 0xff;
  return out;
}

/** An IDX file of unsigned bytes: `00 00 08 ndim`, big-endian dims, data. */
export function makeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Synthetic MNIST-like split: `n` images of rows x cols with labels `i % classes`. */
export function makeMnistSplit(n: number, seed: number, rows = 28, cols = 28, classes = 10): { images: Uint8Array; labels: Uint8Array } {
  const images = randomBytesSeeded(n * rows * cols, seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  return { images, labels };
}

/**
 * Writes the four MNIST IDX files into `dir` (gzipped with `.gz` names when `gzip`), `nTrain` and
 * `nTest` images; returns the splits written.
 */
export function writeMnistFiles(dir: string, nTrain: number, nTest: number, options: { gzip?: boolean } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const train = makeMnistSplit(nTrain, 1);
  const test = makeMnistSplit(nTest, 2);
  const write = (name: string, bytes: Uint8Array) => {
    if (options.gzip) fs.writeFileSync(path.join(dir, `${name}.gz`), zlib.gzipSync(bytes));
    else fs.writeFileSync(path.join(dir, name), bytes);
  };
  write('train-images-idx3-ubyte', makeIdx([nTrain, 28, 28], train.images));
  write('train-labels-idx1-ubyte', makeIdx([nTrain], train.labels));
  write('t10k-images-idx3-ubyte', makeIdx([nTest, 28, 28], test.images));
  write('t10k-labels-idx1-ubyte', makeIdx([nTest], test.labels));
  return { train, test };
}

/** CIFAR binary records: `labels[k][i]` label byte k of record i, then 3072 seeded pixel bytes. */
export function makeCifarRecords(labels: readonly (readonly number[])[], seed: number): { bytes: Uint8Array; images: Uint8Array } {
  const n = labels[0].length;
  const images = randomBytesSeeded(n * 3072, seed);
  const rec = labels.length + 3072;
  const bytes = new Uint8Array(n * rec);
  for (let i = 0; i < n; i++) {
    labels.forEach((l, k) => (bytes[i * rec + k] = l[i]));
    bytes.set(images.subarray(i * 3072, (i + 1) * 3072), i * rec + labels.length);
  }
  return { bytes, images };
}

/** A ustar archive of regular files (names up to 100 bytes) and directories (names ending in '/'). */
export function makeTar(entries: readonly { name: string; data?: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const isDir = e.name.endsWith('/');
    const data = e.data ?? new Uint8Array(0);
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(Buffer.from(s, 'utf8'), at);
    put(e.name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(data.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    h[156] = (isDir ? '5' : '0').charCodeAt(0);
    put('ustar\0', 257);
    put('00', 263);
    for (let i = 148; i < 156; i++) h[i] = 0x20;
    const sum = h.reduce((a, b) => a + b, 0);
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h);
    if (!isDir) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(blocks));
}

/** PNG bytes of an interleaved 8-bit image with 1 (gray), 3 (RGB) or 4 (RGBA) channels. */
export function makePng(width: number, height: number, channels: 1 | 3 | 4, data: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    png.data[p * 4] = data[s];
    png.data[p * 4 + 1] = channels === 1 ? data[s] : data[s + 1];
    png.data[p * 4 + 2] = channels === 1 ? data[s] : data[s + 2];
    png.data[p * 4 + 3] = channels === 4 ? data[s + 3] : 255;
  }
  const colorType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  return PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
}

/** JPEG bytes (quality 95) of an RGB image (interleaved, 3 channels). */
export function makeJpeg(width: number, height: number, rgb: Uint8Array): Uint8Array {
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = rgb[p * 3];
    rgba[p * 4 + 1] = rgb[p * 3 + 1];
    rgba[p * 4 + 2] = rgb[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  return jpeg.encode({ width, height, data: rgba }, 95).data;
}

/**
 * A PNG built chunk by chunk (no encoder): `samples` are the unfiltered scanlines' bytes
 * (big-endian for 16-bit), each row prefixed here with filter type 0.
 */
export function makeRawPng(width: number, height: number, bitDepth: 8 | 16, colorType: 0 | 2 | 4 | 6, samples: Uint8Array): Uint8Array {
  const rowBytes = samples.length / height;
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) raw.set(samples.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    out.set(data, 8);
    out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', zlib.deflateSync(raw)),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}
