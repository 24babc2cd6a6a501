/**
 * Native reduce, argReduce, cumsum, softmax, logSoftmax. (Not native yet: everything here goes to js.)
 */
import type { Backend, KernelName } from '../../backend';
import type { NativeAddon } from './addon';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ReduceAddon {}

export const REDUCE_KERNELS: readonly KernelName[] = [];

export function reduceKernels(addon: NativeAddon): Partial<Backend> {
  void addon;
  return {};
}
