import { IndexError, ShapeError, ValueError } from './errors';
import { broadcastAll, resolveShape, sameShape } from './shape';
import { broadcastShapes, contiguousStrides, normalizeDim, normalizeDims, numelOf } from './index';

describe('numelOf', () => {
  it('multiplies the sizes; a scalar shape has one element; a 0-size dim has none', () => {
    expect(numelOf([2, 3, 4])).toBe(24);
    expect(numelOf([])).toBe(1);
    expect(numelOf([5])).toBe(5);
    expect(numelOf([2, 0, 3])).toBe(0);
  });
});

describe('contiguousStrides', () => {
  it('gives row-major strides', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([5])).toEqual([1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([3, 1, 2])).toEqual([2, 2, 1]);
  });

  it('treats 0-size dims as size 1 (as PyTorch: empty(2, 0, 3).stride() == (3, 3, 1))', () => {
    expect(contiguousStrides([2, 0, 3])).toEqual([3, 3, 1]);
    expect(contiguousStrides([0])).toEqual([1]);
  });
});

describe('normalizeDim', () => {
  it('maps negative dims from the end', () => {
    expect(normalizeDim('op', -1, 3)).toBe(2);
    expect(normalizeDim('op', -3, 3)).toBe(0);
    expect(normalizeDim('op', 1, 3)).toBe(1);
  });

  it('accepts dim 0 and -1 for 0-d tensors, like PyTorch', () => {
    expect(normalizeDim('op', 0, 0)).toBe(0);
    expect(normalizeDim('op', -1, 0)).toBe(0);
  });

  it('throws an IndexError naming the op, the dim and the valid range', () => {
    expect(() => normalizeDim('myop', 3, 3)).toThrow(IndexError);
    expect(() => normalizeDim('myop', 3, 3)).toThrow(/^myop: dim 3 is out of range for a tensor with 3 dims \(expected a dim in \[-3, 2\]\)$/);
    expect(() => normalizeDim('myop', -4, 3)).toThrow(/myop: dim -4 is out of range/);
    expect(() => normalizeDim('myop', 0.5, 3)).toThrow(IndexError);
  });

  it('names the shape when given one instead of ndim', () => {
    expect(normalizeDim('op', -1, [4, 5])).toBe(1);
    expect(() => normalizeDim('myop', 2, [4, 5])).toThrow(/^myop: dim 2 is out of range for a tensor of shape \[4, 5\] \(expected a dim in \[-2, 1\]\)$/);
  });
});

describe('normalizeDims', () => {
  it('defaults to every dim, sorts and normalises', () => {
    expect(normalizeDims('op', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeDims('op', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeDims('op', 1, [2, 3, 4])).toEqual([1]);
    expect(normalizeDims('op', [], 3)).toEqual([]);
  });

  it('a 0-d tensor has no dims to reduce, even when dim 0 is given', () => {
    expect(normalizeDims('op', undefined, 0)).toEqual([]);
    expect(normalizeDims('op', 0, 0)).toEqual([]);
  });

  it('rejects repeated dims (also when spelled differently) and out-of-range ones', () => {
    expect(() => normalizeDims('sum', [0, -2], 2)).toThrow(IndexError);
    expect(() => normalizeDims('sum', [0, -2], 2)).toThrow(/sum: dim \[0,-2\] contains a repeated dim/);
    expect(() => normalizeDims('sum', [0, 5], [2, 3])).toThrow(/sum: dim 5 is out of range for a tensor of shape \[2, 3\]/);
  });
});

describe('broadcastShapes', () => {
  it.each([
    [[2, 3], [3], [2, 3]],
    [[2, 1, 3], [4, 1], [2, 4, 3]],
    [[3, 1], [1, 4], [3, 4]],
    [[], [2, 3], [2, 3]],
    [[2, 3], [], [2, 3]],
    [[1], [0], [0]],
    [[2, 0, 3], [1, 3], [2, 0, 3]],
    [[5, 1, 1], [1, 1, 1, 1], [1, 5, 1, 1]],
  ])('%j with %j -> %j', (a, b, want) => {
    expect(broadcastShapes('op', a, b)).toEqual(want);
    expect(broadcastShapes('op', b, a)).toEqual(want);
  });

  it('throws a ShapeError naming the op, both shapes and the failing dim', () => {
    expect(() => broadcastShapes('add', [2, 3], [4])).toThrow(ShapeError);
    expect(() => broadcastShapes('add', [2, 3], [4])).toThrow(
      /^add: shapes \[2, 3\] and \[4\] cannot be broadcast \(size 3 vs 4 at dim -1\)/,
    );
    expect(() => broadcastShapes('mul', [2, 3, 4], [5, 1, 4])).toThrow(/mul: .*size 2 vs 5 at dim -3/);
    // 0 only broadcasts with 1
    expect(() => broadcastShapes('op', [0], [2])).toThrow(ShapeError);
  });

  it('broadcastAll folds over several shapes', () => {
    expect(broadcastAll('where', [[3, 1], [1, 4], [4]])).toEqual([3, 4]);
    expect(broadcastAll('where', [])).toEqual([]);
    expect(() => broadcastAll('where', [[2], [3], [1]])).toThrow(/where: shapes \[2\] and \[3\]/);
  });
});

describe('resolveShape', () => {
  it('infers one -1 from the element count', () => {
    expect(resolveShape('reshape', [-1, 4], 12)).toEqual([3, 4]);
    expect(resolveShape('reshape', [2, -1, 3], 12)).toEqual([2, 2, 3]);
    expect(resolveShape('reshape', [-1], 0)).toEqual([0]);
  });

  it('rejects two -1s, negative or fractional sizes and counts that do not divide', () => {
    expect(() => resolveShape('reshape', [-1, -1], 4)).toThrow(ValueError);
    expect(() => resolveShape('reshape', [-1, -1], 4)).toThrow(/reshape: only one dim can be inferred/);
    expect(() => resolveShape('zeros', [2, -3])).toThrow(/zeros: invalid shape \[2, -3\]/);
    expect(() => resolveShape('zeros', [1.5])).toThrow(ValueError);
    expect(() => resolveShape('reshape', [-1, 5], 12)).toThrow(ShapeError);
    expect(() => resolveShape('reshape', [-1, 5], 12)).toThrow(/reshape: shape \[-1, 5\] is invalid for input of size 12/);
    // -1 next to a 0 could be anything: PyTorch rejects it too
    expect(() => resolveShape('reshape', [-1, 0], 0)).toThrow(ShapeError);
  });

  it('without an element count, -1 is just an invalid size', () => {
    expect(() => resolveShape('zeros', [-1])).toThrow(ValueError);
  });
});

describe('sameShape', () => {
  it('compares sizes and ranks', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([1, 3], [3])).toBe(false);
    expect(sameShape([], [])).toBe(true);
  });
});
