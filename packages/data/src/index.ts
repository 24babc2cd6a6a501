/**
 * @dl/data: datasets, samplers, the DataLoader, image transforms and readers for MNIST,
 * Fashion-MNIST, CIFAR-10/100 and folders of images.
 *
 * ```ts
 * import { MNIST, DataLoader } from '@dl/data';
 * import { Generator } from '@dl/tensor';
 * const loader = new DataLoader(new MNIST({ train: true }), { batchSize: 100, shuffle: true, generator: new Generator(0) });
 * for (const [x, y] of loader) { ... } // x: [100, 1, 28, 28] float32 in [0, 1], y: [100] int32
 * ```
 */
export { DataFormatError, DatasetNotFoundError } from './errors';

// datasets, sampling, loading
export { defaultCollate, type Collated } from './collate';
export { ConcatDataset, Dataset, Subset, TensorDataset, randomSplit, type DatasetLike, type RandomSplitOptions } from './dataset';
export {
  BatchSampler,
  RandomSampler,
  SequentialSampler,
  SubsetRandomSampler,
  type RandomSamplerOptions,
  type Sampler,
  type SizedLike,
} from './samplers';
export { DataLoader, type DataLoaderOptions } from './dataloader';

// transforms
export type { Interpolation, RandomOptions, RawImage, Transform } from './transforms/image';
export { centerCrop, compose, normalize, resize, toTensor, type ResizeOptions } from './transforms/basic';
export {
  affine,
  hflip,
  randomAffine,
  randomCrop,
  randomHorizontalFlip,
  randomRotation,
  type AffineParams,
  type Padding,
  type RandomAffineOptions,
  type RandomCropOptions,
  type RandomRotationOptions,
  type WarpOptions,
} from './transforms/geometric';
export { elasticDistortion, type ElasticOptions } from './transforms/elastic';

// datasets on disk
export { FLOAT_CACHE_LIMIT_BYTES, InMemoryImageDataset, type ImageDatasetOptions } from './datasets/in-memory';
export { FashionMNIST, MNIST, type IdxDatasetSpec, type MNISTLoadOptions, type MNISTOptions } from './datasets/mnist';
export { EMBEDDED_SPLIT_SEED } from './datasets/embedded-mnist';
export { CIFAR10, CIFAR100, type CIFAR100Options, type CIFAROptions } from './datasets/cifar';
export { ImageFolder, type ImageFolderOptions } from './datasets/image-folder';

// file formats
export { DEFAULT_MAX_PIXELS, decodeImage, readImage, type DecodeImageOptions } from './formats/image';
export { parseIdx, parseIdxHeader, readIdxFile, type IdxArray, type IdxHeader, type ReadIdxOptions, type Inflate } from './formats/idx';
export { readTar, type TarEntry } from './formats/tar';
