import { ShapeError, Tensor, ValueError, arange, tensor, zeros } from '@dl/tensor';
import { defaultCollate } from './collate';

describe('defaultCollate', () => {
  it('stacks tensors along a new first dim', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    const out = defaultCollate([a, b]);
    expect(out.shape).toEqual([2, 2, 2]);
    expect(out.toArray()).toEqual([a.toArray(), b.toArray()]);
  });

  it('turns integer labels into an int32 tensor and other numbers into float32', () => {
    const ints = defaultCollate([3, 7, 0]);
    expect(ints.dtype).toBe('int32');
    expect(ints.toArray()).toEqual([3, 7, 0]);
    const floats = defaultCollate([1, 2.5]);
    expect(floats.dtype).toBe('float32');
    expect(floats.toArray()).toEqual([1, 2.5]);
    expect(defaultCollate([2 ** 40]).dtype).toBe('float32');
  });

  it('collates booleans, strings, tuples and objects recursively', () => {
    expect(defaultCollate([true, false]).dtype).toBe('bool');
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
    const [x, y] = defaultCollate([
      [zeros([3]), 1],
      [zeros([3]), 2],
    ] as [Tensor, number][]);
    expect(x.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([1, 2]);
    const obj = defaultCollate([
      { img: arange(2).float(), meta: { id: 1, name: 'p' } },
      { img: arange(2).float(), meta: { id: 2, name: 'q' } },
    ]);
    expect(obj.img.shape).toEqual([2, 2]);
    expect(obj.meta.id.toArray()).toEqual([1, 2]);
    expect(obj.meta.name).toEqual(['p', 'q']);
  });

  it('names the samples and shapes when tensors differ in shape', () => {
    expect(() => defaultCollate([zeros([1, 28, 28]), zeros([1, 28, 28]), zeros([1, 32, 32])])).toThrow(
      new ShapeError(
        'defaultCollate: sample 0 has shape [1, 28, 28] but sample 2 has shape [1, 32, 32]; tensors of a batch must have the same shape ' +
          '(resize images to one size with the `resize` transform, or pass `collate`)',
      ),
    );
    expect(() => defaultCollate([[zeros([2]), 1], [zeros([3]), 1]])).toThrow(/element 0 of sample 0 has shape \[2\] but element 0 of sample 1 has shape \[3\]/);
  });

  it('rejects mixed structures, empty batches and unknown types', () => {
    expect(() => defaultCollate<unknown>([1, 'a'])).toThrow(/sample 0 is a number but sample 1 is a string/);
    expect(() => defaultCollate<unknown>([[1, 2], [1]])).toThrow(/array of length 1/);
    expect(() => defaultCollate([])).toThrow(ValueError);
    expect(() => defaultCollate([null])).toThrow(/cannot batch null/);
    expect(() => defaultCollate([{ a: 1 }, { b: 1 }] as { a?: number; b?: number }[])).toThrow(/without the key 'a'/);
  });
});
