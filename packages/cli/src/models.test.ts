import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '@dl/optim';
import { manualSeed, rand } from '@dl/tensor';
import { noGrad } from '@dl/autograd';
import { OPTIMIZER_NAMES } from './args';
import { buildModel, countParameters } from './models';
import { makeOptimizer } from './optimizers';

/** Building the CIFAR-10 cnn (2.7 million weights, initialised) and running the models: seconds alone, a minute on a busy 2-core machine. */
const BUILD_TIMEOUT = 120_000;

describe('model zoo', () => {
  test.each([
    ['mlp', [1, 28, 28], 784 * 300 + 300 + 300 * 10 + 10],
    ['cnn', [1, 28, 28], 1 * 10 * 9 + 10 + 6760 * 300 + 300 + 300 * 10 + 10],
    ['lenet', [1, 28, 28], 32 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 128 * 10 + 10],
    ['mlp', [3, 32, 32], 3072 * 300 + 300 + 3010],
    ['cnn', [3, 32, 32], 3 * 10 * 9 + 10 + 10 * 30 * 30 * 300 + 300 + 3010],
    ['lenet', [3, 32, 32], 3 * 32 * 9 + 32 + 64 * 32 * 9 + 64 + 4096 * 128 + 128 + 1290],
  ] as const)('%s on %j: [N, C, H, W] -> [N, 10] logits, %d parameters', (name, shape, params) => {
    manualSeed(0);
    const model = buildModel(name, { inputShape: shape, numClasses: 10 });
    expect(countParameters(model)).toBe(params);
    const y = noGrad(() => model.call(rand([2, ...shape])));
    expect(y.shape).toEqual([2, 10]);
  }, BUILD_TIMEOUT);

  test('the course MLP is Flatten, Linear(784, 300), ReLU, Linear(300, 10)', () => {
    const s = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 }).toString();
    expect(s).toMatch(/\(0\): Flatten/);
    expect(s).toMatch(/\(1\): Linear\(in_features=784, out_features=300/);
    expect(s).toMatch(/\(2\): ReLU/);
    expect(s).toMatch(/\(3\): Linear\(in_features=300, out_features=10/);
  });

  test('the same seed gives the same initial weights', () => {
    manualSeed(5);
    const a = buildModel('lenet', { inputShape: [1, 28, 28], numClasses: 10 }).stateDict();
    manualSeed(5);
    const b = buildModel('lenet', { inputShape: [1, 28, 28], numClasses: 10 }).stateDict();
    for (const k of Object.keys(a)) expect([...b[k].toTypedArray()]).toEqual([...a[k].toTypedArray()]);
  }, BUILD_TIMEOUT);

  test('inputs too small for a model are refused with the fix', () => {
    expect(() => buildModel('lenet', { inputShape: [1, 3, 3], numClasses: 10 })).toThrow(/images of 3x3 are too small; lenet needs at least 4x4 \(use --model mlp\)/);
    expect(() => buildModel('cnn', { inputShape: [1, 2, 9], numClasses: 10 })).toThrow(/too small; cnn needs at least 3x3/);
    expect(() => buildModel('mlp', { inputShape: [1, 0, 28], numClasses: 10 })).toThrow(/must be positive whole numbers/);
  });
});

describe('optimizers', () => {
  const classes = { adam: Adam, adamw: AdamW, sgd: SGD, momentum: SGD, adagrad: Adagrad, adadelta: Adadelta, rmsprop: RMSprop };
  test.each(OPTIMIZER_NAMES.map((n) => [n]))('%s', (name) => {
    const model = buildModel('mlp', { inputShape: [1, 2, 2], numClasses: 2 });
    const momentum = name === 'momentum' ? 0.9 : 0;
    const opt = makeOptimizer(name, model.parameters(), { lr: 0.05, momentum, weightDecay: 0.001 });
    expect(opt).toBeInstanceOf(classes[name]);
    const g = new Map<string, unknown>(Object.entries(opt.paramGroups[0]));
    expect(g.get('lr')).toBe(0.05);
    expect(g.get('weightDecay')).toBe(0.001);
    if (name === 'momentum') expect(g.get('momentum')).toBe(0.9);
  });
});
