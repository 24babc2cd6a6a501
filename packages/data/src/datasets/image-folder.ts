/**
 * `ImageFolder`: a dataset of image files sorted into one folder per class, for a student's own data.
 *
 * ```text
 * root/cat/001.png          classes = ['cat', 'dog'] (sorted folder names)
 * root/cat/more/002.jpg     class folders are searched recursively
 * root/dog/a.jpeg
 * ```
 *
 * ```ts
 * const ds = new ImageFolder('photos', { transform: compose([resize([64, 64]), normalize(0.5, 0.5)]) });
 * ds.classes; ds.get(0); // [Tensor float32 [3, 64, 64], 0]
 * ```
 *
 * - Classes are the sub-folders of `root`, sorted by code unit (as Python's `sorted`); class i is
 *   `classes[i]`. Names starting with '.' (e.g. `.ipynb_checkpoints`, `.DS_Store`) are skipped.
 * - Samples are the files with one of `extensions` (case-insensitive; default `.png .jpg .jpeg`),
 *   in sorted path order within each class.
 * - Images are decoded on `get` (PNG with pngjs, JPEG with jpeg-js), converted to `channels`
 *   (default 3, RGB, like torchvision's default loader: gray is replicated, alpha dropped; 1 gives
 *   gray by ITU-R 601 luma; 4 RGBA), then to float32 `[C, H, W]` = byte / 255, then `transform`.
 * - Images larger than `maxPixels` (default 4096 x 4096) are refused with a DataFormatError naming
 *   the file, before they are decoded.
 * - Images of different sizes cannot be batched by the default collate: add `resize`/`centerCrop`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, ValueError, checkOptions } from '@dl/tensor';
import { Dataset, normalizeIndex } from '../dataset';
import { DatasetNotFoundError } from '../errors';
import { DEFAULT_MAX_PIXELS, readImage } from '../formats/image';
import { toTensor } from '../transforms/basic';
import type { Transform } from '../transforms/image';
import { isDir } from './files';
import { IMAGE_DATASET_OPTIONS, type ImageDatasetOptions } from './in-memory';

/** Options of ImageFolder. */
export interface ImageFolderOptions extends ImageDatasetOptions {
  /** File extensions to take, with the dot (default ['.png', '.jpg', '.jpeg']). */
  extensions?: readonly string[];
  /** Channels of the decoded images: 1, 3 (default) or 4. */
  channels?: 1 | 3 | 4;
  /**
   * Refuse images with more pixels than this (checked from the file's header before decoding);
   * default 4096 x 4096 (`DEFAULT_MAX_PIXELS`).
   */
  maxPixels?: number;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function listSorted(dir: string): fs.Dirent[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => byCodeUnit(a.name, b.name));
}

function walk(dir: string, accept: (file: string) => boolean, out: string[]): void {
  for (const e of listSorted(dir)) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() || (e.isSymbolicLink() && isDir(p))) walk(p, accept, out);
    else if (accept(e.name)) out.push(p);
  }
}

export class ImageFolder extends Dataset<[Tensor, number]> {
  readonly root: string;
  /** Sorted class folder names. */
  readonly classes: readonly string[];
  readonly classToIdx: Readonly<Record<string, number>>;
  /** `[path, class index]` of every image. */
  readonly samples: readonly (readonly [string, number])[];
  /** Class index of every image. */
  readonly targets: readonly number[];
  readonly channels: 1 | 3 | 4;
  /** The pixel limit of each image (see the option). */
  readonly maxPixels: number;
  readonly transform: Transform | undefined;
  readonly targetTransform: ((target: number) => number) | undefined;
  private readonly toTensor = toTensor();

  constructor(root: string, options: ImageFolderOptions = {}) {
    super();
    checkOptions('ImageFolder', options, [...IMAGE_DATASET_OPTIONS, 'extensions', 'channels', 'maxPixels']);
    if (typeof root !== 'string' || root === '') throw new ValueError('ImageFolder: root must be a directory path');
    if (!isDir(root)) {
      throw new DatasetNotFoundError(root, `ImageFolder: ${root} is not a directory; expected ${path.join(root, '<class name>', '<image>.png')}`);
    }
    const channels = options.channels ?? 3;
    if (channels !== 1 && channels !== 3 && channels !== 4) throw new ValueError(`ImageFolder: channels must be 1, 3 or 4, got ${String(channels)}`);
    const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (typeof maxPixels !== 'number' || !(maxPixels >= 1)) {
      throw new ValueError(`ImageFolder: maxPixels must be a number >= 1, got ${String(maxPixels)}; leave it out for the default ${DEFAULT_MAX_PIXELS} (4096 x 4096)`);
    }
    const exts = (options.extensions ?? ['.png', '.jpg', '.jpeg']).map((e) => e.toLowerCase());
    if (exts.length === 0 || exts.some((e) => !e.startsWith('.'))) {
      throw new ValueError(`ImageFolder: extensions must be a non-empty list like ['.png', '.jpg'], got ${JSON.stringify(options.extensions)}`);
    }
    const classes = listSorted(root)
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDir(path.join(root, e.name))))
      .map((e) => e.name);
    if (classes.length === 0) {
      throw new DatasetNotFoundError(root, `ImageFolder: ${root} has no class sub-folders; put each class's images in ${path.join(root, '<class name>')}/`);
    }
    const accept = (name: string) => exts.includes(path.extname(name).toLowerCase());
    const samples: [string, number][] = [];
    const empty: string[] = [];
    classes.forEach((c, k) => {
      const files: string[] = [];
      walk(path.join(root, c), accept, files);
      if (files.length === 0) empty.push(c);
      for (const f of files) samples.push([f, k]);
    });
    if (empty.length > 0) {
      throw new DatasetNotFoundError(
        root,
        `ImageFolder: no ${exts.join('/')} files in the class folder${empty.length > 1 ? 's' : ''} ${empty.map((c) => path.join(root, c)).join(', ')}; ` +
          'add images, remove the folder, or pass extensions',
      );
    }
    this.root = root;
    this.classes = Object.freeze(classes);
    this.classToIdx = Object.freeze(Object.fromEntries(classes.map((c, k) => [c, k])));
    this.samples = Object.freeze(samples.map((s) => Object.freeze(s)));
    this.targets = Object.freeze(samples.map((s) => s[1]));
    this.channels = channels;
    this.maxPixels = maxPixels;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
  }

  get length(): number {
    return this.samples.length;
  }

  get(index: number): [Tensor, number] {
    const [file, target] = this.samples[normalizeIndex('ImageFolder', index, this.samples.length)];
    const x = this.toTensor(readImage(file, { channels: this.channels, maxPixels: this.maxPixels }));
    return [this.transform ? this.transform(x) : x, this.targetTransform ? this.targetTransform(target) : target];
  }
}
