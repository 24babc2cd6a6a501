import { DTypeError, IndexError, ShapeError, arange, tensor, zeros } from '../index';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });
const idx = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'int32' });
/** [[0, 1, 2], [10, 11, 12], [20, 21, 22], [30, 31, 32]] as float64. */
const x = () => arange(4).mul(10).unsqueeze(1).add(arange(3)).double();

describe('index (x[idx])', () => {
  it('picks rows of dim 0 with an index of any shape', () => {
    expect(x().index([3, 0, 3]).toArray()).toEqual([
      [30, 31, 32],
      [0, 1, 2],
      [30, 31, 32],
    ]);
    const r = x().index(idx([[1], [2]]));
    expect(r.shape).toEqual([2, 1, 3]);
    expect(r.toArray()).toEqual([[[10, 11, 12]], [[20, 21, 22]]]);
    expect(x().index([-1]).toArray()).toEqual([[30, 31, 32]]);
  });

  it('0-d tensors cannot be indexed', () => {
    expect(() => f64(1).index([0])).toThrow(IndexError);
    expect(() => f64(1).index([0])).toThrow(/^index: a 0-d tensor cannot be indexed/);
  });
});

describe('indexSelect', () => {
  it('picks entries along a dim, repeats allowed', () => {
    expect(x().indexSelect(1, [2, 0, 2]).toArray()).toEqual([
      [2, 0, 2],
      [12, 10, 12],
      [22, 20, 22],
      [32, 30, 32],
    ]);
    expect(x().indexSelect(0, idx([1])).toArray()).toEqual([[10, 11, 12]]);
    expect(x().indexSelect(-1, []).shape).toEqual([4, 0]);
  });

  it('wraps negative indices (an extension over PyTorch, which refuses them)', () => {
    expect(x().indexSelect(0, [-1, -4]).toArray()).toEqual([
      [30, 31, 32],
      [0, 1, 2],
    ]);
  });

  it('reads strided inputs and keeps the dtype', () => {
    const t = x().T; // [3, 4]
    expect(t.indexSelect(1, [3]).toArray()).toEqual([[30], [31], [32]]);
    expect(arange(5).indexSelect(0, [4, 0]).dtype).toBe('int32');
  });

  it('errors: out-of-range index, non-int index, 2-D index, bad dim', () => {
    expect(() => x().indexSelect(0, [4])).toThrow(IndexError);
    expect(() => x().indexSelect(0, [4])).toThrow(/^indexSelect: index 4 is out of bounds for dim 0 with size 4 \(shape \[4, 3\]\)/);
    expect(() => x().indexSelect(1, [-4])).toThrow(/^indexSelect: index -4 is out of bounds for dim 1 with size 3/);
    expect(() => x().indexSelect(0, f64([1]))).toThrow(DTypeError);
    expect(() => x().indexSelect(0, f64([1]))).toThrow(/^indexSelect: index must be an int32 tensor, got float64; convert with \.int\(\)/);
    expect(() => x().indexSelect(0, idx([[0]]))).toThrow(ShapeError);
    expect(() => x().indexSelect(0, idx([[0]]))).toThrow(/^indexSelect: index must be 1-D, got shape \[1, 1\]/);
    expect(() => x().indexSelect(2, [0])).toThrow(/^indexSelect: dim 2 is out of range for a tensor of shape \[4, 3\]/);
  });
});

