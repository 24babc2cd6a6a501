/**
 * The WebAssembly SIMD kernels (float32 Adam/AdamW and SGD): bit for bit equal to a scalar float32
 * emulation of the same arithmetic, and close to the double loops they stand in for; every variant,
 * lengths that are not multiples of 4 or of the chunk, several steps.
 */
import fc from 'fast-check';
import { adamKernel } from './adam';
import { sgdKernel } from './sgd';
import { CHUNK, adamSimd, sgdSimd, simdAvailable, type AdamScalars, type SGDScalars } from './simd';
import { maxRelErr } from './testing/fixtures';

/** Heavy tests (seconds alone, many times that on a busy 2-core machine) get an explicit timeout. */
const SLOW_TEST_TIMEOUT = 120_000;

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

const copy = (a: Float32Array): Float32Array => a.slice();
const f = Math.fround;

/**
 * The SIMD Adam kernel's arithmetic, one element at a time, every operation rounded to float32
 * (exact emulation: +, −, ×, ÷ and √ rounded through double give the float32 result).
 */
function adamFloat32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, s: AdamScalars): void {
  const [b1, a1, b2, a2, negStep, bc2, eps, sign, l2, decay] = [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, -s.stepSize, s.biasCorrection2Sqrt, s.eps, s.sign, s.l2, s.decay].map(f);
  for (let i = 0; i < p.length; i++) {
    let gi = f(sign * g[i]);
    if (s.l2 !== 0) gi = f(gi + f(l2 * p[i]));
    const pi = s.decay !== 1 ? f(decay * p[i]) : p[i];
    const mi = f(f(b1 * m[i]) + f(a1 * gi));
    let vi = f(f(b2 * v[i]) + f(f(a2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    if (vMax !== null) {
      if (Number.isNaN(vMax[i]) || vMax[i] > vi) vi = vMax[i];
      vMax[i] = vi;
    }
    const denom = f(f(f(Math.sqrt(vi)) / bc2) + eps);
    p[i] = f(pi + f(negStep * f(mi / denom)));
  }
}

/** The SIMD SGD kernel's arithmetic in emulated float32 (a momentum buffer that already exists). */
function sgdFloat32(p: Float32Array, g: Float32Array, buf: Float32Array | null, s: SGDScalars): void {
  const [sign, wd, mu, damp, negLr] = [s.sign, s.weightDecay, s.momentum, 1 - s.dampening, -s.lr].map(f);
  for (let i = 0; i < p.length; i++) {
    let d = f(sign * g[i]);
    if (s.weightDecay !== 0) d = f(d + f(wd * p[i]));
    if (buf !== null) {
      const b = f(f(mu * buf[i]) + f(damp * d));
      buf[i] = b;
      d = s.nesterov ? f(d + f(mu * b)) : b;
    }
    p[i] = f(p[i] + f(negLr * d));
  }
}

describe('WebAssembly SIMD kernels', () => {
  it('are available on this Node (the float32 fast path)', () => {
    expect(simdAvailable()).toBe(true);
  });

  it('Adam / AdamW: every variant equals a scalar float32 emulation bit for bit, and the double loop to 1e-4', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 4, 7, CHUNK - 1, CHUNK + 5, 2 * CHUNK + 3),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (n, amsgrad, maximize, l2, decoupled, seed) => {
          const p0 = randomArray(n, seed);
          const state = () => ({ p: copy(p0), m: new Float32Array(n), v: new Float32Array(n), vMax: amsgrad ? new Float32Array(n) : null });
          const ref = state();
          const emu = state();
          const fast = state();
          for (let step = 1; step <= 5; step++) {
            const g = randomArray(n, seed * 31 + step, 0.1);
            const lr = 0.01;
            const s: AdamScalars = {
              beta1: 0.9,
              beta2: 0.99,
              eps: 1e-8,
              stepSize: lr / (1 - 0.9 ** step),
              biasCorrection2Sqrt: Math.sqrt(1 - 0.99 ** step),
              decay: decoupled ? 1 - lr * 0.1 : 1,
              l2: l2 ? 0.05 : 0,
              sign: maximize ? -1 : 1,
            };
            adamKernel(ref.p, g, ref.m, ref.v, ref.vMax, s);
            adamFloat32(emu.p, g, emu.m, emu.v, emu.vMax, s);
            expect(adamSimd(fast.p, g, fast.m, fast.v, fast.vMax, s)).toBe(true);
          }
          expect(fast).toEqual(emu);
          // float32 against double: cancellation in g + l2·θ costs a few digits, hence the floors
          expect(maxRelErr(fast.p, ref.p, 1)).toBeLessThan(1e-4);
          expect(maxRelErr(fast.m, ref.m, 1e-2)).toBeLessThan(1e-4);
          expect(maxRelErr(fast.v, ref.v, 1e-4)).toBeLessThan(1e-4);
        },
      ),
      { numRuns: 20 },
    );
  }, SLOW_TEST_TIMEOUT);

  it('SGD: plain, momentum and Nesterov, with and without weight decay, equal the float32 emulation and match the loop', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, CHUNK + 1, 3 * CHUNK - 2),
        fc.constantFrom(0, 0.9),
        fc.boolean(),
        fc.constantFrom(0, 0.01),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (n, momentum, nesterovWanted, weightDecay, maximize, seed) => {
          const nesterov = nesterovWanted && momentum > 0;
          const s: SGDScalars = { lr: 0.1, momentum, dampening: nesterov ? 0 : 0.2, weightDecay, nesterov, sign: maximize ? -1 : 1 };
          const p0 = randomArray(n, seed);
          const state = () => ({ p: copy(p0), b: momentum > 0 ? new Float32Array(n) : null });
          const ref = state();
          const emu = state();
          const fast = state();
          for (let step = 1; step <= 4; step++) {
            const g = randomArray(n, seed * 17 + step, 0.5);
            sgdKernel(ref.p, g, ref.b, step === 1, s);
            if (step === 1 && fast.b !== null) {
              // the first momentum step initialises the buffer in the loop, as SGD.update does
              sgdKernel(fast.p, g, fast.b, true, s);
              sgdKernel(emu.p, g, emu.b, true, s);
            } else {
              expect(sgdSimd(fast.p, g, fast.b, s)).toBe(true);
              sgdFloat32(emu.p, g, emu.b, s);
            }
          }
          expect(fast).toEqual(emu);
          expect(maxRelErr(fast.p, ref.p, 1)).toBeLessThan(1e-5);
          if (ref.b !== null) expect(maxRelErr(fast.b as Float32Array, ref.b, 1)).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('amsgrad keeps NaN (torch.maximum propagates it)', () => {
    const p = new Float32Array([1, 1, 1, 1, 1]);
    const g = new Float32Array([0.1, NaN, 0.1, 0.1, 0.1]);
    const vMax = new Float32Array([0, 0, NaN, 0, 0]);
    const s: AdamScalars = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 0.01, biasCorrection2Sqrt: 0.1, decay: 1, l2: 0, sign: 1 };
    adamSimd(p, g, new Float32Array(5), new Float32Array(5), vMax, s);
    expect(Array.from(vMax, (x) => Number.isNaN(x))).toEqual([false, true, true, false, false]);
    const jsMax = new Float32Array([0, 0, NaN, 0, 0]);
    adamKernel(new Float32Array(5).fill(1), g, new Float32Array(5), new Float32Array(5), jsMax, s);
    expect(Array.from(jsMax, (x) => Number.isNaN(x))).toEqual([false, true, true, false, false]);
  });

  it('declines float64 arrays (the loop computes those in double)', () => {
    const a = new Float64Array(4);
    const s: AdamScalars = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 0.01, biasCorrection2Sqrt: 0.1, decay: 1, l2: 0, sign: 1 };
    expect(adamSimd(a, a, a, a, null, s)).toBe(false);
    expect(sgdSimd(a, a, null, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, sign: 1 })).toBe(false);
  });
});
