/**
 * The `native` backend: C++ kernels (`packages/tensor/native/`, built by node-gyp when the package
 * is installed) for the hot paths, the `js` reference backend for everything else. Each kernel
 * family lives in its own file, with the cases it sends to js described there:
 * `matmul.ts`, `elementwise.ts`, `image.ts` (conv, pooling, im2col), `reduce.ts`, `indexing.ts`.
 * `addon.ts` loads the addon and holds the helpers they share.
 *
 * Environment: `DL_NUM_THREADS` (threads of the C++ pool, default: all cores), `DL_BLAS`
 * (`openblas`, a library path, or `builtin`), `DL_SIMD` (`scalar`, `avx2-fma`, `avx512f`: force a
 * GEMM kernel), `DL_NATIVE_PATH` (load the addon from another file).
 */
import type { Backend, KernelName } from '../../backend';
import { BackendUnavailableError } from '../../errors';
import { jsBackend } from '../js';
import { loadNativeAddon, nativeUnavailableReason, type NativeAddon } from './addon';
import { ELEMENTWISE_KERNELS, elementwiseKernels } from './elementwise';
import { IMAGE_KERNELS, imageKernels } from './image';
import { INDEXING_KERNELS, indexingKernels } from './indexing';
import { MATMUL_KERNELS, matmulKernels } from './matmul';
import { REDUCE_KERNELS, reduceKernels } from './reduce';

export {
  ADDON_PATH,
  loadNativeAddon,
  nativeInfo,
  nativeUnavailableReason,
  type NativeAddon,
  type NativeInfo,
} from './addon';
export { NATIVE_BINARY_OPS, NATIVE_UNARY_OPS, SMALL_ELEMENTWISE } from './elementwise';
export { SMALL_MATMUL } from './matmul';

/** Kernels with a native implementation (for their fast paths; other cases go to `js`). */
export const NATIVE_KERNELS: readonly KernelName[] = [
  ...MATMUL_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...IMAGE_KERNELS,
  ...REDUCE_KERNELS,
  ...INDEXING_KERNELS,
];

/** Builds the native backend on top of a loaded addon. */
export function createNativeBackend(addon: NativeAddon): Backend {
  return {
    ...jsBackend,
    ...matmulKernels(addon),
    ...elementwiseKernels(addon),
    ...imageKernels(addon),
    ...reduceKernels(addon),
    ...indexingKernels(addon),
    name: 'native',
  };
}

let backend: Backend | null = null;

/**
 * The loader registered as `native` in `src/index.ts`: the backend, or a
 * {@link BackendUnavailableError} saying why the addon is missing and how to build it.
 */
export function loadNativeBackend(): Backend {
  if (backend !== null) return backend;
  const addon = loadNativeAddon();
  if (addon === null) throw new BackendUnavailableError(`setBackend('native'): ${nativeUnavailableReason()}`);
  backend = createNativeBackend(addon);
  return backend;
}
