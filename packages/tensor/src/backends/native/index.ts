/**
 * The `native` backend: C++ kernels (`packages/tensor/native/`, built by node-gyp when the package
 * is installed) for the hot paths, the `js` reference backend for everything else.
 *
 * Native today (see {@link NATIVE_KERNELS}):
 * - `matmul` for float32 and float64, any strides (row-major, transposed as in `x.matmul(w.T)`,
 *   sliced, broadcast batch dims): a cache-blocked, multi-threaded SIMD GEMM, or the system
 *   OpenBLAS when `DL_BLAS=openblas`. It accumulates in the element type, as PyTorch does (the js
 *   backend accumulates float32 products in float64), so float32 results can differ from js in the
 *   last bits. Matrix-vector shapes (M or N = 1) use dedicated loops.
 * - `binary` ({@link NATIVE_BINARY_OPS}) and `unary` ({@link NATIVE_UNARY_OPS}) when the operands
 *   and the result share one float dtype and each operand is contiguous, a broadcast scalar or
 *   repeated along leading dims (a bias row). Arithmetic results are identical to the js backend's;
 *   exp/log/sin/cos/tanh/sigmoid may differ in the last bit (C's libm instead of V8's).
 * Everything else (other dtypes, other layouts, the remaining kernels) is delegated to `js`.
 *
 * Tiny ops ({@link SMALL_ELEMENTWISE} elements, {@link SMALL_MATMUL} multiply-adds) run as plain
 * JS loops here: a call into C++, plus handing it V8's small on-heap typed arrays, costs more than
 * the arithmetic.
 *
 * Environment: `DL_NUM_THREADS` (threads of the C++ pool, default: all cores), `DL_BLAS`
 * (`openblas`, a library path, or `builtin`), `DL_SIMD` (`scalar`, `avx2-fma`, `avx512f`: force a
 * GEMM kernel), `DL_NATIVE_PATH` (load the addon from another file).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Backend, BinaryOp, KernelName, UnaryOp, View } from '../../backend';
import type { DType, Storage } from '../../dtype';
import { BackendUnavailableError } from '../../errors';
import { jsBackend } from '../js';

/** The functions the C++ addon exports (see native/addon.cc). */
export interface NativeAddon {
  gemm(
    a: FloatArray, aOff: number, aBatchStride: number, aRowStride: number, aColStride: number,
    b: FloatArray, bOff: number, bBatchStride: number, bRowStride: number, bColStride: number,
    out: FloatArray, batch: number, m: number, n: number, k: number,
  ): void;
  binary(op: number, a: FloatArray, aOff: number, aPeriod: number, b: FloatArray, bOff: number, bPeriod: number, out: FloatArray): void;
  unary(op: number, x: FloatArray, xOff: number, out: FloatArray): void;
  info(): NativeInfo;
  setNumThreads(n: number): void;
  /** `'builtin'`, `'openblas'` or a library path; throws when it cannot be loaded. */
  setBlas(name: string): void;
  /** Selects the GEMM kernel family (`'scalar'`, `'avx2-fma'`, `'avx512f'`, `'neon'` or `'auto'`); false if the CPU cannot run it. */
  setSimdLevel(level: string): boolean;
}

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

type FloatArray = Float32Array | Float64Array;

/** Kernels with a native implementation (for their fast paths; other cases go to `js`). */
export const NATIVE_KERNELS: readonly KernelName[] = ['matmul', 'binary', 'unary'];

/** Numbering shared with native/elementwise.h. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, sign: 2, exp: 3, log: 4, sqrt: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9, relu: 10, step: 11,
};

export const NATIVE_BINARY_OPS = Object.keys(BINARY_CODES) as readonly BinaryOp[];
export const NATIVE_UNARY_OPS = Object.keys(UNARY_CODES) as readonly UnaryOp[];

/**
 * Sizes up to which a plain JS loop beats a call into C++ (measured on x86-64, Node 20: the call
 * plus handing V8's small on-heap typed arrays to C++ costs about 0.3-0.6 us): elementwise ops on
 * at most this many elements...
 */
export const SMALL_ELEMENTWISE = 64;
/** ...and matrix products of at most this many multiply-adds (batch * M * N * K). */
export const SMALL_MATMUL = 256;

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

/** Why the addon is unavailable, with how to get it ('' when it loads). */
export function nativeUnavailableReason(): string {
  loadNativeAddon();
  return loaded!.reason;
}

/** Threads, SIMD level and BLAS of the addon, or null when it is not available. */
export function nativeInfo(): NativeInfo | null {
  return loadNativeAddon()?.info() ?? null;
}

// ---- layout helpers -----------------------------------------------------------------------------

function isFloatDType(d: DType): d is 'float32' | 'float64' {
  return d === 'float32' || d === 'float64';
}

