import { DTypeError, ShapeError, Tensor, ValueError, tensor } from '@dl/tensor';
import { centerCrop, compose, normalize, resize, toTensor } from './basic';

describe('toTensor', () => {
  it('turns interleaved HWC bytes into float32 [C, H, W] = byte / 255', () => {
    // 2 x 3 image, RGB: pixel p has (p, 10 + p, 255)
    const data = new Uint8Array(18);
    for (let p = 0; p < 6; p++) data.set([p, 10 + p, 255], p * 3);
    const x = toTensor()({ width: 3, height: 2, channels: 3, data });
    expect(x.shape).toEqual([3, 2, 3]);
    expect(x.dtype).toBe('float32');
    const f = (b: number) => Math.fround(b / 255);
    expect(x.toArray()).toEqual([
      [[f(0), f(1), f(2)], [f(3), f(4), f(5)]],
      [[f(10), f(11), f(12)], [f(13), f(14), f(15)]],
      [[1, 1, 1], [1, 1, 1]],
    ]);
  });

  it('accepts int32 HxW / HxWxC tensors and passes float images through', () => {
    const gray = toTensor()(tensor([[0, 255], [51, 102]], { dtype: 'int32' }));
    expect(gray.shape).toEqual([1, 2, 2]);
    expect(gray.toArray()).toEqual([[[0, 1], [0.2, 0.4].map(Math.fround)]]);
    const hwc = toTensor()(tensor([[[255, 0]]], { dtype: 'int32' }));
    expect(hwc.shape).toEqual([2, 1, 1]);
    const f = tensor([[[0.5]]]);
    expect(toTensor()(f)).toBe(f);
    expect(toTensor()(tensor([[0.5]])).shape).toEqual([1, 1, 1]);
  });

  it('rejects malformed images', () => {
    expect(() => toTensor()({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) })).toThrow(/needs 4 bytes, data has 3/);
    expect(() => toTensor()(tensor([true]))).toThrow(DTypeError);
    expect(() => toTensor()(tensor([[[[1]]]]))).toThrow(ShapeError);
  });
});

describe('normalize', () => {
  it('subtracts the mean and divides by the std per channel', () => {
    const x = tensor([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    expect(normalize([1, 2], [1, 0.5])(x).toArray()).toEqual([[[0, 1]], [[2, 4]]]);
    expect(normalize(1, 2)(x).toArray()).toEqual([[[0, 0.5]], [[1, 1.5]]]);
  });

  it('works on a whole batch [N, C, H, W] and on [H, W]', () => {
    const batch = tensor([[[[1]], [[3]]], [[[5]], [[7]]]]); // [2, 2, 1, 1]
    expect(normalize([1, 3], [2, 2])(batch).toArray()).toEqual([[[[0]], [[0]]], [[[2]], [[2]]]]);
    expect(normalize([0.5], [0.5])(tensor([[1, 0]])).toArray()).toEqual([[1, -1]]);
  });

  it('names the channel mismatch and rejects std 0', () => {
    expect(() => normalize([0.1, 0.2], [1, 1])(tensor([[[1, 2]], [[3, 4]], [[5, 6]]]))).toThrow(
      new ShapeError('normalize: mean has 2 values but the image [3, 1, 2] has 3 channels; give one value per channel'),
    );
    expect(() => normalize([0], [0])).toThrow(ValueError);
    expect(() => normalize([0], [1])(tensor([1], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});

describe('compose, resize, centerCrop', () => {
  it('compose applies transforms left to right', () => {
    const addOne = (x: Tensor) => x.add(1);
    const double = (x: Tensor) => x.mul(2);
    expect(compose([addOne, double])(tensor([1])).toArray()).toEqual([4]);
    expect(compose([double, addOne])(tensor([1])).toArray()).toEqual([3]);
    const t = compose([toTensor(), normalize([0.5], [0.5])]);
    expect(t({ width: 1, height: 1, channels: 1, data: new Uint8Array([255]) }).toArray()).toEqual([[[1]]]);
  });

  it('resize to the same size is the identity; halving averages 2x2 blocks', () => {
    const x = tensor([[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]);
    expect(resize([4, 4])(x).toArray()).toEqual(x.toArray());
    expect(resize([2, 2])(x).toArray()).toEqual([[[3.5, 5.5], [11.5, 13.5]]]);
    expect(resize([2, 2], { interpolation: 'nearest' })(x).shape).toEqual([1, 2, 2]);
  });

  it('resize with one number scales the smaller edge and keeps the aspect ratio', () => {
    expect(resize(4)(tensor(new Float32Array(3 * 8 * 16), { shape: [3, 8, 16] })).shape).toEqual([3, 4, 8]);
    expect(resize(4)(tensor(new Float32Array(10 * 5), { shape: [10, 5] })).shape).toEqual([8, 4]);
    expect(() => resize(0)).toThrow(ValueError);
  });

  it('centerCrop cuts the middle, padding with 0 when too small', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(centerCrop(1)(x).toArray()).toEqual([[5]]);
    expect(centerCrop([3, 1])(x).toArray()).toEqual([[2], [5], [8]]);
    expect(centerCrop(5)(x).toArray()).toEqual([
      [0, 0, 0, 0, 0],
      [0, 1, 2, 3, 0],
      [0, 4, 5, 6, 0],
      [0, 7, 8, 9, 0],
      [0, 0, 0, 0, 0],
    ]);
  });
});
