/**
 * CIFAR-10 and CIFAR-100, binary version (https://www.cs.toronto.edu/~kriz/cifar.html): 32 x 32 RGB
 * images, `[3, 32, 32]` float32 in [0, 1] from `get`.
 *
 * ```ts
 * const train = new CIFAR10({ root: '/data' });                 // a folder or the .tar.gz
 * const test = new CIFAR100({ root: '/data', train: false, labelType: 'coarse' });
 * ```
 *
 * `root` may be
 * - a directory holding the `.bin` files (or its `cifar-10-batches-bin` / `cifar-100-binary` subfolder),
 * - a directory holding `cifar-10-binary.tar.gz` / `cifar-100-binary.tar.gz`, read directly
 *   (gunzip + a small tar reader, nothing is unpacked to disk),
 * - the path of such an archive (`.tar.gz`, `.tgz` or `.tar`).
 *
 * Files: CIFAR-10 `data_batch_1.bin` .. `data_batch_5.bin` (train, in that order) and
 * `test_batch.bin`, class names from `batches.meta.txt` when present; CIFAR-100 `train.bin`,
 * `test.bin`, names from `fine_label_names.txt` / `coarse_label_names.txt`. No download: fetch
 * `cifar-10-binary.tar.gz` from the site above (the messages say so).
 */
import * as path from 'path';
import { ValueError, checkOptions } from '@dl/tensor';
import { DataFormatError, DatasetNotFoundError } from '../errors';
import { parseCifarBinary } from '../formats/cifar';
import { maybeGunzip, readBytes } from '../formats/gzip';
import { readTar } from '../formats/tar';
import { isDir, isFile } from './files';
import { IMAGE_DATASET_OPTIONS, InMemoryImageDataset, type ImageDatasetOptions } from './in-memory';

/** Options of CIFAR10. */
export interface CIFAROptions extends ImageDatasetOptions {
  /** Directory or archive (see above). */
  root: string;
  /** Training split (default) or test split. */
  train?: boolean;
}

/** Options of CIFAR100. */
export interface CIFAR100Options extends CIFAROptions {
  /** 'fine' (100 classes, default) or 'coarse' (20 superclasses). */
  labelType?: 'fine' | 'coarse';
}

const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const CIFAR100_COARSE = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables', 'household_electrical_devices',
  'household_furniture', 'insects', 'large_carnivores', 'large_man-made_outdoor_things', 'large_natural_outdoor_scenes',
  'large_omnivores_and_herbivores', 'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals',
  'trees', 'vehicles_1', 'vehicles_2',
];

const CIFAR100_FINE = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle', 'bowl', 'boy',
  'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle', 'chair', 'chimpanzee', 'clock',
  'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur', 'dolphin', 'elephant', 'flatfish', 'forest',
  'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard', 'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard',
  'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain', 'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid',
  'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree', 'plain', 'plate', 'poppy', 'porcupine', 'possum',
  'rabbit', 'raccoon', 'ray', 'road', 'rocket', 'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper',
  'snail', 'snake', 'spider', 'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone',
  'television', 'tiger', 'tractor', 'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf',
  'woman', 'worm',
];

interface CifarSpec {
  name: string;
  title: string;
  subdir: string;
  archive: string;
  url: string;
  train: string[];
  test: string[];
  /** Classes of each label byte. */
  labelRanges: number[];
  /** Name file and built-in names of each label byte. */
  names: { file: string; fallback: readonly string[] }[];
  /** What the Python-pickle version looks like, to recognise it. */
  pythonMarkers: string[];
}

const CIFAR10_SPEC: CifarSpec = {
  name: 'CIFAR10',
  title: 'CIFAR-10',
  subdir: 'cifar-10-batches-bin',
  archive: 'cifar-10-binary.tar.gz',
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
  labelRanges: [10],
  names: [{ file: 'batches.meta.txt', fallback: CIFAR10_CLASSES }],
  pythonMarkers: ['cifar-10-batches-py', 'cifar-10-python.tar.gz', 'data_batch_1'],
};

const CIFAR100_SPEC: CifarSpec = {
  name: 'CIFAR100',
  title: 'CIFAR-100',
  subdir: 'cifar-100-binary',
  archive: 'cifar-100-binary.tar.gz',
  url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
  train: ['train.bin'],
  test: ['test.bin'],
  labelRanges: [20, 100],
  names: [
    { file: 'coarse_label_names.txt', fallback: CIFAR100_COARSE },
    { file: 'fine_label_names.txt', fallback: CIFAR100_FINE },
  ],
  pythonMarkers: ['cifar-100-python', 'cifar-100-python.tar.gz'],
};

/** A source of named files: a directory or the members of an archive (matched by base name). */
interface FileSource {
  describe: string;
  has(name: string): boolean;
  read(name: string): { bytes: Uint8Array; file: string };
}

function dirSource(dir: string): FileSource {
  return {
    describe: dir,
    has: (name) => isFile(path.join(dir, name)),
    read: (name) => {
      const file = path.join(dir, name);
      return { bytes: readBytes(file), file };
    },
  };
}

