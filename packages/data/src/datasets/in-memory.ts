/**
 * `InMemoryImageDataset`: images of one size held as one contiguous byte array, with integer
 * class labels. MNIST, FashionMNIST, CIFAR10 and CIFAR100 are this class.
 *
 * Storage: `images` holds `length * C * H * W` bytes (0..255); sample i is the block
 * `images[i * C*H*W, (i + 1) * C*H*W)` in `[C, H, W]` order. `targets[i]` is its class.
 *
 * `get(i)` gives `[x, label]` with `x` a float32 tensor `[C, H, W]` equal to `byte / 255` (what
 * torchvision gives after `ToTensor()`), passed through `transform` when one is set.
 *
 * Batches (the DataLoader's fast path, `getBatch`): without `transform`/`targetTransform`, a batch
 * `[x [B, C, H, W] float32, y [B] int32]` is built with one `Float32Array.set(subarray)` block copy
 * per sample from a float32 copy of all images (`byte / 255`, made once on first use). Datasets
 * whose float copy would exceed `FLOAT_CACHE_LIMIT_BYTES` (CIFAR's 50,000 training images) keep
 * only the bytes: then each sample's bytes are block-copied and the batch is divided by 255 with
 * one tensor op. Both give the same values.
 */
import { IndexError, ShapeError, Tensor, ValueError, checkOptions, fmtShape, optionKeys } from '@dl/tensor';
import { Dataset, normalizeIndex } from '../dataset';
import type { Transform } from '../transforms/image';

/** Above this many bytes (256 MiB) the float32 copy of the images is not made unless asked for. */
export const FLOAT_CACHE_LIMIT_BYTES = 256 * 1024 * 1024;

/** 256 entries: `BYTE_TO_FLOAT[b] = fround(b / 255)` (the float32 quotient, as torchvision's ToTensor). */
const BYTE_TO_FLOAT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** Options shared by the image datasets. */
export interface ImageDatasetOptions {
  /**
   * Keep a float32 copy of all images (4 bytes per pixel) for the fastest batches; default: when
   * it takes at most FLOAT_CACHE_LIMIT_BYTES.
   */
  floatCache?: boolean;
  /** Applied to each image `[C, H, W]` float32 in [0, 1] by `get`. */
  transform?: Transform;
  /** Applied to each label by `get`. */
  targetTransform?: (target: number) => number;
}

/** The keys of ImageDatasetOptions, for the subclasses' checks. */
export const IMAGE_DATASET_OPTIONS = optionKeys<ImageDatasetOptions>({ floatCache: true, transform: true, targetTransform: true });

export class InMemoryImageDataset extends Dataset<[Tensor, number]> {
  /** All images, `length * C * H * W` bytes, `[N, C, H, W]` order. */
  readonly images: Uint8Array;
  /** Class index of each image. */
  readonly targets: Int32Array;
  /** `[C, H, W]` of each image. */
  readonly imageShape: readonly [number, number, number];
  /** Class names, `classes[targets[i]]`. */
  readonly classes: readonly string[];
  readonly transform: Transform | undefined;
  readonly targetTransform: ((target: number) => number) | undefined;
  /** Name used in error messages. */
  protected readonly displayName: string;
  private readonly useFloatCache: boolean;
  private floats: Float32Array | null = null;

  constructor(
    images: Uint8Array,
    targets: Int32Array,
    imageShape: readonly [number, number, number],
    classes: readonly string[],
    options: ImageDatasetOptions & { name?: string } = {},
  ) {
    super();
    // subclasses check their own (larger) option sets and pass them on
    if (new.target === InMemoryImageDataset) checkOptions('InMemoryImageDataset', options, [...IMAGE_DATASET_OPTIONS, 'name']);
    const name = options.name ?? 'InMemoryImageDataset';
    const [c, h, w] = imageShape;
    if (![c, h, w].every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError(`${name}: imageShape must be [C, H, W] of positive integers, got ${fmtShape(imageShape)}`);
    }
    const per = c * h * w;
    if (images.length !== targets.length * per) {
      throw new ShapeError(
        `${name}: ${targets.length} targets need ${targets.length} x ${fmtShape(imageShape)} = ${targets.length * per} image bytes, got ${images.length}`,
      );
    }
    for (let i = 0; i < targets.length; i++) {
      if (targets[i] < 0 || targets[i] >= classes.length) {
        throw new IndexError(`${name}: target ${targets[i]} of sample ${i} is not a class index (0..${classes.length - 1})`);
      }
    }
    if (options.transform !== undefined && typeof options.transform !== 'function') throw new ValueError(`${name}: transform must be a function`);
    if (options.targetTransform !== undefined && typeof options.targetTransform !== 'function') {
      throw new ValueError(`${name}: targetTransform must be a function`);
    }
    this.images = images;
    this.targets = targets;
    this.imageShape = Object.freeze([c, h, w] as [number, number, number]);
    this.classes = Object.freeze([...classes]);
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    this.displayName = name;
    this.useFloatCache = options.floatCache ?? images.length * 4 <= FLOAT_CACHE_LIMIT_BYTES;
  }

  get length(): number {
    return this.targets.length;
  }

  /** The raw bytes of image `index`, `[C, H, W]` order (a view, do not modify). */
  rawImage(index: number): Uint8Array {
    const i = normalizeIndex(this.displayName, index, this.length);
    const per = this.images.length / this.targets.length;
    return this.images.subarray(i * per, (i + 1) * per);
  }

  get(index: number): [Tensor, number] {
    const i = normalizeIndex(this.displayName, index, this.length);
    const x = this.batchImages([i]).reshape(this.imageShape);
    const y = this.targets[i];
    return [this.transform ? this.transform(x) : x, this.targetTransform ? this.targetTransform(y) : y];
  }

  /** `[x [B, C, H, W], y [B] int32]` for `indices`, or undefined when a transform must run per sample. */
  getBatch(indices: readonly number[]): [Tensor, Tensor] | undefined {
    if (this.transform || this.targetTransform) return undefined;
    const n = this.length;
    const idx = indices.map((i) => normalizeIndex(this.displayName, i, n));
    const y = new Int32Array(idx.length);
    for (let b = 0; b < idx.length; b++) y[b] = this.targets[idx[b]];
    return [this.batchImages(idx), new Tensor(y, [idx.length])];
  }

  /** Images `idx` (already valid) as float32 `[B, C, H, W]` = byte / 255. */
  private batchImages(idx: readonly number[]): Tensor {
    const per = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const shape = [idx.length, ...this.imageShape];
    const out = new Float32Array(idx.length * per);
    if (this.useFloatCache) {
      const floats = this.floatImages();
      for (let b = 0; b < idx.length; b++) out.set(floats.subarray(idx[b] * per, (idx[b] + 1) * per), b * per);
      return new Tensor(out, shape);
    }
    for (let b = 0; b < idx.length; b++) out.set(this.images.subarray(idx[b] * per, (idx[b] + 1) * per), b * per);
    return new Tensor(out, shape).div(255);
  }

  /** The float32 copy of all images, made on first use (one table look-up per byte, once). */
  private floatImages(): Float32Array {
    if (this.floats === null) {
      const src = this.images;
      const f = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) f[i] = BYTE_TO_FLOAT[src[i]];
      this.floats = f;
    }
    return this.floats;
  }
}
