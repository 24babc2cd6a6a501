/**
 * The backend interface: every piece of arithmetic in @dl goes through one of these named kernels.
 * `js` (plain TypeScript, the reference) implements all of them; `native` (C++) and `cuda`
 * implement the same list and are tested against `js`.
 *
 * Conventions, shared by every backend:
 * - Inputs are {@link View}s: a storage plus shape, strides (in elements, 0 for broadcast dims) and
 *   an offset. Elementwise, reduction, matmul and indexing kernels accept any strides; the
 *   convolution, pooling and im2col kernels receive contiguous views (offset 0, row-major strides).
 * - Outputs are new contiguous storages in row-major order, except `assign`, which writes into
 *   its destination view.
 * - Shapes and dims reaching a kernel are already checked and normalised by the Tensor layer.
 * - Image kernels use NCHW: x `[N, C, H, W]`, conv weight `[C_out, C_in / groups, kH, kW]`.
 */
import type { DType, Storage } from './dtype';
import { BackendUnavailableError } from './errors';
import { setBackendNameSource } from './memory-track';

/** A strided window onto a storage: what kernels read. `Tensor` satisfies it. */
export interface View {
  readonly dtype: DType;
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'step'
  | 'logicalNot';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'logicalAnd'
  | 'logicalOr'
  | 'logicalXor';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/** Convolution geometry, in (height, width) pairs. */
export interface Conv2dParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** Pooling geometry. Padding counts as -inf for max pooling and as 0 for average pooling. */
export interface Pool2dParams {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
  /** avg pooling: divide by the full window (true, PyTorch's default) or only the in-bounds part. */
  countIncludePad: boolean;
  /**
   * avg pooling: divide every window's sum by this nonzero integer instead (PyTorch's
   * `divisor_override`; overrides countIncludePad). Absent or null: the window size.
   */
  divisorOverride?: number | null;
}

/** im2col / col2im geometry (`torch.nn.functional.unfold` / `fold`). */
export interface UnfoldParams {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

/** The kernel names, in one place. Every backend implements all of them. */
export const KERNELS = [
  'cast',
  'assign',
  'unary',
  'binary',
  'where',
  'reduce',
  'argReduce',
  'cumsum',
  'softmax',
  'logSoftmax',
  'matmul',
  'gather',
  'scatterAdd',
  'indexSelect',
  'indexAdd',
  'conv2d',
  'conv2dBackwardInput',
  'conv2dBackwardWeight',
  'maxPool2d',
  'maxPool2dBackward',
  'avgPool2d',
  'avgPool2dBackward',
  'im2col',
  'col2im',
] as const;

export type KernelName = (typeof KERNELS)[number];

export interface Backend {
  readonly name: string;

  /** Contiguous copy of `x` converted to `dtype` (the basis of `contiguous()` and `.to(dtype)`). */
  cast(x: View, dtype: DType): Storage;
  /** Writes `src` (already broadcast to `dst.shape`) into the view `dst`, converting dtype. */
  assign(dst: View, src: View): void;
  /** `out[i] = op(x[i])`, computed in `outDtype`. */
  unary(op: UnaryOp, x: View, outDtype: DType): Storage;
  /** `out[i] = op(a[i], b[i])`; `a` and `b` have the output shape (broadcast dims have stride 0). */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage;
  /** `out[i] = cond[i] ? a[i] : b[i]`, all three with the output shape. */
  where(cond: View, a: View, b: View, outDtype: DType): Storage;
  /** Reduces the sorted `dims` away: output shape is `x.shape` without them. */
  reduce(op: ReduceOp, x: View, dims: readonly number[], outDtype: DType): Storage;
  /** max/min over one dim, with the index of the first extreme value (NaN counts as the extreme). */
  argReduce(op: 'max' | 'min', x: View, dim: number): { values: Storage; indices: Int32Array };
  /** Cumulative sum along `dim` (output has x's shape). */
  cumsum(x: View, dim: number, outDtype: DType): Storage;
  /** `exp(x - max) / sum(exp(x - max))` along `dim` (floating dtypes). */
  softmax(x: View, dim: number): Storage;
  /** `x - max - log(sum(exp(x - max)))` along `dim` (floating dtypes). */
  logSoftmax(x: View, dim: number): Storage;
  /** Batched product of a `[B, M, K]` and b `[B, K, N]` -> `[B, M, N]`, both of `outDtype`. */
  matmul(a: View, b: View, outDtype: DType): Storage;
  /** `out[...i, j, k...] = x[...i, index[...i, j, k...], k...]` along `dim`; output has index's shape. */
  gather(x: View, dim: number, index: View): Storage;
  /** A copy of `base` with `base[..., index[i], ...] += src[i]` along `dim` (index and src have one shape). */
  scatterAdd(base: View, dim: number, index: View, src: View): Storage;
  /** Picks the entries `index` (1-D int32) along `dim`. */
  indexSelect(x: View, dim: number, index: View): Storage;
  /** A copy of `base` with slice `index[i]` along `dim` increased by slice `i` of `src`. */
  indexAdd(base: View, dim: number, index: View, src: View): Storage;

