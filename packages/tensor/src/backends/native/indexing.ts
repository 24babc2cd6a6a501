/**
 * Native gather, scatterAdd, indexSelect, indexAdd. (Not native yet: everything here goes to js.)
 */
import type { Backend, KernelName } from '../../backend';
import type { NativeAddon } from './addon';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface IndexingAddon {}

export const INDEXING_KERNELS: readonly KernelName[] = [];

export function indexingKernels(addon: NativeAddon): Partial<Backend> {
  void addon;
  return {};
}