describe('gather', () => {
  it('out[i][j] = x[i][index[i][j]] for dim 1', () => {
    expect(x().gather(1, idx([[2, 0], [1, 1], [0, 0], [2, 1]])).toArray()).toEqual([
      [2, 0],
      [11, 11],
      [20, 20],
      [32, 31],
    ]);
  });

  it('out[i][j] = x[index[i][j]][j] for dim 0; the index may be smaller than x', () => {
    expect(x().gather(0, idx([[3, 0, 1]])).toArray()).toEqual([[30, 1, 12]]);
    expect(x().gather(-2, idx([[1], [2]])).toArray()).toEqual([[10], [20]]);
  });

  it('errors name the op and the shapes', () => {
    expect(() => x().gather(1, idx([[3]]))).toThrow(IndexError);
    expect(() => x().gather(1, idx([[3]]))).toThrow(/^gather: index 3 is out of bounds for dim 1 with size 3 \(shape \[4, 3\]\)/);
    expect(() => x().gather(1, idx([0]))).toThrow(ShapeError);
    expect(() => x().gather(1, idx([0]))).toThrow(/^gather: index \[1\] must have as many dims as the input \[4, 3\]/);
    expect(() => x().gather(1, idx([[0], [0], [0], [0], [0]]))).toThrow(/^gather: index \[5, 1\] is larger than the input \[4, 3\] at dim 0/);
    expect(() => x().gather(1, f64([[0]]))).toThrow(DTypeError);
    expect(() => x().gather(3, idx([[0]]))).toThrow(/^gather: dim 3 is out of range for a tensor of shape \[4, 3\]/);
  });
});

describe('scatterAdd', () => {
  it('adds src into a copy at index positions; repeated indices accumulate', () => {
    const base = zeros([2, 4], { dtype: 'float64' });
    const out = base.scatterAdd(1, idx([[0, 0, 3], [1, 2, 1]]), f64([[1, 2, 3], [4, 5, 6]]));
    expect(out.toArray()).toEqual([
      [3, 0, 0, 3],
      [0, 10, 5, 0],
    ]);
    expect(base.sum().item()).toBe(0); // input untouched
    expect(out.storage).not.toBe(base.storage);
  });

  it('dim 0, and a src larger than the index', () => {
    const out = zeros([3, 2]).scatterAdd(0, idx([[2, 0]]), tensor([[1, 2], [100, 100]]));
    expect(out.toArray()).toEqual([
      [0, 2],
      [0, 0],
      [1, 0],
    ]);
  });

  it('converts src to the dtype of x and checks shapes', () => {
    const out = zeros([3], { dtype: 'int32' }).scatterAdd(0, idx([1, 1]), tensor([1.5, 1.5]));
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([0, 2, 0]);
    expect(() => zeros([3]).scatterAdd(0, idx([0, 1]), tensor([1]))).toThrow(/^scatterAdd: index \[2\] is larger than src \[1\] at dim 0/);
    expect(() => zeros([3]).scatterAdd(0, idx([3]), tensor([1]))).toThrow(/^scatterAdd: index 3 is out of bounds for dim 0 with size 3/);
  });
});

describe('indexAdd', () => {
  it('adds slices of src into the slices of a copy named by index', () => {
    const base = zeros([3, 2], { dtype: 'float64' });
    const out = base.indexAdd(0, [2, 0, 2], f64([[1, 2], [3, 4], [5, 6]]));
    expect(out.toArray()).toEqual([
      [3, 4],
      [0, 0],
      [6, 8],
    ]);
    expect(base.sum().item()).toBe(0);
    expect(zeros([2, 3]).indexAdd(-1, [1], tensor([[7], [8]])).toArray()).toEqual([
      [0, 7, 0],
      [0, 8, 0],
    ]);
  });

  it('requires src to have x.shape with index.length at dim', () => {
    expect(() => zeros([2, 3]).indexAdd(0, [0], zeros([2, 3]))).toThrow(ShapeError);
    expect(() => zeros([2, 3]).indexAdd(0, [0], zeros([2, 3]))).toThrow(/^indexAdd: src must have shape \[1, 3\], got \[2, 3\]/);
    expect(() => zeros([2, 3]).indexAdd(0, [2], zeros([1, 3]))).toThrow(/^indexAdd: index 2 is out of bounds for dim 0 with size 2 \(shape \[2, 3\]\)/);
  });
});
