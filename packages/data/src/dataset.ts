/**
 * Map-style datasets: a `length` and `get(i)` for `0 <= i < length` (negative indices count from the
 * end, as in Python). `DataLoader` batches them.
 *
 * ```ts
 * const ds = new TensorDataset(x, y);               // x: [N, 784], y: [N] int32
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { generator: new Generator(0) });
 * const [xi, yi] = train.get(0);                    // [784], [] (views of x and y)
 * ```
 */
import { Generator, IndexError, allocStorage, ShapeError, Tensor, ValueError, checkOptions, defaultGenerator, fmtShape, randperm } from '@dl/tensor';
import type { Collated } from './collate';

/**
 * What `DataLoader` needs from a dataset. `getBatch` is an optional fast path: when present and it
 * returns a batch (not `undefined`), it must equal `defaultCollate(indices.map((i) => get(i)))`;
 * in-memory datasets use it to build a batch with one block copy per sample.
 */
export interface DatasetLike<T> {
  readonly length: number;
  get(index: number): T;
  getBatch?(indices: readonly number[]): Collated<T> | undefined;
}

/** Base class of datasets: implement `get` and `length`; iteration and `at` come with it. */
export abstract class Dataset<T> implements DatasetLike<T>, Iterable<T> {
  abstract get length(): number;
  /** Sample `index` (`-length <= index < length`). */
  abstract get(index: number): T;

  *[Symbol.iterator](): Iterator<T> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this.get(i);
  }
}

/**
 * Checks that `index` is an integer in `[-length, length)` and returns it in `[0, length)`.
 * `what` names the dataset in the error.
 */
export function normalizeIndex(what: string, index: number, length: number): number {
  if (!Number.isInteger(index)) throw new IndexError(`${what}.get: index must be an integer, got ${index}`);
  if (index < -length || index >= length) {
    throw new IndexError(
      `${what}.get: index ${index} is out of range for a dataset of length ${length}` +
        (length > 0 ? ` (valid: ${-length}..${length - 1})` : ' (it is empty)'),
    );
  }
  return index < 0 ? index + length : index;
}

/**
 * Samples are the rows of tensors that share their first dim: `get(i)` is
 * `[t0.select(0, i), t1.select(0, i), ...]` (views, no copies).
 *
 * Batches are built with one block copy per sample and tensor (`getBatch`) when a tensor is
 * contiguous, else with one `indexSelect`.
 *
 * ```ts
 * const ds = new TensorDataset(randn([100, 3]), randint(0, 2, [100]));
 * ds.get(5); // [Tensor [3], Tensor []]
 * ```
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError('TensorDataset: needs at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new ValueError(`TensorDataset: argument ${k} is not a Tensor`);
      if (t.ndim === 0) throw new ShapeError(`TensorDataset: tensor ${k} is 0-d; every tensor needs a first (sample) dim`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, k) => {
      if (t.shape[0] !== n) {
        throw new ShapeError(
          `TensorDataset: size mismatch between tensors: tensor 0 has shape ${fmtShape(tensors[0].shape)} (${n} samples) ` +
            `but tensor ${k} has shape ${fmtShape(t.shape)} (${t.shape[0]} samples); all must have the same first dim`,
        );
      }
    });
    this.tensors = Object.freeze([...tensors]);
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    const i = normalizeIndex('TensorDataset', index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }

  getBatch(indices: readonly number[]): Tensor[] {
    const n = this.length;
    const idx = indices.map((i) => normalizeIndex('TensorDataset', i, n));
    return this.tensors.map((t) => gatherRows(t, idx));
  }
}

/** Rows `idx` of `t` along dim 0: one `subarray` copy per row when `t` is contiguous. */
export function gatherRows(t: Tensor, idx: readonly number[]): Tensor {
  if (!t.isContiguous()) return t.indexSelect(0, idx);
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const src = t.storage;
  const out = allocStorage(t.dtype, idx.length * row);
  for (let b = 0; b < idx.length; b++) {
    const from = t.offset + idx[b] * row;
    out.set(src.subarray(from, from + row), b * row);
  }
  return new Tensor(out, [idx.length, ...t.shape.slice(1)]);
}