function archiveSource(archive: string): FileSource {
  const tar = maybeGunzip(readBytes(archive), archive);
  const members = new Map<string, Uint8Array>();
  for (const e of readTar(tar, archive)) {
    if (e.type === 'file') members.set(e.name.split('/').pop() ?? e.name, e.data);
  }
  return {
    describe: archive,
    has: (name) => members.has(name),
    read: (name) => {
      const bytes = members.get(name);
      if (!bytes) throw new DataFormatError(archive, `the archive has no member ${name}`, 'the archive is incomplete or of another dataset: download it again');
      return { bytes, file: `${archive}:${name}` };
    },
  };
}

/** Finds where the files are (see the module docs). */
function openSource(spec: CifarSpec, root: string, needed: string[]): FileSource {
  if (isFile(root)) {
    if (/\.(tar\.gz|tgz|tar)$/i.test(root)) return archiveSource(root);
    throw new DatasetNotFoundError(root, `${spec.name}: root ${root} is a file but not a .tar.gz/.tgz/.tar archive; give the directory of the ${spec.title} binary files or the archive`);
  }
  if (!isDir(root)) {
    throw new DatasetNotFoundError(root, `${spec.name}: root ${root} does not exist; download ${spec.url} and give the directory that holds it (or its unpacked files)`);
  }
  for (const dir of [root, path.join(root, spec.subdir)]) {
    const src = dirSource(dir);
    if (needed.every((n) => src.has(n))) return src;
  }
  const archive = path.join(root, spec.archive);
  if (isFile(archive)) return archiveSource(archive);
  const python = spec.pythonMarkers.find((m) => isFile(path.join(root, m)) || isDir(path.join(root, m)));
  const hint = python ? ` (${path.join(root, python)} is the Python version, which this reader does not use)` : '';
  throw new DatasetNotFoundError(
    root,
    `${spec.name}: ${needed.join(', ')} not found in ${root} or ${path.join(root, spec.subdir)}, and no ${spec.archive} there${hint}. ` +
      `Download the binary version ${spec.url} into ${path.resolve(root)} (unpacking is optional)`,
  );
}

function readNames(src: FileSource, entry: { file: string; fallback: readonly string[] }, count: number): string[] {
  if (!src.has(entry.file)) return [...entry.fallback];
  const { bytes, file } = src.read(entry.file);
  const names = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length !== count) {
    throw new DataFormatError(file, `lists ${names.length} class names, expected ${count} (one per line)`, 'replace it with the file of the original archive, or delete it to use the built-in names');
  }
  return names;
}

function loadCifar(spec: CifarSpec, options: CIFAROptions, labelByte: number): { images: Uint8Array; targets: Int32Array; classes: string[] } {
  if (!options || typeof options.root !== 'string' || options.root === '') {
    throw new ValueError(`${spec.name}: root is required: the directory of the ${spec.title} binary files or ${spec.archive} (download ${spec.url})`);
  }
  const train = options.train ?? true;
  const files = train ? spec.train : spec.test;
  const src = openSource(spec, options.root, files);
  const parts = files.map((f) => {
    const { bytes, file } = src.read(f);
    return parseCifarBinary(bytes, file, spec.labelRanges, spec.title);
  });
  const count = parts.reduce((a, p) => a + p.count, 0);
  const images = new Uint8Array(count * 3072);
  const targets = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * 3072);
    targets.set(p.labels[labelByte], at);
    at += p.count;
  }
  const classes = readNames(src, spec.names[labelByte], spec.labelRanges[labelByte]);
  return { images, targets, classes };
}

/** CIFAR-10: 50,000 train / 10,000 test 32 x 32 colour images, 10 classes. */
export class CIFAR10 extends InMemoryImageDataset {
  readonly train: boolean;
  readonly root: string;

  constructor(options: CIFAROptions) {
    checkOptions('CIFAR10', options, [...IMAGE_DATASET_OPTIONS, 'root', 'train']);
    const d = loadCifar(CIFAR10_SPEC, options, 0);
    super(d.images, d.targets, [3, 32, 32], d.classes, { ...options, name: 'CIFAR10' });
    this.train = options.train ?? true;
    this.root = options.root;
  }
}

/** CIFAR-100: 50,000 train / 10,000 test 32 x 32 colour images, 100 fine classes in 20 coarse ones. */
export class CIFAR100 extends InMemoryImageDataset {
  readonly train: boolean;
  readonly root: string;
  readonly labelType: 'fine' | 'coarse';

  constructor(options: CIFAR100Options) {
    checkOptions('CIFAR100', options, [...IMAGE_DATASET_OPTIONS, 'root', 'train', 'labelType']);
    const labelType = options?.labelType ?? 'fine';
    if (labelType !== 'fine' && labelType !== 'coarse') throw new ValueError(`CIFAR100: labelType must be 'fine' or 'coarse', got ${JSON.stringify(labelType)}`);
    const d = loadCifar(CIFAR100_SPEC, options, labelType === 'fine' ? 1 : 0);
    super(d.images, d.targets, [3, 32, 32], d.classes, { ...options, name: 'CIFAR100' });
    this.train = options.train ?? true;
    this.root = options.root;
    this.labelType = labelType;
  }
}
