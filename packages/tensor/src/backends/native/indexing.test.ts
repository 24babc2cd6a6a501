/**
 * The native gather / indexSelect / scatterAdd / indexAdd, cross-checked against the js backend
 * with random inputs (fast-check): every dtype, shapes with 0, 1, odd sizes and primes, 0-d
 * tensors, views in every layout of ND_LAYOUTS (column-major, stepped, broadcast stride 0,
 * negative strides, offsets) for the data, the index and src. The results must be identical
 * (Object.is per element): these kernels only move data, or add in the js order in the element
 * type. The addon functions are also called directly, so tiny shapes that the backend hands to js
 * still run through the C++. Then the large (threaded) cases and the hot paths, the wrap-around of
 * int32 and bool sums, the fallbacks, and bad arguments, which must throw JS errors.
 */
import fc from 'fast-check';
import { Tensor, withBackend, type Backend, type DType, type Storage } from '../../index';
import { jsBackend } from '../js';
import { ND_LAYOUTS, expectSame, indexView, ndView, storageOf, type NdLayout } from '../../testing/indexing-helpers';
import { rng } from '../../testing/native-helpers';
import { geometry } from './addon';
import { INDEXING_KERNELS, SMALL_INDEXING } from './indexing';
import { loadNativeAddon, loadNativeBackend, nativeUnavailableReason, type NativeAddon } from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const addon = loadNativeAddon();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native indexing tests skipped: ${nativeUnavailableReason()}`);

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'bool'];
const dtypeArb = fc.constantFrom<DType>(...DTYPES);
const layoutArb = fc.constantFrom<NdLayout>(...ND_LAYOUTS);
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 2, 3, 5, 7, 13), fc.integer({ min: 0, max: 9 }));
const shapeArb = (minDims: number) => fc.array(sizeArb, { minLength: minDims, maxLength: 4 });

/** Random integers from a seed: `pick(n)` in [0, n). */
function picker(seed: number): (n: number) => number {
  const r = rng(seed);
  return (n) => Math.floor(((r() + 1) / 2) * n);
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describeNative('native indexing kernels', () => {
  const native = addon as NativeAddon;
  let backend: Backend;
  beforeAll(() => {
    backend = loadNativeBackend();
  });

  // The addon called directly (no size threshold, no fallback).
  function nGather(x: Tensor, dim: number, index: Tensor): Storage {
    const out = storageOf(x.dtype, index.numel());
    native.gather(x.storage, geometry(x), dim, index.storage as Int32Array, geometry(index), out);
    return out;
  }
  function nIndexSelect(x: Tensor, dim: number, index: Tensor): Storage {
    const out = storageOf(x.dtype, (x.numel() / x.shape[dim]) * index.shape[0] || 0);
    native.indexSelect(x.storage, geometry(x), dim, index.storage as Int32Array, geometry(index), out);
    return out;
  }
  function nScatterAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Storage {
    const out = storageOf(base.dtype, base.numel());
    native.scatterAdd(base.storage, geometry(base), dim, index.storage as Int32Array, geometry(index), src.storage, geometry(src), out);
    return out;
  }
  function nIndexAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Storage {
    const out = storageOf(base.dtype, base.numel());
    native.indexAdd(base.storage, geometry(base), dim, index.storage as Int32Array, geometry(index), src.storage, geometry(src), out);
    return out;
  }

  it('publishes the four kernels as native', () => {
    expect([...INDEXING_KERNELS].sort()).toEqual(['gather', 'indexAdd', 'indexSelect', 'scatterAdd']);
  });

  describe('random shapes, dtypes and layouts match js exactly', () => {
    it('gather', () => {
      fc.assert(
        fc.property(shapeArb(0), dtypeArb, layoutArb, layoutArb, fc.nat(), (xShape, dtype, lx, li, seed) => {
          const pick = picker(seed);
          const nd = xShape.length;
          const dim = pick(Math.max(nd, 1));
          const iShape = xShape.map((s, d) => (d === dim ? (s === 0 ? 0 : pick(6)) : pick(s + 1)));
          const x = ndView(dtype, xShape, lx, seed, true);
          const index = indexView(iShape, nd === 0 ? 1 : xShape[dim], li, seed + 1);
          const want = jsBackend.gather(x, dim, index);
          const what = `gather ${dtype} x [${xShape}] ${lx} dim ${dim} index [${iShape}] ${li}`;
          expectSame(nGather(x, dim, index), want, what);
          expectSame(backend.gather(x, dim, index), want, what);
        }),
        { numRuns: 300 },
      );
    });

    it('indexSelect', () => {
      fc.assert(
        fc.property(shapeArb(1), dtypeArb, layoutArb, layoutArb, fc.nat(), (xShape, dtype, lx, li, seed) => {
          const pick = picker(seed);
          const dim = pick(xShape.length);
          const n = xShape[dim] === 0 ? 0 : pick(12);
          const x = ndView(dtype, xShape, lx, seed, true);
          const index = indexView([n], xShape[dim], li, seed + 1);
          const want = jsBackend.indexSelect(x, dim, index);
          const what = `indexSelect ${dtype} x [${xShape}] ${lx} dim ${dim} index [${n}] ${li}`;
          expectSame(nIndexSelect(x, dim, index), want, what);
          expectSame(backend.indexSelect(x, dim, index), want, what);
        }),
        { numRuns: 300 },
      );
    });

    it('scatterAdd (repeated destinations add up in the js order)', () => {
      fc.assert(
        fc.property(shapeArb(0), dtypeArb, layoutArb, layoutArb, layoutArb, fc.nat(), (bShape, dtype, lb, li, ls, seed) => {
          const pick = picker(seed);
          const nd = bShape.length;
          const dim = pick(Math.max(nd, 1));
          const iShape = bShape.map((s, d) => (d === dim ? (s === 0 ? 0 : pick(7)) : pick(s + 1)));
          const sShape = iShape.map((s) => s + pick(3));
          const base = ndView(dtype, bShape, lb, seed, true);
          const index = indexView(iShape, nd === 0 ? 1 : bShape[dim], li, seed + 1);
          const src = ndView(dtype, sShape, ls, seed + 2, true);
          const want = jsBackend.scatterAdd(base, dim, index, src);
          const what = `scatterAdd ${dtype} base [${bShape}] ${lb} dim ${dim} index [${iShape}] ${li} src [${sShape}] ${ls}`;
          expectSame(nScatterAdd(base, dim, index, src), want, what);
          expectSame(backend.scatterAdd(base, dim, index, src), want, what);
        }),
        { numRuns: 300 },
      );
    });

    it('indexAdd (repeated slices add up in the js order)', () => {
      fc.assert(
        fc.property(shapeArb(1), dtypeArb, layoutArb, layoutArb, layoutArb, fc.nat(), (bShape, dtype, lb, li, ls, seed) => {
          const pick = picker(seed);
          const dim = pick(bShape.length);
          const n = bShape[dim] === 0 ? 0 : pick(12);
          const sShape = bShape.map((s, d) => (d === dim ? n : s));
          const base = ndView(dtype, bShape, lb, seed, true);
          const index = indexView([n], bShape[dim], li, seed + 1);
          const src = ndView(dtype, sShape, ls, seed + 2, true);
          const want = jsBackend.indexAdd(base, dim, index, src);
          const what = `indexAdd ${dtype} base [${bShape}] ${lb} dim ${dim} index [${n}] ${li} src [${sShape}] ${ls}`;
          expectSame(nIndexAdd(base, dim, index, src), want, what);
          expectSame(backend.indexAdd(base, dim, index, src), want, what);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('large (threaded) cases and the hot paths', () => {
    it('indexSelect: embedding lookups (rows of a [V, D] table) and other dims', () => {
      const cases: [number[], number, number, NdLayout, NdLayout][] = [
        [[1000, 64], 0, 3001, 'contiguous', 'contiguous'], // the embedding lookup: memcpy per row
        [[997, 33], 0, 2003, 'columnMajor', 'stepped'], // a transposed table
        [[300, 257], 1, 211, 'stepped', 'reversed'], // along the last dim: one index per element
        [[7, 409, 23], 1, 401, 'broadcast', 'broadcast'],
      ];
      for (const [shape, dim, n, lx, li] of cases) {
        for (const dtype of DTYPES) {
          const x = ndView(dtype, shape, lx, n, true);
          const index = indexView([n], shape[dim], li, n + 1);
          expectSame(backend.indexSelect(x, dim, index), jsBackend.indexSelect(x, dim, index), `indexSelect ${dtype} [${shape}] dim ${dim} n ${n} ${lx}/${li}`);
        }
      }
    }, SLOW_TEST_TIMEOUT);

    it("gather: picking each row's target along the last dim ([N, C] with an [N, 1] index) and other dims", () => {
      const cases: [number[], number, number[], NdLayout, NdLayout][] = [
        [[35011, 10], 1, [35011, 1], 'contiguous', 'contiguous'], // cross-entropy's pick
        [[34033, 7], 1, [34033, 1], 'columnMajor', 'stepped'],
        [[61, 1031], 0, [59, 1031], 'contiguous', 'contiguous'],
        [[13, 50, 67], 2, [11, 50, 101], 'stepped', 'broadcast'],
      ];
      for (const [xShape, dim, iShape, lx, li] of cases) {
        for (const dtype of DTYPES) {
          const x = ndView(dtype, xShape, lx, 3, true);
          const index = indexView(iShape, xShape[dim], li, 4);
          expectSame(backend.gather(x, dim, index), jsBackend.gather(x, dim, index), `gather ${dtype} [${xShape}] dim ${dim} [${iShape}] ${lx}/${li}`);
        }
      }
    }, SLOW_TEST_TIMEOUT);

    it('scatterAdd: the gradient of the pick, and many repeats along dim 0 (split over the other dims)', () => {
      const cases: [number[], number, number[], NdLayout, NdLayout, NdLayout][] = [
        [[40009, 3], 1, [40009, 1], 'contiguous', 'contiguous', 'contiguous'],
        [[7, 2003], 0, [23, 2003], 'columnMajor', 'stepped', 'contiguous'], // ~3 adds per destination
        [[3, 5, 1201], 1, [3, 11, 1201], 'contiguous', 'broadcast', 'reversed'],
        [[1, 40000], 1, [1, 40000], 'contiguous', 'contiguous', 'contiguous'], // all along dim: serial
      ];
      for (const [bShape, dim, iShape, lb, li, ls] of cases) {
        for (const dtype of DTYPES) {
          const base = ndView(dtype, bShape, lb, 5, true);
          const index = indexView(iShape, bShape[dim], li, 6);
          const src = ndView(dtype, iShape, ls, 7, true);
          const what = `scatterAdd ${dtype} [${bShape}] dim ${dim} [${iShape}] ${lb}/${li}/${ls}`;
          expectSame(backend.scatterAdd(base, dim, index, src), jsBackend.scatterAdd(base, dim, index, src), what);
        }
      }
    }, SLOW_TEST_TIMEOUT);

    it('never splits the indexed dim across threads (far-apart positions hitting one destination keep the js order)', () => {
      // position p adds into p % 4096: every destination gets 256 adds from positions 4096 apart,
      // so a split along the indexed dim would reorder (and race on) them. Large enough that the
      // pool's other threads take part before the calling thread is done.
      const n = 1 << 20;
      const hits = new Tensor(Int32Array.from({ length: n }, (_, p) => p % 4096), [1, n]);
      const base = ndView('float32', [1, 4096], 'contiguous', 1);
      const src = ndView('float32', [1, n], 'contiguous', 2);
      // (repeated: whether the threads overlap depends on timing)
      const want = jsBackend.scatterAdd(base, 1, hits, src);
      for (let r = 0; r < 8; r++) expectSame(backend.scatterAdd(base, 1, hits, src), want, `scatterAdd, run ${r}`);
      const [b1, i1, s1] = [base.reshape(4096), hits.reshape(n), src.reshape(n)];
      const want1 = jsBackend.indexAdd(b1, 0, i1, s1);
      for (let r = 0; r < 8; r++) expectSame(backend.indexAdd(b1, 0, i1, s1), want1, `indexAdd, run ${r}`);
    });

    it('indexAdd: the embedding gradient (rows added into a [V, D] table) and other dims', () => {
      const cases: [number[], number, number, NdLayout, NdLayout, NdLayout][] = [
        [[100, 300], 0, 401, 'contiguous', 'contiguous', 'contiguous'],
        [[101, 257], 0, 211, 'stepped', 'reversed', 'columnMajor'],
        [[9, 7, 601], 1, 9, 'contiguous', 'broadcast', 'stepped'],
        [[400, 97], 1, 101, 'columnMajor', 'contiguous', 'contiguous'],
      ];
      for (const [bShape, dim, n, lb, li, ls] of cases) {
        for (const dtype of DTYPES) {
          const base = ndView(dtype, bShape, lb, 8, true);
          const index = indexView([n], bShape[dim], li, 9);
          const src = ndView(dtype, bShape.map((s, d) => (d === dim ? n : s)), ls, 10, true);
          const what = `indexAdd ${dtype} [${bShape}] dim ${dim} n ${n} ${lb}/${li}/${ls}`;
          expectSame(backend.indexAdd(base, dim, index, src), jsBackend.indexAdd(base, dim, index, src), what);
        }
      }
    }, SLOW_TEST_TIMEOUT);
  });

  describe('sums in the element type, as js stores them', () => {
    it('adds float32 in the js order (the order changes the rounding)', () => {
      // into one destination: 2^24 + 1 + 1 - 2^24 is 0 in float32 left to right, 2 in another order
      const base = new Tensor(new Float32Array([0, 0]), [2]);
      const src = new Tensor(new Float32Array([2 ** 24, 1, 1, -(2 ** 24)]), [4]);
      const index = new Tensor(new Int32Array([1, 1, 1, 1]), [4]);
      const want = jsBackend.scatterAdd(base, 0, index, src);
      expect(Array.from(want)).toEqual([0, 0]);
      expectSame(nScatterAdd(base, 0, index, src), want, 'scatterAdd order');
      expectSame(nIndexAdd(base, 0, index, src), jsBackend.indexAdd(base, 0, index, src), 'indexAdd order');
    });

    it('wraps int32 sums and counts bool ones modulo 256, as js does', () => {
      const ib = new Tensor(new Int32Array([2 ** 31 - 1, -(2 ** 31)]), [2]);
      const is = new Tensor(new Int32Array([1, -1, 5]), [3]);
      const index = new Tensor(new Int32Array([0, 1, 0]), [3]);
      expect(Array.from(nScatterAdd(ib, 0, index, is))).toEqual([-(2 ** 31) + 5, 2 ** 31 - 1]);
      expectSame(nScatterAdd(ib, 0, index, is), jsBackend.scatterAdd(ib, 0, index, is), 'int32 wrap');
      expectSame(nIndexAdd(ib, 0, index, is), jsBackend.indexAdd(ib, 0, index, is), 'int32 wrap');
      // a true hit by three trues holds 4 (a Uint8Array sum), and 256 of them wrap to 0
      const bb = new Tensor(new Uint8Array([1, 0]), [2]);
      const bs = new Tensor(new Uint8Array(259).fill(1), [259]);
      const bi = new Tensor(new Int32Array(259).fill(0).fill(1, 3), [259]);
      expect(Array.from(jsBackend.scatterAdd(bb, 0, bi, bs))).toEqual([4, 0]);
      expectSame(nScatterAdd(bb, 0, bi, bs), jsBackend.scatterAdd(bb, 0, bi, bs), 'bool counts');
      expectSame(nIndexAdd(bb, 0, bi, bs), jsBackend.indexAdd(bb, 0, bi, bs), 'bool counts');
    });
  });

  describe('through the Tensor layer', () => {
    it('takes negative indices (wrapped before the kernel) and equals js', () => {
      const x = ndView('float32', [500, 40], 'contiguous', 11);
      const idx = new Tensor(Int32Array.from({ length: 300 }, (_, i) => (i % 2 ? -1 - (i % 500) : i % 500)), [300]);
      const both = <T>(f: () => T): [T, T] => [withBackend('native', f), withBackend('js', f)];
      const [a, b] = both(() => x.indexSelect(0, idx).toTypedArray());
      expectSame(a, b, 'indexSelect with negative indices');
      const g = new Tensor(Int32Array.from({ length: 500 * 3 }, (_, i) => -1 - (i % 40)), [500, 3]);
      const [c, d] = both(() => x.gather(1, g).toTypedArray());
      expectSame(c, d, 'gather with negative indices');
      const [e, f] = both(() => x.scatterAdd(1, g, ndView('float32', [500, 3], 'contiguous', 12)).toTypedArray());
      expectSame(e, f, 'scatterAdd with negative indices');
      const [h, k] = both(() => x.indexAdd(0, idx, ndView('float32', [300, 40], 'contiguous', 13)).toTypedArray());
      expectSame(h, k, 'indexAdd with negative indices');
    });
  });

  describe('what goes to js', () => {
    it('tiny calls, a non-int32 index, src of another dtype, a 0-d indexSelect, more than 16 dims', () => {
      expect(SMALL_INDEXING).toBeGreaterThan(1);
      const x = ndView('float64', [20, 10], 'contiguous', 1);
      const fIndex = new Tensor(new Float32Array(200).fill(3), [20, 10]);
      expectSame(backend.gather(x, 1, fIndex), jsBackend.gather(x, 1, fIndex), 'float index');
      const src32 = ndView('float32', [20, 10], 'contiguous', 2);
      const index = indexView([20, 10], 10, 'contiguous', 3);
      expectSame(backend.scatterAdd(x, 1, index, src32), jsBackend.scatterAdd(x, 1, index, src32), 'src of another dtype');
      expectSame(backend.indexAdd(x, 0, indexView([20], 20, 'contiguous', 4), src32), jsBackend.indexAdd(x, 0, indexView([20], 20, 'contiguous', 4), src32), 'src of another dtype');
      const scalar = new Tensor(new Float32Array([7]), []);
      expectSame(backend.indexSelect(scalar, 0, new Tensor(new Int32Array(100), [100])), jsBackend.indexSelect(scalar, 0, new Tensor(new Int32Array(100), [100])), '0-d');
      const deep = new Tensor(new Float32Array(128).fill(1), [...new Array(16).fill(1), 2, 64]);
      const deepIdx = new Tensor(new Int32Array(128).fill(1), [...new Array(16).fill(1), 2, 64]);
      expectSame(backend.gather(deep, 16, deepIdx), jsBackend.gather(deep, 16, deepIdx), '18 dims');
    });
  });

  describe('bad arguments throw JS errors instead of reading or writing out of bounds', () => {
    const x = new Tensor(new Float32Array(20).fill(1), [4, 5]);
    const name = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return 'no error';
    };

    it('an index out of range, naming the kernel, the dim and the value (serial and threaded)', () => {
      const bad = (v: number, shape: number[]) => {
        const t = new Tensor(new Int32Array(prod(shape)).fill(1), shape);
        (t.storage as Int32Array)[t.storage.length - 1] = v;
        return t;
      };
      expect(name(() => nGather(x, 1, bad(5, [4, 2])))).toBe('RangeError: gather: index 5 is out of range for dim 1 of size 5');
      expect(name(() => nGather(x, 0, bad(-1, [3, 5])))).toBe('RangeError: gather: index -1 is out of range for dim 0 of size 4');
      expect(name(() => nIndexSelect(x, 1, bad(-7, [3])))).toBe('RangeError: indexSelect: index -7 is out of range for dim 1 of size 5');
      expect(name(() => nIndexSelect(x, 0, bad(4, [9])))).toBe('RangeError: indexSelect: index 4 is out of range for dim 0 of size 4');
      expect(name(() => nScatterAdd(x, 1, bad(2 ** 31 - 1, [4, 2]), x))).toBe(
        `RangeError: scatterAdd: index ${2 ** 31 - 1} is out of range for dim 1 of size 5`,
      );
      expect(name(() => nIndexAdd(x, 0, bad(-(2 ** 31), [4]), x))).toBe(
        `RangeError: indexAdd: index ${-(2 ** 31)} is out of range for dim 0 of size 4`,
      );
      const big = new Tensor(new Float32Array(60000 * 8), [60000, 8]);
      expect(name(() => nGather(big, 1, bad(8, [60000, 3])))).toMatch(/^RangeError: gather: index 8 is out of range for dim 1/);
      expect(name(() => nIndexSelect(big, 0, bad(60000, [9000])))).toMatch(/^RangeError: indexSelect: index 60000 is out/);
      expect(name(() => nScatterAdd(big, 0, bad(-2, [60000, 8]), big))).toMatch(/^RangeError: scatterAdd: index -2 is out/);
      expect(name(() => nIndexAdd(big, 1, bad(9, [8]), big))).toMatch(/^RangeError: indexAdd: index 9 is out/);
      // and through the backend (large enough to be native)
      expect(name(() => backend.gather(big, 1, bad(8, [60000, 3])))).toMatch(/^RangeError: gather: index 8/);
    });

    it('shapes that do not fit, wrong types, bad dims, outputs that are too short or overlap', () => {
      const g = geometry(x);
      const i2 = new Tensor(new Int32Array(8), [4, 2]);
      const out8 = new Float32Array(8);
      // gather
      expect(name(() => native.gather(x.storage, g, 2, i2.storage as Int32Array, geometry(i2), out8))).toMatch(/^RangeError: gather: dim 2 is out of range/);
      expect(name(() => native.gather(x.storage, g, 1, i2.storage as Int32Array, geometry(i2), new Float32Array(7)))).toMatch(/out must have 8 elements/);
      expect(name(() => native.gather(x.storage, g, 1, i2.storage as Int32Array, geometry(i2), new Float64Array(8)))).toMatch(/^TypeError: gather: out must have the type/);
      expect(name(() => native.gather(x.storage, g, 1, new Float32Array(8) as unknown as Int32Array, geometry(i2), out8))).toMatch(/^TypeError: gather: argument 3 must be a Int32Array/);
      expect(name(() => native.gather(x.storage, g, 1, i2.storage as Int32Array, geometry(new Tensor(new Int32Array(8), [8])), out8))).toMatch(/must have as many dims/);
      const wide = new Tensor(new Int32Array(12), [2, 6]);
      expect(name(() => native.gather(x.storage, g, 0, wide.storage as Int32Array, geometry(wide), new Float32Array(12)))).toMatch(/larger than x \[4, 5\] at dim 1/);
      expect(name(() => native.gather(x.storage, g, 1, i2.storage as Int32Array, geometry(i2), x.storage as Float32Array))).toMatch(/must have 8 elements/);
      expect(name(() => native.gather(x.storage, g, 1, i2.storage as Int32Array, geometry(i2), (x.storage as Float32Array).subarray(0, 8)))).toMatch(/must not share memory/);
      expect(name(() => native.gather(x.storage, new Float64Array([0, 2, 5, 5, 5, 1]), 1, i2.storage as Int32Array, geometry(i2), out8))).toMatch(/reaches element 24 of an array of 20/);
      expect(name(() => native.gather(x.storage, g, 1, i2.storage as Int32Array, g, out8))).toMatch(/reaches element 19 of an array of 8/);
      // indexSelect
      const i1 = new Tensor(new Int32Array(3), [3]);
      expect(name(() => native.indexSelect(x.storage, g, 0, i2.storage as Int32Array, geometry(i2), new Float32Array(40)))).toMatch(/index must be 1-D/);
      expect(name(() => native.indexSelect(x.storage, g, 0, i1.storage as Int32Array, geometry(i1), new Float32Array(16)))).toMatch(/out must have 15 elements/);
      expect(name(() => native.indexSelect(x.storage, geometry(new Tensor(new Float32Array(1), [])), 0, i1.storage as Int32Array, geometry(i1), new Float32Array(3)))).toMatch(/at least 1 dim/);
      // scatterAdd
      const s = (base: Tensor, dim: number, idx: Tensor, src: Tensor, out: Storage) =>
        name(() => native.scatterAdd(base.storage, geometry(base), dim, idx.storage as Int32Array, geometry(idx), src.storage, geometry(src), out));
      const out20 = new Float32Array(20);
      expect(s(x, 1, i2, new Tensor(new Float32Array(4), [4, 1]), out20)).toMatch(/larger than base \[4, 5\] or src \[4, 1\] at dim 1/);
      expect(s(x, 1, i2, new Tensor(new Float64Array(8), [4, 2]), out20)).toMatch(/^TypeError: scatterAdd: src must have the type of base/);
      expect(s(x, 1, i1, x, out20)).toMatch(/same number of dims/);
      expect(s(x, 1, i2, x, x.storage)).toMatch(/must not share memory/);
      expect(s(x, 1, i2, x, new Int32Array(20))).toMatch(/out must have the type/);
      // broadcast views may claim absurd sizes: refused, not walked
      const huge = new Tensor(new Int32Array(1), [2 ** 51, 5], [0, 0]);
      expect(s(x, 0, huge, new Tensor(new Float32Array(1), [2 ** 51, 5], [0, 0]), out20)).toMatch(/^RangeError: scatterAdd: too many index positions/);
      expect(name(() => native.gather(x.storage, g, 0, huge.storage as Int32Array, geometry(huge), out20))).toMatch(/out must have 11258999068426240 elements, got 20/);
      // indexAdd
      const a = (base: Tensor, dim: number, idx: Tensor, src: Tensor, out: Storage) =>
        name(() => native.indexAdd(base.storage, geometry(base), dim, idx.storage as Int32Array, geometry(idx), src.storage, geometry(src), out));
      expect(a(x, 0, i1, x, out20)).toMatch(/src \[4, 5\] does not fit base \[4, 5\] and index \[3\] at dim 0/);
      expect(a(x, 0, i2, x, out20)).toMatch(/index must be 1-D/);
      expect(a(x, 2, i1, x, out20)).toMatch(/dim 2 is out of range/);
      expect(a(x, 0, i1, new Tensor(new Float32Array(15), [3, 5]), new Float32Array(15))).toMatch(/out must have 20 elements/);
      // too few arguments
      expect(name(() => (native.gather as unknown as (...a: unknown[]) => void)(x.storage, g))).toMatch(/^TypeError: gather: expected 6 arguments/);
    });
  });
});
