import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  tensor,
  zeros,
  zerosLike,
} from '../index';

describe('tensor()', () => {
  it('reads nested arrays: shape from the nesting, float32 for numbers, bool for booleans', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([[true], [false]]);
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([[true], [false]]);
  });

  it('mixes booleans and numbers into numbers', () => {
    const t = tensor([true, 2]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([1, 2]);
  });

  it('rounds to float32 by default; keeps full precision for float64', () => {
    expect(tensor([0.1]).toArray()).toEqual([Math.fround(0.1)]);
    expect(tensor([0.1], { dtype: 'float64' }).toArray()).toEqual([0.1]);
  });

  it('converts numbers for int32 (truncation toward zero) and bool (nonzero)', () => {
    expect(tensor([1.9, -1.9, 3], { dtype: 'int32' }).toArray()).toEqual([1, -1, 3]);
    expect(tensor([0, 2, -0.5], { dtype: 'bool' }).toArray()).toEqual([false, true, true]);
  });

  it('makes 0-d tensors from numbers and booleans', () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.ndim).toBe(0);
    expect(s.item()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
    expect(tensor(true).toArray()).toBe(true);
  });

  it('makes empty tensors from empty arrays', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([]).dtype).toBe('float32');
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).toArray()).toEqual([[], []]);
  });

  it('keeps the dtype of typed arrays (Uint8Array is bool) and reads them 1-D or with a shape', () => {
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Uint8Array([1, 0])).toArray()).toEqual([true, false]);
    const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, -1] });
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor(new Float32Array([1, 2, 3, 4]), { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('reshapes nested data with the shape option', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor([7], { shape: [] }).shape).toEqual([]);
  });

  it('always copies its data', () => {
    const src = new Float32Array([1, 2, 3]);
    const t = tensor(src);
    src[0] = 100;
    expect(t.toArray()).toEqual([1, 2, 3]);
    const u = tensor(t);
    t.fill_(0);
    expect(u.toArray()).toEqual([1, 2, 3]);
    expect(u.storage).not.toBe(t.storage);
    expect(tensor(u, { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('rejects ragged arrays with a ValueError that says where', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ValueError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/^tensor: ragged nested array: expected length 2 at index \[1\], got length 1/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/^tensor: ragged nested array: expected an array at index \[1\], got 3/);
    expect(() => tensor([1, [2]] as never)).toThrow(/^tensor: ragged nested array at index \[1\].*shape \[2\]/);
    expect(() => tensor([[[1], [2]], [[3], [4, 5]]])).toThrow(/index \[1, 1\]/);
  });

  it('rejects values that are not numbers or booleans', () => {
    expect(() => tensor(['a'] as never)).toThrow(ValueError);
    expect(() => tensor(['a'] as never)).toThrow(/^tensor: unsupported value "a" at index \[0\]/);
    expect(() => tensor([null] as never)).toThrow(ValueError);
  });

  it('rejects shape options that do not fit the data, and foreign typed arrays', () => {
    expect(() => tensor(new Float32Array(6), { shape: [4, 2] })).toThrow(ShapeError);
    expect(() => tensor(new Float32Array(6), { shape: [4, 2] })).toThrow(/^tensor: shape \[4, 2\] needs 8 elements, the data has 6/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/^tensor: shape \[2, 2\] needs 4 elements, the data has 3/);
    expect(() => tensor(new Int16Array(3) as never)).toThrow(DTypeError);
  });
});

describe('full, zeros, ones and the *Like variants', () => {
  it('fill with the value in the default or given dtype', () => {
    const f = full([2, 2], 7);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([
      [7, 7],
      [7, 7],
    ]);
    expect(full([2], true).dtype).toBe('bool');
    expect(full([3], 2.7, { dtype: 'int32' }).toArray()).toEqual([2, 2, 2]);
    expect(zeros([2, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(ones([3], { dtype: 'float64' }).toArray()).toEqual([1, 1, 1]);
    expect(ones([]).item()).toBe(1);
  });

  it('allow 0-size dims', () => {
    const z = zeros([2, 0, 3]);
    expect(z.shape).toEqual([2, 0, 3]);
    expect(z.numel()).toBe(0);
    expect(z.toArray()).toEqual([[], []]);
  });

  it('*Like copy shape and dtype unless a dtype is given', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'int32' });
    expect(zerosLike(x).toArray()).toEqual([[0, 0, 0]]);
    expect(zerosLike(x).dtype).toBe('int32');
    expect(onesLike(x, { dtype: 'float64' }).dtype).toBe('float64');
    expect(fullLike(x, 4).toArray()).toEqual([[4, 4, 4]]);
    expect(fullLike(x, 4).dtype).toBe('int32');
  });

  it('reject negative or fractional sizes', () => {
    expect(() => zeros([-1])).toThrow(ValueError);
    expect(() => zeros([-1])).toThrow(/^zeros: invalid shape \[-1\]/); // named after the op called, not full
    expect(() => ones([2.5])).toThrow(/invalid shape \[2.5\]/);
  });
});

describe('arange', () => {
  it('gives int32 for integer arguments, like PyTorch', () => {
    const a = arange(5);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 6).toArray()).toEqual([2, 3, 4, 5]);
    expect(arange(1, 10, 3).toArray()).toEqual([1, 4, 7]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
  });

  it('gives float32 for fractional arguments; the end is excluded', () => {
    const a = arange(0, 1, 0.25);
    expect(a.dtype).toBe('float32');
    expect(a.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.3).numel()).toBe(4); // ceil(1 / 0.3), as PyTorch
    expect(arange(0.5, 3).toArray()).toEqual([0.5, 1.5, 2.5]);
  });

  it('honours dtype and gives empty ranges for start == end', () => {
    expect(arange(3, undefined, 1, { dtype: 'float64' }).dtype).toBe('float64');
    expect(arange(0).shape).toEqual([0]);
    expect(arange(4, 4).shape).toEqual([0]);
  });

  it('rejects a zero step, a step pointing away from end, and non-finite bounds', () => {
    expect(() => arange(0, 5, 0)).toThrow(ValueError);
    expect(() => arange(0, 5, 0)).toThrow(/^arange: .*step non-zero, got \(0, 5, 0\)/);
    expect(() => arange(0, 5, -1)).toThrow(/^arange: step -1 goes away from end: start 0, end 5/);
    expect(() => arange(0, Infinity)).toThrow(ValueError);
  });
});

