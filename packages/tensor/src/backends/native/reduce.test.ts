/**
 * The native reduce, argReduce, cumsum, softmax and logSoftmax kernels, cross-checked against the
 * js reference backend (fast-check) on random shapes (0, 1, odd sizes, primes), random layouts
 * (permuted dims, steps, negative and broadcast strides, offsets), every dtype each kernel takes,
 * values with NaN / infinities / signed zeros / ties mixed in; plus the sizes that take the
 * threaded and chunked paths, both SIMD levels, the cases left to js, and bad arguments.
 *
 * Tolerances: results must be identical to js (Object.is, so NaN and the sign of zero count)
 * except float sums and softmax / logSoftmax, whose bounds are derived next to them below.
 */
import fc from 'fast-check';
import type { Backend, ReduceOp, View } from '../../backend';
import type { DType } from '../../dtype';
import { Tensor, withBackend } from '../../index';
import { jsBackend } from '../js';
import { EPS, type FloatDType } from '../../testing/native-helpers';
import { denseView, expectNear, expectSame, randomView, type LayoutOptions, type ValueKind } from '../../testing/view-helpers';
import { loadNativeAddon, loadNativeBackend, nativeUnavailableReason, type NativeAddon } from './index';
import { REDUCE_KERNELS, SMALL_FULL_REDUCE, SMALL_REDUCE } from './reduce';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 300_000;

