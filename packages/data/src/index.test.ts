import { Generator } from '@dl/tensor';
import * as data from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

describe('public entry', () => {
  it('exports the documented names', () => {
    for (const name of [
      'Dataset', 'TensorDataset', 'Subset', 'ConcatDataset', 'randomSplit', 'DataLoader', 'defaultCollate',
      'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler', 'BatchSampler',
      'compose', 'toTensor', 'normalize', 'resize', 'centerCrop', 'randomCrop', 'randomHorizontalFlip', 'hflip',
      'randomRotation', 'randomAffine', 'affine', 'elasticDistortion',
      'MNIST', 'FashionMNIST', 'CIFAR10', 'CIFAR100', 'ImageFolder', 'InMemoryImageDataset',
      'decodeImage', 'readImage', 'parseIdx', 'readTar', 'DataFormatError', 'DatasetNotFoundError',
    ]) {
      expect(typeof (data as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('runs the README example', () => {
    const { DataLoader, MNIST, compose, normalize, randomRotation } = data;
    const test = new MNIST({ train: false });
    const loader = new DataLoader(test, { batchSize: 500, shuffle: true, generator: new Generator(0) });
    expect(loader.length).toBe(4);
    for (const [x, y] of loader) {
      expect(x.reshape(500, 784).shape).toEqual([500, 784]);
      expect(y.shape).toEqual([500]);
    }
    const g = new Generator(1);
    const augmented = new MNIST({ train: false, transform: compose([randomRotation(10, { generator: g }), normalize(0.1307, 0.3081)]) });
    const [[x]] = [...new DataLoader(augmented, { batchSize: 8 })].slice(0, 1);
    expect(x.shape).toEqual([8, 1, 28, 28]);
    expect(x.min().item()).toBeCloseTo(-0.1307 / 0.3081, 5);
  }, SLOW_TEST_TIMEOUT);
});