describe('linspace', () => {
  it('includes both ends and spaces evenly (float32 by default)', () => {
    const l = linspace(0, 1, 5);
    expect(l.dtype).toBe('float32');
    expect(l.toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(2, -2, 3).toArray()).toEqual([2, 0, -2]);
  });

  it('hits `end` exactly, filling from both ends like PyTorch', () => {
    const l = linspace(0, 0.3, 4, { dtype: 'float64' }).toArray() as number[];
    expect(l[3]).toBe(0.3);
    expect(l[0]).toBe(0);
    expect(l[1]).toBeCloseTo(0.1, 15);
  });

  it('handles 1 and 0 steps and rejects negative ones', () => {
    expect(linspace(-1, 1, 1).toArray()).toEqual([-1]);
    expect(linspace(0, 1, 0).shape).toEqual([0]);
    expect(() => linspace(0, 1, -1)).toThrow(ValueError);
    expect(() => linspace(0, 1, 2.5)).toThrow(/^linspace: steps must be a non-negative integer, got 2.5/);
  });
});

describe('eye', () => {
  it('square and rectangular identity matrices', () => {
    expect(eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 2).toArray()).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(eye(2, 2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(eye(2, 2, { dtype: 'bool' }).toArray()).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(eye(0).shape).toEqual([0, 0]);
  });
});

describe('the Tensor constructor', () => {
  it('checks that the storage fits a contiguous shape and reads the dtype from the storage', () => {
    expect(new Tensor(new Float64Array(6), [2, 3]).dtype).toBe('float64');
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(ValueError);
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/^Tensor: shape \[2, 3\] needs 6 elements but the storage has 5/);
    expect(() => new Tensor(new Int16Array(2) as never, [2])).toThrow(ValueError);
  });

  it('freezes shape and strides', () => {
    const t = zeros([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(Object.isFrozen(t.strides)).toBe(true);
  });
});
