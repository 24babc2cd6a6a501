/**
 * The model zoo of `dl train --model`: three classifiers from the course, built for any input
 * shape `[C, H, W]` and number of classes (MNIST / Fashion-MNIST: [1, 28, 28], CIFAR-10:
 * [3, 32, 32]; 10 classes).
 *
 * | name  | layers (for [1, 28, 28], 10 classes) | parameters |
 * |-------|--------------------------------------|-----------:|
 * | mlp   | Flatten, Linear(784, 300), ReLU, Linear(300, 10) | 238,510 |
 * | cnn   | Conv2d(1, 10, 3), ReLU, Flatten, Linear(6760, 300), ReLU, Linear(300, 10) | 2,031,410 |
 * | lenet | Conv2d(1, 32, 3, pad 1), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, pad 1), ReLU, MaxPool2d(2), Flatten, Linear(3136, 128), ReLU, Linear(128, 10) | 421,642 |
 *
 * `mlp` is the course's MNIST network (784 -> 300 -> 10 with ReLU); `cnn` is the course's
 * optional assignment (one 3x3 convolution with 10 channels, `convout = 10 * 26 * 26 = 6760`);
 * `lenet` is the usual two-block convolutional net. Every model maps `[N, C, H, W]` float32 images
 * to `[N, classes]` logits (CrossEntropyLoss applies the softmax).
 *
 * ```ts
 * manualSeed(0);
 * const model = buildModel('mlp', { inputShape: [1, 28, 28], numClasses: 10 });
 * model.call(x); // x: [100, 1, 28, 28] -> [100, 10]
 * ```
 */
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@dl/layers';
import { MODEL_NAMES, type ModelName } from './args';
import { CliError } from './errors';

export interface ModelSpec {
  /** One sample's shape `[C, H, W]`. */
  inputShape: readonly [number, number, number];
  numClasses: number;
}

/**
 * Builds a freshly initialised model (its weights come from the default generator: call
 * `manualSeed(seed)` first for a reproducible start).
 *
 * @throws CliError when the input is too small for the model (cnn needs H, W >= 3; lenet >= 4).
 */
export function buildModel(name: ModelName, spec: ModelSpec): Sequential {
  const [c, h, w] = spec.inputShape;
  const k = spec.numClasses;
  if (![c, h, w, k].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new CliError(`buildModel(${name}): input shape [${spec.inputShape.join(', ')}] and ${k} classes must be positive whole numbers`);
  }
  switch (name) {
    case 'mlp':
      return new Sequential(new Flatten(), new Linear(c * h * w, 300), new ReLU(), new Linear(300, k));
    case 'cnn': {
      if (h < 3 || w < 3) throw tooSmall(name, spec, 3);
      const convout = 10 * (h - 2) * (w - 2);
      return new Sequential(new Conv2d(c, 10, 3), new ReLU(), new Flatten(), new Linear(convout, 300), new ReLU(), new Linear(300, k));
    }
    case 'lenet': {
      if (h < 4 || w < 4) throw tooSmall(name, spec, 4);
      const flat = 64 * Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2);
      return new Sequential(
        new Conv2d(c, 32, 3, { padding: 1 }),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(32, 64, 3, { padding: 1 }),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(flat, 128),
        new ReLU(),
        new Linear(128, k),
      );
    }
  }
  throw new CliError(`buildModel: unknown model '${String(name)}'; the models are ${MODEL_NAMES.join(', ')}`);
}

function tooSmall(name: string, spec: ModelSpec, min: number): CliError {
  return new CliError(
    `buildModel(${name}): images of ${spec.inputShape[1]}x${spec.inputShape[2]} are too small; ${name} needs at least ${min}x${min} (use --model mlp)`,
  );
}

/** The number of trainable scalars of a model (`sum of numel over parameters()`). */
export function countParameters(model: Sequential): number {
  return model.parameters().reduce((s, p) => s + p.data.numel(), 0);
}
