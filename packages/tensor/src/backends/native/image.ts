/**
 * Native conv2d (+ both gradients), max/avg pooling (+ gradients), im2col/col2im. (Not native yet: everything here goes to js.)
 */
import type { Backend, KernelName } from '../../backend';
import type { NativeAddon } from './addon';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ImageAddon {}

export const IMAGE_KERNELS: readonly KernelName[] = [];

export function imageKernels(addon: NativeAddon): Partial<Backend> {
  void addon;
  return {};
}