function allocFloat(dtype: 'float32' | 'float64', n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * P such that element i (row-major) of `v` is `storage[offset + i % P]`, or -1 if there is none.
 * The trailing dims must be laid out contiguously (product P) and the leading ones broadcast
 * (stride 0): a contiguous view has P = numel, a broadcast scalar P = 1, a bias row expanded to
 * [M, N] P = N. Dims of size 1 may have any stride.
 */
function period(v: View): number {
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

// ---- tiny elementwise ops in JS ----------------------------------------------------------------
// Same formulas as the js backend (and native/elementwise.cc), so results are identical to js.

function smallBinary(code: number, a: FloatArray, ao: number, pa: number, b: FloatArray, bo: number, pb: number, out: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const x = a[ao + (i % pa)];
    const y = b[bo + (i % pb)];
    let r: number;
    switch (code) {
      case 0: r = x + y; break;
      case 1: r = x - y; break;
      case 2: r = x * y; break;
      case 3: r = x / y; break;
      case 4: r = Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y; break;
      default: r = Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y;
    }
    out[i] = r;
  }
}

function smallUnary(code: number, x: FloatArray, xo: number, out: FloatArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    let r: number;
    switch (code) {
      case 0: r = -v; break;
      case 1: r = Math.abs(v); break;
      case 2: r = v > 0 ? 1 : v < 0 ? -1 : v; break;
      case 3: r = Math.exp(v); break;
      case 4: r = Math.log(v); break;
      case 5: r = Math.sqrt(v); break;
      case 6: r = Math.sin(v); break;
      case 7: r = Math.cos(v); break;
      case 8: r = Math.tanh(v); break;
      case 9: r = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)); break;
      case 10: r = v > 0 ? v : Number.isNaN(v) ? v : 0; break;
      default: r = v > 0 ? 1 : Number.isNaN(v) ? v : 0;
    }
    out[i] = r;
  }
}

/**
 * out[b, i, j] = sum_k a[b, i, k] * b[b, k, j] straight from the strided storages, summed in
 * double (like the js backend) for tiny products.
 */
function smallMatmul(a: View, b: View, out: FloatArray, batch: number, m: number, n: number, k: number): void {
  const as = a.storage;
  const bs = b.storage;
  const [sab, sai, sak] = a.strides;
  const [sbb, sbk, sbj] = b.strides;
  let o = 0;
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      const ai = a.offset + p * sab + i * sai;
      for (let j = 0; j < n; j++) {
        const bj = b.offset + p * sbb + j * sbj;
        let s = 0;
        for (let q = 0; q < k; q++) s += as[ai + q * sak] * bs[bj + q * sbk];
        out[o++] = s;
      }
    }
  }
}

// ---- the backend --------------------------------------------------------------------------------

/** Builds the native backend on top of a loaded addon. */
export function createNativeBackend(addon: NativeAddon): Backend {
  function matmul(a: View, b: View, outDtype: DType): Storage {
    if (!isFloatDType(outDtype) || a.dtype !== outDtype || b.dtype !== outDtype) {
      return jsBackend.matmul(a, b, outDtype);
    }
    const [batch, m, k] = a.shape;
    const n = b.shape[2];
    const sa = a.strides;
    const sb = b.strides;
    if (sa[0] < 0 || sa[1] < 0 || sa[2] < 0 || sb[0] < 0 || sb[1] < 0 || sb[2] < 0) {
      return jsBackend.matmul(a, b, outDtype);
    }
    const out = allocFloat(outDtype, batch * m * n);
    if (out.length === 0 || k === 0) return out;
    if (out.length * k <= SMALL_MATMUL) {
      smallMatmul(a, b, out, batch, m, n, k);
      return out;
    }
    addon.gemm(
      a.storage as FloatArray, a.offset, sa[0], sa[1], sa[2],
      b.storage as FloatArray, b.offset, sb[0], sb[1], sb[2],
      out, batch, m, n, k,
    );
    return out;
  }

  function binary(op: BinaryOp, a: View, b: View, outDtype: DType): Storage {
    const code = BINARY_CODES[op];
    if (code !== undefined && isFloatDType(outDtype) && a.dtype === outDtype && b.dtype === outDtype) {
      const n = numel(a.shape);
      if (n === 0) return allocFloat(outDtype, 0);
      const pa = period(a);
      const pb = pa > 0 ? period(b) : -1;
      if (pb > 0) {
        const out = allocFloat(outDtype, n);
        const as = a.storage as FloatArray;
        const bs = b.storage as FloatArray;
        if (n <= SMALL_ELEMENTWISE) smallBinary(code, as, a.offset, pa, bs, b.offset, pb, out);
        else addon.binary(code, as, a.offset, pa, bs, b.offset, pb, out);
        return out;
      }
    }
    return jsBackend.binary(op, a, b, outDtype);
  }

  function unary(op: UnaryOp, x: View, outDtype: DType): Storage {
    const code = UNARY_CODES[op];
    if (code !== undefined && isFloatDType(outDtype) && x.dtype === outDtype) {
      const n = numel(x.shape);
      if (n === 0) return allocFloat(outDtype, 0);
      if (period(x) === n) {
        const out = allocFloat(outDtype, n);
        const xs = x.storage as FloatArray;
        if (n <= SMALL_ELEMENTWISE) smallUnary(code, xs, x.offset, out);
        else addon.unary(code, xs, x.offset, out);
        return out;
      }
    }
    return jsBackend.unary(op, x, outDtype);
  }

  return { ...jsBackend, name: 'native', matmul, binary, unary };
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
