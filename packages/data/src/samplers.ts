/**
 * Samplers decide the order in which a `DataLoader` visits a dataset. A sampler is any iterable
 * with a `length`; each `[Symbol.iterator]()` call starts a new epoch, so random samplers draw a
 * new order every epoch from their generator (reproducible when the generator is seeded).
 *
 * ```ts
 * const g = new Generator(0);
 * const sampler = new RandomSampler(dataset, { generator: g });
 * const batches = new BatchSampler(sampler, 32, { dropLast: true });
 * for (const indices of batches) { ... } // number[] of length 32
 * ```
 */
import { Generator, ValueError, checkOptions, defaultGenerator, optionKeys, randperm } from '@dl/tensor';

/** An iterable of indices (or of index lists, for batch samplers) that knows its length. */
export interface Sampler<I> extends Iterable<I> {
  /** Number of items one epoch yields. */
  readonly length: number;
}

/** Something with a length (a dataset) or the length itself. */
export type SizedLike = number | { readonly length: number };

function sizeOf(what: string, source: SizedLike): number {
  const n = typeof source === 'number' ? source : source.length;
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${what}: the data source length must be a non-negative integer, got ${n}`);
  return n;
}

/** `0, 1, ..., n-1` in order. */
export class SequentialSampler implements Sampler<number> {
  readonly length: number;

  constructor(dataSource: SizedLike) {
    this.length = sizeOf('SequentialSampler', dataSource);
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield i;
  }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions {
  /** Source of randomness (default: the global generator seeded by `manualSeed`). */
  generator?: Generator;
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** Samples per epoch (default: the dataset length). */
  numSamples?: number;
}

const RANDOM_SAMPLER_OPTIONS = optionKeys<RandomSamplerOptions>({ generator: true, replacement: true, numSamples: true });

/**
 * A random order of `0..n-1`, new each epoch. Without replacement the epoch is a permutation
 * (`randperm(n, { generator })`; for `numSamples > n`, several permutations one after the other,
 * the last one cut, as PyTorch does); with replacement, `numSamples` independent uniform draws.
 */
export class RandomSampler implements Sampler<number> {
  readonly size: number;
  readonly replacement: boolean;
  readonly length: number;
  private readonly generator: Generator | undefined;

  constructor(dataSource: SizedLike, options: RandomSamplerOptions = {}) {
    checkOptions('RandomSampler', options, RANDOM_SAMPLER_OPTIONS);
    this.size = sizeOf('RandomSampler', dataSource);
    this.replacement = options.replacement ?? false;
    this.generator = options.generator;
    const numSamples = options.numSamples ?? this.size;
    if (!Number.isInteger(numSamples) || numSamples < 0) {
      throw new ValueError(`RandomSampler: numSamples must be a non-negative integer, got ${numSamples}`);
    }
    if (this.replacement && this.size === 0 && numSamples > 0) {
      throw new ValueError('RandomSampler: cannot draw samples with replacement from an empty dataset');
    }
    this.length = numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const g = this.generator ?? defaultGenerator;
    const n = this.size;
    if (this.replacement) {
      for (let k = 0; k < this.length; k++) yield g.integer(0, n);
      return;
    }
    let left = this.length;
    while (left > 0 && n > 0) {
      const perm = randperm(n, { generator: g }).storage;
      const take = Math.min(left, n);
      for (let k = 0; k < take; k++) yield perm[k];
      left -= take;
    }
  }
}

/** The given indices in a random order, new each epoch (for example a validation subset). */
export class SubsetRandomSampler implements Sampler<number> {
  readonly indices: readonly number[];
  private readonly generator: Generator | undefined;

  constructor(indices: readonly number[], options: { generator?: Generator } = {}) {
    checkOptions('SubsetRandomSampler', options, ['generator']);
    indices.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0) throw new ValueError(`SubsetRandomSampler: indices[${k}] = ${i} is not a non-negative integer`);
    });
    this.indices = Object.freeze([...indices]);
    this.generator = options.generator;
  }

  get length(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const perm = randperm(this.indices.length, { generator: this.generator ?? defaultGenerator }).storage;
    for (let k = 0; k < perm.length; k++) yield this.indices[perm[k]];
  }
}

/**
 * Groups the indices of another sampler into lists of `batchSize`; the last, shorter list is kept
 * unless `dropLast`. `length` = `floor(n / batchSize)` with dropLast, else `ceil(n / batchSize)`.
 */
export class BatchSampler implements Sampler<number[]> {
  readonly sampler: Sampler<number>;
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Sampler<number>, batchSize: number, options: { dropLast?: boolean } = {}) {
    checkOptions('BatchSampler', options, ['dropLast']);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ValueError(`BatchSampler: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = options.dropLast ?? false;
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