/**
 * The samples of `dataset` at `indices`, in that order: `subset.get(i) = dataset.get(indices[i])`.
 * Keeps the parent's batch fast path.
 */
export class Subset<T> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: readonly number[];

  constructor(dataset: DatasetLike<T>, indices: readonly number[]) {
    super();
    const n = dataset.length;
    indices.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new IndexError(`Subset: indices[${k}] = ${i} is not an index of a dataset of length ${n} (valid: 0..${n - 1})`);
      }
    });
    this.dataset = dataset;
    this.indices = Object.freeze([...indices]);
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[normalizeIndex('Subset', index, this.indices.length)]);
  }

  getBatch(indices: readonly number[]): Collated<T> | undefined {
    if (!this.dataset.getBatch) return undefined;
    const n = this.indices.length;
    return this.dataset.getBatch(indices.map((i) => this.indices[normalizeIndex('Subset', i, n)]));
  }
}

/**
 * Several datasets one after the other: indices `0..len0-1` are dataset 0, the next `len1` dataset 1, ...
 * (found by binary search over the cumulative sizes).
 */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: readonly DatasetLike<T>[];
  /** `cumulativeSizes[k]` = total length of datasets `0..k`. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: readonly DatasetLike<T>[]) {
    super();
    if (datasets.length === 0) throw new ValueError('ConcatDataset: needs at least one dataset');
    let total = 0;
    this.cumulativeSizes = Object.freeze(datasets.map((d) => (total += d.length)));
    this.datasets = Object.freeze([...datasets]);
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  get(index: number): T {
    const i = normalizeIndex('ConcatDataset', index, this.length);
    const cs = this.cumulativeSizes;
    let lo = 0;
    let hi = cs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid] > i) hi = mid;
      else lo = mid + 1;
    }
    return this.datasets[lo].get(lo === 0 ? i : i - cs[lo - 1]);
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** Source of the permutation (default: the global generator seeded by `manualSeed`). */
  generator?: Generator;
}

/**
 * Splits a dataset into non-overlapping random subsets.
 *
 * `lengths` are either integer counts that sum to `dataset.length`, or fractions (not all
 * integers) that sum to 1: then each part gets `floor(fraction * n)` samples and the `r` left over go one each to parts `0..r-1`
 * (PyTorch's rule). The permutation is `randperm(n, { generator })`; part k takes the next
 * `lengths[k]` entries.
 *
 * ```ts
 * const [train, val] = randomSplit(ds, [0.9, 0.1], { generator: new Generator(42) });
 * ```
 */
export function randomSplit<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  options: RandomSplitOptions = {},
): Subset<T>[] {
  checkOptions('randomSplit', options, ['generator']);
  const n = dataset.length;
  if (lengths.length === 0) throw new ValueError('randomSplit: lengths is empty; give counts or fractions, e.g. [0.8, 0.2]');
  let counts: number[];
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (lengths.some((l) => !Number.isInteger(l))) {
    if (lengths.some((l) => !(l >= 0 && l <= 1)) || Math.abs(sum - 1) > 1e-6) {
      throw new ValueError(
        `randomSplit: fractions must lie in [0, 1] and sum to 1, got [${lengths.join(', ')}] (sum ${sum}); ` +
          `or give integer counts that sum to the dataset length ${n}`,
      );
    }
    counts = lengths.map((f) => Math.floor(f * n));
    const rest = n - counts.reduce((a, b) => a + b, 0);
    for (let k = 0; k < rest; k++) counts[k % counts.length] += 1;
  } else {
    if (lengths.some((l) => !Number.isInteger(l) || l < 0) || sum !== n) {
      throw new ValueError(
        `randomSplit: lengths [${lengths.join(', ')}] sum to ${sum} but the dataset has ${n} samples; ` +
          'counts must be non-negative and sum to the length (or give fractions that sum to 1)',
      );
    }
    counts = [...lengths];
  }
  const perm = randperm(n, { generator: options.generator ?? defaultGenerator }).storage;
  const parts: Subset<T>[] = [];
  let at = 0;
  for (const c of counts) {
    parts.push(new Subset(dataset, Array.from(perm.subarray(at, at + c))));
    at += c;
  }
  return parts;
}
