/**
 * @dl/layers: neural-network modules over @dl/autograd, with PyTorch's names, defaults, shapes and
 * initialisation.
 *
 * ```ts
 * import { Sequential, Linear, ReLU } from '@dl/layers';
 * const model = new Sequential(new Linear(784, 300), new ReLU(), new Linear(300, 10));
 * const logits = model.call(x); // x: [N, 784] -> [N, 10]
 * ```
 */
export {
  Module,
  asVariable,
  type ForwardHook,
  type ForwardPreHook,
  type HookHandle,
  type Input,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type StateDict,
} from './module';
export { ModuleDict, ModuleList, Sequential } from './containers';
export * as init from './init';
