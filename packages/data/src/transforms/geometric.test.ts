import * as fc from 'fast-check';
import { Generator, Tensor, ValueError, tensor } from '@dl/tensor';
import { affine, hflip, randomAffine, randomCrop, randomHorizontalFlip, randomRotation } from './geometric';

/** fast-check: a float32 image [C, H, W] (or [H, W]) with random values. */
const image = fc
  .record({ c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }), flat: fc.boolean(), seed: fc.integer() })
  .map(({ c, h, w, flat, seed }) => {
    const g = new Generator(seed);
    const data = Float32Array.from({ length: c * h * w }, () => g.uniform());
    return flat ? new Tensor(data.subarray(0, h * w), [h, w]) : new Tensor(data, [c, h, w]);
  });

const arr = (t: Tensor) => t.toArray();

describe('hflip and randomHorizontalFlip', () => {
  it('flipping twice is the identity; a flip mirrors columns', () => {
    fc.assert(
      fc.property(image, (x) => {
        const once = hflip(x);
        expect(once.shape).toEqual(x.shape);
        expect(arr(hflip(once))).toEqual(arr(x));
        const w = x.shape[x.ndim - 1];
        expect(arr(once.narrow(-1, 0, 1))).toEqual(arr(x.narrow(-1, w - 1, 1)));
      }),
      { numRuns: 100 },
    );
    expect(arr(hflip(tensor([[1, 2, 3]])))).toEqual([[3, 2, 1]]);
  });

  it('p = 0 never flips, p = 1 always does; checks p', () => {
    const x = tensor([[1, 2]]);
    expect(arr(randomHorizontalFlip(0)(x))).toEqual([[1, 2]]);
    expect(arr(randomHorizontalFlip(1)(x))).toEqual([[2, 1]]);
    expect(() => randomHorizontalFlip(1.5)).toThrow(ValueError);
  });

  it('flips about half of the time, reproducibly', () => {
    const x = tensor([[1, 2]]);
    const run = (seed: number) => {
      const t = randomHorizontalFlip(0.5, { generator: new Generator(seed) });
      return Array.from({ length: 200 }, () => (t(x).toArray() as number[][])[0][0]);
    };
    const flips = run(1).filter((v) => v === 2).length;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
    expect(run(1)).toEqual(run(1));
  });
});

