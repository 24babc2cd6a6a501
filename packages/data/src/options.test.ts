/**
 * Every class and function of @dl/data that takes an options object rejects keys it does not know
 * (PyTorch's snake_case spellings such as batch_size, typos) with a ValueError naming the class or
 * function, the key and the key probably meant. The table covers every export: a new one must be
 * added to it or to NO_OPTIONS, or the first test fails.
 */
import { ValueError, zeros } from '@dl/tensor';
import * as D from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const ds = new D.TensorDataset(zeros([4, 2]));
const img = zeros([1, 4, 4]);

/** [export (or Class.method), name in messages, call with the options (may return a promise)]. */
const CASES: [string, string, (o: object) => unknown][] = [
  ['randomSplit', 'randomSplit', (o) => D.randomSplit(ds, [2, 2], o)],
  ['RandomSampler', 'RandomSampler', (o) => new D.RandomSampler(ds, o)],
  ['SubsetRandomSampler', 'SubsetRandomSampler', (o) => new D.SubsetRandomSampler([0, 1], o)],
  ['BatchSampler', 'BatchSampler', (o) => new D.BatchSampler(new D.SequentialSampler(ds), 2, o)],
  ['DataLoader', 'DataLoader', (o) => new D.DataLoader(ds, o)],
  ['resize', 'resize', (o) => D.resize(2, o)],
  ['randomCrop', 'randomCrop', (o) => D.randomCrop(2, o)],
  ['randomHorizontalFlip', 'randomHorizontalFlip', (o) => D.randomHorizontalFlip(0.5, o)],
  ['affine', 'affine', (o) => D.affine(img, { angle: 0, translate: [0, 0], scale: 1, shear: [0, 0] }, o)],
  ['randomRotation', 'randomRotation', (o) => D.randomRotation(10, o)],
  ['randomAffine', 'randomAffine', (o) => D.randomAffine(o)],
  ['elasticDistortion', 'elasticDistortion', (o) => D.elasticDistortion(o)],
  ['InMemoryImageDataset', 'InMemoryImageDataset', (o) => new D.InMemoryImageDataset(new Uint8Array(4), new Int32Array(1), [1, 2, 2], ['a'], o)],
  ['MNIST', 'MNIST', (o) => new D.MNIST({ train: false, ...o })],
  ['MNIST.load', 'MNIST.load', (o) => D.MNIST.load({ train: false, ...o })],
  ['FashionMNIST', 'FashionMNIST', (o) => new D.FashionMNIST({ root: '/nonexistent', ...o })],
  ['FashionMNIST.load', 'FashionMNIST.load', (o) => D.FashionMNIST.load({ root: '/nonexistent', ...o })],
  ['CIFAR10', 'CIFAR10', (o) => new D.CIFAR10({ root: '/nonexistent', ...o })],
  ['CIFAR100', 'CIFAR100', (o) => new D.CIFAR100({ root: '/nonexistent', ...o })],
  ['ImageFolder', 'ImageFolder', (o) => new D.ImageFolder('/nonexistent', o)],
  ['decodeImage', 'decodeImage', (o) => D.decodeImage(new Uint8Array(8), 'x.png', o)],
  ['readImage', 'readImage', (o) => D.readImage('/nonexistent.png', o)],
  ['readIdxFile', 'readIdxFile', (o) => D.readIdxFile('/nonexistent.idx', 1, 'labels', o)],
];

/** Exports without an options object. */
const NO_OPTIONS: Record<string, string> = {
  DataFormatError: 'an error class', DatasetNotFoundError: 'an error class', defaultCollate: 'samples',
  ConcatDataset: 'datasets', Dataset: 'abstract base', Subset: 'dataset and indices', TensorDataset: 'tensors',
  SequentialSampler: 'a dataset', centerCrop: 'a size', compose: 'transforms', normalize: 'mean and std', toTensor: 'nothing',
  hflip: 'an image', FLOAT_CACHE_LIMIT_BYTES: 'a constant', EMBEDDED_SPLIT_SEED: 'a constant', DEFAULT_MAX_PIXELS: 'a constant',
  parseIdx: 'bytes', parseIdxHeader: 'bytes, file, ndim, what', readTar: 'bytes',
};

/** The error (or rejection) of a call, or null. */
async function errorOf(f: () => unknown): Promise<Error | null> {
  try {
    await f();
    return null;
  } catch (e) {
    return e as Error;
  }
}

async function knownKeys(name: string, call: (o: object) => unknown): Promise<string[]> {
  const e = await errorOf(() => call({ zzzNotAnOption: 1 }));
  const m = e && /; the options are (.*)$/.exec(e.message);
  if (!m || !e.message.startsWith(`${name}: unknown option 'zzzNotAnOption'`)) throw e ?? new Error(`${name} accepted an unknown option`);
  return m[1].split(', ');
}

/** A typo of `key`: the first two different neighbouring letters after the first swapped. */
function typo(key: string): string {
  const i = [...key].findIndex((c, k) => k >= 1 && k + 1 < key.length && c !== key[k + 1]);
  return i < 0 ? `${key}${key.slice(-1)}` : key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

/** PyTorch's spelling of a camelCase key (`batchSize` -> `batch_size`), or the key capitalised. */
function pytorchSpelling(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake !== key ? snake : key[0].toUpperCase() + key.slice(1);
}

it('the table covers every export of @dl/data', () => {
  const covered = new Set([...CASES.map(([k]) => k), ...Object.keys(NO_OPTIONS)]);
  expect(Object.keys(D).filter((k) => !covered.has(k))).toEqual([]);
});

describe.each(CASES)('%s', (_key, name, call) => {
  it('rejects an unknown key, naming the class or function and listing the options', async () => {
    const e = await errorOf(() => call({ zzzNotAnOption: 1 }));
    expect(e).toBeInstanceOf(ValueError);
    expect(e?.message).toMatch(new RegExp(`^${name.replace('.', '\\.')}: unknown option 'zzzNotAnOption'; the options are \\w+`));
  });

  it("suggests the key meant, for PyTorch's spelling and for a typo of each option", async () => {
    for (const key of await knownKeys(name, call)) {
      for (const wrong of [pytorchSpelling(key), typo(key)]) {
        const e = await errorOf(() => call({ [wrong]: undefined }));
        expect(e?.message).toContain(`${name}: unknown option '${wrong}' (did you mean '${key}'?)`);
      }
    }
  });

  it('its own keys are not reported as unknown', async () => {
    const e = await errorOf(() => call({}));
    expect(e?.message ?? '').not.toMatch(/unknown option/);
  }, SLOW_TEST_TIMEOUT);
});

it("new DataLoader(ds, { batch_size: 2 }) is an error, not batches of 1", () => {
  expect(() => new D.DataLoader(ds, { batch_size: 2 } as never)).toThrow(
    "DataLoader: unknown option 'batch_size' (did you mean 'batchSize'?); the options are batchSize, shuffle, generator, dropLast, collate, sampler, batchSampler",
  );
  expect(() => new D.DataLoader(ds, { shufle: true } as never)).toThrow(/did you mean 'shuffle'/);
});
