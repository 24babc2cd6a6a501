/**
 * `DataLoader`: iterates a dataset in batches.
 *
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 100, shuffle: true, generator: new Generator(0) });
 * loader.length;                       // number of batches per epoch: ceil(N / 100)
 * for (const [x, y] of loader) {       // x: [100, 1, 28, 28] float32, y: [100] int32
 *   ...
 * }
 * ```
 *
 * Each `for ... of` (each `[Symbol.iterator]()` call) is one epoch; with `shuffle` the order is
 * drawn again every epoch from `generator`, so a seeded generator gives the same sequence of
 * epochs on every run.
 *
 * Batches: with the default collate and a dataset that has `getBatch` (TensorDataset, MNIST,
 * FashionMNIST, CIFAR10/100 without per-sample transforms, and Subsets of them), a batch is built
 * directly from the dataset's contiguous arrays, one block copy per sample; otherwise
 * `collate(indices.map((i) => dataset.get(i)))`.
 *
 * Differences from PyTorch: no worker processes (`numWorkers`), no pinned memory; labels are int32.
 */
import { Generator, ValueError, checkOptions } from '@dl/tensor';
import { defaultCollate, type Collated } from './collate';
import type { DatasetLike } from './dataset';
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from './samplers';

/** Options of `DataLoader`. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order each epoch (default false). */
  shuffle?: boolean;
  /** Source of randomness for `shuffle` (default: the global generator seeded by `manualSeed`). */
  generator?: Generator;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Makes a batch from a list of samples (default `defaultCollate`). */
  collate?: (samples: T[]) => B;
  /** Order of the sample indices (excludes `shuffle`). */
  sampler?: Sampler<number>;
  /** Yields whole lists of indices (excludes `batchSize`, `shuffle`, `sampler`, `dropLast`). */
  batchSampler?: Sampler<readonly number[]>;
}

const DATALOADER_OPTIONS: readonly string[] = ['batchSize', 'shuffle', 'generator', 'dropLast', 'collate', 'sampler', 'batchSampler'];

export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: DatasetLike<T>;
  /** Samples per batch, or null when a `batchSampler` decides. */
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly batchSampler: Sampler<readonly number[]>;
  private readonly collate: ((samples: T[]) => B) | null;

  constructor(dataset: DatasetLike<T>, options: DataLoaderOptions<T, B> = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw new ValueError('DataLoader: dataset must have an integer `length` and a `get(index)` method (a Dataset)');
    }
    checkOptions('DataLoader', options, DATALOADER_OPTIONS);
    this.dataset = dataset;
    this.collate = options.collate ?? null;
    this.dropLast = options.dropLast ?? false;
    if (options.batchSampler) {
      const clash: string[] = [];
      if (options.batchSize !== undefined && options.batchSize !== 1) clash.push('batchSize');
      if (options.shuffle) clash.push('shuffle');
      if (options.sampler) clash.push('sampler');
      if (options.dropLast) clash.push('dropLast');
      if (clash.length > 0) {
        throw new ValueError(`DataLoader: batchSampler is mutually exclusive with ${clash.join(', ')}; the batch sampler already decides batches and order`);
      }
      this.batchSize = null;
      this.batchSampler = options.batchSampler;
      return;
    }
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (options.sampler && options.shuffle) {
      throw new ValueError('DataLoader: sampler and shuffle are mutually exclusive; use a RandomSampler as the sampler instead of shuffle');
    }
    const sampler =
      options.sampler ??
      (options.shuffle ? new RandomSampler(dataset, { generator: options.generator }) : new SequentialSampler(dataset));
    this.batchSize = batchSize;
    this.batchSampler = new BatchSampler(sampler, batchSize, { dropLast: this.dropLast });
  }

  /** Number of batches per epoch. */
  get length(): number {
    return this.batchSampler.length;
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchSampler) yield this.fetch(indices);
  }

  /** The batch for a list of indices (what one iteration step yields). */
  fetch(indices: readonly number[]): B {
    if (this.collate) return this.collate(indices.map((i) => this.dataset.get(i)));
    const fast = this.dataset.getBatch?.(indices);
    // Without `collate`, B is Collated<T> (its default); the class signature cannot say so.
    if (fast !== undefined) return fast as B;
    return defaultCollate(indices.map((i) => this.dataset.get(i))) as B;
  }
}
