/**
 * The native backend, cross-checked against the js reference backend with random inputs
 * (fast-check): matmul over shapes with 0, 1, odd sizes and primes, batches, broadcast batch dims,
 * transposed and strided operands, both float dtypes; how the backend gets selected. The
 * elementwise kernels are tested in elementwise.test.ts. The kernel tests are skipped (with the reason printed) when the addon is not
 * built; the selection tests always run.
 */
import fc from 'fast-check';
import { KERNELS, Tensor, matmul, withBackend, type Backend } from '../../index';
import { jsBackend } from '../js';
import { EPS, LAYOUTS, expectClose, maxAbs, strided3d, type FloatDType } from '../../testing/native-helpers';
import {
  NATIVE_KERNELS,
  loadNativeAddon,
  loadNativeBackend,
  nativeUnavailableReason,
  type NativeAddon,
} from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const addon = loadNativeAddon();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native backend tests skipped: ${nativeUnavailableReason()}`);

/**
 * The two backends accumulate differently (native: in the element type, blocked; js: in float64),
 * so results agree up to rounding: a few units of eps * K * max|a| * max|b|.
 */
function matmulTolerance(dtype: FloatDType, k: number, a: Tensor, b: Tensor): number {
  return 8 * EPS[dtype] * Math.max(k, 1) * maxAbs(a) * maxAbs(b) + Number.MIN_VALUE;
}

// Sizes with the edge cases of the blocked kernel: 0, 1, below/at/above tile sizes, primes.
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71];
const dimArb = fc.oneof(fc.constantFrom(0, 1, 6, 8, 12, 16, 32, 64, ...PRIMES), fc.integer({ min: 0, max: 72 }));
const dtypeArb = fc.constantFrom<FloatDType>('float32', 'float64');
const layoutArb = fc.constantFrom(...LAYOUTS);

describeNative('native backend kernels', () => {
  const native = addon as NativeAddon;
  let backend: Backend;
  beforeAll(() => {
    backend = loadNativeBackend();
  });

  it('implements every kernel (natively or through js) and publishes which are native', () => {
    const b = backend as unknown as Record<string, unknown>;
    for (const k of KERNELS) expect(typeof b[k]).toBe('function');
    expect(backend.name).toBe('native');
    for (const k of NATIVE_KERNELS) expect(KERNELS).toContain(k);
    const info = native.info();
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(['avx512f', 'avx2-fma', 'neon', 'scalar']).toContain(info.simd);
  });

  describe('matmul', () => {
    it('matches js for random shapes (0, 1, odd, primes), batches, dtypes and layouts', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 3 }), dimArb, dimArb, dimArb, dtypeArb, layoutArb, layoutArb, fc.nat(),
          (batch, m, n, k, dtype, la, lb, seed) => {
            const a = strided3d(dtype, [batch, m, k], la, seed);
            const b = strided3d(dtype, [batch, k, n], lb, seed + 1);
            const got = backend.matmul(a, b, dtype);
            const want = jsBackend.matmul(a, b, dtype);
            expect(got).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
            expectClose(got, want, matmulTolerance(dtype, k, a, b), `[${batch}, ${m}, ${k}] x [${batch}, ${k}, ${n}] ${dtype} ${la}/${lb}`);
          },
        ),
        { numRuns: 300 },
      );
    }, SLOW_TEST_TIMEOUT);

    it('gives zeros when K is 0 and empty results when M or N is 0', () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const z = backend.matmul(strided3d(dtype, [2, 3, 0], 'contiguous', 1), strided3d(dtype, [2, 0, 4], 'contiguous', 2), dtype);
        expect(Array.from(z)).toEqual(new Array(24).fill(0));
        expect(backend.matmul(strided3d(dtype, [2, 0, 5], 'contiguous', 1), strided3d(dtype, [2, 5, 4], 'contiguous', 2), dtype).length).toBe(0);
        expect(backend.matmul(strided3d(dtype, [1, 3, 5], 'contiguous', 1), strided3d(dtype, [1, 5, 0], 'contiguous', 2), dtype).length).toBe(0);
      }
    });

    it('matches js on sizes that cross the cache blocks and use several threads', () => {
      // K > KC (256) accumulates over several slices, N > NC (4080) needs two column blocks,
      // and 2 * 200^3 flops is over the threading threshold.
      const cases: [number, number, number, number][] = [
        [1, 200, 200, 200],
        [1, 131, 97, 601],
        [2, 7, 4100, 3],
        [1, 1, 523, 300],
        [1, 300, 1, 257],
        [16, 24, 40, 20],
      ];
      for (const [batch, m, n, k] of cases) {
        for (const dtype of ['float32', 'float64'] as const) {
          for (const [la, lb] of [['contiguous', 'contiguous'], ['contiguous', 'transposed'], ['transposed', 'strided']] as const) {
            const a = strided3d(dtype, [batch, m, k], la, m + n);
            const b = strided3d(dtype, [batch, k, n], lb, k);
            expectClose(backend.matmul(a, b, dtype), jsBackend.matmul(a, b, dtype), matmulTolerance(dtype, k, a, b), `${m}x${k}x${n} ${dtype} ${la}/${lb}`);
          }
        }
      }
    }, SLOW_TEST_TIMEOUT);

    it('gives the same results with every kernel this CPU can run (scalar, AVX2, AVX-512 / NEON)', () => {
      const levels = ['scalar', 'avx2-fma', 'avx512f', 'neon'].filter((l) => native.setSimdLevel(l));
      expect(levels).toContain('scalar');
      try {
        for (const level of levels) {
          native.setSimdLevel(level);
          expect(native.info().gemmKernelF32.startsWith(level)).toBe(true);
          for (const [m, n, k] of [[1, 1, 1], [5, 9, 3], [13, 33, 200], [37, 41, 300], [64, 64, 64]]) {
            for (const dtype of ['float32', 'float64'] as const) {
              const a = strided3d(dtype, [2, m, k], 'contiguous', m);
              const b = strided3d(dtype, [2, k, n], 'transposed', n);
              expectClose(backend.matmul(a, b, dtype), jsBackend.matmul(a, b, dtype), matmulTolerance(dtype, k, a, b), `${level} ${m}x${k}x${n} ${dtype}`);
            }
          }
        }
      } finally {
        native.setSimdLevel('auto');
      }
    });

    it('gives the same results through OpenBLAS when it is installed', () => {
      try {
        native.setBlas('openblas');
      } catch (e) {
        console.log(`OpenBLAS check skipped: ${(e as Error).message}`);
        return;
      }
      try {
        expect(native.info().blas).toBe('openblas');
        for (const [la, lb] of [['contiguous', 'contiguous'], ['transposed', 'transposed'], ['rowPadded', 'colPadded'], ['strided', 'contiguous'], ['broadcastBatch', 'transposed']] as const) {
          for (const dtype of ['float32', 'float64'] as const) {
            const a = strided3d(dtype, [2, 33, 70], la, 3);
            const b = strided3d(dtype, [2, 70, 1], lb, 4);
            expectClose(backend.matmul(a, b, dtype), jsBackend.matmul(a, b, dtype), matmulTolerance(dtype, 70, a, b), `openblas ${dtype} ${la}/${lb}`);
          }
        }
      } finally {
        native.setBlas('builtin');
      }
    });

    it('matches js through the op layer: 1-D operands, broadcast batch dims, x.matmul(w.T)', () => {
      fc.assert(
        fc.property(dimArb, dimArb, dimArb, dtypeArb, fc.nat(), (m, n, k, dtype, seed) => {
          const a4 = strided3d(dtype, [2, m, k], 'contiguous', seed).reshape(2, 1, m, k);
          const b3 = strided3d(dtype, [3, k, n], 'contiguous', seed + 1);
          const w = strided3d(dtype, [1, n, k], 'contiguous', seed + 2).reshape(n, k);
          const v = strided3d(dtype, [1, 1, k], 'contiguous', seed + 3).reshape(k);
          const tol = 8 * EPS[dtype] * Math.max(k, 1); // all values are in [-1, 1)
          for (const f of [() => matmul(a4, b3), () => a4.matmul(w.T), () => matmul(v, b3), () => a4.matmul(v)]) {
            const got = withBackend('native', f);
            const want = withBackend('js', f);
            expect(got.shape).toEqual(want.shape);
            expect(got.dtype).toBe(dtype);
            expectClose(got.toTypedArray(), want.toTypedArray(), tol, `op layer ${dtype} m=${m} n=${n} k=${k}`);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('multiplies int32 exactly as js does, wrapping around (natively above the tiny sizes; see intmatmul.test.ts)', () => {
      const a = new Tensor(new Int32Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]);
      const b = new Tensor(new Int32Array([1, 0, 0, 1, 1, 1]), [1, 3, 2]);
      expect(Array.from(backend.matmul(a, b, 'int32'))).toEqual([4, 5, 10, 11]);
      // [1, 4, 64] x [1, 64, 3]: past SMALL_MATMUL, so through the C++; sums past 2^31 wrap
      const x = new Tensor(Int32Array.from({ length: 256 }, (_, i) => ((i * 7919) % 200003) - 100000), [1, 4, 64]);
      const y = new Tensor(Int32Array.from({ length: 192 }, (_, i) => ((i * 104729) % 65537) - 30000), [1, 64, 3]);
      const got = backend.matmul(x, y, 'int32');
      expect(got).toBeInstanceOf(Int32Array);
      expect(Array.from(got)).toEqual(Array.from(jsBackend.matmul(x, y, 'int32')));
      const w = new Tensor(new Int32Array(256).fill(65536), [1, 4, 64]);
      expect(Array.from(backend.matmul(w, new Tensor(new Int32Array(192).fill(65536), [1, 64, 3]), 'int32'))).toEqual(new Array(12).fill(0));
    });

    it('rejects bad arguments with a JS error instead of reading out of bounds', () => {
      const a = new Float32Array(6);
      const out = new Float32Array(4);
      // a as 2 x 4 (rows 4 apart) reaches element 7 of 6
      expect(() => native.gemm(a, 0, 0, 4, 1, new Float32Array(8), 0, 0, 2, 1, out, 1, 2, 2, 4)).toThrow(/a reaches element 7 of an array of 6/);
      expect(() => native.gemm(a, 0, 0, 2, 1, a, 0, 0, 2, 1, a.subarray(4, 6), 1, 1, 2, 2)).toThrow(/must not share memory/);
      // (the errors come from the addon's realm, so match messages rather than classes)
      expect(() => native.gemm(a, 1, 0, 3, 1, new Float32Array(6), 0, 0, 2, 1, out, 1, 2, 2, 3)).toThrow(/a reaches element 6/);
      expect(() => native.gemm(a, 0, 0, 3, 1, new Float64Array(6), 0, 0, 2, 1, out, 1, 2, 2, 3)).toThrow(/same type/);
      expect(() => native.gemm(a, -1, 0, 3, 1, new Float32Array(6), 0, 0, 2, 1, out, 1, 2, 2, 3)).toThrow(/non-negative integer/);
      expect(() => native.gemm([1, 2] as unknown as Float32Array, 0, 0, 3, 1, a, 0, 0, 2, 1, out, 1, 2, 2, 3)).toThrow(/Float32Array or a Float64Array/);
    });
  });
});

describe('native backend selection', () => {
  type Index = typeof import('../../index');

  /** Imports a fresh copy of the package entry with these environment variables. */
  function withFreshIndex(env: Record<string, string | undefined>, fn: (t: Index, printed: jest.SpyInstance[]) => void): void {
    const keys = ['DL_BACKEND', ...Object.keys(env)]; // DL_NATIVE_PATH is inherited unless given
    const saved = new Map(keys.map((k) => [k, process.env[k]]));
    const spies = (['log', 'info', 'warn', 'error'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => {}));
    try {
      for (const k of keys) delete process.env[k];
      for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
      let t: Index | undefined;
      jest.isolateModules(() => {
        t = require('../../index') as Index;
      });
      fn(t!, spies);
    } finally {
      for (const s of spies) s.mockRestore();
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
  const calls = (spies: jest.SpyInstance[]) => spies.reduce((n, s) => n + s.mock.calls.length, 0);
  const MISSING = '/nonexistent/dl_native.node';

  it('without the addon: js is the default, native is listed, importing prints nothing', () => {
    withFreshIndex({ DL_NATIVE_PATH: MISSING }, (t, printed) => {
      expect(t.getBackend().name).toBe('js');
      expect(t.listBackends()).toEqual(expect.arrayContaining(['js', 'native']));
      expect(calls(printed)).toBe(0);
    });
  });

  it("without the addon, setBackend('native') throws BackendUnavailableError saying why and how to get it", () => {
    withFreshIndex({ DL_NATIVE_PATH: MISSING }, (t) => {
      expect(() => t.setBackend('native')).toThrow(t.BackendUnavailableError);
      expect(() => t.setBackend('native')).toThrow(/dl_native\.node is missing.*g\+\+.*npm ci.*npm run build:native -w @dl\/tensor/);
      expect(t.getBackend().name).toBe('js');
    });
  });

  it('DL_BACKEND=native without the addon: one line at import, then ops throw', () => {
    withFreshIndex({ DL_NATIVE_PATH: MISSING, DL_BACKEND: 'native' }, (t, printed) => {
      expect(calls(printed)).toBe(1);
      expect(String(printed[2].mock.calls[0][0])).toMatch(/DL_BACKEND=native.*missing/);
      expect(() => t.tensor([1, 2]).add(1)).toThrow(t.BackendUnavailableError);
    });
  });

  it('an unknown DL_BACKEND is reported once and ignored', () => {
    withFreshIndex({ DL_BACKEND: 'fortran' }, (t, printed) => {
      expect(calls(printed)).toBe(1);
      expect(String(printed[2].mock.calls[0][0])).toMatch(/DL_BACKEND='fortran'/);
      expect(t.getBackend().name).toBe(addon ? 'native' : 'js');
    });
  });

  (addon ? it : it.skip)('with the addon: native is the default, DL_BACKEND=js keeps js, both switch', () => {
    withFreshIndex({}, (t, printed) => {
      expect(t.getBackend().name).toBe('native');
      expect(t.tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
      expect(t.setBackend('js').name).toBe('js');
      expect(calls(printed)).toBe(0);
    });
    withFreshIndex({ DL_BACKEND: 'js' }, (t, printed) => {
      expect(t.getBackend().name).toBe('js');
      expect(t.setBackend('native').name).toBe('native');
      expect(calls(printed)).toBe(0);
    });
    withFreshIndex({ DL_BACKEND: 'native' }, (t, printed) => {
      expect(t.getBackend().name).toBe('native');
      expect(calls(printed)).toBe(0);
    });
  });
});
