/**
 * The native image kernels (conv2d and its gradients, max/avg pooling and their gradients,
 * im2col/col2im) cross-checked against the js reference backend with random geometries
 * (fast-check): batch/channels/spatial sizes including 0, 1 and primes, stride, padding, dilation,
 * groups, ceil mode, countIncludePad, views with an offset, both float dtypes, every conv
 * algorithm (im2col + GEMM, direct loops, Winograd F(2x2, 3x3)), NaN/inf cases, the fallbacks to js and the argument
 * checks of the C++ functions. Skipped when the addon is not built.
 *
 * Tolerances: conv sums run in the element type in another order than js (which sums in
 * float64), so results agree to 8 * eps * K * max|a| * max|b| with K the length of each sum
 * (Cin_g kH kW + 1 forward, Cout_g kH kW for dx, N H_out W_out for dw). Pooling and im2col/col2im
 * are identical to js (sums in double, in js's order).
 */
import fc from 'fast-check';
import type { Backend, Conv2dParams, Pool2dParams, UnfoldParams, View } from '../../backend';
import type { Storage } from '../../dtype';
import { Tensor, conv2d, conv2dBackwardInput, conv2dBackwardWeight, conv2dParams, maxPool2dWithIndices, withBackend } from '../../index';
import { convOutputSize, poolOutputSize } from '../../geometry';
import { jsBackend } from '../js';
import { EPS, type FloatDType } from '../../testing/native-helpers';
import { denseView, expectCloseSpecial, expectSame, intView, rowMajor, viewMaxAbs } from '../../testing/image-helpers';
import { loadNativeAddon, loadNativeBackend, nativeUnavailableReason, NATIVE_KERNELS, type NativeAddon } from './index';
import { IMAGE_KERNELS as FAMILY_KERNELS } from './image';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 300_000;

