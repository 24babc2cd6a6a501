import * as fc from 'fast-check';
import { Generator, Tensor, ValueError } from '@dl/tensor';
import { elasticDistortion, gaussianBlur2d, gaussianKernel } from './elastic';

/** A 28 x 28 image with a bright ring in the middle, like a digit '0'. */
function ring(): Tensor {
  const d = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - 13.5, y - 13.5);
      d[y * 28 + x] = Math.max(0, 1 - Math.abs(r - 7) / 2);
    }
  }
  return new Tensor(d, [1, 28, 28]);
}

describe('elasticDistortion', () => {
  it('alpha 0 gives the image back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (c, h, w, seed) => {
        const g = new Generator(seed);
        const x = new Tensor(Float32Array.from({ length: c * h * w }, () => g.uniform()), [c, h, w]);
        expect(elasticDistortion({ alpha: 0, sigma: 2, generator: g })(x).toArray()).toEqual(x.toArray());
      }),
      { numRuns: 50 },
    );
  });

  it('moves pixels but roughly conserves the ink (Simard settings)', () => {
    // A warp that samples the input does not conserve mass exactly (compressed regions lose ink,
    // stretched ones gain); on average over random fields it does.
    const x = ring();
    const before = x.sum().item();
    const t = elasticDistortion({ alpha: 34, sigma: 4, generator: new Generator(0) });
    const ratios: number[] = [];
    for (let k = 0; k < 40; k++) {
      const y = t(x);
      expect(y.shape).toEqual([1, 28, 28]);
      expect(y.sub(x).abs().sum().item()).toBeGreaterThan(0.05 * before); // it did distort
      expect(y.min().item()).toBeGreaterThanOrEqual(0);
      expect(y.max().item()).toBeLessThanOrEqual(1 + 1e-6);
      ratios.push(y.sum().item() / before);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.08);
    ratios.forEach((r) => expect(Math.abs(r - 1)).toBeLessThan(0.6));
    // A milder distortion keeps every sample's ink within 15%.
    const mild = elasticDistortion({ alpha: 8, sigma: 4, generator: new Generator(1) });
    for (let k = 0; k < 10; k++) expect(Math.abs(mild(x).sum().item() / before - 1)).toBeLessThan(0.15);
  });

  it('is reproducible with a seeded generator and differs across seeds', () => {
    const x = ring();
    const a = elasticDistortion({ generator: new Generator(5) })(x).toArray();
    expect(elasticDistortion({ generator: new Generator(5) })(x).toArray()).toEqual(a);
    expect(elasticDistortion({ generator: new Generator(6) })(x).toArray()).not.toEqual(a);
  });

  it('a large sigma gives a nearly rigid displacement (smooth field)', () => {
    const field = new Float64Array(32 * 32);
    const g = new Generator(1);
    for (let i = 0; i < field.length; i++) field[i] = 2 * g.uniform() - 1;
    gaussianBlur2d(field, 32, 32, 8);
    // neighbouring values differ far less than the raw noise (std 0.58) does
    let maxStep = 0;
    for (let y = 0; y < 32; y++) for (let x = 1; x < 32; x++) maxStep = Math.max(maxStep, Math.abs(field[y * 32 + x] - field[y * 32 + x - 1]));
    expect(maxStep).toBeLessThan(0.02);
  });

  it('gaussian taps sum to 1 and are symmetric; constant fields stay constant', () => {
    const k = gaussianKernel(1.5);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[0]).toBeCloseTo(k[k.length - 1], 15);
    const f = new Float64Array(7 * 5).fill(0.25);
    gaussianBlur2d(f, 7, 5, 3);
    f.forEach((v) => expect(v).toBeCloseTo(0.25, 12));
  });

  it('validates alpha and sigma', () => {
    expect(() => elasticDistortion({ sigma: 0 })).toThrow(new ValueError('elasticDistortion: sigma must be a positive number, got 0'));
    expect(() => elasticDistortion({ alpha: -1 })).toThrow(ValueError);
  });
});
