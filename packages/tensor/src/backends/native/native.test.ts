/**
 * The native backend, cross-checked against the js reference backend with random inputs
 * (fast-check): matmul over shapes with 0, 1, odd sizes and primes, batches, broadcast batch dims,
 * transposed and strided operands, both float dtypes; the elementwise fast paths; how the backend
 * gets selected. The kernel tests are skipped (with the reason printed) when the addon is not
 * built; the selection tests always run.
 */
import fc from 'fast-check';
import { KERNELS, Tensor, matmul, withBackend, type Backend, type BinaryOp, type UnaryOp } from '../../index';
import { jsBackend } from '../js';
import { EPS, LAYOUTS, alloc, expectClose, maxAbs, rng, strided3d, type FloatDType } from '../../testing/native-helpers';
import {
  NATIVE_BINARY_OPS,
  NATIVE_KERNELS,
  NATIVE_UNARY_OPS,
  SMALL_ELEMENTWISE,
  loadNativeAddon,
  loadNativeBackend,
  nativeUnavailableReason,
  type NativeAddon,
} from './index';

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
    });

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
    });

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
      expect(() => native.binary(0, a, 0, 7, a, 0, 6, new Float32Array(6))).toThrow(/a reaches element 6/);
      expect(() => native.unary(99, a, 0, new Float32Array(6))).toThrow(/unknown op/);
    });
  });

  describe('elementwise', () => {
    /** Values with the awkward cases mixed in: NaN, infinities, signed zeros, large and tiny. */
    function values(dtype: FloatDType, n: number, seed: number, special: boolean): Float32Array | Float64Array {
      const r = rng(seed);
      const out = alloc(dtype, n);
      const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e-30, 88.5, -745.2, 1];
      for (let i = 0; i < n; i++) {
        const u = r();
        out[i] = special && u > 0.8 ? SPECIAL[Math.floor((u - 0.8) * 50) % SPECIAL.length] : r() * 8;
      }
      return out;
    }

    /**
     * Operand b of a binary op over [R, C]: same layout as a, a broadcast scalar, a broadcast row
     * (bias), a broadcast column or a transposed matrix (the last two are not native fast paths:
     * they go to js, and must give the same results too).
     */
    const B_LAYOUTS = ['same', 'scalar', 'row', 'column', 'transposed'] as const;
    function operandB(dtype: FloatDType, r: number, c: number, layout: (typeof B_LAYOUTS)[number], seed: number, special: boolean): Tensor {
      switch (layout) {
        case 'same': return new Tensor(values(dtype, r * c, seed, special), [r, c]);
        case 'scalar': return new Tensor(values(dtype, 1, seed, special), []).expand(r, c);
        case 'row': return new Tensor(values(dtype, c, seed, special), [c]).expand(r, c);
        case 'column': return new Tensor(values(dtype, r, seed, special), [r, 1]).expand(r, c);
        case 'transposed': return new Tensor(values(dtype, r * c, seed, special), [c, r]).T;
      }
    }

    const sizeArb = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 70 }));
    const TRANSCENDENTAL = new Set<UnaryOp>(['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid']);

    it('binary ops equal js exactly (small arrays in JS, larger ones in C++)', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...NATIVE_BINARY_OPS), dtypeArb, sizeArb, sizeArb, fc.constantFrom(...B_LAYOUTS), fc.boolean(), fc.boolean(), fc.nat(),
          (op: BinaryOp, dtype, r, c, lb, sliced, special, seed) => {
            // a is contiguous, possibly at an offset (a slice of a bigger tensor)
            const a = sliced
              ? new Tensor(values(dtype, 2 * r * c, seed, special), [2, r, c]).select(0, 1)
              : new Tensor(values(dtype, r * c, seed, special), [r, c]);
            const b = operandB(dtype, r, c, lb, seed + 7, special);
            for (const [x, y] of [[a, b], [b, a]]) {
              const got = backend.binary(op, x, y, dtype);
              const want = jsBackend.binary(op, x, y, dtype);
              expect(got).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
              expect(got.length).toBe(want.length);
              for (let i = 0; i < want.length; i++) {
                if (!Object.is(got[i], want[i])) {
                  throw new Error(`${op} ${dtype} [${r}, ${c}] ${lb}: element ${i} is ${got[i]}, js gives ${want[i]}`);
                }
              }
            }
          },
        ),
        { numRuns: 400 },
      );
    });

    it('unary ops equal js (transcendental ones up to the last bit of a different libm)', () => {
      fc.assert(
        fc.property(fc.constantFrom(...NATIVE_UNARY_OPS), dtypeArb, sizeArb, sizeArb, fc.boolean(), fc.boolean(), fc.nat(),
          (op: UnaryOp, dtype, r, c, transposed, special, seed) => {
            const x = transposed
              ? new Tensor(values(dtype, r * c, seed, special), [c, r]).T // not contiguous: goes to js
              : new Tensor(values(dtype, 2 * r * c, seed, special), [2, r, c]).select(0, 1);
            const got = backend.unary(op, x, dtype);
            const want = jsBackend.unary(op, x, dtype);
            expect(got.length).toBe(want.length);
            const rel = TRANSCENDENTAL.has(op) ? 4 * EPS[dtype] : 0;
            for (let i = 0; i < want.length; i++) {
              const ok = Object.is(got[i], want[i]) || Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]);
              if (!ok) throw new Error(`${op} ${dtype}: ${x.contiguous().toTypedArray()[i]} gives ${got[i]}, js gives ${want[i]}`);
            }
          },
        ),
        { numRuns: 400 },
      );
    });

    it('uses C++ above the small-array cutoff and agrees with the JS loop below it', () => {
      for (const n of [SMALL_ELEMENTWISE, SMALL_ELEMENTWISE + 1, 100000]) {
        const a = new Tensor(values('float32', n, n, true), [n]);
        const b = new Tensor(values('float32', n, n + 1, true), [n]);
        const want = jsBackend.binary('mul', a, b, 'float32');
        expect(Array.from(backend.binary('mul', a, b, 'float32'))).toEqual(Array.from(want));
        const out = new Float32Array(n);
        native.binary(2, a.storage as Float32Array, 0, n, b.storage as Float32Array, 0, n, out);
        expect(Array.from(out)).toEqual(Array.from(want));
      }
    });

    it('leaves other dtypes and ops to js', () => {
      const a = new Tensor(new Int32Array([7, -7, 3]), [3]);
      const b = new Tensor(new Int32Array([2, 2, 0]), [3]);
      expect(Array.from(backend.binary('mul', a, b, 'int32'))).toEqual([14, -14, 0]);
      const f = new Tensor(new Float32Array([1, 2, 3]), [3]);
      expect(Array.from(backend.binary('lt', f, f, 'bool'))).toEqual([0, 0, 0]);
      expect(Array.from(backend.binary('pow', f, f, 'float32'))).toEqual([1, 4, 27]);
      expect(Array.from(backend.unary('logicalNot', f, 'bool'))).toEqual([0, 0, 0]);
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