const addon = loadNativeAddon();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native image tests skipped: ${nativeUnavailableReason()}`);

const dtypeArb = fc.constantFrom<FloatDType>('float32', 'float64');
/** 0 automatic, 1 im2col + GEMM, 2 direct loops, 3 Winograd where it applies (native/conv.h). */
const algoArb = fc.constantFrom(0, 1, 2, 3);
const ALGOS = ['auto', 'gemm', 'direct', 'winograd'];

interface ConvCase {
  n: number; groups: number; cinG: number; coutG: number; h: number; w: number;
  kh: number; kw: number; p: Conv2dParams; bias: boolean; dtype: FloatDType; algo: number; offset: number; seed: number;
}

const convCaseArb: fc.Arbitrary<ConvCase> = fc.record({
  n: fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.integer({ min: 0, max: 5 })),
  groups: fc.constantFrom(1, 1, 2, 3),
  cinG: fc.integer({ min: 0, max: 4 }),
  coutG: fc.integer({ min: 0, max: 4 }),
  h: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(11, 13, 17)),
  w: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(11, 13, 19)),
  kh: fc.constantFrom(0, 1, 2, 3, 3, 5),
  kw: fc.constantFrom(0, 1, 2, 3, 3, 4),
  p: fc.record({
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    groups: fc.constant(1),
  }),
  bias: fc.boolean(),
  dtype: dtypeArb,
  algo: algoArb,
  offset: fc.integer({ min: 0, max: 3 }),
  seed: fc.nat(),
}).chain((c) =>
  // a third of the cases use stride 1 and 'same' padding (output as wide as the input), which
  // takes the contiguous-span path of im2col/col2im
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom<[number, number]>([1, 1], [3, 1], [3, 2], [5, 1], [1, 2])).map(([pick, [k, d]]) =>
    pick > 0
      ? { ...c, p: { ...c.p, groups: c.groups } }
      : { ...c, kh: k, kw: k, p: { stride: [1, 1] as [number, number], padding: [(d * (k - 1)) / 2, (d * (k - 1)) / 2] as [number, number], dilation: [d, d] as [number, number], groups: c.groups } },
  ),
);

function outHW(c: { h: number; w: number; kh: number; kw: number; p: Conv2dParams }): [number, number] {
  return [
    convOutputSize(c.h, c.kh, c.p.stride[0], c.p.padding[0], c.p.dilation[0]),
    convOutputSize(c.w, c.kw, c.p.stride[1], c.p.padding[1], c.p.dilation[1]),
  ];
}

const describeCase = (c: ConvCase): string =>
  `x [${c.n}, ${c.cinG * c.groups}, ${c.h}, ${c.w}] w [${c.coutG * c.groups}, ${c.cinG}, ${c.kh}, ${c.kw}] ` +
  `s ${c.p.stride} p ${c.p.padding} d ${c.p.dilation} g ${c.groups} ${c.dtype} ${ALGOS[c.algo]} bias ${c.bias}`;

describeNative('native image kernels', () => {
  const native = addon as NativeAddon;
  let backend: Backend;
  beforeAll(() => {
    backend = loadNativeBackend();
  });
  afterEach(() => {
    native.setConvAlgorithm(0);
    jest.restoreAllMocks();
  });

  it('publishes every image kernel as native', () => {
    expect([...FAMILY_KERNELS].sort()).toEqual(
      ['avgPool2d', 'avgPool2dBackward', 'col2im', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'im2col', 'maxPool2d', 'maxPool2dBackward'],
    );
    for (const k of FAMILY_KERNELS) expect(NATIVE_KERNELS).toContain(k);
  });

  // ---- conv2d ----

  /** Runs the three conv kernels on both backends and compares them. */
  function checkConv(c: ConvCase, x: View, w: View, b: View | null, gy: View, cache?: Map<string, Storage[]>): void {
    const { dtype } = c;
    const eps = EPS[dtype];
    const what = describeCase(c);
    native.setConvAlgorithm(c.algo);
    const y = backend.conv2d(x, w, b, c.p);
    const gx = backend.conv2dBackwardInput(gy, w, x.shape, c.p);
    const gw = backend.conv2dBackwardWeight(gy, x, w.shape, c.p);
    native.setConvAlgorithm(0);
    for (const s of [y, gx, gw]) expect(s).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
    const [ho, wo] = [gy.shape[2], gy.shape[3]];
    const kk = c.kh * c.kw;
    const mx = viewMaxAbs(x), mw = viewMaxAbs(w), mg = viewMaxAbs(gy), mb = b ? viewMaxAbs(b) : 0;
    // the js results, computed once per geometry and dtype when a cache is given
    const key = describeCase({ ...c, algo: 0 });
    let want = cache?.get(key);
    if (!want) {
      want = [jsBackend.conv2d(x, w, b, c.p), jsBackend.conv2dBackwardInput(gy, w, x.shape, c.p), jsBackend.conv2dBackwardWeight(gy, x, w.shape, c.p)];
      cache?.set(key, want);
    }
    expectCloseSpecial(y, want[0], 8 * eps * (c.cinG * kk + 1) * (mx * mw + mb) + Number.MIN_VALUE, `conv2d ${what}`);
    expectCloseSpecial(gx, want[1], 8 * eps * (c.coutG * kk + 1) * mg * mw + Number.MIN_VALUE, `dx ${what}`);
    expectCloseSpecial(gw, want[2], 8 * eps * (c.n * ho * wo + 1) * mg * mx + Number.MIN_VALUE, `dw ${what}`);
  }

  function convViews(c: ConvCase): { x: View; w: View; b: View | null; gy: View } | null {
    const [ho, wo] = outHW(c);
    if (ho < 1 || wo < 1) return null;
    const cin = c.cinG * c.groups, cout = c.coutG * c.groups;
    return {
      x: denseView(c.dtype, [c.n, cin, c.h, c.w], c.seed, c.offset),
      w: denseView(c.dtype, [cout, c.cinG, c.kh, c.kw], c.seed + 1, (c.offset + 1) % 4),
      b: c.bias ? denseView(c.dtype, [cout], c.seed + 2, c.offset) : null,
      gy: denseView(c.dtype, [c.n, cout, ho, wo], c.seed + 3, (c.offset + 2) % 4),
    };
  }

  it('conv2d and both gradients match js on random geometries, dtypes and algorithms', () => {
    fc.assert(
      fc.property(convCaseArb, (c) => {
        const v = convViews(c);
        fc.pre(v !== null);
        checkConv(c, v!.x, v!.w, v!.b, v!.gy);
      }),
      { numRuns: 300 },
    );
  });

  it('conv matches js on larger layers: threads over images, column blocks, 1x1 kernels, primes, the course layers', () => {
    const base = { bias: true, offset: 1, seed: 7 };
    const p = (s: number, pad: number, d = 1, groups = 1): Conv2dParams => ({ stride: [s, s], padding: [pad, pad], dilation: [d, d], groups });
    const cases: Omit<ConvCase, 'dtype' | 'algo' | 'bias' | 'offset' | 'seed'>[] = [
      { n: 6, groups: 1, cinG: 8, coutG: 8, h: 16, w: 16, kh: 3, kw: 3, p: p(1, 1) }, // images on threads
      { n: 2, groups: 1, cinG: 32, coutG: 4, h: 32, w: 32, kh: 3, kw: 3, p: p(1, 1) }, // Kg * L > budget: column blocks
      { n: 5, groups: 1, cinG: 7, coutG: 5, h: 13, w: 11, kh: 1, kw: 1, p: p(1, 0) }, // 1x1: no im2col
      { n: 3, groups: 2, cinG: 5, coutG: 3, h: 29, w: 31, kh: 3, kw: 2, p: p(2, 1, 2, 2) }, // primes, stride, dilation, groups
      { n: 1, groups: 1, cinG: 17, coutG: 13, h: 23, w: 19, kh: 5, kw: 5, p: p(1, 2) }, // one image: threaded GEMM
      { n: 20, groups: 1, cinG: 1, coutG: 10, h: 28, w: 28, kh: 3, kw: 3, p: p(1, 0) }, // the course's CNN layer
      { n: 3, groups: 1, cinG: 32, coutG: 64, h: 14, w: 14, kh: 3, kw: 3, p: p(1, 1) }, // 32 -> 64, padding 1 (Winograd)
      { n: 7, groups: 2, cinG: 9, coutG: 8, h: 13, w: 6, kh: 3, kw: 3, p: p(1, 2) }, // Winograd: groups, odd sizes, padding 2
      { n: 2, groups: 1, cinG: 16, coutG: 10, h: 31, w: 29, kh: 3, kw: 3, p: p(1, 0) }, // Winograd: no padding, many tiles a row
      // Winograd with Cin_g > 256 (packed weights in two K slices) and chunks of fewer tiles than
      // a tile row (rows staged run by run)
      { n: 1, groups: 1, cinG: 260, coutG: 6, h: 6, w: 90, kh: 3, kw: 3, p: p(1, 1) },
    ];
    const cache = new Map<string, Storage[]>();
    for (const shape of cases) {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const algo of [0, 1, 2, 3]) {
          const c = { ...shape, ...base, dtype, algo };
          const v = convViews(c)!;
          checkConv(c, v.x, v.w, v.b, v.gy, cache);
        }
      }
    }
  }, SLOW_TEST_TIMEOUT);

  it('conv gives the same results with every SIMD level this CPU can run (scalar, AVX2, AVX-512 / NEON)', () => {
    const levels = ['scalar', 'avx2-fma', 'avx512f', 'neon'].filter((l) => native.setSimdLevel(l));
    const p = (pad: number): Conv2dParams => ({ stride: [1, 1], padding: [pad, pad], dilation: [1, 1], groups: 1 });
    const cache = new Map<string, Storage[]>();
    try {
      for (const level of levels) {
        native.setSimdLevel(level);
        for (const dtype of ['float32', 'float64'] as const) {
          // small weight-gradient blocks (the dot-product kernel) and a GEMM-sized layer
          for (const shape of [
            { n: 3, groups: 1, cinG: 1, coutG: 10, h: 12, w: 11, kh: 3, kw: 3, p: p(0) },
            { n: 2, groups: 1, cinG: 6, coutG: 9, h: 9, w: 9, kh: 3, kw: 3, p: p(1) },
            { n: 3, groups: 1, cinG: 8, coutG: 9, h: 11, w: 7, kh: 3, kw: 3, p: p(1) }, // Winograd (16- or 32-byte vectors)
          ]) {
            const c = { ...shape, dtype, algo: 0, bias: true, offset: 1, seed: 5 };
            const v = convViews(c)!;
            checkConv(c, v.x, v.w, v.b, v.gy, cache);
          }
        }
      }
    } finally {
      native.setSimdLevel('auto');
    }
  });

  it('conv keeps js semantics for inf and NaN, including non-finite weights or gradients meeting the padding', () => {
    const SPECIAL = [NaN, Infinity, -Infinity];
    const special = (r: () => number): number => (r() > 0.9 ? SPECIAL[Math.floor((r() + 1) * 1.5) % 3] : r());
    fc.assert(
      fc.property(convCaseArb, fc.constantFrom('x', 'w', 'gy', 'b'), (c0, where) => {
        const c = { ...c0, p: { ...c0.p, padding: [1, 1] as [number, number] }, bias: true };
        const v = convViews(c);
        fc.pre(v !== null);
        const pick = (name: string, view: View, seed: number): View =>
          name === where ? denseView(c.dtype, [...view.shape], seed, view.offset, special) : view;
        const x = pick('x', v!.x, c.seed), w = pick('w', v!.w, c.seed + 1), b = pick('b', v!.b!, c.seed + 2), gy = pick('gy', v!.gy, c.seed + 3);
        native.setConvAlgorithm(c.algo);
        const got = [backend.conv2d(x, w, b, c.p), backend.conv2dBackwardInput(gy, w, x.shape, c.p), backend.conv2dBackwardWeight(gy, x, w.shape, c.p)];
        native.setConvAlgorithm(0);
        const want = [jsBackend.conv2d(x, w, b, c.p), jsBackend.conv2dBackwardInput(gy, w, x.shape, c.p), jsBackend.conv2dBackwardWeight(gy, x, w.shape, c.p)];
        // finite sums in this test are small; NaN and infinities must match exactly
        const tol = 1e-4 * (c.n * 400 + 100);
        for (let k = 0; k < 3; k++) expectCloseSpecial(got[k], want[k], tol, `${['y', 'dx', 'dw'][k]} ${where} special, ${describeCase(c)}`);
      }),
      { numRuns: 150 },
    );
  });

  it('conv handles empty batches, channels, images and kernels', () => {
    const p: Conv2dParams = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    const shapes: [number[], number[]][] = [
      [[0, 2, 4, 4], [3, 2, 3, 3]], // no images
      [[2, 0, 4, 4], [3, 0, 3, 3]], // no input channels: y = bias, dw empty
      [[2, 2, 4, 4], [0, 2, 3, 3]], // no output channels
      [[2, 2, 0, 3], [3, 2, 1, 1]], // an empty image, padded to 2x5 outputs
      [[2, 2, 4, 4], [3, 2, 0, 2]], // a 0-row kernel
    ];
    for (const [xs, ws] of shapes) {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const algo of [0, 1, 2, 3]) {
          const c: ConvCase = { n: xs[0], groups: 1, cinG: ws[1], coutG: ws[0], h: xs[2], w: xs[3], kh: ws[2], kw: ws[3], p, bias: true, dtype, algo, offset: 1, seed: 3 };
          const v = convViews(c)!;
          checkConv(c, v.x, v.w, v.b, v.gy);
        }
      }
    }
  });

  it('conv through the op layer matches the js backend', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const xv = denseView(dtype, [4, 6, 9, 10], 1);
      const wv = denseView(dtype, [4, 3, 3, 3], 2);
      const bv = denseView(dtype, [4], 3);
      const xt = new Tensor(xv.storage, xv.shape, xv.strides, xv.offset);
      const wt = new Tensor(wv.storage, wv.shape, wv.strides, wv.offset);
      const bt = new Tensor(bv.storage, bv.shape, bv.strides, bv.offset);
      const opts = { stride: 2, padding: 1, groups: 2 } as const;
      const p = conv2dParams(wt.shape, opts);
      const run = (): Tensor[] => {
        const y = conv2d(xt, wt, bt, opts);
        return [y, conv2dBackwardInput(y, wt, xt.shape, p), conv2dBackwardWeight(y, xt, wt.shape, p)];
      };
      const got = withBackend('native', run);
      const want = withBackend('js', run);
      for (let k = 0; k < 3; k++) {
        expect(got[k].shape).toEqual(want[k].shape);
        expectCloseSpecial(got[k].toTypedArray(), want[k].toTypedArray(), dtype === 'float32' ? 1e-3 : 1e-10, `op layer ${dtype} ${k}`);
      }
    }
  });

  // ---- pooling ----

  interface PoolCase { n: number; c: number; h: number; w: number; p: Pool2dParams; dtype: FloatDType; offset: number; seed: number; levels: number }

  const poolCaseArb = (avg: boolean): fc.Arbitrary<PoolCase> =>
    fc.record({
      n: fc.integer({ min: 0, max: 3 }),
      c: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(7)),
      h: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(13, 28)), // 0: only padding
      w: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(11, 28)),
      k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      pad: fc.tuple(fc.nat(2), fc.nat(2)),
      d: avg ? fc.constant<[number, number]>([1, 1]) : fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      ceilMode: fc.boolean(),
      countIncludePad: fc.boolean(),
      // avg only: PyTorch's divisor_override (null: the window size)
      divisorOverride: avg ? fc.constantFrom(null, null, 1, 3, -2, 7) : fc.constant(null),
      dtype: dtypeArb,
      offset: fc.integer({ min: 0, max: 3 }),
      seed: fc.nat(),
      levels: fc.constantFrom(0, 3), // 3: few distinct values (ties) and NaNs
    }).map((r) => ({
      n: r.n, c: r.c, h: r.h, w: r.w, dtype: r.dtype, offset: r.offset, seed: r.seed, levels: r.levels,
      p: {
        kernelSize: r.k,
        stride: r.s,
        // the op layer's rule: padding at most half the kernel
        padding: [Math.min(r.pad[0], Math.floor(r.k[0] / 2)), Math.min(r.pad[1], Math.floor(r.k[1] / 2))] as [number, number],
        dilation: r.d,
        ceilMode: r.ceilMode,
        countIncludePad: r.countIncludePad,
        ...(r.divisorOverride === null ? {} : { divisorOverride: r.divisorOverride }),
      },
    }));

  function poolHW(c: PoolCase): [number, number] {
    const { p } = c;
    return [
      poolOutputSize(c.h, p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode),
      poolOutputSize(c.w, p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode),
    ];
  }

  function poolInput(c: PoolCase): View {
    const fill = c.levels === 0 ? undefined : (r: () => number) => {
      const u = r();
      return u > 0.85 ? NaN : u < -0.9 ? -Infinity : Math.round(u * c.levels);
    };
    return denseView(c.dtype, [c.n, c.c, c.h, c.w], c.seed, c.offset, fill);
  }

  it('maxPool2d and its gradient are identical to js (ties, NaN, -inf, ceil mode, padding, dilation)', () => {
    fc.assert(
      fc.property(poolCaseArb(false), (c) => {
        const [ho, wo] = poolHW(c);
        fc.pre(ho >= 1 && wo >= 1);
        const x = poolInput(c);
        const got = backend.maxPool2d(x, c.p);
        const want = jsBackend.maxPool2d(x, c.p);
        const what = `maxPool2d ${JSON.stringify(c)}`;
        expect(got.indices).toBeInstanceOf(Int32Array);
        expectSame(got.values, want.values, what);
        expectSame(got.indices, want.indices, what);
        const gy = denseView(c.dtype, [c.n, c.c, ho, wo], c.seed + 1, c.offset);
        const idx = intView(gy.shape as number[], want.indices, (c.offset + 1) % 3);
        expectSame(backend.maxPool2dBackward(gy, idx, x.shape, c.p), jsBackend.maxPool2dBackward(gy, idx, x.shape, c.p), `backward ${what}`);
      }),
      { numRuns: 300 },
    );
  });

  it('maxPool2d gives -inf and index -1 for windows wholly in the padding, and the gradient skips them', () => {
    // kernel 2 with dilation 2 and padding 1 on a 1-pixel-wide image: the window's taps (-1, 1) miss it
    const p: Pool2dParams = { kernelSize: [1, 2], stride: [1, 1], padding: [0, 1], dilation: [1, 2], ceilMode: false, countIncludePad: true };
    for (const dtype of ['float32', 'float64'] as const) {
      const x = denseView(dtype, [1, 2, 2, 1], 5);
      const got = backend.maxPool2d(x, p);
      const want = jsBackend.maxPool2d(x, p);
      expect(Array.from(want.indices)).toContain(-1);
      expectSame(got.values, want.values, 'all-padding values');
      expectSame(got.indices, want.indices, 'all-padding indices');
      const gy = denseView(dtype, [1, 2, 2, 1], 6);
      expectSame(backend.maxPool2dBackward(gy, intView([1, 2, 2, 1], got.indices), x.shape, p), jsBackend.maxPool2dBackward(gy, intView([1, 2, 2, 1], want.indices), x.shape, p), 'all-padding gradient');
    }
  });

  /** For each window of a 3x3, stride 1, padding 1 pooling of h x w planes, a random in-image tap of it. */
  function randomWindowIndices(h: number, w: number, planes: number, seed: number): number[] {
    let s = seed;
    const rnd = (n: number): number => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
    const idx: number[] = [];
    for (let plane = 0; plane < planes; plane++) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const rows = [i - 1, i, i + 1].filter((r) => r >= 0 && r < h);
          const cols = [j - 1, j, j + 1].filter((c) => c >= 0 && c < w);
          idx.push(rows[rnd(rows.length)] * w + cols[rnd(cols.length)]);
        }
      }
    }
    return idx;
  }

  it('maxPool2dBackward sums overlapping windows as js does (float32 rounded once), for any in-window indices', () => {
    fc.assert(
      fc.property(dtypeArb, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (dtype, h, w, seed) => {
        const p: Pool2dParams = { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], ceilMode: false, countIncludePad: true };
        const gy = denseView(dtype, [2, 3, h, w], seed, 0, (r) => r() * 1e3);
        const iv = intView([2, 3, h, w], randomWindowIndices(h, w, 6, seed), 2);
        expectSame(backend.maxPool2dBackward(gy, iv, [2, 3, h, w], p), jsBackend.maxPool2dBackward(gy, iv, [2, 3, h, w], p), `random indices ${dtype} ${h}x${w}`);
      }),
      { numRuns: 100 },
    );
  });

  it('maxPool2dBackward rejects an index outside its window with the same IndexError as js (generic and 2x2 kernels)', () => {
    const cases: [Pool2dParams, number[], number[]][] = [
      // 3x3 stride 1 padding 1 on 4x5 planes
      [{ kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], ceilMode: false, countIncludePad: true }, [1, 2, 4, 5], [1, 2, 4, 5]],
      // the 2x2 stride-2 kernel (vectorised for float32) on 4x40 planes
      [{ kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true }, [1, 2, 4, 40], [1, 2, 2, 20]],
      // dilation 2: window (0, 0) of a 3x3 kernel reads rows and columns 0, 2 and 4 only
      [{ kernelSize: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [2, 2], ceilMode: false, countIncludePad: true }, [1, 1, 6, 6], [1, 1, 2, 2]],
    ];
    for (const [p, xShape, yShape] of cases) {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = denseView(dtype, xShape, 3);
        const { indices } = jsBackend.maxPool2d(x, p);
        const gy = denseView(dtype, yShape, 4);
        const [H, W] = [xShape[2], xShape[3]];
        // the image positions window o of a plane reads
        const taps = (o: number): number[] => {
          const [i, j] = [Math.floor(o / yShape[3]), o % yShape[3]];
          const out: number[] = [];
          for (let a = 0; a < p.kernelSize[0]; a++) {
            for (let b = 0; b < p.kernelSize[1]; b++) {
              const [h, w] = [i * p.stride[0] - p.padding[0] + a * p.dilation[0], j * p.stride[1] - p.padding[1] + b * p.dilation[1]];
              if (h >= 0 && h < H && w >= 0 && w < W) out.push(h * W + w);
            }
          }
          return out;
        };
        // at the first and the last window: the first in-plane position outside the window (next
        // to it, or a row a dilated window skips), past the plane, -1 (these windows have image
        // under them) and another negative number
        for (const k of [0, indices.length - 1]) {
          const mine = taps(k % (yShape[2] * yShape[3]));
          const outside = Array.from({ length: H * W }, (_, v) => v).find((v) => !mine.includes(v) && Math.abs(v - mine[0]) <= W + 1) as number;
          for (const at of [outside, H * W, -1, -7]) {
            const idx = Int32Array.from(indices);
            idx[k] = at;
            const iv = intView(yShape, idx);
            let message = '';
            try {
              jsBackend.maxPool2dBackward(gy, iv, xShape, p);
            } catch (e) {
              message = (e as Error).message;
            }
            expect(message).toMatch(/^maxPool2dBackward: index -?\d+ .*is outside its window/);
            expect(() => backend.maxPool2dBackward(gy, iv, xShape, p)).toThrow(message);
          }
        }
        // the indices of the forward pass are accepted by both
        const iv = intView(yShape, indices);
        expectSame(backend.maxPool2dBackward(gy, iv, xShape, p), jsBackend.maxPool2dBackward(gy, iv, xShape, p), 'forward indices');
      }
    }
  });

  it('maxPool2dBackward with 2x2 windows gives +0 where gy is -0, as js (whose sum starts at +0) does', () => {
    const p: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true };
    for (const w of [6, 40]) { // the scalar windows and the vectorised ones
      const x = denseView('float32', [1, 2, 4, w], 5);
      const { indices } = backend.maxPool2d(x, p);
      const gyShape = [1, 2, 2, w / 2];
      const gy: View = { dtype: 'float32', storage: new Float32Array(2 * w).fill(-0), shape: gyShape, strides: rowMajor(gyShape), offset: 0 };
      const iv = intView(gyShape, indices as Int32Array);
      const got = backend.maxPool2dBackward(gy, iv, x.shape, p);
      const want = jsBackend.maxPool2dBackward(gy, iv, x.shape, p);
      for (let i = 0; i < want.length; i++) {
        expect(Object.is(want[i], 0)).toBe(true);
        expect(Object.is(got[i], want[i])).toBe(true);
      }
    }
  });

  it('avgPool2d and its gradient are identical to js (ceil mode, padding, countIncludePad, divisorOverride)', () => {
    fc.assert(
      fc.property(poolCaseArb(true), (c) => {
        const [ho, wo] = poolHW(c);
        fc.pre(ho >= 1 && wo >= 1);
        const x = poolInput({ ...c, levels: 0 });
        const what = `avgPool2d ${JSON.stringify(c)}`;
        expectSame(backend.avgPool2d(x, c.p), jsBackend.avgPool2d(x, c.p), what);
        const gy = denseView(c.dtype, [c.n, c.c, ho, wo], c.seed + 1, c.offset);
        expectSame(backend.avgPool2dBackward(gy, x.shape, c.p), jsBackend.avgPool2dBackward(gy, x.shape, c.p), `backward ${what}`);
      }),
      { numRuns: 300 },
    );
  });

  it('maxPool2d with 2x2 windows and stride 2 (the vectorised paths) and its gradient are identical to js at every SIMD level', () => {
    const levels = ['scalar', 'avx2-fma', 'avx512f', 'neon'].filter((l) => native.setSimdLevel(l));
    const p: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true };
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...levels),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 2, max: 13 }),
          fc.oneof(fc.integer({ min: 2, max: 40 }), fc.constantFrom(16, 17, 28, 33)),
          fc.constantFrom(0, 3),
          fc.constantFrom<FloatDType>('float32', 'float64'),
          fc.integer({ min: 0, max: 3 }),
          fc.nat(),
          (level, c, h, w, lv, dtype, offset, seed) => {
            native.setSimdLevel(level);
            const x = poolInput({ n: 2, c, h, w, dtype, offset, seed, levels: lv, p });
            const got = backend.maxPool2d(x, p);
            const want = jsBackend.maxPool2d(x, p);
            const what = `maxPool2d 2x2 ${level} [2, ${c}, ${h}, ${w}] ${dtype} levels ${lv}`;
            expectSame(got.values, want.values, what);
            expectSame(got.indices, want.indices, what);
            // the gradient: with the forward's indices (each inside its window: the vectorised
            // path), then with one index moved to another tap of its window (still the
            // vectorised path), then anywhere else in the plane or to -1 (refused by the
            // vectorised path and by the summing loop: both backends throw js's IndexError)
            const gyShape = [2, c, Math.floor(h / 2), Math.floor(w / 2)];
            const gy = denseView(dtype, gyShape, seed + 1, offset);
            const idx = Array.from(got.indices as Int32Array);
            const back = (ix: number[], tag: string) =>
              expectSame(backend.maxPool2dBackward(gy, intView(gyShape, ix, 1), x.shape, p), jsBackend.maxPool2dBackward(gy, intView(gyShape, ix, 1), x.shape, p), `${tag} ${what}`);
            back(idx, 'backward');
            if (dtype === 'float32') {
              // straight into an output full of NaN: every element must be written (a recycled
              // allocation is not zeroed; a last row or column no window covers gets 0)
              const iv = intView(gyShape, idx, 1);
              const geom = (v: View) => Float64Array.from([v.offset, v.shape.length, ...v.shape, ...v.strides]);
              const out = new Float32Array(2 * c * h * w).fill(NaN);
              native.maxPool2dBackward(gy.storage as Float32Array, geom(gy), iv.storage as Int32Array, geom(iv), out, Float64Array.from(x.shape), Float64Array.of(2, 2, 2, 2, 0, 0, 1, 1, 0, 1, 0));
              expectSame(out, jsBackend.maxPool2dBackward(gy, iv, x.shape, p), `backward into NaN ${what}`);
            }
            const k = seed % idx.length;
            const ok = [...idx];
            ok[k] = (ok[k] % w) % 2 === 0 ? ok[k] + 1 : ok[k] - 1; // the other column of the window
            back(ok, 'backward, one index moved within its window');
            const bad = [...idx];
            const moved = (seed >> 4) % (h * w + 1) - 1;
            const [wo, o] = [gyShape[3], k % (gyShape[2] * gyShape[3])];
            const inWindow = moved >= 0 && Math.floor(Math.floor(moved / w) / 2) === Math.floor(o / wo) && Math.floor((moved % w) / 2) === o % wo;
            bad[k] = inWindow ? -1 : moved;
            const iv = intView(gyShape, bad, 1);
            let message = '';
            try {
              jsBackend.maxPool2dBackward(gy, iv, x.shape, p);
            } catch (e) {
              message = (e as Error).message;
            }
            expect(message).toMatch(/^maxPool2dBackward: index -?\d+ .*is outside its window/);
            expect(() => backend.maxPool2dBackward(gy, iv, x.shape, p)).toThrow(message);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      native.setSimdLevel('auto');
    }
  });

  it('pooling matches js on a LeNet-sized input (threads over planes)', () => {
    const p: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true };
    for (const dtype of ['float32', 'float64'] as const) {
      const x = denseView(dtype, [10, 32, 28, 28], 11, 3);
      const got = backend.maxPool2d(x, p);
      const want = jsBackend.maxPool2d(x, p);
      expectSame(got.values, want.values, 'lenet max values');
      expectSame(got.indices, want.indices, 'lenet max indices');
      const gy = denseView(dtype, [10, 32, 14, 14], 12);
      const iv = intView([10, 32, 14, 14], want.indices);
      expectSame(backend.maxPool2dBackward(gy, iv, x.shape, p), jsBackend.maxPool2dBackward(gy, iv, x.shape, p), 'lenet max grad');
      expectSame(backend.avgPool2d(x, p), jsBackend.avgPool2d(x, p), 'lenet avg');
      expectSame(backend.avgPool2dBackward(gy, x.shape, p), jsBackend.avgPool2dBackward(gy, x.shape, p), 'lenet avg grad');
    }
    // through the op layer, with a 3-D (unbatched) input
    const t = new Tensor(denseView('float32', [3, 9, 9], 4).storage.subarray(0, 243), [3, 9, 9]);
    const a = withBackend('native', () => maxPool2dWithIndices(t, 3, { stride: 2, padding: 1, ceilMode: true }));
    const b = withBackend('js', () => maxPool2dWithIndices(t, 3, { stride: 2, padding: 1, ceilMode: true }));
    expect(a.values.shape).toEqual(b.values.shape);
    expectSame(a.values.toTypedArray(), b.values.toTypedArray(), 'op layer values');
    expectSame(a.indices.toTypedArray(), b.indices.toTypedArray(), 'op layer indices');
  });

  // ---- im2col / col2im ----

  it('im2col and col2im are identical to js', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 0, max: 3 }), c: fc.integer({ min: 0, max: 4 }),
          h: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(17)), w: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(13)),
          k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
          s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          pad: fc.tuple(fc.nat(2), fc.nat(2)),
          d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          dtype: dtypeArb, offset: fc.integer({ min: 0, max: 3 }), seed: fc.nat(),
        }),
        (r) => {
          const p: UnfoldParams = { kernelSize: r.k, stride: r.s, padding: r.pad, dilation: r.d };
          const ho = convOutputSize(r.h, r.k[0], r.s[0], r.pad[0], r.d[0]);
          const wo = convOutputSize(r.w, r.k[1], r.s[1], r.pad[1], r.d[1]);
          fc.pre(ho >= 1 && wo >= 1);
          const x = denseView(r.dtype, [r.n, r.c, r.h, r.w], r.seed, r.offset);
          expectSame(backend.im2col(x, p), jsBackend.im2col(x, p), `im2col ${JSON.stringify(r)}`);
          const cols = denseView(r.dtype, [r.n, r.c * r.k[0] * r.k[1], ho * wo], r.seed + 1, r.offset, (g) => g() * 100);
          expectSame(backend.col2im(cols, x.shape, p), jsBackend.col2im(cols, x.shape, p), `col2im ${JSON.stringify(r)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('im2col and col2im match js on a large input (threads over planes)', () => {
    const p: UnfoldParams = { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] };
    for (const dtype of ['float32', 'float64'] as const) {
      const x = denseView(dtype, [4, 16, 14, 14], 9, 2);
      const cols = backend.im2col(x, p);
      expectSame(cols, jsBackend.im2col(x, p), 'im2col large');
      const cv: View = { dtype, storage: cols, shape: [4, 144, 196], strides: rowMajor([4, 144, 196]), offset: 0 };
      expectSame(backend.col2im(cv, x.shape, p), jsBackend.col2im(cv, x.shape, p), 'col2im large');
    }
  });

  // ---- fallbacks ----

  it('sends non-contiguous views, mixed dtypes, non-int32 or out-of-window indices and dilated avg pooling to js', () => {
    const cp: Conv2dParams = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    const x = denseView('float64', [2, 3, 5, 4], 1);
    // the same data seen through a transposed view (H and W swapped): not contiguous
    const xt: View = { ...x, shape: [2, 3, 4, 5], strides: [60, 20, 1, 4] };
    const w = denseView('float64', [2, 3, 3, 3], 2);
    const w32 = denseView('float32', [2, 3, 3, 3], 2);
    const spies = (['conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'maxPool2d', 'avgPool2d', 'im2col', 'col2im'] as const).map((k) => jest.spyOn(native, k));
    expectSame(backend.conv2d(xt, w, null, cp), jsBackend.conv2d(xt, w, null, cp), 'transposed x');
    expectSame(backend.conv2d(x, w32, null, cp), jsBackend.conv2d(x, w32, null, cp), 'mixed dtypes');
    const gyT: View = { ...denseView('float64', [2, 2, 4, 5], 3), shape: [2, 2, 5, 4], strides: [40, 20, 1, 5] };
    expectSame(backend.conv2dBackwardInput(gyT, w, x.shape, cp), jsBackend.conv2dBackwardInput(gyT, w, x.shape, cp), 'transposed gy');
    expectSame(backend.conv2dBackwardWeight(gyT, x, w.shape, cp), jsBackend.conv2dBackwardWeight(gyT, x, w.shape, cp), 'transposed gy (dw)');
    const pp: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true };
    expectSame(backend.maxPool2d(xt, pp).values, jsBackend.maxPool2d(xt, pp).values, 'transposed max');
    expectSame(backend.avgPool2d(xt, pp), jsBackend.avgPool2d(xt, pp), 'transposed avg');
    expect(() => backend.avgPool2d(x, { ...pp, dilation: [2, 1] })).toThrow(/dilation/);
    const up: UnfoldParams = { kernelSize: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1] };
    expectSame(backend.im2col(xt, up), jsBackend.im2col(xt, up), 'transposed im2col');
    for (const s of spies) expect(s).not.toHaveBeenCalled();

    // max-pool gradient: float indices go to js; an index past the plane is refused by C++ and
    // reported by js
    const back = jest.spyOn(native, 'maxPool2dBackward');
    const gy = denseView('float64', [2, 3, 2, 2], 4);
    const fwd = jsBackend.maxPool2d(x, pp).indices;
    const fidx: View = { ...denseView('float64', [2, 3, 2, 2], 0), storage: Float64Array.from(fwd) };
    expectSame(backend.maxPool2dBackward(gy, fidx, x.shape, pp), jsBackend.maxPool2dBackward(gy, fidx, x.shape, pp), 'float indices');
    expect(back).not.toHaveBeenCalled();
    const farIdx = Array.from(fwd);
    farIdx[3] = x.shape[2] * x.shape[3] + 2;
    const far = intView([2, 3, 2, 2], farIdx);
    expect(() => backend.maxPool2dBackward(gy, far, x.shape, pp)).toThrow(/^maxPool2dBackward: index 22 \(past the 5x4 plane\) at gy position \[0, 0, 1, 1\] is outside its window/);
    expect(back).toHaveBeenCalledTimes(1);
    expect(back).toHaveReturnedWith(false);
  });

  // ---- argument checks of the C++ functions ----

  it('rejects bad arguments with a JS error instead of reading or writing out of bounds', () => {
    const f32 = (n: number): Float32Array => new Float32Array(n);
    const g = (shape: number[], offset = 0, strides = rowMajor(shape)): Float64Array => Float64Array.from([offset, shape.length, ...shape, ...strides]);
    const conv = Float64Array.of(1, 1, 0, 0, 1, 1, 1);
    const x = f32(2 * 3 * 5 * 5), w = f32(4 * 3 * 3 * 3);
    // a correct call first
    native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, f32(2 * 4 * 9), conv);
    expect(() => native.conv2d(x, g([2, 3, 5, 5], 1), w, g([4, 3, 3, 3]), null, null, f32(72), conv)).toThrow(/reaches element 150/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, f32(71), conv)).toThrow(/must have 72 elements/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5], 0, [75, 25, 1, 5]), w, g([4, 3, 3, 3]), null, null, f32(72), conv)).toThrow(/contiguous/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 2, 3, 3]), null, null, f32(72), conv)).toThrow(/groups/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), new Float64Array(108), g([4, 3, 3, 3]), null, null, f32(72), conv)).toThrow(/same type/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), f32(3), g([3]), f32(72), conv)).toThrow(/bias/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, x.subarray(0, 72), conv)).toThrow(/overlaps/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, f32(72), Float64Array.of(0, 1, 0, 0, 1, 1, 1))).toThrow(/stride/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, f32(72), Float64Array.of(1, 1, 0, 0, 1, 1))).toThrow(/Float64Array of 7/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, f32(72), Float64Array.of(1, 1, -1, 0, 1, 1, 1))).toThrow(/integer >= 0/);
    expect(() => native.conv2d(x, g([2, 3, 5, 5]), w, g([4, 3, 3, 3]), null, null, f32(72), Float64Array.of(1, 1, 0, 0, 9, 1, 1))).toThrow(/larger than/);
    expect(() => native.conv2d(x, g([6, 25]), w, g([4, 3, 3, 3]), null, null, f32(72), conv)).toThrow(/4-D/);
    expect(() => (native.conv2d as (...a: unknown[]) => void)(x, g([2, 3, 5, 5]), w)).toThrow(/expected 8 arguments/);
    const gy = f32(72);
    native.conv2dBackwardInput(gy, g([2, 4, 3, 3]), w, g([4, 3, 3, 3]), f32(150), Float64Array.of(2, 3, 5, 5), conv);
    expect(() => native.conv2dBackwardInput(gy, g([2, 4, 3, 2]), w, g([4, 3, 3, 3]), f32(150), Float64Array.of(2, 3, 5, 5), conv)).toThrow(/gy has the wrong shape/);
    expect(() => native.conv2dBackwardInput(gy, g([2, 4, 3, 3]), w, g([4, 3, 3, 3]), f32(149), Float64Array.of(2, 3, 5, 5), conv)).toThrow(/must have 150 elements/);
    expect(() => native.conv2dBackwardInput(gy, g([2, 4, 3, 3]), w, g([4, 3, 3, 3]), f32(150), Float64Array.of(2, 3, 5), conv)).toThrow(/Float64Array of 4/);
    expect(() => native.conv2dBackwardWeight(gy, g([2, 4, 3, 3]), x, g([2, 3, 5, 5]), f32(107), Float64Array.of(4, 3, 3, 3), conv)).toThrow(/must have 108 elements/);
    expect(() => native.conv2dBackwardWeight(gy, g([2, 4, 3, 3]), x, g([2, 3, 5, 5]), f32(108), Float64Array.of(4, 3, 3, 2.5), conv)).toThrow(/integer/);
    const pool = Float64Array.of(2, 2, 2, 2, 0, 0, 1, 1, 0, 1, 0);
    expect(() => native.maxPool2d(x, g([2, 3, 5, 5]), f32(24), new Int32Array(23), pool)).toThrow(/must have 24 elements/);
    expect(() => native.maxPool2d(x, g([2, 3, 5, 5]), f32(24), f32(24) as unknown as Int32Array, pool)).toThrow(/Int32Array/);
    expect(() => native.maxPool2d(x, g([2, 3, 5, 5]), f32(24), new Int32Array(24), Float64Array.of(0, 2, 2, 2, 0, 0, 1, 1, 0, 1, 0))).toThrow(/kernel/);
    expect(() => native.maxPool2d(x, g([2, 3, 5, 5]), f32(24), new Int32Array(24), Float64Array.of(2, 2, 2, 2, -1, 0, 1, 1, 0, 1, 0))).toThrow(/padding >= 0/);
    expect(() => native.maxPool2d(x, g([2, 3, 5, 5]), f32(24), new Int32Array(24), Float64Array.of(2, 2, 2, 2, 0, 0, 1, 1, 0, 1))).toThrow(/Float64Array of 11/);
    // an in-plane index outside its window gives false (js then reports it), as one past the plane
    const inPlane = new Int32Array(24);
    inPlane[1] = 2; // window (0, 1) covers columns 2..3 of rows 0..1: 2 is in it
    expect(native.maxPool2dBackward(f32(24), g([2, 3, 2, 2]), inPlane, g([2, 3, 2, 2]), f32(150), Float64Array.of(2, 3, 5, 5), pool)).toBe(false);
    // each window at its first tap: true
    expect(native.maxPool2dBackward(f32(24), g([2, 3, 2, 2]), Int32Array.from({ length: 24 }, (_, k) => [0, 2, 10, 12][k % 4]), g([2, 3, 2, 2]), f32(150), Float64Array.of(2, 3, 5, 5), pool)).toBe(true);
    expect(() => native.maxPool2dBackward(f32(24), g([2, 3, 2, 2]), new Int32Array(23), g([2, 3, 2, 2]), f32(150), Float64Array.of(2, 3, 5, 5), pool)).toThrow(/reaches element 23/);
    expect(() => native.avgPool2d(x, g([2, 3, 5, 5]), f32(24), Float64Array.of(2, 2, 2, 2, 0, 0, 2, 1, 0, 1, 0))).toThrow(/dilation/);
    expect(() => native.avgPool2dBackward(f32(36), g([2, 3, 2, 3]), f32(150), Float64Array.of(2, 3, 5, 5), pool)).toThrow(/gy has the wrong shape/);
    const unfold = Float64Array.of(3, 3, 1, 1, 0, 0, 1, 1);
    expect(() => native.im2col(x, g([2, 3, 5, 5]), f32(2 * 27 * 9 - 1), unfold)).toThrow(/must have 486 elements/);
    expect(() => native.col2im(f32(486), g([2, 27, 8]), f32(150), Float64Array.of(2, 3, 5, 5), unfold)).toThrow(/cols has the wrong shape/);
    expect(() => native.setConvAlgorithm(4)).toThrow(/mode/);
  });
});
