/**
 * Loading the C++ addon of the `native` backend, its function table, and the small helpers the
 * kernel families (`elementwise.ts`, `matmul.ts`, `image.ts`, `reduce.ts`, `indexing.ts`) share
 * to hand views to C++.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { View } from '../../backend';
import { allocStorage, allocateChecked, type DType, type Storage } from '../../dtype';
import type { ElementwiseAddon } from './elementwise';
import type { ImageAddon } from './image';
import type { IndexingAddon } from './indexing';
import type { MatmulAddon } from './matmul';
import type { ReduceAddon } from './reduce';

/** Settings and introspection (native/addon.cc). */
export interface CoreAddon {
  info(): NativeInfo;
  /** The addon's scratch memory (native/scratch.h); absent from addons built before it existed. */
  memoryInfo?(): { scratchBytes: number; scratchBuffers: number; threads: number };
  setNumThreads(n: number): void;
  /** `'builtin'`, `'openblas'` or a library path; throws when it cannot be loaded. */
  setBlas(name: string): void;
  /** Selects the GEMM kernel family (`'scalar'`, `'avx2-fma'`, `'avx512f'`, `'neon'` or `'auto'`); false if the CPU cannot run it. */
  setSimdLevel(level: string): boolean;
}

/** The functions the C++ addon exports: one part per kernel family. */
export type NativeAddon = CoreAddon & MatmulAddon & ElementwiseAddon & ImageAddon & ReduceAddon & IndexingAddon;

export interface NativeInfo {
  /** Instruction-set level the GEMM uses: `avx512f`, `avx2-fma`, `neon` or `scalar` (`DL_SIMD` overrides). */
  simd: string;
  /** The best level this CPU supports. */
  cpuSimd: string;
  gemmKernelF32: string;
  gemmKernelF64: string;
  threads: number;
  /** `builtin` or the BLAS library in use. */
  blas: string;
  /** Why `DL_BLAS` could not be honoured ('' if it was, or is unset). */
  blasError: string;
}

export type FloatArray = Float32Array | Float64Array;

// ---- loading ----------------------------------------------------------------------------------

/** Where the build puts the addon: `<package>/build/Release/dl_native.node`. */
export const ADDON_PATH = path.join(__dirname, '..', '..', '..', 'build', 'Release', 'dl_native.node');

const HOW_TO_BUILD =
  'To get it, install a C++ toolchain (g++, make and python3; on Debian/Ubuntu: apt install g++ make python3) ' +
  'and run `npm ci` again, or build just the addon with `npm run build:native -w @dl/tensor`. ' +
  "Meanwhile the 'js' backend works everywhere.";

let loaded: { addon: NativeAddon | null; reason: string } | null = null;

function tryLoad(): { addon: NativeAddon | null; reason: string } {
  const file = process.env.DL_NATIVE_PATH || ADDON_PATH;
  if (!fs.existsSync(file)) {
    const log = path.join(path.dirname(ADDON_PATH), '..', 'native-build-failed.log');
    const why = fs.existsSync(log)
      ? `its build failed when the package was installed (details in ${log})`
      : 'it has not been built';
    return { addon: null, reason: `the native addon ${file} is missing: ${why}. ${HOW_TO_BUILD}` };
  }
  try {
    const addon = require(file) as NativeAddon;
    return { addon, reason: '' };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return {
      addon: null,
      reason: `the native addon ${file} failed to load (${msg}); it was probably built for another Node.js or machine. ${HOW_TO_BUILD}`,
    };
  }
}

/** The C++ addon, or null when it is not built or does not load here (loaded once). */
export function loadNativeAddon(): NativeAddon | null {
  if (loaded === null) loaded = tryLoad();
  return loaded.addon;
}

/** The addon if it has already been loaded, else null (never loads it). */
export function loadedNativeAddon(): NativeAddon | null {
  return loaded?.addon ?? null;
}

/** Why the addon is unavailable, with how to get it ('' when it loads). */
export function nativeUnavailableReason(): string {
  loadNativeAddon();
  return loaded!.reason;
}

/** Threads, SIMD level and BLAS of the addon, or null when it is not available. */
export function nativeInfo(): NativeInfo | null {
  return loadNativeAddon()?.info() ?? null;
}

// ---- helpers shared by the kernel families --------------------------------------------------------

export function isFloatDType(d: DType): d is 'float32' | 'float64' {
  return d === 'float32' || d === 'float64';
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * Outputs at least this long are allocated without zero-filling (see {@link allocOutput}); below
 * it, a zeroed `new Float32Array(n)` from V8's heap is cheaper.
 */
export const UNINITIALIZED_MIN = 4096;

/**
 * A new storage of `n` elements for a kernel that overwrites every one of them. Large ones come
 * from `Buffer.allocUnsafeSlow` (malloc, not zero-filled, never pooled): a plain
 * `new Float32Array(n)` zeroes fresh pages from the OS on every call, which for a 1024x1024
 * matmul output costs about a quarter of the product itself. Never use it for an output the
 * kernel only partly writes.
 */
export function allocOutput(dtype: 'float32', n: number): Float32Array;
export function allocOutput(dtype: 'float64', n: number): Float64Array;
export function allocOutput(dtype: 'float32' | 'float64', n: number): FloatArray;
export function allocOutput(dtype: DType, n: number): Storage;
export function allocOutput(dtype: DType, n: number): Storage {
  if (n < UNINITIALIZED_MIN) return allocStorage(dtype, n);
  const bytes = dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
  // the size check and the error of a failed allocation are allocStorage's (dtype.ts)
  return allocateChecked(dtype, n, (): Storage => {
    const buf = Buffer.allocUnsafeSlow(n * bytes).buffer;
    switch (dtype) {
      case 'float32': return new Float32Array(buf, 0, n);
      case 'float64': return new Float64Array(buf, 0, n);
      case 'int32': return new Int32Array(buf, 0, n);
      default: return new Uint8Array(buf, 0, n);
    }
  });
}

/**
 * P such that element i (row-major) of `v` is `storage[offset + i % P]`, or -1 if there is none.
 * The trailing dims must be laid out contiguously (product P) and the leading ones broadcast
 * (stride 0): a contiguous view has P = numel, a broadcast scalar P = 1, a bias row expanded to
 * [M, N] P = N. Dims of size 1 may have any stride.
 */
export function period(v: View): number {
  const { shape, strides } = v;
  let p = 1;
  let d = shape.length - 1;
  for (; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== p) break;
    p *= shape[d];
  }
  for (; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== 0) return -1;
  }
  return p;
}

/** Most dims a view handed to C++ may have (native/napi_args.h `ViewArg::kMaxDims`); more go to js. */
export const MAX_NATIVE_DIMS = 16;

/**
 * The geometry argument that goes with a view's storage in a native call:
 * `[offset, ndim, ...shape, ...strides]` as a Float64Array (read by `view_arg` in native/napi_args.cc).
 */
export function geometry(v: View): Float64Array {
  const nd = v.shape.length;
  const g = new Float64Array(2 + 2 * nd);
  g[0] = v.offset;
  g[1] = nd;
  for (let i = 0; i < nd; i++) {
    g[2 + i] = v.shape[i];
    g[2 + nd + i] = v.strides[i];
  }
  return g;
}
