import { IndexError, ShapeError, ValueError, arange, cat, chunk, split, stack, tensor, zeros } from '../index';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });

describe('cat', () => {
  it('joins along an existing dim (negative dims too)', () => {
    const a = f64([[1, 2]]);
    const b = f64([
      [3, 4],
      [5, 6],
    ]);
    expect(cat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cat([b, b.T], -1).toArray()).toEqual([
      [3, 4, 3, 5],
      [5, 6, 4, 6],
    ]);
  });

  it('copies (the result shares nothing) and promotes dtypes', () => {
    const a = tensor([1, 2], { dtype: 'int32' });
    const c = cat([a, f64([0.5])]);
    expect(c.dtype).toBe('float64');
    expect(c.toArray()).toEqual([1, 2, 0.5]);
    const d = cat([a]);
    expect(d.storage).not.toBe(a.storage);
    expect(cat([tensor([true]), tensor([false])]).dtype).toBe('bool');
  });

  it('skips empty pieces', () => {
    expect(cat([zeros([0, 2]), f64([[1, 2]]), zeros([0, 2])]).toArray()).toEqual([[1, 2]]);
    expect(cat([zeros([0]), zeros([0])]).shape).toEqual([0]);
  });

  it('mismatched shapes are ShapeErrors naming both shapes and the dim', () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 4])])).toThrow(ShapeError);
    expect(() => cat([zeros([2, 3]), zeros([2, 4])])).toThrow(
      /^cat: tensor 1 has shape \[2, 4\], which does not match tensor 0's \[2, 3\] outside dim 0/,
    );
    expect(() => cat([zeros([2, 3]), zeros([3])], 1)).toThrow(/^cat: tensor 1 has shape \[3\]/);
  });

  it('rejects an empty list, 0-d tensors and bad dims', () => {
    expect(() => cat([])).toThrow(ValueError);
    expect(() => cat([])).toThrow(/^cat: expected a non-empty list of tensors/);
    expect(() => cat([f64(1)])).toThrow(/^cat: zero-dimensional tensors cannot be concatenated; use stack\(\)/);
    expect(() => cat([zeros([2])], 1)).toThrow(IndexError);
  });
});

describe('stack', () => {
  it('joins along a new dim, which may be ndim or negative', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    expect(stack([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([a, b], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([a, b], -1).shape).toEqual([2, 2]);
    expect(stack([f64(1), f64(2)]).toArray()).toEqual([1, 2]);
  });

  it('requires equal shapes', () => {
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(ShapeError);
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(/^stack: expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1/);
    expect(() => stack([])).toThrow(ValueError);
    expect(() => stack([zeros([2])], 2)).toThrow(IndexError);
  });
});

describe('split / chunk', () => {
  const x = arange(10).reshape(5, 2);

  it('split by size gives views, the last piece smaller', () => {
    const parts = x.split(2);
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(parts[2].toArray()).toEqual([[8, 9]]);
    for (const p of parts) expect(p.storage).toBe(x.storage);
    expect(split(x, 1, 1).map((p) => p.toArray())).toEqual([[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]);
  });

  it('split by sizes (zeros allowed), which must sum to the dim size', () => {
    expect(x.split([1, 0, 4]).map((p) => p.shape[0])).toEqual([1, 0, 4]);
    expect(() => x.split([2, 2])).toThrow(ShapeError);
    expect(() => x.split([2, 2])).toThrow(/^split: sizes \[2, 2\] must be non-negative and sum to 5, the size of dim 0 \(shape \[5, 2\]\)/);
    expect(() => x.split([6, -1])).toThrow(ShapeError);
    expect(() => x.split(0)).toThrow(ValueError);
  });

  it('chunk splits into at most `chunks` nearly equal pieces', () => {
    expect(x.chunk(2).map((p) => p.shape[0])).toEqual([3, 2]);
    expect(x.chunk(5).map((p) => p.shape[0])).toEqual([1, 1, 1, 1, 1]);
    expect(x.chunk(9).length).toBe(5);
    expect(chunk(arange(6), 4).map((p) => p.numel())).toEqual([2, 2, 2]); // fewer than asked, as PyTorch
    expect(chunk(x, 2, -1).map((p) => p.shape)).toEqual([
      [5, 1],
      [5, 1],
    ]);
    expect(() => x.chunk(0)).toThrow(/^chunk: chunks must be a positive integer, got 0/);
  });

  it('chunk of a size-0 dim gives `chunks` empty pieces, as PyTorch', () => {
    const parts = zeros([0, 2]).chunk(3);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.shape).toEqual([0, 2]);
    expect(zeros([0]).split(2).length).toBe(1);
  });

  it('pieces are writable views of the input', () => {
    const y = zeros([4]);
    y.chunk(2)[1].fill_(1);
    expect(y.toArray()).toEqual([0, 0, 1, 1]);
  });
});
