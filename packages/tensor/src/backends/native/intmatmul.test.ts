/**
 * The native int32 matmul, cross-checked against the js backend: results must be identical, overflow
 * included (js sums the products in float64 and stores `sum | 0`). Random shapes (0, 1, odd,
 * primes, batches), the layouts of strided3d plus negative strides, and values of every
 * magnitude: small ones (exact float64 sums: the wrapping uint32 path), ones whose sums pass 2^32
 * (still exact, they wrap), and full-range ones whose float64 products and sums round (the path
 * that replays the js order). The addon is also called directly, so tiny products (which the
 * backend runs as a JS loop) go through the C++ too.
 */
import fc from 'fast-check';
import { Tensor, matmul, withBackend, type Backend } from '../../index';
import { jsBackend } from '../js';
import { INT_MAGNITUDES, expectSame, intStrided3d, type IntMagnitude } from '../../testing/indexing-helpers';
import { LAYOUTS } from '../../testing/native-helpers';
import { geometry } from './addon';
import { SMALL_MATMUL, loadNativeAddon, loadNativeBackend, nativeUnavailableReason, type NativeAddon } from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 300_000;

const addon = loadNativeAddon();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native int32 matmul tests skipped: ${nativeUnavailableReason()}`);

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71];
const dimArb = fc.oneof(fc.constantFrom(0, 1, 6, 8, 12, 16, 32, 64, ...PRIMES), fc.integer({ min: 0, max: 72 }));
const layoutArb = fc.constantFrom(...LAYOUTS);
const magArb = fc.constantFrom<IntMagnitude>(...INT_MAGNITUDES);

/**
 * The same values as t read through negative strides: element (b, i, k) at position p of t's
 * storage sits at n - 1 - p of the reversed copy.
 */
function reversed(t: Tensor): Tensor {
  const rev = (t.storage as Int32Array).slice().reverse();
  return new Tensor(rev, t.shape, t.strides.map((x) => -x), rev.length - 1 - t.offset);
}

describeNative('native int32 matmul', () => {
  const native = addon as NativeAddon;
  let backend: Backend;
  beforeAll(() => {
    backend = loadNativeBackend();
  });

  function nIntMatmul(a: Tensor, b: Tensor): Int32Array {
    const out = new Int32Array(a.shape[0] * a.shape[1] * b.shape[2]);
    native.intMatmul(a.storage as Int32Array, geometry(a), b.storage as Int32Array, geometry(b), out);
    return out;
  }

  it('matches js exactly for random shapes, layouts and magnitudes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }), dimArb, dimArb, dimArb, layoutArb, layoutArb, magArb, fc.nat(),
        (batch, m, n, k, la, lb, mag, seed) => {
          const a = intStrided3d([batch, m, k], la, seed, mag);
          const b = intStrided3d([batch, k, n], lb, seed + 1, mag);
          const want = jsBackend.matmul(a, b, 'int32');
          const what = `[${batch}, ${m}, ${k}] x [${batch}, ${k}, ${n}] ${la}/${lb} ${mag}`;
          expectSame(backend.matmul(a, b, 'int32'), want, what);
          expectSame(nIntMatmul(a, b), want, `direct ${what}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches js across the blocks (M > 64, N > 256, K > 256), threaded, and with negative strides', () => {
    const cases: [number, number, number, number][] = [
      [1, 70, 260, 257],
      [2, 67, 5, 600],
      [3, 1, 513, 40],
      [1, 200, 1, 300],
    ];
    for (const [batch, m, n, k] of cases) {
      for (const mag of INT_MAGNITUDES) {
        for (const [la, lb] of [['contiguous', 'contiguous'], ['transposed', 'strided'], ['rowPadded', 'broadcastBatch']] as const) {
          const a = intStrided3d([batch, m, k], la, m + k, mag);
          const b = intStrided3d([batch, k, n], lb, n, mag);
          expectSame(backend.matmul(a, b, 'int32'), jsBackend.matmul(a, b, 'int32'), `${batch}x${m}x${k}x${n} ${la}/${lb} ${mag}`);
        }
        const a = reversed(intStrided3d([batch, m, k], 'transposed', m, mag));
        const b = reversed(intStrided3d([batch, k, n], 'contiguous', k, mag));
        expect(a.strides.every((x) => x <= 0)).toBe(true);
        expectSame(backend.matmul(a, b, 'int32'), jsBackend.matmul(a, b, 'int32'), `${batch}x${m}x${k}x${n} reversed ${mag}`);
      }
    }
  }, SLOW_TEST_TIMEOUT);

  it('gives the same results with the baseline and the AVX2 copies of the exact kernel', () => {
    const levels = ['scalar', 'avx2-fma', 'avx512f', 'neon'].filter((l) => native.setSimdLevel(l));
    try {
      for (const level of levels) {
        native.setSimdLevel(level);
        for (const mag of ['small', 'medium'] as const) {
          const a = intStrided3d([2, 67, 259], 'rowPadded', 3, mag);
          const b = intStrided3d([2, 259, 261], 'transposed', 4, mag);
          expectSame(nIntMatmul(a, b), jsBackend.matmul(a, b, 'int32'), `${level} ${mag}`);
        }
      }
    } finally {
      native.setSimdLevel('auto');
    }
  });

  it('overflows as js does: sums wrap modulo 2^32, and float64 rounding of huge products is kept', () => {
    const t = (v: number[], shape: [number, number, number]) => new Tensor(Int32Array.from(v), shape);
    const big = 2 ** 31 - 1;
    // each product 2^62 - 2^32 + 1 rounds to 2^62 - 2^32 in float64; the sum 2^63 - 2^33 wraps to 0
    // (the exact sum would wrap to 2)
    const a1 = t([big, big], [1, 1, 2]);
    const b1 = t([big, big], [1, 2, 1]);
    expect(Array.from(jsBackend.matmul(a1, b1, 'int32'))).toEqual([0]);
    expect(Array.from(nIntMatmul(a1, b1))).toEqual([0]);
    // 65536 * 65536 = 2^32 and -2^31 * 65536 wrap to 0; 3 * 2^30 wraps to -2^30; -2^31 * -1 = 2^31 wraps to -2^31
    const a2 = t([65536, 3, -(2 ** 31)], [1, 3, 1]);
    const b2 = t([65536], [1, 1, 1]);
    expect(Array.from(nIntMatmul(a2, t([65536], [1, 1, 1])))).toEqual([0, 196608, 0]);
    const a3 = t([2 ** 30, -(2 ** 31)], [1, 2, 1]);
    expect(Array.from(nIntMatmul(a3, t([3], [1, 1, 1])))).toEqual(Array.from(jsBackend.matmul(a3, t([3], [1, 1, 1]), 'int32')));
    expect(Array.from(nIntMatmul(t([-(2 ** 31)], [1, 1, 1]), t([-1], [1, 1, 1])))).toEqual([-(2 ** 31)]);
    expectSame(nIntMatmul(a2, b2), jsBackend.matmul(a2, b2, 'int32'), 'wrap');
    // long sums of full-range values, where most float64 additions round: through the backend
    const k = 4 * SMALL_MATMUL;
    const a4 = t(Array.from({ length: k }, (_, i) => (i % 3 ? big : -(2 ** 31)) - i), [1, 1, k]);
    const b4 = t(Array.from({ length: 2 * k }, (_, i) => big - 7 * i), [1, k, 2]);
    expectSame(backend.matmul(a4, b4, 'int32'), jsBackend.matmul(a4, b4, 'int32'), 'long full-range sum');
  });

  it('gives zeros when K is 0 and empty results when M or N is 0', () => {
    const z = backend.matmul(intStrided3d([2, 3, 0], 'contiguous', 1, 'small'), intStrided3d([2, 0, 4], 'contiguous', 2, 'small'), 'int32');
    expect(z).toBeInstanceOf(Int32Array);
    expect(Array.from(z)).toEqual(new Array(24).fill(0));
    expect(Array.from(nIntMatmul(intStrided3d([2, 3, 0], 'contiguous', 1, 'small'), intStrided3d([2, 0, 4], 'contiguous', 2, 'small')))).toEqual(new Array(24).fill(0));
    expect(backend.matmul(intStrided3d([2, 0, 5], 'contiguous', 1, 'small'), intStrided3d([2, 5, 4], 'contiguous', 2, 'small'), 'int32').length).toBe(0);
  });

  it('through the Tensor layer: int32 operands (1-D, broadcast batches) equal js; mixed dtypes are promoted first', () => {
    const a = intStrided3d([1, 40, 30], 'contiguous', 1, 'medium').reshape(40, 30);
    const b = intStrided3d([3, 30, 20], 'transposed', 2, 'large');
    const both = (f: () => Tensor) => [withBackend('native', f), withBackend('js', f)];
    for (const f of [() => matmul(a, b), () => matmul(a, b.select(0, 1).select(1, 0)), () => matmul(a.select(0, 3), b)]) {
      const [got, want] = both(f);
      expect(got.dtype).toBe('int32');
      expect(got.shape).toEqual(want.shape);
      expectSame(got.toTypedArray(), want.toTypedArray(), 'op layer');
    }
    const [got, want] = both(() => matmul(a, new Tensor(new Float32Array(30 * 20).fill(0.5), [30, 20])));
    expect(got.dtype).toBe('float32');
    expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
  });

  it('bad arguments throw JS errors', () => {
    const a = intStrided3d([1, 2, 3], 'contiguous', 1, 'small');
    const b = intStrided3d([1, 3, 4], 'contiguous', 2, 'small');
    const call = (x: unknown, gx: Float64Array, y: unknown, gy: Float64Array, out: unknown): string => {
      try {
        (native.intMatmul as unknown as (...args: unknown[]) => void)(x, gx, y, gy, out);
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    const ga = geometry(a);
    const gb = geometry(b);
    expect(call(a.storage, ga, b.storage, gb, new Int32Array(8))).toBe('no error');
    expect(call(new Float32Array(a.storage.length), ga, b.storage, gb, new Int32Array(8))).toMatch(/^TypeError: intMatmul: argument 0 must be a Int32Array/);
    expect(call(a.storage, ga, b.storage, gb, new Float32Array(8))).toMatch(/^TypeError: intMatmul: argument 4/);
    expect(call(a.storage, ga, a.storage, ga, new Int32Array(8))).toMatch(/^RangeError: intMatmul: a \[1, 2, 3\] and b \[1, 2, 3\] must be/);
    expect(call(a.storage, ga, b.storage, gb, new Int32Array(7))).toMatch(/out must have B \* M \* N elements/);
    expect(call(a.storage, ga, b.storage, gb, b.storage)).toMatch(/must have B \* M \* N|must not share memory/);
    expect(call(a.storage, ga, b.storage, gb, (b.storage as Int32Array).subarray(0, 8))).toMatch(/must not share memory/);
    expect(call(a.storage, new Float64Array([0, 3, 1, 2, 30, 60, 30, 1]), b.storage, gb, new Int32Array(8))).toMatch(/reaches element/);
    expect(call(a.storage, geometry(a.reshape(6)), b.storage, gb, new Int32Array(8))).toMatch(/must be \[B, M, K\] and \[B, K, N\]/);
  });
});
