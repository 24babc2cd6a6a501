/**
 * The native elementwise kernels (binary, unary, cast, assign, where), cross-checked against the
 * js reference backend with random inputs (fast-check): every op and dtype, shapes with 0, 1, odd
 * sizes and primes in up to 4 dims, operands contiguous, at offsets, transposed, stepped,
 * broadcast (scalar, row, column), flipped (negative strides) or padded; NaN, infinities, signed
 * zeros and int32 extremes mixed in. Results must be identical (Object.is) except for the
 * functions computed by a different libm:
 *   float32 exp/log/sin/cos/tanh/sigmoid/pow: at most 1 ulp (measured: 0 of 2^20 random values);
 *   float64 exp/log/sin/cos/pow: at most 1 ulp (glibc vs V8's fdlibm-style libm);
 *   float64 tanh/sigmoid: at most 4 ulp (measured at most 3: V8's tanh is less accurate).
 * Also: the tiny-array JS loops agree with C++, large arrays split over threads (chunks starting
 * inside rows), assign through overlapping views, the op layer end to end, what stays with js,
 * and that bad arguments to the C++ functions throw JS errors.
 */
import fc from 'fast-check';
import { Tensor, asStrided, cat, where as whereOp, withBackend, type Backend, type BinaryOp, type UnaryOp } from '../../index';
import type { DType, Storage } from '../../dtype';
import { jsBackend } from '../js';
import {
  ALL_DTYPES,
  EW_LAYOUTS,
  allocDtype,
  type EwLayout,
  expectSameValues,
  operand,
  ulpDistance,
  valuesOf,
} from '../../testing/elementwise-helpers';
import {
  NATIVE_BINARY_OPS,
  NATIVE_UNARY_OPS,
  SMALL_ELEMENTWISE,
  loadNativeAddon,
  loadNativeBackend,
  nativeUnavailableReason,
  type NativeAddon,
} from './index';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

