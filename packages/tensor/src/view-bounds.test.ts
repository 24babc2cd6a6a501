/**
 * Views are checked when they are made: a shape/strides/offset that reaches outside the storage is
 * refused by `asStrided` and by the `Tensor` constructor (the one place views are created), with an
 * IndexError naming the geometry, instead of reading garbage (or undefined) later.
 */
import fc from 'fast-check';
import { IndexError, ShapeError, Tensor, ValueError, arange, asStrided, tensor } from './index';

describe('asStrided refuses out-of-bounds views when they are made', () => {
  const a = () => arange(8); // storage positions 0..7

  it('past the end', () => {
    expect(() => asStrided(a(), [3, 3], [1, 1], 5)).toThrow(IndexError);
    expect(() => asStrided(a(), [3, 3], [1, 1], 5)).toThrow(
      /^asStrided: a view with shape \[3, 3\], strides \[1, 1\] and offset 5 reads storage positions 5 to 9, outside the storage of 8 elements \(positions 0 to 7\)/,
    );
    expect(() => asStrided(a(), [9], [1], 0)).toThrow(/reads storage positions 0 to 8, outside the storage of 8 elements/);
    expect(() => asStrided(a(), [2], [1], 8)).toThrow(/offset 8 reads storage positions 8 to 9/);
  });

  it('before the start (negative strides)', () => {
    expect(() => asStrided(a(), [3], [-1], 1)).toThrow(/^asStrided: a view with shape \[3\], strides \[-1\] and offset 1 reads storage positions -1 to 1/);
    expect(() => asStrided(a(), [2, 2], [4, -2], 1)).toThrow(/positions -1 to 5/);
  });

  it('bad geometry values', () => {
    expect(() => asStrided(a(), [2], [1], -1)).toThrow(ValueError);
    expect(() => asStrided(a(), [2], [1], -1)).toThrow(/^asStrided: the offset must be a non-negative integer, got -1/);
    expect(() => asStrided(a(), [2], [1], 0.5)).toThrow(/offset must be a non-negative integer, got 0\.5/);
    expect(() => asStrided(a(), [2], [1.5], 0)).toThrow(/^asStrided: strides must be integers, got \[1\.5\]/);
    expect(() => asStrided(a(), [2, -1], [1, 1], 0)).toThrow(/^asStrided: invalid shape \[2, -1\]/);
    expect(() => asStrided(a(), [2, 2], [1], 0)).toThrow(ShapeError);
    expect(() => asStrided(a(), [2, 2], [1], 0)).toThrow(/^asStrided: 1 strides for a shape of 2 dims/);
  });

  it('views that stay inside are made as before (windows, flips, broadcast, empty, size-1 dims)', () => {
    expect(asStrided(a(), [3, 3], [1, 1], 5 - 2).toArray()).toEqual([
      [3, 4, 5],
      [4, 5, 6],
      [5, 6, 7],
    ]);
    expect(asStrided(a(), [8], [-1], 7).toArray()).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(asStrided(a(), [2, 3], [0, 1], 5).toArray()).toEqual([
      [5, 6, 7],
      [5, 6, 7],
    ]);
    expect(asStrided(a(), [0, 4], [100, 100], 50).numel()).toBe(0); // an empty view reads nothing
    expect(asStrided(a(), [1, 2], [1000, 1], 6).toArray()).toEqual([[6, 7]]); // a size-1 dim's stride is never used
  });
});

describe('the Tensor constructor checks the views it is given', () => {
  it('refuses a strided view that reaches outside its storage', () => {
    const s = new Float32Array(4);
    expect(() => new Tensor(s, [2, 2], [2, 2], 0)).toThrow(IndexError);
    expect(() => new Tensor(s, [2, 2], [2, 2], 0)).toThrow(/^Tensor: a view with shape \[2, 2\], strides \[2, 2\] and offset 0 reads storage positions 0 to 4, outside the storage of 4 elements/);
    expect(() => new Tensor(s, [2], undefined, 3)).toThrow(/^Tensor: a view with shape \[2\], strides \[1\] and offset 3 reads storage positions 3 to 4/);
    expect(new Tensor(s, [2, 2], [1, 2], 0).shape).toEqual([2, 2]);
    expect(new Tensor(s, [2], undefined, 2).numel()).toBe(2);
  });

  it('views made by the view ops are unaffected', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.T.slice(0, 1, 3).toArray()).toEqual([[2, 5], [3, 6]]);
    expect(x.select(1, 2).toArray()).toEqual([3, 6]);
    expect(x.narrow(1, 3, 0).numel()).toBe(0);
    expect(x.unsqueeze(2).expand(2, 3, 4).sum().item()).toBe(84);
  });
});

describe('property: a view is made exactly when every position it reads is in the storage', () => {
  it('random shapes, strides (negative included) and offsets', () => {
    const geometryArb = fc.integer({ min: 0, max: 3 }).chain((nd) =>
      fc.record({
        len: fc.integer({ min: 0, max: 12 }),
        shape: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: nd, maxLength: nd }),
        strides: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: nd, maxLength: nd }),
        offset: fc.integer({ min: 0, max: 14 }),
      }),
    );
    fc.assert(
      fc.property(geometryArb, ({ len, shape, strides, offset }) => {
        const base = tensor(Float64Array.from({ length: len }, (_, i) => i));
        // every position the view reads, by brute force
        const positions: number[] = [];
        const walk = (d: number, pos: number): void => {
          if (d === shape.length) {
            positions.push(pos);
            return;
          }
          for (let i = 0; i < shape[d]; i++) walk(d + 1, pos + i * strides[d]);
        };
        walk(0, offset);
        const inside = positions.every((p) => p >= 0 && p < len);
        if (!inside) {
          expect(() => asStrided(base, shape, strides, offset)).toThrow(IndexError);
          return;
        }
        const v = asStrided(base, shape, strides, offset);
        expect(Array.from(v.toTypedArray())).toEqual(positions); // element k is storage[position k] = position k
      }),
      { numRuns: 300 },
    );
  });
});