const addon = loadNativeAddon();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native reduce tests skipped: ${nativeUnavailableReason()}`);

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 31, 37, 61, 67, 127, 131];
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 1, 2, 3, 4, 8, 16, ...PRIMES), fc.integer({ min: 0, max: 40 }));
/** Shapes of 0-4 dims with at most ~60k elements (so js stays quick). */
const shapeArb = fc.array(sizeArb, { minLength: 0, maxLength: 4 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 60000);
const floatArb = fc.constantFrom<FloatDType>('float32', 'float64');
const kindArb = fc.constantFrom<ValueKind>('plain', 'plain', 'special', 'ties');
const layoutArb = fc.record<LayoutOptions>({ permute: fc.boolean(), broadcast: fc.constantFrom(0, 0.15), negative: fc.constantFrom(0, 0.2), step: fc.constantFrom(0, 0.3) });

/** Largest finite |value| a view can read (its whole storage, a bound). */
function maxFinite(x: View): number {
  let m = 0;
  for (const v of x.storage) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Float sums: js accumulates sequentially in double; native in interleaved partial sums and chunks,
 * float64 in double, float32 in float32 partial sums of at most 32 elements (lanes) or 35 rows
 * (vertical loop) added into double. So before the final rounding they differ by at most
 * 2 (n - 1) 2^-53 sum|x| (+ 35 2^-24 sum|x| for float32), with sum|x| <= n max|x|; rounding to the
 * dtype adds one unit of EPS * |result|.
 */
function sumTolerance(dtype: FloatDType, n: number, x: View): (i: number, w: number) => number {
  const sumAbs = n * maxFinite(x);
  const acc = (n * 2 ** -52 + (dtype === 'float32' ? 35 * 2 ** -24 : 0)) * sumAbs;
  return (_i, w) => EPS[dtype] * Math.abs(w) + acc;
}

/**
 * softmax: float64 differs from js only by libm's exp vs V8's (1 ulp each) and the order of the
 * sum (relative n eps): (8 + 2n) eps relative. float32 rounds x - max to float32 (relative error
 * of exp(z) about |z| 2^-24, |z| <= 2 max|x|), its exp is within 1 ulp, and 1/sum and the product
 * are rounded once each: eps (8 + 4 max|x|) relative; values below 2^-126 may be flushed.
 * logSoftmax: z - log(sum): absolute eps (|w| + (2n + 8)) for float64; float32 adds the rounding
 * of z and of log(sum) in float32: eps (8 + 2 |w| + 6 max|x|).
 */
function softmaxTolerance(dtype: FloatDType, log: boolean, n: number, x: View): (i: number, w: number) => number {
  const m = maxFinite(x);
  const e = EPS[dtype];
  if (dtype === 'float64') {
    return log ? (_i, w) => e * (Math.abs(w) + 2 * n + 8) : (_i, w) => (8 + 2 * n) * e * Math.abs(w) + Number.MIN_VALUE;
  }
  return log ? (_i, w) => e * (8 + 2 * Math.abs(w) + 6 * m) : (_i, w) => e * (8 + 4 * m) * Math.abs(w) + 2 ** -120;
}

/** A random sorted subset of the dims of an ndim-dim tensor (from a bit mask). */
function dimsFrom(mask: number, ndim: number): number[] {
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) if (mask & (1 << d)) dims.push(d);
  return dims;
}

/** The output dtype the op layer asks of `reduce` (see ops/reduce.ts). */
function reduceOut(op: ReduceOp, dtype: DType): DType {
  if (op === 'max' || op === 'min') return dtype;
  return dtype === 'float32' || dtype === 'float64' ? dtype : 'int32';
}

describeNative('native reduce family', () => {
  const native = addon as NativeAddon;
  let backend: Backend;
  beforeAll(() => {
    backend = loadNativeBackend();
  });

  /** Reduces natively and with js and compares (exact, except float sums). */
  function checkReduce(op: ReduceOp, x: View, dims: number[], what: string): void {
    const outDtype = reduceOut(op, x.dtype);
    const got = backend.reduce(op, x, dims, outDtype);
    const want = jsBackend.reduce(op, x, dims, outDtype);
    expect(got.constructor).toBe(want.constructor);
    if (op === 'sum' && (x.dtype === 'float32' || x.dtype === 'float64')) {
      const n = dims.reduce((a, d) => a * x.shape[d], 1);
      expectNear(got, want, sumTolerance(x.dtype, n, x), what);
    } else {
      expectSame(got, want, what);
    }
  }

  function checkSoftmax(x: View, dim: number, log: boolean, what: string): void {
    const got = log ? backend.logSoftmax(x, dim) : backend.softmax(x, dim);
    const want = log ? jsBackend.logSoftmax(x, dim) : jsBackend.softmax(x, dim);
    expect(got.constructor).toBe(want.constructor);
    expectNear(got, want, softmaxTolerance(x.dtype as FloatDType, log, x.shape[dim], x), what);
  }

  it('lists its kernels', () => {
    expect([...REDUCE_KERNELS].sort()).toEqual(['argReduce', 'cumsum', 'logSoftmax', 'reduce', 'softmax']);
  });

  describe('reduce', () => {
    it('matches js for random shapes, dims, layouts and float values (sum, prod, max, min)', () => {
      fc.assert(
        fc.property(shapeArb, fc.nat(15), fc.constantFrom<ReduceOp>('sum', 'prod', 'max', 'min'), floatArb, kindArb, layoutArb, fc.nat(),
          (shape, mask, op, dtype, kind, layout, seed) => {
            const x = randomView(dtype, shape, seed, kind, layout);
            const dims = dimsFrom(mask, shape.length);
            checkReduce(op, x, dims, `${op} ${dtype} [${shape}] strides [${x.strides}] dims [${dims}] ${kind}`);
          }),
        { numRuns: 300 },
      );
    }, SLOW_TEST_TIMEOUT);

    it('matches js exactly for int32 and bool (sums wrap like | 0, bool sums to int32, max / min stay bool)', () => {
      fc.assert(
        fc.property(shapeArb, fc.nat(15), fc.constantFrom<ReduceOp>('sum', 'prod', 'max', 'min'), fc.constantFrom<DType>('int32', 'bool'),
          fc.constantFrom<ValueKind>('plain', 'special', 'ties'), layoutArb, fc.nat(),
          (shape, mask, op, dtype, kind, layout, seed) => {
            const x = randomView(dtype, shape, seed, kind, layout);
            const dims = dimsFrom(mask, shape.length);
            checkReduce(op, x, dims, `${op} ${dtype} [${shape}] strides [${x.strides}] dims [${dims}] ${kind}`);
          }),
        { numRuns: 200 },
      );
    }, SLOW_TEST_TIMEOUT);

    it('matches js on the sizes that take the threaded, chunked and vertical paths', () => {
      // (js is slow on big inputs: each case runs one dtype and one op, rotating through them)
      const cases: [number[], number[]][] = [
        [[400, 400], [1]], [[400, 400], [0]], [[400, 400], [0, 1]], [[100, 300], [0]], [[100, 300], [1]],
        [[300007], [0]], [[3, 70001], [1]], [[70001, 3], [0]], [[5, 30011], [0]], [[2, 300, 70], [0, 2]],
        [[70, 300, 2], [1]], [[1, 1, 65537], [0, 2]], [[64, 1100], [0]], [[1100, 64], [1]],
      ];
      const dtypes = ['float32', 'float64', 'int32'] as const;
      const ops = ['sum', 'max', 'min', 'sum', 'prod'] as const;
      cases.forEach(([shape, dims], i) => {
        const dtype = dtypes[i % 3];
        const op = ops[i % 5];
        checkReduce(op, denseView(dtype, shape, i, op === 'prod' ? 'ties' : 'special'), dims, `${op} ${dtype} [${shape}] dims [${dims}]`);
        const t = randomView(dtypes[(i + 1) % 3], shape, i, 'plain', { permute: true, broadcast: 0, negative: 0.3, step: 0.3 });
        checkReduce('sum', t, dims, `sum ${t.dtype} [${shape}] strides [${t.strides}] dims [${dims}]`);
      });
    }, SLOW_TEST_TIMEOUT);

    it('sums float32 short runs (a bias gradient) in partial sums of at most 32 elements, as the bound assumes', () => {
      // (8 outputs or more: with fewer, the reduction is cut into chunks and takes another loop)
      // [400, 8, 200] over dims 0 and 2: each output adds 400 runs of 200 contiguous elements, the
      // partial sums carrying on from run to run. With 0.1 everywhere float32 rounding errors add
      // up in one direction: partial sums of 2400 elements would miss by about 0.13, 7x the bound.
      const shape = [400, 8, 200];
      const x: View = { dtype: 'float32', storage: new Float32Array(400 * 8 * 200).fill(0.1), shape, strides: [1600, 200, 1], offset: 0 };
      checkReduce('sum', x, [0, 2], 'sum float32 [400, 8, 200] dims [0, 2] of 0.1');
      const exact = 80000 * Math.fround(0.1);
      for (const v of backend.reduce('sum', x, [0, 2], 'float32')) expect(Math.abs(v - exact)).toBeLessThan(35 * 2 ** -24 * exact);
    });

    it('keeps the sign of a zero max / min and propagates NaN exactly as js', () => {
      const x = (vals: number[], dtype: FloatDType = 'float32'): View => ({
        dtype,
        storage: dtype === 'float32' ? Float32Array.from(vals) : Float64Array.from(vals),
        shape: [vals.length],
        strides: [1],
        offset: 0,
      });
      const negZeroFirst = [-0, ...new Array(40).fill(-1), 0, -3];
      for (const dtype of ['float32', 'float64'] as const) {
        expect(Object.is(backend.reduce('max', x(negZeroFirst, dtype), [0], dtype)[0], -0)).toBe(true);
        expect(Object.is(backend.reduce('max', x(negZeroFirst.map((v, i) => (i === 0 ? 0 : v === 0 ? -0 : v)), dtype), [0], dtype)[0], 0)).toBe(true);
        expect(Object.is(backend.reduce('min', x([...new Array(40).fill(2), 0, -0], dtype), [0], dtype)[0], 0)).toBe(true);
        const withNaN = [...new Array(50).fill(1), NaN, 5];
        for (const op of ['max', 'min', 'sum', 'prod'] as const) {
          expect(backend.reduce(op, x(withNaN, dtype), [0], dtype)[0]).toBeNaN();
        }
        expect(backend.reduce('sum', x([...new Array(30).fill(1), Infinity, -Infinity]), [0], dtype)[0]).toBeNaN();
      }
    });

    it('reduces empty dims to 0, 1, -inf and +inf (0 for ints), like js', () => {
      for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
        for (const op of ['sum', 'prod', 'max', 'min'] as const) {
          const x = denseView(dtype, [3, 0, 20], 1);
          checkReduce(op, x, [1], `${op} ${dtype} over an empty dim`);
          checkReduce(op, x, [0, 1], `${op} ${dtype} over an empty dim and another`);
          checkReduce(op, x, [0], `${op} ${dtype}, empty output`);
        }
      }
    });

    it('reduces tiny inputs and small full reductions in JS exactly like js, without calling C++', () => {
      const spy = jest.spyOn(native, 'reduce');
      try {
        for (const shape of [[], [1], [SMALL_REDUCE], [4, 4], [2, 3, 2]]) {
          for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
            for (const op of ['sum', 'prod', 'max', 'min'] as const) {
              const x = randomView(dtype, shape, shape.length + 3, 'special');
              for (let mask = 0; mask < 1 << shape.length; mask++) {
                const dims = dimsFrom(mask, shape.length);
                const outDtype = reduceOut(op, dtype);
                expectSame(backend.reduce(op, x, dims, outDtype), jsBackend.reduce(op, x, dims, outDtype), `small ${op} ${dtype} [${shape}]`);
              }
            }
          }
        }
        // full reductions of contiguous tensors up to SMALL_FULL_REDUCE elements (a loss)
        for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
          for (const shape of [[SMALL_FULL_REDUCE], [7, 9], [3, 1, 5, 11]]) {
            const x = denseView(dtype, shape, shape[0], 'special');
            const dims = shape.map((_, d) => d);
            for (const op of ['sum', 'prod', 'max', 'min'] as const) {
              const outDtype = reduceOut(op, dtype);
              expectSame(backend.reduce(op, x, dims, outDtype), jsBackend.reduce(op, x, dims, outDtype), `small full ${op} ${dtype} [${shape}]`);
            }
          }
        }
        expect(spy).not.toHaveBeenCalled();
        backend.reduce('sum', denseView('float32', [SMALL_REDUCE + 1], 1), [0], 'float32'); // JS (full, contiguous)
        expect(spy).not.toHaveBeenCalled();
        backend.reduce('sum', randomView('float32', [SMALL_REDUCE + 1], 1, 'plain', { step: 1, broadcast: 0 }), [0], 'float32'); // strided
        backend.reduce('sum', denseView('float32', [SMALL_FULL_REDUCE + 1], 1), [0], 'float32');
        backend.reduce('sum', denseView('float32', [7, 9], 1), [1], 'float32');
        expect(spy).toHaveBeenCalledTimes(3);
      } finally {
        spy.mockRestore();
      }
    });

    it('leaves to js: long int32 sums, mismatched dtypes, unsorted dims, too many dims', () => {
      const spy = jest.spyOn(native, 'reduce');
      try {
        // 2^22 + 1 copies of 2^31 - 1 (broadcast): the double sum passes 2^53, only js reproduces its rounding
        const big: View = { dtype: 'int32', storage: Int32Array.of(2147483647), shape: [2 ** 22 + 1], strides: [0], offset: 0 };
        expectSame(backend.reduce('sum', big, [0], 'int32'), jsBackend.reduce('sum', big, [0], 'int32'), 'long int32 sum');
        const f = denseView('float32', [5, 7], 2);
        expectSame(backend.reduce('sum', f, [1], 'float64'), jsBackend.reduce('sum', f, [1], 'float64'), 'float32 -> float64');
        expectSame(backend.reduce('max', f, [1, 0], 'float32'), jsBackend.reduce('max', f, [1, 0], 'float32'), 'unsorted dims');
        const deep = denseView('float64', new Array(17).fill(1).map((_, i) => (i < 5 ? 2 : 1)), 3);
        expectSame(backend.reduce('sum', deep, [0, 16], 'float64'), jsBackend.reduce('sum', deep, [0, 16], 'float64'), '17 dims');
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });

    it('matches js through the op layer: sum / mean / amax / prod with dims and keepdim, on a transposed view', () => {
      const t = new Tensor(denseView('float32', [30, 40], 5).storage, [30, 40]).T;
      for (const f of [
        (a: Tensor) => a.sum(),
        (a: Tensor) => a.sum({ dim: 0 }),
        (a: Tensor) => a.sum({ dim: [1], keepdim: true }),
        (a: Tensor) => a.mean({ dim: 1 }),
        (a: Tensor) => a.amax({ dim: 0 }),
        (a: Tensor) => a.amin(),
      ]) {
        const got = withBackend('native', () => f(t));
        const want = withBackend('js', () => f(t));
        expect(got.shape).toEqual(want.shape);
        expectNear(got.toTypedArray(), want.toTypedArray(), (_i, w) => 2e-6 * (1 + Math.abs(w)), 'op layer');
      }
    });
  });

  describe('argReduce', () => {
    it('matches js exactly (first index on ties, NaN is the extreme) for all dtypes and layouts', () => {
      fc.assert(
        fc.property(shapeArb.filter((s) => s.length > 0), fc.nat(3), fc.constantFrom<'max' | 'min'>('max', 'min'),
          fc.constantFrom<DType>('float32', 'float64', 'int32', 'bool'), kindArb, layoutArb, fc.nat(),
          (shape, d, op, dtype, kind, layout, seed) => {
            const dim = d % shape.length;
            if (shape[dim] === 0) return; // the op layer rejects it
            const x = randomView(dtype, shape, seed, kind, layout);
            const got = backend.argReduce(op, x, dim);
            const want = jsBackend.argReduce(op, x, dim);
            const what = `arg${op} ${dtype} [${shape}] strides [${x.strides}] dim ${dim} ${kind}`;
            expect(got.values.constructor).toBe(want.values.constructor);
            expectSame(got.values, want.values, `${what} values`);
            expectSame(got.indices, want.indices, `${what} indices`);
          }),
        { numRuns: 300 },
      );
    }, SLOW_TEST_TIMEOUT);

    it('matches js on large inputs along each dim (threaded, both loops)', () => {
      const cases: [number[], number][] = [[[600, 300], 0], [[600, 300], 1], [[100, 10], 1], [[3, 50003], 1], [[7, 513, 9], 1]];
      cases.forEach(([shape, dim], i) => {
        const dtype = (['float32', 'float64', 'int32'] as const)[i % 3];
        const x = denseView(dtype, shape, dim + 1, 'ties');
        for (const op of ['max', 'min'] as const) {
          const got = backend.argReduce(op, x, dim);
          const want = jsBackend.argReduce(op, x, dim);
          expectSame(got.values, want.values, `arg${op} ${dtype} [${shape}] ${dim}`);
          expectSame(got.indices, want.indices, `arg${op} ${dtype} [${shape}] ${dim}`);
        }
      });
    });

    it('leaves 0-d inputs and empty dims to js', () => {
      const spy = jest.spyOn(native, 'argReduce');
      try {
        const s: View = { dtype: 'float32', storage: Float32Array.of(3), shape: [], strides: [], offset: 0 };
        expect(backend.argReduce('max', s, 0)).toEqual(jsBackend.argReduce('max', s, 0));
        const e = denseView('float64', [2, 0, 3], 1);
        expect(backend.argReduce('max', e, 1)).toEqual(jsBackend.argReduce('max', e, 1));
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('cumsum', () => {
    it('matches js exactly for every dtype, dim and layout', () => {
      fc.assert(
        fc.property(shapeArb.filter((s) => s.length > 0), fc.nat(3), fc.constantFrom<DType>('float32', 'float64', 'int32', 'bool'), kindArb, layoutArb, fc.nat(),
          (shape, d, dtype, kind, layout, seed) => {
            const dim = d % shape.length;
            const x = randomView(dtype, shape, seed, kind, layout);
            const outDtype = dtype === 'float32' || dtype === 'float64' ? dtype : 'int32';
            const got = backend.cumsum(x, dim, outDtype);
            const want = jsBackend.cumsum(x, dim, outDtype);
            expect(got.constructor).toBe(want.constructor);
            expectSame(got, want, `cumsum ${dtype} [${shape}] strides [${x.strides}] dim ${dim} ${kind}`);
          }),
        { numRuns: 300 },
      );
    }, SLOW_TEST_TIMEOUT);

    it('matches js on large inputs along each dim', () => {
      const cases: [number[], number][] = [[[400, 400], 1], [[400, 400], 0], [[300, 7, 50], 1], [[100003], 0]];
      cases.forEach(([shape, dim], i) => {
        const dtype = (['float32', 'float64', 'int32'] as const)[i % 3];
        const x = denseView(dtype, shape, 3, 'special');
        expectSame(backend.cumsum(x, dim, dtype), jsBackend.cumsum(x, dim, dtype), `cumsum ${dtype} [${shape}] ${dim}`);
      });
    });

    it('leaves int32 lines longer than 2^22 and 0-d inputs to js', () => {
      const spy = jest.spyOn(native, 'cumsum');
      try {
        const big: View = { dtype: 'int32', storage: Int32Array.of(1 << 30), shape: [2 ** 22 + 1], strides: [0], offset: 0 };
        expectSame(backend.cumsum(big, 0, 'int32'), jsBackend.cumsum(big, 0, 'int32'), 'long int32 cumsum');
        const s: View = { dtype: 'float64', storage: Float64Array.of(3), shape: [], strides: [], offset: 0 };
        expectSame(backend.cumsum(s, 0, 'float64'), jsBackend.cumsum(s, 0, 'float64'), '0-d');
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    }, SLOW_TEST_TIMEOUT);
  });

  describe('softmax and logSoftmax', () => {
    it('match js within the tolerance for random shapes, dims, layouts and values', () => {
      fc.assert(
        fc.property(shapeArb.filter((s) => s.length > 0), fc.nat(3), fc.boolean(), floatArb, kindArb, layoutArb, fc.constantFrom(1, 30), fc.nat(),
          (shape, d, log, dtype, kind, layout, scale, seed) => {
            const dim = d % shape.length;
            const x = randomView(dtype, shape, seed, kind, layout, scale);
            checkSoftmax(x, dim, log, `${log ? 'logSoftmax' : 'softmax'} ${dtype} [${shape}] strides [${x.strides}] dim ${dim} ${kind} x${scale}`);
          }),
        { numRuns: 200 },
      );
    }, SLOW_TEST_TIMEOUT);

    it('give js results for the special lines: all -inf, some -inf, NaN, +inf, huge spreads', () => {
      const rows = [
        [-Infinity, -Infinity, -Infinity, -Infinity],
        [-Infinity, 0, 1, -Infinity],
        [1, NaN, 2, 3],
        [1, Infinity, 2, 3],
        [-Infinity, Infinity, 0, 0],
        [0, -100, -1000, 80],
        [-0, 0, -0, 0],
        [1e30, -1e30, 0, 1],
      ];
      for (const dtype of ['float32', 'float64'] as const) {
        const data = rows.flat();
        // 20 columns so the native path (not the small JS one) runs: each row repeated 5 times
        const wide = rows.flatMap((r) => [...r, ...r, ...r, ...r, ...r]);
        for (const [vals, shape] of [[data, [8, 4]], [wide, [8, 20]]] as [number[], number[]][]) {
          const storage = dtype === 'float32' ? Float32Array.from(vals) : Float64Array.from(vals);
          const x: View = { dtype, storage, shape, strides: [shape[1], 1], offset: 0 };
          const xt: View = { dtype, storage, shape: [shape[1], shape[0]], strides: [1, shape[1]], offset: 0 };
          for (const log of [false, true]) {
            checkSoftmax(x, 1, log, `special rows ${dtype} [${shape}]`);
            checkSoftmax(xt, 0, log, `special rows, transposed ${dtype} [${shape}]`);
          }
        }
      }
    });

    it('match js on the benchmark shapes, along each dim (line and block loops, threads)', () => {
      const cases: [number[], number][] = [
        [[100, 10], 1], [[100, 10], 0], [[256, 1000], 1], [[1000, 3], 1], [[1000, 3], 0], [[3, 5000], 1], [[3, 5000], 0],
        [[16, 33, 65], 0], [[16, 33, 65], 1], [[16, 33, 65], 2],
      ];
      cases.forEach(([shape, dim], i) => {
        const dtype = i % 2 ? 'float64' : 'float32';
        const x = denseView(dtype, shape, dim, 'plain', 10);
        for (const log of [false, true]) checkSoftmax(x, dim, log, `[${shape}] dim ${dim} ${dtype} ${log}`);
      });
    }, SLOW_TEST_TIMEOUT);

    it('match js through the op layer (0-d, negative dims)', () => {
      const t = new Tensor(denseView('float32', [7, 9], 2, 'plain', 5).storage, [7, 9]);
      for (const f of [() => t.softmax(-1), () => t.logSoftmax(0), () => t.sum().softmax(0), () => t.softmax(1).sum({ dim: 1 })]) {
        const got = withBackend('native', f);
        const want = withBackend('js', f);
        expect(got.shape).toEqual(want.shape);
        expectNear(got.toTypedArray(), want.toTypedArray(), (_i, w) => 1e-6 * (1 + Math.abs(w)), 'op layer softmax');
      }
    });

    it('leave int tensors and 0-d inputs to js (the op layer rejects / reshapes them)', () => {
      const spy = jest.spyOn(native, 'softmax');
      try {
        const i: View = { dtype: 'int32', storage: Int32Array.of(1, 2, 3), shape: [3], strides: [1], offset: 0 };
        expect(() => backend.softmax(i, 0)).not.toThrow();
        const s: View = { dtype: 'float64', storage: Float64Array.of(3), shape: [], strides: [], offset: 0 };
        expectSame(backend.logSoftmax(s, 0), jsBackend.logSoftmax(s, 0), '0-d');
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('gives the same results with the baseline and the AVX2 / NEON loops', () => {
    const levels = ['scalar', 'avx2-fma', 'avx512f', 'neon'].filter((l) => native.setSimdLevel(l));
    try {
      for (const level of levels) {
        native.setSimdLevel(level);
        for (const dtype of ['float32', 'float64', 'int32'] as const) {
          for (const [shape, dims] of [[[37, 300], [1]], [[300, 37], [0]], [[100003], [0]], [[5, 6, 7], [0, 2]]] as [number[], number[]][]) {
            const x = randomView(dtype, shape, 11, 'special', { permute: false, broadcast: 0, negative: 0, step: 0 });
            for (const op of ['sum', 'max', 'min'] as const) checkReduce(op, x, dims, `${level} ${op} ${dtype} [${shape}]`);
            const a = backend.argReduce('max', x, dims[0]);
            const b = jsBackend.argReduce('max', x, dims[0]);
            expectSame(a.indices, b.indices, `${level} argmax`);
            expectSame(backend.cumsum(x, dims[0], dtype), jsBackend.cumsum(x, dims[0], dtype), `${level} cumsum`);
            if (dtype !== 'int32') {
              for (const log of [false, true]) checkSoftmax(x, dims[0], log, `${level} softmax ${dtype} [${shape}]`);
            }
          }
        }
      }
    } finally {
      native.setSimdLevel('auto');
    }
  }, SLOW_TEST_TIMEOUT);

  it('rejects bad arguments with a JS error instead of reading or writing out of bounds', () => {
    const x = new Float32Array(12);
    const g = (shape: number[], strides: number[], offset = 0) => Float64Array.from([offset, shape.length, ...shape, ...strides]);
    const g34 = g([3, 4], [4, 1]);
    expect(() => native.reduce(0, x, g34, 1, new Float32Array(3))).not.toThrow();
    expect(() => (native.reduce as (...a: unknown[]) => void)(0, x, g34, 1)).toThrow(/expected 5 arguments/);
    expect(() => native.reduce(7, x, g34, 1, new Float32Array(3))).toThrow(/unknown op/);
    expect(() => native.reduce(0, x, g34, 3, new Float32Array(3))).toThrow(/nKept/);
    expect(() => native.reduce(0, x, g34, 1, new Float32Array(4))).toThrow(/out must have 3 elements/);
    expect(() => native.reduce(0, x, g34, 1, new Float64Array(3))).toThrow(/unsupported/);
    expect(() => native.reduce(2, new Uint8Array(12), g34, 1, new Int32Array(3))).toThrow(/unsupported/);
    expect(() => native.reduce(0, x, g([3, 4], [5, 1]), 1, new Float32Array(3))).toThrow(/reaches element 13/);
    expect(() => native.reduce(0, x, g([3, 4], [4, -1]), 1, new Float32Array(3))).toThrow(/reaches element -3/);
    expect(() => native.reduce(0, x, g([3, 4], [4, 1], 1), 1, new Float32Array(3))).toThrow(/reaches element 12/);
    expect(() => native.reduce(0, x, g([2 ** 30, 2 ** 30], [0, 0]), 0, new Float32Array(1))).toThrow(/2\^53/);
    expect(() => native.reduce(0, x, g34, 1, x.subarray(0, 3))).toThrow(/overlap/);
    expect(() => native.reduce(0, [1, 2] as unknown as Float32Array, g34, 1, new Float32Array(3))).toThrow(/Float32Array/);
    expect(() => native.reduce(0, x, [0, 1, 12, 1] as unknown as Float64Array, 1, new Float32Array(12))).toThrow(/Float64Array \[offset/);
    expect(() => native.argReduce(0, x, g34, 1, new Float32Array(3), new Int32Array(3))).toThrow(/op must be/);
    expect(() => native.argReduce(2, x, g34, 2, new Float32Array(3), new Int32Array(3))).toThrow(/axis 2 out of range/);
    expect(() => native.argReduce(2, x, g34, 1, new Float32Array(3), new Float32Array(3) as unknown as Int32Array)).toThrow(/Int32Array/);
    expect(() => native.argReduce(2, x, g34, 1, new Float64Array(3), new Int32Array(3))).toThrow(/values must have/);
    expect(() => native.argReduce(2, x, g34, 0, new Float32Array(3), new Int32Array(4))).toThrow(/values must have 4/);
    expect(() => native.argReduce(2, x, g([3, 0], [0, 1]), 1, new Float32Array(3), new Int32Array(3))).toThrow(/empty axis/);
    const vi = new Int32Array(8);
    expect(() => native.argReduce(2, new Int32Array(12), g34, 1, vi.subarray(0, 3), vi.subarray(2, 5))).toThrow(/must not overlap/);
    expect(() => native.cumsum(x, g34, 1, new Float64Array(12))).toThrow(/out must be/);
    expect(() => native.cumsum(new Uint8Array(12), g34, 1, new Uint8Array(12))).toThrow(/out must be/);
    expect(() => native.cumsum(x, g34, -1, new Float32Array(12))).toThrow(/non-negative integer/);
    expect(() => native.cumsum(x, g34, 0, new Float32Array(11))).toThrow(/12 elements/);
    expect(() => native.softmax(0, new Int32Array(12) as unknown as Float32Array, g34, 1, new Float32Array(12))).toThrow(/Float32Array or a Float64Array/);
    expect(() => native.softmax(2, x, g34, 1, new Float32Array(12))).toThrow(/log must be/);
    expect(() => native.softmax(0, x, g34, 1, x)).toThrow(/overlap/);
    expect(() => native.softmax(0, x, g34, 1, new Float64Array(12))).toThrow(/type/);
  });
});