  /** Cross-correlation: x `[N, C_in, H, W]`, w `[C_out, C_in/g, kH, kW]`, bias `[C_out]` -> `[N, C_out, H_out, W_out]`. */
  conv2d(x: View, w: View, bias: View | null, p: Conv2dParams): Storage;
  /** dL/dx of conv2d given gy `[N, C_out, H_out, W_out]`: output `xShape`. */
  conv2dBackwardInput(gy: View, w: View, xShape: readonly number[], p: Conv2dParams): Storage;
  /** dL/dw of conv2d given gy and the input x: output `wShape`. */
  conv2dBackwardWeight(gy: View, x: View, wShape: readonly number[], p: Conv2dParams): Storage;
  /** Max pooling; `indices` are flat positions `h * W + w` in each input plane (as PyTorch's). */
  maxPool2d(x: View, p: Pool2dParams): { values: Storage; indices: Int32Array };
  /** Routes gy back to the argmax positions: output `xShape`. */
  maxPool2dBackward(gy: View, indices: View, xShape: readonly number[], p: Pool2dParams): Storage;
  avgPool2d(x: View, p: Pool2dParams): Storage;
  avgPool2dBackward(gy: View, xShape: readonly number[], p: Pool2dParams): Storage;
  /** x `[N, C, H, W]` -> columns `[N, C * kH * kW, L]`, L the number of windows. */
  im2col(x: View, p: UnfoldParams): Storage;
  /** Sums columns `[N, C * kH * kW, L]` back into an image of `xShape` (the adjoint of im2col). */
  col2im(cols: View, xShape: readonly number[], p: UnfoldParams): Storage;
}

const registry = new Map<string, () => Backend>();
let current: Backend | null = null;
let defaultName = 'js';

/**
 * Makes a backend available under `name`. `loader` runs at the first `setBackend(name)`; it throws
 * a {@link BackendUnavailableError} when the backend cannot be used on this machine.
 */
export function registerBackend(name: string, loader: () => Backend, opts: { makeDefault?: boolean } = {}): void {
  registry.set(name, loader);
  if (opts.makeDefault) {
    defaultName = name;
    current = null;
  }
}

/** Names of the registered backends (whether or not they can load here). */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/** Selects the CPU implementation used by every op from now on. */
export function setBackend(name: string): Backend {
  const loader = registry.get(name);
  if (!loader) {
    throw new BackendUnavailableError(
      `setBackend: unknown backend '${name}'; available: ${listBackends().map((n) => `'${n}'`).join(', ')}`,
    );
  }
  current = loader();
  return current;
}

/** The backend in use (the default one on first use). */
export function getBackend(): Backend {
  if (current === null) current = setBackend(defaultName);
  return current;
}

/**
 * The name of the backend in use, without loading it: the default's name before the first op.
 * (memory() files each new tensor under it.)
 */
export function activeBackendName(): string {
  return current !== null ? current.name : defaultName;
}
setBackendNameSource(activeBackendName);

/** Runs `fn` with `name` as backend, then restores the previous one (handy in tests). */
export function withBackend<T>(name: string, fn: () => T): T {
  const prev = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