describe('randomCrop', () => {
  it('with padding keeps the size and shows a shifted window of the padded image', () => {
    fc.assert(
      fc.property(image, fc.integer({ min: 0, max: 3 }), fc.integer(), (x, pad, seed) => {
        const h = x.shape[x.ndim - 2];
        const w = x.shape[x.ndim - 1];
        const out = randomCrop([h, w], { padding: pad, generator: new Generator(seed) })(x);
        expect(out.shape).toEqual(x.shape);
        // Some shift (dy, dx) in [-pad, pad]^2 explains every output pixel.
        const xs = x.reshape(-1, h, w).toArray() as number[][][];
        const os = out.reshape(-1, h, w).toArray() as number[][][];
        let found = false;
        for (let dy = -pad; dy <= pad && !found; dy++) {
          for (let dx = -pad; dx <= pad && !found; dx++) {
            found = os.every((plane, c) => plane.every((row, y) => row.every((v, xx) => {
              const sy = y + dy;
              const sx = xx + dx;
              return v === (sy >= 0 && sy < h && sx >= 0 && sx < w ? xs[c][sy][sx] : 0);
            })));
          }
        }
        expect(found).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('without padding, a crop of the full size is the identity; reproducible; errors', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    expect(arr(randomCrop([2, 3])(x))).toEqual(arr(x));
    const a = randomCrop(2, { padding: 2, generator: new Generator(4) });
    const b = randomCrop(2, { padding: 2, generator: new Generator(4) });
    for (let k = 0; k < 5; k++) expect(arr(a(x))).toEqual(arr(b(x)));
    expect(() => randomCrop(3)(x)).toThrow(/crop size \[3, 3\] is larger than the padded image \[2, 3\]/);
    expect(randomCrop(3, { padIfNeeded: true })(x).shape).toEqual([1, 3, 3]);
    expect(() => randomCrop(2, { padding: -1 })).toThrow(ValueError);
    const padded = randomCrop([2, 3], { padding: [0, 1], fill: 9, generator: new Generator(0) })(tensor([[5, 5, 5]]));
    expect(padded.toArray()).toContainEqual([9, 9, 9]);
  });
});

describe('affine, randomRotation, randomAffine', () => {
  it('rotation by 0 is the identity (nearest and bilinear)', () => {
    fc.assert(
      fc.property(image, (x) => {
        expect(arr(randomRotation(0)(x))).toEqual(arr(x));
        expect(arr(randomRotation(0, { interpolation: 'bilinear' })(x))).toEqual(arr(x));
        expect(arr(randomAffine()(x))).toEqual(arr(x));
      }),
      { numRuns: 50 },
    );
  });

  it('four quarter turns of a square image give it back; two are a 180 degree flip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer(), (n, seed) => {
        const g = new Generator(seed);
        const x = new Tensor(Float32Array.from({ length: n * n }, () => g.uniform()), [1, n, n]);
        const rot = (t: Tensor) => affine(t, { angle: 90, translate: [0, 0], scale: 1, shear: [0, 0] });
        expect(arr(rot(rot(rot(rot(x)))))).toEqual(arr(x));
        const flipped = hflip(x).toArray() as number[][][];
        expect(arr(rot(rot(x)))).toEqual([flipped[0].slice().reverse()]);
      }),
      { numRuns: 50 },
    );
  });

  it('a positive angle turns counter-clockwise on screen', () => {
    // 3 x 3 image with one bright pixel right of the centre; +90 degrees moves it above the centre.
    const x = tensor([[[0, 0, 0], [0, 0, 1], [0, 0, 0]]]);
    expect(arr(randomRotation([90, 90])(x))).toEqual([[[0, 1, 0], [0, 0, 0], [0, 0, 0]]]);
    expect(arr(randomRotation([-90, -90])(x))).toEqual([[[0, 0, 0], [0, 0, 0], [0, 1, 0]]]);
  });

  it('translation shifts by whole pixels and fills the border', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(arr(affine(x, { angle: 0, translate: [1, 0], scale: 1, shear: [0, 0] }, { fill: -1 }))).toEqual([[-1, 1, 2], [-1, 4, 5]]);
    expect(arr(affine(x, { angle: 0, translate: [0, -1], scale: 1, shear: [0, 0] }))).toEqual([[4, 5, 6], [0, 0, 0]]);
  });

  it('scale 2 about the centre magnifies; shear moves rows sideways', () => {
    const x = tensor([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    const big = affine(x, { angle: 0, translate: [0, 0], scale: 3, shear: [0, 0] });
    expect((big.sum().item())).toBe(9); // the centre pixel now covers 3 x 3
    const row = tensor([[0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    const sheared = affine(row, { angle: 0, translate: [0, 0], scale: 1, shear: [45, 0] });
    expect(arr(sheared)).toEqual([[0, 0, 0], [0, 0, 0], [0, 1, 1]]);
  });

  it('random rotations and affine maps are reproducible with a seeded generator and stay in range', () => {
    const g = new Generator(9);
    const x = new Tensor(Float32Array.from({ length: 3 * 10 * 10 }, () => g.uniform()), [3, 10, 10]);
    const make = () => randomAffine({ degrees: 30, translate: [0.2, 0.1], scale: [0.8, 1.2], shear: [-10, 10, -5, 5], generator: new Generator(1) });
    const a = make();
    const b = make();
    const outs = [a(x), a(x)];
    expect(arr(b(x))).toEqual(arr(outs[0]));
    expect(arr(b(x))).toEqual(arr(outs[1]));
    expect(arr(outs[0])).not.toEqual(arr(outs[1]));
    for (const o of outs) {
      expect(o.min().item()).toBeGreaterThanOrEqual(0);
      expect(o.max().item()).toBeLessThan(1);
    }
    const r = randomRotation(45, { generator: new Generator(2), interpolation: 'bilinear' });
    expect(r(x).shape).toEqual([3, 10, 10]);
  });

  it('validates options', () => {
    expect(() => randomRotation(-5)).toThrow(ValueError);
    expect(() => randomRotation([10, 5])).toThrow(/min <= max/);
    expect(() => randomAffine({ translate: [2, 0] })).toThrow(ValueError);
    expect(() => randomAffine({ scale: [0, 1] })).toThrow(ValueError);
    expect(() => affine(tensor([[1]]), { angle: 0, translate: [0, 0], scale: 1, shear: [45, 45] })).toThrow(/singular/);
    expect(() => randomRotation(5)(tensor([[[[1]]]]))).toThrow(/one sample, not on a batch/);
    expect(() => randomRotation(5)(tensor([[1]], { dtype: 'int32' }))).toThrow(/toTensor/);
  });
});
