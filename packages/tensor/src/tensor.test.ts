import { inspect } from 'util';
import { IndexError, Tensor, ValueError, arange, resetPrintOptions, setPrintOptions, tensor, zeros } from './index';

afterEach(() => resetPrintOptions());

describe('shape accessors', () => {
  const x = zeros([2, 3, 4]);

  it('ndim, numel, size, device', () => {
    expect(x.ndim).toBe(3);
    expect(x.numel()).toBe(24);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(0)).toBe(2);
    expect(x.size(-1)).toBe(4);
    expect(x.device).toBe('cpu');
    expect(tensor(1).numel()).toBe(1);
    expect(tensor(1).size()).toEqual([]);
  });

  it('size() returns a copy; a bad dim names the shape', () => {
    const s = x.size();
    s[0] = 99;
    expect(x.shape[0]).toBe(2);
    expect(() => x.size(3)).toThrow(IndexError);
    expect(() => x.size(3)).toThrow(/^size: dim 3 is out of range for a tensor of shape \[2, 3, 4\]/);
  });
});

describe('toArray', () => {
  it('gives nested arrays of numbers; booleans for bool tensors; a bare value for 0-d', () => {
    expect(arange(6).reshape(2, 3).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(tensor([[true, false]]).toArray()).toEqual([[true, false]]);
    expect(tensor(2.5).toArray()).toBe(2.5);
    expect(tensor(false).toArray()).toBe(false);
    expect(zeros([2, 0, 1]).toArray()).toEqual([[], []]);
    expect(zeros([0]).toArray()).toEqual([]);
  });

  it('follows the view: transposed, sliced, expanded', () => {
    const x = arange(6).reshape(2, 3);
    expect(x.T.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(x.slice(1, 0, undefined, 2).toArray()).toEqual([
      [0, 2],
      [3, 5],
    ]);
    expect(x.select(1, 1).unsqueeze(0).expand(2, 2).toArray()).toEqual([
      [1, 4],
      [1, 4],
    ]);
  });

  it('toTypedArray gives a fresh row-major copy in the tensor dtype', () => {
    const x = arange(6).reshape(2, 3);
    const a = x.T.toTypedArray();
    expect(a).toBeInstanceOf(Int32Array);
    expect(Array.from(a)).toEqual([0, 3, 1, 4, 2, 5]);
    a[0] = 100;
    expect(x.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });
});

describe('item', () => {
  it('returns the one value of 0-d and one-element tensors', () => {
    expect(tensor(3).item()).toBe(3);
    expect(tensor([[7]], { dtype: 'int32' }).item()).toBe(7);
    expect(tensor([true]).item()).toBe(1);
    expect(arange(10).select(0, 4).item()).toBe(4);
  });

  it('throws a ValueError naming the shape for other tensors', () => {
    expect(() => zeros([2, 3]).item()).toThrow(ValueError);
    expect(() => zeros([2, 3]).item()).toThrow(/^item: only a tensor with one element can be converted to a number, got shape \[2, 3\]/);
    expect(() => zeros([0]).item()).toThrow(/got shape \[0\]/);
  });
});

describe('toString (PyTorch style)', () => {
  it('prints floats, ints, bools, 0-d and empty tensors like PyTorch', () => {
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(tensor([1.5, 2], { dtype: 'float64' }).toString()).toBe('tensor([1.5000, 2.0000], dtype=float64)');
    expect(arange(3).toString()).toBe('tensor([0, 1, 2])');
    expect(tensor([true, false]).toString()).toBe('tensor([ True, False])');
    expect(tensor(3.5).toString()).toBe('tensor(3.5000)');
    expect(zeros([2, 0]).toString()).toBe('tensor([], size=(2, 0))');
  });

  it('prints views by their logical values', () => {
    expect(arange(4).reshape(2, 2).T.toString()).toBe('tensor([[0, 2],\n        [1, 3]])');
  });

  it('follows the print options and is what util.inspect shows', () => {
    setPrintOptions({ precision: 2 });
    expect(tensor([1.5]).toString()).toBe('tensor([1.50])');
    resetPrintOptions();
    expect(inspect(tensor([1, 2]))).toBe('tensor([1., 2.])');
  });
});

describe('Tensor instances', () => {
  it('are created by every factory and op', () => {
    expect(arange(3)).toBeInstanceOf(Tensor);
    expect(arange(3).add(1)).toBeInstanceOf(Tensor);
    expect(arange(3).T).toBeInstanceOf(Tensor);
  });
});
