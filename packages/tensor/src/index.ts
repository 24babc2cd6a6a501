/**
 * @dl/tensor: n-dimensional arrays with dtypes, NumPy/PyTorch broadcasting, strided views, and
 * pluggable compute backends (`js` reference, `native` C++ when its addon is built; `cuda` to come).
 *
 * ```ts
 * import { tensor, arange } from '@dl/tensor';
 * const x = arange(6).reshape(2, 3).float();
 * console.log(x.mul(2).sum(1).toString()); // tensor([ 6., 24.]); also .sum({ dim: 1 })
 * ```
 */
import { registerBackend } from './backend';
import { jsBackend } from './backends/js';
import { loadNativeAddon, loadNativeBackend, nativeUnavailableReason } from './backends/native';

registerBackend('js', () => jsBackend, { makeDefault: true });
registerNative();

/**
 * Registers `native`, the default when its C++ addon loads. `DL_BACKEND=js|native` chooses
 * explicitly (with `js` the addon is not even loaded). Nothing is printed unless DL_BACKEND asks
 * for what cannot be had; `setBackend('native')` without the addon throws a
 * BackendUnavailableError saying why and how to build it.
 */
function registerNative(): void {
  const wanted = (process.env.DL_BACKEND ?? '').trim();
  if (wanted !== '' && wanted !== 'js' && wanted !== 'native') {
    console.warn(`@dl/tensor: ignoring DL_BACKEND='${wanted}' (use 'js' or 'native')`);
  }
  const available = wanted !== 'js' && loadNativeAddon() !== null;
  registerBackend('native', loadNativeBackend, { makeDefault: wanted === 'native' || (wanted !== 'js' && available) });
  if (wanted === 'native' && !available) {
    console.warn(
      `@dl/tensor: DL_BACKEND=native, but ${nativeUnavailableReason()} ` +
        'Until then ops throw BackendUnavailableError; unset DL_BACKEND to use the js backend.',
    );
  }
}

export { Tensor } from './tensor';
export type { NestedArray, TensorLike, ValuesIndices } from './tensor';
export {
  describeArg,
  dimArg,
  extremeArgs,
  reduceArgs,
  varArgs,
  type DimArg,
  type DimArgs,
  type DimOptions,
  type ExtremeArgs,
  type ExtremeSpec,
  type ReduceArgs,
  type ReduceOptions,
  type ReduceSpec,
  type VarArgs,
  type VarOptions,
  type VarSpec,
} from './reduce-args';
export {
  DEFAULT_FLOAT,
  DTYPES,
  MAX_STORAGE_LENGTH,
  allocStorage,
  checkAllocation,
  isFloating,
  promoteTypes,
  resultType,
  type DType,
  type Storage,
} from './dtype';
export {
  AllocationError,
  BackendUnavailableError,
  DLError,
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
  fmtShape,
} from './errors';
export {
  canCollectGarbage,
  collectGarbage,
  describeGrowth,
  expectNoLeaks,
  memory,
  setMemoryTracking,
  trackTensors,
  type MemoryCount,
  type MemoryGrowth,
  type MemoryInfo,
  type NativeMemory,
  type NoLeaksOptions,
  type TrackOptions,
  type TrackResult,
} from './memory';
export { checkOptions, closest, editDistance, optionKeys, suggestKey } from './options';
export { broadcastShapes, contiguousStrides, normalizeDim, normalizeDims, numelOf, type Shape } from './shape';
export { Generator, defaultGenerator, manualSeed } from './random';
export { getPrintOptions, resetPrintOptions, setPrintOptions, formatTensor, type PrintOptions } from './format';
export {
  KERNELS,
  getBackend,
  listBackends,
  registerBackend,
  setBackend,
  withBackend,
  type Backend,
  type BinaryOp,
  type Conv2dParams,
  type KernelName,
  type Pool2dParams,
  type ReduceOp,
  type UnaryOp,
  type UnfoldParams,
  type View,
} from './backend';
export { convOutputSize, poolOutputSize } from './geometry';
export {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  tensor,
  zeros,
  zerosLike,
  type CreateOptions,
  type RandomOptions,
  type TensorData,
} from './ops/creation';
export { clamp, promote, scalarTensor, where } from './ops/elementwise';
export { cat, chunk, split, stack } from './ops/join';
export { linear, matmul } from './ops/linalg';
export { maskedSelect, maskedSelectIndex, type MaskedSelectIndex } from './ops/masked';
export {
  AVG_POOL2D_OPTIONS,
  CONV2D_OPTIONS,
  MAX_POOL2D_OPTIONS,
  UNFOLD_OPTIONS,
  avgPool2d,
  avgPool2dBackward,
  avgPool2dParams,
  col2im,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dParams,
  im2col,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dParams,
  maxPool2dWithIndices,
  pool2dParams,
  unfoldParams,
  type AvgPool2dOptions,
  type Conv2dOptions,
  type MaxPool2dOptions,
  type Pair,
  type UnfoldOptions,
} from './ops/nn';
export { reducedShape, sumTo } from './ops/reduce';
export { asStrided } from './ops/views';