const addon = loadNativeAddon();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native elementwise tests skipped: ${nativeUnavailableReason()}`);

const PREDICATES = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);
const FLOAT_RESULT = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid']);
const LIBM = new Set<string>(['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'pow']);

/** The documented bound (in ulp of the output dtype) for op's results against js. */
function ulpBound(op: string, outDtype: DType): number {
  if (!LIBM.has(op) || (outDtype !== 'float32' && outDtype !== 'float64')) return 0;
  if (outDtype === 'float32') return 1;
  return op === 'tanh' || op === 'sigmoid' ? 4 : 1;
}

// Shapes of 0 to 4 dims with sizes 0, 1, small odd ones, primes and up to 70, at most ~6000 elements.
const dimArb = fc.oneof(fc.constantFrom(0, 1, 2, 3, 5, 7, 13, 17, 31, 64, 65, 67), fc.integer({ min: 1, max: 70 }));
const shapeArb = fc.array(dimArb, { minLength: 0, maxLength: 4 }).map((s) => {
  const shape = [...s];
  const total = () => shape.reduce((a, b) => a * b, 1);
  while (total() > 6000) {
    const i = shape.indexOf(Math.max(...shape));
    shape[i] = Math.max(1, Math.floor(shape[i] / 3));
  }
  return shape;
});
const dtypeArb = fc.constantFrom<DType>(...ALL_DTYPES);
const layoutArb = fc.constantFrom(...EW_LAYOUTS);
const NUM_RUNS = 250;

describeNative('native elementwise kernels', () => {
  const native = addon as NativeAddon;
  let backend: Backend;
  beforeAll(() => {
    backend = loadNativeBackend();
  });

  describe('binary', () => {
    it('equals js for every op, dtype and layout (out: the operand dtype or bool)', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...NATIVE_BINARY_OPS), dtypeArb, shapeArb, layoutArb, layoutArb, fc.boolean(), fc.boolean(), fc.nat(),
          (op, dtype, shape, la, lb, otherOut, special, seed) => {
            // the op layer's output dtype, or (otherOut) the other one the kernel also supports
            const pred = PREDICATES.has(op);
            const outDtype: DType = pred !== otherOut ? 'bool' : dtype;
            const a = operand(dtype, shape, la, seed, special);
            const b = operand(dtype, shape, lb, seed + 1, special);
            for (const [x, y] of [[a, b], [b, a]]) {
              expectSameValues(
                backend.binary(op, x, y, outDtype),
                jsBackend.binary(op, x, y, outDtype),
                `${op} ${dtype} -> ${outDtype} [${shape}] ${la}/${lb}`,
                ulpBound(op, outDtype),
              );
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('int32 pow, mul, div and add wrap exactly as js (extremes, negative exponents)', () => {
      const base = new Tensor(new Int32Array([0, 1, -1, 2, -2, 3, 7, -7, 46341, 2147483647, -2147483648, 65536, 5, -3, 10, 0]), [16]);
      const exps = new Tensor(new Int32Array([0, -1, -3, 31, 30, -2, 13, 11, 2, 2, 3, 2, 0, 21, 10, -5]), [16]);
      for (const op of ['pow', 'mul', 'div', 'add', 'sub', 'maximum'] as const) {
        for (const [x, y] of [[base, exps], [exps, base], [base, base]]) {
          // as [16] (JS loop), and repeated to 1600 elements (C++)
          const bx = x.reshape(1, 16).expand(100, 16);
          const by = y.reshape(1, 16).expand(100, 16);
          expectSameValues(backend.binary(op, x, y, 'int32'), jsBackend.binary(op, x, y, 'int32'), `${op} int32 small`);
          expectSameValues(backend.binary(op, bx, by, 'int32'), jsBackend.binary(op, bx, by, 'int32'), `${op} int32`);
        }
      }
    });

    it('pow by a scalar 2, 1 or 0.5 (exact shortcuts) equals js exactly, special values included', () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = operand(dtype, [300], 'contiguous', 9, true);
        const xs = operand(dtype, [20, 15], 'transposed', 10, true);
        for (const e of [2, 1, 0.5, -0, 3, -1, -0.5]) {
          for (const base of [x, xs]) {
            const ex = new Tensor(dtype === 'float32' ? new Float32Array([e]) : new Float64Array([e]), []).expand(...base.shape);
            const exact = e === 2 || e === 1 || e === 0.5 || e === 0;
            expectSameValues(backend.binary('pow', base, ex, dtype), jsBackend.binary('pow', base, ex, dtype), `${dtype} x ** ${e}`, exact ? 0 : 1);
          }
        }
      }
    });

    it('bool arithmetic stores value != 0, and bool storages holding 2 or 255 read like js', () => {
      const odd = new Tensor(new Uint8Array([0, 1, 2, 255, 0, 2, 1, 255]), [8]).reshape(1, 8).expand(20, 8);
      const bits = new Tensor(new Uint8Array([1, 0, 1, 0, 0, 0, 2, 1]), [8]).reshape(1, 8).expand(20, 8);
      for (const op of NATIVE_BINARY_OPS) {
        expectSameValues(backend.binary(op, odd, bits, 'bool'), jsBackend.binary(op, odd, bits, 'bool'), `${op} bool`);
      }
      for (const op of NATIVE_UNARY_OPS) {
        for (const out of ALL_DTYPES) {
          expectSameValues(backend.unary(op, odd, out), jsBackend.unary(op, odd, out), `${op} bool -> ${out}`, ulpBound(op, out));
        }
      }
      for (const out of ALL_DTYPES) expectSameValues(backend.cast(odd, out), jsBackend.cast(odd, out), `cast bool -> ${out}`);
    });
  });

  describe('unary', () => {
    it('equals js for every op, input and output dtype and layout', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...NATIVE_UNARY_OPS), dtypeArb, fc.option(dtypeArb), shapeArb, layoutArb, fc.boolean(), fc.nat(),
          (op, dtype, anyOut, shape, layout, special, seed) => {
            // the op layer's output dtype, or any other
            const opLayer: DType = op === 'logicalNot' ? 'bool' : FLOAT_RESULT.has(op) && (dtype === 'int32' || dtype === 'bool') ? 'float32' : dtype;
            const outDtype = anyOut ?? opLayer;
            const x = operand(dtype, shape, layout, seed, special);
            expectSameValues(backend.unary(op, x, outDtype), jsBackend.unary(op, x, outDtype), `${op} ${dtype} -> ${outDtype} [${shape}] ${layout}`, ulpBound(op, outDtype));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('float32 exp, log, tanh and sigmoid (vector code) are within 1 ulp of js, and rarely off at all', () => {
      // a dense sweep with the edges: overflow (88.72), underflow to subnormals and 0 (-87.3, -103.9),
      // tanh's switch to its series at 1/8, log of subnormals, of values near 1 and of negatives
      const n = 200003;
      const xs = new Float32Array(n);
      const r = (i: number) => Math.sin(i * 12.9898) * 0.5 + 0.5; // deterministic in [0, 1]
      for (let i = 0; i < n; i++) {
        const k = i % 8;
        xs[i] =
          k === 0 ? -110 + 220 * r(i)
          : k === 1 ? (r(i) - 0.5) * 0.5 // around 0, both sides of 1/8
          : k === 2 ? 1 + (r(i) - 0.5) * 1e-3 // near 1 (log)
          : k === 3 ? 88 + r(i) // exp overflow
          : k === 4 ? -104 + 17 * r(i) // exp subnormal results
          : k === 5 ? r(i) * 1e-38 // subnormal inputs
          : k === 6 ? (r(i) - 0.5) * 40
          : Math.exp((r(i) - 0.5) * 170);
      }
      const special = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.125, -0.125, 88.72283935546875, 88.72284, -103.97, 1e-45, -1e-45, 3.4028234663852886e38];
      const all = new Float32Array([...special, ...xs]);
      const x = new Tensor(all, [all.length]);
      const levels = [true, false].filter((on) => native.setElementwiseSimd(on) === on);
      try {
        for (const on of levels) {
          native.setElementwiseSimd(on);
          for (const op of ['exp', 'log', 'tanh', 'sigmoid'] as const) {
            const got = backend.unary(op, x, 'float32');
            const want = jsBackend.unary(op, x, 'float32');
            let off = 0;
            for (let i = 0; i < all.length; i++) {
              const d = ulpDistance(got[i], want[i], 'float32');
              if (d > 1 || (i < special.length && d !== 0)) {
                throw new Error(`${op}(${all[i]}) ${on ? 'vector' : 'libm'}: ${got[i]}, js ${want[i]}`);
              }
              off += d;
            }
            expect(off).toBeLessThan(all.length * 1e-4);
          }
        }
      } finally {
        native.setElementwiseSimd(true);
      }
    });
  });

  describe('cast', () => {
    it('equals js for every pair of dtypes and layout (float -> int truncates and wraps, NaN -> 0; -> bool is != 0)', () => {
      fc.assert(
        fc.property(dtypeArb, dtypeArb, shapeArb, layoutArb, fc.boolean(), fc.nat(), (from, to, shape, layout, special, seed) => {
          const x = operand(from, shape, layout, seed, special);
          expectSameValues(backend.cast(x, to), jsBackend.cast(x, to), `cast ${from} -> ${to} [${shape}] ${layout}`);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('converts the documented edge values as js does', () => {
      const v = [NaN, Infinity, -Infinity, 3.7, -3.7, -0, 0.5, 2147483647.5, 2147483648, -2147483649, 4294967296 + 5, 1e20, -1e20, 16777217, 1e-45];
      for (const from of ['float32', 'float64'] as const) {
        const s = from === 'float32' ? new Float32Array(v) : new Float64Array(v);
        // padded to 100 elements so it goes to C++, and as it is (the JS loop)
        const big = new Float64Array(100);
        big.set(v);
        const sb = from === 'float32' ? new Float32Array(big) : big;
        for (const x of [new Tensor(s, [v.length]), new Tensor(sb, [100])]) {
          for (const to of ALL_DTYPES) expectSameValues(backend.cast(x, to), jsBackend.cast(x, to), `cast ${from} -> ${to}`);
        }
      }
      const f = new Tensor(new Float64Array([3.7, -3.7, NaN, -0, 2 ** 31, 0.1]), [6]).expand(20, 6);
      expect(Array.from(backend.cast(f, 'int32')).slice(0, 6)).toEqual([3, -3, 0, 0, -(2 ** 31), 0]);
      expect(Array.from(backend.cast(f, 'bool')).slice(0, 6)).toEqual([1, 1, 1, 0, 1, 1]);
    });
  });

  describe('assign', () => {
    /** dst as a fresh tensor from `seed` (the same values each call), so two copies can be compared. */
    const dstLayouts = ['contiguous', 'transposed', 'stepped', 'flipped', 'padded'] as const;

    it('equals js for every pair of dtypes, strided destinations and broadcast sources', () => {
      fc.assert(
        fc.property(
          dtypeArb, dtypeArb, shapeArb, fc.constantFrom(...dstLayouts), layoutArb, fc.boolean(), fc.nat(),
          (dt, st, shape, ld, ls, special, seed) => {
            const src = operand(st, shape, ls, seed + 1, special);
            const d1 = operand(dt, shape, ld, seed, special);
            const d2 = operand(dt, shape, ld, seed, special);
            backend.assign(d1, src);
            jsBackend.assign(d2, src);
            // the whole storage: written elements and the untouched ones around them
            expectSameValues(d1.storage, d2.storage, `assign ${st} -> ${dt} [${shape}] ${ls} -> ${ld}`);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('reads all of src before writing when the two views overlap (shifted, reversed, transposed)', () => {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        for (const n of [5, 40, 300]) {
          const make = () => new Tensor(valuesOf(dtype, n * n + 7, n, false), [n * n + 7]);
          const cases: [string, (s: Tensor) => [Tensor, Tensor]][] = [
            ['x[1:] = x[:-1]', (s) => [s.narrow(0, 1, n * n), s.narrow(0, 0, n * n)]],
            ['x[:-1] = x[1:]', (s) => [s.narrow(0, 0, n * n), s.narrow(0, 1, n * n)]],
            ['x = flip(x)', (s) => [s.narrow(0, 0, n * n), asStrided(s, [n * n], [-1], n * n - 1)]],
            ['m = m.T', (s) => [asStrided(s, [n, n], [n, 1], 2), asStrided(s, [n, n], [1, n], 2)]],
            ['x = x', (s) => [s, s]],
          ];
          for (const [what, views] of cases) {
            const s1 = make();
            const s2 = make();
            const [d1, src1] = views(s1);
            const [d2, src2] = views(s2);
            backend.assign(d1, src1);
            jsBackend.assign(d2, src2);
            expectSameValues(s1.storage, s2.storage, `${what} ${dtype} n=${n}`);
          }
        }
      }
    });

    it('writes in row-major order when dst maps several elements to one place (last write wins)', () => {
      for (const n of [6, 200]) {
        const src = operand('float32', [n, 7], 'contiguous', 3, false);
        for (const [shape, strides] of [[[n, 7], [0, 1]], [[n, 7], [1, 1]], [[n, 7], [2, 0]]] as const) {
          const s1 = new Float32Array(3 * n + 14);
          const s2 = new Float32Array(3 * n + 14);
          backend.assign(new Tensor(s1, [...shape], [...strides], 1), src);
          jsBackend.assign(new Tensor(s2, [...shape], [...strides], 1), src);
          expectSameValues(s1, s2, `assign to strides [${strides}] n=${n}`);
        }
      }
    });
  });

  describe('where', () => {
    it('equals js for any condition dtype (NaN is true, -0 false), value dtype and layout', () => {
      fc.assert(
        fc.property(
          dtypeArb, dtypeArb, shapeArb, layoutArb, layoutArb, layoutArb, fc.boolean(), fc.nat(),
          (ct, dtype, shape, lc, la, lb, special, seed) => {
            const c = operand(ct, shape, lc, seed, true);
            const a = operand(dtype, shape, la, seed + 1, special);
            const b = operand(dtype, shape, lb, seed + 2, special);
            expectSameValues(backend.where(c, a, b, dtype), jsBackend.where(c, a, b, dtype), `where ${ct} ${dtype} [${shape}] ${lc}/${la}/${lb}`);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('sizes and threads', () => {
    it('agrees with the JS loop at the small-array cutoff and with the C++ functions called directly', () => {
      for (const n of [1, SMALL_ELEMENTWISE, SMALL_ELEMENTWISE + 1, 1000]) {
        for (const dtype of ALL_DTYPES) {
          const a = new Tensor(valuesOf(dtype, n, n, true), [n]);
          const b = new Tensor(valuesOf(dtype, n, n + 1, true), [n]);
          for (const op of NATIVE_BINARY_OPS) {
            const out = PREDICATES.has(op) ? 'bool' : dtype;
            const want = jsBackend.binary(op, a, b, out);
            expectSameValues(backend.binary(op, a, b, out), want, `${op} ${dtype} n=${n}`, ulpBound(op, out));
            const direct = allocDtype(out, n);
            native.binary(NATIVE_BINARY_OPS.indexOf(op), a.storage, 0, n, b.storage, 0, n, direct);
            expectSameValues(direct, want, `addon.binary ${op} ${dtype} n=${n}`, ulpBound(op, out));
          }
          for (const op of NATIVE_UNARY_OPS) {
            const out: DType = op === 'logicalNot' ? 'bool' : dtype;
            const want = jsBackend.unary(op, a, out);
            expectSameValues(backend.unary(op, a, out), want, `${op} ${dtype} n=${n}`, ulpBound(op, out));
            const direct = allocDtype(out, n);
            native.unary(NATIVE_UNARY_OPS.indexOf(op), a.storage, 0, direct);
            expectSameValues(direct, want, `addon.unary ${op} ${dtype} n=${n}`, ulpBound(op, out));
          }
        }
      }
    });

    it('gives the same results split over threads (chunks starting inside rows) as on one thread and as js', () => {
      // 2^19+ elements for the cheap ops, 2^15+ for the costly ones; row lengths that do not divide
      // the chunk sizes. Each case runs on 3 threads and on 1, which must agree exactly; the first
      // layouts are also checked against js.
      const threads = native.info().threads;
      const run = (n: number, f: () => unknown) => {
        native.setNumThreads(n);
        try {
          return f();
        } finally {
          native.setNumThreads(threads);
        }
      };
      const cases3: [number[], EwLayout, EwLayout][] = [
        [[613, 1031], 'transposed', 'row'],
        [[613, 1031], 'contiguous', 'contiguous'], // one long row
        [[3, 5, 41, 1009], 'stepped', 'column'],
        [[3, 5, 41, 1009], 'flipped', 'scalar'],
      ];
      for (const [shape, la, lb] of cases3) {
        const a = operand('float32', shape, la, 11, true);
        const b = operand('float32', shape, lb, 12, true);
        const c = operand('bool', shape, lb, 13, false);
        const i = operand('int32', shape, la, 5, true);
        const j = operand('int32', shape, lb, 6, true);
        const what = `[${shape}] ${la}/${lb}`;
        const cases: [string, (be: Backend) => Storage][] = [
          ['mul', (be) => be.binary('mul', a, b, 'float32')],
          ['ge', (be) => be.binary('ge', a, b, 'bool')],
          ['int32 mul', (be) => be.binary('mul', i, j, 'int32')],
          ['sigmoid', (be) => be.unary('sigmoid', a, 'float32')],
          ['cast', (be) => be.cast(a, 'int32')],
          ['where', (be) => be.where(c, a, b, 'float32')],
          ['assign', (be) => {
            const d = operand('float64', shape, la, 14, false);
            be.assign(d, b);
            return d.storage;
          }],
        ];
        for (const [name, f] of cases) {
          const many = run(3, () => f(backend)) as Storage;
          expectSameValues(many, run(1, () => f(backend)) as Storage, `${name} ${what}, 3 threads vs 1`);
          if (la === 'transposed') expectSameValues(many, f(jsBackend), `${name} ${what}`, name === 'sigmoid' ? 1 : 0);
        }
      }
    }, SLOW_TEST_TIMEOUT);

    it('handles 0-d tensors and empty shapes', () => {
      for (const dtype of ALL_DTYPES) {
        const s = new Tensor(valuesOf(dtype, 3, 1, false), [], [], 2);
        expectSameValues(backend.binary('add', s, s, dtype), jsBackend.binary('add', s, s, dtype), '0-d add');
        expectSameValues(backend.unary('sign', s, dtype), jsBackend.unary('sign', s, dtype), '0-d sign');
        expectSameValues(backend.cast(s, 'float64'), jsBackend.cast(s, 'float64'), '0-d cast');
        expect(backend.binary('lt', operand(dtype, [3, 0, 2], 'transposed', 1, false), operand(dtype, [3, 0, 2], 'row', 2, false), 'bool').length).toBe(0);
        expect(backend.unary('exp', operand(dtype, [0], 'contiguous', 1, false), 'float32').length).toBe(0);
      }
    });
  });

  describe('through the op layer', () => {
    it('gives the same tensors on native and js: promotion, broadcasting, where, cat, copy_, to()', () => {
      const exprs: [string, () => Tensor][] = [
        ['int + float scalar', () => new Tensor(new Int32Array([1, -2, 3, 4, 5, 6]), [2, 3]).add(1.5)],
        ['int.T * int row', () => new Tensor(new Int32Array(valuesOf('int32', 300, 1, true)), [20, 15]).T.mul(new Tensor(new Int32Array(valuesOf('int32', 20, 2, true)), [20]))],
        ['int / int', () => new Tensor(new Int32Array([7, -7, 1, 0, 5]), [5]).div(new Tensor(new Int32Array([2, 2, 0, 0, -3]), [5]))],
        ['float.T lt column', () => operand('float32', [30, 40], 'transposed', 3, true).lt(operand('float32', [30, 1], 'contiguous', 4, true))],
        ['pow', () => operand('float64', [9, 80], 'stepped', 5, false).abs().pow(2.5)],
        ['bool logicalXor', () => operand('bool', [70, 3], 'contiguous', 6, false).logicalXor(operand('bool', [3], 'contiguous', 7, false))],
        ['where scalars', () => whereOp(operand('float32', [50, 3], 'transposed', 8, true).gt(0), operand('float32', [50, 3], 'contiguous', 9, false), 0)],
        ['cat mixed', () => cat([operand('int32', [40, 3], 'transposed', 1, true), operand('float32', [40, 5], 'stepped', 2, true)], 1)],
        ['to int', () => operand('float64', [33, 7], 'flipped', 3, true).to('int32')],
        ['bool()', () => operand('float32', [300], 'stepped', 4, true).bool()],
        ['sigmoid of int', () => new Tensor(new Int32Array(valuesOf('int32', 100, 5, true)), [100]).sigmoid()],
        ['copy_ shifted', () => {
          const x = operand('float32', [200], 'contiguous', 5, false).contiguous();
          x.narrow(0, 1, 199).copy_(x.narrow(0, 0, 199));
          return x;
        }],
      ];
      for (const [what, f] of exprs) {
        const got = withBackend('native', f);
        const want = withBackend('js', f);
        expect(got.shape).toEqual(want.shape);
        expect(got.dtype).toBe(want.dtype);
        expectSameValues(got.contiguous().storage, want.contiguous().storage, what, what === 'pow' ? 1 : 0);
      }
    });
  });

  describe('what stays with js', () => {
    it('gives js results for views of more than 16 dims, mixed dtypes and other output dtypes', () => {
      const shape17 = new Array<number>(17).fill(1);
      shape17[3] = 2;
      shape17[16] = 3;
      const x = operand('float32', shape17, 'transposed', 1, true);
      const y = operand('float32', shape17, 'contiguous', 2, true);
      expectSameValues(backend.binary('add', x, y, 'float32'), jsBackend.binary('add', x, y, 'float32'), '17-d add');
      expectSameValues(backend.unary('neg', x, 'float32'), jsBackend.unary('neg', x, 'float32'), '17-d neg');
      expectSameValues(backend.cast(x, 'int32'), jsBackend.cast(x, 'int32'), '17-d cast');
      const d1 = operand('float64', shape17, 'flipped', 3, false);
      const d2 = operand('float64', shape17, 'flipped', 3, false);
      backend.assign(d1, x);
      jsBackend.assign(d2, x);
      expectSameValues(d1.storage, d2.storage, '17-d assign');
      const i = operand('int32', [7, 70], 'contiguous', 4, true);
      const f = operand('float64', [7, 70], 'transposed', 5, true);
      expectSameValues(backend.binary('add', i, f, 'float64'), jsBackend.binary('add', i, f, 'float64'), 'mixed add');
      expectSameValues(backend.binary('mul', f, f, 'int32'), jsBackend.binary('mul', f, f, 'int32'), 'float mul -> int32');
      const c = operand('bool', [7, 70], 'contiguous', 6, false);
      expectSameValues(backend.where(c, i, f, 'float64'), jsBackend.where(c, i, f, 'float64'), 'mixed where');
    });
  });

  describe('argument checks', () => {
    it('rejects bad arguments with a JS error instead of reading or writing out of bounds', () => {
      const a = new Float32Array(6);
      const g = (offset: number, shape: number[], strides: number[]) => new Float64Array([offset, shape.length, ...shape, ...strides]);
      // (the errors come from the addon's realm, so match messages rather than classes)
      expect(() => native.binary(0, a, 0, 7, a, 0, 6, new Float32Array(6))).toThrow(/a reaches element 6/);
      expect(() => native.binary(0, a, 0, 6, new Float64Array(6), 0, 6, new Float32Array(6))).toThrow(/same type/);
      expect(() => native.binary(0, a, 0, 6, a, 0, 6, new Int32Array(6))).toThrow(/type of a, or be a Uint8Array/);
      expect(() => native.binary(16, a, 0, 6, a, 0, 6, new Float32Array(6))).toThrow(/unknown op/);
      expect(() => native.binary(0, a, 0, 0, a, 0, 6, new Float32Array(6))).toThrow(/periods/);
      expect(() => native.binary(0, a, 0, 6, a, 0, 6, a)).toThrow(/share memory/);
      expect(() => native.binary(0, a, -1, 6, a, 0, 6, new Float32Array(6))).toThrow(/non-negative integer/);
      expect(() => (native.binary as unknown as (...args: unknown[]) => void)(0, a, 0, 6, a, 0, 6)).toThrow(/expected 8 arguments/);
      expect(() => native.binary(0, [1] as unknown as Float32Array, 0, 1, a, 0, 6, new Float32Array(6))).toThrow(/Float32Array/);
      expect(() => native.unary(99, a, 0, new Float32Array(6))).toThrow(/unknown op/);
      expect(() => native.unary(0, a, 1, new Float32Array(6))).toThrow(/x reaches element 6/);
      expect(() => native.binaryStrided(0, a, g(0, [2, 3], [3, 1]), a, g(0, [3, 2], [2, 1]), new Float32Array(6))).toThrow(/shape/);
      expect(() => native.binaryStrided(0, a, g(0, [2, 3], [3, 1]), a, g(1, [2, 3], [3, 1]), new Float32Array(6))).toThrow(/reaches element 6/);
      expect(() => native.binaryStrided(0, a, g(0, [2, 3], [3, 1]), a, g(0, [2, 3], [0, 1]), new Float32Array(5))).toThrow(/6 elements/);
      expect(() => native.unaryStrided(0, a, g(2, [2, 3], [-3, 1]), new Float32Array(6))).toThrow(/reaches element -1/);
      expect(() => native.unaryStrided(0, a, new Float64Array([0, 2, 6]), new Float32Array(6))).toThrow(/malformed/);
      expect(() => native.unaryStrided(0, a, g(0, [2, 3], [3, 1.5]), new Float32Array(6))).toThrow(/non-integer/);
      expect(() => native.cast(a, g(0, [7], [1]), new Int32Array(7))).toThrow(/reaches element 6/);
      expect(() => native.cast(a, [0, 1, 6, 1] as unknown as Float64Array, new Int32Array(6))).toThrow(/Float64Array/);
      expect(() => native.assign(a, g(0, [6], [1]), new Int32Array(5), g(0, [5], [1]))).toThrow(/shape/);
      expect(() => native.assign(a, g(0, [4], [2]), new Int32Array(5), g(0, [4], [1]))).toThrow(/reaches element 6/);
      expect(() => native.where(new Uint8Array(6), g(0, [6], [1]), a, g(0, [6], [1]), new Float64Array(6), g(0, [6], [1]), new Float32Array(6))).toThrow(/same type/);
      expect(() => native.where(new Uint8Array(6), g(0, [6], [1]), a, g(0, [6], [1]), a, g(0, [3], [2]), new Float32Array(6))).toThrow(/shape/);
      expect(() => native.setElementwiseSimd('yes' as unknown as boolean)).toThrow(/boolean/);
    });
  });
});
